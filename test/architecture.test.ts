/**
 * The module graph of src/: no import cycles (type-only ones included: they hide a missing module
 * for the shared types), and the layers only import downwards
 * (util < cluster < policy < patterns | analysis < lint < cli). Directories outside these layers
 * (the platform constructs) are checked for cycles only.
 */
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.join(__dirname, '..', 'src');
const LAYERS: Record<string, number> = { util: 0, cluster: 1, policy: 2, patterns: 3, analysis: 3, lint: 4, cli: 5 };

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
