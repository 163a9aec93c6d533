import { ApiObject, App, AppProps, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { YamlWriter } from './yaml-writer';
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

type Stringify = (...docs: any[]) => string;
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

/**
 * A chart's manifests in dependency order, as cdk8s's `Chart.toJson()` gives them, without its
 * validation and dependency resolution (the app's synthesis has just run both).
 */
function chartObjects(chart: Chart, order: IConstruct[]): any[] {
  return order
    .filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart)
    .map((x) => x.toJson());
}

/**
 * The chart's constructs in the order of cdk8s's `new DependencyGraph(chart.node).topology()`: from
 * each construct nothing in the chart depends on (in tree order), its dependencies first (depth
 * first, in the order they were added), each construct once. Undefined, for cdk8s to render the
 * chart, when the chart's dependencies form a cycle, which cdk8s refuses (the app-wide graph cdk8s
 * orders the charts with refuses it first, unless it was added after that graph was built, by the
 * dependency resolution cdk8s runs again when rendering a chart, of dependencies a validation
 * added), and when a construct of the chart depends on one of another construct tree (cdk8s's
 * graph finds its vertices by path, and takes such a construct for the one at the same path here).
 */
function dependencyOrder(chart: Chart): IConstruct[] | undefined {
  const all = chart.node.findAll();
  const inChart = new Set<IConstruct>(all);
  const dependencies = new Map<IConstruct, IConstruct[]>();
  const depended = new Set<IConstruct>();
  const root = chart.node.root;
  const otherTree = new Map<IConstruct, boolean>();
  for (const c of all) {
    const deps: IConstruct[] = [];
    for (const d of c.node.dependencies) {
      if (inChart.has(d)) {
        deps.push(d);
        continue;
      }
      let other = otherTree.get(d);
      if (other === undefined) otherTree.set(d, other = d.node.root !== root);
      // cdk8s's graph finds vertices by path: a construct of another tree may stand for one here.
      if (other) return undefined;
    }
    if (deps.length === 0) continue;
    dependencies.set(c, [...new Set(deps)]);
    for (const d of deps) depended.add(d);
  }
  const order: IConstruct[] = [];
  const done = new Set<IConstruct>();
  const onPath = new Set<IConstruct>();
  const visit = (c: IConstruct): boolean => {
    if (done.has(c)) return true;
    if (onPath.has(c)) return false;
    onPath.add(c);
    for (const d of dependencies.get(c) ?? []) if (!visit(d)) return false;
    onPath.delete(c);
    done.add(c);
    order.push(c);
    return true;
  };
  for (const c of all) if (!depended.has(c) && !visit(c)) return undefined;
  // A construct no walk reached is on a cycle (or behind one) that nothing outside it depends on.
  return order.length === all.length ? order : undefined;
}

/** Each document by the writer, or by cdk8s's own `stringify` when the writer leaves it; joined as cdk8s joins. */
function stringifyEach(docs: any[], stringify: Stringify): string {
  return docs.map((doc) => YamlWriter.tryStringify(doc) ?? stringify.call(Yaml, doc)).join('---\n');
}

/** Per cdk8s `stringify` function: does the writer write the sample documents exactly as it does? */
const AGREES = new WeakMap<Stringify, boolean>();

function writerAgrees(stringify: Stringify): boolean {
  let agrees = AGREES.get(stringify);
  if (agrees === undefined) {
    try {
      agrees = SAMPLE_DOCUMENTS.every((doc) => YamlWriter.tryStringify(doc) !== undefined)
        && stringifyEach(SAMPLE_DOCUMENTS, stringify) === stringify.call(Yaml, ...SAMPLE_DOCUMENTS);
    } catch {
      agrees = false;
    }
    AGREES.set(stringify, agrees);
  }
  return agrees;
}

/**
 * Documents exercising every rule of the writer: plain and quoted strings (the types of the YAML 1.1
 * schema, indicators, empty), quoted keys, nested and empty collections in maps and sequences,
 * integers, booleans, null, and a line longer than any folding width.
 */
const SAMPLE_DOCUMENTS: any[] = [
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'sample', labels: { 'app.kubernetes.io/name': 'x', 'yes': 'on', '8080': '0x1F' } },
    data: {
      plain: 'a b-c_d.e/f(g)h=i',
      typed: ['true', 'Off', 'y', 'null', '~', '', '12', '-3', '0o7', '0b1', '1_000', '1e3', '.5', '.inf', '1:20', '2001-12-14'],
      indicators: ['-', '- x', '?', ':x', 'a:', 'a: b', 'a #b', 'a#b', '#a', '&a', '*a', '!a', '|', '>', '%a', '@a', '`a', ',a', '[a', '{a', ' a', 'a '],
      long: 'x'.repeat(100) + ' ' + 'y'.repeat(100),
    },
    spec: {
      numbers: [0, 1, -1, 65535, 9007199254740991],
      flags: [true, false, null],
      empty: { map: {}, seq: [] },
      nested: [[['a', 'b'], []], [{}], { k: [{ a: 1, b: { c: [2] } }], l: {} }],
    },
  },
  { kind: 'Second', spec: [{ a: 'b' }] },
];
