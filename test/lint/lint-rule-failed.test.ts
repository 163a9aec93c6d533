/**
 * A rule that throws on an unexpected shape must not hide the other rules' findings: PolicyLint
 * reports it as an info finding `lint-rule-failed` and goes on. In tests such a finding fails the
 * test (test/support/no-lint-rule-failures.ts), since a rule filter would hide it as "no finding".
 */
import { PolicyLint } from '../../src/lint/policy-lint';
import { LintRule } from '../../src/lint/rule';
import { RULES } from '../../src/lint/rules';
import { LintSeverity } from '../../src/lint/types';
import { allowLintRuleFailures } from '../support/no-lint-rule-failures';

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
const THROWING: LintRule = { ids: ['always-throws'], check: () => { throw new Error('unexpected shape at spec.x'); } };

function withThrowingRule<T>(body: () => T): T {
  (RULES as LintRule[]).unshift(THROWING);
  try {
    return body();
  } finally {
    (RULES as LintRule[]).shift();
  }
}

test('a throwing rule becomes an info finding, and the other rules still report', () => {
  allowLintRuleFailures(true);
  const findings = withThrowingRule(() => PolicyLint.check([NAMESPACE]));
  expect(findings.filter((f) => f.rule === 'lint-rule-failed')).toEqual([{
    rule: 'lint-rule-failed',
    severity: LintSeverity.INFO,
    object: 'always-throws',
    message: 'rule always-throws failed: unexpected shape at spec.x',
    fix: 'report this input to the cdk8s-networking maintainers',
  }]);
  expect(findings.map((f) => f.rule)).toContain('namespace-without-default-deny');
});

test('in tests, a throwing rule fails the test instead of disappearing behind a rule filter', () => {
  expect(() => withThrowingRule(() => PolicyLint.check([NAMESPACE]).filter((f) => f.rule === 'namespace-without-default-deny')))
    .toThrow('PolicyLint rule(s) threw in a test: rule always-throws failed: unexpected shape at spec.x');
});
