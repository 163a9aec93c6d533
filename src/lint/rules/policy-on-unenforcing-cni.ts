import { unenforcedPolicyFix, unenforcedPolicyReason, unservedPolicyObject } from '../../cluster/unenforced-policy';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * A policy is only as good as the CNI that enforces it. Flannel enforces no NetworkPolicy at all;
 * Calico does not read cilium.io policies, Cilium does not read projectcalico.org ones, and a plain
 * NetworkPolicy CNI reads neither. ClusterNetworkPolicy needs a CNI that implements it (Calico 3.32,
 * not Cilium 1.18). The decision is the ClusterNetwork's synth-time one (cluster/unenforced-policy.ts:
 * the CNI's capabilities and the per-kind table of the policy APIs it reads, never a comparison of
 * CNI kinds). Only checked when `PolicyLintOptions.cni` is given.
 */
export const policyOnUnenforcingCni: LintRule = {
  ids: ['policy-on-unenforcing-cni'],
  check(ctx: LintContext): RuleReport[] {
    const cni = ctx.cni;
    if (!cni) return [];
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const reason = unenforcedPolicyReason(cni, doc.obj);
      if (!reason) continue;
      out.push({
        doc,
        severity: LintSeverity.ERROR,
        // Said of a cluster that runs the CNI given, and only of it: the analyzer treats the same object as
        // possibly enforced (uncertainty/foreign-objects.ts), since the cluster may run another CNI after all.
        message: `${reason}: on a cluster that runs '${cni.name}' this policy ${unservedPolicyObject(cni, doc.obj)
          ? 'is refused by the API server (no such CRD)' : 'is accepted by the API server but restricts nothing'}`,
        fix: unenforcedPolicyFix(cni),
      });
    }
    return out;
  },
};
