/**
 * A hostNetwork pod shares its node's network namespace, and the manifests do not say which node
 * that is: it may run on the node of the pod at the other end of the flow (a DaemonSet surely has a
 * pod there). Policies see it as that node then, whose traffic into its own pods the CNIs always let
 * in, and as another node otherwise. The models evaluate it as another node; where the local node
 * gets a different verdict, the side is indeterminate.
 */
import { AnnotatedCniModel, DirectionVerdict, Endpoint, SideQuery, sideVerdict } from '../model';
import { MAYBE, Tri } from '../verdict';

function isHostNetworkPod(endpoint: Endpoint): boolean {
  return endpoint.kind === 'pod' && endpoint.hostNetwork;
}

/** The hostNetwork pod `peer` as the local node of the subject. */
function asLocalNode(peer: Endpoint): Endpoint {
  const { namespace: _ns, serviceAccount: _sa, ...rest } = peer;
  return { ...rest, kind: 'node', nodeLocality: 'local', labels: {}, namespaceLabels: {}, namedPorts: [] };
}

/** The reason, naming the sides and no pod (verdicts are cached per class of identical pods). */
function why(query: SideQuery): string {
  const [peer, subject] = query.direction === 'ingress' ? ['source', 'destination'] : ['destination', 'source'];
  return `the ${peer} uses hostNetwork and may run on the ${subject}'s node, where policies see it as that node rather than `
    + 'another one: the verdict depends on where it runs, which the manifests do not say';
}

/** Wrap `inner` so that a hostNetwork peer is judged at both places it may run. */
export function withHostNetworkPlacement(inner: AnnotatedCniModel): AnnotatedCniModel {
  return {
    notes: inner.notes,
    hasL7Rules: () => inner.hasL7Rules(),
    subjectKey: (subject, direction) => inner.subjectKey(subject, direction),
    peerKey: (peer, direction) => inner.peerKey(peer, direction),
    decide(query: SideQuery): Tri {
      const outcome = inner.decide(query);
      if (outcome === MAYBE || !isHostNetworkPod(query.peer)) return outcome;
      return inner.decide({ ...query, peer: asLocalNode(query.peer) }) === outcome ? outcome : MAYBE;
    },
    evaluate(query: SideQuery): DirectionVerdict {
      const verdict = inner.evaluate(query);
      if (verdict.outcome === MAYBE || !isHostNetworkPod(query.peer)) return verdict;
      const local = inner.decide({ ...query, peer: asLocalNode(query.peer) });
      if (local === verdict.outcome) return verdict;
      const text = why(query);
      return sideVerdict(MAYBE, [...verdict.reasons, { effect: 'uncertain', message: text }], [text]);
    },
  };
}
