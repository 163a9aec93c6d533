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
});
