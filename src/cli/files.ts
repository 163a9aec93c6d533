/**
 * Reads the manifests named on the command line, remembering which file and line each came from
 * so lint findings and warnings can point at it. Problems are collected, never thrown: one broken
 * file must not hide the rest of a GitOps repository.
 */
import { isManifest, readYamlFiles } from '../util/yaml-documents';

/** One manifest object with its origin. */
export interface SourcedManifest {
  /** The parsed object (a mapping with a string `kind`). */
  readonly obj: any;
  /** The file, as given on the command line (joined with the directory entries below it). */
  readonly file: string;
  /** 1-based line where the YAML document starts (for an item of a `kind: List`, where the item starts). */
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
  for (const file of readYamlFiles(paths, cwd)) {
    if (file.missing) {
      missing.push(file.path);
      continue;
    }
    if (file.entries === undefined) {
      problems.push(`${file.path}: cannot read: ${file.error}`);
      continue;
    }
    files.push(file.path);
    for (const entry of file.entries) {
      if (entry.error !== undefined) {
        problems.push(`${file.path}: line ${entry.line}: invalid YAML, document skipped: ${entry.error}`);
      } else if (!isManifest(entry.value)) {
        problems.push(`${file.path}: line ${entry.line}: not a Kubernetes object (no kind), document skipped`);
      } else {
        manifests.push({ obj: entry.value, file: file.path, line: entry.line });
      }
    }
  }
  return { manifests, files, problems, missing };
}
