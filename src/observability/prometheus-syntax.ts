/**
 * The bits of Prometheus syntax NetworkAlerts writes into a PrometheusRule: durations, label names
 * and string literals. Internal.
 */
import { InputSite, propError } from '../util/errors';
import { requireOptionalString, requireString } from '../util/guards';

/**
 * Prometheus' duration syntax (prometheus/common model/time.go `durationRE`): units from years down
 * to milliseconds, each at most once and in that order, integers only (`1h30m`, not `1.5h` or
 * `30m1h`). The PrometheusRule CRD's pattern admits the empty string too; Prometheus reads that as
 * zero or refuses it, depending on the version.
 */
const DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;
const UNIT_MS = [365 * 24 * 3600e3, 7 * 24 * 3600e3, 24 * 3600e3, 3600e3, 60e3, 1e3, 1];

/** Milliseconds of a duration that matched {@link DURATION} (0 for the bare `0`). */
function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (m === null) return 0;
  return UNIT_MS.reduce((sum, unit, i) => sum + (m[2 * i + 2] === undefined ? 0 : Number(m[2 * i + 2]) * unit), 0);
}

/**
 * A positive Prometheus duration (an alert's `for`). Zero (or no `for`) makes an alert fire on the
 * first evaluation that matches: one scrape's spike pages someone.
 */
export function validatePositiveDuration(site: InputSite, prop: string, value: string): string {
  requireString(site, prop, value);
  // A bare `0` is the one unitless duration Prometheus accepts.
  if (value === '' || (value !== '0' && !DURATION.test(value))) {
    throw propError(site, prop, `'${value}' is not a Prometheus duration (integers with units y, w, d, h, m, s, ms, largest first, `
      + 'each at most once: e.g. \'10m\', \'1h30m\')');
  }
  if (durationMs(value) === 0) {
    throw propError(site, prop, `'${value}' is zero: the alert would fire on the first evaluation that matches, so a single spike pages; `
      + 'give a duration the condition must hold, e.g. \'5m\'');
  }
  return value;
}

/** Prometheus label names (prometheus/common model `LabelNameRE`, the legacy name set alerting rules use). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The labels NetworkAlerts adds to every alert: legal Prometheus label names, none reserved (`__`
 * prefix: internal to Prometheus), nor one the construct sets itself (`alertname`, `severity`).
 * Values are non-empty: Prometheus treats an empty value as the label being absent.
 */
export function validateAlertLabels(site: InputSite, prop: string, labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) {
    if (!LABEL_NAME.test(name)) {
      throw propError(site, prop, `'${name}' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
    }
    if (name.startsWith('__')) throw propError(site, prop, `'${name}' starts with '__', which Prometheus reserves for internal labels`);
    if (name === 'alertname' || name === 'severity') {
      throw propError(site, prop, `'${name}' is set by NetworkAlerts itself${name === 'severity' ? ' (each alert\'s `severity` option)' : ''}`);
    }
    if (labels[name] === '') throw propError(site, `${prop}.${name}`, 'must not be empty: Prometheus drops a label whose value is empty');
    out[name] = labels[name];
  }
  return out;
}

/** A PromQL double-quoted string literal (Go escapes, which JSON's are a subset of). */
export function promqlString(value: string): string {
  return JSON.stringify(value);
}

/**
 * A scrape job name NetworkAlerts matches (`job="..."`, any string as a PromQL literal) and names in
 * its annotations. Annotations are Go templates that Prometheus parses when it loads the rule file
 * (prometheus/prometheus model/rulefmt: a template that does not parse fails the whole file), so
 * a `{{` in a job name would take every alert of the PrometheusRule down with it.
 */
export function validateScrapeJob(site: InputSite, prop: string, value: string | undefined): string | undefined {
  const s = requireOptionalString(site, prop, value, true);
  if (s !== undefined && s.includes('{{')) {
    throw propError(site, prop, `'${s}' contains '{{', which starts a template action in the alert annotations that name the job; `
      + 'Prometheus would refuse the whole rule file');
  }
  return s;
}
