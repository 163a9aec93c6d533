import { asArray, isKind, isObject, jsonPath } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * DestinationRule `outlierDetection.consecutiveErrors` is deprecated
 * (https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection):
 * use `consecutive5xxErrors` or `consecutiveGatewayErrors`. Checked in every trafficPolicy
 * (top level, per port, per subset).
 */
export const istioConsecutiveErrors: LintRule = {
  ids: ['istio-consecutive-errors'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isKind(doc.obj, 'networking.istio.io', 'DestinationRule') || !isObject(doc.obj.spec)) continue;
      const policies: Array<[any, string]> = [[doc.obj.spec.trafficPolicy, 'spec.trafficPolicy']];
      asArray(doc.obj.spec.subsets).forEach((s, i) => policies.push([s?.trafficPolicy, jsonPath('spec', 'subsets', i, 'trafficPolicy')]));
      for (const [policy, base] of [...policies]) {
        asArray(policy?.portLevelSettings).forEach((p, i) => policies.push([p, jsonPath(base, 'portLevelSettings', i)]));
      }
      for (const [policy, base] of policies) {
        if (isObject(policy) && isObject(policy.outlierDetection) && policy.outlierDetection.consecutiveErrors !== undefined) {
          out.push({
            doc,
            severity: LintSeverity.ERROR,
            path: `${base}.outlierDetection.consecutiveErrors`,
            message: 'outlierDetection.consecutiveErrors is deprecated',
            fix: `use consecutive5xxErrors: ${policy.outlierDetection.consecutiveErrors} (or consecutiveGatewayErrors for 502/503/504 only)`,
          });
        }
      }
    }
    return out;
  },
};
