/**
 * Two documents declaring the same policy object (same API group, kind, namespace and name) with
 * different contents: a cluster holds one object per name, and which document it ends up with depends
 * on the tool (`kubectl apply` keeps the last one applied; Argo CD and Flux refuse the duplicate and
 * the sync fails, leaving what the cluster had). The analyzer cannot know which, so it evaluates none
 * of the conflicting copies: each is an uncertainty that makes the flows it could change
 * indeterminate. Identical copies are one object.
 */
import { isDescribablePolicy, policyUncertainty } from './foreign-objects';
import { Uncertainty } from './overlay';
import { apiGroupOf, isPlainObject, namespaceOf, nameOf } from '../../util/vocabulary';
import { ManifestObject, NamespaceIndex } from '../model';

/** Cluster-scoped policy kinds (their namespace is not part of their identity). */
const CLUSTER_SCOPED = new Set(['GlobalNetworkPolicy', 'CiliumClusterwideNetworkPolicy']);

/** The manifests the model evaluates, and the conflicting copies of duplicated policies as uncertainties. */
export interface DuplicateSplit {
  readonly manifests: ManifestObject[];
  readonly uncertainties: Uncertainty[];
}

/** Split out the conflicting copies of duplicated policy objects (see the file comment). */
export function splitDuplicatePolicies(manifests: ManifestObject[], namespaces: NamespaceIndex): DuplicateSplit {
  const byKey = new Map<string, ManifestObject[]>();
  const keyOf = (obj: ManifestObject): string | undefined => {
    if (!isPlainObject(obj) || typeof obj.kind !== 'string' || nameOf(obj) === '') return undefined;
    if (!isDescribablePolicy(obj)) return undefined;
    return JSON.stringify([apiGroupOf(obj), obj.kind, CLUSTER_SCOPED.has(obj.kind) ? '' : namespaceOf(obj), nameOf(obj)]);
  };
  for (const obj of manifests) {
    const key = keyOf(obj);
    if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), obj]);
  }
  const conflicting = new Set<ManifestObject>();
  const repeated = new Set<ManifestObject>();
  for (const copies of byKey.values()) {
    if (copies.length < 2) continue;
    const contents = new Set(copies.map((c) => JSON.stringify({ apiVersion: c.apiVersion, labels: c.metadata?.labels ?? {}, spec: c.spec ?? null })));
    if (contents.size > 1) copies.forEach((c) => conflicting.add(c));
    else copies.slice(1).forEach((c) => repeated.add(c));
  }
  if (conflicting.size === 0 && repeated.size === 0) return { manifests, uncertainties: [] };
  const uncertainties: Uncertainty[] = [];
  const seen = new Set<string>();
  for (const obj of conflicting) {
    const u = policyUncertainty(obj, namespaces, 'the manifests declare it more than once with different contents, and the cluster keeps only one of them');
    // One uncertainty per copy; copies share their id, so the later ones get a suffix.
    let id = u!.id;
    for (let i = 2; seen.has(id); i++) id = `${u!.id} (copy ${i})`;
    seen.add(id);
    uncertainties.push({ ...u!, id });
  }
  return { manifests: manifests.filter((m) => !conflicting.has(m) && !repeated.has(m)), uncertainties };
}
