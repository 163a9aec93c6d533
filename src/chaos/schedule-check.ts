/**
 * Checking a {@link ChaosSchedule} prop, cron line included, as Chaos Mesh reads it: robfig/cron v3's
 * standard parser (chaos-mesh api/v1alpha1 schedule_webhook.go validates with cron.ParseStandard).
 * Internal.
 */
import { ChaosConcurrencyPolicy, ChaosSchedule } from './chaos-schedule';
import { goDuration } from './chaos-units';
import { InputSite, propError } from '../util/errors';
import { StructKeys, requireInteger, requireKnownKeys, requireObject, requireOptionalOneOf, requireString } from '../util/guards';

const SCHEDULE_KEYS: StructKeys<ChaosSchedule> = { cron: true, concurrencyPolicy: true, historyLimit: true, startingDeadlineSeconds: true };

/**
 * robfig/cron's descriptors, as the cron lines they stand for (robfig/cron parser.go `parseDescriptor`:
 * second and minute 0, hour 0 except @hourly, the 1st of January or of every month, Sunday).
 */
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** The fields of a standard cron line: name, bounds, and the names robfig/cron accepts. */
const FIELDS: ReadonlyArray<{ name: string; min: number; max: number; names?: readonly string[]; nameBase?: number; day?: boolean }> = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31, day: true },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, nameBase: 0, day: true },
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
   * The shortest time between two runs, in seconds: `@every`'s interval (as robfig/cron rounds it),
   * or that of a cron line or descriptor over a whole cycle of the calendar (see shortestGap).
   */
  readonly minIntervalSeconds: number;
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
    minIntervalSeconds,
  };
}

/** Check a cron line; returns the shortest interval between its runs in seconds. */
function checkCron(site: InputSite, prop: string, cron: string): number {
  const bad = (why: string) => propError(site, prop, `'${cron}' is not a schedule Chaos Mesh accepts: ${why}`);
  // robfig/cron's Every() rounds the interval down to whole seconds, and up to 1s below it.
  // A zero or negative interval is refused (robfig/cron would run it every second): fail closed.
  if (cron.startsWith('@every ')) {
    return Math.max(1, Math.floor(goDuration(site, prop, cron.slice('@every '.length), 'the interval between runs (robfig/cron would run a zero one every second)').seconds));
  }
  if (cron.startsWith('@')) {
    const line = DESCRIPTORS[cron];
    if (line === undefined) throw bad(`unknown descriptor (one of ${Object.keys(DESCRIPTORS).join(', ')}, or '@every <duration>')`);
    return shortestGap(line.split(' '))!;
  }
  if (cron.startsWith('TZ=') || cron.startsWith('CRON_TZ=')) {
    // robfig/cron accepts the prefix, but loads the zone from the controller image's time zone database.
    throw propError(site, prop, `'${cron}': time zone prefixes are refused here (Chaos Mesh accepts them, but whether its controller can `
      + 'load the zone depends on its image\'s time zone database): give the line without it, read in the controller\'s time zone');
  }
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw bad(`expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`);
  fields.forEach((f, i) => {
    const problem = fieldProblem(f, FIELDS[i]);
    if (problem !== undefined) throw bad(`${FIELDS[i].name} '${f}': ${problem}`);
    // robfig/cron skips empty list items (strings.FieldsFunc on ','): a field of commas only matches nothing.
    // Day of month and day of week are judged with each other below ('0 3 , * mon' runs on Mondays: OR).
    if (FIELDS[i].day !== true && listItems(f).length === 0) throw bad(`${FIELDS[i].name} '${f}' lists no value, so the line never runs`);
  });
  const gap = shortestGap(fields);
  // robfig/cron's Next() finds no time (and Chaos Mesh's Schedule controller never starts a run).
  if (gap === undefined) throw bad('no day of any year matches its day of month, month and day of week (e.g. the 30th of February)');
  return gap;
}

/** The Gregorian calendar repeats every 400 years: 146097 days, exactly 20871 weeks. */
const CYCLE_FIRST_YEAR = 2000;
const CYCLE_YEARS = 400;
const CYCLE_DAYS = 146097;
/** The weekday of 1 January 2000 (a Saturday; 0 is Sunday, as in cron). */
const CYCLE_FIRST_WEEKDAY = 6;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The shortest gap in seconds between two runs of a checked cron line, or undefined when it never
 * runs. Every day that matches runs at the same times, so the gap is the shortest of: two
 * consecutive times of one day, and the last time of a matching day to the first of the next
 * matching day. Matching days are found over one whole 400-year cycle of the calendar, which
 * repeats after it, so month ends (the 31st to the 1st, 28 February to 1 March), leap years and
 * robfig/cron's day rule (day of month OR day of week when both are restricted) are exact, not
 * estimated: the result is the shortest gap that ever occurs, never one shorter.
 *
 * Wall-clock time: the chaos controller-manager reads the schedule in its local time (UTC in a
 * container unless its TZ says otherwise). In a time zone with daylight saving time, real time
 * differs around a change: a gap across the spring change is an hour shorter, and a time inside
 * the hour repeated in autumn runs twice, an hour apart (robfig/cron's SpecSchedule.Next matches
 * the wall clock, so both instants match; kubernetes/kubernetes#121594 is the same for CronJob).
 */
function shortestGap(fields: string[]): number | undefined {
  const [minutes, hours, dom, months, dow] = fields.map((f, i) => fieldValues(f, FIELDS[i]));
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
  const dayGap = shortestDayGap(flags(dom, 32), flags(months, 13), flags(dow, 7), isStar(fields[2]) || isStar(fields[4]));
  if (dayGap === undefined) return undefined;
  let gap = dayGap * 24 * 60 - (times[times.length - 1] - times[0]);
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, times[i] - times[i - 1]);
  return gap * 60;
}

/** A lookup table: `size` flags, set at `values`. */
function flags(values: number[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (const v of values) out[v] = 1;
  return out;
}

/**
 * The days on which a cron line runs in one kind of year (by the weekday of its 1 January and
 * whether it is a leap year), as days of the year from 0: the first, the last, and the fewest days
 * between two of them (Infinity with one day or none; first -1 with none). The walk ends at a
 * 1-day gap, the shortest there is (first and last are then incomplete: the caller stops too).
 */
interface YearMatches { readonly first: number; readonly last: number; readonly shortest: number }

function yearMatches(weekday: number, leap: boolean, dom: Uint8Array, months: Uint8Array, dow: Uint8Array, both: boolean): YearMatches {
  let first = -1;
  let last = -1;
  let shortest = Infinity;
  let day = 0;
  for (let month = 1; month <= 12; month++) {
    const length = month === 2 && leap ? 29 : MONTH_DAYS[month - 1];
    if (months[month] === 0) {
      day += length;
      continue;
    }
    for (let d = 1; d <= length; d++, day++) {
      const byDom = dom[d] === 1;
      const byDow = dow[(weekday + day) % 7] === 1;
      if (both ? !(byDom && byDow) : !(byDom || byDow)) continue;
      if (last < 0) {
        first = day;
      } else if (day - last < shortest) {
        shortest = day - last;
        if (shortest === 1) return { first, last: day, shortest };
      }
      last = day;
    }
  }
  return { first, last, shortest };
}

/**
 * The shortest number of days between two consecutive days on which a cron line runs, over the
 * whole 400-year cycle (undefined: it never runs). A year's matching days depend only on the
 * weekday of its 1 January and whether it is a leap year (14 kinds of year, all of which occur in
 * the cycle), so each kind is walked once (at most 14 x 366 days) and the cycle is then walked year
 * by year, joining the last matching day of a year to the first of the next year that has one (and
 * the cycle's end to its start). A 1-day gap ends the search. `both`: robfig/cron's star rule
 * (spec.go dayMatches): day of month AND day of week, otherwise OR.
 */
function shortestDayGap(dom: Uint8Array, months: Uint8Array, dow: Uint8Array, both: boolean): number | undefined {
  const kinds: Array<YearMatches | undefined> = [];
  let shortest = Infinity;
  let firstRun = -1;
  let lastRun = -1;
  let start = 0;
  for (let year = CYCLE_FIRST_YEAR; year < CYCLE_FIRST_YEAR + CYCLE_YEARS; year++) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const weekday = (CYCLE_FIRST_WEEKDAY + start) % 7;
    const key = weekday * 2 + (leap ? 1 : 0);
    const kind = kinds[key] ?? (kinds[key] = yearMatches(weekday, leap, dom, months, dow, both));
    if (kind.shortest === 1) return 1;
    if (kind.first >= 0) {
      if (lastRun >= 0) shortest = Math.min(shortest, start + kind.first - lastRun);
      else firstRun = start + kind.first;
      shortest = Math.min(shortest, kind.shortest);
      lastRun = start + kind.last;
    }
    start += leap ? 366 : 365;
  }
  if (lastRun < 0) return undefined;
  return Math.min(shortest, firstRun + CYCLE_DAYS - lastRun);
}

/**
 * robfig/cron's star (spec.go `starBit`, parser.go `getRange`): a part `*` or `?` without a step
 * above 1. When day of month or day of week has one, a day must match both (`dayMatches`: AND);
 * otherwise either will do (OR).
 */
function isStar(field: string): boolean {
  return listItems(field).some((part) => {
    const [range, step] = part.split('/');
    return isStarRange(range) && (step === undefined || cronNumber(step)! <= 1);
  });
}

/** The items of a cron field's list: robfig/cron's getField splits with strings.FieldsFunc, which drops empty ones (`'1,,5,'`). */
function listItems(field: string): string[] {
  return field.split(',').filter((part) => part !== '');
}

/**
 * Whether a range (the part before `/`) is a star: robfig/cron's getRange looks only at the text
 * before the first `-` (`'*'` or `'?'`) and then takes the whole field, ignoring what follows.
 */
function isStarRange(range: string): boolean {
  const low = range.split('-')[0];
  return low === '*' || low === '?';
}

/**
 * A number as robfig/cron reads one (parser.go mustParseInt: Go's strconv.Atoi, decimal digits with
 * an optional sign, within int64; a negative one is refused), or undefined.
 */
function cronNumber(text: string): number | undefined {
  if (!/^\+?[0-9]+$/.test(text)) return undefined;
  const digits = text.replace(/^\+?0*/, '');
  const int64Max = '9223372036854775807';
  if (digits.length > int64Max.length || (digits.length === int64Max.length && digits > int64Max)) return undefined;
  return Number(digits);
}

/** A value of a cron field: a number (cronNumber) or, where the field has them, a name (`jan`, `MON`); undefined when neither. */
function fieldValue(text: string, spec: typeof FIELDS[number]): number | undefined {
  const n = cronNumber(text);
  if (n !== undefined) return n;
  const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  return i >= 0 ? i + spec.nameBase! : undefined;
}

/** The values a checked cron field matches (robfig/cron: `N/step` runs from N to the field's maximum). */
function fieldValues(field: string, spec: typeof FIELDS[number]): number[] {
  // The field has been checked (fieldProblem): every value is a number or a name.
  const value = (text: string): number => fieldValue(text, spec)!;
  const out = new Set<number>();
  for (const part of listItems(field)) {
    const [range, step] = part.split('/');
    const [lo, hi] = isStarRange(range) ? [spec.min, spec.max]
      : [value(range.split('-')[0]), range.includes('-') ? value(range.split('-')[1]) : step === undefined ? value(range) : spec.max];
    for (let v = lo; v <= hi; v += step === undefined ? 1 : cronNumber(step)!) out.add(v);
  }
  return [...out];
}

function fieldProblem(field: string, spec: typeof FIELDS[number]): string | undefined {
  for (const part of listItems(field)) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === '') return 'malformed';
    if (step !== undefined && !cronNumber(step)) return `step '${step}' must be a positive integer`;
    if (isStarRange(range)) continue;
    const [lo, hi, more] = range.split('-');
    if (more !== undefined) return 'malformed range';
    const a = fieldValue(lo, spec);
    const b = hi === undefined ? a : fieldValue(hi, spec);
    if (a === undefined || b === undefined) return `'${range}' is not a number${spec.names ? ' or a name' : ''}`;
    if (a < spec.min || b > spec.max) return `out of range ${spec.min}-${spec.max}`;
    if (a > b) return `range '${range}' runs backwards`;
  }
  return undefined;
}
