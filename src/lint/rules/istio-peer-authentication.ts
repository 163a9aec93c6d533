import { isKind, isObject } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * PeerAuthentication `portLevelMtls` is only honoured with a workload `selector`
 * (https://istio.io/latest/docs/reference/config/security/peer_authentication/); namespace- or
 * mesh-wide policies silently ignore it.
 */
export const istioPeerAuthentication: LintRule = {
  ids: ['istio-port-level-mtls-without-selector'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const spec = isKind(doc.obj, 'security.istio.io', 'PeerAuthentication') ? doc.obj.spec : undefined;
      if (!isObject(spec) || !isObject(spec.portLevelMtls) || isObject(spec.selector)) continue;
      out.push({
        doc,
        severity: LintSeverity.ERROR,
        path: 'spec.portLevelMtls',
        message: 'portLevelMtls without a selector is ignored',
        fix: 'add spec.selector.matchLabels for the workload, or move the port exception to a workload-level PeerAuthentication',
      });
    }
    return out;
  },
};
