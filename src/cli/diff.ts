/**
 * `analyze --diff <base> <head>`: the pull-request view. Both manifest sets are analyzed (objects
 * the analyzer fails on are left out, as for `analyze`), then `Reachability.diff` lists the flows the
 * change opens and closes and those it makes or stops making indeterminate, each with the objects
 * and rules deciding it, grouped by namespace pair, as a table, JSON or Markdown for a PR comment.
 * `--fail-on-open` patterns turn chosen openings into a failed check (see open-patterns.ts); a pattern
 * no pair of endpoints matches is undecided, not passed, and so is a diff with an invalid YAML
 * document on either side (it may hold a policy). `--probes` adds the probes of an
 * expectations file to both sides, so a repository of namespaces and policies has endpoints to
 * compare. With `--mesh`, a flow needs the CNI and the mesh to allow it, and the mesh's deciding
 * rules are marked `mesh:`. Pods' egress to and ingress from external endpoints (the regions of the
 * policies' CIDRs, the internet, the metadata address) are compared too, and patterns can name them
 * (`internet`, `external`, a CIDR; `outside` includes them).
 */
import { analyzeManifests } from './analysis';
import { DiffCommand } from './args';
import { loadExpectations } from './expectations';
import { InvalidDocument, loadOrFail, WarningSink } from './input';
import { ReportWriter } from './output';
import { invalidDocumentText, undecidedText } from './undecided';
import { NAMESPACE_NAME_LABEL } from '../analysis/inventory';
import { FlowChange, FlowDiffEntry } from '../analysis/reachability-diff';
import { Verdict } from '../analysis/verdict';

/** Where the diff writes and what it decides. */
export interface DiffIo extends WarningSink {
  stdout(s: string): void;
}

/** Exit codes the diff can decide (the command line's, passed in to keep one definition). */
export interface DiffExitCodes {
  readonly ok: number;
  readonly findings: number;
  readonly undecided: number;
}

/** A `--fail-on-open` pattern and the changed flows it matches. */
interface PatternMatch {
  readonly pattern: string;
  /** Opened flows it matches. */
  readonly opened: string[];
  /** Flows, not allowed before, that the change makes indeterminate (they may open), that it matches. */
  readonly mayOpen: string[];
  /**
   * No pair of endpoints of either side matches the pattern, so it cannot fail whatever the policies
   * allow (a repository of namespaces and policies has no pods: `--probes` adds them). Undecided,
   * never a pass.
   */
  readonly matchesNoEndpoints: boolean;
}

/**
 * Run the diff; `decide` records the exit code before the report is written.
 * @returns the exit code
 */
export function runDiff(command: DiffCommand, io: DiffIo, cwd: string, codes: DiffExitCodes, schemaVersion: number,
  decide: (code: number) => void): number {
  // Validate the probes before the (possibly long) analysis; only their `probes` are used.
  const probes = command.probes === undefined ? undefined
    : { probes: loadExpectations(command.probes, cwd, command.limits, true).probes, expectations: [] };
  const side = (dir: string) => {
    const { loaded, warnings, invalidDocuments } = loadOrFail([dir], io, cwd, 'analyze', command.limits, 'refuse', { allowEmpty: true, mesh: command.mesh });
    const { cni, podCidrs, nodeIp, ports, mesh, linkerd, istio } = command;
    const analysis = analyzeManifests({
      manifests: loaded.manifests,
      cni,
      podCidrs,
      nodeIp,
      ports,
      mesh,
      linkerd,
      istio,
      expectations: probes,
      allowEmptyProbeSets: true,
      invalidDocuments,
    });
    for (const w of analysis.leftOut) io.stderr(`warning: ${w}\n`);
    return { reach: analysis.reach, warnings: [...warnings, ...analysis.leftOut], invalidDocuments, namespaces: analysis.namespaces };
  };
  const base = side(command.base);
  const head = side(command.head);
  const diff = base.reach.diff(head.reach, { ports: command.ports });
  const meshName = head.reach.meshName;
  // Patterns read the namespace labels after the change (an opened flow exists after it).
  const labelsOf = (ns: string) => head.namespaces.get(ns) ?? { [NAMESPACE_NAME_LABEL]: ns };
  const endpoints = command.failOnOpen.length > 0 ? [...new Set([...base.reach.endpoints, ...head.reach.endpoints])].sort() : [];
  const matches: PatternMatch[] = command.failOnOpen.map((p) => {
    const hits = (pick: (c: FlowDiffEntry) => boolean) =>
      diff.changes.filter((c) => pick(c) && p.matches(c.source, c.destination, labelsOf)).map(describe);
    const opened = hits((c) => c.change === FlowChange.OPENED);
    return {
      pattern: p.text,
      opened,
      // Uncertain and not surely allowed before nor surely denied after: denied (or absent) before and
      // indeterminate after, or indeterminate before and allowed (or indeterminate) after.
      mayOpen: hits((c) => c.change === FlowChange.UNCERTAIN && c.before !== Verdict.ALLOW && c.after !== Verdict.DENY && c.after !== undefined),
      matchesNoEndpoints: opened.length === 0 && !p.matchesSomePair(endpoints, diff.externalEndpoints, labelsOf),
    };
  });
  const opened = matches.some((m) => m.opened.length > 0);
  // An invalid document on either side may hold a policy: every flow it could change is indeterminate on that side.
  const invalidDocuments = [...base.invalidDocuments, ...head.invalidDocuments];
  const madeIndeterminate = command.strict ? diff.changes.filter((c) => c.after === Verdict.INDETERMINATE).length : 0;
  const undecided = invalidDocuments.length > 0 || matches.some((m) => m.mayOpen.length > 0 || m.matchesNoEndpoints) || madeIndeterminate > 0;
  const code = opened ? codes.findings : undecided ? codes.undecided : codes.ok;
  decide(code);

  const out = ReportWriter.open(command.output, cwd, io.stdout);
  if (command.format === 'json') {
    out.write(`${JSON.stringify({
      schemaVersion,
      cni: command.cni.name,
      ...(meshName !== undefined ? { mesh: meshName } : {}),
      ...JSON.parse(diff.toJson()),
      ...(matches.length > 0 ? { failOnOpen: matches } : {}),
      warnings: [...base.warnings, ...head.warnings],
      invalidDocuments,
    }, null, 2)}\n`);
  } else {
    const markdown = command.format === 'markdown';
    out.write(markdown ? diff.toMarkdown() : diff.toTable());
    if (meshName !== undefined) {
      const layers = `both layers: CNI ${command.cni.name} and mesh ${meshName} (a flow needs both to allow it); `
        + 'the rules marked "mesh:" are the mesh\'s authorization';
      out.write(markdown ? `\n_${layers[0].toUpperCase()}${layers.slice(1)}._\n` : `\n${layers}\n`);
    }
    const verdicts = patternText(matches, markdown);
    if (verdicts !== '') out.write(`\n${verdicts}`);
    const reasons = [
      ...base.invalidDocuments.map((d) => invalidReason('base', d)),
      ...head.invalidDocuments.map((d) => invalidReason('head', d)),
      ...(madeIndeterminate > 0 ? [`--strict: the change makes ${madeIndeterminate} flow${madeIndeterminate === 1 ? '' : 's'} indeterminate`] : []),
    ];
    // A diff that reads "0 flows opened" must not pass for a clean change when a document of either side was skipped.
    if (reasons.length > 0) out.write(`\n${undecidedText('the manifests do not decide this comparison', reasons, opened, markdown)}`);
  }
  out.end();
  if (command.output !== undefined) io.stderr(`wrote ${command.output}\n`);
  return code;
}

/** Why an invalid document leaves the diff undecided, naming its side. */
function invalidReason(side: 'base' | 'head', d: InvalidDocument): string {
  return `${side}: ${invalidDocumentText(d)}: it may hold a policy, so every flow it could change is indeterminate in the ${side}`;
}

function describe(c: FlowDiffEntry): string {
  return `${c.source} -> ${c.destination} ${c.port}`;
}

/** One line per pattern: what it matched (in Markdown, a list for the PR comment). */
function patternText(matches: readonly PatternMatch[], markdown: boolean): string {
  const lines: string[] = [];
  for (const m of matches) {
    const found = [...m.opened.map((f) => `opened: ${f}`), ...m.mayOpen.map((f) => `may open (indeterminate): ${f}`)];
    const verdict = m.opened.length > 0 ? 'FAIL' : m.mayOpen.length > 0 || m.matchesNoEndpoints ? 'UNDECIDED' : 'PASS';
    const count = m.matchesNoEndpoints && found.length === 0
      ? 'matches no pair of endpoints of the manifests (namespaces and policies alone have no pods: add them with --probes)'
      : found.length === 0 ? 'no flow opened' : `${found.length} flow${found.length === 1 ? '' : 's'}`;
    lines.push(markdown ? `- **${verdict}** \`--fail-on-open '${m.pattern}'\`: ${count}` : `${verdict} --fail-on-open '${m.pattern}': ${count}`);
    for (const f of found.slice(0, 20)) lines.push(markdown ? `  - \`${f}\`` : `  ${f}`);
    if (found.length > 20) lines.push(`${markdown ? '  - ' : '  '}... and ${found.length - 20} more`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
