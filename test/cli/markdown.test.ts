/**
 * `lint` reads the Markdown people copy from (runbooks, READMEs): its yaml blocks, YAML heredocs and
 * `helm install ... cilium` / `cilium install` `--set` lines, with the file and line of each finding.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from './support';

// docs/runbook.md: a yaml block at line 6 with the seed's two mistakes (a namespaceSelector on a `name`
// label Kubernetes never sets, DNS over UDP only) and, at line 22, `--set kubeProxyReplacement=strict`,
// a mode Cilium dropped in 1.14. docs/nested/notes.markdown has nothing to find.

describe('lint on Markdown', () => {
  test('a named *.md file: every finding with file:line, exit 1 on errors', () => {
    const r = cli('lint', 'docs/runbook.md');
    expect(r.code).toBe(1);
    const findings = r.stdout.split('\n').filter((l) => l.startsWith('docs/'));
    const prefixes = [
      'docs/runbook.md:6: error [dns-udp-only] NetworkPolicy payments/allow-dns spec.egress[0].ports[0]: ',
      'docs/runbook.md:6: error [namespace-selector-name-label] NetworkPolicy payments/allow-dns '
        + 'spec.egress[0].to[0].namespaceSelector.matchLabels.name: ',
      "docs/runbook.md:22: error [cilium-kube-proxy-replacement-enum] command 'helm install cilium/cilium' at line 22 kubeProxyReplacement: ",
    ];
    expect(findings.map((l, i) => l.startsWith(prefixes[i]) ? prefixes[i] : l)).toEqual(prefixes);
    expect(r.stdout).toMatch(/^lint: 3 errors, 0 warnings, 0 info findings$/m);
    expect(r.stderr).toBe('');
  });

  test('directories are searched for Markdown with --markdown only; json carries source and line', () => {
    const without = cli('lint', 'docs');
    expect(without.code).toBe(2);
    expect(without.stderr).toBe('error: no readable YAML file in docs (lint searches directories for Markdown with --markdown)\n');
    const r = cli('lint', 'docs', '--markdown', '--format', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.map((f: any) => [f.rule, f.source, f.line])).toEqual([
      ['dns-udp-only', 'docs/runbook.md', 6],
      ['namespace-selector-name-label', 'docs/runbook.md', 6],
      ['cilium-kube-proxy-replacement-enum', 'docs/runbook.md', 22],
    ]);
    expect(cli('lint', 'docs/nested', '--markdown')).toEqual({ code: 0, stdout: 'lint: no findings\n', stderr: '' });
  });

  test('Markdown and YAML together: the YAML is linted as one set, each Markdown file on its own', () => {
    const r = cli('lint', 'seed', 'docs/runbook.md', '--format', 'json');
    expect(r.code).toBe(1);
    const sources = JSON.parse(r.stdout).findings.map((f: any) => `${f.source}:${f.line} ${f.rule}`);
    // PolicyLint sorts a set's findings by object: the Deployment first.
    expect(sources).toEqual([
      'seed/seed.yaml:15 namespace-without-default-deny',
      'seed/seed.yaml:3 dns-udp-only',
      'seed/seed.yaml:3 namespace-selector-name-label',
      'docs/runbook.md:6 dns-udp-only',
      'docs/runbook.md:6 namespace-selector-name-label',
      'docs/runbook.md:22 cilium-kube-proxy-replacement-enum',
    ]);
  });

  test('analyze reads YAML only: a Markdown file is refused (exit 2), and --markdown is a lint option', () => {
    const r = cli('analyze', 'app', 'docs/runbook.md', '--cni', 'kubernetes');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: cannot read an input file, so nothing is checked:\n'
      + '  docs/runbook.md: a Markdown file: analyze reads YAML only (cdk8s-networking lint reads Markdown)\n');
    expect(cli('analyze', 'app', '--cni', 'kubernetes', '--markdown').stderr.split('\n')[0])
      .toBe('error: analyze: --markdown is a lint option (analyze reads YAML only)');
  });

  test('a yaml block that is not valid YAML is skipped input as in a YAML file: warning, invalidDocuments, exit 4 (1 when an error is found)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-md-'));
    try {
      // Line 6 (line 3 of the block) leaves the flow map open: the document may be the namespace's default deny.
      const broken = '# Runbook\n\n```yaml\napiVersion: v1\nkind: Namespace\nmetadata: {name: a\n```\n';
      const file = path.join(dir, 'runbook.md');
      fs.writeFileSync(file, broken);
      const error = 'Flow map in block collection must be sufficiently indented and end with a } at line 6, column 19';
      const warning = `${file}: line 6: invalid YAML, document skipped: ${error}; any policy in it is not linted, so the lint cannot vouch `
        + 'for it (the run is undecided: exit 4 unless something fails)';
      const r = cli('lint', file);
      // "lint: no findings" alone would read as a clean lint to a reader of stdout: the text ends with what exit 4 says.
      expect(r).toEqual({
        code: 4,
        stdout: 'lint: no findings\n\nUNDECIDED (exit 4): the lint does not cover all of the input:\n'
          + `  ${file}: line 6 is not valid YAML (${error}) and was skipped: any policy in it is not linted\n`,
        stderr: `warning: ${warning}\n`,
      });
      const json = cli('lint', file, '--format', 'json');
      expect(json.code).toBe(4);
      expect(JSON.parse(json.stdout)).toEqual({
        schemaVersion: 2,
        findings: [],
        summary: { error: 0, warning: 0, info: 0 },
        warnings: [warning],
        invalidDocuments: [{ file, line: 6, error }],
      });
      // A lint error elsewhere still decides exit 1; the skipped block is still a warning, not a yaml-parse error.
      fs.writeFileSync(file, `${broken}\n\`\`\`yaml\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: a}\n`
        + 'spec: {podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}\n```\n');
      const failing = cli('lint', file, '--format', 'json');
      expect(failing.code).toBe(1);
      const doc = JSON.parse(failing.stdout);
      expect(doc.findings.map((f: any) => [f.rule, f.severity, f.line])).toEqual([['dns-udp-only', 'error', 10]]);
      expect(doc.invalidDocuments).toEqual([{ file, line: 6, error }]);
      expect(failing.stderr).toBe(`warning: ${warning}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
