/**
 * Calico 3.32 (open source) policy semantics for the reachability analyzer.
 *
 * Evaluation for one side of a flow follows
 * https://docs.tigera.io/calico/latest/reference/resources/tier ("How policy is evaluated"):
 * tiers in order; inside a tier, the policies that select the endpoint for this direction, in
 * order; the first Allow or Deny rule decides, Pass jumps to the next tier, Log continues. A tier
 * whose policies selected the endpoint but decided nothing applies its default action (Deny unless
 * the Tier says Pass). Tiers with no selecting policy are skipped, and an endpoint that no tier
 * decided is allowed by its namespace profile.
 *
 * Nodes: traffic from processes on a host to its local workloads is always allowed, before any policy
 * (https://docs.tigera.io/calico/latest/network-policy/hosts/protect-hosts, "Default behavior of
 * workload to host traffic": so that host processes can health-check workloads; also
 * projectcalico/calico#2797, a deny-all GlobalNetworkPolicy that still let the node reach its pods).
 * Traffic from a workload to its own host first passes the workload's egress policy, then Felix's
 * `defaultEndpointToHostAction` (https://docs.tigera.io/calico/latest/reference/felix/configuration;
 * Drop in Felix's own default, Accept as the operator installs it), which is not modelled (assumed
 * to accept). Remote nodes are ordinary peers: HostEndpoints are not
 * modelled, rules see them through `nets` and network sets only.
 */
import { compileCalicoPolicy, isCalicoPolicy } from './calico-policy';
import { ClusterNetworkPolicyEntry, isClusterNetworkPolicy } from './cluster-network-policy';
import { KubernetesPolicyEntry } from './kubernetes-policy';
import { isNetworkSet, NetworkSetIndex, toNetworkSet } from './network-sets';
import { comparePolicies, PolicyEntry } from './policy-entry';
import { RuleContext } from './rules';
import { SelectorCache } from './selector';
import { collectTiers, compareTiers, isTier, TierInfo } from './tiers';
import { AnnotatedCniModel } from '../kubernetes/model';
import { isNetworkPolicy } from '../kubernetes/network-policy';
import {
  Direction, DirectionVerdict, Endpoint, isLocalNode, ManifestObject, NamespaceIndex, namedPortsKey, Reason, SideQuery, isPodNetworkEndpoint,
} from '../model';

/** A tier with the policies that can apply to endpoints of one namespace, sorted. */
interface TierPlan {
  readonly tier: TierInfo;
  readonly policies: PolicyEntry[];
}

/** A policy that is not applied, with the namespace it would have applied to (undefined: cluster-wide). */
interface SkippedPolicy {
  readonly namespace?: string;
  readonly note: string;
}

/** Per endpoint and direction: the tiers that have selecting policies, with those policies in order. */
type Selection = Record<Direction, TierPlan[] | undefined>;

class CalicoModel implements AnnotatedCniModel {
  /** Caveats are reported per verdict (as `log` reasons), so there are no global notes. */
  readonly notes: string[] = [];
  private readonly ctx: RuleContext;
  private readonly tiers: Map<string, TierInfo>;
  private readonly global: PolicyEntry[] = [];
  private readonly byNamespace = new Map<string, PolicyEntry[]>();
  private readonly skipped: SkippedPolicy[] = [];
  private readonly plans = new Map<string, TierPlan[]>();
  /** A stable number per policy entry, for subject keys. */
  private readonly ids = new Map<PolicyEntry, number>();
  private readonly selections = new WeakMap<Endpoint, Selection>();
  /** Some applied policy has an Allow rule with an HTTP match. */
  private readonly l7Rules: boolean = false;

  constructor(manifests: ManifestObject[], namespaces: NamespaceIndex) {
    const cache = new SelectorCache();
    this.ctx = { namespaces, networkSets: new NetworkSetIndex(manifests.filter(isNetworkSet).map(toNetworkSet)) };
    this.tiers = collectTiers(manifests.filter(isTier));
    for (const obj of manifests) {
      let entry: PolicyEntry;
      if (isCalicoPolicy(obj)) {
        const compiled = compileCalicoPolicy(obj, cache);
        if (!compiled.entry) {
          this.skip(obj.kind === 'NetworkPolicy' ? obj.metadata?.namespace ?? 'default' : undefined, compiled.skipped);
          continue;
        }
        entry = compiled.entry;
      } else if (isNetworkPolicy(obj)) {
        entry = new KubernetesPolicyEntry(obj, namespaces);
      } else if (isClusterNetworkPolicy(obj)) {
        entry = new ClusterNetworkPolicyEntry(obj, namespaces);
      } else {
        continue;
      }
      if (!this.tiers.has(entry.tier)) {
        this.skip(entry.namespace, `${entry.label} references tier '${entry.tier}', which is not declared: Calico does not apply it`);
        continue;
      }
      this.ids.set(entry, this.ids.size);
      if (entry.hasL7Rules) this.l7Rules = true;
      if (entry.namespace === undefined) {
        this.global.push(entry);
      } else {
        const list = this.byNamespace.get(entry.namespace) ?? [];
        list.push(entry);
        this.byNamespace.set(entry.namespace, list);
      }
    }
  }

  private skip(namespace: string | undefined, note: string): void {
    this.skipped.push({ namespace, note });
  }

  /** Tiers (sorted) with the policies relevant to one namespace (sorted), built once per namespace. */
  private planFor(namespace: string): TierPlan[] {
    let plan = this.plans.get(namespace);
    if (!plan) {
      const byTier = new Map<string, PolicyEntry[]>();
      for (const entry of [...this.global, ...(this.byNamespace.get(namespace) ?? [])]) {
        const list = byTier.get(entry.tier) ?? [];
        list.push(entry);
        byTier.set(entry.tier, list);
      }
      plan = [...byTier.entries()]
        .map(([name, policies]) => ({ tier: this.tiers.get(name)!, policies: policies.sort(comparePolicies) }))
        .sort((a, b) => compareTiers(a.tier, b.tier));
      this.plans.set(namespace, plan);
    }
    return plan;
  }

  /** The tiers (in order) with the policies (in order) that select a workload `subject` for `direction`. */
  private selection(subject: Endpoint, direction: Direction): TierPlan[] {
    let cached = this.selections.get(subject);
    if (!cached) this.selections.set(subject, cached = { ingress: undefined, egress: undefined });
    let tiers = cached[direction];
    if (!tiers) {
      tiers = [];
      for (const { tier, policies } of this.planFor(subject.namespace ?? 'default')) {
        const selecting = policies.filter((p) => p.selects(subject, direction, this.ctx));
        if (selecting.length > 0) tiers.push({ tier, policies: selecting });
      }
      cached[direction] = tiers;
    }
    return tiers;
  }

  /**
   * Does an applied policy have an Allow rule with an `http` match? Only then can a verdict carry
   * L7 constraints (HTTP methods and paths, enforced only with application layer policy,
   * https://docs.tigera.io/calico/latest/network-policy/istio/http-methods).
   */
  hasL7Rules(): boolean {
    return this.l7Rules;
  }

  /** The verdict of {@link evaluate} without reasons: same tier walk, over the cached selection. */
  allows(query: SideQuery): boolean {
    if (!isPodNetworkEndpoint(query.subject)) return true;
    if (query.direction === 'ingress' && isLocalNode(query.peer)) return true;
    for (const { tier, policies } of this.selection(query.subject, query.direction)) {
      let passed = false;
      for (const policy of policies) {
        const action = policy.decide(query, this.ctx);
        if (action === 'Pass') {
          passed = true;
          break;
        }
        if (action) return action === 'Allow';
      }
      if (!passed && tier.defaultAction === 'Deny') return false;
    }
    return true;
  }

  /**
   * Equal keys mean equal verdicts for every peer and port. The verdict is a function of the
   * selecting policies (tier walk order follows from the set), of the destination's named ports
   * (ingress: the subject is the destination), and, only when a selecting policy has a rule whose
   * subject-side entity (`source` for egress, `destination` for ingress) or `ipVersion` can look at
   * the subject, of the subject's labels, namespace (labels), service account and IP. Rule selectors
   * are scoped by the policy's namespace, which the policy identity already fixes.
   */
  subjectKey(subject: Endpoint, direction: Direction): string {
    if (!isPodNetworkEndpoint(subject)) return '';
    const tiers = this.selection(subject, direction);
    if (tiers.length === 0) return '';
    const policies = tiers.flatMap((t) => t.policies);
    const parts: unknown[] = [policies.map((p) => this.ids.get(p))];
    if (direction === 'ingress') parts.push(namedPortsKey(subject));
    if (policies.some((p) => p.dependsOnSubject(direction))) {
      const sorted = (o: Readonly<Record<string, string>>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const { namespace, labels, namespaceLabels, serviceAccount, ip } = subject;
      parts.push([namespace, sorted(labels), sorted(namespaceLabels), serviceAccount, ip]);
    }
    return JSON.stringify(parts);
  }

  evaluate(query: SideQuery): DirectionVerdict {
    const { subject, direction } = query;
    if (!isPodNetworkEndpoint(subject)) {
      return allow([{
        effect: 'default-allow',
        message: `${subject.name} is not a Calico workload endpoint (${subject.hostNetwork ? 'hostNetwork pod' : subject.kind}): `
          + `no ${direction} policy applies (HostEndpoints are not modeled)`,
      }]);
    }
    if (direction === 'ingress' && isLocalNode(query.peer)) {
      return allow([{
        effect: 'default-allow',
        message: `${query.peer.name} is the host of ${subject.name}: Calico always allows traffic from a host to its local workloads `
          + '(before any policy; this is how kubelet probes reach pods)',
      }]);
    }
    const namespace = subject.namespace ?? 'default';
    const trail: Reason[] = [];
    const notes = this.skipped.filter((s) => s.namespace === undefined || s.namespace === namespace).map((s) => s.note);
    if (direction === 'egress' && isLocalNode(query.peer)) {
      notes.push(`traffic from ${subject.name} to its own host passes its egress policy, then Felix defaultEndpointToHostAction `
        + '(FelixConfiguration), which is not modelled: assumed to accept');
    }
    const flow = `${direction} ${query.protocol}/${query.port} ${direction === 'ingress' ? 'from' : 'to'} ${query.peer.name}`;
    const selection = this.selection(subject, direction);

    for (const { tier, policies } of selection) {
      let passed = false;
      for (const policy of policies) {
        const outcome = policy.evaluate(query, this.ctx);
        trail.push(...outcome.logs);
        notes.push(...outcome.notes);
        if (!outcome.action) continue;
        const reason: Reason = {
          object: policy.ref,
          rule: outcome.rule,
          effect: outcome.action === 'Allow' ? 'allow' : outcome.action === 'Deny' ? 'deny' : 'pass',
          message: policy.describe(outcome.rule ?? '', outcome.action)
            + (outcome.action === 'Pass' ? `: ${flow} passed to the next tier` : ''),
        };
        if (outcome.action === 'Pass') {
          trail.push(reason);
          passed = true;
          break;
        }
        const verdict = finish(outcome.action === 'Allow', [reason, ...trail], notes);
        return outcome.l7 ? { ...verdict, l7Constraints: outcome.l7 } : verdict;
      }
      if (passed) continue;
      const who = policies.map((p) => p.label).join(', ');
      if (tier.defaultAction === 'Pass') {
        trail.push({
          object: tier.ref ?? policies[0].ref,
          effect: 'pass',
          message: `tier ${tier.name}: no rule matched ${flow} in the policies selecting ${subject.name} (${who}); `
            + 'tier defaultAction Pass continues to the next tier',
        });
        continue;
      }
      return finish(false, [{
        object: policies[0].ref,
        effect: 'isolate',
        message: `end of tier ${tier.name} (order ${tier.order ?? 'unset'}): ${subject.name} is selected for ${direction} by `
          + `${who} and no rule matched ${flow}; tier defaultAction Deny`,
      }, ...trail], notes);
    }
    return finish(true, [{
      effect: 'default-allow',
      message: selection.length > 0
        ? `every tier selecting ${subject.name} for ${direction} passed: the namespace profile allows ${flow}`
        : `no policy selects ${subject.name} for ${direction}: the namespace profile allows ${flow}`,
    }, ...trail], notes);
  }
}

function allow(reasons: Reason[]): DirectionVerdict {
  return { allowed: true, reasons };
}

/** Verdict with the approximation notes appended (deduplicated) after the deciding reasons. */
function finish(allowed: boolean, reasons: Reason[], notes: string[]): DirectionVerdict {
  const noteReasons: Reason[] = [...new Set(notes)].map((n) => ({ effect: 'log', message: `note: ${n}` }));
  return { allowed, reasons: [...reasons, ...noteReasons] };
}

/** The Calico CNI model: projectcalico.org/v3 policies, tiers, network sets, Kubernetes NetworkPolicy and ClusterNetworkPolicy. */
export function calicoModel(manifests: ManifestObject[], namespaces: NamespaceIndex): AnnotatedCniModel {
  return new CalicoModel(manifests, namespaces);
}
