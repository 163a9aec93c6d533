/**
 * Which controller-added pod labels (./controller-label-facts) anything in the manifests may read.
 * The inventory gives each workload's endpoint the values its controller sets (a Job's `job-name`,
 * a StatefulSet's first pod name), so workloads with identical templates differ in them; where no
 * selector reads such a key, the difference changes no verdict, and the flow matrix may keep those
 * workloads in one equivalence class (its cost grows with the square of the class count).
 *
 * The test is deliberately textual and conservative: a key counts as read when it occurs in any
 * string of any object (a key of a mapping or a value), whatever its kind, except the labels the
 * objects carry themselves (`metadata.labels`, also a pod template's: data a selector reads, never a
 * selector). That covers every selector form without parsing it: Kubernetes label selectors
 * (NetworkPolicy, AdminNetworkPolicy, ClusterNetworkPolicy, Service, Istio and Linkerd workload
 * selectors), Calico selector expressions (`job-name == 'a'`, `has(job-name)`), Cilium selectors
 * with a source prefix (`k8s:job-name`, `any:job-name`), and kinds the analyzer does not model; an
 * occurrence in an unrelated string (a container argument, `job-name` inside
 * `batch.kubernetes.io/job-name`) only keeps the classes apart, as before. The endpoints keep every
 * label: `Reachability.check` and its Targets (`Target.pod` on `job-name`) see them all.
 */
import {
  isAdminNetworkPolicyKind, isCalicoPolicy, isCalicoStagedPolicy, isCiliumPolicy, isClusterNetworkPolicyKind, isKindOf, isPlainObject,
} from '../../util/vocabulary';
import { Endpoint, ManifestObject } from '../model';
import { CONTROLLER_LABEL_KEYS } from './controller-label-facts';

function collectStrings(value: unknown, into: string[], inMetadata: boolean): void {
  if (typeof value === 'string') {
    into.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectStrings(v, into, false);
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      into.push(k);
      // An object's own labels (and a pod template's) are what selectors read, not selectors.
      if (inMetadata && k === 'labels') continue;
      collectStrings(v, into, k === 'metadata');
    }
  }
}

/**
 * Network policies only the CNI (or the Kubernetes NetworkPolicy API) evaluates: a mesh model never
 * reads them, so a key only they read does not tell mesh verdicts apart.
 */
function isCniPolicy(obj: ManifestObject): boolean {
  return isKindOf(obj, 'networking.k8s.io', 'NetworkPolicy') || isCalicoPolicy(obj) || isCalicoStagedPolicy(obj) || isCiliumPolicy(obj)
    || isClusterNetworkPolicyKind(obj) || isAdminNetworkPolicyKind(obj);
}

/** The controller-added label keys the objects may read, by layer. */
export interface ControllerKeysRead {
  /** Read by any object: the flow matrix's classes keep these. */
  readonly any: ReadonlySet<string>;
  /** Read by an object other than a CNI policy: the mesh layer's keys keep these. */
  readonly mesh: ReadonlySet<string>;
}

function keysIn(strings: readonly string[], keys: Iterable<string> = CONTROLLER_LABEL_KEYS): Set<string> {
  return new Set([...keys].filter((key) => strings.some((s) => s.includes(key))));
}

/**
 * Which of the pod label `keys` some object of `manifests` may read, by the same textual test (for
 * labels added at admission, such as Linkerd's owner labels, see ../mesh/linkerd-owner-labels).
 */
export function labelKeysReadIn(manifests: readonly ManifestObject[], keys: Iterable<string>): ReadonlySet<string> {
  const strings: string[] = [];
  for (const obj of manifests) collectStrings(obj, strings, false);
  return keysIn(strings, keys);
}

/** The controller-added label keys some object of `manifests` may read (see the module comment). */
export function controllerLabelKeysRead(manifests: readonly ManifestObject[]): ControllerKeysRead {
  const cni: string[] = [];
  const other: string[] = [];
  for (const obj of manifests) collectStrings(obj, isCniPolicy(obj) ? cni : other, false);
  const mesh = keysIn(other);
  return { any: new Set([...mesh, ...keysIn(cni)]), mesh };
}

/**
 * `e` as the flow matrix classes it: without the controller-added labels (value and runtime facts)
 * that no object reads, which no verdict depends on. `e` itself when it has none to drop.
 */
export function withoutUnreadControllerLabels(e: Endpoint, read: ReadonlySet<string>): Endpoint {
  const runtime = e.runtimeLabels;
  if (!runtime || runtime.every((r) => read.has(r.key))) return e;
  const labels = { ...e.labels };
  for (const r of runtime) if (!read.has(r.key)) delete labels[r.key];
  const kept = runtime.filter((r) => read.has(r.key));
  const { runtimeLabels: _dropped, ...rest } = e;
  return { ...rest, labels, ...(kept.length > 0 ? { runtimeLabels: kept } : {}) };
}
