import { parseCidrLoose } from '../../util/cidr';
import { namespaceOf, stringMap } from '../../util/vocabulary';
import { jsonPath, LintDocument } from '../document';
import { isCalicoPolicy, isCiliumPolicy } from '../kinds';
import { admittingPeers, everyAddress, ingressPolicies, IngressPolicies, policySelects, servicePods, serviceTargets } from '../load-balancer-pods';
import { awsClientAddressOf, internalLoadBalancer, loadBalancerServices, sourceRangesOf } from '../load-balancer-services';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'loadbalancer-source-ranges';
const FIX_RANGES = 'list the client CIDRs in spec.loadBalancerSourceRanges (the LoadBalancerService construct requires them, and admits the same '
  + 'ranges in a policy on the pods)';

/**
 * `loadbalancer-source-ranges`: a Service of `type: LoadBalancer` open to every address.
 * - No `spec.loadBalancerSourceRanges` and no legacy annotation (warning): the controllers then admit
 *   `0.0.0.0/0` (kubernetes pkg/api/service/annotations.go: "0.0.0.0/0 ... the default"), so a Service
 *   meant for a few clients is public by omission. Info instead when the pods check the client
 *   address themselves: the client address reaches them (`externalTrafficPolicy: Local`, or AWS NLB IP
 *   targets with `preserve_client_ip.enabled=true`), the Service's pods are workloads of the manifests,
 *   each isolated by a NetworkPolicy there, and every peer admitting its target ports there is an ipBlock
 *   narrower than every address or a pod peer (no Calico or Cilium policy in the manifests that could
 *   add an allow). The load balancer then still accepts every client, which the pods refuse. Info
 *   too for an internal load balancer (its annotations say so: ../load-balancer-services
 *   internalLoadBalancer), which only the cloud network reaches (the AWS Load Balancer Controller's
 *   default ranges for an internal scheme are the VPC's CIDR: annotations.md, lb-source-ranges).
 * - A `/0` range next to narrower ones (warning): the narrower ones restrict nothing.
 * - Only `/0` ranges (info): public, stated explicitly (what `LoadBalancerService` with
 *   `allowFromAnywhere` emits); reported so the intent is checked, never as a mistake.
 */
export const loadBalancerSourceRanges: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    let policies: IngressPolicies | undefined;
    const cniPolicies = ctx.documents.some((d) => isCalicoPolicy(d.obj) || isCiliumPolicy(d.obj));
    for (const doc of loadBalancerServices(ctx.documents)) {
      const { ranges, path } = sourceRangesOf(doc.obj);
      if (path === undefined) {
        out.push(withoutRanges(doc, cniPolicies ? undefined : () => (policies ??= ingressPolicies(ctx.documents))));
      } else {
        out.push(...wideRanges(doc, ranges, path));
      }
    }
    return out;
  },
};

/**
 * The finding on a Service without source ranges: internal (info), open but with pods whose policies check the
 * clients (info; `policies` undefined when Calico or Cilium policies may decide instead), else open (warning).
 */
function withoutRanges(doc: LintDocument, policies: (() => IngressPolicies) | undefined): RuleReport {
  const internal = internalLoadBalancer(doc.obj);
  if (internal !== undefined) {
    return {
      doc,
      severity: LintSeverity.INFO,
      path: 'spec',
      message: `is an internal LoadBalancer Service (${internal}) without spec.loadBalancerSourceRanges: every address of the cloud network `
        + '(the VPC and what is peered or routed to it) may connect',
      fix: `${FIX_RANGES}, if only some of them are meant to connect`,
    };
  }
  const checked = policies === undefined ? undefined : podsCheckClients(doc, policies);
  if (checked !== undefined) {
    return {
      doc,
      severity: LintSeverity.INFO,
      path: 'spec',
      message: 'is a LoadBalancer Service without spec.loadBalancerSourceRanges, so the load balancer accepts every address; the pods\' '
        + `NetworkPolicies admit outside clients only from ${checked.join(', ')}, and see the client address`,
      fix: `${FIX_RANGES}, so the load balancer refuses the other clients too`,
    };
  }
  return {
    doc,
    severity: LintSeverity.WARNING,
    path: 'spec',
    message: 'is a LoadBalancer Service without spec.loadBalancerSourceRanges: it is open to every address (the load balancer admits 0.0.0.0/0 '
      + 'when no range is given)',
    fix: `${FIX_RANGES}; for a public service, say so with 0.0.0.0/0 (LoadBalancerService allowFromAnywhere: true)`,
  };
}

/** The findings on the `/0` ranges of a Service's source ranges (read at `path`), in the order given. */
function wideRanges(doc: LintDocument, ranges: readonly string[], path: string): RuleReport[] {
  const wide = ranges.map((r, i) => ({ r, i })).filter(({ r }) => parseCidrLoose(r)?.prefix === 0);
  const at = path === 'spec.loadBalancerSourceRanges' ? (i: number) => jsonPath('spec', 'loadBalancerSourceRanges', i) : () => path;
  return wide.map(({ r, i }) => {
    const family = parseCidrLoose(r)!.family;
    const narrower = ranges.filter((o) => parseCidrLoose(o)?.family === family && parseCidrLoose(o)?.prefix !== 0);
    return narrower.length > 0 ? {
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
    };
  });
}

/**
 * The ipBlock ranges by which the pods behind a Service admit outside clients on its target ports,
 * when the pods check the client address themselves (see the rule's comment), else undefined.
 */
function podsCheckClients(doc: LintDocument, policiesOf: () => IngressPolicies): string[] | undefined {
  const aws = awsClientAddressOf(doc.obj);
  const addressKept = aws?.ipTargets === true ? aws.preserve === true : doc.obj.spec.externalTrafficPolicy === 'Local';
  if (!addressKept || Object.keys(stringMap(doc.obj.spec.selector)).length === 0) return undefined;
  const indexed = policiesOf();
  const policies = indexed.policiesIn(namespaceOf(doc.obj));
  const pods = servicePods(doc.obj, indexed);
  // Only the workloads shown say which policies may add an allow to some of the pods.
  if (!pods.shown || pods.pods.length === 0) return undefined;
  if (!pods.pods.every(({ endpoint }) => policies.some((p) => policySelects(p, endpoint, pods.shown)))) return undefined;
  const peers = admittingPeers(policies, pods, serviceTargets(doc.obj));
  const open = peers.some(({ peer }) => peer === undefined || (peer.ipBlock !== undefined && (typeof peer.ipBlock !== 'object' || everyAddress(peer.ipBlock))));
  const ranges = [...new Set(peers.filter(({ peer }) => peer?.ipBlock !== undefined).map(({ peer }) => String(peer!.ipBlock.cidr)))];
  return open || ranges.length === 0 ? undefined : ranges;
}
