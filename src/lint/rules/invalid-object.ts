import { removedApi } from './api-versions';
import { validateManifest } from '../../analysis/validation';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const INVALID = 'invalid-object';
const PORT_STRING = 'cilium-port-not-string';

/**
 * Objects the API server or the CNI's own validation rejects (a Calico selector that does not parse,
 * an invalid CIDR such as `10.0.0.300/8`, a port outside 1-65535, an unknown Cilium entity, a field
 * of the wrong type, ...): none of the object takes effect, and the reachability analyzer leaves it
 * out. One finding per problem, with its JSON path. The checks are the analyzer's own
 * (src/analysis/validation), so lint and analysis always agree on what is invalid.
 */
export const invalidObject: LintRule = {
  ids: [INVALID, PORT_STRING],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (doc.ciliumValues) continue;
      const rejection = validateManifest(doc.obj);
      if (!rejection) continue;
      for (const problem of rejection.problems) {
        // Removed API versions have their own rule with the replacement to use.
        if (problem.path === 'apiVersion' && removedApi(doc.obj)) continue;
        out.push({
          doc,
          rule: problem.id ?? INVALID,
          severity: LintSeverity.ERROR,
          ...(problem.path ? { path: problem.path } : {}),
          message: `${problem.message}: ${rejection.rejectedBy} rejects the object, so none of it takes effect`,
          fix: problem.fix ?? 'correct the field (see the message), or delete the object if it is not needed',
        });
      }
    }
    return out;
  },
};
