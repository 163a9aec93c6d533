import { asArray, isObject, jsonPath } from '../document';
import { ciliumSpecs, isCiliumPolicy } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const FQDN_DNS = 'cilium-fqdn-without-dns-proxy';

/**
 * CiliumNetworkPolicy shape pitfalls: `toFQDNs` only matches IPs the DNS proxy has seen, which needs
 * an egress rule to DNS with `toPorts[].rules.dns` in the same policy
 * (https://docs.cilium.io/en/stable/security/policy/language/#dns-based). (A numeric
 * `toPorts[].ports[].port`, which the CRD schema rejects, is reported by `invalid-object` under
 * the id `cilium-port-not-string`.)
 */
export const ciliumPolicyShape: LintRule = {
  ids: [FQDN_DNS],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isCiliumPolicy(doc.obj)) continue;
      for (const { spec, path } of ciliumSpecs(doc.obj)) {
        const egress = asArray(spec.egress);
        const dnsProxy = egress.some((r) => asArray(r?.toPorts).some((tp) => isObject(tp) && isObject(tp.rules) && Array.isArray(tp.rules.dns)));
        if (dnsProxy) continue;
        egress.forEach((rule, i) => {
          if (asArray(rule?.toFQDNs).length === 0) return;
          out.push({
            doc,
            rule: FQDN_DNS,
            severity: LintSeverity.ERROR,
            path: jsonPath(path, 'egress', i, 'toFQDNs'),
            message: 'toFQDNs without a DNS-proxy rule in the same policy never learns the IPs, so nothing is allowed',
            fix: 'add an egress rule to kube-dns on 53 UDP/TCP with `rules: {dns: [{matchPattern: "*"}]}`',
          });
        });
      }
    }
    return out;
  },
};
