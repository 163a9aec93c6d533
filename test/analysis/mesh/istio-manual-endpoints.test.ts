/**
 * Services without a selector whose endpoints are written by hand (upstream sources in
 * src/analysis/mesh/istio-manual-endpoints.ts). istiod gives a sidecar whose pod no Service selects the
 * Service targets of the EndpointSlices naming its address (pilot/pkg/serviceregistry/kube/controller
 * controller.go `GetProxyServiceTargets`, "2. Headless service without selector"), so such a Service
 * can declare a pod port TCP; in ambient mode, traffic addressed to it may pass its waypoint. Pods in
 * the manifests rarely carry their address: where a slice may name the pod, the answer is
 * indeterminate, never a confident allow.
 */
import { authorizationPolicy, ISTIO_AMBIENT, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, podWithIp, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const PORT = Port.tcp(8080);
const GET_ONLY = authorizationPolicy('shop', 'get-only', {
  selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
});
const LEGACY = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'legacy', namespace: 'shop' }, spec: { ports: [{ name: 'tcp-legacy', port: 80 }] } };
const sliceFor = (ip: string) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'legacy-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'legacy' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: [ip] }],
  ports: [{ name: 'tcp-legacy', port: 8080, protocol: 'TCP' }],
});

function sidecarReach(...objects: any[]) {
  const all = [namespace('istio-system'), namespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'web'),
    peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }), GET_ONLY, ...objects];
  expectValidManifests(all);
  return meshReach(all, ISTIO_SIDECAR);
}

describe('sidecar: a selector-less Service declaring the pod port TCP through its EndpointSlice', () => {
  test('the pod\'s address is not in the manifests: whether the port is TCP is not known, so a GET is indeterminate, not allowed', () => {
    const result = sidecarReach(workload('shop', 'api'), LEGACY, sliceFor('10.1.2.3'))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'mesh: no Service with a selector selects shop/api, so istiod takes its Services from the EndpointSlices naming its address; Service shop/legacy '
        + "port 80 (port name 'tcp-legacy': TCP; no selector) through EndpointSlice shop/legacy-1 may name it (its address is not in the manifests): if so "
        + 'port 8080 is served as TCP, else its protocol is detected: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only '
        + 'attributes) denied',
    ]);
  });

  test('the slice names the pod\'s address: the port is TCP, so the ALLOW rule with methods matches nothing (exact deny)', () => {
    const result = sidecarReach(podWithIp('shop', 'api', '10.1.2.3'), LEGACY, sliceFor('10.1.2.3'))
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
    expect(result.mesh!.reasons[0]).toBe("shop/api's sidecar serves port 8080 as TCP (Service shop/legacy port 80 (port name 'tcp-legacy': TCP; no "
      + "selector) through EndpointSlice shop/legacy-1): it sees no HTTP request, so the request's method, path, host and headers play no part, and the "
      + "answer is the TCP connection's");
  });

  test('an Endpoints object of the Service\'s name counts like a slice', () => {
    const endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'legacy', namespace: 'shop' },
      subsets: [{ addresses: [{ ip: '10.1.2.3' }], ports: [{ name: 'tcp-legacy', port: 8080, protocol: 'TCP' }] }],
    };
    const result = sidecarReach(podWithIp('shop', 'api', '10.1.2.3'), LEGACY, endpoints)
      .checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons[0]).toContain("(Service shop/legacy port 80 (port name 'tcp-legacy': TCP; no selector) through Endpoints shop/legacy)");
  });

  test('the slice names another address, or a Service selects the pod: the slice plays no part', () => {
    const other = sidecarReach(podWithIp('shop', 'api', '10.1.2.4'), LEGACY, sliceFor('10.1.2.3'));
    expect(other.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    const selected = sidecarReach(workload('shop', 'api'), LEGACY, sliceFor('10.1.2.3'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] } });
    expect(selected.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
    // istiod reads only the pod's own namespace's EndpointSlices (endpointslice.go GetProxyServiceTargets).
    const elsewhere = sidecarReach(podWithIp('shop', 'api', '10.1.2.3'), namespace('legacy'), { ...LEGACY, metadata: { name: 'legacy', namespace: 'legacy' } },
      { ...sliceFor('10.1.2.3'), metadata: { ...sliceFor('10.1.2.3').metadata, namespace: 'legacy' } });
    expect(elsewhere.checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' }).verdict).toBe(Verdict.ALLOW);
  });
});

describe('ambient: a selector-less Service whose waypoint may carry traffic to the pod', () => {
  test('its EndpointSlice may name the pod, and the namespace names a waypoint: that path is not modelled, so indeterminate', () => {
    const all = [namespace('istio-system'), namespace('shop', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }),
      workload('shop', 'web'), workload('shop', 'api'), LEGACY, sliceFor('10.1.2.3'), {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'waypoint', namespace: 'shop' },
        spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
      }];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_AMBIENT).check(w('shop/web'), w('shop/api'), PORT);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toContain('mesh: traffic addressed to Service shop/legacy: Service shop/legacy has no selector, and EndpointSlice '
      + "shop/legacy-1 sends its port 80 to port 8080 of addresses that may include the pod's (its address is not in the manifests); traffic addressed "
      + 'to it passes the waypoint shop/waypoint (namespace shop names the waypoint shop/waypoint (istio.io/use-waypoint) and Gateway shop/waypoint takes '
      + 'service traffic (no istio.io/waypoint-for label: the default)): not modelled');
  });
});
