import { asArray, isKind, isObject, jsonPath } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * In the operator's Installation, `calicoNetwork.ipPools[].natOutgoing` is the string enum
 * `Enabled`/`Disabled` (https://docs.tigera.io/calico/latest/reference/installation/api#ippool);
 * a boolean (the projectcalico.org/v3 IPPool spelling) is rejected by the API server.
 */
export const calicoNatOutgoingEnum: LintRule = {
  ids: ['calico-nat-outgoing-enum'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isKind(doc.obj, 'operator.tigera.io', 'Installation')) continue;
      asArray(doc.obj.spec?.calicoNetwork?.ipPools).forEach((pool, i) => {
        if (!isObject(pool) || pool.natOutgoing === undefined || pool.natOutgoing === 'Enabled' || pool.natOutgoing === 'Disabled') return;
        const enabled = pool.natOutgoing === true || String(pool.natOutgoing).toLowerCase() === 'true';
        out.push({
          doc,
          severity: LintSeverity.ERROR,
          path: jsonPath('spec', 'calicoNetwork', 'ipPools', i, 'natOutgoing'),
          message: `natOutgoing: ${JSON.stringify(pool.natOutgoing)} is not valid in an Installation (enum Enabled/Disabled)`,
          fix: `use natOutgoing: ${enabled ? 'Enabled' : 'Disabled'}`,
        });
      });
    }
    return out;
  },
};
