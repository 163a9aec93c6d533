import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES, cli } from './support';
import { parseYamlText } from '../../src/util/yaml-documents';
import { expectValidManifests } from '../support/schema';

// half-read/policies.yaml holds a NetworkPolicy that parses (api admits web on TCP/8080) and a
// default deny of namespace shop that does not (line 15: an unclosed flow sequence). Without the
// deny, every flow the allow does not isolate looks allowed; with it, all of them would be denied.
// So nothing the CLI concludes about this input stands for certain: every flow is indeterminate,
// naming the document, the run is undecided (exit 4) unless something fails, and the JSON says
// which document was skipped.

const FILE = 'half-read/policies.yaml';
const ERROR = 'Flow sequence in block collection must be sufficiently indented and end with a ] at line 15, column 50';
const SKIPPED = `${FILE}: line 15: invalid YAML, document skipped: ${ERROR}`;
const UNDECIDED = '(the run is undecided: exit 4 unless something fails)';
const ANALYZE_WARNING = `${SKIPPED}; any policy in it is unknown, so every verdict it could change is indeterminate ${UNDECIDED}`;
const LINT_WARNING = `${SKIPPED}; any policy in it is not linted, so the lint cannot vouch for it ${UNDECIDED}`;
const INVALID = { file: FILE, line: 15, error: ERROR };
const NOTE = `${FILE}: line 15 is not valid YAML (${ERROR}), so it was skipped: it may hold any policy (a NetworkPolicy, a cluster-wide `
  + 'or mesh policy), so every verdict a policy could change is indeterminate';
const WHY_SOURCE = `${FILE}: line 15 is not valid YAML and was skipped: it may hold a policy that selects the source`;
const WHY_DESTINATION = `${FILE}: line 15 is not valid YAML and was skipped: it may hold a policy that selects the destination`;
const REASON = `egress: ${WHY_SOURCE}; ingress: ${WHY_DESTINATION}`;
const PODS_HINT = 'note: 4 flows are indeterminate; where the reason is an unknown address, --pod-cidrs (and --node-ip) tell the analysis '
  + 'where pods (and nodes) are\n';
/** stderr of `analyze half-read`: the warning, the analyzer's note, and the count of indeterminate flows. */
const ANALYZE_STDERR = `warning: ${ANALYZE_WARNING}\nnote: ${NOTE}\n${PODS_HINT}`;
/** The last lines of the text reports (what `invalidDocuments` and exit 4 say), for a reader of stdout alone. */
const SKIPPED_LINE = `${FILE}: line 15 is not valid YAML (${ERROR}) and was skipped`;
const ANALYZE_UNDECIDED = 'the manifests do not decide this analysis:\n'
  + `  ${SKIPPED_LINE}: it may hold a policy, so every verdict it could change is indeterminate\n`;
const LINT_UNDECIDED = `the lint does not cover all of the input:\n  ${SKIPPED_LINE}: any policy in it is not linted\n`;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function withDir(body: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-invalid-'));
  try {
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('an invalid YAML document leaves the run undecided (exit 4), never a quiet verdict', () => {
  test('the fixture: everything but the broken document is schema-valid', () => {
    const entries = ['workloads.yaml', 'policies.yaml']
      .flatMap((f) => parseYamlText(fs.readFileSync(path.join(FIXTURES, 'half-read', f), 'utf-8')).entries);
    expect(entries.filter((e) => e.error !== undefined)).toEqual([{ document: 1, line: 15, error: ERROR }]);
    expectValidManifests(entries.filter((e) => e.error === undefined).map((e) => e.value));
  });

  test('analyze: exit 4, the warning says why, and every flow of the rest is indeterminate, naming the document', () => {
    const r = cli('analyze', 'half-read', '--cni', 'kubernetes');
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(ANALYZE_STDERR);
    expect(r.stdout).toBe([
      'FROM      TO        PORT      VERDICT',
      'shop/api  shop/api  TCP/8080  indeterminate [1]',
      'shop/api  shop/web  TCP/80    indeterminate [1]',
      'shop/web  shop/api  TCP/8080  indeterminate [1]',
      'shop/web  shop/web  TCP/80    indeterminate [1]',
      '',
      `[1] indeterminate: ${REASON}`,
      '',
      `UNDECIDED (exit 4): ${ANALYZE_UNDECIDED}`,
    ].join('\n'));
  });

  test('analyze table and mermaid end by saying the run is undecided, with no flow left to say it, and "Also" when a lint error fails it', () => {
    // Only the policies file: no workload, no flow. The table alone would read as a complete, empty answer.
    const empty = cli('analyze', 'half-read/policies.yaml', '--cni', 'kubernetes');
    expect([empty.code, empty.stdout]).toEqual([4, `FROM  TO  PORT  VERDICT\n\nUNDECIDED (exit 4): ${ANALYZE_UNDECIDED}`]);
    // Mermaid: Mermaid comments, so the flowchart still renders.
    const mermaid = cli('analyze', 'half-read', '--cni', 'kubernetes', '--format', 'mermaid');
    expect(mermaid.code).toBe(4);
    expect(mermaid.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid.stdout.endsWith('  n1 -.->|"? TCP/80"| n1\n\n%% UNDECIDED (exit 4): the manifests do not decide this analysis:\n'
      + `%%   ${SKIPPED_LINE}: it may hold a policy, so every verdict it could change is indeterminate\n`)).toBe(true);
    // Flannel enforces no NetworkPolicy: --lint finds an error, the run fails (exit 1), and the text still says what is undecided.
    const failed = cli('analyze', 'half-read', '--cni', 'flannel', '--lint');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^lint: 1 error, 1 warning, 0 info findings$/m);
    expect(failed.stdout.endsWith(`\n\nAlso undecided: ${ANALYZE_UNDECIDED}`)).toBe(true);
    // The JSON already says it in invalidDocuments: unchanged.
    expect(cli('analyze', 'half-read/policies.yaml', '--cni', 'kubernetes', '--format', 'json').stdout).not.toContain('UNDECIDED');
  });

  test('analyze --strict: exit 4, and every flow counts as indeterminate', () => {
    const r = cli('analyze', 'half-read', '--cni', 'kubernetes', '--strict');
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`${ANALYZE_STDERR}error: --strict: 4 of 4 flows are indeterminate (the manifests do not decide them)\n`);
  });

  test('analyze --expect: an expectation either way is undecided (exit 4): the skipped document may decide the flow', () => {
    withDir((dir) => {
      const expectations = (allowed: boolean) => {
        const file = path.join(dir, `${allowed}.yaml`);
        fs.writeFileSync(file, 'expect:\n  - from: { namespace: shop, workload: api }\n    to: { namespace: shop, workload: web }\n'
          + `    port: tcp/80\n    allowed: ${allowed}\n`);
        return file;
      };
      for (const allowed of [true, false]) {
        const r = cli('analyze', 'half-read', '--cni', 'kubernetes', '--expect', expectations(allowed));
        expect(r.code).toBe(4);
        expect(r.stdout).toMatch(new RegExp(`^UNDECIDED workload shop/api -> workload shop/web on TCP/80: expected ${allowed ? 'allowed' : 'denied'}, `
          + 'got indeterminate$', 'm'));
        expect(r.stdout).toContain(`\n  indeterminate because: ${WHY_SOURCE}\n  indeterminate because: ${WHY_DESTINATION}\n`);
        expect(r.stderr).toBe(ANALYZE_STDERR);
      }
    });
  });

  test('analyze --format json: the warning, and invalidDocuments (a new field: schemaVersion stays 2)', () => {
    const r = cli('analyze', 'half-read', '--cni', 'kubernetes', '--format', 'json');
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(2);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'cni', 'summary', 'endpoints', 'flows', 'warnings', 'notes', 'invalidDocuments']);
    expect(doc.warnings).toEqual([ANALYZE_WARNING]);
    expect(doc.invalidDocuments).toEqual([INVALID]);
    expect(doc.summary).toEqual({ endpoints: 2, classes: 2, flows: 4, denied: 0, allowed: 0, indeterminate: 4 });
    expect(doc.flows.map((f: any) => [f.source, f.destination, f.port, f.verdict, f.reason])).toEqual([
      ['shop/api', 'shop/api', 'TCP/8080', 'indeterminate', REASON],
      ['shop/api', 'shop/web', 'TCP/80', 'indeterminate', REASON],
      ['shop/web', 'shop/api', 'TCP/8080', 'indeterminate', REASON],
      ['shop/web', 'shop/web', 'TCP/80', 'indeterminate', REASON],
    ]);
    expect(doc.notes).toEqual([NOTE]);
    expect(r.stderr).toBe(ANALYZE_STDERR);
  });

  test('analyze --diff: an invalid document on either side is undecided (exit 4), and its side of every flow indeterminate', () => {
    // The head adds the policies: every flow of the head is indeterminate (pods to and from the outside too).
    const head = cli('analyze', '--diff', 'half-read/workloads.yaml', 'half-read', '--cni', 'kubernetes');
    expect(head.code).toBe(4);
    expect(head.stderr).toBe(`warning: ${ANALYZE_WARNING}\n`);
    expect(head.stdout).toMatch(/^0 flows opened, 0 closed, 14 uncertain$/m);
    expect(head.stdout).toMatch(new RegExp(`^  uncertain  shop/web  shop/web  TCP/80    allowed  indeterminate  egress: indeterminate: ${escape(WHY_SOURCE)}; `
      + `ingress: indeterminate: ${escape(WHY_DESTINATION)}$`, 'm'));
    // The head removes them: every flow goes from indeterminate to allowed. None is known to open (the
    // skipped document may have allowed it before), but each may: undecided, whichever pattern.
    for (const pattern of ['shop/* -> shop/web', 'shop/* -> shop/api']) {
      const base = cli('analyze', '--diff', 'half-read', 'half-read/workloads.yaml', '--cni', 'kubernetes', '--fail-on-open', pattern);
      expect(base.code).toBe(4);
      expect(base.stdout).toMatch(/^0 flows opened, 0 closed, 14 uncertain$/m);
      expect(base.stdout).toMatch(/^  uncertain  shop\/web  shop\/api  TCP\/8080  indeterminate  allowed  no policy decides the flow \(allowed by default\)$/m);
      expect(base.stdout).toContain(`\nUNDECIDED --fail-on-open '${pattern}': 2 flows\n`);
      expect(base.stdout).toContain(`  may open (indeterminate): shop/web -> ${pattern.split(' -> ')[1]} TCP/${pattern.endsWith('web') ? 80 : 8080}\n`);
      expect(base.stderr).toBe(`warning: ${ANALYZE_WARNING}\n`);
    }
  });

  test('analyze --diff --format json lists the invalid documents of both sides', () => {
    const r = cli('analyze', '--diff', 'half-read', 'half-read', '--cni', 'kubernetes', '--format', 'json');
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(2);
    expect(doc.summary).toEqual({ opened: 0, closed: 0, uncertain: 0 });
    expect(doc.warnings).toEqual([ANALYZE_WARNING, ANALYZE_WARNING]);
    expect(doc.invalidDocuments).toEqual([INVALID, INVALID]);
    expect(r.stderr).toBe(`warning: ${ANALYZE_WARNING}\nwarning: ${ANALYZE_WARNING}\n`);
  });

  test('analyze --diff table and markdown say the comparison is undecided, and why, like the JSON and the exit code', () => {
    // Both sides the same: no flow changes, so "0 flows opened" alone would read as a clean change.
    const reason = (side: string, error: string) => `${side}: ${FILE}: line 15 is not valid YAML (${error}) and was skipped: `
      + `it may hold a policy, so every flow it could change is indeterminate in the ${side}`;
    const table = cli('analyze', '--diff', 'half-read', 'half-read', '--cni', 'kubernetes');
    expect(table.code).toBe(4);
    expect(table.stdout).toBe('0 flows opened, 0 closed, 0 uncertain\n\n'
      + 'UNDECIDED (exit 4): the manifests do not decide this comparison:\n'
      + `  ${reason('base', ERROR)}\n  ${reason('head', ERROR)}\n`);
    const markdown = cli('analyze', '--diff', 'half-read/workloads.yaml', 'half-read', '--cni', 'kubernetes', '--format', 'markdown');
    expect(markdown.code).toBe(4);
    // The parser's message is escaped for Markdown (its `]` would start no link, but other input could).
    expect(markdown.stdout.endsWith('\n\n> **UNDECIDED** (exit 4): the manifests do not decide this comparison:\n'
      + `> - ${reason('head', ERROR.replace(']', '\\]'))}\n`)).toBe(true);
    expect(markdown.stdout.startsWith('### Reachability changes\n\n**0 flows opened, 0 closed, 14 uncertain**\n')).toBe(true);
  });

  test('analyze --diff --strict with a failed --fail-on-open pattern: exit 1, and the text still says what is undecided', () => {
    withDir((dir) => {
      for (const f of ['workloads.yaml', 'namespaces.yaml']) fs.copyFileSync(path.join(FIXTURES, 'ipblock', f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'deny.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n'
        + 'metadata: { name: deny, namespace: data }\nspec: { podSelector: {}, policyTypes: [Ingress] }\n');
      // The base denies all ingress in data; the head drops that deny (opening it) and restricts web's egress (indeterminate).
      const args = ['analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--strict', '--fail-on-open', '* -> data/*'];
      const table = cli(...args);
      expect(table.code).toBe(1);
      expect(table.stdout).toMatch(/^FAIL --fail-on-open '\* -> data\/\*': /m);
      expect(table.stdout).toMatch(/\nAlso undecided: the manifests do not decide this comparison:\n {2}--strict: the change makes 3 flows indeterminate\n$/);
      const markdown = cli(...args, '--format', 'markdown');
      expect(markdown.code).toBe(1);
      expect(markdown.stdout).toMatch(/\n> \*\*Also undecided\*\*: the manifests do not decide this comparison:\n> - --strict: the change makes 3 flows indeterminate\n$/);
    });
  });

  test('analyze --diff --strict: the table and markdown say how many flows the change makes indeterminate', () => {
    withDir((dir) => {
      fs.copyFileSync(path.join(FIXTURES, 'ipblock', 'workloads.yaml'), path.join(dir, 'workloads.yaml'));
      const table = cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--strict');
      expect(table.code).toBe(4);
      expect(table.stdout.endsWith('\nUNDECIDED (exit 4): the manifests do not decide this comparison:\n'
        + '  --strict: the change makes 3 flows indeterminate\n')).toBe(true);
      const markdown = cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--strict', '--format', 'markdown');
      expect(markdown.code).toBe(4);
      expect(markdown.stdout.endsWith('\n> **UNDECIDED** (exit 4): the manifests do not decide this comparison:\n'
        + '> - --strict: the change makes 3 flows indeterminate\n')).toBe(true);
      // Without --strict the same diff is decided (exit 0) and says nothing of the kind.
      const plain = cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes');
      expect(plain.code).toBe(0);
      expect(plain.stdout).not.toContain('UNDECIDED');
    });
  });

  test('lint: no error found is no all-clear (exit 4); an error still fails (exit 1)', () => {
    const r = cli('lint', 'half-read', '--cni', 'kubernetes');
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(`warning: ${LINT_WARNING}\n`);
    // The findings of the rest, then what the exit code says: a reader of stdout alone cannot take it for a clean lint.
    const clean = cli('lint', 'half-read/workloads.yaml', '--cni', 'kubernetes');
    expect(clean.code).toBe(0);
    expect(clean.stdout.endsWith('\nlint: 0 errors, 1 warning, 0 info findings\n')).toBe(true);
    expect(r.stdout).toBe(`${clean.stdout}\nUNDECIDED (exit 4): ${LINT_UNDECIDED}`);
    const json = cli('lint', 'half-read', '--cni', 'kubernetes', '--format', 'json');
    expect(json.code).toBe(4);
    const doc = JSON.parse(json.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'findings', 'summary', 'warnings', 'invalidDocuments']);
    expect(doc.warnings).toEqual([LINT_WARNING]);
    expect(doc.invalidDocuments).toEqual([INVALID]);
    // Flannel enforces no NetworkPolicy: the allow is a lint error, which decides the exit code; the text says what is undecided too.
    const failed = cli('lint', 'half-read', '--cni', 'flannel');
    expect(failed.code).toBe(1);
    expect(failed.stdout.endsWith(`\nlint: 1 error, 1 warning, 0 info findings\n\nAlso undecided: ${LINT_UNDECIDED}`)).toBe(true);
  });

  test('a Helm template fed by mistake: the document is skipped as kubectl refuses it (exit 4), never a stray process warning', () => {
    withDir((dir) => {
      fs.copyFileSync(path.join(FIXTURES, 'half-read', 'workloads.yaml'), path.join(dir, 'workloads.yaml'));
      // `{{ .Values.name }}` is a flow mapping whose key is a flow mapping: sigs.k8s.io/yaml refuses the key.
      fs.writeFileSync(path.join(dir, 'policy.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n'
        + '  name: {{ .Values.name }}\n  namespace: shop\nspec: { podSelector: {}, policyTypes: [Ingress] }\n---\n'
        + 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: shop }\ndata:\n  ~: null key\n');
      const warn = jest.spyOn(process, 'emitWarning');
      try {
        const r = cli('lint', dir, '--cni', 'kubernetes', '--format', 'json');
        expect(r.code).toBe(4);
        const template = 'A mapping key is a mapping, which kubectl cannot read (an unquoted template such as {{ .Values.name }}? '
          + 'render it first, e.g. with helm template) at line 4, column 10';
        const nullKey = 'A mapping key is null, which kubectl cannot read at line 12, column 3';
        expect(JSON.parse(r.stdout).invalidDocuments).toEqual([
          { file: `${dir}/policy.yaml`, line: 4, error: template },
          { file: `${dir}/policy.yaml`, line: 12, error: nullKey },
        ]);
        expect(r.stderr).toBe([template, nullKey].map((e, i) => `warning: ${dir}/policy.yaml: line ${[4, 12][i]}: invalid YAML, document skipped: `
          + `${e}; any policy in it is not linted, so the lint cannot vouch for it (the run is undecided: exit 4 unless something fails)\n`).join(''));
        const analyze = cli('analyze', dir, '--cni', 'kubernetes');
        expect(analyze.code).toBe(4);
        expect(analyze.stdout).toMatch(/^shop\/api {2}shop\/api {2}TCP\/8080 {2}indeterminate \[1\]$/m);
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });
  });

  test('an expectations file with a template key is refused with its line (exit 2), without a process warning', () => {
    withDir((dir) => {
      const file = path.join(dir, 'e.yaml');
      fs.writeFileSync(file, 'expect:\n  - from: { namespace: {{ .Values.ns }}, workload: api }\n');
      const warn = jest.spyOn(process, 'emitWarning');
      try {
        const r = cli('analyze', 'half-read', '--cni', 'kubernetes', '--expect', file);
        expect({ code: r.code, stderr: r.stderr }).toEqual({
          code: 2,
          stderr: `error: ${file}: line 2: invalid YAML: A mapping key is a mapping, which kubectl cannot read (an unquoted template such as `
            + '{{ .Values.name }}? render it first, e.g. with helm template)\n',
        });
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
      }
    });
  });

  test('a document that parses but has no kind (a values file) stays a plain warning: the exit code is unchanged', () => {
    withDir((dir) => {
      fs.copyFileSync(path.join(FIXTURES, 'half-read', 'workloads.yaml'), path.join(dir, 'workloads.yaml'));
      fs.writeFileSync(path.join(dir, 'values.yaml'), 'replicaCount: 3\nimage: { tag: v1 }\n');
      const warning = `warning: ${dir}/values.yaml: line 1: not a Kubernetes object (no kind), document skipped\n`;
      for (const args of [['analyze', dir, '--cni', 'kubernetes', '--strict'], ['analyze', '--diff', dir, dir, '--cni', 'kubernetes']]) {
        const r = cli(...args);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe(args[1] === '--diff' ? `${warning}${warning}` : warning);
      }
      const json = JSON.parse(cli('analyze', dir, '--cni', 'kubernetes', '--format', 'json').stdout);
      expect(json.invalidDocuments).toEqual([]);
      const lint = cli('lint', dir, '--cni', 'kubernetes', '--format', 'json');
      expect(lint.code).toBe(0);
      expect(JSON.parse(lint.stdout).invalidDocuments).toEqual([]);
    });
  });
});
