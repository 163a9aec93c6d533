/**
 * Service ports declared UDP (upstream sources in src/analysis/mesh/istio-inbound-protocol.ts):
 * istio pkg/config/protocol `Parse` knows `udp`, and pkg/config/kube `ConvertProtocol` reads a TCP
 * Service port named (or with appProtocol) `udp[-*]` as UDP, as it does a `protocol: UDP` port.
 * istiod's Kubernetes registry keeps such a port for the sidecar's inbound chains (controller.go
 * `GetProxyServiceTargetsByPod`, keyed by pod port only in listener_inbound
 * `getFilterChainsByServicePort`); UDP maps to ListenerProtocolUnknown, whose chain options are the TCP
 * ones (`getFilterChainMatchOptions` default branch): the TCP chain, where an ALLOW rule with HTTP-only
 * attributes matches nothing. The krt-based registry (`KrtController.serviceTargetsByPod`) skips UDP
 * ports instead; the control plane's registry is not in the manifests, so where the readings differ
 * the flow is indeterminate. A client's sidecar builds no outbound cluster for a UDP port
 * (cluster.go `buildOutboundClusters`), and a waypoint skips it (listener_waypoint.go
 * `buildWaypointInternal`).
 */
import { authorizationPolicy, ISTIO_AMBIENT, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, service, w, workload } from './support';
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
const GET_ONLY = authorizationPolicy('shop', 'get-only', {
  selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
});

function reach(...objects: any[]) {
  const all = [...base, ...objects];
  expectValidManifests(all);
  return meshReach(all, ISTIO_SIDECAR);
}

describe('a sidecar port a Service declares UDP: the TCP chain, or none (krt registry)', () => {
  const PERMISSIVE = peerAuthentication('shop', 'default', { mtls: { mode: 'PERMISSIVE' } });
  const plaintextGet = (...objects: any[]) => reach(GET_ONLY, PERMISSIVE, namespace('ops'), workload('ops', 'tool'), ...objects)
    .checkRequest(w('ops/tool'), w('shop/api'), PORT, { method: 'GET', path: '/' });

  // krt takes a pod's Services from the EndpointSlices naming it when no ClusterIP Service gives it a
  // TCP port (KrtController.GetProxyServiceTargets: serviceTargetsFromPod empty, then
  // serviceTargetsFromEndpointSlices, which keeps UDP ports and headless Services): the same reading.
  test('a pod whose only Service port is udp-*: both registries read it (krt through its EndpointSlice): the TCP chain, exactly denied', () => {
    const result = plaintextGet(service('shop', 'api', 'api', [{ name: 'udp-api', port: 8080 }]));
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
  });

  test('TCP Service port named udp-*: the TCP chain (the ALLOW rule with methods matches nothing) or, with the krt registry, detected: indeterminate', () => {
    const result = plaintextGet(service('shop', 'api', 'api', [{ name: 'udp-api', port: 8080 }, { name: 'tcp-admin', port: 9000 }]));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    const served = "shop/api's sidecar serves port 8080 as TCP (Service shop/api port 8080 (port name 'udp-api': UDP) declares port 8080 UDP; istiod's "
      + 'Kubernetes registry gives a UDP port the TCP chain (port 8080 is then served as TCP), its krt-based registry skips it (port 8080 is then served '
      + 'with its protocol detected: no Service declares port 8080 but as UDP, so the sidecar detects its protocol), and which one the control plane '
      + 'runs is not in the manifests)';
    expect(result.uncertainties).toEqual([`mesh: ${served.slice(served.indexOf('(') + 1, -1)}: served as HTTP the flow is allowed, served as TCP (rules `
      + 'without their HTTP-only attributes) denied']);
    expect(result.mesh!.reasons).toContain(`AuthorizationPolicy shop/get-only spec.rules[0] (ALLOW): ${served}, and istiod skips this ALLOW rule on the TCP `
      + 'filter chain because it uses HTTP-only attributes (spec.rules[0].to[0].operation.methods): it matches no connection');
  });

  test('...where both readings are TCP (a tcp-* port on the same pod port), exact: the ALLOW rule with methods matches nothing', () => {
    const both = service('shop', 'api', 'api', [{ name: 'udp-api', port: 8080 }, { name: 'tcp-api', port: 9090, targetPort: 8080 }]);
    const result = plaintextGet(both);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
  });

  test('a sidecar client gets no outbound cluster for a UDP Service port: plaintext through the PassthroughCluster or blocked', () => {
    const udpNamed = service('shop', 'api', 'api', [{ name: 'udp-api', port: 8080 }]);
    const why = "every Service port carrying shop/api port 8080 is declared UDP (Service shop/api port 8080 (port name 'udp-api')), for which a client's "
      + 'sidecar builds no outbound cluster; with the outbound traffic policy ALLOW_ANY (the meshConfig default; not in the manifests), REGISTRY_ONLY '
      + "blocks it instead, so it leaves through the PassthroughCluster without the mesh's mutual TLS";
    // STRICT refuses the plaintext: denied either way.
    const strict = reach(udpNamed).check(w('shop/web'), w('shop/api'), PORT);
    expect(strict.verdict).toBe(Verdict.DENY);
    expect(strict.mesh!.reasons[0]).toBe(why);
    // PERMISSIVE takes it: allowed in plaintext, blocked under REGISTRY_ONLY: indeterminate.
    const permissive = reach(udpNamed, peerAuthentication('shop', 'default', { mtls: { mode: 'PERMISSIVE' } })).check(w('shop/web'), w('shop/api'), PORT);
    expect(permissive.verdict).toBe(Verdict.INDETERMINATE);
    expect(permissive.uncertainties).toEqual([`mesh: ${why}`]);
  });

  test('appProtocol wins over the name both ways: appProtocol UDP on an http-named port is UDP, appProtocol http on a udp-named port is HTTP', () => {
    const admin = { name: 'tcp-admin', port: 9000 };
    expect(plaintextGet(service('shop', 'api', 'api', [{ name: 'http-api', appProtocol: 'UDP', port: 8080 }, admin])).verdict).toBe(Verdict.INDETERMINATE);
    expect(plaintextGet(service('shop', 'api', 'api', [{ name: 'udp-api', appProtocol: 'http', port: 8080 }])).verdict).toBe(Verdict.ALLOW);
  });

  test('a protocol: UDP Service port on the same pod port as an http port: which chain the pod port gets is not known', () => {
    const both = service('shop', 'api', 'api', [{ name: 'dns', port: 8080, protocol: 'UDP' }, { name: 'http-api', port: 8080 }]);
    const result = reach(both, GET_ONLY).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      "mesh: Service shop/api port 8080 (protocol UDP, port name 'dns': UDP) declares port 8080 UDP; istiod's Kubernetes registry gives a UDP port the "
        + "TCP chain (Service shop/api port 8080 (port name 'http-api': HTTP), Service shop/api port 8080 (protocol UDP, port name 'dns': UDP) declare "
        + 'port 8080 differently, and istiod serves it with the protocol of the oldest Service, whose creation time is not in the manifests), its '
        + "krt-based registry skips it (port 8080 is then served as HTTP: Service shop/api port 8080 (port name 'http-api': HTTP)), and which one the "
        + 'control plane runs is not in the manifests: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied',
    ]);
  });

  test('an unknown prefix is still detected (HTTP rules apply to an HTTP client)', () => {
    const quic = service('shop', 'api', 'api', [{ name: 'quic-api', port: 8080 }]);
    expect(reach(quic, GET_ONLY).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
  });
});

describe('a waypoint skips a Service port declared UDP', () => {
  const ambient = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
    workload('shop', 'web'), workload('shop', 'api'), {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'shop' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    }];

  test('traffic addressed to that Service port passes a waypoint with no chain for it: indeterminate, not allowed', () => {
    const all = [...ambient, service('shop', 'api', 'api', [{ name: 'udp-api', port: 8080 }])];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    const why = 'traffic addressed to Service shop/api: it passes the waypoint shop/waypoint (namespace shop names the waypoint shop/waypoint '
      + '(istio.io/use-waypoint) and Gateway shop/waypoint takes service traffic (no istio.io/waypoint-for label: the default)), and Service shop/api '
      + "declares port 8080 (port name 'udp-api') UDP, for which the waypoint builds no filter chain: what becomes of the TCP connection there is not "
      + 'modelled';
    expect(result.uncertainties).toEqual([`${why}: the CNI sees other connections there, with verdicts not known`, `mesh: ${why}`]);
  });
});

// The krt-based registry also skips headless Services (KrtController.serviceTargetsFromPod: resolution
// not ClientSideLB); the Kubernetes registry reads them.
describe('a headless Service declaring the pod port', () => {
  const headless = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { clusterIP: 'None', selector: { app: 'api' }, ports: [{ name, port: 8080 }] },
  });

  test('the only Service (a StatefulSet\'s), declared TCP: krt reads it through its EndpointSlice too: the TCP chain, exactly denied', () => {
    const result = reach(GET_ONLY, headless('tcp-api')).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
  });

  test('declared TCP beside a ClusterIP Service of the pod: the TCP chain, or none with the krt registry: indeterminate, not a confident deny', () => {
    const result = reach(GET_ONLY, headless('tcp-api'), service('shop', 'api-admin', 'api', [{ name: 'tcp-admin', port: 9000 }]))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      "mesh: Service shop/api (headless) port 8080 (port name 'tcp-api': TCP) declares port 8080; istiod's Kubernetes registry reads headless Services "
        + 'and UDP ports (the TCP chain) too (port 8080 is then served as TCP), its krt-based registry skips them (port 8080 is then served with its '
        + 'protocol detected: no Service declares port 8080 but those, so the sidecar detects its protocol), and which one the control plane runs is not '
        + 'in the manifests: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied',
    ]);
  });

  test('declared HTTP: HTTP or detected, the same chain for an HTTP client: exact', () => {
    const result = reach(GET_ONLY, headless('http-api')).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.uncertainties).toEqual([]);
  });
});
