/**
 * A proxy port Linkerd's proxy injector takes from a `config.linkerd.io/*-port` annotation
 * (internal): `admin-port` (./linkerd-admin-port) and `inbound-port` (./linkerd-inbound-port) are read
 * alike, so the analyzer, the lint and the LinkerdAuthorization probe check agree on both; `control-port` and
 * `outbound-port` too (./linkerd-proxy-listeners, for the lint's port collisions).
 *
 * What the injector does (linkerd/linkerd2):
 * - which value: the pod template's own annotation when it has the key; the namespace's value is
 *   copied to the pod only when the pod lacks the key (pkg/inject/config_override.go
 *   `AppendNamespaceAnnotations`, through `GetConfigOverride`; the older pkg/inject/inject.go
 *   `getOverride` reads the pod's value first, the namespace's only when the pod's is empty). So a
 *   pod value that is no port does NOT fall back to the namespace's.
 * - how it is read: pkg/inject/config_override.go `applyAnnotationOverrides` parses `admin-port`,
 *   `inbound-port` (and `control-port`, `outbound-port`) each with Go's `strconv.ParseInt(value, 10, 32)`
 *   and, on a parse error, leaves the port at the install's value (`proxy.ports.admin` 4191,
 *   `proxy.ports.inbound` 4143 by default) without an error: `abc`, ` 9990`, `9990 ` or an empty value
 *   give the default. A sign is accepted (`+9990` is 9990).
 * - a number ParseInt accepts but no port can be (0, negative, above 65535) becomes the injected
 *   proxy's listener and its container port (`linkerd-admin`, `linkerd-proxy`: charts/partials/templates/_proxy.tpl),
 *   which the API server refuses (containerPort must be 1-65535): such pods are never created. Their port is unknown here.
 * - an empty pod value beside a namespace value: whether the injector takes the namespace's value
 *   (the older `getOverride` skips empty values) or the default (the empty value fails ParseInt) is
 *   not pinned; unknown when the two differ.
 */

/** What the proxy injector makes of one `config.linkerd.io/*-port` annotation for one pod. */
export interface LinkerdProxyPort {
  /** The proxy's port; undefined when it is not known (then `unknown` says why). */
  readonly port: number | undefined;
  /**
   * Where `port` comes from: the pod template's value, the namespace's, or the default (also when
   * the value in effect is not a number the injector parses).
   */
  readonly from: 'pod' | 'namespace' | 'default';
  /** Why the port is not known; undefined when `port` is given. */
  readonly unknown?: string;
  /**
   * True when the value in effect is a number no port can be: the API server refuses the injected
   * pod, so it never runs. Undefined otherwise, also when the port is only ambiguous (the pod
   * is created with one of two ports).
   */
  readonly refused?: true;
}

/** One proxy port the injector reads from an annotation. */
export interface LinkerdPortAnnotation {
  /** The annotation key, e.g. `config.linkerd.io/admin-port`. */
  readonly key: string;
  /** The install's port when the annotation gives none (Linkerd's Helm default). */
  readonly defaultPort: number;
  /** The listener's name in messages: `admin`, `inbound`, `control`, `outbound`. */
  readonly what: string;
  /**
   * The injected proxy container's port of this listener (charts/partials/templates/_proxy.tpl): `linkerd-admin`, `linkerd-proxy`.
   * @default - none: the proxy container declares no port for this listener (control, outbound)
   */
  readonly containerPortName?: string;
  /** The install's Helm value the injector keeps when the annotation gives no port: `proxy.ports.admin`, `proxy.ports.inbound`. */
  readonly installValue: string;
}

/** A proxy port annotation whose listener is also a port of the injected proxy container (admin, inbound). */
export interface LinkerdContainerPortAnnotation extends LinkerdPortAnnotation {
  /** The injected proxy container's port of this listener: `linkerd-admin`, `linkerd-proxy`. */
  readonly containerPortName: string;
}

/**
 * Go's `strconv.ParseInt(text, 10, 32)`, as the injector reads the port annotations: an optional sign
 * and decimal digits, within int32; undefined on error (then the injector keeps its default).
 */
export function parseInt32(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** The port one annotation value gives, as the injector reads it. */
function fromValue(a: LinkerdPortAnnotation, text: string, from: 'pod' | 'namespace'): LinkerdProxyPort {
  const n = parseInt32(text);
  if (n === undefined) return { port: a.defaultPort, from: 'default' };
  if (n >= 1 && n <= 65535) return { port: n, from };
  const where = `${a.key} '${text}' (on the ${from === 'pod' ? 'pod template' : 'namespace'})`;
  if (a.containerPortName === undefined) {
    // No container port carries it, so the API server does not refuse the pod; the proxy refuses a listen address beyond 0-65535 and binds
    // a port the kernel picks for 0 (the lint rule linkerd-port-annotation-invalid says which breaks what): no port known either way.
    return { port: undefined, from, unknown: `${where} gives the injected proxy's ${a.what} listener port ${n}, which is no port (1-65535)` };
  }
  return {
    port: undefined,
    from,
    unknown: `${where} makes the injected proxy's ${a.what} container port ${n}, which the API server refuses (a port is 1-65535): the pods are not created`,
    refused: true,
  };
}

/**
 * The port `a` of a meshed pod whose template annotates `pod` and whose namespace annotates
 * `namespace` with `a.key` (undefined, or not a string: not annotated).
 */
export function linkerdPortOverride(a: LinkerdPortAnnotation, pod: unknown, namespace: unknown): LinkerdProxyPort {
  const ns = typeof namespace === 'string' ? fromValue(a, namespace, 'namespace') : { port: a.defaultPort, from: 'default' as const };
  if (typeof pod !== 'string') return ns;
  if (pod !== '' || typeof namespace !== 'string') return fromValue(a, pod, 'pod');
  if (ns.port === a.defaultPort) return ns;
  return {
    port: undefined,
    from: 'pod',
    unknown: `${a.key} is empty on the pod template and '${namespace}' on the namespace: whether the injector takes the `
      + `namespace's value or its default ${a.defaultPort} is not known`,
  };
}
