import { parseCalicoSelector } from '../../analysis/calico';
import { namespaceLabels } from '../../analysis/calico/labels';
import { asArray, isObject } from '../document';
import { calicoSelectsAll, isCalicoPolicyOrStaged } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * A GlobalNetworkPolicy with `selector: all()` (or none) selects every workload endpoint in every
 * namespace, the control plane included (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy).
 * Deny rules or an Egress type then also cut off CoreDNS, the CNI and the operators in kube-system
 * unless the policy scopes itself away from them.
 */
export const calicoDenyAllScope: LintRule = {
  ids: ['calico-deny-all-scope'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      if (!isCalicoPolicyOrStaged(obj) || !obj.kind.endsWith('GlobalNetworkPolicy') || !isObject(obj.spec)) continue;
      const spec = obj.spec;
      if (!calicoSelectsAll(spec)) continue;
      const selector = typeof spec.selector === 'string' ? spec.selector.trim() : '';
      const denies = [...asArray(spec.ingress), ...asArray(spec.egress)].some((r) => isObject(r) && r.action === 'Deny');
      const restrictsEgress = asArray(spec.types).includes('Egress');
      if (!denies && !restrictsEgress) continue;
      if (excludesKubeSystem(spec.namespaceSelector) || excludesKubeSystem(spec.selector)) continue;
      out.push({
        doc,
        severity: LintSeverity.WARNING,
        path: 'spec.selector',
        message: `selector '${selector || '(none)'}' applies this ${denies ? 'deny' : 'egress restriction'} to every namespace, `
          + 'kube-system and the CNI/operator namespaces included',
        fix: "scope it, e.g. namespaceSelector: \"kubernetes.io/metadata.name not in {'kube-system', 'calico-system', "
          + "'tigera-operator'}\" (or put platform allows in an earlier tier)",
      });
    }
    return out;
  },
};

/** Labels Calico sees on the kube-system namespace (and on its pods' namespace), as the analyzer's model gives them. */
const KUBE_SYSTEM = namespaceLabels('kube-system', new Map());

/**
 * Does the selector leave kube-system out? Evaluated with the Calico selector language: a
 * namespaceSelector such as `tenant == 'acme'` scopes the policy away from kube-system as surely as
 * an explicit `kubernetes.io/metadata.name != 'kube-system'`. Unparseable selectors are reported by
 * the API server, not here: they count as not excluding.
 */
function excludesKubeSystem(selector: unknown): boolean {
  if (typeof selector !== 'string' || selector.trim() === '' || selector.trim() === 'all()') return false;
  try {
    return !parseCalicoSelector(selector).matches(KUBE_SYSTEM);
  } catch {
    return false;
  }
}
