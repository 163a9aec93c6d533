/**
 * Does a label selector select a workload's pods when it reads labels their controller adds at
 * runtime (./controller-label-facts)? The endpoint holds one representative value of such a label (a
 * StatefulSet's first pod name) or a placeholder for a value the manifests do not give, so plain
 * matching answers for that one pod only. A test on such a key decides for every pod when every pod
 * answers it alike (a Job's `job-name`, `Exists` on a key always added, a pod-name list naming every
 * pod); otherwise whether the selector selects the pods is not known. The policy overlay
 * (./controller-labels) and the mesh models (../mesh: Istio workload selectors, Linkerd Servers)
 * share this decision.
 */
import { LabelAtom } from '../calico/selector';
import { Endpoint, isPodNetworkEndpoint, RuntimeLabel } from '../model';
import { LabelSelector, LabelSelectorRequirement, Labels, matchesLabelSelector, matchesRequirement } from '../selectors';
import { CONTROLLER_POD_LABELS, representativeValue } from './controller-label-facts';

/** A `matchLabels` entry or `matchExpressions` requirement as a test of the pod label `key`. */
export function requirementAtom(key: string, req: LabelSelectorRequirement): LabelAtom {
  return {
    key,
    test: (value) => matchesRequirement(req, value === undefined ? {} : { [req.key]: value }),
    presenceOnly: req.operator === 'Exists' || req.operator === 'DoesNotExist',
    ...((req.operator === 'In' || req.operator === 'NotIn') && Array.isArray(req.values) ? { literals: req.values.map(String) } : {}),
  };
}

/** The tests of a plain label selector, one per `matchLabels` entry and `matchExpressions` requirement. */
export function labelSelectorAtoms(selector: LabelSelector): LabelAtom[] {
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => requirementAtom(k, { key: k, operator: 'In', values: [String(v)] })),
    ...(Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [])
      .filter((e) => typeof e?.key === 'string').map((e) => requirementAtom(e.key, e)),
  ];
}

/**
 * The values a pod may hold for the label `r` as far as `atom` can tell them apart: the known ones;
 * for values of a known form (`r.digitsAfter`) compared by an equality test, the literals of that
 * form and one value of that form that is none of them (every other answers alike); else undefined.
 */
function candidates(atom: LabelAtom, r: RuntimeLabel): readonly string[] | undefined {
  if (r.values !== undefined) return r.values;
  const prefix = r.digitsAfter;
  if (prefix === undefined || atom.literals === undefined) return undefined;
  const ofForm = (v: string) => v.startsWith(prefix) && /^[0-9]+$/.test(v.slice(prefix.length));
  const longest = Math.max(0, ...atom.literals.map((v) => v.length));
  return [...atom.literals.filter(ofForm), `${prefix}${'0'.repeat(Math.max(1, longest - prefix.length + 1))}`];
}

/**
 * Is the answer of `atom` the same for every pod the label `r` describes, and is it the answer plain
 * matching gives on the endpoint? Over the values it can tell apart (and absence, when pods may lack
 * it), with the value the endpoint holds ({@link representativeValue}; none when pods may lack the
 * label), it is computed; over unknown values only a presence test is.
 */
function decidable(atom: LabelAtom, r: RuntimeLabel): boolean {
  const values = candidates(atom, r);
  if (values === undefined) return atom.presenceOnly && r.mayBeAbsent !== true;
  const answers = new Set([...values, r.mayBeAbsent ? undefined : representativeValue(r)].map((v) => atom.test(v)));
  return answers.size <= 1;
}

/**
 * The controller-added keys `atoms` read undecidably for pods with runtime labels `runtime`, sorted.
 * @default identityKey - every key (Cilium: only those its identity label filter keeps)
 */
export function undecidableKeys(atoms: readonly LabelAtom[], runtime: readonly RuntimeLabel[] | undefined,
  identityKey: (key: string) => boolean = () => true): string[] {
  if (atoms.length === 0 || runtime === undefined) return [];
  // The label filter last: it is a set of regular expressions (Cilium), and most keys no atom reads.
  return runtime.filter((r) => atoms.some((a) => a.key === r.key && !decidable(a, r)) && identityKey(r.key))
    .map((r) => r.key).sort();
}

/**
 * The controller-added keys `atoms` read undecidably for the pods of `endpoint` ({@link undecidableKeys});
 * none for an endpoint that is not a pod on the pod network (a node, a hostNetwork pod, an external peer).
 * @default identityKey - every key
 */
export function podUndecidableKeys(atoms: readonly LabelAtom[], endpoint: Endpoint, identityKey?: (key: string) => boolean): string[] {
  return isPodNetworkEndpoint(endpoint) ? undecidableKeys(atoms, endpoint.runtimeLabels, identityKey) : [];
}

/**
 * `selector` without its requirements on `keys`: it matches every pod the selector could match
 * whatever values the pod has for them (the requirements are ANDed).
 * @param keyOf the pod label key a selector key reads (Cilium: without its source)
 * @default keyOf - the selector key itself
 */
export function relaxed(selector: LabelSelector, keys: readonly string[], keyOf: (k: string) => string = (k) => k): LabelSelector {
  const unknown = new Set(keys);
  return {
    matchLabels: Object.fromEntries(Object.entries(selector.matchLabels ?? {}).filter(([k]) => !unknown.has(keyOf(k)))),
    matchExpressions: (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []).filter((e) => !unknown.has(keyOf(e?.key))),
  };
}

/** `key (set by the StatefulSet, DaemonSet controllers)`, for texts. */
export function describeControllerKeys(keys: readonly string[]): string {
  return keys.map((key) => {
    const kinds = Object.keys(CONTROLLER_POD_LABELS).filter((kind) => CONTROLLER_POD_LABELS[kind].includes(key));
    return `${key} (set by the ${kinds.join(', ')} controller${kinds.length === 1 ? '' : 's'})`;
  }).join(', ');
}

/** Whether a selector selects a workload's pods: the same answer for all of them, or not known. */
export type PodSelection = { readonly selects: boolean } | { readonly unknown: string };

/**
 * Does `selector` (of the object described by `what`) select the pods of `endpoint`?
 * @param labels the labels to match, when the reader adds its own to the endpoint's (Linkerd's injected labels)
 * @default labels - the endpoint's
 */
export function podSelection(selector: LabelSelector, endpoint: Endpoint, what: string, labels: Labels = endpoint.labels): PodSelection {
  const keys = endpoint.runtimeLabels ? undecidableKeys(labelSelectorAtoms(selector), endpoint.runtimeLabels) : [];
  if (keys.length === 0) return { selects: matchesLabelSelector(selector, labels) };
  // The other requirements alone already exclude the pods: no value of the keys changes that.
  if (!matchesLabelSelector(relaxed(selector, keys), labels)) return { selects: false };
  return {
    unknown: `whether ${what} selects ${endpoint.name} is not known: it selects by ${describeControllerKeys(keys)}, which the controller `
      + 'sets on each pod at runtime, with a value the manifests do not give or that is not the same on every pod',
  };
}
