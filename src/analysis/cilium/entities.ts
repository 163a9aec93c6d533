/**
 * Cilium entities (`fromEntities` / `toEntities`) as predicates over identity labels.
 * https://docs.cilium.io/en/stable/security/policy/language/#entities-based
 */
import { CLUSTER_KEY, CLUSTER_NAME, IdentityLabels } from './identity';

/**
 * Reserved identities that belong to the `cluster` entity, besides every pod of the local cluster
 * (Cilium's InitEntities: host, remote-node, init, ingress, health, unmanaged, kube-apiserver).
 */
const CLUSTER_RESERVED = ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'];

/** Entity names Cilium accepts (schema enum of fromEntities/toEntities). */
export const KNOWN_ENTITIES = new Set([
  'all', 'world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'ingress', 'init', 'health', 'unmanaged', 'none',
]);

/**
 * Does `entity` include the identity? `world` is everything outside the cluster (= 0.0.0.0/0 for
 * non-cluster peers), `all` is everything, `cluster` is all local pods plus the reserved in-cluster
 * identities; the others match their own `reserved:` label. Unknown names and `none` match nothing.
 */
export function entityMatches(entity: string, identity: IdentityLabels): boolean {
  switch (entity) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'cluster':
      return identity[`k8s:${CLUSTER_KEY}`] === CLUSTER_NAME || CLUSTER_RESERVED.some((r) => `reserved:${r}` in identity);
    default:
      return KNOWN_ENTITIES.has(entity) && `reserved:${entity}` in identity;
  }
}
