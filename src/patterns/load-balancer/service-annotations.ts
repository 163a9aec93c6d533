/**
 * The legacy annotation that some load balancer controllers read instead of
 * `spec.loadBalancerSourceRanges` (kubernetes pkg/api/service/annotations.go
 * `AnnotationLoadBalancerSourceRangesKey`: a comma-separated CIDR list, `0.0.0.0/0` "the default";
 * the field wins when both are set, cloud-provider service helpers `GetLoadBalancerSourceRanges`).
 * Internal: the construct refuses it, the lint reads it.
 */
export const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';
