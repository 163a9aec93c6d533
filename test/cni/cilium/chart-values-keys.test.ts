/**
 * The committed key list (src/cni/cilium/chart-values-keys.ts) is exactly what the generator derives
 * from the pinned chart's values.yaml: regenerate with `node projenrc/cilium-values-keys.js`.
 */
import * as fs from 'fs';
import { parse } from 'yaml';

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

describe('options the chart documents commented out', () => {
  const text = fs.readFileSync(generator.valuesFile, 'utf8');
  const values = parse(text);
  const known = new Set<string>();
  const { accepted, freeForm, rejected } = generator.commentedKeys(text, values, known);

  test('real options of the pinned chart are taken, with their dotted path (read by the chart templates)', () => {
    for (const key of [
      'egressMasqueradeInterfaces', 'disableIptablesFeederRules', 'enableIdentityMark', 'fragmentTracking', 'policyAuditMode',
      'dnsPolicyUnloadOnShutdown', 'socketLB.hostNamespaceOnly', 'l2announcements.leaseDuration', 'hubble.eventQueueSize',
      'loadBalancer.dsrDispatch', 'nodePort.range', 'egressGateway.maxPolicyEntries', 'dnsProxy.enableTransparentMode',
      'cni.readCniConf', 'azure.usePrimaryAddress', 'prometheus.serviceMonitor.namespace', 'logOptions',
    ]) expect(accepted).toContain(key);
    expect(freeForm).toEqual(['logOptions']);
  });

  test('descriptions, annotations, links and examples of a neighbour are not keys', () => {
    for (const key of [
      'type', 'enum', 'ref', 'nodes', 'ciliumEndpointSlice.nodes', 'limit', 'emptyDir', 'hubble.ui.emptyDir', 'config',
      'envoy.log.level', 'tableSize', 'hashSeed', 'operator.runAsUser', 'securityContext.runAsUser',
    ]) expect(accepted).not.toContain(key);
    const reasons = Object.fromEntries(rejected.map((r: any) => [`${r.line}:${r.key}`, r.reason]));
    expect(reasons['955:nodes']).toBe('prose, not a value');
    expect(reasons['922:emptyDir']).toBe('shows the content of `tmpVolume: {}` above it');
    expect(reasons['2384:config']).toBe('an example map illustrating a neighbouring key');
    expect(reasons['2474:tableSize']).toMatch(/^excluded: .*maglev\.tableSize/);
  });

  test('the rules on a small values file', () => {
    const yaml = [
      '# @schema',
      '# type: [null, string]',
      '# @schema',
      '# -- Enable foo: turns on the foo feature.',
      'foo:',
      '  enabled: false',
      '  # -- Limit foo to these interfaces.',
      '  # interfaces: ""',
      '  # Note: see below',
      '  # ref: https://example.org/foo',
      '  # nodes: Count of nodes at which to apply it.',
      '  inner:',
      '    # -- Deep option.',
      '    # deep: 3',
      '    mode: a',
      '  extra: {}',
      '  # sizeLimit: "1Gi"',
      '# logOptions allows log options. eg:',
      '# logOptions:',
      '#   format: json',
      '# example of foo',
      '# sample:',
      '#   a: 1',
      'bar: 1',
      '# topLevel: true',
    ].join('\n');
    const parsed = parse(yaml);
    const out = generator.commentedKeys(yaml, parsed, new Set(['foo', 'foo.enabled', 'foo.inner', 'foo.inner.mode', 'foo.extra', 'bar']));
    expect(out.accepted).toEqual(['foo.inner.deep', 'foo.interfaces', 'logOptions', 'topLevel']);
    expect(out.freeForm).toEqual(['logOptions']);
    expect(out.rejected.map((r: any) => [r.key, r.reason])).toEqual([
      ['ref', 'a link, not a value'],
      ['nodes', 'prose, not a value'],
      ['foo.sizeLimit', 'shows the content of `extra: {}` above it'],
      ['sample', 'an example map illustrating a neighbouring key'],
    ]);
  });
});
