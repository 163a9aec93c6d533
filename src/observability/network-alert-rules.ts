/**
 * The alerting rules of NetworkAlerts: one PromQL expression per alert and metric source, each on a
 * metric its upstream documents (cited beside it). Internal.
 */
import { AlertDefaults, ResolvedAlert, ResolvedDnsErrors, ResolvedDnsLatency } from './alert-options';
import { promqlString } from './prometheus-syntax';
import { CniKind } from '../cluster/cni-kind';
import { MeshKind } from '../cluster/mesh';

/** One alerting rule, before it becomes a PrometheusRule entry. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly options: ResolvedAlert;
  readonly summary: string;
  readonly description: string;
}

/**
 * Where a metric exists for a cluster: the rule's expression (and, where one exists, a series the
 * source always has once scraped, for metricsAbsent), or why there is no metric.
 */
export type MetricSource = {
  readonly expr: (threshold: number) => string;
  readonly present?: { readonly expr: string; readonly title: string; readonly fix: string };
} | { readonly none: string };

/** A PromQL number literal. */
function num(n: number): string {
  return String(n);
}

/**
 * CoreDNS' request-duration histogram: buckets from 0.25 ms doubling 16 times, the last at 8.192 s
 * (coredns/coredns plugin/plugin.go `TimeBuckets`, used by plugin/metrics/vars). histogram_quantile
 * returns at most the highest finite bucket bound (prometheus.io "Functions": a quantile in the +Inf
 * bucket yields the second-highest bound), so a threshold at or above it can never fire.
 */
const COREDNS_HIGHEST_BUCKET_SECONDS = 8.192;

/**
 * The DNS error ratio's default minimum traffic, in responses per second (why: DnsErrorsAlertOptions
 * `minRequestRate`).
 */
export const DNS_ERRORS_MIN_REQUEST_RATE = 1;

/**
 * The DNS latency percentile's default minimum traffic, in requests per second (why:
 * DnsLatencyAlertOptions `minRequestRate`).
 */
export const DNS_LATENCY_MIN_REQUEST_RATE = 1;

/**
 * `condition`, judged only while `traffic` exceeds `min` per second; `min` 0: no guard. `and` binds
 * looser than `>` and keeps the left side's value (for the annotations). It matches series on their
 * whole label sets, so `traffic` must be grouped by exactly the labels `condition` keeps: with one
 * label more or less, `and` matches nothing and the alert never fires.
 */
function withMinTraffic(condition: string, traffic: string, min: number): string {
  return min > 0 ? `${condition} and ${traffic} > ${num(min)}` : condition;
}

/** Defaults per alert (threshold unit, range, `for`, severity), with why in the props' doc comments. */
export const ALERT_DEFAULTS = {
  dnsLatency: {
    min: 0,
    minExclusive: true,
    unit: 'seconds, the 99th percentile',
    below: { limit: COREDNS_HIGHEST_BUCKET_SECONDS, why: 'the highest finite bucket of CoreDNS\' duration histogram, which histogram_quantile never exceeds' },
    threshold: 0.25,
    forDuration: '10m',
    severity: 'warning',
  },
  dnsErrors: {
    min: 0,
    minExclusive: true,
    unit: 'a ratio of responses',
    below: { limit: 1, why: 'since a ratio of responses is never above 1' },
    threshold: 0.05,
    forDuration: '10m',
    severity: 'warning',
  },
  policyDrops: { min: 0, minExclusive: true, unit: 'packets per second per node', threshold: 1, forDuration: '15m', severity: 'warning' },
  serviceEndpoints: { min: 0, minExclusive: false, unit: 'none', forDuration: '15m', severity: 'warning' },
  conntrack: {
    min: 0,
    minExclusive: true,
    unit: 'a ratio of the table limit',
    below: { limit: 1, why: 'since the kernel never holds more entries than its limit' },
    threshold: 0.9,
    forDuration: '5m',
    severity: 'critical',
  },
  meshDenials: { min: 0, minExclusive: false, unit: 'denied requests or connections per second per namespace', threshold: 0, forDuration: '10m', severity: 'warning' },
  metricsAbsent: { min: 0, minExclusive: false, unit: 'none', forDuration: '15m', severity: 'warning' },
} satisfies Record<string, AlertDefaults>;

/**
 * DNS latency and error rate of one DNS server set, by its scrape `job`. CoreDNS and node-local-dns
 * (k8s-dns-node-cache, a CoreDNS build) export the same `coredns_*` metrics (coredns/coredns
 * plugin/metrics/README.md), so only the job tells them apart. `by` is what the alerts are per:
 * the job for the CoreDNS Deployment as a whole, each node (instance) for the per-node cache.
 */
export function dnsRules(what: { name: string; title: string; job: string; by: string[] }, latency: ResolvedDnsLatency | undefined,
  errors: ResolvedDnsErrors | undefined): AlertRule[] {
  const job = `job=${promqlString(what.job)}`;
  const by = ['job', ...what.by].join(', ');
  const where = what.by.includes('instance') ? ' on {{ $labels.instance }}' : '';
  const rules: AlertRule[] = [];
  if (latency) {
    // Per server block: `server` and `zone` are the labels of coredns_dns_request_duration_seconds
    // (with `view` and `type`; coredns/coredns plugin/metrics/README.md), the two the CoreDNS mixin's
    // CoreDNSLatencyHigh names in its description (povilasv/coredns-mixin alerts/coredns.libsonnet; its
    // `sum without (instance, pod)` also keeps `type` and `view`, one percentile per query type: not here).
    const latencyBy = latency.perZone ? `${by}, server, zone` : by;
    const zone = latency.perZone ? ' for zone {{ $labels.zone }} ({{ $labels.server }})' : '';
    // Quantiles of a histogram over many pods: sum the buckets by `le` first (a quantile per
    // series, then compared, would alert per pod on a handful of queries). histogram_quantile drops
    // `le`, so the quantile keeps exactly `latencyBy`, the grouping of the requests it is judged on
    // (the histogram's `_count`, every observation: prometheus.io "Histograms and summaries").
    const quantile = `histogram_quantile(0.99, sum by (${latencyBy}, le) (rate(coredns_dns_request_duration_seconds_bucket{${job}}[5m]))) `
      + `> ${num(latency.threshold)}`;
    const requests = `sum by (${latencyBy}) (rate(coredns_dns_request_duration_seconds_count{${job}}[5m]))`;
    // Without traffic the quantile is NaN, which no comparison matches: 0 needs no guard.
    const guarded = latency.minRequestRate > 0;
    rules.push({
      alert: `${what.name}LatencyHigh`,
      expr: withMinTraffic(quantile, requests, latency.minRequestRate),
      options: latency,
      summary: `${what.title} answers slowly${zone}${where}`,
      description: `The 99th percentile of ${what.title} request durations${zone}${where} is {{ $value | humanizeDuration }}, above `
        + `${num(latency.threshold)}s${guarded ? ` (judged above ${num(latency.minRequestRate)} requests/s)` : ''}. `
        + 'Slow answers delay every new connection that resolves a name.',
    });
  }
  if (errors) {
    // SERVFAIL (upstream or plugin failure) and REFUSED (a zone it will not answer); NXDOMAIN is the
    // normal answer to the search-path expansions of every lookup, never an error here.
    const rcodes = 'rcode=~"SERVFAIL|REFUSED"';
    const responses = `sum by (${by}) (rate(coredns_dns_responses_total{${job}}[5m]))`;
    const ratio = `sum by (${by}) (rate(coredns_dns_responses_total{${job}, ${rcodes}}[5m])) / ${responses} > ${num(errors.threshold)}`;
    // Without traffic the ratio is NaN, which no comparison matches: 0 needs no guard.
    const guarded = errors.minRequestRate > 0;
    rules.push({
      alert: `${what.name}ErrorsHigh`,
      expr: withMinTraffic(ratio, responses, errors.minRequestRate),
      options: errors,
      summary: `${what.title} fails queries${where}`,
      description: `{{ $value | humanizePercentage }} of ${what.title} responses${where} are SERVFAIL or REFUSED, above `
        + `the ratio ${num(errors.threshold)}${guarded ? ` (judged above ${num(errors.minRequestRate)} responses/s)` : ''}.`,
    });
  }
  return rules;
}

/**
 * Packets dropped by policy, per CNI. Only Cilium exports a counter (and only with agent metrics
 * on, Helm `prometheus.enabled: true`: docs.cilium.io "Monitoring & Metrics"):
 * `cilium_drop_count_total{reason, direction}` (cilium/cilium Documentation/observability/metrics.rst),
 * whose `reason` is the drop reason's text: `Policy denied` for an endpoint's missing allow and
 * `Policy denied by denylist` for a deny rule (cilium/cilium pkg/monitor/api/drop.go codes 133 and
 * 181; both in the cilium-cli connectivity test's `ExpectedDropReasons`, cilium-cli/defaults/defaults.go).
 */
export const POLICY_DROP_METRICS: Record<CniKind, MetricSource> = {
  [CniKind.KUBERNETES]: { none: 'NetworkPolicy defines no metrics, and this library knows no drop counter of the CNIs that enforce only it' },
  [CniKind.CALICO]: {
    none: 'Calico open source exports no counter of packets denied by policy: calico_denied_packets is a Calico Enterprise and Calico Cloud '
      + 'metric (docs.tigera.io calico-cloud "policy metrics"), absent from open source Felix\'s metrics (docs.tigera.io/calico/latest/reference/felix/prometheus)',
  },
  [CniKind.CILIUM]: {
    expr: (t) => `sum by (instance, direction, reason) (rate(cilium_drop_count_total{reason=~"Policy denied|Policy denied by denylist"}[5m])) > ${num(t)}`,
    // The drop counter has no series before the first drop; its sibling from the same datapath
    // metrics map, the forwarded-packet counter (enabled by default, same metrics.rst table), has one
    // on every agent that forwards anything: without it the agents are not scraped.
    present: {
      expr: 'cilium_forward_count_total',
      title: 'the Cilium agents (cilium_forward_count_total)',
      fix: 'Enable the agents\' metrics (Helm prometheus.enabled: true, port 9962) and scrape them (e.g. Helm prometheus.serviceMonitor.enabled: true, '
        + 'with prometheus.serviceMonitor.labels matching the Prometheus serviceMonitorSelector).',
    },
  },
  [CniKind.FLANNEL]: { none: 'Flannel enforces no network policy, so no packet is ever dropped by one' },
};

/** The policy-drop rule for a Cilium-style source. */
export function policyDropRule(expr: string, options: ResolvedAlert): AlertRule {
  return {
    alert: 'NetworkPolicyDropsHigh',
    expr,
    options,
    summary: 'Network policy drops {{ $labels.direction }} packets on {{ $labels.instance }}',
    description: 'Cilium on {{ $labels.instance }} drops {{ $value | humanize }} {{ $labels.direction }} packets per second ({{ $labels.reason }}), '
      + `above ${num(options.threshold)}: an allow is probably missing. \`hubble observe --verdict DROPPED\` shows the flows.`,
  };
}

/** The Service side of the join: its name as the `endpoint` label, ExternalName Services left out. */
const SERVICES_WITH_ENDPOINTS = 'label_replace(kube_service_spec_type{type!="ExternalName"}, "endpoint", "$1", "service", "(.*)")';

/**
 * Services whose Endpoints have no ready address, from kube-state-metrics: `kube_endpoint_info`
 * (one series per Endpoints object, which the endpoints controller keeps for every Service with a
 * selector) and `kube_endpoint_address{ready}` (STABLE; kube-state-metrics
 * docs/metrics/service/endpoint-metrics.md). Not `kube_endpoint_address_available`: deprecated in
 * v2.6.0 and gone from the current metric list; not the EndpointSlice metrics: EXPERIMENTAL, and
 * their Service name is a label kube-state-metrics exports only when allow-listed.
 *
 * Only Endpoints named after an existing Service that is not ExternalName count
 * (`kube_service_spec_type{type}`, STABLE; kube-state-metrics docs/metrics/service/service-metrics.md):
 * an Endpoints object need not belong to a Service. Leader-election locks of the `endpoints` kind
 * (kube-scheduler and kube-controller-manager before they moved to Leases; such objects can remain
 * in kube-system of long-upgraded clusters) never have addresses, and an ExternalName Service gets no endpoints from the
 * endpoints controller (kubernetes/kubernetes pkg/controller/endpoint, issue 105986) though an
 * Endpoints object may be left from before a type change: without the join these fire forever.
 */
const SERVICE_WITHOUT_ENDPOINTS = '(kube_endpoint_info unless on (namespace, endpoint) kube_endpoint_address{ready="true"}) '
  + `and on (namespace, endpoint) ${SERVICES_WITH_ENDPOINTS}`;

/** The rule of Services without ready endpoints (see SERVICE_WITHOUT_ENDPOINTS). */
export function serviceEndpointsRule(options: ResolvedAlert): AlertRule {
  return {
    alert: 'ServiceWithoutEndpoints',
    expr: SERVICE_WITHOUT_ENDPOINTS,
    options,
    summary: 'Service {{ $labels.namespace }}/{{ $labels.endpoint }} has no ready endpoints',
    description: 'No pod backs the Service {{ $labels.namespace }}/{{ $labels.endpoint }}: connections to it are refused or time out. '
      + 'Check that its selector matches ready pods.',
  };
}

/**
 * The kernel's netfilter connection tracking table, from node-exporter's conntrack collector (on by
 * default): `node_nf_conntrack_entries` and `node_nf_conntrack_entries_limit` (prometheus/node_exporter
 * collector/conntrack_linux.go). A full table drops new connections.
 */
export function conntrackRule(options: ResolvedAlert): AlertRule {
  return {
    alert: 'ConntrackTableNearlyFull',
    expr: `node_nf_conntrack_entries / node_nf_conntrack_entries_limit > ${num(options.threshold)}`,
    options,
    summary: 'The conntrack table of {{ $labels.instance }} is nearly full',
    description: 'The netfilter conntrack table of {{ $labels.instance }} is {{ $value | humanizePercentage }} full; when full, the kernel '
      + 'drops new connections (nf_conntrack: table full). Raise net.netfilter.nf_conntrack_max or find what opens so many connections.',
  };
}

/**
 * Requests and connections a mesh's authorization refused, per mesh. Linkerd's proxies count them
 * (`inbound_http_authz_deny_total`, `inbound_tcp_authz_deny_total`: linkerd.io proxy metrics
 * reference, linkerd/linkerd2-proxy inbound authz metrics), on their admin port 4191 where
 * Prometheus scrapes the proxies (linkerd-viz does). The proxies label no namespace themselves: the
 * `namespace` label is the one the scrape adds (linkerd-viz's and prometheus-operator's pod scrapes do). Istio's standard metrics record a refused request
 * as `istio_requests_total{response_code="403"}`, which an application's own 403 looks the same as:
 * no alert rather than one that pages on application errors.
 */
export const MESH_DENIAL_METRICS: Record<MeshKind, MetricSource> = {
  [MeshKind.NONE]: { none: 'the ClusterNetwork declares no service mesh' },
  [MeshKind.ISTIO]: {
    none: 'Istio exports no metric of authorization denials alone: a request AuthorizationPolicy refuses is counted as '
      + 'istio_requests_total{response_code="403"}, like an application\'s own 403',
  },
  [MeshKind.LINKERD]: {
    // Two counters: `or` keeps both only when their label sets differ, hence the protocol label.
    expr: (t) => 'sum by (namespace, protocol) (label_replace(rate(inbound_http_authz_deny_total[5m]), "protocol", "http", "", "") '
      + `or label_replace(rate(inbound_tcp_authz_deny_total[5m]), "protocol", "tcp", "", "")) > ${num(t)}`,
  },
};

/** The mesh-denial rule. */
export function meshDenialRule(expr: string, options: ResolvedAlert): AlertRule {
  return {
    alert: 'MeshAuthorizationDenied',
    expr,
    options,
    summary: 'The mesh refuses {{ $labels.protocol }} traffic in {{ $labels.namespace }}',
    description: 'Linkerd proxies in {{ $labels.namespace }} refuse {{ $value | humanize }} {{ $labels.protocol }} requests or connections per '
      + 'second by authorization policy: a caller lacks an AuthorizationPolicy, or its identity changed.',
  };
}

/** A metric source whose absence silences other alerts: what is checked, and which alerts it feeds. */
export interface WatchedSource {
  /** Prefix of the alert name, e.g. `CoreDns`. */
  readonly name: string;
  /** The source in messages, e.g. `CoreDNS (job="coredns")`. */
  readonly title: string;
  /** A PromQL expression with a result whenever the source is scraped and up. */
  readonly present: string;
  /** The alerts that read the source. */
  readonly feeds: readonly string[];
  /** What to do when it is absent. */
  readonly fix: string;
}

/**
 * An alert per metric source whose name this construct assumes (the DNS scrape jobs) or whose
 * metrics always have a series once scraped (kube_endpoint_info and kube_service_spec_type: the
 * `kubernetes` Service always exists and has Endpoints): when the source is absent, the alerts reading it can never fire, which an empty
 * alert list does not show. `absent(up{job=...} == 1)` is what the CoreDNS mixin's CoreDNSDown
 * checks (coredns/deployment kubernetes mixin). Cilium's drop counter has no series until the first
 * drop, so its agents are watched through their forwarded-packet counter instead. Not for Linkerd's
 * denial counters: they have no series until the first denial, so their absence proves nothing.
 */
export function metricsAbsentRules(sources: readonly WatchedSource[], options: ResolvedAlert): AlertRule[] {
  return sources.map((src) => ({
    alert: `${src.name}MetricsAbsent`,
    expr: `absent(${src.present})`,
    options,
    summary: `No metrics from ${src.title}: ${src.feeds.join(', ')} cannot fire`,
    description: `Prometheus has no metrics from ${src.title}, so ${src.feeds.join(' and ')} can never fire. ${src.fix}`,
  }));
}
