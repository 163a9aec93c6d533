import { InputSite, propError } from '../util/errors';
import { requireNumber } from '../util/guards';

/** Every ChaosMode a factory made (a look-alike such as `Object.create(ChaosMode.prototype)` passes `instanceof` but is not here). */
const MADE = new WeakSet<object>();

/**
 * Which of the selected pods a Chaos Mesh experiment affects (the CRD's `mode` and `value`).
 * Chaos Mesh picks the pods when the experiment starts.
 *
 * Chaos Mesh's webhook wants `value` as a string holding a positive integer for `fixed` and an
 * integer in (0, 100] for the percent modes (chaos-mesh api/v1alpha1 common_validation.go
 * `ValidatePodMode`); the factories take numbers and check the same ranges at synth time.
 */
export class ChaosMode {
  /** One pod, chosen at random among the selected ones: the smallest blast radius. */
  public static one(): ChaosMode {
    return new ChaosMode('one');
  }

  /** Every selected pod. */
  public static all(): ChaosMode {
    return new ChaosMode('all');
  }

  /** `count` pods (a positive integer), chosen at random. */
  public static fixed(count: number): ChaosMode {
    return new ChaosMode('fixed', integerIn('ChaosMode.fixed', 'count', count, 1, 2147483647, 'a positive integer (the number of pods)'));
  }

  /** `percent` per cent of the selected pods (an integer from 1 to 100). */
  public static fixedPercent(percent: number): ChaosMode {
    return new ChaosMode('fixed-percent', integerIn('ChaosMode.fixedPercent', 'percent', percent, 1, 100, 'an integer from 1 to 100 (Chaos Mesh refuses 0 and fractions)'));
  }

  /** A random share of the selected pods, at most `percent` per cent (an integer from 1 to 100). */
  public static randomMaxPercent(percent: number): ChaosMode {
    return new ChaosMode('random-max-percent', integerIn('ChaosMode.randomMaxPercent', 'percent', percent, 1, 100,
      'an integer from 1 to 100 (Chaos Mesh refuses 0 and fractions)'));
  }

  /** @internal */
  public static _isMade(x: unknown): boolean {
    return typeof x === 'object' && x !== null && MADE.has(x);
  }

  /** The CRD's `mode`: `one`, `all`, `fixed`, `fixed-percent` or `random-max-percent`. */
  public readonly mode: string;
  /**
   * The CRD's `value` (a string, as the CRD wants), for `fixed` and the percent modes.
   * @default - none for `one` and `all`
   */
  public readonly value?: string;

  private constructor(mode: string, value?: number) {
    this.mode = mode;
    this.value = value === undefined ? undefined : String(value);
    MADE.add(this);
    Object.freeze(this);
  }
}

function integerIn(site: InputSite, prop: string, value: number, min: number, max: number, what: string): number {
  requireNumber(site, prop, value, false);
  if (!Number.isInteger(value) || value < min || value > max) throw propError(site, prop, `must be ${what}, got ${value}`);
  return value;
}
