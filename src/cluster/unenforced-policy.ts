/**
 * Which policy objects a CNI does not enforce: one decision shared by the synth-time check of the
 * ClusterNetwork (policies a program adds as raw ApiObjects or includes from YAML) and PolicyLint's
 * `policy-on-unenforcing-cni` rule (policies in files). Decided by the CNI's capabilities and the
 * per-kind table of the policy APIs it reads (NATIVE_POLICY_GROUPS), never by comparing CNI kinds.
 * Internal.
 */
import { Cni } from './cni';
import { kindsEnforcing, NATIVE_POLICY_GROUPS } from './native-policy-apis';
import {
  apiGroupOf, CALICO_STORAGE_GROUP, isCalicoPolicy, isCalicoStagedPolicy, isCiliumPolicy, isKubernetesNetworkPolicy, POLICY_API_GROUP,
} from '../util/vocabulary';

/**
 * Any object that expresses a network policy for a CNI to enforce: networking.k8s.io NetworkPolicy,
 * Calico (Global, Staged) NetworkPolicy, Cilium (Clusterwide) NetworkPolicy, or a
 * policy.networking.k8s.io kind (ClusterNetworkPolicy, the superseded AdminNetworkPolicy).
 */
export function isPolicyObject(obj: unknown): boolean {
  return isKubernetesNetworkPolicy(obj) || isCalicoPolicy(obj) || isCalicoStagedPolicy(obj) || isCiliumPolicy(obj)
    || (apiGroupOf(obj) === POLICY_API_GROUP && typeof (obj as { kind?: unknown }).kind === 'string');
}

/** Why `cni` does not enforce the policy object `obj`, or undefined when it does (or `obj` is no policy object). */
export function unenforcedPolicyReason(cni: Cni, obj: unknown): string | undefined {
  if (!isPolicyObject(obj)) return undefined;
  const group = apiGroupOf(obj);
  const kind = (obj as { kind: string }).kind;
  if (!cni.capabilities.enforcesNetworkPolicy) {
    return cni.acknowledgeUnenforcedPolicies ? undefined : `CNI '${cni.name}' enforces no network policy at all`;
  }
  if (group === POLICY_API_GROUP) {
    if (cni.capabilities.clusterNetworkPolicy) return undefined;
    return cni.calicoNativeV3Crds
      ? `Calico in native v3 CRD mode serves no policy.networking.k8s.io ${kind} (its CRD chart has no such CRD)`
      : `'${cni.name}' does not implement policy.networking.k8s.io ${kind}`;
  }
  if (group === CALICO_STORAGE_GROUP && cni.calicoNativeV3Crds) {
    return `Calico in native v3 CRD mode installs no ${CALICO_STORAGE_GROUP} CRDs (projectcalico.org/v3 objects are stored as themselves)`;
  }
  if (isKubernetesNetworkPolicy(obj) || NATIVE_POLICY_GROUPS[cni.kind].includes(group)) return undefined;
  const enforcers = kindsEnforcing(group);
  return `${group} policies are enforced ${enforcers.length > 0 ? `only by ${enforcers.join(' or ')}` : 'by no CNI this library knows'}, not by '${cni.name}'`;
}

/** How to fix a policy `cni` does not enforce. */
export function unenforcedPolicyFix(cni: Cni): string {
  return cni.capabilities.enforcesNetworkPolicy
    ? `express the policy in an API that '${cni.name}' enforces (networking.k8s.io/v1 NetworkPolicy where possible)`
    : 'install a CNI that enforces policy (Calico, Cilium, or Canal) or, if the policies are for other clusters, '
      + `acknowledge it with ${cni._facts.acknowledgeUnenforced || 'Cni.flannel({ acknowledgeUnenforcedPolicies: true })'}`;
}

/**
 * Whether the API server refuses the unenforced policy object `obj` outright (its CRD is not
 * installed: ClusterNetworkPolicy and crd.projectcalico.org under Calico's native v3 CRD mode),
 * rather than accepting it and enforcing nothing.
 */
export function unservedPolicyObject(cni: Cni, obj: unknown): boolean {
  const group = apiGroupOf(obj);
  return cni.calicoNativeV3Crds === true && (group === POLICY_API_GROUP || group === CALICO_STORAGE_GROUP);
}
