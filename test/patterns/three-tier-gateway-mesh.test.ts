import { Chart } from 'cdk8s';
import {
  AllowedRoutes, AppTier, CanaryRoute, Cni, HttpsGateway, IstioMode, IstioMtls, LinkerdInboundPolicy, Mesh, Port, Reachability, RouteTarget, Target,
  ThreeTierApp, Verdict,
} from '../../src';
import { deployment, meshChart, meshReachability, service, SHOP, SHOP_TIERS } from '../support/mesh';
import { ENFORCING_CNIS, find, ofKind, synthValid } from '../support/synth';
import '../support/reachability-matchers';

const GATEWAY_PODS = { namespace: 'gateways', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } };
const tiers = SHOP_TIERS;
const { fe, be, db, nginx } = SHOP;
const gatewayPod = Target.workload('gateways', 'public-gateway');

function gatewayApp(cni: Cni): Chart {
  const chart = meshChart(cni, Mesh.none(), { gateway: GATEWAY_PODS });
  const gw = new HttpsGateway(chart, 'gw', {
    name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: '*.example.com', allowedRoutes: AllowedRoutes.namespaces(['shop']),
  });
  new ThreeTierApp(chart, 'shop', { namespace: 'shop', ...tiers, gateway: { parent: gw.parent() } });
  return chart;
}

describe.each(ENFORCING_CNIS)('ThreeTierApp behind a Gateway on %s', (_name, cni) => {
  test('an HTTPRoute on the listener instead of an Ingress; the frontend admits the gateway pods; no HTTP-01 solver policy', () => {
    const objects = synthValid(gatewayApp(cni()));
    expect(ofKind(objects, 'Ingress')).toEqual([]);
    expect(find(objects, 'HTTPRoute', 'shop', 'shop')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: 'shop',
        namespace: 'shop',
        labels: { 'app.kubernetes.io/component': 'frontend', 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'shop' },
      },
      spec: {
        parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }],
        hostnames: ['shop.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'shop-frontend', port: 8080, weight: 1 }] }],
      },
    });
    const names = objects.map((o) => o.metadata.name);
    expect(names).toContain('shop-frontend-allow-gateway');
    expect(names).not.toContain('shop-frontend-allow-ingress-controller');
    expect(names).not.toContain('acme-solver-allow-ingress-controller');
  });

  test('the analyzer: gateway -> frontend only; the ingress controller no longer gets in', () => {
    const reach = meshReachability(gatewayApp(cni()), cni());
    reach.addProbe('public-gateway', 'gateways', GATEWAY_PODS.podLabels);
    reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    expect(reach).toAllow(gatewayPod, fe, Port.tcp(8080));
    expect(reach).toDeny(gatewayPod, be, Port.tcp(8080));
    expect(reach).toDeny(gatewayPod, db, Port.tcp(5432));
    expect(reach).toDeny(nginx, fe, Port.tcp(8080));
    expect(reach).toAllow(fe, be, Port.tcp(8080));
    expect(reach).toDeny(fe, db, Port.tcp(5432));
  });
});

describe('ThreeTierApp gateway errors', () => {
  // Gateway API HTTPRouteRule matches: between routes whose rules match alike (the frontend route and a
  // CanaryRoute's weighted rule are both catch-alls), the oldest route gets the requests. On one listener and
  // hostname one of the two routes never applies, in either construction order; another host is fine.
  test('the frontend route and another catch-all route (a CanaryRoute, another app) on one listener and hostname are refused', () => {
    const chart = meshChart(Cni.calico(), Mesh.none(), { gateway: GATEWAY_PODS });
    const gw = new HttpsGateway(chart, 'gw', {
      name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: '*.example.com', allowedRoutes: AllowedRoutes.allNamespaces(),
    });
    new ThreeTierApp(chart, 'shop', { namespace: 'shop', ...tiers, gateway: { parent: gw.parent() } });
    const canary = (id: string, hostnames: string[]) => new CanaryRoute(chart, id, {
      ...canaryProps,
      service: 'shop-frontend',
      name: id,
      servicesOutsideApp: true,
      target: RouteTarget.gateway(gw.parent(), { hostnames }),
    });
    expect(() => canary('front-canary', ['shop.example.com']))
      .toThrow('[test/front-canary] target: test/shop (a ThreeTierApp) already routes listener gateways/public/https for hostnames shop.example.com: '
        + 'routes whose rules match alike tie, and the Gateway API gives the requests to the oldest route only (then the first by namespace/name), '
        + 'so this split or the other route would never apply');
    canary('blog-canary', ['blog.example.com']);
    expect(() => new ThreeTierApp(chart, 'blog', { namespace: 'blog', ...tiers, host: 'blog.example.com', gateway: { parent: gw.parent() } }))
      .toThrow('[test/blog] gateway.parent: test/blog-canary (a CanaryRoute) already routes listener gateways/public/https for hostname '
        + 'blog.example.com: routes whose rules match alike tie');
    expect(() => new ThreeTierApp(chart, 'shop-2', { namespace: 'shop-2', ...tiers, gateway: { parent: gw.parent() } }))
      .toThrow('[test/shop-2] gateway.parent: test/shop (a ThreeTierApp) already routes listener gateways/public/https for hostname shop.example.com');
    new ThreeTierApp(chart, 'cart', { namespace: 'cart', ...tiers, host: 'cart.example.com', gateway: { parent: gw.parent() } });
    expect(ofKind(synthValid(chart), 'HTTPRoute').map((r) => `${r.metadata.namespace}/${r.metadata.name}`))
      .toEqual(['shop/shop', 'shop/blog-canary', 'cart/cart']);
  });

  test('gateway and ingress together', () => {
    const chart = meshChart(Cni.calico(), Mesh.none(), { gateway: GATEWAY_PODS });
    const gw = new HttpsGateway(chart, 'gw', { name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: '*.example.com', allowedRoutes: AllowedRoutes.allNamespaces() });
    expect(() => new ThreeTierApp(chart, 'shop', { namespace: 'shop', ...tiers, gateway: { parent: gw.parent() }, ingress: { className: 'nginx' } }))
      .toThrow('[test/shop] ingress: omit it with gateway: the app is routed by an HTTPRoute, not an Ingress');
  });

  test('no gateway pods in the ClusterNetwork', () => {
    const chart = meshChart(Cni.calico(), Mesh.none());
    const gw = new HttpsGateway(chart, 'gw', { name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: '*.example.com', allowedRoutes: AllowedRoutes.allNamespaces() });
    expect(() => new ThreeTierApp(chart, 'shop', { namespace: 'shop', ...tiers, gateway: { parent: gw.parent() } }))
      .toThrow('[test/shop] gateway: the ClusterNetwork declares no gateway pods, so the frontend could not admit them');
  });

  test('a listener that does not admit the app namespace', () => {
    const chart = meshChart(Cni.calico(), Mesh.none(), { gateway: GATEWAY_PODS });
    const gw = new HttpsGateway(chart, 'gw', { name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: '*.example.com' });
    expect(() => new ThreeTierApp(chart, 'shop', { namespace: 'shop', ...tiers, gateway: { parent: gw.parent() } }))
      .toThrow("[test/shop] gateway.parent: listener gateways/public/https (test/gw) admits routes from 'Same', not from namespace 'shop'");
  });

  test('a listener whose hostname does not match the app host: an error, not a route that never attaches', () => {
    const chart = meshChart(Cni.calico(), Mesh.none(), { gateway: GATEWAY_PODS });
    const gw = new HttpsGateway(chart, 'gw', { name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: '*.example.org', allowedRoutes: AllowedRoutes.allNamespaces() });
    expect(() => new ThreeTierApp(chart, 'shop', { namespace: 'shop', ...tiers, gateway: { parent: gw.parent() } }))
      .toThrow(`[test/shop] host: '${tiers.host}' does not match the hostname '*.example.org' of listener gateways/public/https (test/gw): the listener ignores it`);
  });

  test('the gateway namespace cannot be a zero-trust namespace', () => {
    const chart = meshChart(Cni.calico(), Mesh.none(), { gateway: GATEWAY_PODS });
    expect(() => new ThreeTierApp(chart, 'shop', { namespace: 'gateways', ...tiers }))
      .toThrow("'gateways' runs the Gateway API gateway (ClusterNetwork gateway), which every workload relies on");
  });
});

/**
 * Behind a Gateway, in a Linkerd namespace whose default inbound policy is `deny`: the app's Server on
 * the frontend port admits anyone (the Gateway's data plane identity is not known; the frontend's
 * NetworkPolicies admit only the gateway pods there), as behind an Ingress. Before, only the
 * frontend's probe paths got through (Linkerd's probe route): GET / from the Gateway was refused.
 */
describe.each(ENFORCING_CNIS)('ThreeTierApp behind a Gateway in a Linkerd deny namespace on %s', (_name, cni) => {
  const chart = meshChart(cni(), Mesh.linkerd({ cni: true }), { gateway: GATEWAY_PODS });
  const gw = new HttpsGateway(chart, 'gw', {
    name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: '*.example.com', allowedRoutes: AllowedRoutes.namespaces(['shop']),
  });
  const app = new ThreeTierApp(chart, 'shop', {
    namespace: 'shop', ...tiers, gateway: { parent: gw.parent() }, mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY },
  });
  const objects = synthValid(chart);

  test('the frontend port\'s Server admits anyone; no annotation on the frontend pods', () => {
    expect(find(objects, 'Server', 'frontend-shop-shop-2625620133-8080', 'shop').spec)
      .toEqual({ podSelector: { matchLabels: app.podLabels(AppTier.FRONTEND) }, port: 8080, accessPolicy: 'deny' });
    expect(find(objects, 'AuthorizationPolicy', 'shop-frontend-ingress-8080', 'shop').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'frontend-shop-shop-2625620133-8080' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'shop-frontend-ingress' }],
    });
    expect(find(objects, 'NetworkAuthentication', 'shop-frontend-ingress', 'shop').spec).toEqual({ networks: [{ cidr: '0.0.0.0/0' }] });
    expect(find(objects, 'Deployment', 'shop-frontend', 'shop').spec.template.metadata.annotations).toBeUndefined();
  });

  test('the analyzer: GET / from the gateway pods reaches the frontend; the ingress controller and the backend still do not', () => {
    const reach = Reachability.fromChart(chart, { cni: cni(), nodeIp: '172.31.0.10' });
    reach.addProbe('public-gateway', 'gateways', GATEWAY_PODS.podLabels);
    reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    const main = reach.checkRequest(gatewayPod, fe, Port.tcp(8080), { method: 'GET', path: '/' });
    expect([main.verdict, main.cniVerdict, main.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    expect(reach.check(gatewayPod, fe, Port.tcp(8080)).l7Constraints).toEqual([]);
    expect(reach.checkRequest(nginx, fe, Port.tcp(8080), { method: 'GET', path: '/' }).verdict).toBe(Verdict.DENY);
    expect(reach.checkRequest(be, fe, Port.tcp(8080), { method: 'GET', path: '/' }).verdict).toBe(Verdict.DENY);
    expect(reach.checkRequest(fe, be, Port.tcp(8080), { method: 'GET', path: '/api' }).verdict).toBe(Verdict.ALLOW);
  });
});

/**
 * A canary of the backend: the app's pods carry `version: v1` (app labels), a second Deployment runs
 * the same tier labels with `version: v2`. The tier policies select tier labels only, so both
 * versions stay reachable from the frontend, and only from it.
 */
function canaryOfBackend(chart: Chart, versionServices: boolean): void {
  const app = new ThreeTierApp(chart, 'shop', { namespace: 'shop', ...tiers, labels: { version: 'v1' }, mesh: {} });
  const backend = app.podLabels(AppTier.BACKEND);
  // As the backend's identity where the app has one (Linkerd: the database's Server admits the backend's ServiceAccount only).
  deployment(chart, 'shop', 'shop-backend-canary', { ...backend, version: 'v2' }, 8080, app.backend.serviceAccount?.name);
  if (versionServices) {
    service(chart, 'shop', 'shop-backend-v1', { ...backend, version: 'v1' });
    service(chart, 'shop', 'shop-backend-v2', { ...backend, version: 'v2' });
  }
}

const canaryProps = {
  namespace: 'shop',
  service: 'shop-backend',
  port: 8080,
  stable: { name: 'v1', labels: { version: 'v1' } },
  canary: { name: 'v2', labels: { version: 'v2' } },
  stablePercent: 90,
  canaryPercent: 10,
  headerPin: { name: 'canary', value: 'true' },
};

describe.each(ENFORCING_CNIS)('a canary of a meshed ThreeTierApp backend on %s: both versions stay reachable', (_name, cni) => {
  const canary = Target.workload('shop', 'shop-backend-canary');

  test('Istio sidecar, VirtualService', () => {
    const chart = meshChart(cni(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
    canaryOfBackend(chart, false);
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    new CanaryRoute(chart, 'canary', { ...canaryProps, target: RouteTarget.istio() });
    const reach = meshReachability(chart, cni());
    expect(find(synthValid(chart), 'DestinationRule', 'shop-backend', 'shop').spec.subsets.map((s: any) => s.labels))
      .toEqual([{ version: 'v1' }, { version: 'v2' }]);
    for (const version of [be, canary]) {
      expect(reach).toAllow(fe, version, Port.tcp(8080));
      expect(reach).toAllow(version, db, Port.tcp(5432));
      expect(reach).toAllow(version, Target.workload('istio-system', 'istiod'), Port.tcp(15012));
      expect(reach).toDeny(db, version, Port.tcp(8080));
    }
    expect(reach).toDeny(fe, db, Port.tcp(5432));
  });

  test('Linkerd, mesh HTTPRoute: the application port and the proxy port 4143', () => {
    const chart = meshChart(cni(), Mesh.linkerd({ cni: true }));
    canaryOfBackend(chart, true);
    new CanaryRoute(chart, 'canary', { ...canaryProps, target: RouteTarget.meshRoute() });
    const reach = meshReachability(chart, cni());
    for (const version of [be, canary]) {
      expect(reach).toAllow(fe, version, Port.tcp(8080));
      expect(reach).toAllow(fe, version, Port.tcp(4143));
      expect(reach).toDeny(db, version, Port.tcp(4143));
    }
    expect(reach).toDeny(fe, db, Port.tcp(4143));
  });
});

test('mesh on an app in an existing zero-trust namespace is refused', () => {
  const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
  const first = new ThreeTierApp(chart, 'a', { namespace: 'shop', ...tiers });
  expect(() => new ThreeTierApp(chart, 'b', { zeroTrustNamespace: first.zeroTrustNamespace, ...tiers, mesh: {} }))
    .toThrow("[test/b] mesh: omit it with zeroTrustNamespace: 'shop' joins the mesh (or not) where it is created (test/a/Namespace)");
});
