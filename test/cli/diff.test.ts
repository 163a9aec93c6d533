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
      expect(doc.failOnOpen).toEqual([{ pattern: '* -> data/*', opened: ['frontend/web -> data/db TCP/5432'], mayOpen: [], matchesNoEndpoints: false }]);
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
      // Web's egress to the internet and to the metadata address closes (TCP/443; no policy names a port).
      expect(r.stdout.split('\n')[0]).toBe('0 flows opened, 2 closed, 3 uncertain');
      expect(r.stdout).toContain('frontend -> (external)\n');
      expect(r.stdout).toMatch(/^ {2}closed {2}frontend\/web {2}external 0\.0\.0\.0\/0 except 10\.0\.0\.0\/8, 169\.254\.169\.254\/32 {2}TCP\/443 {2}allowed {2}denied {2}egress: NetworkPolicy frontend\/web-egress \(isolate\)$/m);
      // Allowed before: they may close, not open.
      expect(r.code).toBe(0);
      expect(cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--strict').code).toBe(4);
      // From a base where web's egress is closed entirely, the same head may open them.
      fs.writeFileSync(path.join(dir, 'deny.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n'
        + 'metadata: { name: web-egress, namespace: frontend }\nspec: { podSelector: { matchLabels: { app: web } }, policyTypes: [Egress] }\n');
      const mayOpen = cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--fail-on-open', '* -> !external');
      expect(mayOpen.code).toBe(4);
      expect(mayOpen.stdout).toMatch(/^UNDECIDED --fail-on-open '\* -> !external': 3 flows$/m);
      // The other way round (indeterminate before, allowed after): the change may open them too.
      fs.rmSync(path.join(dir, 'deny.yaml'));
      const reverse = cli('analyze', '--diff', 'ipblock', dir, '--cni', 'kubernetes', '--fail-on-open', '* -> !external');
      expect(reverse.stdout.split('\n')[0]).toBe('2 flows opened, 0 closed, 3 uncertain');
      expect(reverse.code).toBe(4);
      expect(reverse.stdout).toMatch(/^UNDECIDED --fail-on-open '\* -> !external': 3 flows$/m);
      fs.writeFileSync(path.join(dir, 'deny.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n'
        + 'metadata: { name: web-egress, namespace: frontend }\nspec: { podSelector: { matchLabels: { app: web } }, policyTypes: [Egress] }\n');
      // ... and it opens web's egress to the addresses of 10.0.0.0/8 outside the cluster, definitely.
      const opens = cli('analyze', '--diff', dir, 'ipblock', '--cni', 'kubernetes', '--fail-on-open', '* -> 10.1.2.3');
      expect(opens.code).toBe(1);
      expect(opens.stdout).toMatch(/^FAIL --fail-on-open '\* -> 10\.1\.2\.3': 1 flow\n {2}opened: frontend\/web -> external 10\.0\.0\.0\/8 TCP\/443$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('external endpoints: ingress from 0.0.0.0/0 is an opened flow from the internet; --fail-on-open internet fails the run (exit 1)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-diff-'));
    try {
      const head = path.join(dir, 'head');
      fs.cpSync(path.join(FIXTURES, 'app'), head, { recursive: true });
      fs.writeFileSync(path.join(head, 'web-from-anywhere.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n'
        + 'metadata: { name: web-from-anywhere, namespace: frontend }\nspec:\n  podSelector: { matchLabels: { app: web } }\n'
        + '  policyTypes: [Ingress]\n  ingress:\n    - from: [{ ipBlock: { cidr: 0.0.0.0/0, except: [10.0.0.0/8] } }]\n'
        + '      ports: [{ protocol: TCP, port: 8080 }]\n');
      const internet = 'external 0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32';
      const r = cli('analyze', '--diff', 'app', head, '--cni', 'kubernetes', '--pod-cidrs', '10.244.0.0/16', '--format', 'json',
        '--fail-on-open', 'internet -> *', '--fail-on-open', 'outside -> frontend/*', '--fail-on-open', '* -> internet',
        '--fail-on-open', '10.0.0.0/8 -> *');
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout);
      // The pods are in 10.244.0.0/16, inside the except: only the internet is opened.
      expect(doc.summary).toEqual({ opened: 1, closed: 0, uncertain: 0 });
      expect(doc.groups).toEqual([{
        sourceNamespace: '(external)',
        destinationNamespace: 'frontend',
        changes: [{
          source: internet,
          destination: 'frontend/web',
          port: 'TCP/8080',
          change: 'opened',
          before: 'deny',
          after: 'allow',
          decidedBefore: ['ingress: NetworkPolicy frontend/default-deny-all (isolate)'],
          decidedAfter: ['ingress: NetworkPolicy frontend/web-from-anywhere spec.ingress[0] (allow)'],
        }],
      }]);
      expect(doc.externalEndpoints).toEqual([internet, 'external 10.0.0.0/8 except 10.244.0.0/16', 'external 169.254.169.254/32']);
      expect(doc.failOnOpen.map((m: any) => [m.pattern, m.opened, m.matchesNoEndpoints])).toEqual([
        ['internet -> *', [`${internet} -> frontend/web TCP/8080`], false],
        ['outside -> frontend/*', [`${internet} -> frontend/web TCP/8080`], false],
        ['* -> internet', [], false],
        ['10.0.0.0/8 -> *', [], false],
      ]);
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
        'error: analyze --diff: --expect is not a diff option (--probes adds the probes of an expectations file)'],
      [['analyze', 'app', '--cni', 'kubernetes', '--probes', 'expectations.yaml'],
        'error: analyze: --probes is a --diff option (without --diff, --expect reads the probes)'],
      [['lint', 'app', '--probes', 'expectations.yaml'], 'error: lint: --probes is an analyze option'],
      [['analyze', 'app', '--cni', 'kubernetes', '--fail-on-open', '* -> *'], 'error: analyze: --fail-on-open is a --diff option'],
      [['analyze', '--diff', 'app', 'app', '--cni', 'kubernetes', '--fail-on-open', 'data/*'],
        "error: --fail-on-open: 'data/*' is not SOURCE -> DESTINATION (globs over namespace/name, [namespace label selector], outside, "
        + "external, internet or a CIDR; e.g. 'outside -> [tenant]', '!acme/* -> acme/*', '[tenant] -> internet')"],
      [['analyze', '--diff', 'app', 'app', '--cni', 'kubernetes', '--fail-on-open', '* -> [tenant'],
        "error: --fail-on-open: '* -> [tenant': expected [SELECTOR] or [SELECTOR]/GLOB, got '[tenant'"],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      expect({ args, code: r.code, first: r.stderr.split('\n')[0] }).toEqual({ args, code: 2, first: message });
    }
    expect(cli('analyze', '--diff', 'app', 'nope', '--cni', 'kubernetes').stderr).toBe('error: no such file or directory: nope\n');
  });
});

/**
 * A repository of namespaces and policies only (fixture tenants/: a-web and a-data of tenant a, b of
 * tenant b, shared without a tenant label; each tenant namespace denies all but DNS and its own
 * tenant). `--probes` adds the probes of tenant-expectations.yaml (a probe on tcp/8080 in every
 * namespace, CoreDNS in kube-system) to both sides.
 */
describe('analyze --diff on namespaces and policies: --probes and namespace patterns', () => {
  /** a-web admits b and shared on 8080 and may send to shared; b may send to a-web. */
  const PARTNERS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-partners, namespace: a-web }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: b } }
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: shared } }
      ports: [{ protocol: TCP, port: 8080 }]
  egress:
    - to:
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: shared } }
      ports: [{ protocol: TCP, port: 8080 }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: to-a-web, namespace: b }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: a-web } }
      ports: [{ protocol: TCP, port: 8080 }]
`;
  const NEW_TENANT = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: c\n  labels: { tenant: c }\n';

  /** `head/`: tenants/ plus `extra.yaml`. */
  function withTenantHead(extra: string, body: (head: string, dir: string) => void): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-diff-'));
    try {
      const head = path.join(dir, 'head');
      fs.cpSync(path.join(FIXTURES, 'tenants'), head, { recursive: true });
      fs.writeFileSync(path.join(head, 'extra.yaml'), extra);
      body(head, dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const diff = (head: string, ...args: string[]) =>
    cli('analyze', '--diff', 'tenants', head, '--cni', 'kubernetes', '--probes', 'tenant-expectations.yaml', ...args);

  test("'outside -> [tenant]' (anything into a tenant namespace from outside it) fails on the flows a policy opens", () => {
    withTenantHead(PARTNERS, (head) => {
      const r = diff(head, '--fail-on-open', 'outside -> [tenant]', '--fail-on-open', 'outside(tenant) -> [tenant=b]',
        '--fail-on-open', '[!tenant] -> [tenant]', '--fail-on-open', '[tenant] -> !outside');
      expect(r.code).toBe(1);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe('3 flows opened, 0 closed, 0 uncertain');
      expect(lines.slice(lines.indexOf('b -> a-web'), lines.indexOf('b -> a-web') + 3).map((l) => l.trim().split(/\s{2,}/))).toEqual([
        ['b -> a-web'],
        ['CHANGE', 'FROM', 'TO', 'PORT', 'BEFORE', 'AFTER', 'DECIDED BY'],
        ['opened', 'b/probe', 'a-web/probe', 'TCP/8080', 'denied', 'allowed',
          'egress: NetworkPolicy b/to-a-web spec.egress[0] (allow); ingress: NetworkPolicy a-web/allow-partners spec.ingress[0] (allow)'],
      ]);
      expect(lines.slice(lines.indexOf('FAIL --fail-on-open \'outside -> [tenant]\': 2 flows'))).toEqual([
        "FAIL --fail-on-open 'outside -> [tenant]': 2 flows",
        '  opened: b/probe -> a-web/probe TCP/8080',
        '  opened: shared/probe -> a-web/probe TCP/8080',
        "PASS --fail-on-open 'outside(tenant) -> [tenant=b]': no flow opened",
        "FAIL --fail-on-open '[!tenant] -> [tenant]': 1 flow",
        '  opened: shared/probe -> a-web/probe TCP/8080',
        // a-web -> shared is opened too, but it leaves the tenant: not into a tenant namespace, not within one.
        "PASS --fail-on-open '[tenant] -> !outside': no flow opened",
        '',
      ]);
    });
  });

  test('a new tenant namespace without policies: every flow into it from outside is opened; JSON lists them', () => {
    withTenantHead(NEW_TENANT, (head) => {
      const doc = JSON.parse(diff(head, '--format', 'json', '--fail-on-open', 'outside -> [tenant]').stdout);
      // 6 pod flows; c/probe's egress to the internet and the metadata address on TCP/443 and the
      // policies' DNS ports (6), and the internet into c/probe on 8080 (1).
      expect(doc.summary).toEqual({ opened: 13, closed: 0, uncertain: 0 });
      expect(doc.groups.map((g: any) => `${g.sourceNamespace} -> ${g.destinationNamespace}`))
        .toEqual(['c -> c', 'c -> kube-system', 'c -> shared', 'kube-system -> c', 'shared -> c', '(external) -> c', 'c -> (external)']);
      expect(doc.externalEndpoints).toEqual(['external 0.0.0.0/0 except 169.254.169.254/32', 'external 169.254.169.254/32']);
      expect(doc.groups.find((g: any) => g.destinationNamespace === '(external)').changes.map((c: any) => `${c.destination} ${c.port}`)).toEqual([
        'external 0.0.0.0/0 except 169.254.169.254/32 TCP/53', 'external 0.0.0.0/0 except 169.254.169.254/32 TCP/443',
        'external 0.0.0.0/0 except 169.254.169.254/32 UDP/53',
        'external 169.254.169.254/32 TCP/53', 'external 169.254.169.254/32 TCP/443', 'external 169.254.169.254/32 UDP/53',
      ]);
      expect(doc.failOnOpen).toEqual([{
        pattern: 'outside -> [tenant]',
        // outside includes the external endpoints.
        opened: ['kube-system/coredns -> c/probe TCP/8080', 'shared/probe -> c/probe TCP/8080',
          'external 0.0.0.0/0 except 169.254.169.254/32 -> c/probe TCP/8080'],
        mayOpen: [],
        matchesNoEndpoints: false,
      }]);
    });
  });

  test('without probes a pattern matches no endpoint: undecided (exit 4), never a pass', () => {
    withTenantHead(PARTNERS, (head) => {
      const r = cli('analyze', '--diff', 'tenants', head, '--cni', 'kubernetes', '--fail-on-open', 'outside -> [tenant]');
      expect(r.code).toBe(4);
      expect(r.stdout).toBe('0 flows opened, 0 closed, 0 uncertain\n\n'
        + "UNDECIDED --fail-on-open 'outside -> [tenant]': matches no pair of endpoints of the manifests "
        + '(namespaces and policies alone have no pods: add them with --probes)\n');
      const json = JSON.parse(cli('analyze', '--diff', 'tenants', head, '--cni', 'kubernetes', '--format', 'json',
        '--fail-on-open', 'outside -> [tenant]').stdout);
      expect(json.failOnOpen).toEqual([{ pattern: 'outside -> [tenant]', opened: [], mayOpen: [], matchesNoEndpoints: true }]);
    });
  });

  test('a probes file needs no expect list; a probe set that matches no namespace on one side adds nothing there', () => {
    withTenantHead(NEW_TENANT, (head, dir) => {
      const probes = path.join(dir, 'probes.yaml');
      fs.writeFileSync(probes, 'probes:\n  - { name: probe, namespaces: { labels: { tenant: c } }, ports: [tcp/8080] }\n'
        + '  - { name: probe, namespace: shared, ports: [tcp/8080] }\n');
      const r = cli('analyze', '--diff', 'tenants', head, '--cni', 'kubernetes', '--probes', probes, '--fail-on-open', 'outside -> [tenant]');
      expect(r.code).toBe(1);
      expect(r.stdout.split('\n')[0]).toBe('10 flows opened, 0 closed, 0 uncertain');
      expect(r.stdout).toContain("FAIL --fail-on-open 'outside -> [tenant]': 2 flows\n  opened: shared/probe -> c/probe TCP/8080\n"
        + '  opened: external 0.0.0.0/0 except 169.254.169.254/32 -> c/probe TCP/8080\n');
      fs.writeFileSync(probes, 'probes:\n  - { name: probe }\n');
      const bad = cli('analyze', '--diff', 'tenants', head, '--cni', 'kubernetes', '--probes', probes);
      expect({ code: bad.code, stderr: bad.stderr }).toEqual({
        code: 2, stderr: `error: ${probes}: line 2: probes[0]: give namespace (one) or namespaces (all | { withLabel } | { labels })\n`,
      });
    });
  });
});
