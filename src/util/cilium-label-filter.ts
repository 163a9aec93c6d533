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
 * the cluster. The StatefulSet and indexed-Job labels are ignored since 1.15 (cilium/cilium#28003,
 * #28897), the Job controller-uid labels since 1.16 (cilium/cilium#31964: `batch.kubernetes.io/controller-uid`
 * and the legacy `controller-uid`).
 * The agent option `labels` (Helm `labels`), a label prefix file, or the dynamic label filter change
 * the list; the default is modelled.
 */
const IGNORED: readonly string[] = [
  'io\\.kubernetes', 'kubernetes\\.io', 'statefulset\\.kubernetes\\.io/pod-name', 'apps\\.kubernetes\\.io/pod-index',
  'batch\\.kubernetes\\.io/job-completion-index', 'batch\\.kubernetes\\.io/controller-uid', '.*beta\\.kubernetes\\.io', 'k8s\\.io',
  'pod-template-generation', 'pod-template-hash', 'controller-revision-hash', 'annotation.*', 'controller-uid', 'etcd_node',
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

/** Label key -> its ignore pattern, or NONE: the patterns start with `.*`, so matching them costs the key's length squared. */
const IGNORED_PATTERN_OF = new Map<string, string>();
const NONE = '';

/**
 * The default ignore pattern that keeps the label `key` (without source) out of Cilium identities,
 * or undefined when the key is identity-relevant.
 */
export function ciliumIgnoredLabelPattern(key: string): string | undefined {
  const known = IGNORED_PATTERN_OF.get(key);
  if (known !== undefined) return known === NONE ? undefined : known;
  const pattern = ignoredPattern(key);
  // A cluster has few distinct label keys; the cap only bounds a long-lived process reading many clusters.
  if (IGNORED_PATTERN_OF.size >= 10_000) IGNORED_PATTERN_OF.clear();
  IGNORED_PATTERN_OF.set(key, pattern ?? NONE);
  return pattern;
}

function ignoredPattern(key: string): string | undefined {
  let ignored: { pattern: string; length: number } | undefined;
  for (const { pattern, expr } of IGNORED_EXPRS) {
    const length = matchAtStart(expr, key);
    if (length > 0 && (ignored === undefined || length < ignored.length)) ignored = { pattern, length };
  }
  if (ignored === undefined) return undefined;
  const included = Math.max(0, ...INCLUDED_EXPRS.map(({ expr }) => matchAtStart(expr, key)));
  return included > ignored.length ? undefined : ignored.pattern;
}

/** One label prefix of the filter, as labelsfilter `parseLabelPrefix` reads `[source:][!]regex`. */
interface LabelPrefix {
  readonly source: string;
  readonly ignore: boolean;
  readonly expr: RegExp;
}

function parsePrefix(text: string): LabelPrefix | undefined {
  const colon = text.indexOf(':');
  const source = colon >= 0 ? text.slice(0, colon) : '';
  let prefix = colon >= 0 ? text.slice(colon + 1) : text;
  if (prefix === '') return undefined;
  const ignore = prefix.startsWith('!');
  if (ignore) prefix = prefix.slice(1);
  try {
    return { source, ignore, expr: new RegExp(prefix) };
  } catch {
    return undefined;
  }
}

/** The default list with its sources (the `reserved:.*` include first, as in defaultLabelPrefixCfg). */
const DEFAULT_PREFIXES: readonly LabelPrefix[] = [
  { source: 'reserved', ignore: false, expr: /.*/ },
  ...INCLUDED_EXPRS.map(({ expr }) => ({ source: '', ignore: false, expr })),
  ...IGNORED_EXPRS.map(({ expr }) => ({ source: '', ignore: true, expr })),
];

/**
 * Does Cilium keep the label `source:key` in identities when the agent's `labels` option holds
 * `userPrefixes` on top of the default list (labelsfilter `ParseLabelPrefixCfg` appends them; any
 * include among them turns the list into an allow-list, `filterLabels`: a label is kept when no
 * include exists and no ignore matches, or when the longest matching include is longer than the
 * shortest matching ignore)? Undefined when a prefix does not parse (the agent refuses to start).
 * With no user prefixes this is the default filter ({@link ciliumIgnoredLabelPattern}).
 */
export function ciliumLabelKept(userPrefixes: readonly string[], source: string, key: string): boolean | undefined {
  const user: LabelPrefix[] = [];
  for (const text of userPrefixes) {
    if (text === '') continue;
    const p = parsePrefix(text);
    if (p === undefined) return undefined;
    user.push(p);
  }
  const allowList = user.some((p) => !p.ignore);
  let included = 0;
  let ignored = 0;
  for (const p of [...DEFAULT_PREFIXES, ...user]) {
    if (p.source !== '' && p.source !== source) continue;
    // A match of length 0 counts for neither side (filterLabels keeps the first non-zero ignore length).
    const length = matchAtStart(p.expr, key);
    if (length === 0) continue;
    if (p.ignore) {
      if (ignored === 0 || length < ignored) ignored = length;
    } else if (length > included) {
      included = length;
    }
  }
  return (!allowList && ignored === 0) || included > ignored;
}
