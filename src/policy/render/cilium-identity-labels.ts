import { PolicyIntent } from '../intent';

/**
 * Cilium's default label filter (pkg/labelsfilter `defaultLabelPrefixCfg`; docs.cilium.io
 * "Limiting Identity-Relevant Labels"): a pod label whose key one of the ignore patterns matches at
 * its start is left out of the pod's security identity, unless an include pattern matches a longer
 * part of the key. The StatefulSet and indexed-Job labels are ignored since 1.15
 * (cilium/cilium#28003). Cilium policies select identities, never pods, so a selector on such a key
 * matches no pod; that holds for the NetworkPolicies Cilium enforces as well (cilium/cilium#18878).
 */
const IGNORED: readonly string[] = [
  'io\\.kubernetes', 'kubernetes\\.io', 'statefulset\\.kubernetes\\.io/pod-name', 'apps\\.kubernetes\\.io/pod-index',
  'batch\\.kubernetes\\.io/job-completion-index', '.*beta\\.kubernetes\\.io', 'k8s\\.io', 'pod-template-generation',
  'pod-template-hash', 'controller-revision-hash', 'annotation.*', 'etcd_node',
];
/** The include patterns of the same default list that can match a pod label key. */
const INCLUDED: readonly string[] = [
  'io\\.kubernetes\\.pod\\.namespace', 'io\\.cilium\\.k8s\\.namespace\\.labels', 'app\\.kubernetes\\.io', 'io\\.cilium\\.k8s\\.policy\\.cluster',
];

const compile = (patterns: readonly string[]) => patterns.map((p) => ({ pattern: p, expr: new RegExp(p) }));
const IGNORED_EXPRS = compile(IGNORED);
const INCLUDED_EXPRS = compile(INCLUDED);

/** Length of the match of `expr` in `key` when the leftmost match starts at the key's start (labelsfilter `matches`), else 0. */
function matchAtStart(expr: RegExp, key: string): number {
  const m = expr.exec(key);
  return m !== null && m.index === 0 ? m[0].length : 0;
}

/**
 * The default ignore pattern that keeps the pod label `key` out of Cilium identities, or undefined
 * when the key is identity-relevant. As labelsfilter decides: ignored when an ignore pattern
 * matches and no include pattern matches a longer part of the key (the shortest ignore match
 * against the longest include match).
 */
export function ciliumIgnoredLabelPattern(key: string): string | undefined {
  let ignored: { pattern: string; length: number } | undefined;
  for (const { pattern, expr } of IGNORED_EXPRS) {
    const length = matchAtStart(expr, key);
    if (length > 0 && (ignored === undefined || length < ignored.length)) ignored = { pattern, length };
  }
  if (ignored === undefined) return undefined;
  const included = Math.max(0, ...INCLUDED_EXPRS.map(({ expr }) => matchAtStart(expr, key)));
  return included > ignored.length ? undefined : ignored.pattern;
}

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
