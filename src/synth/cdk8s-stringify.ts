import { Yaml } from 'cdk8s';
import { YamlWriter } from './yaml-writer';

/** cdk8s's `Yaml.stringify`: documents in, one YAML text out. */
export type Stringify = (...docs: any[]) => string;

/** Each document by the writer, or by cdk8s's own `stringify` when the writer leaves it; joined as cdk8s joins. */
export function stringifyEach(docs: any[], stringify: Stringify): string {
  return docs.map((doc) => YamlWriter.tryStringify(doc) ?? stringify.call(Yaml, doc)).join('---\n');
}

/** Per cdk8s `stringify` function: does the writer write the sample documents exactly as it does? */
const AGREES = new WeakMap<Stringify, boolean>();

/**
 * Whether the writer writes the sample documents exactly as `stringify` (cdk8s's, or a stand-in) does;
 * checked once per function and remembered.
 */
export function writerAgrees(stringify: Stringify): boolean {
  let agrees = AGREES.get(stringify);
  if (agrees === undefined) {
    try {
      agrees = SAMPLE_DOCUMENTS.every((doc) => YamlWriter.tryStringify(doc) !== undefined)
        && stringifyEach(SAMPLE_DOCUMENTS, stringify) === stringify.call(Yaml, ...SAMPLE_DOCUMENTS);
    } catch {
      agrees = false;
    }
    AGREES.set(stringify, agrees);
  }
  return agrees;
}

/**
 * Documents exercising every rule of the writer: plain and quoted strings (the types of the YAML 1.1
 * schema, indicators, empty), quoted keys, nested and empty collections in maps and sequences,
 * integers, booleans, null, and a line longer than any folding width.
 */
const SAMPLE_DOCUMENTS: any[] = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'sample', labels: { 'app.kubernetes.io/name': 'x', 'yes': 'on', '8080': '0x1F' } },
    data: {
      plain: 'a b-c_d.e/f(g)h=i',
      typed: ['true', 'Off', 'y', 'null', '~', '', '12', '-3', '0o7', '0b1', '1_000', '1e3', '.5', '.inf', '1:20', '2001-12-14'],
      indicators: ['-', '- x', '?', ':x', 'a:', 'a: b', 'a #b', 'a#b', '#a', '&a', '*a', '!a', '|', '>', '%a', '@a', '`a', ',a', '[a', '{a', ' a', 'a '],
      long: 'x'.repeat(100) + ' ' + 'y'.repeat(100),
    },
    spec: {
      numbers: [0, 1, -1, 65535, 9007199254740991],
      flags: [true, false, null],
      empty: { map: {}, seq: [] },
      nested: [[['a', 'b'], []], [{}], { k: [{ a: 1, b: { c: [2] } }], l: {} }],
    },
  },
  { kind: 'Second', spec: [{ a: 'b' }] },
];
