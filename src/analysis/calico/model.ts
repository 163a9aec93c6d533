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
 * projectcalico/calico#2797, a deny-all GlobalNetworkPolicy that still let the node reach its pods;
 * felix/rules/static.go) on iptables and nftables; under another `linuxDataplane` of the
 * Installation (or FelixConfiguration `bpfEnabled` without an Installation) a pod policy that
 * denies it makes it indeterminate (./host-traffic).
 * Traffic from a workload to its own host first passes the workload's egress policy, then Felix's
 * `defaultEndpointToHostAction` (https://docs.tigera.io/calico/latest/reference/felix/configuration;
 * Drop in Felix's own default, Accept as the operator installs it), which is not modelled (assumed
 * to accept; indeterminate when a FelixConfiguration asks for Drop or Return, ./host-traffic).
 * Remote nodes are ordinary peers: HostEndpoints are not modelled, rules see them through `nets`
 * and network sets only; what host endpoint policy could change is indeterminate
 * (../uncertainty/calico-host-endpoints).
 */
import { L7Matcher } from '../http-request';
import { CalicoPolicyEntry, compileCalicoPolicy, isCalicoPolicy } from './calico-policy';
import { ClusterNetworkPolicyEntry, isClusterNetworkPolicy, isUnconfirmedTie } from './cluster-network-policy';
import { CalicoHostTraffic, calicoHostTraffic } from './host-traffic';
import { KubernetesPolicyEntry } from './kubernetes-policy';
import { isNetworkSet, NetworkSetIndex, toNetworkSet } from './network-sets';
import { CalicoPodPlacement } from './pod-addresses';
import { CalicoDecision, comparePolicies, PolicyEntry } from './policy-entry';
import { EntityRule, entityIdentityKey, entityIdentityTruth, RuleContext, RuleScope } from './rules';
import { SelectorCache } from './selector';
import { collectTiers, compareTiers, isTier, TierInfo } from './tiers';
import { addressKey } from '../addresses';
import { clusterPolicyPeerClauses } from '../cluster-network-policy';
import { isNetworkPolicy, NetworkPolicyPeerIndex } from '../kubernetes/network-policy';
import {
  AnnotatedCniModel, basePeerKey, Direction, DirectionVerdict, Endpoint, isLocalNode, ManifestObject, NamespaceIndex, namedPortsKey,
  Reason, SideQuery,
  isPodNetworkEndpoint, sideVerdict,
} from '../model';
import { ALLOW_BIT, DENY_BIT, fromOutcomes, MAYBE, Outcomes, Tri, union, YES } from '../verdict';

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

/** A peer-side entity of a Calico rule, deduplicated. */
interface PeerEntity {
  readonly id: number;
  readonly entity: EntityRule;
  readonly scope: RuleScope;
}

/** Peer-side entities by where they can match pods. */
interface PeerEntities {
  readonly byNamespace: Map<string, PeerEntity[]>;
  readonly global: PeerEntity[];
}

/** Per endpoint and direction: the tiers that have selecting policies, with those policies in order. */
type Selection = Record<Direction, TierPlan[] | undefined>;

class CalicoModel implements AnnotatedCniModel {
  /**
   * Objects the cluster cannot hold (ClusterNetworkPolicy in native v3 CRD mode); the caveats of
   * evaluated policies are reported per verdict (as `log` reasons).
   */
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
  /** Per selection: the other orders of its unconfirmed ties (see {@link alternates}). */
  private readonly alternateCache = new WeakMap<TierPlan[], TierPlan[][]>();
  /** Some applied policy has an Allow rule with an HTTP match. */
  private readonly l7Rules: boolean = false;
  private readonly npPeers: NetworkPolicyPeerIndex;
  private readonly cnpPeers: Array<(e: Endpoint) => boolean>;
  private entities?: PeerEntities;
  /** Where Calico puts pods whose IP is not given (IP pools, address annotations). */
  private readonly placement: CalicoPodPlacement;
  /** Host endpoints, host-forward policies and the dataplane (see ./host-traffic). */
  private readonly host: CalicoHostTraffic;

  constructor(given: ManifestObject[], namespaces: NamespaceIndex, options: CalicoModelOptions) {
    const cnps = options.clusterNetworkPolicy ? 0 : given.filter(isClusterNetworkPolicy).length;
    const manifests = cnps === 0 ? given : given.filter((m) => !isClusterNetworkPolicy(m));
    if (cnps > 0) {
      this.notes.push(`${cnps} ClusterNetworkPolicy object(s) ignored: this Calico cluster serves no ClusterNetworkPolicy `
        + '(native v3 CRD mode installs no policy.networking.k8s.io CRD)');
    }
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
    this.npPeers = new NetworkPolicyPeerIndex(manifests.filter(isNetworkPolicy), namespaces);
    this.cnpPeers = clusterPolicyPeerClauses(manifests.filter(isClusterNetworkPolicy), namespaces);
    this.placement = new CalicoPodPlacement(manifests);
    this.host = calicoHostTraffic(manifests);
  }

  /**
   * The endpoint as Calico sees it: a pod-network pod without a known IP has the addresses its
   * Calico annotations give, or lies in the caller's pod CIDRs and Calico's IP pools (see
   * ./pod-addresses; one copy per pod, so the caches keyed by endpoint keep working).
   */
  private placed(ep: Endpoint): Endpoint {
    return this.placement.place(ep);
  }

  /** The query with its endpoints {@link placed}. */
  private placedQuery(query: SideQuery): SideQuery {
    const subject = this.placed(query.subject);
    const peer = this.placed(query.peer);
    if (subject === query.subject && peer === query.peer) return query;
    const destination = query.destination === query.subject ? subject : query.destination === query.peer ? peer : this.placed(query.destination);
    return { ...query, subject, peer, destination };
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
   * The selection with every group of equal-order policies that mixes ClusterNetworkPolicies with
   * other policies (an unconfirmed tie, see isUnconfirmedTie) put in the two extreme orders:
   * ClusterNetworkPolicies first, and last. Within each kind the order is known, so the first policy
   * to decide in any interleaving is the first decider of one kind or the other: the two extremes
   * cover every outcome. Empty when there is no such group.
   */
  private alternates(tiers: TierPlan[]): TierPlan[][] {
    let found = this.alternateCache.get(tiers);
    if (found) return found;
    const ambiguous = tiers.some(({ policies }) => policies.some((p, i) => policies.slice(i + 1).some((q) => isUnconfirmedTie(p, q))));
    found = [];
    if (ambiguous) {
      for (const cnpFirst of [true, false]) {
        const rank = (p: PolicyEntry) => ((p instanceof ClusterNetworkPolicyEntry) === cnpFirst ? 0 : 1);
        found.push(tiers.map(({ tier, policies }) => ({
          tier,
          policies: [...policies].sort((a, b) => {
            const ao = a.order ?? Number.POSITIVE_INFINITY;
            const bo = b.order ?? Number.POSITIVE_INFINITY;
            return ao !== bo ? comparePolicies(a, b) : rank(a) - rank(b) || comparePolicies(a, b);
          }),
        })));
      }
    }
    this.alternateCache.set(tiers, found);
    return found;
  }

  /**
   * Does an applied policy have an Allow rule with an `http` match? Only then can a verdict carry
   * L7 constraints (HTTP methods and paths, enforced only with application layer policy,
   * https://docs.tigera.io/calico/latest/network-policy/istio/http-methods).
   */
  hasL7Rules(): boolean {
    return this.l7Rules;
  }

  /** The outcome of {@link evaluate} without reasons: same tier walk, over the cached selection. */
  decide(given: SideQuery): Tri {
    const query = this.placedQuery(given);
    if (!isPodNetworkEndpoint(query.subject)) return YES;
    const fromHost = query.direction === 'ingress' && isLocalNode(query.peer);
    const notStarting = this.placement.notStarting(query.subject);
    if (fromHost && !this.host.policingDataplane) return notStarting ? MAYBE : YES;
    const tiers = this.selection(query.subject, query.direction);
    let bits = this.decideFrom(tiers, 0, query);
    for (const other of this.alternates(tiers)) bits = union(bits, this.decideFrom(other, 0, query));
    bits = this.hostAdjusted(bits, query).bits;
    // A pod Calico's CNI may never set up may carry no traffic at all.
    return fromOutcomes(notStarting ? union(bits, DENY_BIT) : bits);
  }

  /**
   * The outcomes of a pod's tier walk widened by what Calico does outside it (see ./host-traffic):
   * under a dataplane other than iptables/nftables a host -> local pod flow the walk denies may still
   * pass; a FelixConfiguration asking for a non-Accept defaultEndpointToHostAction may drop pod ->
   * own host traffic the walk allows. Host endpoint policy is the uncertainty overlay's
   * (../uncertainty/calico-host-endpoints).
   */
  private hostAdjusted(bits: Outcomes, query: SideQuery): { bits: Outcomes; why?: string } {
    const fromHost = query.direction === 'ingress' && isLocalNode(query.peer);
    if (fromHost) {
      if (bits === ALLOW_BIT) return { bits };
      return {
        bits: union(bits, ALLOW_BIT),
        why: `${this.host.policingDataplane}: whether it applies ${query.subject.name}'s ingress policy to `
          + 'traffic from its own host is not modelled (iptables and nftables never do)',
      };
    }
    if (query.direction === 'egress' && isLocalNode(query.peer) && this.host.endpointToHost && bits !== DENY_BIT) {
      return {
        bits: union(bits, DENY_BIT),
        why: `${this.host.endpointToHost} for traffic from pods to their own host; calico-node's environment (FELIX_DEFAULTENDPOINTTOHOSTACTION, `
          + 'which operator installs set) takes precedence over it and is not in the manifests',
      };
    }
    return { bits };
  }

  /**
   * The possible final outcomes (ALLOW_BIT / DENY_BIT) from tier `index` on. Inside a tier the first
   * rule that surely matches decides; rules before it that may match add their action as a possible
   * outcome; Pass (decided, maybe, or the tier's default action) continues with the next tier, and
   * after the last tier the namespace profile allows.
   */
  private decideFrom(tiers: TierPlan[], index: number, query: SideQuery): Outcomes {
    if (index >= tiers.length) return ALLOW_BIT;
    const { tier, policies } = tiers[index];
    const maybe = new Set<CalicoDecision>();
    let decided: CalicoDecision | undefined;
    for (const policy of policies) {
      const d = policy.decide(query, this.ctx);
      d.maybe.forEach((a) => maybe.add(a));
      decided = d.action;
      if (decided) break;
    }
    decided ??= tier.defaultAction;
    let bits: Outcomes = 0;
    if (maybe.has('Allow') || decided === 'Allow') bits = union(bits, ALLOW_BIT);
    if (maybe.has('Deny') || decided === 'Deny') bits = union(bits, DENY_BIT);
    if (maybe.has('Pass') || decided === 'Pass') bits = union(bits, this.decideFrom(tiers, index + 1, query));
    return bits;
  }

  /**
   * Equal keys mean equal verdicts for every peer and port. The verdict is a function of the
   * selecting policies (tier walk order follows from the set), of the destination's named ports
   * (ingress: the subject is the destination), and, only when a selecting policy has a rule whose
   * subject-side entity (`source` for egress, `destination` for ingress) or `ipVersion` can look at
   * the subject, of the subject's labels, namespace (labels), service account and IP. Rule selectors
   * are scoped by the policy's namespace, which the policy identity already fixes.
   */
  subjectKey(given: Endpoint, direction: Direction): string {
    const subject = this.placed(given);
    if (!isPodNetworkEndpoint(subject)) return '';
    // A pod Calico's CNI may never set up: its own key (one per reason, which the verdict quotes).
    const notStarting = this.placement.notStarting(subject);
    if (notStarting) return JSON.stringify(['not-starting', notStarting, this.subjectKeyRunning(subject, direction), subject.name]);
    return this.subjectKeyRunning(subject, direction);
  }

  /** {@link subjectKey} of a pod that runs. */
  private subjectKeyRunning(subject: Endpoint, direction: Direction): string {
    const tiers = this.selection(subject, direction);
    // No policy: allowed, unless a non-Accept defaultEndpointToHostAction may drop traffic to the own host.
    if (tiers.length === 0) return this.host.endpointToHost ? 'endpoint-to-host' : '';
    const policies = tiers.flatMap((t) => t.policies);
    const parts: unknown[] = [policies.map((p) => this.ids.get(p))];
    if (direction === 'ingress') parts.push(namedPortsKey(subject));
    if (policies.some((p) => p.dependsOnSubject(direction))) {
      const sorted = (o: Readonly<Record<string, string>>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const { namespace, labels, namespaceLabels, serviceAccount } = subject;
      parts.push([namespace, sorted(labels), sorted(namespaceLabels), serviceAccount, addressKey(subject)]);
    }
    return JSON.stringify(parts);
  }

  /**
   * Equal keys mean equal outcomes as a peer: the peer-side entities of every Calico rule (by their
   * selectors, scope and network sets), the Kubernetes and ClusterNetworkPolicy peer clauses, the
   * endpoint's kind and addresses, and (egress: the peer is the destination) its named ports.
   */
  peerKey(given: Endpoint, direction: Direction): string {
    const peer = this.placed(given);
    const entities = this.peerEntities();
    const own = entities.byNamespace.get(peer.namespace ?? '') ?? [];
    const truths = [...own, ...entities.global].map((c) => `${c.id}:${entityIdentityTruth(c.entity, peer, c.scope, this.ctx)}`)
      .filter((t) => !t.endsWith(':0'));
    const cnp = this.cnpPeers.map((c) => (c(peer) ? '1' : '0')).join('');
    const ports = direction === 'egress' ? namedPortsKey(peer).join(',') : '';
    return `${basePeerKey(peer, addressKey(peer))}|${truths.join(',')}|${this.npPeers.matched(peer).join(',')}|${cnp}|${ports}`;
  }

  /** Distinct peer-side entities of the applied Calico policies: scoped to one namespace, or global. */
  private peerEntities(): PeerEntities {
    if (this.entities) return this.entities;
    const ids = new Map<string, number>();
    const out: PeerEntities = { byNamespace: new Map(), global: [] };
    for (const entry of [...this.global, ...[...this.byNamespace.values()].flat()]) {
      if (!(entry instanceof CalicoPolicyEntry)) continue;
      for (const { entity, scope } of entry.peerEntities()) {
        const key = entityIdentityKey(entity, scope);
        if (ids.has(key)) continue;
        const clause = { id: ids.size, entity, scope };
        ids.set(key, clause.id);
        // A namespaced policy's entity without namespaceSelector only reaches its own namespace's pods
        // (and network sets, which depend on the address, not the namespace of the peer).
        const local = scope.namespace !== undefined && !entity.namespaceSelector && this.ctx.networkSets.all.length === 0;
        if (local) {
          const list = out.byNamespace.get(scope.namespace!) ?? [];
          list.push(clause);
          out.byNamespace.set(scope.namespace!, list);
        } else {
          out.global.push(clause);
        }
      }
    }
    return this.entities = out;
  }

  evaluate(given: SideQuery): DirectionVerdict {
    const query = this.placedQuery(given);
    const { subject, direction } = query;
    if (!isPodNetworkEndpoint(subject)) {
      return sideVerdict(YES, [{
        effect: 'default-allow',
        message: `${subject.name} is not a Calico workload endpoint (${subject.hostNetwork ? 'hostNetwork pod' : subject.kind}): `
          + `no ${direction} policy applies (HostEndpoints are not modeled)`,
      }]);
    }
    const notStarting = this.placement.notStarting(subject);
    const notStartingWhy = notStarting && `Calico's CNI may never set up ${subject.name} (${notStarting}): then no traffic reaches or leaves it`;
    if (direction === 'ingress' && isLocalNode(query.peer) && !this.host.policingDataplane) {
      if (notStartingWhy) return sideVerdict(MAYBE, [{ effect: 'uncertain', message: notStartingWhy }], [notStartingWhy]);
      return sideVerdict(YES, [{
        effect: 'default-allow',
        message: `${query.peer.name} is the host of ${subject.name}: Calico always allows traffic from a host to its local workloads `
          + '(before any policy; this is how kubelet probes reach pods)',
      }]);
    }
    const namespace = subject.namespace ?? 'default';
    const notes = this.skipped.filter((s) => s.namespace === undefined || s.namespace === namespace).map((s) => s.note);
    if (direction === 'egress' && isLocalNode(query.peer) && !this.host.endpointToHost) {
      notes.push(`traffic from ${subject.name} to its own host passes its egress policy, then Felix defaultEndpointToHostAction `
        + '(FelixConfiguration), which is not modelled: assumed to accept');
    }
    const tiers = this.selection(subject, direction);
    const walk = this.walkFrom(tiers, 0, query, notes);
    let bits = walk.bits;
    const uncertain = [...walk.uncertain];
    for (const other of this.alternates(tiers)) {
      const otherBits = this.decideFrom(other, 0, query);
      if (union(otherBits, walk.bits) === walk.bits) continue;
      bits = union(bits, otherBits);
      uncertain.push('a ClusterNetworkPolicy and another policy of the same tier have the same order: Calico orders them by the '
        + 'names it gives them, and whether the converted ClusterNetworkPolicy is named `<name>` or `kcnp.<tier>.<name>` is not '
        + 'established, so the other order is possible too');
    }
    const adjusted = this.hostAdjusted(bits, query);
    if (adjusted.why && adjusted.bits !== bits) uncertain.push(adjusted.why);
    bits = adjusted.bits;
    if (notStartingWhy && bits !== DENY_BIT) {
      bits = union(bits, DENY_BIT);
      uncertain.push(notStartingWhy);
    }
    const outcome = fromOutcomes(bits);
    const noteReasons: Reason[] = [...new Set(notes)].map((n) => ({ effect: 'log', message: `note: ${n}` }));
    const l7 = outcome === YES ? walk.l7 : undefined;
    return sideVerdict(outcome, [...walk.reasons, ...noteReasons], outcome === MAYBE ? [...new Set(uncertain)] : [], l7?.map((m) => m.text), l7);
  }

  /** {@link decideFrom} with the reasons of the path taken when every maybe fails, and why the others may happen. */
  private walkFrom(tiers: TierPlan[], index: number, query: SideQuery, notes: string[]): Walk {
    const { subject, direction } = query;
    const flow = `${direction} ${query.protocol}/${query.port} ${direction === 'ingress' ? 'from' : 'to'} ${query.peer.name}`;
    if (index >= tiers.length) {
      return {
        bits: ALLOW_BIT,
        uncertain: [],
        reasons: [{
          effect: 'default-allow',
          message: tiers.length > 0
            ? `every tier selecting ${subject.name} for ${direction} passed: the namespace profile allows ${flow}`
            : `no policy selects ${subject.name} for ${direction}: the namespace profile allows ${flow}`,
        }],
      };
    }
    const { tier, policies } = tiers[index];
    const trail: Reason[] = [];
    const uncertain: string[] = [];
    let bits: Outcomes = 0;
    let next: Walk | undefined;
    const nextWalk = () => (next ??= this.walkFrom(tiers, index + 1, query, notes));
    for (const policy of policies) {
      const outcome = policy.evaluate(query, this.ctx);
      trail.push(...outcome.logs);
      notes.push(...outcome.notes);
      for (const m of outcome.maybe) {
        uncertain.push(...m.why);
        bits = union(bits, m.action === 'Allow' ? ALLOW_BIT : m.action === 'Deny' ? DENY_BIT : nextWalk().bits);
      }
      if (!outcome.action) continue;
      const reason: Reason = {
        object: policy.ref,
        rule: outcome.rule,
        effect: outcome.action === 'Allow' ? 'allow' : outcome.action === 'Deny' ? 'deny' : 'pass',
        message: policy.describe(outcome.rule ?? '', outcome.action)
          + (outcome.action === 'Pass' ? `: ${flow} passed to the next tier` : ''),
      };
      if (outcome.action === 'Pass') {
        const rest = nextWalk();
        const reasons = [...rest.reasons, reason, ...trail];
        return { bits: union(bits, rest.bits), reasons, uncertain: [...uncertain, ...rest.uncertain], l7: rest.l7 };
      }
      return {
        bits: union(bits, outcome.action === 'Allow' ? ALLOW_BIT : DENY_BIT),
        reasons: [reason, ...trail],
        uncertain: [...uncertain, ...(next?.uncertain ?? [])],
        l7: outcome.l7,
      };
    }
    const who = policies.map((p) => p.label).join(', ');
    if (tier.defaultAction === 'Pass') {
      const rest = nextWalk();
      trail.push({
        object: tier.ref ?? policies[0].ref,
        effect: 'pass',
        message: `tier ${tier.name}: no rule matched ${flow} in the policies selecting ${subject.name} (${who}); `
          + 'tier defaultAction Pass continues to the next tier',
      });
      return { bits: union(bits, rest.bits), reasons: [...rest.reasons, ...trail], uncertain: [...uncertain, ...rest.uncertain], l7: rest.l7 };
    }
    return {
      bits: union(bits, DENY_BIT),
      uncertain: [...uncertain, ...(next?.uncertain ?? [])],
      reasons: [{
        object: policies[0].ref,
        effect: 'isolate',
        message: `end of tier ${tier.name} (order ${tier.order ?? 'unset'}): ${subject.name} is selected for ${direction} by `
          + `${who} and no rule ${uncertain.length > 0 ? 'surely ' : ''}matched ${flow}; tier defaultAction Deny`,
      }, ...trail],
    };
  }
}

/** Possible outcomes of a tier walk with the reasons of the path where every maybe fails. */
interface Walk {
  readonly bits: Outcomes;
  readonly reasons: Reason[];
  readonly uncertain: string[];
  readonly l7?: L7Matcher[];
}

/** What the Calico cluster serves besides its own policies. */
export interface CalicoModelOptions {
  /**
   * The cluster has the policy.networking.k8s.io ClusterNetworkPolicy CRD (not in native v3 CRD
   * mode): without it, ClusterNetworkPolicy objects are ignored, with a note.
   */
  readonly clusterNetworkPolicy: boolean;
}

/** The Calico CNI model: projectcalico.org/v3 policies, tiers, network sets, Kubernetes NetworkPolicy and ClusterNetworkPolicy. */
export function calicoModel(
  manifests: ManifestObject[], namespaces: NamespaceIndex, options: CalicoModelOptions = { clusterNetworkPolicy: true },
): AnnotatedCniModel {
  return new CalicoModel(manifests, namespaces, options);
}
