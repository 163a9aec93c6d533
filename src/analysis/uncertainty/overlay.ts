/**
 * Objects the analyzer cannot evaluate exactly (valid ones: invalid objects are dropped before the
 * models run, see ../validation) still change traffic on a cluster that enforces them. Each becomes
 * an {@link Uncertainty}: the sides of the flows it could affect turn indeterminate, with its reason,
 * instead of being answered as if the object did not exist.
 *
 * "Could affect" is kept precise: an uncertainty names the subjects and directions it applies to
 * (its own subject selection, which the analyzer can evaluate), whether it can allow and whether it
 * can deny there, and optionally which peers it can concern. A flow side the model allows only
 * turns indeterminate if the object can deny, and a denied one only if it can allow.
 */
import { effectivePolicyTypes, isNetworkPolicy, namespaceOf, selectsEndpoint } from '../kubernetes/network-policy';
import { AnnotatedCniModel, Direction, DirectionVerdict, Endpoint, ManifestObject, SideQuery, sideVerdict } from '../model';
import { MAYBE, Tri, YES } from '../verdict';

/** An object the analysis does not evaluate, and where it could change verdicts. */
export interface Uncertainty {
  /** Stable id (the object's `Kind namespace/name`), for subject keys. */
  readonly id: string;
  /** The note for `Reachability.notes`: what is not evaluated and why. */
  readonly note: string;
  /**
   * The reason attached to an indeterminate side in `direction`, naming the object and the side
   * (`the source` for egress, `the destination` for ingress), never an endpoint: a pair's uncertainties
   * list both sides without their direction.
   */
  readonly why: (direction: Direction) => string;
  /**
   * It only matters when no Kubernetes NetworkPolicy isolates the subject in the direction
   * (BaselineAdminNetworkPolicy sits below NetworkPolicy).
   * @default false
   */
  readonly unlessIsolated?: boolean;
  /**
   * It can only deny where no Kubernetes NetworkPolicy isolates the subject in the direction (a
   * NetworkPolicy's rules only add allows: once another one isolates the subject, it can only allow).
   * @default false
   */
  readonly denyUnlessIsolated?: boolean;
  /**
   * The peers it can concern (any property of the peer: the answer is part of the peer key).
   * @default - every peer
   */
  readonly peers?: (peer: Endpoint) => boolean;
  /**
   * The flows it can concern beyond subject and peer (e.g. by port); the answer must follow from the
   * subject key, the peer key and the port.
   * @default - every flow of its subjects and peers
   */
  readonly flows?: (query: SideQuery) => boolean;
  /**
   * What `flows` reads of the subject beyond the inner model's subject key (e.g. the port names its
   * policies use, its own named ports): part of the subject key wherever the uncertainty applies.
   * @default - nothing: `flows` depends on the subject only through the inner key
   */
  readonly subjectKey?: (subject: Endpoint, direction: Direction) => string;
  /** Does the object apply to this subject's side in `direction`? */
  appliesTo(subject: Endpoint, direction: Direction): boolean;
  /** Can it allow traffic the model denies on that side? */
  canAllow(direction: Direction): boolean;
  /** Can it deny traffic the model allows on that side? */
  canDeny(direction: Direction): boolean;
}

/**
 * Wrap `inner` so that every side an uncertainty could change is indeterminate; returns `inner`
 * itself when there is none.
 * @param selectionView the endpoint as the CNI matches a NetworkPolicy podSelector against it, for
 * deciding whether one isolates it (Cilium: its identity, without the labels its filter drops)
 * @default selectionView - the endpoint as it is
 */
export function withUncertainties(
  inner: AnnotatedCniModel, uncertainties: Uncertainty[], manifests: ManifestObject[], selectionView: (endpoint: Endpoint) => Endpoint = (e) => e,
): AnnotatedCniModel {
  if (uncertainties.length === 0) return inner;
  const byNamespace = new Map<string, ManifestObject[]>();
  for (const np of manifests.filter(isNetworkPolicy)) byNamespace.set(namespaceOf(np), [...(byNamespace.get(namespaceOf(np)) ?? []), np]);
  const isolated = (subject: Endpoint, direction: Direction): boolean => {
    const type = direction === 'ingress' ? 'Ingress' : 'Egress';
    const seen = selectionView(subject);
    return (byNamespace.get(subject.namespace ?? 'default') ?? []).some((np) => selectsEndpoint(np, seen) && effectivePolicyTypes(np).includes(type));
  };
  const cache = new WeakMap<Endpoint, Partial<Record<Direction, Uncertainty[]>>>();
  const ofSubject = (subject: Endpoint, direction: Direction): Uncertainty[] => {
    let perDirection = cache.get(subject);
    if (!perDirection) cache.set(subject, perDirection = {});
    let list = perDirection[direction];
    if (!list) {
      list = uncertainties.filter((u) => u.appliesTo(subject, direction) && !(u.unlessIsolated && isolated(subject, direction)));
      perDirection[direction] = list;
    }
    return list;
  };
  /** The uncertainties that can change an outcome `outcome` of this query. */
  const changing = (query: SideQuery, outcome: Tri): Uncertainty[] => {
    if (outcome === MAYBE) return [];
    return ofSubject(query.subject, query.direction).filter((u) => (!u.peers || u.peers(query.peer)) && (!u.flows || u.flows(query))
      && (outcome === YES
        ? u.canDeny(query.direction) && !(u.denyUnlessIsolated && isolated(query.subject, query.direction))
        : u.canAllow(query.direction)));
  };
  const notes = [...inner.notes, ...new Set(uncertainties.map((u) => u.note))];
  return {
    notes,
    hasL7Rules: () => inner.hasL7Rules(),
    decide(query: SideQuery): Tri {
      const outcome = inner.decide(query);
      return changing(query, outcome).length > 0 ? MAYBE : outcome;
    },
    evaluate(query: SideQuery): DirectionVerdict {
      const verdict = inner.evaluate(query);
      const found = changing(query, verdict.outcome);
      if (found.length === 0) return verdict;
      const whys = found.map((u) => u.why(query.direction));
      const reasons = [...verdict.reasons, ...whys.map((message) => ({ effect: 'uncertain' as const, message }))];
      return sideVerdict(MAYBE, reasons, whys);
    },
    subjectKey(subject: Endpoint, direction: Direction): string {
      const key = inner.subjectKey(subject, direction);
      const ids = ofSubject(subject, direction).map((u) => (u.subjectKey ? [u.id, u.subjectKey(subject, direction)] : u.id));
      return ids.length === 0 ? key : JSON.stringify([key, ids]);
    },
    peerKey(peer: Endpoint, direction: Direction): string {
      const bits = uncertainties.map((u) => (!u.peers || u.peers(peer) ? '1' : '0')).join('');
      return `${inner.peerKey(peer, direction)}|${bits}`;
    },
  };
}

/** `the source` (egress: the subject sends) or `the destination` (ingress), for uncertainty texts. */
export function sideName(direction: Direction): string {
  return direction === 'egress' ? 'the source' : 'the destination';
}

/** Does a subject look like a node to policies (a node, or a hostNetwork pod)? */
export function isNodeLike(endpoint: Endpoint): boolean {
  return endpoint.kind === 'node' || (endpoint.kind === 'pod' && endpoint.hostNetwork);
}
