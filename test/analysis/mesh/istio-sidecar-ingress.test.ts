/**
 * An Istio Sidecar resource with ingress listeners decides how the pod's sidecar serves its inbound
 * ports (upstream sources in src/analysis/mesh/istio-sidecar-ingress.ts): istio/istio
 * pilot/pkg/networking/core/listener_inbound.go `buildInboundChainConfigs` builds the inbound chains
 * from the listeners (protocol `Parse(port.protocol)`) instead of the Services, and
 * pilot/pkg/model/push_context.go `getSidecarScope` picks the Sidecar: workloadSelector in the pod's
 * namespace, else namespace-wide, else the root namespace's.
 */
import { authorizationPolicy, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, podWithIp, service, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const base = [
  namespace('istio-system'),
  namespace('shop', { 'istio-injection': 'enabled' }),
  namespace('other', { 'istio-injection': 'enabled' }),
  workload('shop', 'web'),
  workload('shop', 'api'),
  peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
];
const PORT = Port.tcp(8080);
const HTTP_SERVICE = service('shop', 'api', 'api', [{ name: 'http-api', port: 8080 }]);
const TCP_SERVICE = service('shop', 'api', 'api', [{ name: 'tcp-api', port: 8080 }]);
const GET_ONLY = authorizationPolicy('shop', 'get-only', {
  selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
});
const IDENTITY = 'over mutual TLS as cluster.local/ns/shop/sa/web';

function sidecar(ns: string, name: string, ingress: Array<Record<string, unknown>>, labels?: Record<string, string>): any {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    metadata: { name, namespace: ns },
    spec: { ...(labels ? { workloadSelector: { labels } } : {}), ...(ingress.length > 0 ? { ingress } : { egress: [{ hosts: ['./*'] }] }) },
  };
}
const listener = (port: number, protocol: string) => ({ port: { number: port, protocol, name: `${protocol.toLowerCase()}-${port}` }, defaultEndpoint: `127.0.0.1:${port}` });

function reach(...objects: any[]) {
  const all = [...base, ...objects];
  expectValidManifests(all);
  return meshReach(all, ISTIO_SIDECAR);
}

describe('a Sidecar ingress listener gives the port its protocol, whatever the Services say', () => {
  test('TCP listener, Service port http-*: the ALLOW rule with methods matches nothing', () => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sidecar('shop', 'api', [listener(8080, 'TCP')], { app: 'api' })).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
    expect(result.mesh!.reasons).toEqual([
      "AuthorizationPolicy shop/get-only spec.rules[0] (ALLOW): shop/api's sidecar serves port 8080 as TCP (Sidecar shop/api ingress[0] port 8080 "
        + "(protocol 'TCP': TCP)), and istiod skips this ALLOW rule on the TCP filter chain because it uses HTTP-only attributes "
        + '(spec.rules[0].to[0].operation.methods): it matches no connection',
      `AuthorizationPolicy shop/get-only selects shop/api, so only what an ALLOW rule matches is allowed, and no rule matches shop/web -> shop/api TCP/8080 (${IDENTITY})`,
    ]);
  });

  test('HTTP listener (any case), Service port tcp-*: the rule is evaluated, a GET is allowed and a POST denied', () => {
    const r = reach(TCP_SERVICE, GET_ONLY, sidecar('shop', 'api', [listener(8080, 'http')], { app: 'api' }));
    expect(r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'POST', path: '/' }).verdict).toBe(Verdict.DENY);
  });

  test('the root namespace\'s Sidecar without workloadSelector is the mesh default', () => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sidecar('istio-system', 'default', [listener(8080, 'TCP')])).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons[0]).toContain('(Sidecar istio-system/default ingress[0] port 8080 (protocol \'TCP\': TCP))');
  });

  test.each(['networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'])('a Sidecar served as %s applies the same', (apiVersion) => {
    const sc = { ...sidecar('shop', 'api', [listener(8080, 'TCP')], { app: 'api' }), apiVersion };
    expect(reach(HTTP_SERVICE, GET_ONLY, sc).check(w('shop/web'), w('shop/api'), PORT).verdict).toBe(Verdict.DENY);
  });
});

describe('a Sidecar that does not apply changes nothing', () => {
  const noSidecar = () => reach(HTTP_SERVICE, GET_ONLY).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
  test.each([
    ['in another namespace', sidecar('other', 'api', [listener(8080, 'TCP')])],
    ['selecting other pods', sidecar('shop', 'api', [listener(8080, 'TCP')], { app: 'web' })],
    ['in the root namespace with a workloadSelector', sidecar('istio-system', 'api', [listener(8080, 'TCP')], { app: 'api' })],
  ])('%s: the Services decide (HTTP, a GET allowed)', (_what, sc) => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sc).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons).toEqual(noSidecar().mesh!.reasons);
  });

  test('the namespace\'s own Sidecar without ingress shadows the root default', () => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sidecar('istio-system', 'default', [listener(8080, 'TCP')]), sidecar('shop', 'default', []))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.ALLOW);
  });

  test('a selecting Sidecar without ingress wins over the namespace-wide one with ingress', () => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sidecar('shop', 'default', [listener(8080, 'TCP')]), sidecar('shop', 'api', [], { app: 'api' }))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.ALLOW);
  });
});

describe('what is not known', () => {
  test('a port the Sidecar does not list, declared TCP by a Service: passthrough by default, the Service\'s with the merge setting', () => {
    const result = reach(TCP_SERVICE, GET_ONLY, sidecar('shop', 'api', [listener(9090, 'HTTP')], { app: 'api' }))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'mesh: Sidecar shop/api has ingress listeners, none for port 8080, so the sidecar sends it to the passthrough chains, which detect its protocol, '
        + 'unless istiod runs with PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE (default false, not in the manifests), where the Services '
        + "declare it: Service shop/api port 8080 (port name 'tcp-api': TCP): served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied",
    ]);
  });

  test('two namespace-wide Sidecars with different ingress: which applies is not known', () => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sidecar('shop', 'a', [listener(8080, 'TCP')]), sidecar('shop', 'b', [listener(8080, 'HTTP')]))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'mesh: Sidecar shop/a, Sidecar shop/b all apply to shop/api with different ingress listeners, and istiod uses the oldest, whose creation time '
        + 'is not in the manifests: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied',
    ]);
  });

  test('a protocol Istio does not know: istiod rejects the Sidecar, so how the port is served is not known', () => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sidecar('shop', 'api', [listener(8080, 'thrift')], { app: 'api' }))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      "mesh: Sidecar shop/api applies to shop/api, but its ingress[0].port.protocol 'thrift' is not a protocol Istio knows, so istiod's validation "
        + 'rejects it: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied',
    ]);
  });
});

describe('listeners not modelled', () => {
  const TLS = { mode: 'SIMPLE', serverCertificate: '/etc/certs/cert.pem', privateKey: '/etc/certs/key.pem' };
  const get = (...objects: any[]) => reach(HTTP_SERVICE, GET_ONLY, ...objects).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });

  test('tls on an HTTPS listener: HTTP after termination only with ENABLE_TLS_ON_SIDECAR_INGRESS, so not known', () => {
    const result = get(sidecar('shop', 'api', [{ ...listener(8080, 'HTTPS'), tls: TLS }], { app: 'api' }));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'mesh: Sidecar shop/api ingress[0] terminates TLS on HTTPS port 8080: served as HTTP if istiod runs with ENABLE_TLS_ON_SIDECAR_INGRESS (default '
        + 'false), else as TCP, which is not in the manifests: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied',
    ]);
  });

  test('tls on a TLS listener: TCP either way, exact', () => {
    const result = get(sidecar('shop', 'api', [{ ...listener(8080, 'TLS'), tls: TLS }], { app: 'api' }));
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
  });

  test('captureMode NONE: not known', () => {
    const result = get(sidecar('shop', 'api', [{ ...listener(8080, 'TCP'), captureMode: 'NONE' }], { app: 'api' }));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'mesh: Sidecar shop/api ingress[0] has captureMode NONE (a listener bound to port 8080), which is not modelled: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied',
    ]);
  });
});

describe('a Sidecar istiod rejects', () => {
  test.each([
    ['a port listed twice', [listener(8080, 'TCP'), listener(8080, 'HTTP')], 'its ingress lists port 8080 twice'],
    ['a targetPort', [{ ...listener(8080, 'TCP'), port: { number: 8080, protocol: 'TCP', targetPort: 9090 } }],
      'its ingress[0].port.targetPort is set ("targetPort has no impact on Sidecars")'],
    ['tls on a TCP port', [{ ...listener(8080, 'TCP'), tls: { mode: 'SIMPLE' } }], 'its ingress[0] has tls on a port whose protocol is not HTTPS or TLS'],
  ])('%s: not known', (_what, ingress, why) => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sidecar('shop', 'api', ingress, { app: 'api' }))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([`mesh: Sidecar shop/api applies to shop/api, but ${why}, so istiod's validation rejects it: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied`]);
  });
});

describe('agreeing answers stay exact', () => {
  test('a port the Sidecar does not list, declared HTTP by a Service: HTTP either way, the rule is evaluated', () => {
    const r = reach(HTTP_SERVICE, GET_ONLY, sidecar('shop', 'api', [listener(9090, 'TCP')], { app: 'api' }));
    expect(r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    expect(r.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'POST', path: '/' }).verdict).toBe(Verdict.DENY);
  });

  test('two namespace-wide Sidecars with the same ingress: exact', () => {
    const result = reach(HTTP_SERVICE, GET_ONLY, sidecar('shop', 'a', [listener(8080, 'TCP')]), sidecar('shop', 'b', [listener(8080, 'TCP')]))
      .check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
  });
});

// The remote address (./istio-remote-address): X-Forwarded-For sets it on an HTTP chain only.
describe('the remote address follows the Sidecar\'s protocol', () => {
  const ext = podWithIp('shop', 'ext', '10.9.0.7');
  const denyPeer = authorizationPolicy('shop', 'p', {
    selector: { matchLabels: { app: 'api' } }, action: 'DENY', rules: [{ from: [{ source: { remoteIpBlocks: ['10.9.0.0/16'] } }] }],
  });

  test('TCP listener, Service port http-*: the remote address is the peer, so the DENY is exact', () => {
    const result = reach(ext, HTTP_SERVICE, denyPeer, sidecar('shop', 'api', [listener(8080, 'TCP')], { app: 'api' })).check(w('shop/ext'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
  });

  test('HTTP listener, Service port tcp-*: a client picks the address by X-Forwarded-For, naming the Sidecar', () => {
    const result = reach(ext, TCP_SERVICE, denyPeer, sidecar('shop', 'api', [listener(8080, 'HTTP')], { app: 'api' })).check(w('shop/ext'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): spec.rules[0].from[0].source.remoteIpBlocks: a client speaking HTTP to port 8080 '
        + "(Sidecar shop/api ingress[0] port 8080 (protocol 'HTTP': HTTP)) writes the remote address: the sidecar takes the last entry of its "
        + 'X-Forwarded-For header (Envoy use_remote_address false on sidecar inbound), so the client picks the address matched here',
    ]);
  });
});
