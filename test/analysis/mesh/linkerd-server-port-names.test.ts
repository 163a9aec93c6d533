/**
 * A Linkerd Server's `port` name resolves over the pod's `containers` only: linkerd2's policy controller
 * reads the named TCP ports of `spec.containers` (policy-controller/k8s/index/src/inbound/pod.rs
 * `tcp_ports_by_name`), not those of init containers, native sidecars (`restartPolicy: Always`) included.
 * A Server whose port name only an init container declares describes no port of the pod: the pod's
 * default inbound policy decides there, not the Server.
 */
import { LINKERD, linkerd, meshReach, namespace, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests, validateManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const ns = [namespace('shop', {}, { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'deny' })];
const open = linkerd('Server', 'shop', 'api-http', { podSelector: { matchLabels: { app: 'api' } }, port: 'http', accessPolicy: 'all-unauthenticated' });

/** `api` serving 8080 (unnamed) from its container, `http` = 8080 declared by the given init container. */
function apiWithInit(init: Record<string, unknown>): any {
  const api = workload('shop', 'api');
  api.spec.template.spec.initContainers = [{ image: 'example/helper:1.0', ports: [{ name: 'http', containerPort: 8080 }], ...init }];
  return api;
}

/** Strict validation; a container's `restartPolicy` (Kubernetes 1.28) is the only finding allowed, unknown to the oldest pinned v1.27. */
function expectValidWithSidecars(objects: any[]): void {
  for (const f of validateManifests(objects)) expect([f.path, f.message]).toEqual([expect.stringMatching(/initContainers\[\d+\]\.restartPolicy$/), 'unknown field "restartPolicy"']);
}

describe('a Server\'s port name: the pod\'s containers only', () => {
  test.each([
    ['a native sidecar (restartPolicy: Always)', { name: 'helper', restartPolicy: 'Always' }],
    ['an init container', { name: 'warmup' }],
  ])('declared by %s only: the Server describes no port, the default policy (deny) decides', (_what, init) => {
    const manifests = [...ns, workload('shop', 'web'), apiWithInit(init), open];
    expectValidWithSidecars(manifests);
    // Before: the Server was matched through the init container's port name: allowed (all-unauthenticated), which Linkerd does not do.
    const result = meshReach(manifests, LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.DENY]);
    expect(result.mesh!.decidingRules).toEqual([]);
    expect(result.mesh!.reasons).toEqual(['no Server describes port 8080 of shop/api: the default inbound policy deny (namespace shop annotation '
      + 'config.linkerd.io/default-inbound-policy) applies to shop/web -> shop/api TCP/8080 (as web.shop.serviceaccount.identity.linkerd.cluster.local): '
      + 'it admits no client']);
  });

  test('declared by a container too: the Server describes the port and admits the flow', () => {
    const api = apiWithInit({ name: 'helper', restartPolicy: 'Always' });
    api.spec.template.spec.containers[0].ports = [{ name: 'http', containerPort: 8080 }];
    const manifests = [...ns, workload('shop', 'web'), api, open];
    expectValidWithSidecars(manifests);
    const result = meshReach(manifests, LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.mesh!.decidingRules).toEqual(['Server shop/api-http spec.accessPolicy (allow)']);
  });

  test('the flow matrix judges apart two pods that differ only by where the name is declared (its mesh verdicts are shared by key)', () => {
    const inContainer = workload('shop', 'api2', { ports: [{ name: 'http', port: 8080 }], serviceAccount: 'api', podLabels: { app: 'api' } });
    const manifests = [...ns, workload('shop', 'web'), apiWithInit({ name: 'warmup' }), inContainer, open];
    expectValidManifests(manifests);
    const flows = meshReach(manifests, LINKERD).matrix().flows.filter((f) => f.source === 'shop/web' && f.destination !== 'shop/web' && f.port === 'TCP/8080');
    expect(flows.map((f) => [f.destination, f.verdict])).toEqual([['shop/api', Verdict.DENY], ['shop/api2', Verdict.ALLOW]]);
  });

  test('the flow matrix judges apart two pods that differ only by the protocol of the named port (a UDP port names no Server port)', () => {
    // api: `http` = UDP 8080, TCP 8080 unnamed; api2: `http` = TCP 8080. Same labels, annotations and port numbers.
    const udp = workload('shop', 'api');
    udp.spec.template.spec.containers[0].ports = [{ name: 'http', containerPort: 8080, protocol: 'UDP' }, { containerPort: 8080 }];
    const tcp = workload('shop', 'api2', { ports: [{ name: 'http', port: 8080 }], serviceAccount: 'api', podLabels: { app: 'api' } });
    const manifests = [...ns, workload('shop', 'web'), udp, tcp, open];
    expectValidManifests(manifests);
    const flows = meshReach(manifests, LINKERD).matrix().flows.filter((f) => f.source === 'shop/web' && f.destination !== 'shop/web' && f.port === 'TCP/8080');
    // Before: the key read `http=8080` for both, and api took api2's verdict (or the other way round).
    expect(flows.map((f) => [f.destination, f.verdict])).toEqual([['shop/api', Verdict.DENY], ['shop/api2', Verdict.ALLOW]]);
  });
});
