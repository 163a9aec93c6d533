/**
 * Where Calico puts pods: with Calico CNI and Calico IPAM, every pod IP comes from an IP pool
 * (https://docs.tigera.io/calico/latest/networking/ipam/initial-ippool: "Calico IP pools are ranges
 * of IP addresses that Calico uses to assign to pods"; "IP pools are only used when Calico is used
 * for pod networking"). When the manifests carry the operator's Installation with its pools, a pod
 * whose IP is not given is somewhere in those pools, which makes `nets` / `notNets` covering them
 * (e.g. "the internet" minus the pod CIDR) exact instead of unknown. Not covered: pods given an
 * address outside IPAM with the `cni.projectcalico.org/ipAddrsNoIpam` annotation, which Calico's CNI
 * only honours when its `ip_addrs_no_ipam` feature is switched on.
 */
import { AddressSet } from '../../util/address-set';
import { ParsedCidr, parseCidrLoose } from '../../util/cidr';
import { AddressSpace, ManifestObject } from '../model';

/**
 * Providers whose operator default CNI is the cloud's own (AmazonVPC, GKE, AzureVNET): pods get
 * their IPs outside Calico's pools unless `spec.cni.type` says Calico.
 */
const CLOUD_CNI_PROVIDERS = new Set(['EKS', 'GKE', 'AKS']);

function isInstallation(obj: ManifestObject): boolean {
  return obj.apiVersion === 'operator.tigera.io/v1' && obj.kind === 'Installation';
}

/** A projectcalico.org/v3 IPPool, or its crd.projectcalico.org/v1 storage form found in a cluster dump. */
function isIpPool(obj: ManifestObject): boolean {
  return (obj.apiVersion === 'projectcalico.org/v3' || obj.apiVersion === 'crd.projectcalico.org/v1') && obj.kind === 'IPPool';
}

/** Does this Installation give pods their IPs from Calico pools (Calico CNI with Calico IPAM)? */
function usesCalicoIpam(spec: any): boolean {
  return cniType(spec) === 'Calico' && (spec?.cni?.ipam?.type ?? 'Calico') === 'Calico';
}

/** The Installation's CNI (`spec.cni.type`, else the provider's operator default; undefined: a cloud's own). */
function cniType(spec: any): unknown {
  return spec?.cni?.type ?? (CLOUD_CNI_PROVIDERS.has(spec?.kubernetesProvider) ? undefined : 'Calico');
}

/**
 * The pod address space Calico IPAM draws from, when the manifests say it exactly: one Installation
 * with Calico CNI and IPAM and an explicit `calicoNetwork.ipPools` list (omitted, the operator picks
 * 192.168.0.0/16 or the kubeadm pod subnet, which the manifests do not tell), plus every IPPool
 * object (pools added after install; disabled pools still hold the IPs they gave out), leaving out
 * pools IPAM never picks for a pod that names no pool ({@link givesUnrequestedPodAddresses}). Undefined
 * when any of that is missing, unclear or unparsable: pods then stay where the caller placed them.
 */
export function calicoPodAddressSpace(manifests: readonly ManifestObject[]): AddressSpace | undefined {
  return calicoIpPools(manifests).space;
}

/** What the manifests say about Calico's IP pools. */
export interface CalicoIpPools {
  /** See {@link calicoPodAddressSpace}. */
  readonly space?: AddressSpace;
  /**
   * Pool CIDRs by pool name: the named pools of the Installation and every IPPool object (for the
   * `cni.projectcalico.org/ipv4pools` / `ipv6pools` annotations, which name pools or give CIDRs).
   */
  readonly byName: ReadonlyMap<string, ParsedCidr>;
  /** The one Installation says pods get their IPs from Calico IPAM (false: another IPAM or CNI; undefined: unknown). */
  readonly calicoIpam?: boolean;
  /**
   * The one Installation says pods are set up by Calico's CNI (false: the cloud's or another CNI,
   * which never reads Calico's pod annotations; undefined: unknown).
   */
  readonly calicoCni?: boolean;
}

/** The pools, pod address space and IPAM of the manifests (see {@link calicoPodAddressSpace}). */
export function calicoIpPools(manifests: readonly ManifestObject[]): CalicoIpPools {
  const installations = manifests.filter(isInstallation);
  const byName = new Map<string, ParsedCidr>();
  const named = [
    ...(installations.length === 1 && Array.isArray(installations[0].spec?.calicoNetwork?.ipPools) ? installations[0].spec.calicoNetwork.ipPools : [])
      .map((p: any) => [p?.name, p?.cidr]),
    ...manifests.filter(isIpPool).map((p) => [p.metadata?.name, p.spec?.cidr]),
  ];
  for (const [name, text] of named) {
    const cidr = typeof text === 'string' ? parseCidrLoose(text) : undefined;
    if (typeof name === 'string' && cidr) byName.set(name, cidr);
  }
  const calicoIpam = installations.length === 1 ? usesCalicoIpam(installations[0].spec) : undefined;
  const calicoCni = installations.length === 1 ? cniType(installations[0].spec) === 'Calico' : undefined;
  return { space: poolSpace(manifests, installations), byName, calicoIpam, calicoCni };
}

/**
 * Can Calico IPAM give a pod that names no pool an address from this pool (an Installation pool or
 * an IPPool spec)? Not when its `allowedUses` leaves out `Workload` (e.g. a LoadBalancer pool), its
 * `assignmentMode` is `Manual`, or its `nodeSelector` is `!all()` (no node: the usual pool kept for
 * the ipv4pools / ipv6pools annotations). Automatic selection checks all three, a pool an annotation
 * names only the use (libcalico-go/lib/ipam, qualifyPools / checkSelection / checkUse). Other node
 * and namespace selectors may match some pod: such pools stay.
 */
function givesUnrequestedPodAddresses(pool: any): boolean {
  const uses: unknown = pool?.allowedUses;
  if (Array.isArray(uses) && !uses.includes('Workload')) return false;
  if (pool?.assignmentMode === 'Manual') return false;
  return !(typeof pool?.nodeSelector === 'string' && pool.nodeSelector.replace(/\s/g, '') === '!all()');
}

function poolSpace(manifests: readonly ManifestObject[], installations: ManifestObject[]): AddressSpace | undefined {
  if (installations.length !== 1) return undefined;
  const spec = installations[0].spec;
  const pools: unknown = spec?.calicoNetwork?.ipPools;
  if (!usesCalicoIpam(spec) || !Array.isArray(pools)) return undefined;
  const texts = [
    ...pools.filter((p: any) => givesUnrequestedPodAddresses(p)).map((p: any) => p?.cidr),
    ...manifests.filter(isIpPool).filter((p) => givesUnrequestedPodAddresses(p.spec)).map((p) => p.spec?.cidr),
  ];
  const cidrs: ParsedCidr[] = [];
  for (const text of texts) {
    const cidr = typeof text === 'string' ? parseCidrLoose(text) : undefined;
    if (!cidr) return undefined;
    cidrs.push(cidr);
  }
  if (cidrs.length === 0) return undefined;
  const shown = [...new Set(cidrs.map((c) => c.text))];
  return {
    set: AddressSet.fromCidrs(cidrs),
    description: `somewhere in the Calico IP pool${shown.length > 1 ? 's' : ''} ${shown.join(', ')} (Calico IPAM)`,
  };
}
