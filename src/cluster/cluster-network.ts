import { Construct, IConstruct } from 'constructs';
import { Cni } from './cni';
import { checkClusterFamily } from './ip-family-check';
import { KubeProxyMode, resolveKubeProxyMode } from './kube-proxy-mode';
import { addressAt, cidrContainsIp, hostPrefix, parseCidr, parseIp } from '../util/cidr';
import { propError } from '../util/errors';
import { checkEnum, validateCidr, validateDnsLabel, validateLabels } from '../util/validate';

/** IP families of the cluster. */
export enum IpFamily {
  /** IPv4. */
  IPV4 = 'IPv4',
  /** IPv6. */
  IPV6 = 'IPv6',
}

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
   * The CNI of the target cluster. Decides which objects the policy constructs emit.
   * @default Cni.kubernetes() - portable networking.k8s.io/v1 NetworkPolicy only
   */
  readonly cni?: Cni;
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
   * The NodeLocal DNSCache listen address (only with `nodeLocalDns`). Never inside `metadataCidrs`
   * (DNS allows would open the metadata service on port 53) and never 0.0.0.0 or ::.
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
   * Cloud metadata service addresses that workloads must never reach (credential theft). Each must
   * belong to one of `ipFamilies`; the list must not be empty.
   * @default - per IP family: '169.254.169.254/32' (IPv4), 'fd00:ec2::254/128' (IPv6, EC2 IMDS)
   */
  readonly metadataCidrs?: string[];
  /**
   * CIDRs of the Kubernetes API server endpoints, for `Peer.kubeApiServer()` on CNIs without a
   * kube-apiserver entity (Cilium has one).
   * @default - none: `Peer.kubeApiServer()` is an error on CNIs other than Cilium
   */
  readonly apiServerCidrs?: string[];
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
  readonly metadataCidr: string;
}

const FAMILY_DEFAULTS: Record<IpFamily, FamilyDefaults> = {
  [IpFamily.IPV4]: {
    podCidr: '10.244.0.0/16',
    serviceCidr: '10.96.0.0/12',
    nodeLocalDnsIp: '169.254.20.10',
    metadataCidr: '169.254.169.254/32',
  },
  [IpFamily.IPV6]: {
    podCidr: 'fd00:10:244::/56',
    serviceCidr: 'fd00:10:96::/112',
    nodeLocalDnsIp: 'fd00::10',
    metadataCidr: 'fd00:ec2::254/128',
  },
};

const DEFAULT_ID = 'cdk8s-networking.default-cluster-network';
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
 * in aws-cdk. An app that declares none gets the defaults (`Cni.kubernetes()`, CoreDNS in
 * kube-system, ingress-nginx).
 */
export class ClusterNetwork extends Construct {
  /**
   * The ClusterNetwork that governs `scope`: the nearest one declared on the scope or any of its
   * ancestors (as a direct child). If the app declares none at all, a default one is created at the
   * root. If the app declares one only in another branch (a sibling chart), this is an error: falling
   * back to the defaults there would silently render for another CNI (e.g. no Calico guard rails).
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
      throw new Error(`[${scope.node.path}] ClusterNetwork.of: no ClusterNetwork is declared in this construct's scope or its `
        + `ancestors, but '${elsewhere.node.path}' is declared in another branch of the app. Declare the ClusterNetwork on `
        + 'the App so that every chart shares it, or declare one in each chart');
    }
    return new ClusterNetwork(scope.node.root, DEFAULT_ID, {});
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
  /** Metadata service CIDRs that are never reachable. */
  public readonly metadataCidrs: string[];
  /** Kubernetes API server CIDRs, when known. */
  public readonly apiServerCidrs: string[];

  constructor(scope: Construct, id: string, props: ClusterNetworkProps = {}) {
    super(scope, id);
    Object.defineProperty(this, CLUSTER_NETWORK_SYMBOL, { value: true });
    this.assertFirst(scope, id);
    DECLARED.set(scope, this);
    if (id !== DEFAULT_ID && !DECLARED_IN_TREE.has(scope.node.root)) DECLARED_IN_TREE.set(scope.node.root, this);

    this.cni = props.cni ?? Cni.kubernetes();
    this.kubeProxyMode = resolveKubeProxyMode(this, this.cni, props.kubeProxyMode);
    this.ipFamilies = [...new Set(props.ipFamilies ?? [IpFamily.IPV4])];
    if (this.ipFamilies.length === 0) throw propError(this, 'ipFamilies', 'at least one IP family is required');
    this.ipFamilies.forEach((f, i) => checkEnum(this, `ipFamilies[${i}]`, f, Object.values(IpFamily), 'an IP family'));
    const primary = FAMILY_DEFAULTS[this.ipFamilies[0]];
    const perFamily = (pick: (d: FamilyDefaults) => string) => this.ipFamilies.map((f) => pick(FAMILY_DEFAULTS[f]));
    this.podCidrs = this.nonEmpty('podCidrs', this.cidrs('podCidrs', props.podCidrs ?? perFamily((d) => d.podCidr)));
    this.serviceCidrs = this.nonEmpty('serviceCidrs', this.cidrs('serviceCidrs', props.serviceCidrs ?? perFamily((d) => d.serviceCidr)));

    this.dnsNamespace = validateDnsLabel(this, 'dns.namespace', props.dns?.namespace ?? 'kube-system');
    this.dnsPodLabels = validateLabels(this, 'dns.podLabels', props.dns?.podLabels ?? { 'k8s-app': 'kube-dns' });
    if (Object.keys(this.dnsPodLabels).length === 0) {
      throw propError(this, 'dns.podLabels', 'must not be empty: DNS allows would open every pod in the DNS namespace');
    }
    this.dnsServiceIp = this.kubeDnsIp(props.dns?.serviceIp);

    if (props.nodeLocalDnsIp !== undefined && !props.nodeLocalDns) {
      throw propError(this, 'nodeLocalDnsIp', 'is only meaningful with nodeLocalDns: true');
    }
    // Metadata CIDRs before the NodeLocal DNS address, which must lie outside them.
    this.metadataCidrs = this.nonEmpty('metadataCidrs', this.cidrs('metadataCidrs', props.metadataCidrs ?? perFamily((d) => d.metadataCidr)),
      'without them nothing blocks the cloud metadata service (credential theft)');
    this.nodeLocalDnsIp = props.nodeLocalDns ? this.localDnsIp(props.nodeLocalDnsIp ?? primary.nodeLocalDnsIp) : undefined;

    this.ingressController = this.pods('ingressController', props.ingressController ?? {
      namespace: 'ingress-nginx',
      podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
    });
    this.monitoring = this.pods('monitoring', props.monitoring ?? { namespace: 'monitoring' });

    this.apiServerCidrs = this.cidrs('apiServerCidrs', props.apiServerCidrs ?? []);
  }

  /** The "whole address space" CIDRs of the cluster's IP families. */
  public get anyAddressCidrs(): string[] {
    return this.ipFamilies.map((f) => (f === IpFamily.IPV4 ? '0.0.0.0/0' : '::/0'));
  }

  /** Private ranges of the cluster's IP families (RFC 1918 / RFC 4193). */
  public get privateCidrs(): string[] {
    return this.ipFamilies.flatMap((f) => (f === IpFamily.IPV4 ? [...PRIVATE_IPV4_RANGES] : [...PRIVATE_IPV6_RANGES]));
  }

  private assertFirst(scope: Construct, id: string): void {
    const defaulted = scope.node.root.node.tryFindChild(DEFAULT_ID);
    const sibling = DECLARED.get(scope);
    const siblings = [
      ...(defaulted && defaulted !== this ? [defaulted] : []),
      ...(sibling && sibling !== this ? [sibling] : []),
    ];
    if (siblings.length > 0) {
      const other = siblings[0].node.id === DEFAULT_ID
        ? 'a default ClusterNetwork was already created because a construct used ClusterNetwork.of() before this one was declared; declare the ClusterNetwork first'
        : `'${siblings[0].node.path}' is already declared in the same scope`;
      throw new Error(`[${scope.node.path}/${id}] ClusterNetwork: only one per scope: ${other}`);
    }
  }

  private cidrs(prop: string, values: string[]): string[] {
    return values.map((c, i) => checkClusterFamily(this, `${prop}[${i}]`, validateCidr(this, `${prop}[${i}]`, c), this.ipFamilies).text);
  }

  private nonEmpty(prop: string, values: string[], why = 'at least one CIDR is required'): string[] {
    if (values.length === 0) throw propError(this, prop, `must not be empty: ${why}`);
    return values;
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
    return ip;
  }

  private hostIp(prop: string, ip: string): string {
    const parsed = validateCidr(this, prop, ip.includes('/') ? ip : `${ip}/${ip.includes(':') ? 128 : 32}`);
    if (parsed.prefix !== hostPrefix(parsed.family)) throw propError(this, prop, `'${ip}' must be a single IP address`);
    return checkClusterFamily(this, prop, parsed, this.ipFamilies, parsed.address.toString()).address.toString();
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
    return {
      namespace: validateDnsLabel(this, `${prop}.namespace`, value.namespace),
      podLabels: value.podLabels ? validateLabels(this, `${prop}.podLabels`, value.podLabels) : undefined,
    };
  }
}
