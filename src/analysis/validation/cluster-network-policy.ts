/**
 * What the API server rejects in policy.networking.k8s.io objects, per the pinned CRD schema
 * (../shared/schemas/policy.networking.k8s.io/clusternetworkpolicy_v1alpha2.json): ClusterNetworkPolicy
 * v1alpha2 in full; AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1 only in what the
 * analyzer reads of them (subject and rule actions), since it does not evaluate their rules.
 */
import { at, Checker } from './checker';
import { cidrInFamily, parseCidrLoose } from '../../util/cidr';

/** The CRD's `maxItems` of rules, peers, networks and protocols. */
const MAX_ITEMS = 25;
/** The CRD's `maxLength` of a rule name and of a networks item. */
const MAX_RULE_NAME = 100;
const MAX_NETWORK = 43;

/** A union (`minProperties: 1`, `maxProperties: 1`): exactly one of `keys` is set. */
function exactlyOne(obj: Record<string, any>, keys: readonly string[], path: string, c: Checker): void {
  const set = keys.filter((k) => obj[k] !== undefined && obj[k] !== null);
  if (set.length !== 1) c.report(path, `must set exactly one of ${keys.join(', ')} (got ${set.length ? set.join(', ') : 'none'})`);
}

function atMost(list: unknown[], max: number, what: string, path: string, c: Checker): void {
  if (list.length > max) c.report(path, `has ${list.length} ${what}, at most ${max} are allowed`);
}

function checkPods(value: unknown, path: string, c: Checker): void {
  const pods = c.object(value, path);
  if (!pods) return;
  c.labelSelector(pods.namespaceSelector, at(path, 'namespaceSelector'));
  if (pods.podSelector === undefined || pods.podSelector === null) c.report(at(path, 'podSelector'), 'is required');
  c.labelSelector(pods.podSelector, at(path, 'podSelector'));
}

/**
 * A `networks` item: at most 43 characters and a CIDR by the CEL `isCIDR`, whose parser (Kubernetes'
 * CEL CIDR library) refuses IPv4-mapped IPv6 prefixes.
 */
function checkNetwork(text: string, path: string, c: Checker): void {
  if (text.length > MAX_NETWORK) {
    c.report(path, `is ${text.length} characters, at most ${MAX_NETWORK} are allowed`);
    return;
  }
  const parsed = parseCidrLoose(text);
  const ipv4 = parsed?.family === 'ipv6' ? cidrInFamily(parsed, 'ipv4') : undefined;
  if (ipv4) {
    c.report(path, `'${text}' is an IPv4-mapped IPv6 prefix, which isCIDR refuses: use ${ipv4.text}`);
    return;
  }
  c.cidr(text, path);
}

function checkSubject(value: unknown, path: string, c: Checker, required: boolean): void {
  const subject = c.object(value, path);
  if (!subject) {
    if (required) c.report(path, 'is required');
    return;
  }
  c.labelSelector(subject.namespaces, at(path, 'namespaces'));
  checkPods(subject.pods, at(path, 'pods'), c);
  exactlyOne(subject, ['namespaces', 'pods'], path, c);
}

function checkDestinationPort(value: unknown, path: string, c: Checker): void {
  const dp = c.object(value, path);
  if (!dp) return;
  exactlyOne(dp, ['number', 'range'], path, c);
  c.port(dp.number, at(path, 'number'));
  const range = c.object(dp.range, at(path, 'range'));
  if (range) {
    const start = c.port(range.start, at(at(path, 'range'), 'start'));
    const end = c.port(range.end, at(at(path, 'range'), 'end'));
    if (start === undefined && range.start === undefined) c.report(at(at(path, 'range'), 'start'), 'is required');
    if (end === undefined && range.end === undefined) c.report(at(at(path, 'range'), 'end'), 'is required');
    // CEL `self.start < self.end`: a one-port range is refused too.
    if (start !== undefined && end !== undefined && end <= start) c.report(at(path, 'range'), `start ${start} must be less than end ${end}`);
  }
}

/** policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy. */
export function checkClusterNetworkPolicy(obj: Record<string, any>, c: Checker): void {
  const spec = c.object(obj.spec, 'spec');
  if (!spec) {
    c.report('spec', 'is required');
    return;
  }
  if (spec.tier === undefined) c.report('spec.tier', 'is required');
  c.oneOf(spec.tier, 'spec.tier', ['Admin', 'Baseline']);
  if (spec.priority === undefined) c.report('spec.priority', 'is required');
  c.number(spec.priority, 'spec.priority', { integer: true, min: 0, max: 1000 });
  checkSubject(spec.subject, 'spec.subject', c, true);
  for (const direction of ['ingress', 'egress'] as const) {
    const peersField = direction === 'ingress' ? 'from' : 'to';
    const rules = c.objects(spec[direction], `spec.${direction}`);
    atMost(rules, MAX_ITEMS, 'rules', `spec.${direction}`, c);
    for (const { item: rule, path } of rules) {
      if (rule.action === undefined) c.report(at(path, 'action'), 'is required');
      c.oneOf(rule.action, at(path, 'action'), ['Accept', 'Deny', 'Pass']);
      const name = c.string(rule.name, at(path, 'name'));
      if (name !== undefined && name.length > MAX_RULE_NAME) {
        c.report(at(path, 'name'), `is ${name.length} characters, at most ${MAX_RULE_NAME} are allowed`);
      }
      const peers = c.objects(rule[peersField], at(path, peersField));
      if (peers.length === 0) c.report(at(path, peersField), 'must list at least one peer');
      atMost(peers, MAX_ITEMS, 'peers', at(path, peersField), c);
      for (const { item: peer, path: p } of peers) {
        c.labelSelector(peer.namespaces, at(p, 'namespaces'));
        checkPods(peer.pods, at(p, 'pods'), c);
        if (peer.networks !== undefined && peer.networks !== null) {
          if (direction === 'ingress') {
            c.report(at(p, 'networks'), 'is only valid in egress rules');
          } else {
            const networks = c.strings(peer.networks, at(p, 'networks'));
            if (Array.isArray(peer.networks) && peer.networks.length === 0) c.report(at(p, 'networks'), 'must list at least one CIDR');
            atMost(networks, MAX_ITEMS, 'CIDRs', at(p, 'networks'), c);
            networks.forEach((n, i) => checkNetwork(n, at(at(p, 'networks'), i), c));
          }
        }
        const members = direction === 'ingress' ? ['namespaces', 'pods'] : ['namespaces', 'pods', 'networks'];
        if (direction === 'egress' || peer.networks === undefined || peer.networks === null) exactlyOne(peer, members, p, c);
      }
      const protocols = c.objects(rule.protocols, at(path, 'protocols'));
      if (Array.isArray(rule.protocols) && rule.protocols.length === 0) {
        c.report(at(path, 'protocols'), 'must list at least one protocol (omit it to match every protocol and port)');
      }
      atMost(protocols, MAX_ITEMS, 'protocols', at(path, 'protocols'), c);
      for (const { item: proto, path: p } of protocols) {
        c.string(proto.destinationNamedPort, at(p, 'destinationNamedPort'));
        for (const key of ['tcp', 'udp', 'sctp']) {
          const l4 = c.object(proto[key], at(p, key));
          if (!l4) continue;
          // `minProperties: 1`: `tcp: {}` is refused (destinationPort is its only field).
          if (l4.destinationPort === undefined || l4.destinationPort === null) c.report(at(p, key), 'must set destinationPort');
          checkDestinationPort(l4.destinationPort, at(at(p, key), 'destinationPort'), c);
        }
        exactlyOne(proto, ['tcp', 'udp', 'sctp', 'destinationNamedPort'], p, c);
      }
    }
  }
}

/** policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy: the BANP's name, subject and actions. */
export function checkAdminNetworkPolicy(obj: Record<string, any>, c: Checker): void {
  const spec = c.object(obj.spec, 'spec');
  if (!spec) {
    c.report('spec', 'is required');
    return;
  }
  // network-policy-api v0.1 BANP CRD (CEL on the object): one per cluster, named default.
  if (obj.kind === 'BaselineAdminNetworkPolicy' && obj.metadata?.name !== 'default') {
    c.report('metadata.name', 'must be \'default\': the CRD admits a single BaselineAdminNetworkPolicy per cluster, named default');
  }
  checkSubject(spec.subject, 'spec.subject', c, true);
  const actions = obj.kind === 'AdminNetworkPolicy' ? ['Allow', 'Deny', 'Pass'] : ['Allow', 'Deny'];
  if (obj.kind === 'AdminNetworkPolicy') c.number(spec.priority, 'spec.priority', { integer: true, min: 0, max: 1000 });
  for (const direction of ['ingress', 'egress'] as const) {
    for (const { item: rule, path } of c.objects(spec[direction], `spec.${direction}`)) {
      if (rule.action === undefined) c.report(at(path, 'action'), 'is required');
      c.oneOf(rule.action, at(path, 'action'), actions);
    }
  }
}
