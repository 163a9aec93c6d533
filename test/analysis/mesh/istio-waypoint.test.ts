/**
 * Istio ambient waypoints in the mesh layer. Sources:
 * - istio.io "Configure waypoint proxies" (waypoint-for service|workload|all|none, default service;
 *   use-waypoint on namespace, Service, pod; "traffic type concerns the original addressing");
 * - istio.io "Creating authorization policy" (ambient): targetRefs to the Service or the waypoint
 *   Gateway are enforced by the waypoint with the client's identity; selector and namespace-wide
 *   policies by the destination's ztunnel, which sees the waypoint's identity;
 * - istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go (which waypoint, `none`,
 *   traffic types) and pilot/pkg/model/policyattachment.go (ShouldAttachPolicy for waypoints).
 * The questions name pods: every way to address the destination (the pod, each Service selecting
 * it) is evaluated, and the verdict is exact only when they agree.
 */
import { authorizationPolicy, ISTIO_AMBIENT, meshReach, namespace, networkPolicy, peerAuthentication, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const apps = [workload('shop', 'web'), workload('shop', 'api'), workload('shop', 'batch')];
const ambientNs = (labels: Record<string, string> = { 'istio.io/use-waypoint': 'waypoint' }) =>
  [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient', ...labels })];
const gateway = (labels: Record<string, string> = {}, annotations?: Record<string, string>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'waypoint', namespace: 'shop', labels, ...(annotations ? { annotations } : {}) },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
});
const service = (labels: Record<string, string> = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop', labels }, spec: { selector: { app: 'api' }, ports: [{ port: 8080 }] },
});
/** ztunnel-enforced: only `principal` may connect to api. */
const ztunnelAllow = (principal: string) => authorizationPolicy('shop', 'api-ztunnel', {
  selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [principal] } }] }],
});
const WEB = 'cluster.local/ns/shop/sa/web';
const WAYPOINT = 'cluster.local/ns/shop/sa/waypoint';

/** The uncertainties of a flow that may pass a waypoint the analysis cannot describe: the CNI's and the mesh's. */
const withCniHop = (why: string) => [`${why}: the CNI sees other connections there, with verdicts not known`, `mesh: ${why}`];

function reach(objects: any[]) {
  expectValidManifests(objects);
  return meshReach(objects, ISTIO_AMBIENT);
}

describe('service-addressed traffic through a waypoint (targetRef policies)', () => {
  const getFromWeb = authorizationPolicy('shop', 'api-get', {
    targetRefs: [{ kind: 'Service', group: '', name: 'api' }],
    action: 'ALLOW',
    rules: [{ from: [{ source: { principals: [WEB] } }], to: [{ operation: { methods: ['GET'] } }] }],
  });

  test('a targetRef ALLOW on the Service is enforced at the waypoint with the client\'s identity and the request', () => {
    const r = reach([...ambientNs(), gateway({ 'istio.io/waypoint-for': 'service' }), ...apps, service(), getFromWeb]);
    const get = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/orders' });
    expect(get.verdict).toBe(Verdict.ALLOW);
    expect(get.mesh!.reasons).toEqual([
      'traffic addressed to the pod passes no waypoint (namespace shop names the waypoint shop/waypoint (istio.io/use-waypoint), but Gateway '
        + 'shop/waypoint takes service traffic (istio.io/waypoint-for=service), so traffic addressed to the pod does not pass it): the destination\'s '
        + 'ztunnel sees the client',
      'no ALLOW AuthorizationPolicy selects shop/api: Istio allows shop/web -> shop/api TCP/8080 GET /orders (over mutual TLS as cluster.local/ns/shop/sa/web)',
      'traffic addressed to Service shop/api passes the waypoint shop/waypoint: namespace shop names the waypoint shop/waypoint (istio.io/use-waypoint) '
        + 'and Gateway shop/waypoint takes service traffic (istio.io/waypoint-for=service)',
      'at the waypoint shop/waypoint: AuthorizationPolicy shop/api-get spec.rules[0] (ALLOW) allows shop/web -> shop/api TCP/8080 GET /orders (over '
        + 'mutual TLS as cluster.local/ns/shop/sa/web)',
      'at the destination\'s ztunnel, which sees the waypoint\'s identity: no ALLOW AuthorizationPolicy selects shop/api: Istio allows waypoint '
        + 'shop/waypoint -> shop/api TCP/8080 (over mutual TLS as cluster.local/ns/shop/sa/waypoint, the waypoint\'s identity: a waypoint does not pass '
        + 'on the client\'s)',
    ]);
    // The waypoint denies DELETE; a client addressing the pod bypasses the waypoint and nothing denies it.
    const del = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'DELETE', path: '/orders' });
    expect(del.verdict).toBe(Verdict.INDETERMINATE);
    expect(del.uncertainties).toEqual(['mesh: the answer depends on how the client addresses the destination (the question does not say): traffic '
      + 'addressed to the pod: allowed; traffic addressed to Service shop/api: denied']);
  });

  test('with a ztunnel policy admitting only the waypoint (the documented pairing), the waypoint\'s denials are exact', () => {
    const r = reach([...ambientNs(), gateway(), ...apps, service(), getFromWeb, ztunnelAllow(WAYPOINT)]);
    const del = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'DELETE', path: '/orders' });
    expect(del.verdict).toBe(Verdict.DENY);
    expect(del.mesh!.reasons).toContain('at the waypoint shop/waypoint: AuthorizationPolicy shop/api-get applies at the waypoint shop/waypoint, so only '
      + 'what an ALLOW rule matches is allowed, and no rule matches shop/web -> shop/api TCP/8080 DELETE /orders (over mutual TLS as cluster.local/ns/shop/sa/web)');
    expect(r.checkRequest(w('shop/batch'), w('shop/api'), HTTP, { method: 'GET', path: '/orders' }).verdict).toBe(Verdict.DENY);
    // GET is allowed through the Service, but the pod's own address is refused by ztunnel (the client is not the waypoint).
    const get = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/orders' });
    expect(get.verdict).toBe(Verdict.INDETERMINATE);
    expect(get.uncertainties).toEqual(['mesh: the answer depends on how the client addresses the destination (the question does not say): traffic '
      + 'addressed to the pod: denied; traffic addressed to Service shop/api: allowed']);
  });

  test('a targetRef on the waypoint Gateway applies to every path through it (waypoint-for all): exact both ways', () => {
    const onGateway = authorizationPolicy('shop', 'waypoint-get', {
      targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }],
      action: 'ALLOW',
      rules: [{ from: [{ source: { namespaces: ['shop'] } }], to: [{ operation: { methods: ['GET'] } }] }],
    });
    const r = reach([...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...apps, service(), onGateway]);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/' }).verdict).toBe(Verdict.DENY);
    // Without a request the HTTP rule is an L7 constraint on both paths.
    const l4 = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(l4.verdict).toBe(Verdict.ALLOW);
    expect(l4.pairs[0].l7Constraints).toEqual(['only HTTP methods GET (AuthorizationPolicy shop/waypoint-get spec.rules[0] (ALLOW); a non-HTTP connection '
      + 'matches no HTTP rule)']);
    // A Gateway named without the Gateway API group is another object: its DENY-all does not attach.
    const wrongGroup = authorizationPolicy('shop', 'waypoint-get', { targetRefs: [{ kind: 'Gateway', group: '', name: 'waypoint' }], action: 'DENY', rules: [{}] });
    const allowNothingElse = authorizationPolicy('shop', 'waypoint-deny', {
      targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }], action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'] } }] }],
    });
    const r2 = reach([...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...apps, service(), wrongGroup, allowNothingElse]);
    expect(r2.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    expect(r2.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'POST', path: '/' }).verdict).toBe(Verdict.DENY);
  });
});

describe('the destination\'s ztunnel behind a waypoint sees the waypoint\'s identity', () => {
  test('a selector policy that admits only the client\'s principal denies traffic through the waypoint; admitting the waypoint\'s SA allows it', () => {
    const base = [...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...apps, service()];
    const pitfall = reach([...base, ztunnelAllow(WEB)]).check(w('shop/web'), w('shop/api'), HTTP);
    expect(pitfall.verdict).toBe(Verdict.DENY);
    expect(pitfall.mesh!.reasons).toContain('at the destination\'s ztunnel, which sees the waypoint\'s identity: AuthorizationPolicy shop/api-ztunnel '
      + 'selects shop/api, so only what an ALLOW rule matches is allowed, and no rule matches waypoint shop/waypoint -> shop/api TCP/8080 (over mutual TLS '
      + 'as cluster.local/ns/shop/sa/waypoint, the waypoint\'s identity: a waypoint does not pass on the client\'s)');
    expect(reach([...base, ztunnelAllow(WAYPOINT)]).check(w('shop/batch'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    // The identity is the Gateway's name unless gateway.istio.io/service-account names another.
    const renamed = [...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }, { 'gateway.istio.io/service-account': 'wp' }), ...apps, service()];
    expect(reach([...renamed, ztunnelAllow(WAYPOINT)]).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    expect(reach([...renamed, ztunnelAllow('cluster.local/ns/shop/sa/wp')]).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });
});

describe('which traffic passes the waypoint', () => {
  test('waypoint-for service (the default): a pod no Service selects is reached by its address only, past the waypoint, with the client\'s identity', () => {
    for (const labels of [{}, { 'istio.io/waypoint-for': 'service' }] as Array<Record<string, string>>) {
      const r = reach([...ambientNs(), gateway(labels), ...apps, ztunnelAllow(WEB)]);
      const web = r.check(w('shop/web'), w('shop/api'), HTTP);
      expect(web.verdict).toBe(Verdict.ALLOW);
      expect(web.mesh!.reasons).toEqual(['AuthorizationPolicy shop/api-ztunnel spec.rules[0] (ALLOW) allows shop/web -> shop/api TCP/8080 (over mutual '
        + 'TLS as cluster.local/ns/shop/sa/web)']);
      expect(r.check(w('shop/batch'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    }
  });

  test('istio.io/use-waypoint=none on the Service or the pod opts it out of the namespace\'s waypoint', () => {
    // A Service labelled none: neither path passes the waypoint (waypoint-for service leaves the pod's address out).
    const svcNone = reach([...ambientNs(), gateway(), ...apps, service({ 'istio.io/use-waypoint': 'none' }), ztunnelAllow(WEB)]);
    expect(svcNone.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(svcNone.check(w('shop/batch'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    // The same Service without the label takes the namespace's waypoint: the ztunnel policy then sees the waypoint.
    const inherited = reach([...ambientNs(), gateway(), ...apps, service(), ztunnelAllow(WEB)]);
    expect(inherited.check(w('shop/web'), w('shop/api'), HTTP).uncertainties).toEqual(['mesh: the answer depends on how the client addresses the '
      + 'destination (the question does not say): traffic addressed to the pod: allowed; traffic addressed to Service shop/api: denied']);
    // A pod labelled none with a waypoint for all traffic: its address passes no waypoint.
    const podNone = [workload('shop', 'web'), workload('shop', 'api', { podLabels: { 'istio.io/use-waypoint': 'none' } })];
    const r = reach([...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...podNone, ztunnelAllow(WEB)]);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.ALLOW);
  });

  test('a waypoint whose Gateway is not in the manifests: indeterminate, naming the Gateway', () => {
    const r = reach([...ambientNs(), ...apps, ztunnelAllow(WEB)]);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(withCniHop('traffic addressed to the pod: namespace shop names the waypoint shop/waypoint (istio.io/use-waypoint), '
      + 'but Gateway shop/waypoint is not in the manifests: whether it is a waypoint, for which traffic and under which identity is not known'));
    // A Gateway of another class is not modelled either.
    const other = { ...gateway(), spec: { ...gateway().spec, gatewayClassName: 'other-waypoints' } };
    expect(reach([...ambientNs(), other, ...apps]).check(w('shop/web'), w('shop/api'), HTTP).uncertainties).toEqual(withCniHop('traffic addressed to the '
      + 'pod: namespace shop names the waypoint shop/waypoint (istio.io/use-waypoint), of GatewayClass \'other-waypoints\', which is not Istio\'s '
      + 'waypoint class (istio-waypoint): not modelled'));
  });

  // istiod reads the inbound binding from the Gateway, else its GatewayClass (waypoints.go getGatewayOrGatewayClassAnnotation).
  test('an inbound-binding annotation on the waypoint\'s GatewayClass is not modelled either: indeterminate', () => {
    const cls = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'istio-waypoint', annotations: { 'ambient.istio.io/waypoint-inbound-binding': 'PROXY/15088' } },
      spec: { controllerName: 'istio.io/mesh-controller' },
    };
    const result = reach([...ambientNs(), cls, gateway({ 'istio.io/waypoint-for': 'all' }), ...apps]).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(withCniHop('traffic addressed to the pod: namespace shop names the waypoint shop/waypoint (istio.io/use-waypoint); '
      + 'its GatewayClass istio-waypoint has the annotation ambient.istio.io/waypoint-inbound-binding, which is not modelled'));
  });

  test('a waypoint in another namespace attaches only where its HBONE listener admits the namespace (allowedRoutes, default Same)', () => {
    const shared = (from?: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'shared', namespace: 'mesh', labels: { 'istio.io/waypoint-for': 'all' } },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', ...(from ? { allowedRoutes: { namespaces: { from } } } : {}) }],
      },
    });
    const nsLabels = { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'mesh' };
    const objects = (from?: string) => [...ambientNs(nsLabels), namespace('mesh'), shared(from), ...apps, ztunnelAllow('cluster.local/ns/mesh/sa/shared')];
    // Same (the default): istiod attaches no waypoint, so ztunnel sees web, which the policy does not admit.
    expect(reach(objects()).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
    // All: the flow passes mesh/shared, whose identity the policy admits.
    expect(reach(objects('All')).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });
});

describe('what the waypoint evaluation leaves indeterminate, and what it settles', () => {
  test('a root-namespace policy on the GatewayClass istio-waypoint applies at every Istio waypoint', () => {
    const classWide = authorizationPolicy('istio-system', 'no-delete', {
      targetRefs: [{ kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' }],
      action: 'DENY',
      rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }],
    });
    const r = reach([...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...apps, service(), classWide]);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'DELETE', path: '/' }).verdict).toBe(Verdict.DENY);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
  });

  test('a port rule at the waypoint for a Service that maps another port onto the pod\'s: not evaluated', () => {
    const mapped = { ...service(), spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] } };
    const onPort = authorizationPolicy('shop', 'api-port', {
      targetRefs: [{ kind: 'Service', group: '', name: 'api' }], action: 'DENY', rules: [{ to: [{ operation: { ports: ['80'] } }] }],
    });
    const result = reach([...ambientNs(), gateway(), ...apps, mapped, onPort]).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/api-port spec.rules[0] (DENY): spec.rules[0].to[0].operation.ports: which '
      + 'addresses and ports a waypoint matches is not modelled']);
  });

  test('a client outside ambient mode reaching a destination behind a waypoint: indeterminate', () => {
    const legacy = [namespace('legacy'), workload('legacy', 'client')];
    const result = reach([...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...apps, ...legacy]).check(w('legacy/client'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: traffic addressed to the pod passes the waypoint shop/waypoint (namespace shop names the waypoint '
      + 'shop/waypoint (istio.io/use-waypoint) and Gateway shop/waypoint takes all traffic (istio.io/waypoint-for=all)); how a client outside ambient '
      + 'mode reaches it is not modelled']);
  });

  test('a plaintext client of a STRICT destination behind a waypoint: denied, whichever way it addresses the pod', () => {
    // Its plaintext reaches the destination's ztunnel (inbound passthrough), which enforces STRICT;
    // found by test/properties/tenant-mesh.property.test.ts (was indeterminate).
    const legacy = [namespace('legacy'), workload('legacy', 'client')];
    const strict = peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } });
    const r = reach([...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...apps, service(), ...legacy, strict]);
    const result = r.check(w('legacy/client'), w('shop/api'), HTTP);
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.DENY]);
    expect(result.mesh!.decidingRules).toEqual(['PeerAuthentication istio-system/default spec.mtls.mode (deny)']);
    // A meshed client is not refused by STRICT: the waypoint decides (no policy: allowed).
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });
});

describe('addressing', () => {
  test('a headless Service resolves to pod addresses: its clients address the pod, not the Service', () => {
    const headless = { ...service(), spec: { ...service().spec, clusterIP: 'None' } };
    const r = reach([...ambientNs(), gateway(), ...apps, headless, ztunnelAllow(WEB)]);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.check(w('shop/batch'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });

  test('a Service targetRef on a path addressed to the pod through a workload waypoint: not known whether it applies', () => {
    const onService = authorizationPolicy('shop', 'api-get', {
      targetRefs: [{ kind: 'Service', group: '', name: 'api' }], action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
    });
    const r = reach([...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...apps, service(), onService]);
    const result = r.checkRequest(w('shop/web'), w('shop/api'), HTTP, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(["mesh: AuthorizationPolicy shop/api-get targets the Service 'api', which selects the destination: whether the "
      + 'waypoint shop/waypoint applies it to traffic addressed to the pod is not known']);
  });

  // waypoints.go fetchWaypointForService also serves ServiceEntries; a ServiceEntry's workloadSelector
  // makes the pod reachable through its hosts.
  test('a ServiceEntry selecting the pod whose traffic passes a waypoint is another way to address it: indeterminate, not modelled', () => {
    const entry = (labels?: Record<string, string>) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'api-se', namespace: 'shop', ...(labels ? { labels } : {}) },
      spec: {
        hosts: ['api.example.internal'],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        ports: [{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 8080 }],
        workloadSelector: { labels: { app: 'api' } },
      },
    });
    const denyAtWaypoint = authorizationPolicy('shop', 'deny-all', {
      targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }], action: 'DENY', rules: [{}],
    });
    const result = reach([...ambientNs(), gateway(), ...apps, entry(), denyAtWaypoint]).check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(withCniHop('traffic addressed to ServiceEntry shop/api-se: ServiceEntry shop/api-se selects the pod (workloadSelector), '
      + 'and traffic addressed to its hosts passes the waypoint shop/waypoint (namespace shop names the waypoint shop/waypoint (istio.io/use-waypoint) and '
      + 'Gateway shop/waypoint takes service traffic (no istio.io/waypoint-for label: the default)): not modelled'));
    // Opted out of the waypoint, the ServiceEntry's traffic meets the destination's ztunnel only, as the pod's own address does.
    const optedOut = reach([...ambientNs(), gateway(), ...apps, entry({ 'istio.io/use-waypoint': 'none' }), denyAtWaypoint]);
    expect(optedOut.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });
});

// istio.io "Ambient and Kubernetes NetworkPolicy": meshed traffic reaches a pod over HBONE (15008);
// through a waypoint the client connects to the waypoint's pod, which connects to the destination.
describe('the CNI behind a waypoint sees the waypoint\'s connections', () => {
  const ingressOn15008 = (from: Record<string, unknown>) => networkPolicy('shop', 'api-ingress', {
    podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [from], ports: [{ protocol: 'TCP', port: 15008 }] }],
  });
  const base = [...ambientNs(), gateway({ 'istio.io/waypoint-for': 'all' }), ...apps, service()];

  test('a NetworkPolicy that admits only the client on 15008 may block the waypoint: indeterminate in check and matrix', () => {
    const r = reach([...base, ingressOn15008({ podSelector: { matchLabels: { app: 'web' } } })]);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.pairs[0].cniVerdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['traffic addressed to the pod passes the waypoint shop/waypoint, so the CNI sees the client\'s HBONE connection '
      + 'to the waypoint and the waypoint\'s to the destination: the CNI gives those TCP/15008 connections denied and the direct one allowed']);
    const flow = r.matrix().flows.find((f) => f.source === 'shop/web' && f.destination === 'shop/api')!;
    expect(flow.verdict).toBe(Verdict.INDETERMINATE);
    expect(flow.reason).toContain('CNI: traffic addressed to the pod passes the waypoint shop/waypoint, so the CNI sees the client\'s HBONE connection to '
      + 'the waypoint and the waypoint\'s to the destination, which may get another verdict than the direct connection');
  });

  test('a waypoint whose Gateway is not in the manifests: the CNI\'s "denied" of the direct connection decides nothing', () => {
    // The only NetworkPolicy admits the waypoint's namespace on 15008: the direct HBONE connection is
    // denied, the connections through the (undescribed) waypoint may well pass.
    const labels = { 'istio.io/use-waypoint': 'wp', 'istio.io/use-waypoint-namespace': 'mesh' };
    const objects = [...ambientNs(labels), namespace('mesh'), ...apps, service(),
      ingressOn15008({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mesh' } } })];
    const r = reach(objects);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.pairs[0].cniVerdict).toBe(Verdict.INDETERMINATE);
    const hop = result.uncertainties.filter((u) => u.includes('the CNI sees other connections there'));
    expect(hop).toHaveLength(2);
    expect(hop[0]).toMatch(/^traffic addressed to the pod: .*Gateway mesh\/wp.*: the CNI sees other connections there, with verdicts not known$/);
    const flow = r.matrix().flows.find((f) => f.source === 'shop/web' && f.destination === 'shop/api')!;
    expect(flow.verdict).toBe(Verdict.INDETERMINATE);
    expect(flow.reason).toContain('the CNI sees other connections there, with verdicts not known');
  });

  test('admitting every pod of the namespace on 15008 lets the waypoint through too: exact', () => {
    const r = reach([...base, ingressOn15008({ podSelector: {} })]);
    expect(r.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    expect(r.matrix().flows.find((f) => f.source === 'shop/web' && f.destination === 'shop/api')!.verdict).toBe(Verdict.ALLOW);
  });
  test('the waypoint\'s pod is a pod like the others: somewhere in the pod CIDRs, so an ipBlock of those CIDRs admits it exactly', () => {
    // Found by test/properties/tenant-mesh.property.test.ts (dual-stack Calico): the waypoint's pod had no
    // address space, so any address (the IPv6 metadata address too) and the CNI verdict was indeterminate.
    const objects = [...base, ingressOn15008({ ipBlock: { cidr: '10.244.0.0/16' } })];
    expectValidManifests(objects);
    const r = meshReach(objects, ISTIO_AMBIENT, { podCidrs: ['10.244.0.0/16'] });
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect([result.verdict, result.pairs[0].cniVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    // Another block: denied on every way (the direct connection and the waypoint's).
    const elsewhere = meshReach([...base, ingressOn15008({ ipBlock: { cidr: '192.168.0.0/16' } })], ISTIO_AMBIENT, { podCidrs: ['10.244.0.0/16'] });
    expect(elsewhere.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });
});
