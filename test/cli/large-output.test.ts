/**
 * Large reports complete: a generated directory of 5,000 pods in table, JSON and Mermaid formats.
 * The JSON is written in chunks (no string of the whole report: V8 ends strings at about 512 MiB), and
 * the table summarizes per namespace pair above its row limit. Not timed: it proves completeness and
 * shape, the bench measures speed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from './support';
import { CHUNK_CHARS } from '../../src/cli/output';
import { run } from '../../src/cli/run';

const NAMESPACES = 50;
const PODS_PER_NAMESPACE = 100;
/** Workloads 0 and 50 of each namespace listen on TCP/8080; the others declare no port (sources only). */
const isServer = (i: number) => i % 50 === 0;

/**
 * `ns-000` ... `ns-049`, 100 Deployments each. Even namespaces isolate ingress (default deny) and let
 * their own pods reach their servers on 8080; odd namespaces are open.
 */
function writeLargeDirectory(dir: string): void {
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${String(n).padStart(3, '0')}`;
    const docs = [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`];
    for (let i = 0; i < PODS_PER_NAMESPACE; i++) {
      const name = `w-${String(i).padStart(3, '0')}`;
      const ports = isServer(i) ? '\n          ports:\n            - containerPort: 8080' : '';
      docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n`
        + `  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n`
        + `        role: ${isServer(i) ? 'server' : 'client'}\n    spec:\n      containers:\n        - name: c\n          image: nginx${ports}\n`);
    }
    if (n % 2 === 0) {
      docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: ${ns}\n`
        + 'spec:\n  podSelector: {}\n  policyTypes: [Ingress]\n');
      docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: servers\n  namespace: ${ns}\n`
        + 'spec:\n  podSelector:\n    matchLabels:\n      role: server\n  policyTypes: [Ingress]\n'
        + '  ingress:\n    - from:\n        - podSelector: {}\n      ports:\n        - port: 8080\n');
    }
    fs.writeFileSync(path.join(dir, `${ns}.yaml`), docs.join('---\n'));
  }
}

// Under NetworkPolicy semantics: 5,000 sources x 100 servers = 500,000 flows. The 50 servers of the
// open namespaces are reached by everyone (250,000); the 50 of the isolated ones by the 100 pods of
// their own namespace (5,000). Every allowed flow is its own source/destination pair: one edge each.
const PODS = NAMESPACES * PODS_PER_NAMESPACE;
const FLOWS = PODS * 100;
const ALLOWED = 50 * PODS + 50 * PODS_PER_NAMESPACE;

/** Run the CLI in-process on `dir`, keeping every chunk it writes. */
function runChunked(dir: string, ...args: string[]) {
  const chunks: string[] = [];
  let stderr = '';
  const code = run(['analyze', dir, '--cni', 'kubernetes', ...args], {
    stdout: (s) => {
      chunks.push(s);
    },
    stderr: (s) => {
      stderr += s;
    },
  });
  return { code, chunks, stderr };
}

describe('a 5,000-pod directory', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-large-'));
    writeLargeDirectory(dir);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('json: every flow, streamed in bounded chunks, one parseable document', () => {
    const r = runChunked(dir, '--format', 'json');
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    // Bounded chunks: no part of the report larger than a chunk plus one piece (the endpoint list).
    expect(r.chunks.length).toBeGreaterThan(100);
    expect(Math.max(...r.chunks.map((c) => c.length))).toBeLessThan(4 * CHUNK_CHARS);
    const doc = JSON.parse(r.chunks.join(''));
    expect(doc.schemaVersion).toBe(2);
    expect(doc.summary).toMatchObject({ endpoints: PODS, flows: FLOWS, allowed: ALLOWED, denied: FLOWS - ALLOWED, indeterminate: 0 });
    expect(doc.endpoints).toHaveLength(PODS);
    expect(doc.flows).toHaveLength(FLOWS);
    expect(doc.flows.filter((f: any) => f.allowed)).toHaveLength(ALLOWED);
    const flow = (source: string, destination: string, verdict: string) =>
      ({ source, destination, port: 'TCP/8080', verdict, allowed: verdict === 'allow' });
    expect(doc.flows[0]).toEqual(flow('ns-000/w-000', 'ns-000/w-000', 'allow'));
    expect(doc.flows).toContainEqual(flow('ns-001/w-007', 'ns-000/w-050', 'deny'));
    expect(doc.flows).toContainEqual(flow('ns-000/w-007', 'ns-001/w-050', 'allow'));
  });

  test('table: above the 2,000-row default, allowed and denied flows per namespace pair', () => {
    const r = runChunked(dir);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = r.chunks.join('').split('\n');
    expect(lines[0]).toBe(`${FLOWS} flows, more than --max-rows 2000: ${ALLOWED} allowed, ${FLOWS - ALLOWED} denied, 0 indeterminate. `
      + 'Counted per namespace pair; --all lists every flow, --format json too.');
    expect(lines[2]).toMatch(/^FROM NAMESPACE\s+TO NAMESPACE\s+ALLOW\s+ALLOW \(L7\)\s+DENY\s+INDETERMINATE$/);
    const cells = (from: string, to: string) => lines.map((l) => l.split(/\s{2,}/)).find((c) => c[0] === from && c[1] === to);
    // 100 sources x 2 servers per namespace pair.
    expect(cells('ns-000', 'ns-000')).toEqual(['ns-000', 'ns-000', '200', '0', '0', '0']);
    expect(cells('ns-000', 'ns-001')).toEqual(['ns-000', 'ns-001', '200', '0', '0', '0']);
    expect(cells('ns-001', 'ns-000')).toEqual(['ns-001', 'ns-000', '0', '0', '200', '0']);
    // 2,500 namespace pairs: the first 2,000 are listed.
    expect(lines.filter((l) => /^ns-\d{3}\s/.test(l))).toHaveLength(2000);
    expect(lines).toContain('... and 500 more namespace pairs (--all lists every flow)');
  });

  test('mermaid: one node per pod, one edge per allowed pair, and the maxEdges warning', () => {
    const r = runChunked(dir, '--format', 'mermaid');
    expect(r.code).toBe(0);
    const lines = r.chunks.join('').split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.filter((l) => /^ {2}n\d+\["/.test(l))).toHaveLength(PODS);
    expect(lines.filter((l) => l.includes(' -->|"TCP/8080"| '))).toHaveLength(ALLOWED);
    expect(r.stderr).toBe(`warning: the flowchart has ${ALLOWED} edges, more than Mermaid's default maxEdges (500): `
      + 'it may not render; analyze fewer files or directories, or use --format table or json\n');
  });
});

describe('--max-rows and --all', () => {
  // The fixture app has 9 flows.
  test('at the limit the table lists the flows; above it, the summary', () => {
    const full = cli('analyze', 'app', '--cni', 'kubernetes', '--max-rows', '9');
    expect(full.stdout.split('\n')[0]).toMatch(/^FROM\s+TO\s+PORT\s+VERDICT$/);
    expect(full.stdout.trimEnd().split('\n')).toHaveLength(10);
    const summary = cli('analyze', 'app', '--cni', 'kubernetes', '--max-rows', '8');
    expect(summary.stdout).toBe([
      '9 flows, more than --max-rows 8: 2 allowed, 7 denied, 0 indeterminate. Counted per namespace pair; --all lists every flow, --format json too.',
      '',
      'FROM NAMESPACE  TO NAMESPACE  ALLOW  ALLOW (L7)  DENY  INDETERMINATE',
      'backend         backend       0      0           1     0',
      'backend         data          1      0           0     0',
      'backend         frontend      0      0           1     0',
      'data            backend       0      0           1     0',
      'data            data          0      0           1     0',
      'data            frontend      0      0           1     0',
      'frontend        backend       1      0           0     0',
      'frontend        data          0      0           1     0',
      '... and 1 more namespace pairs (--all lists every flow)',
      '',
    ].join('\n'));
    expect(cli('analyze', 'app', '--cni', 'kubernetes', '--all').stdout).toBe(full.stdout);
  });

  test.each([
    [['--all', '--max-rows', '5'], 'error: analyze: give --all or --max-rows, not both'],
    [['--max-rows', '0'], "error: --max-rows: expected a positive whole number, got '0'"],
    [['--format', 'json', '--all'], 'error: analyze: --all is for --format table (json and mermaid always list every flow)'],
  ])('%j is a usage error', (flags, message) => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });
});
