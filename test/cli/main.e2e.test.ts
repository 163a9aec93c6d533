import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** Run src/cli/main.ts in a fresh node process, as the installed `cdk8s-networking` binary would run lib/cli/main.js. */
function main(...args: string[]) {
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json' },
    encoding: 'utf-8',
    timeout: 60_000,
  });
}

describe('main.ts entry point', () => {
  test('--help exits 0 with the usage on stdout', () => {
    const r = main('--help');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage:/);
  });

  test('the exit code of run() becomes the process exit code', () => {
    const r = main('analyze', 'test/cli/fixtures/app', '--cni', 'kubernetes', '--expect', 'test/cli/fixtures/expectations.yaml');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL /m);
    expect(main('analyze', 'test/cli/fixtures/app').status).toBe(2);
  });

  test('a reader that closes the pipe early (| head) ends the run quietly with the decided exit code', () => {
    // 60 workloads, nothing enforced: 3,600 flows, about 300 KB of JSON, more than a pipe holds.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-pipe-'));
    try {
      const docs = Array.from({ length: 60 }, (_, i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: w${i}, namespace: big }\n`
        + `spec:\n  selector: { matchLabels: { app: w${i} } }\n  template:\n    metadata: { labels: { app: w${i} } }\n`
        + '    spec: { containers: [{ name: c, image: nginx, ports: [{ containerPort: 8080 }] }] }\n');
      fs.writeFileSync(path.join(dir, 'all.yaml'), docs.join('---\n'));
      const script = 'node -r ts-node/register/transpile-only src/cli/main.ts analyze "$1" --cni flannel --format json | head -c 100 >/dev/null; '
        + 'echo "status ${PIPESTATUS[0]}"';
      const r = spawnSync('bash', ['-c', script, 'bash', dir], {
        cwd: ROOT,
        env: { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json' },
        encoding: 'utf-8',
        timeout: 60_000,
      });
      expect(r.stdout).toBe('status 0\n');
      // Nothing on stderr: no EPIPE error, no stack trace.
      expect(r.stderr).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
