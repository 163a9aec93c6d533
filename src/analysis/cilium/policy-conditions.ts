/**
 * CiliumNetworkPolicy features whose acceptance depends on what the manifests do not say, the Cilium
 * version or an agent flag (internal): a policy using one is applied by some clusters and rejected
 * whole by others, so the model compares the verdicts with and without it.
 *
 * - `fromRequires` / `toRequires`: deprecated in 1.17, applied by 1.18, rejected by 1.19+
 *   (cilium/cilium#42615);
 * - a CIDRSet `except` with a shorter prefix than its cidr: rejected by 1.20 (cilium/cilium#44637),
 *   applied by 1.18/1.19 (cilium/cilium#44614);
 * - `fromNodes` / `toNodes` in an allow rule: rejected unless the agent runs with
 *   enable-node-selector-labels (pkg/policy/api/rule_validation.go).
 */
import { CiliumRuleSet, usesWiderExcept } from './policies';
import { describeRef, refOf } from '../model';

/** Does a rule set use `fromRequires` / `toRequires` (deprecated in 1.17, removed in 1.19)? */
function usesRequires(rule: any): boolean {
  return ['ingress', 'ingressDeny', 'egress', 'egressDeny'].some((field) => Array.isArray(rule?.[field])
    && rule[field].some((r: any) => (Array.isArray(r?.fromRequires) && r.fromRequires.length > 0)
      || (Array.isArray(r?.toRequires) && r.toRequires.length > 0)));
}

/**
 * Does a rule set use `fromNodes` / `toNodes` in an allow rule? Ingress/EgressRule.sanitize
 * (pkg/policy/api/rule_validation.go) fails such a rule unless the agent runs with
 * enable-node-selector-labels (Helm `nodeSelectorLabels`, default false), rejecting the policy.
 */
function usesNodeSelectors(rule: any): boolean {
  return (Array.isArray(rule?.ingress) && rule.ingress.some((r: any) => Array.isArray(r?.fromNodes) && r.fromNodes.length > 0))
    || (Array.isArray(rule?.egress) && rule.egress.some((r: any) => Array.isArray(r?.toNodes) && r.toNodes.length > 0));
}

/** The conditions, each with the test for a rule set that uses it and the text after "X uses ". */
export const CONDITIONS: Array<{ uses: (rule: any) => boolean; condition: string }> = [
  {
    uses: usesRequires,
    condition: 'fromRequires/toRequires, which Cilium 1.18 applies and 1.19+ rejects with the whole policy (cilium/cilium#42615)',
  },
  {
    uses: usesWiderExcept,
    condition: 'a CIDRSet except with a shorter prefix than its cidr, which Cilium 1.20 rejects with the whole policy (cilium/cilium#44637) '
      + 'and 1.18/1.19 apply (cilium/cilium#44614)',
  },
  {
    uses: usesNodeSelectors,
    condition: 'fromNodes/toNodes, which Cilium applies only when the agent runs with enable-node-selector-labels (Helm nodeSelectorLabels, '
      + 'default false) and rejects with the whole policy otherwise',
  },
];

/** Policies whose acceptance depends on what the manifests do not say: the Cilium version or an agent flag (`M`: the model). */
export interface ConditionalPolicies<M> {
  readonly objects: Set<object>;
  /** `Kind ns/name` of the objects, sorted. */
  readonly names: string[];
  /** The same manifests without these objects. */
  readonly without: M;
  /** Why they may or may not apply, after "X uses " / "X and Y use ". */
  readonly condition: string;
}

/**
 * `X uses <condition>` for each conditional group, naming the policies of the group among the rule sets selecting
 * the subject (`selected`), `; `-separated.
 */
export function conditionText(selected: readonly CiliumRuleSet[], groups: ReadonlyArray<ConditionalPolicies<unknown>>): string {
  return groups.map((c) => {
    // The conditional policies that select the subject (all of them for a node-like subject, policed by host policies).
    const selecting = [...new Set(selected.filter((rs) => c.objects.has(rs.object))
      .map((rs) => describeRef(refOf(rs.object))))].sort();
    const names = selecting.length > 0 ? selecting : c.names;
    return `${names.join(', ')} use${names.length === 1 ? 's' : ''} ${c.condition}`;
  }).join('; ');
}
