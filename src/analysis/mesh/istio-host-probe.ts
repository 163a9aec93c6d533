/**
 * Connections from the node to an Istio ambient pod skip ztunnel (internal).
 *
 * istio-cni's node agent SNATs every TCP connection a socket of the node itself opens to an ambient
 * pod (`ISTIO_POSTRT`: `-m owner --socket-exists`, the pod in the `istio-inpod-probes` set) to the
 * host probe address, by default 169.254.7.127 (IPv6 fd16:9254:7127:1337:ffff:ffff:ffff:ffff), and the rules in
 * the pod's network namespace accept TCP from that address before the TPROXY redirection to ztunnel
 * (`ISTIO_PRERT -s 169.254.7.127 -p tcp -j ACCEPT`). So the kubelet's probes, and anything else the
 * node's own processes send, reach the application unencrypted and unauthorized: no PeerAuthentication,
 * AuthorizationPolicy or waypoint applies. Forwarded traffic (another node, a pod) has no local socket
 * and is captured as usual. A hostNetwork pod's sockets are the node's own: on the destination's node
 * it gets the bypass, on another node it does not, and the manifests do not say where it runs.
 * Sources: istio/istio cni/pkg/iptables/iptables.go (`AppendHostRules`, the in-pod rules) and
 * cni/pkg/iptables/testdata/default.golden; cni README (`HOST_PROBE_SNAT_IP`, `HOST_PROBE_SNAT_IPV6`
 * defaults); istio.io "Ambient and Kubernetes NetworkPolicy" (health probes). The addresses are the
 * mesh's (`Mesh.istio` `hostProbeSnatIp`, `hostProbeSnatIpv6`), else those the istio-cni DaemonSet in
 * the manifests sets (./istio-cni-env); one neither gives is istio-cni's default, which the reasons
 * say is assumed: the node agent reads them from its environment, which the
 * chart's `env` value sets (manifests/charts/istio-cni templates/daemonset.yaml), and the workaround of
 * istio/istio#57911 (Cilium kube-proxy replacement) sets the IPv4 one to the node's own IP.
 */
import { HostProbeAddress } from './facts';
import { HostSnat } from './mesh-model';
import { HOST_PROBE_SNAT_ENV as ENV_OF } from '../../cluster/host-probe-snat';
import { parseIpLoose } from '../../util/cidr';
import { DirectionVerdict, Endpoint, isLocalNode, sideVerdict } from '../model';
import { MAYBE, YES } from '../verdict';

/** The host probe addresses of the mesh, per IP family (MeshFacts `hostProbe`). */
export interface HostProbeAddresses {
  readonly ipv4: HostProbeAddress;
  readonly ipv6: HostProbeAddress;
}

/**
 * Why a TCP connection from `source` to an ambient pod passes ztunnel by, or undefined when it does
 * not: the source is the destination's own node, or (already translated) a host probe address of
 * `probe`. An address the mesh does not declare is istio-cni's default, assumed, and the reason says so.
 */
export function ambientHostProbe(source: Endpoint, probe: HostProbeAddresses): string | undefined {
  const rules = 'istio-cni translates it to the host probe address and the pod\'s redirection rules accept TCP from that address before ztunnel, '
    + 'so no Istio policy applies';
  if (isLocalNode(source)) return `a connection from the destination's own node (kubelet probes, host processes): ${rules}`;
  const ip = source.ip === undefined ? undefined : parseIpLoose(source.ip)?.toNormalizedString();
  const family = ip === undefined ? undefined : (['ipv4', 'ipv6'] as const).find((f) => parseIpLoose(probe[f].ip)!.toNormalizedString() === ip);
  if (family === undefined) return undefined;
  if (probe[family].given) {
    return `${source.ip} is istio-cni's host probe address (${ENV_OF[family]}, as ${probe[family].declaredBy ?? 'the mesh declares'} it): ${rules}`;
  }
  return `${source.ip} is istio-cni's default host probe address (assumed: istio-cni's environment can set another, HOST_PROBE_SNAT_IP / `
    + `HOST_PROBE_SNAT_IPV6, and the analysis is not told it): ${rules}`;
}

/**
 * The verdict for a connection from `source` to an ambient pod, given `captured`, the verdict when
 * ztunnel captures it: a hostNetwork pod may run on the destination's node, where its connections pass
 * ztunnel by (allowed), or on another, where they are captured; unless both agree, indeterminate.
 */
export function ambientHostNetworkSource(source: Endpoint, captured: DirectionVerdict): DirectionVerdict {
  if (source.kind !== 'pod' || !source.hostNetwork || captured.outcome === YES) return captured;
  const why = 'the source uses hostNetwork and may run on the destination\'s node, whose own connections istio-cni lets past ztunnel '
    + '(no Istio policy applies), or on another node, whose connections ztunnel captures: the verdict depends on where it runs, '
    + 'which the manifests do not say';
  return sideVerdict(MAYBE, [...captured.reasons, { effect: 'uncertain', message: why }], [...(captured.uncertain ?? []), why]);
}

/**
 * The source the CNI sees for a TCP connection from an ambient pod's own node: istio-cni SNATs it in
 * the node's POSTROUTING, before it enters the pod, so CNIs that police that path see the host probe
 * address of the destination's IP family, not the node (istio.io "Ambient and Kubernetes
 * NetworkPolicy": "depending on your CNI" such policies may block it; istio.io platform prerequisites,
 * Cilium, and istio/istio#49277: Cilium does). The addresses are `probe`'s (istio-cni's defaults
 * unless the mesh declares others).
 */
export function ambientHostSnat(source: Endpoint, destination: Endpoint, probe: HostProbeAddresses): HostSnat | undefined {
  if (!isLocalNode(source)) return undefined;
  const known = [destination.ip, ...(destination.ips ?? [])].filter((ip): ip is string => ip !== undefined).map((ip) => parseIpLoose(ip));
  const families = known.length > 0 ? known.map((ip) => (ip?.kind() === 'ipv6' ? 6 : 4))
    : destination.addressSpace ? ([4, 6] as const).filter((f) => destination.addressSpace!.set.hasFamily(f)) : [4, 6];
  const used = [...new Set(families)].map((f) => probe[f === 4 ? 'ipv4' : 'ipv6']);
  const addresses = used.map((a) => a.ip);
  return {
    peers: addresses.map((ip) => ({ kind: 'external', name: ip, ip, labels: {}, namespaceLabels: {}, hostNetwork: false, namedPorts: [] })),
    why: `istio-cni translates connections from the node to its ambient pods to the host probe address (${describeAddresses(used)}) `
      + 'before they enter the pod, so the CNI sees that address, not the node',
  };
}

/** `a or b, its default`, `a or b, as the mesh declares`, or each with its own origin when they differ. */
function describeAddresses(used: readonly HostProbeAddress[]): string {
  const origin = (a: HostProbeAddress) => (a.given ? `as ${a.declaredBy ?? 'the mesh declares'}` : 'its default');
  if (used.every((a) => origin(a) === origin(used[0]))) return `${used.map((a) => a.ip).join(' or ')}, ${origin(used[0])}`;
  return used.map((a) => `${a.ip}, ${origin(a)}`).join(', or ');
}
