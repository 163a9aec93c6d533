/**
 * policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy semantics (schema pinned in
 * ../shared/schemas/policy.networking.k8s.io/clusternetworkpolicy_v1alpha2.json; upstream
 * https://network-policy-api.sigs.k8s.io/).
 *
 * Tiers are evaluated Admin -> NetworkPolicy -> Baseline -> default allow. Inside a tier, policies
 * with a lower `priority` go first and rules are evaluated in order; the first matching rule
 * decides: `Accept` and `Deny` are final, `Pass` skips the rest of the tier.
 */
import { Endpoint, ManifestObject, NamespaceIndex, Reason, SideQuery, describeRef, refOf, namespaceLabelsOf, isPodNetworkEndpoint } from './model';
import { LabelSelector, matchesLabelSelector } from './selectors';
import { cidrContainsIp, parseCidrLoose, parseIpLoose } from '../util/cidr';

/** The two tiers a ClusterNetworkPolicy can use. */
export type ClusterNetworkPolicyTier = 'Admin' | 'Baseline';

/** Is this object a policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy? */
export function isClusterNetworkPolicy(obj: ManifestObject): boolean {
  return obj.apiVersion === 'policy.networking.k8s.io/v1alpha2' && obj.kind === 'ClusterNetworkPolicy';
}

/** The outcome of one tier: the deciding rule's action, or undefined when no rule matched. */
export interface TierOutcome {
  readonly action?: 'Accept' | 'Deny' | 'Pass';
  readonly reason?: Reason;
}

/** The policies of one tier, sorted by priority (then name, for deterministic ties). */
export function policiesOfTier(manifests: ManifestObject[], tier: ClusterNetworkPolicyTier): ManifestObject[] {
  return manifests
    .filter((m) => isClusterNetworkPolicy(m) && m.spec?.tier === tier)
    .sort((a, b) => (a.spec?.priority ?? 0) - (b.spec?.priority ?? 0)
      || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** A rule of a ClusterNetworkPolicy that matched a flow, with its position in the direction's rule list. */
export interface MatchedRule {
  /** Index in `spec.ingress` / `spec.egress`. */
  readonly index: number;
  /** The rule as written (any shape: manifests are not validated). */
  readonly rule: any;
}

/** Every matching rule decides (the ClusterNetworkPolicy API's own reading). */
const EVERY_RULE = (): boolean => true;

/**
 * The first rule of `cnp` for the query's direction whose peers (`from` / `to`) and `protocols`
 * match the flow and that `decides` (by default every matching rule does); undefined when none.
 * The subject is not looked at: callers check it first. Malformed input never throws: a null rule
 * or a null peer matches nothing.
 */
export function firstMatchingRule(
  cnp: ManifestObject,
  query: SideQuery,
  namespaces: NamespaceIndex,
  decides: (rule: any) => boolean = EVERY_RULE,
): MatchedRule | undefined {
  const rules: any[] = (query.direction === 'ingress' ? cnp.spec?.ingress : cnp.spec?.egress) ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] ?? {};
    const peers: any[] = (query.direction === 'ingress' ? rule.from : rule.to) ?? [];
    if (!peers.some((p) => peerMatches(p ?? {}, query.peer, namespaces))) continue;
    if (!protocolsMatch(rule.protocols, query)) continue;
    if (decides(rule)) return { index: i, rule };
  }
  return undefined;
}

/** Evaluate one tier's (sorted) policies for one side of a flow. */
export function evaluateTier(policies: ManifestObject[], query: SideQuery, namespaces: NamespaceIndex): TierOutcome {
  for (const cnp of policies) {
    if (!selectsSubject(cnp, query.subject, namespaces)) continue;
    const matched = firstMatchingRule(cnp, query, namespaces);
    if (!matched) continue;
    const { index, rule } = matched;
    const action = rule.action as 'Accept' | 'Deny' | 'Pass';
    const path = `spec.${query.direction}[${index}]`;
    const named = rule.name ? ` (${rule.name})` : '';
    return {
      action,
      reason: {
        object: refOf(cnp),
        rule: path,
        effect: action === 'Accept' ? 'allow' : action === 'Deny' ? 'deny' : 'pass',
        message: `${describeRef(refOf(cnp))} (${cnp.spec?.tier} tier, priority ${cnp.spec?.priority})`
          + ` ${path}${named}: ${action}`,
      },
    };
  }
  return {};
}

/**
 * Does the policy's subject select `endpoint`? Subject: `namespaces` (all pods of the selected
 * namespaces) or `pods` (namespace AND pod selector); host-networked pods are never selected.
 */
export function selectsSubject(cnp: ManifestObject, endpoint: Endpoint, namespaces: NamespaceIndex): boolean {
  const subject = cnp.spec?.subject;
  return !!subject && podSelection(subject, endpoint, namespaces);
}

/** Shared `namespaces` / `pods` selection of subjects and peers; host-networked pods are never included. */
function podSelection(sel: any, endpoint: Endpoint, namespaces: NamespaceIndex): boolean {
  if (!isPodNetworkEndpoint(endpoint)) return false;
  const nsLabels = namespaceLabelsOf(endpoint, namespaces);
  if (sel.namespaces) return matchesLabelSelector(sel.namespaces as LabelSelector, nsLabels);
  if (sel.pods) {
    // "if empty, it selects all Namespaces": an absent namespaceSelector is treated the same way.
    return matchesLabelSelector(sel.pods.namespaceSelector ?? {}, nsLabels)
      && matchesLabelSelector(sel.pods.podSelector ?? {}, endpoint.labels);
  }
  return false;
}

/** One peer: `namespaces`, `pods` or (egress only) `networks`, which match by IP any endpoint with one. */
export function peerMatches(peer: any, endpoint: Endpoint, namespaces: NamespaceIndex): boolean {
  if (peer.networks) {
    if (!endpoint.ip) return false;
    const ip = parseIpLoose(endpoint.ip);
    if (!ip) return false;
    return (peer.networks as string[]).some((n) => {
      const cidr = parseCidrLoose(String(n));
      return !!cidr && cidrContainsIp(cidr, ip);
    });
  }
  return podSelection(peer, endpoint, namespaces);
}

/** Absent `protocols` = all traffic; otherwise any item (tcp/udp/sctp destinationPort or destinationNamedPort). */
export function protocolsMatch(protocols: any[] | undefined, query: SideQuery): boolean {
  if (!protocols || protocols.length === 0) return true;
  return protocols.some((p) => {
    if (!p) return false;
    if (p.destinationNamedPort !== undefined) {
      // Resolved on the destination pod's container ports; never matches nodes or networks.
      const dest = query.destination;
      return isPodNetworkEndpoint(dest) && dest.namedPorts.some(
        (np) => np.name === p.destinationNamedPort && np.port === query.port && np.protocol === query.protocol,
      );
    }
    const key = query.protocol.toLowerCase();
    const spec = p[key];
    if (!spec) return false;
    const dp = spec.destinationPort;
    if (!dp) return true;
    if (dp.number !== undefined) return dp.number === query.port;
    if (dp.range) return query.port >= dp.range.start && query.port <= dp.range.end;
    return false;
  });
}
