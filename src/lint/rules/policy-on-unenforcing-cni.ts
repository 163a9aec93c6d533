import { kindsEnforcing, NATIVE_POLICY_GROUPS } from '../../cluster/native-policy-apis';
import { POLICY_API_GROUP } from '../../util/vocabulary';
import { apiGroup } from '../document';
import { isK8sNetworkPolicy, isNetworkPolicyObject } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * A policy is only as good as the CNI that enforces it. Flannel enforces no NetworkPolicy at all;
 * Calico does not read cilium.io policies, Cilium does not read projectcalico.org ones, and a plain
 * NetworkPolicy CNI reads neither. ClusterNetworkPolicy needs a CNI that implements it (Calico 3.32,
 * not Cilium 1.18). Decided by the CNI's capabilities and the per-kind table of the policy APIs it
 * reads (NATIVE_POLICY_GROUPS), never by comparing CNI kinds. Only checked when
 * `PolicyLintOptions.cni` is given.
 */
export const policyOnUnenforcingCni: LintRule = {
  ids: ['policy-on-unenforcing-cni'],
  check(ctx: LintContext): RuleReport[] {
    const cni = ctx.cni;
    if (!cni) return [];
    const reads = NATIVE_POLICY_GROUPS[cni.kind];
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isNetworkPolicyObject(obj)) continue;
      const group = apiGroup(obj);
      let reason: string | undefined;
      if (!cni.capabilities.enforcesNetworkPolicy) {
        if (!cni.acknowledgeUnenforcedPolicies) reason = `CNI '${cni.name}' enforces no network policy at all`;
      } else if (group === POLICY_API_GROUP) {
        if (!cni.capabilities.clusterNetworkPolicy) reason = `'${cni.name}' does not implement policy.networking.k8s.io ${obj.kind}`;
      } else if (!isK8sNetworkPolicy(obj) && !reads.includes(group)) {
        const enforcers = kindsEnforcing(group);
        reason = `${group} policies are enforced ${enforcers.length > 0 ? `only by ${enforcers.join(' or ')}` : 'by no CNI this library knows'}, not by '${cni.name}'`;
      }
      if (!reason) continue;
      out.push({
        doc,
        severity: LintSeverity.ERROR,
        message: `${reason}: this policy is accepted by the API server but restricts nothing`,
        fix: cni.capabilities.enforcesNetworkPolicy
          ? `express the policy in an API that '${cni.name}' enforces (networking.k8s.io/v1 NetworkPolicy where possible)`
          : 'install a CNI that enforces policy (Calico, Cilium, or Canal) or, if the policies are for other clusters, '
            + 'acknowledge it with Cni.flannel({ acknowledgeUnenforcedPolicies: true })',
      });
    }
    return out;
  },
};
