/**
 * The proxy admin port Linkerd's proxy injector gives a pod from `config.linkerd.io/admin-port`
 * (internal), shared by the analyzer, the lint and the LinkerdAuthorization probe check so that the
 * three agree. Read as every proxy port annotation is (./linkerd-port-override: the pod's value
 * when it has the key, even one that is no number, which gives the default 4191; a number no port can
 * be makes a pod the API server refuses; an empty pod value beside a namespace value is ambiguous).
 */
import { LinkerdContainerPortAnnotation, linkerdPortOverride, LinkerdProxyPort } from './linkerd-port-override';
import { LINKERD_ADMIN_PORT, LINKERD_ADMIN_PORT_ANNOTATION, LINKERD_ADMIN_PORT_NAME } from './linkerd-probes';
import { Endpoint } from '../model';

/** What the proxy injector makes of `config.linkerd.io/admin-port` for one pod. */
export type LinkerdAdminPort = LinkerdProxyPort;

/** How the injector reads `config.linkerd.io/admin-port` (./linkerd-port-override), for the analyzer and the lint alike. */
export const LINKERD_ADMIN_PORT_OVERRIDE: LinkerdContainerPortAnnotation = {
  key: LINKERD_ADMIN_PORT_ANNOTATION,
  defaultPort: LINKERD_ADMIN_PORT,
  what: 'admin',
  containerPortName: LINKERD_ADMIN_PORT_NAME,
  installValue: 'proxy.ports.admin',
};

/**
 * The admin port of a meshed pod whose template annotates `pod` and whose namespace annotates
 * `namespace` with `config.linkerd.io/admin-port` (undefined, or not a string: not annotated).
 */
export function linkerdAdminPort(pod: unknown, namespace: unknown): LinkerdAdminPort {
  return linkerdPortOverride(LINKERD_ADMIN_PORT_OVERRIDE, pod, namespace);
}

/** {@link linkerdAdminPort} of an endpoint, whose namespace annotates `namespaceAnnotations`. */
export function adminPortOf(endpoint: Endpoint, namespaceAnnotations: Readonly<Record<string, string>> | undefined): LinkerdAdminPort {
  return linkerdAdminPort(endpoint.annotations?.[LINKERD_ADMIN_PORT_ANNOTATION], namespaceAnnotations?.[LINKERD_ADMIN_PORT_ANNOTATION]);
}
