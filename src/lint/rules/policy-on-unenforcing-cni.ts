import { CniKind } from '../../cluster/cni';
import { apiGroup } from '../document';
import { isCalicoPolicyOrStaged, isCiliumPolicy, isNetworkPolicyObject } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * A policy is only as good as the CNI that enforces it. Flannel enforces no NetworkPolicy at all;
 * Calico does not read cilium.io policies, Cilium does not read projectcalico.org ones, and a plain
 * NetworkPolicy CNI reads neither. ClusterNetworkPolicy needs a CNI that implements it (Calico 3.32,
 * not Cilium 1.18). Only checked when `PolicyLintOptions.cni` is given.
 */
export const policyOnUnenforcingCni: LintRule = {
  ids: ['policy-on-unenforcing-cni'],
  check(ctx: LintContext): RuleReport[] {
    const cni = ctx.cni;
    if (!cni) return [];
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isNetworkPolicyObject(obj)) continue;
      let reason: string | undefined;
      if (!cni.capabilities.enforcesNetworkPolicy) {
        if (!cni.acknowledgeUnenforcedPolicies) reason = `CNI '${cni.name}' enforces no network policy at all`;
      } else if (isCalicoPolicyOrStaged(obj) && cni.kind !== CniKind.CALICO) {
        reason = `projectcalico.org policies are enforced only by Calico, not by '${cni.name}'`;
      } else if (isCiliumPolicy(obj) && cni.kind !== CniKind.CILIUM) {
        reason = `cilium.io policies are enforced only by Cilium, not by '${cni.name}'`;
      } else if (apiGroup(obj) === 'policy.networking.k8s.io' && !cni.capabilities.clusterNetworkPolicy) {
        reason = `'${cni.name}' does not implement policy.networking.k8s.io ${obj.kind}`;
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
