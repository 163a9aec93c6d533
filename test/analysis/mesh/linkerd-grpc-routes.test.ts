/**
 * GRPCRoutes (gateway.networking.k8s.io/v1) on a Linkerd gRPC Server: the proxy matches POST
 * /<service>/<method> exactly (linkerd2-proxy linkerd/http/route/src/grpc/match.rs), the longer
 * service then the longer method wins, a rule without matches takes any request
 * (linkerd/http/route/src/lib.rs), and a matched request is authorized by the policies targeting its
 * route or the Server's own (linkerd2-proxy app/inbound policy/http.rs `authorize`, shared with HTTPRoutes).
 * RegularExpression method matches (the policy controller refuses them: policy-controller/k8s/index
 * src/routes/grpc.rs) and header matches are indeterminate.
 */
import { LINKERD, linkerd, meshReach, namespace, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const GRPC = Port.tcp(8080);
const ns = [namespace('shop', {}, { 'linkerd.io/inject': 'enabled' })];
const apps = [workload('shop', 'web'), workload('shop', 'api'), workload('shop', 'worker')];
const server = linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080, proxyProtocol: 'gRPC' });
const webIdentity = linkerd('MeshTLSAuthentication', 'shop', 'web', { identities: ['web.shop.serviceaccount.identity.linkerd.cluster.local'] });
const webPolicy = linkerd('AuthorizationPolicy', 'shop', 'web-to-api', {
  targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' },
  requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web' }],
});

/** A GRPCRoute on Server shop/api-8080. */
function grpcRoute(name: string, rules: unknown[], extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name, namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' }], rules, ...extra },
  };
}

/** An AuthorizationPolicy admitting every client on GRPCRoute `route`. */
function anyoneOn(route: string): any {
  return linkerd('AuthorizationPolicy', 'shop', `anyone-${route}`, {
    targetRef: { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', name: route },
    requiredAuthenticationRefs: [],
  });
}

const apiRoute = grpcRoute('api', [{ matches: [{ method: { service: 'shop.Api' } }] }]);

describe('GRPCRoutes on a gRPC Server', () => {
  test('the manifests of these tests are valid', () => {
    expectValidManifests([server, webPolicy, apiRoute, anyoneOn('api'), grpcRoute('x', [{ matches: [{ method: { type: 'RegularExpression', service: 'shop\\..*' } }] }]),
      grpcRoute('h', [{ matches: [{ headers: [{ name: 'x-tenant', value: 'a' }] }] }], { hostnames: ['api.shop'] })]);
  });

  test('a request no GRPCRoute matches is refused, whoever the Server admits: other service, not POST, no method part', () => {
    const r = meshReach([...ns, ...apps, server, webIdentity, webPolicy, apiRoute], LINKERD);
    const ok = r.checkRequest(w('shop/web'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' });
    expect([ok.verdict, ok.uncertainties]).toEqual([Verdict.ALLOW, []]);
    expect(ok.mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/web-to-api spec.requiredAuthenticationRefs (allow)', 'GRPCRoute shop/api (log)']);
    for (const request of [{ method: 'POST', path: '/shop.Other/Get' }, { method: 'GET', path: '/shop.Api/Get' }, { method: 'POST', path: '/shop.Api' }]) {
      const refused = r.checkRequest(w('shop/web'), w('shop/api'), GRPC, request);
      expect([request, refused.verdict, refused.uncertainties]).toEqual([request, Verdict.DENY, []]);
      expect(refused.mesh!.reasons).toEqual([`GRPCRoutes attach to Server shop/api-8080 and none matches ${request.method} ${request.path} (the proxy matches `
        + 'POST /<service>/<method>): Linkerd\'s proxy refuses shop/web -> shop/api TCP/8080 '
        + `${request.method} ${request.path} (no route found; linkerd2-proxy grpc MatchRpc)`]);
    }
    // The query is not part of the matched path.
    expect(r.checkRequest(w('shop/web'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get?x=1' }).verdict).toBe(Verdict.ALLOW);
  });

  test('a policy on the GRPCRoute admits its clients for the requests of that route only', () => {
    const r = meshReach([...ns, ...apps, server, apiRoute, anyoneOn('api')], LINKERD);
    const get = r.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' });
    expect([get.verdict, get.mesh!.decidingRules]).toEqual([Verdict.ALLOW, ['AuthorizationPolicy shop/anyone-api spec.requiredAuthenticationRefs (allow)']]);
    expect(r.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Admin/Get' }).verdict).toBe(Verdict.DENY);
    const any = r.check(w('shop/worker'), w('shop/api'), GRPC);
    expect([any.verdict, any.uncertainties, any.l7Constraints]).toEqual([Verdict.ALLOW, [],
      ['only gRPC shop.Api/* (GRPCRoute shop/api, when no stronger match of another route of Server shop/api-8080 takes the request; '
        + 'other requests are refused)']]);
  });

  test('the longer service, then the longer method wins; equal matches go to the oldest route', () => {
    const admin = grpcRoute('api-delete', [{ matches: [{ method: { service: 'shop.Api', method: 'Delete' } }] }]);
    const r = meshReach([...ns, ...apps, server, apiRoute, anyoneOn('api'), admin], LINKERD);
    expect(r.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' }).verdict).toBe(Verdict.ALLOW);
    const del = r.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Delete' });
    expect([del.verdict, del.mesh!.reasons[0]]).toEqual([Verdict.DENY, 'the request goes to GRPCRoute shop/api-delete (gRPC shop.Api/Delete), and no '
      + 'AuthorizationPolicy targeting it authorizes shop/worker']);
    // A method-only match is weaker than a service match (service length first).
    const methodOnly = grpcRoute('any-delete', [{ matches: [{ method: { method: 'Delete' } }] }]);
    const r2 = meshReach([...ns, ...apps, server, apiRoute, anyoneOn('api'), methodOnly], LINKERD);
    expect(r2.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Delete' }).verdict).toBe(Verdict.ALLOW);
    expect(r2.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Other/Delete' }).verdict).toBe(Verdict.DENY);
    // Equal matches: the oldest route (creationTimestamp) takes the request.
    const younger = { ...grpcRoute('api-again', [{ matches: [{ method: { service: 'shop.Api' } }] }]) };
    younger.metadata.creationTimestamp = '2026-02-01T00:00:00Z';
    const tie = meshReach([...ns, ...apps, server, apiRoute, anyoneOn('api'), younger], LINKERD)
      .checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' });
    expect([tie.verdict, tie.mesh!.decidingRules[0]]).toEqual([Verdict.ALLOW, 'GRPCRoute shop/api (log)']);
    const older = { ...younger, metadata: { ...younger.metadata, creationTimestamp: '2025-12-01T00:00:00Z' } };
    expect(meshReach([...ns, ...apps, server, apiRoute, anyoneOn('api'), older], LINKERD)
      .checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' }).verdict).toBe(Verdict.DENY);
    // A rule without matches takes any request, POST or not, at the weakest rank.
    const all = grpcRoute('all', [{}]);
    const r3 = meshReach([...ns, ...apps, server, all, anyoneOn('all')], LINKERD);
    expect(r3.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    const any = r3.check(w('shop/worker'), w('shop/api'), GRPC);
    expect([any.verdict, any.l7Constraints]).toEqual([Verdict.ALLOW, ['only any request (GRPCRoute shop/all, when no stronger match of another route '
      + 'of Server shop/api-8080 takes the request; other requests are refused)']]);
  });

  test('RegularExpression method matches, header matches and hostnames are not evaluated: indeterminate, never a quiet verdict', () => {
    const regex = grpcRoute('api', [{ matches: [{ method: { type: 'RegularExpression', service: 'shop\\..*' } }] }]);
    const r = meshReach([...ns, ...apps, server, regex, anyoneOn('api')], LINKERD);
    const res = r.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' });
    expect(res.verdict).toBe(Verdict.INDETERMINATE);
    expect(res.uncertainties[0]).toContain('a RegularExpression method match, which Linkerd\'s policy controller does not support');
    const headers = grpcRoute('api', [{ matches: [{ method: { service: 'shop.Api' }, headers: [{ name: 'x-tenant', value: 'a' }] }] }]);
    const h = meshReach([...ns, ...apps, server, headers, anyoneOn('api')], LINKERD).checkRequest(w('shop/worker'), w('shop/api'), GRPC,
      { method: 'POST', path: '/shop.Api/Get' });
    expect(h.verdict).toBe(Verdict.INDETERMINATE);
    // A request the route surely does not match (another service) is refused all the same.
    expect(meshReach([...ns, ...apps, server, headers, anyoneOn('api')], LINKERD).checkRequest(w('shop/worker'), w('shop/api'), GRPC,
      { method: 'POST', path: '/shop.Other/Get' }).verdict).toBe(Verdict.DENY);
    const hosts = grpcRoute('api', [{ matches: [{ method: { service: 'shop.Api' } }] }], { hostnames: ['api.shop'] });
    expect(meshReach([...ns, ...apps, server, hosts, anyoneOn('api')], LINKERD).checkRequest(w('shop/worker'), w('shop/api'), GRPC,
      { method: 'POST', path: '/shop.Api/Get' }).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('a route matching surely by service only but by service, method and headers maybe contends with a route matching service and method', () => {
    // linkerd2-proxy grpc/match.rs RouteMatch: service length, method length, then headers. `broad` takes POST /shop.Api/Get
    // when x-tenant is sent ([8, 3, 1] > [8, 3]), else `exact` does.
    const broad = grpcRoute('broad', [{
      matches: [{ method: { service: 'shop.Api' } },
        { method: { service: 'shop.Api', method: 'Get' }, headers: [{ name: 'x-tenant', value: 'a' }] }],
    }]);
    const exact = grpcRoute('exact', [{ matches: [{ method: { service: 'shop.Api', method: 'Get' } }] }]);
    expectValidManifests([broad, exact]);
    const res = meshReach([...ns, ...apps, server, broad, exact, anyoneOn('exact')], LINKERD)
      .checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' });
    expect(res.verdict).toBe(Verdict.INDETERMINATE);
    expect(res.uncertainties[0]).toContain('POST /shop.Api/Get may go to any of GRPCRoute shop/broad, GRPCRoute shop/exact');
    // Another method: only broad matches, surely.
    expect(meshReach([...ns, ...apps, server, broad, exact, anyoneOn('exact')], LINKERD)
      .checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/List' }).verdict).toBe(Verdict.DENY);
  });

  test('a gRPC Server without GRPCRoutes takes POST /<service>/<method> only (the policy controller\'s default gRPC route)', () => {
    const r = meshReach([...ns, ...apps, server, webIdentity, webPolicy], LINKERD);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' }).verdict).toBe(Verdict.ALLOW);
    for (const request of [{ method: 'GET', path: '/shop.Api/Get' }, { method: 'POST', path: '/healthz' }]) {
      const refused = r.checkRequest(w('shop/web'), w('shop/api'), GRPC, request);
      expect([request, refused.verdict, refused.uncertainties]).toEqual([request, Verdict.DENY, []]);
      expect(refused.mesh!.reasons).toEqual(['Server shop/api-8080 is a gRPC Server without GRPCRoutes: its default route takes POST /<service>/<method> '
        + `only, so Linkerd's proxy refuses shop/web -> shop/api TCP/8080 ${request.method} ${request.path} (no route found; linkerd2 policy controller `
        + 'default gRPC route, linkerd2-proxy grpc MatchRpc)']);
    }
  });

  test('a RequestMirror or ExtensionRef filter makes the policy controller ignore the whole route: indeterminate, not the route\'s verdict', () => {
    // linkerd2 policy-controller/k8s/index/src/inbound/index/grpc.rs try_grpc_filter bails, index.rs apply_grpc_route "Ignoring GrpcRoute":
    // the Server then has no GRPCRoute, so its own authorizations decide every request.
    const mirror = grpcRoute('api', [{
      matches: [{ method: { service: 'shop.Api' } }],
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'api-shadow', port: 8080 } } }],
    }]);
    const extension = grpcRoute('api', [{
      matches: [{ method: { service: 'shop.Api' } }],
      filters: [{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Tap', name: 'tap' } }],
    }]);
    expectValidManifests([mirror, extension]);
    for (const route of [mirror, extension]) {
      const r = meshReach([...ns, ...apps, server, webIdentity, webPolicy, route, anyoneOn('api')], LINKERD);
      // The route policy would admit worker, but the route is ignored and the Server denies worker.
      const worker = r.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' });
      expect(worker.verdict).toBe(Verdict.INDETERMINATE);
      expect(worker.uncertainties[0]).toContain(`a ${route.spec.rules[0].filters[0].type} filter, which Linkerd's policy controller does not support (it ignores the route)`);
      // Not refused as unrouted: without the route the Server admits web to any service.
      expect(r.checkRequest(w('shop/web'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Other/Get' }).verdict).toBe(Verdict.INDETERMINATE);
    }
  });

  test('a client the Server admits: only the requests a route matches (a match naming nothing still needs POST /<service>/<method>)', () => {
    const empty = grpcRoute('api', [{ matches: [{}] }]);
    const r = meshReach([...ns, ...apps, server, webIdentity, webPolicy, empty], LINKERD);
    const any = r.check(w('shop/web'), w('shop/api'), GRPC);
    expect([any.verdict, any.l7Constraints]).toEqual([Verdict.ALLOW,
      ['only requests a GRPCRoute of Server shop/api-8080 matches (gRPC */*): Linkerd refuses the others']]);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), GRPC, { method: 'GET', path: '/healthz' }).verdict).toBe(Verdict.DENY);
    // A rule without matches takes every request: no constraint.
    const implicit = meshReach([...ns, ...apps, server, webIdentity, webPolicy, grpcRoute('api', [{}])], LINKERD).check(w('shop/web'), w('shop/api'), GRPC);
    expect([implicit.verdict, implicit.l7Constraints]).toEqual([Verdict.ALLOW, []]);
  });

  test('a Server that denies, with no policy on its GRPCRoutes, denies every request', () => {
    const r = meshReach([...ns, ...apps, server, webIdentity, webPolicy, apiRoute], LINKERD);
    expect(r.check(w('shop/worker'), w('shop/api'), GRPC).verdict).toBe(Verdict.DENY);
    expect(r.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' }).verdict).toBe(Verdict.DENY);
  });

  test('GRPCRoutes on an HTTP Server change nothing (the policy controller sends HTTP routes only there)', () => {
    const http = linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080, accessPolicy: 'deny' });
    const r = meshReach([...ns, ...apps, http, apiRoute, anyoneOn('api')], LINKERD);
    expect(r.checkRequest(w('shop/worker'), w('shop/api'), GRPC, { method: 'POST', path: '/shop.Api/Get' }).verdict).toBe(Verdict.DENY);
  });
});
