import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Cni } from './cni';
import { cniChoicesText } from './cni-choices';
import { checkHostProbeCollisions } from './host-probe-collisions';
import { IpFamily } from './ip-family';
import { checkClusterFamily } from './ip-family-check';
import { KubeProxyMode, resolveKubeProxyMode } from './kube-proxy-mode';
import { requireMadeCni, requireMadeMesh } from './made-by-factories';
import { Mesh } from './mesh';
import { unenforcedPolicyFix, unenforcedPolicyReason, unservedPolicyObject } from './unenforced-policy';
import { addressAt, cidrContainsIp, cidrInFamily, formatAddress, hostPrefix, parseCidr, parseIp } from '../util/cidr';
import { ValidationError, propError } from '../util/errors';
import {
  StructKeys, orDefault, requireKnownKeys, requireOptionalArray, requireOptionalBoolean, requireOptionalObject, requireOptionalString,
  requireOptionalStringArray, requireObject, requireProps, requireString,
} from '../util/guards';
import { checkEnum, validateCidr, validateDnsLabel, validateLabels } from '../util/validate';

export { IpFamily } from './ip-family';

/** Where the cluster DNS (CoreDNS) runs and how its pods are labelled. */
export interface ClusterDnsOptions {
  /**
   * Namespace of the cluster DNS pods.
   * @default 'kube-system'
   */
  readonly namespace?: string;
  /**
   * Labels of the cluster DNS pods. CoreDNS keeps the historical `k8s-app: kube-dns` label.
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * The ClusterIP of the kube-dns Service (allowed by DNS policies with NodeLocal DNS in iptables
   * mode). Must lie inside one of `serviceCidrs`.
   * @default - the 10th address of the first service CIDR of the first IP family, as kubeadm assigns
   * it ('10.96.0.10' with the default CIDRs)
   */
  readonly serviceIp?: string;
}

/** A set of pods in a namespace that other constructs refer to (ingress controller, monitoring). */
export interface NamespacedPods {
  /** Namespace of the pods. */
  readonly namespace: string;
  /**
   * Labels selecting the pods inside the namespace.
   * @default - every pod in the namespace
   */
  readonly podLabels?: { [key: string]: string };
}

/** Props of {@link ClusterNetwork}. */
export interface ClusterNetworkProps {
  /**
   * The CNI of the target cluster: decides which objects the policy constructs emit and which intents
   * are errors. Required, with no default: a wrong guess would fail open (plain NetworkPolicy on a
   * Calico or Cilium cluster emits no guard rails; anything on Flannel enforces nothing). One of
   * `Cni.kubernetes()`, `Cni.calico()`, `Cni.cilium()`, `Cni.flannel(...)` or `Cni.custom(...)`.
   */
  readonly cni: Cni;
  /**
   * Pod CIDRs of the cluster. Each must belong to one of `ipFamilies`.
   * @default - per IP family: '10.244.0.0/16' (IPv4), 'fd00:10:244::/56' (IPv6)
   */
  readonly podCidrs?: string[];
  /**
   * Service CIDRs of the cluster. Each must belong to one of `ipFamilies`.
   * @default - per IP family: '10.96.0.0/12' (IPv4), 'fd00:10:96::/112' (IPv6)
   */
  readonly serviceCidrs?: string[];
  /**
   * IP families of the cluster. With IPv6, "internet" peers also cover `::/0` and the IPv6
   * metadata address.
   * @default [IpFamily.IPV4]
   */
  readonly ipFamilies?: IpFamily[];
  /**
   * The cluster DNS.
   * @default - CoreDNS: pods `k8s-app: kube-dns` in `kube-system`, Service IP 10.96.0.10
   */
  readonly dns?: ClusterDnsOptions;
  /**
   * How Service traffic is load-balanced on the nodes: kube-proxy in iptables or IPVS mode, or
   * replaced by the CNI. Decides the NodeLocal DNS variant and so the DNS destinations every DNS
   * allow opens (iptables: the node-local IP and the kube-dns ClusterIP; IPVS: the node-local IP;
   * Cilium kube-proxy replacement: the node-local-dns pods behind a local redirect). On Cilium it
   * must agree with `Cni.cilium({ kubeProxyReplacement })`.
   * @default - KubeProxyMode.REPLACED for Cilium with kube-proxy replacement, KubeProxyMode.IPTABLES otherwise
   */
  readonly kubeProxyMode?: KubeProxyMode;
  /**
   * The cluster runs NodeLocal DNSCache (see `NodeLocalDNS`). Every DNS allow then also allows, on
   * UDP and TCP 53, where the cache answers for the cluster's `kubeProxyMode`: with kube-proxy in
   * iptables mode the node-local IP and the kube-dns ClusterIP (`dns.serviceIp`), which
   * node-local-dns binds on the host network where no pod selector matches it; in IPVS mode the
   * node-local IP; on Cilium with kube-proxy replacement the node-local-dns pods a
   * CiliumLocalRedirectPolicy sends the queries to. CoreDNS stays allowed as the fallback.
   * @default false
   */
  readonly nodeLocalDns?: boolean;
  /**
   * The NodeLocal DNSCache listen address (only with `nodeLocalDns`). Never inside the metadata
   * CIDRs (DNS allows would open the metadata service on port 53), the pod CIDRs or the service
   * CIDRs other than the kube-dns ClusterIP itself (they would open port 53 of whatever pod or
   * Service gets the address), and never 0.0.0.0 or ::.
   * @default '169.254.20.10' ('fd00::10' when the first IP family is IPv6)
   */
  readonly nodeLocalDnsIp?: string;
  /**
   * The ingress controller pods (traffic from it is allowed to frontends).
   * @default - ingress-nginx: namespace `ingress-nginx`, pods `app.kubernetes.io/name: ingress-nginx` and
   * `app.kubernetes.io/component: controller` (the controller only, not the chart's admission-webhook jobs)
   */
  readonly ingressController?: NamespacedPods;
  /**
   * The monitoring pods that scrape metrics.
   * @default - namespace `monitoring`, any pod (Prometheus)
   */
  readonly monitoring?: NamespacedPods;
  /**
   * More cloud metadata service addresses that workloads must never reach (credential theft), e.g.
   * '100.100.100.200/32' (Alibaba Cloud). They are added to the well-known ones, which are always
   * excepted from every CIDR and internet allow and denied where the CNI can deny, for each of the
   * cluster's IP families: IPv4 169.254.169.254 (instance metadata of AWS, Azure, GCP, OpenStack...),
   * 169.254.170.2 (ECS task credentials) and 169.254.170.23 (EKS Pod Identity); IPv6
   * fd00:ec2::254 (EC2 IMDS) and fd00:ec2::23 (EKS Pod Identity), plus the IPv4-mapped form
   * (`::ffff:169.254.169.254`) of every IPv4 metadata address, which a dual-stack socket reaches
   * over IPv4 (excepted from IPv4-mapped blocks only: IPv4 blocks except the address itself). A
   * mapped form given here also counts as its IPv4 address on IPv4 clusters. Never the whole link-local 169.254.0.0/16: NodeLocal DNS (169.254.20.10) and Istio
   * ambient's probe source (169.254.7.127) live there. Each must belong to one of `ipFamilies`.
   * @default - only the well-known addresses above
   */
  readonly metadataCidrs?: string[];
  /**
   * CIDRs of the Kubernetes API server endpoints, for `Peer.kubeApiServer()` on CNIs without a
   * kube-apiserver entity (Cilium has one).
   * @default - none: `Peer.kubeApiServer()` is an error on CNIs other than Cilium
   */
  readonly apiServerCidrs?: string[];
  /**
   * The service mesh. Meshed namespaces (ZeroTrustNamespace `mesh`) get its injection label or
   * annotation and the allows it needs (control plane, metrics, its transport port, probes);
   * mesh constructs (IstioMtls, CanaryRoute, ...) check that they match it.
   * @default Mesh.none()
   */
  readonly mesh?: Mesh;
  /**
   * The pods of the Gateway API gateway that routes north-south traffic to the apps (e.g. Istio's
   * `gateway.networking.k8s.io/gateway-name: <gateway>` pods, or Envoy Gateway's), allowed instead
   * of the ingress controller where an app routes through a Gateway (ThreeTierApp `gateway`).
   * Cilium's built-in Gateway API is not a pod (its Envoy runs in the agent) and cannot be described here.
   * @default - none: routing an app through a Gateway is an error until it is declared
   */
  readonly gateway?: NamespacedPods;
}

/** RFC 1918 private IPv4 ranges. */
export const PRIVATE_IPV4_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** IPv6 unique local addresses (RFC 4193). */
export const PRIVATE_IPV6_RANGES: readonly string[] = ['fc00::/7'];

/**
 * Defaults that depend on the IP family. IPv6 CIDRs are kind's defaults; the IPv6 NodeLocal DNS address
 * is an address in fd00::/8, the range the upstream NodeLocal DNS docs recommend for IPv6.
 */
interface FamilyDefaults {
  readonly podCidr: string;
  readonly serviceCidr: string;
  readonly nodeLocalDnsIp: string;
  /** The metadata and credential endpoints of this family, always excepted and denied. */
  readonly metadataCidrs: readonly string[];
}

const FAMILY_DEFAULTS: Record<IpFamily, FamilyDefaults> = {
  [IpFamily.IPV4]: {
    podCidr: '10.244.0.0/16',
    serviceCidr: '10.96.0.0/12',
    nodeLocalDnsIp: '169.254.20.10',
    // Instance metadata (AWS, Azure, GCP, OpenStack, ...), ECS task credentials, EKS Pod Identity agent.
    metadataCidrs: ['169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32'],
  },
  [IpFamily.IPV6]: {
    podCidr: 'fd00:10:244::/56',
    serviceCidr: 'fd00:10:96::/112',
    nodeLocalDnsIp: 'fd00::10',
    // EC2 IMDS and the EKS Pod Identity agent over IPv6 (the IPv4-mapped forms are added separately).
    metadataCidrs: ['fd00:ec2::254/128', 'fd00:ec2::23/128'],
  },
};

const CLUSTER_NETWORK_SYMBOL = Symbol.for('cdk8s-networking.ClusterNetwork');
/** Parent scope -> the ClusterNetwork declared directly in it. */
const DECLARED = new WeakMap<IConstruct, ClusterNetwork>();
/** Construct-tree root -> the first ClusterNetwork declared anywhere in that tree. */
const DECLARED_IN_TREE = new WeakMap<IConstruct, ClusterNetwork>();

/**
 * Facts about the target cluster that every networking construct needs: the CNI and what it can
 * enforce, CIDRs, DNS, the ingress controller, the metadata service.
 *
 * Declare it before the constructs that use it, on the App (it then governs every chart) or in a
 * chart (it governs that chart); constructs find it with `ClusterNetwork.of(this)`, like `Stack.of`
 * in aws-cdk. It is required, and so is its `cni`: there is no default CNI, because a wrong guess
 * fails open (no guard rails, or policies a CNI never enforces).
 */
export class ClusterNetwork extends Construct {
  /**
   * The ClusterNetwork that governs `scope`: the nearest one declared on the scope or any of its
   * ancestors (as a direct child). An error when there is none: the app must declare one (with its
   * CNI) before the constructs that emit policies, on the App or in their chart.
   */
  public static of(scope: IConstruct): ClusterNetwork {
    // O(depth): declared ClusterNetworks are indexed by their parent scope, never found by scanning
    // siblings (a TenantIsolation with 5,000 tenants would make that quadratic).
    let current: IConstruct | undefined = scope;
    while (current) {
      if (ClusterNetwork.isClusterNetwork(current)) return current;
      const declared = DECLARED.get(current);
      if (declared) return declared;
      current = current.node.scope;
    }
    const elsewhere = DECLARED_IN_TREE.get(scope.node.root);
    if (elsewhere) {
      throw propError(scope, 'ClusterNetwork', `none is declared in this construct's scope or its ancestors, but '${elsewhere.node.path}' `
        + 'is declared in another branch of the app. Declare the ClusterNetwork on the App so that every chart shares it, or '
        + 'declare one in each chart');
    }
    throw propError(scope, 'ClusterNetwork', 'none is declared: declare the cluster context before this construct, on the App or '
      + `in its chart, with the CNI the cluster runs: new ClusterNetwork(chart, 'cluster', { cni }) with cni one of ${cniChoicesText()}. `
      + 'There is no default: guessing plain Kubernetes would emit no guard rails and no deny on a cluster that has them');
  }

  /** Is `x` a ClusterNetwork (works across copies of this library)? */
  public static isClusterNetwork(x: any): x is ClusterNetwork {
    return x !== null && typeof x === 'object' && CLUSTER_NETWORK_SYMBOL in x;
  }

  /** The CNI. */
  public readonly cni: Cni;
  /** Pod CIDRs. */
  public readonly podCidrs: string[];
  /** Service CIDRs. */
  public readonly serviceCidrs: string[];
  /** IP families. */
  public readonly ipFamilies: IpFamily[];
  /** Namespace of the cluster DNS pods. */
  public readonly dnsNamespace: string;
  /** Labels of the cluster DNS pods. */
  public readonly dnsPodLabels: { [key: string]: string };
  /** ClusterIP of the kube-dns Service. */
  public readonly dnsServiceIp: string;
  /** How Service traffic is load-balanced on the nodes. */
  public readonly kubeProxyMode: KubeProxyMode;
  /** NodeLocal DNSCache address, when the cluster runs it. */
  public readonly nodeLocalDnsIp?: string;
  /** The ingress controller pods. */
  public readonly ingressController: NamespacedPods;
  /** The monitoring pods. */
  public readonly monitoring: NamespacedPods;
  /**
   * Metadata service CIDRs that are never reachable: the well-known ones of the cluster's IP
   * families (with the IPv4-mapped forms on IPv6), then those of `metadataCidrs`.
   */
  public readonly metadataCidrs: string[];
  /** Kubernetes API server CIDRs, when known. */
  public readonly apiServerCidrs: string[];
  /** The service mesh (`Mesh.none()` when there is none). */
  public readonly mesh: Mesh;
  /** The Gateway API gateway pods, when declared. */
  public readonly gateway?: NamespacedPods;

  constructor(scope: Construct, id: string, props: ClusterNetworkProps) {
    super(scope, id);
    Object.defineProperty(this, CLUSTER_NETWORK_SYMBOL, { value: true });
    this.assertFirst(scope, id);
    DECLARED.set(scope, this);
    if (!DECLARED_IN_TREE.has(scope.node.root)) DECLARED_IN_TREE.set(scope.node.root, this);

    const p = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    if (p.cni === undefined || p.cni === null) {
      throw propError(this, 'cni', `is required: the CNI the cluster runs, one of ${cniChoicesText()}. There is no default: guessing `
        + 'plain Kubernetes would emit no guard rails and no deny on a cluster that has them');
    }
    this.cni = requireMadeCni(this, 'cni', p.cni);
    const families = requireOptionalArray(this, 'ipFamilies', p.ipFamilies) ?? [IpFamily.IPV4];
    families.forEach((f, i) => checkEnum(this, `ipFamilies[${i}]`, f, Object.values(IpFamily), 'an IP family'));
    this.ipFamilies = [...new Set(families)];
    this.kubeProxyMode = resolveKubeProxyMode(this, this.cni, p.kubeProxyMode);
    if (this.ipFamilies.length === 0) throw propError(this, 'ipFamilies', 'at least one IP family is required');
    const primary = FAMILY_DEFAULTS[this.ipFamilies[0]];
    const perFamily = (pick: (d: FamilyDefaults) => string) => this.ipFamilies.map((f) => pick(FAMILY_DEFAULTS[f]));
    this.podCidrs = this.nonEmpty('podCidrs', this.cidrs('podCidrs', p.podCidrs, perFamily((d) => d.podCidr)));
    this.serviceCidrs = this.nonEmpty('serviceCidrs', this.cidrs('serviceCidrs', p.serviceCidrs, perFamily((d) => d.serviceCidr)));

    const dns = requireKnownKeys(this, 'dns', requireOptionalObject(this, 'dns', p.dns) ?? {}, DNS_KEYS);
    this.dnsNamespace = validateDnsLabel(this, 'dns.namespace', requireOptionalString(this, 'dns.namespace', dns.namespace) ?? 'kube-system');
    this.dnsPodLabels = validateLabels(this, 'dns.podLabels', orDefault(dns.podLabels, { 'k8s-app': 'kube-dns' }));
    if (Object.keys(this.dnsPodLabels).length === 0) {
      throw propError(this, 'dns.podLabels', 'must not be empty: DNS allows would open every pod in the DNS namespace');
    }
    this.dnsServiceIp = this.kubeDnsIp(requireOptionalString(this, 'dns.serviceIp', dns.serviceIp));

    const nodeLocalDns = requireOptionalBoolean(this, 'nodeLocalDns', p.nodeLocalDns, false);
    const nodeLocalDnsIp = requireOptionalString(this, 'nodeLocalDnsIp', p.nodeLocalDnsIp);
    if (nodeLocalDnsIp !== undefined && !nodeLocalDns) {
      throw propError(this, 'nodeLocalDnsIp', 'is only meaningful with nodeLocalDns: true');
    }
    // Metadata CIDRs before the NodeLocal DNS address, which must lie outside them.
    this.metadataCidrs = this.metadata(p.metadataCidrs);
    this.nodeLocalDnsIp = nodeLocalDns ? this.localDnsIp(nodeLocalDnsIp ?? primary.nodeLocalDnsIp) : undefined;

    this.ingressController = this.pods('ingressController', p.ingressController !== undefined ? p.ingressController : {
      namespace: 'ingress-nginx',
      podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    });
    this.monitoring = this.pods('monitoring', p.monitoring !== undefined ? p.monitoring : { namespace: 'monitoring' });

    this.apiServerCidrs = this.cidrs('apiServerCidrs', p.apiServerCidrs, []);
    this.mesh = p.mesh === undefined ? Mesh.none() : requireMadeMesh(this, 'mesh', p.mesh);
    this.checkHostProbeAddresses();
    this.gateway = p.gateway === undefined ? undefined : this.pods('gateway', p.gateway);
    this.node.addValidation({ validate: () => this.unenforcedPolicies() });
  }

  /** The "whole address space" CIDRs of the cluster's IP families. */
  public get anyAddressCidrs(): string[] {
    return this.ipFamilies.map((f) => (f === IpFamily.IPV4 ? '0.0.0.0/0' : '::/0'));
  }

  /** Private ranges of the cluster's IP families (RFC 1918 / RFC 4193). */
  public get privateCidrs(): string[] {
    return this.ipFamilies.flatMap((f) => (f === IpFamily.IPV4 ? [...PRIVATE_IPV4_RANGES] : [...PRIVATE_IPV6_RANGES]));
  }

  /**
   * Policy objects this ClusterNetwork governs that its CNI does not enforce: a raw ApiObject (or an
   * `Include`d file) with a NetworkPolicy on Flannel, a cilium.io policy on Calico, a
   * ClusterNetworkPolicy on a CNI without it, ... The API server accepts them and they restrict
   * nothing, so they fail synthesis like an unenforceable TrafficPolicy does. The library's own
   * constructs never emit one (their intents are checked when they are built).
   */
  private unenforcedPolicies(): string[] {
    const problems: string[] = [];
    for (const c of this.node.scope!.node.findAll()) {
      if (!ApiObject.isApiObject(c)) continue;
      // The kind first: it rules out most objects without the walk up the tree that `of` makes.
      const obj = { apiVersion: c.apiVersion, kind: c.kind };
      const reason = unenforcedPolicyReason(this.cni, obj);
      if (reason === undefined || ClusterNetwork.of(c) !== this) continue;
      const consequence = unservedPolicyObject(this.cni, obj) ? 'the API server refuses it (no such CRD)' : 'it is accepted by the API server but restricts nothing';
      problems.push(`cni: the ${c.apiVersion} ${c.kind} '${c.name}' at '${c.node.path}' is not enforced: ${reason}, so ${consequence}. `
        + `${capitalize(unenforcedPolicyFix(this.cni))}`);
    }
    return problems;
  }

  private assertFirst(scope: Construct, id: string): void {
    const sibling = DECLARED.get(scope);
    if (sibling && sibling !== this) {
      throw new ValidationError(`${scope.node.path}/${id}`, 'ClusterNetwork', `only one per scope: '${sibling.node.path}' is already declared in the same scope`);
    }
  }

  private cidrs(prop: string, given: string[] | undefined, defaults: string[]): string[] {
    const values = requireOptionalStringArray(this, prop, given) ?? defaults;
    return values.map((c, i) => checkClusterFamily(this, `${prop}[${i}]`, validateCidr(this, `${prop}[${i}]`, c), this.ipFamilies).text);
  }

  private nonEmpty(prop: string, values: string[]): string[] {
    if (values.length === 0) throw propError(this, prop, 'must not be empty: at least one CIDR is required');
    return values;
  }

  /**
   * The metadata CIDRs: the well-known ones of the cluster's families, then the user's (validated,
   * of the cluster's families), and on IPv6 clusters the IPv4-mapped form of every IPv4 one (a
   * dual-stack socket reaches `::ffff:169.254.169.254` over IPv4); on IPv4 clusters the IPv4 form of
   * every IPv4-mapped one the user gives. Duplicates are dropped.
   */
  private metadata(given: string[] | undefined): string[] {
    const user = this.cidrs('metadataCidrs', given, []).map((c) => parseCidr(c));
    const wellKnown = this.ipFamilies.flatMap((f) => FAMILY_DEFAULTS[f].metadataCidrs).map((c) => parseCidr(c));
    const all = [...wellKnown, ...user];
    if (this.ipFamilies.includes(IpFamily.IPV6)) {
      const ipv4 = [...FAMILY_DEFAULTS[IpFamily.IPV4].metadataCidrs.map((c) => parseCidr(c)), ...user.filter((c) => c.family === 'ipv4')];
      for (const c of ipv4) all.push(cidrInFamily(c, 'ipv6')!);
    }
    if (this.ipFamilies.includes(IpFamily.IPV4)) {
      // A user's IPv4-mapped CIDR (`::ffff:100.100.100.200/128`) is that IPv4 address, reached over IPv4.
      for (const c of user) {
        const ipv4 = c.family === 'ipv6' ? cidrInFamily(c, 'ipv4') : undefined;
        if (ipv4 !== undefined) all.push(ipv4);
      }
    }
    return [...new Set(all.map((c) => c.text))];
  }

  /**
   * Every DNS allow opens port 53 to the NodeLocal DNS address: inside a metadata CIDR that would open
   * the metadata service; the unspecified address is no listen address at all.
   */
  private localDnsIp(given: string): string {
    const ip = this.hostIp('nodeLocalDnsIp', given);
    const parsed = parseIp(ip);
    if (parsed.range() === 'unspecified') {
      throw propError(this, 'nodeLocalDnsIp', `'${ip}' is the unspecified address, not a listen address`);
    }
    const metadata = this.metadataCidrs.find((c) => cidrContainsIp(parseCidr(c), parsed));
    if (metadata) {
      throw propError(this, 'nodeLocalDnsIp', `'${ip}' lies inside the metadata CIDR ${metadata}: DNS allows would open the metadata service on port 53`);
    }
    // Inside a pod CIDR the address may belong to any pod, whose port 53 every DNS allow would open.
    const pods = this.podCidrs.find((c) => cidrContainsIp(parseCidr(c), parsed));
    if (pods) {
      throw propError(this, 'nodeLocalDnsIp', `'${ip}' lies inside the pod CIDR ${pods}: every DNS allow would open port 53 of whichever `
        + 'pod gets that address. Use the link-local address node-local-dns binds on every node (169.254.20.10 by default)');
    }
    // Inside a service CIDR it may be any Service's ClusterIP; only the kube-dns one is a DNS address
    // (node-local-dns may bind it, see clusterDnsPeers).
    const services = this.serviceCidrs.find((c) => cidrContainsIp(parseCidr(c), parsed));
    if (services && ip !== this.dnsServiceIp) {
      throw propError(this, 'nodeLocalDnsIp', `'${ip}' lies inside the service CIDR ${services} but is not the kube-dns ClusterIP `
        + `${this.dnsServiceIp}: every DNS allow would open port 53 of whichever Service gets that address. Use the link-local `
        + 'address node-local-dns binds on every node (169.254.20.10 by default)');
    }
    return ip;
  }

  /**
   * Meshed namespaces open every port to the host probe addresses the mesh declares (and the
   * blanket-allow check counts that as mesh-only): inside a pod or service CIDR such an address may
   * belong to any pod or Service, inside an API server CIDR it is the API server's (which connects to
   * pods itself: its pod proxy, webhooks). istio-cni wants an address that collides with nothing
   * (istio/istio cni/pkg/nodeagent options.go): nor the NodeLocal DNS address or a metadata service's
   * either (./host-probe-collisions).
   */
  private checkHostProbeAddresses(): void {
    const given = this.mesh._hostProbeSnatGiven;
    const declared = [given.ipv4 ? this.mesh.hostProbeSnatIp : undefined, given.ipv6 ? this.mesh.hostProbeSnatIpv6 : undefined];
    for (const ip of declared.filter((a): a is string => a !== undefined)) {
      const parsed = parseIp(ip);
      const holders = [['pod', this.podCidrs, 'whichever pod gets that address'], ['service', this.serviceCidrs, 'whichever Service gets that address'],
        ['API server', this.apiServerCidrs, 'the API server']] as const;
      for (const [what, cidrs, holder] of holders) {
        const inside = cidrs.find((c) => cidrContainsIp(parseCidr(c), parsed));
        if (inside !== undefined) {
          throw propError(this, 'mesh', `the host probe address ${ip} (Mesh.istio ${ip.includes(':') ? 'hostProbeSnatIpv6' : 'hostProbeSnatIp'}) lies `
            + `inside the ${what} CIDR ${inside}: meshed namespaces admit it on every port, which would open them to ${holder}. `
            + 'Give istio-cni an address outside the cluster\'s pod, service and API server CIDRs (e.g. of 169.254.0.0/16)');
        }
      }
    }
    checkHostProbeCollisions(this, this.mesh, this.nodeLocalDnsIp, this.metadataCidrs);
  }

  private hostIp(prop: string, ip: string): string {
    const parsed = validateCidr(this, prop, ip.includes('/') ? ip : `${ip}/${ip.includes(':') ? 128 : 32}`);
    if (parsed.prefix !== hostPrefix(parsed.family)) throw propError(this, prop, `'${ip}' must be a single IP address`);
    const address = formatAddress(parsed.address);
    checkClusterFamily(this, prop, parsed, this.ipFamilies, address);
    return address;
  }

  /** The given kube-dns ClusterIP (inside a service CIDR), or kubeadm's choice: the 10th address. */
  private kubeDnsIp(given: string | undefined): string {
    const serviceCidrs = this.serviceCidrs.map((c) => parseCidr(c));
    if (given === undefined) {
      const primaryFamily = this.ipFamilies[0] === IpFamily.IPV4 ? 'ipv4' : 'ipv6';
      const cidr = serviceCidrs.find((c) => c.family === primaryFamily) ?? serviceCidrs[0];
      try {
        return addressAt(cidr, 10);
      } catch (e) {
        throw propError(this, 'serviceCidrs', `${(e as Error).message}: too small for the kube-dns ClusterIP; set dns.serviceIp`);
      }
    }
    const ip = this.hostIp('dns.serviceIp', given);
    const cidr = serviceCidrs.find((c) => cidrContainsIp(c, parseIp(ip)));
    if (!cidr) {
      throw propError(this, 'dns.serviceIp', `'${ip}' is outside the service CIDRs [${this.serviceCidrs.join(', ')}]`);
    }
    // The apiserver never allocates the network address of a service CIDR as a ClusterIP.
    if (cidr.address.toString() === parseIp(ip).toString() && cidr.prefix < hostPrefix(cidr.family)) {
      throw propError(this, 'dns.serviceIp', `'${ip}' is the network address of the service CIDR ${cidr.text}, never a ClusterIP`);
    }
    return ip;
  }

  private pods(prop: string, value: NamespacedPods): NamespacedPods {
    const v = requireKnownKeys(this, prop, requireObject(this, prop, value), PODS_KEYS);
    return {
      namespace: validateDnsLabel(this, `${prop}.namespace`, requireString(this, `${prop}.namespace`, v.namespace)),
      podLabels: v.podLabels === undefined ? undefined : validateLabels(this, `${prop}.podLabels`, v.podLabels),
    };
  }
}

/** The fields of each struct, for requireKnownKeys: a misspelt optional field would be silently ignored. */
const PROPS_KEYS: StructKeys<ClusterNetworkProps> = {
  cni: true,
  podCidrs: true,
  serviceCidrs: true,
  ipFamilies: true,
  dns: true,
  kubeProxyMode: true,
  nodeLocalDns: true,
  nodeLocalDnsIp: true,
  ingressController: true,
  monitoring: true,
  metadataCidrs: true,
  apiServerCidrs: true,
  mesh: true,
  gateway: true,
};
const DNS_KEYS: StructKeys<ClusterDnsOptions> = { namespace: true, podLabels: true, serviceIp: true };
const PODS_KEYS: StructKeys<NamespacedPods> = { namespace: true, podLabels: true };

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
