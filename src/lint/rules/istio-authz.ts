import { asArray, isKind, isObject } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const SPLIT = 'istio-authz-split-rules';
const MISSING_ACTION = 'istio-authz-missing-action';
const CLAUSES = ['from', 'to', 'when'];

/**
 * Istio AuthorizationPolicy: rules are ORed and the `from`, `to` and `when` of ONE rule are ANDed
 * (https://istio.io/latest/docs/reference/config/security/authorization-policy/). Two rules that
 * share no clause kind (`[{from}, {to}, {when}]`) allow any request that meets any one condition,
 * which is almost never the intent. `action` defaults to ALLOW; state it so a reader does not have
 * to know that.
 */
export const istioAuthz: LintRule = {
  ids: [SPLIT, MISSING_ACTION],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isKind(doc.obj, 'security.istio.io', 'AuthorizationPolicy') || !isObject(doc.obj.spec)) continue;
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
