import { LintDocument, documentLabel } from './document';
import { LintMesh, lintMeshOf } from './lint-mesh';
import { markdownManifests } from './markdown';
import { parseYaml } from './parse';
import { LintContext } from './rule';
import { RULES } from './rules';
import { LintFinding, LintSeverity, PolicyLintOptions } from './types';
import { LINKERD_INSTALLATION_OPTION_KEYS } from '../analysis/option-values';
import { Cni } from '../cluster/cni';
import { IpFamily } from '../cluster/ip-family';
import { requireMadeCni } from '../cluster/made-by-factories';
import { propError } from '../util/errors';
import { requireArray, requireKnownKeys, requireOneOf, requireOptionalString, requireProps, requireString, StructKeys } from '../util/guards';

/**
 * Flags the networking pitfalls listed in NETWORKING-FACTS.md in any manifests: ours (from
 * `Testing.synth`) or foreign YAML and Markdown. Never throws on odd input: unparsable YAML is a
 * `yaml-parse` finding. Arguments of the wrong type (a manifest list that is not a list, a `cni`
 * that is not a Cni, a `mesh` that is not a Mesh, an unknown IP family) are a ValidationError naming
 * the method and the option: read differently they would silently skip rules.
 *
 * Findings are sorted by source, object, path and rule, so output is stable run to run.
 */
export class PolicyLint {
  /** Lint plain manifest objects (e.g. the output of `Testing.synth(chart)`). */
  public static check(manifests: any[], options: PolicyLintOptions = {}): LintFinding[] {
    const site = 'PolicyLint.check';
    const checked = checkOptions(site, options);
    const documents: LintDocument[] = requireArray(site, 'manifests', manifests)
      .map((obj, i) => ({ obj, index: i + 1 }))
      .filter((d) => d.obj !== null && d.obj !== undefined);
    return PolicyLint.run(documents, [], checked);
  }

  /** Lint multi-document YAML text; `source` names the file in findings. */
  public static checkYaml(text: string, source?: string, options: PolicyLintOptions = {}): LintFinding[] {
    const site = 'PolicyLint.checkYaml';
    const checked = checkOptions(site, options);
    const parsed = parseYaml(requireString(site, 'text', text), requireOptionalString(site, 'source', source));
    return PolicyLint.run(parsed.documents, parsed.findings, checked);
  }

  /**
   * Lint the ```yaml blocks of a Markdown document as one manifest set (plus YAML heredocs and
   * Cilium `--set` values in its shell blocks).
   */
  public static checkMarkdown(text: string, source?: string, options: PolicyLintOptions = {}): LintFinding[] {
    const site = 'PolicyLint.checkMarkdown';
    const checked = checkOptions(site, options);
    const found = markdownManifests(requireString(site, 'text', text), requireOptionalString(site, 'source', source));
    return PolicyLint.run(found.documents, found.findings, checked);
  }

  private static run(documents: LintDocument[], initial: LintFinding[], options: CheckedOptions): LintFinding[] {
    const ctx: LintContext = { documents, cni: options.cni, ipFamilies: options.ipFamilies, ...(options.mesh ? { mesh: options.mesh } : {}) };
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

/**
 * The options, checked at the public entry point (jsii and plain JavaScript callers can pass
 * anything): a `cni` that is not a factory-made Cni would reach the CNI rules as a string, an
 * empty or misspelt `ipFamilies` would make the metadata rules check no family at all, and a `mesh`
 * that is not a Mesh would leave the mesh rules guessing (./lint-mesh).
 */
function checkOptions(site: string, options: PolicyLintOptions | undefined): CheckedOptions {
  const o = requireKnownKeys(site, 'options', requireProps(site, options, true, 'options'), OPTION_KEYS);
  let cni: Cni | undefined;
  if (o.cni !== undefined) {
    cni = requireMadeCni(site, 'options.cni', o.cni);
  }
  let ipFamilies: IpFamily[] | undefined;
  if (o.ipFamilies !== undefined) {
    ipFamilies = requireArray(site, 'options.ipFamilies', o.ipFamilies)
      .map((f, i) => requireOneOf(site, `options.ipFamilies[${i}]`, f, Object.values(IpFamily), 'an IP family'));
    if (ipFamilies.length === 0) {
      throw propError(site, 'options.ipFamilies', 'must name at least one IP family (omit it when the families are unknown): '
        + 'with none, no destination would be checked against a metadata service');
    }
  }
  return { cni, ipFamilies, mesh: lintMeshOf(site, o) };
}

/** The options as the rules read them. */
interface CheckedOptions {
  readonly cni?: Cni;
  readonly ipFamilies?: IpFamily[];
  readonly mesh?: LintMesh;
}

/** The fields of PolicyLintOptions: a misspelt one (`ipFamily`) would be ignored. */
const OPTION_KEYS: StructKeys<PolicyLintOptions> = {
  cni: true,
  ipFamilies: true,
  mesh: true,
  ...LINKERD_INSTALLATION_OPTION_KEYS,
};

function compareFindings(a: LintFinding, b: LintFinding): number {
  return cmp(a.source, b.source) || cmp(a.object, b.object) || cmp(a.path, b.path) || cmp(a.rule, b.rule)
    || (a.line ?? 0) - (b.line ?? 0) || cmp(a.message, b.message);
}

function cmp(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
