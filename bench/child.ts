/**
 * One measurement, in a process of its own (started by bench/run.ts, compiled to JavaScript first).
 *
 * A job is one JSON argument; the child prints one JSON line with what it measured:
 * - `synth`: build a platform and write it as `cdk8s synth` does (`app.synth()` to an outdir; `ours`
 *   in cdk8s's App, `fast` in this library's FastSynthApp), or for
 *   the floor, serialize the same plain objects with `yaml` and write them (the objects are read from
 *   a JSON file before the clock starts), or for the cdk8s floor (`bare`), write the same plain
 *   objects with `app.synth()` as one PlainApiObject each directly under the Chart: what cdk8s itself
 *   costs for these objects with no library logic and the fewest constructs it allows; or for the
 *   `skeleton`, the same with each object at its construct path in ours (plain Constructs in
 *   between): what our construct tree costs with no library logic.
 * - `reach`: `Reachability.fromManifests` of a generated cluster, then `matrix()`, its `summary`,
 *   then listing every flow page by page (`flowsPage`), each phase timed on its own.
 *
 * CPU is `process.cpuUsage()` (user + sys of every thread of the process, so the GC's helper threads
 * count too); `process.resourceUsage()` gives the whole process's CPU (startup and module loading
 * included) and its peak RSS, read right after the measured work.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { generateCluster } from './cluster-manifests';
import { kplusPlatform, ourPlatform, tenantNames } from './platforms';
import { Cni, Reachability } from '../src';
import { PlainApiObject } from '../src/util/plain-api-object';

/** What the parent asks for. */
export type Job =
  | { kind: 'synth'; contender: 'ours' | 'fast' | 'kplus' | 'floor' | 'bare' | 'skeleton'; cni: CniName; tenants: number; outdir: string; floorInput?: string; dumpObjects?: string }
  | { kind: 'reach'; cni: CniName; namespaces: number; deploymentsPerNamespace: number; seed: number };

/** The CNIs the bench covers. */
export type CniName = 'kubernetes' | 'calico' | 'cilium';

/** One child's answer. Times in ms of CPU (user + sys) unless named wall. */
export interface Measurement {
  readonly cpuMs: number;
  readonly wallMs: number;
  /** Whole process: startup, module loading, the work and everything before the reading. */
  readonly processCpuMs: number;
  readonly maxRssMiB: number;
  /** synth: emitted objects and bytes written. */
  readonly objects?: number;
  readonly bytes?: number;
  /** reach: per phase. */
  readonly phases?: { [phase: string]: { cpuMs: number; wallMs: number } };
  readonly info?: { [key: string]: number };
}

/** The CNI of a name. */
export function cniOf(name: CniName): Cni {
  switch (name) {
    case 'kubernetes': return Cni.kubernetes();
    case 'calico': return Cni.calico();
    case 'cilium': return Cni.cilium();
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function wallMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function processFigures(): { processCpuMs: number; maxRssMiB: number } {
  const r = process.resourceUsage();
  return { processCpuMs: (r.userCPUTime + r.systemCPUTime) / 1000, maxRssMiB: r.maxRSS / 1024 };
}

/** Time `fn` in CPU and wall milliseconds. */
function timed<T>(fn: () => T): { value: T; cpuMs: number; wallMs: number } {
  const c = cpuMs();
  const w = wallMs();
  const value = fn();
  return { value, cpuMs: cpuMs() - c, wallMs: wallMs() - w };
}

function synth(job: Extract<Job, { kind: 'synth' }>): Measurement {
  mkdirSync(job.outdir, { recursive: true });
  const file = join(job.outdir, 'platform.k8s.yaml');
  let run: { cpuMs: number; wallMs: number; value: App | undefined };
  if (job.contender === 'floor') {
    // Untimed: the plain objects, as they would be in memory before serialization.
    const objects: any[] = JSON.parse(readFileSync(job.floorInput as string, 'utf8'));
    run = timed(() => {
      writeFileSync(file, objects.map((o) => YAML.stringify(o)).join('---\n'));
      return undefined;
    });
  } else if (job.contender === 'bare' || job.contender === 'skeleton') {
    const objects: any[] = JSON.parse(readFileSync(job.floorInput as string, 'utf8'));
    const tree: Array<{ path: string[]; dependsOn: number[] }> = job.contender === 'skeleton'
      ? JSON.parse(readFileSync(treeFile(job.floorInput as string), 'utf8')) : [];
    run = timed(() => {
      const app = new App({ outdir: job.outdir });
      const chart = new Chart(app, 'platform');
      if (job.contender === 'bare') {
        objects.forEach((o, i) => new PlainApiObject(chart, `o${i}`, o));
      } else {
        const made = objects.map((o, i) => new PlainApiObject(scopeFor(chart, tree[i].path), tree[i].path[tree[i].path.length - 1], o));
        made.forEach((m, i) => tree[i].dependsOn.forEach((j) => m.node.addDependency(made[j])));
      }
      app.synth();
      return undefined;
    });
  } else {
    const names = tenantNames(job.tenants);
    run = timed(() => {
      const app = job.contender === 'kplus' ? kplusPlatform(names, job.outdir) : ourPlatform(cniOf(job.cni), names, job.outdir, job.contender === 'fast');
      app.synth();
      return app;
    });
  }
  const figures = processFigures();
  const text = readFileSync(file, 'utf8');
  let rules: number | undefined;
  if (job.dumpObjects && run.value) {
    const objects = run.value.charts.flatMap((c) => c.toJson());
    writeFileSync(job.dumpObjects, JSON.stringify(objects));
    // For the skeleton, in the same (output) order: each object's construct path under its chart and
    // the objects it depends on (by index).
    const ordered = run.value.charts.flatMap((c) => new DependencyGraph(c.node).topology()
      .filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === c));
    const index = new Map<IConstruct, number>(ordered.map((x, i) => [x, i]));
    const tree = ordered.map((x) => ({
      path: x.node.scopes.slice(Chart.of(x).node.scopes.length).map((y) => y.node.id),
      dependsOn: x.node.dependencies.map((d) => index.get(d)).filter((i): i is number => i !== undefined),
    }));
    writeFileSync(treeFile(job.dumpObjects), JSON.stringify(tree));
    rules = objects.reduce((n, o) => n + ruleCount(o), 0);
  }
  return {
    cpuMs: run.cpuMs,
    wallMs: run.wallMs,
    ...figures,
    objects: text.length === 0 ? 0 : text.split(/^---$/m).length,
    bytes: Buffer.byteLength(text),
    ...(rules !== undefined ? { info: { rules } } : {}),
  };
}

/** Where the construct paths and dependencies of the dumped objects are written, beside them. */
function treeFile(objectsFile: string): string {
  return objectsFile.replace(/\.json$/, '') + '.tree.json';
}

/** The scope of an object at `path` (ids below the chart, the object's last): plain Constructs, made on first use. */
function scopeFor(chart: Chart, path: string[]): Construct {
  let scope: Construct = chart;
  for (const id of path.slice(0, -1)) scope = (scope.node.tryFindChild(id) as Construct | undefined) ?? new Construct(scope, id);
  return scope;
}

/** Allow and deny rules of one object, whatever its API (NetworkPolicy, Calico, Cilium, ClusterNetworkPolicy). */
function ruleCount(obj: any): number {
  const spec = obj.spec ?? {};
  return ['ingress', 'egress', 'ingressDeny', 'egressDeny'].reduce((n, key) => n + (Array.isArray(spec[key]) ? spec[key].length : 0), 0);
}

/** Flows listed per page (`flowsPage`): a page is built and dropped, so listing holds no more than that. */
const PAGE = 100_000;

function reach(job: Extract<Job, { kind: 'reach' }>): Measurement {
  const manifests = generateCluster(job);
  const load = timed(() => Reachability.fromManifests(manifests, { cni: cniOf(job.cni) }));
  const matrix = timed(() => load.value.matrix());
  // Peak RSS so far: loading and the matrix, before any flow is listed.
  const matrixRssMiB = process.resourceUsage().maxRSS / 1024;
  const summary = timed(() => matrix.value.summary);
  // Listing every flow through the public API, page by page, reading each to the end.
  const list = timed(() => {
    let count = 0;
    let allowed = 0;
    for (let offset = 0; offset < matrix.value.flowCount; offset += PAGE) {
      for (const f of matrix.value.flowsPage(offset, PAGE)) {
        count++;
        if (f.allowed) allowed++;
      }
    }
    return { count, allowed };
  });
  const figures = processFigures();
  if (list.value.count !== summary.value.flows || list.value.allowed !== summary.value.allowed) {
    throw new Error(`listing gave ${list.value.count} flows (${list.value.allowed} allowed), the summary ${summary.value.flows} (${summary.value.allowed})`);
  }
  return {
    cpuMs: load.cpuMs + matrix.cpuMs + list.cpuMs,
    wallMs: load.wallMs + matrix.wallMs + list.wallMs,
    ...figures,
    phases: {
      fromManifests: { cpuMs: load.cpuMs, wallMs: load.wallMs },
      matrix: { cpuMs: matrix.cpuMs, wallMs: matrix.wallMs },
      summary: { cpuMs: summary.cpuMs, wallMs: summary.wallMs },
      flows: { cpuMs: list.cpuMs, wallMs: list.wallMs },
    },
    info: {
      matrixRssMiB,
      pods: matrix.value.endpoints.length,
      policies: manifests.filter((m) => m.kind === 'NetworkPolicy').length,
      flows: list.value.count,
      allowed: list.value.allowed,
      indeterminate: summary.value.indeterminate,
    },
  };
}

function main(): void {
  const job: Job = JSON.parse(process.argv[2]);
  const result = job.kind === 'synth' ? synth(job) : reach(job);
  process.stdout.write(JSON.stringify(result) + '\n');
}

if (require.main === module) main();
