/**
 * The seeds' Cilium lab, done right, for Flux: Cilium 1.20.0 with kube-proxy replacement (the API
 * server address given, `kubeProxyReplacement: "true"`, never the removed `strict`), VXLAN set
 * explicitly (never the removed `tunnel:` key), WireGuard (no key Secret to manage), Hubble Relay and
 * UI with CronJob-made certificates (no churn on every render), the bandwidth manager with BBR, and
 * an L7 HTTP policy: the shop's web pods may only GET the api's /api/ paths; and an egress allow list:
 * the api pods may call api.stripe.com on 443 and nothing else outside.
 *
 * Output:
 *   0000-cilium-install.k8s.yaml   HelmRepository + HelmRelease cilium (flux-system -> kube-system)
 *   0001-cilium-cluster.k8s.yaml   the shop namespace, its policies (CiliumNetworkPolicy for L7)
 *   cilium-values.yaml             the same values, for `cilium install --values` (written by npm run synth)
 *
 *   npx cdk8s synth --no-check-upgrade   # in this folder
 */
import { App, Chart } from 'cdk8s';
import {
  CiliumEncryption, CiliumInstall, CiliumRouting, CiliumTunnelProtocol, ClusterNetwork, Cni, Delivery, EgressAllowList, HubbleTlsMethod,
  LoadBalancerCloud, LoadBalancerService, NetworkAlerts, Peer, Port, ZeroTrustNamespace,
} from '../../src';

/** Build the Cilium cluster into `app`. */
export function build(app: App): Chart {
  const chart = new Chart(app, 'cilium-cluster');
  new ClusterNetwork(chart, 'cluster', { cni: Cni.cilium({ kubeProxyReplacement: true }), podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });

  new CiliumInstall(chart, 'cilium', {
    delivery: Delivery.flux(),
    // Without kube-proxy the agents reach the API server directly (the control-plane endpoint).
    k8sServiceHost: '192.168.10.10',
    k8sServicePort: 6443,
    routing: CiliumRouting.tunnel(CiliumTunnelProtocol.VXLAN),
    encryption: CiliumEncryption.wireguard(),
    hubble: { relay: true, ui: true, metrics: ['dns:query;ignoreAAAA', 'drop', 'tcp', 'flow', 'icmp', 'http'], tlsMethod: HubbleTlsMethod.CRON_JOB },
    bandwidthManager: true,
    bbr: true,
    // The agents' own metrics (drop counts by reason, port 9962), read by NetworkAlerts below. They
    // carry prometheus.io/* annotations only, which kube-prometheus-stack does not scrape: until a
    // ServiceMonitor selects them, NetworkPolicyDropMetricsAbsent fires. The chart makes one with
    //   prometheus: { enabled: true, serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } }
    // (the label kube-prometheus-stack's serviceMonitorSelector matches, as ruleLabels below), but not
    // here: without the monitoring.coreos.com/v1 CRDs the chart refuses to render (cilium/cilium
    // install/kubernetes/cilium/templates/validate.yaml; with prometheus.serviceMonitor.trustCRDsExist
    // the ServiceMonitor's apply fails instead), so the CNI itself would not install, and nothing in
    // this example installs the prometheus-operator CRDs before Cilium (a new cluster gets its CNI
    // before its monitoring stack). Add those values once the CRDs are in the cluster.
    extraValues: { prometheus: { enabled: true } },
  });
  // DNS latency and errors, Services without endpoints, conntrack, and policy drops from the agents'
  // metrics, for kube-prometheus-stack's rule selector.
  new NetworkAlerts(chart, 'alerts', { ruleLabels: { release: 'kube-prometheus-stack' } });

  const shop = new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
  shop.allowIngress('web-from-ingress', { app: 'web' }, [Peer.ingressController()], [Port.tcp(8080)]);
  shop.allowEgress('web-to-api', { app: 'web' }, [Peer.pods({ app: 'api' })], [Port.tcp(8080)]);
  // The web pods also published through an AWS NLB, to the office range only: the load balancer and
  // a policy on the pods (client address kept: externalTrafficPolicy Local) both check it.
  new LoadBalancerService(chart, 'web-lb', {
    namespace: 'shop',
    podSelector: { app: 'web' },
    ports: [{ port: 80, targetPort: 8080 }],
    allowedSourceRanges: ['203.0.113.0/24'],
    cloud: LoadBalancerCloud.aws(),
  });
  // L7: the api accepts only GET /api/... from the web pods (Cilium's Envoy enforces it).
  shop.addPolicy('api-from-web-http', {
    podSelector: { app: 'api' },
    ingress: [{ peers: [Peer.pods({ app: 'web' })], ports: [Port.tcp(8080)], http: [{ method: 'GET', path: '/api/.*' }] }],
  });
  // The api pods may call the payment provider by name on 443, and no other outside address
  // (Cilium toFQDNs, with the DNS-proxy rule it needs; the metadata service stays out of reach).
  new EgressAllowList(chart, 'api-egress', {
    namespace: 'shop',
    podSelector: { app: 'api' },
    destinations: [{ peer: Peer.fqdn('api.stripe.com'), ports: [Port.tcp(443)] }],
  });
  return chart;
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
