/**
 * Reads Kubernetes manifests from YAML files and directories (a GitOps repository, `cdk8s synth`
 * output) with the command line's reader. Problems are collected, not thrown: one broken file (or an
 * alias bomb) must not hide the rest.
 */
import { ManifestObject } from './model';
import { isManifest, readYamlFiles } from '../util/yaml-documents';

/** Manifests read from files, and what could not be read. */
export interface LoadedManifests {
  readonly manifests: ManifestObject[];
  readonly problems: string[];
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
  for (const file of readYamlFiles(paths, cwd)) {
    if (file.entries === undefined) {
      problems.push(`${file.path}: cannot read: ${file.error?.message}`);
      continue;
    }
    for (const entry of file.entries) {
      const where = `${file.path}: document ${entry.document + 1}`;
      if (entry.error !== undefined) problems.push(`${where}: invalid YAML at line ${entry.line}: ${entry.error}`);
      else if (!isManifest(entry.value)) problems.push(`${where}: not a Kubernetes object (no kind) at line ${entry.line}, skipped`);
      else manifests.push(entry.value);
    }
  }
  return { manifests, problems };
}
