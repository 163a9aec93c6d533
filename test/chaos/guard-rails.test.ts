/**
 * NetworkChaosExperiment's guard rails: every refusal, with its exact message naming construct and
 * field, runtime type checks for plain-JavaScript callers, and the acknowledgements that lift them.
 * Upstream rules: chaos-mesh api/v1alpha1 networkchaos_types_additions.go (direction / target /
 * external targets, rate units), common_validation.go (mode values), the NetworkChaos CRD's
 * latency pattern; robfig/cron v3's standard parser for Schedule `schedule` (what Chaos Mesh's
 * schedule webhook calls: cron.ParseStandard), its day rule (spec.go dayMatches: day of month OR day
 * of week when neither is a star) and its descriptors (parser.go parseDescriptor).
 */
import { App, Chart, Testing } from 'cdk8s';
import {
  ChaosAction, ChaosDirection, ChaosMode, ClusterNetwork, Cni, Errors, IstioMode, Mesh, NetworkChaosExperiment, NetworkChaosExperimentProps,
} from '../../src';
import { chartFor, synthValid } from '../support/synth';

const SHOP = { namespaces: ['shop'], labels: { app: 'backend' } };
const DB = { namespaces: ['shop'], labels: { app: 'db' } };
const P = ChaosAction.partition();
const base = { action: P, pods: SHOP, target: { pods: DB }, duration: '5m' };

type Cluster = 'none' | 'calico' | 'cilium-istio';
function chartWith(cluster: Cluster): Chart {
  if (cluster === 'calico') return chartFor(Cni.calico());
  if (cluster === 'cilium-istio') return chartFor(Cni.cilium(), { mesh: Mesh.istio({ mode: IstioMode.SIDECAR }) });
  return Testing.chart();
}

function build(props: unknown, cluster: Cluster = 'calico'): NetworkChaosExperiment {
  return new NetworkChaosExperiment(chartWith(cluster), 'exp', props as NetworkChaosExperimentProps);
}

/** The shortest interval between a cron line's runs, in seconds, read from the refusal of a duration longer than any. */
function gap(cron: string): number {
  try {
    build({ ...base, duration: '999999h', acknowledgeLongDuration: true, schedule: { cron } });
  } catch (e) {
    const m = /than the shortest interval between the schedule's runs \((\d+)s\)/.exec((e as Error).message);
    if (m) return Number(m[1]);
    throw e;
  }
  throw new Error(`'${cron}': a duration of 999999h was accepted`);
}

const REFUSED: Array<[string, unknown, string, Cluster?]> = [
  ['no duration', { action: P, pods: SHOP, target: { pods: DB } },
    "duration: is required (a Go duration, e.g. '5m'): without one the fault stays until the object is deleted. Set acknowledgeUnboundedDuration: true if that is what you want"],
  ['a duration and the unbounded acknowledgement', { ...base, acknowledgeUnboundedDuration: true },
    'acknowledgeUnboundedDuration: contradicts duration: omit one of them'],
  ['a schedule without duration, even acknowledged', { action: P, pods: SHOP, acknowledgeUnboundedDuration: true, schedule: { cron: '@daily' } },
    'duration: is required with schedule: each run must end before the next one is due'],
  ['an ISO 8601 duration', { ...base, duration: 'PT5M' },
    "duration: 'PT5M' is not a Go duration (a number and a unit of ns, us, ms, s, m, h, e.g. '30s', '10m', '1h30m'): Chaos Mesh parses it with Go's time.ParseDuration"],
  ['a negative duration', { ...base, duration: '-5m' },
    "duration: '-5m' is not a Go duration (a number and a unit of ns, us, ms, s, m, h, e.g. '30s', '10m', '1h30m'): Chaos Mesh parses it with Go's time.ParseDuration"],
  ['a zero duration', { ...base, duration: '0s' }, "duration: '0s' is zero: give the time the experiment runs"],
  ['a duration as long as the @every interval', { ...base, duration: '60m', schedule: { cron: '@every 1h' } },
    "duration: '60m' is not shorter than the shortest interval between the schedule's runs (3600s): the fault would still be active when the next run is due"],
  ['a duration as long as a descriptor\'s interval', { ...base, duration: '1h', schedule: { cron: '@hourly' } },
    "duration: '1h' is not shorter than the shortest interval between the schedule's runs (3600s): the fault would still be active when the next run is due"],
  ['a duration longer than the runs of a cron line are apart', { ...base, duration: '10m', schedule: { cron: '*/5 * * * *' } },
    "duration: '10m' is not shorter than the shortest interval between the schedule's runs (300s): the fault would still be active when the next run is due"],
  ['a duration longer than the shortest gap of a day, on some days only', { ...base, duration: '90m', schedule: { cron: '0 3,4,9 * * mon-fri' } },
    "duration: '90m' is not shorter than the shortest interval between the schedule's runs (3600s): the fault would still be active when the next run is due"],
  ['a duration longer than a daily run\'s interval (across midnight)', { ...base, duration: '25h', schedule: { cron: '30 23 * * *' } },
    "duration: '25h' is not shorter than the shortest interval between the schedule's runs (86400s): the fault would still be active when the next run is due"],
  ['a duration longer than a day, every weekday (Monday to Tuesday is a day)', { ...base, duration: '25h', schedule: { cron: '0 3 * * 1-5' } },
    "duration: '25h' is not shorter than the shortest interval between the schedule's runs (86400s): the fault would still be active when the next run is due"],
  ['a duration longer than a day, on the 1st and 2nd of some months', { ...base, duration: '24h', schedule: { cron: '0 3 1,2 jan *' } },
    "duration: '24h' is not shorter than the shortest interval between the schedule's runs (86400s): the fault would still be active when the next run is due"],
  ['a duration longer than a day, on Saturdays and Sundays (the week wraps)', { ...base, duration: '1440m', schedule: { cron: '0 3 ? * sat,sun' } },
    "duration: '1440m' is not shorter than the shortest interval between the schedule's runs (86400s): the fault would still be active when the next run is due"],
  // The gaps are exact over a whole calendar cycle (acknowledgeLongDuration set, so only the gap can refuse).
  ['a day, from the 31st to the 1st of the next month', { ...base, duration: '24h', acknowledgeLongDuration: true, schedule: { cron: '0 3 31,1 * *' } },
    "duration: '24h' is not shorter than the shortest interval between the schedule's runs (86400s): the fault would still be active when the next run is due"],
  ['a day, from 28 February to 1 March (three years in four)', { ...base, duration: '24h', acknowledgeLongDuration: true, schedule: { cron: '0 3 1,28 feb,mar *' } },
    "duration: '24h' is not shorter than the shortest interval between the schedule's runs (86400s): the fault would still be active when the next run is due"],
  ['a day, from the 15th to a Monday (day of month OR day of week when both are restricted)',
    { ...base, duration: '24h', acknowledgeLongDuration: true, schedule: { cron: '0 3 15 * mon' } },
    "duration: '24h' is not shorter than the shortest interval between the schedule's runs (86400s): the fault would still be active when the next run is due"],
  ['two days, from Monday to Wednesday (days that are not consecutive have a known gap too)',
    { ...base, duration: '48h', acknowledgeLongDuration: true, schedule: { cron: '30 6 * * mon,wed' } },
    "duration: '48h' is not shorter than the shortest interval between the schedule's runs (172800s): the fault would still be active when the next run is due"],
  ['thirty days, from 1 to 31 January (the wrap to 1 February is not a run)',
    { ...base, duration: '720h', acknowledgeLongDuration: true, schedule: { cron: '0 3 31,1 jan *' } },
    "duration: '720h' is not shorter than the shortest interval between the schedule's runs (2592000s): the fault would still be active when the next run is due"],
  ['a cron line that never runs', { ...base, schedule: { cron: '0 3 30 feb *' } },
    "schedule.cron: '0 3 30 feb *' is not a schedule Chaos Mesh accepts: no day of any year matches its day of month, month and day of week (e.g. the 30th of February)"],
  ['an hour field of commas only (robfig/cron drops empty items: no hour, never a run)', { ...base, schedule: { cron: '0 , * * *' } },
    "schedule.cron: '0 , * * *' is not a schedule Chaos Mesh accepts: hour ',' lists no value, so the line never runs"],
  ['a day of month of commas only, with any day of week (no day matches it: AND with the star)', { ...base, schedule: { cron: '0 3 , * *' } },
    "schedule.cron: '0 3 , * *' is not a schedule Chaos Mesh accepts: no day of any year matches its day of month, month and day of week (e.g. the 30th of February)"],
  ['a step beyond Go int (strconv.Atoi fails)', { ...base, schedule: { cron: '*/9223372036854775808 * * * *' } },
    "schedule.cron: '*/9223372036854775808 * * * *' is not a schedule Chaos Mesh accepts: minute '*/9223372036854775808': step '9223372036854775808' must be a positive integer"],
  ['a zero interval (robfig/cron would run it every second)', { ...base, schedule: { cron: '@every 0s' } },
    "schedule.cron: '0s' is zero: give the interval between runs (robfig/cron would run a zero one every second)"],
  ['a time zone prefix (accepted by Chaos Mesh; the zone is loaded from the controller image)', { ...base, schedule: { cron: 'TZ=Europe/Berlin 0 3 * * *' } },
    "schedule.cron: 'TZ=Europe/Berlin 0 3 * * *': time zone prefixes are refused here (Chaos Mesh accepts them, but whether its controller can "
      + "load the zone depends on its image's time zone database): give the line without it, read in the controller's time zone"],
  ['a duration over an hour, unacknowledged', { ...base, duration: '61m' },
    "duration: '61m' is longer than 1h: a network fault that long is more often a wrong unit than a plan. Set acknowledgeLongDuration: true if that is the experiment"],
  ['a long-duration acknowledgement on a duration of an hour or less', { ...base, duration: '1h', acknowledgeLongDuration: true },
    "acknowledgeLongDuration: '1h' is not longer than 1h, so there is nothing to acknowledge: remove it"],
  ['a long-duration acknowledgement without a duration', { action: P, pods: SHOP, target: { pods: DB }, acknowledgeUnboundedDuration: true, acknowledgeLongDuration: true },
    'acknowledgeLongDuration: applies to a duration longer than 1h, and there is none: remove it'],
  ["the string 'true' as the long-duration acknowledgement", { ...base, duration: '2h', acknowledgeLongDuration: 'true' },
    "acknowledgeLongDuration: must be true or false, got the string 'true'"],
  ['a Schedule name longer than 57 characters', { ...base, name: 'a'.repeat(58), schedule: { cron: '@daily' } },
    `name: '${'a'.repeat(58)}' has 58 characters: a Schedule's name must have at most 57 (Chaos Mesh appends 6 characters to it to name each run)`],
  ['a selector without namespaces', { ...base, pods: { labels: { app: 'x' } } },
    'pods.namespaces: is required: name the namespaces explicitly (Chaos Mesh reads a selector without namespaces as the experiment\'s own namespace: say which)'],
  ['an empty namespace list', { ...base, pods: { namespaces: [] } },
    'pods.namespaces: must name at least one namespace (Chaos Mesh reads an empty list as the experiment\'s own namespace: say which)'],
  ['a namespace that is no DNS label', { ...base, pods: { namespaces: ['Shop'] } },
    "pods.namespaces[0]: 'Shop' is not a valid DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters)"],
  ['kube-system', { ...base, pods: { namespaces: ['kube-system'] } },
    "pods.namespaces: 'kube-system' is the cluster's system namespace (CoreDNS, kube-proxy, CNI agents): a fault there hits every workload that depends on it. Add 'kube-system' to acknowledgedControlPlaneNamespaces if that is the experiment"],
  ['any kube-* namespace', { ...base, pods: { namespaces: ['kube-public'] } },
    "pods.namespaces: 'kube-public' is a kube-* namespace the cluster itself owns: a fault there hits every workload that depends on it. Add 'kube-public' to acknowledgedControlPlaneNamespaces if that is the experiment"],
  ["Chaos Mesh's own namespace", { ...base, pods: { namespaces: ['chaos-mesh'] } },
    "pods.namespaces: 'chaos-mesh' is Chaos Mesh's own namespace (its controller must stay reachable to end the experiment): a fault there hits every workload that depends on it. Add 'chaos-mesh' to acknowledgedControlPlaneNamespaces if that is the experiment"],
  ["the ClusterNetwork's CNI namespace", { ...base, pods: { namespaces: ['calico-system'] } },
    "pods.namespaces: 'calico-system' is a control-plane namespace of the ClusterNetwork's CNI (calico): a fault there hits every workload that depends on it. Add 'calico-system' to acknowledgedControlPlaneNamespaces if that is the experiment"],
  ["the ClusterNetwork's mesh control plane", { ...base, pods: { namespaces: ['shop', 'istio-system'] }, namespace: 'shop' },
    "pods.namespaces: 'istio-system' is the Istio (sidecar) control-plane namespace of the ClusterNetwork 'test/cluster': a fault there hits every workload that depends on it. Add 'istio-system' to acknowledgedControlPlaneNamespaces if that is the experiment",
    'cilium-istio'],
  ["the ClusterNetwork's DNS namespace", { ...base, pods: { namespaces: ['dns'] } },
    "pods.namespaces: 'dns' is the cluster DNS namespace of the ClusterNetwork 'test/cluster': a fault there hits every workload that depends on it. Add 'dns' to acknowledgedControlPlaneNamespaces if that is the experiment"],
  ['without a ClusterNetwork, every supported CNI namespace (fail closed)', { ...base, pods: { namespaces: ['kube-flannel'] } },
    "pods.namespaces: 'kube-flannel' is a control-plane namespace of the flannel CNI (no ClusterNetwork says which CNI runs): a fault there hits every workload that depends on it. Add 'kube-flannel' to acknowledgedControlPlaneNamespaces if that is the experiment",
    'none'],
  ['without a ClusterNetwork, every default mesh namespace', { ...base, pods: { namespaces: ['linkerd'] } },
    "pods.namespaces: 'linkerd' is a service mesh control-plane namespace (no ClusterNetwork says which mesh runs): a fault there hits every workload that depends on it. Add 'linkerd' to acknowledgedControlPlaneNamespaces if that is the experiment",
    'none'],
  ['a control-plane target with direction both (Chaos Mesh injects into the target pods too)',
    { ...base, direction: ChaosDirection.BOTH, target: { pods: { namespaces: ['kube-system'], labels: { 'k8s-app': 'kube-dns' } } } },
    "target.pods.namespaces: 'kube-system' is the cluster's system namespace (CoreDNS, kube-proxy, CNI agents): a fault there hits every workload that depends on it. Add 'kube-system' to acknowledgedControlPlaneNamespaces if that is the experiment"],
  ['an acknowledgement the experiment does not use', { ...base, acknowledgedControlPlaneNamespaces: ['kube-system'] },
    "acknowledgedControlPlaneNamespaces: 'kube-system' is not a control-plane namespace this experiment injects into: remove it"],
  ['direction from without a target (netem)', { action: ChaosAction.delay({ latency: '1s' }), pods: SHOP, direction: ChaosDirection.FROM, duration: '5m' },
    "target: is required with direction 'from': the packets from the target are only defined when there is one"],
  ['a partition from nothing', { action: P, pods: SHOP, direction: ChaosDirection.FROM, duration: '5m' },
    "target: is required with direction 'from' (or externalTargets, for a partition): the packets from the target are only defined when there is one"],
  ['external targets with direction both (netem)',
    { action: ChaosAction.loss({ loss: 10 }), pods: SHOP, direction: ChaosDirection.BOTH, target: { pods: DB }, externalTargets: ['192.0.2.1'], duration: '5m' },
    "externalTargets: cannot be used with direction 'both' for a loss (Chaos Mesh's webhook refuses external targets with 'from' and 'both' for every action but partition): use direction TO"],
  ['an IPv6 external target (Chaos Mesh would write it as a /32 prefix)', { ...base, externalTargets: ['203.0.113.7', '2001:db8::7'] },
    "externalTargets[1]: '2001:db8::7' is IPv6: Chaos Mesh handles IPv4 external targets only (it would read an IPv6 address as a /32 prefix); use an IPv4 address or CIDR block, or a pod target"],
  ['an IPv6 external CIDR block', { ...base, externalTargets: ['2001:db8::/64'] },
    "externalTargets[0]: '2001:db8::/64' is IPv6: Chaos Mesh handles IPv4 external targets only (it would read an IPv6 address as a /32 prefix); use an IPv4 address or CIDR block, or a pod target"],
  ['an external target that is no address, CIDR or host name', { ...base, externalTargets: ['not a host'] },
    "externalTargets[0]: 'not a host' is not an IP address, a CIDR block or a fully qualified host name"],
  ['an empty external target list', { ...base, externalTargets: [] },
    'externalTargets: is empty: omit it, or name at least one address, CIDR block or host name'],
  ['several pod namespaces without the object namespace', { ...base, pods: { namespaces: ['b', 'a'] } },
    'namespace: is required when pods.namespaces names several (a, b): the namespace of the experiment object'],
  ['a name that is no DNS label', { ...base, name: 'Bad_Name' },
    "name: 'Bad_Name' is not a valid DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, at most 63 characters)"],
  ['a cron field out of range', { ...base, schedule: { cron: '0 25 * * *' } },
    "schedule.cron: '0 25 * * *' is not a schedule Chaos Mesh accepts: hour '25': out of range 0-23"],
  ['a cron line of four fields', { ...base, schedule: { cron: '* * * *' } },
    "schedule.cron: '* * * *' is not a schedule Chaos Mesh accepts: expected 5 fields (minute hour day-of-month month day-of-week), got 4"],
  ['an unknown cron descriptor', { ...base, schedule: { cron: '@often' } },
    "schedule.cron: '@often' is not a schedule Chaos Mesh accepts: unknown descriptor (one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or '@every <duration>')"],
  ['a backwards cron range', { ...base, schedule: { cron: '0 5-3 * * *' } },
    "schedule.cron: '0 5-3 * * *' is not a schedule Chaos Mesh accepts: hour '5-3': range '5-3' runs backwards"],
  ['a zero cron step', { ...base, schedule: { cron: '*/0 * * * *' } },
    "schedule.cron: '*/0 * * * *' is not a schedule Chaos Mesh accepts: minute '*/0': step '0' must be a positive integer"],
  ['historyLimit 0', { ...base, schedule: { cron: '@daily', historyLimit: 0 } },
    'schedule.historyLimit: must be an integer from 1 to 2147483647, got the number 0'],
  ['In without values', { ...base, pods: { namespaces: ['shop'], expressions: [{ key: 'a', operator: 'In' }] } },
    'pods.expressions[0].values: must list at least one value for In'],
  ['Exists with values', { ...base, pods: { namespaces: ['shop'], expressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } },
    'pods.expressions[0].values: must be empty for Exists'],
  ['an invalid label value', { ...base, pods: { namespaces: ['shop'], labels: { app: 'no spaces' } } },
    "pods.labels: 'no spaces' is not a valid value for label 'app' (at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends)"],
  // Runtime types for plain-JavaScript callers.
  ['a misspelt prop', { action: P, pods: SHOP, duraton: '5m' },
    'duraton: unknown field (expected one of name, namespace, action, pods, mode, direction, target, externalTargets, duration, acknowledgeUnboundedDuration, '
    + 'acknowledgeLongDuration, schedule, acknowledgedControlPlaneNamespaces, chaosMeshNamespace); a misspelt field would be silently ignored'],
  ['no action', { pods: SHOP, duration: '5m' }, 'action: is required: ChaosAction.partition(), .delay(), .loss(), .duplicate(), .corrupt() or .bandwidth()'],
  ['a look-alike action', { ...base, action: { action: 'partition' } },
    'action: must be a ChaosAction made by one of its factories: ChaosAction.partition(), .delay(), .loss(), .duplicate(), .corrupt(), .bandwidth(), not a plain object'],
  ['a mode as a string', { ...base, mode: 'all' },
    "mode: must be a ChaosMode made by one of its factories: ChaosMode.one(), .all(), .fixed(n), .fixedPercent(p), .randomMaxPercent(p), not the string 'all'"],
  ['a target mode look-alike', { ...base, target: { pods: DB, mode: Object.create(ChaosMode.prototype) } },
    'target.mode: must be a ChaosMode made by one of its factories: ChaosMode.one(), .all(), .fixed(n), .fixedPercent(p), .randomMaxPercent(p), not a hand-built object'],
  ["the string 'true' as acknowledgement", { action: P, pods: SHOP, acknowledgeUnboundedDuration: 'true' },
    "acknowledgeUnboundedDuration: must be true or false, got the string 'true'"],
  ['namespaces as a string', { ...base, pods: { namespaces: 'shop' } }, "pods.namespaces: must be a list, got the string 'shop'"],
  ['an unknown direction', { ...base, direction: 'into' }, "direction: 'into' is not a ChaosDirection (one of to, from, both)"],
  ['a duration as a number', { ...base, duration: 300 }, 'duration: must be a non-empty string, got the number 300'],
  ['a target without pods', { ...base, target: { mode: ChaosMode.all() } }, 'target.pods: is required: the peer pods whose traffic is affected'],
  ['props as null', null, 'props: must be an object of props (they are required), got null'],
  ['a schedule as a string', { ...base, schedule: '@daily' }, "schedule: must be an object, got the string '@daily'"],
  ['a misspelt schedule field', { ...base, schedule: { cron: '@daily', historylimit: 3 } },
    'schedule.historylimit: unknown field (expected one of cron, concurrencyPolicy, historyLimit, startingDeadlineSeconds); a misspelt field would be silently ignored'],
  ['an unknown concurrency policy', { ...base, schedule: { cron: '@daily', concurrencyPolicy: 'Replace' } },
    "schedule.concurrencyPolicy: 'Replace' is not a ChaosConcurrencyPolicy (one of Forbid, Allow)"],
  ['external targets as a string', { ...base, externalTargets: '192.0.2.1' }, "externalTargets: must be a list, got the string '192.0.2.1'"],
  ['acknowledged namespaces as a string', { ...base, acknowledgedControlPlaneNamespaces: 'kube-system' },
    "acknowledgedControlPlaneNamespaces: must be a list, got the string 'kube-system'"],
  ['labels as a list', { ...base, pods: { namespaces: ['shop'], labels: ['app'] } }, 'pods.labels: must be a map of strings to strings, got an array of 1'],
  ['a misspelt selection field', { ...base, pods: { namespace: ['shop'] } },
    'pods.namespace: unknown field (expected one of namespaces, labels, expressions); a misspelt field would be silently ignored'],
];

describe('refusals name the construct and the field', () => {
  // Every row padded to four values: jest reads a callback with more parameters than the row as one taking `done`.
  test.each(REFUSED.map(([what, props, message, cluster]) => [what, props, message, cluster ?? 'calico'] as const))('%s', (_what, props, message, c) => {
    const chart = c === 'calico' && message.includes("'dns'") ? chartFor(Cni.calico(), { dns: { namespace: 'dns' } }) : chartWith(c);
    let thrown: unknown;
    try {
      new NetworkChaosExperiment(chart, 'exp', props as NetworkChaosExperimentProps);
    } catch (e) {
      thrown = e;
    }
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe(`[test/exp] ${message}`);
  });
});

const FACTORY_REFUSED: Array<[string, () => unknown, string]> = [
  ['a compound latency', () => ChaosAction.delay({ latency: '1m30s' }),
    "[ChaosAction.delay] latency: '1m30s' is not a netem time: one number and one unit of ns, us, ms, s, m, h (e.g. '100ms'), as the NetworkChaos CRD requires (no compound durations such as 1m30s)"],
  ['a delay without latency', () => ChaosAction.delay({} as any), "[ChaosAction.delay] latency: is required: the added latency, e.g. '100ms'"],
  ['a jitter with a space', () => ChaosAction.delay({ latency: '1s', jitter: '10 ms' }),
    "[ChaosAction.delay] jitter: '10 ms' is not a netem time: one number and one unit of ns, us, ms, s, m, h (e.g. '100ms'), as the NetworkChaos CRD requires (no compound durations such as 1m30s)"],
  ['loss 0', () => ChaosAction.loss({ loss: 0 }), '[ChaosAction.loss] loss: must be a percentage above 0 and at most 100, got 0'],
  ['loss 101', () => ChaosAction.loss({ loss: 101 }), '[ChaosAction.loss] loss: must be a percentage above 0 and at most 100, got 101'],
  ['loss NaN', () => ChaosAction.loss({ loss: NaN }), '[ChaosAction.loss] loss: must be a percentage above 0 and at most 100, got NaN'],
  ['loss as a string', () => ChaosAction.loss({ loss: '10' as any }), "[ChaosAction.loss] loss: must be a number, got the string '10'"],
  ['a negative correlation', () => ChaosAction.corrupt({ corrupt: 5, correlation: -1 }), '[ChaosAction.corrupt] correlation: must be a percentage from 0 to 100, got -1'],
  ['duplicate without its share', () => ChaosAction.duplicate({} as any), '[ChaosAction.duplicate] duplicate: is required: a percentage above 0 and at most 100'],
  ['a misspelt option', () => ChaosAction.loss({ loss: 5, corelation: 5 } as any),
    '[ChaosAction.loss] options.corelation: unknown field (expected one of loss, correlation); a misspelt field would be silently ignored'],
  ['a rate in bits', () => ChaosAction.bandwidth({ rate: '1Mbit', limit: 1, buffer: 1 }),
    "[ChaosAction.bandwidth] rate: '1Mbit' is not a Chaos Mesh rate: an integer and a unit of bps, kbps, mbps, gbps or tbps (bytes per second, e.g. '1mbps')"],
  ['a zero rate', () => ChaosAction.bandwidth({ rate: '0kbps', limit: 1, buffer: 1 }),
    "[ChaosAction.bandwidth] rate: '0kbps' is zero: a zero rate is a partition (use ChaosAction.partition())"],
  ['limit 0', () => ChaosAction.bandwidth({ rate: '1mbps', limit: 0, buffer: 1 }), '[ChaosAction.bandwidth] limit: must be an integer from 1 to 2147483647, got the number 0'],
  ['no buffer', () => ChaosAction.bandwidth({ rate: '1mbps', limit: 1 } as any), '[ChaosAction.bandwidth] buffer: is required: the bucket size in bytes (at least 1)'],
  ['a peakrate without minburst (tc wants an mtu with a peak rate)', () => ChaosAction.bandwidth({ rate: '1mbps', limit: 1, buffer: 1, peakrate: 2000000 }),
    '[ChaosAction.bandwidth] minburst: is required with peakrate (at least 1 byte; the MTU for accuracy): Chaos Mesh hands it to tc as the mtu, which tc requires with a peak rate'],
  ['a peakrate with minburst 0', () => ChaosAction.bandwidth({ rate: '1mbps', limit: 1, buffer: 1, peakrate: 2000000, minburst: 0 }),
    '[ChaosAction.bandwidth] minburst: is required with peakrate (at least 1 byte; the MTU for accuracy): Chaos Mesh hands it to tc as the mtu, which tc requires with a peak rate'],
  ['a peakrate equal to the converted rate (the kernel wants it above)', () => ChaosAction.bandwidth({ rate: '1mbps', limit: 1, buffer: 1, peakrate: 1048576, minburst: 1500 }),
    "[ChaosAction.bandwidth] peakrate: 1048576 must exceed the rate ('1mbps' is 1048576 as Chaos Mesh converts it): the kernel's tbf refuses a peak rate at or below the rate"],
  ['a peakrate below a tbps rate (compared without rounding)', () => ChaosAction.bandwidth({ rate: '9000tbps', limit: 1, buffer: 1, peakrate: 9007199254740991, minburst: 1 }),
    "[ChaosAction.bandwidth] peakrate: 9007199254740991 must exceed the rate ('9000tbps' is 9895604649984000 as Chaos Mesh converts it): the kernel's tbf refuses a peak rate at or below the rate"],
  ['a fractional peakrate', () => ChaosAction.bandwidth({ rate: '1mbps', limit: 1, buffer: 1, peakrate: 1.5 }),
    '[ChaosAction.bandwidth] peakrate: must be an integer from 0 to 9007199254740991, got the number 1.5'],
  ['options as null', () => ChaosAction.loss(null as any), '[ChaosAction.loss] options: must be an object of props (they are required), got null'],
  ['fixed 0', () => ChaosMode.fixed(0), '[ChaosMode.fixed] count: must be a positive integer (the number of pods), got 0'],
  ['101 per cent', () => ChaosMode.fixedPercent(101), '[ChaosMode.fixedPercent] percent: must be an integer from 1 to 100 (Chaos Mesh refuses 0 and fractions), got 101'],
  ['a fractional percentage', () => ChaosMode.randomMaxPercent(2.5),
    '[ChaosMode.randomMaxPercent] percent: must be an integer from 1 to 100 (Chaos Mesh refuses 0 and fractions), got 2.5'],
  ['a percentage as a string', () => ChaosMode.fixedPercent('50' as any), "[ChaosMode.fixedPercent] percent: must be a number, got the string '50'"],
];

describe('factories refuse bad options at once', () => {
  test.each(FACTORY_REFUSED)('%s', (_what, make, message) => {
    expect(make).toThrow(message);
    try {
      make();
    } catch (e) {
      expect(Errors.isValidationError(e)).toBe(true);
      expect((e as Error).message).toBe(message);
    }
  });
});

describe('what the acknowledgements and the direction allow', () => {
  test('an acknowledged control-plane namespace is emitted', () => {
    const chart = chartFor(Cni.calico());
    new NetworkChaosExperiment(chart, 'coredns-delay', {
      action: ChaosAction.delay({ latency: '50ms' }),
      pods: { namespaces: ['kube-system'], labels: { 'k8s-app': 'kube-dns' } },
      duration: '2m',
      acknowledgedControlPlaneNamespaces: ['kube-system'],
    });
    const [obj] = synthValid(chart).filter((o) => o.kind === 'NetworkChaos');
    expect(obj.metadata).toEqual({ name: 'coredns-delay', namespace: 'kube-system' });
    expect(obj.spec.selector).toEqual({ namespaces: ['kube-system'], labelSelectors: { 'k8s-app': 'kube-dns' } });
  });

  test('a control-plane namespace as the target of a netem action with direction to needs no acknowledgement: only the selected pods get the fault', () => {
    const obj = build({ ...base, action: ChaosAction.delay({ latency: '200ms' }), target: { pods: { namespaces: ['kube-system'], labels: { 'k8s-app': 'kube-dns' } } } });
    expect(Testing.synth(obj.node.scope as Chart).find((o) => o.kind === 'NetworkChaos').spec.target.selector.namespaces).toEqual(['kube-system']);
  });

  test('a partition injects into its target pods whatever the direction: a control-plane target needs the acknowledgement', () => {
    const toDns = { ...base, target: { pods: { namespaces: ['kube-system'], labels: { 'k8s-app': 'kube-dns' } } } };
    expect(() => build(toDns)).toThrow("[test/exp] target.pods.namespaces: 'kube-system' is the cluster's system namespace");
    expect(() => build({ ...toDns, acknowledgedControlPlaneNamespaces: ['kube-system'] })).not.toThrow();
  });

  test('a partition from external targets needs no pod target', () => {
    expect(() => build({ action: P, pods: SHOP, direction: ChaosDirection.FROM, externalTargets: ['192.0.2.0/24'], duration: '5m' })).not.toThrow();
  });

  test("another CNI's namespace is an ordinary namespace when the ClusterNetwork says which CNI runs", () => {
    expect(() => build({ ...base, pods: { namespaces: ['calico-system'] } }, 'cilium-istio')).not.toThrow();
    expect(() => build({ ...base, pods: { namespaces: ['calico-system'] } }, 'none')).toThrow(/control-plane namespace of the calico CNI/);
  });

  test('chaosMeshNamespace moves the protection', () => {
    expect(() => build({ ...base, pods: { namespaces: ['chaos-mesh'] }, chaosMeshNamespace: 'chaos-testing' })).not.toThrow();
    expect(() => build({ ...base, pods: { namespaces: ['chaos-testing'] }, chaosMeshNamespace: 'chaos-testing' }))
      .toThrow("[test/exp] pods.namespaces: 'chaos-testing' is Chaos Mesh's own namespace");
  });

  test('a ClusterNetwork declared in another branch of the app is still an error, not "no ClusterNetwork"', () => {
    const app = new App();
    new ClusterNetwork(new Chart(app, 'platform'), 'cluster', { cni: Cni.calico() });
    expect(() => new NetworkChaosExperiment(new Chart(app, 'chaos'), 'exp', base))
      .toThrow(/\[chaos\/exp\] ClusterNetwork: none is declared in this construct's scope or its ancestors, but 'platform\/cluster' is declared/);
  });

  test('what the shortest interval between runs lets through: the limits are exact', () => {
    const ok = (duration: string, cron: string) => expect(() => build({ ...base, duration, schedule: { cron } })).not.toThrow();
    const okLong = (duration: string, cron: string) =>
      expect(() => build({ ...base, duration, acknowledgeLongDuration: true, schedule: { cron } })).not.toThrow();
    ok('4m59s', '*/5 * * * *');
    ok('59m', '0 3,4,9 * * mon-fri');
    okLong('23h59m', '30 23 * * *');
    // One run a day, never on two consecutive days (a week, about a fortnight apart): no refusal.
    okLong('25h', '0 3 * * 1');
    okLong('25h', '0 3 1,15 * *');
    okLong('167h', '@weekly');
    ok('59m59s', '@every 1h');
  });

  test('the exact gaps let through everything shorter: month ends, the day-of-month OR day-of-week rule, days apart', () => {
    const okLong = (duration: string, cron: string) =>
      expect(() => build({ ...base, duration, acknowledgeLongDuration: true, schedule: { cron } })).not.toThrow();
    okLong('23h59m', '0 3 31,1 * *');
    okLong('23h59m', '0 3 1,28 feb,mar *');
    okLong('23h59m', '0 3 15 * mon');
    okLong('47h59m', '30 6 * * mon,wed');
    okLong('719h', '0 3 31,1 jan *');
    // @monthly: 1 February to 1 March of a common year, 28 days.
    okLong('671h', '@monthly');
    // 29 February comes every fourth year, and eight years apart across 2100 (no leap day in a century year not divisible by 400).
    okLong('35063h', '0 3 29 feb *');
    expect(() => build({ ...base, duration: '35064h', acknowledgeLongDuration: true, schedule: { cron: '0 3 29 feb *' } }))
      .toThrow("[test/exp] duration: '35064h' is not shorter than the shortest interval between the schedule's runs (126230400s)");
  });

  test('gaps across the new year, and lines that run on a few days of the cycle only', () => {
    // 31 December to 1 January; 1 January to 1 January of the next year; a 13th of February or March or any Friday of
    // them (both fields restricted: OR), e.g. Friday 13 to Saturday 14 February 2009.
    expect([gap('0 3 31,1 dec,jan *'), gap('@yearly'), gap('0 3 13 feb,mar fri')]).toEqual([86400, 365 * 86400, 86400]);
    // '*/1' is a star (robfig/cron keeps the star bit for a step of 1): the 13th AND any weekday, 13 February to 13 March
    // of a common year; '*/2' is not: the 13th OR a Sunday, Tuesday, Thursday or Saturday (Saturday to Sunday).
    expect([gap('0 3 13 * */1'), gap('0 3 13 * */2')]).toEqual([28 * 86400, 86400]);
    // '?' is a star too: Mondays of February only, a week apart within a year, eleven months across.
    expect(gap('0 3 ? feb mon')).toBe(7 * 86400);
  });

  test("what robfig/cron's parser accepts is accepted, with its meaning: empty list items, a '+' sign, anything after a star's '-'", () => {
    // strings.FieldsFunc drops empty items: '3,' is 3, '1,,13' is 1 and 13.
    expect([gap('0 3, * * *'), gap('0 1,,13 * * *')]).toEqual([86400, 12 * 3600]);
    // A day of month of commas only matches no day, and is no star: with a day of week, OR (every Monday).
    expect(gap('0 3 , * mon')).toBe(7 * 86400);
    // strconv.Atoi reads '+6' as 6, in a value and in a step.
    expect([gap('0 +3 * * *'), gap('0 */+6 * * *'), gap('0 3 * * +1')]).toEqual([86400, 6 * 3600, 7 * 86400]);
    // getRange reads only the text before a star's '-': '*-5' is every minute, '?-1' in day of week a star (AND: every 13th).
    expect([gap('*-5 3 * * *'), gap('0 3 13 * ?-1')]).toEqual([60, 28 * 86400]);
  });

  test('a duration over an hour is emitted when acknowledged', () => {
    const chart = chartFor(Cni.calico());
    new NetworkChaosExperiment(chart, 'soak', { ...base, duration: '1h30m', acknowledgeLongDuration: true });
    new NetworkChaosExperiment(chart, 'nightly', { ...base, duration: '2h', acknowledgeLongDuration: true, schedule: { cron: '0 1 15 * sat' } });
    expect(synthValid(chart).filter((o) => o.apiVersion === 'chaos-mesh.org/v1alpha1').map((o) => [o.kind, o.spec.duration ?? o.spec.networkChaos.duration]))
      .toEqual([['NetworkChaos', '1h30m'], ['Schedule', '2h']]);
  });

  test('a peak rate just above the converted rate, with minburst, is emitted; peakrate 0 (no peak rate) needs no minburst', () => {
    const chart = chartFor(Cni.calico());
    new NetworkChaosExperiment(chart, 'peak', { ...base, action: ChaosAction.bandwidth({ rate: '1mbps', limit: 1, buffer: 1, peakrate: 1048577, minburst: 1 }) });
    new NetworkChaosExperiment(chart, 'no-peak', { ...base, action: ChaosAction.bandwidth({ rate: '1mbps', limit: 1, buffer: 1, peakrate: 0 }) });
    expect(synthValid(chart).filter((o) => o.kind === 'NetworkChaos').map((o) => o.spec.bandwidth)).toEqual([
      { rate: '1mbps', limit: 1, buffer: 1, peakrate: 1048577, minburst: 1 },
      { rate: '1mbps', limit: 1, buffer: 1, peakrate: 0 },
    ]);
  });

  test("Chaos Mesh's other selectors, which could reach pods beyond the named namespaces (a pods map, nodes), are refused in pods and target", () => {
    for (const extra of [{ pods: { 'kube-system': ['coredns-0'] } }, { nodes: ['node-1'] }, { nodeSelectors: { zone: 'a' } },
      { fieldSelectors: { 'spec.nodeName': 'n' } }, { annotationSelectors: { a: 'b' } }, { podPhaseSelectors: ['Running'] }]) {
      const field = Object.keys(extra)[0];
      expect(() => build({ ...base, pods: { ...SHOP, ...extra } })).toThrow(`[test/exp] pods.${field}: unknown field (expected one of namespaces, labels, expressions)`);
      expect(() => build({ ...base, target: { pods: { ...DB, ...extra } } }))
        .toThrow(`[test/exp] target.pods.${field}: unknown field (expected one of namespaces, labels, expressions)`);
    }
  });

  test('a Schedule name of 57 characters and a NetworkChaos name of 63 are emitted', () => {
    const chart = chartFor(Cni.calico());
    new NetworkChaosExperiment(chart, 'scheduled', { ...base, name: 's'.repeat(57), schedule: { cron: '@daily' } });
    new NetworkChaosExperiment(chart, 'one-off', { ...base, name: 'n'.repeat(63) });
    expect(synthValid(chart).filter((o) => o.apiVersion === 'chaos-mesh.org/v1alpha1').map((o) => [o.kind, o.metadata.name]))
      .toEqual([['Schedule', 's'.repeat(57)], ['NetworkChaos', 'n'.repeat(63)]]);
  });

  test('two experiments of one name in one namespace are refused', () => {
    const chart = chartFor(Cni.calico());
    new NetworkChaosExperiment(chart, 'a', { ...base, name: 'same' });
    expect(() => new NetworkChaosExperiment(chart, 'b', { ...base, name: 'same' }))
      .toThrow("[test/b] metadata.name: NetworkChaos 'same' in namespace 'shop' is already emitted by 'test/a'; give one of them another name");
  });
});
