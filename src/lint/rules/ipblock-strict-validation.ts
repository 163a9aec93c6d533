import { ipBlockCidrs } from '../../analysis/kubernetes/network-policy';
import { StrictCidrProblem, strictCidrProblem } from '../../util/cidr';
import { assertNever } from '../../util/errors';
import { LintDocument } from '../document';
import { isK8sNetworkPolicy } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const MAPPED = 'ipblock-ipv4-mapped';
const LEADING_ZEROS = 'ipblock-leading-zeros';
const HOST_BITS = 'ipblock-host-bits';
// What is known of the versions: KEP-4858's graduation (alpha 1.33, off; beta 1.36, on by default;
// kubernetes/enhancements#4858) and the apiserver warnings of its alpha (kubernetes/kubernetes#128786,
// "warn on bad IPs in objects"). Not checked: the 1.33-1.35 NetworkPolicy strategy source itself.
const REFUSED = 'Kubernetes 1.36 and later refuse it in ipBlock by default (KEP-4858 strict IP validation), so the API server rejects the policy; '
  + 'earlier versions accept it (from 1.33 with an API warning)';

/**
 * NetworkPolicy `ipBlock.cidr` and `except` values Kubernetes 1.36 refuses (KEP-4858
 * StrictIPCIDRValidation, on by default from 1.36; 1.33 to 1.35 accept it with an API warning,
 * kubernetes/kubernetes#128786; see strictCidrProblem for the upstream source): an IPv4-mapped IPv6 block (`::ffff:10.0.0.0/104`, IPv4 on the wire anyway),
 * leading zeros in an IPv4 octet (`010.0.0.0/8`: the API server read it as decimal 10, libc as
 * octal 8, CVE-2021-29923) or in the prefix length (`/08`), and bits set beyond the prefix length
 * (`10.0.0.5/8`: the API server read the network, a reader or plugin may take the one address,
 * kubernetes/kubernetes#94484). The fix names the block to write instead. Non-canonical IPv6 text
 * (`2001:DB8::/32`) is not reported: it stays valid in ipBlock and means the same to every parser.
 */
export const ipBlockStrictValidation: LintRule = {
  ids: [MAPPED, LEADING_ZEROS, HOST_BITS],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) if (isK8sNetworkPolicy(doc.obj)) checkK8s(doc, out);
    return out;
  },
};

function checkK8s(doc: LintDocument, out: RuleReport[]): void {
  for (const { cidr, path } of ipBlockCidrs(doc.obj)) {
    const problem = typeof cidr === 'string' ? strictCidrProblem(cidr) : undefined;
    // Fine, or not a CIDR (invalid-object reports that).
    if (problem !== undefined) out.push({ doc, severity: LintSeverity.ERROR, path, ...finding(cidr as string, problem) });
  }
}

function finding(cidr: string, problem: StrictCidrProblem): { rule: string; message: string; fix: string } {
  switch (problem.kind) {
    case 'leading-zeros':
      return {
        rule: LEADING_ZEROS,
        message: /\/0\d/.test(cidr)
          ? `${cidr} has leading zeros in its prefix length: ${REFUSED}; Kubernetes before 1.36 accepted them`
          : `${cidr} has IPv4 octets with leading zeros: ${REFUSED}; Kubernetes before 1.36 read them as decimal, the CNI agents' parsers refuse them`,
        fix: `write ${problem.replacement}`,
      };
    case 'ipv4-mapped':
      return {
        rule: MAPPED,
        message: `${cidr} is an IPv4-mapped IPv6 block: ${REFUSED}`,
        fix: problem.replacement.includes(':')
          ? `write ${problem.replacement} (the IPv6 network Kubernetes before 1.36 read it as), or the IPv4 block meant`
          : `use the IPv4 block ${problem.replacement}: the addresses are IPv4 on the wire`,
      };
    case 'host-bits':
      return {
        rule: HOST_BITS,
        message: `${cidr} has bits set beyond its prefix length: ${REFUSED}; Kubernetes before 1.36 read it as ${problem.replacement}, `
          + 'which a reader (or a network plugin) may take for the one address',
        fix: `write ${problem.replacement} for the whole block, or ${problem.address} for the one address`,
      };
    default:
      return assertNever(problem.kind, 'strict CIDR problem');
  }
}
