/**
 * Shared fast-check settings: a fixed seed so CI is deterministic. Override with `FC_SEED=<n>` to
 * explore other inputs; fast-check prints the seed and the counterexample path on failure, and
 * `FC_SEED` + `FC_PATH` replay exactly that case.
 */
import * as fc from 'fast-check';

/** The seed every property runs with (CI default 20261123). */
export const SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261123;

/** Options for `fc.assert`: fixed seed, `numRuns`, and the replay path when `FC_PATH` is set. */
export function runs<T>(numRuns: number): fc.Parameters<T> {
  return {
    seed: SEED,
    numRuns,
    ...(process.env.FC_PATH !== undefined ? { path: process.env.FC_PATH } : {}),
    // Shrinking a topology re-synthesizes it; bound it so a failure still reports within the jest timeout.
    interruptAfterTimeLimit: 50_000,
    markInterruptAsFailure: true,
  };
}
