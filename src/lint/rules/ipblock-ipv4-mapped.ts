import { ipv4OfMapped } from '../../util/cidr';
import { LintDocument, asArray, isObject, jsonPath } from '../document';
import { isK8sNetworkPolicy } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * An IPv4-mapped IPv6 block (`::ffff:10.0.0.0/104`) in a NetworkPolicy `ipBlock.cidr` or `except`:
 * Kubernetes 1.36 refuses the policy (KEP-4858 StrictIPCIDRValidation, on by default from 1.36; 1.33
 * to 1.35 warn), and the addresses are IPv4 on the wire anyway. The fix names the IPv4 block.
 */
export const ipBlockIpv4Mapped: LintRule = {
  ids: ['ipblock-ipv4-mapped'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) if (isK8sNetworkPolicy(doc.obj)) checkK8s(doc, out);
    return out;
  },
};

function checkK8s(doc: LintDocument, out: RuleReport[]): void {
  for (const [direction, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
    asArray(doc.obj.spec?.[direction]).forEach((rule, i) => {
      asArray(isObject(rule) ? rule[field] : undefined).forEach((peer, j) => {
        const block = isObject(peer) && isObject(peer.ipBlock) ? peer.ipBlock : undefined;
        if (!block) return;
        const at = (...rest: (string | number)[]) => jsonPath('spec', direction, i, field, j, 'ipBlock', ...rest);
        report(doc, out, block.cidr, at('cidr'));
        asArray(block.except).forEach((e, k) => report(doc, out, e, at('except', k)));
      });
    });
  }
}

function report(doc: LintDocument, out: RuleReport[], cidr: unknown, path: string): void {
  if (typeof cidr !== 'string') return;
  let ipv4: string | undefined;
  try {
    ipv4 = ipv4OfMapped(cidr);
  } catch {
    return; // not a CIDR: invalid-object reports it
  }
  if (ipv4 === undefined) return;
  out.push({
    doc,
    severity: LintSeverity.ERROR,
    path,
    message: `${cidr} is an IPv4-mapped IPv6 block: Kubernetes 1.36 and later refuse it in ipBlock (KEP-4858 strict IP validation, `
      + 'on by default from 1.36; 1.33-1.35 warn), so the policy is not applied',
    fix: `use the IPv4 block ${ipv4}: the addresses are IPv4 on the wire`,
  });
}
