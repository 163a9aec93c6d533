/**
 * A hostNetwork pod may run on the node of the pod at the other end of the flow (a DaemonSet surely
 * has a pod there), and policies then see it as that node, whose traffic into its own pods the CNIs
 * let in (Kubernetes: a pod cannot block access from its resident node). The manifests do not say
 * where it runs, so a verdict that differs between the two places is indeterminate. Before, the
 * hostNetwork pod was always taken to run on another node, and such flows were reported denied.
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';

const container = { name: 'c', image: 'x', ports: [{ containerPort: 8080 }] };
const exporter = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'exporter', namespace: 'monitoring' },
  spec: {
    selector: { matchLabels: { app: 'exporter' } },
    template: { metadata: { labels: { app: 'exporter' } }, spec: { hostNetwork: true, containers: [container] } },
  },
};
const manifests = [
  namespace('shop'), namespace('monitoring'), exporter,
  deployment('shop', 'api', { app: 'api' }, { containers: [container] }),
  deployment('shop', 'web', { app: 'web' }, { containers: [container] }),
];
const api = Target.workload('shop', 'api');
const web = Target.workload('shop', 'web');
const agent = Target.workload('monitoring', 'exporter');
const p8080 = Port.tcp(8080);
const WHY = "the source uses hostNetwork and may run on the destination's node, where policies see it as that node rather than another one: "
  + 'the verdict depends on where it runs, which the manifests do not say';

describe('hostNetwork pods may run on the other pod\'s node', () => {
  const onlyWeb = networkPolicy('api-from-web', 'shop', {
    podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
  });

  test.each([['kubernetes', Cni.kubernetes()], ['calico', Cni.calico()], ['cilium', Cni.cilium()]] as const)(
    'ingress a policy does not open to nodes: indeterminate, not denied (%s)', (_name, cni) => {
      expectValidManifests([...manifests, onlyWeb]);
      const reach = Reachability.fromManifests([...manifests, onlyWeb], { cni, nodeIp: '192.168.1.10' });
      const result = reach.check(agent, api, p8080);
      expect(result.verdict).toBe(Verdict.INDETERMINATE);
      expect(result.ingress.uncertainties).toEqual([WHY]);
      // The same answer in the flow matrix, and an ordinary pod is still denied.
      expect(reach.matrix().flows.find((f) => f.source === 'monitoring/exporter' && f.destination === 'shop/api' && f.port === 'TCP/8080')?.verdict)
        .toBe(Verdict.INDETERMINATE);
      expect(reach.check(web, api, p8080).verdict).toBe(Verdict.ALLOW);
    });

  test('a policy that also lets every node in decides: allowed wherever the pod runs', () => {
    const nodesToo = networkPolicy('api-from-nodes', 'shop', {
      podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '192.168.1.0/24' } }] }],
    });
    const reach = Reachability.fromManifests([...manifests, onlyWeb, nodesToo], { cni: Cni.kubernetes(), nodeIp: '192.168.1.10' });
    expect(reach.check(agent, api, p8080).verdict).toBe(Verdict.ALLOW);
  });

  test('no policy on the destination: allowed, no uncertainty', () => {
    const reach = Reachability.fromManifests(manifests, { cni: Cni.calico() });
    const result = reach.check(agent, api, p8080);
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.uncertainties).toEqual([]);
  });
});
