/**
 * AuthorizationPolicy rules with HTTP-only attributes on a port the destination's sidecar serves as
 * TCP (upstream sources in src/analysis/mesh/istio-tcp-rules.ts): istiod builds the rules into the
 * RBAC network filter (istio/istio pilot/pkg/security/authz/builder/builder.go `BuildTCP`), where the
 * HTTP-only generators fail (model/generator.go "is HTTP only") and model/model.go `checkError` drops
 * the whole rule of an ALLOW policy but only the value of a DENY (or CUSTOM) one: an ALLOW rule with
 * methods matches nothing, a DENY rule with paths denies the whole connection (istio.io
 * "Authorization Policy" reference and task "Authorization for TCP traffic").
 */
import { authorizationPolicy, ISTIO_AMBIENT, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, podWithIp, service, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const base = [
  namespace('istio-system'),
  namespace('shop', { 'istio-injection': 'enabled' }),
  workload('shop', 'web'),
  workload('shop', 'api'),
  peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
];
const PORT = Port.tcp(8080);
const TCP_SERVICE = service('shop', 'api', 'api', [{ name: 'tcp-api', port: 8080 }]);
const HTTP_SERVICE = service('shop', 'api', 'api', [{ name: 'http-api', port: 8080 }]);
const DETECTED_SERVICE = service('shop', 'api', 'api', [{ name: 'api', port: 8080 }]);
const IDENTITY = 'over mutual TLS as cluster.local/ns/shop/sa/web';
const SERVED_AS_TCP = "shop/api's sidecar serves port 8080 as TCP (Service shop/api port 8080 (port name 'tcp-api': TCP))";
const NO_HTTP = `${SERVED_AS_TCP}: it sees no HTTP request, so the request's method, path, host and headers play no part, and the answer is the TCP `
  + "connection's";
const policy = (name: string, action: string, rule: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  authorizationPolicy('shop', name, { selector: { matchLabels: { app: 'api' } }, action, rules: [rule], ...extra });
const GET_ONLY = policy('get-only', 'ALLOW', { to: [{ operation: { methods: ['GET'] } }] });
const NO_ADMIN = policy('no-admin', 'DENY', { to: [{ operation: { paths: ['/admin'] } }] });

function reach(...objects: any[]) {
  const all = [...base, ...objects];
  expectValidManifests(all);
  return meshReach(all, ISTIO_SIDECAR);
}

describe('a port served as TCP (Service port name tcp-*)', () => {
  test('ALLOW with methods: the rule matches nothing, so the connection is denied', () => {
    const result = reach(TCP_SERVICE, GET_ONLY).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
    expect(result.l7Constraints).toEqual([]);
    expect(result.mesh!.reasons).toEqual([
      `AuthorizationPolicy shop/get-only spec.rules[0] (ALLOW): ${SERVED_AS_TCP}, and istiod skips this ALLOW rule on the TCP filter chain because it `
        + 'uses HTTP-only attributes (spec.rules[0].to[0].operation.methods): it matches no connection',
      `AuthorizationPolicy shop/get-only selects shop/api, so only what an ALLOW rule matches is allowed, and no rule matches shop/web -> shop/api TCP/8080 (${IDENTITY})`,
    ]);
  });

  test('ALLOW with methods: a GET request is denied too, with a note that its HTTP fields play no part', () => {
    const result = reach(TCP_SERVICE, GET_ONLY).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
    expect(result.mesh!.reasons[0]).toBe(NO_HTTP);
    expect(result.mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/get-only spec.rules[0] (log)', 'AuthorizationPolicy shop/get-only (isolate)']);
  });

  test('DENY with paths: the paths are left out, so the rule denies the whole connection, whatever the request\'s path', () => {
    const r = reach(TCP_SERVICE, NO_ADMIN);
    const label = 'AuthorizationPolicy shop/no-admin spec.rules[0] (DENY; on this TCP port without its HTTP-only attributes to[0].operation.paths, which '
      + 'then match anything)';
    const connection = r.check(w('shop/web'), w('shop/api'), PORT);
    expect(connection.verdict).toBe(Verdict.DENY);
    expect(connection.l7Constraints).toEqual([]);
    expect(connection.mesh!.reasons).toEqual([`${label} matches shop/web -> shop/api TCP/8080 (${IDENTITY}): DENY policies win over ALLOW policies`]);
    for (const path of ['/admin', '/orders']) {
      const request = r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path });
      expect(request.verdict).toBe(Verdict.DENY);
      expect(request.mesh!.reasons).toEqual([NO_HTTP,
        `${label} matches shop/web -> shop/api TCP/8080 GET ${path} (${IDENTITY}): DENY policies win over ALLOW policies`]);
    }
  });

  test('DENY keeps its other attributes: a source it does not name is not denied', () => {
    const r = reach(TCP_SERVICE, workload('shop', 'worker'),
      policy('no-web-admin', 'DENY', { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { paths: ['/admin'] } }] }));
    expect(r.check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.DENY);
    expect(r.check(w('shop/worker'), w('shop/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });

  test('request principals and request.* conditions are HTTP only: an ALLOW using them matches nothing, a DENY drops them (exact, not indeterminate)', () => {
    const jwtAllow = policy('jwt', 'ALLOW', { from: [{ source: { requestPrincipals: ['*'] } }] });
    expect(reach(TCP_SERVICE, jwtAllow).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.DENY);
    const headerDeny = policy('no-debug', 'DENY', { when: [{ key: 'request.headers[x-debug]', values: ['1'] }, { key: 'source.namespace', values: ['shop'] }] });
    expect(reach(TCP_SERVICE, headerDeny).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.DENY);
    const claimDeny = policy('no-guest', 'DENY', { when: [{ key: 'request.auth.claims[role]', values: ['guest'] }, { key: 'source.namespace', values: ['ops'] }] });
    expect(reach(TCP_SERVICE, claimDeny).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });

  test('appProtocol and an unknown name on a well-known TCP port count as TCP too', () => {
    const mysql = service('shop', 'api', 'api', [{ name: 'db', appProtocol: 'mysql', port: 8080 }]);
    expect(reach(mysql, GET_ONLY).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.DENY);
    const wellKnown = service('shop', 'api', 'api', [{ name: 'db', port: 3306, targetPort: 8080 }]);
    expect(reach(wellKnown, GET_ONLY).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.DENY);
  });

  // istiod maps the KEP-3726 appProtocols before parsing (pkg/config/kube conversion.go ConvertProtocol;
  // istio/istio#58833): kubernetes.io/wss is HTTPS, served by a TCP chain; h2c and ws are HTTP.
  test('appProtocol kubernetes.io/wss is HTTPS, so TCP: ALLOW with methods matches nothing, DENY with paths denies every request', () => {
    const wss = service('shop', 'api', 'api', [{ name: 'web', appProtocol: 'kubernetes.io/wss', port: 8080 }]);
    const served = "shop/api's sidecar serves port 8080 as TCP (Service shop/api port 8080 (appProtocol kubernetes.io/wss: TCP))";
    const get = reach(wss, GET_ONLY).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(get.verdict).toBe(Verdict.DENY);
    expect(get.mesh!.reasons[1]).toBe(`AuthorizationPolicy shop/get-only spec.rules[0] (ALLOW): ${served}, and istiod skips this ALLOW rule on the TCP `
      + 'filter chain because it uses HTTP-only attributes (spec.rules[0].to[0].operation.methods): it matches no connection');
    expect(reach(wss, NO_ADMIN).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/orders' }).verdict).toBe(Verdict.DENY);
  });

  test('appProtocol kubernetes.io/h2c and kubernetes.io/ws are HTTP; other spellings of them are matched exactly, so detected', () => {
    for (const [appProtocol, read] of [['kubernetes.io/h2c', 'HTTP'], ['kubernetes.io/ws', 'HTTP'], ['Kubernetes.io/WSS', 'protocol detected']]) {
      const svc = service('shop', 'api', 'api', [{ name: 'tcp-web', appProtocol, port: 8080 }]);
      const get = reach(svc, GET_ONLY);
      expect(get.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
      expect(get.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'POST', path: '/' }).verdict).toBe(Verdict.DENY);
      const r = reach(svc, podWithIp('shop', 'ext', '10.9.0.7'), policy('no-ext', 'DENY', { from: [{ source: { remoteIpBlocks: ['10.9.0.0/16'] } }] }));
      // The remote address is the client's pick on an HTTP chain: the reason names how the port was read.
      expect(r.check(w('shop/ext'), w('shop/api'), PORT).uncertainties).toContain('mesh: AuthorizationPolicy shop/no-ext spec.rules[0] (DENY): '
        + `spec.rules[0].from[0].source.remoteIpBlocks: a client speaking HTTP to port 8080 (Service shop/api port 8080 (appProtocol ${appProtocol}: `
        + `${read})) writes the remote address: the sidecar takes the last entry of its X-Forwarded-For header (Envoy use_remote_address false on `
        + 'sidecar inbound), so the client picks the address matched here');
    }
  });

  test('CUSTOM: built like a DENY (HTTP fields left out), then the provider decides only if it is gRPC: indeterminate', () => {
    const custom = policy('ext', 'CUSTOM', { to: [{ operation: { paths: ['/admin'] } }] }, { provider: { name: 'opa' } });
    const result = reach(TCP_SERVICE, custom).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/orders' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'mesh: AuthorizationPolicy shop/ext spec.rules[0] (CUSTOM; on this TCP port without its HTTP-only attributes to[0].operation.paths, which then match '
        + `anything): ${SERVED_AS_TCP}, where the external authorizer (provider opa) decides if it is a gRPC ext_authz provider, and an HTTP provider is left `
        + 'out of the TCP filter chain (meshConfig extensionProviders, not in the manifests)',
    ]);
    // Its L4 part still has to match.
    const elsewhere = policy('ext', 'CUSTOM', { to: [{ operation: { ports: ['9090'], paths: ['/admin'] } }] }, { provider: { name: 'opa' } });
    expect(reach(TCP_SERVICE, elsewhere).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });
});

describe('ports served as HTTP or detected: unchanged', () => {
  for (const [what, svc] of [['http-*', HTTP_SERVICE], ['detected (name without protocol)', DETECTED_SERVICE], ['detected (no Service)', undefined]] as const) {
    test(`${what}: ALLOW with methods allows GET only; DENY with paths denies /admin only`, () => {
      const extra = svc ? [svc] : [];
      const allow = reach(...extra, GET_ONLY);
      const connection = allow.check(w('shop/web'), w('shop/api'), PORT);
      expect(connection.verdict).toBe(Verdict.ALLOW);
      expect(connection.l7Constraints).toEqual([
        'only HTTP methods GET (AuthorizationPolicy shop/get-only spec.rules[0] (ALLOW); a non-HTTP connection matches no HTTP rule)',
      ]);
      expect(allow.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
      expect(allow.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'POST', path: '/' }).verdict).toBe(Verdict.DENY);
      const deny = reach(...extra, NO_ADMIN);
      expect(deny.check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.ALLOW);
      expect(deny.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/orders' }).verdict).toBe(Verdict.ALLOW);
      expect(deny.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/admin' }).verdict).toBe(Verdict.DENY);
    });
  }

  test('CUSTOM with paths on an HTTP port: the external authorizer decides the requests it matches', () => {
    const custom = policy('ext', 'CUSTOM', { to: [{ operation: { paths: ['/admin'] } }] }, { provider: { name: 'opa' } });
    const r = reach(HTTP_SERVICE, custom);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/orders' }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/admin' }).verdict).toBe(Verdict.INDETERMINATE);
  });
});

describe('Services that disagree (TCP and HTTP on one pod port): istiod keeps the oldest one\'s protocol', () => {
  const both = [TCP_SERVICE, service('shop', 'api-http', 'api', [{ name: 'http-api', port: 8080 }])];

  test('where the two chains answer differently: indeterminate, naming both', () => {
    const result = reach(...both, GET_ONLY).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      "mesh: Service shop/api port 8080 (port name 'tcp-api': TCP), Service shop/api-http port 8080 (port name 'http-api': HTTP) declare port 8080 "
        + 'differently, and istiod serves it with the protocol of the oldest Service, whose creation time is not in the manifests: served as HTTP the flow is '
        + 'allowed, served as TCP (rules without their HTTP-only attributes) denied',
    ]);
  });

  test('where they agree: exact', () => {
    const r = reach(...both, NO_ADMIN);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/admin' }).verdict).toBe(Verdict.DENY);
    const ports = reach(...both, policy('port', 'ALLOW', { to: [{ operation: { ports: ['8080'] } }] }));
    expect(ports.check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.ALLOW);
  });
});

// A waypoint builds its chains per Service port the same way (istio/istio pilot/pkg/networking/core/
// listener_waypoint.go buildWaypointInternal: a TCP Service port gets the TCP chain, whose
// authorization is the RBAC network filter).
describe('a waypoint serving a Service port declared TCP', () => {
  const ambient = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
    workload('shop', 'web'), workload('shop', 'api'), {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'shop' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    }];
  const getAtWaypoint = authorizationPolicy('shop', 'api-get', {
    targetRefs: [{ kind: 'Service', group: '', name: 'api' }], action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
  });
  const ambientReach = (...objects: any[]) => {
    const all = [...ambient, ...objects];
    expectValidManifests(all);
    return meshReach(all, ISTIO_AMBIENT);
  };

  test('a targetRef ALLOW with methods matches nothing there: a GET addressed to the Service is denied (the pod address passes no waypoint)', () => {
    const r = ambientReach(TCP_SERVICE, getAtWaypoint);
    const result = r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: the answer depends on how the client addresses the destination (the question does not say): traffic '
      + 'addressed to the pod: allowed; traffic addressed to Service shop/api: denied']);
    expect(result.mesh!.reasons).toContain('at the waypoint shop/waypoint: the waypoint serves traffic addressed to Service shop/api as TCP (Service shop/api '
      + "declares port 8080 (port name 'tcp-api') TCP): it sees no HTTP request, so the request's method, path, host and headers play no part, and the "
      + "answer is the TCP connection's");
    // An HTTP Service port: unchanged, the GET is allowed on both paths.
    expect(ambientReach(HTTP_SERVICE, getAtWaypoint).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict)
      .toBe(Verdict.ALLOW);
  });

  test('a Service carrying the flow on a TCP port and an HTTP port: two ways to address it, so a DENY on paths is indeterminate, naming the ports', () => {
    const mixed = service('shop', 'api', 'api', [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'tcp', port: 9000, targetPort: 8080 }]);
    const noAdmin = authorizationPolicy('shop', 'no-admin', {
      targetRefs: [{ kind: 'Service', group: '', name: 'api' }], action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
    });
    const result = ambientReach(mixed, noAdmin).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/orders' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: the answer depends on how the client addresses the destination (the question does not say): traffic '
      + 'addressed to the pod: allowed; traffic addressed to Service shop/api port 9000: denied; traffic addressed to Service shop/api port 80: allowed']);
  });
});
