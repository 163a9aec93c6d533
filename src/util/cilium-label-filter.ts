/**
 * Cilium's default identity label filter (cilium/cilium pkg/labelsfilter/filter.go
 * `defaultLabelPrefixCfg`; docs.cilium.io "Limiting Identity-Relevant Labels"), shared by the
 * renderer (which refuses selectors on dropped keys) and the analyzer (which leaves dropped labels
 * out of identities).
 *
 * A label whose key one of the ignore patterns matches at its start is left out of the security
 * identity, unless an include pattern matches a longer part of the key (labelsfilter `filterLabels`:
 * the shortest matching ignore against the longest matching include; the default list has no
 * whitelist, so a key no ignore pattern matches is kept). The patterns apply to every `k8s:` label
 * of an endpoint: pod labels and the labels Cilium derives from the namespace
 * (`io.kubernetes.pod.namespace`, `io.cilium.k8s.namespace.labels.<key>`), the service account and
 * the cluster. The StatefulSet and indexed-Job labels are ignored since 1.15 (cilium/cilium#28003).
 * The agent option `labels` (Helm `labels`), a label prefix file, or the dynamic label filter change
 * the list; the default is modelled.
 */
const IGNORED: readonly string[] = [
  'io\\.kubernetes', 'kubernetes\\.io', 'statefulset\\.kubernetes\\.io/pod-name', 'apps\\.kubernetes\\.io/pod-index',
  'batch\\.kubernetes\\.io/job-completion-index', '.*beta\\.kubernetes\\.io', 'k8s\\.io', 'pod-template-generation',
  'pod-template-hash', 'controller-revision-hash', 'annotation.*', 'etcd_node',
];
/** The include patterns of the same default list that can match a `k8s:` label key (`reserved:.*` only matches reserved labels). */
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
 * The default ignore pattern that keeps the label `key` (without source) out of Cilium identities,
 * or undefined when the key is identity-relevant.
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
