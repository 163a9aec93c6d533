/**
 * The DNS proxy of a Cilium endpoint, for `toFQDNs`: which names it lets the endpoint resolve.
 */
import { dnsSelectorMatches, describeDnsSelector, DnsSelector } from './fqdn';
import { DnsProxyLookup } from './peers';
import { CiliumRuleSet } from './policies';
import { CiliumPortRule } from './ports';
import { describeRef, refOf } from '../model';

/** DNS selectors of one `toPorts[].rules.dns` entry, and where it is. */
interface DnsRule {
  readonly selectors: DnsSelector[];
  readonly where: string;
}

function ruleLabel(rs: CiliumRuleSet, path: string): string {
  return `${describeRef(refOf(rs.object))} ${path}`;
}

/**
 * toFQDNs only learns IPs from DNS answers seen by Cilium's DNS proxy, which needs an egress allow
 * rule with `toPorts[].rules.dns` (usually towards kube-dns on port 53) in a policy selecting the
 * same endpoint, and the proxy only forwards lookups its DNS rules allow
 * (https://docs.cilium.io/en/stable/security/policy/language/#dns-based). The peer of the DNS rule
 * is not checked.
 */
export function dnsProxyLookup(selected: CiliumRuleSet[]): DnsProxyLookup {
  let dnsRules: DnsRule[] | undefined;
  return (name: string) => {
    dnsRules ??= dnsRulesOf(selected);
    return lookupDns(dnsRules, name);
  };
}

function dnsRulesOf(selected: CiliumRuleSet[]): DnsRule[] {
  const dnsRules: DnsRule[] = [];
  for (const rs of selected) {
    const egress: any[] = Array.isArray(rs.rule.egress) ? rs.rule.egress : [];
    egress.forEach((rule, i) => {
      (Array.isArray(rule?.toPorts) ? rule.toPorts : []).forEach((pr: CiliumPortRule, j: number) => {
        if ((pr.rules?.dns?.length ?? 0) > 0) {
          dnsRules.push({ selectors: pr.rules!.dns!, where: ruleLabel(rs, `${rs.path}.egress[${i}].toPorts[${j}]`) });
        }
      });
    });
  }
  return dnsRules;
}

function lookupDns(dnsRules: DnsRule[], name: string): { ok: boolean; message: string } {
  if (dnsRules.length === 0) {
    return {
      ok: false,
      message: 'no egress rule with toPorts.rules.dns (DNS proxy, e.g. to kube-dns on 53) selects this endpoint, '
        + 'so Cilium never learns the IPs of the name',
    };
  }
  for (const d of dnsRules) {
    const s = d.selectors.find((sel) => dnsSelectorMatches(sel, name));
    if (s) return { ok: true, message: `DNS proxy rule ${d.where} (${describeDnsSelector(s)})` };
  }
  return {
    ok: false,
    message: `the DNS proxy rules (${dnsRules.map((d) => d.where).join(', ')}) do not allow lookups of ${name}`,
  };
}
