/**
 * Reading Services of `type: LoadBalancer` in manifests (internal to the lint): their source ranges as
 * the load balancer controllers read them, and what the AWS Load Balancer Controller's annotations say
 * of the client address. The annotation facts are the LoadBalancerService construct's
 * (patterns/load-balancer), so the construct and the lint agree on them.
 */
import { LintDocument, isKind, isObject, jsonKey } from './document';
import { AWS_LB_TYPE, AWS_NLB_TARGET_TYPE, AWS_TARGET_GROUP_ATTRIBUTES, preserveClientIpAttribute } from '../patterns/load-balancer/aws-annotations';
import {
  AWS_LB_INTERNAL, AWS_LB_SCHEME, AZURE_LB_INTERNAL, GKE_LB_TYPE, SOURCE_RANGES_ANNOTATION,
} from '../patterns/load-balancer/service-annotations';
import { stringMap } from '../util/vocabulary';

/** Is the object a core v1 Service of `type: LoadBalancer`? */
function isLoadBalancerService(obj: unknown): boolean {
  return isKind(obj, '', 'Service') && isObject((obj as any).spec) && (obj as any).spec.type === 'LoadBalancer';
}

/** The source ranges of a load balancer Service, with where they were read. */
export interface SourceRanges {
  /** The ranges (strings as written; empty when none is set anywhere). */
  readonly ranges: readonly string[];
  /** `spec.loadBalancerSourceRanges`, the annotation's path, or undefined when neither is set. */
  readonly path?: string;
}

/**
 * The ranges the controllers apply: `spec.loadBalancerSourceRanges` when it lists any, else the legacy
 * annotation's comma-separated list (service-annotations.ts), else none (every address).
 */
export function sourceRangesOf(obj: any): SourceRanges {
  const spec = obj.spec.loadBalancerSourceRanges;
  if (Array.isArray(spec) && spec.length > 0) {
    return { ranges: spec.filter((r): r is string => typeof r === 'string').map((r) => r.trim()), path: 'spec.loadBalancerSourceRanges' };
  }
  const annotation = stringMap(obj.metadata?.annotations)[SOURCE_RANGES_ANNOTATION];
  const ranges = annotation === undefined ? [] : annotation.split(',').map((r) => r.trim()).filter((r) => r !== '');
  return ranges.length > 0 ? { ranges, path: `metadata.annotations${jsonKey(SOURCE_RANGES_ANNOTATION)}` } : { ranges: [] };
}

/** What the AWS Load Balancer Controller's annotations say of the client address of a Service. */
export interface AwsClientAddress {
  /**
   * The NLB registers the pod IPs: no node hop, no kube-proxy SNAT. `aws-load-balancer-nlb-target-type:
   * ip`, or the legacy `aws-load-balancer-type: nlb-ip`, which asks the AWS Load Balancer Controller for
   * IP targets by itself (kubernetes-sigs/aws-load-balancer-controller docs v2.1 guide/service/nlb_ip_mode).
   */
  readonly ipTargets: boolean;
  /** The annotation that asks for IP targets (`metadata.annotations[...]`), when `ipTargets`. */
  readonly ipTargetsPath?: string;
  /**
   * `preserve_client_ip.enabled` as the controller reads it: true, false, or undefined when not set
   * (the AWS default then applies: on for instance targets and for UDP, off for IP targets over TCP and
   * TLS; docs.aws.amazon.com elasticloadbalancing network "Edit target group attributes", client IP preservation).
   */
  readonly preserve?: boolean;
  /** The path of the attributes annotation. */
  readonly attributesPath: string;
}

/**
 * The AWS client-address settings of a Service's annotations; undefined when it has neither AWS
 * annotation read here, an unreadable attributes value, or a load balancer class of another
 * implementation (see {@link otherLoadBalancerClass}).
 */
export function awsClientAddressOf(obj: any): AwsClientAddress | undefined {
  if (otherLoadBalancerClass(obj)) return undefined;
  const annotations = stringMap(obj.metadata?.annotations);
  const attributes = annotations[AWS_TARGET_GROUP_ATTRIBUTES];
  const targetType = annotations[AWS_NLB_TARGET_TYPE];
  const nlbIp = annotations[AWS_LB_TYPE] === 'nlb-ip';
  if (attributes === undefined && targetType === undefined && !nlbIp) return undefined;
  const preserve = attributes === undefined ? undefined : preserveClientIpAttribute(attributes);
  if (typeof preserve === 'string') return undefined;
  const ipTargetsPath = nlbIp ? `metadata.annotations${jsonKey(AWS_LB_TYPE)}`
    : targetType === 'ip' ? `metadata.annotations${jsonKey(AWS_NLB_TARGET_TYPE)}` : undefined;
  return {
    ipTargets: ipTargetsPath !== undefined,
    ...(ipTargetsPath !== undefined ? { ipTargetsPath } : {}),
    preserve,
    attributesPath: `metadata.annotations${jsonKey(AWS_TARGET_GROUP_ATTRIBUTES)}`,
  };
}

/** The load balancer Services among the documents. */
export function loadBalancerServices(documents: readonly LintDocument[]): LintDocument[] {
  return documents.filter((d) => isLoadBalancerService(d.obj));
}

/** The load balancer class of the AWS Load Balancer Controller's NLBs. */
const AWS_NLB_CLASS = 'service.k8s.aws/nlb';

/**
 * Does the Service name a `spec.loadBalancerClass` other than the AWS Load Balancer Controller's
 * (MetalLB, kube-vip, Cilium's LB IPAM, ...)? The cloud providers' default implementations then ignore
 * it (core/v1 ServiceSpec.loadBalancerClass: "Any default load balancer implementation (e.g. cloud
 * providers) should ignore Services that set this field"; KEP-1959), so their annotations say nothing.
 */
function otherLoadBalancerClass(obj: any): boolean {
  const cls = obj.spec?.loadBalancerClass;
  return typeof cls === 'string' && cls !== '' && cls !== AWS_NLB_CLASS;
}

/**
 * Why the Service's load balancer is internal (only addresses of the cloud network reach it), or
 * undefined when its annotations do not say so:
 * - `aws-load-balancer-scheme: internal`; and for a Service the AWS Load Balancer Controller handles
 *   (`aws-load-balancer-type` `external` or `nlb-ip`, or `loadBalancerClass: service.k8s.aws/nlb`)
 *   without a scheme, its default `internal` (or the deprecated `aws-load-balancer-internal`);
 *   kubernetes-sigs/aws-load-balancer-controller docs/guide/service/annotations.md lb-scheme, lb-internal;
 * - the in-tree AWS provider's `aws-load-balancer-internal: "true"`;
 * - GKE's `networking.gke.io/load-balancer-type: Internal`; AKS's `azure-load-balancer-internal: "true"`.
 * None of them for a Service of another implementation's class ({@link otherLoadBalancerClass}).
 */
export function internalLoadBalancer(obj: any): string | undefined {
  if (otherLoadBalancerClass(obj)) return undefined;
  const a = stringMap(obj.metadata?.annotations);
  const lbc = a[AWS_LB_TYPE] === 'external' || a[AWS_LB_TYPE] === 'nlb-ip' || obj.spec?.loadBalancerClass === AWS_NLB_CLASS;
  if (a[AWS_LB_SCHEME] !== undefined) return a[AWS_LB_SCHEME] === 'internal' ? `${AWS_LB_SCHEME}: internal` : undefined;
  if (a[AWS_LB_INTERNAL] === 'true') return `${AWS_LB_INTERNAL}: "true"`;
  if (lbc && a[AWS_LB_INTERNAL] === undefined) return 'the AWS Load Balancer Controller\'s default scheme, internal';
  if (a[GKE_LB_TYPE] === 'Internal') return `${GKE_LB_TYPE}: Internal`;
  if (a[AZURE_LB_INTERNAL] === 'true') return `${AZURE_LB_INTERNAL}: "true"`;
  return undefined;
}
