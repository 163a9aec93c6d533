import { InputSite, propError } from '../../util/errors';
import { goParseBool } from '../../util/go-strconv';

/**
 * AWS Load Balancer Controller annotations whose values decide where the NLB sends from, hence what
 * a pod policy on the source ranges sees (kubernetes-sigs/aws-load-balancer-controller
 * docs/guide/service/annotations.md; pkg/service/model_build_target_group.go). Internal.
 */
export const AWS_LB_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
/** The NLB target type (`instance` or `ip`). Internal. */
export const AWS_NLB_TARGET_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
/** Target group attributes, a string map `k=v,k=v` (`preserve_client_ip.enabled`, `proxy_protocol_v2.enabled`, ...). Internal. */
export const AWS_TARGET_GROUP_ATTRIBUTES = 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes';
/** `ipv4` (the controller's default) or `dualstack`. Internal. */
export const AWS_IP_ADDRESS_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-ip-address-type';

/** The target group attribute that decides whether the NLB keeps the client address. Internal. */
export const PRESERVE_CLIENT_IP = 'preserve_client_ip.enabled';

/**
 * The `k=v` pairs of a controller string-map annotation, as the controller splits them (on `,`, then
 * on the first `=`, spaces trimmed), or the message for a pair without `=` (the controller refuses it).
 */
function parseStringMap(value: string): Array<[string, string]> | string {
  const pairs: Array<[string, string]> = [];
  for (const raw of value.split(',')) {
    const pair = raw.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) return `'${pair}' is not a key=value pair (the controller refuses the annotation)`;
    pairs.push([pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()]);
  }
  return pairs;
}

/**
 * What the target group attributes annotation value says of `preserve_client_ip.enabled`: true or
 * false as the controller reads it (Go's strconv.ParseBool: any other value is not true), undefined
 * when the attribute is absent, or the message of a value the controller refuses. Shared with the
 * lint, which reads the same annotation in manifests. Internal.
 */
export function preserveClientIpAttribute(attributes: string): boolean | undefined | string {
  const pairs = parseStringMap(attributes);
  if (typeof pairs === 'string') return pairs;
  const preserve = pairs.find(([key]) => key === PRESERVE_CLIENT_IP);
  return preserve === undefined ? undefined : goParseBool(preserve[1]) === true;
}

/**
 * Check the caller's annotations of a load balancer Service for what would make the NLB hide the
 * client address, whatever the cloud chosen (an annotation is read by whichever controller handles
 * the Service):
 * - `preserve_client_ip.enabled` other than true in the target group attributes: the NLB then sends
 *   from its own private addresses, the controller ignores the source ranges ("This annotation will
 *   be ignored in case preserve client IP is not enabled", annotations.md lb-source-ranges), and a
 *   source range holding the NLB's subnets would admit every client in the pods' policy;
 * - the controller's type or target type outside `LoadBalancerCloud.aws()`: IP targets chosen that way
 *   would not get `preserve_client_ip.enabled=true` (off by default for IP targets over TCP).
 * Returns the target group attributes given (an empty list when none), for the construct to extend.
 * Internal.
 */
export function checkAwsAnnotations(site: InputSite, prop: string, given: { [key: string]: string }, awsCloud: boolean): Array<[string, string]> {
  if (!awsCloud) {
    for (const key of [AWS_LB_TYPE, AWS_NLB_TARGET_TYPE]) {
      if (key in given) {
        throw propError(site, `${prop}.${key}`, 'chooses the AWS load balancer and its targets: use cloud: LoadBalancerCloud.aws({ targetType }), '
          + 'which keeps the client address the pods\' policy checks (IP targets get preserve_client_ip.enabled=true)');
      }
    }
  }
  const attributes = given[AWS_TARGET_GROUP_ATTRIBUTES];
  if (attributes === undefined) return [];
  const pairs = parseStringMap(attributes);
  const at = `${prop}.${AWS_TARGET_GROUP_ATTRIBUTES}`;
  if (typeof pairs === 'string') throw propError(site, at, pairs);
  const preserve = pairs.find(([key]) => key === PRESERVE_CLIENT_IP);
  if (preserve !== undefined && goParseBool(preserve[1]) !== true) {
    throw propError(site, at, `${PRESERVE_CLIENT_IP}=${preserve[1]} makes the NLB send from its own private addresses: the controller then ignores the `
      + 'source ranges, and the pods\' policy would see the NLB instead of the client (a range holding the NLB\'s subnets would admit everyone). '
      + 'Leave the attribute out (the construct turns it on where it is off by default)');
  }
  return pairs;
}

/**
 * The target group attributes annotation value: the caller's pairs with `preserve_client_ip.enabled=true`
 * (replacing the caller's own spelling of it), in the caller's order. Internal.
 */
export function withClientIpPreserved(pairs: ReadonlyArray<[string, string]>): string {
  return [...pairs.filter(([key]) => key !== PRESERVE_CLIENT_IP), [PRESERVE_CLIENT_IP, 'true']].map(([k, v]) => `${k}=${v}`).join(',');
}
