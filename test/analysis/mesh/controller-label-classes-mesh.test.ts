/**
 * Under a mesh, the flow matrix keeps Jobs and StatefulSets with identical templates in one class
 * when nothing reads the labels their controllers add, and the mesh verdicts are shared between
 * classes that differ only in such labels (../../../src/analysis/uncertainty/controller-label-reads.ts).
 * A mesh selector reading one splits the classes, and the verdicts stay exact.
 */
import { authorizationPolicy, ISTIO_SIDECAR, LINKERD, linkerd, meshReach, namespace, networkPolicy, w, workload } from './support';
import { FlowMatrix } from '../../../src/analysis/flow-matrix';
import { Reachability } from '../../../src/analysis/reachability';
import { Verdict } from '../../../src/analysis/verdict';
import { Mesh } from '../../../src/cluster/mesh';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const POD_NAME = 'statefulset.kubernetes.io/pod-name';

function template(app: string, port: number, restartPolicy?: string): any {
  return {
    metadata: { labels: { app } },
    spec: { ...(restartPolicy ? { restartPolicy } : {}), serviceAccountName: app, containers: [{ name: 'app', image: `example/${app}:1.0`, ports: [{ containerPort: port }] }] },
  };
}

function cluster(mesh: Mesh, jobs: number, sets: number, ...policies: any[]): any[] {
  const ns = mesh === LINKERD ? namespace('batch', {}, { 'linkerd.io/inject': 'enabled' }) : namespace('batch', { 'istio-injection': 'enabled' });
  const manifests = [
    ns,
    ...Array.from({ length: jobs }, (_, i) => ({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `job-${i}`, namespace: 'batch' }, spec: { template: template('worker', 8080, 'Never') },
    })),
    ...Array.from({ length: sets }, (_, i) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: `db-${i}`, namespace: 'batch' },
      spec: { serviceName: 'db', replicas: 1, selector: { matchLabels: { app: 'db' } }, template: template('db', 5432) },
    })),
    ...policies,
  ];
  expectValidManifests(manifests);
  return manifests;
}

/** DENY every request to the pods `matchLabels` selects. */
const denyTo = (matchLabels: Record<string, string>) => authorizationPolicy('batch', 'deny-db', { selector: { matchLabels }, action: 'DENY', rules: [{}] });

function verdictOf(matrix: FlowMatrix, source: string, destination: string, port: string): Verdict | undefined {
  return matrix.flows.find((f) => f.source === source && f.destination === destination && f.port === port)?.verdict;
}

/** How many mesh evaluations the matrix made (cells share one verdict per distinct source key, destination key and port). */
function meshVerdicts(matrix: FlowMatrix): number {
  const d = matrix._data;
  const seen = new Set<unknown>();
  d.classes.forEach((_, s) => d.classes.forEach((c, t) => c.ports.forEach((__, k) => seen.add(d.mesh!.meshVerdict(s, t, k)))));
  return seen.size;
}

function disagreements(reach: Reachability): string[] {
  const out: string[] = [];
  for (const flow of reach.matrix().flows) {
    const verdict = reach.check(w(flow.source), w(flow.destination), Port.tcp(Number(flow.port.split('/')[1]))).verdict;
    if (verdict !== flow.verdict) out.push(`${flow.source} -> ${flow.destination} ${flow.port}: matrix ${flow.verdict}, check ${verdict}`);
  }
  return out;
}

describe('Istio', () => {
  test('an AuthorizationPolicy on app: 50 Jobs and 20 StatefulSets are two classes (were 70), one mesh verdict per port', () => {
    const matrix = meshReach(cluster(ISTIO_SIDECAR, 50, 20, denyTo({ app: 'db' })), ISTIO_SIDECAR).matrix();
    expect(matrix.summary).toEqual({ endpoints: 70, classes: 2, flows: 70 * 70, allowed: 70 * 50, denied: 70 * 20, indeterminate: 0 });
    expect(meshVerdicts(matrix)).toBe(4);
  });

  test('an AuthorizationPolicy on pod-name splits the StatefulSets (not the Jobs); verdicts exact', () => {
    const reach = meshReach(cluster(ISTIO_SIDECAR, 50, 20, denyTo({ [POD_NAME]: 'db-2-0' })), ISTIO_SIDECAR);
    const matrix = reach.matrix();
    expect(matrix.summary.classes).toBe(21);
    expect(verdictOf(matrix, 'batch/job-7', 'batch/db-2', 'TCP/5432')).toBe(Verdict.DENY);
    expect(verdictOf(matrix, 'batch/job-7', 'batch/db-3', 'TCP/5432')).toBe(Verdict.ALLOW);
    expect(disagreements(meshReach(cluster(ISTIO_SIDECAR, 3, 4, denyTo({ [POD_NAME]: 'db-2-0' })), ISTIO_SIDECAR))).toEqual([]);
  });

  test('a NetworkPolicy on job-name splits the classes, while the mesh verdicts stay shared', () => {
    const fromJob = networkPolicy('batch', 'db-from-job-3', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'job-name': 'job-3' } } }] }],
    });
    const reach = meshReach(cluster(ISTIO_SIDECAR, 50, 20, denyTo({ app: 'nothing' }), fromJob), ISTIO_SIDECAR);
    const matrix = reach.matrix();
    expect(matrix.summary.classes).toBe(51);
    // The mesh keys leave out job-name, which no mesh object reads (were 51 x 51 pairs apart).
    expect(meshVerdicts(matrix)).toBe(4);
    expect(verdictOf(matrix, 'batch/job-3', 'batch/db-0', 'TCP/5432')).toBe(Verdict.ALLOW);
    expect(verdictOf(matrix, 'batch/job-4', 'batch/db-0', 'TCP/5432')).toBe(Verdict.DENY);
    expect(disagreements(meshReach(cluster(ISTIO_SIDECAR, 5, 2, denyTo({ app: 'nothing' }), fromJob), ISTIO_SIDECAR))).toEqual([]);
  });
});

describe('Linkerd', () => {
  const server = (matchLabels: Record<string, string>, port = 5432) => linkerd('Server', 'batch', 'deny', { podSelector: { matchLabels }, port, accessPolicy: 'deny' });

  test('a Server on app: one class per template', () => {
    expect(meshReach(cluster(LINKERD, 50, 20, server({ app: 'db' })), LINKERD).matrix().summary.classes).toBe(2);
  });

  test('a Server on pod-name splits the StatefulSets; verdicts exact', () => {
    const matrix = meshReach(cluster(LINKERD, 50, 20, server({ [POD_NAME]: 'db-2-0' })), LINKERD).matrix();
    expect(matrix.summary.classes).toBe(21);
    expect(verdictOf(matrix, 'batch/job-7', 'batch/db-2', 'TCP/5432')).toBe(Verdict.DENY);
    expect(verdictOf(matrix, 'batch/job-7', 'batch/db-3', 'TCP/5432')).toBe(Verdict.ALLOW);
    expect(disagreements(meshReach(cluster(LINKERD, 3, 4, server({ [POD_NAME]: 'db-2-0' })), LINKERD))).toEqual([]);
  });

  test('a Server on the owner label the proxy injector adds splits the Jobs; verdicts exact', () => {
    // linkerd.io/proxy-job names each Job (../../../src/analysis/mesh/linkerd-owner-labels.ts): the CNI sees the Jobs alike.
    const reach = meshReach(cluster(LINKERD, 50, 20, server({ 'linkerd.io/proxy-job': 'job-3' }, 8080)), LINKERD);
    const matrix = reach.matrix();
    expect(matrix.summary.classes).toBe(51);
    expect(verdictOf(matrix, 'batch/db-0', 'batch/job-3', 'TCP/8080')).toBe(Verdict.DENY);
    expect(verdictOf(matrix, 'batch/db-0', 'batch/job-4', 'TCP/8080')).toBe(Verdict.ALLOW);
    expect(disagreements(meshReach(cluster(LINKERD, 4, 2, server({ 'linkerd.io/proxy-job': 'job-3' }, 8080)), LINKERD))).toEqual([]);
  });

  test('two Deployments with one template are two classes when a Server reads the owner label (were one: the matrix denied b as a)', () => {
    const deployment = (name: string) => ({ ...workload('batch', 'x'), metadata: { name, namespace: 'batch' } });
    const manifests = [namespace('batch', {}, { 'linkerd.io/inject': 'enabled' }), deployment('a'), deployment('b'),
      server({ 'linkerd.io/proxy-deployment': 'a' }, 8080)];
    expectValidManifests(manifests);
    const reach = meshReach(manifests, LINKERD);
    const matrix = reach.matrix();
    expect(matrix.summary.classes).toBe(2);
    expect(matrix.flows.map((f) => [f.source, f.destination, f.verdict])).toEqual([
      ['batch/a', 'batch/a', Verdict.DENY], ['batch/a', 'batch/b', Verdict.ALLOW], ['batch/b', 'batch/a', Verdict.DENY], ['batch/b', 'batch/b', Verdict.ALLOW],
    ]);
    expect(disagreements(reach)).toEqual([]);
    // Read by nothing: one class.
    expect(meshReach(manifests.slice(0, 3), LINKERD).matrix().summary.classes).toBe(1);
  });
});
