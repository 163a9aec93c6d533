import { CniKind } from './cni-kind';
import { CALICO_GROUP, CALICO_STORAGE_GROUP, CILIUM_GROUP } from '../util/vocabulary';

/**
 * The API groups of the CNI-specific policy kinds each CNI family enforces, besides
 * networking.k8s.io NetworkPolicy (every enforcing CNI) and policy.networking.k8s.io
 * ClusterNetworkPolicy (the `clusterNetworkPolicy` capability). A record over every kind: a new
 * CniKind fails compilation here until it says which policy APIs it reads. Calico reads its
 * internal storage group too (objects written there directly are what the API server stores).
 */
export const NATIVE_POLICY_GROUPS: { readonly [K in CniKind]: readonly string[] } = {
  [CniKind.KUBERNETES]: [],
  [CniKind.CALICO]: [CALICO_GROUP, CALICO_STORAGE_GROUP],
  [CniKind.CILIUM]: [CILIUM_GROUP],
  [CniKind.FLANNEL]: [],
};

/** The CNI families that enforce the policy kinds of API group `group` (empty when none of this library's do). */
export function kindsEnforcing(group: string): CniKind[] {
  return (Object.keys(NATIVE_POLICY_GROUPS) as CniKind[]).filter((kind) => NATIVE_POLICY_GROUPS[kind].includes(group));
}
