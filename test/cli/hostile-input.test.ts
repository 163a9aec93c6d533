/**
 * A GitOps pipeline runs the CLI on files someone else contributed. Special files, huge files,
 * symlinks out of the repository and pathological YAML must end in a clear message and exit code 2,
 * never in a hang, a crash or gigabytes of memory. Every case creates its special file in a fresh
 * temporary directory (FIFOs and /dev/zero exist on Linux, where this suite runs).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES, cli } from './support';
import { ReadBudget, readRegularFile } from '../../src/util/input-files';
import { printable } from '../../src/util/printable';
import { parseYamlText } from '../../src/util/yaml-documents';

const WORKLOADS = fs.readFileSync(path.join(FIXTURES, 'app', 'workloads.yaml'), 'utf-8');

/** A temporary directory holding `repo/workloads.yaml` (the scanned tree) and `elsewhere/` (outside it). */
function withRepo(body: (repo: string, elsewhere: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-hostile-'));
  try {
    const repo = path.join(dir, 'repo');
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(repo);
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(repo, 'workloads.yaml'), WORKLOADS);
    body(repo, elsewhere);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

describe('special files are refused, not read', () => {
  test('a FIFO named *.yaml in a scanned directory: exit 2 at once, naming it (reading it would wait forever)', () => {
    withRepo((repo) => {
      mkfifo(path.join(repo, 'pipe.yaml'));
      for (const command of [['lint'], ['analyze', '--cni', 'kubernetes']]) {
        const r = cli(command[0], repo, ...command.slice(1));
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`error: cannot read an input file, so nothing is checked:\n  ${repo}/pipe.yaml: `
          + 'not a regular file (a FIFO): only regular files are read\n');
      }
    });
  });

  test('a FIFO named on the command line or given to --expect', () => {
    withRepo((repo) => {
      const fifo = path.join(repo, 'expect.yaml');
      mkfifo(fifo);
      const named = cli('lint', fifo);
      expect(named.code).toBe(2);
      expect(named.stderr).toContain(`${fifo}: not a regular file (a FIFO)`);
      const expect_ = cli('analyze', path.join(repo, 'workloads.yaml'), '--cni', 'kubernetes', '--expect', fifo);
      expect(expect_.code).toBe(2);
      expect(expect_.stderr).toBe(`error: cannot read expectations file ${fifo}: not a regular file (a FIFO): only regular files are read\n`);
    });
  });

  test('lint /dev/zero, and a *.yaml symlink to /dev/zero named on the command line, are refused (no endless read)', () => {
    const dev = cli('lint', '/dev/zero');
    expect(dev.code).toBe(2);
    expect(dev.stderr).toBe('error: cannot read an input file, so nothing is checked:\n'
      + '  /dev/zero: not a regular file (a character device): only regular files are read\n');
    withRepo((repo) => {
      fs.symlinkSync('/dev/zero', path.join(repo, 'zero.yaml'));
      const r = cli('lint', path.join(repo, 'zero.yaml'));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${repo}/zero.yaml: not a regular file (a character device)`);
    });
  });

  test('a *.yaml symlink to /dev/zero inside a scanned directory: out of the tree, and a device even when followed', () => {
    withRepo((repo) => {
      fs.symlinkSync('/dev/zero', path.join(repo, 'zero.yaml'));
      const r = cli('analyze', repo, '--cni', 'kubernetes');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${repo}/zero.yaml: symlink to /dev/zero, outside ${fs.realpathSync(repo)}: not followed `
        + '(--follow-symlinks follows it; or name the target on the command line)');
      const followed = cli('analyze', repo, '--cni', 'kubernetes', '--follow-symlinks');
      expect(followed.code).toBe(2);
      expect(followed.stderr).toContain(`${repo}/zero.yaml: not a regular file (a character device)`);
    });
  });
});

describe('symlinks stay inside the directories given unless --follow-symlinks', () => {
  test('a symlink to a file or directory outside the tree is an error; --follow-symlinks or naming the target reads it', () => {
    withRepo((repo, elsewhere) => {
      fs.writeFileSync(path.join(elsewhere, 'extra.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: { name: extra }\n');
      fs.symlinkSync(path.join(elsewhere, 'extra.yaml'), path.join(repo, 'extra.yaml'));
      fs.symlinkSync(elsewhere, path.join(repo, 'shared'));
      const refused = cli('lint', repo);
      expect(refused.code).toBe(2);
      const real = fs.realpathSync(elsewhere);
      const root = fs.realpathSync(repo);
      expect(refused.stderr).toBe('error: cannot read 2 input files, so nothing is checked:\n'
        + `  ${repo}/extra.yaml: symlink to ${real}/extra.yaml, outside ${root}: not followed (--follow-symlinks follows it; or name the target on the command line)\n`
        + `  ${repo}/shared: symlink to ${real}, outside ${root}: not followed (--follow-symlinks follows it; or name the target on the command line)\n`);
      const followed = cli('analyze', repo, '--cni', 'flannel', '--format', 'json', '--follow-symlinks');
      expect(followed.code).toBe(0);
      expect(followed.stderr).toBe('');
      // extra.yaml is read once, although both the symlink and the linked directory reach it.
      const doc = JSON.parse(followed.stdout);
      expect(doc.endpoints).toEqual(['backend/api', 'data/db', 'frontend/web']);
      expect(doc.warnings).toEqual([]);
      expect(cli('lint', repo, elsewhere).code).toBe(2);
      expect(cli('lint', path.join(repo, 'workloads.yaml'), path.join(repo, 'extra.yaml')).code).toBe(0);
    });
  });

  test('symlinks inside the tree are followed (each real file once)', () => {
    withRepo((repo) => {
      fs.mkdirSync(path.join(repo, 'sub'));
      fs.symlinkSync('../workloads.yaml', path.join(repo, 'sub', 'again.yaml'));
      const r = cli('analyze', repo, '--cni', 'kubernetes', '--format', 'json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).endpoints).toEqual(['backend/api', 'data/db', 'frontend/web']);
    });
  });
});

describe('size limits', () => {
  test('a file over the 32 MiB default is refused without being read (a sparse 40 MiB file)', () => {
    withRepo((repo) => {
      const big = path.join(repo, 'big.yaml');
      fs.writeFileSync(big, '');
      fs.truncateSync(big, 40 * 1024 * 1024);
      const r = cli('lint', repo);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${repo}/big.yaml: 40 MiB, more than the limit of 32 MiB per file (raise --max-file-size to read it)`);
    });
  });

  test('--max-file-size and --max-total-size are enforced per file and over all files', () => {
    withRepo((repo) => {
      fs.writeFileSync(path.join(repo, 'more.yaml'), WORKLOADS);
      const size = Buffer.byteLength(WORKLOADS);
      const small = cli('lint', repo, '--max-file-size', String(size - 1));
      expect(small.code).toBe(2);
      expect(small.stderr).toContain(`${repo}/more.yaml: ${(size / 1024).toFixed(1).replace(/\.0$/, '')} KiB, more than the limit of`);
      expect(small.stderr).toContain(`${repo}/workloads.yaml: `);
      expect(cli('lint', repo, '--max-file-size', String(size)).code).toBe(0);
      // Two files of `size` bytes: the second passes a total of 1.5 files.
      const total = cli('lint', repo, '--max-total-size', String(Math.floor(size * 1.5)));
      expect(total.code).toBe(2);
      expect(total.stderr).toMatch(/ {2}\S+\/workloads\.yaml: .*: reading it would pass the limit of .* for all files together \(raise --max-total-size to read it\)$/m);
      expect(total.stderr).not.toContain('more.yaml');
      expect(cli('lint', repo, '--max-total-size', String(2 * size)).code).toBe(0);
    });
  });

  test('--expect is held to --max-file-size too', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'expectations.yaml', '--max-file-size', '100');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read expectations file expectations\.yaml: .* more than the limit of 100 bytes per file \(raise --max-file-size to read it\)\n$/);
  });

  test('size flags take bytes with binary units; anything else is a usage error', () => {
    expect(cli('lint', 'app', '--max-file-size', '64K').code).toBe(0);
    expect(cli('lint', 'app', '--max-total-size', '1GiB').code).toBe(0);
    for (const bad of ['0', '-1', '12MB', 'lots', '1.5M']) {
      const r = cli('lint', 'app', `--max-file-size=${bad}`);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(`error: --max-file-size: invalid size '${bad}': expected a number of bytes, `
        + 'optionally with K, M or G (KiB, MiB, GiB), e.g. 64M');
    }
  });

  test('the limit holds for files whose size stat does not know (/proc reports 0 bytes)', () => {
    const status = readRegularFile('/proc/self/status', new ReadBudget());
    expect('text' in status && status.text).toMatch(/^Name:/);
    const capped = readRegularFile('/proc/self/status', new ReadBudget({ maxFileBytes: 16 }));
    expect(capped).toEqual({ error: { kind: 'too-large', message: 'more than 16 bytes, more than the limit of 16 bytes per file' } });
  });
});

describe('pathological YAML', () => {
  /** A flow mapping of `n` keys `k0: 0, k1: 1, ...`, optionally repeating one key at the end. */
  const flowMapping = (n: number, duplicate?: string) =>
    `{${Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join(', ')}${duplicate !== undefined ? `, ${duplicate}: again` : ''}}`;

  test('a flow mapping of 64k keys parses in linear time (the quadratic unique-key check took 31 s)', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: big, namespace: shop }\ndata: ${flowMapping(65536)}\n`;
    const start = process.cpuUsage();
    const parsed = parseYamlText(text);
    const used = process.cpuUsage(start);
    expect(Object.keys((parsed.entries[0].value as any).data)).toHaveLength(65536);
    // A generous bound against the quadratic check (tens of seconds); linear parsing takes well under 2 s.
    expect((used.user + used.system) / 1e6).toBeLessThan(10);
  });

  test('duplicate keys are still found, with their line, in flow and block mappings', () => {
    const flow = parseYamlText(`a: 1\n---\nkind: ConfigMap\ndata: ${flowMapping(1000, 'k500')}\n`);
    expect(flow.entries[1]).toEqual({ document: 1, line: 4, error: expect.stringMatching(/^Map keys must be unique at line 4, column \d+$/) });
    const block = parseYamlText('kind: ConfigMap\nmetadata:\n  name: a\n  labels: { x: "1" }\n  name: b\n');
    expect(block.entries).toEqual([{ document: 0, line: 5, error: 'Map keys must be unique at line 5, column 3' }]);
    // The first duplicate in the text, even when a later mapping holds one at a shallower level.
    expect(parseYamlText('a:\n  b: 1\n  b: 2\nc: 1\nc: 2\n').entries[0].error).toBe('Map keys must be unique at line 3, column 3');
    // Equal scalars of different types are different keys, as in the yaml library: 1 and "1".
    expect(parseYamlText('{1: a, "1": b}').entries[0].value).toEqual({ 1: 'b' });
  });

  test('a duplicate key in the expectations file is an error with its line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-dup-'));
    try {
      fs.writeFileSync(path.join(dir, 'e.yaml'), 'expect:\n  - from: node\n    to: node\n    port: 80\n    port: 81\n    allowed: true\n');
      const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', path.join(dir, 'e.yaml'));
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: ${path.join(dir, 'e.yaml')}: line 5: invalid YAML: Map keys must be unique\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('binary input and deep nesting are skipped documents (warnings; the invalid one leaves the run undecided), not crashes', () => {
    withRepo((repo) => {
      fs.writeFileSync(path.join(repo, 'binary.yaml'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
      fs.writeFileSync(path.join(repo, 'deep.yaml'), `${'['.repeat(100000)}${']'.repeat(100000)}\n`);
      const r = cli('lint', repo);
      expect(r.code).toBe(4);
      // The bytes happen to form one plain scalar; the nesting overflows the parser's stack.
      const [binary, deep, ...rest] = r.stderr.split('\n');
      expect(binary).toBe(`warning: ${repo}/binary.yaml: line 1: not a Kubernetes object (no kind), document skipped`);
      // The column is where the stack ran out, which depends on the stack's size.
      expect(deep).toMatch(/^warning: \S+\/deep\.yaml: line 1: invalid YAML, document skipped: Maximum call stack size exceeded at line 1, column \d+; any policy in it is not linted, /);
      expect(rest).toEqual(['']);
    });
  });
});

describe('names with control characters', () => {
  test('a workload whose name the API server refuses is left out, and the note escapes the name: nothing reaches the terminal raw', () => {
    withRepo((repo) => {
      const file = path.join(repo, 'd.yaml');
      fs.writeFileSync(file, [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: "a\\nb\\u001b[31m", namespace: shop }',
        'spec:',
        '  selector: { matchLabels: { app: web } }',
        '  template:',
        '    metadata: { labels: { app: web } }',
        '    spec: { containers: [ { name: c, image: x, ports: [ { containerPort: 80 } ] } ] }',
        '',
      ].join('\n'));
      for (const format of ['table', 'mermaid', 'json']) {
        const r = cli('analyze', file, '--cni', 'kubernetes', '--format', format);
        expect(r.code).toBe(0);
        expect(`${r.stdout}${r.stderr}`).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
        expect(r.stderr).toContain('Deployment shop/a\\u000ab\\u001b[31m is invalid and left out of the analysis (the API server rejects it, so it '
          + 'never takes effect): metadata.name: "a\\nb\\u001b[31m" is not a DNS subdomain');
      }
      expect(cli('analyze', file, '--cni', 'kubernetes').stdout).toBe('FROM  TO  PORT  VERDICT\n');
    });
  });

  test('printable() escapes control characters and line separators as \\uXXXX, and leaves other text alone', () => {
    expect(printable('shop/a\nb\u001b[31m\u2028é')).toBe('shop/a\\u000ab\\u001b[31m\\u2028é');
  });
});
