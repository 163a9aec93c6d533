/**
 * Indeterminate verdicts end to end: check and explain, the jest matchers (which fail on them with
 * the reason, in both their plain and `.not` forms), and the flow matrix with its three renderings.
 */
import { ApiObject, Testing } from 'cdk8s';
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { ClusterNetwork } from '../../src/cluster/cluster-network';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';
import '../support/reachability-matchers';

const withPort = (p: number) => ({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: p }] }] });
// client may send only into 10.244.0.0/24: the api pod's IP is unknown, so the flow is indeterminate.
const manifests = [
  namespace('demo'),
  deployment('demo', 'client', { app: 'client' }),
  deployment('demo', 'api', { app: 'api' }, withPort(8080)),
  deployment('demo', 'db', { app: 'db' }, withPort(5432)),
  networkPolicy('client-egress', 'demo', {
    podSelector: { matchLabels: { app: 'client' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '10.244.0.0/24' } }] }],
  }),
  networkPolicy('db-ingress', 'demo', {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
  }),
];
const reach = Reachability.fromManifests(manifests, { cni: Cni.kubernetes(), podCidrs: ['10.244.0.0/16'] });
const client = Target.workload('demo', 'client');
const api = Target.workload('demo', 'api');
const db = Target.workload('demo', 'db');
const WHY = "NetworkPolicy demo/client-egress spec.egress[0].to[0].ipBlock: ipBlock 10.244.0.0/24 may or may not contain the destination's address: "
  + 'its IP is not in the manifests, only somewhere in the pod CIDR 10.244.0.0/16';

describe('check and explain', () => {
  test('the verdict, the booleans and the reasons agree', () => {
    const result = reach.check(client, api, Port.tcp(8080));
    expect(result).toMatchObject({ verdict: Verdict.INDETERMINATE, allowed: false, denied: false, indeterminate: true, uncertainties: [WHY] });
    const undecided = { verdict: Verdict.INDETERMINATE, allowed: false, denied: false, indeterminate: true, uncertainties: [WHY] };
    expect(result.pairs[0]).toMatchObject(undecided);
    expect(result.egress).toMatchObject({ verdict: Verdict.INDETERMINATE, allowed: false, uncertainties: [WHY] });
    expect(result.ingress).toMatchObject({ verdict: Verdict.ALLOW, allowed: true, uncertainties: [] });
    expect(result.explain().split('\n')).toEqual([
      'INDETERMINATE: workload demo/client -> workload demo/api on TCP/8080 (CNI: kubernetes)',
      'demo/client -> demo/api TCP/8080: indeterminate',
      '  egress at demo/client: indeterminate',
      '    - NetworkPolicy demo/client-egress isolates demo/client for egress and no rule surely allows to demo/api on TCP/8080',
      `    ? ${WHY}`,
      '  ingress at demo/api: allowed',
      '    - no NetworkPolicy selects demo/api for ingress',
      'deciding objects: NetworkPolicy demo/client-egress',
      `indeterminate because: ${WHY}`,
    ]);
  });

  test('a definite deny on one side decides the pair, whatever the other side does not know', () => {
    const result = reach.check(client, db, Port.tcp(5432));
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
    expect(result.egress.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.ingress.verdict).toBe(Verdict.DENY);
  });

  test('several pairs: mixed allowed and denied is PARTLY ALLOWED; any indeterminate pair makes the question indeterminate', () => {
    const everyone = Target.pod('demo', {});
    const toApi = reach.check(everyone, api, Port.tcp(8080));
    expect(toApi.verdict).toBe(Verdict.INDETERMINATE);
    expect(toApi.explain().split('\n')[0]).toBe('INDETERMINATE (1 of 3 pod pairs; 2 allowed): pods in demo -> workload demo/api on TCP/8080 (CNI: kubernetes)');
    const toDb = reach.check(everyone, db, Port.tcp(5432));
    expect(toDb.summary).toBe('PARTLY ALLOWED (1 of 3 pod pairs)');
    expect(toDb.verdict).toBe(Verdict.INDETERMINATE);
    expect([toDb.allowed, toDb.denied]).toEqual([false, false]);
  });
});

describe('jest matchers', () => {
  test('toAllow and toDeny both fail on an indeterminate flow, naming the reason', () => {
    expect(() => expect(reach).toAllow(client, api, Port.tcp(8080)))
      .toThrow(`expected workload demo/client -> workload demo/api on TCP/8080 to be allowed, but the analysis cannot tell (indeterminate):\n  - ${WHY}`);
    expect(() => expect(reach).toDeny(client, api, Port.tcp(8080))).toThrow('to be denied, but the analysis cannot tell (indeterminate)');
  });

  test('.not.toAllow and .not.toDeny fail on it too: "not allowed" is not proven', () => {
    expect(() => expect(reach).not.toAllow(client, api, Port.tcp(8080))).toThrow('to be not allowed, but the analysis cannot tell');
    expect(() => expect(reach).not.toDeny(client, api, Port.tcp(8080))).toThrow('to be not denied, but the analysis cannot tell');
  });

  test('decided flows behave as before', () => {
    expect(reach).toAllow(api, db, Port.tcp(5432));
    expect(reach).toDeny(client, db, Port.tcp(5432));
    expect(reach).not.toAllow(client, db, Port.tcp(5432));
    expect(reach).not.toDeny(api, db, Port.tcp(5432));
  });
});

describe('the flow matrix shows indeterminate flows with their reason', () => {
  const matrix = reach.matrix();

  test('flows and summary', () => {
    const flow = matrix.flows.find((f) => f.source === 'demo/client' && f.destination === 'demo/api')!;
    expect(flow).toEqual({ source: 'demo/client', destination: 'demo/api', port: 'TCP/8080', verdict: Verdict.INDETERMINATE, allowed: false, reason: `egress: ${WHY}` });
    expect(matrix.summary).toEqual({ endpoints: 3, classes: 3, flows: 6, allowed: 3, denied: 2, indeterminate: 1 });
  });

  test('check() and matrix() agree on every flow', () => {
    for (const f of matrix.flows) {
      const [srcNs, src] = f.source.split('/');
      const [dstNs, dst] = f.destination.split('/');
      expect(reach.check(Target.workload(srcNs, src), Target.workload(dstNs, dst), Port.tcp(Number(f.port.split('/')[1]))).verdict).toBe(f.verdict);
    }
  });

  test('toTable numbers the reasons under the table', () => {
    expect(matrix.toTable()).toBe([
      'FROM         TO        PORT      VERDICT',
      'demo/api     demo/api  TCP/8080  allow',
      'demo/api     demo/db   TCP/5432  allow',
      'demo/client  demo/api  TCP/8080  indeterminate [1]',
      'demo/client  demo/db   TCP/5432  deny',
      'demo/db      demo/api  TCP/8080  allow',
      'demo/db      demo/db   TCP/5432  deny',
      '',
      `[1] indeterminate: egress: ${WHY}`,
      '',
    ].join('\n'));
  });

  test('toJson carries verdict and reason; toMermaid draws indeterminate flows dashed', () => {
    const doc = JSON.parse(matrix.toJson());
    expect(doc.summary.indeterminate).toBe(1);
    expect(doc.flows.filter((f: any) => f.verdict === 'indeterminate')).toEqual([
      { source: 'demo/client', destination: 'demo/api', port: 'TCP/8080', verdict: 'indeterminate', allowed: false, reason: `egress: ${WHY}` },
    ]);
    expect(matrix.toMermaid()).toBe([
      'flowchart LR',
      '  n0["demo/api"]',
      '  n1["demo/client"]',
      '  n2["demo/db"]',
      '  n0 -->|"TCP/8080"| n0',
      '  n0 -->|"TCP/5432"| n2',
      '  n1 -.->|"? TCP/8080"| n0',
      '  n2 -->|"TCP/8080"| n0',
      '',
    ].join('\n'));
  });

  test('row and edge limits: the table says what it left out; Mermaid falls back to namespaces', () => {
    const table = matrix.toTable({ maxRows: 2 }).split('\n');
    expect(table.slice(0, 3)).toEqual(['FROM         TO        PORT      VERDICT', 'demo/api     demo/api  TCP/8080  allow', 'demo/api     demo/db   TCP/5432  allow']);
    expect(table[3]).toBe('... 4 more flows not shown (6 in all: 3 allowed, 2 denied, 1 indeterminate)');
    expect(JSON.parse(matrix.toJson({ maxRows: 2 }))).toMatchObject({ truncated: true, flows: matrix.flows.slice(0, 2) });
    expect(matrix.toMermaid({ maxEdges: 2 })).toBe([
      '%% 4 pod-to-pod edges exceed 2: one node per namespace',
      'flowchart LR',
      '  n0["demo"]',
      '  n0 -->|"3 allowed flows"| n0',
      '  n0 -.->|"? 1 indeterminate flows"| n0',
      '',
    ].join('\n'));
  });

  test('the streaming writers produce the same text in chunks', () => {
    const chunks: string[] = [];
    matrix.writeTable({ write: (c) => chunks.push(c) });
    expect(chunks.join('')).toBe(matrix.toTable());
    const json: string[] = [];
    matrix.writeJson({ write: (c) => json.push(c) });
    expect(json.join('')).toBe(matrix.toJson());
  });
});

describe('fromChart takes the pod CIDRs of the chart\'s ClusterNetwork', () => {
  test('a ClusterNetwork declared in the chart', () => {
    const chart = Testing.chart();
    new ClusterNetwork(chart, 'cluster', { cni: Cni.kubernetes(), podCidrs: ['10.244.0.0/16'] });
    manifests.forEach((m, i) => new ApiObject(chart, `o${i}`, m));
    const result = Reachability.fromChart(chart, { cni: Cni.kubernetes() }).check(client, api, Port.tcp(8080));
    expect(result.uncertainties).toEqual([WHY]);
    // Explicit options win over the ClusterNetwork.
    const wider = Reachability.fromChart(chart, { cni: Cni.kubernetes(), podCidrs: ['10.244.0.0/24'] }).check(client, api, Port.tcp(8080));
    expect(wider.verdict).toBe(Verdict.ALLOW);
  });
});
