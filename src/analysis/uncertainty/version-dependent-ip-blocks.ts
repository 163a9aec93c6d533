/**
 * A NetworkPolicy whose `ipBlock.cidr` or `except` holds a block Kubernetes 1.36 refuses and earlier
 * versions accept exists on some clusters and not on others: an IPv4-mapped IPv6 block
 * (`::ffff:10.0.0.0/104`), a leading zero in an IPv4 octet (`010.0.0.0/8`) or in the prefix length
 * (`10.0.0.0/08`), or bits set beyond the prefix length (`10.0.0.5/8`). Kubernetes 1.36 validates IP
 * blocks strictly by default (KEP-4858, StrictIPCIDRValidation: alpha in 1.33, beta and on by default
 * in 1.36, GA in 1.38; kubernetes pkg/apis/networking/validation `ValidateIPBlock` ->
 * `IsValidCIDRForLegacyField`) and refuses such a policy at apply time, while 1.35 and earlier accept
 * it (reading `010` as decimal 10, where the CNI agents' Go parsers refuse it and libc reads octal 8:
 * CVE-2021-29923; reading `10.0.0.5/8` as `10.0.0.0/8`, which plugins may take for `10.0.0.5/32` or
 * skip: kubernetes/kubernetes#94484). On 1.36 such a policy still exists when it was created
 * before the upgrade: updates may keep any CIDR the stored object already holds
 * (`ValidateNetworkPolicyUpdate`, `AllowCIDRsEvenIfInvalid`). The analysis knows neither the
 * cluster's version nor its history, so it evaluates no such policy: each is an uncertainty that
 * makes the flows it could change indeterminate (with it, its allows; without it, its isolation).
 * Non-canonical IPv6 text (`2001:DB8::/32`) stays valid (see strictCidrProblem): evaluated as usual.
 */
import { policyUncertainty } from './foreign-objects';
import { Uncertainty } from './overlay';
import { strictCidrProblem } from '../../util/cidr';
import { assertNever } from '../../util/errors';
import { ipBlockCidrs, isNetworkPolicy } from '../kubernetes/network-policy';
import { ManifestObject, NamespaceIndex } from '../model';

/** The manifests the model evaluates, and the version-dependent NetworkPolicies as uncertainties. */
export interface VersionDependentSplit {
  readonly manifests: ManifestObject[];
  readonly uncertainties: Uncertainty[];
}

/** Split out the NetworkPolicies holding an IP block only Kubernetes before 1.36 accepts (see the file comment). */
export function splitVersionDependentPolicies(manifests: ManifestObject[], namespaces: NamespaceIndex): VersionDependentSplit {
  const found = new Map<ManifestObject, string>();
  for (const obj of manifests) {
    if (!isNetworkPolicy(obj)) continue;
    const problem = firstBlockProblem(obj);
    if (problem !== undefined) found.set(obj, problem);
  }
  if (found.size === 0) return { manifests, uncertainties: [] };
  return {
    manifests: manifests.filter((m) => !found.has(m)),
    uncertainties: [...found].map(([obj, problem]) => policyUncertainty(obj, namespaces, `it holds ${problem}, which Kubernetes 1.36 and later `
      + 'refuse (KEP-4858 strict IP validation) and earlier versions accept, so whether it exists depends on the cluster\'s version')!),
  };
}

/**
 * What makes an ipBlock CIDR acceptable only before Kubernetes 1.36, described (`an IPv4-mapped IPv6
 * ipBlock (...)`), or undefined when it is fine (or no CIDR at all: validation reports those).
 */
export function strictIpBlockProblem(cidr: unknown): string | undefined {
  const problem = typeof cidr === 'string' ? strictCidrProblem(cidr) : undefined;
  if (problem === undefined) return undefined;
  switch (problem.kind) {
    case 'leading-zeros': return `an ipBlock with leading zeros (${cidr})`;
    case 'ipv4-mapped': return `an IPv4-mapped IPv6 ipBlock (${cidr})`;
    case 'host-bits': return `an ipBlock with bits set beyond its prefix length (${cidr})`;
    default: return assertNever(problem.kind, 'strict CIDR problem');
  }
}

/** The first version-dependent block of a (validated) NetworkPolicy, described. */
function firstBlockProblem(obj: ManifestObject): string | undefined {
  for (const { cidr } of ipBlockCidrs(obj)) {
    const problem = strictIpBlockProblem(cidr);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
