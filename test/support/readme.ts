/**
 * README programs as code, read from README.md itself so the tests that run them (in-process, and
 * test/consumer in a separate app) and the text users copy cannot drift apart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as ts from 'typescript';

/** The first ```ts block under the README heading `## <heading>`. */
export function readmeBlock(heading: string): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const at = readme.indexOf(`\n## ${heading}\n`);
  if (at < 0) throw new Error(`README.md has no "## ${heading}" section`);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!match) throw new Error(`README.md has no \`\`\`ts block under "## ${heading}"`);
  return match[1];
}

/** Run a README program with `cdk8s-networking` resolved to this checkout; returns the App instead of writing files. */
export function runReadmeProgram(source: string): App {
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
