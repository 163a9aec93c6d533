/**
 * One measurement, in a process of its own (started by bench/run.ts, compiled to JavaScript first).
 *
 * A job is one JSON argument; the child prints one JSON line with what it measured:
 * - `synth`: build a platform and write it as `cdk8s synth` does (`app.synth()` to an outdir), or for
 *   the floor, serialize the same plain objects with `yaml` and write them (the objects are read from
 *   a JSON file before the clock starts).
 * - `reach`: `Reachability.fromManifests` of a generated cluster, then `matrix()`, its `summary`,
 *   then listing every flow page by page (`flowsPage`), each phase timed on its own.
 *
 * CPU is `process.cpuUsage()` (user + sys of every thread of the process, so the GC's helper threads
 * count too); `process.resourceUsage()` gives the whole process's CPU (startup and module loading
 * included) and its peak RSS, read right after the measured work.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { generateCluster } from './cluster-manifests';
import { kplusPlatform, ourPlatform, tenantNames } from './platforms';
import { Cni, Reachability } from '../src';

/** What the parent asks for. */
export type Job =
  | { kind: 'synth'; contender: 'ours' | 'kplus' | 'floor'; cni: CniName; tenants: number; outdir: string; floorInput?: string; dumpObjects?: string }
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
  } else {
    const names = tenantNames(job.tenants);
    run = timed(() => {
      const app = job.contender === 'kplus' ? kplusPlatform(names, job.outdir) : ourPlatform(cniOf(job.cni), names, job.outdir);
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
