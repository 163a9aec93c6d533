/**
 * The Chaos Mesh rules on raw manifests: a fault without a duration (chaos-unbounded), one injected into
 * the cluster's own networking namespaces (chaos-control-plane-target), and a partition without peers
 * (chaos-partition-without-peer). NetworkChaosExperiment's guarded output lints clean.
 */
import { brief, lintRule } from './support';
import { ChaosAction, ChaosDirection, NetworkChaosExperiment, PolicyLint } from '../../src';
import { Cni } from '../../src/cluster/cni';
import { networkPolicyOnlyCni } from '../support/custom-cni';
import { validateManifests } from '../support/schema';
import { chartFor, synthValid } from '../support/synth';

const UNBOUNDED = 'chaos-unbounded';
const CONTROL = 'chaos-control-plane-target';
const PARTITION = 'chaos-partition-without-peer';
const BACKEND = { namespaces: ['shop'], labelSelectors: { app: 'backend' } };
const DB = { namespaces: ['shop'], labelSelectors: { app: 'db' } };

/** A chaos-mesh.org/v1alpha1 NetworkChaos `<namespace>/<name>`. */
function chaos(name: string, spec: Record<string, unknown>, namespace: string | undefined = 'shop'): any {
  return { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name, ...(namespace ? { namespace } : {}) }, spec };
}
/** A Schedule `shop/<name>` of the NetworkChaos `spec`. */
function schedule(name: string, spec: Record<string, unknown>): any {
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'Schedule',
    metadata: { name, namespace: 'shop' },
    spec: { schedule: '0 3 * * *', type: 'NetworkChaos', historyLimit: 1, concurrencyPolicy: 'Forbid', networkChaos: spec },
  };
}
/**
 * A Workflow `shop/<name>` running `templates` in series (the entry is a Serial template of them), or, with `cron`,
 * a Schedule of type Workflow of it.
 */
function workflow(name: string, templates: Array<Record<string, unknown>>, cron?: string): any {
  const spec = { entry: 'entry', templates: [{ name: 'entry', templateType: 'Serial', children: templates.map((t) => t.name) }, ...templates] };
  return cron === undefined
    ? { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow', metadata: { name, namespace: 'shop' }, spec }
    : {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Schedule',
      metadata: { name, namespace: 'shop' },
      spec: { schedule: cron, type: 'Workflow', historyLimit: 1, concurrencyPolicy: 'Forbid', workflow: spec },
    };
}
/** A Workflow template `<name>` of type NetworkChaos embedding `spec`. */
function chaosTemplate(name: string, spec: Record<string, unknown>, deadline?: string): Record<string, unknown> {
  return { name, templateType: 'NetworkChaos', ...(deadline === undefined ? {} : { deadline }), networkChaos: spec };
}
const DELAY = { action: 'delay', mode: 'one', selector: BACKEND, delay: { latency: '100ms' }, target: { mode: 'all', selector: DB } };

describe('chaos-unbounded', () => {
  test('a NetworkChaos and a Schedule without duration: a warning each, on spec and spec.networkChaos', () => {
    const findings = lintRule(UNBOUNDED, [chaos('slow', DELAY), schedule('nightly', DELAY)]);
    expect(brief(findings)).toEqual([
      { rule: UNBOUNDED, severity: 'warning', object: 'NetworkChaos shop/slow', path: 'spec' },
      { rule: UNBOUNDED, severity: 'warning', object: 'Schedule shop/nightly', path: 'spec.networkChaos' },
    ]);
    expect(findings[0].message).toBe('injects a network fault without a duration: it lasts until the object is deleted (a GitOps sync would keep re-applying it)');
    expect(findings[1].fix).toBe("set spec.networkChaos.duration (a Go duration such as '5m', shorter than the interval between runs); NetworkChaosExperiment requires one");
  });

  test('with a duration: none', () => {
    expect(lintRule(UNBOUNDED, [chaos('slow', { ...DELAY, duration: '5m' }), schedule('nightly', { ...DELAY, duration: '10m' })])).toEqual([]);
  });
});

describe('chaos-unbounded in Workflows (was: a Workflow was not read at all)', () => {
  test('a NetworkChaos template without deadline: a warning on the template (in a Workflow and in a Schedule of one); with one: none', () => {
    const templates = [chaosTemplate('slow', DELAY), chaosTemplate('bounded', DELAY, '5m')];
    const findings = lintRule(UNBOUNDED, [workflow('drill', templates), workflow('nightly-drill', templates, '0 3 * * *')]);
    expect(brief(findings)).toEqual([
      { rule: UNBOUNDED, severity: 'warning', object: 'Schedule shop/nightly-drill', path: 'spec.workflow.templates[1]' },
      { rule: UNBOUNDED, severity: 'warning', object: 'Workflow shop/drill', path: 'spec.templates[1]' },
    ]);
    expect(findings[1].message).toBe('a Workflow NetworkChaos template without a deadline: its fault lasts until the Workflow is deleted');
    expect(findings[1].fix).toBe("set spec.templates[1].deadline (a Go duration such as '5m')");
  });

  test('a duration inside the template\'s networkChaos is no bound (Chaos Mesh refuses it in a Workflow): the finding says so', () => {
    const findings = lintRule(UNBOUNDED, [workflow('drill', [chaosTemplate('slow', { ...DELAY, duration: '5m' })])]);
    expect(brief(findings)).toEqual([{ rule: UNBOUNDED, severity: 'warning', object: 'Workflow shop/drill', path: 'spec.templates[1]' }]);
    expect(findings[0].message).toBe('a Workflow NetworkChaos template without a deadline: its fault lasts until the Workflow is deleted '
      + '(Chaos Mesh refuses the Workflow for spec.templates[1].networkChaos.duration: a Workflow bounds its chaos templates by deadline only)');
    expect(findings[0].fix).toBe("set spec.templates[1].deadline (a Go duration such as '5m') and remove spec.templates[1].networkChaos.duration");
  });

  test('a Schedule template of NetworkChaos is read like a Schedule: its runs need a duration', () => {
    const nightly = { name: 'nightly', templateType: 'Schedule', deadline: '1h', schedule: { schedule: '@every 10m', type: 'NetworkChaos', concurrencyPolicy: 'Forbid', historyLimit: 1, networkChaos: DELAY } };
    const findings = lintRule(UNBOUNDED, [workflow('drill', [nightly])]);
    expect(brief(findings)).toEqual([{ rule: UNBOUNDED, severity: 'warning', object: 'Workflow shop/drill', path: 'spec.templates[1].schedule.networkChaos' }]);
    expect(findings[0].message).toBe('schedules a network fault without a duration: each run lasts until it is deleted, so the fault is never lifted between runs');
    const bounded = { ...nightly, schedule: { ...nightly.schedule, networkChaos: { ...DELAY, duration: '1m' } } };
    expect(lintRule(UNBOUNDED, [workflow('drill', [bounded])])).toEqual([]);
  });
});

describe('chaos-control-plane-target', () => {
  test('victims in kube-system and a partition target in istio-system: a warning each on the namespaces field', () => {
    const spec = {
      action: 'partition',
      mode: 'one',
      duration: '1m',
      direction: 'to',
      selector: { namespaces: ['kube-system'], labelSelectors: { 'k8s-app': 'kube-dns' } },
      target: { mode: 'all', selector: { namespaces: ['shop', 'istio-system'] } },
    };
    const findings = lintRule(CONTROL, [chaos('dns-cut', spec)]);
    expect(brief(findings)).toEqual([
      { rule: CONTROL, severity: 'warning', object: 'NetworkChaos shop/dns-cut', path: 'spec.selector.namespaces' },
      { rule: CONTROL, severity: 'warning', object: 'NetworkChaos shop/dns-cut', path: 'spec.target.selector.namespaces' },
    ]);
    expect(findings[0].message).toBe("injects the fault into namespace 'kube-system', the cluster's system namespace (CoreDNS, kube-proxy, CNI agents): "
      + 'a fault there hits every workload that depends on it, and may cut off the controller that would end the experiment');
  });

  test('the target of a delay with direction to is a mere destination: not reported; with from it is injected into', () => {
    const toSystem = { ...DELAY, duration: '1m', target: { mode: 'all', selector: { namespaces: ['kube-system'] } } };
    expect(lintRule(CONTROL, [chaos('slow-dns', toSystem)])).toEqual([]);
    expect(brief(lintRule(CONTROL, [chaos('slow-dns', { ...toSystem, direction: 'from' })]))).toEqual([
      { rule: CONTROL, severity: 'warning', object: 'NetworkChaos shop/slow-dns', path: 'spec.target.selector.namespaces' },
    ]);
  });

  test('no namespaces: Chaos Mesh uses the object\'s own (reported on the selector when protected, e.g. a Schedule in kube-flannel); '
    + 'a pods map names its namespaces; no metadata.namespace: unknown, silent', () => {
    const own = { action: 'loss', mode: 'one', duration: '1m', loss: { loss: '10' }, selector: { labelSelectors: { app: 'flannel' } } };
    const inFlannel = { ...schedule('loss', own), metadata: { name: 'loss', namespace: 'kube-flannel' } };
    expect(brief(lintRule(CONTROL, [inFlannel]))).toEqual([
      { rule: CONTROL, severity: 'warning', object: 'Schedule kube-flannel/loss', path: 'spec.networkChaos.selector' },
    ]);
    expect(lintRule(CONTROL, [chaos('loss', own)])).toEqual([]);
    expect(lintRule(CONTROL, [chaos('loss', own, undefined)])).toEqual([]);
    expect(brief(lintRule(CONTROL, [chaos('loss', { ...own, selector: { pods: { 'chaos-mesh': ['controller-0'] } } })]))).toEqual([
      { rule: CONTROL, severity: 'warning', object: 'NetworkChaos shop/loss', path: 'spec.selector.pods' },
    ]);
  });
});

describe('chaos-control-plane-target told the CNI (PolicyLintOptions.cni)', () => {
  const CALICO_NAMESPACES = ['calico-apiserver', 'calico-system', 'tigera-operator'];
  const ALWAYS = ['chaos-mesh', 'istio-system', 'kube-flannel', 'kube-public', 'linkerd'];
  const into = (namespaces: string[]) => chaos('loss', { action: 'loss', mode: 'one', duration: '1m', loss: { loss: '10' }, selector: { namespaces } });
  const hit = (findings: Array<{ message: string }>) => findings.map((f) => /namespace '([^']+)'/.exec(f.message)![1]).sort();

  test('told Cilium or Flannel: Calico\'s namespaces are not reported (was: every CNI\'s); kube-* (kube-flannel '
    + 'included), Chaos Mesh\'s and the mesh namespaces still are; not told: Calico\'s too (fail closed)', () => {
    const objects = [...CALICO_NAMESPACES, ...ALWAYS, 'shop'].map((ns) => into([ns]));
    expect(validateManifests(objects)).toEqual([]);
    expect(hit(lintRule(CONTROL, objects, { cni: Cni.cilium() }))).toEqual(ALWAYS);
    expect(hit(lintRule(CONTROL, objects, { cni: Cni.flannel() }))).toEqual(ALWAYS);
    const unknown = lintRule(CONTROL, objects);
    expect(hit(unknown)).toEqual([...CALICO_NAMESPACES, ...ALWAYS].sort());
    expect(unknown.find((f) => f.message.includes("'calico-system'"))!.message).toContain(
      'a control-plane namespace of the calico CNI (no ClusterNetwork says which CNI runs)');
  });

  test('told Cni.kubernetes() or a Cni.custom(): which CNI runs, and so where, is not known: Calico\'s namespaces are still reported '
    + '(fail closed; the merge 285cb5e let them through)', () => {
    const objects = [...CALICO_NAMESPACES, 'shop'].map((ns) => into([ns]));
    expect(validateManifests(objects)).toEqual([]);
    for (const [cni, name] of [[Cni.kubernetes(), 'kubernetes'], [networkPolicyOnlyCni('antrea'), 'antrea']] as const) {
      const findings = lintRule(CONTROL, objects, { cni });
      expect(brief(findings)).toEqual(CALICO_NAMESPACES.map(() => (
        { rule: CONTROL, severity: 'warning', object: 'NetworkChaos shop/loss', path: 'spec.selector.namespaces' })));
      expect(findings.map((f) => f.message).sort()).toEqual(CALICO_NAMESPACES.map((ns) => `injects the fault into namespace '${ns}', `
        + `a control-plane namespace of the calico CNI (the cluster's CNI '${name}' is a plain NetworkPolicy or custom CNI, whose namespaces `
        + 'are not known): a fault there hits every workload that depends on it, and may cut off the controller that would end the experiment'));
    }
  });

  test('told Calico: its namespaces are reported as the cluster\'s CNI\'s (was: as every supported CNI\'s, "no ClusterNetwork says which")', () => {
    const findings = lintRule(CONTROL, CALICO_NAMESPACES.map((ns) => into([ns])), { cni: Cni.calico() });
    expect(brief(findings)).toEqual(CALICO_NAMESPACES.map(() => (
      { rule: CONTROL, severity: 'warning', object: 'NetworkChaos shop/loss', path: 'spec.selector.namespaces' })));
    expect(findings.map((f) => f.message).sort()).toEqual(CALICO_NAMESPACES.map((ns) => `injects the fault into namespace '${ns}', `
      + 'a control-plane namespace of the cluster\'s CNI (calico): a fault there hits every workload that depends on it, and may cut off the '
      + 'controller that would end the experiment'));
  });

  test('cilium-spire (where the Cilium chart installs SPIRE, authentication.mutual.spire.install.namespace): reported when told Cilium, '
    + 'a plain or custom CNI, or nothing (was: never); not when told Calico or Flannel', () => {
    const objects = [into(['cilium-spire'])];
    expect(validateManifests(objects)).toEqual([]);
    const tail = ': a fault there hits every workload that depends on it, and may cut off the controller that would end the experiment';
    expect(lintRule(CONTROL, objects, { cni: Cni.cilium() }).map((f) => f.message)).toEqual([
      `injects the fault into namespace 'cilium-spire', a control-plane namespace of the cluster's CNI (cilium)${tail}`,
    ]);
    expect(lintRule(CONTROL, objects, { cni: Cni.kubernetes() }).map((f) => f.message)).toEqual([
      "injects the fault into namespace 'cilium-spire', a control-plane namespace of the cilium CNI (the cluster's CNI 'kubernetes' is a plain "
      + `NetworkPolicy or custom CNI, whose namespaces are not known)${tail}`,
    ]);
    expect(lintRule(CONTROL, objects).map((f) => f.message)).toEqual([
      `injects the fault into namespace 'cilium-spire', a control-plane namespace of the cilium CNI (no ClusterNetwork says which CNI runs)${tail}`,
    ]);
    expect(lintRule(CONTROL, objects, { cni: Cni.calico() })).toEqual([]);
    expect(lintRule(CONTROL, objects, { cni: Cni.flannel() })).toEqual([]);
  });
});

describe('chaos-partition-without-peer', () => {
  test('a partition with neither target nor externalTargets: a warning; with either, or another action: none', () => {
    const cut = { action: 'partition', mode: 'one', duration: '1m', selector: BACKEND };
    const [f, ...rest] = lintRule(PARTITION, [chaos('cut', cut), schedule('nightly-cut', cut)]);
    expect(rest.map((r) => r.object)).toEqual(['Schedule shop/nightly-cut']);
    expect(brief([f])).toEqual([{ rule: PARTITION, severity: 'warning', object: 'NetworkChaos shop/cut', path: 'spec' }]);
    expect(lintRule(PARTITION, [
      chaos('a', { ...cut, target: { mode: 'all', selector: DB } }),
      chaos('b', { ...cut, externalTargets: ['203.0.113.7'] }),
      chaos('c', { ...DELAY, target: undefined, duration: '1m' }),
    ])).toEqual([]);
  });
});

test('Workflow NetworkChaos templates are read by chaos-control-plane-target and chaos-partition-without-peer (was: never)', () => {
  const cut = chaosTemplate('cut', { action: 'partition', mode: 'one', selector: { namespaces: ['kube-system'] } }, '1m');
  const loss = chaosTemplate('loss', { action: 'loss', mode: 'one', loss: { loss: '10' }, selector: { labelSelectors: { app: 'x' } } }, '1m');
  const objects = [workflow('drill', [cut]), { ...workflow('own', [loss]), metadata: { name: 'own', namespace: 'istio-system' } }];
  expect(brief(lintRule(CONTROL, objects))).toEqual([
    { rule: CONTROL, severity: 'warning', object: 'Workflow istio-system/own', path: 'spec.templates[1].networkChaos.selector' },
    { rule: CONTROL, severity: 'warning', object: 'Workflow shop/drill', path: 'spec.templates[1].networkChaos.selector.namespaces' },
  ]);
  const partitions = lintRule(PARTITION, objects);
  expect(brief(partitions)).toEqual([{ rule: PARTITION, severity: 'warning', object: 'Workflow shop/drill', path: 'spec.templates[1].networkChaos' }]);
  expect(partitions[0].fix).toBe('name the peers to cut off in spec.templates[1].networkChaos.target (pods) or spec.templates[1].networkChaos.externalTargets '
    + '(addresses or host names)');
  expect(lintRule(UNBOUNDED, objects)).toEqual([]);
});

test('NetworkChaosExperiment\'s output (one-off, scheduled, partition with target) has no chaos finding', () => {
  const chart = chartFor(Cni.calico());
  new NetworkChaosExperiment(chart, 'db-partition', {
    action: ChaosAction.partition(),
    pods: { namespaces: ['shop'], labels: { app: 'backend' } },
    direction: ChaosDirection.BOTH,
    target: { pods: { namespaces: ['shop'], labels: { app: 'db' } } },
    duration: '5m',
  });
  new NetworkChaosExperiment(chart, 'nightly', {
    action: ChaosAction.delay({ latency: '100ms' }), pods: { namespaces: ['shop'] }, duration: '10m', schedule: { cron: '0 3 * * *' },
  });
  const objects = synthValid(chart).filter((o) => o.apiVersion === 'chaos-mesh.org/v1alpha1');
  expect(objects.map((o) => o.kind)).toEqual(['NetworkChaos', 'Schedule']);
  expect(validateManifests(objects)).toEqual([]);
  expect(brief(PolicyLint.check(objects), UNBOUNDED, CONTROL, PARTITION)).toEqual([]);
});
