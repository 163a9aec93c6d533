/**
 * The common shape of everything Calico places in a tier: its own NetworkPolicy and
 * GlobalNetworkPolicy, Kubernetes NetworkPolicies (default tier, order 1000) and
 * ClusterNetworkPolicies (kube-admin / kube-baseline tiers).
 */
import { Direction, Endpoint, ObjectRef, Reason, SideQuery } from '../model';
import { RuleContext } from './rules';

/** What a policy did with a flow. */
export interface PolicyOutcome {
  /** The deciding action, or undefined when no rule matched (evaluation continues in the tier). */
  readonly action?: 'Allow' | 'Deny' | 'Pass';
  /** JSON path of the deciding rule. */
  readonly rule?: string;
  /** Log rules that matched on the way (informational). */
  readonly logs: Reason[];
  /** Approximations the analyzer made while evaluating this policy. */
  readonly notes: string[];
  /** L7 constraints attached to an Allow. */
  readonly l7?: string[];
}

/** A policy placed in a tier. */
export interface PolicyEntry {
  readonly ref: ObjectRef;
  readonly tier: string;
  /** Order within the tier (lower first); undefined sorts last. */
  readonly order?: number;
  /** Tie-breaker after order. */
  readonly sortKey: string;
  /** Namespace of a namespaced policy; undefined for cluster-wide ones. */
  readonly namespace?: string;
  /** Human-readable identity, e.g. `GlobalNetworkPolicy platform.deny-all`. */
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
   * The deciding action alone (what `evaluate(query, ctx).action` returns), without building logs,
   * notes or messages: the flow matrix asks millions of questions.
   */
  decide(query: SideQuery, ctx: RuleContext): 'Allow' | 'Deny' | 'Pass' | undefined;
  /**
   * Can this policy's `direction` rules depend on the selected endpoint's own labels, namespace,
   * service account or IP (beyond being selected, and beyond named ports on the destination)?
   * Used to group endpoints that always get the same verdict.
   */
  dependsOnSubject(direction: Direction): boolean;
  /** Message for a decision by `rulePath`, naming the policy, action, tier and order. */
  describe(rulePath: string, action: string): string;
}

/** Sort policies within a tier: by order (unset last), then by sort key. */
export function comparePolicies(a: PolicyEntry, b: PolicyEntry): number {
  const ao = a.order ?? Number.POSITIVE_INFINITY;
  const bo = b.order ?? Number.POSITIVE_INFINITY;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}
