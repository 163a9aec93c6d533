/**
 * The one YAML reader behind the command line, `Reachability.fromYamlFiles` and the linter: splits a
 * text into documents with their lines, and walks files and directories. Problems are returned, never
 * thrown: one broken document must not hide the rest of a GitOps repository. Internal.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Document, LineCounter, Node, isAlias, isMap, isSeq, parseAllDocuments } from 'yaml';

/**
 * Aliases a document may expand before it is rejected. `toJS` throws past this count, which stops
 * "billion laughs" documents (https://eemeli.org/yaml/#tojs-options: `maxAliasCount`, default 100).
 */
const MAX_ALIAS_COUNT = 100;

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
   * Replace a document `{ kind: List, items: [...] }` (what `kubectl get -o yaml` prints) by its
   * items, each with its own line; nested Lists are expanded too.
   * @default false
   */
  readonly expandLists?: boolean;
}

/** Split multi-document YAML into values with their lines. Never throws. */
export function parseYamlText(text: string, options: ParseYamlOptions = {}): ParsedYamlText {
  const offset = (options.firstLine ?? 1) - 1;
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter }) as Document.Parsed[];
  } catch (e) {
    return { entries: [{ document: 0, line: offset + 1, error: firstLine(e) }], documentCount: 1 };
  }
  // parseAllDocuments returns an EmptyStream (an array without documents) for empty input.
  const list = Array.isArray(docs) ? docs : [];
  const lineOf = (pos: number) => offset + lineCounter.linePos(pos).line;
  const entries: YamlEntry[] = [];
  list.forEach((doc, document) => {
    const line = lineOf(doc.contents?.range?.[0] ?? doc.range[0]);
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      entries.push({ document, line: err.linePos ? offset + err.linePos[0].line : line, error: firstLine(err) });
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
  });
  return { entries, documentCount: Math.max(1, list.length) };
}

/** Is `value` a mapping with a string `kind` (the least a Kubernetes object has)? */
export function isManifest(value: unknown): value is { kind: string; [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as any).kind === 'string';
}

/** Report `value`, or the items of a List with the lines of their nodes (`node` is `value`'s node). */
function expandList(value: unknown, node: unknown, line: number, doc: Document, lineOf: (pos: number) => number,
  emit: (value: unknown, line: number) => void): void {
  const obj = value as any;
  if (!isManifest(obj) || obj.kind !== 'List' || !Array.isArray(obj.items)) {
    emit(value, line);
    return;
  }
  const resolved = resolveAlias(node, doc);
  const itemsNode = isMap(resolved) ? resolveAlias(resolved.get('items', true), doc) : undefined;
  obj.items.forEach((item: unknown, i: number) => {
    if (item === null || item === undefined) return;
    const itemNode = isSeq(itemsNode) ? resolveAlias(itemsNode.items[i], doc) : undefined;
    const start = (itemNode as Node | undefined)?.range?.[0];
    expandList(item, itemNode, start !== undefined ? lineOf(start) : line, doc, lineOf, emit);
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

/** A file found by {@link walkYamlFiles}, or a path that could not be listed. */
export interface WalkEntry {
  /** The path as given, joined with the directory entries below it. */
  readonly path: string;
  /** Why the path could not be read; undefined for a file to read. */
  readonly error?: string;
  /** The path was named by the caller (not found in a directory) and does not exist. */
  readonly missing?: boolean;
}

/** Extensions read when walking directories (files named explicitly are read whatever their extension). */
const YAML_FILE = /\.ya?ml$/i;

/**
 * The files below `paths` in input order, directories searched recursively in sorted order (stable
 * output) for `*.yaml` / `*.yml`. Every real file and directory is visited once, however often it is
 * reached (the same path twice, a directory and a file inside it, symlinks, symlink loops).
 * @param cwd directory relative paths are resolved against (they are reported as given)
 */
export function walkYamlFiles(paths: readonly string[], cwd: string = process.cwd()): WalkEntry[] {
  const out: WalkEntry[] = [];
  walk(paths, cwd, new Set(), true, out);
  return out;
}

function walk(paths: readonly string[], cwd: string, seen: Set<string>, named: boolean, out: WalkEntry[]): void {
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let stat: fs.Stats;
    let real: string;
    try {
      stat = fs.statSync(abs);
      real = fs.realpathSync(abs);
    } catch (e) {
      const missing = named && (e as NodeJS.ErrnoException).code === 'ENOENT';
      out.push({ path: p, error: (e as Error).message, ...(missing ? { missing } : {}) });
      continue;
    }
    // Real paths, so a symlink back to an ancestor ends the recursion.
    if (seen.has(real)) continue;
    seen.add(real);
    if (!stat.isDirectory()) {
      out.push({ path: p });
      continue;
    }
    let children: string[];
    try {
      children = fs.readdirSync(abs).sort();
    } catch (e) {
      out.push({ path: p, error: (e as Error).message });
      continue;
    }
    const selected = children.map((c) => path.join(p, c)).filter((c) => YAML_FILE.test(c) || isDirectory(path.resolve(cwd, c)));
    walk(selected, cwd, seen, false, out);
  }
}

/** A dangling symlink is no directory: it is listed (and reported unreadable) only if it looks like YAML. */
function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** One file read by {@link readYamlFiles}: its entries, or why it could not be read. */
export interface YamlFile {
  /** The path as given, joined with the directory entries below it. */
  readonly path: string;
  /** The file's values (`kind: List` expanded); undefined when `error` is set. */
  readonly entries?: YamlEntry[];
  /** Why the path could not be read. */
  readonly error?: string;
  /** The path was named by the caller and does not exist. */
  readonly missing?: boolean;
}

/** Walk `paths` ({@link walkYamlFiles}) and parse every file ({@link parseYamlText}, Lists expanded). */
export function readYamlFiles(paths: readonly string[], cwd: string = process.cwd()): YamlFile[] {
  return walkYamlFiles(paths, cwd).map((entry) => {
    if (entry.error !== undefined) return entry;
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, entry.path), 'utf-8');
    } catch (e) {
      return { path: entry.path, error: (e as Error).message };
    }
    return { path: entry.path, entries: parseYamlText(text, { expandLists: true }).entries };
  });
}
