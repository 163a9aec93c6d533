/**
 * Text renderings of lint findings and expectation outcomes for the terminal.
 */
import { ExpectationOutcome } from './expectation-check';
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
    const expected = verdict(o.expected);
    if (o.pass) {
      lines.push(`PASS ${o.question}: ${expected}`);
      continue;
    }
    lines.push(`FAIL ${o.question}: expected ${expected}, got ${actualVerdict(o)}`);
    for (const l of (o.explanation ?? '').split('\n')) lines.push(`  ${l}`);
  }
  const failed = outcomes.filter((o) => !o.pass).length;
  lines.push(`expectations: ${outcomes.length - failed} passed, ${failed} failed`);
  return lines.join('\n') + '\n';
}

function verdict(allowed: boolean): string {
  return allowed ? 'allowed' : 'denied';
}

/** `allowed`, `denied`, `allowed for 1 of 2 pod pairs` or `an error`. */
function actualVerdict(o: ExpectationOutcome): string {
  if (o.actual === undefined) return 'an error';
  const { allowedPairs, totalPairs } = o;
  if (allowedPairs !== undefined && totalPairs !== undefined && allowedPairs > 0 && allowedPairs < totalPairs) {
    return `allowed for ${allowedPairs} of ${totalPairs} pod pairs`;
  }
  return verdict(o.actual);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
