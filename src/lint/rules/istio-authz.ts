import { authorizationPolicyProblems } from '../../analysis/mesh/istio-validation';
import { asArray, isKind, isObject } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const SPLIT = 'istio-authz-split-rules';
const MISSING_ACTION = 'istio-authz-missing-action';
const REJECTED = 'istio-authz-rejected';
const CLAUSES = ['from', 'to', 'when'];

/**
 * Istio AuthorizationPolicy: rules are ORed and the `from`, `to` and `when` of ONE rule are ANDed
 * (https://istio.io/latest/docs/reference/config/security/authorization-policy/). Two rules that
 * share no clause kind (`[{from}, {to}, {when}]`) allow any request that meets any one condition,
 * which is almost never the intent. `action` defaults to ALLOW; state it so a reader does not have
 * to know that. `istio-authz-rejected`: what the API server (CRD schema, CEL) or istiod's validating
 * webhook (`ValidateAuthorizationPolicy`: an unknown `when` key such as `request.time`, an empty
 * `from.source` or `to.operation`, a port or IP that does not parse, ...) rejects; such a policy
 * never exists, and the reachability analyzer leaves it out (the checks are the analyzer's own). The
 * other findings are not reported on a rejected policy (nor on one whose apiVersion is not served):
 * the rejection is what to fix first.
 */
export const istioAuthz: LintRule = {
  ids: [SPLIT, MISSING_ACTION, REJECTED],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isKind(doc.obj, 'security.istio.io', 'AuthorizationPolicy')) continue;
      const problems = authorizationPolicyProblems(doc.obj as any);
      // Unserved versions have their own rule (api-versions).
      for (const problem of problems.filter((p) => p.path !== 'apiVersion')) {
        out.push({
          doc,
          rule: REJECTED,
          severity: LintSeverity.ERROR,
          path: problem.path,
          message: `${problem.message}: ${problem.by} rejects the AuthorizationPolicy, so none of it takes effect`,
          fix: 'correct the field (see the message), or delete the policy if it is not needed',
        });
      }
      // A rejected policy never reaches the mesh: what its rules would do is moot until it is corrected.
      if (problems.length > 0 || !isObject(doc.obj.spec)) continue;
      const spec = doc.obj.spec;
      const rules = asArray(spec.rules);
      const clauseSets = rules.map((r) => (isObject(r) ? CLAUSES.filter((c) => r[c] !== undefined) : []));
      const split = clauseSets.some((a, i) => a.length > 0 && clauseSets.some((b, j) => j > i && b.length > 0 && !b.some((c) => a.includes(c))));
      if (split) {
        out.push({
          doc,
          rule: SPLIT,
          severity: LintSeverity.ERROR,
          path: 'spec.rules',
          message: `rules are ORed, and these rules split ${CLAUSES.filter((c) => clauseSets.some((s) => s.includes(c))).join('/')} `
            + 'into separate entries: a request matching any ONE of them is matched, not one matching all',
          fix: 'put from, to and when into a single rule (one list item) so they are ANDed',
        });
      }
      if (spec.action === undefined) {
        out.push({
          doc,
          rule: MISSING_ACTION,
          severity: LintSeverity.WARNING,
          path: 'spec',
          message: rules.length === 0
            ? 'action is omitted and defaults to ALLOW: without rules this policy allows nothing (spec: {} is the allow-nothing baseline)'
            : 'action is omitted and defaults to ALLOW',
          fix: 'set action explicitly (ALLOW, DENY, AUDIT or CUSTOM)',
        });
      }
    }
    return out;
  },
};
