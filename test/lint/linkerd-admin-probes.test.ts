/**
 * linkerd-admin-server-refuses-proxy-probes: a Server on the Linkerd proxy's admin port with
 * HTTPRoutes loses Linkerd's probe route (linkerd2 policy-controller `http_routes`: the default
 * routes, probe route included, only when no route has the Server as parent), so the injected
 * proxy's own GET /live and /ready must be routed and authorized; `linkerd viz allow-scrapes` emits
 * a proxy-probes route with a NetworkAuthentication policy for that reason.
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

const RULE = 'linkerd-admin-server-refuses-proxy-probes';
const meta = (name: string) => ({ name, namespace: 'shop' });
const server = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'policy.linkerd.io/v1beta3',
  kind: 'Server',
  metadata: meta('proxy-admin'),
  spec: { podSelector: {}, port: 'linkerd-admin', proxyProtocol: 'HTTP/1', ...spec },
});
const route = (name: string, matches: unknown[]) => ({
  apiVersion: 'policy.linkerd.io/v1beta3',
  kind: 'HTTPRoute',
  metadata: meta(name),
  spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' }], rules: [{ matches }] },
});
const policy = (name: string, targetRef: Record<string, string>, ref: Record<string, string>) => ({
  apiVersion: 'policy.linkerd.io/v1alpha1',
  kind: 'AuthorizationPolicy',
  metadata: meta(name),
  spec: { targetRef, requiredAuthenticationRefs: [ref] },
});
const PROMETHEUS = { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' };
const KUBELET = { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'kubelet', namespace: 'monitoring' };
const metrics = route('proxy-metrics', [{ path: { type: 'Exact', value: '/metrics' } }]);
const scrape = policy('prometheus-scrape', { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'proxy-metrics' }, PROMETHEUS);
const probes = route('proxy-probes', [{ path: { type: 'Exact', value: '/live' } }, { path: { type: 'Exact', value: '/ready' } }]);
const probesPolicy = policy('proxy-probes', { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'proxy-probes' }, KUBELET);

/** The message for an admin Server proxy-admin whose HTTPRoutes match neither of the proxy's probes. */
const UNROUTED_PROBES = "Server 'proxy-admin' describes the Linkerd proxy's admin port (linkerd-admin) and has HTTPRoutes, so Linkerd's "
  + "probe route for the injected proxy's own kubelet probes is gone: GET /live (liveness) matches none of its HTTPRoutes, so the proxy answers 404 "
  + 'and the kubelet restarts the proxy container again and again; GET /ready (readiness) matches none of its HTTPRoutes, so the proxy answers 404 '
  + 'and the pods never become ready';

describe('linkerd-admin-server-refuses-proxy-probes (linkerd2 policy-controller http_routes / default_inbound_http_routes)', () => {
  test('a metrics-only route on the admin Server: the proxy\'s /live and /ready match no route (404): error', () => {
    const objects = [server(), metrics, scrape];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'error', object: 'Server shop/proxy-admin', path: 'spec.port' }]);
    expect(findings[0].message).toBe(UNROUTED_PROBES);
    expect(findings[0].fix).toContain("LinkerdAuthorization.allowFlow with from: [MeshSource.anyone()], ports: [4191], methods: ['GET'], paths: ['/live', '/ready']");
  });

  test('the full allow-scrapes set (a probes route authorized by a NetworkAuthentication): no finding', () => {
    const objects = [server(), metrics, scrape, probes, probesPolicy];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([]);
  });

  test('a catch-all route without a policy of its own (identity-only policies elsewhere): the probes go to it and are refused', () => {
    const catchAll = route('proxy-admin-catch-all', [{ path: { type: 'PathPrefix', value: '/' } }]);
    const onServer = policy('server-mtls', { group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' }, PROMETHEUS);
    const objects = [server({ port: 4191 }), metrics, scrape, catchAll, onServer];
    expectValidManifests(objects);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'error', object: 'Server shop/proxy-admin', path: 'spec.port' }]);
    expect(findings[0].message).toContain("GET /live (liveness) goes to HTTPRoute 'proxy-admin-catch-all', which no authorization in these manifests "
      + 'opens to a client without a mesh identity (the kubelet has none), so it is refused and the kubelet restarts the proxy container again and again');
    // A Server-level policy a client without identity can meet (a NetworkAuthentication), or an open accessPolicy, may admit the kubelet: silent.
    const byNetwork = policy('server-net', { group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' }, KUBELET);
    expect(brief(PolicyLint.check([...objects, byNetwork]), RULE)).toEqual([]);
    expect(brief(PolicyLint.check([server({ accessPolicy: 'all-unauthenticated' }), metrics, scrape, catchAll]), RULE)).toEqual([]);
  });

  // linkerd2-proxy app/admin stack.rs: a request no route matches is rescued as HttpRouteNotFound (404) whatever the Server admits,
  // so an open Server (accessPolicy, or a Server-level policy a client without identity can meet) does not save an unrouted probe.
  test('a metrics-only route on an open admin Server (accessPolicy all-unauthenticated or audit, or a NetworkAuthentication policy on the Server): still 404, error', () => {
    const byNetwork = policy('server-net', { group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' }, KUBELET);
    for (const objects of [
      [server({ accessPolicy: 'all-unauthenticated' }), metrics],
      [server({ accessPolicy: 'audit' }), metrics],
      [server(), metrics, byNetwork],
    ]) {
      expectValidManifests(objects);
      const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
      expect(brief(findings)).toEqual([{ rule: RULE, severity: 'error', object: 'Server shop/proxy-admin', path: 'spec.port' }]);
      expect(findings[0].message).toBe(UNROUTED_PROBES);
      expect(findings[0].fix).toBe("add an HTTPRoute with Server 'proxy-admin' as parent matching GET /live and GET /ready (the authorizations of the "
        + 'Server, which may admit the kubelet, apply to every route on it)');
    }
    // Routed there, the open Server admits them: silent.
    expect(brief(PolicyLint.check([server({ accessPolicy: 'all-unauthenticated' }), metrics, probes]), RULE)).toEqual([]);
  });

  // config.linkerd.io/admin-port moves the proxy's admin listener and its probes (linkerd.io proxy configuration reference).
  test('a namespace whose pods moved the admin port by config.linkerd.io/admin-port: a Server on that number is judged, one on 4191 is not', () => {
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'config.linkerd.io/admin-port': '9990' } } };
    expectValidManifests([namespace, server({ port: 9990 }), metrics, scrape]);
    const findings = PolicyLint.check([namespace, server({ port: 9990 }), metrics, scrape]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'error', object: 'Server shop/proxy-admin', path: 'spec.port' }]);
    expect(findings[0].message).toMatch(/^Server 'proxy-admin' describes the Linkerd proxy's admin port \(9990\) and has HTTPRoutes, /);
    expect(findings[0].fix).toContain("LinkerdAuthorization.allowFlow with from: [MeshSource.anyone()], ports: [9990], methods: ['GET'], paths: ['/live', '/ready']");
    // 4191 is not the proxy's admin port there: an application's Server with a metrics route is not about the proxy's probes.
    expect(brief(PolicyLint.check([namespace, server({ port: 4191 }), metrics, scrape]), RULE)).toEqual([]);
  });

  test('no HTTPRoute on the admin Server (Linkerd keeps the probe route), another port, or an opaque Server: no finding', () => {
    expect(brief(PolicyLint.check([server(), policy('s', { group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' }, PROMETHEUS)]), RULE)).toEqual([]);
    expect(brief(PolicyLint.check([server({ port: 8080 }), metrics, scrape]), RULE)).toEqual([]);
    expect(brief(PolicyLint.check([server({ proxyProtocol: 'opaque' }), metrics, scrape]), RULE)).toEqual([]);
  });
});
