/**
 * Connections from the node to an Istio ambient pod skip ztunnel (internal).
 *
 * istio-cni's node agent SNATs every TCP connection a socket of the node itself opens to an ambient
 * pod (`ISTIO_POSTRT`: `-m owner --socket-exists`, the pod in the `istio-inpod-probes` set) to the
 * host probe address, 169.254.7.127 (IPv6 fd16:9254:7127:1337:ffff:ffff:ffff:ffff), and the rules in
 * the pod's network namespace accept TCP from that address before the TPROXY redirection to ztunnel
 * (`ISTIO_PRERT -s 169.254.7.127 -p tcp -j ACCEPT`). So the kubelet's probes, and anything else the
 * node's own processes send, reach the application unencrypted and unauthorized: no PeerAuthentication,
 * AuthorizationPolicy or waypoint applies. Forwarded traffic (another node, a pod) has no local socket
 * and is captured as usual. A hostNetwork pod's sockets are the node's own: on the destination's node
 * it gets the bypass, on another node it does not, and the manifests do not say where it runs.
 * Sources: istio/istio cni/pkg/iptables/iptables.go (`AppendHostRules`, the in-pod rules) and
 * cni/pkg/iptables/testdata/default.golden; cni README (`HOST_PROBE_SNAT_IP`, `HOST_PROBE_SNAT_IPV6`
 * defaults); istio.io "Ambient and Kubernetes NetworkPolicy" (health probes).
 */
import { HostSnat } from './mesh-model';
import { AMBIENT_PROBE_SOURCE, AMBIENT_PROBE_SOURCE_V6 } from '../../cluster/mesh';
import { parseIpLoose } from '../../util/cidr';
import { DirectionVerdict, Endpoint, isLocalNode, sideVerdict } from '../model';
import { MAYBE, YES } from '../verdict';

const PROBE_ADDRESSES = [AMBIENT_PROBE_SOURCE, AMBIENT_PROBE_SOURCE_V6].map((a) => parseIpLoose(a)!.toNormalizedString());

/**
 * Why a TCP connection from `source` to an ambient pod passes ztunnel by, or undefined when it does
 * not: the source is the destination's own node, or (already translated) the host probe address.
 * The address is istio-cni's default, which the analysis assumes and says so: the istio-cni node
 * agent reads it from its environment, which the chart's `env` value sets (manifests/charts/istio-cni
 * templates/daemonset.yaml), and the workaround of istio/istio#57911 (Cilium kube-proxy replacement)
 * sets it to the node's own IP; the analysis is not told the istio-cni installation.
 */
export function ambientHostProbe(source: Endpoint): string | undefined {
  const rules = 'istio-cni translates it to the host probe address and the pod\'s redirection rules accept TCP from that address before ztunnel, '
    + 'so no Istio policy applies';
  if (isLocalNode(source)) return `a connection from the destination's own node (kubelet probes, host processes): ${rules}`;
  const ip = source.ip === undefined ? undefined : parseIpLoose(source.ip)?.toNormalizedString();
  if (ip !== undefined && PROBE_ADDRESSES.includes(ip)) {
    return `${source.ip} is istio-cni's default host probe address (assumed: istio-cni's environment can set another, HOST_PROBE_SNAT_IP / `
      + `HOST_PROBE_SNAT_IPV6, and the analysis is not told it): ${rules}`;
  }
  return undefined;
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
 * Cilium, and istio/istio#49277: Cilium does). Assumes istio-cni's default addresses.
 */
export function ambientHostSnat(source: Endpoint, destination: Endpoint): HostSnat | undefined {
  if (!isLocalNode(source)) return undefined;
  const known = [destination.ip, ...(destination.ips ?? [])].filter((ip): ip is string => ip !== undefined).map((ip) => parseIpLoose(ip));
  const families = known.length > 0 ? known.map((ip) => (ip?.kind() === 'ipv6' ? 6 : 4))
    : destination.addressSpace ? ([4, 6] as const).filter((f) => destination.addressSpace!.set.hasFamily(f)) : [4, 6];
  const addresses = [...new Set(families)].map((f) => (f === 4 ? AMBIENT_PROBE_SOURCE : AMBIENT_PROBE_SOURCE_V6));
  return {
    peers: addresses.map((ip) => ({ kind: 'external', name: ip, ip, labels: {}, namespaceLabels: {}, hostNetwork: false, namedPorts: [] })),
    why: `istio-cni translates connections from the node to its ambient pods to the host probe address (${addresses.join(' or ')}, its default) `
      + 'before they enter the pod, so the CNI sees that address, not the node',
  };
}
