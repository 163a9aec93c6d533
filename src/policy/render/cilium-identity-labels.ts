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
  /** Whose label it is: a pod's, or a namespace's. */
  readonly of: 'pod' | 'namespace';
}

/** The label Cilium derives from a namespace label `key` (`io.cilium.k8s.namespace.labels.<key>`). */
const NAMESPACE_LABEL_PREFIX = 'io.cilium.k8s.namespace.labels.';

/**
 * The first selector of `intent` (the selected pods and namespaces, then the peers of every rule)
 * that uses a key Cilium leaves out of identities by default, or undefined. Namespace labels are
 * kept under `io.cilium.k8s.namespace.labels.<key>`, except keys containing `beta.kubernetes.io`
 * (the ignore pattern `.*beta\.kubernetes\.io` matches longer than that include).
 */
export function ciliumUnmatchableSelector(intent: PolicyIntent): UnmatchableSelector | undefined {
  const first = (keys: readonly string[], where: string, prefix = ''): UnmatchableSelector | undefined => {
    for (const key of keys) {
      const pattern = ciliumIgnoredLabelPattern(prefix + key);
      if (pattern !== undefined) return { where, key, pattern, of: prefix ? 'namespace' : 'pod' };
    }
    return undefined;
  };
  const subject = first(Object.keys(intent.podLabels), 'podSelector')
    ?? first(Object.keys(intent.namespaceLabels), 'namespaceSelector', NAMESPACE_LABEL_PREFIX);
  if (subject) return subject;
  for (const rule of intent.rules) {
    for (const peer of rule.peers) {
      if (peer.type !== 'pods' && peer.type !== 'podsInNamespaces') continue;
      const found = first(Object.keys(peer.podLabels), `the pod selector of a peer in ${rule.origin}`)
        ?? (peer.type === 'podsInNamespaces'
          ? first([...Object.keys(peer.namespaceLabels), ...peer.namespaceExpressions.map((e) => e.key)],
            `the namespace selector of a peer in ${rule.origin}`, NAMESPACE_LABEL_PREFIX)
          : undefined);
      if (found) return found;
    }
  }
  return undefined;
}
