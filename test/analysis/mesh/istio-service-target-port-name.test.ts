/**
 * A Service's named `targetPort` decides which pod port its port name or appProtocol gives a protocol to
 * (src/analysis/mesh/istio-inbound-protocol.ts): the name resolves as Kubernetes' endpoint controllers do
 * (kubernetes pkg/api/v1/pod/util.go `FindPort`: the pod's containers, then its native sidecars, init
 * containers with `restartPolicy: Always`; never a plain init container, which has exited before the pod serves).
 */
import { authorizationPolicy, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, service, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests, validateManifests } from '../../support/schema';

const PORT = Port.tcp(8080);
const base = [
  namespace('istio-system'),
  namespace('shop', { 'istio-injection': 'enabled' }),
  workload('shop', 'web'),
  peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
  // Port 8080 of the pods through the name `api`: the sidecar serves it as TCP (port name tcp-*) if the name resolves there.
  service('shop', 'api', 'api', [{ name: 'tcp-api', port: 80, targetPort: 'api' }]),
  authorizationPolicy('shop', 'get-only', { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }),
];
const SERVED_AS_TCP = "shop/api's sidecar serves port 8080 as TCP (Service shop/api port 80 (port name 'tcp-api': TCP))";

/** `api` serving 8080 (unnamed) from its container, the name `api` = 8080 declared by an init container with `init`. */
function apiWithInit(init: Record<string, unknown>): any {
  const api = workload('shop', 'api');
  api.spec.template.spec.initContainers = [{ image: 'example/helper:1.0', ports: [{ name: 'api', containerPort: 8080 }], ...init }];
  return api;
}

/** Strict validation; a container's `restartPolicy` (Kubernetes 1.28) is the only finding allowed, unknown to the oldest pinned v1.27. */
function expectValidWithSidecars(objects: any[]): void {
  for (const f of validateManifests(objects)) expect([f.path, f.message]).toEqual([expect.stringMatching(/initContainers\[\d+\]\.restartPolicy$/), 'unknown field "restartPolicy"']);
}

describe('a Service\'s named targetPort: containers, then native sidecars, never plain init containers', () => {
  test('declared by a plain init container only: no Service port targets 8080, its protocol is detected and a GET is allowed', () => {
    const manifests = [...base, apiWithInit({ name: 'warmup' })];
    expectValidManifests(manifests);
    const result = meshReach(manifests, ISTIO_SIDECAR).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    // Before: the name resolved to the init container's port, 8080 was served as TCP and the methods-only ALLOW rule matched nothing (deny).
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.mesh!.reasons.join('\n')).not.toContain(SERVED_AS_TCP);
  });

  test('declared by a native sidecar: the Service port targets 8080, served as TCP, the GET denied', () => {
    const manifests = [...base, apiWithInit({ name: 'helper', restartPolicy: 'Always' })];
    expectValidWithSidecars(manifests);
    const result = meshReach(manifests, ISTIO_SIDECAR).checkRequest(w('shop/web'), w('shop/api'), PORT, { method: 'GET', path: '/' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.reasons[0]).toBe(`${SERVED_AS_TCP}: it sees no HTTP request, so the request's method, path, host and headers play no part, and `
      + "the answer is the TCP connection's");
  });

  test('the flow matrix judges apart two pods that differ only by where the name is declared (its mesh verdicts are shared by key)', () => {
    const inContainer = workload('shop', 'api2', { ports: [{ name: 'api', port: 8080 }], serviceAccount: 'api', podLabels: { app: 'api' } });
    const manifests = [...base, apiWithInit({ name: 'warmup' }), inContainer];
    expectValidManifests(manifests);
    const flows = meshReach(manifests, ISTIO_SIDECAR).matrix().flows.filter((f) => f.source === 'shop/web' && f.destination !== 'shop/web' && f.port === 'TCP/8080');
    // api2 serves 8080 as TCP: the methods-only rule matches no connection. api's protocol is detected: the connection passes (the methods apply per request).
    expect(flows.map((f) => [f.destination, f.verdict])).toEqual([['shop/api', Verdict.ALLOW], ['shop/api2', Verdict.DENY]]);
  });
});
