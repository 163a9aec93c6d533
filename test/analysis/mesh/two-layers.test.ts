/**
 * A flow needs the CNI AND the mesh: "can A call B's POST /admin" across both layers.
 * - The CNI decides first (a NetworkPolicy or Cilium denial denies, whatever the mesh says); a CNI
 *   allow with a mesh denial is denied by the mesh, with the mesh's object.
 * - L4 questions against HTTP rules report them as L7 constraints (as Cilium L7 rules are), and
 *   `checkRequest` matches the request against both layers' HTTP rules: Istio methods/paths
 *   (istio.io "Authorization Policy" reference, Operation) and Cilium `rules.http`
 *   (https://docs.cilium.io/en/stable/security/policy/language/#layer-7-examples).
 * - Istio ambient tunnels meshed traffic over HBONE to port 15008, so the CNI sees 15008
 *   (https://istio.io/latest/docs/ambient/usage/networkpolicy/); ztunnel enforces L4 attributes only
 *   (https://istio.io/latest/docs/ambient/usage/l4-policy/).
 */
import { authorizationPolicy, ISTIO_AMBIENT, ISTIO_SIDECAR, meshReach, namespace, networkPolicy, peerAuthentication, podWithIp, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { Errors } from '../../../src/util/errors';

const HTTP = Port.tcp(8080);
const ns = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' })];
const apps = [workload('shop', 'web'), workload('shop', 'api'), workload('shop', 'batch')];
const strict = peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } });
const allowNothing = authorizationPolicy('shop', 'allow-nothing', { action: 'ALLOW' });
const webToApi = authorizationPolicy('shop', 'web-to-api', {
  selector: { matchLabels: { app: 'api' } },
  action: 'ALLOW',
  rules: [{
    from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
    to: [{ operation: { ports: ['8080'], methods: ['GET', 'POST'], paths: ['/api/*'] } }],
  }],
});
const denyAdmin = authorizationPolicy('shop', 'deny-admin', {
  selector: { matchLabels: { app: 'api' } }, action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin', '/admin/*'] } }] }],
});
/** api admits ingress only from web on 8080 (and 15008 for ambient). */
const apiIngress = (ports: number[]) => networkPolicy('shop', 'api-ingress', {
  podSelector: { matchLabels: { app: 'api' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: ports.map((port) => ({ protocol: 'TCP', port })) }],
});

describe('both layers', () => {
  const objects = [...ns, ...apps, strict, allowNothing, webToApi, denyAdmin, apiIngress([8080])];

  test('CNI denies: denied whatever the mesh says (batch has no NetworkPolicy allow, and no mesh allow either)', () => {
    const result = meshReach(objects, ISTIO_SIDECAR).check(w('shop/batch'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.cniVerdict).toBe(Verdict.DENY);
    expect(result.ingress.decidingObjects).toEqual(['NetworkPolicy shop/api-ingress']);
  });

  test('CNI denies while the mesh would allow: still denied', () => {
    const allowAll = authorizationPolicy('shop', 'allow-all', { action: 'ALLOW', rules: [{}] });
    const result = meshReach([...ns, ...apps, strict, allowAll, apiIngress([8080])], ISTIO_SIDECAR).check(w('shop/batch'), w('shop/api'), HTTP);
    expect(result.cniVerdict).toBe(Verdict.DENY);
    expect(result.meshVerdict).toBe(Verdict.ALLOW);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.explain().split('\n')[1]).toBe('shop/batch -> shop/api TCP/8080: denied (CNI: denied; mesh: allowed)');
  });

  test('CNI allows and an AuthorizationPolicy denies: denied by the mesh, with its object', () => {
    const open = [...ns, ...apps, strict, allowNothing, webToApi, denyAdmin];
    const result = meshReach(open, ISTIO_SIDECAR).check(w('shop/batch'), w('shop/api'), HTTP);
    expect(result.cniVerdict).toBe(Verdict.ALLOW);
    expect(result.meshVerdict).toBe(Verdict.DENY);
    expect(result.mesh!.decidingObjects).toEqual(['AuthorizationPolicy shop/allow-nothing']);
    expect(meshReach(open, ISTIO_SIDECAR).matrix().toTable()).toMatch(/^shop\/batch\s+shop\/api\s+TCP\/8080\s+deny \(mesh\)$/m);
  });

  test('an L4 question against HTTP rules: allowed with the HTTP rules as L7 constraints (ALLOW: only; DENY: not)', () => {
    const result = meshReach(objects, ISTIO_SIDECAR).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.l7Constraints).toEqual([
      'only HTTP methods GET|POST, paths /api/* (AuthorizationPolicy shop/web-to-api spec.rules[0] (ALLOW); a non-HTTP connection matches no HTTP rule)',
      'not HTTP paths /admin|/admin/* (AuthorizationPolicy shop/deny-admin spec.rules[0] (DENY); a non-HTTP connection to the port is denied whole)',
    ]);
  });

  test('can web call api\'s POST /admin? No: the CNI allows, the mesh denies (DENY rule on the path)', () => {
    const result = meshReach(objects, ISTIO_SIDECAR).checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/admin' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.cniVerdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/deny-admin spec.rules[0] (deny)']);
    expect(result.pairs[0].request).toBe('POST /admin');
    expect(result.l7Constraints).toEqual([]);
    expect(result.question).toBe('workload shop/web -> workload shop/api on TCP/8080 (HTTP POST /admin)');
  });

  test('POST /api/orders is allowed on both layers; DELETE /api/orders and GET /other are not', () => {
    const r = meshReach(objects, ISTIO_SIDECAR);
    const ok = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/api/orders?id=7' });
    expect(ok.verdict).toBe(Verdict.ALLOW);
    expect(ok.mesh!.decidingRules).toEqual(['AuthorizationPolicy shop/web-to-api spec.rules[0] (allow)']);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'DELETE', path: '/api/orders' }).verdict).toBe(Verdict.DENY);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/other' }).verdict).toBe(Verdict.DENY);
  });

  test('hosts rules need the request host; header conditions match request headers', () => {
    const byHost = authorizationPolicy('shop', 'host', {
      selector: { matchLabels: { app: 'api' } },
      action: 'ALLOW',
      rules: [{ to: [{ operation: { hosts: ['api.shop.svc.cluster.local', 'api.example.com'] } }], when: [{ key: 'request.headers[x-team]', values: ['blue'] }] }],
    });
    const r = meshReach([...ns, ...apps, strict, byHost], ISTIO_SIDECAR);
    const unknownHost = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/', headers: { 'X-Team': 'blue' } });
    expect(unknownHost.verdict).toBe(Verdict.INDETERMINATE);
    expect(unknownHost.uncertainties).toEqual(["mesh: AuthorizationPolicy shop/host spec.rules[0] (ALLOW): spec.rules[0].to[0].operation.hosts: the request's host is not given"]);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { host: 'API.example.com', headers: { 'x-team': 'blue' } }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { host: 'api.example.com', headers: { 'x-team': 'red' } }).verdict).toBe(Verdict.DENY);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).l7Constraints).toEqual([
      'only HTTP hosts api.shop.svc.cluster.local|api.example.com, header x-team in blue (AuthorizationPolicy shop/host spec.rules[0] (ALLOW); '
        + 'a non-HTTP connection matches no HTTP rule)',
    ]);
  });

  test('checkRequest validates the request', () => {
    const r = meshReach(objects, ISTIO_SIDECAR);
    const cases: Array<[unknown, string]> = [
      [{ path: 'admin' }, "request.path: 'admin' must start with /"],
      [undefined, "request: must be an object like { method: 'POST', path: '/admin' }"],
      [{ method: 'P OST' }, "request.method: 'P OST' is not an HTTP method"],
      [{ method: '' }, 'request.method: must be a non-empty string, got ""'],
      [{ headers: ['x-team'] }, 'request.headers: must be a map of header names to values'],
      [{ headers: { 'x-team': 1 } }, 'request.headers.x-team: must be a string, got 1'],
      [{ headers: { 'X-Forwarded-For': '192.0.2.1', 'x-forwarded-for': '10.0.0.1' } },
        "request.headers.x-forwarded-for: the header x-forwarded-for is given twice (names are case-insensitive): give it once, repeated values joined with ','"],
    ];
    for (const [request, message] of cases) {
      let error: unknown;
      try {
        r.checkRequest(w('shop/web'), w('shop/api'), HTTP, request as any);
      } catch (e) {
        error = e;
      }
      // A ValidationError (bad input), not a bug.
      expect(Errors.isValidationError(error)).toBe(true);
      expect((error as Error).message).toBe(`[Reachability.checkRequest] ${message}`);
    }
  });
});

describe('Cilium L7 rules and the mesh', () => {
  const cnp = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'api-http', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { app: 'web' } }],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET|POST', path: '/api/.*' }, { method: 'GET', path: '/admin' }] } }],
      }],
    },
  };
  // Cilium's HTTP policy needs plaintext: "mTLS mode STRICT or PERMISSIVE are not compatible with Cilium HTTP network
  // policy ... configure mtls.mode=DISABLE" (https://docs.cilium.io/en/stable/network/servicemesh/istio/).
  const plaintextApi = peerAuthentication('shop', 'api-plaintext', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'DISABLE' } });
  const objects = [...ns, ...apps, strict, plaintextApi, denyAdmin, cnp];
  const reach = () => meshReach(objects, ISTIO_SIDECAR, { cni: Cni.cilium() });

  test('over mutual TLS Cilium\'s HTTP rules cannot read the flow: indeterminate, with the documented reason', () => {
    const r = meshReach([...ns, ...apps, strict, denyAdmin, cnp], ISTIO_SIDECAR, { cni: Cni.cilium() });
    const result = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/api/orders' });
    expect(result.cniVerdict).toBe(Verdict.INDETERMINATE);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties[0]).toMatch(/^the CNI's HTTP rules \(HTTP GET\|POST \/api\/\.\* .*\) cannot read this flow: the source and the destination are both in the mesh and PeerAuthentication istio-system\/default \(mesh-wide\) sets STRICT: Istio sends this flow over mutual TLS, and the CNI documents its HTTP policy as incompatible with mutual TLS$/);
    const flow = r.matrix().flows.find((f) => f.source === 'shop/web' && f.destination === 'shop/api')!;
    expect(flow.cniVerdict).toBe(Verdict.INDETERMINATE);
    expect(flow.reason).toContain('CNI: its HTTP rules cannot read this flow');
    // The same denial of POST /admin by the mesh decides the request whatever the CNI cannot tell.
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/admin' }).verdict).toBe(Verdict.DENY);
  });

  test('L4 question: both layers\' HTTP rules are constraints', () => {
    expect(reach().check(w('shop/web'), w('shop/api'), HTTP).l7Constraints).toEqual([
      'HTTP GET|POST /api/.* (CiliumNetworkPolicy shop/api-http spec.ingress[0])',
      'HTTP GET /admin (CiliumNetworkPolicy shop/api-http spec.ingress[0])',
      'not HTTP paths /admin|/admin/* (AuthorizationPolicy shop/deny-admin spec.rules[0] (DENY); a non-HTTP connection to the port is denied whole)',
    ]);
  });

  test('POST /admin: Cilium denies it (no HTTP rule matches) and the mesh denies it too', () => {
    const result = reach().checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/admin' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.cniVerdict).toBe(Verdict.DENY);
    expect(result.meshVerdict).toBe(Verdict.DENY);
    expect(result.ingress.reasons[result.ingress.reasons.length - 1]).toBe('POST /admin matches none of the L7 rules (HTTP GET|POST /api/.* '
      + '(CiliumNetworkPolicy shop/api-http spec.ingress[0]); HTTP GET /admin (CiliumNetworkPolicy shop/api-http spec.ingress[0])): denied');
  });

  test('GET /admin: Cilium allows it, the mesh denies it: denied by the mesh', () => {
    const result = reach().checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/admin' });
    expect(result.cniVerdict).toBe(Verdict.ALLOW);
    expect(result.meshVerdict).toBe(Verdict.DENY);
    expect(result.verdict).toBe(Verdict.DENY);
  });

  test('POST /api/orders: allowed by both', () => {
    const result = reach().checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/api/orders' });
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.ingress.reasons).toContain('POST /api/orders matches the L7 rule HTTP GET|POST /api/.* (CiliumNetworkPolicy shop/api-http spec.ingress[0])');
  });

  // Envoy rejects a path with a # fragment with 400 by default (1.16.5/1.17.4/1.18.4/1.19.1 and later: runtime guard
  // envoy.reloadable_features.http_reject_path_with_fragment, still on in source/common/runtime/runtime_features.cc);
  // Cilium's Envoy bootstrap (pkg/envoy/embedded_envoy.go, chart files/cilium-envoy/configmap/bootstrap-config.json)
  // sets no runtime key for it, so the request never reaches the HTTP rules.
  test('a path with a # fragment: Cilium\'s Envoy rejects the request, so it is denied even where the rule would match', () => {
    const cniOnly = meshReach(objects, undefined, { cni: Cni.cilium() });
    expect(cniOnly.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/api/x' }).verdict).toBe(Verdict.ALLOW);
    const result = cniOnly.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/api/x#frag' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.ingress.reasons[result.ingress.reasons.length - 1]).toBe('GET /api/x#frag matches none of the L7 rules (HTTP GET|POST /api/.* '
      + '(CiliumNetworkPolicy shop/api-http spec.ingress[0]); HTTP GET /admin (CiliumNetworkPolicy shop/api-http spec.ingress[0])) (Envoy rejects a '
      + 'request whose path has a # fragment (400, runtime guard envoy.reloadable_features.http_reject_path_with_fragment, on by default)): denied');
    // A fragment after the query is still a fragment: the query goes, the fragment stays.
    const afterQuery = cniOnly.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/api/x?id=7#frag' });
    expect(afterQuery.verdict).toBe(Verdict.DENY);
    expect(afterQuery.ingress.reasons[afterQuery.ingress.reasons.length - 1]).toMatch(/^GET \/api\/x#frag matches none of the L7 rules/);
  });

  test('without a mesh, checkRequest still answers the CNI\'s HTTP rules', () => {
    const cniOnly = meshReach(objects, undefined, { cni: Cni.cilium() });
    expect(cniOnly.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/admin' }).verdict).toBe(Verdict.ALLOW);
    expect(cniOnly.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'DELETE', path: '/api/x' }).verdict).toBe(Verdict.DENY);
  });
});

describe('Istio ambient', () => {
  const ambientNs = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' })];

  test('the CNI sees HBONE port 15008: a NetworkPolicy that opens only 8080 blocks ambient traffic', () => {
    const r = meshReach([...ambientNs, ...apps, apiIngress([8080])], ISTIO_AMBIENT);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.pairs[0].cniPort).toBe('TCP/15008');
    expect(result.ingress.reasons[0]).toBe('the CNI sees TCP/15008: Istio ambient tunnels meshed traffic over HBONE to port 15008 of the destination pod, '
      + 'and the CNI sees that port (istio.io "Ambient and Kubernetes NetworkPolicy")');
    const fixed = meshReach([...ambientNs, ...apps, apiIngress([8080, 15008])], ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), HTTP);
    expect(fixed.verdict).toBe(Verdict.ALLOW);
    expect(fixed.explain().split('\n')[1]).toBe('shop/web -> shop/api TCP/8080: allowed (CNI on TCP/15008: allowed; mesh: allowed)');
  });

  test('ztunnel enforces L4 rules (principals, ports)', () => {
    const l4 = authorizationPolicy('shop', 'api-l4', {
      selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }],
    });
    const r = meshReach([...ambientNs, ...apps, l4], ISTIO_AMBIENT);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/batch'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  // istiod (pilot ambient authorization.go handleRule): "L7 policies never match for ALLOW"; the
  // rule is left out of what ztunnel gets ("Within an ALLOW policy, rules matching HTTP attributes are omitted").
  test('HTTP rules on a workload without a waypoint: istiod leaves the ALLOW rule out for ztunnel, so it matches nothing', () => {
    const result = meshReach([...ambientNs, ...apps, webToApi], ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons).toEqual([
      'AuthorizationPolicy shop/web-to-api spec.rules[0] (ALLOW): istiod leaves this ALLOW rule out of what it sends ztunnel, because it uses L7 '
        + 'attributes (spec.rules[0].to[0].operation.methods, spec.rules[0].to[0].operation.paths), so it matches nothing',
      'AuthorizationPolicy shop/web-to-api selects shop/api, so only what an ALLOW rule matches is allowed, and no rule matches shop/web -> shop/api '
        + 'TCP/8080 (over mutual TLS as cluster.local/ns/shop/sa/web)',
    ]);
  });

  // istiod (handleRule) hands ztunnel only source.ip/namespace/principal and destination.ip/port
  // conditions, ports, and the L4 source fields; each operation, source and condition becomes one match.
  // ztunnel (src/rbac.rs Authorization::matches, test rbac_empty_policy) skips an empty match, so a DENY
  // rule whose to, from or a condition is made only of L7 attributes never matches (istio/istio#61126).
  test('L7 attributes under ztunnel: a DENY rule keeps its L4 parts, has no effect when a clause is left empty; an ALLOW rule matches nothing', () => {
    const objects = [...ambientNs, workload('shop', 'api'), podWithIp('shop', 'web', '10.1.0.5')];
    const check = (spec: Record<string, unknown>) => meshReach([...objects, authorizationPolicy('shop', 'p', spec)], ISTIO_AMBIENT)
      .check(w('shop/web'), w('shop/api'), HTTP);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ when: [{ key: 'remote.ip', values: ['192.0.2.0/24'] }] }, 'spec.rules[0].when[0] (remote.ip) is left with no L4 attribute once istiod drops the L7 '
        + 'ones (spec.rules[0].when[0] (remote.ip))'],
      [{ from: [{ source: { remoteIpBlocks: ['192.0.2.0/24'] } }] }, 'every spec.rules[0].from[].source is left with no L4 attribute once istiod drops the L7 '
        + 'ones (spec.rules[0].from[0].source.remoteIpBlocks)'],
      [{ to: [{ operation: { methods: ['DELETE'] } }] }, 'every spec.rules[0].to[].operation is left with no L4 attribute once istiod drops the L7 '
        + 'ones (spec.rules[0].to[0].operation.methods)'],
      // An L4 source next to an L7 condition: the condition alone voids the rule.
      [{ from: [{ source: { namespaces: ['shop'] } }], when: [{ key: 'request.headers[x-debug]', values: ['1'] }] }, 'spec.rules[0].when[0] '
        + '(request.headers[x-debug]) is left with no L4 attribute once istiod drops the L7 ones (spec.rules[0].when[0] (request.headers[x-debug]))'],
    ];
    for (const [rule, why] of cases) {
      const result = check({ action: 'DENY', rules: [rule] });
      expect(result.verdict).toBe(Verdict.ALLOW);
      expect(result.mesh!.reasons).toEqual([
        `AuthorizationPolicy shop/p spec.rules[0] (DENY): ${why}: an empty match, which ztunnel never matches, so this DENY rule has no effect`,
        'no ALLOW AuthorizationPolicy selects shop/api: Istio allows shop/web -> shop/api TCP/8080 (over mutual TLS as cluster.local/ns/shop/sa/web)',
      ]);
    }
    // An operation with a port keeps it: the whole port is denied, and another port is not.
    const withPort = check({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'], ports: ['8080'] } }] }] });
    expect(withPort.verdict).toBe(Verdict.DENY);
    expect(withPort.mesh!.reasons).toEqual(['AuthorizationPolicy shop/p spec.rules[0] (DENY; ztunnel enforces it without its L7 attributes) matches '
      + 'shop/web -> shop/api TCP/8080 (over mutual TLS as cluster.local/ns/shop/sa/web): DENY policies win over ALLOW policies']);
    expect(check({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'], ports: ['9090'] } }] }] }).verdict).toBe(Verdict.ALLOW);
    // Of two sources, the L7-only one is skipped and the L4 one still matches.
    expect(check({ action: 'DENY', rules: [{ from: [{ source: { requestPrincipals: ['*'] } }, { source: { namespaces: ['shop'] } }] }] }).verdict)
      .toBe(Verdict.DENY);
    const allow = check({ selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ when: [{ key: 'remote.ip', values: ['10.1.0.0/16'] }] }] });
    expect(allow.verdict).toBe(Verdict.DENY);
    expect(allow.mesh!.reasons[0]).toBe('AuthorizationPolicy shop/p spec.rules[0] (ALLOW): istiod leaves this ALLOW rule out of what it sends ztunnel, '
      + 'because it uses L7 attributes (spec.rules[0].when[0] (remote.ip)), so it matches nothing');
    // An L7-free ALLOW rule next to it still allows.
    const twoRules = [{ when: [{ key: 'remote.ip', values: ['10.1.0.0/16'] }] }, { from: [{ source: { namespaces: ['shop'] } }] }];
    expect(check({ selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: twoRules }).verdict).toBe(Verdict.ALLOW);
  });

  // istiod convertAuthorizationPolicy: "ztunnel does not support the CUSTOM action" (nothing is sent); AUDIT likewise.
  test('CUSTOM and AUDIT policies have no effect under ztunnel without a waypoint', () => {
    const custom = authorizationPolicy('shop', 'ext', { selector: { matchLabels: { app: 'api' } }, action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] });
    const result = meshReach([...ambientNs, ...apps, custom], ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons).toEqual([
      'AuthorizationPolicy shop/ext (CUSTOM) is not enforced: istiod sends ztunnel ALLOW and DENY policies only, and shop/api has no waypoint',
      'no ALLOW AuthorizationPolicy selects shop/api: Istio allows shop/web -> shop/api TCP/8080 (over mutual TLS as cluster.local/ns/shop/sa/web)',
    ]);
    // With a sidecar the same policy leaves it to the external authorizer.
    const sidecarNs = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' })];
    expect(meshReach([...sidecarNs, ...apps, custom], ISTIO_SIDECAR).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('trust domains of sources under ztunnel are not evaluated', () => {
    const td = authorizationPolicy('shop', 'td', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['shop'], notTrustDomains: ['cluster.local'] } }] }] });
    const result = meshReach([...ambientNs, ...apps, td], ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/td spec.rules[0] (DENY): spec.rules[0].from[0].source.notTrustDomains: whether '
      + 'istiod hands trust domains to ztunnel is not known']);
  });

  // istio.io PeerAuthentication reference: "In ambient mode ... traffic between proxies uses the HBONE
  // protocol, which includes encryption with mTLS. Because of this, DISABLE mode is not supported."
  test('DISABLE does not strip the identity between ztunnels: identity rules still match', () => {
    const byPrincipal = authorizationPolicy('shop', 'api-from-web', {
      selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }],
    });
    for (const disable of [
      peerAuthentication('shop', 'default', { mtls: { mode: 'DISABLE' } }),
      peerAuthentication('shop', 'api', { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 8080: { mode: 'DISABLE' } } }),
    ]) {
      const r = meshReach([...ambientNs, ...apps, disable, byPrincipal], ISTIO_AMBIENT);
      const result = r.check(w('shop/web'), w('shop/api'), HTTP);
      expect(result.verdict).toBe(Verdict.ALLOW);
      expect(result.mesh!.reasons).toEqual(['AuthorizationPolicy shop/api-from-web spec.rules[0] (ALLOW) allows shop/web -> shop/api TCP/8080 (over mutual '
        + 'TLS as cluster.local/ns/shop/sa/web)']);
      expect(r.check(w('shop/batch'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    }
  });

  test('a workload behind a waypoint whose Gateway is not in the manifests: indeterminate', () => {
    const waypointNs = namespace('shop', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'shop-waypoint' });
    const result = meshReach([namespace('istio-system'), waypointNs, ...apps], ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.meshVerdict).toBe(Verdict.INDETERMINATE);
  });
});

describe('Services with a waypoint (ambient)', () => {
  const ambientNs = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' })];
  const byPrincipal = authorizationPolicy('shop', 'api-from-web', {
    selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }],
  });
  const service = (labels: Record<string, string>) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop', labels }, spec: { selector: { app: 'api' }, ports: [{ port: 8080 }] },
  });

  // Waypoints with their Gateway are evaluated (./istio-waypoint.test.ts); without it, not.
  test('a Service selecting the destination with istio.io/use-waypoint whose Gateway is not in the manifests: indeterminate', () => {
    const r = meshReach([...ambientNs, ...apps, byPrincipal, service({ 'istio.io/use-waypoint': 'api-waypoint' })], ISTIO_AMBIENT);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    const why = 'traffic addressed to Service shop/api: Service shop/api names the waypoint shop/api-waypoint '
      + '(istio.io/use-waypoint), but Gateway shop/api-waypoint is not in the manifests: whether it is a waypoint, for which traffic and under which '
      + 'identity is not known';
    // The CNI sees the client's connection to that waypoint and the waypoint's, not known either.
    expect(result.uncertainties).toEqual([`${why}: the CNI sees other connections there, with verdicts not known`, `mesh: ${why}`]);
    // A workload no waypoint Service selects stays exact.
    expect(r.check(w('shop/web'), w('shop/batch'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('without the label, or with use-waypoint none, ztunnel decides exactly', () => {
    for (const labels of [{}, { 'istio.io/use-waypoint': 'none' }] as Array<Record<string, string>>) {
      const r = meshReach([...ambientNs, ...apps, byPrincipal, service(labels)], ISTIO_AMBIENT);
      expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
      expect(r.check(w('shop/batch'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    }
  });
});

describe('targetRefs to Services (waypoints)', () => {
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, ports: [{ port: 8080 }] } };
  const onService = authorizationPolicy('shop', 'api-waypoint', { targetRefs: [{ kind: 'Service', group: '', name: 'api' }], action: 'ALLOW', rules: [{}] });

  // policyattachment.go ShouldAttachPolicy: a workload that is not a gateway ignores targetRef policies;
  // only a waypoint serving the Service enforces them.
  test('ambient: a policy on a Service that no waypoint serves is enforced nowhere; on a Service not in the manifests, indeterminate', () => {
    const ambientNs = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' })];
    const svcAllowNothing = authorizationPolicy('shop', 'api-waypoint', { targetRefs: [{ kind: 'Service', group: '', name: 'api' }], action: 'ALLOW' });
    const result = meshReach([...ambientNs, ...apps, service, svcAllowNothing], ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
    const unknown = meshReach([...ambientNs, ...apps, onService], ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), HTTP);
    expect(unknown.verdict).toBe(Verdict.INDETERMINATE);
    expect(unknown.uncertainties).toEqual(["mesh: AuthorizationPolicy shop/api-waypoint targets the Service 'api', which is not in the manifests: it applies "
      + 'where a waypoint serves that service, which is not modelled']);
    // Another workload of the namespace is not behind that Service.
    expect(meshReach([...ambientNs, ...apps, service, onService], ISTIO_AMBIENT).check(w('shop/web'), w('shop/batch'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('sidecars never take targetRef policies', () => {
    expect(meshReach([...ns, ...apps, service, onService], ISTIO_SIDECAR).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });
});
