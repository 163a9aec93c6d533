/**
 * The legacy annotation that some load balancer controllers read instead of
 * `spec.loadBalancerSourceRanges` (kubernetes pkg/api/service/annotations.go
 * `AnnotationLoadBalancerSourceRangesKey`: a comma-separated CIDR list, `0.0.0.0/0` "the default";
 * the field wins when both are set, cloud-provider service helpers `GetLoadBalancerSourceRanges`).
 * Internal: the construct refuses it, the lint reads it.
 */
export const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/** AWS Load Balancer Controller: `internal` or `internet-facing`; its default is `internal` (docs/guide/service/annotations.md, lb-scheme). Internal. */
export const AWS_LB_SCHEME = 'service.beta.kubernetes.io/aws-load-balancer-scheme';
/** The deprecated AWS spelling (`"true"`), read by the in-tree provider and by the AWS Load Balancer Controller when no scheme is given. Internal. */
export const AWS_LB_INTERNAL = 'service.beta.kubernetes.io/aws-load-balancer-internal';
/** GKE's internal passthrough load balancer (`"Internal"`). Internal. */
export const GKE_LB_TYPE = 'networking.gke.io/load-balancer-type';
/** AKS (cloud-provider-azure) internal load balancer (`"true"`). Internal. */
export const AZURE_LB_INTERNAL = 'service.beta.kubernetes.io/azure-load-balancer-internal';
