import { AWS_LB_TYPE, AWS_NLB_TARGET_TYPE, AWS_TARGET_GROUP_ATTRIBUTES, withClientIpPreserved } from './aws-annotations';
import { ResolvedAwsHealthCheck, awsHealthCheckAnnotations, resolveAwsHealthCheck } from './aws-health-check';
import { AwsNlbHealthCheck } from './aws-health-check-options';
import { AWS_LB_SCHEME, AZURE_LB_INTERNAL, GKE_LB_TYPE } from './service-annotations';
import { assertNever, propError } from '../../util/errors';
import { StructKeys, requireKnownKeys, requireOneOf, requireProps } from '../../util/guards';

/**
 * How the AWS Load Balancer Controller registers the targets of a Network Load Balancer
 * (annotation `service.beta.kubernetes.io/aws-load-balancer-nlb-target-type`, values `instance` and
 * `ip`: kubernetes-sigs/aws-load-balancer-controller docs/guide/service/annotations.md).
 */
export enum AwsNlbTargetType {
  /**
   * The nodes, on the Service's NodePort; kube-proxy (or the CNI replacing it) forwards to the pods.
   * Works with every CNI. Instance target groups keep the client address (AWS "Edit target group
   * attributes", client IP preservation: enabled by default for instance targets), and with
   * `externalTrafficPolicy: Local` the node does not SNAT it, so the pods' policy sees the client.
   * Under `Cluster` the NLB health-checks the NodePort, which the node forwards to the pods: see
   * `AwsLoadBalancerOptions.healthCheck`.
   */
  INSTANCE = 'instance',
  /**
   * The pod IPs directly (needs VPC-routable pod IPs, e.g. the Amazon VPC CNI or Cilium ENI mode).
   * IP target groups over TCP do not keep the client address by default (the pods would see the
   * NLB's private address, and the controller ignores the source ranges): the construct always
   * sets the target group attribute `preserve_client_ip.enabled=true`.
   */
  IP = 'ip',
}

/** Options of {@link LoadBalancerCloud.aws}. */
export interface AwsLoadBalancerOptions {
  /**
   * How the NLB reaches the pods.
   * @default AwsNlbTargetType.INSTANCE - works with every CNI and keeps the client address with
   * `externalTrafficPolicy: Local`
   */
  readonly targetType?: AwsNlbTargetType;
  /**
   * Where the NLB's health checks reach the pods: the CIDRs of the NLB's subnets, from which it
   * health-checks, and optionally the health-check protocol and path (and, with IP targets, a
   * dedicated port). The Service gets the controller's health-check annotations
   * (`aws-load-balancer-healthcheck-port`, `-protocol`, `-path`), and the pods' policy an allow from the
   * subnets on the health-check port (without a dedicated port: on the target ports, which the subnets
   * then reach too). Without it the policy would drop every health check: all targets unhealthy.
   *
   * Required with IP targets (checked on the pods themselves), and with instance targets under
   * `externalTrafficPolicy: Cluster` (`clientAddressPreservedWithCluster`): the controller's default
   * health-check port is then `traffic-port`, the Service's NodePort, and the node forwards the check to a
   * pod with the NLB's address kept as its source (kubernetes-sigs/aws-load-balancer-controller
   * docs/guide/service/annotations.md, healthcheck-port). Refused with instance targets under `Local`,
   * which the NLB checks on `spec.healthCheckNodePort`, answered on the node, never by the pods; the
   * construct refuses that combination. `port` is refused with instance targets: the NLB would check that
   * port of the node, not of the pods. With instance targets the subnets are admitted on the target ports of
   * the TCP Service ports only; a UDP or SCTP Service port then needs a TCP port of the same number (its
   * TCP checks go to the NodePort they share), or is refused.
   * @default - none: required with `AwsNlbTargetType.IP` and with instance targets under `Cluster`
   */
  readonly healthCheck?: AwsNlbHealthCheck;
}

/** The kinds of {@link LoadBalancerCloud}. */
type LoadBalancerCloudKind = 'generic' | 'aws' | 'gke' | 'azure';

/**
 * Which load balancer implementation provisions the Service, and so which annotations say "internal"
 * and how the client address reaches the nodes or pods. Made by the static factories.
 */
export class LoadBalancerCloud {
  /**
   * No cloud annotations: the cluster's load balancer implementation (MetalLB, Cilium LB IPAM, kube-vip,
   * a cloud's default) provisions the Service as it is configured. An internal load balancer cannot be
   * asked for this way (set `loadBalancerClass`, or pick the cloud).
   */
  public static generic(): LoadBalancerCloud {
    return new LoadBalancerCloud('generic');
  }

  /**
   * An AWS Network Load Balancer provisioned by the AWS Load Balancer Controller (v2.2+):
   * `aws-load-balancer-type: external` (the in-tree controller ignores the Service), the target type,
   * and `aws-load-balancer-scheme` `internal` or `internet-facing`, always written (the controller's
   * default is `internal`). Source: kubernetes-sigs/aws-load-balancer-controller
   * docs/guide/service/nlb.md and annotations.md.
   */
  public static aws(options: AwsLoadBalancerOptions = {}): LoadBalancerCloud {
    const o = requireKnownKeys('LoadBalancerCloud.aws', '', requireProps('LoadBalancerCloud.aws', options, true, 'options'), AWS_KEYS);
    const targetType = o.targetType === undefined ? AwsNlbTargetType.INSTANCE
      : requireOneOf('LoadBalancerCloud.aws', 'targetType', o.targetType, Object.values(AwsNlbTargetType), 'an AwsNlbTargetType');
    let healthCheck: ResolvedAwsHealthCheck | undefined;
    if (targetType === AwsNlbTargetType.IP) {
      if (o.healthCheck === undefined) {
        throw propError('LoadBalancerCloud.aws', 'healthCheck', 'is required with IP targets: the NLB health-checks each pod from its own private '
          + 'addresses in its subnets, which the pods\' policy (admitting only the source ranges) would drop, so every target would be unhealthy '
          + 'and the NLB would fail open to all of them. Give healthCheck: { subnetCidrs: [<the NLB subnets\' CIDRs>] } (and port for a dedicated '
          + 'health-check port)');
      }
      healthCheck = resolveAwsHealthCheck('LoadBalancerCloud.aws', 'healthCheck', o.healthCheck);
    } else if (o.healthCheck !== undefined) {
      // Instance targets: the construct decides with externalTrafficPolicy (required under Cluster, refused under Local).
      healthCheck = resolveAwsHealthCheck('LoadBalancerCloud.aws', 'healthCheck', o.healthCheck);
      if (healthCheck.port !== undefined) {
        // The controller passes a numeric port through as the target group's health-check port (pkg/service/model_build_target_group.go,
        // buildTargetGroupHealthCheckPort): with instance targets, a port of the node, leading to no pod port the policy could name.
        throw propError('LoadBalancerCloud.aws', 'healthCheck.port', `${healthCheck.port}: with instance targets the NLB checks that port on the node, `
          + 'not on the pods, so the pods\' policy cannot tell where it leads. Leave port out: the NLB then checks the traffic port (the Service\'s '
          + 'NodePort, forwarded to the target port, which the policy admits from the subnets)');
      }
    }
    return new LoadBalancerCloud('aws', targetType, healthCheck);
  }

  /**
   * Google Kubernetes Engine: an internal load balancer is asked for with
   * `networking.gke.io/load-balancer-type: "Internal"` (cloud.google.com/kubernetes-engine/docs/how-to/internal-load-balancing);
   * an external one needs no annotation.
   */
  public static gke(): LoadBalancerCloud {
    return new LoadBalancerCloud('gke');
  }

  /**
   * Azure Kubernetes Service (cloud-provider-azure): an internal load balancer is asked for with
   * `service.beta.kubernetes.io/azure-load-balancer-internal: "true"` (learn.microsoft.com/azure/aks/internal-lb,
   * kubernetes-sigs.github.io/cloud-provider-azure/topics/loadbalancer); an external one needs none.
   */
  public static azure(): LoadBalancerCloud {
    return new LoadBalancerCloud('azure');
  }

  /** Which implementation (internal). @internal */
  public readonly _kind: LoadBalancerCloudKind;
  /** The AWS target type (internal). @internal */
  public readonly _awsTargetType?: AwsNlbTargetType;
  /** The health check (IP targets; instance targets under Cluster) (internal). @internal */
  public readonly _awsHealthCheck?: ResolvedAwsHealthCheck;

  private constructor(kind: LoadBalancerCloudKind, awsTargetType?: AwsNlbTargetType, awsHealthCheck?: ResolvedAwsHealthCheck) {
    this._kind = kind;
    this._awsTargetType = awsTargetType;
    this._awsHealthCheck = awsHealthCheck;
  }

  /**
   * Does the load balancer send to the pod IPs directly (no NodePort hop, so no kube-proxy SNAT
   * whatever the `externalTrafficPolicy`)? Internal.
   * @internal
   */
  public get _targetsPods(): boolean {
    return this._kind === 'aws' && this._awsTargetType === AwsNlbTargetType.IP;
  }

  /**
   * The annotations that select this implementation and its scheme, or undefined when an internal
   * load balancer cannot be asked for with annotations (generic). Internal.
   * @internal
   */
  public _annotations(internal: boolean): { [key: string]: string } | undefined {
    switch (this._kind) {
      case 'generic':
        return internal ? undefined : {};
      case 'aws': {
        const annotations: { [key: string]: string } = {
          [AWS_LB_TYPE]: 'external',
          [AWS_NLB_TARGET_TYPE]: this._awsTargetType as string,
          [AWS_LB_SCHEME]: internal ? 'internal' : 'internet-facing',
        };
        if (this._targetsPods) annotations[AWS_TARGET_GROUP_ATTRIBUTES] = withClientIpPreserved([]);
        return this._awsHealthCheck === undefined ? annotations : { ...annotations, ...awsHealthCheckAnnotations(this._awsHealthCheck) };
      }
      case 'gke':
        return internal ? { [GKE_LB_TYPE]: 'Internal' } : {};
      case 'azure':
        return internal ? { [AZURE_LB_INTERNAL]: 'true' } : {};
      default:
        return assertNever(this._kind, 'load balancer cloud');
    }
  }

  /** Readable form for messages: `LoadBalancerCloud.aws({ targetType: ip })`. */
  public toString(): string {
    return this._kind === 'aws' ? `LoadBalancerCloud.aws({ targetType: ${this._awsTargetType} })` : `LoadBalancerCloud.${this._kind}()`;
  }
}

const AWS_KEYS: StructKeys<AwsLoadBalancerOptions> = { targetType: true, healthCheck: true };
