/**
 * Kubelet probes to Istio ambient pods: istio-cni SNATs every TCP connection a socket of the node
 * opens to an ambient pod to 169.254.7.127 (IPv6 fd16:9254:7127:1337:ffff:ffff:ffff:ffff), and the
 * pod's own rules accept TCP from that address before ztunnel (istio/istio cni/pkg/iptables/iptables.go
 * AppendHostRules, testdata/default.golden `ISTIO_PRERT -s 169.254.7.127 -p tcp -j ACCEPT`; istio.io
 * "Ambient and Kubernetes NetworkPolicy"). STRICT mutual TLS, allow-nothing and waypoints do not
 * apply to them; found by test/properties/tenant-mesh.property.test.ts.
 */
import { authorizationPolicy, ISTIO_AMBIENT, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, w, workload } from './support';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const strict = peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } });
const allowNothing = authorizationPolicy('shop', 'allow-nothing', {});
const waypoint = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'all' } },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
};

function ambient(useWaypoint: boolean) {
  const objects = [
    namespace('istio-system'),
    namespace('shop', { 'istio.io/dataplane-mode': 'ambient', ...(useWaypoint ? { 'istio.io/use-waypoint': 'waypoint' } : {}) }),
    workload('shop', 'api'),
    strict,
    allowNothing,
    ...(useWaypoint ? [waypoint] : []),
  ];
  expectValidManifests(objects);
  return meshReach(objects, ISTIO_AMBIENT);
}

const RULES = 'istio-cni translates it to the host probe address and the pod\'s redirection rules accept TCP from that address before ztunnel, '
  + 'so no Istio policy applies';

describe.each([['without waypoint', false], ['behind a waypoint', true]] as const)('an ambient pod %s, STRICT and allow-nothing', (_what, useWaypoint) => {
  const r = ambient(useWaypoint);

  test.each([
    ['169.254.7.127', Target.external('169.254.7.127'), `169.254.7.127 is the host probe address of Istio ambient: ${RULES}`],
    ['the IPv6 probe address', Target.external('fd16:9254:7127:1337:ffff:ffff:ffff:ffff'),
      `fd16:9254:7127:1337:ffff:ffff:ffff:ffff is the host probe address of Istio ambient: ${RULES}`],
    ['its own node (the kubelet)', Target.localNode(), `a connection from the destination's own node (kubelet probes, host processes): ${RULES}`],
  ])('%s reaches it: the connection passes ztunnel by', (_from, source, reason) => {
    const result = r.check(source, w('shop/api'), HTTP);
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.mesh!.reasons).toEqual([reason]);
  });

  test('another link-local address, a remote node and a meshed pod get no such exception', () => {
    for (const source of [Target.external('169.254.7.128'), Target.remoteNode(), w('shop/api')]) {
      expect(r.check(source, w('shop/api'), HTTP).meshVerdict).not.toBe(Verdict.ALLOW);
    }
  });
});

test('a sidecar pod gets no such exception: the probe address is a plaintext client STRICT refuses', () => {
  const objects = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'api'), strict];
  const result = meshReach(objects, ISTIO_SIDECAR).check(Target.external('169.254.7.127'), w('shop/api'), HTTP);
  expect(result.meshVerdict).toBe(Verdict.DENY);
});
