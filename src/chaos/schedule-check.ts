/** Checking a {@link ChaosSchedule} prop, cron line included (as robfig/cron's standard parser reads it). Internal. */
import { ChaosConcurrencyPolicy, ChaosSchedule } from './chaos-schedule';
import { goDuration } from './chaos-units';
import { InputSite, propError } from '../util/errors';
import { StructKeys, requireInteger, requireKnownKeys, requireObject, requireOptionalOneOf, requireString } from '../util/guards';

const SCHEDULE_KEYS: StructKeys<ChaosSchedule> = { cron: true, concurrencyPolicy: true, historyLimit: true, startingDeadlineSeconds: true };

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** The shortest interval of each descriptor, in seconds (@monthly: February's 28 days; @yearly: 365 days). */
const DESCRIPTOR_SECONDS: Record<string, number> = {
  '@yearly': 365 * 86400, '@annually': 365 * 86400, '@monthly': 28 * 86400, '@weekly': 7 * 86400, '@daily': 86400, '@midnight': 86400, '@hourly': 3600,
};
/** The fields of a standard cron line: name, bounds, and the names robfig/cron accepts. */
const FIELDS: ReadonlyArray<{ name: string; min: number; max: number; names?: readonly string[]; nameBase?: number }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, nameBase: 0 },
];

/** The validated schedule, as the Schedule spec fields. */
export interface ResolvedSchedule {
  /** The cron line, as given. */
  readonly cron: string;
  /** The concurrency policy, default filled in. */
  readonly concurrencyPolicy: ChaosConcurrencyPolicy;
  /** The history limit, default filled in. */
  readonly historyLimit: number;
  /** The starting deadline, when given (none by default). */
  readonly startingDeadlineSeconds?: number;
  /**
   * The shortest time between two runs, in seconds, when it is known: `@every`'s interval, a
   * descriptor's, or the shortest gap between the runs of one day of a cron line (and across
   * midnight when two consecutive days match).
   */
  readonly minIntervalSeconds?: number;
}

/** Check a {@link ChaosSchedule} prop. */
export function resolveSchedule(site: InputSite, prop: string, given: ChaosSchedule): ResolvedSchedule {
  const s = requireKnownKeys(site, prop, requireObject(site, prop, given), SCHEDULE_KEYS);
  if (s.cron === undefined) throw propError(site, `${prop}.cron`, "is required: e.g. '0 3 * * 1-5' or '@every 6h'");
  const cron = requireString(site, `${prop}.cron`, s.cron, true);
  const minIntervalSeconds = checkCron(site, `${prop}.cron`, cron);
  return {
    cron,
    concurrencyPolicy: requireOptionalOneOf(site, `${prop}.concurrencyPolicy`, s.concurrencyPolicy, Object.values(ChaosConcurrencyPolicy),
      'a ChaosConcurrencyPolicy', ChaosConcurrencyPolicy.FORBID),
    historyLimit: s.historyLimit === undefined ? 5 : requireInteger(site, `${prop}.historyLimit`, s.historyLimit, 1),
    startingDeadlineSeconds: s.startingDeadlineSeconds === undefined ? undefined
      : requireInteger(site, `${prop}.startingDeadlineSeconds`, s.startingDeadlineSeconds, 1, Number.MAX_SAFE_INTEGER),
    ...(minIntervalSeconds === undefined ? {} : { minIntervalSeconds }),
  };
}

/** Check a cron line; returns the shortest interval between its runs in seconds, when known. */
function checkCron(site: InputSite, prop: string, cron: string): number | undefined {
  const bad = (why: string) => propError(site, prop, `'${cron}' is not a schedule Chaos Mesh accepts: ${why}`);
  // robfig/cron's Every() rounds the interval down to whole seconds, and up to 1s below it.
  if (cron.startsWith('@every ')) return Math.max(1, Math.floor(goDuration(site, prop, cron.slice('@every '.length)).seconds));
  if (cron.startsWith('@')) {
    if (!DESCRIPTORS.includes(cron)) throw bad(`unknown descriptor (one of ${DESCRIPTORS.join(', ')}, or '@every <duration>')`);
    return DESCRIPTOR_SECONDS[cron];
  }
  if (cron.startsWith('TZ=') || cron.startsWith('CRON_TZ=')) throw bad('time zone prefixes are not supported here');
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw bad(`expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  fields.forEach((f, i) => {
    const problem = fieldProblem(f, FIELDS[i]);
    if (problem !== undefined) throw bad(`${FIELDS[i].name} '${f}': ${problem}`);
  });
  return shortestGap(fields);
}

/**
 * The shortest gap in seconds between two runs of a checked cron line: between consecutive runs of
 * one day (they occur on every day that matches), and across midnight when two consecutive days
 * provably both match. Undefined when neither applies (one run a day, never on consecutive days).
 */
function shortestGap(fields: string[]): number | undefined {
  const [minutes, hours, days, , weekdays] = fields.map((f, i) => fieldValues(f, FIELDS[i]));
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  if (consecutiveDays(fields[2], days, fields[4], weekdays)) gaps.push(24 * 60 - times[times.length - 1] + times[0]);
  return gaps.length === 0 ? undefined : Math.min(...gaps) * 60;
}

/**
 * Do two consecutive days provably both match? robfig/cron ANDs day of month and day of week when
 * either is a star ('*' or '?', without a step above 1) and ORs them otherwise. Day-of-month pairs
 * count up to the 28th (every month has them); any month will do, as every month has every weekday.
 */
function consecutiveDays(domField: string, dom: number[], dowField: string, dow: number[]): boolean {
  const star = (field: string) => field.split(',').some((part) => {
    const [range, step] = part.split('/');
    return (range === '*' || range === '?') && (step === undefined || Number(step) <= 1);
  });
  const domPair = dom.some((d) => d < 28 && dom.includes(d + 1));
  const dowPair = dow.some((d) => dow.includes((d + 1) % 7));
  const domStar = star(domField);
  const dowStar = star(dowField);
  if (domStar && dowStar) return true;
  if (domStar) return dowPair;
  if (dowStar) return domPair;
  return domPair || dowPair;
}

/** The values a checked cron field matches (robfig/cron: `N/step` runs from N to the field's maximum). */
function fieldValues(field: string, spec: typeof FIELDS[number]): number[] {
  const value = (text: string): number => (/^[0-9]+$/.test(text) ? Number(text) : spec.names!.indexOf(text.toLowerCase()) + spec.nameBase!);
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range, step] = part.split('/');
    const [lo, hi] = range === '*' || range === '?' ? [spec.min, spec.max]
      : [value(range.split('-')[0]), range.includes('-') ? value(range.split('-')[1]) : step === undefined ? value(range) : spec.max];
    for (let v = lo; v <= hi; v += step === undefined ? 1 : Number(step)) out.add(v);
  }
  return [...out];
}

function fieldProblem(field: string, spec: typeof FIELDS[number]): string | undefined {
  const value = (text: string): number | undefined => {
    if (/^[0-9]+$/.test(text)) return Number(text);
    const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
    return i >= 0 ? i + spec.nameBase! : undefined;
  };
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === '') return 'malformed';
    if (step !== undefined && (!/^[0-9]+$/.test(step) || Number(step) === 0)) return `step '${step}' must be a positive integer`;
    if (range === '*' || range === '?') continue;
    const [lo, hi, more] = range.split('-');
    if (more !== undefined) return 'malformed range';
    const a = value(lo);
    const b = hi === undefined ? a : value(hi);
    if (a === undefined || b === undefined) return `'${range}' is not a number${spec.names ? ' or a name' : ''}`;
    if (a < spec.min || b > spec.max) return `out of range ${spec.min}-${spec.max}`;
    if (a > b) return `range '${range}' runs backwards`;
  }
  return undefined;
}
