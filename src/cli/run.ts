/**
 * The `cdk8s-networking` command line, runnable in-process (tests) or from `main.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Analysis, analyzeManifests } from './analysis';
import { AnalyzeCommand, LintCommand, UsageError, parseCommandLine } from './args';
import { runDiff } from './diff';
import { ExpectationFile, ExpectationFileError, loadExpectations } from './expectations';
import { flowsOf, writeJsonReport, writeMermaid, writeTable } from './flow-writers';
import { formatExpectationsText, formatFindingsText, summarize } from './format';
import { InputError, invalidDocumentsOf, loadOrFail, skippedWarning } from './input';
import { lintManifests, lintMarkdown } from './lint';
import { lintMeshOptions } from './mesh-choice';
import { OutputClosedError, OutputError, ReportWriter } from './output';
import { invalidDocumentText, undecidedText } from './undecided';
import { USAGE } from './usage';
import { LintFinding, LintSeverity, PolicyLintOptions } from '../lint/types';

/** Where the command line writes; `cwd` resolves relative paths (default: `process.cwd()`). */
export interface CliIo {
  /** Directory relative paths are resolved against (default: `process.cwd()`). */
  readonly cwd?: string;
  /**
   * Receives the report, in chunks of about 64 KiB. May throw {@link OutputClosedError} when the
   * reader has gone: the run then stops writing and returns the exit code it had decided.
   */
  stdout(s: string): void;
  /** Receives warnings and errors. */
  stderr(s: string): void;
}

/** Exit codes of the command line. */
export const EXIT_OK = 0;
/** A lint error or a failed expectation. */
export const EXIT_FINDINGS = 1;
/** A usage error, input that cannot be read, an unreadable expectations file, an unwritable --output. */
export const EXIT_USAGE = 2;
/** An internal error: a bug in cdk8s-networking, reported as such instead of a stack trace. */
export const EXIT_INTERNAL = 3;
/**
 * Undecided: nothing failed, but an expectation (or with `--strict` a flow of the matrix, or with
 * `--diff` a flow a `--fail-on-open` pattern matches) is indeterminate: the manifests alone do not
 * decide it; or a document of the input is not valid YAML (any command): it may hold a policy, so
 * every verdict it could change is indeterminate, and a clean lint of the rest may be wrong.
 */
export const EXIT_UNDECIDED = 4;

/** The exit code a command has decided before it writes its report (kept when the reader goes away). */
interface Decision {
  code: number;
}

/**
 * Run the command line with `args` (without the program name) and return the exit code. Never
 * throws: usage problems and unreadable input go to `stderr` with exit code 2, an unexpected error
 * with exit code 3.
 */
export function run(args: string[], io: CliIo): number {
  const cwd = io.cwd ?? process.cwd();
  const decision: Decision = { code: EXIT_OK };
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
        return lint(command, io, cwd, decision);
      case 'diff':
        return runDiff(command, io, cwd, { ok: EXIT_OK, findings: EXIT_FINDINGS, undecided: EXIT_UNDECIDED }, JSON_SCHEMA_VERSION,
          (code) => { decision.code = code; });
      default:
        return analyze(command, io, cwd, decision);
    }
  } catch (e) {
    return failure(e, io, decision);
  }
}

/** The exit code for an error `run` caught, after telling the user. */
function failure(e: unknown, io: CliIo, decision: Decision): number {
  if (e instanceof OutputClosedError) return decision.code;
  const expected = e instanceof UsageError || e instanceof ExpectationFileError || e instanceof InputError || e instanceof OutputError;
  try {
    if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n\n${USAGE}`);
    } else if (expected) {
      io.stderr(`error: ${(e as Error).message}\n`);
    } else {
      const err = e as Error;
      const what = typeof err?.message === 'string' ? `${err.name ?? 'Error'}: ${err.message}` : String(e);
      const stack = process.env.CDK8S_NETWORKING_DEBUG && typeof err?.stack === 'string' ? `${err.stack}\n` : '';
      io.stderr(`internal error: ${what}\nThis is a bug in cdk8s-networking: please report it with the input that causes it `
        + `(CDK8S_NETWORKING_DEBUG=1 prints the stack trace).\n${stack}`);
    }
  } catch {
    // stderr is gone too: the exit code is all that is left.
  }
  return expected ? EXIT_USAGE : EXIT_INTERNAL;
}

/**
 * Version of the JSON documents `analyze --format json` and `lint --format json` print. Raised when a
 * field is removed or changes meaning (new fields do not raise it). 2: flows have a `verdict` (allow,
 * deny, indeterminate with a `reason`), so `allowed: false` no longer means denied; expectation
 * outcomes say `actual` as a word and `undecided`. With `--mesh` (new fields, same version): `mesh`
 * names the mesh, and every flow has `cniVerdict` and `meshVerdict` beside the combined `verdict`.
 * `invalidDocuments` (a new field, same version; `analyze --diff` has it too) lists the documents
 * skipped as invalid YAML, `{ file, line, error }`: when it is not empty the run is undecided.
 */
export const JSON_SCHEMA_VERSION = 2;

/**
 * Mermaid refuses to render a flowchart with more edges than its `maxEdges` setting, 500 by default
 * (https://mermaid.js.org/config/schema-docs/config-properties-maxedges.html).
 */
export const MERMAID_MAX_EDGES = 500;

function analyze(command: AnalyzeCommand, io: CliIo, cwd: string, decision: Decision): number {
  // Validate the expectations before the (possibly long) analysis.
  const expectations: ExpectationFile | undefined = command.expect !== undefined
    ? loadExpectations(command.expect, cwd, command.limits) : undefined;
  const { loaded, warnings, invalidDocuments } = loadOrFail(command.paths, io, cwd, 'analyze', command.limits, 'refuse', { mesh: command.mesh });
  const analysis: Analysis = analyzeManifests({
    manifests: loaded.manifests,
    cni: command.cni,
    podCidrs: command.podCidrs,
    nodeIp: command.nodeIp,
    mesh: command.mesh,
    linkerd: command.linkerd,
    istio: command.istio,
    ports: command.ports,
    expectations,
    invalidDocuments,
  });
  for (const w of analysis.leftOut) io.stderr(`warning: ${w}\n`);
  warnings.push(...analysis.leftOut);
  const { matrix, notes, outcomes } = analysis;
  // analyze --lint: the lint is told the analysis's --mesh; without --mesh (no mesh layer for analyze) the lint's mesh rules keep
  // guessing, as before, as the cluster may still run a mesh.
  const findings = command.lint ? lintManifests(loaded.manifests, lintOptionsOf(command)) : undefined;
  const summary = matrix.summary;
  const failed = (findings !== undefined && summarize(findings).error > 0) || (outcomes ?? []).some((o) => !o.pass && !o.undecided);
  // A skipped invalid document may hold a policy: no verdict or expectation stands for certain without it.
  const undecided = invalidDocuments.length > 0 || (outcomes ?? []).some((o) => o.undecided) || (command.strict && summary.indeterminate > 0);
  decision.code = failed ? EXIT_FINDINGS : undecided ? EXIT_UNDECIDED : EXIT_OK;

  const out = ReportWriter.open(command.output, cwd, io.stdout);
  if (command.format === 'json') {
    const head = {
      schemaVersion: JSON_SCHEMA_VERSION,
      cni: command.cni.name,
      ...(matrix.meshName !== undefined ? { mesh: matrix.meshName } : {}),
      summary,
      endpoints: matrix.endpoints,
    };
    writeJsonReport(out, head, flowsOf(matrix), {
      lint: findings ? { findings, summary: summarize(findings) } : undefined,
      expectations: outcomes,
      warnings,
      notes,
      invalidDocuments,
    });
  } else {
    // Extra sections are Mermaid comments (`%%`) in mermaid format, so the output still renders.
    const extra = (text: string) => command.format === 'mermaid' ? text.replace(/^(?=.)/gm, '%% ') : text;
    let edges = 0;
    if (command.format === 'mermaid') edges = writeMermaid(out, matrix.endpoints, flowsOf(matrix), matrix.meshName);
    else writeTable(out, () => flowsOf(matrix), command.maxRows, matrix.meshName);
    if (findings) out.write(`\n${extra(formatFindingsText(findings))}`);
    if (outcomes) out.write(`\n${extra(formatExpectationsText(outcomes))}`);
    // What invalidDocuments says in the JSON: without it a table of the rest (or no flows at all) reads as the whole answer.
    if (invalidDocuments.length > 0) {
      const reasons = invalidDocuments.map((d) => `${invalidDocumentText(d)}: it may hold a policy, so every verdict it could change is indeterminate`);
      out.write(`\n${extra(undecidedText('the manifests do not decide this analysis', reasons, failed, false))}`);
    }
    const tooMany = command.format === 'mermaid' ? mermaidEdgeWarning(edges) : undefined;
    if (tooMany) io.stderr(`warning: ${tooMany}\n`);
  }
  out.end();
  for (const note of notes) io.stderr(`note: ${note}\n`);
  if (summary.indeterminate > 0 && command.podCidrs === undefined) {
    io.stderr(`note: ${summary.indeterminate} flows are indeterminate; where the reason is an unknown address, --pod-cidrs `
      + '(and --node-ip) tell the analysis where pods (and nodes) are\n');
  }
  if (command.strict && summary.indeterminate > 0) {
    io.stderr(`error: --strict: ${summary.indeterminate} of ${summary.flows} flows are indeterminate (the manifests do not decide them)\n`);
  }
  if (command.output !== undefined) io.stderr(`wrote ${command.output}\n`);
  return decision.code;
}

/** A warning when a flowchart has more edges than Mermaid draws by default. */
export function mermaidEdgeWarning(edges: number): string | undefined {
  if (edges <= MERMAID_MAX_EDGES) return undefined;
  return `the flowchart has ${edges} edges, more than Mermaid's default maxEdges (${MERMAID_MAX_EDGES}): `
    + 'it may not render; analyze fewer files or directories, or use --format table or json';
}

/** The lint options of a command: `--cni`, `--ip-families`, and `--mesh` (`none` too) with its install flags. */
function lintOptionsOf(command: AnalyzeCommand | LintCommand): PolicyLintOptions {
  const mesh = command.command === 'analyze' && command.meshNone ? 'none' : command.mesh;
  return {
    cni: command.cni,
    ipFamilies: command.ipFamilies,
    ...(mesh !== undefined ? lintMeshOptions(mesh, command.linkerd, command.istio) : {}),
  };
}

function lint(command: LintCommand, io: CliIo, cwd: string, decision: Decision): number {
  const { loaded, warnings, invalidDocuments } = loadOrFail(command.paths, io, cwd, 'lint', command.limits, command.markdown ? 'search' : 'named');
  const options = lintOptionsOf(command);
  const markdown = lintMarkdown(loaded.markdown, options);
  const findings: LintFinding[] = [
    ...(loaded.manifests.length > 0 ? lintManifests(loaded.manifests, options) : []),
    ...markdown.findings,
  ];
  // A yaml block of a Markdown file that is not valid YAML is skipped input, as a document of a YAML file.
  for (const s of markdown.skipped) {
    const warning = skippedWarning(s, 'lint');
    io.stderr(`warning: ${warning}\n`);
    warnings.push(warning);
  }
  invalidDocuments.push(...invalidDocumentsOf(markdown.skipped));
  // No error found is no all-clear when a document could not be read: a policy in it went unlinted.
  decision.code = findings.some((f) => f.severity === LintSeverity.ERROR) ? EXIT_FINDINGS
    : invalidDocuments.length > 0 ? EXIT_UNDECIDED : EXIT_OK;
  const out = ReportWriter.open(command.output, cwd, io.stdout);
  out.write(command.format === 'json'
    ? JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, findings, summary: summarize(findings), warnings, invalidDocuments }, null, 2) + '\n'
    : formatFindingsText(findings));
  // What invalidDocuments says in the JSON: without it the text of a partial lint reads as a clean one.
  if (command.format !== 'json' && invalidDocuments.length > 0) {
    const reasons = invalidDocuments.map((d) => `${invalidDocumentText(d)}: any policy in it is not linted`);
    out.write(`\n${undecidedText('the lint does not cover all of the input', reasons, decision.code === EXIT_FINDINGS, false)}`);
  }
  out.end();
  if (command.output !== undefined) io.stderr(`wrote ${command.output}\n`);
  return decision.code;
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
