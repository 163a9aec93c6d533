/**
 * The string formats of Chaos Mesh fields, checked the way Chaos Mesh parses them. Internal.
 */
import { InputSite, propError } from '../util/errors';
import { requireNumber, requireString } from '../util/guards';

/** Go `time.ParseDuration` syntax (what Chaos Mesh reads `duration` with): `30s`, `1h30m`, `1.5h`. */
const GO_DURATION = /^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$/;
const GO_DURATION_PART = /([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/g;
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
/** The NetworkChaos CRD's pattern of `delay.latency` and `delay.jitter`: one number and one unit. */
const NETEM_TIME = /^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$/;
/** Chaos Mesh's bandwidth rate (api/v1alpha1 networkchaos_types_additions.go `ConvertUnitToBytes`: an unsigned integer and a unit). */
const RATE = /^([0-9]+)(bps|kbps|mbps|gbps|tbps)$/;

/** Seconds of a Go duration that matched {@link GO_DURATION}. */
function seconds(text: string): number {
  let total = 0;
  for (const m of text.matchAll(GO_DURATION_PART)) total += Number(m[1]) * UNIT_SECONDS[m[2]];
  return total;
}

/**
 * A positive Go duration (`10m`, `1h30m`); returns it and its length in seconds. Negative, zero and
 * ISO 8601 (`PT10M`) durations are refused: Chaos Mesh would reject or misread them.
 * @param what what the duration is, for the message on a zero one
 */
export function goDuration(site: InputSite, prop: string, value: string, what = 'the time the experiment runs'): { text: string; seconds: number } {
  requireString(site, prop, value, true);
  if (!GO_DURATION.test(value)) {
    throw propError(site, prop, `'${value}' is not a Go duration (a number and a unit of ns, us, ms, s, m, h, e.g. '30s', '10m', '1h30m'): `
      + 'Chaos Mesh parses it with Go\'s time.ParseDuration');
  }
  const s = seconds(value);
  if (s <= 0) throw propError(site, prop, `'${value}' is zero: give ${what}`);
  return { text: value, seconds: s };
}

/** A netem time (`delay.latency`, `delay.jitter`): one number and one unit, as the CRD's pattern wants. */
export function netemTime(site: InputSite, prop: string, value: string): string {
  requireString(site, prop, value, true);
  if (!NETEM_TIME.test(value)) {
    throw propError(site, prop, `'${value}' is not a netem time: one number and one unit of ns, us, ms, s, m, h (e.g. '100ms'), `
      + 'as the NetworkChaos CRD requires (no compound durations such as 1m30s)');
  }
  return value;
}

/**
 * A percentage from 0 to 100 as the string the CRD wants (`loss: "25"`); Chaos Mesh parses it as a
 * float (strconv.ParseFloat). With `positive`, 0 is refused too.
 */
export function percent(site: InputSite, prop: string, value: number, positive: boolean): string {
  requireNumber(site, prop, value, false);
  if (!Number.isFinite(value) || value < 0 || value > 100 || (positive && value === 0)) {
    throw propError(site, prop, `must be a percentage ${positive ? 'above 0 and at most' : 'from 0 to'} 100, got ${value}`);
  }
  // JavaScript's shortest round-trip form; Go's ParseFloat also reads the exponent form of tiny values (1e-7).
  return String(value);
}

/** A bandwidth rate (`1mbps`: bytes per second with a unit bps, kbps, mbps, gbps or tbps; lower case, no spaces), above zero. */
export function bandwidthRate(site: InputSite, prop: string, value: string): string {
  requireString(site, prop, value, true);
  const m = RATE.exec(value);
  if (!m) {
    throw propError(site, prop, `'${value}' is not a Chaos Mesh rate: an integer and a unit of bps, kbps, mbps, gbps or tbps `
      + "(bytes per second, e.g. '1mbps')");
  }
  if (Number(m[1]) === 0) throw propError(site, prop, `'${value}' is zero: a zero rate is a partition (use ChaosAction.partition())`);
  return value;
}

/**
 * The number Chaos Mesh hands to tc for a checked rate: the integer times 1024 per unit step above
 * bps (chaos-mesh api/v1alpha1 `ConvertUnitToBytes`). `peakrate` is handed over as given, so the two
 * compare in the same unit.
 */
export function rateNumber(rate: string): bigint {
  const m = RATE.exec(rate);
  if (!m) throw new Error(`internal: '${rate}' is not a checked rate`);
  const steps = ['bps', 'kbps', 'mbps', 'gbps', 'tbps'].indexOf(m[2]);
  return BigInt(m[1]) * 1024n ** BigInt(steps);
}
