/**
 * NetworkChaosExperiment: the exact Chaos Mesh v2.8.3 objects per action, the Schedule form, and
 * every schema-checked synthesized object (against the pinned CRDs). Ground truth:
 * NETWORKING-FACTS.md "Chaos Mesh NetworkChaos (v2.8.3)" and shared/crds/chaos-mesh/v2.8.3.
 */
import { Chart, Testing } from 'cdk8s';
import {
  ChaosAction, ChaosConcurrencyPolicy, ChaosDirection, ChaosMode, Cni, LabelOperator, NetworkChaosExperiment, NetworkChaosExperimentProps,
} from '../../src';
import { validateManifests } from '../support/schema';
import { chartFor, synthValid } from '../support/synth';

const SHOP = { namespaces: ['shop'], labels: { app: 'backend' } };
const DB = { namespaces: ['shop'], labels: { app: 'db' } };

function synth(props: NetworkChaosExperimentProps, chart: Chart = chartFor(Cni.calico())): any {
  new NetworkChaosExperiment(chart, 'db-partition', props);
  const objects = synthValid(chart).filter((o) => o.apiVersion === 'chaos-mesh.org/v1alpha1');
  expect(objects).toHaveLength(1);
  return objects[0];
}

describe('one-off NetworkChaos, one per action', () => {
  test('partition to a target: the defaults (mode one, direction to, target mode all) stated explicitly', () => {
    expect(synth({ action: ChaosAction.partition(), pods: SHOP, target: { pods: DB }, duration: '5m' })).toEqual({
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'NetworkChaos',
      metadata: { name: 'db-partition', namespace: 'shop' },
      spec: {
        action: 'partition',
        mode: 'one',
        selector: { namespaces: ['shop'], labelSelectors: { app: 'backend' } },
        direction: 'to',
        target: { mode: 'all', selector: { namespaces: ['shop'], labelSelectors: { app: 'db' } } },
        duration: '5m',
      },
    });
  });

  test('delay with jitter and correlation, fixed-percent mode, expression selectors sorted', () => {
    const obj = synth({
      name: 'slow-backend',
      action: ChaosAction.delay({ latency: '100ms', jitter: '10ms', correlation: 25 }),
      pods: { namespaces: ['shop', 'shop'], expressions: [{ key: 'tier', operator: LabelOperator.IN, values: ['web', 'api', 'web'] }] },
      mode: ChaosMode.fixedPercent(50),
      duration: '1h30m',
      acknowledgeLongDuration: true,
    });
    expect(obj.metadata).toEqual({ name: 'slow-backend', namespace: 'shop' });
    expect(obj.spec).toEqual({
      action: 'delay',
      delay: { latency: '100ms', jitter: '10ms', correlation: '25' },
      mode: 'fixed-percent',
      value: '50',
      selector: { namespaces: ['shop'], expressionSelectors: [{ key: 'tier', operator: 'In', values: ['api', 'web'] }] },
      direction: 'to',
      duration: '1h30m',
    });
  });

  test('loss, duplicate and corrupt: percentages as the strings the CRD wants', () => {
    expect(synth({ action: ChaosAction.loss({ loss: 12.5, correlation: 0 }), pods: SHOP, duration: '30s' }).spec)
      .toMatchObject({ action: 'loss', loss: { loss: '12.5', correlation: '0' } });
    expect(synth({ action: ChaosAction.duplicate({ duplicate: 5 }), pods: SHOP, duration: '30s' }).spec)
      .toMatchObject({ action: 'duplicate', duplicate: { duplicate: '5' } });
    expect(synth({ action: ChaosAction.corrupt({ corrupt: 100, correlation: 50 }), pods: SHOP, duration: '30s' }).spec)
      .toMatchObject({ action: 'corrupt', corrupt: { corrupt: '100', correlation: '50' } });
  });

  test('bandwidth: rate string, limit and buffer integers, fixed mode; both directions with a target', () => {
    expect(synth({
      action: ChaosAction.bandwidth({ rate: '1mbps', limit: 20971520, buffer: 10000, peakrate: 2000000, minburst: 1500 }),
      pods: SHOP,
      mode: ChaosMode.fixed(2),
      direction: ChaosDirection.BOTH,
      target: { pods: DB, mode: ChaosMode.one() },
      duration: '2m',
    }).spec).toEqual({
      action: 'bandwidth',
      bandwidth: { rate: '1mbps', limit: 20971520, buffer: 10000, peakrate: 2000000, minburst: 1500 },
      mode: 'fixed',
      value: '2',
      selector: { namespaces: ['shop'], labelSelectors: { app: 'backend' } },
      direction: 'both',
      target: { mode: 'one', selector: { namespaces: ['shop'], labelSelectors: { app: 'db' } } },
      duration: '2m',
    });
  });

  test('external targets (direction to), random-max-percent mode, an explicit object namespace', () => {
    expect(synth({
      namespace: 'chaos-testing',
      action: ChaosAction.loss({ loss: 100 }),
      pods: { namespaces: ['shop', 'payments'] },
      mode: ChaosMode.randomMaxPercent(30),
      externalTargets: ['203.0.113.7', '198.51.100.0/24', 'api.example.com'],
      duration: '10m',
    })).toEqual({
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'NetworkChaos',
      metadata: { name: 'db-partition', namespace: 'chaos-testing' },
      spec: {
        action: 'loss',
        loss: { loss: '100' },
        mode: 'random-max-percent',
        value: '30',
        selector: { namespaces: ['payments', 'shop'] },
        direction: 'to',
        externalTargets: ['203.0.113.7', '198.51.100.0/24', 'api.example.com'],
        duration: '10m',
      },
    });
  });

  test('an unbounded experiment only with the acknowledgement: no duration field at all', () => {
    const obj = synth({ action: ChaosAction.partition(), pods: SHOP, target: { pods: DB }, acknowledgeUnboundedDuration: true });
    expect(obj.spec.duration).toBeUndefined();
    expect(Object.keys(obj.spec)).not.toContain('duration');
  });

  test('works without a ClusterNetwork (it needs no CNI fact)', () => {
    const chart = Testing.chart();
    expect(synth({ action: ChaosAction.partition(), pods: SHOP, target: { pods: DB }, duration: '5m' }, chart).kind).toBe('NetworkChaos');
  });
});

describe('Schedule', () => {
  test('a recurring experiment is a Schedule of type NetworkChaos, Forbid and historyLimit 5 by default', () => {
    expect(synth({
      action: ChaosAction.partition(), pods: SHOP, target: { pods: DB }, duration: '5m', schedule: { cron: '0 3 * * 1-5' },
    })).toEqual({
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'Schedule',
      metadata: { name: 'db-partition', namespace: 'shop' },
      spec: {
        schedule: '0 3 * * 1-5',
        type: 'NetworkChaos',
        concurrencyPolicy: 'Forbid',
        historyLimit: 5,
        networkChaos: {
          action: 'partition',
          mode: 'one',
          selector: { namespaces: ['shop'], labelSelectors: { app: 'backend' } },
          direction: 'to',
          target: { mode: 'all', selector: { namespaces: ['shop'], labelSelectors: { app: 'db' } } },
          duration: '5m',
        },
      },
    });
  });

  test('options: Allow, historyLimit, startingDeadlineSeconds, @every and descriptors', () => {
    const obj = synth({
      action: ChaosAction.delay({ latency: '1s' }),
      pods: SHOP,
      duration: '10m',
      schedule: { cron: '@every 1h', concurrencyPolicy: ChaosConcurrencyPolicy.ALLOW, historyLimit: 1, startingDeadlineSeconds: 60 },
    });
    expect(obj.spec).toMatchObject({ schedule: '@every 1h', concurrencyPolicy: 'Allow', historyLimit: 1, startingDeadlineSeconds: 60 });
    expect(obj.spec.networkChaos.delay).toEqual({ latency: '1s' });
    for (const cron of ['@daily', '*/15 2-4 * JAN-mar mon,FRI', '0 0 1,15 * ?']) {
      expect(synth({ action: ChaosAction.partition(), pods: SHOP, target: { pods: DB }, duration: '1m', schedule: { cron } }).spec.schedule).toBe(cron);
    }
  });
});

describe('schema validation of chaos-mesh.org objects (against the pinned CRDs)', () => {
  const spec = { action: 'partition', mode: 'one', selector: { namespaces: ['shop'] }, duration: '5m' };
  const chaos = (s: object) => ({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name: 'x', namespace: 'shop' }, spec: s });

  test('a valid NetworkChaos and Schedule pass; unknown fields, bad enums and missing fields fail', () => {
    expect(validateManifests([chaos(spec)])).toEqual([]);
    expect(validateManifests([chaos({ ...spec, selecter: {} })])).toEqual([
      { object: 'NetworkChaos/shop/x', path: 'spec.selecter', message: 'unknown field "selecter"' },
    ]);
    expect(validateManifests([chaos({ ...spec, mode: 'some' })])[0]).toMatchObject({ path: 'spec.mode' });
    expect(validateManifests([chaos({ ...spec, action: 'delay', delay: { latency: '1m30s' } })])[0]).toMatchObject({ path: 'spec.delay.latency' });
    const schedule = (s: object) => ({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Schedule', metadata: { name: 'x', namespace: 'shop' }, spec: s });
    expect(validateManifests([schedule({ schedule: '@daily', type: 'NetworkChaos', networkChaos: spec })])).toEqual([]);
    expect(validateManifests([schedule({ schedule: '@daily', type: 'NetworkChaos', networkChaos: { ...spec, bogus: 1 } })])).toEqual([
      { object: 'Schedule/shop/x', path: 'spec.networkChaos.bogus', message: 'unknown field "bogus"' },
    ]);
    expect(validateManifests([schedule({ schedule: '@daily', type: 'NetworkChaos', startingDeadlineSeconds: 0, networkChaos: spec })])[0])
      .toMatchObject({ path: 'spec.startingDeadlineSeconds' });
    expect(validateManifests([schedule({ type: 'NetworkChaos', networkChaos: spec })])[0])
      .toMatchObject({ path: 'spec.schedule', message: 'missing required field "schedule"' });
  });

  test('a chaos-mesh.org kind without a pinned CRD is an error, never a skip', () => {
    expect(validateManifests([{ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NoSuchChaos', metadata: { name: 'x' }, spec: {} }])).toEqual([
      { object: 'NoSuchChaos/x', path: '', message: 'no schema for chaos-mesh.org/v1alpha1 NoSuchChaos' },
    ]);
    expect(validateManifests([{ ...chaos(spec), apiVersion: 'chaos-mesh.org/v1beta1' }])[0]).toMatchObject({ message: 'no schema for chaos-mesh.org/v1beta1 NetworkChaos' });
  });
});
