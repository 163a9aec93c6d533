/**
 * A NetworkPolicy whose `ipBlock.cidr` or `except` holds an IPv4-mapped IPv6 block
 * (`::ffff:10.0.0.0/104`) exists on some clusters and not on others: Kubernetes 1.36 validates IP
 * blocks strictly by default (KEP-4858, StrictIPCIDRValidation: alpha in 1.33, beta and on by default
 * in 1.36, GA in 1.38) and refuses it at apply time, while 1.35 and earlier accept it with a warning.
 * The analysis does not know the cluster's version, so it evaluates no such policy: each is an
 * uncertainty that makes the flows it could change indeterminate (with it, its allows; without it,
 * its isolation).
 */
import { policyUncertainty } from './foreign-objects';
import { Uncertainty } from './overlay';
import { ipv4OfMapped } from '../../util/cidr';
import { isNetworkPolicy } from '../kubernetes/network-policy';
import { ManifestObject, NamespaceIndex } from '../model';

/** Why such a policy is not evaluated (its uncertainty's reason). */
const WHY = 'it holds an IPv4-mapped IPv6 ipBlock, which Kubernetes 1.36 and later refuse (KEP-4858 strict IP validation) '
  + 'and earlier versions accept, so whether it exists depends on the cluster\'s version';

/** The manifests the model evaluates, and the NetworkPolicies with IPv4-mapped blocks as uncertainties. */
export interface MappedBlockSplit {
  readonly manifests: ManifestObject[];
  readonly uncertainties: Uncertainty[];
}

/** Split out the NetworkPolicies holding an IPv4-mapped ipBlock (see the file comment). */
export function splitIpv4MappedBlockPolicies(manifests: ManifestObject[], namespaces: NamespaceIndex): MappedBlockSplit {
  const mapped = manifests.filter((obj) => isNetworkPolicy(obj) && holdsIpv4MappedBlock(obj));
  if (mapped.length === 0) return { manifests, uncertainties: [] };
  const left = new Set(mapped);
  return {
    manifests: manifests.filter((m) => !left.has(m)),
    uncertainties: mapped.map((obj) => policyUncertainty(obj, namespaces, WHY)!),
  };
}

/** Does a (validated) NetworkPolicy hold an IPv4-mapped block in any ipBlock? */
export function holdsIpv4MappedBlock(obj: ManifestObject): boolean {
  for (const [direction, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
    for (const rule of asList(obj.spec?.[direction])) {
      for (const peer of asList(rule?.[field])) {
        const block = peer?.ipBlock;
        if (!block) continue;
        if ([block.cidr, ...asList(block.except)].some((c) => typeof c === 'string' && ipv4OfMapped(c) !== undefined)) return true;
      }
    }
  }
  return false;
}

function asList(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
