import { asArray, isObject } from '../document';
import { awsClientAddressOf, loadBalancerServices, sourceRangesOf } from '../load-balancer-services';
import { protocolName } from '../ports';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'loadbalancer-client-ip-hidden';

/**
 * `loadbalancer-client-ip-hidden` (error): a LoadBalancer Service with source ranges whose AWS NLB does
 * not keep the client address: `preserve_client_ip.enabled=false` in the target group attributes, or IP
 * targets (`aws-load-balancer-nlb-target-type: ip`, or the legacy `aws-load-balancer-type: nlb-ip`) without the attribute on a TCP port (off by default
 * for IP targets over TCP and TLS: docs.aws.amazon.com elasticloadbalancing network "Edit target group
 * attributes", client IP preservation). The NLB then sends from its own private addresses: the AWS Load
 * Balancer Controller ignores the source ranges ("This annotation will be ignored in case preserve client
 * IP is not enabled", kubernetes-sigs/aws-load-balancer-controller docs/guide/service/annotations.md,
 * lb-source-ranges), and a pod policy on the ranges sees the NLB instead of the client. The
 * LoadBalancerService construct refuses the first and sets the attribute for IP targets.
 */
export const loadBalancerClientIpHidden: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of loadBalancerServices(ctx.documents)) {
      const { path: rangesPath } = sourceRangesOf(doc.obj);
      const aws = awsClientAddressOf(doc.obj);
      if (rangesPath === undefined || aws === undefined) continue;
      const tcp = asArray(doc.obj.spec.ports).some((p) => isObject(p) && (protocolName(p.protocol) ?? 'TCP') === 'TCP');
      let why: string | undefined;
      let path = aws.attributesPath;
      if (aws.preserve === false) {
        why = 'its target group attributes turn preserve_client_ip.enabled off';
      } else if (aws.preserve === undefined && aws.ipTargets && tcp) {
        why = 'its NLB has IP targets, whose TCP target groups do not keep the client address unless preserve_client_ip.enabled=true';
        path = aws.ipTargetsPath!;
      }
      if (why === undefined) continue;
      out.push({
        doc,
        severity: LintSeverity.ERROR,
        path,
        message: `restricts clients with ${rangesPath}, but ${why}: the NLB sends from its own private addresses, so the AWS Load Balancer `
          + 'Controller ignores the source ranges and the pods (and their NetworkPolicy) see the NLB, not the client',
        fix: 'set preserve_client_ip.enabled=true in service.beta.kubernetes.io/aws-load-balancer-target-group-attributes (LoadBalancerService with '
          + 'LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP }) does)',
      });
    }
    return out;
  },
};
