/**
 * Validation of each alert's options ({@link NetworkAlertOptions}) against the alert's own range and defaults. Internal.
 */
import { DnsErrorsAlertOptions, DnsLatencyAlertOptions, NetworkAlertOptions } from './network-alert-options';
import { validatePositiveDuration } from './prometheus-syntax';
import { InputSite, propError } from '../util/errors';
import { StructKeys, requireKnownKeys, requireNumber, requireOptionalBoolean, requireOptionalObject, requireOptionalString } from '../util/guards';

const OPTION_KEYS: StructKeys<NetworkAlertOptions> = { enabled: true, threshold: true, forDuration: true, severity: true, runbookUrl: true };

/** What an alert accepts as its threshold, and its defaults. Internal. */
export interface AlertDefaults {
  /** Smallest threshold accepted (`minExclusive`: strictly above it). */
  readonly min: number;
  readonly minExclusive: boolean;
  /** Threshold accepted strictly below this (a value at or above it can never fire), with why. */
  readonly below?: { readonly limit: number; readonly why: string };
  /** The threshold's unit, for messages. */
  readonly unit: string;
  /** Undefined: the alert takes no threshold. */
  readonly threshold?: number;
  readonly forDuration: string;
  readonly severity: string;
}

/** An alert's options, validated and with its defaults filled in. Internal. */
export interface ResolvedAlert {
  /** `true`/`false` as given, undefined when omitted. */
  readonly enabled?: boolean;
  readonly threshold: number;
  readonly forDuration: string;
  readonly severity: string;
  readonly runbookUrl?: string;
}

/** The DNS latency alert's options, validated, defaults filled in. Internal. */
export interface ResolvedDnsLatency extends ResolvedAlert {
  /** One percentile per CoreDNS `server` and `zone` (true), or per job / node only. */
  readonly perZone: boolean;
  /** Requests per second each percentile's group must exceed; 0: no guard. */
  readonly minRequestRate: number;
}

/** The DNS error-ratio alert's options, validated, defaults filled in. Internal. */
export interface ResolvedDnsErrors extends ResolvedAlert {
  /** Responses per second the ratio's denominator must exceed; 0: no guard. */
  readonly minRequestRate: number;
}

/**
 * Validate one alert's options (`prop` is the prop naming it, e.g. `dnsLatency`); `extra` names the
 * fields of the alert's own options interface beyond {@link NetworkAlertOptions}, which its caller reads.
 */
export function resolveAlert(site: InputSite, prop: string, given: NetworkAlertOptions | undefined, defaults: AlertDefaults,
  extra: readonly string[] = []): ResolvedAlert {
  const keys = { ...OPTION_KEYS, ...Object.fromEntries(extra.map((k) => [k, true])) } as StructKeys<NetworkAlertOptions>;
  const o = requireKnownKeys(site, prop, requireOptionalObject(site, prop, given) ?? {}, keys);
  const enabled = o.enabled === undefined ? undefined : requireOptionalBoolean(site, `${prop}.enabled`, o.enabled, true);
  return {
    enabled,
    threshold: threshold(site, `${prop}.threshold`, o.threshold, defaults),
    forDuration: o.forDuration === undefined ? defaults.forDuration : validatePositiveDuration(site, `${prop}.forDuration`, o.forDuration),
    severity: severity(site, `${prop}.severity`, o.severity) ?? defaults.severity,
    runbookUrl: runbookUrl(site, `${prop}.runbookUrl`, o.runbookUrl),
  };
}

/** Validate the DNS latency alert's options ({@link DnsLatencyAlertOptions}); `minRequestRate` is the default guard. */
export function resolveDnsLatency(site: InputSite, prop: string, given: DnsLatencyAlertOptions | undefined, defaults: AlertDefaults,
  minRequestRate: number): ResolvedDnsLatency {
  const base = resolveAlert(site, prop, given, defaults, ['perZone', 'minRequestRate']);
  return {
    ...base,
    perZone: requireOptionalBoolean(site, `${prop}.perZone`, given?.perZone, true),
    minRequestRate: minTraffic(site, `${prop}.minRequestRate`, given?.minRequestRate, minRequestRate, 'requests'),
  };
}

/** Validate the DNS error-ratio alert's options ({@link DnsErrorsAlertOptions}); `minRequestRate` is the default guard. */
export function resolveDnsErrors(site: InputSite, prop: string, given: DnsErrorsAlertOptions | undefined, defaults: AlertDefaults,
  minRequestRate: number): ResolvedDnsErrors {
  const base = resolveAlert(site, prop, given, defaults, ['minRequestRate']);
  return { ...base, minRequestRate: minTraffic(site, `${prop}.minRequestRate`, given?.minRequestRate, minRequestRate, 'responses') };
}

/** A minimum-traffic guard (`minRequestRate`): a finite rate per second, 0 or more, `what` counted (for messages). */
function minTraffic(site: InputSite, prop: string, value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = requireNumber(site, prop, value);
  if (n < 0) throw propError(site, prop, `${n} is out of range: must be at least 0 (${what} per second; 0 judges any traffic)`);
  return n;
}

function threshold(site: InputSite, prop: string, value: number | undefined, d: AlertDefaults): number {
  if (d.threshold === undefined) {
    if (value !== undefined) throw propError(site, prop, 'this alert has no threshold (it fires on a condition, not a value)');
    return 0;
  }
  if (value === undefined) return d.threshold;
  const n = requireNumber(site, prop, value);
  if (d.minExclusive ? n <= d.min : n < d.min) {
    throw propError(site, prop, `${n} is out of range: must be ${d.minExclusive ? 'above' : 'at least'} ${d.min} (${d.unit})`);
  }
  if (d.below !== undefined && n >= d.below.limit) {
    throw propError(site, prop, `${n} is out of range: must be below ${d.below.limit} (${d.unit}), ${d.below.why}`);
  }
  return n;
}

function severity(site: InputSite, prop: string, value: string | undefined): string | undefined {
  const s = requireOptionalString(site, prop, value, true);
  if (s !== undefined && s.trim() !== s) throw propError(site, prop, `'${s}' has leading or trailing whitespace, which no Alertmanager route matches`);
  return s;
}

function runbookUrl(site: InputSite, prop: string, value: string | undefined): string | undefined {
  const s = requireOptionalString(site, prop, value, true);
  if (s === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(s);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw propError(site, prop, `'${s}' is not an absolute http(s) URL`);
  }
  return s;
}
