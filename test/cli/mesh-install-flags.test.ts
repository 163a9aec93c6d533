/**
 * `--istio-trust-domain`, `--istio-root-namespace` (with --mesh istio or istio-ambient), `--linkerd-trust-domain` and
 * `--linkerd-namespace` (with --mesh linkerd), for analyze and lint: the Mesh the CLI builds declares them. Without them
 * analyze assumes the install defaults, and lint does not trust an undeclared trust domain: its *-refuses-admitted-source
 * rules hedge over it as without --mesh (test/lint/lint-mesh-option for the semantics).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { cli, FIXTURES } from './support';
import { parseCommandLine } from '../../src/cli/args';
import { expectValidManifests } from '../support/schema';

const refusals = (stdout: string) => stdout.split('\n').filter((l) => /\[(istio|linkerd)-authz-refuses-admitted-source\]/.test(l));
const SUBDOMAIN = "is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', at most 253 characters)";
const LABEL = "is not a valid DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters)";
const lines = (stdout: string) => stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));

describe('mesh installation flags', () => {
  test('the fixtures are valid', () => {
    for (const dir of ['trust-domain-istio', 'trust-domain-linkerd']) {
      expectValidManifests(parseAllDocuments(fs.readFileSync(path.join(FIXTURES, dir, 'shop.yaml'), 'utf-8')).map((d) => d.toJS()));
    }
  });

  test('are parsed (trimmed) for analyze, analyze --diff and lint', () => {
    expect(parseCommandLine(['analyze', 'a', '--cni', 'kubernetes', '--mesh', 'istio', '--istio-trust-domain', ' example.org ',
      '--istio-root-namespace', 'mesh-root'])).toMatchObject({ command: 'analyze', mesh: 'istio', istio: { trustDomain: 'example.org', rootNamespace: 'mesh-root' } });
    expect(parseCommandLine(['analyze', '--diff', 'a', 'b', '--cni', 'kubernetes', '--mesh', 'istio-ambient', '--istio-trust-domain', 'example.org',
      '--istio-host-probe-snat-ip', '169.254.9.9'])).toMatchObject({ command: 'diff', istio: { trustDomain: 'example.org', hostProbeSnatIp: '169.254.9.9' } });
    expect(parseCommandLine(['lint', 'a', '--mesh', 'linkerd', '--linkerd-trust-domain', 'example.org', '--linkerd-namespace', 'linkerd-prod']))
      .toMatchObject({ command: 'lint', mesh: 'linkerd', linkerd: { trustDomain: 'example.org', controlPlaneNamespace: 'linkerd-prod' } });
    expect(parseCommandLine(['lint', 'a', '--mesh', 'istio'])).not.toHaveProperty('istio');
  });

  test('analyze --mesh istio-ambient --istio-trust-domain example.org: ztunnel takes the cluster.local principal literally and refuses', () => {
    const EXPECT = ['--expect', 'trust-domain-expectations.yaml'];
    const declared = cli('analyze', 'trust-domain-istio', '--cni', 'kubernetes', '--mesh', 'istio-ambient', '--istio-trust-domain', 'example.org', ...EXPECT);
    expect(declared.stderr).toBe('');
    expect(declared.code).toBe(0);
    expect(lines(declared.stdout)).toEqual(['PASS workload reports/reporter -> workload shop/api on TCP/8080: denied']);
    // Without the flag the trust domain is cluster.local, whose principal the ALLOW rule names.
    const assumed = cli('analyze', 'trust-domain-istio', '--cni', 'kubernetes', '--mesh', 'istio-ambient', ...EXPECT);
    expect(assumed.code).toBe(1);
    expect(lines(assumed.stdout)[0]).toMatch(/^FAIL workload reports\/reporter -> workload shop\/api on TCP\/8080: expected denied, got allowed/);
  });

  test('lint --mesh istio-ambient: the refusal is reported under the declared trust domain only', () => {
    // Not declared: the trust domain may be cluster.local, where the ALLOW rule matches; nothing is claimed (as without --mesh).
    expect(refusals(cli('lint', 'trust-domain-istio').stdout)).toEqual([]);
    expect(refusals(cli('lint', 'trust-domain-istio', '--mesh', 'istio-ambient').stdout)).toEqual([]);
    const r = cli('lint', 'trust-domain-istio', '--mesh', 'istio-ambient', '--istio-trust-domain', 'example.org');
    expect(r.code).toBe(0);
    expect(refusals(r.stdout)).toEqual(['trust-domain-istio/shop.yaml:74: warning [istio-authz-refuses-admitted-source] NetworkPolicy '
      + 'shop/api-from-reporter spec.ingress[0].from[0]: admits Deployment reports/reporter (ServiceAccount reporter) to Deployment shop/api port '
      + '8080, but the destination\'s Istio ALLOW policies (AuthorizationPolicy shop/api-allow) match none of them, so its proxy refuses every '
      + 'connection this rule opens (AuthorizationPolicy shop/api-allow selects shop/api, so only what an ALLOW rule matches is allowed, and no '
      + 'rule matches reports/reporter -> shop/api TCP/8080 (over mutual TLS as example.org/ns/reports/sa/reporter))']);
    // A sidecar reads cluster.local/... as the local trust domain: allowed, nothing to report.
    expect(refusals(cli('lint', 'trust-domain-istio', '--mesh', 'istio', '--istio-trust-domain', 'example.org').stdout)).toEqual([]);
    // analyze --lint passes the same mesh to the lint.
    const analyzed = cli('analyze', 'trust-domain-istio', '--cni', 'kubernetes', '--lint', '--mesh', 'istio-ambient', '--istio-trust-domain', 'example.org');
    expect(refusals(analyzed.stdout)).toEqual(refusals(r.stdout));
  });

  test('lint --mesh linkerd: an identity in example.org refuses the client only where the trust domain is declared otherwise', () => {
    // The MeshTLSAuthentication names reporter.reports.serviceaccount.identity.linkerd.example.org.
    expect(refusals(cli('lint', 'trust-domain-linkerd').stdout)).toEqual([]);
    expect(refusals(cli('lint', 'trust-domain-linkerd', '--mesh', 'linkerd').stdout)).toEqual([]);
    expect(refusals(cli('lint', 'trust-domain-linkerd', '--mesh', 'linkerd', '--linkerd-trust-domain', 'example.org').stdout)).toEqual([]);
    // Only the namespace declared: the trust domain may still be example.org.
    expect(refusals(cli('lint', 'trust-domain-linkerd', '--mesh', 'linkerd', '--linkerd-namespace', 'linkerd').stdout)).toEqual([]);
    const declared = cli('lint', 'trust-domain-linkerd', '--mesh', 'linkerd', '--linkerd-trust-domain', 'cluster.local');
    expect(refusals(declared.stdout).map((l) => l.replace(/: admits .*$/, ''))).toEqual([
      'trust-domain-linkerd/shop.yaml:92: warning [linkerd-authz-refuses-admitted-source] NetworkPolicy shop/api-from-reporter spec.ingress[0].from[0]',
    ]);
    expect(refusals(declared.stdout)[0]).toContain('admits Deployment reports/reporter (identity reporter.reports.serviceaccount.identity.linkerd.cluster.local)');
    // The trust domain example.org declared, in another control plane namespace: the identity named is not the reporter's.
    const prod = cli('lint', 'trust-domain-linkerd', '--mesh', 'linkerd', '--linkerd-trust-domain', 'example.org', '--linkerd-namespace', 'linkerd-prod');
    expect(refusals(prod.stdout)).toHaveLength(1);
    expect(refusals(prod.stdout)[0]).toContain('(identity reporter.reports.serviceaccount.identity.linkerd-prod.example.org)');
  });

  test.each([
    [['--istio-trust-domain', 'example.org'], 'error: --istio-trust-domain describes an Istio installation: give --mesh istio (or istio-ambient)'],
    [['--mesh', 'none', '--istio-trust-domain', 'example.org'],
      'error: --istio-trust-domain describes an Istio installation: give --mesh istio (or istio-ambient)'],
    [['--mesh', 'linkerd', '--istio-root-namespace', 'mesh-root'],
      'error: --istio-root-namespace describes an Istio installation: give --mesh istio (or istio-ambient)'],
    [['--mesh', 'istio', '--linkerd-trust-domain', 'example.org'], 'error: --linkerd-trust-domain describes a Linkerd installation: give --mesh linkerd'],
    [['--mesh', 'istio-ambient', '--linkerd-namespace', 'linkerd'], 'error: --linkerd-namespace describes a Linkerd installation: give --mesh linkerd'],
    [['--mesh', 'istio', '--istio-trust-domain', 'Example_org'], `error: --istio-trust-domain: 'Example_org' ${SUBDOMAIN}`],
    [['--mesh', 'istio', '--istio-trust-domain', ' '], `error: --istio-trust-domain: '' ${SUBDOMAIN}`],
    [['--mesh', 'istio-ambient', '--istio-root-namespace', 'istio.system'], `error: --istio-root-namespace: 'istio.system' ${LABEL}`],
    [['--mesh', 'linkerd', '--linkerd-namespace', 'Linkerd'], `error: --linkerd-namespace: 'Linkerd' ${LABEL}`],
    [['--mesh', 'linkerd', '--linkerd-trust-domain', 'example..org'], `error: --linkerd-trust-domain: 'example..org' ${SUBDOMAIN}`],
  ])('%j is a usage error, for lint and analyze', (flags, message) => {
    for (const args of [['lint', 'trust-domain-istio'], ['analyze', 'trust-domain-istio', '--cni', 'kubernetes']]) {
      const r = cli(...args, ...flags);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(message);
    }
  });
});
