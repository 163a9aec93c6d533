/**
 * Who sets the remote address Istio's remoteIpBlocks and remote.ip match, on connection questions
 * (no request): upstream sources in src/analysis/mesh/istio-remote-address.ts.
 *
 * - remoteIpBlocks / remote.ip become Envoy RBAC `remote_ip`, ipBlocks `direct_remote_ip` (istio
 *   pilot/pkg/security/authz/model generator.go).
 * - A sidecar's inbound HTTP connection manager has use_remote_address false (istio pilot
 *   networking/core listener_inbound.go buildSidecarInboundHTTPOpts), so Envoy takes the remote
 *   address from the last entry of X-Forwarded-For (Envoy docs, x-forwarded-for): a client speaking
 *   HTTP to the port picks it. A port every Service declares TCP gets the RBAC network filter, which
 *   reads the peer.
 */
import { authorizationPolicy, ISTIO_AMBIENT, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, podWithIp, service, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';

const base = [
  namespace('istio-system'),
  namespace('shop', { 'istio-injection': 'enabled' }),
  workload('shop', 'api'),
  podWithIp('shop', 'ext', '10.9.0.7'),
  peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
];
const PORT = Port.tcp(8080);
const policy = (action: string, rule: Record<string, unknown>, app = 'api') =>
  authorizationPolicy('shop', 'p', { selector: { matchLabels: { app } }, action, rules: [rule] });
const remoteIpBlocks = (blocks: string[]) => ({ from: [{ source: { remoteIpBlocks: blocks } }] });
const PEER = ['10.9.0.0/16'];
const OTHER = ['192.0.2.0/24'];

function check(...objects: any[]) {
  return meshReach([...base, ...objects], ISTIO_SIDECAR).check(w('shop/ext'), w('shop/api'), PORT);
}

const PICKS = (protocol: string) => `a client speaking HTTP to port 8080 (${protocol}) writes the remote address: the sidecar takes the last entry of `
  + 'its X-Forwarded-For header (Envoy use_remote_address false on sidecar inbound), so the client picks the address matched here';
const DETECTED = 'no Service declares port 8080, so the sidecar detects its protocol';

describe('remote address on connection checks to a sidecar', () => {
  test('a DENY on remoteIpBlocks or remote.ip that matches the peer: indeterminate (an X-Forwarded-For header passes it)', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [remoteIpBlocks(PEER), 'spec.rules[0].from[0].source.remoteIpBlocks'],
      [{ when: [{ key: 'remote.ip', values: PEER }] }, 'spec.rules[0].when[0] (remote.ip)'],
      [{ from: [{ source: { notRemoteIpBlocks: OTHER } }] }, 'spec.rules[0].from[0].source.notRemoteIpBlocks'],
    ];
    for (const [rule, where] of cases) {
      const result = check(policy('DENY', rule));
      expect(result.verdict).toBe(Verdict.INDETERMINATE);
      expect(result.uncertainties).toEqual([`mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): ${where}: ${PICKS(DETECTED)}`]);
    }
  });

  test('an ALLOW on remoteIpBlocks that misses the peer: indeterminate, not a confident deny', () => {
    for (const rule of [remoteIpBlocks(OTHER), { when: [{ key: 'remote.ip', notValues: PEER }] }]) {
      const result = check(policy('ALLOW', rule));
      expect(result.verdict).toBe(Verdict.INDETERMINATE);
      expect(result.uncertainties).toHaveLength(1);
      expect(result.uncertainties[0]).toMatch(/^mesh: AuthorizationPolicy shop\/p spec\.rules\[0\] \(ALLOW\): spec\.rules\[0\]\.\S+( \(remote\.ip\))?: a client speaking HTTP/);
    }
  });

  test('the way the client gains nothing stays exact: a matching ALLOW allows, a missed DENY allows', () => {
    expect(check(policy('ALLOW', remoteIpBlocks(PEER))).verdict).toBe(Verdict.ALLOW);
    expect(check(policy('DENY', remoteIpBlocks(OTHER))).verdict).toBe(Verdict.ALLOW);
    expect(check(policy('DENY', { when: [{ key: 'remote.ip', notValues: PEER }] })).verdict).toBe(Verdict.ALLOW);
  });

  test('blocks holding every address (0.0.0.0/0 and ::/0) cannot be missed: the DENY stays exact', () => {
    const result = check(policy('DENY', remoteIpBlocks(['0.0.0.0/0', '::/0'])));
    expect(result.verdict).toBe(Verdict.DENY);
    // IPv4 only: an IPv6 address in X-Forwarded-For misses it.
    expect(check(policy('DENY', remoteIpBlocks(['0.0.0.0/0']))).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('ipBlocks and source.ip read the peer (direct_remote_ip), which no header changes: exact', () => {
    expect(check(policy('DENY', { from: [{ source: { ipBlocks: PEER } }] })).verdict).toBe(Verdict.DENY);
    expect(check(policy('DENY', { when: [{ key: 'source.ip', values: PEER }] })).verdict).toBe(Verdict.DENY);
    expect(check(policy('ALLOW', { from: [{ source: { ipBlocks: OTHER } }] })).verdict).toBe(Verdict.DENY);
  });

  test('a port every Service declares TCP (name or appProtocol) has no HTTP chain: the peer, exact', () => {
    for (const declared of [{ name: 'tcp-api', port: 80, targetPort: 8080 }, { name: 'web', appProtocol: 'mysql', port: 8080 }]) {
      const svc = service('shop', 'api', 'api', [declared]);
      expect(check(svc, policy('DENY', remoteIpBlocks(PEER))).verdict).toBe(Verdict.DENY);
      expect(check(svc, policy('ALLOW', remoteIpBlocks(OTHER))).verdict).toBe(Verdict.DENY);
    }
    // A name Istio does not know, on a well-known port (3306): TCP.
    expect(check(service('shop', 'db', 'api', [{ name: 'db', port: 3306, targetPort: 8080 }]), policy('DENY', remoteIpBlocks(PEER))).verdict)
      .toBe(Verdict.DENY);
  });

  test('an HTTP or undeclared protocol on the port leaves it open to X-Forwarded-For, and says which Service', () => {
    const http = service('shop', 'api', 'api', [{ name: 'http-api', port: 80, targetPort: 8080 }]);
    const result = check(http, policy('DENY', remoteIpBlocks(PEER)));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([`mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): spec.rules[0].from[0].source.remoteIpBlocks: ${
      PICKS("Service shop/api port 80 (port name 'http-api': HTTP)")}`]);
    const web = service('shop', 'api', 'api', [{ name: 'web', port: 80, targetPort: 8080 }]);
    expect(check(web, policy('DENY', remoteIpBlocks(PEER))).uncertainties).toEqual([
      `mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): spec.rules[0].from[0].source.remoteIpBlocks: ${
        PICKS("Service shop/api port 80 (port name 'web': protocol detected)")}`,
    ]);
  });

  // istiod keeps the oldest Service's protocol for a pod port several Services declare (pilot
  // networking/core listener_inbound.go buildInboundChainConfigs); creation times are not in the manifests.
  const CONFLICT = 'Service shop/api-tcp port 9000 (port name \'tcp\': TCP), Service shop/api port 80 (port name \'http-api\': HTTP) declare port '
    + '8080 differently, and istiod serves it with the protocol of the oldest Service, whose creation time is not in the manifests';
  const conflicting = () => [service('shop', 'api-tcp', 'api', [{ name: 'tcp', port: 9000, targetPort: 8080 }]),
    service('shop', 'api', 'api', [{ name: 'http-api', port: 80, targetPort: 8080 }])];

  test('Services that disagree on TCP for the port: whether the client picks the address is not known', () => {
    const result = check(...conflicting(), policy('DENY', remoteIpBlocks(PEER)));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): spec.rules[0].from[0].source.remoteIpBlocks: '
      + 'whether the sidecar serves port 8080 as HTTP, where a client picks the remote address by the last entry of its X-Forwarded-For header, '
      + `or as TCP, where it is the peer, is not known: ${CONFLICT}`]);
  });

  test('Services that disagree on TCP for the port: a request\'s X-Forwarded-For is not evaluated (the oldest Service may make it the peer)', () => {
    const r = meshReach([...base, ...conflicting(), policy('DENY', remoteIpBlocks(PEER))], ISTIO_SIDECAR);
    const result = r.checkRequest(w('shop/ext'), w('shop/api'), PORT, { method: 'GET', path: '/', headers: { 'X-Forwarded-For': '192.0.2.7' } });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): spec.rules[0].from[0].source.remoteIpBlocks: '
      + 'the request carries X-Forwarded-For, from which the sidecar takes the remote address only if it serves port 8080 as HTTP (else the peer): '
      + `${CONFLICT}; not evaluated`]);
  });

  test('a named targetPort is read through the pod\'s named ports', () => {
    const objects = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'api', { ports: [{ name: 'db', port: 8080 }] }),
      podWithIp('shop', 'ext', '10.9.0.7'), policy('DENY', remoteIpBlocks(PEER))];
    const verdict = (targetPort: string) => meshReach([...objects, service('shop', 'api', 'api', [{ name: 'tcp', port: 5432, targetPort }])], ISTIO_SIDECAR)
      .check(w('shop/ext'), w('shop/api'), PORT).verdict;
    expect(verdict('db')).toBe(Verdict.DENY);
    // A name the pod does not have: the Service declares no port of it, so 8080 is detected.
    expect(verdict('other')).toBe(Verdict.INDETERMINATE);
  });

  test('a request question without X-Forwarded-For reads the peer: exact', () => {
    const r = meshReach([...base, policy('DENY', remoteIpBlocks(PEER))], ISTIO_SIDECAR);
    expect(r.checkRequest(w('shop/ext'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.DENY);
  });

  test('a request question with X-Forwarded-For: the sidecar reads its last entry; a TCP port and a gateway do not', () => {
    const xff = (objects: any[], to = 'shop/api') => meshReach([...base, ...objects], ISTIO_SIDECAR)
      .checkRequest(w('shop/ext'), w(to), PORT, { method: 'GET', path: '/', headers: { 'x-forwarded-for': '192.0.2.7' } });
    expect(xff([policy('ALLOW', remoteIpBlocks(OTHER))]).verdict).toBe(Verdict.ALLOW);
    expect(xff([policy('DENY', remoteIpBlocks(PEER))]).verdict).toBe(Verdict.ALLOW);
    // A port declared TCP gets the RBAC network filter, which reads no header: the peer.
    const tcp = service('shop', 'api', 'api', [{ name: 'tcp', port: 8080 }]);
    expect(xff([tcp, policy('DENY', remoteIpBlocks(PEER))]).verdict).toBe(Verdict.DENY);
    expect(xff([tcp, policy('ALLOW', remoteIpBlocks(OTHER))]).verdict).toBe(Verdict.DENY);
    const gateway = xff([workload('shop', 'gw', { podLabels: { istio: 'ingressgateway' } }), policy('DENY', remoteIpBlocks(PEER), 'gw')], 'shop/gw');
    expect(gateway.verdict).toBe(Verdict.INDETERMINATE);
    expect(gateway.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): spec.rules[0].from[0].source.remoteIpBlocks: the '
      + 'request carries X-Forwarded-For, from which an Istio gateway takes the remote address as many hops back as meshConfig gatewayTopology '
      + 'numTrustedProxies says, which is not in the manifests; not evaluated']);
  });

  test('X-Forwarded-For entries are trimmed as Envoy trims them (ASCII whitespace only): a no-break space leaves no address', () => {
    // Envoy Utility::getLastAddressFromXFF trims with StringUtil::ltrim/rtrim, whose WhitespaceChars are " \t\f\v\n\r".
    const r = meshReach([...base, policy('DENY', remoteIpBlocks(PEER))], ISTIO_SIDECAR);
    const xff = (header: string) => r.checkRequest(w('shop/ext'), w('shop/api'), PORT, { method: 'GET', path: '/', headers: { 'x-forwarded-for': header } });
    expect(xff('10.9.0.1, 192.0.2.7\t ').verdict).toBe(Verdict.ALLOW);
    const nbsp = xff('192.0.2.7\u00a0');
    expect(nbsp.verdict).toBe(Verdict.INDETERMINATE);
    expect(nbsp.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): spec.rules[0].from[0].source.remoteIpBlocks: the last '
      + 'entry of the request\'s X-Forwarded-For (\'192.0.2.7\u00a0\'), from which the sidecar takes the remote address, is not a plain IP address; '
      + 'not evaluated']);
  });

  test('the flow matrix gives the connection the same indeterminate verdict', () => {
    const r = meshReach([...base, policy('DENY', remoteIpBlocks(PEER))], ISTIO_SIDECAR);
    const flow = r.matrix().flows.find((f) => f.source === 'shop/ext' && f.destination === 'shop/api')!;
    expect(flow.meshVerdict).toBe(Verdict.INDETERMINATE);
  });

  test('an Istio gateway: the remote address depends on numTrustedProxies, not in the manifests: indeterminate', () => {
    // The gateway chart's pod label (istio: ingressgateway), or its injection template annotation.
    const gateways = [workload('shop', 'gw', { podLabels: { istio: 'ingressgateway' } }),
      workload('shop', 'gw', { podLabels: { istio: 'edge' }, annotations: { 'inject.istio.io/templates': 'gateway' } })];
    for (const gw of gateways) {
      // Even behind a port declared TCP: the gateway's own servers decide, which are not read.
      const r = meshReach([...base, gw, service('shop', 'gw', 'gw', [{ name: 'tcp', port: 8080 }]), policy('DENY', remoteIpBlocks(PEER), 'gw')],
        ISTIO_SIDECAR);
      const result = r.check(w('shop/ext'), w('shop/gw'), PORT);
      expect(result.verdict).toBe(Verdict.INDETERMINATE);
      expect(result.uncertainties).toEqual(['mesh: AuthorizationPolicy shop/p spec.rules[0] (DENY): spec.rules[0].from[0].source.remoteIpBlocks: the '
        + 'destination is an Istio gateway, whose remote address is the peer unless meshConfig gatewayTopology numTrustedProxies (or the pod\'s '
        + 'proxy.istio.io/config) is above 0; then it comes from X-Forwarded-For, which a client connecting directly writes. That setting is not in '
        + 'the manifests, so the address matched here is not known']);
    }
  });

  test('ztunnel (ambient) never sees remoteIpBlocks: unchanged', () => {
    const ambient = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }), workload('shop', 'api'),
      podWithIp('shop', 'ext', '10.9.0.7'), policy('ALLOW', remoteIpBlocks(PEER))];
    // istiod omits an ALLOW rule with L7 attributes: nothing matches, so the connection is denied.
    expect(meshReach(ambient, ISTIO_AMBIENT).check(w('shop/ext'), w('shop/api'), PORT).verdict).toBe(Verdict.DENY);
  });
});
