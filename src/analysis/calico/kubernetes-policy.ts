/**
 * Kubernetes NetworkPolicies as Calico enforces them: each becomes a policy named
 * `knp.default.<name>` in the `default` tier with order 1000 whose rules are all Allow
 * (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy, "default tier").
 * A selected endpoint that no rule allows falls through to the next policy of the tier, and to the
 * tier's end-of-tier Deny if nothing else decides.
 */
import { effectivePolicyTypes, matchingRuleIndex, selectsEndpoint } from '../kubernetes/network-policy';
import { Direction, Endpoint, ManifestObject, NamespaceIndex, refOf, SideQuery } from '../model';
import { PolicyEntry, PolicyOutcome } from './policy-entry';

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
    this.sortKey = `${this.namespace}/${this.calicoName}`;
    this.label = `Kubernetes NetworkPolicy ${this.namespace}/${np.metadata?.name ?? ''}`;
  }

  selects(ep: Endpoint, direction: Direction): boolean {
    // Computed lazily: the Kubernetes helpers are shared code evaluated at query time.
    this.types ??= new Set(effectivePolicyTypes(this.np).map((t) => t.toLowerCase()));
    return this.types.has(direction) && selectsEndpoint(this.np, ep);
  }

  evaluate(query: SideQuery): PolicyOutcome {
    const index = matchingRuleIndex(this.np, query, this.namespaces);
    if (index === undefined) return { logs: [], notes: [] };
    return { action: 'Allow', rule: `spec.${query.direction}[${index}]`, logs: [], notes: [] };
  }

  decide(query: SideQuery): 'Allow' | undefined {
    return matchingRuleIndex(this.np, query, this.namespaces) === undefined ? undefined : 'Allow';
  }

  /** Kubernetes rules only look at the peer, the port and the destination's named ports. */
  dependsOnSubject(): boolean {
    return false;
  }

  describe(rulePath: string, action: string): string {
    return `${this.label} ${rulePath} ${action} (tier default, order ${KUBERNETES_POLICY_ORDER} as ${this.calicoName})`;
  }
}
