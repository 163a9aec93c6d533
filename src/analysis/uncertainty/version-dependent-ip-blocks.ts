/**
 * A NetworkPolicy whose `ipBlock.cidr` or `except` holds an IPv4-mapped IPv6 block
 * (`::ffff:10.0.0.0/104`) or an IPv4 octet with a leading zero (`010.0.0.0/8`) exists on some
 * clusters and not on others: Kubernetes 1.36 validates IP blocks strictly by default (KEP-4858,
 * StrictIPCIDRValidation: alpha in 1.33, beta and on by default in 1.36, GA in 1.38) and refuses it at
 * apply time, while 1.35 and earlier accept it with a warning (reading `010` as decimal 10, where the
 * CNI agents' Go parsers refuse it and libc reads octal 8: CVE-2021-29923). The analysis does not
 * know the cluster's version, so it evaluates no such policy: each is an uncertainty that makes the
 * flows it could change indeterminate (with it, its allows; without it, its isolation).
 */
import { policyUncertainty } from './foreign-objects';
import { Uncertainty } from './overlay';
import { strictCidrProblem } from '../../util/cidr';
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
  return problem.kind === 'leading-zeros' ? `an IPv4 ipBlock with leading zeros (${cidr})` : `an IPv4-mapped IPv6 ipBlock (${cidr})`;
}

/** The first version-dependent block of a (validated) NetworkPolicy, described. */
function firstBlockProblem(obj: ManifestObject): string | undefined {
  for (const { cidr } of ipBlockCidrs(obj)) {
    const problem = strictIpBlockProblem(cidr);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
