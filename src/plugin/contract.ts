/**
 * The part of cdk8s-cli's validation plugin contract this plugin uses (`cdk8s-cli/plugins`:
 * `Validation`, `ValidationContext`, `ValidationReport`, `ValidationViolation`; checked against
 * cdk8s-cli 2.207). Declared structurally here so the package needs no cdk8s-cli at run time and its
 * type declarations import nothing from it; `test/plugin/contract.test.ts` type-checks the plugin
 * against the real interfaces.
 *
 * How cdk8s-cli runs a plugin (`cdk8s synth`, for every entry of `validations:` in cdk8s.yaml): it
 * loads `package` (a local path starting with `./` or an absolute path is required as is; any other
 * name is installed from npm into the plugins directory), instantiates `class` with `properties`
 * (`new Class(properties ?? {})`), calls `validate(context)` and exits with code 2 when a report was
 * submitted with status `failure`.
 */

/** One resource a violation points at. */
export interface PluginViolatingResource {
  /** `metadata.name`: cdk8s-cli looks it up in the app's construct metadata to print the construct path. */
  readonly resourceName: string;
  /** Where in the resource (free text, printed one per line). */
  readonly locations: readonly string[];
  /** The manifest file. */
  readonly manifestPath: string;
}

/** One violation in a report. */
export interface PluginViolation {
  /** Rule name (the report's heading of the violation). */
  readonly ruleName: string;
  /** What is wrong. */
  readonly recommendation: string;
  /** How to fix it. */
  readonly fix: string;
  /** The resources concerned. */
  readonly violatingResources: readonly PluginViolatingResource[];
}

/** The report a plugin fills and submits. */
export interface PluginReport {
  /** Add a violation (before submitting). */
  addViolation(violation: PluginViolation): void;
  /** Submit the report; `failure` fails `cdk8s synth` (exit code 2). Metadata values are printed in the summary. */
  submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
}

/** What cdk8s-cli passes to `validate`. */
export interface PluginContext {
  /** Absolute paths of the synthesized manifest files. */
  readonly manifests: readonly string[];
  /** The report to fill and submit. */
  readonly report: PluginReport;
  /** Log lines printed by cdk8s-cli (instead of `console.log`). */
  readonly logger: { log(message: string): void };
}
