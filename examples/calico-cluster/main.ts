/**
 * A Calico cluster from scratch, for Argo CD: the Tigera operator and its CRDs (v3.32.1), IP pools,
 * WireGuard, the guard-rail tier, and a tenant platform on top. Two dataplanes: iptables (kube-proxy
 * stays) and eBPF (the operator bootstraps API access and turns kube-proxy off).
 *
 * Output (one file per install step, numbered in apply order; Argo CD also orders them by sync wave):
 *   0000-calico-operator.k8s.yaml   tigera-operator Namespace, Applications calico-crds (-30) and tigera-operator (-20)
 *   0001-calico-resources.k8s.yaml  Installation + APIServer default (-10)
 *   0002-calico-config.k8s.yaml     FelixConfiguration default (WireGuard) (10)
 *   0003-calico-cluster.k8s.yaml    the tenants: namespaces and NetworkPolicies (0), Calico Tier (10) and policies (11)
 *
 *   CALICO_DATAPLANE=bpf npx cdk8s synth --no-check-upgrade   # in this folder
 *   npm run synth                                             # every example, from the root
 */
import { App, Chart } from 'cdk8s';
import {
  CalicoDataplane, CalicoEncapsulation, CalicoInstallation, CalicoNodeAddressAutodetection, ClusterNetwork, Cni, Delivery, KubeProxyMode,
  Peer, Port, TenantIsolation,
} from '../../src';

/** Build the Calico cluster into `app`, with the iptables or the eBPF dataplane. */
export function build(app: App, dataplane: CalicoDataplane = CalicoDataplane.IPTABLES): Chart {
  const ebpf = dataplane === CalicoDataplane.BPF;
  const chart = new Chart(app, 'calico-cluster');
  new ClusterNetwork(chart, 'cluster', {
    cni: Cni.calico(),
    podCidrs: ['10.244.0.0/16'],
    serviceCidrs: ['10.96.0.0/12'],
    // eBPF replaces kube-proxy: a cluster fact the DNS allows depend on.
    kubeProxyMode: ebpf ? KubeProxyMode.REPLACED : KubeProxyMode.IPTABLES,
  });

  new CalicoInstallation(chart, 'calico', {
    delivery: Delivery.argoCd(),
    ipPools: [
      // Workloads everywhere; VXLAN only across subnets, blocks of 64 addresses per node.
      { cidr: '10.244.0.0/17', encapsulation: CalicoEncapsulation.VXLAN_CROSS_SUBNET, blockSize: 26 },
      // Edge nodes get their own range, always encapsulated.
      { cidr: '10.244.128.0/17', name: 'edge-ipv4-ippool', encapsulation: CalicoEncapsulation.VXLAN, nodeSelector: "node-role.kubernetes.io/edge == 'true'" },
    ],
    wireguard: true,
    dataplane,
    ...(ebpf ? { operatorManagesKubeProxy: true, nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.kubernetesInternalIp() } : {}),
  });

  // The tenant platform: zero-trust namespaces per tenant and a guard rail per tenant in the
  // platform-guardrails Tier, applied once the Calico API server serves projectcalico.org/v3.
  const tenants = new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], allowInternetEgress: true });
  for (const namespaces of Object.values(tenants.tenantNamespaces)) {
    for (const ns of namespaces) ns.allowIngress('allow-web-from-ingress', { app: 'web' }, [Peer.ingressController()], [Port.tcp(8080)]);
  }
  return chart;
}

if (require.main === module) {
  const app = new App();
  build(app, process.env.CALICO_DATAPLANE === 'bpf' ? CalicoDataplane.BPF : CalicoDataplane.IPTABLES);
  app.synth();
}
