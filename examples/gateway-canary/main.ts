/**
 * Gateway API instead of Ingress, and a mesh canary: a storefront (ThreeTierApp) published through
 * an HTTPS Gateway listener (TLS from cert-manager on the Gateway), whose frontend admits the
 * gateway's pods instead of an ingress controller; the app runs in Linkerd, and its backend is
 * released as a 90/10 canary with a GAMMA HTTPRoute (the Service as parent, weighted per-version
 * Services, `canary: true` pinned to the canary). The zero-trust policies keep allowing both versions
 * of the backend, and open Linkerd's control plane and proxy port along every allowed flow.
 *
 *   CDK8S_NETWORKING_CNI=calico npx cdk8s synth --no-check-upgrade   # in this folder
 *   npm run synth                                                  # every example, every CNI
 */
import { App, Chart } from 'cdk8s';
import {
  AllowedRoutes, AppTier, CanaryRoute, ClusterNetwork, Cni, HttpsGateway, LinkerdInboundPolicy, Mesh, RouteTarget, ThreeTierApp,
} from '../../src';
import { cniFromEnv } from '../cni';
import { clusterIpService, restrictedDeployment } from '../workloads';

/** Build the storefront into `app` for `cni`. */
export function build(app: App, cni: Cni): Chart {
  const chart = new Chart(app, 'gateway-canary');
  new ClusterNetwork(chart, 'cluster', {
    cni,
    mesh: Mesh.linkerd({ cni: true }),
    // The Gateway's data plane: Istio's Gateway API implementation (north-south only; the mesh here is
    // Linkerd) runs a Deployment in the Gateway's namespace whose pods carry this label. Envoy Gateway
    // runs its proxies in envoy-gateway-system by default, labelled
    // gateway.envoyproxy.io/owning-gateway-name: declare those instead when it is the implementation.
    gateway: { namespace: 'gateways', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } },
  });

  const gateway = new HttpsGateway(chart, 'public', {
    name: 'public',
    namespace: 'gateways',
    gatewayClassName: 'istio',
    hostname: 'shop.example.com',
    clusterIssuer: 'letsencrypt-prod',
    allowedRoutes: AllowedRoutes.namespaces(['storefront']),
  });

  const shop = new ThreeTierApp(chart, 'storefront', {
    namespace: 'storefront',
    host: 'shop.example.com',
    frontend: { image: 'ghcr.io/example/storefront-web:3.1.0' },
    backend: { image: 'ghcr.io/example/storefront-api:3.1.0' },
    // POSTGRES_PASSWORD from the Secret 'storefront-db', created out of band (never in Git).
    database: { image: 'postgres:16.4', envFromSecret: 'storefront-db' },
    gateway: { parent: gateway.parent() },
    labels: { version: 'v1' },
    // Meshed and unmeshed callers from inside the cluster: the gateway's pods are not in Linkerd.
    mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED },
  });

  // The canary of the backend (same tier labels, version v2) and one Service per version. The app's
  // Linkerd Servers for the backend tier select the canary's pods too; like the app's own backend
  // pods, they refuse every other port in the mesh only with the default inbound policy `deny`, which
  // the app sets on its own pods (meshTierAuthorization) and cannot set on pods it does not create.
  // It runs as the backend tier's ServiceAccount: the database's Server admits the backend's identity only.
  const backend = shop.podLabels(AppTier.BACKEND);
  restrictedDeployment(chart, 'backend-canary', {
    name: 'storefront-backend-canary',
    namespace: 'storefront',
    labels: { ...backend, version: 'v2' },
    image: 'ghcr.io/example/storefront-api:3.2.0-rc.1',
    port: 8080,
    runAsServiceAccount: shop.backend.serviceAccount!.name,
    podAnnotations: { 'config.linkerd.io/default-inbound-policy': 'deny' },
  });
  for (const version of ['v1', 'v2']) {
    clusterIpService(chart, `backend-${version}`, `storefront-backend-${version}`, 'storefront', { ...backend, version }, 8080);
  }
  new CanaryRoute(chart, 'backend-canary-route', {
    namespace: 'storefront',
    service: 'storefront-backend',
    port: 8080,
    stable: { name: 'v1', labels: { version: 'v1' } },
    canary: { name: 'v2', labels: { version: 'v2' } },
    stablePercent: 90,
    canaryPercent: 10,
    headerPin: { name: 'canary', value: 'true' },
    target: RouteTarget.meshRoute(),
  });
  return chart;
}

if (require.main === module) {
  const app = new App();
  build(app, cniFromEnv());
  app.synth();
}
