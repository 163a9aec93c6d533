/**
 * The CNI model of a CNI that enforces networking.k8s.io/v1 NetworkPolicy (and, when it says so,
 * policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy), and the Flannel model (nothing enforced).
 */
import { localNodeReason } from './local-node';
import {
  effectivePolicyTypes,
  evaluateNetworkPolicies,
  isNetworkPolicy,
  namespaceOf,
  NetworkPolicyPeerIndex,
  policyAllows,
  selectsEndpoint,
} from './network-policy';
import { isAdminNetworkPolicyKind, isCalicoPolicy, isServedCiliumPolicy } from '../../util/vocabulary';
import { addressKey } from '../addresses';
import {
  clusterPolicyPeerClauses, evaluateTier, isClusterNetworkPolicy, policiesOfTier, selectsSubject, tierDecision, TierOutcome,
} from '../cluster-network-policy';
import {
  AnnotatedCniModel, basePeerKey, Direction, DirectionVerdict, Endpoint, isLocalNode, ManifestObject, NamespaceIndex, namedPortsKey, Reason,
  SideQuery, isPodNetworkEndpoint, sideVerdict,
} from '../model';
import { ALLOW_BIT, DENY_BIT, fromOutcomes, MAYBE, NO, Outcomes, outcomesOf, Tri, union, YES } from '../verdict';

export type { AnnotatedCniModel } from '../model';

/** Options of {@link kubernetesModel}. */
export interface KubernetesModelOptions {
  /** Enforce ClusterNetworkPolicies; otherwise they are ignored (with a note). */
  readonly clusterNetworkPolicy: boolean;
}

/** Possible outcomes (ALLOW_BIT / DENY_BIT) with the reasons of the path taken when every maybe fails. */
interface Branches {
  readonly bits: Outcomes;
  readonly reasons: Reason[];
  readonly uncertain: string[];
}

/**
 * Admin ClusterNetworkPolicies -> NetworkPolicies -> Baseline ClusterNetworkPolicies -> default allow
 * (tier order documented on ClusterNetworkPolicy `spec.tier`, https://network-policy-api.sigs.k8s.io/).
 *
 * Nodes: traffic between a pod and its own node (`nodeLocality: 'local'`) is allowed by the
 * NetworkPolicy tier even when a NetworkPolicy isolates the pod (see ./local-node). The exception
 * belongs to networking.k8s.io/v1; ClusterNetworkPolicy (v1alpha2, pinned schema) has no `nodes`
 * peer, and its egress `networks` peer is documented to match cluster-internal traffic too, so Admin
 * and Baseline `networks` rules still decide egress to the local node by its IP. Ingress peers
 * (`namespaces`, `pods`) never include host-networked endpoints, so no ClusterNetworkPolicy rule
 * matches ingress from a node. Remote nodes are ordinary peers: only ipBlock / `networks` by IP.
 *
 * ipBlock and `networks` match pods by their IP, as NetworkPolicy implementations other than Cilium
 * do (the Kubernetes network-policy e2e suite expects it): this is the `Cni.kubernetes()` choice.
 */
export function kubernetesModel(
  manifests: ManifestObject[],
  namespaces: NamespaceIndex,
  options: KubernetesModelOptions,
): AnnotatedCniModel {
  // Index NetworkPolicies by namespace: a policy only ever selects pods of its own namespace.
  const byNamespace = new Map<string, ManifestObject[]>();
  const networkPolicies = manifests.filter(isNetworkPolicy);
  for (const np of networkPolicies) {
    const ns = namespaceOf(np);
    if (!byNamespace.has(ns)) byNamespace.set(ns, []);
    byNamespace.get(ns)!.push(np);
  }
  const cnps = manifests.filter(isClusterNetworkPolicy);
  const notes: string[] = [];
  if (cnps.length > 0 && !options.clusterNetworkPolicy) {
    notes.push(`${cnps.length} ClusterNetworkPolicy object(s) ignored: the CNI does not implement ClusterNetworkPolicy`);
  }
  const admin = options.clusterNetworkPolicy ? policiesOfTier(cnps, 'Admin') : [];
  const baseline = options.clusterNetworkPolicy ? policiesOfTier(cnps, 'Baseline') : [];
  const npPeers = new NetworkPolicyPeerIndex(networkPolicies, namespaces);
  const cnpPeers = clusterPolicyPeerClauses([...admin, ...baseline], namespaces);

  /** The Baseline tier and the default allow, for a subject no NetworkPolicy isolates. */
  const baselineBranches = (query: SideQuery): Branches => {
    const outcome = evaluateTier(baseline, query, namespaces);
    let bits: Outcomes = 0;
    for (const m of outcome.maybe) bits = union(bits, m.action === 'Deny' ? DENY_BIT : ALLOW_BIT);
    const decided = outcome.action === 'Accept' || outcome.action === 'Deny';
    bits = union(bits, outcome.action === 'Deny' ? DENY_BIT : ALLOW_BIT);
    const reasons: Reason[] = decided ? [outcome.reason!] : [
      { effect: 'default-allow', message: `no NetworkPolicy selects ${query.subject.name} for ${query.direction}` },
      ...(outcome.reason ? [outcome.reason] : []),
    ];
    return { bits, reasons, uncertain: outcome.maybe.map((m) => m.why) };
  };

  /** Everything after the Admin tier: the NetworkPolicy tier, then Baseline. */
  const afterAdmin = (query: SideQuery): Branches => {
    const np = evaluateNetworkPolicies(byNamespace.get(query.subject.namespace ?? '') ?? [], query, namespaces);
    if (np.isolated && isLocalNode(query.peer)) return { bits: ALLOW_BIT, reasons: [localNodeReason(query)], uncertain: [] };
    if (np.isolated) return { bits: outcomesOf(np.outcome), reasons: np.reasons, uncertain: np.uncertain };
    return baselineBranches(query);
  };

  const adminBranches = (query: SideQuery, outcome: TierOutcome): Branches => {
    let bits: Outcomes = 0;
    let rest: Branches | undefined;
    const restOf = () => (rest ??= afterAdmin(query));
    for (const m of outcome.maybe) bits = union(bits, m.action === 'Accept' ? ALLOW_BIT : m.action === 'Deny' ? DENY_BIT : restOf().bits);
    if (outcome.action === 'Accept' || outcome.action === 'Deny') {
      bits = union(bits, outcome.action === 'Accept' ? ALLOW_BIT : DENY_BIT);
      return { bits, reasons: [outcome.reason!], uncertain: [...outcome.maybe.map((m) => m.why), ...(rest?.uncertain ?? [])] };
    }
    const r = restOf();
    return {
      bits: union(bits, r.bits),
      reasons: [...r.reasons, ...(outcome.reason ? [outcome.reason] : [])],
      uncertain: [...outcome.maybe.map((m) => m.why), ...r.uncertain],
    };
  };

  const evaluate = (query: SideQuery): DirectionVerdict => {
    const subject = query.subject;
    if (subject.kind !== 'pod') {
      return sideVerdict(YES, [{ effect: 'default-allow', message: `${subject.name} (${subject.kind}) is not a pod: no policy selects it` }]);
    }
    if (subject.hostNetwork) {
      return sideVerdict(YES, [{ effect: 'default-allow', message: `${subject.name} uses hostNetwork: no policy selects it` }]);
    }
    const b = adminBranches(query, evaluateTier(admin, query, namespaces));
    const outcome = fromOutcomes(b.bits);
    return sideVerdict(outcome, b.reasons, outcome === MAYBE ? b.uncertain : []);
  };

  // The NetworkPolicies selecting a subject for a direction, cached per endpoint object.
  const selectingCache = new WeakMap<Endpoint, Map<Direction, ManifestObject[]>>();
  const selecting = (subject: Endpoint, direction: Direction): ManifestObject[] => {
    let perDirection = selectingCache.get(subject);
    if (!perDirection) selectingCache.set(subject, perDirection = new Map());
    let list = perDirection.get(direction);
    if (!list) {
      const type = direction === 'ingress' ? 'Ingress' : 'Egress';
      list = (byNamespace.get(subject.namespace ?? '') ?? [])
        .filter((p) => selectsEndpoint(p, subject) && effectivePolicyTypes(p).includes(type));
      perDirection.set(direction, list);
    }
    return list;
  };

  // Same decision procedure as `evaluate`, without messages.
  const restBits = (query: SideQuery): Outcomes => {
    const list = selecting(query.subject, query.direction);
    if (list.length > 0) {
      if (isLocalNode(query.peer)) return ALLOW_BIT;
      let t: Tri = NO;
      for (const np of list) {
        const a = policyAllows(np, query, namespaces);
        if (a === YES) return ALLOW_BIT;
        if (a === MAYBE) t = MAYBE;
      }
      return outcomesOf(t);
    }
    if (baseline.length === 0) return ALLOW_BIT;
    // Baseline: Deny denies; Accept, Pass and no match allow (the default after the last tier).
    const d = tierDecision(baseline, query, namespaces);
    const mayDeny = d.action === 'Deny' || d.maybe.has('Deny');
    const mayAllow = d.action !== 'Deny' || d.maybe.has('Accept') || d.maybe.has('Pass');
    return union(mayDeny ? DENY_BIT : 0, mayAllow ? ALLOW_BIT : 0);
  };
  const decide = (query: SideQuery): Tri => {
    if (!isPodNetworkEndpoint(query.subject)) return YES;
    if (admin.length === 0) return fromOutcomes(restBits(query));
    const d = tierDecision(admin, query, namespaces);
    let bits: Outcomes = 0;
    if (d.maybe.has('Accept') || d.action === 'Accept') bits = union(bits, ALLOW_BIT);
    if (d.maybe.has('Deny') || d.action === 'Deny') bits = union(bits, DENY_BIT);
    if (d.maybe.has('Pass') || d.action === undefined || d.action === 'Pass') bits = union(bits, restBits(query));
    return fromOutcomes(bits);
  };
  const subjectKey = (subject: Endpoint, direction: Direction): string => {
    if (!isPodNetworkEndpoint(subject)) return '';
    const names = [
      ...admin.filter((c) => selectsSubject(c, subject, namespaces)).map((c) => `A:${c.metadata?.name}`),
      ...selecting(subject, direction).map((np) => `N:${namespaceOf(np)}/${np.metadata?.name}`),
      ...baseline.filter((c) => selectsSubject(c, subject, namespaces)).map((c) => `B:${c.metadata?.name}`),
    ];
    if (names.length === 0) return '';
    // Named ports in rules resolve on the destination, which is the subject for ingress.
    const ports = direction === 'ingress' ? namedPortsKey(subject) : [];
    return JSON.stringify([names, ports]);
  };
  const peerKey = (peer: Endpoint, direction: Direction): string => {
    const bits = cnpPeers.map((c) => (c(peer) ? '1' : '0')).join('');
    const ports = direction === 'egress' ? namedPortsKey(peer).join(',') : '';
    return `${basePeerKey(peer, addressKey(peer))}|${npPeers.matched(peer).join(',')}|${bits}|${ports}`;
  };
  // networking.k8s.io/v1 and ClusterNetworkPolicy rules are L3/L4 only.
  return { evaluate, decide, subjectKey, peerKey, notes, hasL7Rules: () => false };
}

/**
 * Flannel enforces no policy at all (NETWORKING-FACTS.md #9): every flow is allowed.
 * @param cniName the CNI's name for messages (a custom CNI without enforcement behaves the same)
 */
export function flannelModel(manifests: ManifestObject[], cniName: string = 'flannel'): AnnotatedCniModel {
  const ignored = manifests.filter((m) => isNetworkPolicy(m) || isClusterNetworkPolicy(m) || isAdminNetworkPolicyKind(m)
    || isCalicoPolicy(m) || isServedCiliumPolicy(m)).length;
  const message = `${cniName} enforces no NetworkPolicy`;
  const notes = ignored > 0 ? [`${ignored} policy object(s) ignored: ${message}`] : [];
  return {
    notes,
    evaluate: () => sideVerdict(YES, [{ effect: 'default-allow', message }]),
    decide: () => YES,
    subjectKey: () => '',
    peerKey: () => '',
    hasL7Rules: () => false,
  };
}
