/**
 * Kubernetes NetworkPolicies as Calico enforces them: each becomes a policy named
 * `knp.default.<name>` in the `default` tier with order 1000 whose rules are all Allow
 * (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy, "default tier").
 * A selected endpoint that no rule allows falls through to the next policy of the tier, and to the
 * tier's end-of-tier Deny if nothing else decides.
 */
import { NO_DECISION, PolicyDecision, PolicyEntry, PolicyOutcome, policySortKey } from './policy-entry';
import { effectivePolicyTypes, matchingRuleIndex, maybeRules, policyAllows, selectsEndpoint } from '../kubernetes/network-policy';
import { Direction, Endpoint, ManifestObject, NamespaceIndex, refOf, SideQuery } from '../model';
import { MAYBE, YES } from '../verdict';

const ALLOW_DECISION: PolicyDecision = { action: 'Allow', maybe: new Set() };
const MAYBE_ALLOW: PolicyDecision = { maybe: new Set(['Allow']) };

/** Order Calico gives converted Kubernetes NetworkPolicies. */
export const KUBERNETES_POLICY_ORDER = 1000;

/** A Kubernetes NetworkPolicy placed in Calico's default tier. */
export class KubernetesPolicyEntry implements PolicyEntry {
  readonly ref;
  readonly tier = 'default';
  readonly order = KUBERNETES_POLICY_ORDER;
  readonly sortKey: string;
  readonly namespace: string;
  readonly label: string;
  private readonly calicoName: string;
  private types?: Set<string>;

  constructor(private readonly np: ManifestObject, private readonly namespaces: NamespaceIndex) {
    this.namespace = np.metadata?.namespace ?? 'default';
    this.ref = { ...refOf(np), namespace: this.namespace };
    this.calicoName = `knp.default.${np.metadata?.name ?? ''}`;
    this.sortKey = policySortKey(this.calicoName, this.namespace, 'KubernetesNetworkPolicy');
    this.label = `Kubernetes NetworkPolicy ${this.namespace}/${np.metadata?.name ?? ''}`;
  }

  selects(ep: Endpoint, direction: Direction): boolean {
    // Computed lazily: the Kubernetes helpers are shared code evaluated at query time.
    this.types ??= new Set(effectivePolicyTypes(this.np).map((t) => t.toLowerCase()));
    return this.types.has(direction) && selectsEndpoint(this.np, ep);
  }

  evaluate(query: SideQuery): PolicyOutcome {
    const index = matchingRuleIndex(this.np, query, this.namespaces);
    if (index !== undefined) return { action: 'Allow', rule: `spec.${query.direction}[${index}]`, logs: [], notes: [], maybe: [] };
    // Named like the rules of Calico's own policies: the policy, the rule and its action, then why it may match.
    const maybe = maybeRules(this.np, query, this.namespaces)
      .map((m) => ({ action: 'Allow' as const, rule: m.path, why: [`${this.label} ${m.path} (Allow): ${m.why}`] }));
    return { logs: [], notes: [], maybe };
  }

  decide(query: SideQuery): PolicyDecision {
    const t = policyAllows(this.np, query, this.namespaces);
    return t === YES ? ALLOW_DECISION : t === MAYBE ? MAYBE_ALLOW : NO_DECISION;
  }

  /** Kubernetes rules only look at the peer, the port and the destination's named ports. */
  dependsOnSubject(): boolean {
    return false;
  }

  describe(rulePath: string, action: string): string {
    return `${this.label} ${rulePath} ${action} (tier default, order ${KUBERNETES_POLICY_ORDER} as ${this.calicoName})`;
  }
}
