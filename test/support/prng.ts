/* eslint-disable no-bitwise -- mulberry32 is defined by 32-bit integer arithmetic. */
/**
 * A seeded pseudo-random generator (mulberry32), shared by the bench and the randomized tests, so
 * every run generates the same manifests. `Math.random` is never used: results must be comparable
 * across runs and machines.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  public next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One element of `items`. */
  public pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** True with probability `p`. */
  public chance(p: number): boolean {
    return this.next() < p;
  }
}
