/**
 * The `cdk8s-networking` command line, runnable in-process (tests) or from `main.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AnalyzeCommand, LintCommand, MeshChoice, UsageError, parseCommandLine } from './args';
import { Expectation, ExpectationFileError, checkExpectations, loadExpectations } from './expectations';
import { LoadedFiles, loadManifests } from './files';
import { formatExpectationsText, formatFindingsText, summarize } from './format';
import { unknownKindWarnings } from './kinds';
import { lintManifests } from './lint';
import { USAGE } from './usage';
import { Reachability } from '../analysis/reachability';
import { IstioMode, Mesh } from '../cluster/mesh';
import { LintSeverity } from '../lint/types';

/** Where the command line writes; `cwd` resolves relative paths (default: `process.cwd()`). */
export interface CliIo {
  /** Directory relative paths are resolved against (default: `process.cwd()`). */
  readonly cwd?: string;
  /** Receives the report. */
  stdout(s: string): void;
  /** Receives warnings and errors. */
  stderr(s: string): void;
}

/** Exit codes of the command line. */
export const EXIT_OK = 0;
/** A lint error or a failed expectation. */
export const EXIT_FINDINGS = 1;
/** A usage error, an unreadable expectations file or no readable input. */
export const EXIT_USAGE = 2;

/**
 * Run the command line with `args` (without the program name) and return the exit code.
 * Never throws for bad input: usage problems go to `stderr` with exit code 2.
 */
export function run(args: string[], io: CliIo): number {
  const cwd = io.cwd ?? process.cwd();
  try {
    const command = parseCommandLine(args);
    switch (command.command) {
      case 'help':
        io.stdout(USAGE);
        return EXIT_OK;
      case 'version':
        io.stdout(`${version()}\n`);
        return EXIT_OK;
      case 'lint':
        return lint(command, io, cwd);
      default:
        return analyze(command, io, cwd);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (e instanceof ExpectationFileError || e instanceof InputError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

/** Nothing to analyze, or the report cannot be written (exit code 2). */
class InputError extends Error {}

/**
 * Version of the JSON documents `analyze --format json` and `lint --format json` print. Raised when a
 * field is removed or changes meaning (new fields do not raise it).
 */
export const JSON_SCHEMA_VERSION = 1;

/**
 * Mermaid refuses to render a flowchart with more edges than its `maxEdges` setting, 500 by default
 * (https://mermaid.js.org/config/schema-docs/config-properties-maxedges.html).
 */
export const MERMAID_MAX_EDGES = 500;

function analyze(command: AnalyzeCommand, io: CliIo, cwd: string): number {
  // Validate the expectations before the (possibly long) analysis.
  const expectations: Expectation[] | undefined = command.expect !== undefined
    ? loadExpectations(command.expect, cwd) : undefined;
  const meshFlavour = command.mesh === undefined ? undefined : command.mesh === 'linkerd' ? 'linkerd' : 'istio';
  const { loaded, warnings } = load(command.paths, io, cwd, 'analyze', meshFlavour);
  const reach = Reachability.fromManifests(loaded.manifests.map((m) => m.obj), {
    cni: command.cni,
    ...(command.mesh !== undefined ? { mesh: meshOf(command.mesh) } : {}),
  });
  const matrix = reach.matrix({ ports: command.ports });
  const findings = command.lint ? lintManifests(loaded.manifests, command.cni, command.ipFamilies) : undefined;
  const outcomes = expectations ? checkExpectations(reach, expectations) : undefined;
  const notes = reach.notes;

  let out: string;
  if (command.format === 'json') {
    const doc = {
      schemaVersion: JSON_SCHEMA_VERSION,
      ...JSON.parse(matrix.toJson()),
      ...(findings ? { lint: { findings, summary: summarize(findings) } } : {}),
      ...(outcomes ? { expectations: outcomes } : {}),
      warnings,
      notes,
    };
    out = JSON.stringify(doc, null, 2) + '\n';
  } else {
    const diagram = command.format === 'mermaid' ? matrix.toMermaid() : undefined;
    const sections = [diagram ?? matrix.toTable()];
    // Extra sections are Mermaid comments (`%%`) in mermaid format, so the output still renders.
    const extra = (text: string) => command.format === 'mermaid' ? text.replace(/^(?=.)/gm, '%% ') : text;
    if (findings) sections.push(extra(formatFindingsText(findings)));
    if (outcomes) sections.push(extra(formatExpectationsText(outcomes)));
    out = sections.map((s) => s.endsWith('\n') ? s : `${s}\n`).join('\n');
    if (diagram !== undefined) {
      const tooMany = mermaidEdgeWarning(diagram);
      if (tooMany) io.stderr(`warning: ${tooMany}\n`);
    }
  }
  for (const note of notes) io.stderr(`note: ${note}\n`);
  emit(out, command.output, io, cwd);
  const failed = (findings !== undefined && summarize(findings).error > 0) || (outcomes ?? []).some((o) => !o.pass);
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

/** A warning when `diagram` (a rendered flowchart) has more edges than Mermaid draws by default. */
export function mermaidEdgeWarning(diagram: string): string | undefined {
  // renderMermaid draws one `a -->|"ports"| b` line per source/destination pair.
  const edges = diagram.split('\n').filter((l) => / -->\|/.test(l)).length;
  if (edges <= MERMAID_MAX_EDGES) return undefined;
  return `the flowchart has ${edges} edges, more than Mermaid's default maxEdges (${MERMAID_MAX_EDGES}): `
    + 'it may not render; analyze fewer files or directories, or use --format table or json';
}

function lint(command: LintCommand, io: CliIo, cwd: string): number {
  const { loaded, warnings } = load(command.paths, io, cwd, 'lint');
  const findings = lintManifests(loaded.manifests, command.cni, command.ipFamilies);
  const out = command.format === 'json'
    ? JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, findings, summary: summarize(findings), warnings }, null, 2) + '\n'
    : formatFindingsText(findings);
  emit(out, command.output, io, cwd);
  return findings.some((f) => f.severity === LintSeverity.ERROR) ? EXIT_FINDINGS : EXIT_OK;
}

/**
 * Load the input and print its problems as warnings (also returned, for the JSON output). A path named
 * on the command line that does not exist (a typo would otherwise pass a pipeline on less input), no
 * readable file, or no Kubernetes object at all is an input error.
 */
function load(paths: string[], io: CliIo, cwd: string, command: 'analyze' | 'lint', mesh?: 'istio' | 'linkerd'): { loaded: LoadedFiles; warnings: string[] } {
  const loaded = loadManifests(paths, cwd);
  const warnings = [...loaded.problems, ...unknownKindWarnings(loaded.manifests, command, mesh)];
  for (const warning of warnings) io.stderr(`warning: ${warning}\n`);
  if (loaded.missing.length > 0) throw new InputError(`no such file or directory: ${loaded.missing.join(', ')}`);
  if (loaded.files.length === 0) throw new InputError(`no readable YAML file in ${paths.join(', ')}`);
  if (loaded.manifests.length === 0) throw new InputError(`no Kubernetes object in ${paths.join(', ')}`);
  return { loaded, warnings };
}

function emit(text: string, output: string | undefined, io: CliIo, cwd: string): void {
  if (output === undefined) {
    io.stdout(text);
    return;
  }
  try {
    fs.writeFileSync(path.resolve(cwd, output), text);
  } catch (e) {
    throw new InputError(`cannot write ${output}: ${(e as Error).message}`);
  }
  io.stderr(`wrote ${output}\n`);
}

/** The mesh `--mesh` names (with Istio's and Linkerd's defaults: root namespace istio-system, trust domain cluster.local). */
function meshOf(choice: MeshChoice): Mesh {
  switch (choice) {
    case 'istio': return Mesh.istio({ mode: IstioMode.SIDECAR });
    case 'istio-ambient': return Mesh.istio({ mode: IstioMode.AMBIENT });
    case 'linkerd': return Mesh.linkerd();
  }
}

/** The package version, read at run time so the compiled CLI reports what is installed. */
function version(): string {
  // Both src/cli/run.ts (tests) and lib/cli/run.js (installed) sit two levels below package.json.
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8')).version;
  } catch {
    return 'unknown';
  }
}
