/**
 * The committed value types (src/cni/cilium/chart-value-types.ts) are exactly what the generator
 * derives from the pinned chart's values.schema.json (regenerate with `npx projen cilium:keys`), and
 * CiliumInstall refuses values of a type that schema refuses, since Helm would refuse the install.
 */
import * as fs from 'fs';
import { App, Chart } from 'cdk8s';
import { CiliumInstall, ClusterNetwork, Cni, CiliumInstallProps } from '../../../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../../../projenrc/cilium-values-types.js');

test('the committed Cilium value types match the pinned values.schema.json', () => {
  expect(fs.readFileSync(generator.target, 'utf8')).toBe(generator.generate(fs.readFileSync(generator.schemaFile, 'utf8')));
  const schema = JSON.parse(fs.readFileSync(generator.schemaFile, 'utf8'));
  // Spot checks against the schema text itself.
  expect(schema.properties.encryption.properties.enabled.type).toBe('boolean');
  expect(generator.typesOf(schema)['encryption.enabled']).toEqual(['boolean']);
  expect(generator.typesOf(schema).k8sServicePort).toEqual(['integer', 'string']);
});

describe('CiliumInstall: values of a type the chart schema refuses', () => {
  const KPR = { k8sServiceHost: '10.0.0.1', k8sServicePort: 6443 };
  const install = (props: CiliumInstallProps) => {
    const chart = new Chart(new App(), 'platform');
    new ClusterNetwork(chart, 'net', { cni: Cni.cilium() });
    return () => new CiliumInstall(chart, 'cilium', props);
  };

  test.each([
    ['a string for a boolean', { encryption: { enabled: 'true' } }, 'extraValues.encryption.enabled: "true" is a string, but the Cilium 1.20.0 chart\'s values.schema.json allows boolean'],
    ['a string for a boolean-or-null', { bpf: { masquerade: 'false' } }, 'extraValues.bpf.masquerade: "false" is a string, but the Cilium 1.20.0 chart\'s values.schema.json allows boolean or null'],
    ['a fraction for an integer', { MTU: 1500.5 }, 'extraValues.MTU: 1500.5 is a number, but the Cilium 1.20.0 chart\'s values.schema.json allows integer'],
    ['a map for a string', { cluster: { name: { value: 'x' } } }, 'extraValues.cluster.name: {"value":"x"} is a map, but the Cilium 1.20.0 chart\'s values.schema.json allows string'],
  ])('%s is refused, naming the path', (_name, extraValues, message) => {
    expect(install({ ...KPR, extraValues })).toThrow(`[platform/cilium] ${message} (Helm would refuse the install)`);
  });

  test('values of an allowed type pass: a string or an integer port, null where the schema allows it', () => {
    expect(install({ k8sServiceHost: '10.0.0.1', k8sServicePort: 6443, extraValues: { MTU: 1450, bpf: { masquerade: null } } })).not.toThrow();
    expect(install({ k8sServiceHost: '10.0.0.1', extraValues: { k8sServicePort: '6443' } })).not.toThrow();
  });
});
