/**
 * `analyze --diff <base> <head>`: what a pull request changes. The base is the fixture app (web ->
 * api on 9000, api -> db on 5432, default deny in all three namespaces). The head adds two
 * NetworkPolicies that let web reach db on 5432 (web's egress and db's ingress: a flow needs both).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES, cli } from './support';

const OPEN_WEB_TO_DB = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-to-db, namespace: frontend }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: data } }
          podSelector: { matchLabels: { app: db } }
      ports: [{ protocol: TCP, port: 5432 }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db-from-web, namespace: data }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Ingress]
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: frontend } }
          podSelector: { matchLabels: { app: web } }
      ports: [{ protocol: TCP, port: 5432 }]
`;

/** `head/`: a copy of the app plus `open.yaml`. */
function withHead(body: (head: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-diff-'));
  try {
    const head = path.join(dir, 'head');
    fs.cpSync(path.join(FIXTURES, 'app'), head, { recursive: true });
    fs.writeFileSync(path.join(head, 'open.yaml'), OPEN_WEB_TO_DB);
    body(head);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('analyze --diff', () => {
  test('table: the opened flow, grouped by namespace pair, with the rules that open it', () => {
    withHead((head) => {
      const r = cli('analyze', '--diff', 'app', head, '--cni', 'kubernetes');
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('1 flow opened, 0 closed, 0 uncertain');
      expect(lines).toContain('frontend -> data');
      const change = lines.find((l) => l.includes('frontend/web'))!;
      expect(change.trim().split(/\s{2,}/).slice(0, 6)).toEqual(['opened', 'frontend/web', 'data/db', 'TCP/5432', 'denied', 'allowed']);
      expect(change).toContain('NetworkPolicy frontend/web-to-db');
      expect(change).toContain('NetworkPolicy data/db-from-web');
    });
  });

  test('the reverse change closes it; no change is no change', () => {
    withHead((head) => {
      const r = cli('analyze', '--diff', head, 'app', '--cni', 'kubernetes');
      expect(r.stdout.split('\n')[0]).toBe('0 flows opened, 1 closed, 0 uncertain');
      expect(cli('analyze', '--diff', 'app', 'app', '--cni', 'kubernetes').stdout).toBe('0 flows opened, 0 closed, 0 uncertain\n');
    });
  });

  test('--fail-on-open: exit 1 when an opened flow matches (here: anything into data from outside it), 0 otherwise', () => {
    withHead((head) => {
      const fail = cli('analyze', '--diff', 'app', head, '--cni', 'kubernetes', '--fail-on-open', '!data/* -> data/*');
      expect(fail.code).toBe(1);
      expect(fail.stdout).toMatch(/^FAIL --fail-on-open '!data\/\* -> data\/\*': 1 flow\n {2}opened: frontend\/web -> data\/db TCP\/5432$/m);
      const pass = cli('analyze', '--diff', 'app', head, '--cni', 'kubernetes', '--fail-on-open', '* -> backend/*');
      expect(pass.code).toBe(0);
      expect(pass.stdout).toMatch(/^PASS --fail-on-open '\* -> backend\/\*': no flow opened$/m);
    });
  });

  test('json and markdown (for a pull-request comment)', () => {
    withHead((head) => {
      const doc = JSON.parse(cli('analyze', '--diff', 'app', head, '--cni', 'calico', '--format', 'json', '--fail-on-open', '* -> data/*').stdout);
      expect(doc.schemaVersion).toBe(2);
      expect(doc.cni).toBe('calico');
      expect(doc.summary).toEqual({ opened: 1, closed: 0, uncertain: 0 });
      expect(doc.groups.map((g: any) => [g.sourceNamespace, g.destinationNamespace, g.changes.length])).toEqual([['frontend', 'data', 1]]);
      expect(doc.groups[0].changes[0]).toMatchObject({ source: 'frontend/web', destination: 'data/db', port: 'TCP/5432', change: 'opened', before: 'deny', after: 'allow' });
      expect(doc.failOnOpen).toEqual([{ pattern: '* -> data/*', opened: ['frontend/web -> data/db TCP/5432'], mayOpen: [] }]);
      expect(doc.warnings).toEqual([]);
      const md = cli('analyze', '--diff', 'app', head, '--cni', 'calico', '--format', 'markdown', '--fail-on-open', '* -> data/*');
      expect(md.code).toBe(1);
      expect(md.stdout.split('\n').slice(0, 3)).toEqual(['### Reachability changes', '', '**1 flow opened, 0 closed, 0 uncertain**']);
      expect(md.stdout).toContain('| opened | `frontend/web` | `data/db` | TCP/5432 | denied | allowed |');
      expect(md.stdout).toMatch(/^- \*\*FAIL\*\* `--fail-on-open '\* -> data\/\*'`: 1 flow\n {2}- `opened: frontend\/web -> data\/db TCP\/5432`$/m);
    });
  });

  test('a change that makes flows indeterminate: uncertain; --fail-on-open counts those not allowed before as undecided (exit 4)', () => {
    // Base: the workloads only (nothing isolated, everything allowed). Head: web may send only to
    // 10.0.0.0/8, with pod addresses unknown: web's flows go from allowed to indeterminate.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-diff-'));
    try {
      fs.copyFileSync(path.join(FIXTURES, 'ipblock', 'workloads.yaml'), path.join(dir, 'workloads.yaml'));
      const r = cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--fail-on-open', '* -> *');
      expect(r.stdout.split('\n')[0]).toBe('0 flows opened, 0 closed, 3 uncertain');
      // Allowed before: they may close, not open.
      expect(r.code).toBe(0);
      expect(cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--strict').code).toBe(4);
      // From a base where web's egress is closed entirely, the same head may open them.
      fs.writeFileSync(path.join(dir, 'deny.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n'
        + 'metadata: { name: web-egress, namespace: frontend }\nspec: { podSelector: { matchLabels: { app: web } }, policyTypes: [Egress] }\n');
      const mayOpen = cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--fail-on-open', '* -> *');
      expect(mayOpen.code).toBe(4);
      expect(mayOpen.stdout).toMatch(/^UNDECIDED --fail-on-open '\* -> \*': 3 flows$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage: two paths, diff formats and options', () => {
    const cases: Array<[string[], string]> = [
      [['analyze', '--diff', 'app', '--cni', 'kubernetes'], 'error: analyze --diff: give two paths, the manifests before and after the change'],
      [['analyze', '--diff', 'app', 'app', '--cni', 'kubernetes', '--format', 'mermaid'],
        "error: analyze --diff: unknown --format 'mermaid': expected table, json, markdown"],
      [['analyze', '--diff', 'app', 'app', '--cni', 'kubernetes', '--expect', 'expectations.yaml'],
        'error: analyze --diff: --expect is not a diff option'],
      [['analyze', 'app', '--cni', 'kubernetes', '--fail-on-open', '* -> *'], 'error: analyze: --fail-on-open is a --diff option'],
      [['analyze', '--diff', 'app', 'app', '--cni', 'kubernetes', '--fail-on-open', 'data/*'],
        "error: --fail-on-open: 'data/*' is not SOURCE -> DESTINATION (globs over namespace/name, e.g. '!acme/* -> acme/*')"],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect({ args, code: r.code, first: r.stderr.split('\n')[0] }).toEqual({ args, code: 2, first: message });
    }
    expect(cli('analyze', '--diff', 'app', 'nope', '--cni', 'kubernetes').stderr).toBe('error: no such file or directory: nope\n');
  });
});
