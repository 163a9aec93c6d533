/**
 * The flow matrix keeps workloads with identical templates in one class when they differ only in
 * labels their controller adds (a Job's `job-name`, a StatefulSet's pod names) that no object reads
 * (../../src/analysis/uncertainty/controller-label-reads.ts): 50 Jobs are one class, not 50, so
 * matrix() cost does not grow with their square. When a selector reads such a key, the classes split
 * and the verdicts stay exact: matrix() and check() agree on every flow.
 */
import { Cni, FlowMatrix, Port, Reachability, Target, Verdict } from '../../src';
import { controllerLabelKeysRead } from '../../src/analysis/uncertainty/controller-label-reads';
import { expectValidManifests } from '../support/schema';

const POD_NAME = 'statefulset.kubernetes.io/pod-name';
const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'batch' } };

function podSpec(port: number, restartPolicy?: string): any {
  return { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'c', image: 'registry.example/app:1', ports: [{ containerPort: port }] }] };
}

/** A Job `name` with the template every Job here shares (app: worker, port 8080). */
function job(name: string): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'batch' },
    spec: { template: { metadata: { labels: { app: 'worker' } }, spec: podSpec(8080, 'Never') } },
  };
}

/** A StatefulSet `name` of one pod with the template every StatefulSet here shares (app: db, port 5432). */
function statefulSet(name: string): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'batch' },
    spec: { serviceName: 'db', replicas: 1, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: podSpec(5432) } },
  };
}

const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'batch' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec(80) } },
};

/** Ingress to the databases (`to`, a pod selector) only from `from` on 5432. */
function dbIngress(from: Record<string, string>, to: Record<string, string> = { app: 'db' }): any {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'db-ingress', namespace: 'batch' },
    spec: {
      podSelector: { matchLabels: to },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: from } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    },
  };
}

function cluster(jobs: number, sets: number, ...policies: any[]): any[] {
  const manifests = [NS, web, ...Array.from({ length: jobs }, (_, i) => job(`job-${i}`)),
    ...Array.from({ length: sets }, (_, i) => statefulSet(`db-${i}`)), ...policies];
  expectValidManifests(manifests);
  return manifests;
}

function verdictOf(matrix: FlowMatrix, source: string, destination: string, port: string): Verdict | undefined {
  return matrix.flows.find((f) => f.source === source && f.destination === destination && f.port === port)?.verdict;
}

/** Every flow of the matrix, checked with check(): the disagreements. */
function disagreements(reach: Reachability): string[] {
  const out: string[] = [];
  for (const flow of reach.matrix().flows) {
    const [from, to] = [flow.source, flow.destination].map((n) => Target.workload('batch', n.split('/')[1]));
    const verdict = reach.check(from, to, Port.tcp(Number(flow.port.split('/')[1]))).verdict;
    if (verdict !== flow.verdict) out.push(`${flow.source} -> ${flow.destination} ${flow.port}: matrix ${flow.verdict}, check ${verdict}`);
  }
  return out;
}

describe('controller-added labels nothing reads', () => {
  test('50 Jobs and 20 StatefulSets with identical templates are one class each (were 50 and 20)', () => {
    const reach = Reachability.fromManifests(cluster(50, 20, dbIngress({ app: 'worker' })), { cni: Cni.kubernetes() });
    const matrix = reach.matrix();
    // worker, db, web.
    expect(matrix.summary).toEqual({ endpoints: 71, classes: 3, flows: 71 * 71, allowed: 71 * 71 - 21 * 20, denied: 21 * 20, indeterminate: 0 });
    expect(verdictOf(matrix, 'batch/job-49', 'batch/db-19', 'TCP/5432')).toBe(Verdict.ALLOW);
    expect(verdictOf(matrix, 'batch/web', 'batch/db-0', 'TCP/5432')).toBe(Verdict.DENY);
  });

  test.each([['kubernetes', () => Cni.kubernetes()], ['calico', () => Cni.calico()], ['cilium', () => Cni.cilium()]])(
    'one class per template under %s, and matrix() and check() agree', (_, cni) => {
      const reach = Reachability.fromManifests(cluster(5, 4, dbIngress({ app: 'worker' })), { cni: cni() });
      expect(reach.matrix().summary.classes).toBe(3);
      expect(disagreements(reach)).toEqual([]);
    });

  test('a Target.pod on job-name still picks that Job alone', () => {
    const reach = Reachability.fromManifests(cluster(5, 2, dbIngress({ app: 'worker' })), { cni: Cni.kubernetes() });
    expect(reach.matrix().summary.classes).toBe(3);
    const result = reach.check(Target.pod('batch', { 'job-name': 'job-3' }), Target.pod('batch', { [POD_NAME]: 'db-1-0' }), Port.tcp(5432));
    expect(result.pairs.map((p) => [p.source, p.destination, p.verdict])).toEqual([['batch/job-3', 'batch/db-1', Verdict.ALLOW]]);
  });
});

describe('controller-added labels a selector reads', () => {
  test('a NetworkPolicy on job-name splits the Jobs (not the StatefulSets); verdicts exact', () => {
    const reach = Reachability.fromManifests(cluster(50, 20, dbIngress({ 'job-name': 'job-7' })), { cni: Cni.kubernetes() });
    const matrix = reach.matrix();
    expect(matrix.summary.classes).toBe(52);
    expect(verdictOf(matrix, 'batch/job-7', 'batch/db-3', 'TCP/5432')).toBe(Verdict.ALLOW);
    expect(verdictOf(matrix, 'batch/job-8', 'batch/db-3', 'TCP/5432')).toBe(Verdict.DENY);
    expect(reach.check(Target.workload('batch', 'job-8'), Target.workload('batch', 'db-3'), Port.tcp(5432)).verdict).toBe(Verdict.DENY);
  });

  test('a NetworkPolicy on pod-name splits the StatefulSets; verdicts exact', () => {
    const reach = Reachability.fromManifests(cluster(50, 20, dbIngress({ app: 'web' }, { [POD_NAME]: 'db-2-0' })), { cni: Cni.kubernetes() });
    const matrix = reach.matrix();
    expect(matrix.summary.classes).toBe(22);
    expect(verdictOf(matrix, 'batch/job-7', 'batch/db-2', 'TCP/5432')).toBe(Verdict.DENY);
    expect(verdictOf(matrix, 'batch/job-7', 'batch/db-3', 'TCP/5432')).toBe(Verdict.ALLOW);
  });

  test.each([
    // The Jobs split (5 classes), the StatefulSets not: 7.
    ['kubernetes', () => Cni.kubernetes(), 7, dbIngress({ 'job-name': 'job-2' })],
    // Both split: 5 + 4 + web.
    ['calico', () => Cni.calico(), 10, {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'db-ingress', namespace: 'batch' },
      spec: { selector: `${POD_NAME} == 'db-1-0'`, types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "job-name in {'job-2', 'job-4'}" } }] },
    }],
    ['cilium', () => Cni.cilium(), 7, {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'db-ingress', namespace: 'batch' },
      spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:job-name': 'job-2' } }] }] },
    }],
  ])('matrix() and check() agree with a policy reading controller keys under %s', (_, cni, classes, policy) => {
    const reach = Reachability.fromManifests(cluster(5, 4, policy), { cni: cni() });
    const matrix = reach.matrix();
    expect(matrix.summary.classes).toBe(classes);
    expect(verdictOf(matrix, 'batch/job-2', 'batch/db-1', 'TCP/5432')).toBe(Verdict.ALLOW);
    expect(verdictOf(matrix, 'batch/job-3', 'batch/db-1', 'TCP/5432')).toBe(Verdict.DENY);
    expect(disagreements(reach)).toEqual([]);
  });
});

describe('controllerLabelKeysRead', () => {
  test('reads selectors of any kind and form, not the labels objects carry', () => {
    const labelled = { ...web, metadata: { ...web.metadata, labels: { 'job-name': 'x' } } };
    const read = (...manifests: any[]) => {
      const { any, mesh } = controllerLabelKeysRead(manifests);
      return { any: [...any].sort(), mesh: [...mesh].sort() };
    };
    expect(read(job('a'), statefulSet('b'), labelled)).toEqual({ any: [], mesh: [] });
    // CNI policies: read, but not by a mesh.
    expect(read({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', spec: { endpointSelector: { matchLabels: { 'any:pod-template-hash': 'x' } } } },
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', spec: { selector: `has(${POD_NAME})` } }))
      .toEqual({ any: ['pod-template-hash', POD_NAME], mesh: [] });
    // Any other kind, modelled (a Service) or not, may be read by a mesh.
    expect(read({ apiVersion: 'v1', kind: 'Service', spec: { selector: { [POD_NAME]: 'db-0' } } },
      { apiVersion: 'example.io/v1', kind: 'Unknown', spec: { x: { matchExpressions: [{ key: 'job-name', operator: 'Exists' }] } } }))
      .toEqual({ any: ['job-name', POD_NAME], mesh: ['job-name', POD_NAME] });
  });
});
