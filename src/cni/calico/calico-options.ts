import { CidrError, parseCidr, parseIpLoose } from '../../util/cidr';
import { ValidationError } from '../../util/errors';
import { requireString, requireStringArray } from '../../util/guards';
import { isDnsSubdomain } from '../../util/validate';

/**
 * The typed options of CalicoInstallation. Enum values are the operator.tigera.io/v1 spellings
 * (`operator-crds.yaml`, Calico v3.32.1); booleans become `Enabled`/`Disabled` where the operator
 * wants an enum (never the seed's `natOutgoing: true`, which the CRD rejects).
 */

/** IP pool encapsulation (Installation `calicoNetwork.ipPools[].encapsulation`). */
export enum CalicoEncapsulation {
  /** VXLAN between nodes in different subnets, plain routing inside a subnet (the seeds' default). */
  VXLAN_CROSS_SUBNET = 'VXLANCrossSubnet',
  /** VXLAN always. */
  VXLAN = 'VXLAN',
  /** IP-in-IP always (IPv4 only; needs BGP). */
  IPIP = 'IPIP',
  /** IP-in-IP between subnets (IPv4 only; needs BGP). */
  IPIP_CROSS_SUBNET = 'IPIPCrossSubnet',
  /** No encapsulation: routes are distributed by BGP (needs BGP). */
  NONE = 'None',
}

/** The Linux dataplane (Installation `calicoNetwork.linuxDataplane`). */
export enum CalicoDataplane {
  /** iptables (the operator's default). */
  IPTABLES = 'Iptables',
  /** eBPF: replaces kube-proxy (ClusterNetwork `kubeProxyMode: REPLACED`). */
  BPF = 'BPF',
  /** nftables. */
  NFTABLES = 'Nftables',
}

/**
 * How Calico serves its projectcalico.org/v3 API (Calico 3.32): which CRD chart is installed, never
 * both. Calico detects the mode from the installed CRDs; a cluster keeps the mode it was installed
 * with unless it is migrated with Calico's own procedure (switching this value on a running cluster
 * is not a migration).
 */
export enum CalicoCrdMode {
  /**
   * The default: the `crd.projectcalico.org.v1` CRD chart; projectcalico.org/v3 is served by the
   * aggregated calico-apiserver the APIServer CR deploys, objects are stored as crd.projectcalico.org/v1.
   * Ships the policy.networking.k8s.io ClusterNetworkPolicy CRD.
   */
  API_SERVER = 'ApiServer',
  /**
   * Tech preview (new in Calico 3.32): the `projectcalico.org.v3` CRD chart; projectcalico.org/v3
   * kinds are real CRDs and the APIServer CR deploys a webhooks pod instead of the API server. Needs
   * Kubernetes 1.34 or later (MutatingAdmissionPolicy: feature gate on 1.34/1.35, GA on 1.36). Does
   * not ship the ClusterNetworkPolicy CRD nor the crd.projectcalico.org/v1 CRDs.
   */
  NATIVE_V3 = 'NativeV3',
}

/** Installation `kubernetesProvider`. */
export enum CalicoKubernetesProvider {
  /** Amazon EKS. */
  EKS = 'EKS',
  /** Google GKE. */
  GKE = 'GKE',
  /** Azure AKS. */
  AKS = 'AKS',
  /** OpenShift. */
  OPENSHIFT = 'OpenShift',
  /** Docker Enterprise. */
  DOCKER_ENTERPRISE = 'DockerEnterprise',
  /** RKE2. */
  RKE2 = 'RKE2',
  /** Tanzu Kubernetes Grid. */
  TKG = 'TKG',
  /** kind. */
  KIND = 'Kind',
}

/** One Calico IP pool, managed by the operator through the Installation. */
export interface CalicoIpPool {
  /**
   * The pool CIDR. Must lie inside one of the ClusterNetwork's pod CIDRs (of its IP family), and
   * must not overlap another pool or a service CIDR.
   */
  readonly cidr: string;
  /**
   * Pool name (a DNS-1123 subdomain). Never also emit a projectcalico.org/v3 IPPool of this name:
   * the operator owns it.
   * @default 'default-ipv4-ippool' / 'default-ipv6-ippool' for the first pool of a family, 'ipv4-ippool-2', ... after
   */
  readonly name?: string;
  /**
   * Prefix length of the per-node blocks: 20-32 for IPv4, 116-128 for IPv6, and not shorter than
   * the pool's own prefix. Immutable once the pool exists.
   * @default 26 (IPv4), 122 (IPv6), the operator's defaults and the seeds' practice
   */
  readonly blockSize?: number;
  /**
   * Encapsulation. IPIP modes are IPv4 only; IPIP and None need `bgp: true`.
   * @default CalicoEncapsulation.VXLAN_CROSS_SUBNET (the seeds' practice; works without BGP)
   */
  readonly encapsulation?: CalicoEncapsulation;
  /**
   * Masquerade traffic from pods to destinations outside the pools (`natOutgoing: Enabled`).
   * @default true
   */
  readonly natOutgoing?: boolean;
  /**
   * Calico selector of the nodes that allocate from this pool.
   * @default 'all()'
   */
  readonly nodeSelector?: string;
}

/** BGPConfiguration `default` (only with `bgp: true`). */
export interface CalicoBgpConfigurationOptions {
  /**
   * The cluster's default AS number (1-4294967295).
   * @default 64512 (Calico's default, a private ASN)
   */
  readonly asNumber?: number;
  /**
   * Full node-to-node BGP mesh. Turn it off when nodes peer with route reflectors or the fabric.
   * @default true
   */
  readonly nodeToNodeMesh?: boolean;
  /**
   * Advertise the ClusterNetwork's service CIDRs over BGP (`serviceClusterIPs`).
   * @default false
   */
  readonly advertiseServiceCidrs?: boolean;
}

/** The real address of the Kubernetes API server, for the eBPF dataplane's `kubernetes-services-endpoint` ConfigMap. */
export interface CalicoKubernetesServiceEndpoint {
  /** API server host name or IP (not the kubernetes Service ClusterIP: eBPF replaces kube-proxy, which serves it). */
  readonly host: string;
  /**
   * API server port.
   * @default 6443
   */
  readonly port?: number;
}

/**
 * How calico/node finds the node's address of one IP family (Installation
 * `nodeAddressAutodetectionV4/V6`); the operator accepts exactly one method per family.
 */
export class CalicoNodeAddressAutodetection {
  /** The first valid address on the first interface that is not a well-known virtual one. */
  public static firstFound(): CalicoNodeAddressAutodetection {
    return new CalicoNodeAddressAutodetection({ firstFound: true }, 'firstFound');
  }

  /** The node's InternalIP as Kubernetes reports it (the most predictable choice). */
  public static kubernetesInternalIp(): CalicoNodeAddressAutodetection {
    return new CalicoNodeAddressAutodetection({ kubernetes: 'NodeInternalIP' }, 'kubernetes');
  }

  /**
   * The first address of an interface whose name matches the regular expression.
   * @param regex Go regular expression, e.g. 'eth0' or 'ens.*'
   */
  public static interfaceName(regex: string): CalicoNodeAddressAutodetection {
    return new CalicoNodeAddressAutodetection({ interface: goRegex('interfaceName', regex) }, 'interface');
  }

  /**
   * The first address of an interface whose name does not match the regular expression.
   * @param regex Go regular expression
   */
  public static skipInterfaceName(regex: string): CalicoNodeAddressAutodetection {
    return new CalicoNodeAddressAutodetection({ skipInterface: goRegex('skipInterfaceName', regex) }, 'skipInterface');
  }

  /**
   * The source address used to reach an IP or host name.
   * @param destination IP address or DNS name
   */
  public static canReach(destination: string): CalicoNodeAddressAutodetection {
    const d = requireString('CalicoNodeAddressAutodetection.canReach', 'destination', destination, true);
    if (parseIpLoose(d) === undefined && !isDnsSubdomain(d)) {
      throw new ValidationError('CalicoNodeAddressAutodetection.canReach', 'destination', `'${d}' is not an IP address or a DNS name`);
    }
    return new CalicoNodeAddressAutodetection({ canReach: d }, 'canReach');
  }

  /**
   * The address inside one of the CIDRs.
   * @param cidrs node CIDRs
   */
  public static cidrs(cidrs: string[]): CalicoNodeAddressAutodetection {
    const site = 'CalicoNodeAddressAutodetection.cidrs';
    const list = requireStringArray(site, 'cidrs', cidrs, true);
    if (list.length === 0) throw new ValidationError(site, 'cidrs', 'give at least one CIDR');
    list.forEach((cidr, i) => {
      try {
        parseCidr(cidr);
      } catch (e) {
        if (e instanceof CidrError) throw new ValidationError(site, `cidrs[${i}]`, `invalid CIDR: ${e.message}`);
        throw e;
      }
    });
    return new CalicoNodeAddressAutodetection({ cidrs: list }, 'cidrs');
  }

  /** The method's name. */
  public readonly method: string;
  /** @internal */
  public readonly _spec: Record<string, unknown>;

  private constructor(spec: Record<string, unknown>, method: string) {
    this._spec = spec;
    this.method = method;
  }
}

/**
 * An interface-name regular expression (Go RE2 syntax): non-empty, and one that compiles. JavaScript
 * refuses at least the syntax errors RE2 refuses (`*`, unbalanced groups); a leading RE2 flag group
 * such as `(?i)` is accepted.
 */
function goRegex(factory: string, value: string): string {
  const site = `CalicoNodeAddressAutodetection.${factory}`;
  const regex = requireString(site, 'regex', value, true);
  try {
    new RegExp(regex.replace(/^\(\?[imsU]+\)/, ''));
  } catch {
    throw new ValidationError(site, 'regex', `'${regex}' is not a regular expression`);
  }
  return regex;
}
