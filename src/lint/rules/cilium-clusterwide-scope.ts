import { identityOf, selectorMatches } from '../../analysis/cilium/identity';
import { ruleSetsOf } from '../../analysis/cilium/policies';
import { Endpoint } from '../../analysis/model';
import { isServedCiliumPolicy } from '../../util/vocabulary';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/** CoreDNS as Cilium sees it: the kube-system pod every other pod needs. */
const COREDNS: Endpoint = {
  kind: 'pod',
  name: 'kube-system/coredns',
  namespace: 'kube-system',
  labels: { 'k8s-app': 'kube-dns' },
  namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
  serviceAccount: 'coredns',
  hostNetwork: false,
  namedPorts: [],
};

/**
 * A CiliumClusterwideNetworkPolicy whose endpointSelector selects kube-system's pods (an empty
 * selector, or one requiring only the pod-namespace label) puts CoreDNS and the other system pods
 * under its default deny too (deny rules alone are not reported: a deny of the metadata service for
 * every pod is a good guard rail) (https://docs.cilium.io/en/stable/security/policy/language/):
 * the same foot-gun as a Calico GlobalNetworkPolicy on `all()`. Judged by whether the selector
 * matches CoreDNS's identity.
 */
export const ciliumClusterwideScope: LintRule = {
  ids: ['cilium-clusterwide-scope'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    const coredns = identityOf(COREDNS);
    for (const doc of ctx.documents) {
      if (doc.obj?.kind !== 'CiliumClusterwideNetworkPolicy' || !isServedCiliumPolicy(doc.obj)) continue;
      for (const rs of ruleSetsOf(doc.obj)) {
        if (rs.rejected !== undefined || rs.subjectSelector === undefined || !selectorMatches(rs.subjectSelector, coredns)) continue;
        const isolates = (['ingress', 'egress'] as const).filter((d) => rs.defaultDeny[d]);
        if (isolates.length === 0) continue;
        out.push({
          doc,
          severity: LintSeverity.WARNING,
          path: `${rs.path}.endpointSelector`,
          message: `the endpointSelector selects kube-system's pods (CoreDNS among them), and the policy's default deny for ${isolates.join(' and ')} `
            + 'covers them too',
          fix: "scope it, e.g. matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: NotIn, values: ['kube-system'] }], "
            + 'or select the namespaces it is meant for by their labels',
        });
      }
    }
    return out;
  },
};
