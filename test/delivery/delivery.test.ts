/**
 * The shared Delivery: factory options are checked at the public edge, and the install steps keep
 * their order whatever delivery is chosen. (What each install emits per delivery is tested with the
 * installs.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, YamlOutputType } from 'cdk8s';
import { CalicoInstallation, ClusterNetwork, Cni, Delivery, DeliveryKind, TenantIsolation } from '../../src';
import { synthAppValid } from '../support/synth';

describe('Delivery factories', () => {
  test('kinds', () => {
    expect(Delivery.flux().kind).toBe(DeliveryKind.FLUX);
    expect(Delivery.argoCd().kind).toBe(DeliveryKind.ARGO_CD);
    expect(Delivery.manifestsOnly().kind).toBe(DeliveryKind.MANIFESTS_ONLY);
  });

  test.each<[string, () => Delivery, string]>([
    ['a Flux interval that is no Go duration', () => Delivery.flux({ interval: '1 hour' }),
      "[Delivery.flux] interval: '1 hour' is not a duration the Flux CRDs accept (digits with ms, s, m or h, e.g. '10m', '1h30m')"],
    // Go durations, but every interval of the pinned Flux CRDs (HelmRelease, chart.spec,
    // HelmRepository, OCIRepository) has the pattern ^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$: the API server refuses them.
    ['a Flux interval in microseconds', () => Delivery.flux({ interval: '500us' }),
      "[Delivery.flux] interval: '500us' is not a duration the Flux CRDs accept (digits with ms, s, m or h, e.g. '10m', '1h30m')"],
    ['a Flux interval with a nanosecond part', () => Delivery.flux({ interval: '1h30ns' }),
      "[Delivery.flux] interval: '1h30ns' is not a duration the Flux CRDs accept (digits with ms, s, m or h, e.g. '10m', '1h30m')"],
    ['a Flux interval in µs', () => Delivery.flux({ interval: '10µs' }),
      "[Delivery.flux] interval: '10µs' is not a duration the Flux CRDs accept (digits with ms, s, m or h, e.g. '10m', '1h30m')"],
    ['a Flux namespace that is no DNS label', () => Delivery.flux({ namespace: 'Flux_System' }), "[Delivery.flux] namespace: 'Flux_System' is not a valid DNS-1123 label"],
    ['negative retries', () => Delivery.flux({ remediationRetries: -1 }), '[Delivery.flux] remediationRetries: -1 must be an integer in 0-100'],
    ['an Argo CD server that is no https URL', () => Delivery.argoCd({ destinationServer: 'kubernetes.default.svc' }),
      "[Delivery.argoCd] destinationServer: 'kubernetes.default.svc' is not an https:// API server URL"],
    // The check only anchored the start: whitespace after the host passed and Argo CD matched no cluster.
    ['an Argo CD server with a space after the host', () => Delivery.argoCd({ destinationServer: 'https://kubernetes.default.svc prod' }),
      "[Delivery.argoCd] destinationServer: 'https://kubernetes.default.svc prod' is not an https:// API server URL"],
    ['an Argo CD server with a trailing newline', () => Delivery.argoCd({ destinationServer: 'https://10.0.0.1:6443\n' }),
      "[Delivery.argoCd] destinationServer: 'https://10.0.0.1:6443\n' is not an https:// API server URL"],
    ['a string for automated (untyped caller)', () => Delivery.argoCd({ automated: 'true' as any }), '[Delivery.argoCd] automated: "true" is not a boolean'],
    ['a fractional retry limit', () => Delivery.argoCd({ retryLimit: 1.5 }), '[Delivery.argoCd] retryLimit: 1.5 must be an integer in 0-100'],
    // Found by the garbage properties (test/properties/garbage-dns-delivery.property.test.ts).
    ['an object whose toString is not a function (a TypeError in the message)', () => Delivery.flux({ namespace: { toString: 0 } as any }),
      '[Delivery.flux] namespace: must be a string, got a plain object'],
    ['null for automated (it became true: automated prune)', () => Delivery.argoCd({ automated: null as any }), '[Delivery.argoCd] automated: null is not a boolean'],
    ['null retries', () => Delivery.flux({ remediationRetries: null as any }), '[Delivery.flux] remediationRetries: null must be an integer in 0-100'],
  ])('%s is an error', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  test.each(['1h30m', '90s', '1.5h', '250ms'])('Flux interval %s is kept and every object carrying it passes the pinned Flux schemas', (interval) => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
    new CalicoInstallation(chart, 'calico', { delivery: Delivery.flux({ interval }) });
    const flux = synthAppValid(app).all.filter((o) => o.apiVersion.includes('.toolkit.fluxcd.io/'));
    expect(flux.map((o) => `${o.kind}/${o.metadata.name}:${o.spec.interval}`)).toEqual([
      `HelmRepository/projectcalico:${interval}`, `HelmRelease/calico-crds:${interval}`, `HelmRelease/tigera-operator:${interval}`,
    ]);
  });

  test.each(['https://kubernetes.default.svc', 'https://10.0.0.1:6443', 'https://rancher.example.com/k8s/clusters/c-m-abc123'])(
    'Argo CD destination server %s is kept', (server) => {
      expect(Delivery.argoCd({ destinationServer: server })._argoCd?.destinationServer).toBe(server);
    });

  test('an install refuses a delivery that is not made by the factories', () => {
    const chart = Testing.chart();
    new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
    expect(() => new CalicoInstallation(chart, 'calico', { delivery: { kind: 'flux' } as any })).toThrow(
      '[test/calico] delivery: must be made with Delivery.flux(), Delivery.argoCd() or Delivery.manifestsOnly()');
  });

  test('Argo CD without automated sync or retries', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
    new CalicoInstallation(chart, 'calico', { delivery: Delivery.argoCd({ automated: false, retryLimit: 0, namespace: 'gitops', project: 'network' }) });
    const app1 = synthAppValid(app).all.find((o) => o.kind === 'Application');
    expect(app1.metadata.namespace).toBe('gitops');
    expect(app1.spec.project).toBe('network');
    expect(app1.spec.syncPolicy).toEqual({ syncOptions: ['ServerSideApply=true'] });
  });
});

describe('install steps and the rest of the app', () => {
  test.each([['flux', Delivery.flux()], ['manifests only', Delivery.manifestsOnly()]])(
    '%s: a chart with Calico objects created after the install still comes after the Calico API step', (_name, delivery) => {
      const app = Testing.app();
      new ClusterNetwork(app, 'cluster', { cni: Cni.calico() });
      new CalicoInstallation(new Chart(app, 'platform'), 'calico', { delivery, wireguard: true });
      const later = new Chart(app, 'tenants');
      new TenantIsolation(later, 'tenants', { tenants: ['acme'] });
      app.synthYaml();
      const ids = app.charts.map((c) => c.node.id);
      expect(ids.indexOf('tenants')).toBeGreaterThan(ids.indexOf('calico-config'));
      expect(ids.indexOf('platform')).toBeGreaterThan(ids.indexOf('calico-config'));
    });

  test('a chart without Calico objects is not made to wait', () => {
    const app = Testing.app();
    new ClusterNetwork(app, 'cluster', { cni: Cni.calico() });
    const plain = new Chart(app, 'plain');
    new ApiObject(plain, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } });
    new CalicoInstallation(new Chart(app, 'platform'), 'calico', { delivery: Delivery.flux() });
    app.synthYaml();
    expect(plain.node.dependencies).toEqual([]);
  });
});

test('Flux layout from the README: one folder per chart, numbered in apply order', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-layout-'));
  try {
    const app = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
    const chart = new Chart(app, 'platform');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
    new CalicoInstallation(chart, 'calico', { delivery: Delivery.flux(), wireguard: true });
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    app.synth();
    expect(fs.readdirSync(outdir).sort()).toEqual(['0000-calico-operator', '0001-calico-resources', '0002-calico-config', '0003-platform']);
    expect(fs.readdirSync(path.join(outdir, '0001-calico-resources')).sort()).toEqual(['APIServer.default.k8s.yaml', 'Installation.default.k8s.yaml']);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

test('null options from an untyped caller are an error, not a crash', () => {
  expect(() => Delivery.flux(null as any)).toThrow('[Delivery.flux] options: must be an object of options (or omitted), got null');
  expect(() => Delivery.argoCd([] as any)).toThrow('[Delivery.argoCd] options: must be an object of options (or omitted), got an array of 0');
});
