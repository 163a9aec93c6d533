import { ClusterNetwork } from './cluster-network';
import { KubeProxyMode } from './kube-proxy-mode';

/**
 * The NodeLocal DNSCache variant a cluster runs, from its kube-proxy mode and CNI
 * (NETWORKING-FACTS.md "NodeLocal DNSCache", kubernetes.io "Using NodeLocal DNSCache"):
 * - `iptables`: node-local-dns on the host network binds the link-local IP **and** the kube-dns
 *   ClusterIP, so pods keep using the ClusterIP and reach the cache without DNAT;
 * - `ipvs`: it binds the link-local IP only (kube-ipvs0 owns the ClusterIP); kubelet `clusterDNS`
 *   must point at the link-local IP;
 * - `cilium-local-redirect`: Cilium with kube-proxy replacement translates the ClusterIP before any
 *   iptables rule sees it, so node-local-dns runs as ordinary pods and a CiliumLocalRedirectPolicy
 *   steers kube-dns traffic to the pod on the same node;
 * - `unsupported`: kube-proxy replaced by a CNI other than Cilium (Calico eBPF): no variant is
 *   documented in the facts this library follows.
 */
export type NodeLocalDnsVariant = 'iptables' | 'ipvs' | 'cilium-local-redirect' | 'unsupported';

/** With kube-proxy: by its mode. A CNI whose factory says node-local-dns runs as pods (Cilium under kube-proxy replacement) redirects instead. */
const BY_MODE: Record<KubeProxyMode, NodeLocalDnsVariant> = {
  [KubeProxyMode.IPTABLES]: 'iptables',
  [KubeProxyMode.IPVS]: 'ipvs',
  [KubeProxyMode.REPLACED]: 'unsupported',
};

/** The NodeLocal DNS variant of the cluster (whether or not it declares `nodeLocalDns`). */
export function nodeLocalDnsVariant(cluster: ClusterNetwork): NodeLocalDnsVariant {
  return cluster.cni._facts.nodeLocalDnsAsPods ? 'cilium-local-redirect' : BY_MODE[cluster.kubeProxyMode];
}
