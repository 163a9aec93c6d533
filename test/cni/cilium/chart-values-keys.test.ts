/**
 * The committed key list (src/cni/cilium/chart-values-keys.ts) is exactly what the generator derives
 * from the pinned chart's values.yaml: regenerate with `node projenrc/cilium-values-keys.js`.
 */
import * as fs from 'fs';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../../../projenrc/cilium-values-keys.js');

test('the committed Cilium values key list matches the pinned values.yaml', () => {
  const expected = generator.generate(fs.readFileSync(generator.valuesFile, 'utf8'));
  expect(fs.readFileSync(generator.target, 'utf8')).toBe(expected);
});

test('the list knows the keys the install emits and not the removed ones', () => {
  const text = fs.readFileSync(generator.target, 'utf8');
  for (const key of ['kubeProxyReplacement', 'encryption.strictMode.egress.cidr', 'hubble.tls.auto.method', 'localRedirectPolicies.enabled']) {
    expect(text).toContain(`'${key}',`);
  }
  for (const key of ['tunnel', 'encryption.strictMode.enabled', 'nodePort.enabled']) expect(text).not.toContain(`'${key}',`);
});
