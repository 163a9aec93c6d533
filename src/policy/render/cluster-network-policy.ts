import { IConstruct } from 'constructs';
import { NAMESPACE_NAME_LABEL, labelSelector } from './kubernetes';
import { MAX_OBJECT_NAME, nameError } from './object-names';
import { ipv4OfMapped } from '../../util/cidr';
import { assertNever, internalError } from '../../util/errors';
import { IntentRule, PolicyIntent, ResolvedPeer, ResolvedPort, rulesOf, sortedLabels } from '../intent';
import { Direction, RuleAction } from '../rule';

/** The CRD's `maxItems` for rules per direction, peers per rule and protocols per rule. */
const MAX_ITEMS = 25;

/**
 * Why a deny intent cannot be rendered as ClusterNetworkPolicy, or undefined when it can.
 * ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) networks have no `except`, cannot be
 * ingress peers, and a `Pass` workaround would skip the rest of the Admin tier, so those are refused
 * rather than approximated. The pinned CRD also caps rules per direction, peers per rule and
 * protocols per rule at 25. Named ports are refused: `destinationNamedPort` has no protocol (it
 * matches the named port whatever its protocol, where the other renderers match the protocol too)
 * and cannot apply to `networks` peers. An IPv4-mapped IPv6 block (`::ffff:a.b.c.d/n`) is refused: the CRD
 * checks each network with the CEL `isCIDR`, whose parser rejects IPv4-mapped addresses.
 */
export function clusterNetworkPolicyLimitation(intent: PolicyIntent): string | undefined {
  for (const direction of [Direction.INGRESS, Direction.EGRESS]) {
    const count = rulesOf(intent, direction, RuleAction.DENY).length;
    if (count > MAX_ITEMS) return `${count} ${direction.toLowerCase()} deny rules: ClusterNetworkPolicy allows at most ${MAX_ITEMS} per direction`;
  }
  for (const rule of intent.rules) {
    if (rule.ports.length > MAX_ITEMS) return `${rule.origin}: ${rule.ports.length} ports, ClusterNetworkPolicy allows at most ${MAX_ITEMS} per rule`;
    if (rule.ports.some((p) => p.name !== undefined)) {
      return `${rule.origin}: ClusterNetworkPolicy named ports have no protocol (and cannot apply to CIDR peers), so they `
        + 'would not match what NetworkPolicy matches: use port numbers';
    }
    for (const peer of rule.peers) {
      if (peer.type === 'cidr' && rule.direction === Direction.INGRESS) return `${rule.origin}: ClusterNetworkPolicy has no ingress CIDR peers`;
      if (peer.type === 'cidr' && peer.except.length) return `${rule.origin}: ClusterNetworkPolicy networks have no 'except'`;
      if (peer.type === 'cidr') {
        const ipv4 = ipv4OfMapped(peer.cidr);
        if (ipv4) {
          return `${rule.origin}: ClusterNetworkPolicy networks cannot hold the IPv4-mapped IPv6 block ${peer.cidr} `
            + `(the API server refuses IPv4-mapped addresses in a CIDR): deny ${ipv4} instead`;
        }
      }
      if (peer.type === 'entity' || peer.type === 'fqdn') return `${rule.origin}: peer ${peer.type} is not expressible`;
    }
    if (rule.peers.length > MAX_ITEMS) return `${rule.origin}: more than ${MAX_ITEMS} peers`;
  }
  return undefined;
}

/**
 * A deny-only intent as an Admin-tier ClusterNetworkPolicy: evaluated before every NetworkPolicy,
 * so the deny cannot be overridden by a tenant's own policies.
 * https://network-policy-api.sigs.k8s.io/
 */
export function clusterNetworkPolicyManifest(intent: PolicyIntent, priority: number, owner?: IConstruct): any {
  const spec: any = { tier: 'Admin', priority, subject: subject(intent) };
  const ingress = rulesOf(intent, Direction.INGRESS, RuleAction.DENY).map((r) => cnpRule(r, 'from'));
  const egress = rulesOf(intent, Direction.EGRESS, RuleAction.DENY).map((r) => cnpRule(r, 'to'));
  if (ingress.length) spec.ingress = ingress;
  if (egress.length) spec.egress = egress;
  const name = clusterNetworkPolicyName(intent, owner);
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name, ...(Object.keys(intent.labels).length ? { labels: sortedLabels(intent.labels) } : {}) },
    spec,
  };
}

/**
 * `metadata.name` of a ClusterNetworkPolicy: cluster-scoped, so a namespaced intent is prefixed with
 * its namespace (`<namespace>.<name>`) to stay unique. Object names are DNS-1123 subdomains of at
 * most 253 characters.
 */
export function clusterNetworkPolicyName(intent: PolicyIntent, owner?: IConstruct): string {
  if (intent.namespace === undefined) return intent.name;
  const name = `${intent.namespace}.${intent.name}`;
  if (name.length > MAX_OBJECT_NAME) {
    throw nameError(owner, intent.name, `the ClusterNetworkPolicy name '<namespace>.<name>' would be ${name.length} characters, `
      + `over the ${MAX_OBJECT_NAME} Kubernetes allows: shorten the name to at most ${MAX_OBJECT_NAME - intent.namespace.length - 1} characters`);
  }
  return name;
}

function subject(intent: PolicyIntent): any {
  const namespaceSelector = intent.namespace === undefined
    ? labelSelector(intent.namespaceLabels)
    : labelSelector({ [NAMESPACE_NAME_LABEL]: intent.namespace });
  if (Object.keys(intent.podLabels).length === 0) return { namespaces: namespaceSelector };
  return { pods: { namespaceSelector, podSelector: labelSelector(intent.podLabels) } };
}

function cnpRule(rule: IntentRule, field: 'from' | 'to'): any {
  const out: any = { action: 'Deny', [field]: rule.peers.map(cnpPeer) };
  if (rule.ports.length) out.protocols = rule.ports.map(cnpPort);
  return out;
}

function cnpPeer(peer: ResolvedPeer): any {
  switch (peer.type) {
    case 'pods':
      return Object.keys(peer.podLabels).length === 0
        ? { namespaces: labelSelector({ [NAMESPACE_NAME_LABEL]: peer.namespace }) }
        : { pods: { namespaceSelector: labelSelector({ [NAMESPACE_NAME_LABEL]: peer.namespace }), podSelector: labelSelector(peer.podLabels) } };
    case 'podsInNamespaces': {
      const namespaces = labelSelector(peer.namespaceLabels, peer.namespaceExpressions);
      return Object.keys(peer.podLabels).length === 0
        ? { namespaces }
        : { pods: { namespaceSelector: namespaces, podSelector: labelSelector(peer.podLabels) } };
    }
    case 'cidr':
      return { networks: [peer.cidr] };
    case 'entity':
    case 'fqdn':
      // clusterNetworkPolicyLimitation refuses these before rendering.
      throw internalError(`peer ${peer.type} is not expressible as ClusterNetworkPolicy`);
    default:
      return assertNever(peer, 'peer');
  }
}

/** A ClusterNetworkPolicy port (named ports are refused by {@link clusterNetworkPolicyLimitation}). */
function cnpPort(port: ResolvedPort): any {
  const key = port.protocol.toLowerCase();
  if (port.port === undefined) return { [key]: { destinationPort: { range: { start: 1, end: 65535 } } } };
  if (port.endPort !== undefined) return { [key]: { destinationPort: { range: { start: port.port, end: port.endPort } } } };
  return { [key]: { destinationPort: { number: port.port } } };
}
