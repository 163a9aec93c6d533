/**
 * One cluster context: the installs and NodeLocalDNS read the ClusterNetwork and refuse to run
 * without one, or against one that states other facts.
 */
import { Chart, Testing } from 'cdk8s';
import { CalicoInstallation, CiliumInstall, ClusterNetwork, Cni, KubeProxyMode, NodeLocalDNS } from '../../src';

const constructs: Array<[string, (chart: Chart) => unknown]> = [
  ['CalicoInstallation', (chart) => new CalicoInstallation(chart, 'install')],
  ['CiliumInstall', (chart) => new CiliumInstall(chart, 'install', { k8sServiceHost: 'auto' })],
  ['NodeLocalDNS', (chart) => new NodeLocalDNS(chart, 'install')],
];

test.each(constructs)('%s declared before any ClusterNetwork is a named error', (_name, make) => {
  const chart = new Chart(Testing.app(), 'platform');
  expect(() => make(chart)).toThrow(/^\[platform\/install\] ClusterNetwork: none is declared: declare the cluster context before this construct/);
});

test.each([
  ['CalicoInstallation on Cilium', Cni.cilium(), (chart: Chart) => new CalicoInstallation(chart, 'install'), /ClusterNetwork\.cni: .* names the CNI 'cilium', but a CalicoInstallation installs calico/],
  ['CiliumInstall on Calico', Cni.calico(), (chart: Chart) => new CiliumInstall(chart, 'install'), /ClusterNetwork\.cni: .* names the CNI 'calico', but a CiliumInstall installs cilium/],
  ['CiliumInstall on Flannel', Cni.flannel({ acknowledgeUnenforcedPolicies: true }), (chart: Chart) => new CiliumInstall(chart, 'install'), /names the CNI 'flannel'/],
])('%s is a named error', (_name, cni, make, message) => {
  const chart = new Chart(Testing.app(), 'platform');
  new ClusterNetwork(chart, 'cluster', { cni, nodeLocalDns: true });
  expect(() => make(chart)).toThrow(message);
});

test('a ClusterNetwork on the App governs installs in every chart', () => {
  const app = Testing.app();
  new ClusterNetwork(app, 'cluster', { cni: Cni.cilium(), kubeProxyMode: KubeProxyMode.REPLACED });
  const install = new CiliumInstall(new Chart(app, 'platform'), 'cilium', { k8sServiceHost: 'auto' });
  expect(install.kubeProxyReplacement).toBe(true);
});
