/**
 * Labels a workload controller adds to the pods it creates, which the pod template does not hold:
 * the inventory models a workload's pods from the template, so a selector on one of these keys is
 * matched against pods that lack it, while the real pods carry it with a value the manifests do not
 * give (a hash, an ordinal, a uid). Where a policy's selector reads such a key, the sides of the
 * pods of a controller that adds it that the policy could change are indeterminate: as subjects when
 * the policy's subject selector reads the key, as peers when one of its peer selectors does.
 *
 * Pods the manifests give directly (a bare Pod, a probe) already carry their labels: exact. Under
 * Cilium a key its identity label filter drops selects nothing (the policy model already says so):
 * the caller passes which keys count (see ../cni-model).
 */
import { sideName, Uncertainty } from './overlay';
import { isPlainObject, isServedCalicoPolicy, isServedCiliumPolicy, isWorkload, namespaceOf } from '../../util/vocabulary';
import { SelectorCache } from '../calico/selector';
import { parseSelectorKey } from '../cilium/identity';
import { isClusterNetworkPolicy } from '../cluster-network-policy';
import { effectivePolicyTypes, isNetworkPolicy } from '../kubernetes/network-policy';
import { describeRef, Direction, Endpoint, isPodNetworkEndpoint, ManifestObject, refOf } from '../model';
import { LabelSelector, matchesLabelSelector } from '../selectors';

/**
 * The labels each workload controller sets on its pods (kubernetes/kubernetes; kubernetes.io
 * "Well-Known Labels, Annotations and Taints"):
 * - StatefulSet: `statefulset.kubernetes.io/pod-name` and, behind the PodIndexLabel gate (on since
 *   1.28), `apps.kubernetes.io/pod-index` (pkg/controller/statefulset/stateful_set_utils.go
 *   `updateIdentity`), `controller-revision-hash` (same file, `setPodRevision`).
 * - Deployment: `pod-template-hash`, added to the template of each ReplicaSet it creates
 *   (pkg/controller/deployment/sync.go `getNewReplicaSet`, apps/v1 `DefaultDeploymentUniqueLabelKey`).
 * - DaemonSet: `controller-revision-hash` and `pod-template-generation`
 *   (pkg/controller/daemon/util/daemonset_util.go `CreatePodTemplate`).
 * - Job (and the Jobs of a CronJob): `batch.kubernetes.io/controller-uid`, `controller-uid`,
 *   `batch.kubernetes.io/job-name`, `job-name`, which the API server adds to the Job's template
 *   unless `manualSelector` (pkg/registry/batch/job/strategy.go `generateSelector`; batch/v1
 *   `JobNameLabel`, `ControllerUidLabel`), and for Indexed Jobs, behind the same gate,
 *   `batch.kubernetes.io/job-completion-index` (pkg/controller/job/indexed_job_utils.go
 *   `addCompletionIndexLabel`).
 * A bare ReplicaSet or ReplicationController adds none.
 */
const JOB_LABELS = ['batch.kubernetes.io/controller-uid', 'controller-uid', 'batch.kubernetes.io/job-name', 'job-name',
  'batch.kubernetes.io/job-completion-index'];
const CONTROLLER_POD_LABELS: Readonly<Record<string, readonly string[]>> = {
  StatefulSet: ['statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'controller-revision-hash'],
  Deployment: ['pod-template-hash'],
  DaemonSet: ['controller-revision-hash', 'pod-template-generation'],
  Job: JOB_LABELS,
  CronJob: JOB_LABELS,
};

const ALL_KEYS = new Set(Object.values(CONTROLLER_POD_LABELS).flat());

/**
 * The labels the controller of a workload of `kind` adds to its pods (none for a bare Pod, a probe,
 * a ReplicaSet or ReplicationController): part of what policy semantics can look at in a pod.
 */
export function controllerAddedLabels(kind: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(CONTROLLER_POD_LABELS, kind) ? CONTROLLER_POD_LABELS[kind] : [];
}

/** Fields whose selectors select no pod by its own labels (namespaces, nodes, CIDR groups, Services, ServiceAccounts). */
const NOT_POD_LABELS = new Set(['namespaceSelector', 'namespaces', 'nodeSelector', 'nodes', 'cidrGroupSelector', 'toServices', 'toNodes',
  'fromNodes', 'serviceAccountSelector', 'serviceAccounts']);

/** How selector keys are read in one policy family. */
interface KeyReader {
  /** A `matchLabels` / `matchExpressions` key as a pod label key (undefined: not a pod label). */
  readonly labelKey: (raw: string) => string | undefined;
  /** Calico selector expressions (`selector`, `notSelector` strings). */
  readonly expressions: boolean;
}

const PLAIN: KeyReader = { labelKey: (k) => k, expressions: false };
const CILIUM: KeyReader = {
  labelKey: (raw) => {
    const { source, key } = parseSelectorKey(raw);
    return source === 'k8s' || source === 'any' ? key : undefined;
  },
  expressions: false,
};
const CALICO: KeyReader = { labelKey: (k) => k, expressions: true };

/** The pod label keys the selectors under `value` read. */
function selectorKeys(value: unknown, reader: KeyReader, cache: SelectorCache, into: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) selectorKeys(v, reader, cache, into);
    return into;
  }
  if (!isPlainObject(value)) return into;
  const add = (raw: unknown) => {
    const key = typeof raw === 'string' ? reader.labelKey(raw) : undefined;
    if (key !== undefined) into.add(key);
  };
  if (isPlainObject(value.matchLabels)) Object.keys(value.matchLabels).forEach(add);
  if (Array.isArray(value.matchExpressions)) value.matchExpressions.forEach((e: any) => add(e?.key));
  for (const [field, inner] of Object.entries(value)) {
    if (field === 'matchLabels' || field === 'matchExpressions' || NOT_POD_LABELS.has(field)) continue;
    if (reader.expressions && (field === 'selector' || field === 'notSelector') && typeof inner === 'string') {
      try {
        cache.get(inner).labelKeys.forEach((k) => into.add(k));
      } catch {
        // An unparseable selector gets the policy rejected (see ../validation).
      }
      continue;
    }
    selectorKeys(inner, reader, cache, into);
  }
  return into;
}

/** A policy split into what selects its subjects and the rest (its peers), with its scope. */
interface PolicyParts {
  readonly reader: KeyReader;
  readonly subject: unknown[];
  readonly peers: unknown[];
  /** The namespace its subjects are in; undefined: every namespace. */
  readonly namespace?: string;
  readonly directions: readonly Direction[];
  /**
   * A plain label selector of the subjects (NetworkPolicy podSelector, ClusterNetworkPolicy
   * subject podSelector): without its requirements on the unknown keys it must still match a subject
   * the policy could select.
   * @default - none: every pod of its scope may be selected
   */
  readonly subjectSelector?: LabelSelector;
}

const BOTH: readonly Direction[] = ['ingress', 'egress'];

function without(spec: unknown, field: string): unknown {
  if (!isPlainObject(spec)) return undefined;
  const { [field]: _dropped, ...rest } = spec;
  return rest;
}

/** Which policy families the CNI evaluates (others are foreign objects, uncertain already). */
export interface ControllerLabelScope {
  readonly calico: boolean;
  readonly cilium: boolean;
  readonly clusterNetworkPolicy: boolean;
}

function partsOf(obj: ManifestObject, scope: ControllerLabelScope): PolicyParts | undefined {
  const spec = obj.spec;
  if (!isPlainObject(spec)) return undefined;
  if (isNetworkPolicy(obj)) {
    const directions = effectivePolicyTypes(obj).map((t) => (t === 'Ingress' ? 'ingress' : 'egress') as Direction);
    return {
      reader: PLAIN,
      subject: [spec.podSelector],
      peers: [without(spec, 'podSelector')],
      namespace: namespaceOf(obj),
      directions,
      subjectSelector: isPlainObject(spec.podSelector) ? spec.podSelector : undefined,
    };
  }
  if (scope.calico && isServedCalicoPolicy(obj)) {
    return {
      reader: CALICO,
      subject: [{ selector: spec.selector }],
      peers: [without(spec, 'selector')],
      namespace: obj.kind === 'NetworkPolicy' ? namespaceOf(obj) : undefined,
      directions: BOTH,
    };
  }
  if (scope.cilium && isServedCiliumPolicy(obj)) {
    const rules = [spec, ...(Array.isArray(spec.specs) ? spec.specs : [])].filter(isPlainObject);
    return {
      reader: CILIUM,
      subject: rules.map((r) => r.endpointSelector),
      peers: rules.map((r) => without(without(r, 'endpointSelector'), 'specs')),
      namespace: obj.kind === 'CiliumNetworkPolicy' ? namespaceOf(obj) : undefined,
      directions: BOTH,
    };
  }
  if (scope.clusterNetworkPolicy && isClusterNetworkPolicy(obj)) {
    const pods = isPlainObject(spec.subject) && isPlainObject(spec.subject.pods) ? spec.subject.pods : undefined;
    return {
      reader: PLAIN,
      subject: [spec.subject],
      peers: [without(spec, 'subject')],
      directions: BOTH,
      subjectSelector: pods && isPlainObject(pods.podSelector) ? pods.podSelector : undefined,
    };
  }
  return undefined;
}

/**
 * `selector` without its requirements on `keys`: it matches every pod the selector could match
 * whatever values the pod has for them (the requirements are ANDed).
 */
function relaxed(selector: LabelSelector, keys: readonly string[]): LabelSelector {
  const unknown = new Set(keys);
  return {
    matchLabels: Object.fromEntries(Object.entries(selector.matchLabels ?? {}).filter(([k]) => !unknown.has(k))),
    matchExpressions: (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).filter((e) => !unknown.has(e?.key)),
  };
}

/** `key (StatefulSet, DaemonSet controllers)`, for texts. */
function describeKeys(keys: readonly string[]): string {
  return keys.map((key) => {
    const kinds = Object.keys(CONTROLLER_POD_LABELS).filter((kind) => CONTROLLER_POD_LABELS[kind].includes(key));
    return `${key} (set by the ${kinds.join(', ')} controller${kinds.length === 1 ? '' : 's'})`;
  }).join(', ');
}

/**
 * The uncertainties of policy selectors on controller-added pod labels.
 * @param identityKey does the CNI's selection see a pod label key at all (Cilium: its identity label filter)
 * @default identityKey - every key
 */
export function controllerLabelUncertainties(
  manifests: ManifestObject[], scope: ControllerLabelScope, identityKey: (key: string) => boolean = () => true,
): Uncertainty[] {
  if (!manifests.some((obj) => isWorkload(obj) && controllerAddedLabels(obj.kind!).length > 0)) return [];
  // The keys travel with the endpoint (../inventory), not looked up by name: a ReplicaSet and a
  // StatefulSet may share one, and the flow matrix classes pods by what the endpoint holds.
  const addsOneOf = (endpoint: Endpoint, keys: readonly string[]): boolean => endpoint.kind === 'pod' && !endpoint.hostNetwork
    && keys.some((k) => endpoint.runtimeLabelKeys?.includes(k) === true);
  const cache = new SelectorCache();
  const out: Uncertainty[] = [];
  for (const obj of manifests) {
    const parts = partsOf(obj, scope);
    if (!parts) continue;
    const relevant = (values: unknown[]) => [...selectorKeys(values, parts.reader, cache, new Set())]
      .filter((k) => ALL_KEYS.has(k) && identityKey(k)).sort();
    const subjectKeys = relevant(parts.subject);
    const peerKeys = relevant(parts.peers);
    if (subjectKeys.length === 0 && peerKeys.length === 0) continue;
    const id = describeRef(refOf(obj));
    const inScope = (subject: Endpoint, direction: Direction) => isPodNetworkEndpoint(subject) && parts.directions.includes(direction)
      && (parts.namespace === undefined || subject.namespace === parts.namespace);
    if (subjectKeys.length > 0) {
      const rest = parts.subjectSelector && relaxed(parts.subjectSelector, subjectKeys);
      out.push({
        id: `${id} controller labels (subject)`,
        note: `${id} selects pods by ${describeKeys(subjectKeys)}: a workload controller adds such labels to its pods at runtime, with `
          + 'values the manifests do not give, so the flows of those pods that the policy could change are indeterminate',
        why: (direction) => `${id} may select ${sideName(direction)} by ${subjectKeys.join(', ')}, which its workload controller sets at `
          + 'runtime (value unknown)',
        appliesTo: (subject, direction) => inScope(subject, direction) && addsOneOf(subject, subjectKeys)
          && (rest === undefined || matchesLabelSelector(rest, subject.labels)),
        canAllow: () => true,
        canDeny: () => true,
      });
    }
    if (peerKeys.length > 0) {
      out.push({
        id: `${id} controller labels (peers)`,
        note: `${id} selects peers by ${describeKeys(peerKeys)}: a workload controller adds such labels to its pods at runtime, with `
          + 'values the manifests do not give, so the flows to and from those pods that the policy could change are indeterminate',
        why: (direction) => `${id} may match the peer of ${sideName(direction)} by ${peerKeys.join(', ')}, which the peer's workload `
          + 'controller sets at runtime (value unknown)',
        appliesTo: (subject, direction) => inScope(subject, direction),
        peers: (peer) => addsOneOf(peer, peerKeys),
        canAllow: () => true,
        canDeny: () => true,
      });
    }
  }
  return out;
}
