/**
 * Reads of controller-added labels whose answer is the same for every pod of a workload are exact
 * (see ../../src/analysis/uncertainty/controller-label-facts.ts): a Job's `job-name` labels are its
 * name (unless `manualSelector`), a key a controller always adds exists on every pod, a StatefulSet's
 * pod names are `<name>-<ordinal>` for its declared replicas. Reads whose answer differs between the
 * pods, or depends on a value the manifests do not give, stay indeterminate.
 */
import { Cni, Port, Reachability, Target, Verdict } from '../../src';
import { expectValidManifests } from '../support/schema';

const NS = 'shop';
const container = (port: number) => ({ name: 'c', image: 'registry.example/app:1', ports: [{ containerPort: port }] });
const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } };
const template = (app: string, port: number) => ({ metadata: { labels: { app } }, spec: { containers: [container(port)] } });
const deployment = (name: string, port: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: { selector: { matchLabels: { app: name } }, template: template(name, port) },
});
const statefulSet = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: NS },
  spec: { serviceName: name, selector: { matchLabels: { app: name } }, template: template(name, 5432), ...extra },
});
const job = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: NS },
  spec: { ...extra, template: { metadata: { labels: { app: name } }, spec: { restartPolicy: 'Never', containers: [container(9000)] } } },
});
/** Ingress isolation of the pods `podSelector` selects (no rule: nothing admitted). */
const isolate = (podSelector: Record<string, unknown>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'isolate', namespace: NS },
  spec: { podSelector, policyTypes: ['Ingress'] },
});
const calicoDeny = (selector: string) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny', namespace: NS },
  spec: { selector, types: ['Ingress'], ingress: [{ action: 'Deny' }] },
});
const exists = (key: string, operator = 'Exists') => ({ matchExpressions: [{ key, operator }] });
const podNameIn = (...values: string[]) => ({ matchExpressions: [{ key: 'statefulset.kubernetes.io/pod-name', operator: 'In', values }] });

const WEB = Target.workload(NS, 'web');
const CNIS: Array<[string, () => Cni]> = [['Kubernetes', () => Cni.kubernetes()], ['Calico', () => Cni.calico()], ['Cilium', () => Cni.cilium()]];

/** The verdict and uncertainties of web -> `to` on `port`. */
function verdict(manifests: any[], cni: Cni, to: string, port: number): [Verdict, string[]] {
  const all = [namespace, deployment('web', 8080), ...manifests];
  expectValidManifests(all);
  const result = Reachability.fromManifests(all, { cni }).check(WEB, Target.workload(NS, to), Port.tcp(port));
  return [result.verdict, result.uncertainties];
}

describe('Job name labels', () => {
  test.each(CNIS)('a policy selecting job-name: migrate isolates Job migrate for certain under %s', (_name, cni) => {
    expect(verdict([job('migrate'), isolate({ matchLabels: { 'job-name': 'migrate' } })], cni(), 'migrate', 9000)).toEqual([Verdict.DENY, []]);
    expect(verdict([job('seed'), isolate({ matchLabels: { 'batch.kubernetes.io/job-name': 'migrate' } })], cni(), 'seed', 9000))
      .toEqual([Verdict.ALLOW, []]);
  });

  test('a Job with manualSelector: the API server adds no job-name (nor controller-uid) labels, so the selector never matches', () => {
    const manual = job('migrate', { manualSelector: true, selector: { matchLabels: { app: 'migrate' } } });
    expect(verdict([manual, isolate({ matchLabels: { 'job-name': 'migrate' } })], Cni.calico(), 'migrate', 9000)).toEqual([Verdict.ALLOW, []]);
    expect(verdict([manual, isolate(exists('controller-uid'))], Cni.calico(), 'migrate', 9000)).toEqual([Verdict.ALLOW, []]);
  });

  test('a template that already holds the generated labels (the API server requires the Job\'s own name there) stays exact', () => {
    const own = job('migrate');
    own.spec.template.metadata.labels = { 'app': 'migrate', 'batch.kubernetes.io/job-name': 'migrate' } as any;
    expect(verdict([own, isolate({ matchLabels: { 'batch.kubernetes.io/job-name': 'migrate', 'job-name': 'migrate' } })], Cni.kubernetes(),
      'migrate', 9000)).toEqual([Verdict.DENY, []]);
  });

  test('Exists on controller-uid (a uid, always there): exact; its value: indeterminate', () => {
    expect(verdict([job('migrate'), isolate(exists('batch.kubernetes.io/controller-uid'))], Cni.calico(), 'migrate', 9000))
      .toEqual([Verdict.DENY, []]);
    const [v] = verdict([job('migrate'), isolate({ matchLabels: { 'controller-uid': '0b6e0c2a' } })], Cni.calico(), 'migrate', 9000);
    expect(v).toBe(Verdict.INDETERMINATE);
  });

  test('completion index: only Indexed Jobs, and only on Kubernetes 1.28+ (PodIndexLabel), so Exists is indeterminate there', () => {
    const key = 'batch.kubernetes.io/job-completion-index';
    expect(verdict([job('migrate'), isolate(exists(key))], Cni.calico(), 'migrate', 9000)).toEqual([Verdict.ALLOW, []]);
    const indexed = job('migrate', { completionMode: 'Indexed', completions: 2 });
    expect(verdict([indexed, isolate(exists(key))], Cni.calico(), 'migrate', 9000)[0]).toBe(Verdict.INDETERMINATE);
    // No index could be 5: none of the pods is selected, whatever the version.
    expect(verdict([indexed, isolate({ matchLabels: { [key]: '5' } })], Cni.calico(), 'migrate', 9000)).toEqual([Verdict.ALLOW, []]);
  });
});

describe('keys a controller always adds, values it does not give', () => {
  test.each([['Kubernetes', Cni.kubernetes()], ['Calico', Cni.calico()]])(
    'Exists on statefulset.kubernetes.io/pod-name selects every StatefulSet pod under %s, DoesNotExist none', (_name, cni) => {
      expect(verdict([statefulSet('db'), isolate(exists('statefulset.kubernetes.io/pod-name'))], cni, 'db', 5432)).toEqual([Verdict.DENY, []]);
      expect(verdict([statefulSet('db'), isolate(exists('statefulset.kubernetes.io/pod-name', 'DoesNotExist'))], cni, 'db', 5432))
        .toEqual([Verdict.ALLOW, []]);
    });

  test('under Cilium the filter drops pod-name: Exists selects nothing, exact', () => {
    expect(verdict([statefulSet('db'), isolate(exists('statefulset.kubernetes.io/pod-name'))], Cni.cilium(), 'db', 5432)).toEqual([Verdict.ALLOW, []]);
  });

  test('Calico has() and !has() on pod-template-hash: exact for a Deployment; its value stays indeterminate', () => {
    expect(verdict([deployment('api', 8080), calicoDeny('has(pod-template-hash)')], Cni.calico(), 'api', 8080)).toEqual([Verdict.DENY, []]);
    expect(verdict([deployment('api', 8080), calicoDeny('!has(pod-template-hash)')], Cni.calico(), 'api', 8080)).toEqual([Verdict.ALLOW, []]);
    expect(verdict([deployment('api', 8080), calicoDeny("pod-template-hash starts with '5'")], Cni.calico(), 'api', 8080)[0])
      .toBe(Verdict.INDETERMINATE);
  });

  test('apps.kubernetes.io/pod-index: Exists is indeterminate (absent before 1.28), an ordinal no pod has is exact', () => {
    expect(verdict([statefulSet('db', { replicas: 2 }), isolate(exists('apps.kubernetes.io/pod-index'))], Cni.calico(), 'db', 5432)[0])
      .toBe(Verdict.INDETERMINATE);
    expect(verdict([statefulSet('db', { replicas: 2 }), isolate({ matchLabels: { 'apps.kubernetes.io/pod-index': '7' } })], Cni.calico(), 'db', 5432))
      .toEqual([Verdict.ALLOW, []]);
  });
});

describe('StatefulSet pod names', () => {
  test.each([['Kubernetes', Cni.kubernetes()], ['Calico', Cni.calico()]])('under %s: all pods named -> exact, some -> indeterminate, none -> exact',
    (_name, cni) => {
      expect(verdict([statefulSet('db', { replicas: 2 }), isolate(podNameIn('db-0', 'db-1'))], cni, 'db', 5432)).toEqual([Verdict.DENY, []]);
      const [some, why] = verdict([statefulSet('db', { replicas: 3 }), isolate(podNameIn('db-0', 'db-1'))], cni, 'db', 5432);
      expect([some, why]).toEqual([Verdict.INDETERMINATE, ['NetworkPolicy shop/isolate may select the destination by '
        + 'statefulset.kubernetes.io/pod-name, which its workload controller sets at runtime (value unknown or not the same on every pod)']]);
      expect(verdict([statefulSet('db', { replicas: 2 }), isolate(podNameIn('web-0', 'db-5'))], cni, 'db', 5432)).toEqual([Verdict.ALLOW, []]);
    });

  test('ordinals.start moves the names; replicas absent or an HPA scaling the set: the names are unknown', () => {
    const started = statefulSet('db', { replicas: 2, ordinals: { start: 1 } });
    expect(verdict([started, isolate(podNameIn('db-1', 'db-2'))], Cni.calico(), 'db', 5432)).toEqual([Verdict.DENY, []]);
    expect(verdict([started, isolate(podNameIn('db-0', 'db-1'))], Cni.calico(), 'db', 5432)[0]).toBe(Verdict.INDETERMINATE);
    expect(verdict([statefulSet('db'), isolate(podNameIn('db-0'))], Cni.calico(), 'db', 5432)[0]).toBe(Verdict.INDETERMINATE);
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'db', namespace: NS },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }, minReplicas: 1, maxReplicas: 4 },
    };
    expect(verdict([statefulSet('db', { replicas: 1 }), hpa, isolate(podNameIn('db-0'))], Cni.calico(), 'db', 5432)[0]).toBe(Verdict.INDETERMINATE);
  });

  describe('other autoscalers', () => {
    /** web -> db under Calico with one replica of db, the pod `db-0` isolated, and `scaler` (no pinned schema: not validated). */
    const withScaler = (scaler: Record<string, unknown>): [Verdict, string[]] => {
      const all = [namespace, deployment('web', 8080), statefulSet('db', { replicas: 1 }), isolate(podNameIn('db-0'))];
      expectValidManifests(all);
      const result = Reachability.fromManifests([...all, scaler], { cni: Cni.calico() }).check(WEB, Target.workload(NS, 'db'), Port.tcp(5432));
      return [result.verdict, result.uncertainties];
    };
    const scaledObject = (scaleTargetRef: Record<string, unknown>, ns = NS) => ({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'db', namespace: ns },
      spec: { scaleTargetRef, minReplicaCount: 1, maxReplicaCount: 4, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] },
    });
    const UNKNOWN_NAMES = ['NetworkPolicy shop/isolate may select the destination by statefulset.kubernetes.io/pod-name, which its workload '
      + 'controller sets at runtime (value unknown or not the same on every pod)'];

    test('a KEDA ScaledObject scaling the set: its pod names are unknown', () => {
      expect(withScaler(scaledObject({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }))).toEqual([Verdict.INDETERMINATE, UNKNOWN_NAMES]);
    });

    test('a ScaledObject without kind scales a Deployment; one in another namespace another set: the names stay exact', () => {
      expect(withScaler(scaledObject({ name: 'db' }))).toEqual([Verdict.DENY, []]);
      expect(withScaler(scaledObject({ kind: 'StatefulSet', name: 'db' }, 'other'))).toEqual([Verdict.DENY, []]);
    });

    test('a VerticalPodAutoscaler (spec.targetRef) changes no replica count: exact', () => {
      expect(withScaler({
        apiVersion: 'autoscaling.k8s.io/v1',
        kind: 'VerticalPodAutoscaler',
        metadata: { name: 'db', namespace: NS },
        spec: { targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' }, updatePolicy: { updateMode: 'Recreate' } },
      })).toEqual([Verdict.DENY, []]);
    });

    test('an unknown kind with a spec.scaleTargetRef naming the set is taken for an autoscaler: indeterminate, never a claimed name', () => {
      expect(withScaler({
        apiVersion: 'scaling.example.com/v1',
        kind: 'Scaler',
        metadata: { name: 'db', namespace: NS },
        spec: { scaleTargetRef: { kind: 'StatefulSet', name: 'db' } },
      })).toEqual([Verdict.INDETERMINATE, UNKNOWN_NAMES]);
    });
  });

  test('Calico in {...} over all the names: exact', () => {
    expect(verdict([statefulSet('db', { replicas: 2 }), calicoDeny("statefulset.kubernetes.io/pod-name in {'db-0', 'db-1'}")], Cni.calico(), 'db', 5432))
      .toEqual([Verdict.DENY, []]);
  });
});

describe('CronJob Job names (`<cronjob>-<scheduled time in minutes>`)', () => {
  /** A CronJob `name` whose pods are labelled `app: <app>`. */
  const cronJob = (name: string, app = name) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: NS },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: job(app).spec.template } } },
  });
  const jobName = (operator: string, values: string[], key = 'job-name') => ({ matchExpressions: [{ key, operator, values }] });
  const DECIDED_BY_TIME = ['NetworkPolicy shop/isolate may select the destination by job-name, which its workload controller sets at runtime '
    + '(value unknown or not the same on every pod)'];

  test.each([['Kubernetes', Cni.kubernetes()], ['Calico', Cni.calico()], ['Cilium', Cni.cilium()]])(
    'under %s: In/NotIn naming no value of the form are exact; a value of the form depends on the time: indeterminate', (_name, cni) => {
      const to = (selector: Record<string, unknown>) => verdict([cronJob('nightly'), isolate(selector)], cni, 'nightly', 9000);
      // Not `nightly-` followed by digits only: no Job of the CronJob is named so.
      expect(to(jobName('In', ['nightly', 'nightly-', 'nightly-3am', 'other-29000000', 'nightly-29000000-1']))).toEqual([Verdict.ALLOW, []]);
      expect(to(jobName('NotIn', ['nightly', 'nightly-x']))).toEqual([Verdict.DENY, []]);
      expect(to({ matchLabels: { 'job-name': 'nightly' } })).toEqual([Verdict.ALLOW, []]);
      expect(to(jobName('In', ['nightly-29000000']))).toEqual([Verdict.INDETERMINATE, DECIDED_BY_TIME]);
      expect(to(jobName('NotIn', ['nightly', 'nightly-29000000']))).toEqual([Verdict.INDETERMINATE, DECIDED_BY_TIME]);
    });

  test('batch.kubernetes.io/job-name is read alike; Exists and DoesNotExist are exact', () => {
    const to = (selector: Record<string, unknown>) => verdict([cronJob('nightly'), isolate(selector)], Cni.kubernetes(), 'nightly', 9000);
    expect(to(jobName('In', ['nightly'], 'batch.kubernetes.io/job-name'))).toEqual([Verdict.ALLOW, []]);
    expect(to(jobName('In', ['nightly-1'], 'batch.kubernetes.io/job-name'))[0]).toBe(Verdict.INDETERMINATE);
    expect(to(exists('job-name'))).toEqual([Verdict.DENY, []]);
    expect(to(exists('batch.kubernetes.io/job-name', 'DoesNotExist'))).toEqual([Verdict.ALLOW, []]);
  });

  test('Calico: ==, !=, in and not in are compared with the form; starts with stays indeterminate', () => {
    const to = (selector: string) => verdict([cronJob('nightly'), calicoDeny(selector)], Cni.calico(), 'nightly', 9000);
    expect(to("job-name == 'nightly'")).toEqual([Verdict.ALLOW, []]);
    expect(to("job-name != 'nightly'")).toEqual([Verdict.DENY, []]);
    expect(to("job-name in {'a', 'nightly-x'}")).toEqual([Verdict.ALLOW, []]);
    expect(to("job-name not in {'nightly-29000000'}")[0]).toBe(Verdict.INDETERMINATE);
    expect(to("job-name starts with 'nightly-'")[0]).toBe(Verdict.INDETERMINATE);
  });

  test('Calico naming the placeholder the endpoint holds for the unknown time: no Job is named so, but the endpoint would match, so indeterminate', () => {
    const to = (selector: string) => verdict([cronJob('nightly'), calicoDeny(selector)], Cni.calico(), 'nightly', 9000);
    const why = ['NetworkPolicy shop/deny may select the destination by job-name, which its workload controller sets at runtime '
      + '(value unknown or not the same on every pod)'];
    expect(to("job-name == '(set at runtime)'")).toEqual([Verdict.INDETERMINATE, why]);
    expect(to("job-name != '(set at runtime)'")).toEqual([Verdict.INDETERMINATE, why]);
    expect(to("job-name in {'(set at runtime)', 'nightly'}")).toEqual([Verdict.INDETERMINATE, why]);
  });

  test('two CronJobs with one template: the flow matrix keeps them apart where the form decides for one and not the other', () => {
    const manifests = [namespace, deployment('web', 8080), cronJob('a', 'batch'), cronJob('b', 'batch'), isolate(jobName('In', ['a-29000000']))];
    expectValidManifests(manifests);
    const reach = Reachability.fromManifests(manifests, { cni: Cni.kubernetes() });
    const flow = (to: string) => reach.matrix().flows.find((f) => f.source === `${NS}/web` && f.destination === `${NS}/${to}` && f.port === 'TCP/9000')?.verdict;
    expect([flow('a'), flow('b')]).toEqual([Verdict.INDETERMINATE, Verdict.ALLOW]);
    expect(reach.check(WEB, Target.workload(NS, 'b'), Port.tcp(9000)).verdict).toBe(Verdict.ALLOW);
  });
});

describe('Target.pod on controller-added labels', () => {
  const reach = (...objects: any[]) => {
    const all = [namespace, deployment('web', 8080), ...objects];
    expectValidManifests(all);
    return Reachability.fromManifests(all, { cni: Cni.kubernetes() });
  };
  const check = (r: Reachability, labels: Record<string, string>) => r.check(WEB, Target.pod(NS, labels), Port.tcp(5432)).verdict;

  test('any pod name of a StatefulSet finds its pods, not only the one the endpoint holds; a name it has no pod for finds none', () => {
    const r = reach(statefulSet('db', { replicas: 2 }));
    expect(check(r, { 'statefulset.kubernetes.io/pod-name': 'db-0' })).toBe(Verdict.ALLOW);
    expect(check(r, { 'statefulset.kubernetes.io/pod-name': 'db-1' })).toBe(Verdict.ALLOW);
    expect(() => check(r, { 'statefulset.kubernetes.io/pod-name': 'db-2' })).toThrow(/matches no endpoint/);
  });

  test('the placeholder of a value the manifests do not give is no label value: it finds nothing', () => {
    const r = reach(statefulSet('db', { replicas: 2 }));
    expect(() => check(r, { 'controller-revision-hash': '(set at runtime)' })).toThrow(/matches no endpoint/);
  });
});

describe('policies of another CNI (not evaluated) selecting by controller-added labels', () => {
  test('a Calico policy under Cni.kubernetes() selecting the second pod name of two may select pods of the set: indeterminate', () => {
    const [v, why] = verdict([statefulSet('db', { replicas: 2 }), calicoDeny("statefulset.kubernetes.io/pod-name == 'db-1'")], Cni.kubernetes(), 'db', 5432);
    expect(v).toBe(Verdict.INDETERMINATE);
    expect(why).toEqual(['NetworkPolicy shop/deny may select the destination and is not evaluated (a Calico policy, analysed for the kubernetes '
      + 'CNI (a cluster that runs Calico enforces it))']);
    // A name the set has no pod for: exact.
    expect(verdict([statefulSet('db', { replicas: 2 }), calicoDeny("statefulset.kubernetes.io/pod-name == 'db-5'")], Cni.kubernetes(), 'db', 5432))
      .toEqual([Verdict.ALLOW, []]);
  });

  test('a CiliumNetworkPolicy under Calico selecting a CronJob\'s job-name (a value the manifests do not give): indeterminate', () => {
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: NS },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: job('nightly').spec.template } } },
    };
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'deny', namespace: NS },
      spec: { endpointSelector: { matchLabels: { 'job-name': 'nightly-29000000' } }, ingressDeny: [{ fromEntities: ['all'] }] },
    };
    expect(verdict([cron, cnp], Cni.calico(), 'nightly', 9000)[0]).toBe(Verdict.INDETERMINATE);
  });
});
