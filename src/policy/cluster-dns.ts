import { ResolvedPeer } from './intent';
import { ClusterNetwork } from '../cluster/cluster-network';
import { NodeLocalDnsVariant, nodeLocalDnsVariant } from '../cluster/node-local-dns-variant';
import { hostCidr } from '../util/cidr';

/** Labels of the node-local-dns pods in the reference manifests (kubernetes/dns and Cilium's LRP guide). */
export const NODE_LOCAL_DNS_POD_LABELS: Readonly<Record<string, string>> = { 'k8s-app': 'node-local-dns' };

/** What a pod's DNS query is addressed to (or redirected to) under each NodeLocal DNS variant. */
interface LocalDnsDestinations {
  /** The node-local-dns pods (not host network) are the destination policy sees. */
  readonly pods: boolean;
  /** The link-local listen address. */
  readonly localIp: boolean;
  /** The kube-dns ClusterIP, answered on the node without DNAT. */
  readonly clusterIp: boolean;
}

/**
 * Client-side destinations per variant, as NETWORKING-FACTS.md's NodeLocal DNSCache table lists
 * them (CoreDNS itself is always added as the fallback):
 * - iptables: node-local-dns binds the link-local IP and the kube-dns ClusterIP on every node and
 *   adds NOTRACK rules for them, so queries to the ClusterIP are answered locally without DNAT and
 *   policy sees the ClusterIP (kubernetes/kubernetes#70555);
 * - IPVS: the ClusterIP belongs to kube-ipvs0 and is load-balanced to CoreDNS as usual; pods use
 *   the link-local IP (kubelet `--cluster-dns`);
 * - Cilium local redirect: a CiliumLocalRedirectPolicy sends kube-dns traffic to the node-local-dns
 *   pod on the same node, and policy sees that pod
 *   (https://docs.cilium.io/en/stable/network/kubernetes/local-redirect-policy/#node-local-dns-cache);
 * - kube-proxy replaced by another CNI (Calico eBPF): no documented variant, so both addresses
 *   stay allowed rather than break DNS whichever way the cache is wired.
 */
const DESTINATIONS: Record<NodeLocalDnsVariant, LocalDnsDestinations> = {
  'iptables': { pods: false, localIp: true, clusterIp: true },
  'ipvs': { pods: false, localIp: true, clusterIp: false },
  'cilium-local-redirect': { pods: true, localIp: false, clusterIp: false },
  'unsupported': { pods: false, localIp: true, clusterIp: true },
};

/**
 * Every destination a pod's DNS query can have on this cluster, as resolved peers. `Peer.clusterDns()`
 * allows exactly these, and the Cilium DNS-proxy rule that `toFQDNs` needs selects exactly these, so
 * the two can never drift apart.
 *
 * - Always the cluster DNS pods (CoreDNS, `k8s-app: kube-dns`): the fallback in every mode, and
 *   what the kube-dns ClusterIP is translated to when nothing else intercepts it.
 * - With NodeLocal DNSCache, what {@link DESTINATIONS} lists for the cluster's variant.
 * - Cilium with kube-proxy (host-network node-local-dns) additionally gets the `host` entity: the
 *   agent gives the node-local-dns addresses the `host` identity when their interface exists at its
 *   start, and `world` otherwise (e.g. after an agent restart), and CIDR rules never match `host`
 *   (cilium/cilium#18644, #33144; Cilium's own connectivity tests allow both). Allowing both keeps
 *   DNS working in either state; it also admits port 53 of the pod's own node, nothing else.
 */
export function clusterDnsPeers(cluster: ClusterNetwork): ResolvedPeer[] {
  const out: ResolvedPeer[] = [{ type: 'pods', namespace: cluster.dnsNamespace, podLabels: { ...cluster.dnsPodLabels } }];
  if (cluster.nodeLocalDnsIp === undefined) return out;
  const wanted = DESTINATIONS[nodeLocalDnsVariant(cluster)];
  if (wanted.pods) out.push({ type: 'pods', namespace: cluster.dnsNamespace, podLabels: { ...NODE_LOCAL_DNS_POD_LABELS } });
  const addresses = [
    ...(wanted.localIp ? [cluster.nodeLocalDnsIp] : []),
    ...(wanted.clusterIp && cluster.dnsServiceIp !== cluster.nodeLocalDnsIp ? [cluster.dnsServiceIp] : []),
  ];
  for (const ip of addresses) out.push({ type: 'cidr', cidr: hostCidr(ip), except: [] });
  // A fact of the CNI (its factory states it: Cni._facts): Cilium without kube-proxy replacement.
  if (cluster.cni._facts.nodeLocalDnsHostEntity && !wanted.pods) out.push({ type: 'entity', entity: 'host' });
  return out;
}
