import { AwsNlbTargetType, LoadBalancerCloud } from './load-balancer-cloud';
import { ResolvedLoadBalancerPort } from './port-validation';
import { Protocol } from '../../policy/protocol';
import { InputSite, propError } from '../../util/errors';

/** The load balancer class of the AWS Load Balancer Controller's NLBs. */
const AWS_NLB_CLASS = 'service.k8s.aws/nlb';

/**
 * Check that the health checks of a load balancer that targets nodes reach what answers them, given
 * the Service's `externalTrafficPolicy` (`cluster`: Cluster, with the client address kept, as the
 * construct allows it only then). Internal.
 *
 * Under `Local`, Kubernetes allocates `spec.healthCheckNodePort` (only then: the ServiceSpec field
 * "only applies when type is set to LoadBalancer and externalTrafficPolicy is set to Local"), answered by
 * kube-proxy or the CNI replacing it on the node: the pods never see the checks. Under `Cluster` each
 * cloud checks something else:
 * - AWS NLB, instance targets: the controller's default health-check port is `traffic-port` (the
 *   Service's NodePort) outside `Local` (kubernetes-sigs/aws-load-balancer-controller
 *   docs/guide/service/annotations.md, healthcheck-port). The node forwards the check like traffic, to a
 *   pod, and on a datapath that keeps the source (Cilium DSR, cilium/cilium
 *   Documentation/network/kubernetes/kubeproxy-free.rst) the pod sees the NLB's private address, which a
 *   policy admitting only the client ranges drops: every node unhealthy. Hence `healthCheck.subnetCidrs`
 *   is required, and admitted on the target ports of the TCP Service ports (a UDP or SCTP port needs a TCP
 *   port of the same number: checkNonTcpTrafficPorts).
 * - Azure (cloud-provider-azure pkg/provider/azure_loadbalancer_healthprobe.go): per-port probes on the
 *   Service's NodePort, which reach the pods the same way, unless the cluster uses the shared probe on
 *   kube-proxy's port 10256 (`clusterServiceLoadBalancerHealthProbeMode: shared`), which the ClusterNetwork
 *   does not record: refused (fail closed).
 * - GKE: a node health check on kube-proxy's port 10256, path `/healthz` (the GCE cloud provider,
 *   k8s.io/legacy-cloud-providers gce/gce_healthchecks.go, `lbNodesHealthCheckPort`; the design in
 *   kubernetes/community design-proposals/gcp/gce-l4-loadbalancer-healthcheck.md), answered on the node:
 *   nothing to admit at the pods.
 * - generic: the implementation is unknown (MetalLB and Cilium's LB IPAM do not health-check); a health
 *   check of the pods needs its own allow. Except `loadBalancerClass: service.k8s.aws/nlb`, the AWS Load
 *   Balancer Controller with instance targets as above: refused (LoadBalancerCloud.aws() says it).
 */
export function checkClusterHealthChecks(
  site: InputSite, cloud: LoadBalancerCloud, cluster: boolean, ports: readonly ResolvedLoadBalancerPort[], loadBalancerClass: string | undefined,
): void {
  if (cluster && cloud._kind === 'generic' && loadBalancerClass === AWS_NLB_CLASS) {
    // The AWS Load Balancer Controller's class without LoadBalancerCloud.aws(): its default target type, instance (the
    // controller's --default-target-type; the target-type annotation is refused on a generic cloud), health-checked on
    // the traffic port under Cluster, as above, with nothing admitting the checks.
    throw propError(site, 'loadBalancerClass', `${AWS_NLB_CLASS} under externalTrafficPolicy Cluster: the AWS Load Balancer Controller makes an NLB `
      + 'with instance targets, which it health-checks on the Service\'s NodePort (traffic-port); the node forwards the check to a pod with the NLB\'s '
      + 'private address kept as its source, which the pods\' policy (admitting only the source ranges) drops, so every target would be unhealthy. '
      + 'Use cloud: LoadBalancerCloud.aws({ healthCheck: { subnetCidrs: [<the NLB subnets\' CIDRs>] } }), or keep the default Local');
  }
  if (cloud._kind === 'aws' && cloud._awsTargetType === AwsNlbTargetType.INSTANCE) {
    if (!cluster && cloud._awsHealthCheck !== undefined) {
      throw propError(site, 'cloud.healthCheck', 'with instance targets and externalTrafficPolicy Local the NLB health-checks each node on the Service\'s '
        + 'healthCheckNodePort, answered by kube-proxy (or the CNI replacing it) on the node, never by the pods: an allow for the subnets would only '
        + 'open the pods to them. Remove healthCheck (it is for IP targets, and for instance targets under externalTrafficPolicy Cluster)');
    }
    if (cluster && cloud._awsHealthCheck === undefined) {
      throw propError(site, 'cloud.healthCheck', 'is required with instance targets under externalTrafficPolicy Cluster: the NLB then health-checks each '
        + 'node on the Service\'s NodePort (traffic-port; healthCheckNodePort exists only under Local), the node forwards the check to a pod with the '
        + 'NLB\'s private address kept as its source, and the pods\' policy (admitting only the source ranges) drops it, so every target would be '
        + 'unhealthy. Give LoadBalancerCloud.aws({ healthCheck: { subnetCidrs: [<the NLB subnets\' CIDRs>] } }), or keep the default Local');
    }
    if (cluster) checkNonTcpTrafficPorts(site, ports);
    return;
  }
  if (cluster && cloud._kind === 'azure') {
    throw propError(site, 'externalTrafficPolicy', 'Cluster on Azure: the load balancer probes each node on the Service\'s NodePort (cloud-provider-azure\'s '
      + 'per-port probes) unless the cluster uses the shared kube-proxy probe (clusterServiceLoadBalancerHealthProbeMode shared), which the '
      + 'ClusterNetwork does not record; a NodePort probe reaches a pod with the probe\'s own address kept as its source, which the pods\' policy '
      + '(admitting only the source ranges) drops, so every node would be unhealthy. Keep the default Local (probed on healthCheckNodePort, on the node)');
  }
}

/**
 * Instance targets under `Cluster`: the health check of a UDP (or SCTP) target group is TCP, HTTP or
 * HTTPS on the traffic port, i.e. over TCP to that Service port's NodePort (the controller's health-check
 * protocols; kubernetes-sigs/aws-load-balancer-controller#2144: "UDP target groups still require
 * TCP/HTTP/HTTPS based health check", working under Local through healthCheckNodePort). Something answers
 * TCP on that NodePort only when a TCP port of the Service has the same `port` number: Kubernetes
 * allocates one NodePort to Service ports sharing a port number (kubernetes/kubernetes
 * pkg/registry/core/service/storage/alloc.go, initNodePorts), and the check then reaches that TCP
 * port's target port. Otherwise every node is unhealthy and the NLB fails open (sends to all of them).
 */
function checkNonTcpTrafficPorts(site: InputSite, ports: readonly ResolvedLoadBalancerPort[]): void {
  const tcpPorts = new Set(ports.filter(({ servicePort: s }) => s.protocol === Protocol.TCP).map(({ servicePort: s }) => s.port));
  ports.forEach(({ servicePort: { port, protocol } }, i) => {
    if (protocol === Protocol.TCP || tcpPorts.has(port)) return;
    throw propError(site, `ports[${i}].protocol`, `${protocol} on port ${port} with instance targets under externalTrafficPolicy Cluster: the NLB `
      + `health-checks a ${protocol} target group over TCP on its traffic port, the Service port's NodePort, where nothing answers TCP unless a TCP `
      + 'port of the Service has the same port number (Kubernetes then gives both one NodePort): every node would be unhealthy and the NLB would '
      + `fail open. Add a TCP port ${port} to the Service (its target port then answers the checks), or keep the default Local (checked on `
      + 'healthCheckNodePort, on the node)');
  });
}
