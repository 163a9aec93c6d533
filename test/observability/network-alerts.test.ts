/**
 * NetworkAlerts: one PrometheusRule whose alerts use only metrics the declared cluster exports (per
 * CNI, NodeLocal DNS and mesh), every expression valid PromQL (the Prometheus Lezer grammar), every
 * object valid against the pinned prometheus-operator schema, and bad options refused by name.
 * Metric sources: see src/observability/network-alert-rules.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LRParser } from '@lezer/lr';
import { Testing } from 'cdk8s';
import { stringify } from 'yaml';
import { ClusterNetworkProps, Cni, IstioMode, Mesh, NetworkAlerts, NetworkAlertsProps } from '../../src';
import { cli } from '../cli/support';
import { networkPolicyOnlyCni } from '../support/custom-cni';
import { chartFor, find, synthValid } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

// The grammar ships as an ES module with a CommonJS build; the test TypeScript config resolves only its ES types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parser } = require('@prometheus-io/lezer-promql') as { parser: LRParser };

const CNIS: Array<[string, () => Cni]> = [
  ['kubernetes', () => Cni.kubernetes()],
  ['calico', () => Cni.calico()],
  ['cilium', () => Cni.cilium()],
  ['flannel', () => Cni.flannel()],
];

function alertsFor(cni: Cni, props: NetworkAlertsProps = {}, cluster: Omit<ClusterNetworkProps, 'cni'> = {}) {
  const chart = chartFor(cni, cluster);
  const alerts = new NetworkAlerts(chart, 'alerts', props);
  const objects = synthValid(chart);
  return { alerts, objects, rule: find(objects, 'PrometheusRule', 'network-alerts', 'monitoring') };
}

/** The PromQL syntax errors of `expr` (Lezer marks them as error nodes). */
function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: '${expr.slice(Math.max(0, node.from - 10), node.to + 10)}'`);
    },
  });
  return errors;
}

/** The top-level binary operation of `expr` (left operand, operator, optional matching modifier, right operand). */
function topLevel(expr: string): { op: string; modifier: string; left: string; right: string } | undefined {
  const top = parser.parse(expr).topNode.firstChild;
  if (top === null || top.name !== 'BinaryExpr') return undefined;
  const children: Array<{ name: string; text: string }> = [];
  for (let c = top.firstChild; c !== null; c = c.nextSibling) children.push({ name: c.name, text: expr.slice(c.from, c.to) });
  return {
    op: children[1].text,
    modifier: children.find((c) => c.name === 'MatchingModifierClause')?.text ?? '',
    left: children[0].text,
    right: children[children.length - 1].text,
  };
}

/** Every aggregation in `expr`, in order: its operator, its `by` labels and the metrics it reads. */
function aggregations(expr: string): Array<{ op: string; by: string[]; metrics: string[] }> {
  const found: Array<{ op: string; by: string[]; metrics: string[] }> = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (node) => {
      if (node.name !== 'AggregateExpr') return;
      const by: string[] = [];
      const metrics: string[] = [];
      const op = node.node.getChild('AggregateOp');
      node.node.getChild('AggregateModifier')?.getChild('GroupingLabels')?.getChildren('LabelName').forEach((l) => by.push(expr.slice(l.from, l.to)));
      tree.iterate({
        from: node.from,
        to: node.to,
        enter: (inner) => {
          if (inner.name === 'VectorSelector' && inner.from >= node.from && inner.to <= node.to) {
            const id = inner.node.getChild('Identifier');
            if (id !== null) metrics.push(expr.slice(id.from, id.to));
          }
        },
      });
      found.push({ op: op === null ? '' : expr.slice(op.from, op.to), by, metrics });
    },
  });
  return found;
}

/**
 * Per CoreDNS server block (its `server` and `zone` labels), as the CoreDNS mixin's CoreDNSLatencyHigh,
 * judged only above 1 request per second, counted by the same labels.
 */
const COREDNS_LATENCY = {
  alert: 'CoreDnsLatencyHigh',
  expr: 'histogram_quantile(0.99, sum by (job, server, zone, le) (rate(coredns_dns_request_duration_seconds_bucket{job="coredns"}[5m]))) > 0.25 '
    + 'and sum by (job, server, zone) (rate(coredns_dns_request_duration_seconds_count{job="coredns"}[5m])) > 1',
  for: '10m',
  labels: { severity: 'warning' },
  annotations: {
    summary: 'CoreDNS answers slowly for zone {{ $labels.zone }} ({{ $labels.server }})',
    description: 'The 99th percentile of CoreDNS request durations for zone {{ $labels.zone }} ({{ $labels.server }}) is '
      + '{{ $value | humanizeDuration }}, above 0.25s (judged above 1 requests/s). Slow answers delay every new connection that resolves a name.',
  },
};
/** The ratio, judged only above 1 response per second. */
const COREDNS_ERRORS = {
  alert: 'CoreDnsErrorsHigh',
  expr: 'sum by (job) (rate(coredns_dns_responses_total{job="coredns", rcode=~"SERVFAIL|REFUSED"}[5m])) '
    + '/ sum by (job) (rate(coredns_dns_responses_total{job="coredns"}[5m])) > 0.05 '
    + 'and sum by (job) (rate(coredns_dns_responses_total{job="coredns"}[5m])) > 1',
  for: '10m',
  labels: { severity: 'warning' },
  annotations: {
    summary: 'CoreDNS fails queries',
    description: '{{ $value | humanizePercentage }} of CoreDNS responses are SERVFAIL or REFUSED, above the ratio 0.05 (judged above 1 responses/s).',
  },
};
const SERVICES = {
  name: 'network-services',
  rules: [{
    alert: 'ServiceWithoutEndpoints',
    expr: '(kube_endpoint_info unless on (namespace, endpoint) kube_endpoint_address{ready="true"}) '
      + 'and on (namespace, endpoint) label_replace(kube_service_spec_type{type!="ExternalName"}, "endpoint", "$1", "service", "(.*)")',
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Service {{ $labels.namespace }}/{{ $labels.endpoint }} has no ready endpoints',
      description: 'No pod backs the Service {{ $labels.namespace }}/{{ $labels.endpoint }}: connections to it are refused or time out. '
        + 'Check that its selector matches ready pods.',
    },
  }],
};
const NODES = {
  name: 'network-nodes',
  rules: [{
    alert: 'ConntrackTableNearlyFull',
    expr: 'node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.9',
    for: '5m',
    labels: { severity: 'critical' },
    annotations: {
      summary: 'The conntrack table of {{ $labels.instance }} is nearly full',
      description: 'The netfilter conntrack table of {{ $labels.instance }} is {{ $value | humanizePercentage }} full; when full, the kernel '
        + 'drops new connections (nf_conntrack: table full). Raise net.netfilter.nf_conntrack_max or find what opens so many connections.',
    },
  }],
};
const CILIUM_DROPS = {
  name: 'network-policy',
  rules: [{
    alert: 'NetworkPolicyDropsHigh',
    expr: 'sum by (instance, direction, reason) (rate(cilium_drop_count_total{reason=~"Policy denied|Policy denied by denylist"}[5m])) > 1',
    for: '15m',
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Network policy drops {{ $labels.direction }} packets on {{ $labels.instance }}',
      description: 'Cilium on {{ $labels.instance }} drops {{ $value | humanize }} {{ $labels.direction }} packets per second ({{ $labels.reason }}), '
        + 'above 1: an allow is probably missing. `hubble observe --verdict DROPPED` shows the flows.',
    },
  }],
};

const absent = (alert: string, expr: string, source: string, feeds: string[], fix: string) => ({
  alert,
  expr,
  for: '15m',
  labels: { severity: 'warning' },
  annotations: {
    summary: `No metrics from ${source}: ${feeds.join(', ')} cannot fire`,
    description: `Prometheus has no metrics from ${source}, so ${feeds.join(' and ')} can never fire. ${fix}`,
  },
});
const COREDNS_ABSENT = absent('CoreDnsMetricsAbsent', 'absent(up{job="coredns"} == 1)', 'CoreDNS (job="coredns")', ['CoreDnsLatencyHigh', 'CoreDnsErrorsHigh'],
  'Scrape CoreDNS, or set NetworkAlerts\' coreDnsJob to the job that scrapes it.');
const ENDPOINTS_ABSENT = absent('ServiceEndpointMetricsAbsent', 'absent(kube_endpoint_info and on () kube_service_spec_type)',
  'kube-state-metrics (kube_endpoint_info, kube_service_spec_type)', ['ServiceWithoutEndpoints'],
  'Scrape kube-state-metrics with its endpoints and services resources enabled (the defaults).');
const METRICS = { name: 'network-metrics', rules: [COREDNS_ABSENT, ENDPOINTS_ABSENT] };
const CILIUM_ABSENT = absent('NetworkPolicyDropMetricsAbsent', 'absent(cilium_forward_count_total)', 'the Cilium agents (cilium_forward_count_total)',
  ['NetworkPolicyDropsHigh'], 'Enable the agents\' metrics (Helm prometheus.enabled: true, port 9962) and scrape them (e.g. Helm '
  + 'prometheus.serviceMonitor.enabled: true, with prometheus.serviceMonitor.labels matching the Prometheus serviceMonitorSelector).');
/** On Cilium the agents are watched too (the drop counter itself has no series before the first drop). */
const CILIUM_METRICS = { name: 'network-metrics', rules: [COREDNS_ABSENT, CILIUM_ABSENT, ENDPOINTS_ABSENT] };

/** The PrometheusRule each CNI gets with every default: a policy-drop alert only where the CNI counts drops. */
const EXPECTED_GROUPS: Record<string, unknown[]> = {
  kubernetes: [{ name: 'network-dns', rules: [COREDNS_LATENCY, COREDNS_ERRORS] }, SERVICES, NODES, METRICS],
  calico: [{ name: 'network-dns', rules: [COREDNS_LATENCY, COREDNS_ERRORS] }, SERVICES, NODES, METRICS],
  cilium: [{ name: 'network-dns', rules: [COREDNS_LATENCY, COREDNS_ERRORS] }, CILIUM_DROPS, SERVICES, NODES, CILIUM_METRICS],
  flannel: [{ name: 'network-dns', rules: [COREDNS_LATENCY, COREDNS_ERRORS] }, SERVICES, NODES, METRICS],
};

describe('NetworkAlerts: the PrometheusRule per CNI', () => {
  test.each(CNIS)('%s: exact object, in the ClusterNetwork\'s monitoring namespace', (name, cni) => {
    const { rule, alerts, objects } = alertsFor(cni());
    expect(objects).toHaveLength(1);
    expect(rule).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'network-alerts', namespace: 'monitoring' },
      spec: { groups: EXPECTED_GROUPS[name] },
    });
    expect(alerts.alertNames).toEqual((EXPECTED_GROUPS[name] as any[]).flatMap((g) => g.rules.map((r: any) => r.alert)));
  });

  test('Cni.custom (plain NetworkPolicy) has no drop counter either', () => {
    const custom = networkPolicyOnlyCni('antrea');
    expect(alertsFor(custom).alerts.alertNames).toEqual([
      'CoreDnsLatencyHigh', 'CoreDnsErrorsHigh', 'ServiceWithoutEndpoints', 'ConntrackTableNearlyFull', 'CoreDnsMetricsAbsent', 'ServiceEndpointMetricsAbsent',
    ]);
  });

  test('NodeLocal DNS: the cache\'s own latency and error alerts, per node, by its scrape job', () => {
    const { rule } = alertsFor(Cni.calico(), {}, { nodeLocalDns: true });
    const dns = rule.spec.groups[0];
    expect(dns.rules.map((r: any) => r.alert)).toEqual(['CoreDnsLatencyHigh', 'CoreDnsErrorsHigh', 'NodeLocalDnsLatencyHigh', 'NodeLocalDnsErrorsHigh']);
    // Per node and server block: node-local-dns' Corefile has one per zone (the cluster domain, the reverse zones, '.').
    expect(dns.rules[2].expr).toBe('histogram_quantile(0.99, sum by (job, instance, server, zone, le) '
      + '(rate(coredns_dns_request_duration_seconds_bucket{job="node-local-dns"}[5m]))) > 0.25 '
      + 'and sum by (job, instance, server, zone) (rate(coredns_dns_request_duration_seconds_count{job="node-local-dns"}[5m])) > 1');
    expect(dns.rules[3].expr).toBe('sum by (job, instance) (rate(coredns_dns_responses_total{job="node-local-dns", rcode=~"SERVFAIL|REFUSED"}[5m])) '
      + '/ sum by (job, instance) (rate(coredns_dns_responses_total{job="node-local-dns"}[5m])) > 0.05 '
      + 'and sum by (job, instance) (rate(coredns_dns_responses_total{job="node-local-dns"}[5m])) > 1');
    expect(dns.rules[2].annotations.summary).toBe('node-local-dns answers slowly for zone {{ $labels.zone }} ({{ $labels.server }}) on {{ $labels.instance }}');
  });

  test('dnsErrors: the ratio is judged only above minRequestRate responses per second, so a trickle of queries never fires', () => {
    const errorsExpr = (props: NetworkAlertsProps) => alertsFor(Cni.calico(), props).rule.spec.groups[0].rules.find((r: any) => r.alert === 'CoreDnsErrorsHigh');
    const ratio = 'sum by (job) (rate(coredns_dns_responses_total{job="coredns", rcode=~"SERVFAIL|REFUSED"}[5m])) '
      + '/ sum by (job) (rate(coredns_dns_responses_total{job="coredns"}[5m])) > 0.05';
    const responses = 'sum by (job) (rate(coredns_dns_responses_total{job="coredns"}[5m]))';
    // `and` binds looser than `>`: the ratio's comparison and the traffic's, joined per job; the value stays the ratio.
    expect(topLevel(errorsExpr({}).expr)).toEqual({ op: 'and', modifier: '', left: ratio, right: `${responses} > 1` });
    const half = errorsExpr({ dnsErrors: { minRequestRate: 0.5, threshold: 0.1 } });
    expect(topLevel(half.expr)).toEqual({ op: 'and', modifier: '', left: ratio.replace('> 0.05', '> 0.1'), right: `${responses} > 0.5` });
    expect(half.annotations.description).toBe('{{ $value | humanizePercentage }} of CoreDNS responses are SERVFAIL or REFUSED, above the ratio 0.1 '
      + '(judged above 0.5 responses/s).');
    // 0: any traffic (the ratio of no traffic is NaN, which no comparison matches).
    const any = errorsExpr({ dnsErrors: { minRequestRate: 0 } });
    expect(any.expr).toBe(ratio);
    expect(any.annotations.description).toBe('{{ $value | humanizePercentage }} of CoreDNS responses are SERVFAIL or REFUSED, above the ratio 0.05.');
  });

  test('dnsLatency perZone: false pools the server blocks, per job (per node for node-local-dns)', () => {
    const { rule } = alertsFor(Cni.calico(), { dnsLatency: { perZone: false } }, { nodeLocalDns: true });
    const latency = rule.spec.groups[0].rules.filter((r: any) => r.alert.endsWith('LatencyHigh'));
    expect(latency.map((r: any) => [r.expr, r.annotations.summary])).toEqual([
      ['histogram_quantile(0.99, sum by (job, le) (rate(coredns_dns_request_duration_seconds_bucket{job="coredns"}[5m]))) > 0.25 '
        + 'and sum by (job) (rate(coredns_dns_request_duration_seconds_count{job="coredns"}[5m])) > 1', 'CoreDNS answers slowly'],
      ['histogram_quantile(0.99, sum by (job, instance, le) (rate(coredns_dns_request_duration_seconds_bucket{job="node-local-dns"}[5m]))) > 0.25 '
        + 'and sum by (job, instance) (rate(coredns_dns_request_duration_seconds_count{job="node-local-dns"}[5m])) > 1',
      'node-local-dns answers slowly on {{ $labels.instance }}'],
    ]);
  });

  describe('dnsLatency minRequestRate: each percentile is judged only above that many requests per second of its own group', () => {
    const latencyRules = (props: NetworkAlertsProps) => alertsFor(Cni.calico(), props, { nodeLocalDns: true }).rule.spec.groups[0].rules
      .filter((r: any) => r.alert.endsWith('LatencyHigh'));
    const BUCKET = 'coredns_dns_request_duration_seconds_bucket';
    const COUNT = 'coredns_dns_request_duration_seconds_count';

    // `and` keeps a left series only where the right has one with the same label set: the request
    // count must be grouped exactly as the percentile (the buckets' `by` without `le`, which
    // histogram_quantile drops), or nothing matches and the alert never fires.
    test.each([
      ['per zone', true, [['job', 'server', 'zone'], ['job', 'instance', 'server', 'zone']]],
      ['pooled', false, [['job'], ['job', 'instance']]],
    ])('%s: `and` of the percentile and the request rate, both grouped by the same labels', (_what, perZone, groupings) => {
      const rules = latencyRules({ dnsLatency: { perZone } });
      expect(rules.map((r: any) => r.alert)).toEqual(['CoreDnsLatencyHigh', 'NodeLocalDnsLatencyHigh']);
      rules.forEach((r: any, i: number) => {
        expect(promqlErrors(r.expr)).toEqual([]);
        const top = topLevel(r.expr)!;
        expect([top.op, top.modifier]).toEqual(['and', '']);
        expect(topLevel(top.left)).toMatchObject({ op: '>', right: '0.25' });
        expect(topLevel(top.right)).toMatchObject({ op: '>', right: '1' });
        expect(aggregations(top.left)).toEqual([{ op: 'sum', by: [...groupings[i], 'le'], metrics: [BUCKET] }]);
        expect(aggregations(top.right)).toEqual([{ op: 'sum', by: groupings[i], metrics: [COUNT] }]);
        expect(top.left.startsWith('histogram_quantile(0.99, ')).toBe(true);
        // The same job on both sides.
        const job = i === 0 ? 'coredns' : 'node-local-dns';
        expect(top.left).toContain(`${BUCKET}{job="${job}"}[5m]`);
        expect(top.right).toBe(`sum by (${groupings[i].join(', ')}) (rate(${COUNT}{job="${job}"}[5m])) > 1`);
      });
    });

    test('another rate: the guard\'s number and the description; 0 leaves the bare percentile', () => {
      const [half] = latencyRules({ dnsLatency: { minRequestRate: 0.5, threshold: 0.1 } });
      expect(topLevel(half.expr)).toEqual({
        op: 'and',
        modifier: '',
        left: `histogram_quantile(0.99, sum by (job, server, zone, le) (rate(${BUCKET}{job="coredns"}[5m]))) > 0.1`,
        right: `sum by (job, server, zone) (rate(${COUNT}{job="coredns"}[5m])) > 0.5`,
      });
      expect(half.annotations.description).toBe('The 99th percentile of CoreDNS request durations for zone {{ $labels.zone }} ({{ $labels.server }}) is '
        + '{{ $value | humanizeDuration }}, above 0.1s (judged above 0.5 requests/s). Slow answers delay every new connection that resolves a name.');
      const [any] = latencyRules({ dnsLatency: { minRequestRate: 0 } });
      expect(any.expr).toBe(`histogram_quantile(0.99, sum by (job, server, zone, le) (rate(${BUCKET}{job="coredns"}[5m]))) > 0.25`);
      expect(topLevel(any.expr)).toMatchObject({ op: '>', right: '0.25' });
      expect(any.annotations.description).toBe('The 99th percentile of CoreDNS request durations for zone {{ $labels.zone }} ({{ $labels.server }}) is '
        + '{{ $value | humanizeDuration }}, above 0.25s. Slow answers delay every new connection that resolves a name.');
    });

    test('the error ratio\'s guard is independent of it', () => {
      const rules = alertsFor(Cni.calico(), { dnsLatency: { minRequestRate: 0 } }).rule.spec.groups[0].rules;
      expect(rules[1].expr).toBe(COREDNS_ERRORS.expr);
    });
  });

  test('custom scrape jobs are PromQL string literals (quotes escaped)', () => {
    const { rule } = alertsFor(Cni.calico(), { coreDnsJob: 'kube-dns', nodeLocalDnsJob: 'node"cache' }, { nodeLocalDns: true });
    const exprs = rule.spec.groups[0].rules.map((r: any) => r.expr);
    expect(exprs[0]).toContain('{job="kube-dns"}');
    expect(exprs[2]).toContain('{job="node\\"cache"}');
    for (const e of exprs) expect(promqlErrors(e)).toEqual([]);
  });

  test('Linkerd: authorization denials of HTTP requests and TCP connections, kept apart by a protocol label', () => {
    const { rule } = alertsFor(Cni.cilium(), {}, { mesh: Mesh.linkerd() });
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual([
      'network-dns', 'network-policy', 'network-services', 'network-nodes', 'network-mesh', 'network-metrics',
    ]);
    expect(rule.spec.groups[4].rules).toEqual([{
      alert: 'MeshAuthorizationDenied',
      expr: 'sum by (namespace, protocol) (label_replace(rate(inbound_http_authz_deny_total[5m]), "protocol", "http", "", "") '
        + 'or label_replace(rate(inbound_tcp_authz_deny_total[5m]), "protocol", "tcp", "", "")) > 0',
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The mesh refuses {{ $labels.protocol }} traffic in {{ $labels.namespace }}',
        description: 'Linkerd proxies in {{ $labels.namespace }} refuse {{ $value | humanize }} {{ $labels.protocol }} requests or connections per '
          + 'second by authorization policy: a caller lacks an AuthorizationPolicy, or its identity changed.',
      },
    }]);
  });

  test('metricsAbsent: a scrape job the DNS alerts read but Prometheus lacks is an alert itself, per job; off on request', () => {
    const { rule } = alertsFor(Cni.calico(), { coreDnsJob: 'kube-dns', serviceEndpoints: { enabled: false } }, { nodeLocalDns: true });
    const metrics = rule.spec.groups.find((g: any) => g.name === 'network-metrics');
    expect(metrics.rules.map((r: any) => [r.alert, r.expr])).toEqual([
      ['CoreDnsMetricsAbsent', 'absent(up{job="kube-dns"} == 1)'],
      ['NodeLocalDnsMetricsAbsent', 'absent(up{job="node-local-dns"} == 1)'],
    ]);
    expect(metrics.rules[1].annotations.description).toBe('Prometheus has no metrics from node-local-dns (job="node-local-dns"), so '
      + 'NodeLocalDnsLatencyHigh and NodeLocalDnsErrorsHigh can never fire. Scrape node-local-dns, or set NetworkAlerts\' nodeLocalDnsJob to the job that scrapes it.');
    const off = alertsFor(Cni.calico(), { metricsAbsent: { enabled: false } }, { nodeLocalDns: true }).rule;
    expect(off.spec.groups.map((g: any) => g.name)).toEqual(['network-dns', 'network-services', 'network-nodes']);
  });

  test('ServiceWithoutEndpoints: only Endpoints named after a Service that is not ExternalName (no leader-election Endpoints)', () => {
    const { rule } = alertsFor(Cni.calico());
    const expr: string = rule.spec.groups.find((g: any) => g.name === 'network-services').rules[0].expr;
    // The join applies to the whole `unless` (its own parentheses), not to the ready addresses alone.
    const top = topLevel(expr);
    expect(top).toEqual({
      op: 'and',
      modifier: 'on (namespace, endpoint)',
      left: '(kube_endpoint_info unless on (namespace, endpoint) kube_endpoint_address{ready="true"})',
      right: 'label_replace(kube_service_spec_type{type!="ExternalName"}, "endpoint", "$1", "service", "(.*)")',
    });
    // Without kube_service_spec_type the join is empty: its absence is watched too.
    const absentRule = rule.spec.groups.find((g: any) => g.name === 'network-metrics').rules.find((r: any) => r.alert === 'ServiceEndpointMetricsAbsent');
    expect(topLevel(absentRule.expr.slice('absent('.length, -1))).toEqual({
      op: 'and', modifier: 'on ()', left: 'kube_endpoint_info', right: 'kube_service_spec_type',
    });
  });

  test('metricsAbsent on Cilium: the agents are watched only while the drop alert reads them', () => {
    const names = (props: NetworkAlertsProps) => alertsFor(Cni.cilium(), props).alerts.alertNames.filter((a) => a.endsWith('MetricsAbsent'));
    expect(names({})).toEqual(['CoreDnsMetricsAbsent', 'NetworkPolicyDropMetricsAbsent', 'ServiceEndpointMetricsAbsent']);
    expect(names({ policyDrops: { enabled: false } })).toEqual(['CoreDnsMetricsAbsent', 'ServiceEndpointMetricsAbsent']);
  });

  test('Istio: no mesh alert (no metric of denials alone)', () => {
    const { alerts } = alertsFor(Cni.cilium(), {}, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR }) });
    expect(alerts.alertNames).not.toContain('MeshAuthorizationDenied');
  });

  test('options: thresholds, for, severity, runbook, rule and alert labels, namespace, name; disabled alerts left out', () => {
    const chart = chartFor(Cni.cilium());
    new NetworkAlerts(chart, 'alerts', {
      name: 'net',
      namespace: 'observability',
      ruleLabels: { release: 'kube-prometheus-stack' },
      alertLabels: { team: 'platform', _tier: 'infra' },
      dnsLatency: { threshold: 0.5, forDuration: '1h30m', severity: 'critical', runbookUrl: 'https://runbooks.example.com/dns' },
      dnsErrors: { enabled: false },
      policyDrops: { threshold: 20.5, enabled: true },
      serviceEndpoints: { enabled: false },
      conntrack: { threshold: 0.75, severity: 'page' },
    });
    const rule = find(synthValid(chart), 'PrometheusRule', 'net', 'observability');
    expect(rule.metadata).toEqual({ name: 'net', namespace: 'observability', labels: { release: 'kube-prometheus-stack' } });
    const rules = rule.spec.groups.flatMap((g: any) => g.rules);
    expect(rules.map((r: any) => [r.alert, r.for, r.labels])).toEqual([
      ['CoreDnsLatencyHigh', '1h30m', { _tier: 'infra', team: 'platform', severity: 'critical' }],
      ['NetworkPolicyDropsHigh', '15m', { _tier: 'infra', team: 'platform', severity: 'warning' }],
      ['ConntrackTableNearlyFull', '5m', { _tier: 'infra', team: 'platform', severity: 'page' }],
      // The CoreDNS job watched for the latency alert alone; the Endpoints metrics not (their alert is off).
      ['CoreDnsMetricsAbsent', '15m', { _tier: 'infra', team: 'platform', severity: 'warning' }],
      ['NetworkPolicyDropMetricsAbsent', '15m', { _tier: 'infra', team: 'platform', severity: 'warning' }],
    ]);
    expect(rules[3].annotations.summary).toBe('No metrics from CoreDNS (job="coredns"): CoreDnsLatencyHigh cannot fire');
    expect(topLevel(topLevel(rules[0].expr)!.left)).toMatchObject({ op: '>', right: '0.5' });
    expect(rules[0].annotations.runbook_url).toBe('https://runbooks.example.com/dns');
    expect(rules[1].expr.endsWith(') > 20.5')).toBe(true);
    expect(rules[1].annotations.runbook_url).toBeUndefined();
    expect(rules[2].expr).toBe('node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.75');
  });
});

describe('NetworkAlerts: every expression is valid PromQL', () => {
  test('the checker itself finds syntax errors (the seed\'s unbalanced parentheses, an empty matcher)', () => {
    expect(promqlErrors('histogram_quantile(0.99, sum by (le (rate(x_bucket[5m]))) > 0.1')).not.toEqual([]);
    expect(promqlErrors('rate(x{job=}[5m])')).not.toEqual([]);
  });

  const variants: Array<[string, () => Cni, Omit<ClusterNetworkProps, 'cni'>]> = [
    ...CNIS.map(([n, c]) => [n, c, {}] as [string, () => Cni, Omit<ClusterNetworkProps, 'cni'>]),
    ['cilium + NodeLocal DNS + Linkerd', () => Cni.cilium(), { nodeLocalDns: true, mesh: Mesh.linkerd() }],
    ['calico + NodeLocal DNS + Istio', () => Cni.calico(), { nodeLocalDns: true, mesh: Mesh.istio({ mode: IstioMode.AMBIENT }) }],
  ];
  test.each([
    [{ perZone: true }, { minRequestRate: 2.5 }],
    [{ perZone: false }, { minRequestRate: 0 }],
    [{ perZone: true, threshold: 1e-3 }, { minRequestRate: 1e-3, threshold: 0.5 }],
    [{ perZone: true, minRequestRate: 0 }, {}],
    [{ perZone: false, minRequestRate: 1e-3 }, { minRequestRate: 2.5 }],
  ])('the DNS alerts with dnsLatency %j and dnsErrors %j, CoreDNS and node-local-dns', (dnsLatency, dnsErrors) => {
    const { rule } = alertsFor(Cni.calico(), { dnsLatency, dnsErrors }, { nodeLocalDns: true });
    const exprs: string[] = rule.spec.groups[0].rules.map((r: any) => r.expr);
    expect(exprs).toHaveLength(4);
    for (const e of exprs) expect({ expr: e, errors: promqlErrors(e) }).toEqual({ expr: e, errors: [] });
  });

  test.each(variants)('%s', (_name, cni, cluster) => {
    const { rule } = alertsFor(cni(), { dnsLatency: { threshold: 1e-3 }, meshDenials: { threshold: 2.5 } }, cluster);
    const exprs: string[] = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(4);
    for (const e of exprs) expect({ expr: e, errors: promqlErrors(e) }).toEqual({ expr: e, errors: [] });
  });
});

describe('NetworkAlerts: refusals', () => {
  const refuse = (props: any, cni: Cni = Cni.cilium(), cluster: Omit<ClusterNetworkProps, 'cni'> = {}) => validationErrorOf(() => {
    new NetworkAlerts(chartFor(cni, cluster), 'alerts', props);
  });

  test.each([
    [{ dnsLatency: { threshold: 0 } }, 'dnsLatency.threshold', '0 is out of range: must be above 0 (seconds, the 99th percentile)'],
    [{ dnsLatency: { threshold: 8.192 } }, 'dnsLatency.threshold', '8.192 is out of range: must be below 8.192 (seconds, the 99th percentile), '
      + 'the highest finite bucket of CoreDNS\' duration histogram, which histogram_quantile never exceeds'],
    [{ dnsLatency: { threshold: Number.NaN } }, 'dnsLatency.threshold', 'must be a finite number, got the number NaN'],
    [{ dnsLatency: { threshold: '0.1' } }, 'dnsLatency.threshold', 'must be a finite number, got the string \'0.1\''],
    [{ dnsErrors: { threshold: 1 } }, 'dnsErrors.threshold', '1 is out of range: must be below 1 (a ratio of responses), since a ratio of responses is never above 1'],
    [{ conntrack: { threshold: 1.5 } }, 'conntrack.threshold', '1.5 is out of range: must be below 1 (a ratio of the table limit), '
      + 'since the kernel never holds more entries than its limit'],
    [{ policyDrops: { threshold: -1 } }, 'policyDrops.threshold', '-1 is out of range: must be above 0 (packets per second per node)'],
    [{ meshDenials: { threshold: -0.5 } }, 'meshDenials.threshold', '-0.5 is out of range: must be at least 0 (denied requests or connections per second per namespace)'],
    [{ serviceEndpoints: { threshold: 1 } }, 'serviceEndpoints.threshold', 'this alert has no threshold (it fires on a condition, not a value)'],
    [{ metricsAbsent: { threshold: 1 } }, 'metricsAbsent.threshold', 'this alert has no threshold (it fires on a condition, not a value)'],
  ])('threshold %j', (props, prop, reason) => {
    const e = refuse(props);
    expect([e.path, e.prop, e.reason]).toEqual(['test/alerts', prop, reason]);
  });

  test.each([
    ['dnsErrors', 'negative', -1, '-1 is out of range: must be at least 0 (responses per second; 0 judges any traffic)'],
    ['dnsErrors', 'infinite', Number.POSITIVE_INFINITY, 'must be a finite number, got the number Infinity'],
    ['dnsErrors', 'NaN', Number.NaN, 'must be a finite number, got the number NaN'],
    ['dnsErrors', 'a string', '2', 'must be a finite number, got the string \'2\''],
    ['dnsLatency', 'negative', -0.5, '-0.5 is out of range: must be at least 0 (requests per second; 0 judges any traffic)'],
    ['dnsLatency', 'infinite', Number.POSITIVE_INFINITY, 'must be a finite number, got the number Infinity'],
    ['dnsLatency', 'NaN', Number.NaN, 'must be a finite number, got the number NaN'],
    ['dnsLatency', 'a string', '2', 'must be a finite number, got the string \'2\''],
    ['dnsLatency', 'null', null, 'must be a finite number, got null'],
  ])('%s.minRequestRate %s', (alert, _what, value, reason) => {
    const e = refuse({ [alert]: { minRequestRate: value } });
    expect([e.path, e.prop, e.reason]).toEqual(['test/alerts', `${alert}.minRequestRate`, reason]);
  });

  test.each(['', '1.5h', '30m1h', '5 m', '10', '-5m', '1H'])('forDuration %j is not a Prometheus duration', (d) => {
    const e = refuse({ conntrack: { forDuration: d } });
    expect(e.prop).toBe('conntrack.forDuration');
    expect(e.reason).toBe(`'${d}' is not a Prometheus duration (integers with units y, w, d, h, m, s, ms, largest first, each at most once: e.g. '10m', '1h30m')`);
  });

  test.each(['0', '0s', '0h0m'])('forDuration %j is zero: fires on one evaluation', (d) => {
    expect(refuse({ dnsErrors: { forDuration: d } }).message).toBe(`[test/alerts] dnsErrors.forDuration: '${d}' is zero: the alert would fire on the `
      + 'first evaluation that matches, so a single spike pages; give a duration the condition must hold, e.g. \'5m\'');
  });

  test('forDuration of another type', () => {
    expect(refuse({ dnsErrors: { forDuration: 600 } }).message).toBe('[test/alerts] dnsErrors.forDuration: must be a string, got the number 600');
  });

  test.each([
    [{ 'team-name': 'x' }, 'alertLabels', '\'team-name\' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)'],
    [{ '1team': 'x' }, 'alertLabels', '\'1team\' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)'],
    [{ 'a.b': 'x' }, 'alertLabels', '\'a.b\' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)'],
    [{ __meta: 'x' }, 'alertLabels', '\'__meta\' starts with \'__\', which Prometheus reserves for internal labels'],
    [{ severity: 'page' }, 'alertLabels', '\'severity\' is set by NetworkAlerts itself (each alert\'s `severity` option)'],
    [{ alertname: 'x' }, 'alertLabels', '\'alertname\' is set by NetworkAlerts itself'],
    [{ team: '' }, 'alertLabels.team', 'must not be empty: Prometheus drops a label whose value is empty'],
    [{ team: 7 }, 'alertLabels.team', 'must be a string, got the number 7'],
  ])('alertLabels %j', (labels, prop, reason) => {
    const e = refuse({ alertLabels: labels });
    expect([e.prop, e.reason]).toEqual([prop, reason]);
  });

  test('ruleLabels are Kubernetes labels', () => {
    expect(refuse({ ruleLabels: { 'bad key!': 'x' } }).message).toBe('[test/alerts] ruleLabels: \'bad key!\' is not a valid label key');
  });

  test.each([
    [{ dnsLatency: { severity: '' } }, 'dnsLatency.severity', 'must be a non-empty string, got the string \'\''],
    [{ dnsLatency: { severity: ' warning' } }, 'dnsLatency.severity', '\' warning\' has leading or trailing whitespace, which no Alertmanager route matches'],
    [{ conntrack: { runbookUrl: 'ftp://runbooks/x' } }, 'conntrack.runbookUrl', '\'ftp://runbooks/x\' is not an absolute http(s) URL'],
    [{ conntrack: { runbookUrl: 'runbooks/conntrack.md' } }, 'conntrack.runbookUrl', '\'runbooks/conntrack.md\' is not an absolute http(s) URL'],
    [{ conntrack: { enabled: 'false' } }, 'conntrack.enabled', 'must be true or false, got the string \'false\''],
    [{ dnsLatncy: {} }, 'dnsLatncy', 'unknown field (expected one of name, namespace, ruleLabels, alertLabels, coreDnsJob, nodeLocalDnsJob, '
      + 'dnsLatency, dnsErrors, policyDrops, serviceEndpoints, conntrack, meshDenials, metricsAbsent); a misspelt field would be silently ignored'],
    [{ dnsLatency: { perZone: 'false' } }, 'dnsLatency.perZone', 'must be true or false, got the string \'false\''],
    [{ dnsErrors: { minRequestRat: 1 } }, 'dnsErrors.minRequestRat', 'unknown field (expected one of enabled, threshold, forDuration, severity, runbookUrl, '
      + 'minRequestRate); a misspelt field would be silently ignored'],
    // The latency alert takes both DNS options, the error ratio no zones.
    [{ dnsLatency: { minRequestRat: 1 } }, 'dnsLatency.minRequestRat', 'unknown field (expected one of enabled, threshold, forDuration, severity, '
      + 'runbookUrl, perZone, minRequestRate); a misspelt field would be silently ignored'],
    [{ dnsErrors: { perZone: true } }, 'dnsErrors.perZone', 'unknown field (expected one of enabled, threshold, forDuration, severity, '
      + 'runbookUrl, minRequestRate); a misspelt field would be silently ignored'],
    [{ conntrack: { for: '5m' } }, 'conntrack.for', 'unknown field (expected one of enabled, threshold, forDuration, severity, runbookUrl); '
      + 'a misspelt field would be silently ignored'],
    [{ namespace: 'Monitoring' }, 'namespace', '\'Monitoring\' is not a valid DNS-1123 label (lower-case alphanumerics and \'-\', starting and ending '
      + 'alphanumeric, at most 63 characters)'],
    [{ coreDnsJob: ' ' }, 'coreDnsJob', 'must be a non-empty string, got the string \' \''],
    [{ coreDnsJob: 'dns-{{ x' }, 'coreDnsJob', '\'dns-{{ x\' contains \'{{\', which starts a template action in the alert annotations that name '
      + 'the job; Prometheus would refuse the whole rule file'],
    [{ coreDnsJob: 7 }, 'coreDnsJob', 'must be a non-empty string, got the number 7'],
  ])('%j', (props, prop, reason) => {
    const e = refuse(props);
    expect([e.prop, e.reason]).toEqual([prop, reason]);
  });

  test.each([
    ['kubernetes', Cni.kubernetes(), 'NetworkPolicy defines no metrics'],
    ['calico', Cni.calico(), 'Calico open source exports no counter of packets denied by policy: calico_denied_packets is a Calico Enterprise'],
    ['flannel', Cni.flannel(), 'Flannel enforces no network policy'],
  ])('policyDrops enabled: true on %s: no metric exists, never an alert that cannot fire', (_n, cni, why) => {
    const e = refuse({ policyDrops: { enabled: true } }, cni);
    expect(e.prop).toBe('policyDrops.enabled');
    expect(e.reason.startsWith(`no metric exists for this alert on this cluster: ${why}`)).toBe(true);
  });

  test('meshDenials enabled: true without a mesh, or on Istio', () => {
    expect(refuse({ meshDenials: { enabled: true } }).reason).toBe('no metric exists for this alert on this cluster: the ClusterNetwork declares no service mesh');
    expect(refuse({ meshDenials: { enabled: true } }, Cni.cilium(), { mesh: Mesh.istio({ mode: IstioMode.SIDECAR }) }).reason)
      .toMatch(/^no metric exists for this alert on this cluster: Istio exports no metric of authorization denials alone/);
  });

  test('nodeLocalDnsJob without NodeLocal DNS, or equal to the CoreDNS job', () => {
    expect(refuse({ nodeLocalDnsJob: 'nld' }).message).toBe('[test/alerts] nodeLocalDnsJob: the ClusterNetwork \'test/cluster\' does not declare '
      + 'nodeLocalDns: true, so no node-local-dns alert is emitted');
    expect(refuse({ coreDnsJob: 'dns', nodeLocalDnsJob: 'dns' }, Cni.calico(), { nodeLocalDns: true }).reason).toBe('\'dns\' is also the coreDnsJob: '
      + 'node-local-dns and CoreDNS export the same metric names, so their alerts need different scrape jobs');
  });

  test('every alert disabled', () => {
    const off = { enabled: false };
    expect(refuse({ dnsLatency: off, dnsErrors: off, policyDrops: off, serviceEndpoints: off, conntrack: off }).message)
      .toBe('[test/alerts] props: every alert is disabled: there would be nothing to evaluate');
  });

  test('no ClusterNetwork', () => {
    const e = validationErrorOf(() => new NetworkAlerts(Testing.chart(), 'alerts'));
    expect([e.path, e.prop]).toEqual(['test/alerts', 'ClusterNetwork']);
  });

  test('two with one name in one namespace', () => {
    const chart = chartFor(Cni.calico());
    new NetworkAlerts(chart, 'a');
    expect(validationErrorOf(() => new NetworkAlerts(chart, 'b')).message).toBe('[test/b] metadata.name: PrometheusRule \'network-alerts\' '
      + 'in namespace \'monitoring\' is already emitted by \'test/a\'; give one of them another name');
  });
});

describe('NetworkAlerts: the CLI reads PrometheusRule as a known kind', () => {
  test('analyze and lint of the synthesized rule: no unknown-kind warning, nothing undecided', () => {
    const { objects } = alertsFor(Cni.cilium(), {}, { nodeLocalDns: true, mesh: Mesh.linkerd() });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-alerts-'));
    try {
      fs.writeFileSync(path.join(dir, 'alerts.k8s.yaml'), objects.map((o) => stringify(o)).join('---\n'));
      const lint = cli('lint', dir, '--cni', 'cilium');
      expect([lint.code, lint.stderr]).toEqual([0, '']);
      const analyze = cli('analyze', dir, '--cni', 'cilium');
      expect(analyze.stderr).toBe('');
      expect(analyze.code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
