/**
 * Whether Linkerd's proxy injector gives a pod a proxy (internal): the one reading of
 * `linkerd.io/inject` for the analyzer, the lint rules and the constructs that read the app's pods.
 *
 * The injector (linkerd/linkerd2 pkg/inject/report.go, `disableByAnnotation` and `Injectable`, the
 * webhook's truth table; linkerd.io "Automatic Proxy Injection") reads the annotation
 * `linkerd.io/inject` of the pod (template) and of its namespace; an empty value is no value:
 * - a value other than `enabled`, `ingress` or `disabled` on the namespace or on the pod: not injected;
 * - namespace `enabled` or `ingress`: injected unless the pod says `disabled`;
 * - otherwise (namespace `disabled` or none): injected only when the pod says `enabled` or `ingress`;
 * - a host-network pod is never injected ("hostNetwork is enabled");
 * - the injector never sees pods the webhook's selectors leave out (linkerd/linkerd2
 *   charts/linkerd-control-plane/values.yaml `proxyInjector.namespaceSelector` and `objectSelector`,
 *   install defaults): namespaces `kube-system` and `cert-manager`, namespaces labelled
 *   `config.linkerd.io/admission-webhooks: disabled`, pods labelled `linkerd.io/control-plane-component`
 *   or `linkerd.io/cni-resource`. Read only when the caller passes the {@link LinkerdWebhookScope}.
 * The constructs that write the annotation (cluster/mesh `namespaceAnnotations`, the patterns) do not
 * read it and do not use this.
 */

/** The annotation. */
export const LINKERD_INJECT_ANNOTATION = 'linkerd.io/inject';

/** The values that inject (`ingress`: a proxy in ingress mode). */
const INJECTING = ['enabled', 'ingress'];
const VALID = [...INJECTING, 'disabled'];

/** Namespaces the injector's webhook leaves out by name (install default `proxyInjector.namespaceSelector`). */
const EXCLUDED_NAMESPACES = ['kube-system', 'cert-manager'];
/** The namespace label that turns Linkerd's admission webhooks off, `disabled` (`proxyInjector.namespaceSelector`). */
export const LINKERD_ADMISSION_WEBHOOKS_LABEL = 'config.linkerd.io/admission-webhooks';
/** Pod labels the webhook leaves out (install default `proxyInjector.objectSelector`). */
const EXCLUDED_POD_LABELS = ['linkerd.io/control-plane-component', 'linkerd.io/cni-resource'];

/** Where the pod is, as the webhook's selectors read it. */
export interface LinkerdWebhookScope {
  /** The pod's namespace. */
  readonly namespace: string;
  /**
   * The namespace's labels.
   * @default - none known
   */
  readonly namespaceLabels?: Readonly<Record<string, unknown>>;
  /**
   * The pod template's labels.
   * @default - none known
   */
  readonly podLabels?: Readonly<Record<string, unknown>>;
}

/** What the injector does with a pod. */
export interface LinkerdInjection {
  /** True: the pod gets a proxy; false: it does not; undefined: not known (its namespace is not shown and the pod says nothing). */
  readonly injected: boolean | undefined;
  /**
   * The annotation that decides: on the pod template or on its namespace.
   * @default - none: no annotation decides (none is set, the namespace is not shown, or the pod is in the host network)
   */
  readonly at?: 'pod' | 'namespace';
  /**
   * The deciding annotation's value (a non-string as the manifests give it, stringified).
   * @default - none, as `at`
   */
  readonly value?: string;
  /**
   * The deciding value is not one the injector knows (it then injects nothing).
   * @default false
   */
  readonly invalid?: boolean;
  /**
   * The pod is in the host network.
   * @default false
   */
  readonly hostNetwork?: boolean;
  /**
   * Why the injector's webhook never sees the pod (`namespace kube-system`, `namespace label
   * config.linkerd.io/admission-webhooks=disabled`, `pod label linkerd.io/cni-resource`).
   * @default - none: the webhook sees it, or no scope was given
   */
  readonly unseen?: string;
}

/**
 * Why the proxy injector's webhook leaves pods of `scope` out (install default selectors, see above):
 * `namespace cert-manager`, `namespace label config.linkerd.io/admission-webhooks=disabled`, `pod
 * label linkerd.io/cni-resource`; undefined when it sees them.
 */
export function linkerdWebhookUnseen(scope: LinkerdWebhookScope): string | undefined {
  if (EXCLUDED_NAMESPACES.includes(scope.namespace)) return `namespace ${scope.namespace}`;
  if (scope.namespaceLabels?.[LINKERD_ADMISSION_WEBHOOKS_LABEL] === 'disabled') return `namespace label ${LINKERD_ADMISSION_WEBHOOKS_LABEL}=disabled`;
  const label = EXCLUDED_POD_LABELS.find((l) => scope.podLabels !== undefined && Object.prototype.hasOwnProperty.call(scope.podLabels, l));
  return label === undefined ? undefined : `pod label ${label}`;
}

/** The annotation's value in `annotations`: undefined when absent or empty (the injector reads both as none). */
function valueOf(annotations: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = annotations?.[LINKERD_INJECT_ANNOTATION];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/**
 * What Linkerd's injector does with a pod whose template has the annotations `pod` (and `hostNetwork`)
 * in a namespace with the annotations `namespace` (undefined: the manifests do not show the namespace);
 * with `scope`, also where the webhook's selectors leave the pod out.
 */
export function linkerdInjection(pod: Readonly<Record<string, unknown>> | undefined, namespace: Readonly<Record<string, unknown>> | undefined,
  hostNetwork = false, scope?: LinkerdWebhookScope): LinkerdInjection {
  if (hostNetwork) return { injected: false, hostNetwork: true };
  const unseen = scope === undefined ? undefined : linkerdWebhookUnseen(scope);
  if (unseen !== undefined) return { injected: false, unseen };
  const own = valueOf(pod);
  const ns = valueOf(namespace);
  if (ns !== undefined && !VALID.includes(ns)) return { injected: false, at: 'namespace', value: ns, invalid: true };
  if (own !== undefined && !VALID.includes(own)) return { injected: false, at: 'pod', value: own, invalid: true };
  if (own !== undefined) return { injected: INJECTING.includes(own), at: 'pod', value: own };
  if (ns !== undefined) return { injected: INJECTING.includes(ns), at: 'namespace', value: ns };
  return { injected: namespace === undefined ? undefined : false };
}
