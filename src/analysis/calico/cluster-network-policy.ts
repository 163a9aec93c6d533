/**
 * policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy as Calico 3.32 enforces it: `tier: Admin`
 * policies live in Calico's `kube-admin` tier (order 1,000, default action Pass) and `tier:
 * Baseline` in `kube-baseline` (order 10,000,000, default action Pass), with `priority` as the
 * policy order and Accept/Deny/Pass as Allow/Deny/Pass
 * (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy,
 * https://network-policy-api.sigs.k8s.io/api-overview/). A policy only affects a direction it has
 * rules for.
 *
 * Ties: Calico converts each ClusterNetworkPolicy into a policy of kind
 * `KubernetesClusterNetworkPolicy` (libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go,
 * K8sClusterNetworkPolicyToCalico), and Felix orders equal-order policies by the string
 * `<name>/<namespace>/<kind>` (felix/calc/policy_sorter.go, PolKVLess). Between two
 * ClusterNetworkPolicies of one tier that is their names followed by `/`: `a-b` runs before `a`
 * ('-' sorts before '/'). Against a Calico policy placed in the same tier with the same order the
 * tie-break depends on the name Felix keys the converted policy by (the plain name in the
 * converter, `kcnp.<tier>.<name>` in libcalico-go's FV expectations), which is not established:
 * see {@link isUnconfirmedTie}.
 */
import { CalicoDecision, MaybeAction, PolicyDecision, PolicyEntry, PolicyOutcome, policySortKey } from './policy-entry';
import { isClusterNetworkPolicy, maybeWhy, selectsSubject, walkRules } from '../cluster-network-policy';
import { Direction, Endpoint, ManifestObject, NamespaceIndex, refOf, SideQuery } from '../model';

/** Calico tier that holds Admin-tier ClusterNetworkPolicies. */
export const KUBE_ADMIN_TIER = 'kube-admin';
/** Calico tier that holds Baseline-tier ClusterNetworkPolicies. */
export const KUBE_BASELINE_TIER = 'kube-baseline';

export { isClusterNetworkPolicy };

/** The v3 kind Calico gives converted ClusterNetworkPolicies (libcalico-go model.KindKubernetesClusterNetworkPolicy). */
export const KUBERNETES_CLUSTER_NETWORK_POLICY_KIND = 'KubernetesClusterNetworkPolicy';

const ACTIONS: Record<string, 'Allow' | 'Deny' | 'Pass'> = { Accept: 'Allow', Deny: 'Deny', Pass: 'Pass' };

/** Does the rule carry an action Calico maps (Accept, Deny, Pass)? */
function hasCalicoAction(rule: any): boolean {
  return typeof rule?.action === 'string' && Object.prototype.hasOwnProperty.call(ACTIONS, rule.action);
}

/** Does the rule match by `destinationNamedPort` in one of its protocols? */
function usesNamedPort(rule: any): boolean {
  return Array.isArray(rule?.protocols) && rule.protocols.some((p: any) => p?.destinationNamedPort !== undefined);
}

/**
 * A rule that decides as written: a known action and no named port, or a Deny (as written or
 * replaced by a deny-all rule, a Deny it matches is denied either way).
 */
function decidesAsWritten(rule: any): boolean {
  return hasCalicoAction(rule) && (!usesNamedPort(rule) || rule.action === 'Deny');
}

/**
 * Named ports: libcalico-go's converter (conversion/clusternetworkpolicy.go,
 * k8sCNPPortToCalicoFields: "named ports are not supported yet") fails such a rule, then drops it
 * (Accept) or replaces it with a rule that denies everything (Deny, Pass:
 * k8sClusterNetPolHandleFailedRules). Whether Calico 3.32.1 still does is not established, so the
 * rule may act as written, or as dropped / deny-all: it never surely decides.
 */
const NAMED_PORT_NOTE = 'uses destinationNamedPort, which libcalico-go\'s ClusterNetworkPolicy converter rejects (the rule is then dropped '
  + 'if it accepts, or replaced by a rule denying all traffic if it denies or passes); whether Calico 3.32 still does is not established';

/** A ClusterNetworkPolicy placed in kube-admin or kube-baseline. */
export class ClusterNetworkPolicyEntry implements PolicyEntry {
  readonly ref;
  readonly tier: string;
  readonly order?: number;
  readonly sortKey: string;
  readonly namespace = undefined;
  readonly label: string;

  constructor(private readonly obj: ManifestObject, private readonly namespaces: NamespaceIndex) {
    this.ref = refOf(obj);
    this.tier = obj.spec?.tier === 'Baseline' ? KUBE_BASELINE_TIER : KUBE_ADMIN_TIER;
    this.order = typeof obj.spec?.priority === 'number' ? obj.spec.priority : undefined;
    const name = obj.metadata?.name ?? '';
    this.sortKey = policySortKey(name, undefined, KUBERNETES_CLUSTER_NETWORK_POLICY_KIND);
    this.label = `ClusterNetworkPolicy ${name}`;
  }

  selects(ep: Endpoint, direction: Direction): boolean {
    const rules = this.obj.spec?.[direction];
    return Array.isArray(rules) && rules.length > 0 && selectsSubject(this.obj, ep, this.namespaces);
  }

  evaluate(query: SideQuery): PolicyOutcome {
    // A matching rule whose action Calico does not know is skipped, as if it did not match.
    const walk = walkRules(this.obj, query, this.namespaces, decidesAsWritten);
    const maybe: MaybeAction[] = walk.maybe.map((m) => ({
      action: ACTIONS[m.rule.action], rule: `spec.${query.direction}[${m.index}]`, why: [maybeWhy(this.obj, m, query)],
    }));
    maybe.push(...this.namedPortMaybes(query, walk.matched?.index));
    if (!walk.matched) return { logs: [], notes: [], maybe };
    return { action: ACTIONS[walk.matched.rule.action], rule: `spec.${query.direction}[${walk.matched.index}]`, logs: [], notes: [], maybe };
  }

  decide(query: SideQuery): PolicyDecision {
    const walk = walkRules(this.obj, query, this.namespaces, decidesAsWritten);
    const named = this.namedPortMaybes(query, walk.matched?.index);
    const maybe = new Set<CalicoDecision>([...walk.maybe.map((m) => ACTIONS[m.rule.action]), ...named.map((m) => m.action)]);
    return walk.matched ? { action: ACTIONS[walk.matched.rule.action], maybe } : { maybe };
  }

  /** What the named-port rules before rule `before` (all, when undefined) may do (see NAMED_PORT_NOTE). */
  private namedPortMaybes(query: SideQuery, before: number | undefined): MaybeAction[] {
    const rules: unknown = this.obj.spec?.[query.direction];
    if (!Array.isArray(rules)) return [];
    const out: MaybeAction[] = [];
    rules.forEach((rule, index) => {
      if ((before !== undefined && index >= before) || !hasCalicoAction(rule) || !usesNamedPort(rule)) return;
      const path = `spec.${query.direction}[${index}]`;
      const why = [`${this.label} ${path} (${rule.action}) ${NAMED_PORT_NOTE}`];
      // Deny rules are walked as written; what remains is the deny-all replacement.
      if (rule.action !== 'Deny') {
        const asWritten = walkRules(this.obj, query, this.namespaces, (r) => r === rule);
        if (asWritten.matched || asWritten.maybe.length > 0) out.push({ action: ACTIONS[rule.action], rule: path, why });
      }
      if (rule.action !== 'Accept') out.push({ action: 'Deny', rule: path, why });
    });
    return out;
  }

  /** ClusterNetworkPolicy rules only look at the peer, the port and the destination's named ports. */
  dependsOnSubject(): boolean {
    return false;
  }

  describe(rulePath: string, action: string): string {
    const original = action === 'Allow' ? 'Accept' : action;
    return `${this.label} ${rulePath} ${original} (tier ${this.tier}, priority ${this.order ?? 'unset'})`;
  }
}

/**
 * Is the relative order of two policies of equal order in one tier not established? True between a
 * ClusterNetworkPolicy and a policy of another kind (see the module comment); the analysis then
 * considers both orders.
 */
export function isUnconfirmedTie(a: PolicyEntry, b: PolicyEntry): boolean {
  return (a.order ?? Infinity) === (b.order ?? Infinity)
    && (a instanceof ClusterNetworkPolicyEntry) !== (b instanceof ClusterNetworkPolicyEntry);
}
