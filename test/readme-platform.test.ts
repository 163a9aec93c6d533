/**
 * The README's platform example (the ts block under "## Install the CNI and NodeLocal DNS") runs as
 * written and emits what the section's step table says.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as ts from 'typescript';
import { synthAppValid } from './support/synth';

function platformExample(): App {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Install the CNI and NodeLocal DNS'));
  const source = /```ts\n([\s\S]*?)```/.exec(section)![1];
  const program = source.replace(/\napp\.synth\(\);\s*$/, '\nmodule.exports = app;\n');
  expect(program).not.toBe(source);
  const { outputText } = ts.transpileModule(program, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  const module = { exports: {} as unknown };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the example's imports, resolved at run time
  const load = (id: string) => require(id === 'cdk8s-networking' ? '../src' : id);
  new Function('require', 'module', 'exports', outputText)(load, module, module.exports);
  return module.exports as App;
}

test('the README platform example: step files in order, Argo CD waves as the table says', () => {
  const app = platformExample();
  const { byChart, all } = synthAppValid(app);
  expect(Object.keys(byChart)).toEqual(['calico-operator', 'calico-resources', 'calico-config', 'platform']);
  const wave = (kind: string) => all.filter((o) => o.kind === kind).map((o) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0));
  expect(wave('Namespace')).toEqual([-40, 0, 0]);
  expect(wave('Application')).toEqual([-30, -20]);
  expect([...wave('Installation'), ...wave('APIServer')]).toEqual([-10, -10]);
  expect(wave('FelixConfiguration')).toEqual([10]);
  expect(wave('Tier')).toEqual([10]);
  expect(new Set(wave('GlobalNetworkPolicy'))).toEqual(new Set([11]));
  expect(new Set(wave('NetworkPolicy').filter((w) => w !== 0))).toEqual(new Set([11]));
});
