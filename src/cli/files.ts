/**
 * Reads the input named on the command line, remembering which file and line each manifest came
 * from so lint findings and warnings can point at it. The files are walked and read by the reader
 * `Reachability.fromYamlFiles` uses too (`readYamlFiles` in src/util/yaml-documents.ts): only regular
 * files, within the size limits, and symlinks only inside the directories given. Problems are
 * collected, never thrown: a document that is skipped (invalid YAML, or not a Kubernetes object) is
 * listed, a file that cannot be read is reported with all the others before the caller gives up.
 */
import * as path from 'path';
import { ReadBudget, ReadError, ReadLimits, readRegularFile } from '../util/input-files';
import { MarkdownMode, isManifest, readYamlFiles } from '../util/yaml-documents';

/** One manifest object with its origin. */
export interface SourcedManifest {
  /** The parsed object (a mapping with a string `kind`). */
  readonly obj: any;
  /** The file, as given on the command line (joined with the directory entries below it). */
  readonly file: string;
  /** 1-based line where the YAML document starts (for an item of a `kind: List`, where the item starts). */
  readonly line: number;
}

/** A Markdown file read for the lint. */
export interface MarkdownFile {
  /** The file, as given (joined with the directory entries below it). */
  readonly file: string;
  /** Its text. */
  readonly text: string;
}

/** A document of a readable file that is not read as a manifest. */
export interface SkippedDocument {
  /** The file, as given (joined with the directory entries below it). */
  readonly file: string;
  /** 1-based line where the document starts, or where its syntax error is. */
  readonly line: number;
  /**
   * Why the YAML parser refused the document (first line of its message). Such a document may be
   * anything, a policy included, so every verdict it could change is indeterminate.
   * @default - the document parses but is not a Kubernetes object (no kind): it cannot be applied
   */
  readonly yamlError?: string;
  /** `file: line N: why, document skipped`. */
  readonly message: string;
}

/** A file or directory the CLI could not read. */
export interface UnreadableFile {
  /** The path as given or found. */
  readonly path: string;
  /** `path: reason`, as printed. */
  readonly message: string;
}

/** What {@link loadInput} found. */
export interface LoadedFiles {
  /** Manifest objects in file order (`kind: List` and typed lists flattened). */
  readonly manifests: SourcedManifest[];
  /** Markdown files, in file order. */
  readonly markdown: MarkdownFile[];
  /** Files that were read (even if they held no manifest). */
  readonly files: string[];
  /** Invalid YAML documents and documents that are not Kubernetes objects, in file order. */
  readonly skipped: SkippedDocument[];
  /** Every file or directory that could not be read (the caller stops). */
  readonly unreadable: UnreadableFile[];
  /** Paths named on the command line that do not exist (a typo: the caller treats it as fatal). */
  readonly missing: string[];
}

/** The flag that changes the outcome of a read error, as a suffix of its message. */
const HINTS: Partial<Record<ReadError['kind'], string>> = {
  'too-large': ' (raise --max-file-size to read it)',
  'total-exceeded': ' (raise --max-total-size to read it)',
  'outside': ' (--follow-symlinks follows it; or name the target on the command line)',
  // Not a flag: the command that reads it (only analyze refuses Markdown).
  'refused': ': analyze reads YAML only (cdk8s-networking lint reads Markdown)',
};

/** What to say about a read error, with the flag that changes the outcome. */
function withHint(error: ReadError): string {
  return `${error.message}${HINTS[error.kind] ?? ''}`;
}

function describe(file: string, error: ReadError): string {
  return `${file}: ${withHint(error)}`;
}

/**
 * Read `*.yaml` / `*.yml` files (and Markdown, per `markdown`) with {@link readYamlFiles}:
 * directories are searched recursively in sorted order (stable output), files named explicitly are
 * read whatever their extension (YAML unless named `*.md` / `*.markdown`), and every file is read
 * once, however often it is reached (the same path twice, a directory and a file inside it, symlinks,
 * symlink loops). This sorts what was read into manifests, Markdown, skipped documents and errors.
 * @param cwd directory relative paths are resolved against (they are reported as given)
 */
export function loadInput(paths: string[], cwd: string, limits: ReadLimits, markdown: MarkdownMode): LoadedFiles {
  const loaded: LoadedFiles = { manifests: [], markdown: [], files: [], skipped: [], unreadable: [], missing: [] };
  for (const file of readYamlFiles(paths, cwd, { ...limits, markdown })) {
    if (file.error?.kind === 'missing') {
      loaded.missing.push(file.path);
      continue;
    }
    if (file.error !== undefined) {
      loaded.unreadable.push({ path: file.path, message: describe(file.path, file.error) });
      continue;
    }
    loaded.files.push(file.path);
    if (file.markdown !== undefined) {
      loaded.markdown.push({ file: file.path, text: file.markdown });
      continue;
    }
    for (const doc of file.entries ?? []) {
      const at = `${file.path}: line ${doc.line}`;
      if (doc.error !== undefined) {
        loaded.skipped.push(invalidYamlDocument(file.path, doc.line, doc.error));
      } else if (!isManifest(doc.value)) {
        loaded.skipped.push({ file: file.path, line: doc.line, message: `${at}: not a Kubernetes object (no kind), document skipped` });
      } else {
        loaded.manifests.push({ obj: doc.value, file: file.path, line: doc.line });
      }
    }
  }
  return loaded;
}

/** A document that is not valid YAML (of a YAML file, or a yaml block of a Markdown file), as skipped. */
export function invalidYamlDocument(file: string, line: number, error: string): SkippedDocument {
  return { file, line, yamlError: error, message: `${file}: line ${line}: invalid YAML, document skipped: ${error}` };
}

/**
 * Read one file named by the user (the expectations file) under the same rules: a regular file of
 * at most `limits.maxFileBytes`.
 * @returns the text, or the reason it cannot be read (with the flag that would change it)
 */
export function readNamedFile(file: string, cwd: string, limits: ReadLimits): { text: string } | { error: string } {
  const read = readRegularFile(path.resolve(cwd, file), new ReadBudget({ maxFileBytes: limits.maxFileBytes, maxTotalBytes: limits.maxFileBytes }));
  // With the total limit at the file limit, a read fails as too-large, not-regular or io only.
  return 'error' in read ? { error: withHint(read.error) } : read;
}
