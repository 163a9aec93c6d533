import { asArray, isObject, jsonPath } from '../document';
import { isK8sNetworkPolicy } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * In a NetworkPolicy peer list, `namespaceSelector` and `podSelector` in ONE item are ANDed; as TWO
 * items they are ORed (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors).
 * A namespace-only item next to a pod-only item is usually a stray dash that opens every pod of
 * the namespace (and the labelled pods of the policy's own namespace).
 */
export const peerAndOrConfusion: LintRule = {
  ids: ['peer-and-or-confusion'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isK8sNetworkPolicy(doc.obj) || !isObject(doc.obj.spec)) continue;
      for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']]) {
        asArray(doc.obj.spec[direction]).forEach((rule, i) => {
          const peers = asArray(isObject(rule) ? rule[peersKey] : undefined);
          const only = (key: string) => peers.some((p) => isObject(p) && Object.keys(p).length === 1 && key in p);
          if (!only('namespaceSelector') || !only('podSelector')) return;
          out.push({
            doc,
            severity: LintSeverity.WARNING,
            path: jsonPath('spec', direction, i, peersKey),
            message: `'${peersKey}' lists a namespaceSelector-only peer and a podSelector-only peer: they are ORed, so every pod `
              + 'in the selected namespaces is allowed, not just the labelled pods',
            fix: 'if "these pods in those namespaces" was meant, put namespaceSelector and podSelector in ONE list item '
              + '(drop the second dash); if OR was meant, split them into two rules',
          });
        });
      }
    }
    return out;
  },
};
