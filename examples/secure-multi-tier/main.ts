/**
 * The seeds' "secure multi-tier application" exercise, done right: an online shop whose frontend is
 * reachable only through the ingress controller (TLS via cert-manager), whose backend is reachable
 * only from the frontend, and whose database is reachable only from the backend and talks to
 * nothing but DNS. The namespace is zero-trust (default deny, metadata blocked, PSA restricted)
 * and Prometheus may scrape the backend's metrics port.
 *
 *   CDK8S_NETWORKING_CNI=cilium npx cdk8s synth --no-check-upgrade   # in this folder
 *   npm run synth                                                  # every example, every CNI
 */
import { App, Chart } from 'cdk8s';
import { AppTier, ChaosAction, ClusterNetwork, Cni, NetworkChaosExperiment, Peer, Port, ThreeTierApp } from '../../src';
import { cniFromEnv } from '../cni';

/** Build the shop into `app` for `cni`. */
export function build(app: App, cni: Cni): Chart {
  const chart = new Chart(app, 'secure-multi-tier');
  new ClusterNetwork(chart, 'cluster', { cni, nodeLocalDns: true });

  const shop = new ThreeTierApp(chart, 'shop', {
    namespace: 'shop',
    host: 'shop.example.com',
    frontend: { image: 'ghcr.io/example/shop-web:1.4.2', port: 8080, replicas: 3 },
    backend: { image: 'ghcr.io/example/shop-api:1.4.2', port: 8080, replicas: 2 },
    // The postgres image exits at start without POSTGRES_PASSWORD. It comes from the Secret 'shop-db'
    // (key POSTGRES_PASSWORD), which must exist in the namespace before the database starts and is
    // created out of band (kubectl, External Secrets, Sealed Secrets...): never synthesized, never in Git.
    database: { image: 'postgres:16.4', port: 5432, envFromSecret: 'shop-db' },
    ingress: { clusterIssuer: 'letsencrypt-prod', limitRps: 20 },
  });

  // Prometheus scrapes the backend's metrics on 9090 (an extra, explicit allow).
  shop.zeroTrustNamespace.allowIngress('backend-allow-metrics-scrape', shop.podLabels(AppTier.BACKEND), [Peer.monitoring()], [Port.tcp(9090)]);

  // Resilience drill: every weekday at 03:00, one backend pod's traffic to the database is delayed by
  // 200 ms for ten minutes (Chaos Mesh); the experiment cannot outlive its duration.
  new NetworkChaosExperiment(chart, 'backend-db-latency', {
    action: ChaosAction.delay({ latency: '200ms', jitter: '20ms' }),
    pods: { namespaces: ['shop'], labels: shop.podLabels(AppTier.BACKEND) },
    target: { pods: { namespaces: ['shop'], labels: shop.podLabels(AppTier.DATABASE) } },
    duration: '10m',
    schedule: { cron: '0 3 * * 1-5' },
  });
  return chart;
}

if (require.main === module) {
  const app = new App();
  build(app, cniFromEnv());
  app.synth();
}
