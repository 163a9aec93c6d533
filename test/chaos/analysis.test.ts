/**
 * The analyzer, the lint and the CLI read what NetworkChaosExperiment emits: no "unknown kind", and
 * a note for each partition (flows it drops while active), none for experiments that only degrade
 * traffic. Verdicts stay the policies'.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import {
  ChaosAction, ChaosDirection, Cni, NetworkChaosExperiment, PolicyLint, Port, Reachability, Target, ZeroTrustNamespace,
} from '../../src';
import { cli } from '../cli/support';
import { validateManifests } from '../support/schema';
import { chartFor, synthValid } from '../support/synth';
import '../support/reachability-matchers';

const BACKEND = { namespaces: ['shop'], labels: { app: 'backend' } };
const DB = { namespaces: ['shop'], labels: { app: 'db' } };

function shop(): Chart {
  const chart = chartFor(Cni.calico());
  new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
  for (const app of ['backend', 'db']) {
    new ApiObject(chart, app, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: 'shop' },
      spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: 'nginx:1.27' }] } } },
    });
  }
  new NetworkChaosExperiment(chart, 'db-partition', {
    action: ChaosAction.partition(), pods: BACKEND, direction: ChaosDirection.BOTH, target: { pods: DB }, duration: '5m',
  });
  new NetworkChaosExperiment(chart, 'nightly-partition', {
    action: ChaosAction.partition(), pods: BACKEND, externalTargets: ['203.0.113.7'], duration: '10m', schedule: { cron: '0 3 * * *' },
  });
  new NetworkChaosExperiment(chart, 'slow-db', { action: ChaosAction.delay({ latency: '100ms' }), pods: DB, duration: '5m' });
  return chart;
}

const NOTES = [
  'NetworkChaos shop/db-partition partitions the traffic between one of the pods in shop with app=backend and pods in shop with app=db '
  + "(direction both, once applied, for 5m): while it is active those packets are dropped whatever the policies allow; the verdicts here are the policies' alone",
  'Schedule shop/nightly-partition partitions the traffic between one of the pods in shop with app=backend and 203.0.113.7 '
  + "(direction to, on the schedule '0 3 * * *', each run for 10m): while it is active those packets are dropped whatever the policies allow; "
  + "the verdicts here are the policies' alone",
];

test('Reachability notes each partition (NetworkChaos and Schedule), not the delay; verdicts are unchanged', () => {
  const objects = synthValid(shop());
  for (const cni of [Cni.calico(), Cni.cilium(), Cni.kubernetes(), Cni.flannel()]) {
    const reach = Reachability.fromManifests(objects, { cni });
    expect(reach.notes.filter((n) => /NetworkChaos|Schedule/.test(n))).toEqual(NOTES);
  }
  const reach = Reachability.fromManifests(objects, { cni: Cni.calico() });
  // The zero-trust namespace denies backend -> db either way; the experiment does not make it "allowed" nor indeterminate.
  expect(reach).toDeny(Target.pod('shop', { app: 'backend' }), Target.pod('shop', { app: 'db' }), Port.tcp(5432));
});

test('a partition without any peer says so; a selector without namespaces reads as the experiment\'s own', () => {
  const base = { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name: 'cut', namespace: 'shop' } };
  const reach = Reachability.fromManifests([{ ...base, spec: { action: 'partition', mode: 'all', selector: { labelSelectors: { app: 'x' } } } }],
    { cni: Cni.kubernetes() });
  expect(reach.notes).toContain("NetworkChaos shop/cut partitions the traffic of pods in the experiment's namespace with app=x with every peer "
    + "(direction to, once applied, until it is deleted): while it is active those packets are dropped whatever the policies allow; the verdicts here are the policies' alone");
});

test('the note says how many of the pods the mode picks, names listed pods, and names the selectors it does not model', () => {
  const meta = (name: string) => ({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name, namespace: 'shop' } });
  const manifests = [
    {
      ...meta('percent'),
      spec: {
        action: 'partition',
        mode: 'fixed-percent',
        value: '50',
        direction: 'both',
        selector: { namespaces: ['shop'], labelSelectors: { app: 'backend' }, nodeSelectors: { zone: 'a' }, annotationSelectors: { canary: 'true' } },
        target: { mode: 'random-max-percent', value: '30', selector: { namespaces: ['shop'], labelSelectors: { app: 'db' } } },
        duration: '5m',
      },
    },
    // A pods map replaces the other selectors (chaos-mesh pkg/selector/pod SelectPods).
    {
      ...meta('named'),
      spec: {
        action: 'partition',
        mode: 'fixed',
        value: '2',
        selector: { namespaces: ['shop'], labelSelectors: { app: 'x' }, pods: { web: ['b', 'a'], api: ['c'] } },
        externalTargets: ['198.51.100.0/24'],
        duration: '1m',
      },
    },
    { ...meta('lossy'), spec: { action: 'loss', mode: 'all', selector: { namespaces: ['shop'] }, loss: { loss: '100' }, duration: '1m' } },
  ];
  expect(validateManifests(manifests)).toEqual([]);
  const notes = Reachability.fromManifests(manifests, { cni: Cni.kubernetes() }).notes.filter((n) => /NetworkChaos/.test(n));
  expect(notes).toEqual([
    'NetworkChaos shop/percent partitions the traffic between 50% of the pods in shop with app=backend (narrowed further by annotationSelectors, '
    + 'nodeSelectors, not modelled here) and up to 30% of the pods in shop with app=db (direction both, once applied, for 5m): '
    + "while it is active those packets are dropped whatever the policies allow; the verdicts here are the policies' alone",
    'NetworkChaos shop/named partitions the traffic between 2 of the pods api/c, web/b, web/a and 198.51.100.0/24 (direction to, once applied, for 1m): '
    + "while it is active those packets are dropped whatever the policies allow; the verdicts here are the policies' alone",
  ]);
});

test('a Workflow\'s partition templates are noted (was: the Workflow was an unknown kind): bounded by the template\'s deadline, '
  + 'else until the Workflow is deleted; a Schedule template like a Schedule; a Schedule of type Workflow too; the delay is not noted', () => {
  const cut = { action: 'partition', mode: 'all', selector: { namespaces: ['shop'], labelSelectors: { app: 'backend' } }, externalTargets: ['203.0.113.7'] };
  const templates = [
    { name: 'cut', templateType: 'NetworkChaos', deadline: '5m', networkChaos: cut },
    { name: 'cut-forever', templateType: 'NetworkChaos', networkChaos: cut },
    { name: 'slow', templateType: 'NetworkChaos', deadline: '5m', networkChaos: { action: 'delay', mode: 'all', selector: { namespaces: ['shop'] }, delay: { latency: '1s' } } },
    { name: 'cuts', templateType: 'Schedule', deadline: '1h', schedule: { schedule: '@every 10m', type: 'NetworkChaos', historyLimit: 1, concurrencyPolicy: 'Forbid', networkChaos: { ...cut, duration: '1m' } } },
  ];
  const spec = { entry: 'entry', templates: [{ name: 'entry', templateType: 'Serial', children: templates.map((t) => t.name) }, ...templates] };
  const manifests = [
    { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow', metadata: { name: 'drill', namespace: 'shop' }, spec },
    {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Schedule',
      metadata: { name: 'nightly', namespace: 'shop' },
      spec: { schedule: '0 3 * * *', type: 'Workflow', historyLimit: 1, concurrencyPolicy: 'Forbid', workflow: { entry: 'cut', templates: [templates[0]] } },
    },
  ];
  expect(validateManifests(manifests)).toEqual([]);
  const tail = "while it is active those packets are dropped whatever the policies allow; the verdicts here are the policies' alone";
  const between = 'partitions the traffic between pods in shop with app=backend and 203.0.113.7 (direction to,';
  expect(Reachability.fromManifests(manifests, { cni: Cni.kubernetes() }).notes.filter((n) => /partitions/.test(n))).toEqual([
    `Workflow shop/drill ${between} when its template 'cut' runs, for its deadline 5m): ${tail}`,
    `Workflow shop/drill ${between} when its template 'cut-forever' runs, until the Workflow is deleted): ${tail}`,
    `Workflow shop/drill ${between} when its template 'cuts' runs, on the schedule '@every 10m', each run for 1m): ${tail}`,
    `Schedule shop/nightly ${between} on the schedule '0 3 * * *', when its template 'cut' runs, for its deadline 5m): ${tail}`,
  ]);
});

test('PolicyLint has nothing to say about the experiments', () => {
  const objects = synthValid(shop()).filter((o) => o.apiVersion === 'chaos-mesh.org/v1alpha1');
  expect(objects.map((o) => o.kind)).toEqual(['NetworkChaos', 'Schedule', 'NetworkChaos']);
  expect(PolicyLint.check(objects, { cni: Cni.calico() })).toEqual([]);
});

test('the CLI (lint and analyze) reports no unknown kind for NetworkChaos and Schedule', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-'));
  try {
    fs.writeFileSync(path.join(dir, 'shop.k8s.yaml'), shop().toJson().map((o: unknown) => JSON.stringify(o)).join('\n---\n'));
    const lint = cli('lint', dir, '--cni', 'calico');
    expect(lint.stderr).not.toMatch(/unknown kind|not modelled/);
    expect(lint.code).toBe(0);
    const analyze = cli('analyze', dir, '--cni', 'calico');
    expect(analyze.stderr).not.toMatch(/unknown kind|not modelled/);
    expect(`${analyze.stdout}${analyze.stderr}`).toContain('NetworkChaos shop/db-partition partitions the traffic');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
