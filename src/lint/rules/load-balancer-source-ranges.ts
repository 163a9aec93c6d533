import { parseCidrLoose } from '../../util/cidr';
import { jsonPath } from '../document';
import { loadBalancerServices, sourceRangesOf } from '../load-balancer-services';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'loadbalancer-source-ranges';
const FIX_RANGES = 'list the client CIDRs in spec.loadBalancerSourceRanges (the LoadBalancerService construct requires them, and admits the same '
  + 'ranges in a policy on the pods)';

/**
 * `loadbalancer-source-ranges`: a Service of `type: LoadBalancer` open to every address.
 * - No `spec.loadBalancerSourceRanges` and no legacy annotation (warning): the controllers then admit
 *   `0.0.0.0/0` (kubernetes pkg/api/service/annotations.go: "0.0.0.0/0 ... the default"), so a Service
 *   meant for a few clients is public by omission.
 * - A `/0` range next to narrower ones (warning): the narrower ones restrict nothing.
 * - Only `/0` ranges (info): public, stated explicitly (what `LoadBalancerService` with
 *   `allowFromAnywhere` emits); reported so the intent is checked, never as a mistake.
 */
export const loadBalancerSourceRanges: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of loadBalancerServices(ctx.documents)) {
      const { ranges, path } = sourceRangesOf(doc.obj);
      if (path === undefined) {
        out.push({
          doc,
          severity: LintSeverity.WARNING,
          path: 'spec',
          message: 'is a LoadBalancer Service without spec.loadBalancerSourceRanges: it is open to every address (the load balancer admits 0.0.0.0/0 '
            + 'when no range is given)',
          fix: `${FIX_RANGES}; for a public service, say so with 0.0.0.0/0 (LoadBalancerService allowFromAnywhere: true)`,
        });
        continue;
      }
      const wide = ranges.map((r, i) => ({ r, i })).filter(({ r }) => parseCidrLoose(r)?.prefix === 0);
      if (wide.length === 0) continue;
      const at = path === 'spec.loadBalancerSourceRanges' ? (i: number) => jsonPath('spec', 'loadBalancerSourceRanges', i) : () => path;
      for (const { r, i } of wide) {
        const family = parseCidrLoose(r)!.family;
        const narrower = ranges.filter((o) => parseCidrLoose(o)?.family === family && parseCidrLoose(o)?.prefix !== 0);
        out.push(narrower.length > 0 ? {
          doc,
          severity: LintSeverity.WARNING,
          path: at(i),
          message: `admits every ${family === 'ipv6' ? 'IPv6' : 'IPv4'} address (${r}), so the other ${family === 'ipv6' ? 'IPv6' : 'IPv4'} ranges (${narrower.join(', ')}) restrict nothing: `
            + 'the Service is open to every address of that family',
          fix: `remove ${r} if only those ranges are meant to connect`,
        } : {
          doc,
          severity: LintSeverity.INFO,
          path: at(i),
          message: `admits every ${family === 'ipv6' ? 'IPv6' : 'IPv4'} address (${r}): the Service is public`,
          fix: `keep it only for a public service (LoadBalancerService allowFromAnywhere: true says so); otherwise ${FIX_RANGES}`,
        });
      }
    }
    return out;
  },
};
