/**
 * NetworkChaosExperiment's CNI control-plane namespaces. A ClusterNetwork whose CNI is
 * `Cni.kubernetes()` or a `Cni.custom()` says nothing of where the CNI runs (it may be Calico or
 * Cilium rendered as plain NetworkPolicy), so every supported CNI's namespaces stay protected (fail
 * closed; they were all let through). Cilium's include cilium-spire, where its Helm chart installs
 * the SPIRE server and agents of mutual authentication (`authentication.mutual.spire.install.namespace`,
 * cilium chart 1.20.0 values.yaml and templates/spire/).
 */
import { Chart, Testing } from 'cdk8s';
import { ChaosAction, Cni, Errors, NetworkChaosExperiment, NetworkChaosExperimentProps } from '../../src';
import { networkPolicyOnlyCni } from '../support/custom-cni';
import { chartFor, synthValid } from '../support/synth';

const EVERY_CNI_NAMESPACE = ['calico-apiserver', 'calico-system', 'cilium-spire', 'kube-flannel', 'tigera-operator'];
const KIND_OF: Record<string, string> = {
  'calico-apiserver': 'calico', 'calico-system': 'calico', 'tigera-operator': 'calico', 'cilium-spire': 'cilium', 'kube-flannel': 'flannel',
};
const SHOP = { namespaces: ['shop'], labels: { app: 'backend' } };
const base = { action: ChaosAction.partition(), pods: SHOP, target: { pods: { namespaces: ['shop'], labels: { app: 'db' } } }, duration: '5m' };

const PLAIN_CNIS: Array<[string, () => Cni]> = [
  ['kubernetes', () => Cni.kubernetes()],
  ['antrea', () => networkPolicyOnlyCni('antrea')],
];

/** The ValidationError message building the experiment in `chart` throws, or undefined. */
function refusal(chart: Chart, props: Record<string, unknown>): string | undefined {
  try {
    new NetworkChaosExperiment(chart, 'exp', props as unknown as NetworkChaosExperimentProps);
  } catch (e) {
    expect(Errors.isValidationError(e)).toBe(true);
    return (e as Error).message;
  }
  return undefined;
}

describe.each(PLAIN_CNIS)('a ClusterNetwork with the plain or custom CNI %s', (name, cni) => {
  test.each(EVERY_CNI_NAMESPACE)("a fault into %s is refused as every supported CNI's namespace (was: accepted silently)", (ns) => {
    expect(refusal(chartFor(cni()), { ...base, pods: { namespaces: [ns] } })).toBe(`[test/exp] pods.namespaces: '${ns}' is a control-plane `
      + `namespace of the ${KIND_OF[ns]} CNI (the ClusterNetwork's CNI '${name}' is a plain NetworkPolicy or custom CNI, whose namespaces are not `
      + `known): a fault there hits every workload that depends on it. Add '${ns}' to acknowledgedControlPlaneNamespaces if that is the experiment`);
  });

  test('a partition whose target pods run in tigera-operator is refused too (Chaos Mesh injects into the target pods)', () => {
    const props = { ...base, target: { pods: { namespaces: ['tigera-operator'], labels: { name: 'tigera-operator' } } } };
    expect(refusal(chartFor(cni()), props)).toMatch(/^\[test\/exp\] target\.pods\.namespaces: 'tigera-operator' is a control-plane namespace of the calico CNI/);
  });

  test('acknowledged, the fault is emitted (was: the acknowledgement refused as unused); an application namespace needs none', () => {
    const chart = chartFor(cni());
    new NetworkChaosExperiment(chart, 'calico-cut', {
      ...base, pods: { namespaces: ['calico-system'], labels: { 'k8s-app': 'calico-node' } }, acknowledgedControlPlaneNamespaces: ['calico-system'],
    });
    new NetworkChaosExperiment(chart, 'shop-cut', base);
    const objects = synthValid(chart).filter((o) => o.kind === 'NetworkChaos');
    expect(objects.map((o) => [o.metadata, o.spec.selector])).toEqual([
      [{ name: 'calico-cut', namespace: 'calico-system' }, { namespaces: ['calico-system'], labelSelectors: { 'k8s-app': 'calico-node' } }],
      [{ name: 'shop-cut', namespace: 'shop' }, { namespaces: ['shop'], labelSelectors: { app: 'backend' } }],
    ]);
  });
});

describe("Cilium's SPIRE namespace (cilium-spire, the chart's default)", () => {
  test("with a Cilium ClusterNetwork it is refused as the ClusterNetwork's CNI's namespace (was: accepted), and emitted when acknowledged", () => {
    const spire = { ...base, pods: { namespaces: ['cilium-spire'], labels: { app: 'spire-server' } } };
    expect(refusal(chartFor(Cni.cilium()), spire)).toBe("[test/exp] pods.namespaces: 'cilium-spire' is a control-plane namespace of the "
      + "ClusterNetwork's CNI (cilium): a fault there hits every workload that depends on it. Add 'cilium-spire' to acknowledgedControlPlaneNamespaces "
      + 'if that is the experiment');
    const chart = chartFor(Cni.cilium());
    new NetworkChaosExperiment(chart, 'spire-cut', { ...spire, acknowledgedControlPlaneNamespaces: ['cilium-spire'] });
    const [obj] = synthValid(chart).filter((o) => o.kind === 'NetworkChaos');
    expect(obj.metadata).toEqual({ name: 'spire-cut', namespace: 'cilium-spire' });
  });

  test('without a ClusterNetwork it is refused as the cilium CNI\'s (fail closed); with a Calico one it is an ordinary namespace', () => {
    const spire = { ...base, pods: { namespaces: ['cilium-spire'] } };
    expect(refusal(Testing.chart(), spire)).toBe("[test/exp] pods.namespaces: 'cilium-spire' is a control-plane namespace of the cilium CNI "
      + "(no ClusterNetwork says which CNI runs): a fault there hits every workload that depends on it. Add 'cilium-spire' to "
      + 'acknowledgedControlPlaneNamespaces if that is the experiment');
    const chart = chartFor(Cni.calico());
    expect(refusal(chart, spire)).toBeUndefined();
    expect(synthValid(chart).filter((o) => o.kind === 'NetworkChaos').map((o) => o.metadata)).toEqual([{ name: 'exp', namespace: 'cilium-spire' }]);
  });
});
