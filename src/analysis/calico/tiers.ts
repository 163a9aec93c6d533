/**
 * projectcalico.org/v3 Tier: an ordered group of policies with a default action for endpoints the
 * tier's policies select but no rule decides
 * (https://docs.tigera.io/calico/latest/reference/resources/tier).
 */
import { ManifestObject, ObjectRef, refOf } from '../model';

/** A tier as the model sees it. */
export interface TierInfo {
  readonly name: string;
  /** Lower first; undefined sorts after every ordered tier. */
  readonly order?: number;
  /** What happens at the end of the tier for a selected endpoint (`Deny` unless the tier says `Pass`). */
  readonly defaultAction: 'Deny' | 'Pass';
  /** The Tier object, when declared in the manifests. */
  readonly ref?: ObjectRef;
}

/**
 * Tiers Calico creates itself: `default` (order 1,000,000, Deny) and, in 3.32, `kube-admin`
 * (1,000, Pass) and `kube-baseline` (10,000,000, Pass) for ClusterNetworkPolicies
 * (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy).
 */
export const BUILT_IN_TIERS: readonly TierInfo[] = [
  { name: 'default', order: 1_000_000, defaultAction: 'Deny' },
  { name: 'kube-admin', order: 1_000, defaultAction: 'Pass' },
  { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass' },
];

/** Is this a Calico Tier? */
export function isTier(obj: ManifestObject): boolean {
  return obj.apiVersion === 'projectcalico.org/v3' && obj.kind === 'Tier';
}

/** All tiers: the built-ins, overridden by declared Tier objects of the same name. */
export function collectTiers(objects: ManifestObject[]): Map<string, TierInfo> {
  const tiers = new Map<string, TierInfo>(BUILT_IN_TIERS.map((t) => [t.name, t]));
  for (const obj of objects) {
    const name = obj.metadata?.name ?? '';
    const builtIn = tiers.get(name);
    const order = typeof obj.spec?.order === 'number' ? obj.spec.order : builtIn?.order;
    const action = obj.spec?.defaultAction ?? builtIn?.defaultAction ?? 'Deny';
    tiers.set(name, { name, order, defaultAction: action === 'Pass' ? 'Pass' : 'Deny', ref: refOf(obj) });
  }
  return tiers;
}

/** Sort tiers by order (unset last), then name. */
export function compareTiers(a: TierInfo, b: TierInfo): number {
  const ao = a.order ?? Number.POSITIVE_INFINITY;
  const bo = b.order ?? Number.POSITIVE_INFINITY;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
