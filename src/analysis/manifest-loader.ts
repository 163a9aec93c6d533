/**
 * Reads Kubernetes manifests from YAML files and directories (a GitOps repository, `cdk8s synth`
 * output) with the command line's reader. Problems are collected, not thrown: one broken file (or an
 * alias bomb) must not hide the rest.
 */
import { ManifestObject } from './model';
import { SkippedInput } from './uncertainty/skipped-input';
import { isManifest, readYamlFiles } from '../util/yaml-documents';

/** Manifests read from files, and what could not be read. */
export interface LoadedManifests {
  readonly manifests: ManifestObject[];
  /** Every file and document that was not read, as a message. */
  readonly problems: string[];
  /** The files that could not be read and the invalid YAML documents (not those without kind): they may hold a policy. */
  readonly skipped: SkippedInput[];
}

/**
 * Read `*.yaml` / `*.yml` files, recursing into directories (in sorted order, for stable output);
 * every real file once, symlink loops ended. `kind: List` documents and typed lists are flattened. Only regular files
 * up to 32 MiB each and 256 MiB together are read, and symlinks found in a directory are followed
 * only inside it (the command line's defaults); anything else is a problem.
 * @param cwd directory relative paths are resolved against (they are reported as given)
 */
export function loadYamlFiles(paths: string[], cwd: string = process.cwd()): LoadedManifests {
  const manifests: ManifestObject[] = [];
  const problems: string[] = [];
  const skipped: SkippedInput[] = [];
  for (const file of readYamlFiles(paths, cwd)) {
    if (file.entries === undefined) {
      problems.push(`${file.path}: cannot read: ${file.error?.message}`);
      skipped.push({ file: file.path, error: `${file.error?.message}` });
      continue;
    }
    for (const entry of file.entries) {
      const where = `${file.path}: document ${entry.document + 1}`;
      if (entry.error !== undefined) {
        problems.push(`${where}: invalid YAML at line ${entry.line}: ${entry.error}`);
        skipped.push({ file: file.path, line: entry.line, error: entry.error });
      } else if (!isManifest(entry.value)) {
        problems.push(`${where}: not a Kubernetes object (no kind) at line ${entry.line}, skipped`);
      } else {
        manifests.push(entry.value);
      }
    }
  }
  return { manifests, problems, skipped };
}
