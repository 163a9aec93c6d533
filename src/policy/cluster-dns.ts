import { ResolvedPeer } from './intent';
import { ClusterNetwork } from '../cluster/cluster-network';
import { hostCidr } from '../util/cidr';

/** Labels of the node-local-dns pods in the reference manifests (kubernetes/dns and Cilium's LRP guide). */
export const NODE_LOCAL_DNS_POD_LABELS: Readonly<Record<string, string>> = { 'k8s-app': 'node-local-dns' };

/**
 * Every destination a pod's DNS query can have on this cluster, as resolved peers. `Peer.clusterDns()`
 * allows exactly these, and the Cilium DNS-proxy rule that `toFQDNs` needs selects exactly these, so
 * the two can never drift apart.
 *
 * - Always the cluster DNS pods (CoreDNS, `k8s-app: kube-dns`), which the kube-dns ClusterIP is
 *   translated to when nothing else intercepts it.
 * - With NodeLocal DNSCache:
 *   - Cilium with kube-proxy replacement: node-local-dns runs as ordinary pods and a
 *     CiliumLocalRedirectPolicy steers the kube-dns Service (or the link-local address) to them,
 *     so policy sees the node-local-dns pods
 *     (https://docs.cilium.io/en/stable/network/kubernetes/local-redirect-policy/#node-local-dns-cache).
 *     The link-local address stays allowed for LRPs written with an addressMatcher.
 *   - Otherwise node-local-dns runs on the host network and pods talk to a node-local IP that no
 *     pod selector matches: the link-local address (169.254.20.10) and, with kube-proxy in
 *     iptables mode, the kube-dns ClusterIP as well: node-local-dns binds both addresses on every
 *     node and adds NOTRACK rules for them, so queries to the ClusterIP are answered locally
 *     without DNAT and policy sees the ClusterIP as destination
 *     (kubernetes/kubernetes#70555; the reference manifest binds
 *     `__PILLAR__LOCAL__DNS__ __PILLAR__DNS__SERVER__`). In IPVS mode pods use the link-local
 *     address only and the ClusterIP allow is unused.
 *   - Cilium without kube-proxy replacement additionally gets the `host` entity: the agent gives
 *     the node-local-dns addresses the `host` identity when their interface exists at its start,
 *     and `world` otherwise (e.g. after an agent restart), and CIDR rules never match `host`
 *     (cilium/cilium#18644, #33144; Cilium's own connectivity tests allow both). Allowing both
 *     keeps DNS working in either state; it also admits port 53 of the pod's own node, nothing else.
 */
export function clusterDnsPeers(cluster: ClusterNetwork): ResolvedPeer[] {
  const out: ResolvedPeer[] = [{ type: 'pods', namespace: cluster.dnsNamespace, podLabels: { ...cluster.dnsPodLabels } }];
  if (cluster.nodeLocalDnsIp === undefined) return out;
  // How node-local-dns is reached is a fact of the CNI (its factory states it: Cni._facts).
  const facts = cluster.cni._facts;
  if (facts.nodeLocalDnsAsPods) out.push({ type: 'pods', namespace: cluster.dnsNamespace, podLabels: { ...NODE_LOCAL_DNS_POD_LABELS } });
  const addresses = [cluster.nodeLocalDnsIp];
  if (!facts.nodeLocalDnsAsPods && cluster.dnsServiceIp !== cluster.nodeLocalDnsIp) addresses.push(cluster.dnsServiceIp);
  for (const ip of addresses) out.push({ type: 'cidr', cidr: hostCidr(ip), except: [] });
  if (facts.nodeLocalDnsHostEntity) out.push({ type: 'entity', entity: 'host' });
  return out;
}
