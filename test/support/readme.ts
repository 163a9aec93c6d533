/**
 * The README's example as code: the first ```ts block under `## Example` in README.md, read from the
 * README itself so the tests that run it (test/readme-example.test.ts in-process, test/consumer in a
 * separate app) and the text users copy cannot drift apart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as ts from 'typescript';

/** The repository's README.md. */
export const README_FILE = path.join(__dirname, '..', '..', 'README.md');

/** The first ```ts block under `## Example`. */
export function readmeExample(): string {
  const readme = fs.readFileSync(README_FILE, 'utf8');
  const section = readme.slice(readme.indexOf('\n## Example\n'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md has no ```ts block under "## Example"');
  return match[1];
}

/** Run the example with `cdk8s-networking` resolved to this checkout; the App instead of writing files. */
export function runExample(source: string): App {
  if (!/\napp\.synth\(\);\s*$/.test(source)) throw new Error('the README example no longer ends with app.synth()');
  const program = source.replace(/\napp\.synth\(\);\s*$/, '\nmodule.exports = app;\n');
  const { outputText, diagnostics } = ts.transpileModule(program, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 },
    reportDiagnostics: true,
  });
  if (diagnostics?.length) throw new Error(`README example: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
  const module = { exports: {} as unknown };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the example's imports, resolved at run time
  const load = (id: string) => require(id === 'cdk8s-networking' ? '../../src' : id);
  new Function('require', 'module', 'exports', outputText)(load, module, module.exports);
  return module.exports as App;
}
