/**
 * The namespaces the Calico operator installs into are platform namespaces like kube-system: no
 * default-deny finding for them (CalicoInstallation emits `tigera-operator`), but still for others.
 */
import { Cni, PolicyLint } from '../../src';

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

test.each(['tigera-operator', 'calico-system', 'calico-apiserver', 'kube-system'])('%s is not reported without a default deny', (name) => {
  expect(PolicyLint.check([namespace(name)], { cni: Cni.calico() }).filter((f) => f.rule === 'namespace-without-default-deny')).toEqual([]);
});

test('a look-alike namespace still is', () => {
  expect(PolicyLint.check([namespace('tigera-operator-test')], { cni: Cni.calico() }).map((f) => f.rule)).toContain('namespace-without-default-deny');
});
