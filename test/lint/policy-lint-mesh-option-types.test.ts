/**
 * PolicyLintOptions.mesh at PolicyLint's three public entry points, as plain JavaScript (or a second
 * installed copy of the library) may pass it: anything but a factory-made Mesh is a ValidationError
 * naming the method and the option.
 */
import { Errors } from '../../src';
import { IstioMode, Mesh } from '../../src/cluster/mesh';
import { PolicyLint } from '../../src/lint';

const CHOICES = 'Mesh.none(), Mesh.istio({ mode }) or Mesh.linkerd()';

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    expect(Errors.isValidationError(e)).toBe(true);
    return e as Error;
  }
  throw new Error('no error');
}

test.each([
  ['istio', "the string 'istio'"],
  [{}, 'a plain object'],
  [null, 'null'],
  [Object.create(Mesh.prototype), 'a hand-built object'],
])('mesh: %p', (mesh, given) => {
  for (const [site, lint] of [
    ['PolicyLint.check', () => PolicyLint.check([], { mesh } as any)],
    ['PolicyLint.checkYaml', () => PolicyLint.checkYaml('', 'p.yaml', { mesh } as any)],
    ['PolicyLint.checkMarkdown', () => PolicyLint.checkMarkdown('', 'p.md', { mesh } as any)],
  ] as const) {
    expect(errorOf(lint).message).toBe(`[${site}] options.mesh: must be a Mesh made by one of its factories: ${CHOICES}, not ${given}`);
  }
});

test('a Mesh of a second copy of the library is refused, and the message says why (not "not a Mesh")', () => {
  let other: unknown;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the module, as a second install gives
    other = require('../../src/cluster/mesh').Mesh.istio({ mode: IstioMode.AMBIENT });
  });
  expect(errorOf(() => PolicyLint.check([], { mesh: other } as any)).message).toBe('[PolicyLint.check] options.mesh: must be a Mesh made by one of '
    + `its factories: ${CHOICES}, not a Mesh of another copy of cdk8s-networking (two copies are installed: make every package use one, e.g. npm dedupe)`);
  expect(PolicyLint.check([], { mesh: Mesh.istio({ mode: IstioMode.AMBIENT }) })).toEqual([]);
});
