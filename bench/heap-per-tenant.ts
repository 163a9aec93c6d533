/**
 * Retained heap per tenant of the bench platform (bench/platforms.ts), deterministic: the live heap
 * after construction (forced full collections) at two sizes, in one process, and the difference
 * divided by the difference in tenants, so fixed costs (modules, compiled code, the ClusterNetwork)
 * cancel out. Not part of `npm run bench` (which measures CPU and peak RSS in fresh processes).
 *
 *   node --expose-gc -r ts-node/register/transpile-only bench/heap-per-tenant.ts [cni...] [--small N] [--large N]
 *     [--synth] [--snapshot DIR [--retainers]]
 *
 * - `--synth`: also the heap after `app.synth()` (the app still alive), per tenant.
 * - `--snapshot DIR`: write a heap snapshot after construction at both sizes and print, per
 *   constructor (or V8 node type) name, what one added tenant retains: count and bytes (self size);
 *   with `--retainers`, by name and first retaining edge (`<parent>.<field>`): what holds it;
 *   `--reuse` aggregates the snapshots of an earlier run instead of building.
 *
 * (`TS_NODE_PROJECT=test/tsconfig.json`, as the bench.)
 */
import { mkdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { writeHeapSnapshot } from 'v8';
import { App } from 'cdk8s';
import { CniName, cniOf } from './child';
import { ourPlatform, tenantNames } from './platforms';

const gc: () => void = (global as any).gc;

function collect(): number {
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

interface Sample {
  /** Heap retained by the app after construction (bytes, above the heap before it). */
  readonly constructed: number;
  /** Heap retained by the app after app.synth() (bytes), when asked for. */
  readonly synthesized?: number;
  readonly snapshot?: string;
}

function sample(cni: CniName, tenants: number, options: { synth: boolean; snapshotDir?: string }): Sample {
  const outdir = join(tmpdir(), `heap-per-tenant-${process.pid}`);
  const names = tenantNames(tenants);
  const before = collect();
  let app: App | undefined = ourPlatform(cniOf(cni), names, outdir);
  const constructed = collect() - before;
  const snapshot = options.snapshotDir ? writeHeapSnapshot(join(options.snapshotDir, `${cni}-${tenants}.heapsnapshot`)) : undefined;
  let synthesized: number | undefined;
  if (options.synth) {
    mkdirSync(outdir, { recursive: true });
    app.synth();
    synthesized = collect() - before;
    rmSync(outdir, { recursive: true, force: true });
  }
  app = undefined;
  collect();
  return { constructed, synthesized, snapshot };
}

/** Self size and count per node name (constructor name for objects, type for the rest) of a V8 heap snapshot. */
function aggregate(file: string, byRetainer: boolean): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const fields: string[] = snap.snapshot.meta.node_fields;
  const types: string[] = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const nodes: number[] = snap.nodes;
  const strings: string[] = snap.strings;
  const nameOf = (i: number) => {
    const type = types[nodes[i + typeAt]];
    return type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array'
      ? `${type}:${strings[nodes[i + nameAt]].slice(0, 60)}` : type;
  };
  // With byRetainer: each node's first retaining edge (in snapshot order, weak edges left out), as
  // `<parent name>.<edge name>`: what holds it.
  const retainer = new Map<number, string>();
  if (byRetainer) {
    const edgeFields: string[] = snap.snapshot.meta.edge_fields;
    const edgeTypes: string[] = snap.snapshot.meta.edge_types[0];
    const edgeWidth = edgeFields.length;
    const edges: number[] = snap.edges;
    const countAt = fields.indexOf('edge_count');
    let e = 0;
    for (let i = 0; i < nodes.length; i += width) {
      for (let k = 0; k < nodes[i + countAt]; k++, e += edgeWidth) {
        const kind = edgeTypes[edges[e]];
        const to = edges[e + 2];
        if (kind === 'weak' || retainer.has(to)) continue;
        const edgeName = kind === 'element' || kind === 'hidden' ? `[${kind}]` : String(strings[edges[e + 1]]).slice(0, 40);
        retainer.set(to, `${nameOf(i)}.${edgeName}`);
      }
    }
  }
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < nodes.length; i += width) {
    const name = byRetainer ? `${nameOf(i)} <- ${retainer.get(i) ?? '(root)'}` : nameOf(i);
    const entry = out.get(name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + sizeAt];
    out.set(name, entry);
  }
  return out;
}

function main(): void {
  if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
  };
  const small = Number(value('--small') ?? 1000);
  const large = Number(value('--large') ?? 2000);
  const synth = args.includes('--synth');
  const snapshotDir = value('--snapshot');
  if (snapshotDir) mkdirSync(snapshotDir, { recursive: true });
  const flagValues = new Set([value('--small'), value('--large'), snapshotDir]);
  const cnis = args.filter((a) => !a.startsWith('--') && !flagValues.has(a)) as CniName[];
  for (const cni of cnis.length ? cnis : ['kubernetes', 'calico', 'cilium'] as CniName[]) {
    if (args.includes('--reuse') && snapshotDir) {
      // Aggregate the snapshots an earlier run wrote, without building anything.
      report(join(snapshotDir, `${cni}-${small}.heapsnapshot`), join(snapshotDir, `${cni}-${large}.heapsnapshot`));
      continue;
    }
    // A first small build, not counted: compiled code and one-time caches are then in the baseline.
    sample(cni, 50, { synth });
    const a = sample(cni, small, { synth, snapshotDir });
    const b = sample(cni, large, { synth, snapshotDir });
    const per = (x?: number, y?: number) => (((y as number) - (x as number)) / (large - small) / 1024).toFixed(2);
    const line = [`${cni}: ${per(a.constructed, b.constructed)} KB per tenant after construction`,
      `(${(a.constructed / small / 1024).toFixed(2)} at ${small}, ${(b.constructed / large / 1024).toFixed(2)} at ${large} with fixed costs)`];
    if (synth) line.push(`, ${per(a.synthesized, b.synthesized)} KB after app.synth()`);
    process.stdout.write(line.join(' ') + '\n');
    if (a.snapshot && b.snapshot) report(a.snapshot, b.snapshot);
  }

  function report(smallSnapshot: string, largeSnapshot: string): void {
    const byRetainer = args.includes('--retainers');
    const x = aggregate(smallSnapshot, byRetainer);
    const y = aggregate(largeSnapshot, byRetainer);
    const rows = [...new Set([...x.keys(), ...y.keys()])].map((name) => {
      const p = x.get(name) ?? { count: 0, bytes: 0 };
      const q = y.get(name) ?? { count: 0, bytes: 0 };
      return { name, count: (q.count - p.count) / (large - small), bytes: (q.bytes - p.bytes) / (large - small) };
    }).filter((r) => Math.abs(r.bytes) >= 8).sort((m, n) => n.bytes - m.bytes);
    const total = rows.reduce((n, r) => n + r.bytes, 0);
    process.stdout.write(`  snapshot: ${(total / 1024).toFixed(2)} KB per tenant (self sizes), by name:\n`);
    for (const r of rows) process.stdout.write(`  ${r.bytes.toFixed(0).padStart(7)} B ${r.count.toFixed(2).padStart(7)} x ${r.name}\n`);
  }
}

main();
