/**
 * Options of one alert of {@link NetworkAlerts}. Each alert documents what its threshold measures,
 * its range and its defaults.
 */
export interface NetworkAlertOptions {
  /**
   * Emit this alert. `false` leaves it out; `true` insists on it, and is an error where the cluster
   * exports no metric for it (e.g. policy drops on Calico open source), rather than an alert on a
   * metric that cannot exist and so never fires.
   * @default - emitted wherever the cluster's components export its metric
   */
  readonly enabled?: boolean;
  /**
   * The threshold the alert compares with (its unit and range are the alert's).
   * @default - the alert's own
   */
  readonly threshold?: number;
  /**
   * How long the condition must hold before the alert fires (the rule's `for`), a Prometheus
   * duration such as '10m' or '1h30m'; never zero, so one scrape's spike does not page.
   * @default - the alert's own
   */
  readonly forDuration?: string;
  /**
   * The `severity` label Alertmanager routes on.
   * @default - the alert's own ('warning', or 'critical' where traffic is already being dropped)
   */
  readonly severity?: string;
  /**
   * An http(s) URL of the runbook, set as the `runbook_url` annotation.
   * @default - no runbook_url annotation
   */
  readonly runbookUrl?: string;
}

/** Options of the DNS latency alert of {@link NetworkAlerts} (`dnsLatency`). */
export interface DnsLatencyAlertOptions extends NetworkAlertOptions {
  /**
   * One 99th percentile per CoreDNS server block (the histogram's `server` and `zone` labels,
   * e.g. `dns://:53` and `cluster.local.`), as the CoreDNS mixin's CoreDNSLatencyHigh computes it,
   * instead of one over all of them. A zone forwarded to a slow upstream (a stub domain, or
   * node-local-dns' `.:53` block) is then seen on its own: pooled with the cluster zone's fast
   * answers, its share of slow answers can stay below 1% and never move the pooled percentile. On a
   * Corefile with one server block (CoreDNS' default `.:53`) both give the same alert. `false`
   * pools the server blocks of each job (each node for node-local-dns) when a zone with little
   * traffic makes the per-zone percentile noisy.
   * @default true
   */
  readonly perZone?: boolean;
  /**
   * The least traffic a percentile is judged on: requests per second (the histogram's `_count`, over
   * the percentile's 5-minute window and grouped by the same labels: per zone with `perZone`) at or
   * below which the alert stays silent, whatever the percentile. Finite, 0 or more; 0 judges any
   * traffic (below 100 requests in the window, the 99th percentile is the slowest request's bucket,
   * so a zone answering a few queries a minute pages on one slow forwarded query).
   * @default 1 - 300 requests in the window, so more than 1% of them (at least 4) must be slow to lift
   * the 99th percentile; a quiet zone (a stub domain, a reverse zone) cannot page on one slow answer
   */
  readonly minRequestRate?: number;
}

/** Options of the DNS error-ratio alert of {@link NetworkAlerts} (`dnsErrors`). */
export interface DnsErrorsAlertOptions extends NetworkAlertOptions {
  /**
   * The least traffic the ratio is judged on: responses per second (the ratio's denominator, over
   * its 5-minute window) at or below which the alert stays silent, whatever the ratio. Finite, 0 or
   * more; 0 judges any traffic (3 queries with 1 SERVFAIL then read as 33%).
   * @default 1 - 300 responses in the window, so the default 5% ratio takes at least 15 failed
   * answers; an idle job (or node, for node-local-dns) cannot fire on one or two
   */
  readonly minRequestRate?: number;
}
