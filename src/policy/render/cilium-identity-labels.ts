import { ciliumIgnoredLabelPattern } from '../../util/cilium-label-filter';
import { PolicyIntent } from '../intent';

/**
 * Cilium policies select identities, never pods, and its default label filter leaves some pod labels
 * out of identities (see util/cilium-label-filter), so a selector on such a key matches no pod; that
 * holds for the NetworkPolicies Cilium enforces as well (cilium/cilium#18878).
 */
export { ciliumIgnoredLabelPattern };

/** A pod-label selector of the intent that Cilium cannot match, described for an error. */
export interface UnmatchableSelector {
  /** Where the selector is: `podSelector`, or `egress[1] peer pods {...}`. */
  readonly where: string;
  readonly key: string;
  /** The default ignore pattern that drops the key. */
  readonly pattern: string;
}

/**
 * The first pod-label selector of `intent` (the selected pods, then the peers of every rule) that
 * uses a key Cilium leaves out of identities by default, or undefined. Namespace labels are never
 * dropped (`io.cilium.k8s.namespace.labels.*` is included), so only pod labels are checked.
 */
export function ciliumUnmatchableSelector(intent: PolicyIntent): UnmatchableSelector | undefined {
  const first = (labels: Record<string, string>, where: string): UnmatchableSelector | undefined => {
    for (const key of Object.keys(labels)) {
      const pattern = ciliumIgnoredLabelPattern(key);
      if (pattern !== undefined) return { where, key, pattern };
    }
    return undefined;
  };
  const subject = first(intent.podLabels, 'podSelector');
  if (subject) return subject;
  for (const rule of intent.rules) {
    for (const peer of rule.peers) {
      if (peer.type !== 'pods' && peer.type !== 'podsInNamespaces') continue;
      const found = first(peer.podLabels, `the pod selector of a peer in ${rule.origin}`);
      if (found) return found;
    }
  }
  return undefined;
}
