/**
 * Loads the command line's input and decides whether it can be checked at all: warnings for what
 * is skipped inside readable files (an invalid YAML document also leaves the run undecided), an input
 * error (exit code 2) for anything that cannot be read.
 */
import { LoadedFiles, SkippedDocument, loadInput } from './files';
import { unknownKindWarnings } from './kinds';
import { MeshChoice, meshFamily } from './mesh-choice';
import { SkippedInput } from '../analysis/uncertainty/skipped-input';
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
 * A document that is not valid YAML, as the JSON outputs list it (`invalidDocuments`). It may hold a
 * NetworkPolicy (a deny or an allow), so the run is undecided: the analysis answers every verdict it
 * could change indeterminate (with the file and line), and a clean lint of the rest may be wrong.
 */
export interface InvalidDocument extends SkippedInput {
  /** 1-based line of the syntax error (where the document starts, for an error found after parsing). */
  readonly line: number;
}

/** What {@link loadOrFail} read. */
export interface LoadedInput {
  readonly loaded: LoadedFiles;
  /** The warnings printed, for the JSON output. */
  readonly warnings: string[];
  /** The invalid YAML documents skipped (each also among `warnings`): non-empty makes the run undecided. */
  readonly invalidDocuments: InvalidDocument[];
}

/** What the warning about an invalid YAML document adds: why skipping it leaves the run undecided. */
const UNDECIDED_BECAUSE: Record<'analyze' | 'lint', string> = {
  analyze: 'any policy in it is unknown, so every verdict it could change is indeterminate',
  lint: 'any policy in it is not linted, so the lint cannot vouch for it',
};

/** The warning about a skipped document; for one that is not valid YAML, why the run is undecided. */
export function skippedWarning(s: SkippedDocument, command: 'analyze' | 'lint'): string {
  return s.yamlError === undefined ? s.message : `${s.message}; ${UNDECIDED_BECAUSE[command]} (the run is undecided: exit 4 unless something fails)`;
}

/** The skipped documents that are not valid YAML, as the JSON outputs list them. */
export function invalidDocumentsOf(skipped: readonly SkippedDocument[]): InvalidDocument[] {
  return skipped.flatMap((s) => s.yamlError === undefined ? [] : [{ file: s.file, line: s.line, error: s.yamlError }]);
}

/**
 * Load the input and print its problems as warnings (also returned, for the JSON output). A path named
 * on the command line that does not exist (a typo would otherwise pass a pipeline on less input), a
 * file that cannot be read (not a regular file, over a size limit, a symlink out of the directories
 * given), no readable file, or no Kubernetes object at all (nor Markdown, for lint) is an input error;
 * with `allowEmpty` (one side of a diff) the last two are not. A document that is not valid YAML is a
 * warning saying the run is undecided (the caller decides exit code 4 unless something fails); one
 * that parses but is no Kubernetes object is only a warning (it cannot be applied either).
 */
export function loadOrFail(paths: string[], io: WarningSink, cwd: string, command: 'analyze' | 'lint', limits: ReadLimits,
  markdown: MarkdownMode, options: LoadOptions = {}): LoadedInput {
  const loaded = loadInput(paths, cwd, limits, markdown);
  const mesh = options.mesh === undefined ? undefined : meshFamily(options.mesh);
  const warnings = [...loaded.skipped.map((s) => skippedWarning(s, command)), ...unknownKindWarnings(loaded.manifests, command, mesh)];
  const invalidDocuments = invalidDocumentsOf(loaded.skipped);
  for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
  if (loaded.missing.length > 0) throw new InputError(`no such file or directory: ${loaded.missing.join(', ')}`);
  if (loaded.unreadable.length > 0) {
    throw new InputError(`cannot read ${loaded.unreadable.length === 1 ? 'an input file' : `${loaded.unreadable.length} input files`}`
      + `, so nothing is checked:\n${loaded.unreadable.map((u) => `  ${u.message}`).join('\n')}`);
  }
  if (options.allowEmpty) return { loaded, warnings, invalidDocuments };
  if (loaded.files.length === 0) {
    const hint = markdown === 'named' ? ' (lint searches directories for Markdown with --markdown)' : '';
    throw new InputError(`no readable YAML file in ${paths.join(', ')}${hint}`);
  }
  if (loaded.manifests.length === 0 && loaded.markdown.length === 0) throw new InputError(`no Kubernetes object in ${paths.join(', ')}`);
  return { loaded, warnings, invalidDocuments };
}
