/**
 * FastSynthApp writes what cdk8s's App writes, byte for byte (every example, every output layout),
 * leaves cdk8s as it found it, and keeps its safeguards.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, AppProps, Chart, Yaml, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { EXAMPLE_CNIS } from '../../examples/cni';
import { EXAMPLES, PLATFORM_EXAMPLES } from '../../examples/synth-all';
import { ClusterNetwork, Cni, FastSynthApp, TenantIsolation } from '../../src';
import { YamlWriter } from '../../src/synth/yaml-writer';
import { Prng } from '../support/prng';
import { expectValidManifests } from '../support/schema';

/** The message of what `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return String(e);
  }
  throw new Error('nothing thrown');
}

let tmp: string;
beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-synth-')); });
afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); jest.restoreAllMocks(); });

/** Every file under `dir`, by relative path, with its text. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** The same program synthesized by cdk8s's App and by FastSynthApp, into two directories. */
function bothWays(build: (app: App) => void, props: AppProps = {}): { cdk8s: Record<string, string>; fast: Record<string, string> } {
  const cdk8sApp = new App({ ...props, outdir: path.join(tmp, 'cdk8s') });
  build(cdk8sApp);
  cdk8sApp.synth();
  const fastApp = new FastSynthApp({ ...props, outdir: path.join(tmp, 'fast') });
  build(fastApp);
  fastApp.synth();
  return { cdk8s: tree(path.join(tmp, 'cdk8s')), fast: tree(path.join(tmp, 'fast')) };
}

/** Two charts, the first depending on the second, with objects cdk8s must order and one multi-line value. */
function dependentCharts(app: App): void {
  const platform = new Chart(app, 'platform');
  const tenants = new Chart(app, 'tenants');
  platform.addDependency(tenants);
  new ClusterNetwork(tenants, 'cluster', { cni: Cni.calico() });
  new TenantIsolation(tenants, 'isolation', { tenants: ['acme', 'globex'] });
  const config = new ApiObject(platform, 'config', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'acme' },
    data: { Corefile: '.:53 {\n    forward . /etc/resolv.conf\n}\n', enabled: 'true', greeting: 'grüezi' },
  });
  const ns = new ApiObject(platform, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared' } });
  config.addDependency(ns);
}

describe('FastSynthApp writes the same files as App', () => {
  test.each(Object.keys(EXAMPLES))('example %s, every CNI', (example) => {
    for (const cni of Object.values(EXAMPLE_CNIS)) {
      const { cdk8s, fast } = bothWays((app) => { EXAMPLES[example](app, cni()); });
      expect(Object.keys(fast).length).toBeGreaterThan(0);
      expect(fast).toEqual(cdk8s);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test.each(Object.entries(PLATFORM_EXAMPLES).flatMap(([example, variants]) => Object.keys(variants).map((v) => [example, v])))(
    'platform example %s (%s)', (example, variant) => {
      const { cdk8s, fast } = bothWays((app) => { PLATFORM_EXAMPLES[example][variant](app); });
      expect(fast).toEqual(cdk8s);
    });

  test.each([
    ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART],
    ['FILE_PER_APP', YamlOutputType.FILE_PER_APP],
    ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE],
    ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE],
  ])('output type %s, dependent charts (numbered files), construct metadata', (_name, yamlOutputType) => {
    const { cdk8s, fast } = bothWays(dependentCharts, { yamlOutputType, recordConstructMetadata: true, outputFileExtension: '.yml' });
    expect(Object.keys(fast).length).toBeGreaterThan(1);
    expect(Object.keys(fast)).toContain('construct-metadata.json');
    expect(fast).toEqual(cdk8s);
    const objects = Object.entries(fast).filter(([f]) => f.endsWith('.yml')).flatMap(([, text]) => Yaml.load(writeTemp(text)));
    expectValidManifests(objects);
  });

  test('synthYaml() gives the same string, and the writer writes most of it', () => {
    const spy = jest.spyOn(YamlWriter, 'tryStringify');
    const cdk8sApp = new App({ outdir: path.join(tmp, 'a') });
    dependentCharts(cdk8sApp);
    const fastApp = new FastSynthApp({ outdir: path.join(tmp, 'b') });
    dependentCharts(fastApp);
    expect(fastApp.synthYaml()).toBe(cdk8sApp.synthYaml());
    const results = spy.mock.results.map((r) => r.value);
    // Every document went to the writer; only the ConfigMap (a multi-line and a non-ASCII value) was left to yaml.
    expect(results.filter((r) => r === undefined).length).toBe(1);
    expect(results.filter((r) => typeof r === 'string').length).toBeGreaterThan(10);
  });
});

describe('FastSynthApp orders objects as App does', () => {
  /**
   * Two objects under plain constructs, `x` made to depend on `y` by a validation (a late-binding
   * hook): cdk8s turns that into an object dependency (b before a) when it resolves dependencies
   * after the validation ran.
   */
  function dependencyAddedByValidation(app: App): void {
    const chart = new Chart(app, 'late');
    const x = new Construct(chart, 'x');
    const y = new Construct(chart, 'y');
    new ApiObject(x, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    new ApiObject(y, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    chart.node.addValidation({ validate: () => { x.node.addDependency(y); return []; } });
  }

  test('synthYaml(): a dependency a validation adds orders the objects (cdk8s validates after resolving)', () => {
    const cdk8sApp = new App({ outdir: path.join(tmp, 'a') });
    dependencyAddedByValidation(cdk8sApp);
    const fastApp = new FastSynthApp({ outdir: path.join(tmp, 'b') });
    dependencyAddedByValidation(fastApp);
    const expected = cdk8sApp.synthYaml();
    expect(expected.indexOf('name: b')).toBeLessThan(expected.indexOf('name: a'));
    expect(fastApp.synthYaml()).toBe(expected);
    expectValidManifests(Yaml.load(writeTemp(expected)));
  });

  test('synthYaml(): a cycle that only cdk8s\'s per-chart resolution makes is refused in cdk8s\'s words', () => {
    // `inner` is nested in `outer` (outer depends on it). A validation makes a construct of `inner`
    // depend on one of `outer`: cdk8s's resolution when rendering the first chart (inner) turns that
    // into inner -> outer, after the charts were ordered; outer's own graph then has a cycle.
    const program = (app: App) => {
      const outer = new Chart(app, 'outer');
      const inner = new Chart(outer, 'inner');
      new ApiObject(outer, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
      new ApiObject(inner, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
      const x = new Construct(inner, 'x');
      const y = new Construct(outer, 'y');
      outer.node.addValidation({ validate: () => { x.node.addDependency(y); return []; } });
    };
    const cdk8sApp = new App({ outdir: tmp });
    program(cdk8sApp);
    const expected = thrown(() => cdk8sApp.synthYaml());
    expect(expected).toMatch(/Dependency cycle detected: outer => outer\/inner => outer/);
    const fastApp = new FastSynthApp({ outdir: tmp });
    program(fastApp);
    expect(thrown(() => fastApp.synthYaml())).toBe(expected);
  });

  test('a dependency on a construct of another construct tree: cdk8s\'s graph finds vertices by path, so does the app', () => {
    // Another tree, rooted at a Chart, with a construct at the path `c/x`, as in the app's chart `c`.
    const foreign = new Chart(undefined as any, '');
    const foreignX = new Construct(new Construct(foreign, 'c'), 'x');
    const program = (app: App) => {
      const chart = new Chart(app, 'c');
      const a = new ApiObject(chart, 'a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
      const x = new Construct(chart, 'x');
      const b = new ApiObject(chart, 'b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
      x.node.addDependency(b);
      a.addDependency(foreignX);
    };
    const { cdk8s, fast } = bothWays(program);
    // cdk8s's graph takes the foreign `c/x` for the chart's own `x`: a after x after b.
    // (a dependency on another chart, that tree's root, numbers the files)
    const file = cdk8s['0000-c.k8s.yaml'];
    expect(file.indexOf('name: b')).toBeLessThan(file.indexOf('name: a'));
    expect(fast).toEqual(cdk8s);
  });

  test('synth(): the same program, every file identical', () => {
    const { cdk8s, fast } = bothWays(dependencyAddedByValidation);
    expect(fast['late.k8s.yaml'].indexOf('name: b')).toBeLessThan(fast['late.k8s.yaml'].indexOf('name: a'));
    expect(fast).toEqual(cdk8s);
  });
});

describe('FastSynthApp: randomized construct trees and dependencies, against App', () => {
  /**
   * A program from a seed: charts (some nested in charts or under plain constructs), plain
   * constructs, objects (some under other objects), and dependencies between any two of them
   * (ancestors, descendants, other charts, nested charts, charts themselves), added in random order,
   * some by validations.
   * The same seed builds the same program in any app.
   */
  function randomProgram(seed: number): (app: App) => void {
    return (app: App) => {
      const prng = new Prng(seed);
      const charts: Chart[] = [];
      const all: Construct[] = [];
      let objects = 0;
      for (let c = prng.int(3) + 1; c > 0; c--) {
        const chart = new Chart(app, `chart${charts.length}`);
        charts.push(chart);
        all.push(chart);
      }
      for (let i = 0; i < 6 + prng.int(10); i++) {
        const scope = prng.pick(all);
        const r = prng.int(10);
        if (r < 6) {
          all.push(new ApiObject(scope, `o${i}`, {
            apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${objects++}` },
          }));
        } else if (r < 8 || Chart.of(scope) !== scope) {
          all.push(r < 8 ? new Construct(scope, `c${i}`) : new Chart(scope, `n${i}`));
        } else {
          all.push(new Chart(scope, `n${i}`));
        }
      }
      for (let d = prng.int(7); d > 0; d--) {
        const source = prng.pick(all);
        const target = prng.pick(all);
        if (source === target) continue;
        // Some added at synth time by a validation (a late-binding hook), as cdk8s allows.
        if (prng.chance(0.3)) source.node.addValidation({ validate: () => { source.node.addDependency(target); return []; } });
        else source.node.addDependency(target);
      }
    };
  }

  /** What an app writes for the program, or the error it throws. */
  function outcome(app: App, program: (app: App) => void, how: 'synth' | 'synthYaml'): string | Record<string, string> {
    program(app);
    try {
      if (how === 'synthYaml') return app.synthYaml();
      app.synth();
      return tree(app.outdir);
    } catch (e) {
      return `threw ${String(e)}`;
    }
  }

  test('500 programs, synth() and synthYaml(): the same files and strings, or the same error', () => {
    let written = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const program = randomProgram(seed);
      const how = seed % 2 === 0 ? 'synth' : 'synthYaml';
      const expected = outcome(new App({ outdir: path.join(tmp, `a${seed}`) }), program, how);
      const actual = outcome(new FastSynthApp({ outdir: path.join(tmp, `f${seed}`) }), program, how);
      expect({ seed, out: actual }).toEqual({ seed, out: expected });
      if (typeof expected !== 'string' || !expected.startsWith('threw')) written++;
    }
    // Most programs are free of cycles; the comparison must be about written output.
    expect(written).toBeGreaterThan(250);
  });
});

/** Writes `text` to a file of its own and returns the path (Yaml.load reads files). */
function writeTemp(text: string): string {
  const file = path.join(tmp, `load-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

describe('FastSynthApp leaves cdk8s as it found it', () => {
  test('Yaml.stringify and the chart renderer are cdk8s\'s own after synth(), synthYaml() and a failed synth', () => {
    const stringify = Yaml.stringify;
    const synthChart = (App as any)._synthChart;
    const app = new FastSynthApp({ outdir: tmp });
    dependentCharts(app);
    app.synth();
    app.synthYaml();
    expect(Yaml.stringify).toBe(stringify);
    expect((App as any)._synthChart).toBe(synthChart);

    const failing = new FastSynthApp({ outdir: tmp });
    const chart = new Chart(failing, 'broken');
    chart.node.addValidation({ validate: () => ['always wrong'] });
    expect(() => failing.synth()).toThrow(/\[broken\] always wrong/);
    expect(Yaml.stringify).toBe(stringify);
    expect((App as any)._synthChart).toBe(synthChart);
  });

  test('an app synthesized during another app\'s synthesis (re-entrant): both write what App writes, cdk8s restored', () => {
    const stringify = Yaml.stringify;
    const synthChart = (App as any)._synthChart;
    /** An outer program whose validation synthesizes an inner program of the same kind of app, once. */
    const nested = (make: () => App) => {
      const outer = make();
      dependentCharts(outer);
      const inner = make();
      dependentCharts(inner);
      let innerYaml: string | undefined;
      new Chart(outer, 'hook').node.addValidation({ validate: () => { innerYaml ??= inner.synthYaml(); return []; } });
      return { outerYaml: outer.synthYaml(), innerYaml };
    };
    const expected = nested(() => new App({ outdir: tmp }));
    const actual = nested(() => new FastSynthApp({ outdir: tmp }));
    expect(actual.innerYaml).toBeDefined();
    expect(actual).toEqual(expected);
    expect(Yaml.stringify).toBe(stringify);
    expect((App as any)._synthChart).toBe(synthChart);
  });

  test('an inner synthesis that throws leaves the outer one\'s replacements, then cdk8s\'s', () => {
    const stringify = Yaml.stringify;
    const synthChart = (App as any)._synthChart;
    const outer = new FastSynthApp({ outdir: tmp });
    dependentCharts(outer);
    const inner = new FastSynthApp({ outdir: tmp });
    new Chart(inner, 'broken').node.addValidation({ validate: () => ['inner wrong'] });
    let during: unknown[] = [];
    new Chart(outer, 'hook').node.addValidation({
      validate: () => {
        const before = [Yaml.stringify, (App as any)._synthChart];
        expect(() => inner.synthYaml()).toThrow(/\[broken\] inner wrong/);
        during = [before, [Yaml.stringify, (App as any)._synthChart]];
        return [];
      },
    });
    const cdk8sApp = new App({ outdir: tmp });
    dependentCharts(cdk8sApp);
    new Chart(cdk8sApp, 'hook');
    expect(outer.synthYaml()).toBe(cdk8sApp.synthYaml());
    const [before, after] = during as unknown[][];
    expect(before[0]).not.toBe(stringify); // the outer synthesis had its writer in place ...
    expect(after[0]).toBe(before[0]); // ... and has it again after the inner one failed
    expect(after[1]).toBe(before[1]);
    expect(Yaml.stringify).toBe(stringify);
    expect((App as any)._synthChart).toBe(synthChart);
  });

  test('validation errors are reported as App reports them', () => {
    // No ClusterNetwork: the library's validation refuses the TenantIsolation at synth time.
    const make = (app: App) => () => {
      new TenantIsolation(new Chart(app, 'platform'), 'isolation', { tenants: ['acme'] });
      app.synth();
    };
    const cdk8sError = thrown(make(new App({ outdir: tmp })));
    expect(cdk8sError).toMatch(/\[platform\/isolation\] ClusterNetwork: none is declared/);
    expect(thrown(make(new FastSynthApp({ outdir: tmp })))).toBe(cdk8sError);
  });

  test('a chart of another app rendered during synthesis takes cdk8s\'s path (validated as usual)', () => {
    const other = new App({ outdir: tmp });
    const otherChart = new Chart(other, 'other');
    otherChart.node.addValidation({ validate: () => ['other app invalid'] });
    const app = new FastSynthApp({ outdir: tmp });
    const chart = new Chart(app, 'main');
    // A construct that renders another app's chart while this app is synthesized.
    class Embeds extends Construct {
      constructor(scope: Construct, id: string) {
        super(scope, id);
        new ApiObject(this, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'embedded' } });
        this.node.addValidation({ validate: () => { otherChart.toJson(); return []; } });
      }
    }
    new Embeds(chart, 'embeds');
    expect(thrown(() => app.synth())).toMatch(/other app invalid/);
  });
});

describe('FastSynthApp safeguards', () => {
  test('when cdk8s\'s Yaml.stringify writes differently from the writer, its own output is used throughout', () => {
    const stringify = Yaml.stringify;
    // Stand-in for a cdk8s release with other options: it quotes every string value.
    const other = (...docs: any[]) => docs.map((d) => JSON.stringify(d) + '\n').join('---\n');
    (Yaml as any).stringify = other;
    try {
      const spy = jest.spyOn(YamlWriter, 'tryStringify');
      const app = new FastSynthApp({ outdir: tmp });
      dependentCharts(app);
      app.synth();
      const files = tree(tmp);
      const text = files['0000-tenants.k8s.yaml'];
      expect(text.startsWith('{"apiVersion":')).toBe(true);
      // Only the sample documents of the one-time check went to the writer: no manifest did.
      const sampled = spy.mock.calls.length;
      app.synthYaml();
      expect(spy.mock.calls.length).toBe(sampled);
    } finally {
      (Yaml as any).stringify = stringify;
    }
  });

  test('props are checked at runtime: a non-object is refused, naming the class', () => {
    expect(thrown(() => new FastSynthApp('dist' as any))).toMatch(/FastSynthApp.*props.*an object of options/);
    expect(thrown(() => new FastSynthApp(null as any))).toMatch(/FastSynthApp.*props/);
    expect(new FastSynthApp(undefined).outdir).toBe(new App().outdir);
  });

  test.each([
    ['outdir', { outdir: 42 }, /\[FastSynthApp\] outdir: must be a non-empty string, got the number 42/],
    ['an empty outdir', { outdir: '' }, /\[FastSynthApp\] outdir: must be a non-empty string/],
    ['outputFileExtension', { outputFileExtension: null }, /\[FastSynthApp\] outputFileExtension: must be a string, got null/],
    ['yamlOutputType by name (App would write no file)', { yamlOutputType: 'FILE_PER_APP' }, /\[FastSynthApp\] yamlOutputType: 'FILE_PER_APP' is not a YamlOutputType/],
    ['yamlOutputType out of range', { yamlOutputType: 7 }, /\[FastSynthApp\] yamlOutputType: the number 7 is not a YamlOutputType/],
    ['recordConstructMetadata', { recordConstructMetadata: 'true' }, /\[FastSynthApp\] recordConstructMetadata: must be true or false, got the string 'true'/],
    ['resolvers', { resolvers: 'lazy' }, /\[FastSynthApp\] resolvers: must be a list/],
    ['a resolver', { resolvers: [{}] }, /\[FastSynthApp\] resolvers\[0\]: must be an IResolver \(an object with a resolve method\), got a plain object/],
  ])('props are checked at runtime: %s', (_what, props, message) => {
    expect(thrown(() => new FastSynthApp(props as any))).toMatch(message);
  });

  test('valid props are App\'s, read as App reads them', () => {
    const resolver = { resolve: () => undefined };
    const app = new FastSynthApp({ outdir: tmp, outputFileExtension: '.yml', yamlOutputType: YamlOutputType.FILE_PER_APP, recordConstructMetadata: false, resolvers: [resolver] });
    expect([app.outdir, app.outputFileExtension, app.yamlOutputType, (app as any).recordConstructMetadata, app.resolvers[0]]).toEqual([tmp, '.yml', YamlOutputType.FILE_PER_APP, false, resolver]);
  });
});
