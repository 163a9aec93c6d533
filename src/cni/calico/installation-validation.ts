/**
 * Checks of the merged operator.tigera.io/v1 Installation spec (typed props + `installationOverrides`)
 * that the JSON schema does not express: tigera/operator validation (pkg/controller/installation,
 * v1.42.3), the CRD's CEL-free rules the API server only applies to the crd.projectcalico.org IPPool
 * it creates, and consistency with the ClusterNetwork. Errors name the typed prop, or the override
 * path when `installationOverrides` set the field.
 */
import { IConstruct } from 'constructs';
import { parseCalicoSelector } from '../../analysis/calico/selector';
import { ClusterNetwork, IpFamily } from '../../cluster/cluster-network';
import { ipFamilyOf } from '../../cluster/ip-family-check';
import { KubeProxyMode } from '../../cluster/kube-proxy-mode';
import { CidrError, cidrContainsCidr, cidrsOverlap, parseCidr, ParsedCidr } from '../../util/cidr';
import { hasPath } from '../../util/deep-merge';
import { propError } from '../../util/errors';
import { isPlainObject } from '../../util/vocabulary';

const ENCAPSULATIONS = ['IPIPCrossSubnet', 'IPIP', 'VXLAN', 'VXLANCrossSubnet', 'None'];
const ENABLED_DISABLED = ['Enabled', 'Disabled'];
/** Encapsulations that rely on BGP (BIRD) to distribute routes (operator validation). */
const NEEDS_BGP = ['IPIP', 'IPIPCrossSubnet', 'None'];
/** Valid block sizes per family (Installation CRD description; IPAM block limits). */
const BLOCK_SIZES: Record<IpFamily, [number, number]> = { [IpFamily.IPV4]: [20, 32], [IpFamily.IPV6]: [116, 128] };
/** The projectcalico.org IPPool validator rejects link-local pools. */
const LINK_LOCAL = [parseCidr('169.254.0.0/16'), parseCidr('fe80::/10')];
const AUTODETECTION_METHODS = ['firstFound', 'kubernetes', 'interface', 'skipInterface', 'canReach', 'cidrs'];
/** Installation CRD: `calicoNetwork.ipPools` maxItems. */
const MAX_POOLS = 25;
/** Installation `cni.type` defaults by `kubernetesProvider` (CRD description); otherwise Calico, or AmazonVPC when aws-node runs (unknown here). */
const PROVIDER_CNI: Record<string, string> = { GKE: 'GKE', AKS: 'AzureVNET', EKS: 'AmazonVPC' };

/** Where a spec field came from, for error messages. */
export interface SpecOrigin {
  /** The overrides as wire JSON. */
  readonly overrides: Record<string, unknown>;
  /** Spec path (dotted, no indexes) -> the typed prop that sets it. */
  readonly typedProps: Record<string, string>;
  /** The kubernetes-services-endpoint ConfigMap is emitted (prop `kubernetesServiceEndpoint`). */
  readonly serviceEndpointConfigMap: boolean;
}

function propName(origin: SpecOrigin, specPath: string, suffix = ''): string {
  const overridden = hasPath(origin.overrides, specPath);
  const base = overridden ? `installationOverrides.${specPath}` : (origin.typedProps[specPath] ?? `installationOverrides.${specPath}`);
  return `${base}${suffix}`;
}

/** Validate the merged spec; throws the first problem as a propError. */
export function validateInstallationSpec(scope: IConstruct, spec: Record<string, any>, origin: SpecOrigin, cluster: ClusterNetwork): void {
  const network: Record<string, any> = isPlainObject(spec.calicoNetwork) ? spec.calicoNetwork : {};
  const bgp = network.bgp ?? 'Enabled';
  const where = (path: string, suffix = '') => propName(origin, path, suffix);
  if (!ENABLED_DISABLED.includes(bgp)) throw propError(scope, where('calicoNetwork.bgp'), `'${bgp}' must be 'Enabled' or 'Disabled'`);

  const pools: any[] = Array.isArray(network.ipPools) ? network.ipPools : [];
  // `ipPools: []` makes the operator create no pool (the typed prop refuses it; so must an override).
  if (Array.isArray(network.ipPools) && pools.length === 0) {
    throw propError(scope, where('calicoNetwork.ipPools'), 'must not be empty: the operator would create no pool and pods would get no address '
      + '(omit it for one pool per pod CIDR)');
  }
  if (pools.length > MAX_POOLS) throw propError(scope, where('calicoNetwork.ipPools'), `${pools.length} pools; the Installation CRD allows at most ${MAX_POOLS}`);
  const parsed: Array<{ cidr: ParsedCidr; family: IpFamily; loadBalancer: boolean }> = [];
  const names = new Set<string>();
  const cniTypeGiven = isPlainObject(spec.cni) && spec.cni.type !== undefined;
  const cniType: unknown = cniTypeGiven ? spec.cni.type : PROVIDER_CNI[spec.kubernetesProvider];
  const cniTypeFrom = cniTypeGiven ? 'cni.type' : `the default cni.type for kubernetesProvider ${spec.kubernetesProvider}`;
  // tigera/operator checks BGP for IPIP and unencapsulated pools only with Calico as the CNI plugin and its IPAM (see below).
  const ipamType = isPlainObject(spec.cni) && isPlainObject(spec.cni.ipam) ? spec.cni.ipam.type ?? 'Calico' : 'Calico';
  const calicoIpam = (cniType === undefined || cniType === 'Calico') && ipamType === 'Calico';
  pools.forEach((pool, i) => {
    const at = (field: string) => where('calicoNetwork.ipPools', `[${i}].${field}`);
    let cidr: ParsedCidr;
    try {
      cidr = parseCidr(pool.cidr);
    } catch (e) {
      throw propError(scope, at('cidr'), e instanceof CidrError ? e.message : String(e));
    }
    const family = ipFamilyOf(cidr);
    if (!cluster.ipFamilies.includes(family)) {
      throw propError(scope, at('cidr'), `'${cidr.text}' is ${family}, but the cluster's ipFamilies are [${cluster.ipFamilies.join(', ')}]: `
        + 'add the family to the ClusterNetwork or drop the pool');
    }
    if (LINK_LOCAL.some((ll) => cidrsOverlap(ll, cidr))) {
      throw propError(scope, at('cidr'), `'${cidr.text}' overlaps the link-local range, which Calico rejects for IP pools`);
    }
    // allowedUses [LoadBalancer]: the pool holds Service LoadBalancer addresses (Calico LoadBalancer IPAM), not
    // pod addresses, and tigera/operator refuses it combined with Workload or Tunnel (ValidatePools).
    const uses: unknown[] = Array.isArray(pool.allowedUses) ? pool.allowedUses : [];
    const loadBalancer = uses.includes('LoadBalancer');
    if (loadBalancer && uses.some((u) => u !== 'LoadBalancer')) {
      throw propError(scope, at('allowedUses'), `${JSON.stringify(uses)}: LoadBalancer cannot be combined with Workload or Tunnel (tigera/operator): `
        + 'give the Service addresses a pool of their own');
    }
    // tigera/operator fills an omitted encapsulation with IPIP for an IPv4 pool when Calico is the CNI
    // plugin, else None (ippool controller fillDefaults); the typed props always set one.
    const encapsulation = pool.encapsulation ?? (family === IpFamily.IPV4 && (cniType === undefined || cniType === 'Calico') ? 'IPIP' : 'None');
    if (loadBalancer && encapsulation !== 'None') {
      throw propError(scope, at('encapsulation'), `${JSON.stringify(encapsulation)}${pool.encapsulation === undefined ? ' (the operator\'s default here)' : ''}: `
        + 'a LoadBalancer pool must not be encapsulated (tigera/operator): use None');
    }
    if (loadBalancer && pool.disableBGPExport === true) {
      throw propError(scope, at('disableBGPExport'), 'a LoadBalancer pool is announced over BGP: tigera/operator refuses disableBGPExport: true on it');
    }
    if (!loadBalancer && !cluster.podCidrs.some((pod) => cidrContainsCidr(parseCidr(pod), cidr))) {
      throw propError(scope, at('cidr'), `'${cidr.text}' is outside the cluster's pod CIDRs [${cluster.podCidrs.join(', ')}]: `
        + 'pods would get addresses the rest of the cluster (kube-proxy, policies, routes) does not treat as pod addresses');
    }
    const svc = cluster.serviceCidrs.find((s) => cidrsOverlap(parseCidr(s), cidr));
    if (svc) throw propError(scope, at('cidr'), `'${cidr.text}' overlaps the service CIDR ${svc}`);
    const clash = parsed.findIndex((p) => cidrsOverlap(p.cidr, cidr));
    if (clash >= 0) throw propError(scope, at('cidr'), `'${cidr.text}' overlaps ipPools[${clash}] (${parsed[clash].cidr.text}): Calico rejects overlapping pools`);
    parsed.push({ cidr, family, loadBalancer });

    if (pool.name !== undefined) {
      if (names.has(pool.name)) throw propError(scope, at('name'), `'${pool.name}' is used by two pools`);
      names.add(pool.name);
    }
    const [min, max] = BLOCK_SIZES[family];
    const blockSize = pool.blockSize ?? (family === IpFamily.IPV4 ? 26 : 122);
    if (!Number.isInteger(blockSize) || blockSize < min || blockSize > max) {
      throw propError(scope, at('blockSize'), `${JSON.stringify(blockSize)} is outside ${min}-${max}, the valid block sizes of an ${family} pool`);
    }
    if (blockSize < cidr.prefix) {
      throw propError(scope, at('blockSize'), `/${blockSize} blocks do not fit in the /${cidr.prefix} pool ${cidr.text}`);
    }
    if (!ENCAPSULATIONS.includes(encapsulation)) {
      throw propError(scope, at('encapsulation'), `${JSON.stringify(encapsulation)} is not one of ${ENCAPSULATIONS.join(', ')}`);
    }
    if (family === IpFamily.IPV6 && encapsulation.startsWith('IPIP')) {
      throw propError(scope, at('encapsulation'), `${encapsulation} is not supported on IPv6 pools (tigera/operator validation): use VXLAN, VXLANCrossSubnet or None`);
    }
    // tigera/operator: IPIP and unencapsulated pools need BGP when BIRD programs the routes, which it
    // checks only with Calico as the CNI plugin and its IPAM (with AmazonVPC, AzureVNET or GKE the
    // cloud routes pod traffic).
    const routing = network.clusterRoutingMode ?? 'BIRD';
    if (calicoIpam && NEEDS_BGP.includes(encapsulation) && bgp !== 'Enabled' && routing === 'BIRD') {
      throw propError(scope, at('encapsulation'), `${encapsulation} needs BGP to distribute routes, but BGP is disabled: `
        + 'set bgp: true, or use VXLAN / VXLANCrossSubnet');
    }
    const nat = pool.natOutgoing ?? 'Enabled';
    if (!ENABLED_DISABLED.includes(nat)) {
      throw propError(scope, at('natOutgoing'), `${JSON.stringify(nat)} must be 'Enabled' or 'Disabled' (the Installation CRD's enum; a boolean is rejected)`);
    }
    // '' is the operator's default 'all()' (fillDefaults), as omitting it is; blanks are Calico's all().
    if (pool.nodeSelector !== undefined && typeof pool.nodeSelector !== 'string') {
      throw propError(scope, at('nodeSelector'), `must be a Calico selector string (e.g. 'all()'), got ${JSON.stringify(pool.nodeSelector)}`);
    }
    // The operator turns each pool into a projectcalico.org/v3 IPPool, whose nodeSelector Calico's
    // validator parses as a selector (libcalico-go IPPoolSpec `validate:"omitempty,selector"`): a
    // malformed one is refused there, the pool never exists and pods get no address from it.
    if (typeof pool.nodeSelector === 'string') {
      try {
        parseCalicoSelector(pool.nodeSelector);
      } catch (e) {
        throw propError(scope, at('nodeSelector'), `${(e as Error).message}; Calico refuses the IPPool the operator creates from it (e.g. 'all()', `
          + '"kubernetes.io/os == \'linux\'", \'has(zone)\')');
      }
    }
    // tigera/operator ValidatePools compares the string itself, not what it selects: a LoadBalancer
    // pool, and every pool when Calico is not the CNI plugin, must say exactly 'all()' (the default).
    // A refused Installation is not reconciled: the operator reports it Degraded and changes nothing.
    const selector = pool.nodeSelector === undefined || pool.nodeSelector === '' ? 'all()' : pool.nodeSelector;
    if (selector !== 'all()') {
      if (loadBalancer) {
        throw propError(scope, at('nodeSelector'), `${JSON.stringify(selector)} must be exactly 'all()' on a LoadBalancer pool (allowedUses): `
          + 'tigera/operator refuses any other node selector there');
      }
      if (typeof cniType === 'string' && cniType !== 'Calico') {
        throw propError(scope, at('nodeSelector'), `${JSON.stringify(selector)} must be exactly 'all()' with the ${cniType} CNI plugin (${cniTypeFrom}): `
          + 'tigera/operator refuses any other node selector when Calico is not the CNI plugin');
      }
    }
  });
  for (const family of cluster.ipFamilies) {
    if (pools.length > 0 && !parsed.some((p) => p.family === family && !p.loadBalancer)) {
      throw propError(scope, where('calicoNetwork.ipPools'), `no ${family} pool, but the cluster's ipFamilies include ${family}: pods would get no ${family} address`);
    }
  }

  for (const [key, family] of [['nodeAddressAutodetectionV4', IpFamily.IPV4], ['nodeAddressAutodetectionV6', IpFamily.IPV6]] as const) {
    const detection = network[key];
    if (detection === undefined) continue;
    const methods = AUTODETECTION_METHODS.filter((m) => detection[m] !== undefined && detection[m] !== false
      && !(Array.isArray(detection[m]) && detection[m].length === 0));
    if (methods.length > 1) {
      throw propError(scope, where(`calicoNetwork.${key}`), `sets ${methods.join(' and ')}: the operator accepts at most one autodetection method per family`);
    }
    if (!cluster.ipFamilies.includes(family)) {
      throw propError(scope, where(`calicoNetwork.${key}`), `the cluster has no ${family} family`);
    }
  }

  const dataplane = network.linuxDataplane ?? 'Iptables';
  const bootstrap = network.bpfNetworkBootstrap === 'Enabled';
  const kubeProxyManagement = network.kubeProxyManagement === 'Enabled';
  if (dataplane === 'BPF') {
    validateBpf(scope, network, origin, cluster, bootstrap, kubeProxyManagement);
  } else {
    if (bootstrap) throw propError(scope, where('calicoNetwork.bpfNetworkBootstrap'), `only applies to the BPF dataplane, not ${dataplane}`);
    if (origin.serviceEndpointConfigMap) {
      throw propError(scope, 'kubernetesServiceEndpoint', `only applies to the BPF dataplane, not ${dataplane}`);
    }
    if (cluster.kubeProxyMode === KubeProxyMode.REPLACED) {
      throw propError(scope, where('calicoNetwork.linuxDataplane'), `the ClusterNetwork says kube-proxy is replaced, but only Calico's BPF dataplane replaces it, not ${dataplane}: `
        + 'use CalicoDataplane.BPF, or set the ClusterNetwork kubeProxyMode the cluster runs');
    }
  }

  if (network.mtu !== undefined && (!Number.isInteger(network.mtu) || network.mtu < 576 || network.mtu > 9216)) {
    throw propError(scope, where('calicoNetwork.mtu'), `${JSON.stringify(network.mtu)} is not an MTU in 576-9216`);
  }
  if (spec.registry !== undefined && (typeof spec.registry !== 'string' || !spec.registry.endsWith('/'))) {
    throw propError(scope, where('registry'), `'${spec.registry}' must end with '/' (the operator appends image paths to it)`);
  }
}

/**
 * The network MTUs of the "Common MTU sizes" table of docs.tigera.io "Configure MTU" (Ethernet,
 * jumbo, GCE, AWS jumbo, OpenStack VXLAN). A pod MTU equal to one of them is, with WireGuard, the
 * node's MTU copied (or, for 1450, the VXLAN value of a 1500-byte network kept): it leaves no room
 * for the WireGuard header unless the network is larger, which the user must then say.
 */
const COMMON_NETWORK_MTUS = [1450, 1460, 1500, 9000, 9001];

/**
 * An explicit pod MTU with Calico's WireGuard. The operator sets the WireGuard interfaces' MTU
 * (FELIX_WIREGUARDMTU, FELIX_WIREGUARDMTUV6) to the Installation's `mtu`; WireGuard adds 60 bytes
 * over IPv4 and 80 over IPv6 and sets Don't Fragment, so the pod MTU must be at most the network's
 * MTU minus that (docs.tigera.io "Configure MTU": minus 80 as soon as IPv6 WireGuard is used
 * anywhere). The network's MTU is unknown here: with `nodeNetworkMtu` the check is exact, without
 * it only an MTU that is itself a common network MTU is refused (jumbo and other pod MTUs below a
 * larger network stay valid). Auto-detection (no `mtu`) accounts for WireGuard itself.
 */
export function validateWireguardMtu(
  scope: IConstruct, spec: Record<string, any>, origin: SpecOrigin, cluster: ClusterNetwork, wireguard: boolean, nodeNetworkMtu: number | undefined,
): void {
  const mtu = isPlainObject(spec.calicoNetwork) ? spec.calicoNetwork.mtu : undefined;
  if (nodeNetworkMtu !== undefined && (!wireguard || mtu === undefined)) {
    throw propError(scope, 'nodeNetworkMtu', 'only applies with wireguard: true and an explicit mtu (it checks that mtu against WireGuard\'s header; '
      + 'without mtu the operator auto-detects from the node\'s interfaces)');
  }
  if (!wireguard || mtu === undefined) return;
  const overhead = cluster.ipFamilies.includes(IpFamily.IPV6) ? 80 : 60;
  const where = propName(origin, 'calicoNetwork.mtu');
  if (nodeNetworkMtu !== undefined) {
    if (mtu > nodeNetworkMtu - overhead) {
      throw propError(scope, where, `${mtu} leaves no room for WireGuard's ${overhead}-byte header on the ${nodeNetworkMtu}-byte node network (nodeNetworkMtu): `
        + `at most ${nodeNetworkMtu - overhead} (WireGuard sets Don't Fragment, so larger pod packets would be dropped)`);
    }
    return;
  }
  if (COMMON_NETWORK_MTUS.includes(mtu)) {
    throw propError(scope, where, `${mtu} is a common node network MTU (1450, 1460, 1500, 9000 and 9001 in docs.tigera.io "Configure MTU"), `
      + 'and the operator gives the WireGuard interface the pod MTU too: '
      + `WireGuard adds a ${overhead}-byte header and sets Don't Fragment, so full-size pod packets would be dropped on a ${mtu}-byte network. `
      + `Use the network MTU minus ${overhead} (${mtu - overhead} on a ${mtu}-byte network), omit mtu for auto-detection, `
      + 'or state the node network\'s MTU with nodeNetworkMtu if it is larger');
  }
}

/**
 * The BPF dataplane (docs.tigera.io "Enable the eBPF dataplane"; NETWORKING-FACTS.md Calico): the
 * operator must reach the API server without kube-proxy, either by itself (`bpfNetworkBootstrap` +
 * `kubeProxyManagement`, as custom-resources-bpf.yaml does) or through the
 * `kubernetes-services-endpoint` ConfigMap, never both (the CRD says so of `bpfNetworkBootstrap`);
 * calico/node needs an explicit node address autodetection (tigera/operator validation); kube-proxy
 * is replaced, which the ClusterNetwork must say.
 */
function validateBpf(
  scope: IConstruct, network: Record<string, any>, origin: SpecOrigin, cluster: ClusterNetwork, bootstrap: boolean, kubeProxyManagement: boolean,
): void {
  const where = (path: string) => propName(origin, path);
  const configMap = origin.serviceEndpointConfigMap;
  if (bootstrap && configMap) {
    throw propError(scope, 'kubernetesServiceEndpoint', 'the kubernetes-services-endpoint ConfigMap and bpfNetworkBootstrap: Enabled are mutually exclusive '
      + '(Installation CRD): choose one way for the operator to reach the API server');
  }
  if (!bootstrap && !configMap) {
    throw propError(scope, where('calicoNetwork.linuxDataplane'), 'the BPF dataplane replaces kube-proxy, so the operator needs another way to reach the API server: '
      + 'set kubernetesServiceEndpoint (the real API server address, in the kubernetes-services-endpoint ConfigMap) '
      + 'or operatorManagesKubeProxy: true (bpfNetworkBootstrap + kubeProxyManagement)');
  }
  if (bootstrap !== kubeProxyManagement && bootstrap) {
    throw propError(scope, where('calicoNetwork.kubeProxyManagement'), 'bpfNetworkBootstrap: Enabled needs kubeProxyManagement: Enabled so that the operator disables kube-proxy');
  }
  for (const [key, family] of [['nodeAddressAutodetectionV4', IpFamily.IPV4], ['nodeAddressAutodetectionV6', IpFamily.IPV6]] as const) {
    if (cluster.ipFamilies.includes(family) && network[key] === undefined) {
      throw propError(scope, origin.typedProps[`calicoNetwork.${key}`] ?? key, `the BPF dataplane needs an explicit ${family} node address autodetection `
        + '(tigera/operator validation), e.g. CalicoNodeAddressAutodetection.kubernetesInternalIp()');
    }
  }
  if (cluster.kubeProxyMode !== KubeProxyMode.REPLACED) {
    throw propError(scope, where('calicoNetwork.linuxDataplane'), `the BPF dataplane replaces kube-proxy, but the ClusterNetwork says kube-proxy runs in ${cluster.kubeProxyMode} mode: `
      + 'set kubeProxyMode: KubeProxyMode.REPLACED in the ClusterNetwork (DNS allows depend on it)');
  }
}
