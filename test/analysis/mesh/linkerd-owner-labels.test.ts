/**
 * Servers selecting meshed pods by the owner label Linkerd's proxy injector adds at admission
 * (linkerd2 pkg/inject/inject.go, Pod case; controller/k8s/api.go GetOwnerKindAndName):
 * `linkerd.io/proxy-deployment` for a Deployment's pods (its ReplicaSet's one owner), `-statefulset`,
 * `-daemonset`, `-replicationcontroller`, `-replicaset` / `-job` for ones without an owner; none for a
 * CronJob's pods or a bare pod. A pod whose owner is a ReplicaSet or Job of unknown parentage is indeterminate.
 */
import { LINKERD, linkerd, meshReach, namespace, w, workload } from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';

const HTTP = Port.tcp(8080);
const ns = [namespace('shop', {}, { 'linkerd.io/inject': 'enabled' })];

/** A deny-all Server on port 8080 of the pods carrying `label: value`. */
function serverBy(label: string, value: string): any {
  return linkerd('Server', 'shop', 'api-8080', { podSelector: { matchLabels: { [label]: value } }, port: 8080, accessPolicy: 'deny' });
}

/** The Deployment `api` of ./support as another kind (its pod template and selector kept). */
function as(kind: string, apiVersion: string, extra: Record<string, unknown> = {}): any {
  const d = workload('shop', 'api');
  if (kind === 'CronJob') {
    return { apiVersion, kind, metadata: d.metadata, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { ...d.spec.template, spec: { ...d.spec.template.spec, restartPolicy: 'Never' } } } } } };
  }
  if (kind === 'Job') return { apiVersion, kind, metadata: { ...d.metadata, ...extra }, spec: { template: { ...d.spec.template, spec: { ...d.spec.template.spec, restartPolicy: 'Never' } } } };
  if (kind === 'DaemonSet') return { apiVersion, kind, metadata: d.metadata, spec: { selector: d.spec.selector, template: d.spec.template } };
  return { apiVersion, kind, metadata: { ...d.metadata, ...extra }, spec: { ...d.spec, ...(kind === 'StatefulSet' ? { serviceName: 'api' } : {}) } };
}

describe('Servers selecting by the proxy injector\'s owner labels', () => {
  test('a Deployment\'s pods carry linkerd.io/proxy-deployment: the Server selects them and denies (the old analysis allowed by the default policy)', () => {
    const r = meshReach([...ns, workload('shop', 'web'), workload('shop', 'api'), serverBy('linkerd.io/proxy-deployment', 'api')], LINKERD);
    const result = r.check(w('shop/web'), w('shop/api'), HTTP);
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.mesh!.decidingRules).toEqual(['Server shop/api-8080 spec.accessPolicy (isolate)']);
    // Another Deployment's name selects nothing: the default policy applies.
    expect(meshReach([...ns, workload('shop', 'web'), workload('shop', 'api'), serverBy('linkerd.io/proxy-deployment', 'web')], LINKERD)
      .check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
  });

  test('StatefulSet, DaemonSet, ReplicaSet and Job pods carry their own kind\'s label; a CronJob\'s pods carry none', () => {
    const cases: Array<[any, string, Verdict]> = [
      [as('StatefulSet', 'apps/v1'), 'linkerd.io/proxy-statefulset', Verdict.DENY],
      [as('DaemonSet', 'apps/v1'), 'linkerd.io/proxy-daemonset', Verdict.DENY],
      [as('ReplicaSet', 'apps/v1'), 'linkerd.io/proxy-replicaset', Verdict.DENY],
      [as('Job', 'batch/v1'), 'linkerd.io/proxy-job', Verdict.DENY],
      // The CronJob's Job has one owner, the CronJob, which the injector does not label: proxy-cronjob is never set at admission.
      [as('CronJob', 'batch/v1'), 'linkerd.io/proxy-cronjob', Verdict.ALLOW],
      // The Deployment label is for Deployments only.
      [as('StatefulSet', 'apps/v1'), 'linkerd.io/proxy-deployment', Verdict.ALLOW],
    ];
    expectValidManifests(cases.map(([obj]) => obj));
    for (const [obj, label, verdict] of cases) {
      const result = meshReach([...ns, workload('shop', 'web'), obj, serverBy(label, 'api')], LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
      expect([obj.kind, label, result.verdict]).toEqual([obj.kind, label, verdict]);
    }
  });

  test('a ReplicaSet owned by a Deployment gives its pods the Deployment\'s label (the injector asks the ReplicaSet for its one owner)', () => {
    const rs = as('ReplicaSet', 'apps/v1', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api-deploy', uid: '1b0c6a4e-0000-4000-8000-000000000001' }] });
    expectValidManifests([rs]);
    const r = (label: string, value: string) => meshReach([...ns, workload('shop', 'web'), rs, serverBy(label, value)], LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
    expect(r('linkerd.io/proxy-deployment', 'api-deploy').verdict).toBe(Verdict.DENY);
    expect(r('linkerd.io/proxy-replicaset', 'api').verdict).toBe(Verdict.ALLOW);
  });

  test('a ReplicaSet owned by an Argo Rollout keeps its own label (the injector takes a ReplicaSet\'s owner only for a Deployment, StatefulSet, DaemonSet or Job)', () => {
    // linkerd2 controller/k8s/k8s.go isValidRSParent.
    const rs = as('ReplicaSet', 'apps/v1', { ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api-rollout', uid: '1b0c6a4e-0000-4000-8000-000000000003' }] });
    expectValidManifests([rs]);
    const r = (label: string, value: string) => meshReach([...ns, workload('shop', 'web'), rs, serverBy(label, value)], LINKERD).check(w('shop/web'), w('shop/api'), HTTP);
    expect(r('linkerd.io/proxy-replicaset', 'api').verdict).toBe(Verdict.DENY);
    expect(r('linkerd.io/proxy-deployment', 'api-rollout').verdict).toBe(Verdict.ALLOW);
  });

  test('a bare Pod carries no owner label; one owned by a ReplicaSet is indeterminate where a Server selects by an owner label', () => {
    const pod = (ownerReferences?: unknown[]) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' }, ...(ownerReferences ? { ownerReferences } : {}) },
      spec: { serviceAccountName: 'api', containers: [{ name: 'app', image: 'example/api:1.0', ports: [{ containerPort: 8080 }] }] },
    });
    const owned = pod([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-5d4f', uid: '1b0c6a4e-0000-4000-8000-000000000002' }]);
    expectValidManifests([pod(), owned]);
    const bare = meshReach([...ns, workload('shop', 'web'), pod(), serverBy('linkerd.io/proxy-deployment', 'api')], LINKERD);
    expect(bare.check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    const unsure = meshReach([...ns, workload('shop', 'web'), owned, serverBy('linkerd.io/proxy-deployment', 'api')], LINKERD)
      .check(w('shop/web'), w('shop/api'), HTTP);
    expect(unsure.verdict).toBe(Verdict.INDETERMINATE);
    expect(unsure.uncertainties).toEqual(['mesh: whether Server shop/api-8080 selects the destination is not known: it selects by an owner label of '
      + 'Linkerd\'s proxy injector, and the pod\'s owner ReplicaSet api-5d4f may itself have an owner, which would name the pod\'s owner label instead']);
    // A Server that misses the pod whatever its owner label is decided: here by app.
    const other = linkerd('Server', 'shop', 'api-8080', {
      podSelector: { matchLabels: { 'linkerd.io/proxy-deployment': 'api', 'app': 'other' } }, port: 8080, accessPolicy: 'deny',
    });
    expect(meshReach([...ns, workload('shop', 'web'), owned, other], LINKERD).check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.ALLOW);
    // A Server selecting by other labels is decided as before.
    expect(meshReach([...ns, workload('shop', 'web'), owned, serverBy('app', 'api')], LINKERD)
      .check(w('shop/web'), w('shop/api'), HTTP).verdict).toBe(Verdict.DENY);
  });
});
