/**
 * The install story, proved: a separate cdk8s app (test/consumer/app, main.ts taken from the README's
 * example, the tsconfig and jest config `cdk8s init typescript-app` generates) installs the packed
 * library tarball (`npm run pack:tarball`, which `npm test` runs first) with its peers, then runs
 * `tsc`, `cdk8s synth` with the validation plugin, and its own jest tests.
 *
 * Offline and deterministic: the peers are packed from this repository's node_modules (the exact
 * versions the library is tested with) and installed with `npm install --offline`; the app's tools
 * (cdk8s-cli, jest, ts-jest, ts-node, typescript, type packages) are linked from node_modules, since
 * they are the same whichever copy runs them.
 */
import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readmeBlock, runReadmeProgram } from '../support/readme';
import { validYaml } from '../support/synth';

const ROOT = path.resolve(__dirname, '..', '..');
const APP_TEMPLATE = path.join(__dirname, 'app');
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const TARBALL = path.join(ROOT, 'dist', 'tarball', `cdk8s-networking-${VERSION}.tgz`);

/** A package directory as this repository resolves it (`from`: resolve as that package does). */
function packageDir(name: string, from: string = ROOT): string {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [from] }));
}

/** Newest modification time of the files under `dir` that end with `ext`. */
function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** `cdk8s synth` colours rule names; the assertions read plain text. */
function plain(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}

let tmp: string;
let app: string;
let env: NodeJS.ProcessEnv;

/** Run a command in the app with a user's environment (no npm_* or JEST_* variables from this run). */
function sh(command: string, args: string[]): { status: number | null; output: string } {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, { cwd: app, env, encoding: 'utf8', timeout: 240_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: plain(`${result.stdout}\n${result.stderr}`) };
}

/** Run a command that must succeed; its output otherwise becomes the failure message. */
function ok(command: string, args: string[]): string {
  const result = sh(command, args);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}:\n${result.output}`);
  return result.output;
}

beforeAll(() => {
  if (!fs.existsSync(TARBALL)) {
    throw new Error(`${path.relative(ROOT, TARBALL)} is missing: run \`npm run pack:tarball\` (npm test does it first)`);
  }
  if (fs.statSync(TARBALL).mtimeMs < newestMtime(path.join(ROOT, 'src'), '.ts')) {
    throw new Error(`${path.relative(ROOT, TARBALL)} is older than src/: run \`npm run pack:tarball\` (npm test does it first)`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-consumer-'));
  app = path.join(tmp, 'app');
  fs.cpSync(APP_TEMPLATE, app, { recursive: true });
  fs.writeFileSync(path.join(app, 'main.ts'), readmeBlock('Example'));
  // The compiler and jest settings a fresh `cdk8s init typescript-app` writes (strict, lib es2016, no skipLibCheck).
  const template = path.join(packageDir('cdk8s-cli'), 'templates', 'typescript-app');
  for (const file of ['tsconfig.json', 'jest.config.js']) fs.copyFileSync(path.join(template, file), path.join(app, file));
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'platform', version: '1.0.0', private: true, scripts: { synth: 'cdk8s synth', test: 'jest' },
  }, null, 2));

  env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|JEST_|TS_NODE_)/i.test(k)));
  env.PATH = `${path.join(app, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`;
  env.FORCE_COLOR = '0';

  // The library and its peers, as tarballs; cdk8s-plus-33 is what `cdk8s init` puts in a new app.
  const pkgs = path.join(tmp, 'packages');
  fs.mkdirSync(pkgs);
  const peers = [packageDir('cdk8s'), packageDir('constructs'), packageDir('cdk8s-plus-27'), packageDir('cdk8s-plus-33', packageDir('cdk8s-cli'))];
  ok('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', pkgs, ...peers]);
  const tarballs = [TARBALL, ...fs.readdirSync(pkgs).map((f) => path.join(pkgs, f))];
  ok('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs]);

  // The app's tools (its devDependencies), linked.
  const modules = path.join(app, 'node_modules');
  for (const name of ['cdk8s-cli', 'jest', 'ts-jest', 'ts-node', 'typescript', '@types/jest', '@types/node']) {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(packageDir(name), path.join(modules, name), 'dir');
  }
  const bins: Record<string, string> = {
    'cdk8s': 'cdk8s-cli/bin/cdk8s', 'jest': 'jest/bin/jest.js', 'ts-node': 'ts-node/dist/bin.js', 'tsc': 'typescript/bin/tsc',
  };
  fs.mkdirSync(path.join(modules, '.bin'), { recursive: true });
  for (const [bin, target] of Object.entries(bins)) fs.symlinkSync(path.join(modules, target), path.join(modules, '.bin', bin));
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the packed tarball, installed into an app', () => {
  test('holds lib/ with the validation plugin, the bundled dependencies and the jsii manifest; no sources', () => {
    const installed = path.join(app, 'node_modules', 'cdk8s-networking');
    for (const file of ['package.json', '.jsii', 'README.md', 'LICENSE', 'lib/index.js', 'lib/index.d.ts', 'lib/plugin/index.js',
      'lib/analysis/jest-setup.js', 'lib/analysis/jest-setup.d.ts', 'node_modules/yaml/package.json', 'node_modules/ipaddr.js/package.json']) {
      expect([file, fs.existsSync(path.join(installed, file))]).toEqual([file, true]);
    }
    for (const dir of ['src', 'test', 'imports', 'examples', 'bench', 'projenrc', '.projenrc.ts']) {
      expect([dir, fs.existsSync(path.join(installed, dir))]).toEqual([dir, false]);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(manifest.version).toBe(VERSION);
    expect(manifest.stability).toBe('experimental');
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
  });

  test('ships exactly the generated imports that lib/ uses', () => {
    const lib = path.join(app, 'node_modules', 'cdk8s-networking', 'lib');
    const shipped = fs.existsSync(path.join(lib, 'imports'))
      ? fs.readdirSync(path.join(lib, 'imports')).filter((f) => f.endsWith('.js')).map((f) => f.replace(/\.js$/, '')).sort() : [];
    const used = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (full !== path.join(lib, 'imports')) walk(full);
        } else if (entry.name.endsWith('.js')) {
          for (const m of fs.readFileSync(full, 'utf8').matchAll(/require\("(?:\.\.?\/)+imports\/([^"/]+)"\)/g)) used.add(m[1]);
        }
      }
    };
    walk(lib);
    expect(shipped).toEqual([...used].sort());
  });

  test('the app has one copy of cdk8s and of constructs (a second copy breaks types and rendering)', () => {
    const copies = (name: string): string[] => {
      const found: string[] = [];
      const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          if (!entry.isDirectory()) continue; // the linked tools are symlinks: not the app's runtime
          const full = path.join(dir, entry.name);
          if (entry.name === name && fs.existsSync(path.join(full, 'package.json'))) found.push(path.relative(app, full));
          walk(full);
        }
      };
      walk(path.join(app, 'node_modules'));
      return found;
    };
    expect(copies('cdk8s')).toEqual([path.join('node_modules', 'cdk8s')]);
    expect(copies('constructs')).toEqual([path.join('node_modules', 'constructs')]);
  });

  test('the README example and the app\'s test type-check with the tsconfig `cdk8s init` generates', () => {
    ok('tsc', ['--noEmit', '-p', '.']);
  }, 120_000);
});

describe('cdk8s synth with the validation plugin', () => {
  test('passes: lint clean, expectations hold; the output equals the README example synthesized from src, and is valid', () => {
    const output = ok('cdk8s', ['synth', '--no-check-upgrade']);
    expect(output).toMatch(/Validation Report \(.*cdk8s-networking\/lib\/plugin@0\.1\.0\)/);
    expect(output).toMatch(/Status\s*│\s*success/);
    expect(output).toMatch(/Expectations\s*│\s*4 of 4 passed \(expectations\.yaml\)/);
    expect(output).toMatch(/Validations ended succesfully/); // sic, cdk8s-cli's spelling
    const synthesized = fs.readFileSync(path.join(app, 'dist', 'platform.k8s.yaml'), 'utf8');
    expect(synthesized).toBe(runReadmeProgram(readmeBlock('Example')).synthYaml());
    expect(validYaml(synthesized).length).toBeGreaterThan(30);
  }, 120_000);

  test('the installed cdk8s-networking bin (lib/cli/main.js) analyzes what cdk8s synth wrote', () => {
    const output = ok('npx', ['--no-install', 'cdk8s-networking', 'analyze', 'dist', '--cni', 'calico', '--lint', '--expect', 'expectations.yaml']);
    expect(output).toMatch(/expectations: 4 passed, 0 failed/);
    expect(fs.realpathSync(path.join(app, 'node_modules', '.bin', 'cdk8s-networking')))
      .toBe(path.join(fs.realpathSync(app), 'node_modules', 'cdk8s-networking', 'lib', 'cli', 'main.js'));
  }, 60_000);

  test('the plugin version in cdk8s.yaml is the package version', () => {
    expect(fs.readFileSync(path.join(app, 'cdk8s.yaml'), 'utf8')).toContain(`version: ${VERSION}\n`);
  });

  test('fails with exit code 2 on a lint error and a failed expectation, naming finding, object, construct path and fix', () => {
    // The README example plus a hand-written policy selecting namespaces by `name:` (a label Kubernetes never sets).
    const source = readmeBlock('Example').replace(/\napp\.synth\(\);\s*$/, `
new ApiObject(chart, 'hand-written', {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-from-web', namespace: 'shop' },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'web' } } }] }] },
});
app.synth();
`);
    fs.writeFileSync(path.join(app, 'main-with-mistakes.ts'), `import { ApiObject } from 'cdk8s';\n${source}`);
    fs.writeFileSync(path.join(app, 'wrong-expectations.yaml'), `expect:
  - from: { namespace: shop, workload: shop-frontend }
    to: { namespace: shop, workload: shop-database }
    port: tcp/5432
    allowed: true
`);
    const config = fs.readFileSync(path.join(app, 'cdk8s.yaml'), 'utf8')
      .replace('app: npx ts-node main.ts', 'app: npx ts-node --transpile-only main-with-mistakes.ts')
      .replace('expectations: expectations.yaml', 'expectations: wrong-expectations.yaml');
    fs.writeFileSync(path.join(app, 'cdk8s.yaml'), config);

    const result = sh('cdk8s', ['synth', '--no-check-upgrade']);
    expect(result.status).toBe(2);
    const out = result.output;
    expect(out).toMatch(/Status\s*│\s*failure/);
    expect(out).toMatch(/Validation failed/);
    expect(out).toContain('namespace-selector-name-label (error)');
    expect(out).toContain('Construct Path: platform/hand-written');
    expect(out).toContain('Resource Name: allow-from-web');
    expect(out).toMatch(/> NetworkPolicy shop\/allow-from-web, spec\.ingress\[0\]\.from\[0\]\.namespaceSelector\.matchLabels\.name, line \d+/);
    expect(out).toMatch(/Recommendation: selects namespaces by the label 'name' = 'web', which Kubernetes never sets/);
    expect(out).toMatch(/How to fix: .*kubernetes\.io\/metadata\.name/);
    expect(out).toContain('reachability-expectation');
    expect(out).toMatch(/Recommendation: expected workload shop\/shop-frontend -> workload shop\/shop-database on TCP\/5432 to be allowed/);
    expect(out).toMatch(/Expectations\s*│\s*0 of 1 passed \(wrong-expectations\.yaml\)/);
  }, 120_000);
});

describe('the app\'s own jest tests', () => {
  test('pass, record their snapshot, and match it in a second run (--ci: a missing or different snapshot fails)', () => {
    const first = ok('jest', ['--ci=false']);
    expect(first).toMatch(/Tests:\s+3 passed, 3 total/);
    expect(first).toMatch(/Snapshots:\s+1 written, 1 total/);
    const snapshot = fs.readFileSync(path.join(app, '__snapshots__', 'main.test.ts.snap'), 'utf8');
    expect(snapshot).toContain('"name": "default-deny-all"');
    const second = ok('jest', ['--ci']);
    expect(second).toMatch(/Snapshots:\s+1 passed, 1 total/);
  }, 180_000);
});
