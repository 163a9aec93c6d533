/**
 * A NetworkPolicy's named port resolves over the pod's containers and init containers, native sidecars or
 * not (the CNIs' reading: Calico libcalico-go k8s/conversion/workload_endpoint_default.go appendEndpointPorts),
 * unlike a Service's named targetPort (containers and native sidecars: ./istio-service-target-port-name.test.ts).
 * The NamedPort `initContainer`/`sidecar` flags that the meshes read leave it unchanged.
 */
import { meshReach, namespace, networkPolicy, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { validateManifests } from '../../support/schema';

const ns = [namespace('shop')];
const onlyHttp = networkPolicy('shop', 'api-http', {
  podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 'http' }] }],
});

describe('a NetworkPolicy\'s named port declared by an init container only', () => {
  test.each([
    ['a native sidecar (restartPolicy: Always)', { name: 'helper', restartPolicy: 'Always' }],
    ['an init container', { name: 'warmup' }],
  ])('declared by %s: the rule admits the port', (_what, init) => {
    const api = workload('shop', 'api');
    api.spec.template.spec.initContainers = [{ image: 'example/helper:1.0', ports: [{ name: 'http', containerPort: 8080 }], ...init }];
    const manifests = [...ns, workload('shop', 'web'), api, onlyHttp];
    // A container's restartPolicy (Kubernetes 1.28) is the only finding allowed, unknown to the oldest pinned v1.27.
    for (const f of validateManifests(manifests)) expect([f.path, f.message]).toEqual([expect.stringMatching(/initContainers\[0\]\.restartPolicy$/), 'unknown field "restartPolicy"']);
    const reach = meshReach(manifests, undefined);
    expect(reach.check(w('shop/web'), w('shop/api'), Port.tcp(8080)).verdict).toBe(Verdict.ALLOW);
    expect(reach.check(w('shop/web'), w('shop/api'), Port.tcp(9090)).verdict).toBe(Verdict.DENY);
  });
});
