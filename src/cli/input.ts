/**
 * Loads the command line's input and decides whether it can be checked at all: warnings for what
 * is skipped inside readable files, an input error (exit code 2) for anything that cannot be read.
 */
import { LoadedFiles, loadInput } from './files';
import { unknownKindWarnings } from './kinds';
import { MeshChoice, meshFamily } from './mesh-choice';
import { ReadLimits } from '../util/input-files';
import { MarkdownMode } from '../util/yaml-documents';

/** Nothing to analyze, or input that cannot be read (exit code 2). */
export class InputError extends Error {}

/** Options of {@link loadOrFail}. */
export interface LoadOptions {
  /** One side of a diff: no readable file or no object is not an error. */
  readonly allowEmpty?: boolean;
  /** `--mesh`: the kinds its layer evaluates are no "not modelled" warning. */
  readonly mesh?: MeshChoice;
}

/** Where loadOrFail reports warnings. */
export interface WarningSink {
  stderr(s: string): void;
}

/**
 * Load the input and print its problems as warnings (also returned, for the JSON output). A path named
 * on the command line that does not exist (a typo would otherwise pass a pipeline on less input), a
 * file that cannot be read (not a regular file, over a size limit, a symlink out of the directories
 * given), no readable file, or no Kubernetes object at all (nor Markdown, for lint) is an input error;
 * with `allowEmpty` (one side of a diff) the last two are not.
 */
export function loadOrFail(paths: string[], io: WarningSink, cwd: string, command: 'analyze' | 'lint', limits: ReadLimits,
  markdown: MarkdownMode, options: LoadOptions = {}): { loaded: LoadedFiles; warnings: string[] } {
  const loaded = loadInput(paths, cwd, limits, markdown);
  const mesh = options.mesh === undefined ? undefined : meshFamily(options.mesh);
  const warnings = [...loaded.problems, ...unknownKindWarnings(loaded.manifests, command, mesh)];
  for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
  if (loaded.missing.length > 0) throw new InputError(`no such file or directory: ${loaded.missing.join(', ')}`);
  if (loaded.unreadable.length > 0) {
    throw new InputError(`cannot read ${loaded.unreadable.length === 1 ? 'an input file' : `${loaded.unreadable.length} input files`}`
      + `, so nothing is checked:\n${loaded.unreadable.map((u) => `  ${u.message}`).join('\n')}`);
  }
  if (options.allowEmpty) return { loaded, warnings };
  if (loaded.files.length === 0) {
    const hint = markdown === 'named' ? ' (lint searches directories for Markdown with --markdown)' : '';
    throw new InputError(`no readable YAML file in ${paths.join(', ')}${hint}`);
  }
  if (loaded.manifests.length === 0 && loaded.markdown.length === 0) throw new InputError(`no Kubernetes object in ${paths.join(', ')}`);
  return { loaded, warnings };
}

