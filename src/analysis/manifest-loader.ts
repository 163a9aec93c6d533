/**
 * Reads Kubernetes manifests from YAML files and directories (a GitOps repository, `cdk8s synth`
 * output). Problems are collected, not thrown: one broken file must not hide the rest.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ManifestObject } from './model';

/** Manifests read from files, and what could not be read. */
export interface LoadedManifests {
  readonly manifests: ManifestObject[];
  readonly problems: string[];
}

/** Read `*.yaml` / `*.yml` files, recursing into directories (in sorted order, for stable output). */
export function loadYamlFiles(paths: string[]): LoadedManifests {
  const manifests: ManifestObject[] = [];
  const problems: string[] = [];
  for (const entry of expand(paths)) {
    if (entry.problem !== undefined) {
      problems.push(entry.problem);
      continue;
    }
    const file = entry.file!;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf-8');
    } catch (e) {
      problems.push(`${file}: cannot read: ${(e as Error).message}`);
      continue;
    }
    parseAllDocuments(text).forEach((doc, index) => {
      if (doc.errors.length > 0) {
        problems.push(`${file}: document ${index + 1}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`);
        return;
      }
      collect(doc.toJS(), manifests);
    });
  }
  return { manifests, problems };
}

/** Objects of a document; `kind: List` is flattened, empty documents and non-objects skipped. */
function collect(value: any, into: ManifestObject[]): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  if (value.kind === 'List' && Array.isArray(value.items)) {
    value.items.forEach((item: any) => collect(item, into));
    return;
  }
  if (typeof value.kind === 'string') into.push(value);
}

/** A file to read, or why a path could not be listed; in input order so problems read naturally. */
interface Entry {
  readonly file?: string;
  readonly problem?: string;
}

function expand(paths: string[]): Entry[] {
  const entries: Entry[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      entries.push({ problem: `${p}: cannot read: ${(e as Error).message}` });
      continue;
    }
    if (stat.isDirectory()) {
      const children = fs.readdirSync(p).sort().map((c) => path.join(p, c));
      entries.push(...expand(children.filter((c) => isDirectory(c) || /\.ya?ml$/i.test(c))));
    } else {
      entries.push({ file: p });
    }
  }
  return entries;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
