import { spawnSync } from 'child_process';
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
});
