/**
 * The one YAML reader behind the command line (with its Markdown, for lint), `Reachability.fromYamlFiles`
 * and the linter: splits a text into documents with their lines, and walks and reads files and
 * directories. Problems are returned, never thrown: one broken document must not hide the rest of a
 * GitOps repository. Internal.
 */
import * as path from 'path';
import { Composer, Document, LineCounter, Node, Parser, ScalarTag, YAMLParseError, isAlias, isMap, isScalar, isSeq } from 'yaml';
import { ReadBudget, ReadError, ReadLimits, readRegularFile, walkFiles } from './input-files';
import { isPlainObject } from './vocabulary';

/**
 * Aliases a document may expand before it is rejected. `toJS` throws past this count, which stops
 * "billion laughs" documents (https://eemeli.org/yaml/#tojs-options: `maxAliasCount`, default 100).
 */
const MAX_ALIAS_COUNT = 100;

/**
 * The YAML 1.1 booleans kubectl's parser (go-yaml v2, via sigs.k8s.io/yaml) resolves beyond YAML 1.2's
 * true/false: a plain `yes`, `on` or `n` is a boolean there (so a label value `yes` makes the API
 * server refuse the object), never the string the 1.2 core schema makes of it. Quoted, they stay strings.
 */
const YAML11_BOOL: ScalarTag = {
  identify: (value) => typeof value === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:y|Y|yes|Yes|YES|on|On|ON|n|N|no|No|NO|off|Off|OFF)$/,
  resolve: (text) => /^(?:y|Y|yes|Yes|YES|on|On|ON)$/.test(text),
};

/**
 * The integers kubectl's parser reads differently from YAML 1.2's core schema. go-yaml v2 (forked in
 * sigs.k8s.io/yaml, goyaml.v2/resolve.go) drops every `_` of a plain scalar that starts with a digit
 * or a sign, then reads it with Go's `strconv.ParseInt(s, 0, 64)`: a leading `0` is octal (`0123` is
 * 83, `0755` is 493), `0o`/`0O` octal, `0x`/`0X` hex, `0b`/`0B` binary; digits after a leading zero
 * that are no octal number (`08`, `0789`) fall through to its float reading, the decimal value. The
 * core schema reads `0123` as 123 and `0X1F`, `0b101`, `1_000` as strings, so a port written `0123`
 * would be checked as port 123 while the API server gets 83. Quoted, they stay strings, as there.
 */
const YAML11_INT: ScalarTag = {
  identify: (value) => typeof value === 'number' && Number.isInteger(value),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^[-+]?(?:0[xX][0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*|0[oO][0-7_]*[0-7][0-7_]*|0[bB][01_]*[01][01_]*|[0-9][0-9_]*)$/,
  resolve: (text) => goParseInt(text.replace(/_/g, '')),
};

/** `strconv.ParseInt(s, 0, 64)` for the forms YAML11_INT admits (underscores removed), or the decimal float go-yaml falls back to. */
function goParseInt(s: string): number {
  const sign = s.startsWith('-') ? -1 : 1;
  const digits = s.replace(/^[-+]/, '');
  const prefixed = /^0([xXoObB])(.*)$/.exec(digits);
  const n = prefixed ? parseInt(prefixed[2], { x: 16, o: 8, b: 2 }[prefixed[1].toLowerCase() as 'x' | 'o' | 'b'])
    : parseInt(digits, /^0[0-7]+$/.test(digits) ? 8 : 10);
  return n === 0 ? 0 : sign * n; // Go has no -0
}

/** One value of a YAML text (a document, or an item of a `kind: List` document), or why it was skipped. */
export interface YamlEntry {
  /** 0-based position of the document in the text (the items of a List share their document's). */
  readonly document: number;
  /**
   * 1-based line: where the document's content starts, where the List item starts, or where the
   * syntax error is.
   */
  readonly line: number;
  /** The parsed value (any JSON value); undefined when `error` is set. */
  readonly value?: unknown;
  /** Why the document was skipped (first line of the parser's message), if it was. */
  readonly error?: string;
}

/** What {@link parseYamlText} found. */
export interface ParsedYamlText {
  /** Values and skipped documents in text order; empty documents (only comments) are left out. */
  readonly entries: YamlEntry[];
  /** How many documents the text holds, empty ones included (at least 1). */
  readonly documentCount: number;
}

/** Options of {@link parseYamlText}. */
export interface ParseYamlOptions {
  /**
   * Line of the text's first line in its source (for YAML embedded in Markdown).
   * @default 1
   */
  readonly firstLine?: number;
  /**
   * Replace a list document `{ kind: List, items: [...] }` (what `kubectl get -o yaml` prints), or a
   * typed list such as `NetworkPolicyList`, by its items, each with its own line, as kubectl applies
   * them; nested lists are expanded too.
   * @default false
   */
  readonly expandLists?: boolean;
  /**
   * Columns removed from each line of the text in its source, by 0-based line of the text (YAML
   * embedded in Markdown loses the fence's indentation), so that errors give the source's column.
   * @default - none
   */
  readonly columnOffsets?: readonly number[];
}

/**
 * Split multi-document YAML into values with their lines. Never throws.
 *
 * Documents are composed one at a time and dropped once converted (a document's syntax tree costs
 * about 40 bytes per input byte; a 20 MB multi-document file peaks at about a quarter of what
 * composing every document first needs). Duplicate mapping keys are found in one pass per mapping:
 * the yaml library's own check compares each key with every earlier one, which takes half a minute
 * for one mapping of 64k keys.
 */
export function parseYamlText(text: string, options: ParseYamlOptions = {}): ParsedYamlText {
  const offset = (options.firstLine ?? 1) - 1;
  const lineCounter = new LineCounter();
  const lineOf = (pos: number) => offset + lineCounter.linePos(pos).line;
  const entries: YamlEntry[] = [];
  let document = 0;
  try {
    // merge: kubectl reads YAML with go-yaml (sigs.k8s.io/yaml), which resolves YAML 1.1 merge keys
    // (`<<: *base`, keys written beside it win); unresolved, `<<` would be read as a field of its own.
    // customTags: the same plain scalars are booleans and integers as for kubectl (YAML11_BOOL, YAML11_INT).
    // YAML11_INT goes before the core schema's tags, whose decimal int would claim `0123` first.
    // No timestamp tag: go-yaml resolves `2024-01-01` as one but, decoding into interface{}, keeps its
    // text (goyaml.v2 decode.go), so kubectl sends the string as written, as the core schema reads it.
    const composer = new Composer({ uniqueKeys: false, merge: true, customTags: (tags) => [YAML11_INT, ...tags, YAML11_BOOL] });
    for (const doc of composer.compose(new Parser(lineCounter.addNewLine).parse(text))) {
      readDocument(doc as Document.Parsed, document++, lineOf, lineCounter, options, entries);
    }
  } catch (e) {
    return { entries: [...entries, { document, line: offset + 1, error: firstLine(e) }], documentCount: document + 1 };
  }
  return { entries, documentCount: Math.max(1, document) };
}

/** Convert one composed document into entries (a value, the items of a List, or an error). */
function readDocument(doc: Document.Parsed, document: number, lineOf: (pos: number) => number, lines: LineCounter,
  options: ParseYamlOptions, entries: YamlEntry[]): void {
  const line = lineOf(doc.contents?.range?.[0] ?? doc.range[0]);
  const error = doc.errors[0] ?? duplicateKey(doc) ?? keyKubectlRefuses(doc);
  if (error !== undefined) {
    // The library's "pretty" message gives the position in the text itself, then the excerpt (dropped):
    // the line is said in the source (YAML embedded in Markdown starts below its first line).
    const at = lines.linePos(error.pos[0]);
    const column = at.col + (options.columnOffsets?.[at.line - 1] ?? 0);
    entries.push({ document, line: lineOf(error.pos[0]), error: `${firstLine(error)} at line ${lineOf(error.pos[0])}, column ${column}` });
    return;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    entries.push({ document, line, error: firstLine(e) });
    return;
  }
  if (value === null || value === undefined) return;
  if (options.expandLists) {
    expandList(value, doc.contents, line, doc, lineOf, (v, l) => entries.push({ document, line: l, value: v }));
  } else {
    entries.push({ document, line, value });
  }
}

/**
 * The duplicate key of any mapping in `doc` that comes first in the text, as the yaml library reports
 * it with its default `uniqueKeys` (scalar keys are equal when their values are; other keys only when
 * they are the same node), in one pass per mapping: parse with `uniqueKeys: false`, then ask this.
 * Iterative, so deep nesting costs no stack.
 */
export function duplicateKey(doc: Document.Parsed): YAMLParseError | undefined {
  let first: number | undefined;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (keys.has(key)) {
          const start = (pair.key as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0;
          if (first === undefined || start < first) first = start;
        }
        keys.add(key);
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return first === undefined ? undefined : new YAMLParseError([first, first + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
}

/**
 * The first mapping key that kubectl cannot read, if any: a key that is a mapping or a sequence, or a
 * null key. sigs.k8s.io/yaml converts the YAML to JSON and refuses such keys ("unsupported map key of
 * type", yaml.go `convertToJSONableObject`), so the document cannot be applied as it is. An unquoted
 * Helm template (`name: {{ .Values.name }}`) is one: YAML reads it as a flow mapping whose key is a
 * flow mapping. Left to the yaml library, such a key becomes a string and a warning on stderr.
 * Iterative, like {@link duplicateKey}.
 */
export function keyKubectlRefuses(doc: Document.Parsed): YAMLParseError | undefined {
  let first: { start: number; what: string } | undefined;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = resolveAlias(pair.key, doc);
        const what = isMap(key) || isSeq(key) ? `a ${isMap(key) ? 'mapping' : 'sequence'}`
          : key === null || key === undefined || (isScalar(key) && key.value === null) ? 'null' : undefined;
        const start = (pair.key as Node | null)?.range?.[0] ?? node.range?.[0] ?? 0;
        if (what !== undefined && (first === undefined || start < first.start)) first = { start, what };
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  if (first === undefined) return undefined;
  const template = first.what === 'null' ? '' : ' (an unquoted template such as {{ .Values.name }}? render it first, e.g. with helm template)';
  return new YAMLParseError([first.start, first.start + 1], 'NON_STRING_KEY',
    `A mapping key is ${first.what}, which kubectl cannot read${template}`);
}

/** Is `value` a mapping with a string `kind` (the least a Kubernetes object has)? */
export function isManifest(value: unknown): value is { kind: string; [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as any).kind === 'string';
}

/**
 * Report `value`, or the items of a list with the lines of their nodes (`node` is `value`'s node).
 *
 * A list is what kubectl applies item by item: apimachinery's unstructured decoder reads any object
 * with an `items` field as a list, typed lists (`NetworkPolicyList`) as well as `List`, and gives an
 * item that has neither `kind` nor `apiVersion` the list's `apiVersion` and its kind without the
 * `List` suffix. Reading only `kind: List` would silently drop the policies of a typed list.
 */
function expandList(value: unknown, node: unknown, line: number, doc: Document, lineOf: (pos: number) => number,
  emit: (value: unknown, line: number) => void): void {
  const obj = value as any;
  if (!isManifest(obj) || !Array.isArray(obj.items)) {
    emit(value, line);
    return;
  }
  const itemKind = obj.kind.endsWith('List') ? obj.kind.slice(0, -'List'.length) : '';
  const resolved = resolveAlias(node, doc);
  const itemsNode = isMap(resolved) ? resolveAlias(resolved.get('items', true), doc) : undefined;
  obj.items.forEach((item: unknown, i: number) => {
    if (item === null || item === undefined) return;
    const itemNode = isSeq(itemsNode) ? resolveAlias(itemsNode.items[i], doc) : undefined;
    const start = (itemNode as Node | undefined)?.range?.[0];
    const typed = itemKind !== '' && isPlainObject(item) && item.kind === undefined && item.apiVersion === undefined
      ? { apiVersion: obj.apiVersion, kind: itemKind, ...item }
      : item;
    expandList(typed, itemNode, start !== undefined ? lineOf(start) : line, doc, lineOf, emit);
  });
}

function resolveAlias(node: unknown, doc: Document): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** The first line of an error message, without the trailing colon that introduces the code excerpt. */
function firstLine(e: unknown): string {
  const message = typeof (e as any)?.message === 'string' ? (e as any).message as string : String(e);
  return message.split('\n')[0].replace(/:$/, '');
}

/** Is `name` a YAML file name (`*.yaml`, `*.yml`)? */
export function isYamlFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** Is `name` a Markdown file name (`*.md`, `*.markdown`)? */
function isMarkdownFileName(name: string): boolean {
  return /\.(md|markdown)$/i.test(name);
}

/** How {@link readYamlFiles} treats Markdown files. */
export type MarkdownMode =
  /** Named `*.md` / `*.markdown` files are not read: a `refused` error (analyze reads YAML only). */
  | 'refuse'
  /** Named `*.md` / `*.markdown` files are read as Markdown; directories are searched for YAML only. */
  | 'named'
  /** Directories are searched for `*.md` / `*.markdown` files as well. */
  | 'search';

/** Options of {@link readYamlFiles}. */
export interface ReadYamlOptions extends ReadLimits {
  /**
   * How Markdown files are treated (the command line's lint reads them, analyze refuses them).
   * @default - Markdown is not special: directories are searched for YAML only, and a named file is
   * parsed as YAML whatever its extension
   */
  readonly markdown?: MarkdownMode;
}

/** One file read by {@link readYamlFiles}: its entries (or Markdown text), or why it could not be read. */
export interface YamlFile {
  /** The path as given, joined with the directory entries below it. */
  readonly path: string;
  /** The file's values (`kind: List` expanded); undefined when `error` or `markdown` is set. */
  readonly entries?: YamlEntry[];
  /** The text of a Markdown file (only with {@link ReadYamlOptions.markdown} `named` or `search`). */
  readonly markdown?: string;
  /** Why the path could not be read. */
  readonly error?: ReadError;
}

/**
 * Walk `paths` for `*.yaml` / `*.yml` files ({@link walkFiles}: regular files only, symlinks kept
 * inside the searched directories, every real file once, in input order with directories searched in
 * sorted order) and read each within the limits of one {@link ReadBudget} ({@link readRegularFile}),
 * parsing YAML ({@link parseYamlText}, Lists expanded) and keeping Markdown as text per
 * `options.markdown`. Files named explicitly are read whatever their extension. Errors are returned
 * per path, never thrown.
 * @param cwd directory relative paths are resolved against (they are reported as given)
 */
export function readYamlFiles(paths: readonly string[], cwd: string = process.cwd(), options: ReadYamlOptions = {}): YamlFile[] {
  const markdown = options.markdown;
  const select = markdown === 'search' ? (n: string) => isYamlFileName(n) || isMarkdownFileName(n) : isYamlFileName;
  const budget = new ReadBudget(options);
  return walkFiles(paths, cwd, { select, followExternalSymlinks: options.followExternalSymlinks })
    .map((entry): YamlFile => {
      if (entry.error !== undefined) return { path: entry.path, error: entry.error };
      const isMarkdown = markdown !== undefined && isMarkdownFileName(path.basename(entry.path));
      // Refused before it is read: it costs none of the budget and gives the same error at any size.
      if (isMarkdown && markdown === 'refuse') return { path: entry.path, error: { kind: 'refused', message: 'a Markdown file' } };
      const read = readRegularFile(entry.absolute, budget);
      if ('error' in read) return { path: entry.path, error: read.error };
      if (isMarkdown) return { path: entry.path, markdown: read.text };
      return { path: entry.path, entries: parseYamlText(read.text, { expandLists: true }).entries };
    });
}
