import { effectivePolicyTypes } from '../../analysis/kubernetes/network-policy';
import { asArray, isObject } from '../document';
import { isK8sNetworkPolicy } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const EGRESS_IGNORED = 'egress-without-policy-type';
const INGRESS_IGNORED = 'ingress-without-policy-type';
const OMITTED = 'policy-types-omitted';

/**
 * `policyTypes` decides which directions a NetworkPolicy restricts. When it is listed, rules for a
 * direction it does not name are ignored; when it is omitted it defaults to `Ingress` plus `Egress`
 * only if the policy has egress rules
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec;
 * the API server's SetDefaults_NetworkPolicy tests `len(spec.egress) != 0`, so `egress: []` adds
 * nothing), which makes the policy's meaning depend on an incidental field: always list it.
 */
export const policyTypes: LintRule = {
  ids: [EGRESS_IGNORED, INGRESS_IGNORED, OMITTED],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isK8sNetworkPolicy(doc.obj) || !isObject(doc.obj.spec)) continue;
      const spec = doc.obj.spec;
      // The API server defaults an empty list exactly like an omitted one (`len(spec.policyTypes) == 0`).
      if (spec.policyTypes === undefined || spec.policyTypes === null || (Array.isArray(spec.policyTypes) && spec.policyTypes.length === 0)) {
        const implied = effectivePolicyTypes(doc.obj).join(', ');
        const what = Array.isArray(spec.policyTypes) ? 'policyTypes is empty' : 'policyTypes is omitted';
        out.push({
          doc,
          rule: OMITTED,
          severity: LintSeverity.WARNING,
          path: 'spec',
          message: `${what}, so Kubernetes infers [${implied}] from which sections happen to exist`
            // The API server adds Egress only for a non-empty egress list (SetDefaults_NetworkPolicy).
            + (Array.isArray(spec.egress) && spec.egress.length === 0 ? '; an empty `egress: []` does not add Egress, so egress stays open' : ''),
          fix: `list policyTypes explicitly (e.g. [${implied}]) so the restricted directions are stated, not inferred`,
        });
        continue;
      }
      const types = asArray(spec.policyTypes);
      if (asArray(spec.egress).length > 0 && !types.includes('Egress')) {
        out.push({
          doc,
          rule: EGRESS_IGNORED,
          severity: LintSeverity.ERROR,
          path: 'spec.policyTypes',
          message: 'egress rules exist but policyTypes does not list Egress: the rules are ignored and egress is not restricted',
          fix: "add 'Egress' to policyTypes (or delete the egress rules if egress should stay open)",
        });
      }
      if (asArray(spec.ingress).length > 0 && !types.includes('Ingress')) {
        out.push({
          doc,
          rule: INGRESS_IGNORED,
          severity: LintSeverity.ERROR,
          path: 'spec.policyTypes',
          message: 'ingress rules exist but policyTypes does not list Ingress: the rules are ignored and ingress is not restricted',
          fix: "add 'Ingress' to policyTypes (or delete the ingress rules if ingress should stay open)",
        });
      }
    }
    return out;
  },
};
