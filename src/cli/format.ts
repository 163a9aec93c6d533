/**
 * Text renderings of lint findings and expectation outcomes for the terminal.
 */
import { ExpectationOutcome, verdictText } from './expectation-check';
import { LintFinding, LintSeverity } from '../lint/types';

/** Counts of findings per severity. */
export interface FindingSummary {
  readonly error: number;
  readonly warning: number;
  readonly info: number;
}

/** How many findings of each severity. */
export function summarize(findings: readonly LintFinding[]): FindingSummary {
  const count = (s: LintSeverity) => findings.filter((f) => f.severity === s).length;
  return { error: count(LintSeverity.ERROR), warning: count(LintSeverity.WARNING), info: count(LintSeverity.INFO) };
}

/**
 * One block per finding: `file:line: severity [rule] object path: message`, then the fix, then a
 * summary line.
 */
export function formatFindingsText(findings: readonly LintFinding[]): string {
  const lines: string[] = [];
  for (const f of findings) {
    const where = f.source !== undefined ? `${f.source}${f.line !== undefined ? `:${f.line}` : ''}: ` : '';
    lines.push(`${where}${f.severity} [${f.rule}] ${f.object}${f.path !== undefined ? ` ${f.path}` : ''}: ${f.message}`);
    lines.push(`  fix: ${f.fix}`);
  }
  const s = summarize(findings);
  lines.push(findings.length === 0 ? 'lint: no findings'
    : `lint: ${plural(s.error, 'error')}, ${plural(s.warning, 'warning')}, ${plural(s.info, 'info finding')}`);
  return lines.join('\n') + '\n';
}

/** `PASS <question>: allowed` / `FAIL <question>: expected ..., got ...` plus the indented explanation. */
export function formatExpectationsText(outcomes: readonly ExpectationOutcome[]): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    const expected = o.expected ? 'allowed' : 'denied';
    if (o.pass) {
      lines.push(`PASS ${o.question}: ${expected}`);
      continue;
    }
    const got = o.actual === undefined ? 'an error' : verdictText(o);
    lines.push(`${o.undecided ? 'UNDECIDED' : 'FAIL'} ${o.question}: expected ${expected}, got ${got}`);
    for (const l of (o.explanation ?? '').split('\n')) lines.push(`  ${l}`);
  }
  const failed = outcomes.filter((o) => !o.pass && !o.undecided).length;
  const undecided = outcomes.filter((o) => o.undecided).length;
  lines.push(`expectations: ${outcomes.length - failed - undecided} passed, ${failed} failed`
    + `${undecided > 0 ? `, ${undecided} undecided (indeterminate: the manifests do not decide them)` : ''}`);
  return lines.join('\n') + '\n';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
