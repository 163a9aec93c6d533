/**
 * A Linkerd Server's `port` name resolves over the pod's containers and init containers: linkerd2's policy
 * controller indexes the named TCP ports of `spec.containers` and, since linkerd/linkerd2#14144 (June 2025,
 * "properly index named ports in native sidecar containers", fixing #14103: a Server on `linkerd-admin`
 * of a native-sidecar proxy), of `spec.initContainers` too (policy-controller k8s index `pod_tcp_ports_by_name`).
 * Only TCP ports (protocol TCP or unset) count.
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

describe('a Server\'s port name: the pod\'s containers and init containers', () => {
  test.each([
    ['a native sidecar (restartPolicy: Always)', { name: 'helper', restartPolicy: 'Always' }],
    ['an init container', { name: 'warmup' }],
  ])('declared by %s only: the Server describes the port and admits the flow', (_what, init) => {
    const manifests = [...ns, workload('shop', 'web'), apiWithInit(init), open];
    expectValidWithSidecars(manifests);
    // Before (containers only): no Server described 8080, the default policy (deny) decided.
    const result = meshReach(manifests, LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.mesh!.decidingRules).toEqual(['Server shop/api-http spec.accessPolicy (allow)']);
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

  test('the flow matrix: a name an init container declares selects the port as one a container declares does', () => {
    const inContainer = workload('shop', 'api2', { ports: [{ name: 'http', port: 8080 }], serviceAccount: 'api', podLabels: { app: 'api' } });
    const manifests = [...ns, workload('shop', 'web'), apiWithInit({ name: 'warmup' }), inContainer, open];
    expectValidManifests(manifests);
    const flows = meshReach(manifests, LINKERD).matrix().flows.filter((f) => f.source === 'shop/web' && f.destination !== 'shop/web' && f.port === 'TCP/8080');
    expect(flows.map((f) => [f.destination, f.verdict])).toEqual([['shop/api', Verdict.ALLOW], ['shop/api2', Verdict.ALLOW]]);
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
