import { ipBlockCidrs } from '../../analysis/kubernetes/network-policy';
import { strictCidrProblem } from '../../util/cidr';
import { LintDocument } from '../document';
import { isK8sNetworkPolicy } from '../kinds';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const MAPPED = 'ipblock-ipv4-mapped';
const LEADING_ZEROS = 'ipblock-leading-zeros';
const REFUSED = 'Kubernetes 1.36 and later refuse it in ipBlock (KEP-4858 strict IP validation, on by default from 1.36; 1.33-1.35 warn), '
  + 'so the policy is not applied';

/**
 * NetworkPolicy `ipBlock.cidr` and `except` values Kubernetes 1.36 refuses (KEP-4858
 * StrictIPCIDRValidation, on by default from 1.36; 1.33 to 1.35 warn): an IPv4-mapped IPv6 block
 * (`::ffff:10.0.0.0/104`, IPv4 on the wire anyway) and IPv4 octets with leading zeros (`010.0.0.0/8`:
 * the API server read it as decimal 10, libc as octal 8, CVE-2021-29923). The fix names the block
 * to write instead.
 */
export const ipBlockStrictValidation: LintRule = {
  ids: [MAPPED, LEADING_ZEROS],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) if (isK8sNetworkPolicy(doc.obj)) checkK8s(doc, out);
    return out;
  },
};

function checkK8s(doc: LintDocument, out: RuleReport[]): void {
  for (const { cidr, path } of ipBlockCidrs(doc.obj)) report(doc, out, cidr, path);
}

function report(doc: LintDocument, out: RuleReport[], cidr: unknown, path: string): void {
  const problem = typeof cidr === 'string' ? strictCidrProblem(cidr) : undefined;
  if (problem === undefined) return; // fine, or not a CIDR (invalid-object reports that)
  out.push(problem.kind === 'leading-zeros'
    ? {
      rule: LEADING_ZEROS,
      doc,
      severity: LintSeverity.ERROR,
      path,
      message: `${cidr} has IPv4 octets with leading zeros: ${REFUSED}; Kubernetes before 1.36 read them as decimal, the CNI agents' parsers refuse them`,
      fix: `write ${problem.replacement}`,
    }
    : {
      rule: MAPPED,
      doc,
      severity: LintSeverity.ERROR,
      path,
      message: `${cidr} is an IPv4-mapped IPv6 block: ${REFUSED}`,
      fix: `use the IPv4 block ${problem.replacement}: the addresses are IPv4 on the wire`,
    });
}
