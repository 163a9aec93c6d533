import { isDeepStrictEqual } from 'util';
import { LintDocument, asArray, isObject, jsonPath } from '../document';
import { checkPolicyKinds } from '../policy-dispatch';
import { calicoRuleAllows, calicoRulePorts, ciliumPortAllows, ciliumPortEntries, k8sPortAllows, protocolName } from '../ports';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const MESSAGE = 'allows DNS over UDP 53 but not TCP 53: truncated answers, DNSSEC and large records fall back to TCP '
  + 'and then fail (RFC 7766 makes TCP mandatory for DNS)';

/**
 * DNS needs UDP and TCP 53. A policy that allows only UDP 53 works until the first truncated
 * answer. Checked per policy for NetworkPolicy, Calico rules and Cilium toPorts.
 */
export const dnsUdpOnly: LintRule = {
  ids: ['dns-udp-only'],
  check(ctx: LintContext): RuleReport[] {
    return checkPolicyKinds(ctx, { k8s: checkK8s, calico: checkCalico, cilium: checkCilium });
  },
};

function finding(doc: LintDocument, path: string, fix: string): RuleReport {
  return { doc, severity: LintSeverity.ERROR, path, message: MESSAGE, fix };
}

function checkK8s(doc: LintDocument, out: RuleReport[]): void {
  const egress = asArray(doc.obj.spec?.egress);
  egress.forEach((rule, i) => {
    asArray(rule?.ports).forEach((port, j) => {
      if (!k8sPortAllows(port, 'UDP', 53)) return;
      // TCP 53 is covered by an explicit TCP port anywhere in the policy, or by a port-less rule
      // towards the same peers (or towards everything).
      const covered = egress.some((other) => {
        const ports = asArray(other?.ports);
        if (ports.length > 0) return ports.some((p) => k8sPortAllows(p, 'TCP', 53));
        return asArray(other?.to).length === 0 || isDeepStrictEqual(other.to, rule.to);
      });
      if (!covered) out.push(finding(doc, jsonPath('spec', 'egress', i, 'ports', j), 'add `{protocol: TCP, port: 53}` next to the UDP port'));
    });
  });
}

function checkCalico(doc: LintDocument, out: RuleReport[]): void {
  const egress = asArray(doc.obj.spec?.egress);
  const allows = egress.filter((r) => isObject(r) && r.action === 'Allow');
  egress.forEach((rule, i) => {
    if (!isObject(rule) || rule.action !== 'Allow' || protocolName(rule.protocol) !== 'UDP') return;
    if (calicoRulePorts(rule).length === 0 || !calicoRuleAllows(rule, 'UDP', 53)) return;
    const covered = allows.some((other) => {
      if (protocolName(other.protocol) === 'TCP') return calicoRulePorts(other).length > 0 && calicoRuleAllows(other, 'TCP', 53);
      if (other.protocol !== undefined) return false;
      // A protocol-less rule allows everything to its destination; it covers DNS only if it
      // reaches the same destination as the UDP rule.
      return !isObject(other.destination) || isDeepStrictEqual(withoutPorts(other.destination), withoutPorts(rule.destination));
    });
    if (!covered) out.push(finding(doc, jsonPath('spec', 'egress', i), 'add the same Allow rule with `protocol: TCP` (before any Deny rule)'));
  });
}

function withoutPorts(entity: unknown): unknown {
  if (!isObject(entity)) return {};
  const { ports: _ports, ...rest } = entity;
  return rest;
}

function checkCilium(doc: LintDocument, spec: any, path: string, out: RuleReport[]): void {
  const egress = asArray(spec.egress);
  const tcpCovered = egress.some((rule) => ciliumPortEntries(rule).some((e) => ciliumPortAllows(e.entry, 'TCP', 53)));
  if (tcpCovered) return;
  egress.forEach((rule, i) => {
    for (const e of ciliumPortEntries(rule)) {
      if (protocolName(e.entry.protocol) === 'UDP' && ciliumPortAllows(e.entry, 'UDP', 53)) {
        out.push(finding(doc, jsonPath(path, 'egress', i, 'toPorts', e.toPorts, 'ports', e.port),
          'add `{port: "53", protocol: TCP}` (or use `protocol: ANY`)'));
      }
    }
  });
}
