/**
 * The protocol of an AWS NLB target group's health check (annotation
 * `service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol`; the AWS Load Balancer
 * Controller accepts these three, pkg/service/model_build_target_group.go). Every one of them is a
 * TCP connection to the target, whatever the protocol of the traffic.
 */
export enum AwsHealthCheckProtocol {
  /** A TCP connection that opens counts as healthy. */
  TCP = 'TCP',
  /** An HTTP GET of `path`. */
  HTTP = 'HTTP',
  /** An HTTPS GET of `path` (the NLB does not check the certificate). */
  HTTPS = 'HTTPS',
}

/**
 * How an AWS NLB health-checks the pods, and from where: IP targets directly, instance targets under
 * `externalTrafficPolicy: Cluster` through the Service's NodePort (the node forwards the check to a pod
 * with its source kept, on the datapaths `clientAddressPreservedWithCluster` acknowledges). The NLB sends its health
 * checks from its own private addresses in its subnets, not from the clients, so the pods' policy
 * (which admits only `allowedSourceRanges`) must admit those subnets on the health-check port;
 * otherwise every target is unhealthy and the NLB fails open (it then sends to every target, ready
 * or not: docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html).
 * Health checks are unauthenticated plaintext: in a meshed namespace an HTTP or HTTPS one must be
 * admitted by the mesh too (LoadBalancerService checks it); a TCP one only needs the handshake, which
 * the pod's proxy completes itself.
 */
export interface AwsNlbHealthCheck {
  /**
   * The CIDRs of the subnets the NLB runs in (its private addresses are drawn from them; the AWS
   * Load Balancer Controller opens the nodes' security groups to the same subnets for its health
   * checks, pkg/service/model_build_target_group.go). The pods' policy admits them on the
   * health-check port only (on every target port when `port` is not given). They must be outside
   * the pod CIDRs (an allow from a pod CIDR would admit pods: give the NLB subnets of its own), not
   * every address, not the metadata addresses, and of the cluster's IP families.
   */
  readonly subnetCidrs: string[];
  /**
   * A dedicated health-check port on the pods (a container port number). The subnets then reach
   * that port only. IP targets only: with instance targets the NLB would check that port on the node.
   * @default - the traffic port (`traffic-port`): the subnets reach every target port of the
   * Service, as the clients in the ranges do
   */
  readonly port?: number;
  /**
   * The health-check protocol.
   * @default AwsHealthCheckProtocol.TCP - the controller's default under `externalTrafficPolicy: Cluster`
   */
  readonly protocol?: AwsHealthCheckProtocol;
  /**
   * The path of an HTTP or HTTPS health check (starting with `/`, at most 1024 printable ASCII
   * characters). Not with TCP, which has no path.
   * @default '/' with HTTP and HTTPS (the controller's default)
   */
  readonly path?: string;
}
