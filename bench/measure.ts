/**
 * Timing and memory measurement for the bench.
 *
 * RSS is process-wide, so a worker thread can sample it while the main thread is busy in synchronous
 * code (timers on the main thread would not fire during a synth). The worker keeps the high-water
 * mark in shared memory; the main thread resets it at the start of each section.
 */
import { Worker } from 'worker_threads';

const SAMPLER_SOURCE = `
const { workerData } = require('worker_threads');
const peak = new Int32Array(workerData);
setInterval(() => {
  const kib = Math.round(process.memoryUsage.rss() / 1024);
  if (kib > Atomics.load(peak, 0)) Atomics.store(peak, 0, kib);
}, 5);
`;

/** Samples the process RSS every 5 ms in a worker thread and keeps the maximum. */
export class RssSampler {
  private readonly peak = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker: Worker;

  constructor() {
    this.worker = new Worker(SAMPLER_SOURCE, { eval: true, workerData: this.peak.buffer });
    this.worker.unref();
  }

  /** Start a new high-water mark at the current RSS. */
  public reset(): void {
    Atomics.store(this.peak, 0, Math.round(process.memoryUsage.rss() / 1024));
  }

  /** The high-water mark since the last reset, in MiB (including the current RSS). */
  public peakMiB(): number {
    const now = Math.round(process.memoryUsage.rss() / 1024);
    return Math.max(now, Atomics.load(this.peak, 0)) / 1024;
  }

  /** Stop sampling. */
  public async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Run a full garbage collection (the bench runs with `--expose-gc`). */
export function gc(): void {
  const collect = (globalThis as any).gc as (() => void) | undefined;
  if (!collect) throw new Error('run the bench with node --expose-gc (npm run bench)');
  collect();
}

/** heapUsed in MiB after a full GC: what is retained by live references. */
export function heapAfterGcMiB(): number {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** Milliseconds taken by `fn`, and its result. */
export function time<T>(fn: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}
