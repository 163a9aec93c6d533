/**
 * Route-level LinkerdAuthorization flows (HTTP methods and paths), per linkerd.io "Configuring
 * Per-Route Authorization Policy" and the "Authorization Policy" reference (edge-26.8 / 2.20 CRDs),
 * and linkerd2's policy controller and proxy:
 *
 * - an HTTPRoute (policy.linkerd.io v1beta3) with the Server as parentRef matches requests by
 *   `path` (Exact; PathPrefix, segment-wise; RegularExpression, the whole path) and `method`
 *   (GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH); an AuthorizationPolicy
 *   targeting it authorizes its requests;
 * - once a Server has routes, HTTP requests no route matches get 404, and the Server's own
 *   authorizations (policies targeting the Server) apply on every route.
 */
import { Cni, LinkerdAuthorization, Mesh, MeshSource, Port, Reachability, Target, Verdict, ZeroTrustNamespace } from '../../../src';
import { PolicyLint } from '../../../src/lint';
import { deployment, meshChart } from '../../support/mesh';
import { admitsPath, regexAdmitting } from '../../support/route-regex';
import { find, ofKind, synthValid } from '../../support/synth';

const linkerd = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
const SERVER_REF = { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' };
/**
 * What `/api/*` and `*.png` must admit and refuse: Istio's prefix and suffix on a path as Istio's
 * normalization leaves it (RFC 3986 dot segments resolved, escaped dots, slashes and backslashes
 * decoded), so a raw dot segment or such an escape is never admitted.
 */
const API_PREFIX = regexAdmitting(['/api/', '/api/orders', '/api/orders/42', '/api/.well-known', '/api/a..b', '/api/a%20b', '/api//x'],
  ['/api', '/apix', '/api/../admin', '/api/./x', '/api/..', '/api/orders/../../admin', '/api/%2e%2e/admin', '/api/%2E/x', '/api/a%2Fb', '/api/a\\b']);
const PNG_SUFFIX = regexAdmitting(['/a.png', '/img/a.png', '/.png', '/x.png/y.png'], ['/a.pngx', '/../secret.png', '/img/../a.png', '/a%2fb.png', '/a.png/x']);

describe('route-level flows: objects', () => {
  test('an HTTPRoute per port with the (path, method) matches, a policy targeting it, and one catch-all route per Server', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    const objs = authz.allowFlow('web-api', {
      from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET', 'HEAD'], paths: ['/api/*', '/healthz', '*.png'],
    });
    authz.allowFlow('ops', { from: [MeshSource.serviceAccount('ops')], to: { app: 'api' }, ports: [8080] });
    const objects = synthValid(chart);
    expect(objs.routes.map((r) => r.name)).toEqual(['web-api-8080']);
    expect(ofKind(objects, 'Server').map((s) => s.metadata.name)).toEqual(['api-8080']);
    expect(find(objects, 'HTTPRoute', 'web-api-8080', 'shop')).toEqual({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'web-api-8080', namespace: 'shop' },
      spec: {
        parentRefs: [SERVER_REF],
        rules: [{
          matches: [
            // Istio-style prefix `/api/*` is the string prefix `/api/`: a regex over the whole path, since
            // Linkerd's PathPrefix `/api/` would also match `/api`; no dot segment after it (Istio
            // resolves them before matching, Linkerd would not).
            { path: { type: 'RegularExpression', value: API_PREFIX }, method: 'GET' },
            { path: { type: 'RegularExpression', value: API_PREFIX }, method: 'HEAD' },
            { path: { type: 'Exact', value: '/healthz' }, method: 'GET' },
            { path: { type: 'Exact', value: '/healthz' }, method: 'HEAD' },
            { path: { type: 'RegularExpression', value: PNG_SUFFIX }, method: 'GET' },
            { path: { type: 'RegularExpression', value: PNG_SUFFIX }, method: 'HEAD' },
          ],
        }],
      },
    });
    expect(find(objects, 'HTTPRoute', 'api-8080-catch-all', 'shop').spec).toEqual({
      parentRefs: [SERVER_REF],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
    });
    expect(find(objects, 'AuthorizationPolicy', 'web-api-8080', 'shop').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'web-api-8080' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web-api' }],
    });
    // The port-level flow still targets the Server: its clients keep every request (on every route).
    expect(find(objects, 'AuthorizationPolicy', 'ops-8080', 'shop').spec.targetRef).toEqual(SERVER_REF);
    // The catch-all has no policy of its own.
    expect(ofKind(objects, 'AuthorizationPolicy').map((p) => p.spec.targetRef.name).sort()).toEqual(['api-8080', 'web-api-8080']);
  });

  test('methods alone match every path; a route per port; more than 8 matches split into rules of 8', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('reads', { from: [MeshSource.namespace('web')], to: { app: 'api' }, ports: [8080, 9090], methods: ['GET'] });
    const paths = ['/a', '/b', '/c', '/d', '/e'];
    authz.allowFlow('writes', { from: [MeshSource.serviceAccount('admin')], to: { app: 'api' }, ports: [8080], methods: ['POST', 'PUT'], paths });
    const objects = synthValid(chart);
    expect(find(objects, 'HTTPRoute', 'reads-9090').spec).toEqual({
      parentRefs: [{ ...SERVER_REF, name: 'api-9090' }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, method: 'GET' }] }],
    });
    expect(ofKind(objects, 'HTTPRoute').map((r) => r.metadata.name).sort())
      .toEqual(['api-8080-catch-all', 'api-9090-catch-all', 'reads-8080', 'reads-9090', 'writes-8080']);
    const rules = find(objects, 'HTTPRoute', 'writes-8080').spec.rules;
    expect(rules.map((r: any) => r.matches.length)).toEqual([8, 2]);
    expect(rules.flatMap((r: any) => r.matches)).toEqual(paths.flatMap((p) => ['POST', 'PUT'].map((method) => ({ path: { type: 'Exact', value: p }, method }))));
  });

  test('disjoint requests of two flows share the Server', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('get', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/api/*'] });
    authz.allowFlow('post', { from: [MeshSource.serviceAccount('admin')], to: { app: 'api' }, ports: [8080], methods: ['POST'], paths: ['/api/*'] });
    // HEAD only: `*.png` with GET would overlap `/api/*` (`GET /api/x.png`).
    authz.allowFlow('images', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [8080], methods: ['HEAD'], paths: ['*.png'] });
    authz.allowFlow('icons', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [8080], methods: ['HEAD'], paths: ['*.ico'] });
    authz.allowFlow('robots', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080], paths: ['/robots.txt'] });
    authz.allowFlow('v1', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/v1.0/my-api/*'] });
    const objects = synthValid(chart);
    expect(ofKind(objects, 'HTTPRoute').map((r) => r.metadata.name).sort())
      .toEqual(['api-8080-catch-all', 'get-8080', 'icons-8080', 'images-8080', 'post-8080', 'robots-8080', 'v1-8080']);
    // Regular-expression characters of the literal part are escaped (the dot), others stay as written.
    expect(find(objects, 'HTTPRoute', 'v1-8080').spec.rules).toEqual([{
      matches: [{
        path: {
          type: 'RegularExpression', value: regexAdmitting(['/v1.0/my-api/x', '/v1.0/my-api/'], ['/v1x0/my-api/x', '/v1.0/my-api/../x']),
        },
        method: 'GET',
      }],
    }]);
  });

  test('the lint does not flag a Server whose only policies target its routes', () => {
    const chart = linkerd();
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('get', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET'] });
    expect(PolicyLint.check(synthValid(chart)).filter((f) => f.rule === 'linkerd-server-without-authorization')).toEqual([]);
  });
});

describe('route-level flows: bad input', () => {
  const base = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] };
  test.each([
    ['a method no HTTPRoute can match', { methods: ['GET', 'PURGE'] }, "[test/authz] flow 'f'.methods[1]: 'PURGE' is not a method an HTTPRoute can match"],
    ['a lower-case method', { methods: ['get'] }, "[test/authz] flow 'f'.methods[0]: 'get' is not an upper-case HTTP method"],
    ['methods as a string', { methods: 'GET' }, "[test/authz] flow 'f'.methods"],
    ['a path without /', { paths: ['api'] }, "[test/authz] flow 'f'.paths[0]: 'api' is not a path"],
    ['a path with a query', { methods: ['GET'], paths: ['/a?b=1'] }, "[test/authz] flow 'f'.paths[0]: '/a?b=1': Linkerd matches the request path alone"],
    ['* without methods', { paths: ['*'] }, "[test/authz] flow 'f'.paths[0]: '*' without methods matches the path / as generally as the Server's catch-all"],
    ['/ without methods', { paths: ['/x', '/'] }, "[test/authz] flow 'f'.paths[1]: '/' without methods matches the path /"],
    ['too many matches', {
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'],
      paths: Array.from({ length: 15 }, (_, i) => `/p${i}`),
    }, "[test/authz] flow 'f': 9 methods times 15 paths are 135 HTTPRoute matches; an HTTPRoute holds at most 128"],
    // policy.linkerd.io HTTPRoute v1beta3: matches[].path.value has maxLength 1024; a prefix or suffix
    // gains the expression of its wildcard, and each escaped character a backslash.
    ['a prefix path longer than an HTTPRoute path value once rendered', { methods: ['GET'], paths: ['/ok', `/${'a'.repeat(1022)}*`] },
      new RegExp('^\\[test/authz\\] flow \'f\'\\.paths\\[1\\]: renders as the HTTPRoute RegularExpression path \'/a{39}\\.\\.\\.\' of \\d{4} characters; the HTTPRoute CRD allows 1024$')],
    ['a suffix path whose escapes make it too long', { methods: ['GET'], paths: [`*${'.'.repeat(512)}`] },
      /^\[test\/authz\] flow 'f'\.paths\[0\]: renders as the HTTPRoute RegularExpression path '.{40}\.\.\.' of \d{4} characters; the HTTPRoute CRD allows 1024$/],
    ['a dot segment in a prefix (Istio resolves it first, Linkerd would not)', { methods: ['GET'], paths: ['/api/../admin/*'] },
      "[test/authz] flow 'f'.paths[0]: '/api/../admin/*' holds a dot segment (`.` or `..`), which Istio resolves before matching and Linkerd does not"],
    ['a prefix ending in a dot segment', { methods: ['GET'], paths: ['/static/..*'] }, "[test/authz] flow 'f'.paths[0]: '/static/..*' holds a dot segment"],
    ['an escaped slash in a path', { methods: ['GET'], paths: ['/files/a%2Fb'] },
      "[test/authz] flow 'f'.paths[0]: '/files/a%2Fb' holds a backslash or a percent-escape, which Istio decodes before matching and Linkerd does not"],
    ['an exact path longer than 1024 characters', { methods: ['GET'], paths: [`/${'a'.repeat(1024)}`] },
      "[test/authz] flow 'f'.paths[0]: renders as the HTTPRoute Exact path"],
  ])('%s', (_what, extra, message) => {
    expect(() => new LinkerdAuthorization(linkerd(), 'authz', { namespace: 'shop' }).allowFlow('f', { ...base, ...extra } as any)).toThrow(message);
  });

  test('the longest prefix accepted renders exactly 1024 characters and validates against the CRD', () => {
    const prefixOf = (n: number) => `/${'a'.repeat(n)}*`;
    const accepts = (n: number) => {
      try {
        new LinkerdAuthorization(linkerd(), 'authz', { namespace: 'shop' }).allowFlow('f', { ...base, methods: ['GET'], paths: [prefixOf(n)] });
        return true;
      } catch {
        return false;
      }
    };
    let n = 1023;
    while (n > 0 && !accepts(n)) n--;
    const chart = linkerd();
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('f', { ...base, methods: ['GET'], paths: [prefixOf(n)] });
    const value = find(synthValid(chart), 'HTTPRoute', 'f-8080', 'shop').spec.rules[0].matches[0].path.value;
    expect(value.length).toBe(1024);
    expect([admitsPath(value, `/${'a'.repeat(n)}/x`), admitsPath(value, `/${'a'.repeat(n)}/../x`)]).toEqual([true, false]);
  });

  test('route-level flows whose requests overlap on one Server are refused (Linkerd routes a request to one route)', () => {
    const chart = linkerd();
    const a = new LinkerdAuthorization(chart, 'a', { namespace: 'shop' });
    a.allowFlow('reads', { ...base, methods: ['GET'], paths: ['/api/*'] });
    expect(() => a.allowFlow('admin', { ...base, from: [MeshSource.serviceAccount('admin')], paths: ['/api/admin'], methods: ['GET', 'DELETE'] }))
      .toThrow("[test/a] flow 'admin': its requests (GET, DELETE /api/admin) overlap those of flow 'reads' (GET /api/*) on Server 'api-8080' (port 8080), "
        + 'e.g. GET /api/admin');
    // Another construct in the namespace shares the Server, and the check.
    const b = new LinkerdAuthorization(chart, 'b', { namespace: 'shop' });
    expect(() => b.allowFlow('png', { ...base, paths: ['*.png'] }))
      .toThrow("[test/b] flow 'png': its requests (any method *.png) overlap those of flow 'reads' (GET /api/*) on Server 'api-8080' (port 8080), e.g. GET /api/.png");
    // A different port is a different Server.
    expect(() => b.allowFlow('other-port', { ...base, ports: [9090], methods: ['GET'], paths: ['/api/*'] })).not.toThrow();
  });
});

describe('route-level flows: the analyzer', () => {
  function program() {
    const chart = linkerd();
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} }).allowFlow('clients-to-api', { tier: 'client' }, { app: 'api' }, [Port.tcp(8080)]);
    for (const name of ['web', 'ops', 'worker']) deployment(chart, 'shop', name, { app: name, tier: 'client' }, 8080, name);
    deployment(chart, 'shop', 'api', { app: 'api' }, 8080, 'api');
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('web-reads', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/api/*'] });
    authz.allowFlow('ops', { from: [MeshSource.serviceAccount('ops')], to: { app: 'api' }, ports: [8080] });
    synthValid(chart);
    const reach = Reachability.fromChart(chart, { cni: Cni.calico() });
    const api = Target.workload('shop', 'api');
    return {
      request: (from: string, method: string, path: string) => reach.checkRequest(Target.workload('shop', from), api, Port.tcp(8080), { method, path }),
      check: (from: string) => reach.check(Target.workload('shop', from), api, Port.tcp(8080)),
    };
  }

  test('the route-level client: its method and paths only', () => {
    const p = program();
    const ok = p.request('web', 'GET', '/api/orders');
    expect([ok.cniVerdict, ok.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    expect(ok.mesh!.decidingObjects).toEqual(['AuthorizationPolicy shop/web-reads-8080']);
    // Another method, and a path outside the prefix (`/api` itself is not under `/api/`), go to the catch-all route: refused.
    for (const [method, path] of [['POST', '/api/orders'], ['GET', '/api'], ['GET', '/apix'], ['GET', '/metrics']]) {
      const denied = p.request('web', method, path);
      expect([method, path, denied.meshVerdict, denied.mesh!.decidingObjects]).toEqual([method, path, Verdict.DENY, ['HTTPRoute shop/api-8080-catch-all', 'Server shop/api-8080']]);
    }
    // Without a request: allowed for some requests only, never a plain allow.
    const l4 = p.check('web');
    expect(l4.verdict).toBe(Verdict.ALLOW);
    expect(l4.l7Constraints).toHaveLength(1);
    const [constraint] = l4.l7Constraints;
    const regex = /^only GET RegularExpression (\S+) \(HTTPRoute shop\/web-reads-8080, when no stronger match of another route of Server shop\/api-8080 takes the request; a non-HTTP connection is refused\)$/.exec(constraint);
    expect(regex).not.toBeNull();
    expect(regex![1]).toEqual(API_PREFIX);
  });

  test('the port-level client keeps every request, routed or not; other clients get none', () => {
    const p = program();
    for (const [method, path] of [['GET', '/api/orders'], ['POST', '/api/orders'], ['GET', '/metrics']]) {
      expect([method, path, p.request('ops', method, path).meshVerdict]).toEqual([method, path, Verdict.ALLOW]);
      expect([method, path, p.request('worker', method, path).meshVerdict]).toEqual([method, path, Verdict.DENY]);
    }
    const ops = p.check('ops');
    expect([ops.verdict, ops.l7Constraints]).toEqual([Verdict.ALLOW, []]);
    expect(p.check('worker').verdict).toBe(Verdict.DENY);
  });
});
