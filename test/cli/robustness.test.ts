/**
 * `run()` never throws: an object the analyzer cannot evaluate is a warning, a reader that goes away
 * ends the report with the exit code already decided, and anything unexpected is an internal error
 * (exit 3) with a message instead of a stack trace.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FIXTURES, cli, row } from './support';
import { analyzeManifests, findCulprits } from '../../src/cli/analysis';
import { OutputClosedError } from '../../src/cli/output';
import { EXIT_INTERNAL, run } from '../../src/cli/run';
import { Cni } from '../../src/cluster/cni';

/**
 * A Calico GlobalNetworkPolicy whose `destination.nets` is a string instead of a list: the API
 * server rejects it (projectcalico.org/v3 `nets` is `[]string`), and the analyzer must not crash on it.
 */
const BAD_GNP = [
  'apiVersion: projectcalico.org/v3',
  'kind: GlobalNetworkPolicy',
  'metadata:',
  '  name: deny-private',
  'spec:',
  '  selector: all()',
  '  types: [Egress]',
  '  egress:',
  '    - action: Deny',
  '      destination:',
  '        nets: "10.0.0.0/8"',
  '    - action: Allow',
  '',
].join('\n');

function withDir(files: Record<string, string>, body: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-robust-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('a wrongly typed field does not crash the CLI', () => {
  const workloads = fs.readFileSync(path.join(FIXTURES, 'app', 'workloads.yaml'), 'utf-8');

  test('nets: "10.0.0.0/8" in a GlobalNetworkPolicy: reported, never a stack trace or exit 3', () => {
    withDir({ 'workloads.yaml': workloads, 'gnp.yaml': BAD_GNP }, (dir) => {
      for (const format of ['table', 'json', 'mermaid']) {
        const r = cli('analyze', dir, '--cni', 'calico', '--format', format);
        expect(r.code).toBe(0);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.stderr).not.toMatch(/internal error/);
        // The analyzer reports the object (as a note) or the CLI leaves it out (as a warning).
        expect(r.stderr).toMatch(/GlobalNetworkPolicy deny-private/);
      }
      // The other objects are analyzed: under the Allow rule (or without the rejected policy) web reaches db.
      const table = cli('analyze', dir, '--cni', 'calico');
      expect(table.stdout).toMatch(row('frontend/web', 'data/db', 'TCP/5432', 'allow'));
      const lint = cli('lint', dir, '--cni', 'calico');
      expect(lint.stderr).not.toMatch(/^\s+at /m);
      expect([0, 1]).toContain(lint.code);
    });
  });
});

describe('the CLI leaves out an object the analyzer throws on, whatever the analyzer does', () => {
  test('an object whose metadata throws when read: one warning naming it, the rest analyzed', () => {
    const deployment = (name: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ports: [{ containerPort: 80 }] }] } },
      },
    });
    const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {} } };
    // Reading `metadata` throws: no YAML produces this, so it stands for any input the analyzer has a bug on.
    const hostile: any = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {} } };
    Object.defineProperty(hostile, 'metadata', { enumerable: true, get: () => { throw new TypeError('metadata exploded'); } });
    const manifests = [deployment('web'), deployment('db'), hostile, denyAll].map((obj, i) => ({ obj, file: 'm.yaml', line: 1 + 10 * i }));
    const analysis = analyzeManifests({ manifests, cni: Cni.kubernetes(), ports: [] });
    // The object cannot even be named (its metadata throws): it is named by its place in the input.
    expect(analysis.leftOut).toEqual(['m.yaml: line 21: document 3 of the input: cannot be analyzed (TypeError: metadata exploded), '
      + 'left out of the analysis (the API server rejects such an object; if it accepts this one, please report it)']);
    // The default deny is still there: nothing reaches anything.
    expect(analysis.matrix.summary).toMatchObject({ flows: 4, allowed: 0, denied: 4, indeterminate: 0 });
  });
});

describe('findCulprits', () => {
  /** `fails` for a set of indices, counting its calls. */
  function predicate(failsIf: (set: Set<number>) => boolean) {
    const calls: number[][] = [];
    return {
      calls,
      fails: (indices: readonly number[]) => {
        calls.push([...indices]);
        return failsIf(new Set(indices));
      },
    };
  }
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  test('one bad object among 1,000 is found in about 2 log2(n) analyses', () => {
    const p = predicate((s) => s.has(613));
    expect(findCulprits(range(1000), [], p.fails)).toEqual([613]);
    expect(p.calls.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
  });

  test('several independent bad objects are all found', () => {
    const p = predicate((s) => s.has(3) || s.has(70) || s.has(71));
    expect(findCulprits(range(100), [], p.fails).sort((a, b) => a - b)).toEqual([3, 70, 71]);
  });

  test('objects that fail only together: one of them is left out, which is enough', () => {
    const p = predicate((s) => s.has(10) && s.has(90));
    const culprits = findCulprits(range(100), [], p.fails);
    expect(culprits).toEqual([90]);
    expect(p.fails(range(100).filter((i) => !culprits.includes(i)))).toBe(false);
  });
});

describe('run() never throws', () => {
  test('an unexpected error is an internal error: exit 3 with a message, no stack trace', () => {
    let stderr = '';
    const code = run(['analyze', 'app', '--cni', 'kubernetes'], {
      cwd: FIXTURES,
      stdout: () => {
        throw new TypeError('disk on fire');
      },
      stderr: (s) => {
        stderr += s;
      },
    });
    expect(code).toBe(EXIT_INTERNAL);
    expect(code).toBe(3);
    expect(stderr).toBe('internal error: TypeError: disk on fire\nThis is a bug in cdk8s-networking: please report it with the input '
      + 'that causes it (CDK8S_NETWORKING_DEBUG=1 prints the stack trace).\n');
  });

  test('even when stderr fails too, run() returns an exit code', () => {
    const fail = () => {
      throw new Error('gone');
    };
    expect(run(['analyze', 'app', '--cni', 'kubernetes'], { cwd: FIXTURES, stdout: fail, stderr: fail })).toBe(3);
    expect(run(['analyze', 'app'], { cwd: FIXTURES, stdout: fail, stderr: fail })).toBe(2);
  });

  test('a reader that goes away ends the report with the exit code already decided', () => {
    for (const [args, code] of [
      [['analyze', 'app', '--cni', 'kubernetes', '--expect', 'expectations.yaml'], 1],
      [['analyze', 'app', '--cni', 'kubernetes', '--format', 'json'], 0],
      [['lint', 'seed'], 1],
    ] as Array<[string[], number]>) {
      let calls = 0;
      const r = run(args, {
        cwd: FIXTURES,
        stdout: () => {
          calls++;
          throw new OutputClosedError();
        },
        stderr: () => undefined,
      });
      expect({ args, code: r, calls }).toEqual({ args, code, calls: 1 });
    }
  });
});
