/**
 * The module graph of src/: no import cycles (type-only ones included: they hide a missing module
 * for the shared types), and the layers only import downwards:
 *
 *   util < cluster < policy < gateway | delivery < patterns | analysis < mesh | cni | dns | observability | chaos < lint < cli < plugin
 *
 * Directories on one level never import each other.
 * - gateway/ (Gateway API objects: Gateway, HTTPRoute, ReferenceGrant, parent refs) sits below
 *   patterns because ThreeTierApp publishes through a Gateway; it needs nothing but util.
 * - mesh/ (IstioMtls, IstioAuthorization, CircuitBreaker, LinkerdAuthorization, CanaryRoute) builds on
 *   cluster (the Mesh fact), policy, gateway and patterns (ZeroTrustNamespace membership), so it sits
 *   above them. Mesh facts that patterns need (Mesh, MeshNetworkNeeds) live in cluster/, and the
 *   namespace's mesh options in patterns/: patterns never import mesh/.
 * - delivery/ (Flux HelmRelease + source, Argo CD Application, plain manifests) wraps content and
 *   knows nothing of the cluster context; cni/ (CalicoInstallation, CiliumInstall) and dns/
 *   (NodeLocalDNS) are platform constructs that read the cluster context and deliver through
 *   delivery/, like mesh/ on top of the policy model. Nothing but index.ts imports them.
 * - observability/ (NetworkAlerts, a PrometheusRule) is a platform construct like dns/: it reads the cluster
 *   context (CNI, mesh, NodeLocal DNS) to pick the metrics that exist, and nothing but index.ts imports it.
 * - chaos/ (NetworkChaosExperiment: Chaos Mesh experiments) is a platform construct like dns/: it
 *   reads the cluster context (the control-plane namespaces it refuses) and the policy model's label
 *   vocabulary; nothing but index.ts and the lint import it. The analyzer and the CLI read the chaos
 *   objects in manifests with their own vocabulary (util/vocabulary), never through chaos/; the lint
 *   (above it) reuses its list of protected namespaces (chaos/control-plane-namespaces), and the
 *   AWS load balancer annotation facts of patterns/load-balancer, so construct and lint agree.
 * - analysis stays independent of the constructs (it checks them): it shares their level with
 *   patterns but imports neither patterns nor mesh.
 * - plugin/ (the cdk8s validation plugin cdk8s-cli loads from lib/plugin) runs the CLI's lint and
 *   expectation checks inside `cdk8s synth`, so it sits on top of cli; nothing imports it.
 *
 * Every top-level directory of src/ must have a layer: a new one is a decision to write down here.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');
const LAYERS: Record<string, number> = {
  util: 0,
  synth: 1,
  cluster: 1,
  policy: 2,
  gateway: 3,
  delivery: 3,
  patterns: 4,
  analysis: 4,
  mesh: 5,
  cni: 5,
  dns: 5,
  observability: 5,
  chaos: 5,
  lint: 6,
  cli: 7,
  plugin: 8,
};
/** Generated L1 classes (copied from imports/ by imports:sync): below everything, importing nothing of ours. */
const GENERATED = ['imports'];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'imports' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of a file, resolved to files. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
    const target = path.join(path.dirname(file), m[1]);
    for (const candidate of [`${target}.ts`, path.join(target, 'index.ts')]) {
      if (fs.existsSync(candidate)) {
        out.push(candidate);
        break;
      }
    }
  }
  return out;
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(SRC, f);

test('src/ has no import cycles', () => {
  const cycles: string[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (f: string) => {
    if (onPath.includes(f)) {
      cycles.push([...onPath.slice(onPath.indexOf(f)), f].map(rel).join(' -> '));
      return;
    }
    if (done.has(f)) return;
    onPath.push(f);
    for (const g of graph.get(f) ?? []) visit(g);
    onPath.pop();
    done.add(f);
  };
  files.forEach(visit);
  expect(cycles).toEqual([]);
});

test('every top-level directory of src/ has a layer', () => {
  const dirs = fs.readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory() && !GENERATED.includes(e.name)).map((e) => e.name);
  expect(dirs.filter((d) => LAYERS[d] === undefined)).toEqual([]);
});

test('layers import only downwards', () => {
  const layerOf = (f: string) => rel(f).split(path.sep)[0];
  const upward = files.flatMap((f) => (graph.get(f) ?? [])
    .filter((g) => {
      const [from, to] = [LAYERS[layerOf(f)], LAYERS[layerOf(g)]];
      return from !== undefined && to !== undefined && (to > from || (to === from && layerOf(f) !== layerOf(g)));
    })
    .map((g) => `${rel(f)} -> ${rel(g)}`));
  expect(upward).toEqual([]);
});

test('CNI kinds are dispatched by exhaustive tables, never compared', () => {
  // `cni.kind !== CniKind.CALICO` compiles for a new CniKind and silently sends it down the other
  // branch. Per-CNI behaviour lives in `Record<CniKind, ...>` tables (writers, analysis models,
  // factories, NATIVE_POLICY_GROUPS) and in switches over every kind that end in assertNever.
  const comparisons = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n')
    .map((line, i) => ({ line, at: `${rel(f)}:${i + 1}` }))
    .filter(({ line }) => /[!=]==\s*CniKind\.|CniKind\.\w+\s*[!=]==/.test(line) || /\bkind\s*[!=]==\s*'(kubernetes|calico|cilium|flannel)'/.test(line))
    .map(({ at, line }) => `${at}: ${line.trim()}`));
  expect(comparisons).toEqual([]);
  const openSwitches = files.filter((f) => {
    const text = fs.readFileSync(f, 'utf8');
    return /case CniKind\./.test(text) && !/assertNever\(/.test(text);
  }).map(rel);
  expect(openSwitches).toEqual([]);
});

test('public class members are never typed as readonly arrays (jsii refuses them)', () => {
  // jsii compiles `readonly T[]` (ReadonlyArray) in a public API to error JSII3001 (aws/jsii-compiler#2323): a public
  // member is typed `T[]` and holds a frozen copy where it must not change.
  const readonlyArrays = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n')
    .map((line, i) => ({ line, at: `${rel(f)}:${i + 1}` }))
    .filter(({ line }) => /^\s*public (?:static )?(?:readonly )?[a-zA-Z]\w*\??: (?:readonly \w|ReadonlyArray<)/.test(line))
    .map(({ at, line }) => `${at}: ${line.trim()}`));
  expect(readonlyArrays).toEqual([]);
});
