/**
 * The common shape of everything Calico places in a tier: its own NetworkPolicy and
 * GlobalNetworkPolicy, Kubernetes NetworkPolicies (default tier, order 1000) and
 * ClusterNetworkPolicies (kube-admin / kube-baseline tiers).
 */
import { L7Matcher } from '../http-request';
import { Direction, Endpoint, ObjectRef, Reason, SideQuery } from '../model';
import { RuleContext } from './rules';

/** A deciding action of a Calico tier entry. */
export type CalicoDecision = 'Allow' | 'Deny' | 'Pass';

/** A rule that may match (whether it does depends on something the manifests do not say). */
export interface MaybeAction {
  readonly action: CalicoDecision;
  /** JSON path of the rule. */
  readonly rule: string;
  /** Why it may match (endpoint-independent). */
  readonly why: string[];
}

/** What {@link PolicyEntry.decide} returns: the deciding action, and the actions of rules that may match before it. */
export interface PolicyDecision {
  readonly action?: CalicoDecision;
  /** Empty in the common case (shared, never mutated). */
  readonly maybe: ReadonlySet<CalicoDecision>;
}

/** No rule matched and none may. */
export const NO_DECISION: PolicyDecision = { maybe: new Set() };

/** What a policy did with a flow. */
export interface PolicyOutcome {
  /** The deciding action, or undefined when no rule surely matched (evaluation continues in the tier). */
  readonly action?: CalicoDecision;
  /** JSON path of the deciding rule. */
  readonly rule?: string;
  /** Log rules that matched on the way (informational). */
  readonly logs: Reason[];
  /** Approximations the analyzer made while evaluating this policy. */
  readonly notes: string[];
  /** L7 constraints attached to an Allow. */
  readonly l7?: L7Matcher[];
  /** Rules before the deciding one (or all rules, when none decided) that may match. */
  readonly maybe: MaybeAction[];
}

/** A policy placed in a tier. */
export interface PolicyEntry {
  readonly ref: ObjectRef;
  readonly tier: string;
  /** Order within the tier (lower first); undefined sorts last. */
  readonly order?: number;
  /**
   * Tie-breaker after order: `<name>/<namespace>/<kind>` as Felix builds it (see
   * {@link policySortKey}).
   */
  readonly sortKey: string;
  /** Namespace of a namespaced policy; undefined for cluster-wide ones. */
  readonly namespace?: string;
  /** Human-readable identity, e.g. `GlobalNetworkPolicy deny-all`. */
  readonly label: string;
  /**
   * Can an Allow of this policy carry L7 constraints (a Calico `http` match on an Allow rule)?
   * @default false
   */
  readonly hasL7Rules?: boolean;
  /** Does the policy select `ep` for `direction` (selector matches and the type applies)? */
  selects(ep: Endpoint, direction: Direction, ctx: RuleContext): boolean;
  /** Evaluate the rules for a query whose subject this policy selects. */
  evaluate(query: SideQuery, ctx: RuleContext): PolicyOutcome;
  /**
   * What `evaluate(query, ctx)` returns (the action and the maybe actions) without building logs,
   * notes or messages: the flow matrix asks millions of questions.
   */
  decide(query: SideQuery, ctx: RuleContext): PolicyDecision;
  /**
   * Can this policy's `direction` rules depend on the selected endpoint's own labels, namespace,
   * service account or IP (beyond being selected, and beyond named ports on the destination)?
   * Used to group endpoints that always get the same verdict.
   */
  dependsOnSubject(direction: Direction): boolean;
  /** Message for a decision by `rulePath`, naming the policy, action, tier and order. */
  describe(rulePath: string, action: string): string;
}

/**
 * Felix's tie-break for policies of equal order in one tier (felix/calc/policy_sorter.go,
 * PolKVLess): the strings `<name>/<namespace>/<kind>` of the policy keys, compared bytewise. The
 * name is the Calico name (`knp.default.<name>` for a Kubernetes NetworkPolicy), the namespace is
 * empty for cluster-wide policies and the kind is the v3 kind (`KubernetesNetworkPolicy` for a
 * converted Kubernetes policy). So the name decides first: a GlobalNetworkPolicy `b` runs before a
 * NetworkPolicy `a/c` of equal order, and only equal names fall back to the namespace.
 */
export function policySortKey(name: string, namespace: string | undefined, kind: string): string {
  return `${name}/${namespace ?? ''}/${kind}`;
}

/** Sort policies within a tier: by order (unset last), then by sort key. */
export function comparePolicies(a: PolicyEntry, b: PolicyEntry): number {
  const ao = a.order ?? Number.POSITIVE_INFINITY;
  const bo = b.order ?? Number.POSITIVE_INFINITY;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}
