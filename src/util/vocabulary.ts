/**
 * The manifest vocabulary shared by the analyzer, the lint and the CLI: API groups, kind
 * predicates, where workloads keep their pod template, and the label keys Kubernetes and the CNIs
 * set themselves. Vocabulary only: what a field *means* stays with each consumer (the analyzer
 * checks the renderers, so it must never share their semantics).
 *
 * Every predicate takes any JSON value and never throws.
 */

/** The label every namespace carries since Kubernetes 1.22 (NETWORKING-FACTS.md #1). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** API group of Kubernetes NetworkPolicy. */
export const NETWORKING_GROUP = 'networking.k8s.io';
/** API group of the network-policy-api kinds (ClusterNetworkPolicy, AdminNetworkPolicy, ...). */
export const POLICY_API_GROUP = 'policy.networking.k8s.io';
/** The API group Calico serves (aggregated API server or native v3 CRDs). */
export const CALICO_GROUP = 'projectcalico.org';
/** Calico's internal storage group (never written by users). */
export const CALICO_STORAGE_GROUP = 'crd.projectcalico.org';
/** Cilium's API group. */
export const CILIUM_GROUP = 'cilium.io';
/** Chaos Mesh's API group (NetworkChaos, Schedule, ...). */
export const CHAOS_MESH_GROUP = 'chaos-mesh.org';
/** The API group of Flux's helm-controller (HelmRelease). */
const FLUX_HELM_GROUP = 'helm.toolkit.fluxcd.io';
/** The API group of Argo CD (Application). */
const ARGO_CD_GROUP = 'argoproj.io';

/** Is `value` a plain (non-array, non-null) object? */
export function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The string-valued entries of `value` (labels, annotations, a selector): `{}` when it is not a plain object; other values are dropped. */
export function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The API group of an object (`''` for the core group and for a missing apiVersion). */
export function apiGroupOf(obj: unknown): string {
  const apiVersion = isPlainObject(obj) && typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** The API version of an object without its group (`v1` of `apps/v1`), or undefined. */
export function apiVersionOf(obj: unknown): string | undefined {
  const apiVersion = isPlainObject(obj) && typeof obj.apiVersion === 'string' ? obj.apiVersion : undefined;
  if (apiVersion === undefined) return undefined;
  return apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
}

/** Does the object have this API group (any version) and kind? */
export function isKindOf(obj: unknown, group: string, kind: string): boolean {
  return isPlainObject(obj) && obj.kind === kind && apiGroupOf(obj) === group;
}

/** Is the object a Flux HelmRelease (any version of helm.toolkit.fluxcd.io)? */
export function isFluxHelmRelease(obj: unknown): boolean {
  return isKindOf(obj, FLUX_HELM_GROUP, 'HelmRelease');
}

/** Is the object an Argo CD Application (any version of argoproj.io)? */
export function isArgoApplication(obj: unknown): boolean {
  return isKindOf(obj, ARGO_CD_GROUP, 'Application');
}

/**
 * The namespace of a namespaced object as kubectl applies it: `metadata.namespace` when it is a
 * non-empty string, otherwise `default`.
 */
export function namespaceOf(obj: unknown): string {
  const metadata = isPlainObject(obj) ? obj.metadata : undefined;
  const ns = isPlainObject(metadata) ? metadata.namespace : undefined;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

/** `metadata.name` when it is a string, else `''`. */
export function nameOf(obj: unknown): string {
  const metadata = isPlainObject(obj) ? obj.metadata : undefined;
  return isPlainObject(metadata) && typeof metadata.name === 'string' ? metadata.name : '';
}

/** networking.k8s.io NetworkPolicy, any version (only v1 is served; see {@link isServedNetworkPolicy}). */
export function isKubernetesNetworkPolicy(obj: unknown): boolean {
  return isKindOf(obj, NETWORKING_GROUP, 'NetworkPolicy') || isKindOf(obj, 'extensions', 'NetworkPolicy');
}

/** networking.k8s.io/v1 NetworkPolicy, the only version a current API server serves. */
export function isServedNetworkPolicy(obj: unknown): boolean {
  return isKindOf(obj, NETWORKING_GROUP, 'NetworkPolicy') && apiVersionOf(obj) === 'v1';
}

/** policy.networking.k8s.io ClusterNetworkPolicy (v1alpha2 is the version the analyzer evaluates). */
export function isClusterNetworkPolicyKind(obj: unknown): boolean {
  return isKindOf(obj, POLICY_API_GROUP, 'ClusterNetworkPolicy');
}

/** policy.networking.k8s.io AdminNetworkPolicy or BaselineAdminNetworkPolicy (v1alpha1, superseded by ClusterNetworkPolicy). */
export function isAdminNetworkPolicyKind(obj: unknown): boolean {
  return isKindOf(obj, POLICY_API_GROUP, 'AdminNetworkPolicy') || isKindOf(obj, POLICY_API_GROUP, 'BaselineAdminNetworkPolicy');
}

/** Calico policy kinds that are enforced (staged kinds are previews and enforce nothing). */
const CALICO_POLICY_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy']);
/** Calico staged policy kinds: recorded and reported by Calico, never enforced. */
const CALICO_STAGED_KINDS = new Set(['StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy']);

/**
 * A Calico (Global)NetworkPolicy, in the served group (projectcalico.org) or the internal storage
 * group (crd.projectcalico.org), any version. Staged policies are not included.
 */
export function isCalicoPolicy(obj: unknown): boolean {
  const group = apiGroupOf(obj);
  return isPlainObject(obj) && (group === CALICO_GROUP || group === CALICO_STORAGE_GROUP) && CALICO_POLICY_KINDS.has(obj.kind);
}

/** A projectcalico.org/v3 (Global)NetworkPolicy: the form the analyzer evaluates. */
export function isServedCalicoPolicy(obj: unknown): boolean {
  return isCalicoPolicy(obj) && apiGroupOf(obj) === CALICO_GROUP && apiVersionOf(obj) === 'v3';
}

/** A Calico staged policy (StagedNetworkPolicy, StagedGlobalNetworkPolicy, StagedKubernetesNetworkPolicy). */
export function isCalicoStagedPolicy(obj: unknown): boolean {
  const group = apiGroupOf(obj);
  return isPlainObject(obj) && (group === CALICO_GROUP || group === CALICO_STORAGE_GROUP) && CALICO_STAGED_KINDS.has(obj.kind);
}

/** Calico's built-in tier, where a policy goes when it names none. */
const CALICO_DEFAULT_TIER = 'default';

/**
 * The tier of a Calico (Global or Staged)NetworkPolicy: `spec.tier`, or `default` when it is omitted
 * or empty (the CRD default; Calico's admission defaults an empty tier the same way). Never the
 * name: Calico 3.32 stores plain names, and a legacy `<tier>.<name>` prefix decides nothing
 * (NETWORKING-FACTS.md, Calico). A non-string `spec.tier` (an invalid object) counts as `default`.
 */
export function calicoPolicyTier(obj: unknown): string {
  const tier = isPlainObject(obj) && isPlainObject(obj.spec) ? obj.spec.tier : undefined;
  return typeof tier === 'string' && tier !== '' ? tier : CALICO_DEFAULT_TIER;
}

/** A projectcalico.org/v3 NetworkSet or GlobalNetworkSet. */
export function isCalicoNetworkSet(obj: unknown): boolean {
  return isPlainObject(obj) && apiGroupOf(obj) === CALICO_GROUP && apiVersionOf(obj) === 'v3'
    && (obj.kind === 'NetworkSet' || obj.kind === 'GlobalNetworkSet');
}

/** A Calico HostEndpoint (served or storage group). */
export function isCalicoHostEndpoint(obj: unknown): boolean {
  return isKindOf(obj, CALICO_GROUP, 'HostEndpoint') || isKindOf(obj, CALICO_STORAGE_GROUP, 'HostEndpoint');
}

/** CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, any version (cilium.io/v2 is the served one). */
export function isCiliumPolicy(obj: unknown): boolean {
  return isPlainObject(obj) && apiGroupOf(obj) === CILIUM_GROUP
    && (obj.kind === 'CiliumNetworkPolicy' || obj.kind === 'CiliumClusterwideNetworkPolicy');
}

/** cilium.io/v2 CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy: the form the analyzer evaluates. */
export function isServedCiliumPolicy(obj: unknown): boolean {
  return isCiliumPolicy(obj) && apiVersionOf(obj) === 'v2';
}

/** A cilium.io CiliumCIDRGroup (v2 or v2alpha1). */
export function isCiliumCidrGroup(obj: unknown): boolean {
  return isKindOf(obj, CILIUM_GROUP, 'CiliumCIDRGroup');
}

/** A core Namespace. */
export function isNamespace(obj: unknown): boolean {
  return isKindOf(obj, '', 'Namespace') && apiVersionOf(obj) === 'v1';
}

/**
 * Where each workload kind keeps its pod template, with the API group the kind belongs to. A kind in
 * another group (a `Deployment` in `v1`) is not a workload.
 */
export const WORKLOAD_TEMPLATES: Readonly<Record<string, { readonly group: string; readonly path: readonly string[] }>> = {
  Pod: { group: '', path: [] },
  ReplicationController: { group: '', path: ['spec', 'template'] },
  Deployment: { group: 'apps', path: ['spec', 'template'] },
  StatefulSet: { group: 'apps', path: ['spec', 'template'] },
  DaemonSet: { group: 'apps', path: ['spec', 'template'] },
  ReplicaSet: { group: 'apps', path: ['spec', 'template'] },
  Job: { group: 'batch', path: ['spec', 'template'] },
  CronJob: { group: 'batch', path: ['spec', 'jobTemplate', 'spec', 'template'] },
};

/**
 * Is the object a workload whose pods run in a namespace: a Pod or ReplicationController (core), a
 * Deployment, StatefulSet, DaemonSet or ReplicaSet (apps) or a Job or CronJob (batch)? The object
 * must name its apiVersion (an object without one is never applied).
 */
export function isWorkload(obj: unknown): boolean {
  if (!isPlainObject(obj) || typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') return false;
  const entry = Object.prototype.hasOwnProperty.call(WORKLOAD_TEMPLATES, obj.kind) ? WORKLOAD_TEMPLATES[obj.kind] : undefined;
  return entry !== undefined && entry.group === apiGroupOf(obj);
}

/** The pod template of a workload (the Pod itself for a Pod), or undefined when absent or not an object. */
export function podTemplateOf(obj: unknown): Record<string, any> | undefined {
  if (!isWorkload(obj)) return undefined;
  let node: unknown = obj;
  for (const key of WORKLOAD_TEMPLATES[(obj as any).kind].path) node = isPlainObject(node) ? node[key] : undefined;
  return isPlainObject(node) ? node : undefined;
}

/**
 * The ServiceAccount a pod template's pods run as (their mesh identity): `serviceAccountName`, else the
 * deprecated alias `serviceAccount` (the API server reads it when the name is empty, kubernetes
 * pkg/apis/core/v1/conversion.go), else `default` (the ServiceAccount admission plugin sets it when
 * both are empty, kubernetes plugin/pkg/admission/serviceaccount/admission.go). A value that is not a
 * string counts as empty.
 */
export function podServiceAccountOf(template: unknown): string {
  const spec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    if (typeof spec[field] === 'string' && spec[field] !== '') return spec[field];
  }
  return 'default';
}

/** `metadata.creationTimestamp` in milliseconds, or undefined when absent or not a timestamp. */
export function creationTimeOf(obj: unknown): number | undefined {
  const stamp = isPlainObject(obj) && isPlainObject(obj.metadata) ? obj.metadata.creationTimestamp : undefined;
  const time = typeof stamp === 'string' ? Date.parse(stamp) : NaN;
  return Number.isNaN(time) ? undefined : time;
}

/**
 * `of` applied to the pod template of every workload in `manifests`, keyed `namespace/name` (how the
 * analysis inventory names a workload's pods).
 */
export function byWorkloadTemplate<T>(manifests: readonly unknown[], of: (template: Record<string, any>) => T): Map<string, T> {
  const out = new Map<string, T>();
  for (const obj of manifests) {
    const template = podTemplateOf(obj);
    if (template) out.set(`${namespaceOf(obj)}/${nameOf(obj)}`, of(template));
  }
  return out;
}

/** Is a chart reference (`cilium`, `cilium/cilium`, a path ending in `/cilium`) the Cilium chart? */
export function isCiliumChart(name: unknown): boolean {
  return typeof name === 'string' && /(^|[/])cilium$/.test(name);
}

/** Does `labels` carry every label of `required` (an equality selector's matchLabels)? */
export function hasLabels(labels: Readonly<Record<string, string>>, required: Readonly<Record<string, string>>): boolean {
  return Object.entries(required).every(([k, v]) => labels[k] === v);
}
