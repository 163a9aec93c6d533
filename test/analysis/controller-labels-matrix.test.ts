/**
 * The flow matrix agrees with `check()` on every flow of seeded random clusters mixing the workload
 * kinds whose controllers add labels at runtime (StatefulSet, Deployment, DaemonSet, Job, CronJob)
 * with those that add none (bare Pod, ReplicaSet), under policies on those labels and on ordinary
 * ones (see ../../src/analysis/uncertainty/controller-labels.ts): the matrix classes pods by what
 * their endpoint holds, so a class must never mix pods the uncertainty tells apart. Workloads of
 * different kinds may share a name; flows of such a name are left out (check() resolves the name
 * to all of them), but they stay in the cluster, where they share classes with the others.
 */
import { Cni, Port, Reachability, Target, Verdict } from '../../src';
import { Prng } from '../support/prng';
import { expectValidManifests } from '../support/schema';

const NAMESPACES = ['shop', 'ops'];
const APPS = ['web', 'db', 'job'];
const KEYS: Array<[string, string[]]> = [
  ['app', APPS],
  ['tier', ['fe']],
  ['statefulset.kubernetes.io/pod-name', ['db-0', 'x-0', 'w1-0', 'w2-1']],
  ['pod-template-hash', ['5d8f7c9b6']],
  // The CronJobs (all `nightly`) name their Jobs `nightly-<minutes>`: `nightly-29000000` may be one (time unknown), `nightly` none.
  ['job-name', ['w0', 'nightly', 'nightly-29000000']],
  ['controller-revision-hash', ['r1']],
  ['apps.kubernetes.io/pod-index', ['0']],
  ['batch.kubernetes.io/job-completion-index', ['1']],
];
const KINDS = ['Deployment', 'StatefulSet', 'Job', 'CronJob', 'DaemonSet', 'Pod', 'ReplicaSet'];

/** Template labels; sometimes one a controller would add (a bare Pod's own, a template setting it explicitly). */
function labels(r: Prng, withControllerKey: boolean): Record<string, string> {
  const out: Record<string, string> = { app: r.pick(APPS) };
  if (r.chance(0.3)) out.tier = 'fe';
  if (withControllerKey && r.chance(0.4)) {
    const [key, values] = r.pick(KEYS.slice(2));
    out[key] = r.pick(values);
  }
  return out;
}

function workload(r: Prng, i: number, names: string[]): any {
  const kind = r.pick(KINDS);
  const picked = r.chance(0.15) && names.length > 0 ? r.pick(names) : `w${i}`;
  // One CronJob name, so that job-name selectors name its Jobs' form often enough.
  const name = kind === 'CronJob' ? 'nightly' : picked;
  names.push(name);
  const podLabels = labels(r, kind === 'Pod' || r.chance(0.2));
  const spec = { containers: [{ name: 'c', image: 'registry.example/app:1', ports: [{ containerPort: 8080 }] }] };
  const template = { metadata: { labels: podLabels }, spec };
  const jobTemplate = { metadata: { labels: podLabels }, spec: { ...spec, restartPolicy: 'Never' } };
  const metadata = { name, namespace: r.pick(NAMESPACES) };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: { ...metadata, labels: podLabels }, spec };
    case 'Job': {
      // Some Jobs manual (no name labels), some Indexed (a completion index).
      const extra = r.chance(0.2) ? { manualSelector: true, selector: { matchLabels: podLabels } }
        : r.chance(0.3) ? { completionMode: 'Indexed', completions: 1 + r.int(2) } : {};
      return { apiVersion: 'batch/v1', kind, metadata, spec: { ...extra, template: jobTemplate } };
    }
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: jobTemplate } } } };
    case 'StatefulSet':
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata,
        // Replicas known (1 or 2) or not: pod names exact, split between pods, or unknown.
        spec: { serviceName: name, ...(r.chance(0.7) ? { replicas: 1 + r.int(2) } : {}), selector: { matchLabels: podLabels }, template },
      };
    default:
      return { apiVersion: 'apps/v1', kind, metadata, spec: { selector: { matchLabels: podLabels }, template } };
  }
}

function selector(r: Prng): any {
  const [key, values] = r.pick(KEYS);
  const out: any = r.chance(0.5) ? { matchLabels: { [key]: r.pick(values) } }
    : r.chance(0.5) ? { matchExpressions: [{ key, operator: r.pick(['In', 'NotIn']), values: [...new Set([r.pick(values), r.pick(values)])] }] }
      : { matchExpressions: [{ key, operator: r.pick(['Exists', 'DoesNotExist']) }] };
  if (r.chance(0.3)) out.matchLabels = { ...(out.matchLabels ?? {}), app: r.pick(APPS) };
  return out;
}

function calicoSelector(r: Prng): string {
  const [key, values] = r.pick(KEYS);
  return r.pick([`${key} == '${r.pick(values)}'`, `has(${key})`, `!has(${key})`, `${key} != '${r.pick(values)}'`,
    `${key} in {'${r.pick(values)}', '${r.pick(values)}'}`]);
}

function policy(r: Prng, i: number, cni: string): any {
  const namespace = r.pick(NAMESPACES);
  const ingress = r.chance(0.5);
  const direction = ingress ? 'ingress' : 'egress';
  if (cni === 'calico' && r.chance(0.5)) {
    const rule = { action: r.pick(['Allow', 'Deny']), [ingress ? 'source' : 'destination']: { selector: calicoSelector(r) } };
    return {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: `calico-${i}`, namespace },
      spec: { selector: calicoSelector(r), types: [ingress ? 'Ingress' : 'Egress'], [direction]: [rule] },
    };
  }
  if (cni === 'cilium' && r.chance(0.5)) {
    return {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: `cilium-${i}`, namespace },
      spec: { endpointSelector: selector(r), [direction]: [{ [ingress ? 'fromEndpoints' : 'toEndpoints']: [selector(r)] }] },
    };
  }
  const peer = { podSelector: selector(r), ...(r.chance(0.3) ? { namespaceSelector: {} } : {}) };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `np-${i}`, namespace },
    spec: { podSelector: r.chance(0.2) ? {} : selector(r), policyTypes: [ingress ? 'Ingress' : 'Egress'], [direction]: [{ [ingress ? 'from' : 'to']: [peer] }] },
  };
}

function cluster(r: Prng, cni: string): any[] {
  const names: string[] = [];
  const manifests: any[] = NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  const workloads = 3 + r.int(5);
  for (let i = 0; i < workloads; i++) manifests.push(workload(r, i, names));
  const policies = 1 + r.int(4);
  for (let i = 0; i < policies; i++) manifests.push(policy(r, i, cni));
  const seen = new Set<string>();
  return manifests.filter((m) => {
    const id = `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`;
    const fresh = !seen.has(id);
    seen.add(id);
    return fresh;
  });
}

const CNIS: Array<[string, () => Cni]> = [['kubernetes', () => Cni.kubernetes()], ['calico', () => Cni.calico()], ['cilium', () => Cni.cilium()]];

test.each(CNIS)('matrix() and check() agree on every flow of random clusters with controller-added labels under %s', (name, cni) => {
  const disagreements: string[] = [];
  const seen = new Set<Verdict>();
  for (let seed = 1; seed <= 60; seed++) {
    const manifests = cluster(new Prng(seed * 7919), name);
    expectValidManifests(manifests);
    const reach = Reachability.fromManifests(manifests, { cni: cni() });
    const count = new Map<string, number>();
    for (const m of manifests.filter((o) => o.kind !== 'Namespace' && !o.kind.endsWith('Policy'))) {
      const id = `${m.metadata.namespace}/${m.metadata.name}`;
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    for (const flow of reach.matrix().flows) {
      if (count.get(flow.source) !== 1 || count.get(flow.destination) !== 1) continue;
      const [from, to] = [flow.source, flow.destination].map((n) => Target.workload(n.split('/')[0], n.split('/')[1]));
      const result = reach.check(from, to, Port.tcp(Number(flow.port.split('/')[1])));
      seen.add(result.verdict);
      if (result.verdict !== flow.verdict) {
        disagreements.push(`seed ${seed}: ${flow.source} -> ${flow.destination} ${flow.port}: matrix ${flow.verdict}, check ${result.verdict}`);
      }
    }
  }
  expect(disagreements).toEqual([]);
  expect([...seen].sort()).toEqual([Verdict.ALLOW, Verdict.DENY, Verdict.INDETERMINATE].sort());
});
