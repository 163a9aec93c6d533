/**
 * `lint --mesh` with the `--linkerd-*` (and `--istio-host-probe-snat-*`) flags analyze takes: the lint's
 * mesh rules are told the mesh (PolicyLintOptions.mesh; test/lint/lint-mesh-option for the semantics).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { cli, FIXTURES } from './support';
import { parseCommandLine } from '../../src/cli/args';
import { expectValidManifests } from '../support/schema';

const rulesOf = (stdout: string) => stdout.split('\n').filter((l) => /^lint-linkerd\//.test(l)).map((l) => l.replace(/\] .*$/, ']'));

describe('lint --mesh', () => {
  test('the fixture is valid', () => {
    expectValidManifests(parseAllDocuments(fs.readFileSync(path.join(FIXTURES, 'lint-linkerd', 'shop.yaml'), 'utf-8')).map((d) => d.toJS()));
  });

  test('--mesh linkerd --linkerd-default-inbound-policy deny: the refusals by the cluster default are reported; without, not', () => {
    const before = cli('lint', 'lint-linkerd');
    expect(before.code).toBe(0);
    expect(rulesOf(before.stdout)).toEqual([
      'lint-linkerd/shop.yaml:8: warning [namespace-without-default-deny]',
      'lint-linkerd/shop.yaml:1: warning [namespace-without-default-deny]',
    ]);
    // --mesh linkerd alone: the cluster default is still unknown, nothing more is claimed.
    expect(cli('lint', 'lint-linkerd', '--mesh', 'linkerd').stdout).toBe(before.stdout);
    const r = cli('lint', 'lint-linkerd', '--mesh', 'linkerd', '--linkerd-default-inbound-policy', 'deny');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(rulesOf(r.stdout)).toEqual([
      'lint-linkerd/shop.yaml:8: warning [linkerd-admin-port-unauthorized]',
      'lint-linkerd/shop.yaml:8: warning [namespace-without-default-deny]',
      'lint-linkerd/shop.yaml:1: warning [linkerd-admin-port-unauthorized]',
      'lint-linkerd/shop.yaml:1: warning [namespace-without-default-deny]',
      'lint-linkerd/shop.yaml:55: warning [linkerd-authz-refuses-admitted-source]',
    ]);
    expect(r.stdout).toContain('lint-linkerd/shop.yaml:55: warning [linkerd-authz-refuses-admitted-source] NetworkPolicy shop/api-from-reporter '
      + 'spec.ingress[0].from[0]: admits Deployment reports/reporter (identity reporter.reports.serviceaccount.identity.linkerd.cluster.local) to '
      + 'Deployment shop/api port 8080, but Linkerd authorizes none of them there (the default inbound policy deny (the cluster default)), so the '
      + 'destination\'s proxy refuses every connection from them (no Server describes port 8080 of shop/api: the default inbound policy deny (the '
      + 'cluster default) applies to reports/reporter -> shop/api TCP/8080 (as reporter.reports.serviceaccount.identity.linkerd.cluster.local): it '
      + 'admits no client)\n');
    expect(r.stdout).toMatch(/^lint: 0 errors, 5 warnings, 0 info findings$/m);
    // analyze --lint passes the same mesh to the lint.
    const analyzed = cli('analyze', 'lint-linkerd', '--cni', 'kubernetes', '--lint', '--mesh', 'linkerd', '--linkerd-default-inbound-policy', 'deny');
    expect(rulesOf(analyzed.stdout)).toEqual(rulesOf(r.stdout));
  });

  test('--mesh istio-ambient: a rule opening HBONE 15008 to a client the ALLOW policy admits on every port is reported; sidecar mode, not', () => {
    const transport = (stdout: string) => stdout.split('\n').filter((l) => l.includes('[mesh-transport-port-opens-ports]'));
    expect(transport(cli('lint', 'trust-domain-istio', '--mesh', 'istio-ambient').stdout)).toEqual([
      'trust-domain-istio/shop.yaml:74: warning [mesh-transport-port-opens-ports] NetworkPolicy shop/api-from-reporter spec.ingress[0]: admits meshed '
        + 'clients on TCP/15008, Istio ambient\'s HBONE tunnel port, the only port the CNI sees of meshed traffic, so the mesh carries them to ports no '
        + 'policy admits them to: Deployment reports/reporter reaches Deployment shop/api on every port no manifest names (judged on port 1) (allowed '
        + 'by Istio (ambient) on the transport port; the CNI alone would deny these ports)',
    ]);
    expect(transport(cli('lint', 'trust-domain-istio', '--mesh', 'istio').stdout)).toEqual([]);
    expect(transport(cli('lint', 'trust-domain-istio').stdout)).toEqual([]);
    // In trust domain example.org the ALLOW policy (cluster.local/...) matches nobody: ztunnel refuses every port, nothing opens.
    expect(transport(cli('lint', 'trust-domain-istio', '--mesh', 'istio-ambient', '--istio-trust-domain', 'example.org').stdout)).toEqual([]);
  });

  test('--mesh istio (or none): the Linkerd rules do not apply', () => {
    const r = cli('lint', 'lint-linkerd', '--mesh', 'istio', '--format', 'json');
    expect(JSON.parse(r.stdout).findings.map((f: any) => f.rule)).toEqual(['namespace-without-default-deny', 'namespace-without-default-deny']);
  });

  test('are parsed as for analyze', () => {
    expect(parseCommandLine(['lint', 'a', '--mesh', 'linkerd', '--linkerd-default-inbound-policy', 'deny', '--linkerd-probe-networks', '']))
      .toMatchObject({ command: 'lint', mesh: 'linkerd', linkerd: { defaultInboundPolicy: 'deny', probeNetworks: [] } });
    expect(parseCommandLine(['lint', 'a', '--mesh', 'istio-ambient', '--istio-host-probe-snat-ip', '169.254.9.9']))
      .toMatchObject({ command: 'lint', mesh: 'istio-ambient', istio: { hostProbeSnatIp: '169.254.9.9' } });
    expect(parseCommandLine(['lint', 'a', '--mesh', 'none'])).toMatchObject({ command: 'lint', mesh: 'none' });
    expect(parseCommandLine(['lint', 'a'])).not.toHaveProperty('mesh');
  });

  test.each([
    [['--mesh', 'consul'], "error: lint: unknown --mesh 'consul': expected istio, istio-ambient, linkerd or none"],
    [['--linkerd-default-inbound-policy', 'deny'], 'error: --linkerd-default-inbound-policy describes a Linkerd installation: give --mesh linkerd'],
    [['--mesh', 'none', '--linkerd-opaque-ports', '25'], 'error: --linkerd-opaque-ports describes a Linkerd installation: give --mesh linkerd'],
    [['--mesh', 'linkerd', '--linkerd-default-inbound-policy', 'allow'], 'error: --linkerd-default-inbound-policy: unknown policy \'allow\': expected '
      + 'all-unauthenticated, all-authenticated, cluster-authenticated, cluster-unauthenticated, deny, audit'],
  ])('%j is a usage error', (flags, message) => {
    const r = cli('lint', 'lint-linkerd', ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });
});
