import * as path from 'path';
import * as yaml from 'yaml';

/**
 * A YAML writer for the documents cdk8s writes, byte-identical to cdk8s's `Yaml.stringify` (the
 * `yaml` library with `version: '1.1'`, `lineWidth: 0` and `keepUndefined`) for the shapes Kubernetes
 * manifests are made of, and some five times faster on them.
 *
 * `yaml` builds a node tree of every document (one node per value, anchors looked up per object)
 * and then prints the tree; here the values are printed directly, with the decisions `yaml` makes
 * for them: block maps and sequences indented by two (sequences under their key too), `{}` and `[]`
 * for empty ones, integers in decimal, strings plain unless `yaml` would quote them.
 *
 * Only what is certain is written here; a document holding anything else is left to the caller's
 * fallback (cdk8s's own `Yaml.stringify`), whole:
 * - strings outside printable ASCII (multi-line strings become block scalars, control characters
 *   escapes, non-ASCII may need either), and strings holding a quote or a backslash where quotes
 *   are needed (the choice of quote style and escapes stays with `yaml`),
 * - strings starting with a document marker (`---`, `...`), the merge key `<<`, keys over 1,000
 *   characters (`yaml` writes explicit `? ` keys above 1,024),
 * - numbers other than safe integers (floats, -0, NaN, infinities), `undefined`, and anything that
 *   is not a plain object, array, string, number, boolean or null; also objects and arrays `yaml`
 *   would not write from their keys or elements: with a `toJSON` method (own, inherited or
 *   non-enumerable), an iterator (`Symbol.iterator` on an object, another one on an array), an
 *   array subclass, a getter (on a key or an index),
 * - an object or array met twice in one document (`yaml` writes anchors and aliases),
 * - collections nested more than 100 levels deep (`yaml` runs out of stack somewhat deeper),
 * - a document that is not a non-empty object.
 *
 * A plain string is one `yaml` would print without quotes: no indicator at its start, no `: ` or
 * ` #` inside, nothing at its end that reads as an indicator, and not readable as another type under
 * the YAML 1.1 schema (booleans like `yes`/`on`, nulls, numbers in any base, sexagesimals,
 * timestamps): those tests are `yaml`'s own schema tags, read from the copy of the library cdk8s
 * writes with.
 */
export class YamlWriter {
  /**
   * The document as `yaml` writes it, or undefined when the document holds something not written
   * here (see the class comment).
   */
  public static tryStringify(doc: unknown): string | undefined {
    if (!isPlainObject(doc)) return undefined;
    const keys = Object.keys(doc);
    if (keys.length === 0) return undefined;
    const out: string[] = [];
    try {
      writeMap(doc, keys, '', '', new Set<object>([doc]), out);
    } catch (e) {
      if (e === UNSUPPORTED) return undefined;
      throw e;
    }
    return out.join('');
  }
}

/** Thrown inside this module on a value not written here; never escapes it. */
const UNSUPPORTED = new Error('not written by YamlWriter');

/**
 * The deepest collection written here, as the length of its indentation (two spaces a level: 100
 * levels). `yaml` recurses through several functions per level and runs out of stack some hundreds
 * of levels down, where cdk8s's synthesis fails; this writer would not: deeper documents are left
 * to `yaml`, to succeed or fail as it does.
 */
const MAX_INDENT = 200;

/** Printable ASCII only: no line breaks, tabs, control characters or non-ASCII. */
const PRINTABLE = /^[\x20-\x7e]*$/;

/**
 * Strings `yaml` never writes plain (its `plainString`): a leading indicator, a lone or
 * space-followed `-`/`?`, `: ` or ` #` inside, a trailing space or colon.
 */
const NOT_PLAIN = /^[ ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-] |: | #| $|:$/;

/** Strings starting with a document marker: `yaml` treats them by position; left to it. */
const DOCUMENT_MARKER = /^(---|\.\.\.)/;

/**
 * The `yaml` module cdk8s writes with: cdk8s bundles its own copy, which need not be the release
 * this library bundles, and it is that copy's schema tags that decide what is quoted. This
 * library's copy when cdk8s's cannot be found.
 */
function cdk8sYaml(): typeof yaml {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
  } catch {
    return yaml;
  }
}

/**
 * The tests by which `yaml` reads a plain scalar as something other than a string under the YAML 1.1
 * schema cdk8s writes with (null, booleans, integers in four bases, floats, sexagesimals,
 * timestamps): a string matching any of them is quoted. The merge key `<<` (its tag's default is
 * `'key'`, not `true`; yaml 2.9.1 writes `<<` plain both as a key and as a value) is left to `yaml`.
 */
const TYPED_SCALAR_TESTS: RegExp[] = new (cdk8sYaml().Document)(null, { version: '1.1' }).schema.tags
  .filter((t: any) => t.default === true && t.tag !== 'tag:yaml.org,2002:str' && t.test instanceof RegExp)
  .map((t: any) => t.test as RegExp);

/** The iterator `yaml` walks a sequence with (`for ... of`); an array with another one is left to it. */
const ARRAY_VALUES = Array.prototype[Symbol.iterator];

/** `yaml` reads an object carrying this symbol as one of its own nodes, not as a map. */
const YAML_NODE_TYPE = Symbol.for('yaml.node.type');

/**
 * A map `yaml` writes from the object's own enumerable string keys: a plain object (or one without a
 * prototype) with no `toJSON` method (`yaml`'s createNode writes what `toJSON` returns, even an
 * inherited or non-enumerable one), no `Symbol.iterator` (written as a sequence of what it yields)
 * and no `yaml` node marker.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && hasNoHooks(value);
}

/**
 * A sequence `yaml` writes element by element: an array of `Array.prototype` (no subclass), iterated
 * by the standard iterator, with no `toJSON` method.
 */
function isPlainArray(value: object): value is unknown[] {
  return Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype
    && (value as any)[Symbol.iterator] === ARRAY_VALUES && hasNoHooks(value);
}

/** No `toJSON` method, no own or inherited `Symbol.iterator` other than an array's, no `yaml` node marker. */
function hasNoHooks(value: object): boolean {
  return typeof (value as any).toJSON !== 'function' && !(YAML_NODE_TYPE in value)
    && (Array.isArray(value) || !(Symbol.iterator in value));
}

/** A string scalar (map key or value): plain, or double-quoted when that needs no escapes. */
function writeString(value: string): string {
  if (!PRINTABLE.test(value) || DOCUMENT_MARKER.test(value) || value === '<<') throw UNSUPPORTED;
  if (!NOT_PLAIN.test(value) && !TYPED_SCALAR_TESTS.some((test) => test.test(value))) return value;
  // yaml's quotedString: double quotes when the string holds neither quote (single quotes when it
  // holds only a double one); JSON escapes a backslash. Those cases are left to yaml.
  if (value.includes('"') || value.includes('\'') || value.includes('\\')) throw UNSUPPORTED;
  return `"${value}"`;
}

function writeScalar(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
      throw UNSUPPORTED;
    default:
      if (value === null) return 'null';
      throw UNSUPPORTED;
  }
}

/** Marks a collection as written; one met twice would be an alias in yaml's output. */
function enter(value: object, seen: Set<object>): void {
  if (seen.has(value)) throw UNSUPPORTED;
  seen.add(value);
}

/** What follows `key:`: ` scalar`, ` {}`, ` []`, or a line break and the nested collection. */
function writeValue(value: unknown, indent: string, seen: Set<object>, out: string[]): void {
  if (typeof value !== 'object' || value === null) {
    out.push(' ', writeScalar(value), '\n');
    return;
  }
  enter(value, seen);
  if (Array.isArray(value)) {
    if (!isPlainArray(value)) throw UNSUPPORTED;
    if (value.length === 0) {
      out.push(' []\n');
      return;
    }
    out.push('\n');
    writeSeq(value, indent, indent, seen, out);
    return;
  }
  if (!isPlainObject(value)) throw UNSUPPORTED;
  const keys = Object.keys(value);
  if (keys.length === 0) {
    out.push(' {}\n');
    return;
  }
  out.push('\n');
  writeMap(value, keys, indent, indent, seen, out);
}

/**
 * The value of an own data property. A getter (or a hole in an array) is left to `yaml`: the
 * writer must read nothing that `yaml` reads again when it writes the document instead (a getter
 * may give another value on every read).
 */
function dataValue(container: object, key: string | number): unknown {
  const property = Object.getOwnPropertyDescriptor(container, key);
  if (property === undefined || !('value' in property)) throw UNSUPPORTED;
  return property.value;
}

/** A block map at `indent`, its first line starting with `first` (a `- ` lead inside a sequence). */
function writeMap(map: Record<string, unknown>, keys: string[], first: string, indent: string, seen: Set<object>, out: string[]): void {
  if (indent.length > MAX_INDENT) throw UNSUPPORTED;
  const inner = indent + '  ';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const value = dataValue(map, key);
    if (key.length > 1000 || value === undefined) throw UNSUPPORTED;
    out.push(i === 0 ? first : indent, writeString(key), ':');
    writeValue(value, inner, seen, out);
  }
}

/** A block sequence at `indent`, its first line starting with `first`. */
function writeSeq(seq: unknown[], first: string, indent: string, seen: Set<object>, out: string[]): void {
  if (indent.length > MAX_INDENT) throw UNSUPPORTED;
  const inner = indent + '  ';
  for (let i = 0; i < seq.length; i++) {
    const item = dataValue(seq, i);
    const lead = (i === 0 ? first : indent) + '- ';
    if (typeof item !== 'object' || item === null) {
      out.push(lead, writeScalar(item), '\n');
      continue;
    }
    enter(item, seen);
    if (Array.isArray(item)) {
      if (!isPlainArray(item)) throw UNSUPPORTED;
      if (item.length === 0) out.push(lead, '[]\n');
      else writeSeq(item, lead, inner, seen, out);
      continue;
    }
    if (!isPlainObject(item)) throw UNSUPPORTED;
    const keys = Object.keys(item);
    if (keys.length === 0) out.push(lead, '{}\n');
    else writeMap(item, keys, lead, inner, seen, out);
  }
}
