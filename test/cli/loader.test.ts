import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from './support';
import { parseYamlText } from '../../src/util/yaml-documents';
import { expectValidManifests } from '../support/schema';

// The CLI reads through src/util/yaml-documents.ts; these check what reaches the user.

/** A `kind: List` whose NetworkPolicy item (line 7) allows DNS over UDP only: a dns-udp-only error. */
const LIST = [
  'apiVersion: v1', //                                            1
  'kind: List', //                                                2
  'items:', //                                                    3
  '  - apiVersion: v1', //                                        4
  '    kind: Namespace', //                                       5
  '    metadata: { name: payments }', //                          6
  '  - apiVersion: networking.k8s.io/v1', //                      7
  '    kind: NetworkPolicy', //                                   8
  '    metadata: { name: allow-dns, namespace: payments }', //    9
  '    spec:',
  '      podSelector: {}',
  '      policyTypes: [Egress]',
  '      egress:',
  '        - ports: [{ protocol: UDP, port: 53 }]',
  '  - apiVersion: example.com/v1', //                            15
  '    kind: Widget',
  '    metadata: { name: gizmo }',
  '  - 42', //                                                    18
  '',
].join('\n');

function withFile(name: string, text: string, body: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-loader-'));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    body(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('CLI input reading', () => {
  test('items of a kind: List carry their own line in findings and warnings', () => {
    expectValidManifests(parseYamlText(LIST, { expandLists: true }).entries.slice(0, 2).map((e) => e.value));
    withFile('list.yaml', LIST, (file) => {
      const r = cli('lint', file, '--cni', 'kubernetes');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`^${file}:7: error \\[dns-udp-only\\] NetworkPolicy payments/allow-dns `, 'm'));
      expect(r.stderr).toBe([
        `warning: ${file}: line 18: not a Kubernetes object (no kind), document skipped`,
        `warning: ${file}: line 15: unknown kind Widget 'gizmo' (apiVersion example.com/v1), ignored`,
        '',
      ].join('\n'));
    });
  });

  test('a scalar document is reported with its line and skipped', () => {
    withFile('scalar.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\njust a string\n', (file) => {
      const r = cli('lint', file);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`warning: ${file}: line 5: not a Kubernetes object (no kind), document skipped\n`);
    });
  });

  test('an alias bomb is a warning (the run is undecided); the other documents are analyzed', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    withFile('bomb.yaml', `apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\n${bomb}\n`, (file) => {
      const r = cli('lint', file);
      expect(r.code).toBe(4);
      expect(r.stderr).toBe(`warning: ${file}: line 5: invalid YAML, document skipped: `
        + 'Excessive alias count indicates a resource exhaustion attack; any policy in it is not linted, so the lint cannot vouch for it (the run is undecided: exit 4 unless something fails)\n');
    });
  });

  // kubectl decodes any object with an `items` field as a list (apimachinery unstructuredJSONScheme)
  // and applies its items; the items of a typed list without kind and apiVersion take the list's
  // apiVersion and its kind without the `List` suffix. Ignoring a NetworkPolicyList would fail open.
  const TYPED_LIST = [
    'apiVersion: v1', //                                            1
    'kind: Namespace',
    'metadata: { name: shop }',
    '---',
    'apiVersion: apps/v1', //                                       5
    'kind: Deployment',
    'metadata: { name: web, namespace: shop }',
    'spec:',
    '  selector: { matchLabels: { app: web } }',
    '  template:',
    '    metadata: { labels: { app: web } }',
    '    spec: { containers: [{ name: web, image: nginx, ports: [{ containerPort: 8080 }] }] }',
    '---',
    'apiVersion: networking.k8s.io/v1', //                          14
    'kind: NetworkPolicyList',
    'items:',
    '  - metadata: { name: deny-ingress, namespace: shop }', //     17: kind and apiVersion from the list
    '    spec: { podSelector: {}, policyTypes: [Ingress] }',
    '  - apiVersion: networking.k8s.io/v1', //                      19
    '    kind: NetworkPolicy',
    '    metadata: { name: allow-dns, namespace: shop }',
    '    spec:',
    '      podSelector: {}',
    '      policyTypes: [Egress]',
    '      egress: [{ ports: [{ protocol: UDP, port: 53 }] }]',
    '',
  ].join('\n');

  test('a typed list (kind: NetworkPolicyList) is expanded like kubectl does, not ignored (fail-open)', () => {
    expect(parseYamlText(TYPED_LIST, { expandLists: true }).entries.map((e) => [e.line, (e.value as any).kind, (e.value as any).apiVersion]))
      .toEqual([
        [1, 'Namespace', 'v1'],
        [5, 'Deployment', 'apps/v1'],
        [17, 'NetworkPolicy', 'networking.k8s.io/v1'],
        [19, 'NetworkPolicy', 'networking.k8s.io/v1'],
      ]);
    withFile('typed-list.yaml', TYPED_LIST, (file) => {
      const a = cli('analyze', file, '--cni', 'kubernetes');
      expect({ code: a.code, stderr: a.stderr }).toEqual({ code: 0, stderr: '' });
      expect(a.stdout).toMatch(/^shop\/web\s+shop\/web\s+TCP\/8080\s+deny$/m);
      const l = cli('lint', file, '--cni', 'kubernetes');
      expect(l.code).toBe(1);
      expect(l.stdout).toMatch(new RegExp(`^${file}:19: error \\[dns-udp-only\\] NetworkPolicy shop/allow-dns `, 'm'));
    });
  });

  test('an object with an items field that is not a list is left as it is; List items keep their own kind', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - metadata: { name: x }\n---\napiVersion: example.com/v1\nkind: WidgetList\nitems: 3\n';
    expect(parseYamlText(text, { expandLists: true }).entries.map((e) => [e.line, e.value])).toEqual([
      [4, { metadata: { name: 'x' } }],
      [6, { apiVersion: 'example.com/v1', kind: 'WidgetList', items: 3 }],
    ]);
  });

  // kubectl reads YAML with go-yaml (sigs.k8s.io/yaml), which resolves YAML 1.1 merge keys: `<<: *x`
  // copies the mapping x, and keys written next to it win. Read without merging, the policy below
  // has a label key '<<' and was left out as invalid; a default-deny written this way was dropped.
  const MERGE = [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata: { name: shop }',
    '---',
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: { <<: { namespace: shop }, name: deny-all }',
    'spec: { podSelector: {}, policyTypes: [Ingress] }',
    '---',
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: { name: web-to-db, namespace: shop }',
    'spec:',
    '  podSelector: { matchLabels: &db { app: db } }',
    '  policyTypes: [Ingress]',
    '  ingress:',
    '    - from: [{ podSelector: { matchLabels: { <<: *db, app: web } } }]',
    '      ports: [{ <<: &udp { protocol: UDP, port: 5432 }, protocol: TCP }]',
    '---',
  ].join('\n') + '\n' + ['web', 'db'].map((app) => [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${app}, namespace: shop }`,
    'spec:',
    `  selector: { matchLabels: { app: ${app} } }`,
    '  template:',
    `    metadata: { labels: { app: ${app} } }`,
    `    spec: { containers: [{ name: ${app}, image: nginx, ports: [{ containerPort: ${app === 'db' ? 5432 : 8080} }] }] }`,
  ].join('\n')).join('\n---\n') + '\n';

  test('YAML merge keys (<<) are resolved as kubectl resolves them; keys written beside them win', () => {
    const values = parseYamlText(MERGE, { expandLists: true }).entries.map((e) => e.value as any);
    expect(values[1].metadata).toEqual({ namespace: 'shop', name: 'deny-all' });
    expect(values[2].spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { app: 'web' } } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    }]);
    withFile('merge.yaml', MERGE, (file) => {
      const r = cli('analyze', file, '--cni', 'kubernetes');
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(r.stdout).toBe([
        'FROM      TO        PORT      VERDICT',
        'shop/db   shop/db   TCP/5432  deny',
        'shop/db   shop/web  TCP/8080  deny',
        'shop/web  shop/db   TCP/5432  allow',
        'shop/web  shop/web  TCP/8080  deny',
        '',
      ].join('\n'));
    });
  });

  // go-yaml (what kubectl parses with) is YAML 1.1: plain y/yes/on, n/no/off are booleans, and a
  // boolean label value makes the API server refuse the object. Read as YAML 1.2 strings, the policy
  // below counted as an allow that never exists.
  test('YAML 1.1 booleans (yes, on, ...) are booleans as kubectl reads them: a policy with `trusted: yes` in a selector is invalid', () => {
    expect(parseYamlText('a: [y, Yes, ON, n, No, OFF, "yes", true]\n').entries.map((e) => e.value))
      .toEqual([{ a: [true, true, true, false, false, false, 'yes', true] }]);
    const text = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: { name: deny-all, namespace: shop }',
      'spec: { podSelector: {}, policyTypes: [Ingress] }',
      '---',
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: { name: allow-trusted, namespace: shop }',
      'spec:',
      '  podSelector: {}',
      '  policyTypes: [Ingress]',
      '  ingress: [{ from: [{ podSelector: { matchLabels: { trusted: yes } } }] }]',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: client, namespace: shop, labels: { trusted: "yes" } }',
      'spec: { containers: [{ name: c, image: busybox, ports: [{ containerPort: 8080 }] }] }',
      '',
    ].join('\n');
    withFile('yes.yaml', text, (file) => {
      const r = cli('analyze', file, '--cni', 'kubernetes');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^shop\/client\s+shop\/client\s+TCP\/8080\s+deny$/m);
      expect(r.stderr).toMatch(/^note: NetworkPolicy shop\/allow-trusted is invalid and left out of the analysis .*spec\.ingress\[0\]\.from\[0\]\.podSelector\.matchLabels\.trusted: label values must be strings/m);
    });
  });

  // go-yaml v2 (sigs.k8s.io/yaml goyaml.v2/resolve.go) reads a plain scalar starting with a digit or a
  // sign with Go's strconv.ParseInt(s, 0, 64) after dropping `_`: a leading 0 is octal. YAML 1.2's core
  // schema reads `0123` as 123; the API server gets 83.
  test('YAML 1.1 integers as kubectl reads them: 0123 is octal 83, 0o17/0O17 15, 0X1F 31, 0b101 5, 1_000 1000; 08 and 0789 decimal', () => {
    expect(parseYamlText('a: [0123, 0o17, 0O17, 0755, -0755, +80, 08, 0789, 0x1F, 0X1F, 0b101, 1_000, 0_8, -0, 007, "0123", 0x, 1.5, 1e3]\n')
      .entries.map((e) => e.value))
      .toEqual([{ a: [83, 15, 15, 493, -493, 80, 8, 789, 31, 31, 5, 1000, 8, 0, 7, '0123', '0x', 1.5, 1000] }]);
    expect(Object.is((parseYamlText('a: -0\n').entries[0].value as any).a, 0)).toBe(true);
    const text = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata: { name: allow, namespace: shop }',
      'spec:',
      '  podSelector: {}',
      '  policyTypes: [Ingress]',
      '  ingress: [{ ports: [{ port: 0123 }] }]',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata: { name: web, namespace: shop }',
      'spec: { containers: [{ name: c, image: nginx, ports: [{ containerPort: 83 }, { containerPort: 123 }] }] }',
      '',
    ].join('\n');
    withFile('octal.yaml', text, (file) => {
      const r = cli('analyze', file, '--cni', 'kubernetes');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^shop\/web\s+shop\/web\s+TCP\/83\s+allow$/m);
      expect(r.stdout).toMatch(/^shop\/web\s+shop\/web\s+TCP\/123\s+deny$/m);
    });
  });

  // go-yaml v2 resolves a plain `2024-01-01` as a timestamp, but decoding into interface{} (what
  // sigs.k8s.io/yaml does before converting to JSON) keeps the scalar's original text "for backward
  // compatibility" (goyaml.v2 decode.go, `case reflect.Interface` with yaml_TIMESTAMP_TAG): the API
  // server gets the string as written, which is what YAML 1.2's core schema gives too.
  test('unquoted dates and timestamps stay the strings kubectl sends, as written', () => {
    expect(parseYamlText('a: [2024-01-01, 2001-12-14t21:59:43.10-05:00, 2001-12-14 21:59:43.10 -5, 2002-12-14]\n')
      .entries.map((e) => e.value))
      .toEqual([{ a: ['2024-01-01', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2002-12-14'] }]);
  });
});
