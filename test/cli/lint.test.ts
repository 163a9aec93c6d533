import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, cli } from './support';
import { validYaml } from '../support/synth';

// The seed fixture selects kube-system by a `name` label that Kubernetes never sets (only
// kubernetes.io/metadata.name is automatic) and allows DNS over UDP 53 only, although DNS falls back
// to TCP 53 for large answers (RFC 7766). Both are errors; its namespace also lacks a default deny.

describe('lint', () => {
  test('reports the seed mistakes with file and line, and exits 1 on errors', () => {
    const r = cli('lint', 'seed', '--cni', 'kubernetes');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(
      /^seed\/seed\.yaml:3: error \[dns-udp-only\] NetworkPolicy payments\/allow-dns spec\.egress\[0\]\.ports\[0\]: /));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(
      '^seed/seed\\.yaml:3: error \\[namespace-selector-name-label\\] NetworkPolicy payments/allow-dns '
      + 'spec\\.egress\\[0\\]\\.to\\[0\\]\\.namespaceSelector')));
    expect(r.stdout).toMatch(/^seed\/seed\.yaml:15: warning \[namespace-without-default-deny\] Deployment payments\/ledger: /m);
    expect(r.stdout).toMatch(/^ {2}fix: /m);
    expect(r.stdout).toMatch(/^lint: 2 errors, 1 warning, 0 info findings$/m);
  });

  test('json output parses and carries severity, rule and source', () => {
    const r = cli('lint', 'seed', '--format', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    const errors = doc.findings.filter((f: any) => f.severity === 'error').map((f: any) => [f.rule, f.object, f.source, f.line]);
    expect(errors).toEqual([
      ['dns-udp-only', 'NetworkPolicy payments/allow-dns', 'seed/seed.yaml', 3],
      ['namespace-selector-name-label', 'NetworkPolicy payments/allow-dns', 'seed/seed.yaml', 3],
    ]);
    expect(doc.summary).toEqual({ error: 2, warning: 1, info: 0 });
    expect(doc.schemaVersion).toBe(2);
    expect(doc.warnings).toEqual([]);
    expect(doc.invalidDocuments).toEqual([]);
  });

  test('json output carries the warnings that also go to stderr', () => {
    const r = cli('lint', 'broken', '--format', 'json');
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'findings', 'summary', 'warnings', 'invalidDocuments']);
    expect(doc.warnings).toHaveLength(2);
    expect(doc.warnings[0]).toMatch(/^broken\/invalid\.yaml: line 5: invalid YAML, document skipped: .+; any policy in it is not linted, /);
    expect(doc.invalidDocuments).toEqual([{ file: 'broken/invalid.yaml', line: 5, error: expect.stringMatching(/^Flow sequence /) }]);
    expect(doc.warnings[1]).toBe("broken/unknown-kind.yaml: line 1: unknown kind Widget 'gizmo' (apiVersion example.com/v1), ignored");
    expect(r.stderr).toBe(doc.warnings.map((w: string) => `warning: ${w}\n`).join(''));
  });

  test('--ip-families: world egress with only the IPv4 metadata address denied fails on dual stack', () => {
    const unknown = cli('lint', 'dual-stack', '--cni', 'cilium');
    expect(unknown.stdout).not.toMatch(/egress-world-includes-metadata/);
    const dual = cli('lint', 'dual-stack', '--cni', 'cilium', '--ip-families', 'ipv4,ipv6');
    expect(dual.code).toBe(1);
    expect(dual.stdout).toMatch(new RegExp('^dual-stack/world-egress\\.yaml:3: error \\[egress-world-includes-metadata\\] '
      + 'CiliumNetworkPolicy shop/web-egress spec\\.egress\\[0\\]\\.toEntities\\[0\\]: .*fd00:ec2::254', 'm'));
  });

  test('the fixture app (default deny, explicit allows; schema-valid) has no findings: exit 0', () => {
    for (const file of ['namespaces.yaml', 'workloads.yaml', 'policies/allows.yml', 'policies/default-deny.yaml']) {
      validYaml(fs.readFileSync(path.join(FIXTURES, 'app', file), 'utf8'));
    }
    const r = cli('lint', 'app', '--cni', 'calico');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('lint: no findings\n');
  });

  test('--cni flannel makes every NetworkPolicy an error: Flannel enforces none of them', () => {
    const r = cli('lint', 'app', '--cni', 'flannel', '--format', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    const flagged = doc.findings.filter((f: any) => f.rule === 'policy-on-unenforcing-cni' && f.severity === 'error');
    // 3 default-deny policies and 4 allows.
    expect(flagged).toHaveLength(7);
  });

  test('analyze --lint exits 1 on lint errors and prints the findings after the matrix', () => {
    const r = cli('analyze', 'seed', '--cni', 'kubernetes', '--lint');
    expect(r.code).toBe(1);
    const table = r.stdout.indexOf('FROM');
    const findings = r.stdout.indexOf('error [dns-udp-only]');
    expect(table).toBe(0);
    expect(findings).toBeGreaterThan(table);
    // Without --lint the same input is fine: the matrix alone never fails.
    expect(cli('analyze', 'seed', '--cni', 'kubernetes').code).toBe(0);
  });

  test('invalid YAML and unknown kinds are warnings for lint too (invalid YAML leaves it undecided, exit 4)', () => {
    const r = cli('lint', 'broken');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^warning: broken\/invalid\.yaml: line \d+: invalid YAML/m);
    expect(r.stderr).toMatch(/^warning: broken\/unknown-kind\.yaml: line 1: unknown kind Widget/m);
    expect(r.stdout).not.toMatch(/ error \[/);
  });
});
