import { parseCidrLoose } from '../../util/cidr';
import { stringMap } from '../../util/vocabulary';
import { jsonPath, LintDocument } from '../document';
import { clientAdmission, clientJudge } from '../load-balancer-clients';
import { ingressPolicies, IngressPolicies, servicePods, serviceTargets } from '../load-balancer-pods';
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
 *   and the analyzer's model of the lint's CNI (../load-balancer-clients: every policy kind it evaluates,
 *   Calico's and Cilium's included; plain NetworkPolicy semantics when no CNI is told) admits to their
 *   target ports some ranges the policies name but no address they leave unnamed. The load balancer
 *   then still accepts every client, which the pods refuse. Where the model cannot tell (an object it
 *   does not evaluate exactly, a Calico or Cilium policy when no CNI is told), the warning says so and
 *   names what is unknown: never a claim that the pods refuse clients. Info
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
    for (const doc of loadBalancerServices(ctx.documents)) {
      const { ranges, path } = sourceRangesOf(doc.obj);
      if (path === undefined) {
        out.push(withoutRanges(doc, ctx, () => (policies ??= ingressPolicies(ctx.documents))));
      } else {
        out.push(...wideRanges(doc, ranges, path));
      }
    }
    return out;
  },
};

/**
 * The finding on a Service without source ranges: internal (info), open but with pods whose policies check the
 * clients (info), open where the analyzer cannot tell whether they do (warning, saying so), else open (warning).
 */
function withoutRanges(doc: LintDocument, ctx: LintContext, policies: () => IngressPolicies): RuleReport {
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
  const checked = podsCheckClients(doc, ctx, policies);
  if (checked?.uncertain !== undefined) {
    return {
      doc,
      severity: LintSeverity.WARNING,
      path: 'spec',
      message: 'is a LoadBalancer Service without spec.loadBalancerSourceRanges, so the load balancer accepts every address; the analysis cannot '
        + `tell whether the pods' policies refuse some outside clients: ${checked.uncertain.join('; ')}`,
      fix: `${FIX_RANGES}; or show the pods' policies in the manifests and lint with the cluster's CNI (PolicyLintOptions.cni)`,
    };
  }
  if (checked !== undefined) {
    return {
      doc,
      severity: LintSeverity.INFO,
      path: 'spec',
      message: 'is a LoadBalancer Service without spec.loadBalancerSourceRanges, so the load balancer accepts every address; the pods\' '
        + `policies admit outside clients only from ${checked.ranges.join(', ')}, and see the client address`,
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

/** What the pods' policies tell of the outside clients: they admit only `ranges`, or the analyzer cannot tell (`uncertain`). */
type PodsCheck = { readonly ranges: readonly string[]; readonly uncertain?: undefined } | { readonly uncertain: readonly string[] };

/**
 * Do the pods behind a Service check the client address themselves (see the rule's comment)? The
 * admitted ranges when every answer of the analyzer's model of the lint's CNI is definite, no address
 * the policies leave unnamed is admitted and some range is; what is unknown when some answer is
 * indeterminate; else undefined (the pods do not see the client, are not the manifests' workloads, or
 * admit every client).
 */
function podsCheckClients(doc: LintDocument, ctx: LintContext, policiesOf: () => IngressPolicies): PodsCheck | undefined {
  const aws = awsClientAddressOf(doc.obj);
  const addressKept = aws?.ipTargets === true ? aws.preserve === true : doc.obj.spec.externalTrafficPolicy === 'Local';
  if (!addressKept || Object.keys(stringMap(doc.obj.spec.selector)).length === 0) return undefined;
  const indexed = policiesOf();
  const pods = servicePods(doc.obj, indexed);
  // Only the workloads shown say which policies select every pod (a stand-in pod may be selected where some real pod is not).
  if (!pods.shown || pods.pods.length === 0) return undefined;
  const admission = clientAdmission(clientJudge(ctx.documents, ctx.cni, indexed, ctx.ipFamilies), pods, serviceTargets(doc.obj));
  if (!admission.asked || admission.open) return undefined;
  if (admission.uncertain.length > 0) return { uncertain: admission.uncertain };
  return admission.ranges.length > 0 ? { ranges: admission.ranges } : undefined;
}
