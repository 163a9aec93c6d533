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
