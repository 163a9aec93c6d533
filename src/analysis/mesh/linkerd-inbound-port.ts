/**
 * The Linkerd proxy's inbound port on a pod (internal): where meshed clients connect, so the port the
 * CNI sees of meshed traffic to the pod (linkerd.io "Network Policy" common error). 4143 unless
 * `config.linkerd.io/inbound-port` (linkerd.io/2/reference/proxy-configuration: "Proxy port to use for
 * inbound traffic") on the pod template, else on its namespace, moves it. Read as every proxy port
 * annotation is (./linkerd-port-override). The moved port is the one clients use: the proxy injector
 * writes it into the proxy's `LINKERD2_PROXY_INBOUND_LISTEN_ADDR` and its `linkerd-proxy` container
 * port (charts/partials/templates/_proxy.tpl), and the destination controller tells clients the port it
 * reads from that variable (controller/api/destination endpoint_translator.go `getInboundPort`).
 */
import { LinkerdContainerPortAnnotation, linkerdPortOverride, LinkerdProxyPort } from './linkerd-port-override';
import { Endpoint } from '../model';

/** Linkerd's inbound proxy port by default, where meshed clients connect (linkerd.io "Network Policy" common error). */
export const LINKERD_INBOUND_PORT = 4143;
/** Moves the proxy's inbound listener and its container port {@link LINKERD_INBOUND_PORT_NAME} (linkerd.io proxy configuration reference). */
export const LINKERD_INBOUND_PORT_ANNOTATION = 'config.linkerd.io/inbound-port';
/**
 * The name of the inbound port on the injected proxy container (linkerd2 charts/partials/templates/_proxy.tpl):
 * a NetworkPolicy port may give it, though no manifest shows that container.
 */
export const LINKERD_INBOUND_PORT_NAME = 'linkerd-proxy';

/** How the injector reads `config.linkerd.io/inbound-port` (./linkerd-port-override), for the analyzer and the lint alike. */
export const LINKERD_INBOUND_PORT_OVERRIDE: LinkerdContainerPortAnnotation = {
  key: LINKERD_INBOUND_PORT_ANNOTATION,
  defaultPort: LINKERD_INBOUND_PORT,
  what: 'inbound',
  containerPortName: LINKERD_INBOUND_PORT_NAME,
  installValue: 'proxy.ports.inbound',
};

/** What the proxy injector makes of `config.linkerd.io/inbound-port` for one pod. */
export interface LinkerdInboundPort extends LinkerdProxyPort {
  /** Set when the value in effect is no number the injector parses, which then keeps {@link LINKERD_INBOUND_PORT}: says so. */
  readonly ignored?: string;
}

/**
 * The inbound port of a meshed pod whose template annotates `pod` and whose namespace annotates
 * `namespace` with `config.linkerd.io/inbound-port` (undefined, or not a string: not annotated).
 */
export function linkerdInboundPort(pod: unknown, namespace: unknown): LinkerdInboundPort {
  const read = linkerdPortOverride(LINKERD_INBOUND_PORT_OVERRIDE, pod, namespace);
  const value = typeof pod === 'string' ? pod : namespace;
  if (read.from !== 'default' || typeof value !== 'string' || value === '') return read;
  return {
    ...read,
    ignored: `${LINKERD_INBOUND_PORT_ANNOTATION} '${value}' (on the ${typeof pod === 'string' ? 'pod template' : 'namespace'}) is no number the proxy `
      + `injector reads (Go strconv.ParseInt), so it keeps the inbound port ${LINKERD_INBOUND_PORT} (linkerd2 pkg/inject/config_override.go)`,
  };
}

/** {@link linkerdInboundPort} of an endpoint, whose namespace annotates `namespaceAnnotations`. */
export function inboundPortOf(endpoint: Endpoint, namespaceAnnotations: Readonly<Record<string, string>> | undefined): LinkerdInboundPort {
  return linkerdInboundPort(endpoint.annotations?.[LINKERD_INBOUND_PORT_ANNOTATION], namespaceAnnotations?.[LINKERD_INBOUND_PORT_ANNOTATION]);
}
