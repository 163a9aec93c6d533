/**
 * Mesh workload selectors reading labels a workload controller adds at runtime
 * (../../../src/analysis/uncertainty/controller-label-selection.ts): the endpoint of a StatefulSet
 * holds one pod's name as a sample, so a selector on `statefulset.kubernetes.io/pod-name` naming one
 * pod of several is indeterminate (not "selects them all"); one naming every pod, or none, and a
 * Job's `job-name` (its name on every pod) are exact.
 */
import {
  authorizationPolicy, ISTIO_SIDECAR, LINKERD, linkerd, meshReach, namespace, peerAuthentication, service, w, workload,
} from './support';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';
import { Prng } from '../../support/prng';
import { expectValidManifests } from '../../support/schema';

const POD_NAME = 'statefulset.kubernetes.io/pod-name';

/** A StatefulSet `db` in `ns` with `replicas` pods (app: db, serviceAccount db, port 5432). */
function statefulSet(ns: string, replicas: number): any {
  const d = workload(ns, 'db', { ports: [5432] });
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: d.metadata, spec: { ...d.spec, serviceName: 'db', replicas } };
}

/** A Job `migrate` in `ns` (app: migrate, port 8080). */
function job(ns: string): any {
  const d = workload(ns, 'migrate');
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: d.metadata, spec: { template: { ...d.spec.template, spec: { ...d.spec.template.spec, restartPolicy: 'Never' } } } };
}

describe('Istio workload selectors on controller-added labels', () => {
  const ns = namespace('shop', { 'istio-injection': 'enabled' });
  const denyAll = (matchLabels: Record<string, string>) => authorizationPolicy('shop', 'deny-db', { selector: { matchLabels }, action: 'DENY', rules: [{}] });
  const check = (manifests: any[]) => {
    const all = [ns, workload('shop', 'web'), ...manifests];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_SIDECAR).check(w('shop/web'), w('shop/db'), Port.tcp(5432));
    return [result.verdict, result.uncertainties];
  };

  test('an AuthorizationPolicy selecting pod-name db-0 of a 2-replica StatefulSet is indeterminate (it denied every pod)', () => {
    expect(check([statefulSet('shop', 2), denyAll({ [POD_NAME]: 'db-0' })])).toEqual([Verdict.INDETERMINATE, [
      `mesh: whether AuthorizationPolicy shop/deny-db selects shop/db is not known: it selects by ${POD_NAME} (set by the StatefulSet `
        + 'controller), which the controller sets on each pod at runtime, with a value the manifests do not give or that is not the same on every pod',
      'mesh: for the pods it selects the flow is denied, for the others allowed',
    ]]);
    // db-1 is a pod of the set as well: the same (it allowed every pod).
    expect(check([statefulSet('shop', 2), denyAll({ [POD_NAME]: 'db-1' })])[0]).toBe(Verdict.INDETERMINATE);
  });

  test('an ALLOW policy on pod-name db-1 next to an ALLOW policy for the whole set that admits nothing: indeterminate, not denied', () => {
    const allowNothing = authorizationPolicy('shop', 'allow-nothing', { selector: { matchLabels: { app: 'db' } }, action: 'ALLOW' });
    const allowWeb = authorizationPolicy('shop', 'allow-web', {
      selector: { matchLabels: { [POD_NAME]: 'db-1' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }],
    });
    const [verdict, uncertainties] = check([statefulSet('shop', 2), allowNothing, allowWeb]);
    expect(verdict).toBe(Verdict.INDETERMINATE);
    expect(uncertainties).toContain('mesh: for the pods it selects the flow is allowed, for the others denied');
    // The same with a DENY policy for the whole set: denied for every pod, whatever the ALLOW one selects.
    expect(check([statefulSet('shop', 2), denyAll({ app: 'db' }), allowWeb])).toEqual([Verdict.DENY, []]);
  });

  test('pod-name of the only pod, or of no pod, decides for every pod', () => {
    expect(check([statefulSet('shop', 1), denyAll({ [POD_NAME]: 'db-0' })])).toEqual([Verdict.DENY, []]);
    expect(check([statefulSet('shop', 2), denyAll({ [POD_NAME]: 'db-2' })])).toEqual([Verdict.ALLOW, []]);
    // Another requirement that excludes the pods decides whatever the pod name.
    expect(check([statefulSet('shop', 2), denyAll({ [POD_NAME]: 'db-0', app: 'cache' })])).toEqual([Verdict.ALLOW, []]);
  });

  test('a workload PeerAuthentication STRICT on pod-name db-0 leaves the mode of a plain-text client\'s flow to the set undecided', () => {
    const strict = peerAuthentication('shop', 'db-strict', { selector: { matchLabels: { [POD_NAME]: 'db-0' } }, mtls: { mode: 'STRICT' } });
    const legacy = namespace('legacy');
    const all = [ns, legacy, workload('legacy', 'old'), statefulSet('shop', 2), strict];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_SIDECAR).check(w('legacy/old'), w('shop/db'), Port.tcp(5432));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    // One pod: STRICT for certain, the plain-text client refused.
    const one = [ns, legacy, workload('legacy', 'old'), statefulSet('shop', 1), strict];
    expect(meshReach(one, ISTIO_SIDECAR).check(w('legacy/old'), w('shop/db'), Port.tcp(5432)).verdict).toBe(Verdict.DENY);
  });
});

describe('Istio: Services and Sidecars selecting by controller-added labels', () => {
  const ns = namespace('shop', { 'istio-injection': 'enabled' });
  // ALLOW GET only: on a port served as TCP the rule matches nothing (denied); on HTTP, a GET is allowed.
  const getOnly = authorizationPolicy('shop', 'get-only', { selector: { matchLabels: { app: 'db' } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
  const perPod = (pod: string, portName: string) => ({ ...service('shop', pod, 'db', [{ name: portName, port: 5432 }]), spec: { selector: { [POD_NAME]: pod }, ports: [{ name: portName, port: 5432 }] } });
  const sidecar = (labels: Record<string, string>) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    metadata: { name: 'db-0-tcp', namespace: 'shop' },
    spec: { workloadSelector: { labels }, ingress: [{ port: { number: 5432, protocol: 'TCP', name: 'tcp-5432' }, defaultEndpoint: '127.0.0.1:5432' }] },
  });
  // No other Service declares the port: without the per-pod one its protocol is detected (HTTP for a GET).
  const check = (replicas: number, ...objects: any[]) => {
    const all = [ns, workload('shop', 'web'), statefulSet('shop', replicas), getOnly, ...objects];
    expectValidManifests(all);
    const result = meshReach(all, ISTIO_SIDECAR).checkRequest(w('shop/web'), w('shop/db'), Port.tcp(5432), { method: 'GET', path: '/' });
    return [result.verdict, result.uncertainties];
  };

  test('a per-pod Service (pod-name db-0) declaring the port TCP: the protocol of the set\'s pods is not known (it made them all TCP)', () => {
    const [verdict, uncertainties] = check(2, perPod('db-0', 'tcp-db'));
    expect(verdict).toBe(Verdict.INDETERMINATE);
    expect(uncertainties).toEqual([`mesh: whether Service shop/db-0 selects shop/db is not known: it selects by ${POD_NAME} (set by the StatefulSet `
      + 'controller), which the controller sets on each pod at runtime, with a value the manifests do not give or that is not the same on every pod: '
      + "for the pods it selects, Service shop/db-0 port 5432 (port name 'tcp-db': TCP); for the others, no Service declares port 5432, so the "
      + 'sidecar detects its protocol: served as HTTP the flow is allowed, served as TCP (rules without their HTTP-only attributes) denied']);
    // The Service of the only pod decides: TCP, the GET-only rule matches nothing.
    expect(check(1, perPod('db-0', 'tcp-db'))[0]).toBe(Verdict.DENY);
    // Without it: HTTP, GET allowed.
    expect(check(2)).toEqual([Verdict.ALLOW, []]);
  });

  test('a Sidecar selecting pod-name db-0 with a TCP ingress listener: which Sidecar applies to the set is not known', () => {
    const [verdict, uncertainties] = check(2, sidecar({ [POD_NAME]: 'db-0' }));
    expect(verdict).toBe(Verdict.INDETERMINATE);
    expect(uncertainties).toEqual([`mesh: whether Sidecar shop/db-0-tcp selects shop/db is not known: it selects by ${POD_NAME} (set by the `
      + 'StatefulSet controller), which the controller sets on each pod at runtime, with a value the manifests do not give or that is not the same on '
      + 'every pod: Sidecar shop/db-0-tcp for the pods it selects, no Sidecar for the others: served as HTTP the flow is allowed, served as TCP '
      + '(rules without their HTTP-only attributes) denied']);
    expect(check(1, sidecar({ [POD_NAME]: 'db-0' }))[0]).toBe(Verdict.DENY);
  });
});

describe('Linkerd Server podSelector on controller-added labels', () => {
  const ns = namespace('shop', {}, { 'linkerd.io/inject': 'enabled' });
  const server = (port: number, matchLabels: Record<string, string>) => linkerd('Server', 'shop', 'deny', { podSelector: { matchLabels }, port, accessPolicy: 'deny' });
  const check = (manifests: any[], to: string, port: number) => {
    const all = [ns, workload('shop', 'web'), ...manifests];
    expectValidManifests(all);
    const result = meshReach(all, LINKERD).check(w('shop/web'), w(to), Port.tcp(port));
    return [result.verdict, result.uncertainties];
  };

  test('a Server selecting job-name of a Job selects its pods for certain', () => {
    expect(check([job('shop'), server(8080, { 'job-name': 'migrate' })], 'shop/migrate', 8080)[0]).toBe(Verdict.DENY);
    expect(check([job('shop'), server(8080, { 'batch.kubernetes.io/job-name': 'other' })], 'shop/migrate', 8080)).toEqual([Verdict.ALLOW, []]);
  });

  test('a Server selecting pod-name db-0 of a 2-replica StatefulSet is indeterminate (it denied every pod)', () => {
    expect(check([statefulSet('shop', 2), server(5432, { [POD_NAME]: 'db-0' })], 'shop/db', 5432)).toEqual([Verdict.INDETERMINATE, [
      `mesh: whether Server shop/deny selects shop/db is not known: it selects by ${POD_NAME} (set by the StatefulSet controller), which the `
        + 'controller sets on each pod at runtime, with a value the manifests do not give or that is not the same on every pod',
    ]]);
    expect(check([statefulSet('shop', 1), server(5432, { [POD_NAME]: 'db-0' })], 'shop/db', 5432)[0]).toBe(Verdict.DENY);
  });
});

describe('the mesh matrix agrees with check() where selectors read controller-added labels', () => {
  /** Workloads of several kinds with the same template labels (so only what their controllers add tells them apart). */
  function cluster(seed: number, mesh: 'istio' | 'linkerd'): any[] {
    const r = new Prng(seed * 7919);
    const ns = mesh === 'istio' ? namespace('shop', { 'istio-injection': 'enabled' }) : namespace('shop', {}, { 'linkerd.io/inject': 'enabled' });
    const base = workload('shop', 'web');
    const template = { metadata: { labels: { app: 'db' } }, spec: { serviceAccountName: 'db', containers: [{ name: 'app', image: 'example/db:1.0', ports: [{ containerPort: 8080 }] }] } };
    const jobTemplate = { ...template, spec: { ...template.spec, restartPolicy: 'Never' } };
    const objects: any[] = [ns, base];
    for (const name of ['db', 'dc']) {
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name, namespace: 'shop' },
        spec: { serviceName: name, selector: { matchLabels: { app: 'db' } }, template, ...(r.chance(0.7) ? { replicas: 1 + r.int(2) } : {}) },
      });
    }
    objects.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop' }, spec: { template: jobTemplate } });
    objects.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'db' } }, template } });
    const labels = [{ [POD_NAME]: 'db-0' }, { [POD_NAME]: 'db-1' }, { [POD_NAME]: 'dc-0' }, { 'job-name': 'migrate' }, { 'pod-template-hash': 'abc' }, { app: 'db' }];
    for (let i = 0; i < 1 + r.int(2); i++) {
      const matchLabels = r.pick(labels);
      objects.push(mesh === 'istio'
        ? authorizationPolicy('shop', `p${i}`, { selector: { matchLabels }, action: r.pick(['ALLOW', 'DENY']), rules: [{ from: [{ source: { namespaces: ['shop'] } }] }] })
        : linkerd('Server', 'shop', `s${i}`, { podSelector: { matchLabels }, port: 8080, accessPolicy: r.pick(['deny', 'all-unauthenticated']) }));
    }
    return objects;
  }

  test.each([['istio', ISTIO_SIDECAR], ['linkerd', LINKERD]] as const)('under %s', (name, mesh) => {
    const disagreements: string[] = [];
    const seen = new Set<Verdict>();
    for (let seed = 1; seed <= 25; seed++) {
      const manifests = cluster(seed, name);
      expectValidManifests(manifests);
      const reach = meshReach(manifests, mesh);
      for (const flow of reach.matrix().flows) {
        const result = reach.check(w(flow.source), w(flow.destination), Port.tcp(Number(flow.port.split('/')[1])));
        seen.add(result.verdict);
        if (result.verdict !== flow.verdict) disagreements.push(`seed ${seed}: ${flow.source} -> ${flow.destination} ${flow.port}: matrix ${flow.verdict}, check ${result.verdict}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect([...seen].sort()).toEqual([Verdict.ALLOW, Verdict.DENY, Verdict.INDETERMINATE].sort());
  });
});
