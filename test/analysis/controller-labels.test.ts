/**
 * Labels workload controllers add to their pods at runtime (statefulset.kubernetes.io/pod-name,
 * pod-template-hash, job-name, ...) are not in the pod template the analyzer models pods from: a
 * policy selecting by one of them makes the flows of the pods of such a controller that it could
 * change indeterminate, instead of treating the selector as matching nothing. Under Cilium, whose
 * identity label filter drops most of these keys, such a selector does select nothing: exact.
 */
import { Cni, Port, Reachability, Target, Verdict } from '../../src';
import { expectValidManifests } from '../support/schema';

const NS = 'shop';
const container = (port: number) => ({ name: 'c', image: 'registry.example/app:1', ports: [{ containerPort: port }] });
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } };
const statefulSet = (name: string, port: number) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: NS },
  spec: {
    serviceName: name,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [container(port)] } },
  },
});
const deployment = (name: string, port: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [container(port)] } },
  },
});
const jobSpec = (extra: Record<string, unknown> = {}) => ({
  ...extra,
  template: { metadata: { labels: { app: 'batch' } }, spec: { restartPolicy: 'Never', containers: [container(9000)] } },
});
const job = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: NS }, spec: jobSpec(extra),
});
const cronJob = (name: string) => ({
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: NS }, spec: { schedule: '0 3 * * *', jobTemplate: { spec: jobSpec() } },
});
const bareDbPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'db-0', namespace: NS, labels: { 'app': 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' } },
  spec: { containers: [container(5432)] },
};
const isolate = (name: string, podSelector: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: NS },
  spec: { podSelector, policyTypes: ['Ingress'] },
});
const allowFrom = (name: string, podSelector: Record<string, unknown>, from: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: NS },
  spec: { podSelector, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: from }] }] },
});

/** The end of an uncertainty's reason, and of its note. */
const AT_RUNTIME = 'sets at runtime (value unknown or not the same on every pod)';
const NOTE_END = 'a workload controller adds such labels to its pods at runtime, with values the manifests do not give or that differ '
  + 'between its pods, so the flows of those pods that the policy could change are indeterminate';

const WEB = Target.workload(NS, 'web');
const DB = Target.workload(NS, 'db');

function reach(manifests: any[], cni: Cni): Reachability {
  expectValidManifests(manifests);
  return Reachability.fromManifests(manifests, { cni });
}

describe('policies selecting by labels workload controllers add at runtime', () => {
  const podName = isolate('db-0-only', { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } });
  const cluster = [namespace, deployment('web', 8080), statefulSet('db', 5432), podName];

  test.each([['Calico', Cni.calico()], ['Kubernetes', Cni.kubernetes()]])(
    'a StatefulSet pod-name selector under %s: the real db-0 may be isolated, so indeterminate at the destination', (_name, cni) => {
      const r = reach(cluster, cni);
      const result = r.check(WEB, DB, Port.tcp(5432));
      expect(result.verdict).toBe(Verdict.INDETERMINATE);
      expect(result.egress.verdict).toBe(Verdict.ALLOW);
      expect(result.ingress.verdict).toBe(Verdict.INDETERMINATE);
      expect(result.ingress.uncertainties).toEqual([
        `NetworkPolicy shop/db-0-only may select the destination by statefulset.kubernetes.io/pod-name, which its workload controller ${AT_RUNTIME}`,
      ]);
      expect(r.notes).toContain(`NetworkPolicy shop/db-0-only selects pods by statefulset.kubernetes.io/pod-name (set by the StatefulSet controller): ${NOTE_END}`);
      // The Deployment's pods never get the label: the policy cannot select web.
      expect(r.check(DB, WEB, Port.tcp(8080)).verdict).toBe(Verdict.ALLOW);
    });

  test('the same under Cilium: its identity label filter drops the key, the selector selects nothing, exact allow', () => {
    const r = reach(cluster, Cni.cilium());
    const result = r.check(WEB, DB, Port.tcp(5432));
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.uncertainties).toEqual([]);
    expect(r.notes.filter((n) => n.includes('workload controller'))).toEqual([]);
  });

  test('a Deployment selected by pod-template-hash: indeterminate, naming the Deployment controller', () => {
    const r = reach([namespace, deployment('web', 8080), deployment('api', 8080),
      isolate('api-rs', { matchLabels: { 'pod-template-hash': '5d8f7c9b6' } })], Cni.calico());
    const result = r.check(WEB, Target.workload(NS, 'api'), Port.tcp(8080));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.ingress.uncertainties).toEqual([
      `NetworkPolicy shop/api-rs may select the destination by pod-template-hash, which its workload controller ${AT_RUNTIME}`,
    ]);
    expect(r.notes).toContain(`NetworkPolicy shop/api-rs selects pods by pod-template-hash (set by the Deployment controller): ${NOTE_END}`);
  });

  test('a peer selector on job-name: the Job\'s own name is its value, so exact; a CronJob\'s Jobs have names of a known form, times unknown', () => {
    const policy = (...names: string[]) => allowFrom('db-from-migrate', { matchLabels: { app: 'db' } },
      { matchExpressions: [{ key: 'job-name', operator: 'In', values: names }] });
    const r = reach([namespace, deployment('web', 8080), statefulSet('db', 5432), job('migrate'), cronJob('migrate-nightly'), policy('migrate')],
      Cni.calico());
    const fromJob = r.check(Target.workload(NS, 'migrate'), DB, Port.tcp(5432));
    expect([fromJob.verdict, fromJob.uncertainties]).toEqual([Verdict.ALLOW, []]);
    // web is a Deployment: it never carries job-name, the isolation denies it for certain.
    expect(r.check(WEB, DB, Port.tcp(5432)).verdict).toBe(Verdict.DENY);
    // `migrate` is no `migrate-nightly-<minutes>`: no Job of the CronJob has it.
    const notCron = r.check(Target.workload(NS, 'migrate-nightly'), DB, Port.tcp(5432));
    expect([notCron.verdict, notCron.uncertainties]).toEqual([Verdict.DENY, []]);
    const r2 = reach([namespace, deployment('web', 8080), statefulSet('db', 5432), job('migrate'), cronJob('migrate-nightly'),
      policy('migrate', 'migrate-nightly-29000000')], Cni.calico());
    const fromCron = r2.check(Target.workload(NS, 'migrate-nightly'), DB, Port.tcp(5432));
    expect(fromCron.verdict).toBe(Verdict.INDETERMINATE);
    expect(fromCron.ingress.uncertainties).toEqual([
      `NetworkPolicy shop/db-from-migrate may match the peer of the destination by job-name, which the peer's workload controller ${AT_RUNTIME}`,
    ]);
  });

  test('pods given directly carry their labels: a bare Pod with the label is selected for certain, a probe too', () => {
    const r = reach([namespace, deployment('web', 8080), bareDbPod, podName], Cni.calico());
    expect(r.check(WEB, Target.workload(NS, 'db-0'), Port.tcp(5432)).verdict).toBe(Verdict.DENY);
    r.addProbe('probe', NS, { 'statefulset.kubernetes.io/pod-name': 'db-0' }, { ports: [Port.tcp(5432)] });
    expect(r.check(WEB, Target.workload(NS, 'probe'), Port.tcp(5432)).verdict).toBe(Verdict.DENY);
  });

  test('the flow matrix tells a StatefulSet\'s pods from a bare Pod with the same labels', () => {
    const bare = { ...bareDbPod, metadata: { ...bareDbPod.metadata, name: 'db-manual', labels: { app: 'db' } } };
    const r = reach([...cluster, bare], Cni.calico());
    const toDb = r.matrix().flows.filter((f) => f.source === 'shop/web' && f.port === 'TCP/5432')
      .map((f) => [f.destination, f.verdict]);
    expect(toDb).toEqual([['shop/db', Verdict.INDETERMINATE], ['shop/db-manual', Verdict.ALLOW]]);
  });

  test('a bare Pod sharing its name with a StatefulSet does not get the StatefulSet\'s runtime labels, in check() nor in the matrix', () => {
    // A Pod and a StatefulSet may share a name (different kinds); `other` has the bare Pod's labels, so the
    // flow matrix classes the two bare Pods together.
    const barePod = (name: string) => ({ ...bareDbPod, metadata: { name, namespace: NS, labels: { app: 'other' } } });
    const r = reach([...cluster, barePod('db'), barePod('other')], Cni.calico());
    const toOther = r.check(WEB, Target.pod(NS, { app: 'other' }), Port.tcp(5432));
    expect([toOther.verdict, toOther.uncertainties]).toEqual([Verdict.ALLOW, []]);
    const toDb = r.matrix().flows.filter((f) => f.source === 'shop/web' && f.port === 'TCP/5432')
      .map((f) => [f.destination, f.verdict]);
    expect(toDb).toEqual([['shop/db', Verdict.INDETERMINATE], ['shop/db', Verdict.ALLOW], ['shop/other', Verdict.ALLOW]]);
  });

  test('the other requirements of the selector still rule pods out: exact for the pods they exclude', () => {
    const r = reach([namespace, deployment('web', 8080), statefulSet('db', 5432), statefulSet('cache', 6379),
      isolate('db-0-only', { matchLabels: { 'app': 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' } })], Cni.calico());
    expect(r.check(WEB, DB, Port.tcp(5432)).verdict).toBe(Verdict.INDETERMINATE);
    const toCache = r.check(WEB, Target.workload(NS, 'cache'), Port.tcp(6379));
    expect([toCache.verdict, toCache.uncertainties]).toEqual([Verdict.ALLOW, []]);
  });

  test('a selector on ordinary labels stays exact', () => {
    const r = reach([namespace, deployment('web', 8080), statefulSet('db', 5432), isolate('db-isolated', { matchLabels: { app: 'db' } })],
      Cni.calico());
    const result = r.check(WEB, DB, Port.tcp(5432));
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.uncertainties).toEqual([]);
  });

  test('Calico selector expressions and Cilium endpoint selectors on kept keys are read too', () => {
    const calico = reach([namespace, deployment('web', 8080), statefulSet('db', 5432), {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'db-0-deny', namespace: NS },
      spec: { selector: "statefulset.kubernetes.io/pod-name == 'db-0'", types: ['Ingress'], ingress: [{ action: 'Deny' }] },
    }], Cni.calico());
    expect(calico.check(WEB, DB, Port.tcp(5432)).ingress.uncertainties).toEqual([
      `NetworkPolicy shop/db-0-deny may select the destination by statefulset.kubernetes.io/pod-name, which its workload controller ${AT_RUNTIME}`,
    ]);
    // job-name is identity-relevant under Cilium's default filter: a Job's is exact, a CronJob's Jobs' unknown.
    const cilium = reach([namespace, deployment('web', 8080), job('migrate'), cronJob('nightly'), {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'jobs-in', namespace: NS },
      spec: {
        endpointSelector: { matchExpressions: [{ key: 'k8s:job-name', operator: 'In', values: ['migrate', 'nightly-29000000'] }] },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'none' } }] }],
      },
    }], Cni.cilium());
    const toJob = cilium.check(WEB, Target.workload(NS, 'migrate'), Port.tcp(9000));
    expect([toJob.verdict, toJob.uncertainties]).toEqual([Verdict.DENY, []]);
    const toCron = cilium.check(WEB, Target.workload(NS, 'nightly'), Port.tcp(9000));
    expect(toCron.verdict).toBe(Verdict.INDETERMINATE);
    expect(toCron.ingress.uncertainties).toEqual([
      `CiliumNetworkPolicy shop/jobs-in may select the destination by job-name, which its workload controller ${AT_RUNTIME}`,
    ]);
  });

  test('a ClusterNetworkPolicy whose subject pods are selected by controller-revision-hash: a DaemonSet\'s pods are indeterminate', () => {
    const daemonSet = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: NS },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [container(9100)] } } },
    };
    const cnp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'old-agents' },
      spec: {
        tier: 'Admin',
        priority: 10,
        subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { 'controller-revision-hash': 'agent-6d4f' } } } },
        ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
      },
    };
    const r = reach([namespace, deployment('web', 8080), daemonSet, cnp], Cni.kubernetes({ clusterNetworkPolicy: true }));
    const result = r.check(WEB, Target.workload(NS, 'agent'), Port.tcp(9100));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.ingress.uncertainties).toEqual([
      `ClusterNetworkPolicy old-agents may select the destination by controller-revision-hash, which its workload controller ${AT_RUNTIME}`,
    ]);
    expect(r.notes).toContain(`ClusterNetworkPolicy old-agents selects pods by controller-revision-hash (set by the StatefulSet, DaemonSet controllers): ${NOTE_END}`);
    // A CNI without ClusterNetworkPolicy support does not enforce it: nothing the controller adds changes that.
    const unenforced = reach([namespace, deployment('web', 8080), daemonSet, cnp], Cni.kubernetes()).check(WEB, Target.workload(NS, 'agent'), Port.tcp(9100));
    expect([unenforced.verdict, unenforced.uncertainties]).toEqual([Verdict.ALLOW, []]);
  });
});
