/**
 * Linkerd authorization in the mesh layer, per the linkerd.io "Authorization Policy" reference
 * (https://linkerd.io/2/reference/authorization-policy/): Server v1beta3 (accessPolicy default deny),
 * AuthorizationPolicy v1alpha1 (targetRef Server or Namespace; ALL requiredAuthenticationRefs must
 * match), MeshTLSAuthentication and NetworkAuthentication, default inbound policies; meshed-to-meshed
 * traffic reaches the CNI on the inbound proxy port 4143 (https://linkerd.io/2/common-errors/network-policy/).
 */
import { LINKERD, linkerd, meshReach, namespace, networkPolicy, podWithIp, w, workload } from './support';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Mesh } from '../../../src/cluster/mesh';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const MESHED = { 'linkerd.io/inject': 'enabled' };
const ns = [namespace('shop', {}, MESHED), namespace('legacy')];
const apps = [workload('shop', 'web'), workload('shop', 'api'), workload('shop', 'worker'), workload('legacy', 'client')];
const server = linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080, accessPolicy: 'deny' });
const webIdentity = linkerd('MeshTLSAuthentication', 'shop', 'web', { identities: ['web.shop.serviceaccount.identity.linkerd.cluster.local'] });
const webPolicy = linkerd('AuthorizationPolicy', 'shop', 'web-to-api', {
  targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' },
  requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web' }],
});

describe('Server', () => {
  test('a Server without any AuthorizationPolicy makes its port deny-by-default', () => {
    const result = meshReach([...ns, ...apps, server], LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.decidingRules).toEqual(['Server shop/api-8080 spec.accessPolicy (isolate)']);
    expect(result.mesh!.reasons).toEqual(['Server shop/api-8080 describes port 8080 of shop/api; no AuthorizationPolicy authorizes shop/web -> shop/api '
      + 'TCP/8080 (as web.shop.serviceaccount.identity.linkerd.cluster.local), so its accessPolicy deny applies: it admits no client']);
  });

  test('accessPolicy omitted is deny (the CRD default), and other ports of the pod keep the default policy', () => {
    const implicit = linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080 });
    const api = workload('shop', 'api', { ports: [8080, 9090] });
    const r = meshReach([...ns, workload('shop', 'web'), api, implicit], LINKERD);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).mesh!.reasons[0]).toContain('its accessPolicy deny (the default) applies');
    expect(r.check(w('shop/web'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.ALLOW);
  });

  test('a Server selects its port by container port name too', () => {
    const named = linkerd('Server', 'shop', 'api-http', { podSelector: { matchLabels: { app: 'api' } }, port: 'http', accessPolicy: 'deny' });
    const api = workload('shop', 'api', { ports: [{ name: 'http', port: 8080 }] });
    expect(meshReach([...ns, workload('shop', 'web'), api, named], LINKERD).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });
});

describe('AuthorizationPolicy and authentications', () => {
  test('MeshTLSAuthentication by identity: the named service account is authorized, others fall to the accessPolicy', () => {
    const r = meshReach([...ns, ...apps, server, webIdentity, webPolicy], LINKERD);
    const ok = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(ok.verdict).toBe(Verdict.ALLOW);
    expect(ok.mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/web-to-api spec.requiredAuthenticationRefs (allow)']);
    expect(ok.mesh!.reasons).toEqual(['AuthorizationPolicy shop/web-to-api (targeting Server shop/api-8080) authorizes shop/web -> shop/api TCP/8080: '
      + 'MeshTLSAuthentication shop/web admits web.shop.serviceaccount.identity.linkerd.cluster.local']);
    expect(r.check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('reference kinds and groups are compared ignoring case, as linkerd2\'s policy controller does (targets_kind)', () => {
    const shouting = linkerd('AuthorizationPolicy', 'shop', 'web-to-api', {
      targetRef: { group: 'Policy.Linkerd.IO', kind: 'server', name: 'api-8080' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'meshTLSAuthentication', name: 'web' }],
    });
    const byRef = linkerd('MeshTLSAuthentication', 'shop', 'web', { identityRefs: [{ kind: 'serviceaccount', name: 'web' }] });
    for (const objects of [[webIdentity, shouting], [byRef, webPolicy]]) {
      const r = meshReach([...ns, ...apps, server, ...objects], LINKERD);
      expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
      expect(r.check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    }
    // A namespace target with the core group spelled out in any case.
    const onNamespace = { ...webPolicy, metadata: { ...webPolicy.metadata, name: 'ns' }, spec: { ...webPolicy.spec, targetRef: { group: 'Core', kind: 'NAMESPACE', name: 'shop' } } };
    expect(meshReach([...ns, ...apps, server, webIdentity, onNamespace], LINKERD).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  // linkerd2 chart (LINKERD2_PROXY_IDENTITY_LOCAL_NAME): `<sa>.<ns>.serviceaccount.identity.<Linkerd's namespace>.<trust domain>`.
  test('a client\'s identity names the control plane namespace of the mesh: an identity under another namespace does not admit it', () => {
    const cp = Mesh.linkerd({ controlPlaneNamespace: 'linkerd-cp' });
    const cpIdentity = linkerd('MeshTLSAuthentication', 'shop', 'web', { identities: ['web.shop.serviceaccount.identity.linkerd-cp.cluster.local'] });
    expect(meshReach([...ns, ...apps, server, webIdentity, webPolicy], cp).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    const result = meshReach([...ns, ...apps, server, cpIdentity, webPolicy], cp).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons).toEqual(['AuthorizationPolicy shop/web-to-api (targeting Server shop/api-8080) authorizes shop/web -> shop/api TCP/8080: '
      + 'MeshTLSAuthentication shop/web admits web.shop.serviceaccount.identity.linkerd-cp.cluster.local']);
    const byAccount = linkerd('AuthorizationPolicy', 'shop', 'web-to-api', {
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' }, requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'web' }],
    });
    expect(meshReach([...ns, ...apps, server, byAccount], cp).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('an unmeshed client has no identity: MeshTLSAuthentication never admits it', () => {
    const result = meshReach([...ns, ...apps, server, webIdentity, webPolicy], LINKERD).check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons[0]).toBe('AuthorizationPolicy shop/web-to-api does not authorize legacy/client: MeshTLSAuthentication shop/web requires '
      + 'a mesh identity, and the client connects without a mesh identity (legacy/client is not in the mesh (no linkerd.io/inject annotation on '
      + 'namespace legacy or the pod template))');
  });

  test('identities: * is any meshed client, *.<ns>... a whole namespace; identityRefs by ServiceAccount and Namespace', () => {
    const policy = (auth: string) => linkerd('AuthorizationPolicy', 'shop', 'p', {
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: auth }],
    });
    const cases: Array<[any, string, Verdict]> = [
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identities: ['*'] }), 'shop/worker', Verdict.ALLOW],
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identities: ['*'] }), 'legacy/client', Verdict.DENY],
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identities: ['*.shop.serviceaccount.identity.linkerd.cluster.local'] }), 'shop/worker', Verdict.ALLOW],
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identityRefs: [{ kind: 'ServiceAccount', name: 'web' }] }), 'shop/web', Verdict.ALLOW],
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identityRefs: [{ kind: 'ServiceAccount', name: 'web' }] }), 'shop/worker', Verdict.DENY],
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identityRefs: [{ kind: 'Namespace', name: 'shop' }] }), 'shop/worker', Verdict.ALLOW],
      // The CRD documents a missing name as every ServiceAccount of the namespace; linkerd2's policy controller
      // (MeshTLSAuthentication identityRefs: service_account_identity(ns, name)) needs one: not evaluated.
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identityRefs: [{ kind: 'ServiceAccount' }] }), 'shop/worker', Verdict.INDETERMINATE],
      // An unknown kind makes linkerd2's policy controller refuse the whole MeshTLSAuthentication (unsupported target
      // type), and then every policy requiring it: a later reference that would admit the client admits nobody.
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identityRefs: [{ kind: 'Other', name: 'x' }, { kind: 'ServiceAccount', name: 'worker' }] }),
        'shop/worker', Verdict.DENY],
      // identityRefs are of the core group too: a ServiceAccount of another group is not supported.
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identityRefs: [{ group: 'policy.linkerd.io', kind: 'ServiceAccount', name: 'worker' }] }),
        'shop/worker', Verdict.DENY],
      // Neither identities nor identityRefs: refused too (no identities configured).
      [linkerd('MeshTLSAuthentication', 'shop', 'a', { identities: [] }), 'shop/worker', Verdict.DENY],
    ];
    for (const [auth, client, verdict] of cases) {
      expect([client, auth.spec, meshReach([...ns, ...apps, server, auth, policy('a')], LINKERD).check(w(client), w('shop/api'), HTTP).verdict])
        .toEqual([client, auth.spec, verdict]);
    }
  });

  test('ALL requiredAuthenticationRefs must match: identity AND network', () => {
    const pods = [podWithIp('shop', 'inside', '10.244.1.5', 'web', MESHED), podWithIp('shop', 'outside', '10.250.0.5', 'web', MESHED)];
    const net = linkerd('NetworkAuthentication', 'shop', 'pods', { networks: [{ cidr: '10.244.0.0/16', except: ['10.244.9.0/24'] }] });
    const both = linkerd('AuthorizationPolicy', 'shop', 'web-from-pods', {
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' },
      requiredAuthenticationRefs: [
        { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web' },
        { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'pods' },
      ],
    });
    const r = meshReach([...ns, ...apps, ...pods, server, webIdentity, net, both], LINKERD);
    expect(r.check(w('shop/inside'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/outside'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    // web's IP is unknown (no pod CIDRs): whether it is in the network is not known.
    const unknown = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(unknown.verdict).toBe(Verdict.INDETERMINATE);
    expect(unknown.uncertainties[0]).toContain('NetworkAuthentication shop/pods: whether the client\'s address is in its networks is not known');
  });

  test('a policy linkerd2 refuses authorizes nobody: an unknown authentication kind, two identity sources, two NetworkAuthentications', () => {
    const net = (name: string) => linkerd('NetworkAuthentication', 'shop', name, { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] });
    const anyone = linkerd('MeshTLSAuthentication', 'shop', 'anyone', { identities: ['*'] });
    const policy = (refs: unknown[]) => linkerd('AuthorizationPolicy', 'shop', 'p', {
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' }, requiredAuthenticationRefs: refs,
    });
    const mtls = (name: string) => ({ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name });
    const network = (name: string) => ({ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name });
    const cases: Array<[unknown[], string]> = [
      [[mtls('web'), { kind: 'Secret', name: 'x' }], 'it requires an authentication of kind Secret, which Linkerd does not support'],
      // A reference's group is part of its kind; without one it is the core group (the CRD: "When empty, the Kubernetes core API group is inferred").
      [[{ kind: 'MeshTLSAuthentication', name: 'web' }], 'it requires an authentication of kind MeshTLSAuthentication in the core group (no group given), '
        + 'which Linkerd does not support'],
      [[{ group: 'policy.linkerd.io', kind: 'ServiceAccount', name: 'web' }], 'it requires an authentication of kind ServiceAccount in group '
        + 'policy.linkerd.io, which Linkerd does not support'],
      [[mtls('web'), mtls('anyone')], 'it requires 2 identity authentications (MeshTLSAuthentication or ServiceAccount); Linkerd accepts one'],
      [[mtls('web'), { kind: 'ServiceAccount', name: 'web' }], 'it requires 2 identity authentications (MeshTLSAuthentication or ServiceAccount); '
        + 'Linkerd accepts one'],
      [[network('a'), network('b')], 'it requires 2 NetworkAuthentications; Linkerd accepts one'],
    ];
    for (const [refs, why] of cases) {
      const result = meshReach([...ns, ...apps, server, webIdentity, anyone, net('a'), net('b'), policy(refs)], LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
      expect([refs, result.verdict, result.mesh!.reasons[0]]).toEqual([refs, Verdict.DENY,
        `AuthorizationPolicy shop/p does not authorize shop/web: Linkerd's policy controller refuses the policy: ${why}`]);
    }
  });

  test('NetworkAuthentication admits unmeshed clients by address', () => {
    const client = podWithIp('legacy', 'scanner', '192.168.3.4');
    const net = linkerd('NetworkAuthentication', 'shop', 'office', { networks: [{ cidr: '192.168.0.0/16' }] });
    const policy = linkerd('AuthorizationPolicy', 'shop', 'office', {
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'office' }],
    });
    expect(meshReach([...ns, ...apps, client, server, net, policy], LINKERD).check(w('legacy/scanner'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('a policy targeting the Namespace applies to every Server of the namespace; a ServiceAccount ref authenticates directly', () => {
    const nsPolicy = linkerd('AuthorizationPolicy', 'shop', 'ns-web', {
      targetRef: { kind: 'Namespace', name: 'shop' }, requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'web' }],
    });
    const r = meshReach([...ns, ...apps, server, nsPolicy], LINKERD);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).mesh!.decidingObjects).toEqual(['AuthorizationPolicy shop/ns-web']);
    expect(r.check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('a Namespace targetRef means the policy\'s own namespace whatever name it gives (linkerd2 authorization_policy target: Target::Namespace, the name unread)', () => {
    const elsewhere = linkerd('AuthorizationPolicy', 'shop', 'ns-web', {
      targetRef: { kind: 'Namespace', name: 'legacy' }, requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'web' }],
    });
    const result = meshReach([...ns, ...apps, server, elsewhere], LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons).toEqual(['AuthorizationPolicy shop/ns-web (targeting namespace shop: a Namespace targetRef is the policy\'s own namespace, '
      + 'whatever name it gives) authorizes shop/web -> shop/api TCP/8080: the client is ServiceAccount shop/web']);
  });

  test('an authentication missing from the manifests makes the policy indeterminate (Linkerd ignores it if it is missing in the cluster too)', () => {
    const result = meshReach([...ns, ...apps, server, webPolicy], LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/web-to-api: MeshTLSAuthentication shop/web is not in the manifests (without it '
      + 'Linkerd ignores the policy)']);
  });

  test('HTTPRoutes on a gRPC, opaque or TLS Server change nothing (the proxy routes those by GRPCRoutes or not at all): the Server decides', () => {
    // linkerd2 policy controller: a gRPC server carries its GRPCRoutes, opaque and TLS servers no route; a policy on an HTTPRoute is never a Server authorization.
    for (const proxyProtocol of ['gRPC', 'opaque', 'TLS']) {
      const other = linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080, proxyProtocol });
      const workerRoute = linkerd('AuthorizationPolicy', 'shop', 'anyone-api-get', {
        targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'api-get' },
        requiredAuthenticationRefs: [],
      });
      const r = meshReach([...ns, ...apps, other, webIdentity, webPolicy, workerRoute, route('api-get', [{ matches: [{ method: 'GET' }] }])], LINKERD);
      const worker = r.check(w('shop/worker'), w('shop/api'), HTTP);
      expect([proxyProtocol, worker.verdict, worker.uncertainties]).toEqual([proxyProtocol, Verdict.DENY, []]);
      expect(worker.mesh!.decidingRules).toEqual(['Server shop/api-8080 spec.accessPolicy (isolate)']);
      // A gRPC request (POST /<service>/<method>: the gRPC Server's default route takes no other, see linkerd-grpc-routes.test.ts).
      const web = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/shop.Api/Get' });
      expect([proxyProtocol, web.verdict, web.l7Constraints]).toEqual([proxyProtocol, Verdict.ALLOW, []]);
    }
  });
});

/** An inbound HTTPRoute on Server shop/api-8080. */
function route(name: string, rules: unknown[], extra: Record<string, unknown> = {}, group = 'policy.linkerd.io'): any {
  return {
    apiVersion: `${group}/${group === 'policy.linkerd.io' ? 'v1beta3' : 'v1'}`,
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'shop' },
    spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' }], rules, ...extra },
  };
}
/** An HTTPRoute matching exactly /metrics on Server shop/`serverName` (an admin-port metrics route). */
function metricsRoute(name: string, serverName: string): any {
  const r = route(name, [{ matches: [{ path: { type: 'Exact', value: '/metrics' } }] }]);
  r.spec.parentRefs = [{ group: 'policy.linkerd.io', kind: 'Server', name: serverName }];
  return r;
}
/** An AuthorizationPolicy for shop/web on an HTTPRoute. */
function routePolicy(routeName: string, group = 'policy.linkerd.io'): any {
  return linkerd('AuthorizationPolicy', 'shop', `web-${routeName}`, {
    targetRef: { group, kind: 'HTTPRoute', name: routeName },
    requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web' }],
  });
}

/*
 * Route-level authorization (linkerd.io "Configuring Per-Route Authorization Policy"; linkerd2
 * policy controller and proxy): once HTTPRoutes attach to a Server, a request no route matches gets
 * 404; a request goes to one route (longest path match, then a method match); the route admits the
 * clients of its own AuthorizationPolicies and those of the Server's.
 */
describe('HTTPRoutes on a Server', () => {
  const get = route('api-get', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }]);
  const reach = (...extra: any[]) => meshReach([...ns, ...apps, server, webIdentity, ...extra], LINKERD);
  const ask = (r: ReturnType<typeof reach>, from: string, method: string, path: string) => r.checkRequest(w(from), w('shop/api'), HTTP, { method, path });

  test('a policy on the route admits its requests; other methods and unrouted paths get 404', () => {
    const r = reach(get, routePolicy('api-get'));
    const ok = ask(r, 'shop/web', 'GET', '/api/orders');
    expect(ok.verdict).toBe(Verdict.ALLOW);
    expect(ok.mesh!.reasons).toEqual(['AuthorizationPolicy shop/web-api-get (targeting HTTPRoute shop/api-get: GET PathPrefix /api) authorizes '
      + 'shop/web -> shop/api TCP/8080 GET /api/orders: MeshTLSAuthentication shop/web admits web.shop.serviceaccount.identity.linkerd.cluster.local']);
    // PathPrefix is segment-wise: /api matches, /apix does not.
    expect(ask(r, 'shop/web', 'GET', '/api').verdict).toBe(Verdict.ALLOW);
    for (const [method, path] of [['POST', '/api/orders'], ['GET', '/apix'], ['GET', '/']]) {
      const denied = ask(r, 'shop/web', method, path);
      expect([method, path, denied.verdict, denied.mesh!.decidingRules]).toEqual([method, path, Verdict.DENY, ['Server shop/api-8080 (isolate)']]);
      expect(denied.mesh!.reasons).toEqual([`HTTPRoutes attach to Server shop/api-8080 and none matches ${method} ${path}: Linkerd's proxy answers 404 to `
        + `shop/web -> shop/api TCP/8080 ${method} ${path} (linkerd.io "Configuring Per-Route Authorization Policy")`]);
    }
    expect(ask(r, 'shop/worker', 'GET', '/api/orders').verdict).toBe(Verdict.DENY);
    // Without a request: allowed with the route as L7 constraint, not a plain allow; other clients denied.
    const l4 = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect([l4.verdict, l4.l7Constraints]).toEqual([Verdict.ALLOW, ['only GET PathPrefix /api (HTTPRoute shop/api-get, when no stronger match of another '
      + 'route of Server shop/api-8080 takes the request; a non-HTTP connection is refused)']]);
    expect(r.check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('a policy on the Server authorizes its clients on every route, but not requests no route matches (404)', () => {
    const r = reach(webPolicy, get);
    expect(ask(r, 'shop/web', 'GET', '/api/orders').verdict).toBe(Verdict.ALLOW);
    expect(ask(r, 'shop/web', 'POST', '/api/orders').verdict).toBe(Verdict.DENY);
    const l4 = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect([l4.verdict, l4.l7Constraints]).toEqual([Verdict.ALLOW, ['only requests an HTTPRoute of Server shop/api-8080 matches (GET PathPrefix /api): '
      + 'Linkerd answers 404 to the others']]);
    expect(r.check(w('shop/worker'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    // With a route matching every request, the Server's clients keep the whole port.
    const all = reach(webPolicy, get, route('catch-all', [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]));
    expect(ask(all, 'shop/web', 'POST', '/x').verdict).toBe(Verdict.ALLOW);
    const plain = all.check(w('shop/web'), w('shop/api'), HTTP);
    expect([plain.verdict, plain.l7Constraints]).toEqual([Verdict.ALLOW, []]);
  });

  test('the longest path match takes the request, then a method match', () => {
    const admin = route('api-admin', [{ matches: [{ path: { type: 'Exact', value: '/api/admin' } }] }]);
    const r = reach(get, routePolicy('api-get'), admin);
    // /api/admin goes to the Exact route, which authorizes nobody, though GET PathPrefix /api matches too.
    expect(ask(r, 'shop/web', 'GET', '/api/admin').mesh!.decidingObjects).toEqual(['HTTPRoute shop/api-admin', 'Server shop/api-8080']);
    expect(ask(r, 'shop/web', 'GET', '/api/admin').verdict).toBe(Verdict.DENY);
    expect(ask(r, 'shop/web', 'GET', '/api/other').verdict).toBe(Verdict.ALLOW);
    // Same path match: the one with a method wins.
    const anyMethod = route('api-any', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }] }]);
    expect(ask(reach(get, routePolicy('api-get'), anyMethod), 'shop/web', 'GET', '/api/x').verdict).toBe(Verdict.ALLOW);
    expect(ask(reach(get, anyMethod, routePolicy('api-any')), 'shop/web', 'GET', '/api/x').verdict).toBe(Verdict.DENY);
  });

  test('a regular expression must match the whole path', () => {
    const re = route('api-re', [{ matches: [{ path: { type: 'RegularExpression', value: '/api/v[0-9]+/.*' }, method: 'GET' }] }]);
    const r = reach(re, routePolicy('api-re'));
    expect(ask(r, 'shop/web', 'GET', '/api/v2/orders').verdict).toBe(Verdict.ALLOW);
    expect(ask(r, 'shop/web', 'GET', '/x/api/v2/orders').verdict).toBe(Verdict.DENY);
    // An escaped dot is a dot; a hyphen is itself.
    const dotted = route('api-dot', [{ matches: [{ path: { type: 'RegularExpression', value: '/v1\\.0/my-api/.*' } }] }]);
    expect(ask(reach(dotted, routePolicy('api-dot')), 'shop/web', 'GET', '/v1.0/my-api/x').verdict).toBe(Verdict.ALLOW);
    expect(ask(reach(dotted, routePolicy('api-dot')), 'shop/web', 'GET', '/v1x0/my-api/x').verdict).toBe(Verdict.DENY);
  });

  test('a regular expression matches a path only when its leftmost-first match spans it (linkerd2-proxy MatchPath::Regex: find, start 0, end = length)', () => {
    // The regex crate's find prefers the lazy `.*?` empty, the greedy `a*` over the optional `(ab)?`,
    // and the first alternative: each preferred match ends before the path does, so no route matches (404),
    // though the expression could match the whole path.
    const cases: Array<[string, string, string]> = [
      ['/api/.*?', '/api/x', '/api/'],
      ['/files/a*(ab)?', '/files/aab', '/files/a'],
      ['/api|/api/x', '/api/x', '/api'],
    ];
    for (const [value, unmatched, matched] of cases) {
      const re = route('api-re', [{ matches: [{ path: { type: 'RegularExpression', value } }] }]);
      const r = reach(re, routePolicy('api-re'));
      expect([value, ask(r, 'shop/web', 'GET', unmatched).verdict, ask(r, 'shop/web', 'GET', matched).verdict]).toEqual([value, Verdict.DENY, Verdict.ALLOW]);
    }
  });

  test('a #fragment is not part of the matched path (hyperium/http PathAndQuery drops it; linkerd2-proxy matches uri.path())', () => {
    const r = reach(get, routePolicy('api-get'), route('api-admin', [{ matches: [{ path: { type: 'Exact', value: '/api/admin' } }] }]));
    // /api/admin#x is /api/admin: the Exact route takes it, and it authorizes nobody.
    const admin = ask(r, 'shop/web', 'GET', '/api/admin#x');
    expect([admin.verdict, admin.mesh!.decidingObjects]).toEqual([Verdict.DENY, ['HTTPRoute shop/api-admin', 'Server shop/api-8080']]);
    expect(ask(r, 'shop/web', 'GET', '/api/orders/42#x').verdict).toBe(Verdict.ALLOW);
    // /apix#/api is /apix, which no route matches: the fragment cannot make a path match.
    expect(ask(r, 'shop/web', 'GET', '/apix#/api').verdict).toBe(Verdict.DENY);
    const exact = route('api-exact', [{ matches: [{ path: { type: 'Exact', value: '/api/orders' } }] }]);
    expect(ask(reach(exact, routePolicy('api-exact')), 'shop/web', 'GET', '/api/orders#top').verdict).toBe(Verdict.ALLOW);
  });

  test('equal matches of two routes that decide differently, and header matches, are indeterminate', () => {
    const twin = route('api-get-2', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }]);
    const tie = ask(reach(get, routePolicy('api-get'), twin), 'shop/web', 'GET', '/api/x');
    expect(tie.verdict).toBe(Verdict.INDETERMINATE);
    expect(tie.uncertainties[0]).toBe('mesh: GET /api/x may go to any of HTTPRoute shop/api-get, HTTPRoute shop/api-get-2 on Server shop/api-8080 (equal matches '
      + 'go to the oldest route (creationTimestamp), then by name, and HTTPRoute shop/api-get, HTTPRoute shop/api-get-2 carry no creationTimestamp)');
    const headers = route('api-h', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-admin', value: '1' }] }] }]);
    const h = ask(reach(headers, routePolicy('api-h')), 'shop/web', 'GET', '/api/x');
    expect(h.verdict).toBe(Verdict.INDETERMINATE);
    expect(h.uncertainties).toEqual(['mesh: GET /api/x may go to any of HTTPRoute shop/api-h or to none (404) on Server shop/api-8080 (any method PathPrefix '
      + '/api (also matches headers, not evaluated))']);
  });

  test('a RequestMirror, URLRewrite or ExtensionRef filter makes the policy controller ignore the whole gateway HTTPRoute: indeterminate', () => {
    // linkerd2 policy-controller/k8s/index/src/inbound/index/http.rs try_gateway_filter bails; index.rs apply_http_route "Ignoring HTTPRoute".
    const filters = [
      { type: 'RequestMirror', requestMirror: { backendRef: { name: 'api-shadow', port: 8080 } } },
      { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } },
      { type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Tap', name: 'tap' } },
    ];
    for (const filter of filters) {
      const mirrored = route('api-m', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [filter] }], {}, 'gateway.networking.k8s.io');
      expectValidManifests([mirrored]);
      const res = ask(reach(mirrored, routePolicy('api-m', 'gateway.networking.k8s.io')), 'shop/web', 'GET', '/api/x');
      expect([filter.type, res.verdict]).toEqual([filter.type, Verdict.INDETERMINATE]);
      expect(res.uncertainties.join(' ')).toContain(`a ${filter.type} filter, which Linkerd's policy controller does not support (it ignores the route)`);
    }
  });

  test('a route that surely matches weakly but may match more strongly by headers is still a contender against a stronger sure route', () => {
    // api-any: PathPrefix /api (sure) or PathPrefix /api/orders with a header (not evaluated, would outrank api-orders by its header);
    // api-orders: PathPrefix /api/orders, authorized. GET /api/orders/1 goes to api-any when the header is sent (linkerd2-proxy
    // http-route RouteMatch: path, method, then headers), else to api-orders.
    const any = route('api-any', [{
      matches: [{ path: { type: 'PathPrefix', value: '/api' } },
        { path: { type: 'PathPrefix', value: '/api/orders' }, headers: [{ name: 'x-admin', value: '1' }] }],
    }]);
    const orders = route('api-orders', [{ matches: [{ path: { type: 'PathPrefix', value: '/api/orders' } }] }]);
    expectValidManifests([any, orders]);
    const res = ask(reach(any, orders, routePolicy('api-orders')), 'shop/web', 'GET', '/api/orders/1');
    expect(res.verdict).toBe(Verdict.INDETERMINATE);
    expect(res.uncertainties[0]).toBe('mesh: GET /api/orders/1 may go to any of HTTPRoute shop/api-any, HTTPRoute shop/api-orders on Server shop/api-8080 '
      + '(api-any: any method PathPrefix /api/orders (also matches headers, not evaluated); equal matches go to the oldest route (creationTimestamp), then by name)');
    // Without the header match, api-orders surely takes the request.
    const plain = route('api-any', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }] }]);
    expect(ask(reach(plain, orders, routePolicy('api-orders')), 'shop/web', 'GET', '/api/orders/1').verdict).toBe(Verdict.ALLOW);
  });

  test('equal matches of routes that all carry a creationTimestamp: the oldest takes the request, then the first by name (linkerd2 to_route_list)', () => {
    const stamped = (r: any, at: string) => ({ ...r, metadata: { ...r.metadata, creationTimestamp: at } });
    const twin = route('api-get-2', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }]);
    // api-get (authorized) is older: it takes GET /api/x.
    const older = ask(reach(stamped(get, '2026-01-01T00:00:00Z'), routePolicy('api-get'), stamped(twin, '2026-02-01T00:00:00Z')), 'shop/web', 'GET', '/api/x');
    expect(older.verdict).toBe(Verdict.ALLOW);
    expect(older.mesh!.reasons[0]).toBe('GET /api/x matches HTTPRoute shop/api-get, HTTPRoute shop/api-get-2 equally: equal matches go to the oldest route '
      + '(creationTimestamp), then by name, group: HTTPRoute shop/api-get');
    // api-get-2 (no policy) is older: the request goes there and is denied.
    const younger = ask(reach(stamped(get, '2026-03-01T00:00:00Z'), routePolicy('api-get'), stamped(twin, '2026-02-01T00:00:00Z')), 'shop/web', 'GET', '/api/x');
    expect([younger.verdict, younger.mesh!.decidingObjects]).toEqual([Verdict.DENY, ['HTTPRoute shop/api-get-2', 'Server shop/api-8080']]);
    // Same second: by name, api-get before api-get-2.
    const same = ask(reach(stamped(twin, '2026-01-01T00:00:00Z'), stamped(get, '2026-01-01T00:00:00Z'), routePolicy('api-get')), 'shop/web', 'GET', '/api/x');
    expect(same.verdict).toBe(Verdict.ALLOW);
    // Same second and name: by group, gateway.networking.k8s.io before policy.linkerd.io (its route has no policy here).
    const gatewayGet = stamped(route('api-get', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }], {}, 'gateway.networking.k8s.io'),
      '2026-01-01T00:00:00Z');
    const byGroup = ask(reach(stamped(get, '2026-01-01T00:00:00Z'), routePolicy('api-get'), gatewayGet), 'shop/web', 'GET', '/api/x');
    expect([byGroup.verdict, byGroup.mesh!.reasons[0]]).toEqual([Verdict.DENY, 'GET /api/x matches HTTPRoute shop/api-get (policy.linkerd.io), HTTPRoute '
      + 'shop/api-get (gateway.networking.k8s.io) equally: equal matches go to the oldest route (creationTimestamp), then by name, group: HTTPRoute '
      + 'shop/api-get (gateway.networking.k8s.io)']);
    // One route without creationTimestamp: its age is not known.
    const half = ask(reach(stamped(get, '2026-01-01T00:00:00Z'), routePolicy('api-get'), twin), 'shop/web', 'GET', '/api/x');
    expect(half.uncertainties).toEqual(['mesh: GET /api/x may go to any of HTTPRoute shop/api-get, HTTPRoute shop/api-get-2 on Server shop/api-8080 (equal '
      + 'matches go to the oldest route (creationTimestamp), then by name, and HTTPRoute shop/api-get-2 carries no creationTimestamp)']);
  });

  test('parentRefs name a Server as linkerd2 reads them: kind and group ignoring case, the group defaulted by the route\'s own CRD', () => {
    // linkerd2 policy controller (targets_kind): kind and group compared ignoring ASCII case. A missing group is what the CRD
    // defaults: policy.linkerd.io in Linkerd's HTTPRoute, gateway.networking.k8s.io in Gateway API's (then it is no Server).
    const getRule = [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }];
    const withParent = (parent: Record<string, unknown>, group = 'policy.linkerd.io') => ({ ...route('api-get', getRule, {}, group), spec: { parentRefs: [parent], rules: getRule } });
    const verdicts = (r: any, group = 'policy.linkerd.io') => {
      const reached = meshReach([...ns, ...apps, server, webIdentity, r, routePolicy('api-get', group)], LINKERD);
      return [ask(reached, 'shop/web', 'GET', '/api/x').verdict, ask(reached, 'shop/web', 'POST', '/api/x').verdict];
    };
    // Attached: GET admitted by the route's policy, POST unrouted (404).
    expect(verdicts(withParent({ group: 'policy.linkerd.io', kind: 'server', name: 'api-8080' }))).toEqual([Verdict.ALLOW, Verdict.DENY]);
    expect(verdicts(withParent({ group: 'Policy.Linkerd.IO', kind: 'SERVER', name: 'api-8080' }))).toEqual([Verdict.ALLOW, Verdict.DENY]);
    expect(verdicts(withParent({ kind: 'Server', name: 'api-8080' }))).toEqual([Verdict.ALLOW, Verdict.DENY]);
    // Not attached: the Server's own deny applies to every request.
    expect(verdicts(withParent({ kind: 'Server', name: 'api-8080' }, 'gateway.networking.k8s.io'), 'gateway.networking.k8s.io'))
      .toEqual([Verdict.DENY, Verdict.DENY]);
    expect(verdicts(withParent({ group: '', kind: 'Server', name: 'api-8080' }))).toEqual([Verdict.DENY, Verdict.DENY]);
  });

  test('a route whose Server parent is in another namespace is refused by Linkerd: it attaches nowhere', () => {
    // linkerd2 policy controller: "route resource may not reference a parent Server in an other namespace" (the whole route is invalid).
    const getRule = [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }];
    const foreign = {
      ...route('api-get', getRule),
      metadata: { name: 'api-get', namespace: 'legacy' },
      spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080', namespace: 'shop' }], rules: getRule },
    };
    const foreignPolicy = { ...routePolicy('api-get'), metadata: { name: 'web-api-get', namespace: 'legacy' } };
    const r = meshReach([...ns, ...apps, server, webIdentity, foreign, foreignPolicy, routePolicy('api-get')], LINKERD);
    // Server shop/api-8080 has no route: its accessPolicy deny decides, and POST is not a 404 but the same deny.
    for (const method of ['GET', 'POST']) {
      expect([method, ask(r, 'shop/web', method, '/api/x').mesh!.reasons.at(-1)]).toEqual([method, 'Server shop/api-8080 describes port 8080 of shop/api; '
        + `no AuthorizationPolicy authorizes shop/web -> shop/api TCP/8080 ${method} /api/x (as web.shop.serviceaccount.identity.linkerd.cluster.local), so its `
        + 'accessPolicy deny applies: it admits no client']);
    }
    expect(r.notes).toContain('HTTPRoute legacy/api-get is left out of the mesh analysis: a parentRef names a Server in another namespace, so Linkerd refuses the route');
  });

  test('a route whose Server parentRef names a port or a section is refused by Linkerd: it attaches nowhere, other parents included', () => {
    // linkerd2 policy-controller/k8s/index/src/inbound/routes.rs: "route resource may not reference a parent by port" / "by section
    // name" fail the whole route, which the inbound index ignores; the admission webhook admits it (it exists and has no effect).
    const getRule = [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }];
    const plain = { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' };
    const byPort = { ...route('api-get', getRule), spec: { parentRefs: [{ ...plain, port: 8080 }], rules: getRule } };
    const bySection = {
      ...route('api-get', getRule, {}, 'gateway.networking.k8s.io'),
      spec: { parentRefs: [plain, { ...plain, name: 'api-admin', sectionName: 'admin' }], rules: getRule },
    };
    expectValidManifests([byPort, bySection]);
    const denied = (method: string) => 'Server shop/api-8080 describes port 8080 of shop/api; no AuthorizationPolicy authorizes shop/web -> '
      + `shop/api TCP/8080 ${method} /api/x (as web.shop.serviceaccount.identity.linkerd.cluster.local), so its accessPolicy deny applies: it admits no client`;
    for (const [refused, policy, note] of [
      [byPort, routePolicy('api-get'), 'HTTPRoute shop/api-get is left out of the mesh analysis: a parentRef names Server api-8080 by port 8080, '
        + 'so Linkerd refuses the route'],
      [bySection, routePolicy('api-get', 'gateway.networking.k8s.io'), 'HTTPRoute shop/api-get is left out of the mesh analysis: a parentRef names '
        + 'Server api-admin by section name admin, so Linkerd refuses the route'],
    ]) {
      const r = meshReach([...ns, ...apps, server, webIdentity, refused, policy], LINKERD);
      // Server shop/api-8080 has no route: its accessPolicy deny decides GET as POST (no 404), even for the route's plain parent.
      for (const method of ['GET', 'POST']) {
        const result = ask(r, 'shop/web', method, '/api/x');
        expect([method, result.verdict, result.mesh!.reasons.at(-1)]).toEqual([method, Verdict.DENY, denied(method)]);
      }
      expect(r.notes).toContain(note);
    }
  });

  test('a gateway.networking.k8s.io route is targeted with its own group', () => {
    const gw = route('api-get', [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }], {}, 'gateway.networking.k8s.io');
    expect(ask(reach(gw, routePolicy('api-get', 'gateway.networking.k8s.io')), 'shop/web', 'GET', '/api/x').verdict).toBe(Verdict.ALLOW);
    expect(ask(reach(gw, routePolicy('api-get')), 'shop/web', 'GET', '/api/x').verdict).toBe(Verdict.DENY);
  });
});

describe('default inbound policy', () => {
  test('the cluster default (all-unauthenticated unless told otherwise) admits everyone, and the reason says it was assumed', () => {
    const result = meshReach([...ns, ...apps], LINKERD).check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons[0]).toBe('no Server describes port 8080 of shop/api: the default inbound policy all-unauthenticated (the cluster default, assumed '
      + "to be Linkerd's install default) applies to legacy/client -> shop/api TCP/8080 (without a mesh identity (legacy/client is not in the mesh "
      + '(no linkerd.io/inject annotation on namespace legacy or the pod template))): it admits every client');
  });

  test('namespace annotation config.linkerd.io/default-inbound-policy, overridden by the pod template', () => {
    const denyNs = namespace('shop', {}, { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' });
    const open = workload('shop', 'public', { annotations: { 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated' } });
    const r = meshReach([denyNs, namespace('legacy'), ...apps, open], LINKERD);
    const denied = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(denied.verdict).toBe(Verdict.DENY);
    expect(denied.mesh!.reasons[0]).toContain('the default inbound policy deny (namespace shop annotation config.linkerd.io/default-inbound-policy)');
    expect(r.check(w('shop/web'), w('shop/public'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('all-authenticated admits meshed clients only', () => {
    const r = meshReach([...ns, ...apps], LINKERD, { linkerdDefaultInboundPolicy: 'all-authenticated' });
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('cluster-unauthenticated needs the client address in the cluster networks: known IP, or pod CIDRs inside them', () => {
    const client = podWithIp('legacy', 'far', '203.0.113.9');
    const r = meshReach([...ns, ...apps, client], LINKERD, { linkerdDefaultInboundPolicy: 'cluster-unauthenticated' });
    expect(r.check(w('legacy/far'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.INDETERMINATE);
    const withCidrs = meshReach([...ns, ...apps], LINKERD, { linkerdDefaultInboundPolicy: 'cluster-unauthenticated', podCidrs: ['10.244.0.0/16'] });
    expect(withCidrs.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('config.linkerd.io/proxy-require-identity-inbound-ports makes an allowing default policy authenticated on those ports (pod, else namespace)', () => {
    const REQUIRE = 'config.linkerd.io/proxy-require-identity-inbound-ports';
    const api = workload('shop', 'api', { ports: [8080, 9090], annotations: { [REQUIRE]: '8000-8080' } });
    const r = meshReach([...ns, workload('shop', 'web'), workload('legacy', 'client'), api], LINKERD);
    const unmeshed = r.check(w('legacy/client'), w('shop/api'), HTTP);
    expect(unmeshed.verdict).toBe(Verdict.DENY);
    expect(unmeshed.mesh!.reasons).toEqual(['no Server describes port 8080 of shop/api: the default inbound policy all-authenticated (the cluster default, '
      + "assumed to be Linkerd's install default; all-unauthenticated made authenticated on this port by the pod template annotation " + REQUIRE + ') '
      + 'applies to legacy/client -> shop/api TCP/8080 (without a mesh identity (legacy/client is not in the mesh (no linkerd.io/inject annotation on '
      + 'namespace legacy or the pod template))): it admits meshed clients only, and legacy/client connects without a mesh identity (legacy/client is not '
      + 'in the mesh (no linkerd.io/inject annotation on namespace legacy or the pod template))']);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('legacy/client'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.ALLOW);
    // From the namespace (the injector copies it to the pod); cluster-unauthenticated becomes cluster-authenticated; deny stays deny.
    const nsRequire = [namespace('shop', {}, { ...MESHED, [REQUIRE]: '8080' }), namespace('legacy')];
    const cluster = meshReach([...nsRequire, ...apps], LINKERD, { linkerdDefaultInboundPolicy: 'cluster-unauthenticated', podCidrs: ['10.244.0.0/16'] });
    expect(cluster.check(w('legacy/client'), w('shop/api'), HTTP).mesh!.reasons[0]).toContain('the default inbound policy cluster-authenticated (the cluster '
      + 'default; cluster-unauthenticated made authenticated on this port by namespace shop annotation ' + REQUIRE + ')');
    expect(cluster.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    // An invalid list is an empty set for Linkerd (parse_portset): nothing changes.
    const invalid = workload('shop', 'api', { annotations: { [REQUIRE]: '8080,http' } });
    expect(meshReach([...ns, workload('legacy', 'client'), invalid], LINKERD).check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('an unknown default policy value is rejected at the edge', () => {
    expect(() => meshReach([...ns, ...apps], LINKERD, { linkerdDefaultInboundPolicy: 'allow' })).toThrow(
      '[Reachability.fromManifests] options.linkerdDefaultInboundPolicy: must be one of all-unauthenticated, all-authenticated, cluster-authenticated, '
      + 'cluster-unauthenticated, deny, audit, got "allow"');
  });
});

describe('the proxy\'s own probes on its admin port 4191', () => {
  // The injected proxy container probes GET /live and /ready on 4191; linkerd2's policy controller adds a probe route
  // for a pod's probe paths to the default server and to Servers without HTTPRoutes, authorized from
  // policyController.probeNetworks (0.0.0.0/0 and ::/0 by default) without authentication.
  const ADMIN = Port.tcp(4191);
  const denyNs = [namespace('shop', {}, { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' }), namespace('legacy')];
  const probeWhy = 'the Linkerd proxy probes GET /live and GET /ready on its admin port 4191, and Linkerd\'s policy controller authorizes such probe '
    + 'requests from policyController.probeNetworks (assumed to be the install default 0.0.0.0/0, ::/0), authenticated or not, where no HTTPRoute '
    + 'attaches to the port';

  test('under a deny default policy, GET /live and /ready on 4191 are admitted from anywhere; other requests are not', () => {
    const r = meshReach([...denyNs, ...apps], LINKERD);
    const probe = r.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, { method: 'GET', path: '/ready' });
    expect(probe.verdict).toBe(Verdict.ALLOW);
    expect(probe.mesh!.reasons).toEqual([`legacy/client -> shop/api TCP/4191 GET /ready is a probe request: ${probeWhy}`]);
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, { method: 'GET', path: '/metrics' }).verdict).toBe(Verdict.DENY);
    // The proxy matches the path without its #fragment.
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, { method: 'GET', path: '/ready#x' }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, { method: 'POST', path: '/live' }).verdict).toBe(Verdict.DENY);
    const l4 = r.check(w('legacy/client'), w('shop/api'), ADMIN);
    expect([l4.verdict, l4.l7Constraints]).toEqual([Verdict.ALLOW, ['only GET /live and GET /ready (the proxy\'s probe paths; other requests and '
      + 'non-HTTP connections are refused)']]);
    // Another port has no probe route.
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('a deny Server on 4191 without HTTPRoutes keeps the probe route; an opaque Server, an opaque port, or HTTPRoutes on the Server do not', () => {
    const admin = (spec: Record<string, unknown> = {}) => linkerd('Server', 'shop', 'api-admin', { podSelector: { matchLabels: { app: 'api' } }, port: 4191, ...spec });
    const live = { method: 'GET', path: '/live' };
    expect(meshReach([...ns, ...apps, admin()], LINKERD).checkRequest(w('shop/web'), w('shop/api'), ADMIN, live).verdict).toBe(Verdict.ALLOW);
    expect(meshReach([...ns, ...apps, admin({ proxyProtocol: 'opaque' })], LINKERD).checkRequest(w('shop/web'), w('shop/api'), ADMIN, live).verdict)
      .toBe(Verdict.DENY);
    const metrics = metricsRoute('api-metrics', 'api-admin');
    expect(meshReach([...ns, ...apps, admin(), metrics], LINKERD).checkRequest(w('shop/web'), w('shop/api'), ADMIN, live).verdict).toBe(Verdict.DENY);
    const opaqueApi = workload('shop', 'api', { annotations: { 'config.linkerd.io/opaque-ports': '4191' } });
    expect(meshReach([...denyNs, workload('legacy', 'client'), opaqueApi], LINKERD).checkRequest(w('legacy/client'), w('shop/api'), ADMIN, live).verdict)
      .toBe(Verdict.DENY);
  });

  // The injected proxy container names 4191 `linkerd-admin` (linkerd2 proxy container template; `linkerd viz allow-scrapes`
  // emits `port: linkerd-admin`): the name selects 4191 of every meshed pod though no manifest shows that container.
  test('a Server naming port linkerd-admin describes 4191 of the meshed pods it selects', () => {
    const admin = linkerd('Server', 'shop', 'proxy-admin', { podSelector: {}, port: 'linkerd-admin', proxyProtocol: 'HTTP/1' });
    const metrics = metricsRoute('proxy-metrics', 'proxy-admin');
    expectValidManifests([admin, metrics]);
    const r = meshReach([...ns, ...apps, admin, metrics], LINKERD);
    const live = r.checkRequest(Target.localNode(), w('shop/api'), ADMIN, { method: 'GET', path: '/live' });
    expect([live.verdict, live.mesh!.reasons]).toEqual([Verdict.DENY, ['HTTPRoutes attach to Server shop/proxy-admin and none matches GET /live: '
      + 'Linkerd\'s proxy answers 404 to local-node -> shop/api TCP/4191 GET /live (linkerd.io "Configuring Per-Route Authorization Policy")']]);
    // The Server (deny, nothing authorizing it) decides /metrics too, not the namespace's default all-unauthenticated.
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, { method: 'GET', path: '/metrics' }).verdict).toBe(Verdict.DENY);
    // Another port of the pod keeps the default policy.
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  // linkerd2 viz/cmd/allow-scrapes.go selects `linkerd.io/control-plane-ns` Exists, a label the proxy injector adds to every meshed
  // pod (pkg/k8s ControllerNSLabel) and no pod template in the manifests carries.
  test('the allow-scrapes Server (selecting the injected linkerd.io/control-plane-ns label) describes the admin port of meshed pods', () => {
    const admin = linkerd('Server', 'shop', 'proxy-admin', {
      podSelector: { matchExpressions: [{ key: 'linkerd.io/control-plane-ns', operator: 'Exists' }] }, port: 'linkerd-admin', proxyProtocol: 'HTTP/1',
    });
    const metrics = metricsRoute('proxy-metrics', 'proxy-admin');
    expectValidManifests([admin, metrics]);
    const r = meshReach([...ns, ...apps, admin, metrics], LINKERD);
    const live = r.checkRequest(Target.localNode(), w('shop/api'), ADMIN, { method: 'GET', path: '/live' });
    expect([live.verdict, live.mesh!.reasons]).toEqual([Verdict.DENY, ['HTTPRoutes attach to Server shop/proxy-admin and none matches GET /live: '
      + 'Linkerd\'s proxy answers 404 to local-node -> shop/api TCP/4191 GET /live (linkerd.io "Configuring Per-Route Authorization Policy")']]);
    // The label's value is the control plane's namespace.
    const other = linkerd('Server', 'shop', 'proxy-admin', { podSelector: { matchLabels: { 'linkerd.io/control-plane-ns': 'other' } }, port: 'linkerd-admin' });
    expect(meshReach([...ns, ...apps, other, metrics], LINKERD).checkRequest(Target.localNode(), w('shop/api'), ADMIN, { method: 'GET', path: '/live' }).verdict)
      .toBe(Verdict.ALLOW);
  });

  // linkerd2-proxy serves 4191 itself (app/admin stack.rs authorizes every request by the port's policy; app/src/env.rs adds the admin
  // port to policy discovery): skipping it from the inbound redirect does not lift that policy.
  test('config.linkerd.io/skip-inbound-ports naming 4191 does not bypass the admin server\'s policy', () => {
    const skipping = workload('shop', 'api', { annotations: { 'config.linkerd.io/skip-inbound-ports': '4191,9090' } });
    const r = meshReach([...denyNs, workload('legacy', 'client'), skipping], LINKERD);
    const metrics = r.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, { method: 'GET', path: '/metrics' });
    expect(metrics.verdict).toBe(Verdict.DENY);
    expect(metrics.mesh!.reasons[0]).toMatch(/^no Server describes port 4191 of shop\/api: the default inbound policy deny /);
    // Another skipped port bypasses the proxy as before.
    expect(r.check(w('legacy/client'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.ALLOW);
  });

  // The injector moves the admin listener, the container port linkerd-admin and the proxy's probes to config.linkerd.io/admin-port
  // (linkerd2 proxy injector: LINKERD2_PROXY_ADMIN_LISTEN_ADDR and the proxy container's port from proxy.ports.admin / the annotation).
  test('an admin port moved by config.linkerd.io/admin-port: linkerd-admin and the proxy probes follow it, 4191 is an ordinary port', () => {
    const admin = linkerd('Server', 'shop', 'proxy-admin', { podSelector: {}, port: 'linkerd-admin', proxyProtocol: 'HTTP/1' });
    const metrics = metricsRoute('proxy-metrics', 'proxy-admin');
    const moved = workload('shop', 'api', { annotations: { 'config.linkerd.io/admin-port': '9990' } });
    expectValidManifests([admin, metrics, moved]);
    const live = { method: 'GET', path: '/live' };
    const r = meshReach([...ns, workload('shop', 'web'), workload('legacy', 'client'), moved, admin, metrics], LINKERD);
    // On 9990 the Server decides, and its only route does not match the probe.
    const onMoved = r.checkRequest(Target.localNode(), w('shop/api'), Port.tcp(9990), live);
    expect([onMoved.verdict, onMoved.mesh!.reasons]).toEqual([Verdict.DENY, ['HTTPRoutes attach to Server shop/proxy-admin and none matches GET /live: '
      + 'Linkerd\'s proxy answers 404 to local-node -> shop/api TCP/9990 GET /live (linkerd.io "Configuring Per-Route Authorization Policy")']]);
    // 4191 is no longer the admin port of api: no Server, the namespace default (all-unauthenticated) admits.
    expect(r.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, { method: 'GET', path: '/metrics' }).verdict).toBe(Verdict.ALLOW);
    // Without a Server, the probe route follows the moved port under a deny default.
    const deny = meshReach([...denyNs, workload('legacy', 'client'), moved], LINKERD);
    const probe = deny.checkRequest(w('legacy/client'), w('shop/api'), Port.tcp(9990), live);
    expect([probe.verdict, probe.mesh!.reasons]).toEqual([Verdict.ALLOW, ['legacy/client -> shop/api TCP/9990 GET /live is a probe request: the Linkerd '
      + 'proxy probes GET /live and GET /ready on its admin port 9990, and Linkerd\'s policy controller authorizes such probe requests from '
      + 'policyController.probeNetworks (assumed to be the install default 0.0.0.0/0, ::/0), authenticated or not, where no HTTPRoute attaches to the port']]);
    expect(deny.checkRequest(w('legacy/client'), w('shop/api'), ADMIN, live).verdict).toBe(Verdict.DENY);
  });
});

describe('the application containers\' HTTP probes', () => {
  // linkerd2 policy controller (pod_http_probes): liveness, readiness and startup httpGet probes of containers and init containers,
  // the port a number or a TCP port name of the same container (ignoring case), the path / by default, without its query string.
  const denyNs = [namespace('shop', {}, { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' }), namespace('legacy')];
  const probed = (probes: Record<string, unknown>, ports: unknown[] = [{ name: 'http', containerPort: 8080 }]) => {
    const api = workload('shop', 'api');
    api.spec.template.spec.containers[0] = { ...api.spec.template.spec.containers[0], ports, ...probes };
    return api;
  };
  const get = (path: string) => ({ method: 'GET', path });
  const why = 'the pod\'s containers probe GET / and GET /healthz on port 8080 (httpGet liveness, readiness or startup probes), and Linkerd\'s policy '
    + 'controller authorizes such probe requests from policyController.probeNetworks (assumed to be the install default 0.0.0.0/0, ::/0), '
    + 'authenticated or not, where no HTTPRoute attaches to the port';
  const api = probed({
    livenessProbe: { httpGet: { path: '/healthz?full=1', port: 'HTTP' } },
    readinessProbe: { httpGet: { port: 8080 } },
    startupProbe: { tcpSocket: { port: 8080 } },
  });

  test('under a deny default policy the node\'s GET on a probe path is admitted; other requests and ports are not', () => {
    const r = meshReach([...denyNs, workload('legacy', 'client'), api], LINKERD);
    const probe = r.checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz'));
    expect(probe.verdict).toBe(Verdict.ALLOW);
    expect(probe.mesh!.reasons).toEqual([`local-node -> shop/api TCP/8080 GET /healthz is a probe request: ${why}`]);
    expect(r.checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz/deep')).verdict).toBe(Verdict.DENY);
    expect(r.checkRequest(Target.localNode(), w('shop/api'), HTTP, { method: 'POST', path: '/healthz' }).verdict).toBe(Verdict.DENY);
    const l4 = r.check(w('legacy/client'), w('shop/api'), HTTP);
    expect([l4.verdict, l4.l7Constraints]).toEqual([Verdict.ALLOW, ['only GET / and GET /healthz (the pod\'s probe paths; other requests and non-HTTP '
      + 'connections are refused)']]);
    expect(r.check(w('legacy/client'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.DENY);
  });

  test('a named port of another container, a UDP port or a non-HTTP probe gives no probe route', () => {
    const udp = probed({ livenessProbe: { httpGet: { path: '/healthz', port: 'http' } } }, [{ name: 'http', containerPort: 8080, protocol: 'UDP' }]);
    const exec = probed({ livenessProbe: { exec: { command: ['true'] } } });
    for (const pod of [udp, exec]) {
      expect(meshReach([...denyNs, pod], LINKERD).checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz')).verdict).toBe(Verdict.DENY);
    }
    const sidecar = probed({});
    sidecar.spec.template.spec.containers.push({ name: 'side', image: 'example/side:1.0', livenessProbe: { httpGet: { path: '/healthz', port: 'http' } } });
    expect(meshReach([...denyNs, sidecar], LINKERD).checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz')).verdict).toBe(Verdict.DENY);
  });

  test('an HTTPS probe gets the probe route too; a path not starting with / gets none (linkerd2 pod_http_probes)', () => {
    // The policy controller reads httpGet.path and port, never scheme; it keeps http::Uri::try_from(path).path(), which for
    // 'healthz' (no leading /) is no path any request has, while the kubelet requests GET /healthz.
    const https = probed({ livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTPS' } } });
    const relative = probed({ livenessProbe: { httpGet: { path: 'healthz', port: 8080 } } });
    expectValidManifests([https, relative]);
    const at = (pod: unknown) => meshReach([...denyNs, pod], LINKERD).checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz')).verdict;
    expect(at(https)).toBe(Verdict.ALLOW);
    expect(at(relative)).toBe(Verdict.DENY);
  });

  test('a Server without HTTPRoutes keeps the probe route; HTTPRoutes on it, or an opaque Server, remove it', () => {
    const admin = (spec: Record<string, unknown> = {}) => linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { app: 'api' } }, port: 8080, ...spec });
    const at = (manifests: unknown[]) => meshReach([...ns, api, ...manifests], LINKERD).checkRequest(Target.localNode(), w('shop/api'), HTTP, get('/healthz')).verdict;
    expect(at([admin()])).toBe(Verdict.ALLOW);
    expect(at([admin({ proxyProtocol: 'opaque' })])).toBe(Verdict.DENY);
    expect(at([admin(), route('api-get', [{ matches: [{ path: { type: 'Exact', value: '/api' } }] }])])).toBe(Verdict.DENY);
  });

  describe('the cluster default opaque ports (proxy.opaquePorts), which the proxy injector writes onto pods without the annotation', () => {
    // controller/proxy-injector/webhook.go: without config.linkerd.io/opaque-ports on the pod (or copied from its namespace), the injector
    // annotates the pod with the default opaque ports its containers declare; the policy controller's default server of an opaque port
    // is opaque and carries no probe route.
    const REDIS = Port.tcp(6379);
    const redis = (ports: unknown[], annotations?: Record<string, string>) => {
      const pod = probed({ readinessProbe: { httpGet: { path: '/healthz', port: 6379 } } }, ports);
      if (annotations) pod.spec.template.metadata.annotations = annotations;
      return pod;
    };
    const probeOn = (manifests: unknown[]) => meshReach([...denyNs, ...manifests], LINKERD).checkRequest(Target.localNode(), w('shop/api'), REDIS, get('/healthz'));

    test('a declared default opaque port has no probe route: the default policy decides, and the reasons say why', () => {
      const result = probeOn([redis([{ containerPort: 6379 }])]);
      expect(result.verdict).toBe(Verdict.DENY);
      expect(result.mesh!.reasons).toEqual([
        'no Server describes port 6379 of shop/api: the default inbound policy deny (namespace shop annotation config.linkerd.io/default-inbound-policy) '
          + 'applies to local-node -> shop/api TCP/6379 GET /healthz (without a mesh identity (local-node is a node, not a meshed pod)): it admits no client',
        'port 6379 of shop/api is opaque (Linkerd\'s proxy injector, which annotates the pod config.linkerd.io/opaque-ports: 6379 (the container '
          + 'ports it declares among the cluster default proxy.opaquePorts, assumed to be the install default 25,587,3306,4444,5432,6379,9300,11211)): '
          + 'its default server carries no probe route',
      ]);
    });

    test('a native sidecar\'s declared port counts too', () => {
      const pod = redis([{ containerPort: 8080 }]);
      pod.spec.template.spec.initContainers = [{ name: 'cache', image: 'example/cache:1.0', restartPolicy: 'Always', ports: [{ containerPort: 6379 }] }];
      expect(probeOn([pod]).verdict).toBe(Verdict.DENY);
    });

    test('an undeclared port, or an annotation on the pod or its namespace, leaves the default out: the probe route stays', () => {
      expect(probeOn([redis([{ containerPort: 8080 }])]).verdict).toBe(Verdict.ALLOW);
      expect(probeOn([redis([{ containerPort: 6379 }], { 'config.linkerd.io/opaque-ports': '3306' })]).verdict).toBe(Verdict.ALLOW);
      const nsOpaque = namespace('shop', {}, { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny', 'config.linkerd.io/opaque-ports': '5432' });
      expect(meshReach([nsOpaque, redis([{ containerPort: 6379 }])], LINKERD).checkRequest(Target.localNode(), w('shop/api'), REDIS, get('/healthz'))
        .verdict).toBe(Verdict.ALLOW);
    });
  });

  test('two workloads alike but for their probes are not one class in the flow matrix', () => {
    const other = workload('shop', 'api2', { podLabels: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] });
    other.spec.selector.matchLabels.app = 'api';
    const flows = meshReach([...denyNs, workload('legacy', 'client'), api, other], LINKERD).matrix().flows
      .filter((f) => f.source === 'legacy/client' && f.destination.startsWith('shop/') && f.port === 'TCP/8080');
    expect(flows.map((f) => [f.destination, f.verdict])).toEqual([['shop/api', Verdict.ALLOW], ['shop/api2', Verdict.DENY]]);
  });
});

describe('membership and the CNI on port 4143', () => {
  test('an unmeshed destination and skipped inbound ports are not subject to Linkerd policy', () => {
    const skipped = workload('shop', 'db', { ports: [5432], annotations: { 'config.linkerd.io/skip-inbound-ports': '5432' } });
    const denyAll = linkerd('Server', 'shop', 'db', { podSelector: { matchLabels: { app: 'db' } }, port: 5432, accessPolicy: 'deny' });
    const r = meshReach([...ns, ...apps, skipped, denyAll], LINKERD);
    expect(r.check(w('shop/web'), w('shop/db'), Port.tcp(5432)).mesh!.reasons[0])
      .toBe("shop/db's proxy skips inbound port 5432 (the pod template annotation config.linkerd.io/skip-inbound-ports): no Linkerd policy applies");
    const optedOut = workload('shop', 'batch', { annotations: { 'linkerd.io/inject': 'disabled' } });
    expect(meshReach([...ns, ...apps, optedOut], LINKERD).check(w('shop/web'), w('shop/batch'), HTTP).mesh!.reasons[0])
      .toBe('shop/batch is not in the mesh (the pod template is annotated linkerd.io/inject=disabled): Linkerd authorization does not apply to '
        + 'shop/web -> shop/batch TCP/8080');
  });

  test('linkerd.io/inject as the proxy injector reads it (linkerd2 pkg/inject/report.go): an empty value is none, an unknown one injects nothing', () => {
    // An empty pod annotation leaves the namespace's enabled in force (was: not in the mesh).
    const empty = workload('shop', 'batch', { annotations: { 'linkerd.io/inject': '' } });
    expectValidManifests([empty, namespace('odd', {}, { 'linkerd.io/inject': 'true' })]);
    const meshedBatch = meshReach([...ns, ...apps, empty], LINKERD).check(w('shop/web'), w('shop/batch'), HTTP);
    expect(meshedBatch.mesh!.reasons).toEqual(['no Server describes port 8080 of shop/batch: the default inbound policy all-unauthenticated (the cluster '
      + 'default, assumed to be Linkerd\'s install default) applies to shop/web -> shop/batch TCP/8080 (as web.shop.serviceaccount.identity.linkerd.'
      + 'cluster.local): it admits every client']);
    // A namespace value the injector does not know refuses every pod of it, even one annotated enabled (was: in the mesh).
    const odd = [namespace('odd', {}, { 'linkerd.io/inject': 'true' }), workload('odd', 'job', { annotations: { 'linkerd.io/inject': 'enabled' } })];
    expect(meshReach([...ns, ...apps, ...odd], LINKERD).check(w('shop/web'), w('odd/job'), HTTP).mesh!.reasons[0])
      .toBe('odd/job is not in the mesh (namespace odd is annotated linkerd.io/inject=true, which the proxy injector refuses): Linkerd authorization '
        + 'does not apply to shop/web -> odd/job TCP/8080');
  });

  test('pods the injector\'s webhook never sees are not in the mesh, whatever they are annotated (linkerd-control-plane proxyInjector selectors)', () => {
    const system = [namespace('kube-system', {}, MESHED), workload('kube-system', 'tool', { annotations: MESHED })];
    const off = [namespace('ops', { 'config.linkerd.io/admission-webhooks': 'disabled' }, MESHED), workload('ops', 'job')];
    expectValidManifests([...system, ...off]);
    const r = meshReach([...ns, ...apps, ...system, ...off], LINKERD);
    expect(r.check(w('shop/web'), w('kube-system/tool'), HTTP).mesh!.reasons[0])
      .toBe('kube-system/tool is not in the mesh (the proxy injector\'s webhook leaves out namespace kube-system): Linkerd authorization '
        + 'does not apply to shop/web -> kube-system/tool TCP/8080');
    expect(r.check(w('shop/web'), w('ops/job'), HTTP).mesh!.reasons[0])
      .toBe('ops/job is not in the mesh (the proxy injector\'s webhook leaves out namespace label config.linkerd.io/admission-webhooks=disabled): '
        + 'Linkerd authorization does not apply to shop/web -> ops/job TCP/8080');
  });

  test('between meshed pods the CNI sees 4143: a NetworkPolicy opening only 8080 blocks them, an unmeshed client still uses 8080', () => {
    const apiIngress = (ports: number[]) => networkPolicy('shop', 'api-ingress', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
    });
    const r = meshReach([...ns, ...apps, apiIngress([8080])], LINKERD);
    const meshed = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(meshed.verdict).toBe(Verdict.DENY);
    expect(meshed.pairs[0].cniPort).toBe('TCP/4143');
    expect(r.check(w('legacy/client'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(meshReach([...ns, ...apps, apiIngress([8080, 4143])], LINKERD).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });
});
