import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Reachability } from '../../src/analysis/reachability';
import { Cni } from '../../src/cluster/cni';
import { walkFiles } from '../../src/util/input-files';
import { isYamlFileName, parseYamlText, readYamlFiles } from '../../src/util/yaml-documents';
import { expectValidManifests } from '../support/schema';

// Nine aliases of nine aliases of nine: 9 + 81 + 729 expansions, far past yaml's maxAliasCount of 100
// (https://eemeli.org/yaml/#tojs-options), which exists to stop exactly this "billion laughs" shape.
const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
].join('\n');

const DEPLOYMENT = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: { name: web, namespace: shop }',
  'spec:',
  '  selector: { matchLabels: { app: web } }',
  '  template:',
  '    metadata: { labels: { app: web } }',
  '    spec: { containers: [{ name: web, image: nginx }] }',
].join('\n');

// A `kubectl get -o yaml` style List: the Namespace item starts on line 4, the Deployment on line 7.
const LIST = [
  'apiVersion: v1', //                         1
  'kind: List', //                             2
  'items:', //                                 3
  '  - apiVersion: v1', //                     4
  '    kind: Namespace', //                    5
  '    metadata: { name: shop }', //           6
  '  - apiVersion: apps/v1', //                7
  '    kind: Deployment', //                   8
  '    metadata: { name: web, namespace: shop }', // 9
  '    spec:', //                              10
  '      selector: { matchLabels: { app: web } }',
  '      template:',
  '        metadata: { labels: { app: web } }',
  '        spec: { containers: [{ name: web, image: nginx }] }',
].join('\n');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-documents-'));
}

describe('parseYamlText', () => {
  test('an alias bomb becomes an error entry, never a throw; the other documents are kept', () => {
    const parsed = parseYamlText(`${ALIAS_BOMB}\n---\n${DEPLOYMENT}\n`);
    expect(parsed.documentCount).toBe(2);
    expect(parsed.entries).toHaveLength(2);
    expect(parsed.entries[0]).toEqual({ document: 0, line: 1, error: 'Excessive alias count indicates a resource exhaustion attack' });
    expect(parsed.entries[1]).toMatchObject({ document: 1, line: 6, value: { kind: 'Deployment' } });
  });

  test('a few aliases (below the limit) are expanded', () => {
    const parsed = parseYamlText('a: &a {x: 1}\nb: *a\n');
    expect(parsed.entries).toEqual([{ document: 0, line: 1, value: { a: { x: 1 }, b: { x: 1 } } }]);
  });

  test('kind: List items get the lines where they start; without expandLists the List stays one value', () => {
    const expanded = parseYamlText(LIST, { expandLists: true });
    expect(expanded.entries.map((e) => [e.document, e.line, (e.value as any).kind])).toEqual([
      [0, 4, 'Namespace'],
      [0, 7, 'Deployment'],
    ]);
    expectValidManifests(expanded.entries.map((e) => e.value));
    const kept = parseYamlText(LIST);
    expect(kept.entries.map((e) => [e.line, (e.value as any).kind])).toEqual([[1, 'List']]);
  });

  test('nested Lists and aliased items resolve to the lines of the nodes they stand for', () => {
    const text = [
      'kind: List', //                           1
      'items:', //                               2
      '  - kind: List', //                       3
      '    items:', //                           4
      '      - &ns {kind: Namespace, apiVersion: v1, metadata: {name: a}}', // 5
      '  - *ns', //                              6
    ].join('\n');
    const entries = parseYamlText(text, { expandLists: true }).entries;
    // The alias item reports the line of its anchor's node.
    expect(entries.map((e) => e.line)).toEqual([5, 5]);
  });

  test('scalars and empty documents: scalars are values, empty documents are left out but counted', () => {
    const parsed = parseYamlText('just a string\n---\n# only a comment\n---\n42\n');
    expect(parsed.documentCount).toBe(3);
    expect(parsed.entries).toEqual([
      { document: 0, line: 1, value: 'just a string' },
      { document: 2, line: 5, value: 42 },
    ]);
  });

  test('firstLine shifts document and error lines (YAML embedded in Markdown)', () => {
    const parsed = parseYamlText('a: 1\n---\nb: c: d\nx: 1\n', { firstLine: 10 });
    expect(parsed.entries[0]).toEqual({ document: 0, line: 10, value: { a: 1 } });
    // The error message's line is the source's too (a warning `file: line 12: ... at line 3` would point at two places);
    // its column stays the text's; its trailing colon is dropped.
    expect(parsed.entries[1]).toEqual({ document: 1, line: 12, error: 'Nested mappings are not allowed in compact mappings at line 12, column 4' });
  });

  test('empty text: no entries, counted as one document', () => {
    expect(parseYamlText('')).toEqual({ entries: [], documentCount: 1 });
  });
});

describe('walkFiles', () => {
  test('a symlink loop ends, each real file is listed once, missing named paths are marked', () => {
    const dir = tempDir();
    try {
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'sub', 'a.yaml'), DEPLOYMENT);
      fs.writeFileSync(path.join(dir, 'sub', 'notes.txt'), 'not yaml');
      fs.symlinkSync('..', path.join(dir, 'sub', 'up')); // dir/sub/up -> dir
      fs.symlinkSync('sub/a.yaml', path.join(dir, 'b.yml'));
      fs.symlinkSync('nowhere.yaml', path.join(dir, 'dangling.yaml'));
      const entries = walkFiles(['.', 'sub/a.yaml', 'gone.yaml'], dir, { select: isYamlFileName });
      const real = fs.realpathSync(dir);
      expect(entries.map((e) => ({ ...e, error: e.error && { kind: e.error.kind, message: e.error.message.split(':')[0] } }))).toEqual([
        // b.yml is the first path to reach sub/a.yaml (sorted order), so sub/a.yaml is skipped.
        { path: 'b.yml', absolute: path.join(real, 'sub', 'a.yaml'), error: undefined },
        { path: 'dangling.yaml', absolute: path.join(real, 'dangling.yaml'), error: { kind: 'io', message: 'ENOENT' } },
        { path: 'gone.yaml', absolute: path.join(dir, 'gone.yaml'), error: { kind: 'missing', message: 'no such file or directory' } },
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readYamlFiles: the Markdown modes of the one reader', () => {
  const NOTES = '# Runbook\n\nkind: not yaml: [\n';
  function withTree(run: (dir: string) => void): void {
    const dir = tempDir();
    try {
      fs.mkdirSync(path.join(dir, 'docs'));
      fs.writeFileSync(path.join(dir, 'docs', 'notes.md'), NOTES);
      fs.writeFileSync(path.join(dir, 'web.yaml'), DEPLOYMENT);
      run(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const shape = (files: ReturnType<typeof readYamlFiles>) => files.map((f) => ({
    path: f.path, kinds: f.entries?.map((e) => (e.value as any)?.kind ?? 'error'), markdown: f.markdown, error: f.error?.kind,
  }));

  test('search: directories are searched for Markdown too, kept as text in sorted order', () => withTree((dir) => {
    expect(shape(readYamlFiles(['.'], dir, { markdown: 'search' }))).toEqual([
      { path: 'docs/notes.md', kinds: undefined, markdown: NOTES, error: undefined },
      { path: 'web.yaml', kinds: ['Deployment'], markdown: undefined, error: undefined },
    ]);
  }));

  test('named: only a named Markdown file is read as Markdown; directories give YAML only', () => withTree((dir) => {
    expect(shape(readYamlFiles(['.', 'docs/notes.md'], dir, { markdown: 'named' }))).toEqual([
      { path: 'web.yaml', kinds: ['Deployment'], markdown: undefined, error: undefined },
      { path: 'docs/notes.md', kinds: undefined, markdown: NOTES, error: undefined },
    ]);
  }));

  test('refuse: a named Markdown file is an error before it is read (no size limit applies, no budget spent)', () => withTree((dir) => {
    const files = readYamlFiles(['docs/notes.md', 'web.yaml'], dir, { markdown: 'refuse', maxTotalBytes: DEPLOYMENT.length });
    expect(files).toEqual([
      { path: 'docs/notes.md', error: { kind: 'refused', message: 'a Markdown file' } },
      { path: 'web.yaml', entries: [expect.objectContaining({ document: 0, line: 1 })] },
    ]);
  }));

  test('no mode (Reachability.fromYamlFiles): a named Markdown file is parsed as YAML', () => withTree((dir) => {
    expect(shape(readYamlFiles(['docs/notes.md'], dir))).toEqual([
      { path: 'docs/notes.md', kinds: ['error'], markdown: undefined, error: undefined },
    ]);
  }));
});

describe('Reachability.fromYamlFiles uses the same reader', () => {
  const cni = Cni.kubernetes();

  test('an alias bomb is a problem, not a throw, and the rest is analyzed', () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'bomb.yaml'), `${DEPLOYMENT}\n---\n${ALIAS_BOMB}\n`);
      const reach = Reachability.fromYamlFiles([dir], { cni });
      expect(reach.problems).toEqual([
        `${dir}/bomb.yaml: document 2: invalid YAML at line 10: Excessive alias count indicates a resource exhaustion attack`,
      ]);
      expect(reach.endpoints).toEqual(['shop/web']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a symlink loop is walked once', () => {
    const dir = tempDir();
    try {
      fs.mkdirSync(path.join(dir, 'sub'));
      fs.writeFileSync(path.join(dir, 'sub', 'web.yaml'), DEPLOYMENT);
      fs.symlinkSync('..', path.join(dir, 'sub', 'loop'));
      const reach = Reachability.fromYamlFiles([dir, path.join(dir, 'sub')], { cni });
      expect(reach.problems).toEqual([]);
      expect(reach.endpoints).toEqual(['shop/web']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('List items are analyzed; scalar and kind-less documents are reported with their lines', () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'list.yaml'), `${LIST}\n---\nhello\n---\n{ metadata: { name: x } }\n`);
      const reach = Reachability.fromYamlFiles([dir], { cni });
      expect(reach.endpoints).toEqual(['shop/web']);
      expect(reach.problems).toEqual([
        `${dir}/list.yaml: document 2: not a Kubernetes object (no kind) at line 16, skipped`,
        `${dir}/list.yaml: document 3: not a Kubernetes object (no kind) at line 18, skipped`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
