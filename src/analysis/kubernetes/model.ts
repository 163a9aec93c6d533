/**
 * The CNI model of a CNI that enforces networking.k8s.io/v1 NetworkPolicy (and, when it says so,
 * policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy), and the Flannel model (nothing enforced).
 */
import { localNodeReason } from './local-node';
import {
  effectivePolicyTypes,
  evaluateNetworkPolicies,
  isNetworkPolicy,
  matchingRuleIndex,
  namespaceOf,
  selectsEndpoint,
} from './network-policy';
import { evaluateTier, isClusterNetworkPolicy, policiesOfTier, selectsSubject } from '../cluster-network-policy';
import {
  CniModel, Direction, DirectionVerdict, Endpoint, isLocalNode, ManifestObject, NamespaceIndex, namedPortsKey, Reason, SideQuery,
  isPodNetworkEndpoint,
} from '../model';

/** Options of {@link kubernetesModel}. */
export interface KubernetesModelOptions {
  /** Enforce ClusterNetworkPolicies; otherwise they are ignored (with a note). */
  readonly clusterNetworkPolicy: boolean;
}

/** A CNI model that also reports notes about what it ignored. */
export interface AnnotatedCniModel extends CniModel {
  readonly notes: string[];
  /**
   * The verdict alone, without building reasons: the flow matrix asks millions of questions.
   * Must agree with `evaluate(query).allowed`.
   */
  allows(query: SideQuery): boolean;
  /**
   * Subjects with the same key get the same verdict for every peer and port in that direction; the
   * empty string means "allowed whatever the peer". Lets the flow matrix evaluate each policy
   * situation once instead of once per pod.
   */
  subjectKey(subject: Endpoint, direction: Direction): string;
  /**
   * Can any verdict of this model carry `l7Constraints` (Cilium `toPorts[].rules`, Calico `http`
   * matches)? When false the flow matrix never asks for them.
   */
  hasL7Rules(): boolean;
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
 */
export function kubernetesModel(
  manifests: ManifestObject[],
  namespaces: NamespaceIndex,
  options: KubernetesModelOptions,
): AnnotatedCniModel {
  // Index NetworkPolicies by namespace: a policy only ever selects pods of its own namespace.
  const byNamespace = new Map<string, ManifestObject[]>();
  for (const np of manifests.filter(isNetworkPolicy)) {
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

  const evaluate = (query: SideQuery): DirectionVerdict => {
    const subject = query.subject;
    if (subject.kind !== 'pod') {
      return allow({ effect: 'default-allow', message: `${subject.name} (${subject.kind}) is not a pod: no policy selects it` });
    }
    if (subject.hostNetwork) {
      return allow({ effect: 'default-allow', message: `${subject.name} uses hostNetwork: no policy selects it` });
    }
    const passes: Reason[] = [];
    const adminOutcome = evaluateTier(admin, query, namespaces);
    if (adminOutcome.action === 'Accept' || adminOutcome.action === 'Deny') {
      return { allowed: adminOutcome.action === 'Accept', reasons: [adminOutcome.reason!] };
    }
    if (adminOutcome.reason) passes.push(adminOutcome.reason);
    const np = evaluateNetworkPolicies(byNamespace.get(subject.namespace ?? '') ?? [], query, namespaces);
    if (np.isolated && isLocalNode(query.peer)) return { allowed: true, reasons: [localNodeReason(query), ...passes] };
    if (np.isolated) return { allowed: np.allowed, reasons: [...np.reasons, ...passes] };
    const baselineOutcome = evaluateTier(baseline, query, namespaces);
    if (baselineOutcome.action === 'Accept' || baselineOutcome.action === 'Deny') {
      return { allowed: baselineOutcome.action === 'Accept', reasons: [baselineOutcome.reason!, ...passes] };
    }
    if (baselineOutcome.reason) passes.push(baselineOutcome.reason);
    return { allowed: true, reasons: [...np.reasons, ...passes] };
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
  const allows = (query: SideQuery): boolean => {
    const subject = query.subject;
    if (!isPodNetworkEndpoint(subject)) return true;
    if (admin.length > 0) {
      const action = evaluateTier(admin, query, namespaces).action;
      if (action === 'Accept' || action === 'Deny') return action === 'Accept';
    }
    const list = selecting(subject, query.direction);
    if (list.length > 0) return isLocalNode(query.peer) || list.some((np) => matchingRuleIndex(np, query, namespaces) !== undefined);
    if (baseline.length > 0) return evaluateTier(baseline, query, namespaces).action !== 'Deny';
    return true;
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
  // networking.k8s.io/v1 and ClusterNetworkPolicy rules are L3/L4 only.
  return { evaluate, allows, subjectKey, notes, hasL7Rules: () => false };
}

/**
 * Flannel enforces no policy at all (NETWORKING-FACTS.md #9): every flow is allowed.
 * @param cniName the CNI's name for messages (a custom CNI without enforcement behaves the same)
 */
export function flannelModel(manifests: ManifestObject[], cniName: string = 'flannel'): AnnotatedCniModel {
  const ignored = manifests.filter((m) => isNetworkPolicy(m) || isClusterNetworkPolicy(m)).length;
  const message = `${cniName} enforces no NetworkPolicy`;
  const notes = ignored > 0 ? [`${ignored} policy object(s) ignored: ${message}`] : [];
  return {
    notes,
    evaluate: () => allow({ effect: 'default-allow', message }),
    allows: () => true,
    subjectKey: () => '',
    hasL7Rules: () => false,
  };
}

function allow(reason: Reason): DirectionVerdict {
  return { allowed: true, reasons: [reason] };
}
