/**
 * Where a pod's address is under Calico when the manifests do not give its IP (Pod `status.podIP`):
 *
 * - `cni.projectcalico.org/ipAddrs` (from Calico IPAM) or `cni.projectcalico.org/ipAddrsNoIpam`
 *   (bypassing IPAM, possibly outside every pool and pod CIDR) on the pod: the pod has exactly those
 *   addresses (JSON list of IPs). Calico's CNI refuses to set up a pod that carries both, an
 *   unparsable list, either without Calico IPAM, or `ipAddrsNoIpam` without the CNI configuration's
 *   `feature_control.ip_addrs_no_ipam` (off by default, not in the manifests); such a pod may never
 *   run, so its own sides are indeterminate wherever its policy would let traffic through
 *   ({@link CalicoPodPlacement.notStarting}); an unusable annotation also leaves the address unknown
 *   (projectcalico/calico cni-plugin/pkg/k8s/k8s.go, CmdAddK8s;
 *   https://docs.tigera.io/calico/latest/networking/ipam/use-specific-ip).
 * - `cni.projectcalico.org/ipv4pools` / `ipv6pools` (pod, else its namespace; JSON list of pool
 *   names or CIDRs; read only with Calico IPAM, same source; docs "Assign IP addresses based on
 *   topology" / "Use a specific IP pool with a pod"): the address of that family comes from those
 *   pools, which may lie outside the pod CIDRs. Pools the manifests do not define make it unknown.
 * - None of this when the Installation gives pods another CNI (the cloud's): it never reads them.
 * - Otherwise: the caller's pod CIDRs and Calico's IP pools (./ip-pools). Calico IPAM allocates from
 *   every pool, so when the manifests give pools outside the pod CIDRs the pod may be in either.
 */
import { CalicoIpPools, calicoIpPools } from './ip-pools';
import { AddressSet } from '../../util/address-set';
import { ParsedCidr, parseCidrLoose, parseIpLoose } from '../../util/cidr';
import { isNamespace, isPlainObject, nameOf } from '../../util/vocabulary';
import { ANY_ENDPOINT_ADDRESS } from '../addresses';
import { AddressSpace, Endpoint, isPodNetworkEndpoint, ManifestObject } from '../model';

/** Pod annotation: IPs Calico IPAM must assign to the pod. */
export const CALICO_IP_ADDRS = 'cni.projectcalico.org/ipAddrs';
/** Pod annotation: IPs the pod gets without IPAM (needs the CNI feature `ip_addrs_no_ipam`). */
export const CALICO_IP_ADDRS_NO_IPAM = 'cni.projectcalico.org/ipAddrsNoIpam';
/** Pod or namespace annotation: IPv4 pools (names or CIDRs) Calico IPAM draws the pod's address from. */
export const CALICO_IPV4_POOLS = 'cni.projectcalico.org/ipv4pools';
/** Pod or namespace annotation: IPv6 pools (names or CIDRs) Calico IPAM draws the pod's address from. */
export const CALICO_IPV6_POOLS = 'cni.projectcalico.org/ipv6pools';

const ADDRESS_ANNOTATIONS = new Set([CALICO_IP_ADDRS, CALICO_IP_ADDRS_NO_IPAM, CALICO_IPV4_POOLS, CALICO_IPV6_POOLS]);

/** Is `key` a pod annotation that decides the address Calico gives the pod (kept on endpoints by the inventory)? */
export function isCalicoAddressAnnotation(key: string): boolean {
  return ADDRESS_ANNOTATIONS.has(key);
}

/** A JSON list of strings, or undefined. */
function stringList(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Places pod endpoints where Calico puts them (see the module comment); one copy per endpoint. */
export class CalicoPodPlacement {
  private readonly pools: CalicoIpPools;
  private readonly namespaceAnnotations = new Map<string, Record<string, string>>();
  private readonly placed = new WeakMap<Endpoint, Endpoint>();
  /** Why Calico's CNI may not set the pod up, by endpoint (the given one and its placed copy). */
  private readonly startProblems = new WeakMap<Endpoint, string>();

  constructor(manifests: readonly ManifestObject[]) {
    this.pools = calicoIpPools(manifests);
    for (const obj of manifests) {
      const name = nameOf(obj);
      const annotations = obj.metadata?.annotations;
      if (!isNamespace(obj) || !name || !isPlainObject(annotations)) continue;
      const kept: Record<string, string> = {};
      for (const key of [CALICO_IPV4_POOLS, CALICO_IPV6_POOLS]) if (typeof annotations[key] === 'string') kept[key] = annotations[key];
      this.namespaceAnnotations.set(name, kept);
    }
  }

  /** The endpoint with the addresses Calico gives it (the endpoint itself when nothing changes). */
  place(ep: Endpoint): Endpoint {
    let copy = this.placed.get(ep);
    if (!copy) {
      this.placed.set(ep, copy = this.compute(ep));
      const problem = this.startProblem(ep);
      if (problem) for (const e of [ep, copy]) this.startProblems.set(e, problem);
    }
    return copy;
  }

  /**
   * Why Calico's CNI may refuse to set the pod up, so that it never runs (undefined: it sets it up, as
   * far as its annotations tell); works on the given endpoint and on its placed copy.
   */
  notStarting(ep: Endpoint): string | undefined {
    this.place(ep);
    return this.startProblems.get(ep);
  }

  /**
   * CmdAddK8s (cni-plugin/pkg/k8s/k8s.go) fails the pod for an ipv4pools / ipv6pools annotation that
   * is no JSON list, for both ipAddrs and ipAddrsNoIpam, for either without Calico IPAM, and for
   * ipAddrsNoIpam unless the CNI configuration enables `feature_control.ip_addrs_no_ipam` (off by
   * default; not in the manifests). A pod with a known IP runs.
   */
  private startProblem(ep: Endpoint): string | undefined {
    if (!isPodNetworkEndpoint(ep) || ep.ip !== undefined || (ep.ips?.length ?? 0) > 0 || this.pools.calicoCni === false) return undefined;
    const ipAddrs = ep.annotations?.[CALICO_IP_ADDRS];
    const noIpam = ep.annotations?.[CALICO_IP_ADDRS_NO_IPAM];
    if (ipAddrs && noIpam) return `it has both ${CALICO_IP_ADDRS} and ${CALICO_IP_ADDRS_NO_IPAM}, which Calico's CNI refuses`;
    const key = ipAddrs ? CALICO_IP_ADDRS : noIpam ? CALICO_IP_ADDRS_NO_IPAM : undefined;
    if (key && this.pools.calicoIpam === false) return `its ${key} annotation needs Calico IPAM, which the Installation does not use`;
    if (key && stringList((ipAddrs || noIpam)!) === undefined) return `its ${key} annotation is not a JSON list`;
    if (key === CALICO_IP_ADDRS_NO_IPAM) {
      return `its ${key} annotation is honoured only when Calico's CNI configuration enables feature_control.ip_addrs_no_ipam `
        + '(off by default), which the manifests do not tell';
    }
    if (key || this.pools.calicoIpam === false) return undefined;
    for (const pools of [CALICO_IPV4_POOLS, CALICO_IPV6_POOLS]) {
      const text = ep.annotations?.[pools] || this.namespaceAnnotations.get(ep.namespace ?? 'default')?.[pools];
      if (text && stringList(text) === undefined) return `its ${pools} annotation (${text}) is not a JSON list of pools`;
    }
    return undefined;
  }

  private compute(ep: Endpoint): Endpoint {
    if (!isPodNetworkEndpoint(ep) || ep.ip !== undefined || (ep.ips?.length ?? 0) > 0) return ep;
    const { addressSpace: _given, ...rest } = ep;
    // Another CNI (the cloud's) never reads Calico's annotations.
    const fixed = this.pools.calicoCni === false ? undefined : this.fixedAddresses(ep);
    if (Array.isArray(fixed)) return { ...rest, ip: fixed[0], ...(fixed.length > 1 ? { ips: fixed } : {}) };
    if (fixed) return { ...rest, addressSpace: fixed };
    let space = this.defaultSpace(ep);
    for (const [family, key] of [[4, CALICO_IPV4_POOLS], [6, CALICO_IPV6_POOLS]] as const) {
      const text = this.pools.calicoIpam === false ? undefined : ep.annotations?.[key] || this.namespaceAnnotations.get(ep.namespace ?? 'default')?.[key];
      if (text) space = this.inPools(space, family, key, text);
    }
    return space === ep.addressSpace ? ep : space ? { ...rest, addressSpace: space } : rest;
  }

  /** The annotated fixed IPs, an unknown address space when the annotation is unusable, or undefined without one. */
  private fixedAddresses(ep: Endpoint): string[] | AddressSpace | undefined {
    const ipAddrs = ep.annotations?.[CALICO_IP_ADDRS];
    const noIpam = ep.annotations?.[CALICO_IP_ADDRS_NO_IPAM];
    if (!ipAddrs && !noIpam) return undefined;
    const unknown = (why: string): AddressSpace => ({ set: ANY_ENDPOINT_ADDRESS, description: `anywhere: ${why}` });
    if (ipAddrs && noIpam) return unknown(`it has both ${CALICO_IP_ADDRS} and ${CALICO_IP_ADDRS_NO_IPAM}, which Calico's CNI refuses`);
    const key = ipAddrs ? CALICO_IP_ADDRS : CALICO_IP_ADDRS_NO_IPAM;
    const list = stringList((ipAddrs || noIpam)!);
    if (!list || list.length === 0 || list.some((ip) => parseIpLoose(ip) === undefined)) {
      return unknown(`its ${key} annotation is not a JSON list of IP addresses`);
    }
    return [...new Set(list)];
  }

  /** The caller's address space (pod CIDRs) together with Calico's IP pools, when the manifests give them. */
  private defaultSpace(ep: Endpoint): AddressSpace | undefined {
    const given = ep.addressSpace;
    const pools = this.pools.space;
    if (!pools) return given;
    if (!given) return pools;
    if (given.set.containsAll(pools.set)) return given;
    return { set: given.set.union(pools.set), description: `${given.description} or ${pools.description}` };
  }

  /** `space` with its `family` part replaced by the pools an ipv4pools / ipv6pools annotation names. */
  private inPools(space: AddressSpace | undefined, family: 4 | 6, key: string, text: string): AddressSpace {
    const current = space?.set ?? ANY_ENDPOINT_ADDRESS;
    const other = current.family(family === 4 ? 6 : 4);
    const entries = stringList(text);
    const cidrs = entries?.map((e) => this.pools.byName.get(e) ?? parseCidrLoose(e));
    const where = space?.description ?? 'anywhere';
    if (!cidrs || cidrs.length === 0 || cidrs.some((c) => c === undefined)) {
      return {
        set: other.union(ANY_ENDPOINT_ADDRESS.family(family)),
        description: `${other.isEmpty ? '' : `${where}; its IPv${family} address `}in pools the manifests do not define (${key}: ${text})`,
      };
    }
    const named = AddressSet.fromCidrs(cidrs as ParsedCidr[]).family(family);
    // Without the Installation the IPAM is unknown: the annotation may be ignored (host-local IPAM).
    const set = this.pools.calicoIpam ? other.union(named) : current.union(named);
    const shown = (cidrs as ParsedCidr[]).map((c) => c.text).join(', ');
    const inNamed = `in the pool${cidrs.length > 1 ? 's' : ''} ${shown} (${key})`;
    let description = `${where}, or ${inNamed}`;
    if (this.pools.calicoIpam) description = other.isEmpty ? inNamed : `${where}; its IPv${family} address ${inNamed}`;
    return { set, description };
  }
}
