import { asArray, isObject, jsonPath } from '../document';
import { ciliumSpecs, isCiliumPolicy } from '../kinds';
import { ciliumPortEntries } from '../ports';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const PORT_STRING = 'cilium-port-not-string';
const FQDN_DNS = 'cilium-fqdn-without-dns-proxy';

/**
 * CiliumNetworkPolicy shape pitfalls: `toPorts[].ports[].port` is a string in the CRD schema (a
 * number is rejected), and `toFQDNs` only matches IPs the DNS proxy has seen, which needs an egress
 * rule to DNS with `toPorts[].rules.dns` in the same policy
 * (https://docs.cilium.io/en/stable/security/policy/language/#dns-based).
 */
export const ciliumPolicyShape: LintRule = {
  ids: [PORT_STRING, FQDN_DNS],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      if (!isCiliumPolicy(doc.obj)) continue;
      for (const { spec, path } of ciliumSpecs(doc.obj)) {
        for (const direction of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
          asArray(spec[direction]).forEach((rule, i) => {
            for (const e of ciliumPortEntries(rule)) {
              if (typeof e.entry.port !== 'number') continue;
              out.push({
                doc,
                rule: PORT_STRING,
                severity: LintSeverity.ERROR,
                path: jsonPath(path, direction, i, 'toPorts', e.toPorts, 'ports', e.port, 'port'),
                message: `port ${e.entry.port} is a number; the CRD schema requires a string`,
                fix: `quote it: port: "${e.entry.port}"`,
              });
            }
          });
        }
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
