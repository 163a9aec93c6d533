/**
 * Labels a workload controller adds to the pods it creates, which the pod template does not hold
 * (./controller-label-facts): the inventory gives a workload's endpoint the value every pod carries,
 * or a representative one, so a selector whose answer is the same for all the workload's pods is
 * matched exactly (a Job's `job-name`; `Exists` on a key the controller always adds; a StatefulSet
 * pod-name list naming all its pods or none; a CronJob's `job-name` compared only with values that
 * are no `<cronjob>-<digits>`). Where a policy's selector reads such a key in a way whose answer
 * may differ between the pods, or depends on a value the manifests do not give (a hash, a uid, the
 * scheduled time in a CronJob's Job names), the sides of those pods that the policy could change
 * are indeterminate: as subjects when the policy's subject selector reads the key so, as peers when
 * one of its peer selectors does.
 *
 * Pods the manifests give directly (a bare Pod, a probe) already carry their labels: exact. Under
 * Cilium a key its identity label filter drops selects nothing (the policy model already says so):
 * the caller passes which keys count (see ../cni-model).
 */
import { sideName, Uncertainty } from './overlay';
import { isPlainObject, isServedCalicoPolicy, isServedCiliumPolicy, isWorkload, namespaceOf } from '../../util/vocabulary';
import { LabelAtom, SelectorCache } from '../calico/selector';
import { parseSelectorKey } from '../cilium/identity';
import { isClusterNetworkPolicy } from '../cluster-network-policy';
import { effectivePolicyTypes, isNetworkPolicy } from '../kubernetes/network-policy';
import { describeRef, Direction, Endpoint, isPodNetworkEndpoint, ManifestObject, refOf } from '../model';
import { LabelSelector, LabelSelectorRequirement, matchesLabelSelector } from '../selectors';
import { autoscaledWorkloads, CONTROLLER_LABEL_KEYS, runtimeLabelsOf } from './controller-label-facts';
import { describeControllerKeys, podUndecidableKeys, relaxed, requirementAtom, undecidableKeys } from './controller-label-selection';

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

/** The tests on pod labels of the selectors under `value`. */
function selectorAtoms(value: unknown, reader: KeyReader, cache: SelectorCache, into: LabelAtom[]): LabelAtom[] {
  if (Array.isArray(value)) {
    for (const v of value) selectorAtoms(v, reader, cache, into);
    return into;
  }
  if (!isPlainObject(value)) return into;
  const add = (req: LabelSelectorRequirement) => {
    const key = typeof req.key === 'string' ? reader.labelKey(req.key) : undefined;
    if (key !== undefined) into.push(requirementAtom(key, req));
  };
  if (isPlainObject(value.matchLabels)) {
    for (const [k, v] of Object.entries(value.matchLabels)) add({ key: k, operator: 'In', values: [String(v)] });
  }
  if (Array.isArray(value.matchExpressions)) value.matchExpressions.filter(isPlainObject).forEach((e: any) => add(e));
  for (const [field, inner] of Object.entries(value)) {
    if (field === 'matchLabels' || field === 'matchExpressions' || NOT_POD_LABELS.has(field)) continue;
    if (reader.expressions && (field === 'selector' || field === 'notSelector') && typeof inner === 'string') {
      try {
        into.push(...cache.get(inner).atoms);
      } catch {
        // An unparseable selector gets the policy rejected (see ../validation).
      }
      continue;
    }
    selectorAtoms(inner, reader, cache, into);
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
 * The uncertainties of policy selectors reading controller-added pod labels undecidably.
 * @param identityKey does the CNI's selection see a pod label key at all (Cilium: its identity label filter)
 * @default identityKey - every key
 */
export function controllerLabelUncertainties(
  manifests: ManifestObject[], scope: ControllerLabelScope, identityKey: (key: string) => boolean = () => true,
): Uncertainty[] {
  // The runtime labels travel with the endpoint (../inventory), not looked up by name: a ReplicaSet and a
  // StatefulSet may share one, and the flow matrix classes pods by what the endpoint holds. The
  // workloads' own facts only decide which policies need an uncertainty at all, and name its keys.
  const autoscaled = autoscaledWorkloads(manifests);
  // Workloads of one kind mostly add the same labels (every Deployment: pod-template-hash, value unknown): each distinct set once.
  const distinct = new Map(manifests.filter(isWorkload).map((obj) => runtimeLabelsOf(obj, autoscaled)).filter((r) => r.length > 0)
    .map((r) => [JSON.stringify(r), r] as const));
  const workloads = [...distinct.values()];
  if (workloads.length === 0) return [];
  // The keys `atoms` read undecidably for some workload's pods: whether a policy needs an uncertainty, and the keys its texts name.
  const keysOf = (atoms: LabelAtom[]) => [...new Set(workloads.flatMap((runtime) => undecidableKeys(atoms, runtime, identityKey)))].sort();
  const cache = new SelectorCache();
  const out: Uncertainty[] = [];
  for (const obj of manifests) {
    const parts = partsOf(obj, scope);
    if (!parts) continue;
    const atomsOf = (values: unknown[]) => selectorAtoms(values, parts.reader, cache, []).filter((a) => CONTROLLER_LABEL_KEYS.has(a.key));
    const subjectAtoms = atomsOf(parts.subject);
    const peerAtoms = atomsOf(parts.peers);
    if (subjectAtoms.length === 0 && peerAtoms.length === 0) continue;
    const subjectKeys = keysOf(subjectAtoms);
    const peerKeys = keysOf(peerAtoms);
    if (subjectKeys.length === 0 && peerKeys.length === 0) continue;
    const id = describeRef(refOf(obj));
    const inScope = (subject: Endpoint, direction: Direction) => isPodNetworkEndpoint(subject) && parts.directions.includes(direction)
      && (parts.namespace === undefined || subject.namespace === parts.namespace);
    if (subjectKeys.length > 0) {
      out.push({
        id: `${id} controller labels (subject)`,
        note: `${id} selects pods by ${describeControllerKeys(subjectKeys)}: a workload controller adds such labels to its pods at runtime, with `
          + 'values the manifests do not give or that differ between its pods, so the flows of those pods that the policy could change are '
          + 'indeterminate',
        why: (direction) => `${id} may select ${sideName(direction)} by ${subjectKeys.join(', ')}, which its workload controller sets at `
          + 'runtime (value unknown or not the same on every pod)',
        appliesTo: (subject, direction) => {
          if (!inScope(subject, direction)) return false;
          const keys = podUndecidableKeys(subjectAtoms, subject, identityKey);
          return keys.length > 0
            && (parts.subjectSelector === undefined || matchesLabelSelector(relaxed(parts.subjectSelector, keys), subject.labels));
        },
        canAllow: () => true,
        canDeny: () => true,
      });
    }
    if (peerKeys.length > 0) {
      out.push({
        id: `${id} controller labels (peers)`,
        note: `${id} selects peers by ${describeControllerKeys(peerKeys)}: a workload controller adds such labels to its pods at runtime, with `
          + 'values the manifests do not give or that differ between its pods, so the flows to and from those pods that the policy could '
          + 'change are indeterminate',
        why: (direction) => `${id} may match the peer of ${sideName(direction)} by ${peerKeys.join(', ')}, which the peer's workload `
          + 'controller sets at runtime (value unknown or not the same on every pod)',
        appliesTo: (subject, direction) => inScope(subject, direction),
        peers: (peer) => podUndecidableKeys(peerAtoms, peer, identityKey).length > 0,
        canAllow: () => true,
        canDeny: () => true,
      });
    }
  }
  return out;
}
