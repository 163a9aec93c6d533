/**
 * The proxy admin port Linkerd's proxy injector gives a pod from `config.linkerd.io/admin-port`
 * (internal), shared by the analyzer, the lint and the LinkerdAuthorization probe check so that the
 * three agree.
 *
 * What the injector does (linkerd/linkerd2):
 * - which value: the pod template's own annotation when it has the key; the namespace's value is
 *   copied to the pod only when the pod lacks the key (pkg/inject/config_override.go
 *   `AppendNamespaceAnnotations`, through `GetConfigOverride`; the older pkg/inject/inject.go
 *   `getOverride` reads the pod's value first, the namespace's only when the pod's is empty). So a
 *   pod value that is no port does NOT fall back to the namespace's.
 * - how it is read: pkg/inject/config_override.go `applyAnnotationOverrides` parses it with Go's
 *   `strconv.ParseInt(value, 10, 32)` and, on a parse error, leaves the admin port at the install's
 *   `proxy.ports.admin` (4191 by default) without an error: `abc`, ` 9990`, `9990 ` or an empty value
 *   give 4191. A sign is accepted (`+9990` is 9990).
 * - a number ParseInt accepts but no port can be (0, negative, above 65535) becomes the injected
 *   proxy's admin listener and its `linkerd-admin` container port, which the API server refuses
 *   (containerPort must be 1-65535): such pods are never created. Their admin port is unknown here.
 * - an empty pod value beside a namespace value: whether the injector takes the namespace's value
 *   (the older `getOverride` skips empty values) or the default (the empty value fails ParseInt) is
 *   not pinned; unknown when the two differ.
 */
import { LINKERD_ADMIN_PORT, LINKERD_ADMIN_PORT_ANNOTATION } from './linkerd-probes';

/** What the proxy injector makes of `config.linkerd.io/admin-port` for one pod. */
export interface LinkerdAdminPort {
  /** The proxy's admin port; undefined when it is not known (then `unknown` says why). */
  readonly port: number | undefined;
  /**
   * Where `port` comes from: the pod template's value, the namespace's, or the default (4191, also
   * when the value in effect is not a number the injector parses).
   */
  readonly from: 'pod' | 'namespace' | 'default';
  /** Why the admin port is not known; undefined when `port` is given. */
  readonly unknown?: string;
  /**
   * True when the value in effect is a number no port can be: the API server refuses the injected
   * pod, so it never runs. Undefined otherwise, also when the admin port is only ambiguous (the pod
   * is created with one of two ports).
   */
  readonly refused?: true;
}

const DEFAULT: LinkerdAdminPort = { port: LINKERD_ADMIN_PORT, from: 'default' };

/**
 * Go's `strconv.ParseInt(text, 10, 32)`, as the injector reads `config.linkerd.io/admin-port`: an
 * optional sign and decimal digits, within int32; undefined on error (then the injector keeps its default).
 */
export function parseInt32(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** The admin port one annotation value gives, as the injector reads it. */
function fromValue(text: string, from: 'pod' | 'namespace'): LinkerdAdminPort {
  const n = parseInt32(text);
  if (n === undefined) return DEFAULT;
  if (n >= 1 && n <= 65535) return { port: n, from };
  return {
    port: undefined,
    from,
    unknown: `${LINKERD_ADMIN_PORT_ANNOTATION} '${text}' (on the ${from === 'pod' ? 'pod template' : 'namespace'}) makes the injected proxy's admin `
      + `container port ${n}, which the API server refuses (a port is 1-65535): the pods are not created`,
    refused: true,
  };
}

/**
 * The admin port of a meshed pod whose template annotates `pod` and whose namespace annotates
 * `namespace` with `config.linkerd.io/admin-port` (undefined, or not a string: not annotated).
 */
export function linkerdAdminPort(pod: unknown, namespace: unknown): LinkerdAdminPort {
  const ns = typeof namespace === 'string' ? fromValue(namespace, 'namespace') : DEFAULT;
  if (typeof pod !== 'string') return ns;
  if (pod !== '' || typeof namespace !== 'string') return fromValue(pod, 'pod');
  if (ns.port === LINKERD_ADMIN_PORT) return ns;
  return {
    port: undefined,
    from: 'pod',
    unknown: `${LINKERD_ADMIN_PORT_ANNOTATION} is empty on the pod template and '${namespace}' on the namespace: whether the injector takes the `
      + `namespace's value or its default ${LINKERD_ADMIN_PORT} is not known`,
  };
}
