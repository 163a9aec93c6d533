/**
 * NodeLocal DNSCache in its two common variants, with a zero-trust namespace whose DNS allows follow
 * the cluster's variant:
 *
 * - iptables: kube-proxy in iptables mode, node-local-dns on the host network binding 169.254.20.10
 *   and the kube-dns ClusterIP; pods allow both addresses and CoreDNS (fallback) on UDP and TCP 53.
 * - cilium-lrp: Cilium with kube-proxy replacement, node-local-dns as ordinary pods behind a
 *   CiliumLocalRedirectPolicy; the CiliumInstall (values only: Cilium is installed with
 *   `cilium install --values`) enables local redirect policies; pods allow the node-local-dns pods
 *   and CoreDNS.
 *
 *   NODE_LOCAL_DNS_VARIANT=cilium-lrp npx cdk8s synth --no-check-upgrade   # in this folder
 */
import { App, Chart } from 'cdk8s';
import { CiliumInstall, ClusterNetwork, Cni, Delivery, NodeLocalDNS, Peer, Port, ZeroTrustNamespace } from '../../src';

/** The variants this example synthesizes. */
export const NODE_LOCAL_DNS_VARIANTS = ['iptables', 'cilium-lrp'] as const;

/** Build the example into `app` for one variant. */
export function build(app: App, variant: typeof NODE_LOCAL_DNS_VARIANTS[number] = 'iptables'): Chart {
  const chart = new Chart(app, 'node-local-dns');
  const cilium = variant === 'cilium-lrp';
  new ClusterNetwork(chart, 'cluster', {
    cni: cilium ? Cni.cilium({ kubeProxyReplacement: true }) : Cni.calico(),
    nodeLocalDns: true,
    podCidrs: ['10.244.0.0/16'],
    serviceCidrs: ['10.96.0.0/12'],
  });
  if (cilium) {
    // Values only: `localRedirectPolicies.enabled: true` follows from the ClusterNetwork's NodeLocal DNS.
    new CiliumInstall(chart, 'cilium', { delivery: Delivery.manifestsOnly(), k8sServiceHost: 'auto' });
  }
  new NodeLocalDNS(chart, 'node-local-dns', { clusterDomain: 'cluster.local', resources: { memoryLimit: '128Mi' } });

  const shop = new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
  shop.allowIngress('web-from-ingress', { app: 'web' }, [Peer.ingressController()], [Port.tcp(8080)]);
  return chart;
}

if (require.main === module) {
  const app = new App();
  build(app, process.env.NODE_LOCAL_DNS_VARIANT === 'cilium-lrp' ? 'cilium-lrp' : 'iptables');
  app.synth();
}
