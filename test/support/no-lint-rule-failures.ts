/**
 * Jest setup (every test file): a PolicyLint rule that throws is turned into an info finding
 * `lint-rule-failed` so that the other rules' findings still reach the user. Tests mostly filter
 * findings by rule, which would hide such a crash as "no finding": here every run of PolicyLint in a
 * test fails instead, naming the rule and its error. A test of the mechanism itself can set
 * `allowLintRuleFailures(true)`.
 */
import { PolicyLint } from '../../src/lint/policy-lint';
import { LintFinding } from '../../src/lint/types';

let allowed = false;

/** Let PolicyLint report `lint-rule-failed` instead of failing the test (for tests of that mechanism). */
export function allowLintRuleFailures(allow: boolean): void {
  allowed = allow;
}

const lint = PolicyLint as unknown as { run: (...args: unknown[]) => LintFinding[] };
const run = lint.run;
lint.run = function guardedRun(...args: unknown[]): LintFinding[] {
  const findings = run.apply(this, args);
  const failed = findings.filter((f) => f.rule === 'lint-rule-failed');
  if (failed.length > 0 && !allowed) {
    throw new Error(`PolicyLint rule(s) threw in a test: ${failed.map((f) => f.message).join('; ')}`);
  }
  return findings;
};

afterEach(() => {
  allowed = false;
});
