import { ipv4OfMapped } from '../../util/cidr';
import { assertNever, internalError } from '../../util/errors';
import { IntentRule, PolicyIntent, ResolvedPeer, ResolvedPort, directionsIn, rulesOf, sortedLabels } from '../intent';
import { LabelExpression } from '../label-expression';
import { Direction, RuleAction } from '../rule';
import { SharedRenderings, renderShared, renderedOnce } from './shared-rendering';

/** The label Kubernetes sets on every namespace (GA 1.22): the only reliable namespace selector. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Can networking.k8s.io/v1 NetworkPolicy express this intent exactly? Allow rules only, L3/L4
 * peers only, namespaced, no precedence.
 */
export function isExpressibleAsNetworkPolicy(intent: PolicyIntent): boolean {
  return (
    intent.namespace !== undefined &&
    intent.precedence === undefined &&
    intent.rules.every(
      (r) => r.action === RuleAction.ALLOW && r.http.length === 0 && r.peers.every((p) => p.type === 'pods' || p.type === 'podsInNamespaces' || p.type === 'cidr'),
    )
  );
}

/**
 * Why a NetworkPolicy cannot hold this intent's CIDR peers, or undefined when it can. Kubernetes 1.36
 * validates `ipBlock.cidr` and `except` strictly (KEP-4858 StrictIPCIDRValidation: beta and on by
 * default in 1.36, GA in 1.38; 1.33-1.35 accept it with an API warning that the value "will be considered
 * invalid", kubernetes/kubernetes#128786): an
 * IPv4-mapped IPv6 block (`::ffff:a.b.c.d/n`) is refused, so the policy would not apply. Its
 * addresses are IPv4 on the wire, which the IPv4 block expresses. The other blocks 1.36 refuses
 * (host bits set, zero-padded octets or prefix length: util/cidr strictCidrProblem) never get here:
 * CIDR input is parsed strictly and rendered canonical (util/cidr parseCidr).
 */
export function networkPolicyCidrLimitation(intent: PolicyIntent): string | undefined {
  for (const rule of intent.rules) {
    for (const peer of rule.peers) {
      if (peer.type !== 'cidr') continue;
      for (const block of [peer.cidr, ...peer.except]) {
        if (!block.includes(':')) continue; // IPv4: never mapped (and no parse on the hot path)
        const ipv4 = ipv4OfMapped(block);
        if (ipv4 !== undefined) {
          return `${rule.origin}: NetworkPolicy ipBlocks cannot hold the IPv4-mapped IPv6 block ${block} (Kubernetes 1.36 refuses `
            + 'IPv4-mapped addresses in ipBlock by default, KEP-4858; earlier versions accept them, from 1.33 with an API warning): its addresses are '
            + `IPv4 on the wire, use ${ipv4}`;
        }
      }
    }
  }
  return undefined;
}

/** Build the networking.k8s.io/v1 NetworkPolicy manifest (wire format) for an allow-only intent. */
export function networkPolicyManifest(intent: PolicyIntent): any {
  const namespace = intent.namespace as string;
  const spec: any = {
    podSelector: labelSelector(intent.podLabels),
    // Always explicit: omitted policyTypes silently drop egress isolation (NETWORKING-FACTS 2).
    policyTypes: directionsIn((d) => intent.isolate.includes(d)),
  };
  const seen = new Map<ResolvedPeer[], any[]>();
  const rule = (r: IntentRule, field: 'from' | 'to') => renderShared(NETWORK_POLICY_RULES, r, namespace, () => networkPolicyRule(r, namespace, field, seen));
  const ingress = rulesOf(intent, Direction.INGRESS, RuleAction.ALLOW).map((r) => rule(r, 'from'));
  const egress = rulesOf(intent, Direction.EGRESS, RuleAction.ALLOW).map((r) => rule(r, 'to'));
  if (ingress.length > 0) spec.ingress = ingress;
  if (egress.length > 0) spec.egress = egress;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: intent.name, namespace, ...(Object.keys(intent.labels).length ? { labels: sortedLabels(intent.labels) } : {}) },
    spec,
  };
}

/** NetworkPolicy rules of shared intent rules (see renderShared). */
const NETWORK_POLICY_RULES: SharedRenderings<any> = new WeakMap();

function networkPolicyRule(rule: IntentRule, policyNamespace: string, peerField: 'from' | 'to', seen: Map<ResolvedPeer[], any[]>): any {
  const out: any = { [peerField]: renderedOnce(seen, rule.peers, () => rule.peers.map((p) => networkPolicyPeer(p, policyNamespace))) };
  if (rule.ports.length > 0) out.ports = rule.ports.map(networkPolicyPort);
  return out;
}

/**
 * One peer. Namespace and pod selectors of the same intent go into ONE list item (AND); never two
 * items, which would be OR (NETWORKING-FACTS 5).
 */
export function networkPolicyPeer(peer: ResolvedPeer, policyNamespace: string): any {
  switch (peer.type) {
    case 'pods':
      if (peer.namespace === policyNamespace) return { podSelector: labelSelector(peer.podLabels) };
      return {
        namespaceSelector: labelSelector({ [NAMESPACE_NAME_LABEL]: peer.namespace }),
        ...(Object.keys(peer.podLabels).length ? { podSelector: labelSelector(peer.podLabels) } : {}),
      };
    case 'podsInNamespaces':
      return {
        namespaceSelector: labelSelector(peer.namespaceLabels, peer.namespaceExpressions),
        ...(Object.keys(peer.podLabels).length ? { podSelector: labelSelector(peer.podLabels) } : {}),
      };
    case 'cidr':
      return { ipBlock: { cidr: peer.cidr, ...(peer.except.length ? { except: [...peer.except] } : {}) } };
    case 'entity':
    case 'fqdn':
      // isExpressibleAsNetworkPolicy keeps these away from this writer.
      throw internalError(`peer ${peer.type} is not expressible as NetworkPolicy`);
    default:
      return assertNever(peer, 'peer');
  }
}

/** One port: number, range (endPort), named, or every port of a protocol. */
export function networkPolicyPort(port: ResolvedPort): any {
  if (port.name !== undefined) return { protocol: port.protocol, port: port.name };
  if (port.port === undefined) return { protocol: port.protocol };
  return { protocol: port.protocol, port: port.port, ...(port.endPort !== undefined ? { endPort: port.endPort } : {}) };
}

/** The selector of every pod (or namespace). */
const SELECT_ALL = Object.freeze({});

/** `{}` for no labels (select all), `{matchLabels, matchExpressions}` otherwise, keys sorted. */
export function labelSelector(labels: Record<string, string>, expressions: LabelExpression[] = []): any {
  // Select-all is one shared frozen `{}` (manifests are never changed once built; see labelsOrShared).
  if (expressions.length === 0 && Object.keys(labels).length === 0) return SELECT_ALL;
  const out: any = {};
  if (Object.keys(labels).length) {
    out.matchLabels = {};
    for (const [k, v] of Object.entries(sortedLabels(labels))) out.matchLabels[k] = v;
  }
  if (expressions.length) {
    out.matchExpressions = expressions.map((e) => ({
      key: e.key,
      operator: e.operator,
      ...(e.values?.length ? { values: [...e.values] } : {}),
    }));
  }
  return out;
}
