/**
 * The seeds' Istio exercise, done right: a checkout API released as a 90/10 canary (requests with
 * `canary: true` always reach the canary), STRICT mutual TLS mesh-wide, an allow-nothing
 * authorization baseline with one explicit flow (web -> api, GET/POST on /api/*, from/to ANDed in one
 * rule), and a circuit breaker, all in one DestinationRule per host. The namespace is zero-trust and
 * meshed: its network policies open exactly what the sidecars need (istiod 15012, metrics for
 * Prometheus) besides the web -> api flow.
 *
 *   CDK8S_NETWORKING_CNI=cilium npx cdk8s synth --no-check-upgrade   # in this folder
 *   npm run synth                                                  # every example, every CNI
 */
import { App, Chart } from 'cdk8s';
import {
  CanaryRoute, CircuitBreaker, ClusterNetwork, Cni, IstioAuthorization, IstioMode, IstioMtls, Mesh, MeshSource, Port, RouteTarget,
  ZeroTrustNamespace,
} from '../../src';
import { cniFromEnv } from '../cni';
import { clusterIpService, restrictedDeployment } from '../workloads';

/** Build the checkout canary into `app` for `cni`. */
export function build(app: App, cni: Cni): Chart {
  const chart = new Chart(app, 'istio-canary');
  // The Istio CNI plugin lets sidecar pods start under Pod Security `restricted` (no istio-init).
  new ClusterNetwork(chart, 'cluster', { cni, nodeLocalDns: true, mesh: Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }) });
  new IstioMtls(chart, 'mesh-mtls'); // STRICT, mesh-wide: PeerAuthentication `default` in istio-system

  const ns = new ZeroTrustNamespace(chart, 'checkout', { name: 'checkout', mesh: {} });
  const image = (tag: string) => `ghcr.io/example/checkout-api:${tag}`;
  restrictedDeployment(chart, 'web', { name: 'web', namespace: 'checkout', labels: { app: 'web' }, image: 'ghcr.io/example/web:2.3.0', port: 8080, serviceAccount: 'web' });
  restrictedDeployment(chart, 'api-v1', { name: 'api-v1', namespace: 'checkout', labels: { app: 'api', version: 'v1' }, image: image('1.4.2'), port: 8080, serviceAccount: 'api' });
  restrictedDeployment(chart, 'api-v2', { name: 'api-v2', namespace: 'checkout', labels: { app: 'api', version: 'v2' }, image: image('1.5.0'), port: 8080, serviceAccount: 'api' });
  clusterIpService(chart, 'api-service', 'api', 'checkout', { app: 'api' }, 8080);

  // L4: web may reach api on 8080 (both versions: the policy selects app=api).
  ns.allowFlow('web-to-api', { app: 'web' }, { app: 'api' }, [Port.tcp(8080)]);
  // L7 and identity: only the web service account, only GET/POST under /api/.
  new IstioAuthorization(chart, 'authz', { namespace: 'checkout' }).allowFlow('web-to-api', {
    from: [MeshSource.serviceAccount('web')],
    to: { app: 'api' },
    ports: [8080],
    methods: ['GET', 'POST'],
    paths: ['/api/*'],
  });

  new CircuitBreaker(chart, 'api-breaker', { namespace: 'checkout', service: 'api' });
  new CanaryRoute(chart, 'api-canary', {
    namespace: 'checkout',
    service: 'api',
    port: 8080,
    stable: { name: 'v1', labels: { version: 'v1' } },
    canary: { name: 'v2', labels: { version: 'v2' } },
    stablePercent: 90,
    canaryPercent: 10,
    headerPin: { name: 'canary', value: 'true' },
    target: RouteTarget.istio(),
  });
  return chart;
}

if (require.main === module) {
  const app = new App();
  build(app, cniFromEnv());
  app.synth();
}
