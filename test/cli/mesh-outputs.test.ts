/**
 * `--mesh` across the rest of the command line: the streaming outputs (table rows and summary,
 * JSON, Mermaid), `analyze --diff`, and expectations that combine HTTP requests with probes,
 * namespace sets and port lists, including undecided (indeterminate) answers.
 *
 * Fixture mesh/ (Istio sidecar, no NetworkPolicy, so the CNI allows everything): STRICT mTLS
 * mesh-wide; allow-nothing in shop; web (service account web) may GET/POST /api/* on api:8080;
 * nobody may reach /admin on api; batch is outside the mesh. Worked out by hand on TCP/8080:
 * - to api: web allowed with L7 constraints; api denied (its principal is not web's); batch denied
 *   (plaintext to a STRICT port);
 * - to web: all three denied (allow-nothing, no ALLOW rule for web);
 * - to batch: all three allowed (outside the mesh: no mesh authorization).
 * So 9 flows: 4 allowed (1 with L7 constraints), 5 denied, every denial by the mesh alone.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { FIXTURES, cli } from './support';
import { Reachability } from '../../src/analysis/reachability';
import { parseCommandLine } from '../../src/cli/args';
import { loadExpectations } from '../../src/cli/expectations';
import { Cni } from '../../src/cluster/cni';
import { IstioMode, Mesh } from '../../src/cluster/mesh';

const ISTIO = ['--cni', 'kubernetes', '--mesh', 'istio'];

/** A temporary directory with a copy of mesh/ (as `head/`) plus `extra` as head/extra.yaml, and files. */
function withDir(extra: string, files: Record<string, string>, body: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-mesh-'));
  try {
    fs.cpSync(path.join(FIXTURES, 'mesh'), path.join(dir, 'head'), { recursive: true });
    if (extra !== '') fs.writeFileSync(path.join(dir, 'head', 'extra.yaml'), extra);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** api may call web on 8080 (mesh identity of api). */
const WEB_FROM_API = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: web-from-api, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  action: ALLOW
  rules:
    - from: [{ source: { principals: [cluster.local/ns/shop/sa/api] } }]
      to: [{ operation: { ports: ["8080"] } }]
`;

/** web admits requests whose JWT says role admin: the manifests cannot decide that. */
const WEB_CLAIMS = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: web-claims, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  action: ALLOW
  rules:
    - when: [{ key: "request.auth.claims[role]", values: [admin] }]
`;

describe('analyze --mesh: every output format shows the mesh layer', () => {
  test('table above --max-rows: totals and per namespace pair say which layer denies', () => {
    const r = cli('analyze', 'mesh', ...ISTIO, '--max-rows', '2');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('9 flows, more than --max-rows 2: 4 allowed (1 of them with L7 constraints), 5 denied '
      + '(0 by the CNI, 5 by the mesh Istio (sidecar)), 0 indeterminate. Counted per namespace pair; --all lists every flow, --format json too.');
    expect(lines[2].split(/\s{2,}/)).toEqual(['FROM NAMESPACE', 'TO NAMESPACE', 'ALLOW', 'ALLOW (L7)', 'DENY', 'DENY (CNI)', 'DENY (MESH)', 'INDETERMINATE']);
    expect(lines[3].split(/\s+/)).toEqual(['shop', 'shop', '3', '1', '5', '0', '5', '0']);
  });

  test('table above --max-rows without --mesh keeps its columns', () => {
    const r = cli('analyze', 'mesh', '--cni', 'kubernetes', '--max-rows', '2');
    expect(r.stdout.split('\n')[2].split(/\s{2,}/)).toEqual(['FROM NAMESPACE', 'TO NAMESPACE', 'ALLOW', 'ALLOW (L7)', 'DENY', 'INDETERMINATE']);
  });

  test('json is streamed with the mesh, the summary over both layers and both verdicts on every flow', () => {
    const r = cli('analyze', 'mesh', ...ISTIO, '--format', 'json');
    expect(r.code).toBe(0);
    // One flow per line, as the streaming writer produces them.
    expect(r.stdout.split('\n').filter((l) => l.startsWith('    {"source":')).length).toBe(9);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'cni', 'mesh', 'summary', 'endpoints', 'flows', 'warnings', 'notes', 'invalidDocuments']);
    expect([doc.schemaVersion, doc.cni, doc.mesh]).toEqual([2, 'kubernetes', 'Istio (sidecar)']);
    expect(doc.summary).toEqual({ endpoints: 3, classes: 3, flows: 9, allowed: 4, denied: 5, indeterminate: 0 });
    const verdicts = doc.flows.map((f: any) => [f.source, f.destination, f.verdict, f.cniVerdict, f.meshVerdict]);
    expect(verdicts).toEqual([
      ['shop/api', 'shop/api', 'deny', 'allow', 'deny'],
      ['shop/api', 'shop/batch', 'allow', 'allow', 'allow'],
      ['shop/api', 'shop/web', 'deny', 'allow', 'deny'],
      ['shop/batch', 'shop/api', 'deny', 'allow', 'deny'],
      ['shop/batch', 'shop/batch', 'allow', 'allow', 'allow'],
      ['shop/batch', 'shop/web', 'deny', 'allow', 'deny'],
      ['shop/web', 'shop/api', 'allow', 'allow', 'allow'],
      ['shop/web', 'shop/batch', 'allow', 'allow', 'allow'],
      ['shop/web', 'shop/web', 'deny', 'allow', 'deny'],
    ]);
    // The streamed flows are the library's flow matrix, field for field.
    const objects = parseAllDocuments(fs.readFileSync(path.join(FIXTURES, 'mesh', 'shop.yaml'), 'utf-8')).map((d) => d.toJS());
    const library = Reachability.fromManifests(objects, { cni: Cni.kubernetes(), mesh: Mesh.istio({ mode: IstioMode.SIDECAR }) }).matrix();
    expect(doc.flows).toEqual(JSON.parse(JSON.stringify(library.flows)));
  });

  test('mermaid: allowed edges, and crossed edges for what the CNI allows and the mesh denies', () => {
    const r = cli('analyze', 'mesh', ...ISTIO, '--format', 'mermaid');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'flowchart LR',
      '%% mesh Istio (sidecar): --> allowed by the CNI and the mesh, -.-> indeterminate, --x the CNI allows and the mesh denies',
      '  n0["shop/api"]',
      '  n1["shop/batch"]',
      '  n2["shop/web"]',
    ]);
    const edges = lines.filter((l) => / --[>x]\|/.test(l)).sort();
    expect(edges).toEqual([
      '  n0 -->|"TCP/8080"| n1',
      '  n0 --x|"TCP/8080 (mesh denies)"| n0',
      '  n0 --x|"TCP/8080 (mesh denies)"| n2',
      '  n1 -->|"TCP/8080"| n1',
      '  n1 --x|"TCP/8080 (mesh denies)"| n0',
      '  n1 --x|"TCP/8080 (mesh denies)"| n2',
      '  n2 -->|"TCP/8080 (L7)"| n0',
      '  n2 -->|"TCP/8080"| n1',
      '  n2 --x|"TCP/8080 (mesh denies)"| n2',
    ]);
    // Without --mesh there is nothing the mesh denies: only allowed edges, no mesh comment.
    const plain = cli('analyze', 'mesh', '--cni', 'kubernetes', '--format', 'mermaid').stdout;
    expect(plain).not.toContain('--x');
    expect(plain).not.toContain('%% mesh');
  });

  test('an undecidable mesh rule: indeterminate [n] with the mesh reason in the table, exit 4 with --strict', () => {
    withDir(WEB_CLAIMS, {}, (dir) => {
      const r = cli('analyze', path.join(dir, 'head'), ...ISTIO, '--strict');
      expect(r.code).toBe(4);
      // Meshed clients (api, web) reach web only if a JWT says role admin; batch is refused (plaintext to STRICT).
      expect(r.stdout).toMatch(/^shop\/api\s+shop\/web\s+TCP\/8080\s+indeterminate \[1\]$/m);
      expect(r.stdout).toMatch(/^shop\/web\s+shop\/web\s+TCP\/8080\s+indeterminate \[1\]$/m);
      expect(r.stdout).toMatch(/^shop\/batch\s+shop\/web\s+TCP\/8080\s+deny \(mesh\)$/m);
      expect(r.stdout).toMatch(/^\[1\] indeterminate: mesh: AuthorizationPolicy shop\/web-claims spec\.rules\[0\] \(ALLOW\)/m);
      expect(r.stderr).toContain('error: --strict: 2 of 9 flows are indeterminate');
    });
  });
});

describe('analyze --diff --mesh', () => {
  test('an AuthorizationPolicy opens a flow: table, JSON and Markdown name the mesh rule; --fail-on-open fails', () => {
    withDir(WEB_FROM_API, {}, (dir) => {
      const head = path.join(dir, 'head');
      const table = cli('analyze', '--diff', 'mesh', head, ...ISTIO, '--fail-on-open', 'shop/api -> shop/web');
      expect(table.code).toBe(1);
      const lines = table.stdout.split('\n');
      expect(lines[0]).toBe('1 flow opened, 0 closed, 0 uncertain');
      const change = lines.find((l) => l.includes('shop/api') && l.includes('opened'))!;
      expect(change.trim().split(/\s{2,}/).slice(0, 6)).toEqual(['opened', 'shop/api', 'shop/web', 'TCP/8080', 'denied', 'allowed']);
      expect(change).toContain('mesh: AuthorizationPolicy shop/web-from-api');
      expect(table.stdout).toContain('both layers: CNI kubernetes and mesh Istio (sidecar) (a flow needs both to allow it); '
        + 'the rules marked "mesh:" are the mesh\'s authorization');
      expect(table.stdout).toContain("FAIL --fail-on-open 'shop/api -> shop/web': 1 flow");

      const doc = JSON.parse(cli('analyze', '--diff', 'mesh', head, ...ISTIO, '--format', 'json').stdout);
      expect([doc.cni, doc.mesh, doc.summary]).toEqual(['kubernetes', 'Istio (sidecar)', { opened: 1, closed: 0, uncertain: 0 }]);

      const markdown = cli('analyze', '--diff', 'mesh', head, ...ISTIO, '--format', 'markdown').stdout;
      expect(markdown).toContain('_Both layers: CNI kubernetes and mesh Istio (sidecar) (a flow needs both to allow it); ');
      expect(markdown).toMatch(/^\| opened \| `shop\/api` \| `shop\/web` \| TCP\/8080 \| denied \| allowed \| .*mesh: AuthorizationPolicy shop\/web-from-api/m);
    });
  });

  test('without --mesh the same change is invisible to the CNI: nothing opens, and the kind is reported as not modelled', () => {
    withDir(WEB_FROM_API, {}, (dir) => {
      const r = cli('analyze', '--diff', 'mesh', path.join(dir, 'head'), '--cni', 'kubernetes', '--fail-on-open', 'shop/api -> shop/web');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe('0 flows opened, 0 closed, 0 uncertain');
      expect(r.stdout).not.toContain('both layers');
      expect(r.stderr).toMatch(/AuthorizationPolicy 'web-from-api' \(apiVersion security\.istio\.io\/v1\): not modelled by the flow matrix/);
    });
  });

  test('a change that makes a matched flow indeterminate in the mesh is undecided (exit 4)', () => {
    withDir(WEB_CLAIMS, {}, (dir) => {
      const r = cli('analyze', '--diff', 'mesh', path.join(dir, 'head'), ...ISTIO, '--fail-on-open', 'shop/* -> shop/web');
      expect(r.code).toBe(4);
      expect(r.stdout.split('\n')[0]).toBe('0 flows opened, 0 closed, 2 uncertain');
      expect(r.stdout).toContain("UNDECIDED --fail-on-open 'shop/* -> shop/web': 2 flows");
    });
  });

  test('--mesh is parsed for --diff too', () => {
    expect(parseCommandLine(['analyze', '--diff', 'a', 'b', '--cni', 'kubernetes', '--mesh', 'linkerd'])).toMatchObject({ command: 'diff', mesh: 'linkerd' });
    expect(parseCommandLine(['analyze', 'a', '--cni', 'kubernetes', '--mesh', 'none'])).not.toHaveProperty('mesh');
  });
});

describe('expectations: HTTP requests with probes, namespace sets and port lists', () => {
  const EXPECTATIONS = `probes:
  # A pod running as web in every meshed namespace, one without a service account, one outside the mesh.
  - { name: as-web, namespaces: { labels: { istio-injection: enabled } }, serviceAccount: web, ports: [tcp/8080] }
  - { name: stranger, namespace: shop }
  - { name: outsider, namespace: shop, labels: { sidecar.istio.io/inject: "false" } }
expect:
  - from: { namespace: shop, workload: as-web }
    to: { namespace: shop, workload: api }
    port: tcp/8080
    request: { method: POST, path: /api/orders }
    allowed: true
  - from: { namespaces: { labels: { istio-injection: enabled } }, workload: as-web }
    to: { namespace: shop, workload: api }
    port: [tcp/8080]
    request: { method: GET, path: /admin }
    allowed: false
  - from: { namespace: shop, workload: stranger }
    to: { namespace: shop, workload: api }
    port: tcp/8080
    request: { method: GET, path: /api/items }
    allowed: false
  - from: { namespace: shop, workload: outsider }
    to: { namespace: shop, workload: api }
    port: tcp/8080
    request: { path: /api/items }
    allowed: false
`;

  test('a probe with a service account has its mesh identity; every entry names its request', () => {
    withDir('', { 'e.yaml': EXPECTATIONS }, (dir) => {
      const r = cli('analyze', 'mesh', ...ISTIO, '--expect', path.join(dir, 'e.yaml'));
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').filter((l) => /^(PASS|FAIL|UNDECIDED) /.test(l))).toEqual([
        'PASS workload shop/as-web -> workload shop/api on TCP/8080 (HTTP POST /api/orders): allowed',
        'PASS workload as-web in every namespace labelled istio-injection=enabled -> workload shop/api on TCP/8080 (HTTP GET /admin): denied',
        'PASS workload shop/stranger -> workload shop/api on TCP/8080 (HTTP GET /api/items): denied',
        'PASS workload shop/outsider -> workload shop/api on TCP/8080 (HTTP GET /api/items): denied',
      ]);
    });
  });

  test('without --mesh only the CNI answers: the requests the mesh refuses are allowed, and those entries fail', () => {
    withDir('', { 'e.yaml': EXPECTATIONS }, (dir) => {
      const r = cli('analyze', 'mesh', '--cni', 'kubernetes', '--expect', path.join(dir, 'e.yaml'));
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('expectations: 1 passed, 3 failed');
    });
  });

  test('a request the mesh cannot decide (JWT claims) is UNDECIDED, exit 4', () => {
    const undecided = `probes:
  - { name: client, namespaces: { withLabel: istio-injection }, serviceAccount: api }
expect:
  - from: { namespaces: { withLabel: istio-injection }, workload: client }
    to: { namespace: shop, workload: web }
    port: tcp/8080
    request: { method: GET, path: /dashboard }
    allowed: true
`;
    withDir(WEB_CLAIMS, { 'e.yaml': undecided }, (dir) => {
      const r = cli('analyze', path.join(dir, 'head'), ...ISTIO, '--expect', path.join(dir, 'e.yaml'));
      expect(r.code).toBe(4);
      expect(r.stdout).toMatch(/^UNDECIDED workload client in every namespace with label istio-injection -> workload shop\/web on TCP\/8080 \(HTTP GET \/dashboard\)/m);
      expect(r.stdout).toContain('request.auth.claims[role]');
    });
  });

  test.each([
    ['request: { method: "P OST" }', "expect[0].request: request.method 'P OST' is not an HTTP method"],
    ['request: { verb: POST }', "expect[0].request.verb: unknown key 'verb': expected method, path, host, headers"],
    ['request: /admin', 'expect[0].request: expected a mapping with method, path, host and headers (all optional)'],
    ['request: { path: admin }', "expect[0].request: request.path 'admin' must start with /"],
  ])('a malformed request in an entry with a namespace set is an error naming its line: %s', (request, message) => {
    const text = `expect:\n  - from: { namespaces: all, workload: web }\n    to: { namespace: shop, workload: api }\n    port: tcp/8080\n    ${request}\n    allowed: false\n`;
    withDir('', { 'e.yaml': text }, (dir) => {
      const file = path.join(dir, 'e.yaml');
      const r = cli('analyze', 'mesh', ...ISTIO, '--expect', file);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${file}: line 5: ${message}\n`);
    });
  });

  test('a probe\'s annotations reach the mesh: the injection opt-out takes a probe running as web out of the mesh', () => {
    const text = `probes:
  - { name: opted-out, namespace: shop, serviceAccount: web, annotations: { sidecar.istio.io/inject: "false" } }
expect:
  - from: { namespace: shop, workload: opted-out }
    to: { namespace: shop, workload: api }
    port: tcp/8080
    request: { method: POST, path: /api/orders }
    allowed: false
`;
    withDir('', { 'e.yaml': text }, (dir) => {
      const file = path.join(dir, 'e.yaml');
      const [probe] = loadExpectations(file).probes;
      expect([probe.serviceAccount, probe.annotations]).toEqual(['web', { 'sidecar.istio.io/inject': 'false' }]);
      // Outside the mesh it talks plaintext, which api's STRICT mTLS refuses whatever its service account.
      const r = cli('analyze', 'mesh', ...ISTIO, '--expect', file);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('PASS workload shop/opted-out -> workload shop/api on TCP/8080 (HTTP POST /api/orders): denied');
    });
  });

  test('a probe\'s service account must be a name', () => {
    const text = 'probes:\n  - { name: p, namespace: shop, serviceAccount: "Not A Name" }\nexpect: []\n';
    withDir('', { 'e.yaml': text }, (dir) => {
      const file = path.join(dir, 'e.yaml');
      const r = cli('analyze', 'mesh', ...ISTIO, '--expect', file);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${file}: line 2: probes[0].serviceAccount: expected a service account name\n`);
    });
  });
});
