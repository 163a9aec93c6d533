import { asArray, isKind, isObject, jsonPath } from '../document';
import { namespaceOf } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';
import { hostKey, routedSubsets } from './virtual-service';

/**
 * DestinationRule subsets no VirtualService routes to (istio.io "Destination Rule" reference: a
 * subset is only ever chosen by a VirtualService route naming it): a canary left behind after a
 * rollout, or a route that names the subset with a typo. The reverse, a route to a subset no
 * DestinationRule defines, is `virtualservice-undefined-subset`.
 */
export const destinationRuleSubsets: LintRule = {
  ids: ['destinationrule-unused-subset'],
  check(ctx: LintContext): RuleReport[] {
    const routed = routedSubsets(ctx.documents);
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isKind(doc.obj, 'networking.istio.io', 'DestinationRule') || !isObject(doc.obj.spec) || typeof doc.obj.spec.host !== 'string') continue;
      const host = doc.obj.spec.host;
      const used = routed.get(hostKey(host, namespaceOf(doc.obj)));
      asArray(doc.obj.spec.subsets).forEach((s, i) => {
        if (!isObject(s) || typeof s.name !== 'string' || used?.has(s.name)) return;
        out.push({
          doc,
          severity: LintSeverity.WARNING,
          path: jsonPath('spec', 'subsets', i),
          message: used
            ? `subset '${s.name}' of host '${host}' is not used by any VirtualService route to that host`
            : `subset '${s.name}' of host '${host}' is not used: no VirtualService in these manifests routes to that host`,
          fix: `route to subset '${s.name}' from the VirtualService for '${host}', or remove the subset`,
        });
      });
    }
    return out;
  },
};
