import { LintDocument, documentLabel } from './document';
import { markdownManifests } from './markdown';
import { parseYaml } from './parse';
import { LintContext } from './rule';
import { RULES } from './rules';
import { LintFinding, LintSeverity, PolicyLintOptions } from './types';

/**
 * Flags the networking pitfalls listed in NETWORKING-FACTS.md in any manifests: ours (from
 * `Testing.synth`) or foreign YAML and Markdown. Never throws on odd input: unparsable YAML is a
 * `yaml-parse` finding.
 *
 * Findings are sorted by source, object, path and rule, so output is stable run to run.
 */
export class PolicyLint {
  /** Lint plain manifest objects (e.g. the output of `Testing.synth(chart)`). */
  public static check(manifests: any[], options: PolicyLintOptions = {}): LintFinding[] {
    const documents: LintDocument[] = (Array.isArray(manifests) ? manifests : [])
      .map((obj, i) => ({ obj, index: i + 1 }))
      .filter((d) => d.obj !== null && d.obj !== undefined);
    return PolicyLint.run(documents, [], options);
  }

  /** Lint multi-document YAML text; `source` names the file in findings. */
  public static checkYaml(text: string, source?: string, options: PolicyLintOptions = {}): LintFinding[] {
    const parsed = parseYaml(text, source);
    return PolicyLint.run(parsed.documents, parsed.findings, options);
  }

  /**
   * Lint the ```yaml blocks of a Markdown document as one manifest set (plus YAML heredocs and
   * Cilium `--set` values in its shell blocks).
   */
  public static checkMarkdown(text: string, source?: string, options: PolicyLintOptions = {}): LintFinding[] {
    const found = markdownManifests(text, source);
    return PolicyLint.run(found.documents, found.findings, options);
  }

  private static run(documents: LintDocument[], initial: LintFinding[], options: PolicyLintOptions): LintFinding[] {
    const ctx: LintContext = { documents, cni: options.cni, ipFamilies: options.ipFamilies };
    const findings = [...initial];
    for (const rule of RULES) {
      let reports;
      try {
        reports = rule.check(ctx);
      } catch (e) {
        // A rule tripping over an unexpected shape must not hide the other rules' findings.
        findings.push({
          rule: 'lint-rule-failed',
          severity: LintSeverity.INFO,
          object: rule.ids[0],
          message: `rule ${rule.ids[0]} failed: ${e instanceof Error ? e.message : String(e)}`,
          fix: 'report this input to the cdk8s-networking maintainers',
        });
        continue;
      }
      for (const r of reports) {
        findings.push({
          rule: r.rule ?? rule.ids[0],
          severity: r.severity,
          object: documentLabel(r.doc),
          ...(r.path !== undefined ? { path: r.path } : {}),
          message: r.message,
          fix: r.fix,
          ...(r.doc.source !== undefined ? { source: r.doc.source } : {}),
          ...(r.doc.line !== undefined ? { line: r.doc.line } : {}),
        });
      }
    }
    return findings.sort(compareFindings);
  }
}

function compareFindings(a: LintFinding, b: LintFinding): number {
  return cmp(a.source, b.source) || cmp(a.object, b.object) || cmp(a.path, b.path) || cmp(a.rule, b.rule)
    || (a.line ?? 0) - (b.line ?? 0) || cmp(a.message, b.message);
}

function cmp(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
