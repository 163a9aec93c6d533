import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AWS_IP_ADDRESS_TYPE, AWS_TARGET_GROUP_ATTRIBUTES, checkAwsAnnotations, withClientIpPreserved } from './aws-annotations';
import { AWS_HC_PORT } from './aws-health-check';
import { AwsHealthCheckProtocol } from './aws-health-check-options';
import { checkClusterHealthChecks } from './cluster-health-checks';
import { LoadBalancerCloud } from './load-balancer-cloud';
import { LoadBalancerPort } from './load-balancer-port';
import { MeshAdmittedPort, MeshClientRange, meshRefusals } from './mesh-admission';
import { ResolvedLoadBalancerPort, resolveLoadBalancerPorts } from './port-validation';
import { SOURCE_RANGES_ANNOTATION } from './service-annotations';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { IpFamily } from '../../cluster/ip-family';
import { checkClusterFamily } from '../../cluster/ip-family-check';
import { KubeProxyMode } from '../../cluster/kube-proxy-mode';
import { isIpv4Mapped } from '../../policy/cidr-validation';
import { Peer } from '../../policy/peer';
import { Port } from '../../policy/port';
import { Protocol } from '../../policy/protocol';
import { TrafficPolicy } from '../../policy/traffic-policy';
import { keepAppObjectsPerWalk } from '../../util/app-objects';
import { ParsedCidr, cidrInFamily, cidrsOverlap, parseCidr } from '../../util/cidr';
import { propError } from '../../util/errors';
import {
  StructKeys, requireInstance, requireKnownKeys, requireOneOf, requireOptionalBoolean, requireOptionalOneOf, requireOptionalString,
  requireOptionalStringArray, requireOptionalStringMap, requireProps, requireString, requireStringMap,
} from '../../util/guards';
import { registerObject } from '../../util/object-registry';
import { isQualifiedName, validateAnnotations, validateCidr, validateDnsLabel, validateLabels } from '../../util/validate';
import { podCidrExcepts } from '../pod-cidr-excepts';
import { sharedNamespaceUse } from '../shared-namespaces';

/**
 * Where a load balancer Service delivers external traffic (`spec.externalTrafficPolicy`,
 * kubernetes.io "Virtual IPs and Service Proxies", traffic policies).
 */
export enum ExternalTrafficPolicy {
  /**
   * Only to pods on the node the traffic arrives at; with node targets, nodes without a ready pod
   * fail the load balancer's health check on `spec.healthCheckNodePort` and get no traffic (AWS NLB
   * IP targets are sent to and health-checked on the pods themselves). The node does not
   * SNAT, so the pods (and their NetworkPolicy) see the client's address.
   */
  LOCAL = 'Local',
  /**
   * To any ready pod of the cluster. A node that forwards to a pod on another node SNATs the packet
   * to its own address (kube-proxy; Cilium's kube-proxy replacement too, in its default SNAT mode),
   * so the pods see a node address rather than the client.
   */
  CLUSTER = 'Cluster',
}

/** `spec.ipFamilyPolicy` of a Service (kubernetes.io "IPv4/IPv6 dual-stack"). */
export enum ServiceIpFamilyPolicy {
  /** One IP family: the first of the cluster's. */
  SINGLE_STACK = 'SingleStack',
  /** Both families where the cluster has them, one otherwise. */
  PREFER_DUAL_STACK = 'PreferDualStack',
  /** Both families; the API server refuses the Service on a single-stack cluster. */
  REQUIRE_DUAL_STACK = 'RequireDualStack',
}

/** Props of {@link LoadBalancerService}. */
export interface LoadBalancerServiceProps {
  /** The namespace of the pods and of the Service (not a kube-* namespace or the cluster DNS's). */
  readonly namespace: string;
  /** Labels of the pods the Service sends to (at least one label: an empty selector is every pod of the namespace). */
  readonly podSelector: { [key: string]: string };
  /** The ports published (at least one). */
  readonly ports: LoadBalancerPort[];
  /**
   * The client address ranges (CIDRs, IPv4 or IPv6 of the cluster's families) that may connect:
   * `spec.loadBalancerSourceRanges` of the Service (enforced by the cloud load balancer or the
   * node's proxy) and the ingress allow of the pods' NetworkPolicy (enforced by the CNI at the pod).
   * Required unless `allowFromAnywhere`. Ranges may not touch the cloud metadata addresses; `0.0.0.0/0`
   * and `::/0` are said with `allowFromAnywhere`.
   * @default - none: `allowFromAnywhere` must say so
   */
  readonly allowedSourceRanges?: string[];
  /**
   * Every address may connect (a public service): the Service and the policy admit `0.0.0.0/0`
   * (and `::/0` on IPv6 clusters, except behind an IPv4-only AWS NLB: no `aws-load-balancer-ip-address-type:
   * dualstack`). The explicit acknowledgement instead of `allowedSourceRanges`.
   * @default false
   */
  readonly allowFromAnywhere?: boolean;
  /**
   * Where external traffic goes. `Local` keeps the client address, which the NetworkPolicy checks
   * against `allowedSourceRanges`. With `Local` and node targets, the load balancer health-checks
   * each node on `spec.healthCheckNodePort` (Kubernetes allocates it): that probe is answered by
   * kube-proxy (or the CNI replacing it) on the node, not by the pods, so no pod policy admits it;
   * node firewalls (security groups, Calico host endpoints) must. AWS NLB IP targets are checked on
   * the pods instead, from the subnets their `healthCheck` names.
   * @default ExternalTrafficPolicy.LOCAL
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /**
   * With `externalTrafficPolicy: Cluster`, acknowledge that the client address still reaches the
   * pods on this cluster: otherwise the source-range policy would drop every connection forwarded
   * through another node. Cilium's kube-proxy replacement keeps it in DSR mode (`loadBalancer.mode:
   * dsr`; `hybrid` only for TCP, UDP is still SNATed), not in its default `snat` mode
   * (cilium/cilium Documentation/network/kubernetes/kubeproxy-free.rst, "Direct Server Return").
   * The ClusterNetwork does not record the Cilium load balancer mode, hence the acknowledgement.
   * Refused where the ClusterNetwork runs kube-proxy (`kubeProxyMode` iptables or ipvs), which SNATs
   * all external traffic of a `Cluster` Service.
   * Not needed with `LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP })`, whose NLB sends to
   * the pod IPs.
   * The load balancer's health checks then reach the pods through the NodePort, with their source kept too:
   * AWS instance targets need `LoadBalancerCloud.aws({ healthCheck: { subnetCidrs } })` (admitted on the
   * target ports of the TCP Service ports; a UDP or SCTP port needs a TCP port of the same number); Azure is refused (its per-port probes go to the NodePort unless the cluster uses the
   * shared kube-proxy probe, which the ClusterNetwork does not record); GKE checks kube-proxy's port 10256
   * on the node. A generic load balancer that health-checks the NodePort needs its own allow for it; the
   * AWS Load Balancer Controller's class (`loadBalancerClass: service.k8s.aws/nlb`) without
   * `LoadBalancerCloud.aws()` is refused (instance targets, checked through the NodePort).
   * @default false
   */
  readonly clientAddressPreservedWithCluster?: boolean;
  /**
   * An internal load balancer (an address of the cloud network, not of the internet). Needs a `cloud`
   * that has an annotation for it.
   * @default false
   */
  readonly internal?: boolean;
  /**
   * Which load balancer implementation provisions the Service (its annotations).
   * @default LoadBalancerCloud.generic() - no annotations
   */
  readonly cloud?: LoadBalancerCloud;
  /**
   * `spec.loadBalancerClass` (e.g. `service.k8s.aws/nlb`, `io.cilium/l2-announcer`): which load
   * balancer controller handles the Service. Immutable once the Service exists.
   * @default - the cluster's default load balancer implementation
   */
  readonly loadBalancerClass?: string;
  /**
   * `spec.ipFamilyPolicy`. Dual-stack policies set `spec.ipFamilies` to the ClusterNetwork's families.
   * @default - unset: Kubernetes' SingleStack with the cluster's first family
   */
  readonly ipFamilyPolicy?: ServiceIpFamilyPolicy;
  /**
   * `metadata.name` of the Service (a DNS-1035 label); the policy is `<name>-from-load-balancer`.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * More annotations for the Service (TLS certificates, health check settings, ...). They may not
   * set an annotation the construct writes, except more target group attributes on AWS IP targets
   * (joined with `preserve_client_ip.enabled=true`). Refused, since the pods would no longer see the
   * client address: `preserve_client_ip.enabled` other than true, and the AWS controller's type or
   * target type outside `LoadBalancerCloud.aws()`. Refused too on AWS instance targets (and a generic
   * cloud): `aws-load-balancer-healthcheck-port`, which would move the NLB's checks onto a port the node
   * forwards to the pods (the construct sets it with `LoadBalancerCloud.aws({ healthCheck })`).
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

const PROPS_KEYS: StructKeys<LoadBalancerServiceProps> = {
  namespace: true,
  podSelector: true,
  ports: true,
  allowedSourceRanges: true,
  allowFromAnywhere: true,
  externalTrafficPolicy: true,
  clientAddressPreservedWithCluster: true,
  internal: true,
  cloud: true,
  loadBalancerClass: true,
  ipFamilyPolicy: true,
  name: true,
  annotations: true,
};

/** The policy peer of an admitted block. */
function peerOf(r: { block: ParsedCidr; except: string[] }): Peer {
  return r.except.length > 0 ? Peer.cidr(r.block.text, r.except) : Peer.cidr(r.block.text);
}

/**
 * The ports the source-range policy admits: the target ports, which the policy sees after the
 * Service's DNAT (NETWORKING-FACTS NetworkPolicy 3), once each (two Service ports may share a target port).
 */
function podPortsOf(ports: ResolvedLoadBalancerPort[]): Port[] {
  const podPorts = new Map<string, Port>();
  for (const port of ports) podPorts.set(port.podPort.toString(), port.podPort);
  return [...podPorts.values()];
}

/**
 * The pod ports the NLB health-checks: the dedicated port, else each target group's own target port
 * (`traffic-port`), once each. Always TCP: TCP, HTTP and HTTPS checks all connect over TCP, also for a
 * UDP target group (the controller opens its health-check security group rules as TCP,
 * pkg/service/model_build_target_group.go). With instance targets the traffic port is the NodePort,
 * which forwards TCP only to the target ports of TCP Service ports (a UDP port's TCP check reaches the
 * TCP port sharing its NodePort, see cluster-health-checks): the TCP ports' target ports only.
 */
function healthCheckPorts(cloud: LoadBalancerCloud, ports: ResolvedLoadBalancerPort[]): Port[] {
  const hc = cloud._awsHealthCheck!;
  if (hc.port !== undefined) return [Port.tcp(hc.port)];
  const seen = new Map<string, Port>();
  for (const { servicePort: { targetPort, protocol } } of ports) {
    if (!cloud._targetsPods && protocol !== Protocol.TCP) continue;
    const port = typeof targetPort === 'number' ? Port.tcp(targetPort) : Port.named(targetPort, Protocol.TCP);
    seen.set(port.toString(), port);
  }
  return [...seen.values()];
}

/**
 * The pod ports where the mesh must accept plaintext from outside it, with the addresses that traffic comes from: the target
 * ports (the clients, from `ranges`), and the ports of an HTTP or HTTPS health check (from `healthCheckSources`; a TCP one passes
 * whatever the mesh decides: the pod's proxy completes the handshake before its policy runs).
 */
function meshAdmittedPorts(podPorts: Port[], cloud: LoadBalancerCloud, ports: ResolvedLoadBalancerPort[],
  ranges: readonly MeshClientRange[], healthCheckSources: readonly MeshClientRange[]): MeshAdmittedPort[] {
  const admitted = new Map<string, MeshAdmittedPort>();
  for (const port of podPorts) admitted.set(port.toString(), { port, from: 'the load balancer\'s clients', clients: ranges });
  const hc = cloud._awsHealthCheck;
  if (hc !== undefined && hc.protocol !== AwsHealthCheckProtocol.TCP) {
    for (const port of healthCheckPorts(cloud, ports)) {
      const known = admitted.get(port.toString());
      admitted.set(port.toString(), known
        ? { port, from: 'the load balancer\'s clients and the NLB\'s health checks', clients: [...known.clients, ...healthCheckSources] }
        : { port, from: 'the NLB\'s health checks', clients: healthCheckSources });
    }
  }
  return [...admitted.values()];
}

/** DNS-1035 label: what Kubernetes requires of Service names (a DNS-1123 label that starts with a letter). */
const DNS1035_START = /^[a-z]/;

/**
 * Pods of a namespace published through a Service of type LoadBalancer, safely: only the given client
 * ranges may connect, checked twice: by the load balancer (`spec.loadBalancerSourceRanges`) and by
 * a policy on the pods (an ingress allow from the same ranges on the target ports, rendered for the
 * ClusterNetwork's CNI), so a load balancer that ignores the ranges, or a path around it (NodePort,
 * another Service selecting the pods), does not open the pods to everyone.
 *
 * `externalTrafficPolicy` defaults to `Local`, which keeps the client address so that the policy can
 * check it; `Cluster` is refused unless the load balancer sends to pod IPs (AWS NLB IP targets) or
 * the caller acknowledges that the datapath keeps the address. The pod policy isolates the pods'
 * ingress: other flows to them need their own allows (policies add up).
 *
 * AWS NLB IP targets are health-checked from the NLB's subnets: `LoadBalancerCloud.aws({ targetType:
 * AwsNlbTargetType.IP, healthCheck: { subnetCidrs } })` adds an allow from them on the health-check port.
 * So are instance targets under `Cluster`, through the NodePort (`healthCheck` required there, refused
 * under `Local`, where the NLB checks `spec.healthCheckNodePort` on the node).
 *
 * The load balancer's clients reach the pods in plaintext, without a mesh identity. When the
 * namespace is a ZeroTrustNamespace of the app that joined the mesh, synthesis fails where a mesh
 * setting of the app refuses them on a target port (or on the port of an HTTP/HTTPS health check):
 * under Linkerd, a default inbound policy other than `all-unauthenticated` and `audit` (a workload's pod
 * template annotation in the app overrides the namespace's; `cluster-unauthenticated` only where a client range,
 * or an NLB subnet it health-checks from, reaches outside the mesh's `clusterNetworks`, `Mesh.linkerd` option)
 * with no Server for the pods on the port (by number or container port name, names resolved through the app's
 * workloads);
 * under Istio (sidecar or ambient), STRICT mutual TLS on the port from
 * a PeerAuthentication of the app. The error names the fix (a Linkerd authorization for the port, an
 * Istio PERMISSIVE port exception). Settings outside the app (a cluster-wide Linkerd default, a
 * PeerAuthentication applied elsewhere) are not seen: PolicyLint and the analyzer check the manifests.
 */
export class LoadBalancerService extends Construct {
  /** The Service (escape hatch: `addJsonPatch`). */
  public readonly service: ApiObject;
  /** The pods' ingress allow from the source ranges. */
  public readonly policy: TrafficPolicy;
  /** The client ranges admitted (`spec.loadBalancerSourceRanges`), in the order given. */
  public readonly sourceRanges: string[];

  constructor(scope: Construct, id: string, props: LoadBalancerServiceProps) {
    super(scope, id);
    const p = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    const cluster = ClusterNetwork.of(this);
    const namespace = validateDnsLabel(this, 'namespace', requireString(this, 'namespace', p.namespace));
    this.checkNamespace(cluster, namespace);
    const name = this.serviceName(requireOptionalString(this, 'name', p.name) ?? id);
    const podSelector = validateLabels(this, 'podSelector', requireStringMap(this, 'podSelector', p.podSelector));
    if (Object.keys(podSelector).length === 0) {
      throw propError(this, 'podSelector', 'at least one label is required: an empty selector sends load balancer traffic to every pod of the namespace');
    }
    const ports = resolveLoadBalancerPorts(this, 'ports', p.ports);
    const cloud = p.cloud === undefined ? LoadBalancerCloud.generic()
      : requireInstance(this, 'cloud', p.cloud, LoadBalancerCloud, 'a LoadBalancerCloud made by its factories (LoadBalancerCloud.aws(), .gke(), .azure(), .generic())');
    const internal = requireOptionalBoolean(this, 'internal', p.internal, false);
    const trafficPolicy = requireOptionalOneOf(this, 'externalTrafficPolicy', p.externalTrafficPolicy,
      Object.values(ExternalTrafficPolicy), 'an ExternalTrafficPolicy', ExternalTrafficPolicy.LOCAL);
    const preserved = requireOptionalBoolean(this, 'clientAddressPreservedWithCluster', p.clientAddressPreservedWithCluster, false);
    const ipFamilyPolicy = p.ipFamilyPolicy === undefined ? undefined
      : requireOneOf(this, 'ipFamilyPolicy', p.ipFamilyPolicy, Object.values(ServiceIpFamilyPolicy), 'a ServiceIpFamilyPolicy');
    const loadBalancerClass = requireOptionalString(this, 'loadBalancerClass', p.loadBalancerClass);
    if (loadBalancerClass !== undefined) this.checkClass(loadBalancerClass);

    const annotations = this.annotations(cloud, internal, requireOptionalStringMap(this, 'annotations', p.annotations));
    const dualStack = ipFamilyPolicy !== undefined && ipFamilyPolicy !== ServiceIpFamilyPolicy.SINGLE_STACK && cluster.ipFamilies.length > 1;
    const ipv6Refused = this.awsIpv4Only(cloud, annotations, dualStack || cluster.ipFamilies[0] === IpFamily.IPV6, ipFamilyPolicy);
    const ranges = this.ranges(cluster, requireOptionalStringArray(this, 'allowedSourceRanges', p.allowedSourceRanges),
      requireOptionalBoolean(this, 'allowFromAnywhere', p.allowFromAnywhere, false), ipv6Refused);
    this.sourceRanges = ranges.map((r) => r.block.text);
    const healthCheckSources = this.healthCheckBlocks(cluster, cloud, ipv6Refused);
    this.checkHealthCheckPorts(cloud, ports);
    this.checkTrafficPolicy(trafficPolicy, cloud, preserved, cluster.kubeProxyMode);
    checkClusterHealthChecks(this, cloud, trafficPolicy === ExternalTrafficPolicy.CLUSTER, ports, loadBalancerClass);
    this.checkCluster(cluster, ipFamilyPolicy);

    this.service = registerObject(this, new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: {
        type: 'LoadBalancer',
        selector: { ...podSelector },
        ports: ports.map((port) => ({ ...port.servicePort })),
        externalTrafficPolicy: trafficPolicy,
        // Targets that are pods need no NodePort; one would be a path around the load balancer (and its
        // ranges) on every node, SNATed under Cluster (kubernetes-sigs/aws-load-balancer-controller
        // pkg/service/model_build_target_group.go: only instance targets need an allocated NodePort).
        ...(cloud._targetsPods ? { allocateLoadBalancerNodePorts: false } : {}),
        loadBalancerSourceRanges: [...this.sourceRanges],
        ...(loadBalancerClass !== undefined ? { loadBalancerClass } : {}),
        ...(ipFamilyPolicy !== undefined ? { ipFamilyPolicy } : {}),
        ...(dualStack ? { ipFamilies: cluster.ipFamilies.map((f: IpFamily) => f) } : {}),
      },
    }));

    const podPorts = podPortsOf(ports);
    this.policy = new TrafficPolicy(this, 'Policy', {
      name: `${name}-from-load-balancer`,
      namespace,
      podSelector,
      ingress: [
        { peers: ranges.map(peerOf), ports: podPorts },
        ...(healthCheckSources.length > 0 ? [{ peers: healthCheckSources.map(peerOf), ports: healthCheckPorts(cloud, ports) }] : []),
      ],
    });
    // At synth, when every ZeroTrustNamespace and mesh object of the app exists, whichever came first.
    const meshPorts = meshAdmittedPorts(podPorts, cloud, ports, ranges, healthCheckSources);
    keepAppObjectsPerWalk(this);
    this.node.addValidation({ validate: () => meshRefusals(this, cluster, namespace, podSelector, meshPorts) });
  }

  /** Refuse a namespace the cluster's own components run in (kube-system, ...). */
  private checkNamespace(cluster: ClusterNetwork, namespace: string): void {
    const shared = sharedNamespaceUse(cluster, namespace);
    if (shared?.system) {
      // The policy isolates the ingress of the pods it selects: in kube-system (CoreDNS, webhooks, the
      // CNI's own pods) every in-cluster client of those pods would be cut off.
      throw propError(this, 'namespace', `'${namespace}' runs ${shared.what}: the source-range policy would isolate the pods it selects there `
        + 'from every client outside the ranges, pods of the cluster included (a selector matching CoreDNS would cut every pod off DNS). '
        + 'Publish workloads from an application namespace');
    }
  }

  /** What the ClusterNetwork must provide: a CNI that enforces the policy (or its acknowledgement), two IP families for RequireDualStack. */
  private checkCluster(cluster: ClusterNetwork, ipFamilyPolicy: ServiceIpFamilyPolicy | undefined): void {
    if (!cluster.cni.capabilities.enforcesNetworkPolicy && !cluster.cni.acknowledgeUnenforcedPolicies) {
      throw propError(this, 'allowedSourceRanges', `CNI '${cluster.cni.name}' enforces no network policy: only the load balancer would check `
        + 'the source ranges, and any path around it (a NodePort, another Service) would reach the pods from anywhere. Use a CNI that enforces '
        + `policy, or pass ${cluster.cni._facts.acknowledgeUnenforced || 'the CNI\'s acknowledgeUnenforcedPolicies'} if these manifests also target clusters that do`);
    }
    if (ipFamilyPolicy === ServiceIpFamilyPolicy.REQUIRE_DUAL_STACK && cluster.ipFamilies.length < 2) {
      throw propError(this, 'ipFamilyPolicy', `RequireDualStack needs a dual-stack cluster, but the ClusterNetwork's ipFamilies are [${cluster.ipFamilies.join(', ')}]`);
    }
  }

  /** A Service name: a DNS-1035 label (the API server refuses a leading digit). */
  private serviceName(name: string): string {
    validateDnsLabel(this, 'name', name);
    if (!DNS1035_START.test(name)) throw propError(this, 'name', `'${name}' is not a valid Service name (DNS-1035 label: it must start with a letter)`);
    return name;
  }

  /** `spec.loadBalancerClass` is a qualified name, as label keys (apimachinery ValidateQualifiedName). */
  private checkClass(value: string): void {
    if (!isQualifiedName(value)) {
      throw propError(this, 'loadBalancerClass', `'${value}' is not a qualified name (an optional DNS subdomain prefix and '/', then at most 63 `
        + 'characters of [A-Za-z0-9-_.], alphanumeric at both ends)');
    }
  }

  /** The admitted ranges, validated, with the pod CIDRs they contain as excepts (for the policy). */
  private ranges(
    cluster: ClusterNetwork, given: string[] | undefined, anywhere: boolean, ipv6Refused: string | undefined,
  ): Array<{ block: ParsedCidr; except: string[] }> {
    if (anywhere && given !== undefined) {
      throw propError(this, 'allowedSourceRanges', 'give allowedSourceRanges or allowFromAnywhere, not both');
    }
    if (!anywhere && (given === undefined || given.length === 0)) {
      throw propError(this, 'allowedSourceRanges', 'name the client ranges that may connect (e.g. your office or partner CIDRs), '
        + 'or set allowFromAnywhere: true for a public service');
    }
    // "Anywhere" on an IPv4-only NLB is every IPv4 address: no IPv6 client comes through it.
    const texts = !anywhere ? given! : cluster.anyAddressCidrs.filter((c) => ipv6Refused === undefined || !c.includes(':'));
    const seen = new Map<string, string>();
    return texts.map((text, i) => this.checkedBlock(cluster, anywhere ? 'allowFromAnywhere' : `allowedSourceRanges[${i}]`, text, !anywhere, ipv6Refused, seen,
      (block) => `${block.text} admits every address: say allowFromAnywhere: true instead, so that a public service is a decision`,
      (block, pods) => `${block.text} is inside the pod CIDR ${pods}: pods are not load balancer clients; allow them with a TrafficPolicy`,
      'the client ranges'));
  }

  /**
   * The NLB subnets of an AWS health check (IP targets, instance targets under Cluster), validated as
   * the ranges are (the policy admits them), with the pod CIDRs they contain as excepts; [] without one.
   */
  private healthCheckBlocks(
    cluster: ClusterNetwork, cloud: LoadBalancerCloud, ipv6Refused: string | undefined,
  ): Array<{ block: ParsedCidr; except: string[] }> {
    const hc = cloud._awsHealthCheck;
    if (hc === undefined) return [];
    const seen = new Map<string, string>();
    return hc.subnetCidrs.map((text, i) => this.checkedBlock(cluster, `cloud.healthCheck.subnetCidrs[${i}]`, text, true, ipv6Refused, seen,
      (block) => `${block.text} admits every address to the health-check port: name the CIDRs of the NLB's subnets`,
      (block, pods) => `${block.text} is inside the pod CIDR ${pods}: an allow from it would admit pods too; run the NLB in subnets outside the pod CIDRs`,
      'the NLB\'s subnets'));
  }

  /**
   * Traffic-port health checks connect over TCP to each target port; the policy admits them on a named
   * target port as the TCP port of that name. A container port name is unique in a pod and carries one
   * protocol, so on a UDP or SCTP target port that TCP named port resolves to nothing (NetworkPolicy
   * named ports match name and protocol): every health check would be dropped.
   */
  private checkHealthCheckPorts(cloud: LoadBalancerCloud, ports: ResolvedLoadBalancerPort[]): void {
    // Instance targets: checks reach the target ports of TCP Service ports only (healthCheckPorts, cluster-health-checks).
    if (!cloud._targetsPods || cloud._awsHealthCheck === undefined || cloud._awsHealthCheck.port !== undefined) return;
    ports.forEach(({ servicePort: { targetPort, protocol } }, i) => {
      if (typeof targetPort !== 'string' || protocol === Protocol.TCP) return;
      throw propError(this, `ports[${i}].targetPortName`, `'${targetPort}' is a ${protocol} port, which the NLB health-checks over TCP on the `
        + `traffic port: the pods' policy cannot admit TCP on a ${protocol} port name (a named port matches name and protocol), so every health `
        + 'check would be dropped. Give targetPort (the number), or a dedicated health-check port (cloud healthCheck.port)');
    });
  }

  /**
   * One CIDR admitted by the pods' policy, at `prop`: of the cluster's families, not IPv4-mapped, not IPv6
   * where `ipv6Refused`; when `given` by the caller (not allowFromAnywhere's), not every address, not twice
   * (`seen`), away from the metadata addresses. Returns it with the pod CIDRs it holds as excepts.
   */
  private checkedBlock(
    cluster: ClusterNetwork, prop: string, text: string, given: boolean, ipv6Refused: string | undefined, seen: Map<string, string>,
    everyAddress: (block: ParsedCidr) => string, insidePods: (block: ParsedCidr, pods: string) => string, named: string,
  ): { block: ParsedCidr; except: string[] } {
    const block = checkClusterFamily(this, prop, validateCidr(this, prop, text), cluster.ipFamilies);
    if (isIpv4Mapped(block)) {
      // Kubernetes (Go's net.IPNet) and kube-proxy read it as the IPv4 block, outside the pod-CIDR and metadata checks
      // of the IPv6 family; 1.36 refuses it (KEP-4858, see util/cidr strictCidrProblem).
      throw propError(this, prop, `${block.text} is an IPv4-mapped IPv6 block, which Kubernetes reads as ${cidrInFamily(block, 'ipv4')!.text}: give that IPv4 block`);
    }
    if (block.family === 'ipv6' && ipv6Refused !== undefined) throw propError(this, prop, `${block.text} is IPv6, but ${ipv6Refused}`);
    if (given) {
      if (block.prefix === 0) throw propError(this, prop, everyAddress(block));
      const first = seen.get(block.text);
      if (first !== undefined) throw propError(this, prop, `${block.text} is already ${first}`);
      seen.set(block.text, prop);
      const touched = cluster.metadataCidrs.map((c) => parseCidr(c)).find((m) => m.family === block.family && cidrsOverlap(m, block));
      if (touched !== undefined) {
        throw propError(this, prop, `${block.text} overlaps the cloud metadata addresses (${touched.text}), which are never clients of a load `
          + `balancer: a range this wide or link-local is a mistake; name ${named}`);
      }
    }
    const except = podCidrExcepts(this, prop, block, [], cluster.podCidrs, (pods) => insidePods(block, pods));
    return { block, except };
  }

  /**
   * On AWS, why IPv6 is refused (undefined when it is not): the AWS Load Balancer Controller makes an
   * IPv4 NLB unless `aws-load-balancer-ip-address-type: dualstack`, and then refuses a Service with an
   * IPv6 family ("unsupported IPv6 configuration, lb not dual-stack", pkg/service/model_build_target_group.go)
   * and IPv6 source ranges ("unsupported v6 cidr ... when lb is not dualstack", pkg/service/model_build_managed_sg.go,
   * with the NLB security groups it manages): no load balancer at all.
   */
  private awsIpv4Only(cloud: LoadBalancerCloud, annotations: { [key: string]: string }, serviceIpv6: boolean,
    ipFamilyPolicy: ServiceIpFamilyPolicy | undefined): string | undefined {
    if (cloud._kind !== 'aws' || annotations[AWS_IP_ADDRESS_TYPE] === 'dualstack') return undefined;
    const why = `${cloud} makes an IPv4 NLB, and the AWS Load Balancer Controller refuses IPv6 on it: add the annotation `
      + `${AWS_IP_ADDRESS_TYPE}: dualstack (needs dual-stack subnets)`;
    if (serviceIpv6) {
      throw propError(this, ipFamilyPolicy === undefined ? 'cloud' : 'ipFamilyPolicy', `the Service gets an IPv6 family from the ClusterNetwork, but ${why}`);
    }
    return `${why}, or give IPv4 ranges only`;
  }

  /**
   * `Cluster` with a source-range allow: the node that forwards to a pod on another node SNATs the
   * client to its own address (kube-proxy; Cilium's kube-proxy replacement in its default `snat`
   * mode: cilium/cilium Documentation/network/kubernetes/kubeproxy-free.rst "Direct Server Return":
   * only DSR keeps the client address "so policy can match on it at the backend node"), so the
   * policy would see node addresses, never in the ranges (forwarded traffic is `remote-node` to
   * Cilium, docs.cilium.io policy/caveats, which CIDR rules never match).
   */
  private checkTrafficPolicy(policy: ExternalTrafficPolicy, cloud: LoadBalancerCloud, preserved: boolean, kubeProxy: KubeProxyMode): void {
    if (policy === ExternalTrafficPolicy.LOCAL) {
      if (preserved) throw propError(this, 'clientAddressPreservedWithCluster', 'only applies with externalTrafficPolicy: Cluster');
      return;
    }
    if (cloud._targetsPods) return;
    if (preserved && kubeProxy !== KubeProxyMode.REPLACED) {
      // kube-proxy marks every external packet of a Cluster Service for masquerade, local backend or not
      // (kubernetes pkg/proxy/iptables/proxier.go, "masquerade traffic for ... external destinations").
      throw propError(this, 'clientAddressPreservedWithCluster', `the ClusterNetwork runs kube-proxy (${kubeProxy}), which SNATs all external `
        + 'traffic of an externalTrafficPolicy: Cluster Service to the node\'s address: the client address is not kept. Keep the default Local');
    }
    if (preserved) return;
    throw propError(this, 'externalTrafficPolicy', 'Cluster lets a node forward to a pod on another node after SNATing the client to the '
      + 'node\'s own address (kube-proxy, and Cilium\'s kube-proxy replacement in SNAT mode), so the pods\' source-range policy would drop '
      + 'those connections. Keep the default Local, use LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck }) (the NLB sends to the pods), '
      + 'or set clientAddressPreservedWithCluster: true if the datapath keeps the client address (Cilium kube-proxy replacement with loadBalancer.mode dsr)');
  }

  /** The cloud's annotations plus the caller's, which may not change the cloud's. */
  private annotations(cloud: LoadBalancerCloud, internal: boolean, extra: { [key: string]: string } | undefined): { [key: string]: string } {
    const own = cloud._annotations(internal);
    if (own === undefined) {
      throw propError(this, 'internal', `${cloud} has no annotation for an internal load balancer: choose the cloud `
        + '(LoadBalancerCloud.aws(), .gke(), .azure()), or leave internal unset and give the implementation\'s own annotations (and loadBalancerClass)');
    }
    const given = validateAnnotations(this, 'annotations', extra);
    const attributes = checkAwsAnnotations(this, 'annotations', given, cloud._kind === 'aws');
    for (const key of Object.keys(given)) {
      // The caller's other target group attributes (deregistration delay, stickiness, ...) join the one IP targets need.
      if (key === AWS_TARGET_GROUP_ATTRIBUTES && key in own) {
        own[key] = withClientIpPreserved(attributes);
        delete given[key];
        continue;
      }
      if (key in own) throw propError(this, `annotations.${key}`, `is written by ${cloud} (internal: ${internal}); do not set it again`);
    }
    // Instance targets without cloud healthCheck: under Local the controller's default is spec.healthCheckNodePort, answered on the
    // node. Moved to the traffic port (or a number: a port of the node), the checks would go through the NodePort to the pods, from the
    // NLB's address, which the policy drops (kubernetes-sigs/aws-load-balancer-controller docs/guide/service/annotations.md, healthcheck-port).
    // (Under Cluster, instance targets without healthCheck are refused in any case: checkClusterHealthChecks.) A generic cloud too: the
    // AWS controllers it may stand for (loadBalancerClass service.k8s.aws/nlb, the in-tree provider) read the annotation, with instance
    // targets (the target-type annotation is refused there).
    if ((cloud._kind === 'aws' || cloud._kind === 'generic') && AWS_HC_PORT in given && !(AWS_HC_PORT in own)) {
      throw propError(this, `annotations.${AWS_HC_PORT}`, 'sets where the NLB health-checks instance targets, which the construct decides: under '
        + 'externalTrafficPolicy Local the Service\'s healthCheckNodePort (answered on the node), under Cluster the traffic port with '
        + 'LoadBalancerCloud.aws({ healthCheck }) '
        + '(its subnets admitted by the pods\' policy). On a port the node forwards to the pods the checks would come from the NLB\'s addresses, which '
        + 'the pods\' policy drops. Remove it');
    }
    // The legacy annotation would replace spec.loadBalancerSourceRanges in some controllers (AWS LBC reads either).
    if (SOURCE_RANGES_ANNOTATION in given) {
      throw propError(this, `annotations.${SOURCE_RANGES_ANNOTATION}`, 'use allowedSourceRanges (written to spec.loadBalancerSourceRanges, and checked by the pods\' policy too)');
    }
    return { ...own, ...given };
  }
}
