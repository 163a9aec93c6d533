/**
 * What the manifests say about Calico's host-side enforcement around a pod's own host, which the
 * tier walk does not cover but must not contradict (host endpoint policy: ../uncertainty/calico-host-endpoints):
 *
 * - The dataplane: iptables and nftables never police traffic from a host to its local workloads
 *   (felix/rules/static.go, filterOutputChain: "We don't currently police host -> endpoint"; only
 *   IPVS-forwarded connections are). The eBPF policy program (felix/bpf/polprog) skips host policy
 *   for host -> workload but still runs the workload's tiers, so under eBPF the pod's ingress
 *   policy may decide; this is not asserted either way.
 * - Workload -> own host: after the pod's egress policy Felix applies `defaultEndpointToHostAction`
 *   (https://docs.tigera.io/calico/latest/reference/felix/configuration). The operator and the
 *   manifest installs set it to Accept through calico-node's environment, which takes precedence
 *   over FelixConfiguration (docs.tigera.io reference/felix/configuration: environment variables
 *   first); a FelixConfiguration asking for Drop or Return (host endpoint policy) is therefore not
 *   asserted either way.
 */
import { ManifestObject } from '../model';

/** Host-side facts of one set of manifests. */
export interface CalicoHostTraffic {
  /**
   * Which dataplane that does not always exempt host -> local pod traffic the manifests ask for: the
   * Installation's `linuxDataplane` (BPF, VPP), or, without an Installation (manifest installs),
   * a FelixConfiguration's `bpfEnabled: true`; as a phrase for messages.
   */
  readonly policingDataplane?: string;
  /** Which FelixConfiguration asks for a `defaultEndpointToHostAction` other than Accept (Drop or Return), and what. */
  readonly endpointToHost?: string;
}

const CALICO_API_VERSIONS = new Set(['projectcalico.org/v3', 'crd.projectcalico.org/v1']);

function isCalico(obj: ManifestObject, kind: string): boolean {
  return CALICO_API_VERSIONS.has(obj.apiVersion ?? '') && obj.kind === kind;
}

/** The host-side facts of `manifests` (see the module comment). */
export function calicoHostTraffic(manifests: readonly ManifestObject[]): CalicoHostTraffic {
  const installations = manifests.filter((m) => m.apiVersion === 'operator.tigera.io/v1' && m.kind === 'Installation');
  const dataplane: unknown = installations.length === 1 ? installations[0].spec?.calicoNetwork?.linuxDataplane : undefined;
  // Manifest installs switch to eBPF in FelixConfiguration; the operator sets the dataplane from the Installation.
  const bpf = installations.length > 0 ? undefined : manifests
    .filter((m) => isCalico(m, 'FelixConfiguration') && m.spec?.bpfEnabled === true)
    .map((m) => String(m.metadata?.name ?? ''))
    .sort()[0];
  // Any FelixConfiguration (the global `default`, or a per-node `node.<name>` one) asking for Drop or Return.
  const toHost = manifests
    .filter((m) => isCalico(m, 'FelixConfiguration'))
    .map((m) => ({ name: String(m.metadata?.name ?? ''), action: m.spec?.defaultEndpointToHostAction }))
    .filter((f): f is { name: string; action: string } => typeof f.action === 'string' && f.action !== '' && f.action.toLowerCase() !== 'accept')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0];
  return {
    endpointToHost: toHost ? `FelixConfiguration ${toHost.name} sets defaultEndpointToHostAction ${toHost.action}` : undefined,
    policingDataplane: typeof dataplane === 'string' && dataplane !== 'Iptables' && dataplane !== 'Nftables'
      ? `the Installation's linuxDataplane is ${dataplane}`
      : bpf !== undefined ? `FelixConfiguration ${bpf} sets bpfEnabled (the eBPF dataplane)` : undefined,
  };
}
