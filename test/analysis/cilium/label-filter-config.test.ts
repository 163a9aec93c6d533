/**
 * Cilium's identity label filter set in the manifests (agent option `labels`, Helm value `labels`, a
 * `cilium-config` key): cilium/cilium pkg/labelsfilter `ParseLabelPrefixCfg` appends the prefixes to
 * the default list and any include turns it into an allow-list (`filterLabels`), so with
 * `labels: "k8s:app"` a pod's `tier` label is no longer in its identity and a NetworkPolicy selecting
 * `tier` selects nobody. The analyzer models the default filter only: the flows such a policy could
 * change are indeterminate, with a note. Without the setting the default stays exact.
 */
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { ciliumLabelKept } from '../../../src/util/cilium-label-filter';
import { expectValidManifests } from '../../support/schema';
import { deployment, namespace } from '../fixtures';

const listen = { containers: [{ name: 'c', image: 'registry.example.com/app:1.0', ports: [{ name: 'http', containerPort: 8080 }] }] };
const cluster = [
  namespace('shop'),
  deployment('shop', 'web', { app: 'web' }, listen),
  deployment('shop', 'api', { app: 'api', tier: 'backend' }, listen),
  deployment('shop', 'worker', { app: 'worker' }, listen),
];
const byTier = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'backend', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { tier: 'backend' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] },
};
const byApp = { ...byTier, metadata: { name: 'api', namespace: 'shop' }, spec: { ...byTier.spec, podSelector: { matchLabels: { app: 'api' } } } };
const helmRelease = (values: Record<string, unknown>) => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'cilium', namespace: 'kube-system' },
  spec: { interval: '10m', chart: { spec: { chart: 'cilium', version: '1.20.0', sourceRef: { kind: 'HelmRepository', name: 'cilium' } } }, values },
});
const ciliumConfig = (labels: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { labels } });

function verdicts(manifests: any[]): Verdict[] {
  const reach = Reachability.fromManifests(manifests, { cni: Cni.cilium() });
  return ['web', 'worker'].map((src) => reach.check(Target.workload('shop', src), Target.workload('shop', 'api'), Port.tcp(8080)).verdict);
}

describe('Cilium label filter set in the manifests', () => {
  test('the manifests are valid', () => {
    expectValidManifests([...cluster, byTier, byApp, helmRelease({ labels: 'k8s:app' }), ciliumConfig('k8s:app')]);
  });

  test('the filter as labelsfilter computes it: an include makes an allow-list; an include as long as an ignore loses', () => {
    expect(['app', 'tier', 'io.cilium.k8s.policy.serviceaccount', 'pod-template-hash'].map((k) => ciliumLabelKept([], 'k8s', k)))
      .toEqual([true, true, true, false]);
    expect(['app', 'tier', 'io.cilium.k8s.policy.serviceaccount', 'io.kubernetes.pod.namespace'].map((k) => ciliumLabelKept(['k8s:app'], 'k8s', k)))
      .toEqual([true, false, false, true]);
    expect(ciliumLabelKept(['k8s:!tier'], 'k8s', 'tier')).toBe(false);
    expect(ciliumLabelKept(['k8s:!tier'], 'k8s', 'app')).toBe(true);
    expect(ciliumLabelKept(['k8s:controller-revision-hash'], 'k8s', 'controller-revision-hash')).toBe(false);
    expect(ciliumLabelKept(['k8s:('], 'k8s', 'app')).toBeUndefined();
  });

  test('without the setting the default filter is exact: worker is denied', () => {
    expect(verdicts([...cluster, byTier])).toEqual([Verdict.ALLOW, Verdict.DENY]);
  });

  test('Helm labels: k8s:app drops tier from identities: the policy on tier is indeterminate (was a confident deny)', () => {
    const manifests = [...cluster, byTier, helmRelease({ labels: 'k8s:app' })];
    expect(verdicts(manifests)).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    const reach = Reachability.fromManifests(manifests, { cni: Cni.cilium() });
    expect(reach.check(Target.workload('shop', 'worker'), Target.workload('shop', 'api'), Port.tcp(8080)).ingress.uncertainties).toEqual([
      'HelmRelease kube-system/cilium sets Cilium\'s identity label filter, under which selectors on tier select other pods than under the '
        + 'default filter the analyzer models',
    ]);
    expect(reach.notes).toContain('HelmRelease kube-system/cilium sets Cilium\'s identity label filter (agent option labels or label-prefix-file), '
      + 'which the analyzer does not model (it models the default filter): the selectors of NetworkPolicy shop/backend on tier select other pods '
      + 'under it, so the flows of the pods these policies could select are indeterminate');
  });

  test('the same from a cilium-config ConfigMap', () => {
    expect(verdicts([...cluster, byTier, ciliumConfig('k8s:app')])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
  });

  test('label-prefix-file replaces the list: indeterminate; an empty one is the default (the agent reads no file): exact', () => {
    const prefixFile = (file: string) => ({ ...ciliumConfig(''), data: { 'label-prefix-file': file } });
    expectValidManifests([prefixFile(''), prefixFile('/etc/cilium/label-prefixes.json')]);
    expect(verdicts([...cluster, byTier, prefixFile('/etc/cilium/label-prefixes.json')])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    expect(verdicts([...cluster, byTier, prefixFile('')])).toEqual([Verdict.ALLOW, Verdict.DENY]);
    expect(verdicts([...cluster, byTier, helmRelease({ extraConfig: { 'label-prefix-file': '' } })])).toEqual([Verdict.ALLOW, Verdict.DENY]);
  });

  describe('read as every agent option is (src/analysis/cilium/agent-config)', () => {
    const application = (helm: Record<string, unknown>) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'cilium', namespace: 'argocd' },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'kube-system' },
        source: { repoURL: 'https://helm.cilium.io', chart: 'cilium', targetRevision: '1.20.0', helm },
      },
    });
    const agent = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'cilium', namespace: 'kube-system' },
      spec: {
        selector: { matchLabels: { 'k8s-app': 'cilium' } },
        template: {
          metadata: { labels: { 'k8s-app': 'cilium' } },
          spec: {
            containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.20.0' }],
            volumes: [{ name: 'cilium-config-path', configMap: { name: 'cilium-config' } }],
          },
        },
      },
    };
    const elsewhere = { ...ciliumConfig('k8s:app'), metadata: { name: 'cilium-config', namespace: 'shop' } };
    const parameter = application({ parameters: [{ name: 'extraConfig.labels', value: 'k8s:app' }] });
    const both = application({ valuesObject: { hubble: { enabled: true } }, values: 'labels: k8s:app\n' });
    const broken = application({ values: 'labels: [k8s:app\n' });
    const hidden = { ...helmRelease({}), spec: { ...helmRelease({}).spec, values: undefined, valuesFrom: [{ kind: 'ConfigMap', name: 'cilium-values' }] } };

    test('the objects are valid', () => {
      expectValidManifests([agent, elsewhere, parameter, both, broken, hidden, application({ valueFiles: ['values-prod.yaml'] })]);
    });

    test('a cilium-config outside the namespace the agent runs in is no agent\'s configuration: exact (was indeterminate)', () => {
      expect(verdicts([...cluster, byTier, agent, elsewhere])).toEqual([Verdict.ALLOW, Verdict.DENY]);
      expect(verdicts([...cluster, byTier, agent, ciliumConfig('k8s:app')])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });

    test('an Argo CD parameter extraConfig.labels sets it: indeterminate (was a confident deny)', () => {
      expect(verdicts([...cluster, byTier, parameter])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      // A file parameter (helm --set-file, over --set) reads a repository file the manifests do not show: indeterminate (was exact).
      const fromFile = application({ parameters: [{ name: 'labels', value: '' }], fileParameters: [{ name: 'labels', path: 'cilium-labels.txt' }] });
      expectValidManifests([fromFile]);
      expect(verdicts([...cluster, byTier, fromFile])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });

    test('Argo CD reads the values string only without valuesObject: exact (was indeterminate)', () => {
      expect(verdicts([...cluster, byTier, both])).toEqual([Verdict.ALLOW, Verdict.DENY]);
      expect(verdicts([...cluster, byTier, application({ values: 'labels: k8s:app\n' })])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });

    describe('the chart\'s namespaceOverride moves cilium-config (and the agent) out of the release namespace', () => {
      const inCilium = { ...ciliumConfig('k8s:app'), metadata: { name: 'cilium-config', namespace: 'cilium' } };
      const ciliumNs = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cilium' } };

      test('the objects are valid', () => {
        expectValidManifests([ciliumNs, inCilium, helmRelease({ namespaceOverride: 'cilium' }),
          application({ valuesObject: { namespaceOverride: 'cilium' } }), application({ parameters: [{ name: 'namespaceOverride', value: 'cilium' }] })]);
      });

      test.each([
        ['a HelmRelease\'s values', helmRelease({ namespaceOverride: 'cilium' })],
        ['an Application\'s valuesObject', application({ valuesObject: { namespaceOverride: 'cilium' } })],
        ['an Application\'s parameter', application({ parameters: [{ name: 'namespaceOverride', value: 'cilium' }] })],
        ['an Application\'s values string', application({ values: 'namespaceOverride: cilium\n' })],
      ])('set in %s: the cilium-config there is the agent\'s (indeterminate, was exact); the one in the release namespace is not (exact, was indeterminate)',
        (_where, delivery) => {
          expect(verdicts([...cluster, ciliumNs, byTier, delivery, inCilium])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
          expect(verdicts([...cluster, ciliumNs, byTier, delivery, ciliumConfig('k8s:app')])).toEqual([Verdict.ALLOW, Verdict.DENY]);
        });

      test('empty or null: the release namespace, as without it', () => {
        for (const namespaceOverride of ['', null]) {
          expect(verdicts([...cluster, ciliumNs, byTier, helmRelease({ namespaceOverride }), inCilium])).toEqual([Verdict.ALLOW, Verdict.DENY]);
          expect(verdicts([...cluster, ciliumNs, byTier, helmRelease({ namespaceOverride }), ciliumConfig('k8s:app')]))
            .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
        }
      });

      test('an Argo CD source\'s helm.namespace is the release namespace (the destination\'s only when empty); namespaceOverride still wins', () => {
        const templated = application({ namespace: 'cilium' });
        const overridden = application({ namespace: 'other', valuesObject: { namespaceOverride: 'cilium' } });
        expectValidManifests([templated, overridden, application({ namespace: '' })]);
        for (const delivery of [templated, overridden]) {
          expect(verdicts([...cluster, ciliumNs, byTier, delivery, inCilium])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
          expect(verdicts([...cluster, ciliumNs, byTier, delivery, ciliumConfig('k8s:app')])).toEqual([Verdict.ALLOW, Verdict.DENY]);
        }
        expect(verdicts([...cluster, ciliumNs, byTier, application({ namespace: '' }), ciliumConfig('k8s:app')]))
          .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      });

      test('several Cilium sources of one Application each render the chart into their own namespace: the agent runs in each', () => {
        const base = application({});
        const chart = base.spec.source;
        const twice = { ...base, spec: { ...base.spec, source: undefined, sources: [{ ...chart, helm: { valuesObject: { namespaceOverride: 'cilium' } } }, chart] } };
        expectValidManifests([twice]);
        expect(verdicts([...cluster, ciliumNs, byTier, twice, inCilium])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
        expect(verdicts([...cluster, ciliumNs, byTier, twice, ciliumConfig('k8s:app')])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      });

      test('values the manifests do not show may set it: cilium-config is read in every namespace (indeterminate, was exact)', () => {
        // The inline values settle the filter (the default) over the valuesFrom ConfigMap the manifests lack, not namespaceOverride.
        const settled = { ...hidden, spec: { ...hidden.spec, values: { labels: '', extraConfig: { 'labels': '', 'label-prefix-file': '' } } } };
        expectValidManifests([settled]);
        expect(verdicts([...cluster, ciliumNs, byTier, settled])).toEqual([Verdict.ALLOW, Verdict.DENY]);
        expect(verdicts([...cluster, ciliumNs, byTier, settled, inCilium])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      });
    });

    test('values the manifests do not show (valuesFrom, valueFiles, an unparsable values string): indeterminate (were the default)', () => {
      expect(verdicts([...cluster, byTier, hidden])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, application({ valueFiles: ['values-prod.yaml'] })])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, broken])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });
  });

  describe('Flux valuesFrom read from the manifests (src/analysis/flux-values)', () => {
    const release = (valuesFrom: unknown[], values?: Record<string, unknown>) => {
      const base = helmRelease(values ?? {});
      return { ...base, spec: { ...base.spec, values, valuesFrom } };
    };
    const configMap = (name: string, data: Record<string, string>, ns = 'kube-system') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });
    const fromMap = { kind: 'ConfigMap', name: 'cilium-values' };
    const quiet = configMap('cilium-values', { 'values.yaml': 'hubble:\n  relay:\n    enabled: true\nkubeProxyReplacement: true\n' });
    const loud = configMap('cilium-values', { 'values.yaml': 'labels: k8s:app\n' });
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cilium-secret-values', namespace: 'kube-system' },
      type: 'Opaque',
      data: { 'values.yaml': Buffer.from('extraConfig:\n  labels: k8s:app\n').toString('base64') },
    };
    const fromSecret = { kind: 'Secret', name: 'cilium-secret-values' };
    const targeted = configMap('cilium-labels', { labels: 'k8s:app' });
    const fromTarget = { kind: 'ConfigMap', name: 'cilium-labels', valuesKey: 'labels', targetPath: 'extraConfig.labels' };

    test('the objects are valid', () => {
      expectValidManifests([release([fromMap]), quiet, loud, secret, targeted, release([fromTarget], { labels: '' }),
        release([{ ...fromMap, optional: true }])]);
    });

    test('a valuesFrom ConfigMap in the manifests that does not set labels: the default filter, exact (was indeterminate)', () => {
      expect(verdicts([...cluster, byTier, release([fromMap]), quiet])).toEqual([Verdict.ALLOW, Verdict.DENY]);
    });

    test('a valuesFrom ConfigMap setting labels: the uncertainty names the HelmRelease', () => {
      const manifests = [...cluster, byTier, release([fromMap]), loud];
      expect(verdicts(manifests)).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      const reach = Reachability.fromManifests(manifests, { cni: Cni.cilium() });
      expect(reach.check(Target.workload('shop', 'worker'), Target.workload('shop', 'api'), Port.tcp(8080)).ingress.uncertainties).toEqual([
        'HelmRelease kube-system/cilium sets Cilium\'s identity label filter, under which selectors on tier select other pods than under the '
          + 'default filter the analyzer models',
      ]);
    });

    test('targetPath extraConfig.labels places the key\'s text there: indeterminate; a key the object lacks without optional: indeterminate, with optional: skipped', () => {
      expect(verdicts([...cluster, byTier, release([fromTarget]), targeted])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, release([{ ...fromTarget, valuesKey: 'other' }]), targeted]))
        .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, release([{ ...fromTarget, valuesKey: 'other', optional: true }]), targeted]))
        .toEqual([Verdict.ALLOW, Verdict.DENY]);
    });

    test('a ConfigMap the manifests do not have (optional or not), or have in another namespace: indeterminate as before', () => {
      expect(verdicts([...cluster, byTier, release([fromMap])])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, release([{ ...fromMap, optional: true }])])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, release([fromMap]), { ...quiet, metadata: { name: 'cilium-values', namespace: 'shop' } }]))
        .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });

    test('unparsable YAML, or YAML that is no mapping, in the key: indeterminate', () => {
      expect(verdicts([...cluster, byTier, release([fromMap]), configMap('cilium-values', { 'values.yaml': 'labels: [k8s:app\n' })]))
        .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, release([fromMap]), configMap('cilium-values', { 'values.yaml': '- labels\n' })]))
        .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });

    test('inline values are merged over valuesFrom; a later entry over an earlier one', () => {
      // The inline empty labels renders nothing; the ConfigMap's k8s:app is overridden: exact.
      expect(verdicts([...cluster, byTier, release([fromMap], { labels: '' }), loud])).toEqual([Verdict.ALLOW, Verdict.DENY]);
      // Inline values over a ConfigMap the manifests lack: what the inline values say counts.
      expect(verdicts([...cluster, byTier, release([fromMap], { labels: 'k8s:app' })])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      // A later entry the manifests show, setting every value that renders labels or label-prefix-file empty, over one they lack: exact;
      // leaving one (Helm value labels) to the entry they lack: indeterminate.
      const emptied = configMap('cilium-empty', { 'values.yaml': 'labels: ""\nextraConfig:\n  labels: ""\n  label-prefix-file: ""\n' });
      const halfEmptied = configMap('cilium-empty', { 'values.yaml': 'extraConfig:\n  labels: ""\n  label-prefix-file: ""\n' });
      expect(verdicts([...cluster, byTier, release([fromMap, { kind: 'ConfigMap', name: 'cilium-empty' }]), halfEmptied]))
        .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, release([fromMap, { kind: 'ConfigMap', name: 'cilium-empty' }]), emptied])).toEqual([Verdict.ALLOW, Verdict.DENY]);
      // An earlier entry the manifests show, under a later one they lack: indeterminate.
      expect(verdicts([...cluster, byTier, release([{ kind: 'ConfigMap', name: 'cilium-empty' }, fromMap]), emptied]))
        .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });

    test('a Secret\'s base64 data is read; invalid base64 or a SOPS-encrypted Secret: indeterminate', () => {
      expect(verdicts([...cluster, byTier, release([fromSecret]), secret])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      const quietSecret = { ...secret, data: { 'values.yaml': Buffer.from('hubble:\n  enabled: true\n').toString('base64') } };
      expect(verdicts([...cluster, byTier, release([fromSecret]), quietSecret])).toEqual([Verdict.ALLOW, Verdict.DENY]);
      expect(verdicts([...cluster, byTier, release([fromSecret]), { ...quietSecret, sops: { version: '3.9.0' } }]))
        .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, release([fromSecret]), { ...secret, data: { 'values.yaml': 'labels: k8s:app' } }]))
        .toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });

    test('a post-renderer patch of cilium-config comes after every value: indeterminate (was exact)', () => {
      const base = helmRelease({});
      const patched = {
        ...base,
        spec: {
          ...base.spec,
          postRenderers: [{ kustomize: { patches: [{ target: { kind: 'ConfigMap', name: 'cilium-config' }, patch: '- op: add\n  path: /data/labels\n  value: k8s:app\n' }] } }],
        },
      };
      expectValidManifests([patched]);
      expect(verdicts([...cluster, byTier, patched])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    });

    test('a post-renderer patch whose target may select cilium-config without naming it (kind alone, a name pattern, labels): indeterminate '
      + '(was exact); a target of another kind or name leaves the values exact', () => {
      const base = helmRelease({});
      const patch = '- op: add\n  path: /data/labels\n  value: k8s:app\n';
      const withTarget = (target: Record<string, string>) => ({
        ...base,
        spec: { ...base.spec, postRenderers: [{ kustomize: { patches: [{ target, patch }] } }] },
      });
      // kustomize selectors: name is an anchored regular expression, kind must equal, labelSelector reads the rendered labels.
      const selecting: Array<Record<string, string>> = [{ kind: 'ConfigMap' }, { kind: 'ConfigMap', name: 'cilium-.*' }, { labelSelector: 'app.kubernetes.io/part-of=cilium' }];
      const missing: Array<Record<string, string>> = [{ kind: 'Deployment', name: 'cilium-operator' }, { kind: 'ConfigMap', name: 'cilium' }, { group: 'apps', name: '.*' }];
      expectValidManifests([...selecting, ...missing].map(withTarget));
      const indeterminate = [Verdict.INDETERMINATE, Verdict.INDETERMINATE];
      for (const target of selecting) expect(verdicts([...cluster, byTier, withTarget(target)])).toEqual(indeterminate);
      for (const target of missing) expect(verdicts([...cluster, byTier, withTarget(target)])).toEqual([Verdict.ALLOW, Verdict.DENY]);
    });

    test('chart valuesFiles other than values.yaml are not in the manifests: indeterminate (were the default)', () => {
      const withFiles = (files: string[]) => {
        const base = helmRelease({});
        return { ...base, spec: { ...base.spec, chart: { spec: { ...base.spec.chart.spec, valuesFiles: files } } } };
      };
      expectValidManifests([withFiles(['values.yaml', 'values-prod.yaml'])]);
      expect(verdicts([...cluster, byTier, withFiles(['values.yaml', 'values-prod.yaml'])])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
      expect(verdicts([...cluster, byTier, withFiles(['values.yaml'])])).toEqual([Verdict.ALLOW, Verdict.DENY]);
    });
  });

  test('Helm labels false renders nothing or "false" depending on the chart version\'s test (if / hasKey): indeterminate (was exact); null and "" exact', () => {
    expect(verdicts([...cluster, byTier, helmRelease({ labels: false })])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    expect(verdicts([...cluster, byTier, helmRelease({ labels: null })])).toEqual([Verdict.ALLOW, Verdict.DENY]);
    expect(verdicts([...cluster, byTier, helmRelease({ labels: '' })])).toEqual([Verdict.ALLOW, Verdict.DENY]);
  });

  test('a CiliumNodeConfig overrides cilium-config on the nodes it selects: every node, or some nodes (not one value)', () => {
    const nodeConfig = (nodeSelector: Record<string, unknown>, labels = 'k8s:app') => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNodeConfig',
      metadata: { name: 'labels', namespace: 'kube-system' },
      spec: { defaults: { labels }, nodeSelector },
    });
    expectValidManifests([nodeConfig({}), nodeConfig({ matchLabels: { pool: 'edge' } })]);
    const reach = Reachability.fromManifests([...cluster, byTier, nodeConfig({})], { cni: Cni.cilium() });
    expect(reach.check(Target.workload('shop', 'worker'), Target.workload('shop', 'api'), Port.tcp(8080)).ingress.uncertainties).toEqual([
      'CiliumNodeConfig kube-system/labels sets Cilium\'s identity label filter, under which selectors on tier select other pods than under the '
        + 'default filter the analyzer models',
    ]);
    expect(verdicts([...cluster, byTier, nodeConfig({ matchLabels: { pool: 'edge' } }, '')])).toEqual([Verdict.INDETERMINATE, Verdict.INDETERMINATE]);
    expect(verdicts([...cluster, byTier, nodeConfig({}, '')])).toEqual([Verdict.ALLOW, Verdict.DENY]);
  });

  test('a setting that keeps every key the policies use changes nothing: exact', () => {
    expect(verdicts([...cluster, byApp, helmRelease({ labels: 'k8s:app' })])).toEqual([Verdict.ALLOW, Verdict.DENY]);
    expect(verdicts([...cluster, byTier, helmRelease({ labels: 'k8s:!pod-template-generation' })])).toEqual([Verdict.ALLOW, Verdict.DENY]);
  });
});
