/**
 * Lints the loaded manifests as one set (cross-file rules such as "namespace without default deny"
 * need to see every file) and points each finding back at its file and line.
 */
import { MarkdownFile, SkippedDocument, SourcedManifest, invalidYamlDocument } from './files';
import { documentLabel } from '../lint/document';
import { yamlParseError } from '../lint/parse';
import { PolicyLint } from '../lint/policy-lint';
import { LintFinding, PolicyLintOptions } from '../lint/types';

/**
 * Lint `manifests` and attach `source` / `line` to every finding about one of them. `options` are the
 * cluster's facts the command line gives (`--cni`, `--ip-families`, `--mesh` and its install flags).
 */
export function lintManifests(manifests: readonly SourcedManifest[], options: PolicyLintOptions = {}): LintFinding[] {
  const findings = PolicyLint.check(manifests.map((m) => m.obj), options);
  // PolicyLint labels objects `Kind ns/name` / `Kind name`, or `document N of input` (N = 1-based index).
  const byLabel = new Map<string, SourcedManifest>();
  manifests.forEach((m, i) => {
    const label = documentLabel({ obj: m.obj, index: i + 1 });
    if (!byLabel.has(label)) byLabel.set(label, m);
  });
  return findings.map((f) => {
    const origin = f.source === undefined ? byLabel.get(f.object) : undefined;
    if (!origin) return f;
    return { ...f, source: origin.file, line: origin.line };
  });
}

/** What the lint of the Markdown files found. */
export interface MarkdownLint {
  /** The findings, each with the file and the line in it. */
  readonly findings: LintFinding[];
  /** The YAML documents (yaml blocks, heredocs) that are not valid YAML, skipped as in YAML files. */
  readonly skipped: SkippedDocument[];
}

/**
 * Lint each Markdown file on its own (`PolicyLint.checkMarkdown`: its yaml blocks, YAML heredocs and
 * Cilium `--set` command lines); findings carry the file and the line in it. A block that is not valid
 * YAML is skipped input, as a document of a YAML file is (it may hold a policy: the run is undecided,
 * exit 4 unless something fails), not the `yaml-parse` error the library reports.
 */
export function lintMarkdown(files: readonly MarkdownFile[], options: PolicyLintOptions = {}): MarkdownLint {
  const findings: LintFinding[] = [];
  const skipped: SkippedDocument[] = [];
  for (const f of files) {
    for (const finding of PolicyLint.checkMarkdown(f.text, f.file, options)) {
      const error = yamlParseError(finding);
      if (error === undefined) findings.push(finding);
      else skipped.push(invalidYamlDocument(f.file, finding.line ?? 1, error));
    }
  }
  return { findings, skipped };
}
