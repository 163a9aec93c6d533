import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES, cli, row } from './support';

// The fixture app: frontend/web (8080) -> backend/api (9000) -> data/db (5432, named 'postgres'),
// default deny for ingress and egress in all three namespaces, and both sides of the two allowed
// flows opened by NetworkPolicies. Under NetworkPolicy semantics a flow needs the source's egress and
// the destination's ingress (https://kubernetes.io/docs/concepts/services-networking/network-policies/).

describe('analyze: table', () => {
  test('allows exactly web->api on 9000 and api->db on 5432 under Kubernetes semantics', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^FROM\s+TO\s+PORT\s+VERDICT$/);
    expect(r.stdout).toMatch(row('frontend/web', 'backend/api', 'TCP/9000', 'allow'));
    expect(r.stdout).toMatch(row('backend/api', 'data/db', 'TCP/5432', 'allow'));
    expect(r.stdout).toMatch(row('frontend/web', 'data/db', 'TCP/5432', 'deny'));
    expect(r.stdout).toMatch(row('backend/api', 'frontend/web', 'TCP/8080', 'deny'));
    expect(r.stdout).toMatch(row('data/db', 'backend/api', 'TCP/9000', 'deny'));
    // 3 endpoints x 3 destinations x 1 declared port each, plus the header.
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(10);
    expect(r.stdout.match(/ allow$/gm)).toHaveLength(2);
  });

  test('Flannel enforces no NetworkPolicy: every flow is allowed', () => {
    const r = cli('analyze', 'app', '--cni', 'flannel');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(row('frontend/web', 'data/db', 'TCP/5432', 'allow'));
    expect(r.stdout).not.toMatch(/ deny$/m);
  });

  test('Calico and Cilium enforce the same Kubernetes NetworkPolicies', () => {
    for (const cni of ['calico', 'cilium']) {
      const r = cli('analyze', 'app', '--cni', cni);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(row('frontend/web', 'backend/api', 'TCP/9000', 'allow'));
      expect(r.stdout).toMatch(row('frontend/web', 'data/db', 'TCP/5432', 'deny'));
    }
  });

  test('--ports adds destination ports; UDP/53 is not opened by the TCP-only allows', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--ports', 'udp/53,tcp/http');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(row('frontend/web', 'backend/api', 'UDP/53', 'deny'));
    // tcp/http resolves on web (8080) and api (9000); db has no port named http.
    expect(r.stdout).toMatch(row('frontend/web', 'backend/api', 'TCP/9000', 'allow'));
    expect(r.stdout).not.toMatch(/data\/db\s+TCP\/http/);
  });

  test('directories are walked recursively (policies/*.yml) and non-YAML files are skipped', () => {
    // Without the policies directory nothing is isolated and everything is allowed.
    const files = cli('analyze', 'app/namespaces.yaml', 'app/workloads.yaml', '--cni', 'kubernetes');
    expect(files.stdout).toMatch(row('frontend/web', 'data/db', 'TCP/5432', 'allow'));
    const dir = cli('analyze', 'app', '--cni', 'kubernetes');
    expect(dir.stdout).toMatch(row('frontend/web', 'data/db', 'TCP/5432', 'deny'));
    expect(dir.stderr).toBe('');
  });
});

describe('analyze: json and mermaid', () => {
  test('json parses and lists the endpoints and flows', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--format', 'json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.cni).toBe('kubernetes');
    expect(doc.endpoints).toEqual(['backend/api', 'data/db', 'frontend/web']);
    expect(doc.flows.filter((f: any) => f.allowed)).toEqual([
      { source: 'backend/api', destination: 'data/db', port: 'TCP/5432', verdict: 'allow', allowed: true },
      { source: 'frontend/web', destination: 'backend/api', port: 'TCP/9000', verdict: 'allow', allowed: true },
    ]);
    expect(doc.flows).toHaveLength(9);
    expect(doc.lint).toBeUndefined();
    // 2: flows carry a verdict (allow, deny, indeterminate), so `allowed: false` no longer means denied.
    expect(doc.schemaVersion).toBe(2);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'cni', 'summary', 'endpoints', 'flows', 'warnings', 'notes', 'invalidDocuments']);
    expect(doc.summary).toEqual({ endpoints: 3, classes: 3, flows: 9, allowed: 2, denied: 7, indeterminate: 0 });
    expect(doc.warnings).toEqual([]);
    expect(doc.notes).toEqual([]);
    expect(doc.invalidDocuments).toEqual([]);
  });

  test('json carries the warnings and analyzer notes that also go to stderr', () => {
    const broken = cli('analyze', 'broken', '--cni', 'calico', '--format', 'json');
    // The invalid document may hold a policy: undecided (invalid-yaml.test.ts).
    expect(broken.code).toBe(4);
    const warnings = JSON.parse(broken.stdout).warnings;
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toBe('broken/invalid.yaml: line 5: invalid YAML, document skipped: Flow sequence in block collection must be '
      + 'sufficiently indented and end with a ] at line 5, column 1; any policy in it is unknown, so every verdict it could change is indeterminate '
      + '(the run is undecided: exit 4 unless something fails)');
    expect(warnings[1]).toBe("broken/unknown-kind.yaml: line 1: unknown kind Widget 'gizmo' (apiVersion example.com/v1), ignored");
    const notes = JSON.parse(broken.stdout).notes;
    expect(notes).toEqual(['broken/invalid.yaml: line 5 is not valid YAML (Flow sequence in block collection must be sufficiently indented and end '
      + 'with a ] at line 5, column 1), so it was skipped: it may hold any policy (a NetworkPolicy, a cluster-wide or mesh policy), so every '
      + 'verdict a policy could change is indeterminate']);
    const hint = 'note: 1 flows are indeterminate; where the reason is an unknown address, --pod-cidrs (and --node-ip) tell the analysis '
      + 'where pods (and nodes) are\n';
    expect(broken.stderr).toBe([...warnings.map((w: string) => `warning: ${w}\n`), ...notes.map((n: string) => `note: ${n}\n`), hint].join(''));
    // Flannel enforces none of the fixture's 7 NetworkPolicies (3 default denies, 4 allows).
    const flannel = cli('analyze', 'app', '--cni', 'flannel', '--format', 'json');
    expect(JSON.parse(flannel.stdout).notes).toEqual(['7 policy object(s) ignored: flannel enforces no NetworkPolicy']);
    expect(flannel.stderr).toBe('note: 7 policy object(s) ignored: flannel enforces no NetworkPolicy\n');
  });

  test('analyze --lint --format json puts the lint result in the shape of lint --format json', () => {
    const analyzed = JSON.parse(cli('analyze', 'seed', '--cni', 'kubernetes', '--lint', '--format', 'json').stdout);
    const linted = JSON.parse(cli('lint', 'seed', '--cni', 'kubernetes', '--format', 'json').stdout);
    expect(analyzed.lint.summary).toEqual({ error: 2, warning: 1, info: 0 });
    expect(analyzed.lint).toEqual({ findings: linted.findings, summary: linted.summary });
  });

  test('json with --lint and --expect stays one JSON document', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--format', 'json', '--lint', '--expect', 'expectations.yaml');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.lint).toEqual({ findings: [], summary: { error: 0, warning: 0, info: 0 } });
    expect(doc.expectations.map((e: any) => e.pass)).toEqual([true, true, true, false, false]);
  });

  test('mermaid is a flowchart with one edge per allowed flow', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--format', 'mermaid', '--lint');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('flowchart LR')).toBe(true);
    const edges = r.stdout.split('\n').filter((l) => l.includes('-->'));
    expect(edges).toHaveLength(2);
    expect(edges.some((l) => l.includes('TCP/9000'))).toBe(true);
    expect(edges.some((l) => l.includes('TCP/5432'))).toBe(true);
    // The lint section is a Mermaid comment so the diagram still renders.
    expect(r.stdout).toMatch(/^%% lint: no findings$/m);
  });

  test('--output writes the report to a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-cli-'));
    const out = path.join(dir, 'matrix.json');
    try {
      const r = cli('analyze', 'app', '--cni', 'kubernetes', '--format', 'json', '--output', out);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(JSON.parse(fs.readFileSync(out, 'utf-8')).endpoints).toEqual(['backend/api', 'data/db', 'frontend/web']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('analyze: bad input is reported, not fatal', () => {
  test('invalid YAML and unknown kinds become warnings; the rest is analyzed (undecided: the invalid document may hold a policy)', () => {
    const r = cli('analyze', 'broken', '--cni', 'calico');
    expect(r.code).toBe(4);
    const warnings = r.stderr.trimEnd().split('\n').filter((line) => line.startsWith('warning: '));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^warning: broken\/invalid\.yaml: line 5: invalid YAML, document skipped: .+; any policy in it is unknown, /);
    expect(warnings[1]).toBe(
      'warning: broken/unknown-kind.yaml: line 1: unknown kind Widget \'gizmo\' (apiVersion example.com/v1), ignored');
    // No policy read selects shop/shop, but the invalid document may hold one.
    expect(r.stdout).toMatch(/^shop\/shop {2}shop\/shop {2}TCP\/8080 {2}indeterminate \[1\]$/m);
    expect(r.stdout).toMatch(/^\[1\] indeterminate: egress: broken\/invalid\.yaml: line 5 is not valid YAML and was skipped: it may hold a policy that selects the source; /m);
  });

  test('a path that does not exist is an error (exit 2) even when other input remains: a typo must not pass a pipeline', () => {
    const some = cli('analyze', 'app', 'missing.yaml', '--cni', 'kubernetes');
    expect(some.code).toBe(2);
    expect(some.stdout).toBe('');
    expect(some.stderr).toMatch(/^error: no such file or directory: missing\.yaml$/m);
    const none = cli('analyze', 'missing.yaml', '--cni', 'kubernetes');
    expect(none.code).toBe(2);
  });

  test('input without any Kubernetes object is an error (exit 2), for analyze and lint', () => {
    for (const command of ['analyze', 'lint']) {
      const r = cli(command, 'broken/invalid.yaml', ...(command === 'analyze' ? ['--cni', 'kubernetes'] : []));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: no Kubernetes object in broken\/invalid\.yaml$/m);
    }
  });

  test('every file is read once: the same path twice, a file inside a given directory, a symlink loop', () => {
    const once = cli('analyze', 'app', '--cni', 'kubernetes', '--format', 'json');
    const twice = cli('analyze', 'app', 'app', 'app/workloads.yaml', '--cni', 'kubernetes', '--format', 'json');
    expect(twice.code).toBe(0);
    expect(twice.stdout).toBe(once.stdout);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-loop-'));
    try {
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.copyFileSync(path.join(FIXTURES, 'app', 'workloads.yaml'), path.join(dir, 'sub', 'workloads.yaml'));
      fs.symlinkSync('..', path.join(dir, 'sub', 'up')); // dir/sub/up -> dir: a loop
      fs.symlinkSync('sub/workloads.yaml', path.join(dir, 'again.yaml'));
      const looped = JSON.parse(cli('analyze', dir, '--cni', 'flannel', '--format', 'json').stdout);
      expect(looped.endpoints).toEqual(['backend/api', 'data/db', 'frontend/web']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
