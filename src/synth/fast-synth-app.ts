import { App, AppProps, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { Stringify, stringifyEach, writerAgrees } from './cdk8s-stringify';
import { chartObjects, dependencyOrder } from './chart-objects';
import { propError } from '../util/errors';
import { describeValue, requireArrayOf, requireBoolean, requireOneOf, requireOptionalString, requireProps } from '../util/guards';

/**
 * A cdk8s `App` that writes the same files, byte for byte, as `App` does, in less CPU time: a drop-in
 * replacement (`new FastSynthApp()` where the program had `new App()`) for platforms large enough
 * that `cdk8s synth` takes seconds. At 1,000 tenants about a third less CPU than `App` (README,
 * "Performance").
 *
 * Most of a large synth is YAML serialization (about half of `App.synth()`'s CPU at 1,000 tenants),
 * and cdk8s serializes through its static `Yaml.stringify`. While this app's `synth()` or
 * `synthYaml()` runs:
 * - each document is written by this library's YAML writer (src/synth/yaml-writer.ts), which writes
 *   the shapes Kubernetes manifests are made of about five times faster; any other document goes to
 *   cdk8s's own `Yaml.stringify`;
 * - a chart of this app renders its objects without re-running the validation and dependency
 *   resolution `synth()` has just run for the whole app (cdk8s's `Chart.toJson()` runs both again
 *   for every chart). `synthYaml()` validates after resolving dependencies, so there the first
 *   chart is rendered by cdk8s itself (its resolution then sees what the validations added: a
 *   validation may add dependencies), and the others without.
 * Everything else (validation, dependency order, file names and layout for every `yamlOutputType`,
 * construct metadata) is cdk8s's own `synth()`, untouched.
 *
 * Safeguards: the first time in a process, sample documents covering every rule of the writer are
 * written both ways; if cdk8s's `Yaml.stringify` writes any of them differently (other options, a
 * `yaml` release with another quoting rule), the app serializes with cdk8s's throughout. Both
 * replacements last only for the call and are restored even when synthesis throws, so other apps
 * and later code see cdk8s's own; charts of other apps (a construct rendering another app's chart
 * during synthesis) take cdk8s's own path, and so does a chart whose dependencies form a cycle
 * (cdk8s reports it) or reach into another construct tree. A cdk8s release without the internal
 * chart renderer keeps its own. The one behaviour given up: a validation that behaves differently
 * when run again (fails only the second time, or adds dependencies or constructs each time it runs)
 * is not run again for every chart, as cdk8s runs it, so what that would change is not reported or
 * written.
 */
export class FastSynthApp extends App {
  /**
   * @param props the same properties as cdk8s's `App`.
   * @default - cdk8s's App defaults
   */
  constructor(props: AppProps = {}) {
    super(checkedProps(props));
  }

  /** Synthesizes all manifests to the output directory, as `App.synth()` does, with less work. */
  public synth(): void {
    withFastSynthesis(this, false, () => super.synth());
  }

  /** All YAML objects across all charts of this app as one string, as `App.synthYaml()` gives them, with less work. */
  public synthYaml(): string {
    // cdk8s's synthYaml() resolves dependencies before validating; the first chart's own render
    // resolves them again after the validation (dependencies a validation adds take effect there).
    return withFastSynthesis(this, true, () => super.synthYaml());
  }
}

/** The values of cdk8s's numeric `YamlOutputType` enum (its names left out). */
const YAML_OUTPUT_TYPES = Object.values(YamlOutputType).filter((v): v is YamlOutputType => typeof v === 'number');

/**
 * `AppProps`, each field of the type cdk8s reads it as (a wrong one would fail late with a message
 * naming nothing, or, for `yamlOutputType`, write no file at all). Fields cdk8s may add in later
 * releases pass unchecked, as `App` takes them.
 */
function checkedProps(props: AppProps | undefined): AppProps {
  const site = 'FastSynthApp';
  const p = requireProps(site, props, true);
  requireOptionalString(site, 'outdir', p.outdir, true);
  requireOptionalString(site, 'outputFileExtension', p.outputFileExtension);
  if (p.yamlOutputType !== undefined) requireOneOf(site, 'yamlOutputType', p.yamlOutputType, YAML_OUTPUT_TYPES, 'a YamlOutputType');
  if (p.recordConstructMetadata !== undefined) requireBoolean(site, 'recordConstructMetadata', p.recordConstructMetadata);
  if (p.resolvers !== undefined) {
    requireArrayOf(site, 'resolvers', p.resolvers, (r, prop) => {
      if (r === null || typeof r !== 'object' || typeof (r as any).resolve !== 'function') {
        throw propError(site, prop, `must be an IResolver (an object with a resolve method), got ${describeValue(r)}`);
      }
      return r;
    });
  }
  return p;
}

type SynthChart = (chart: Chart) => any[];

/**
 * Runs `fn` (this app's synthesis) with the writer and the single-pass chart rendering in place.
 * `cdk8sFirst`: the first chart of this app is rendered by cdk8s's own renderer (its dependency
 * resolution and validation run once more), the others by the single pass.
 */
function withFastSynthesis<T>(app: App, cdk8sFirst: boolean, fn: () => T): T {
  const yaml = Yaml as unknown as { stringify: Stringify };
  const cdk8sApp = App as unknown as { _synthChart?: SynthChart };
  const stringify = yaml.stringify;
  const synthChart = cdk8sApp._synthChart;
  const fastYaml = typeof stringify === 'function' && writerAgrees(stringify);
  const fastCharts = typeof synthChart === 'function';
  if (fastYaml) yaml.stringify = (...docs: any[]) => stringifyEach(docs, stringify);
  if (fastCharts) {
    let pending = cdk8sFirst;
    cdk8sApp._synthChart = (chart: Chart) => {
      if (App.of(chart) !== app) return synthChart.call(App, chart);
      // Undefined on what only cdk8s's renderer does in its own way (a cycle, another tree).
      const order = pending ? undefined : dependencyOrder(chart);
      if (order !== undefined) return chartObjects(chart, order);
      pending = false;
      return synthChart.call(App, chart);
    };
  }
  try {
    return fn();
  } finally {
    if (fastYaml) yaml.stringify = stringify;
    if (fastCharts) cdk8sApp._synthChart = synthChart;
  }
}
