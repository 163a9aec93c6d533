import { ApiObject, Chart } from 'cdk8s';
import {
  AllowedRoutes, CanaryRoute, CanaryRouteProps, CircuitBreaker, Cni, GatewayParent, HttpsGateway, IstioMode, IstioMtls, Mesh, MeshRouteApi,
  PolicyLint, RouteProtocol, RouteTarget, ZeroTrustNamespace,
} from '../../../src';
import { deployment, meshChart, service } from '../../support/mesh';
import { find, ofKind, synthValid } from '../../support/synth';

const sidecar = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));

/** The seeds' canary: Service `api` in `shop`, v1 stable, v2 canary, both deployed. */
function workloads(chart: Chart, versionServices = false): void {
  service(chart, 'shop', 'api', { app: 'api' });
  deployment(chart, 'shop', 'api-v1', { app: 'api', version: 'v1' });
  deployment(chart, 'shop', 'api-v2', { app: 'api', version: 'v2' });
  if (versionServices) {
    service(chart, 'shop', 'api-v1', { app: 'api', version: 'v1' });
    service(chart, 'shop', 'api-v2', { app: 'api', version: 'v2' });
  }
}

const base = (target: RouteTarget): CanaryRouteProps => ({
  namespace: 'shop',
  service: 'api',
  port: 8080,
  stable: { name: 'v1', labels: { version: 'v1' } },
  canary: { name: 'v2', labels: { version: 'v2' } },
  stablePercent: 90,
  canaryPercent: 10,
  headerPin: { name: 'canary', value: 'true' },
  target,
});

describe('CanaryRoute on Istio', () => {
  test('the seeds\' 90/10 with header pin: pinned route first, weighted last; subsets in the one DestinationRule, TLS and breaker repeated', () => {
    const chart = sidecar();
    new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: {} });
    workloads(chart);
    new IstioMtls(chart, 'mtls', { namespace: 'shop', destinationRuleHosts: ['api'] });
    new CircuitBreaker(chart, 'breaker', { namespace: 'shop', service: 'api' });
    new CanaryRoute(chart, 'canary', base(RouteTarget.istio()));
    const objects = synthValid(chart);
    expect(find(objects, 'VirtualService', 'api', 'shop').spec).toEqual({
      hosts: ['api'],
      http: [
        {
          name: 'header-pin',
          match: [{ headers: { canary: { exact: 'true' } }, port: 8080 }],
          route: [{ destination: { host: 'api', subset: 'v2', port: { number: 8080 } } }],
        },
        {
          name: 'weighted',
          match: [{ port: 8080 }],
          route: [
            { destination: { host: 'api', subset: 'v1', port: { number: 8080 } }, weight: 90 },
            { destination: { host: 'api', subset: 'v2', port: { number: 8080 } }, weight: 10 },
          ],
        },
      ],
    });
    const rules = ofKind(objects, 'DestinationRule');
    expect(rules).toHaveLength(1);
    const policy = {
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50, http2MaxRequests: 100 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
      tls: { mode: 'ISTIO_MUTUAL' },
    };
    expect(rules[0].spec).toEqual({
      host: 'api',
      trafficPolicy: policy,
      subsets: [
        { name: 'v1', labels: { version: 'v1' }, trafficPolicy: policy },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: policy },
      ],
    });
    expect(PolicyLint.check(objects, { cni: Cni.calico() })).toEqual([]);
  });

  // istiod builds a host's routes per Service port, and a VirtualService rule without a port match applies to
  // every port of the host (istio pilot/pkg/networking/core/route/route.go translateRoute): without the match,
  // requests to api:9090 would be routed to the 8080 subsets. With it, 9090 keeps istiod's default route.
  test('a Service with a second port: every rule matches the routed port, HTTP and TCP alike', () => {
    for (const protocol of [RouteProtocol.HTTP, RouteProtocol.TCP]) {
      const chart = sidecar();
      deployment(chart, 'shop', 'api-v1', { app: 'api', version: 'v1' });
      deployment(chart, 'shop', 'api-v2', { app: 'api', version: 'v2' });
      new ApiObject(chart, 'svc-shop-api', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'api', namespace: 'shop' },
        spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }, { name: 'http-admin', port: 9090, targetPort: 9090 }] },
      });
      const pin = protocol === RouteProtocol.HTTP ? base(RouteTarget.istio()).headerPin : undefined;
      new CanaryRoute(chart, 'canary', { ...base(RouteTarget.istio()), headerPin: pin, protocol });
      const spec = find(synthValid(chart), 'VirtualService', 'api').spec;
      const rules = protocol === RouteProtocol.HTTP ? spec.http : spec.tcp;
      expect(rules.map((r: any) => r.match)).toEqual(protocol === RouteProtocol.HTTP
        ? [[{ headers: { canary: { exact: 'true' } }, port: 8080 }], [{ port: 8080 }]]
        : [[{ port: 8080 }]]);
    }
  });

  test('TCP: weights only', () => {
    const chart = sidecar();
    workloads(chart);
    new CanaryRoute(chart, 'canary', { ...base(RouteTarget.istio()), headerPin: undefined, protocol: RouteProtocol.TCP });
    expect(find(synthValid(chart), 'VirtualService', 'api').spec).toEqual({
      hosts: ['api'],
      tcp: [{
        match: [{ port: 8080 }],
        route: [
          { destination: { host: 'api', subset: 'v1', port: { number: 8080 } }, weight: 90 },
          { destination: { host: 'api', subset: 'v2', port: { number: 8080 } }, weight: 10 },
        ],
      }],
    });
  });

  // Istio merges no VirtualServices of one host for mesh traffic (istio/istio#36621): on one port the other's
  // split is silently dropped. On another port a sidecar would apply both (the rules match their port), but
  // istio.io IST0109 (ConflictingMeshGatewayVirtualServiceHosts), which looks at hosts only, reports the pair.
  test('a second route on the same host (another name, the same or another port) is refused, naming the first', () => {
    const chart = sidecar();
    new CanaryRoute(chart, 'a', { ...base(RouteTarget.istio()), servicesOutsideApp: true });
    expect(() => new CanaryRoute(chart, 'b', { ...base(RouteTarget.istio()), name: 'api-2', servicesOutsideApp: true }))
      .toThrow("[test/b] service: test/a (a CanaryRoute) already routes the VirtualService of host 'api' in namespace 'shop': Istio merges no "
        + 'VirtualServices of one host for mesh traffic (a sidecar takes one per host and port), so one of the two splits would never apply. One '
        + 'CanaryRoute per Service with RouteTarget.istio() (route another port of it with RouteTarget.meshRoute())');
    expect(() => new CanaryRoute(chart, 'c', { ...base(RouteTarget.istio()), name: 'api-9090', port: 9090, servicesOutsideApp: true }))
      .toThrow("[test/c] service: test/a (a CanaryRoute) already routes the VirtualService of host 'api' in namespace 'shop': Istio merges no "
        + 'VirtualServices of one host for mesh traffic (a sidecar takes one per host and port), and `istioctl analyze` reports two VirtualServices '
        + 'of one host as an error, whatever ports their rules match (istio.io IST0109 ConflictingMeshGatewayVirtualServiceHosts). One CanaryRoute '
        + 'per Service with RouteTarget.istio() (route another port of it with RouteTarget.meshRoute())');
    // Another Service, or the same name in another namespace, is another host.
    new CanaryRoute(chart, 'cart', { ...base(RouteTarget.istio()), service: 'cart', servicesOutsideApp: true });
    new CanaryRoute(chart, 'd', { ...base(RouteTarget.istio()), namespace: 'shop-2', servicesOutsideApp: true });
    expect(ofKind(synthValid(chart), 'VirtualService').map((v) => `${v.metadata.namespace}/${v.metadata.name}`)).toEqual(['shop/api', 'shop/cart', 'shop-2/api']);
  });
});

describe('CanaryRoute as HTTPRoute', () => {
  test('mesh (GAMMA) route under Linkerd: Service parent with port, header rule, catch-all weighted rule', () => {
    const chart = meshChart(Cni.cilium(), Mesh.linkerd({ cni: true }));
    workloads(chart, true);
    new CanaryRoute(chart, 'canary', base(RouteTarget.meshRoute()));
    expect(find(synthValid(chart), 'HTTPRoute', 'api', 'shop')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'api', port: 8080 }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'canary', value: 'true' }] }],
            backendRefs: [{ name: 'api-v2', port: 8080, weight: 1 }],
          },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: [{ name: 'api-v1', port: 8080, weight: 90 }, { name: 'api-v2', port: 8080, weight: 10 }],
          },
        ],
      },
    });
  });

  test('Linkerd\'s own HTTPRoute API (policy.linkerd.io/v1beta3), same spec', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    workloads(chart, true);
    new CanaryRoute(chart, 'canary', base(RouteTarget.meshRoute({ api: MeshRouteApi.LINKERD_POLICY })));
    const route = find(synthValid(chart), 'HTTPRoute', 'api', 'shop');
    expect(route.apiVersion).toBe('policy.linkerd.io/v1beta3');
    expect(route.spec.rules[1].backendRefs).toEqual([{ name: 'api-v1', port: 8080, weight: 90 }, { name: 'api-v2', port: 8080, weight: 10 }]);
  });

  test('north-south through a Gateway listener defined in the app that admits the namespace', () => {
    const chart = meshChart(Cni.kubernetes(), Mesh.none());
    workloads(chart, true);
    const gw = new HttpsGateway(chart, 'gw', {
      name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: 'shop.example.com', allowedRoutes: AllowedRoutes.namespaces(['shop']),
    });
    new CanaryRoute(chart, 'canary', { ...base(RouteTarget.gateway(gw.parent(), { hostnames: ['shop.example.com'] })), name: 'shop-api' });
    const objects = synthValid(chart);
    expect(find(objects, 'Gateway', 'public', 'gateways').spec).toEqual({
      gatewayClassName: 'istio',
      listeners: [{
        name: 'https',
        protocol: 'HTTPS',
        port: 443,
        hostname: 'shop.example.com',
        tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'public-tls' }] },
        allowedRoutes: {
          namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop'] }] } },
          kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
        },
      }],
    });
    const route = find(objects, 'HTTPRoute', 'shop-api', 'shop');
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways', sectionName: 'https' }]);
    expect(route.spec.hostnames).toEqual(['shop.example.com']);
    expect(ofKind(objects, 'ReferenceGrant')).toEqual([]);
  });

  test('a listener that does not admit the route\'s namespace: an error, not a detached route', () => {
    const chart = meshChart(Cni.kubernetes(), Mesh.none());
    const gw = new HttpsGateway(chart, 'gw', { name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: 'shop.example.com' });
    expect(() => new CanaryRoute(chart, 'canary', { ...base(RouteTarget.gateway(gw.parent())), servicesOutsideApp: true }))
      .toThrow("[test/canary] target: listener gateways/public/https (test/gw) admits routes from 'Same', not from namespace 'shop': the route would never attach");
  });

  test('a route in the Gateway\'s namespace referencing Services elsewhere gets a ReferenceGrant in theirs', () => {
    const chart = meshChart(Cni.kubernetes(), Mesh.none());
    workloads(chart, true);
    const gw = new HttpsGateway(chart, 'gw', { name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: 'shop.example.com' });
    new CanaryRoute(chart, 'canary', { ...base(RouteTarget.gateway(gw.parent(), { routeNamespace: 'gateways' })), headerPin: undefined });
    const objects = synthValid(chart);
    const route = find(objects, 'HTTPRoute', 'api', 'gateways');
    expect(route.spec.parentRefs).toEqual([{ name: 'public', sectionName: 'https' }]);
    expect(route.spec.rules).toEqual([{
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      backendRefs: [{ name: 'api-v1', namespace: 'shop', port: 8080, weight: 90 }, { name: 'api-v2', namespace: 'shop', port: 8080, weight: 10 }],
    }]);
    expect(find(objects, 'ReferenceGrant', 'api-from-gateways', 'shop')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'api-from-gateways', namespace: 'shop' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'gateways' }],
        to: [{ group: '', kind: 'Service', name: 'api-v1' }, { group: '', kind: 'Service', name: 'api-v2' }],
      },
    });
  });

  test('an existing Gateway outside the app: parentRef emitted as given (admission cannot be checked)', () => {
    const chart = meshChart(Cni.calico(), Mesh.none());
    workloads(chart, true);
    new CanaryRoute(chart, 'canary', base(RouteTarget.gateway(GatewayParent.existing({ name: 'edge', namespace: 'infra', sectionName: 'https' }))));
    expect(find(synthValid(chart), 'HTTPRoute', 'api').spec.parentRefs).toEqual([{ name: 'edge', namespace: 'infra', sectionName: 'https' }]);
  });
});

describe('CanaryRoute: two routes over the same requests', () => {
  // Gateway API HTTPRouteRule matches (v1.4.1 CRD): between routes whose rules match alike, the oldest route
  // wins, then the first by namespace/name. Two catch-all weighted rules always tie: one split never applies.
  test('two mesh routes on one Service port are refused, whatever the API; another port is fine', () => {
    const linkerd = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    new CanaryRoute(linkerd, 'a', { ...base(RouteTarget.meshRoute()), servicesOutsideApp: true });
    expect(() => new CanaryRoute(linkerd, 'b', { ...base(RouteTarget.meshRoute({ api: MeshRouteApi.LINKERD_POLICY })), name: 'api-2', servicesOutsideApp: true }))
      .toThrow("[test/b] port: test/a (a CanaryRoute) already routes Service 'shop/api' port 8080 as a mesh route parent: routes whose rules match "
        + 'alike tie, and the Gateway API gives the requests to the oldest route only (then the first by namespace/name), so one of the two splits '
        + 'would never apply. One CanaryRoute per Service port');
    new CanaryRoute(linkerd, 'c', { ...base(RouteTarget.meshRoute()), name: 'api-9090', port: 9090, servicesOutsideApp: true });
    expect(ofKind(synthValid(linkerd), 'HTTPRoute').map((r) => r.spec.parentRefs)).toEqual([
      [{ group: '', kind: 'Service', name: 'api', port: 8080 }], [{ group: '', kind: 'Service', name: 'api', port: 9090 }],
    ]);
  });

  // Under Istio a mesh HTTPRoute is a VirtualService too: istiod converts it into one of the Service's host whose
  // rules match the parent port (pilot/pkg/config/kube/gateway augmentPortMatch), and a sidecar takes one
  // VirtualService per host and port (pilot/pkg/networking/core/route/route.go). RouteTarget.istio() and
  // RouteTarget.meshRoute() on one Service port tie, in either order; on another port they do not.
  test('under Istio, a VirtualService and a mesh HTTPRoute of one Service port are refused in either order; another port is fine', () => {
    const chart = sidecar();
    new CanaryRoute(chart, 'vs', { ...base(RouteTarget.istio()), servicesOutsideApp: true });
    expect(() => new CanaryRoute(chart, 'mesh', { ...base(RouteTarget.meshRoute()), name: 'api-mesh', servicesOutsideApp: true }))
      .toThrow("[test/mesh] port: test/vs (a CanaryRoute) already routes Service 'shop/api' port 8080 with a VirtualService: istiod turns a mesh "
        + "HTTPRoute into a VirtualService of the Service's host matching its port, and a sidecar applies one VirtualService per host and port, so one "
        + 'of the two splits would never apply. One CanaryRoute per Service port');
    new CanaryRoute(chart, 'mesh-9090', { ...base(RouteTarget.meshRoute()), name: 'api-9090', port: 9090, servicesOutsideApp: true });
    expect(() => new CanaryRoute(chart, 'cart-vs', { ...base(RouteTarget.istio()), service: 'cart', servicesOutsideApp: true })).not.toThrow();
    new CanaryRoute(chart, 'cart-mesh', { ...base(RouteTarget.meshRoute()), service: 'cart', name: 'cart-9090', port: 9090, servicesOutsideApp: true });
    // The mesh route first, then the VirtualService.
    const other = sidecar();
    new CanaryRoute(other, 'mesh', { ...base(RouteTarget.meshRoute()), servicesOutsideApp: true });
    expect(() => new CanaryRoute(other, 'vs', { ...base(RouteTarget.istio()), name: 'api-vs', servicesOutsideApp: true }))
      .toThrow("[test/vs] service: test/mesh (a CanaryRoute) already routes Service 'shop/api' port 8080 with a mesh HTTPRoute");
    expect(ofKind(synthValid(chart), 'HTTPRoute').map((r) => r.metadata.name)).toEqual(['api-9090', 'cart-9090']);
  });

  // A more specific hostname takes precedence over a wildcard (HTTPRouteRule matches: characters in a matching
  // non-wildcard hostname first): `*.example.com` beside `shop.example.com` is no tie, the same name twice is.
  test('two Gateway routes naming the same hostname (or none) on one listener are refused; other hostnames or listeners are fine', () => {
    const chart = sidecar();
    const edge = (sectionName?: string) => GatewayParent.existing({ name: 'edge', namespace: 'infra', sectionName });
    const route = (id: string, svc: string, parent: GatewayParent, hostnames?: string[]) => new CanaryRoute(chart, id, {
      ...base(RouteTarget.gateway(parent, { hostnames })), service: svc, servicesOutsideApp: true,
    });
    route('shop', 'api', edge('https'), ['shop.example.com']);
    route('blog', 'blog', edge('https'), ['blog.example.com']);
    route('admin', 'admin', edge('admin'), ['shop.example.com']);
    route('wild', 'wild', edge(), ['*.example.com']);
    route('all', 'all', edge('https'));
    expect(() => route('shop-2', 'shop-2', edge(), ['www.example.com', 'shop.example.com']))
      .toThrow('[test/shop-2] target: test/shop (a CanaryRoute) already routes listener infra/edge for hostnames www.example.com, shop.example.com: '
        + 'routes whose rules match alike tie, and the Gateway API gives the requests to the oldest route only (then the first by namespace/name), '
        + 'so one of the two splits would never apply. Give the routes different hostnames, or attach them to different listeners (sectionName)');
    expect(() => route('all-2', 'all-2', edge()))
      .toThrow('[test/all-2] target: test/all (a CanaryRoute) already routes listener infra/edge for every hostname');
    expect(ofKind(synthValid(chart), 'HTTPRoute').map((r) => r.metadata.name)).toEqual(['api', 'blog', 'admin', 'wild', 'all']);
  });
});

describe('CanaryRoute errors', () => {
  test.each([
    ['percentages that do not sum to 100', { stablePercent: 90, canaryPercent: 5 },
      '[test/canary] stablePercent/canaryPercent: 90 + 5 = 95, not 100: route weights are relative (weight / sum of weights), so 90/5 would send 94.7%/5.3% of the traffic'],
    ['a fractional percentage', { stablePercent: 89.5, canaryPercent: 10.5 }, '[test/canary] stablePercent: must be an integer from 0 to 100, got the number 89.5'],
    ['a negative percentage', { stablePercent: 110, canaryPercent: -10 }, '[test/canary] stablePercent: must be an integer from 0 to 100, got the number 110'],
    ['a string percentage', { canaryPercent: '10' as any }, "[test/canary] canaryPercent: must be an integer from 0 to 100, got the string '10'"],
    ['one version twice', { canary: { name: 'v2', labels: { version: 'v1' } } }, '[test/canary] canary.labels: {version=v1} also selects the stable version'],
    // A pod labelled track=stable and canary=yes is in both subsets (Istio) and behind both per-version Services:
    // part of the 90% meant for v1 would reach the canary. Versions are disjoint only through a label both name.
    ['canary labels that extend the stable ones', { stable: { name: 'v1', labels: { track: 'stable' } }, canary: { name: 'v2', labels: { track: 'stable', canary: 'yes' } } },
      "[test/canary] canary.labels: {canary=yes,track=stable} also selects the stable version's pods, or the stable version's {track=stable} the canary's: "
      + 'no label that both name has two values'],
    ['versions told apart by different keys', { stable: { name: 'v1', labels: { stable: 'yes' } }, canary: { name: 'v2', labels: { canary: 'yes' } } },
      "[test/canary] canary.labels: {canary=yes} also selects the stable version's pods, or the stable version's {stable=yes} the canary's"],
    ['a version without labels', { canary: { name: 'v2', labels: {} } }, "[test/canary] canary.labels: at least one label must tell this version's pods apart"],
    ['an upper-case header', { headerPin: { name: 'Canary', value: 'true' } }, "[test/canary] headerPin.name: 'Canary' is not a lower-case HTTP header name"],
    ['a header pin on a TCP route', { protocol: RouteProtocol.TCP }, '[test/canary] headerPin: a TCP route cannot match headers'],
  ])('%s', (_what, props, message) => {
    expect(() => new CanaryRoute(sidecar(), 'canary', { ...base(RouteTarget.istio()), ...props })).toThrow(message);
  });

  test.each([
    ['Istio route without a mesh', Mesh.none(), RouteTarget.istio(),
      "[test/canary] mesh: CanaryRoute with RouteTarget.istio() needs a ClusterNetwork with mesh Mesh.istio({ mode }); this chart's ClusterNetwork (test/cluster) declares no mesh"],
    ['Istio route under Linkerd', Mesh.linkerd(), RouteTarget.istio(), 'declares Linkerd'],
    ['a VirtualService in ambient mode', Mesh.istio({ mode: IstioMode.AMBIENT }), RouteTarget.istio(), '[test/canary] target: a VirtualService needs an L7 proxy; in ambient mode that is a waypoint'],
    ['a mesh route without a mesh', Mesh.none(), RouteTarget.meshRoute(), 'CanaryRoute with RouteTarget.meshRoute() needs a ClusterNetwork with mesh Mesh.istio({ mode }) or Mesh.linkerd()'],
    ['a Linkerd route under Istio', Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }), RouteTarget.meshRoute({ api: MeshRouteApi.LINKERD_POLICY }),
      '[test/canary] target: policy.linkerd.io HTTPRoutes are read by Linkerd only; the ClusterNetwork mesh is Istio (sidecar)'],
  ])('%s', (_what, mesh, target, message) => {
    expect(() => new CanaryRoute(meshChart(Cni.calico(), mesh), 'canary', base(target))).toThrow(message);
  });

  test('an HTTPRoute header match name is at most 256 characters and a route at most 16 hostnames (Gateway API CRD); a VirtualService has neither limit', () => {
    const longName = `x-${'a'.repeat(255)}`;
    const linkerd = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    for (const api of [MeshRouteApi.GATEWAY_API, MeshRouteApi.LINKERD_POLICY]) {
      expect(() => new CanaryRoute(linkerd(), 'canary', { ...base(RouteTarget.meshRoute({ api })), headerPin: { name: longName, value: 'true' }, servicesOutsideApp: true }))
        .toThrow(`[test/canary] headerPin.name: an HTTPRoute header match name has at most 256 characters, got 257 (${longName.slice(0, 20)}...)`);
    }
    const ok = linkerd();
    new CanaryRoute(ok, 'canary', { ...base(RouteTarget.meshRoute()), headerPin: { name: longName.slice(0, 256), value: 'true' }, servicesOutsideApp: true });
    expect(find(synthValid(ok), 'HTTPRoute', 'api').spec.rules[0].matches[0].headers[0].name).toBe(longName.slice(0, 256));
    const istio = sidecar();
    new CanaryRoute(istio, 'canary', { ...base(RouteTarget.istio()), headerPin: { name: longName, value: 'true' }, servicesOutsideApp: true });
    expect(Object.keys(find(synthValid(istio), 'VirtualService', 'api').spec.http[0].match[0].headers)).toEqual([longName]);
    const hostnames = Array.from({ length: 17 }, (_, i) => `h${i}.example.com`);
    expect(() => new CanaryRoute(meshChart(Cni.calico(), Mesh.none()), 'canary', {
      ...base(RouteTarget.gateway(GatewayParent.existing({ name: 'edge', namespace: 'infra' }), { hostnames })), servicesOutsideApp: true,
    })).toThrow('[test/canary] target.hostnames: an HTTPRoute has at most 16 hostnames, got 17');
  });

  test('a route hostname that is an IP address: refused (Gateway API hostnames: "IPs are not allowed")', () => {
    expect(() => new CanaryRoute(meshChart(Cni.calico(), Mesh.none()), 'canary', {
      ...base(RouteTarget.gateway(GatewayParent.existing({ name: 'edge', namespace: 'infra' }), { hostnames: ['shop.example.com', '10.0.0.1'] })),
      servicesOutsideApp: true,
    })).toThrow("[test/canary] target.hostnames[1]: '10.0.0.1' is an IP address; a Gateway API hostname must be a DNS name (IPs are not allowed)");
  });

  test('a missing Service', () => {
    const chart = sidecar();
    new CanaryRoute(chart, 'canary', base(RouteTarget.istio()));
    expect(() => chart.toJson()).toThrow("[test/canary] service: missing Service 'api' in namespace 'shop': no such Service is defined in this app "
      + '(set servicesOutsideApp: true if it is managed outside this app)');
  });

  test('a missing subset: no workload runs the canary version', () => {
    const chart = sidecar();
    service(chart, 'shop', 'api', { app: 'api' });
    deployment(chart, 'shop', 'api-v1', { app: 'api', version: 'v1' });
    new CanaryRoute(chart, 'canary', base(RouteTarget.istio()));
    expect(() => chart.toJson()).toThrow("[test/canary] canary: missing subset 'v2': no workload in namespace 'shop' has pods labelled "
      + "{app=api,version=v2} (Service 'api' selector plus canary.labels), so its share of the traffic would fail with 503");
  });

  // A DestinationRule subset is the Service's endpoints with the subset labels (istio.io DestinationRule
  // `subsets`): a Service selecting version=v1 has no endpoint in subset v2, though the v2 pods run.
  test('a Service whose selector pins a version label: the other version\'s subset is empty', () => {
    const chart = sidecar();
    service(chart, 'shop', 'api', { app: 'api', version: 'v1' });
    deployment(chart, 'shop', 'api-v1', { app: 'api', version: 'v1' });
    deployment(chart, 'shop', 'api-v2', { app: 'api', version: 'v2' });
    new CanaryRoute(chart, 'canary', base(RouteTarget.istio()));
    expect(() => chart.toJson()).toThrow("[test/canary] canary.labels: Service 'api' selects version=v1 and version 'v2' is version=v2: the subset is "
      + "the Service's pods with the version's labels, so it has none and its share of the traffic would fail with 503. Drop version from the "
      + "Service's selector");
  });

  test('HTTPRoute backends: a missing per-version Service, and one that mixes versions', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd());
    workloads(chart);
    service(chart, 'shop', 'api-v1', { app: 'api' });
    new CanaryRoute(chart, 'canary', base(RouteTarget.meshRoute()));
    expect(() => chart.toJson()).toThrow("[test/canary] stable.serviceName: Service 'api-v1' selects {app=api}, which is not exactly version 'v1' "
      + '({app=api,version=v1}): the split would mix versions');
    expect(() => chart.toJson()).toThrow("[test/canary] canary.serviceName: missing Service 'api-v2' in namespace 'shop'");
  });

  test('a Service without the routed port', () => {
    const chart = sidecar();
    workloads(chart);
    new CanaryRoute(chart, 'canary', { ...base(RouteTarget.istio()), port: 80 });
    expect(() => chart.toJson()).toThrow("[test/canary] port: Service 'api' has no port 80 (ports: 8080)");
  });
});
