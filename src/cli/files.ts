/**
 * Reads the manifests named on the command line, remembering which file and line each came from
 * so lint findings and warnings can point at it. Problems are collected, never thrown: one broken
 * file must not hide the rest of a GitOps repository.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseAllDocuments } from 'yaml';

/** One manifest object with its origin. */
export interface SourcedManifest {
  /** The parsed object (a mapping with a string `kind`). */
  readonly obj: any;
  /** The file, as given on the command line (joined with the directory entries below it). */
  readonly file: string;
  /** 1-based line where the YAML document starts. */
  readonly line: number;
}

/** What {@link loadManifests} found. */
export interface LoadedFiles {
  /** Manifest objects in file order (`kind: List` flattened). */
  readonly manifests: SourcedManifest[];
  /** Files that were read (even if they held no manifest). */
  readonly files: string[];
  /** Unreadable paths, invalid YAML documents, documents that are not Kubernetes objects. */
  readonly problems: string[];
  /** Paths named on the command line that do not exist (a typo: the caller treats it as fatal). */
  readonly missing: string[];
}

/**
 * Read `*.yaml` / `*.yml` files; directories are searched recursively in sorted order (stable output).
 * Files named explicitly are read whatever their extension. Every file is read once, however often it
 * is reached (the same path twice, a directory and a file inside it, symlinks, symlink loops).
 * @param cwd directory relative paths are resolved against (they are reported as given)
 */
export function loadManifests(paths: string[], cwd: string): LoadedFiles {
  const manifests: SourcedManifest[] = [];
  const files: string[] = [];
  const problems: string[] = [];
  const missing: string[] = [];
  for (const file of expand(paths, cwd, problems, missing, new Set())) {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(cwd, file), 'utf-8');
    } catch (e) {
      problems.push(`${file}: cannot read: ${(e as Error).message}`);
      continue;
    }
    files.push(file);
    const lineCounter = new LineCounter();
    parseAllDocuments(text, { lineCounter }).forEach((doc, i) => {
      const line = lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
      if (doc.errors.length > 0) {
        const error = doc.errors[0];
        const where = error.linePos ? `line ${error.linePos[0].line}` : `document ${i + 1}`;
        problems.push(`${file}: ${where}: invalid YAML, document skipped: ${error.message.split('\n')[0].replace(/:$/, '')}`);
        return;
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 100 });
      } catch (e) {
        problems.push(`${file}: line ${line}: invalid YAML, document skipped: ${(e as Error).message}`);
        return;
      }
      collect(value, file, line, manifests, problems);
    });
  }
  return { manifests, files, problems, missing };
}

/** Objects of one document: `kind: List` is flattened; empty documents are skipped silently. */
function collect(value: unknown, file: string, line: number, into: SourcedManifest[], problems: string[]): void {
  if (value === null || value === undefined) return;
  const obj = value as any;
  if (typeof obj !== 'object' || Array.isArray(obj) || typeof obj.kind !== 'string') {
    problems.push(`${file}: line ${line}: not a Kubernetes object (no kind), document skipped`);
    return;
  }
  if (obj.kind === 'List' && Array.isArray(obj.items)) {
    obj.items.forEach((item: unknown) => collect(item, file, line, into, problems));
    return;
  }
  into.push({ obj, file, line });
}

/**
 * The files below `paths`, each real file once (`seen` holds real paths of files and directories
 * already visited, so symlink loops end and duplicates are skipped).
 */
function expand(paths: string[], cwd: string, problems: string[], missing: string[], seen: Set<string>, named = true): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    let real: string;
    try {
      stat = fs.statSync(path.resolve(cwd, p));
      real = fs.realpathSync(path.resolve(cwd, p));
    } catch (e) {
      if (named && (e as NodeJS.ErrnoException).code === 'ENOENT') missing.push(p);
      else problems.push(`${p}: cannot read: ${(e as Error).message}`);
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    if (!stat.isDirectory()) {
      out.push(p);
      continue;
    }
    for (const child of fs.readdirSync(path.resolve(cwd, p)).sort()) {
      const full = path.join(p, child);
      let childIsDir = false;
      try {
        childIsDir = fs.statSync(path.resolve(cwd, full)).isDirectory();
      } catch {
        // A dangling symlink: listed as unreadable below only if it looks like YAML.
      }
      if (childIsDir || /\.ya?ml$/i.test(child)) out.push(...expand([full], cwd, problems, missing, seen, false));
    }
  }
  return out;
}
