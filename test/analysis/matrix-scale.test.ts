/**
 * A 5,000-pod, 1,000-policy matrix: computed per class, never materialized, and every rendering
 * completes in bounded size (no `Math.max(...rows)` stack overflow, no `Invalid string length`).
 * Not a timed test: the bench measures time.
 */
import { Reachability } from '../../src/analysis/reachability';
import { Cni } from '../../src/cluster/cni';
import { validationErrorOf } from '../support/thrown';

const NAMESPACES = 250;
const PER_NAMESPACE = 20;

/**
 * 250 namespaces x 20 Deployments, 4 NetworkPolicies each: default deny, egress within the namespace,
 * api pods admit web pods, db pods admit the api pods of a partner team (which egress forbids).
 */
function bigCluster(): any[] {
  const objects: any[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `t${String(n).padStart(3, '0')}`;
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `team-${n % 10}` } } });
    for (let d = 0; d < PER_NAMESPACE; d++) {
      const labels = { app: `a${d % 7}`, tier: ['web', 'api', 'db'][d % 3] };
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `d${d}`, namespace: ns },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] } } },
      });
    }
    const np = (name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
    objects.push(
      np('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      np('same-namespace', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] }),
      np('tiers', { podSelector: { matchLabels: { tier: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'web' } } }] }] }),
      np('partner', {
        podSelector: { matchLabels: { tier: 'db' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `team-${(n + 1) % 10}` } }, podSelector: { matchLabels: { tier: 'api' } } }] }],
      }),
    );
  }
  return objects;
}

describe('5,000 pods x 1,000 policies', () => {
  const manifests = bigCluster();
  const matrix = Reachability.fromManifests(manifests, { cni: Cni.kubernetes() }).matrix();

  test('the matrix counts its flows without listing them', () => {
    expect(matrix.endpoints).toHaveLength(NAMESPACES * PER_NAMESPACE);
    expect(matrix.flowCount).toBe(5000 * 5000);
    const s = matrix.summary;
    expect(s.allowed + s.denied + s.indeterminate).toBe(s.flows);
    // Per namespace 7 web pods reach 7 api pods; nothing else is allowed.
    expect(s).toMatchObject({ flows: 25_000_000, allowed: 250 * 49, indeterminate: 0 });
  });

  test('materializing 25 million flows is refused with a pointer to the streaming API; pages work anywhere', () => {
    const refused = validationErrorOf(() => matrix.flows);
    expect([refused.path, refused.prop, refused.reason]).toEqual(['FlowMatrix', 'flows',
      '25000000 flows are too many for one array; use flowsPage(offset, limit), summary, or writeTable/writeJson to stream them']);
    const last = matrix.flowsPage(matrix.flowCount - 2, 10);
    expect(last.map((f) => `${f.source}>${f.destination}`)).toEqual(['t249/d9>t249/d8', 't249/d9>t249/d9']);
  });

  test('toTable, toJson and toMermaid complete, bounded, and say what they left out', () => {
    const table = matrix.toTable();
    expect(table.split('\n')).toHaveLength(200_000 + 3);
    expect(table).toContain('... 24800000 more flows not shown (25000000 in all: 12250 allowed, 24987750 denied, 0 indeterminate)');
    const json = JSON.parse(matrix.toJson());
    expect(json.flows).toHaveLength(200_000);
    expect(json.truncated).toBe(true);
    expect(json.summary.flows).toBe(25_000_000);
    const names = Array.from({ length: NAMESPACES }, (_, i) => `t${String(i).padStart(3, '0')}`);
    expect(matrix.toMermaid()).toBe([
      '%% 12250 pod-to-pod edges exceed 2000: one node per namespace',
      'flowchart LR',
      ...names.map((n, i) => `  n${i}["${n}"]`),
      ...names.map((_, i) => `  n${i} -->|"49 allowed flows"| n${i}`),
      '',
    ].join('\n'));
  });
});
