import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ResolvedAlert, resolveAlert, resolveDnsErrors, resolveDnsLatency } from './alert-options';
import { DnsErrorsAlertOptions, DnsLatencyAlertOptions, NetworkAlertOptions } from './network-alert-options';
import {
  ALERT_DEFAULTS, AlertRule, DNS_ERRORS_MIN_REQUEST_RATE, DNS_LATENCY_MIN_REQUEST_RATE, MESH_DENIAL_METRICS, MetricSource, POLICY_DROP_METRICS,
  WatchedSource, conntrackRule, dnsRules, meshDenialRule, metricsAbsentRules, policyDropRule, serviceEndpointsRule,
} from './network-alert-rules';
import { promqlString, validateAlertLabels, validateScrapeJob } from './prometheus-syntax';
import { ClusterNetwork } from '../cluster/cluster-network';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../imports/monitoring.coreos.com';
import { propError } from '../util/errors';
import { StructKeys, requireKnownKeys, requireOptionalString, requireOptionalStringMap, requireProps } from '../util/guards';
import { registerObject } from '../util/object-registry';
import { validateDnsLabel, validateDnsSubdomain, validateLabels } from '../util/validate';

/** Props of {@link NetworkAlerts}. */
export interface NetworkAlertsProps {
  /**
   * Name of the PrometheusRule.
   * @default 'network-alerts'
   */
  readonly name?: string;
  /**
   * Namespace of the PrometheusRule: one the Prometheus `ruleNamespaceSelector` selects (unset, it
   * selects only the Prometheus' own namespace; `{}` selects all, as kube-prometheus-stack sets
   * by default). The namespace must exist: this construct does not create it.
   * @default - the ClusterNetwork's monitoring namespace ('monitoring' unless declared)
   */
  readonly namespace?: string;
  /**
   * Labels of the PrometheusRule object, for the Prometheus `ruleSelector` (kube-prometheus-stack
   * selects `release: <its release name>` by default).
   * @default - none: a Prometheus whose ruleSelector requires a label ignores the rules
   */
  readonly ruleLabels?: { [key: string]: string };
  /**
   * Labels added to every alert (e.g. `team: platform`), Prometheus label names
   * (`[a-zA-Z_][a-zA-Z0-9_]*`), not `severity` (each alert's option) nor `alertname`.
   * @default - none
   */
  readonly alertLabels?: { [key: string]: string };
  /**
   * The scrape job of CoreDNS: CoreDNS and node-local-dns export the same metric names, only the job
   * tells them apart. Without `{{` (the annotations name the job, and they are Go templates).
   * @default 'coredns' (kube-prometheus-stack's CoreDNS ServiceMonitor)
   */
  readonly coreDnsJob?: string;
  /**
   * The scrape job of node-local-dns (only with the ClusterNetwork's `nodeLocalDns`). This library
   * emits no ServiceMonitor: scrape the `node-local-dns` Service (port 9253) that `NodeLocalDNS`
   * emits; a ServiceMonitor without `jobLabel` names the job after the Service.
   * @default 'node-local-dns'
   */
  readonly nodeLocalDnsJob?: string;
  /**
   * 99th percentile DNS latency, per CoreDNS job and per node-local-dns node, and by default per
   * server block zone of each (`perZone`), judged only above a minimum of traffic per percentile
   * (`minRequestRate`). Threshold in seconds, above 0 and below 8.192 (CoreDNS' highest histogram
   * bucket, which the quantile never exceeds).
   * @default - threshold 0.25 (well above a cache hit or an in-cluster answer, well below the 5 s
   * resolver timeout), per zone, above 1 request per second, for '10m', severity 'warning'
   */
  readonly dnsLatency?: DnsLatencyAlertOptions;
  /**
   * Ratio of SERVFAIL and REFUSED DNS responses, per CoreDNS job and per node-local-dns node
   * (NXDOMAIN is the normal answer to search-path expansions and never counts), judged only above
   * a minimum of traffic (`minRequestRate`). Threshold above 0, below 1.
   * @default - threshold 0.05, above 1 response per second, for '10m', severity 'warning'
   */
  readonly dnsErrors?: DnsErrorsAlertOptions;
  /**
   * Packets dropped by network policy, per node and direction, in packets per second (above 0).
   * Only Cilium exports such a counter (`cilium_drop_count_total`, which needs the agent's metrics:
   * Helm `prometheus.enabled: true`); Calico open source, Flannel and CNIs that enforce plain
   * NetworkPolicy export none, so `enabled: true` is an error there.
   * @default - on Cilium only: threshold 1, for '15m', severity 'warning'
   */
  readonly policyDrops?: NetworkAlertOptions;
  /**
   * Services whose Endpoints have no ready address (kube-state-metrics). Only Endpoints named after
   * an existing Service that is not ExternalName count, so leftover leader-election Endpoints and
   * ExternalName Services never fire it. Takes no threshold. A Service scaled to zero on purpose, or
   * one whose pods this cluster does not run (e.g. a monitoring stack's kube-proxy or control-plane
   * scrape Services on a managed or kube-proxy-free cluster), fires it too: disable it, silence it
   * there, or remove the Service.
   * @default - for '15m' (longer than a rollout), severity 'warning'
   */
  readonly serviceEndpoints?: NetworkAlertOptions;
  /**
   * Use of the netfilter conntrack table per node (node-exporter), as a ratio of its limit: above 0,
   * below 1. On Cilium with eBPF host routing, pod connections are tracked in Cilium's own maps,
   * not this table.
   * @default - threshold 0.9, for '5m', severity 'critical' (a full table drops new connections)
   */
  readonly conntrack?: NetworkAlertOptions;
  /**
   * Requests and connections the service mesh's authorization denies, per namespace and protocol,
   * per second (0 or more: 0 fires on any denial that lasts). Linkerd only (its proxies'
   * `inbound_http_authz_deny_total` and `inbound_tcp_authz_deny_total`, scraped on port 4191 with the
   * pod's namespace as the `namespace` label, as linkerd-viz and PodMonitors do);
   * Istio exports no metric of denials alone, so `enabled: true` is an error there and without a mesh.
   * @default - with a Linkerd mesh only: threshold 0, for '10m', severity 'warning'
   */
  readonly meshDenials?: NetworkAlertOptions;
  /**
   * An alert per metric source that the other alerts read and that Prometheus does not scrape (or
   * whose targets are all down): the CoreDNS and node-local-dns scrape jobs (a wrong `coreDnsJob`
   * silences the DNS alerts), the Cilium agents (through their forwarded-packet counter: the drop
   * counter has no series before the first drop) and kube-state-metrics' Endpoints and Service
   * metrics. Takes no threshold. Not for the Linkerd proxies (their denial counters have no series
   * until the first denial) nor node-exporter (nodes without the nf_conntrack module have no
   * conntrack series at all).
   * @default - for '15m', severity 'warning', for each source an emitted alert reads
   */
  readonly metricsAbsent?: NetworkAlertOptions;
}

const PROPS_KEYS: StructKeys<NetworkAlertsProps> = {
  name: true,
  namespace: true,
  ruleLabels: true,
  alertLabels: true,
  coreDnsJob: true,
  nodeLocalDnsJob: true,
  dnsLatency: true,
  dnsErrors: true,
  policyDrops: true,
  serviceEndpoints: true,
  conntrack: true,
  meshDenials: true,
  metricsAbsent: true,
};

/**
 * Network alerts for the cluster the ClusterNetwork describes, as one prometheus-operator
 * PrometheusRule (monitoring.coreos.com/v1): DNS latency and errors of CoreDNS (and of
 * node-local-dns when the ClusterNetwork declares `nodeLocalDns`), Services without ready
 * endpoints, a nearly full conntrack table, packets dropped by policy where the CNI counts them
 * (Cilium), and mesh authorization denials where the mesh counts them (Linkerd). Each alert has a
 * `for` duration, a `severity` label and summary/description annotations; an alert on a metric the
 * cluster cannot export is never emitted (asking for one is an error), and a source the alerts read
 * but Prometheus does not scrape (a wrong DNS scrape job, no kube-state-metrics) is an alert too.
 *
 * The metrics come from CoreDNS, node-local-dns, kube-state-metrics, node-exporter, the Cilium agent
 * and the Linkerd proxies: Prometheus must scrape them (kube-prometheus-stack scrapes CoreDNS,
 * kube-state-metrics and node-exporter with its defaults; node-local-dns, the Cilium agent and the
 * Linkerd proxies need their own ServiceMonitor or PodMonitor).
 */
export class NetworkAlerts extends Construct {
  /** The names of the alerts emitted, in order. */
  public readonly alertNames: string[];
  /** The PrometheusRule. */
  public readonly rule: ApiObject;

  constructor(scope: Construct, id: string, props: NetworkAlertsProps = {}) {
    super(scope, id);
    const p = requireKnownKeys(this, '', requireProps(this, props, true), PROPS_KEYS);
    const cluster = ClusterNetwork.of(this);
    const name = validateDnsSubdomain(this, 'name', requireOptionalString(this, 'name', p.name) ?? 'network-alerts');
    const namespace = validateDnsLabel(this, 'namespace', requireOptionalString(this, 'namespace', p.namespace) ?? cluster.monitoring.namespace);
    const ruleLabels = validateLabels(this, 'ruleLabels', p.ruleLabels);
    const alertLabels = validateAlertLabels(this, 'alertLabels', requireOptionalStringMap(this, 'alertLabels', p.alertLabels) ?? {});

    const opts = {
      dnsLatency: resolveDnsLatency(this, 'dnsLatency', p.dnsLatency, ALERT_DEFAULTS.dnsLatency, DNS_LATENCY_MIN_REQUEST_RATE),
      dnsErrors: resolveDnsErrors(this, 'dnsErrors', p.dnsErrors, ALERT_DEFAULTS.dnsErrors, DNS_ERRORS_MIN_REQUEST_RATE),
      policyDrops: resolveAlert(this, 'policyDrops', p.policyDrops, ALERT_DEFAULTS.policyDrops),
      serviceEndpoints: resolveAlert(this, 'serviceEndpoints', p.serviceEndpoints, ALERT_DEFAULTS.serviceEndpoints),
      conntrack: resolveAlert(this, 'conntrack', p.conntrack, ALERT_DEFAULTS.conntrack),
      meshDenials: resolveAlert(this, 'meshDenials', p.meshDenials, ALERT_DEFAULTS.meshDenials),
      metricsAbsent: resolveAlert(this, 'metricsAbsent', p.metricsAbsent, ALERT_DEFAULTS.metricsAbsent),
    };
    const on = <T extends ResolvedAlert>(o: T): T | undefined => (o.enabled === false ? undefined : o);

    const { coreDnsJob, localJob, nodeLocal } = this.dnsJobs(cluster, p.coreDnsJob, p.nodeLocalDnsJob);

    let groups: Array<{ name: string; rules: AlertRule[] }> = [
      {
        name: 'network-dns',
        rules: [
          ...dnsRules({ name: 'CoreDns', title: 'CoreDNS', job: coreDnsJob, by: [] }, on(opts.dnsLatency), on(opts.dnsErrors)),
          ...(nodeLocal ? dnsRules({ name: 'NodeLocalDns', title: 'node-local-dns', job: localJob, by: ['instance'] }, on(opts.dnsLatency), on(opts.dnsErrors)) : []),
        ],
      },
      { name: 'network-policy', rules: this.sourced('policyDrops', POLICY_DROP_METRICS[cluster.cni.kind], opts.policyDrops, policyDropRule) },
      { name: 'network-services', rules: on(opts.serviceEndpoints) ? [serviceEndpointsRule(opts.serviceEndpoints)] : [] },
      { name: 'network-nodes', rules: on(opts.conntrack) ? [conntrackRule(opts.conntrack)] : [] },
      { name: 'network-mesh', rules: this.sourced('meshDenials', MESH_DENIAL_METRICS[cluster.mesh.kind], opts.meshDenials, meshDenialRule) },
    ];
    const watched = on(opts.metricsAbsent)
      ? this.watchedSources(groups.flatMap((g) => g.rules.map((r) => r.alert)), coreDnsJob, localJob, POLICY_DROP_METRICS[cluster.cni.kind])
      : [];
    groups.push({ name: 'network-metrics', rules: metricsAbsentRules(watched, opts.metricsAbsent) });
    groups = groups.filter((g) => g.rules.length > 0);
    if (groups.every((g) => g.name === 'network-metrics')) throw propError(this, 'props', 'every alert is disabled: there would be nothing to evaluate');
    this.alertNames = groups.flatMap((g) => g.rules.map((r) => r.alert));

    this.rule = registerObject(this, new PrometheusRule(this, 'rule', {
      metadata: { name, namespace, labels: Object.keys(ruleLabels).length > 0 ? ruleLabels : undefined },
      spec: {
        groups: groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({
            alert: r.alert,
            expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            for: r.options.forDuration,
            labels: { ...alertLabels, severity: r.options.severity },
            annotations: {
              summary: r.summary,
              description: r.description,
              ...(r.options.runbookUrl === undefined ? {} : { runbook_url: r.options.runbookUrl }),
            },
          })),
        })),
      },
    }));
  }

  /**
   * The scrape jobs of CoreDNS and node-local-dns (the latter's alerts only when the ClusterNetwork
   * declares nodeLocalDns), which must differ: both export the same metric names.
   */
  private dnsJobs(
    cluster: ClusterNetwork, coreDnsGiven: string | undefined, nodeLocalGiven: string | undefined,
  ): { coreDnsJob: string; localJob: string; nodeLocal: boolean } {
    const coreDnsJob = validateScrapeJob(this, 'coreDnsJob', coreDnsGiven) ?? 'coredns';
    const nodeLocalDnsJob = validateScrapeJob(this, 'nodeLocalDnsJob', nodeLocalGiven);
    const nodeLocal = cluster.nodeLocalDnsIp !== undefined;
    if (nodeLocalDnsJob !== undefined && !nodeLocal) {
      throw propError(this, 'nodeLocalDnsJob', `the ClusterNetwork '${cluster.node.path}' does not declare nodeLocalDns: true, so no node-local-dns alert is emitted`);
    }
    const localJob = nodeLocalDnsJob ?? 'node-local-dns';
    if (nodeLocal && localJob === coreDnsJob) {
      throw propError(this, 'nodeLocalDnsJob', `'${localJob}' is also the coreDnsJob: node-local-dns and CoreDNS export the same metric names, `
        + 'so their alerts need different scrape jobs');
    }
    return { coreDnsJob, localJob, nodeLocal };
  }

  /** The metric sources the emitted alerts read whose absence can be told (see metricsAbsentRules). */
  private watchedSources(alerts: string[], coreDnsJob: string, localJob: string, drops: MetricSource): WatchedSource[] {
    const feeding = (prefix: string) => alerts.filter((a) => a.startsWith(prefix));
    const job = (name: string, title: string, scrapeJob: string, prop: string): WatchedSource => ({
      name,
      title: `${title} (job=${promqlString(scrapeJob)})`,
      present: `up{job=${promqlString(scrapeJob)}} == 1`,
      feeds: feeding(name),
      fix: `Scrape ${title}, or set NetworkAlerts' ${prop} to the job that scrapes it.`,
    });
    return [
      job('CoreDns', 'CoreDNS', coreDnsJob, 'coreDnsJob'),
      job('NodeLocalDns', 'node-local-dns', localJob, 'nodeLocalDnsJob'),
      // In the order of the alert groups: DNS, policy, Services.
      ...('expr' in drops && drops.present !== undefined ? [{
        name: 'NetworkPolicyDrop',
        title: drops.present.title,
        present: drops.present.expr,
        feeds: feeding('NetworkPolicyDrop'),
        fix: drops.present.fix,
      }] : []),
      {
        name: 'ServiceEndpoint',
        title: 'kube-state-metrics (kube_endpoint_info, kube_service_spec_type)',
        // Both series the alert joins: either missing silences it (`and on ()`: both non-empty).
        present: 'kube_endpoint_info and on () kube_service_spec_type',
        feeds: feeding('ServiceWithoutEndpoints'),
        fix: 'Scrape kube-state-metrics with its endpoints and services resources enabled (the defaults).',
      },
    ].filter((src) => src.feeds.length > 0);
  }

  /** The rule of an alert whose metric depends on the cluster: none where there is no metric, an error when asked for anyway. */
  private sourced(prop: string, source: MetricSource, options: ResolvedAlert, rule: (expr: string, o: ResolvedAlert) => AlertRule): AlertRule[] {
    if (options.enabled === false) return [];
    if ('none' in source) {
      if (options.enabled === true) throw propError(this, `${prop}.enabled`, `no metric exists for this alert on this cluster: ${source.none}`);
      return [];
    }
    return [rule(source.expr(options.threshold), options)];
  }
}
