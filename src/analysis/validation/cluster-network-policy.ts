/**
 * What the API server rejects in policy.networking.k8s.io objects, per the pinned CRD schema
 * (../shared/schemas/policy.networking.k8s.io/clusternetworkpolicy_v1alpha2.json): ClusterNetworkPolicy
 * v1alpha2 in full; AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1 only in what the
 * analyzer reads of them (subject and rule actions), since it does not evaluate their rules.
 */
import { at, Checker } from './checker';

function checkSubject(value: unknown, path: string, c: Checker, required: boolean): void {
  const subject = c.object(value, path);
  if (!subject) {
    if (required) c.report(path, 'is required');
    return;
  }
  c.labelSelector(subject.namespaces, at(path, 'namespaces'));
  const pods = c.object(subject.pods, at(path, 'pods'));
  if (pods) {
    c.labelSelector(pods.namespaceSelector, at(at(path, 'pods'), 'namespaceSelector'));
    c.labelSelector(pods.podSelector, at(at(path, 'pods'), 'podSelector'));
  }
  if (!subject.namespaces && !subject.pods) c.report(path, 'must set namespaces or pods');
}

function checkDestinationPort(value: unknown, path: string, c: Checker): void {
  const dp = c.object(value, path);
  if (!dp) return;
  c.port(dp.number, at(path, 'number'));
  const range = c.object(dp.range, at(path, 'range'));
  if (range) {
    const start = c.port(range.start, at(at(path, 'range'), 'start'));
    const end = c.port(range.end, at(at(path, 'range'), 'end'));
    if (start === undefined && range.start === undefined) c.report(at(at(path, 'range'), 'start'), 'is required');
    if (end === undefined && range.end === undefined) c.report(at(at(path, 'range'), 'end'), 'is required');
    if (start !== undefined && end !== undefined && end < start) c.report(at(path, 'range'), `end ${end} is below start ${start}`);
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
    if (rules.length > 25) c.report(`spec.${direction}`, `has ${rules.length} rules, at most 25 are allowed`);
    for (const { item: rule, path } of rules) {
      if (rule.action === undefined) c.report(at(path, 'action'), 'is required');
      c.oneOf(rule.action, at(path, 'action'), ['Accept', 'Deny', 'Pass']);
      c.string(rule.name, at(path, 'name'));
      const peers = c.objects(rule[peersField], at(path, peersField));
      if (peers.length === 0) c.report(at(path, peersField), 'must list at least one peer');
      for (const { item: peer, path: p } of peers) {
        c.labelSelector(peer.namespaces, at(p, 'namespaces'));
        const pods = c.object(peer.pods, at(p, 'pods'));
        if (pods) {
          c.labelSelector(pods.namespaceSelector, at(at(p, 'pods'), 'namespaceSelector'));
          c.labelSelector(pods.podSelector, at(at(p, 'pods'), 'podSelector'));
        }
        if (peer.networks !== undefined) {
          if (direction === 'ingress') c.report(at(p, 'networks'), 'is only valid in egress rules');
          c.strings(peer.networks, at(p, 'networks')).forEach((n, i) => c.cidr(n, at(at(p, 'networks'), i)));
        }
        if (!peer.namespaces && !peer.pods && !peer.networks) c.report(p, 'must set namespaces, pods or networks');
      }
      for (const { item: proto, path: p } of c.objects(rule.protocols, at(path, 'protocols'))) {
        c.string(proto.destinationNamedPort, at(p, 'destinationNamedPort'));
        for (const key of ['tcp', 'udp', 'sctp']) {
          const l4 = c.object(proto[key], at(p, key));
          if (l4) checkDestinationPort(l4.destinationPort, at(at(p, key), 'destinationPort'), c);
        }
      }
    }
  }
}

/** policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy: subject and actions. */
export function checkAdminNetworkPolicy(obj: Record<string, any>, c: Checker): void {
  const spec = c.object(obj.spec, 'spec');
  if (!spec) {
    c.report('spec', 'is required');
    return;
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
