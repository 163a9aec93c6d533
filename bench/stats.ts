/**
 * Medians with their range, for figures measured over several fresh processes.
 */
import { fmt } from './report';

/** The median and the extremes of some runs. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** Median, min and max of `values` (at least one). */
export function spread(values: number[]): Spread {
  if (values.length === 0) throw new Error('spread of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values.length };
}

/** `a[i] / b[i]` for runs measured in the same round (A B A B ...): the ratio holds when the machine's speed drifts. */
export function pairRatios(a: number[], b: number[]): number[] {
  const n = Math.min(a.length, b.length);
  return Array.from({ length: n }, (_, i) => a[i] / b[i]);
}

/** `12.3 [11.9–13.0]`: median with the range, in `decimals`. */
export function fmtSpread(s: Spread, decimals = 1, unit = ''): string {
  const range = s.runs > 1 ? ` [${fmt(s.min, decimals)}–${fmt(s.max, decimals)}]` : '';
  return `${fmt(s.median, decimals)}${unit}${range}`;
}
