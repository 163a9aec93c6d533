/**
 * policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy semantics (schema pinned in
 * ../shared/schemas/policy.networking.k8s.io/clusternetworkpolicy_v1alpha2.json; upstream
 * https://network-policy-api.sigs.k8s.io/).
 *
 * Tiers are evaluated Admin -> NetworkPolicy -> Baseline -> default allow. Inside a tier, policies
 * with a lower `priority` go first and rules are evaluated in order; the first matching rule
 * decides: `Accept` and `Deny` are final, `Pass` skips the rest of the tier. A `networks` peer may
 * only *maybe* match a pod whose IP is unknown: such a rule adds its action to the possible outcomes
 * and evaluation continues (see ./verdict).
 */
import { blockOf, matchAddresses, unknownAddressWhy } from './addresses';
import { Endpoint, ManifestObject, NamespaceIndex, Reason, SideQuery, describeRef, refOf, namespaceLabelsOf, isPodNetworkEndpoint } from './model';
import { LabelSelector, matchesLabelSelector } from './selectors';
import { MAYBE, NO, Tri, YES } from './verdict';
import { apiVersionOf, isClusterNetworkPolicyKind } from '../util/vocabulary';

/** The two tiers a ClusterNetworkPolicy can use. */
export type ClusterNetworkPolicyTier = 'Admin' | 'Baseline';

/** A ClusterNetworkPolicy rule action. */
export type CnpAction = 'Accept' | 'Deny' | 'Pass';

/** Is this object a policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy? */
export function isClusterNetworkPolicy(obj: ManifestObject): boolean {
  return isClusterNetworkPolicyKind(obj) && apiVersionOf(obj) === 'v1alpha2';
}

/** The policies of one tier, sorted by priority (then name, for a deterministic order; ties are indeterminate where they disagree, see samePriorityRivals). */
export function policiesOfTier(manifests: ManifestObject[], tier: ClusterNetworkPolicyTier): ManifestObject[] {
  return manifests
    .filter((m) => isClusterNetworkPolicy(m) && m.spec?.tier === tier)
    .sort((a, b) => (a.spec?.priority ?? 0) - (b.spec?.priority ?? 0)
      || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** A rule of a ClusterNetworkPolicy that matched (or may match) a flow. */
export interface MatchedRule {
  /** Index in `spec.ingress` / `spec.egress`. */
  readonly index: number;
  /** The rule as written. */
  readonly rule: any;
}

/** The first rule that surely matches, and the rules before it that may match. */
export interface RuleWalk {
  readonly matched?: MatchedRule;
  /** Rules before `matched` (or all, when none surely matched) whose peers may match. */
  readonly maybe: MatchedRule[];
}

/** Every matching rule decides (the ClusterNetworkPolicy API's own reading). */
const EVERY_RULE = (): boolean => true;

function rulesOf(cnp: ManifestObject, query: SideQuery): any[] {
  const rules = query.direction === 'ingress' ? cnp.spec?.ingress : cnp.spec?.egress;
  return Array.isArray(rules) ? rules : [];
}

/** Do the rule's peers and protocols match the flow? The `networks` of all its peers count together. */
function ruleTruth(rule: any, query: SideQuery, namespaces: NamespaceIndex): Tri {
  if (!protocolsMatch(rule?.protocols, query)) return NO;
  const peers: any[] = (query.direction === 'ingress' ? rule?.from : rule?.to) ?? [];
  const networks: string[] = [];
  for (const p of peers) {
    if (p?.networks) networks.push(...(p.networks as unknown[]).map(String));
    else if (podSelection(p ?? {}, query.peer, namespaces)) return YES;
  }
  return networks.length > 0 ? matchAddresses(query.peer, blockOf(peers, networks)) : NO;
}

/**
 * Walk the rules of `cnp` for the query's direction: the first rule whose peers and protocols
 * surely match and that `decides` (by default every rule does), and the deciding rules before it
 * that may match. The subject is not looked at: callers check it first.
 */
export function walkRules(
  cnp: ManifestObject,
  query: SideQuery,
  namespaces: NamespaceIndex,
  decides: (rule: any) => boolean = EVERY_RULE,
): RuleWalk {
  const maybe: MatchedRule[] = [];
  const rules = rulesOf(cnp, query);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] ?? {};
    if (!decides(rule)) continue;
    const t = ruleTruth(rule, query, namespaces);
    if (t === YES) return { matched: { index: i, rule }, maybe };
    if (t === MAYBE) maybe.push({ index: i, rule });
  }
  return { maybe };
}

/** Why a rule of `cnp` may match the query: its `networks` peers against an unknown address. */
export function maybeWhy(cnp: ManifestObject, matched: MatchedRule, query: SideQuery): string {
  const path = `spec.${query.direction}[${matched.index}]`;
  const who = query.direction === 'ingress' ? 'source' : 'destination';
  return `${describeRef(refOf(cnp))} ${path} (${matched.rule.action}): its networks may or may not contain the ${who}'s address: `
    + unknownAddressWhy(query.peer);
}

/** One tier's outcome for one side: the deciding rule, and rules before it that may decide instead. */
export interface TierOutcome {
  readonly action?: CnpAction;
  readonly reason?: Reason;
  /** Rules that may match before the deciding one (or when none decided), with why. */
  readonly maybe: Array<{ readonly action: CnpAction; readonly why: string }>;
}

/** Evaluate one tier's (sorted) policies for one side of a flow. */
export function evaluateTier(policies: ManifestObject[], query: SideQuery, namespaces: NamespaceIndex): TierOutcome {
  const maybe: Array<{ action: CnpAction; why: string }> = [];
  for (const [i, cnp] of policies.entries()) {
    if (!selectsSubject(cnp, query.subject, namespaces)) continue;
    const walk = walkRules(cnp, query, namespaces);
    for (const m of walk.maybe) maybe.push({ action: m.rule.action, why: maybeWhy(cnp, m, query) });
    if (!walk.matched) continue;
    const { index, rule } = walk.matched;
    const action = rule.action as CnpAction;
    for (const tie of samePriorityRivals(policies, i, action, query, namespaces)) {
      maybe.push({
        action: tie.action,
        why: `${describeRef(refOf(tie.policy))} has the same priority (${cnp.spec?.priority}) as ${describeRef(refOf(cnp))} and may match too: `
          + 'the implementation may apply either (ClusterNetworkPolicy priority)',
      });
    }
    const path = `spec.${query.direction}[${index}]`;
    const named = rule.name ? ` (${rule.name})` : '';
    return {
      action,
      maybe,
      reason: {
        object: refOf(cnp),
        rule: path,
        effect: action === 'Accept' ? 'allow' : action === 'Deny' ? 'deny' : 'pass',
        message: `${describeRef(refOf(cnp))} (${cnp.spec?.tier} tier, priority ${cnp.spec?.priority})`
          + ` ${path}${named}: ${action}`,
      },
    };
  }
  return { maybe };
}

/** What a tier decides, without messages: the deciding action and the actions of rules that may match before it. */
export interface TierDecision {
  readonly action?: CnpAction;
  readonly maybe: ReadonlySet<CnpAction>;
}

/** The same walk as {@link evaluateTier}, without messages. */
export function tierDecision(policies: ManifestObject[], query: SideQuery, namespaces: NamespaceIndex): TierDecision {
  const maybe = new Set<CnpAction>();
  for (const [i, cnp] of policies.entries()) {
    if (!selectsSubject(cnp, query.subject, namespaces)) continue;
    const walk = walkRules(cnp, query, namespaces);
    for (const m of walk.maybe) maybe.add(m.rule.action as CnpAction);
    if (!walk.matched) continue;
    const action = walk.matched.rule.action as CnpAction;
    for (const tie of samePriorityRivals(policies, i, action, query, namespaces)) maybe.add(tie.action);
    return { action, maybe };
  }
  return { maybe };
}

/**
 * The policies after `policies[at]` (sorted by priority) with the same priority that select the
 * subject and may match the flow with another action than `action`. The API leaves the choice among
 * same-priority policies that match a connection to the implementation (the v1alpha2 `priority`
 * field: "the implementation can apply any of the matching policies"), so the name order the
 * analyzer sorts by decides nothing.
 */
function samePriorityRivals(policies: ManifestObject[], at: number, action: CnpAction, query: SideQuery, namespaces: NamespaceIndex)
  : Array<{ policy: ManifestObject; action: CnpAction }> {
  const priority = policies[at].spec?.priority ?? 0;
  const rivals: Array<{ policy: ManifestObject; action: CnpAction }> = [];
  for (const other of policies.slice(at + 1)) {
    if ((other.spec?.priority ?? 0) !== priority) break;
    if (!selectsSubject(other, query.subject, namespaces)) continue;
    const walk = walkRules(other, query, namespaces);
    // Its first rule that surely matches, or any that may match before it, could be the one applied.
    const actions = [...walk.maybe.map((m) => m.rule.action as CnpAction), ...(walk.matched ? [walk.matched.rule.action as CnpAction] : [])];
    for (const a of new Set(actions)) if (a !== action) rivals.push({ policy: other, action: a });
  }
  return rivals;
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

/**
 * One peer: `namespaces`, `pods` or (egress only) `networks`, which match by address any endpoint,
 * pods included (MAYBE when the pod's IP is unknown and the networks cover its space only in part).
 */
export function peerMatches(peer: any, endpoint: Endpoint, namespaces: NamespaceIndex): Tri {
  if (peer.networks) return matchAddresses(endpoint, blockOf(peer, (peer.networks as unknown[]).map(String)));
  return podSelection(peer, endpoint, namespaces) ? YES : NO;
}

/** Absent `protocols` = all traffic; otherwise any item (tcp/udp/sctp destinationPort or destinationNamedPort). */
export function protocolsMatch(protocols: any[] | undefined, query: SideQuery): boolean {
  if (!Array.isArray(protocols) || protocols.length === 0) return true;
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

/**
 * The label-based peers (`namespaces`, `pods`) of ClusterNetworkPolicies, as predicates for peer
 * keys (one per distinct peer).
 */
export function clusterPolicyPeerClauses(policies: ManifestObject[], namespaces: NamespaceIndex): Array<(e: Endpoint) => boolean> {
  const clauses = new Map<string, (e: Endpoint) => boolean>();
  for (const cnp of policies) {
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = cnp.spec?.[direction];
      for (const rule of Array.isArray(rules) ? rules : []) {
        const peers = direction === 'ingress' ? rule?.from : rule?.to;
        for (const peer of Array.isArray(peers) ? peers : []) {
          if (!peer || peer.networks) continue;
          const key = JSON.stringify(peer);
          if (!clauses.has(key)) clauses.set(key, (e) => podSelection(peer, e, namespaces));
        }
      }
    }
  }
  return [...clauses.values()];
}
