import {
  AllowedRoutes, CanaryRoute, Cni, GatewayParent, HttpsGateway, Mesh, RouteTarget,
} from '../../src';
import { deployment, meshChart, service } from '../support/mesh';
import { find, synthValid } from '../support/synth';

/**
 * Every field path the library may write into Gateway API objects, all of them standard-channel
 * fields of Gateway API v1.2.1 (Linkerd 2.20 ignores routes using anything newer). Arrays are `[]`.
 */
const V1_2_FIELDS = new Set([
  'spec.parentRefs[].group', 'spec.parentRefs[].kind', 'spec.parentRefs[].name', 'spec.parentRefs[].namespace', 'spec.parentRefs[].sectionName',
  'spec.parentRefs[].port', 'spec.hostnames[]',
  'spec.rules[].matches[].path.type', 'spec.rules[].matches[].path.value',
  'spec.rules[].matches[].headers[].type', 'spec.rules[].matches[].headers[].name', 'spec.rules[].matches[].headers[].value',
  'spec.rules[].backendRefs[].name', 'spec.rules[].backendRefs[].namespace', 'spec.rules[].backendRefs[].port', 'spec.rules[].backendRefs[].weight',
  'spec.gatewayClassName', 'spec.listeners[].name', 'spec.listeners[].protocol', 'spec.listeners[].port', 'spec.listeners[].hostname',
  'spec.listeners[].tls.mode', 'spec.listeners[].tls.certificateRefs[].kind', 'spec.listeners[].tls.certificateRefs[].name',
  'spec.listeners[].allowedRoutes.namespaces.from', 'spec.listeners[].allowedRoutes.namespaces.selector.matchExpressions[].key',
  'spec.listeners[].allowedRoutes.namespaces.selector.matchExpressions[].operator',
  'spec.listeners[].allowedRoutes.namespaces.selector.matchExpressions[].values[]',
  'spec.listeners[].allowedRoutes.kinds[].group', 'spec.listeners[].allowedRoutes.kinds[].kind',
  'spec.from[].group', 'spec.from[].kind', 'spec.from[].namespace', 'spec.to[].group', 'spec.to[].kind', 'spec.to[].name',
]);

function leafPaths(value: unknown, prefix: string, out: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => leafPaths(v, `${prefix}[]`, out));
  else if (value !== null && typeof value === 'object') Object.entries(value).forEach(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k, out));
  else out.add(prefix);
  return out;
}

function app() {
  const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
  service(chart, 'shop', 'api', { app: 'api' });
  for (const v of ['v1', 'v2']) {
    deployment(chart, 'shop', `api-${v}`, { app: 'api', version: v });
    service(chart, 'shop', `api-${v}`, { app: 'api', version: v });
  }
  return chart;
}

const versions = {
  namespace: 'shop',
  service: 'api',
  port: 8080,
  stable: { name: 'v1', labels: { version: 'v1' } },
  canary: { name: 'v2', labels: { version: 'v2' } },
  stablePercent: 75,
  canaryPercent: 25,
  headerPin: { name: 'canary', value: 'true' },
};

describe('HttpsGateway', () => {
  test('defaults: cert-manager ClusterIssuer letsencrypt-prod, Secret <name>-tls, routes from the same namespace only', () => {
    const chart = app();
    new HttpsGateway(chart, 'gw', { name: 'web', namespace: 'edge', gatewayClassName: 'eg', hostname: '*.example.com' });
    expect(find(synthValid(chart), 'Gateway', 'web', 'edge')).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'web', namespace: 'edge', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' } },
      spec: {
        gatewayClassName: 'eg',
        listeners: [{
          name: 'https',
          protocol: 'HTTPS',
          port: 443,
          hostname: '*.example.com',
          tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'web-tls' }] },
          allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] },
        }],
      },
    });
  });

  test('AllowedRoutes.allNamespaces admits any route namespace', () => {
    const chart = app();
    const gw = new HttpsGateway(chart, 'gw', { name: 'web', namespace: 'edge', gatewayClassName: 'eg', hostname: 'shop.example.com', allowedRoutes: AllowedRoutes.allNamespaces() });
    new CanaryRoute(chart, 'route', { ...versions, target: RouteTarget.gateway(gw.parent()) });
    expect(find(synthValid(chart), 'Gateway', 'web').spec.listeners[0].allowedRoutes.namespaces).toEqual({ from: 'All' });
  });

  /*
   * Gateway API (HTTPRoute hostnames): a route hostname that does not match the listener's is ignored, and a route none of
   * whose hostnames matches does not attach (NoMatchingListenerHostname). A wildcard listener `*.example.com` matches
   * `shop.example.com` and `a.b.example.com`, not `example.com`; a wildcard route hostname matches the listener hostnames it covers.
   */
  test.each([
    ['shop.example.com', ['shop.example.com', '*.example.com', '*.com']],
    ['*.example.com', ['shop.example.com', 'a.b.example.com', '*.example.com', '*.shop.example.com', '*.com']],
  ])('a listener for %s serves routes for %j', (listener, hostnames) => {
    const chart = app();
    const gw = new HttpsGateway(chart, 'gw', { name: 'web', namespace: 'edge', gatewayClassName: 'eg', hostname: listener, allowedRoutes: AllowedRoutes.allNamespaces() });
    new CanaryRoute(chart, 'route', { ...versions, target: RouteTarget.gateway(gw.parent(), { hostnames }) });
    expect(find(synthValid(chart), 'HTTPRoute', 'api', 'shop').spec.hostnames).toEqual(hostnames);
  });

  test.each([
    ['shop.example.com', ['shop.example.com', 'api.example.com'], 1, 'api.example.com'],
    ['shop.example.com', ['*.shop.example.com'], 0, '*.shop.example.com'],
    ['*.example.com', ['example.com'], 0, 'example.com'],
    ['*.example.com', ['shop.example.org'], 0, 'shop.example.org'],
    ['*.shop.example.com', ['*.api.example.com'], 0, '*.api.example.com'],
  ])('a listener for %s ignores the route hostname in %j: an error, not a hostname that is never served', (listener, hostnames, index, host) => {
    const chart = app();
    const gw = new HttpsGateway(chart, 'gw', { name: 'web', namespace: 'edge', gatewayClassName: 'eg', hostname: listener, allowedRoutes: AllowedRoutes.allNamespaces() });
    expect(() => new CanaryRoute(chart, 'route', { ...versions, target: RouteTarget.gateway(gw.parent(), { hostnames }) }))
      .toThrow(`[test/route] target.hostnames[${index}]: '${host}' does not match the hostname '${listener}' of listener edge/web/https (test/gw): `
        + 'the listener ignores it, and a route none of whose hostnames match does not attach (NoMatchingListenerHostname). Use a hostname the listener '
        + 'serves, or omit hostnames to take the listener\'s');
  });

  test.each([
    ['an upper-case host', { hostname: 'Shop.example.com' }, "[test/gw] hostname: 'Shop.example.com' is not a host name"],
    ['a single-label host', { hostname: 'shop' }, "[test/gw] hostname: 'shop' is not a host name"],
    ['a bad class', { gatewayClassName: 'Istio' }, "[test/gw] gatewayClassName: 'Istio' is not a valid DNS-1123 subdomain"],
    // Gateway API Hostname: "IPs are not allowed" (the CRD pattern lets a dotted quad through; TLS SNI never carries one).
    ['an IP address', { hostname: '203.0.113.10' }, "[test/gw] hostname: '203.0.113.10' is an IP address; a Gateway API hostname must be a DNS name (IPs are not allowed)"],
  ])('%s', (_what, props, message) => {
    expect(() => new HttpsGateway(app(), 'gw', { name: 'web', namespace: 'edge', gatewayClassName: 'eg', hostname: 'shop.example.com', ...props }))
      .toThrow(message);
  });

  test.each([
    ['no admitted namespaces', () => AllowedRoutes.namespaces([]), "[AllowedRoutes.namespaces] names: must name at least one namespace (AllowedRoutes.sameNamespace() for the Gateway's own)"],
    ['one name as a string (jsii callers)', () => AllowedRoutes.namespaces('shop' as any), "[AllowedRoutes.namespaces] names: must be a list, got the string 'shop'"],
    ['an upper-case Gateway name', () => GatewayParent.existing({ name: 'Edge', namespace: 'infra' }), "[GatewayParent.existing] name: 'Edge' is not a valid DNS-1123 label"],
    ['an upper-case listener', () => GatewayParent.existing({ name: 'edge', namespace: 'infra', sectionName: 'HTTPS' }), "[GatewayParent.existing] sectionName: 'HTTPS' is not a valid DNS-1123 subdomain"],
    ['no options (jsii callers)', () => GatewayParent.existing(undefined as any), '[GatewayParent.existing] options: must be an object of props (they are required), got undefined'],
  ])('%s', (_what, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('Gateway API output uses only Gateway API v1.2.1 standard fields', () => {
  test('Gateway, north-south route with ReferenceGrant, and mesh route', () => {
    const chart = app();
    const gw = new HttpsGateway(chart, 'gw', { name: 'web', namespace: 'edge', gatewayClassName: 'eg', hostname: 'shop.example.com', allowedRoutes: AllowedRoutes.namespaces(['edge', 'shop']) });
    new CanaryRoute(chart, 'north-south', { ...versions, name: 'api-public', target: RouteTarget.gateway(gw.parent(), { routeNamespace: 'edge', hostnames: ['shop.example.com'] }) });
    new CanaryRoute(chart, 'east-west', { ...versions, target: RouteTarget.meshRoute() });
    const objects = synthValid(chart).filter((o) => o.apiVersion.startsWith('gateway.networking.k8s.io/'));
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort())
      .toEqual(['Gateway edge/web', 'HTTPRoute edge/api-public', 'HTTPRoute shop/api', 'ReferenceGrant shop/api-public-from-edge']);
    const used = new Set<string>();
    for (const o of objects) leafPaths(o.spec, 'spec', used);
    expect([...used].filter((p) => !V1_2_FIELDS.has(p))).toEqual([]);
  });
});
