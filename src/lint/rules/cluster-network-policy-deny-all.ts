import { isClusterNetworkPolicy } from '../../analysis/cluster-network-policy';
import { isEmptySelector, LabelSelector } from '../../analysis/selectors';
import { IpFamily } from '../../cluster/ip-family';
import { familiesHeldWhole } from '../../util/cidr';
import { asArray, isObject } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

type Direction = 'ingress' | 'egress';
type Family = 'ipv4' | 'ipv6';

/**
 * An Admin-tier ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2,
 * https://network-policy-api.sigs.k8s.io/) whose subject is every pod and whose rules deny a whole
 * direction towards every pod cuts DNS served by pods and every other pod-to-pod connection of the cluster, the
 * control plane's pods included, and no NetworkPolicy can allow it back: the Admin tier is evaluated
 * before NetworkPolicy, the first matching rule decides, and `Deny` is final.
 *
 * Reported only when that is certain from the manifests: the subject selects all namespaces
 * (`namespaces: {}`, or `pods` with empty selectors); one rule of the direction is `Deny` without
 * `protocols`, and a peer selecting every pod (`namespaces: {}` or `pods` with empty selectors) or,
 * on egress, `networks` with the whole address space of each IP family of the cluster (both families
 * when unknown); no rule before it in the policy is `Accept` or `Pass`; and no other Admin-tier
 * ClusterNetworkPolicy in the manifests that goes first or ties (a lower or equal `priority`) has an
 * `Accept` or `Pass` rule in that direction. Host-networked pods are never subjects or pod peers, so
 * the node's own traffic stays as it was. The Baseline tier is left alone: NetworkPolicies override it,
 * so a Baseline deny-all is the usual cluster-wide default deny.
 */
export const clusterNetworkPolicyDenyAll: LintRule = {
  ids: ['cluster-network-policy-deny-all'],
  check(ctx: LintContext): RuleReport[] {
    const admin = ctx.documents.filter((d) => isClusterNetworkPolicy(d.obj) && isObject(d.obj.spec) && d.obj.spec.tier === 'Admin');
    const families: Family[] = ctx.ipFamilies && ctx.ipFamilies.length > 0 ? ctx.ipFamilies.map((f) => (f === IpFamily.IPV4 ? 'ipv4' : 'ipv6')) : ['ipv4', 'ipv6'];
    const out: RuleReport[] = [];
    for (const doc of admin) {
      const spec = doc.obj.spec;
      if (!selectsEveryPod(spec.subject)) continue;
      const denials: string[] = [];
      for (const direction of ['ingress', 'egress'] as const) {
        const at = denyAllRule(asArray(spec[direction]), direction, families);
        if (at === undefined) continue;
        // Another Admin policy that goes first or ties (or whose order is not known) may accept or pass some of it.
        const rival = admin.some((other) => other !== doc && asArray(other.obj.spec[direction]).some(exempts)
          && !(typeof other.obj.spec.priority === 'number' && typeof spec.priority === 'number' && other.obj.spec.priority > spec.priority));
        if (rival) continue;
        denials.push(`spec.${direction}[${at}] denies ${direction === 'ingress' ? 'its ingress from' : 'its egress to'} every pod`);
      }
      if (denials.length === 0) continue;
      out.push({
        doc,
        severity: LintSeverity.WARNING,
        path: 'spec.subject',
        message: `the subject selects every pod of every namespace (kube-system included) and ${denials.join(', and ')}: DNS served by pods `
          // A NodeLocal DNS cache is host-networked: neither a subject nor a pod peer, so DNS through it may still work.
          + '(CoreDNS; a node-local cache on the host network is no pod) and every other pod-to-pod connection of the cluster are cut, '
          + 'and no NetworkPolicy can allow them back (the Admin tier goes first)',
        fix: 'scope the subject, e.g. namespaces: { matchExpressions: [{ key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, ...] }] }, '
          + 'accept DNS and the platform in a policy with a lower priority, or put a cluster-wide default deny in the Baseline tier, which NetworkPolicies can override',
      });
    }
    return out;
  },
};

/** An empty label selector: `{}`, or empty `matchLabels` / `matchExpressions`. */
function emptySelector(value: unknown): boolean {
  return isObject(value) && isEmptySelector(value as LabelSelector);
}

/** A subject or pod peer that selects every (pod-network) pod: `namespaces: {}`, or `pods` with both selectors empty (an absent namespaceSelector is all namespaces). */
function selectsEveryPod(sel: unknown): boolean {
  if (!isObject(sel)) return false;
  if (sel.namespaces !== undefined) return emptySelector(sel.namespaces);
  return isObject(sel.pods) && emptySelector(sel.pods.podSelector)
    && (sel.pods.namespaceSelector === undefined || emptySelector(sel.pods.namespaceSelector));
}

/** Index of the first rule that denies the direction towards every pod, with only Deny rules before it; undefined for none. */
function denyAllRule(rules: unknown[], direction: Direction, families: readonly Family[]): number | undefined {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (!isObject(rule) || rule.action !== 'Deny') return undefined;
    if (asArray(rule.protocols).length > 0) continue;
    const peers = asArray(direction === 'ingress' ? rule.from : rule.to);
    if (peers.some(selectsEveryPod)) return i;
    // The networks of all peers of a rule count together (an egress peer only): every address of every family.
    const whole = familiesHeldWhole(peers.flatMap((p) => (isObject(p) ? asArray(p.networks) : [])));
    if (direction === 'egress' && families.every((f) => whole.has(f))) return i;
  }
  return undefined;
}

/** Can the rule exempt traffic from a later Deny (Accept is final, Pass skips the rest of the Admin tier)? */
function exempts(rule: unknown): boolean {
  return isObject(rule) && (rule.action === 'Accept' || rule.action === 'Pass');
}
