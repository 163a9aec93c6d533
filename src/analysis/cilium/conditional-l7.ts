/**
 * L7 verdicts of a side that Cilium versions (or agent flags) allow alike at L3/L4 but may judge
 * differently per request: with a policy Cilium 1.18 applies and 1.19+ rejects (fromRequires /
 * toRequires, cilium/cilium#42615), the HTTP rules of one variant may restrict requests the other lets
 * through, or an L3/L4 allow of one variant adds the allow-all L7 rule (pkg/policy rule.go
 * `appendL7WildcardRule`) over the other's HTTP rules. A request is then judged by every variant: the
 * same answer everywhere stands, different answers are indeterminate.
 */
import { HttpRequestSpec, L7Matcher, requestAllowedBy } from '../http-request';
import { DirectionVerdict, sideVerdict } from '../model';
import { MAYBE, NO, Tri, YES } from '../verdict';

/** What the side does with one request (no encryption): the verdict's L7 rules, else its proxy, else allow. */
function judge(v: DirectionVerdict, request: HttpRequestSpec): { truth: Tri; why?: string } {
  if (v.l7Constraints?.length) {
    if (!v.l7Matchers?.length) return { truth: MAYBE, why: `the L7 rules (${v.l7Constraints.join('; ')}) cannot be matched against the request` };
    const r = requestAllowedBy(v.l7Matchers, request);
    return { truth: r.truth, why: r.truth === MAYBE ? r.why.join('; ') : r.denied.join('; ') || undefined };
  }
  if (v.proxy) {
    const r = requestAllowedBy(v.proxy.matchers, request);
    if (r.truth === NO && !v.proxy.sure) return { truth: MAYBE, why: v.proxy.why };
    return { truth: r.truth, why: r.truth === MAYBE ? r.why.join('; ') : r.denied.join('; ') || undefined };
  }
  return { truth: YES };
}

/** Do two allowed sides have the same L7 view (constraints, or proxy)? */
export function sameL7(a: DirectionVerdict, b: DirectionVerdict): boolean {
  return l7Shape(a) === l7Shape(b);
}

/** The L7 view of an allowed side, for comparison: its constraints, or its proxy's rules. */
function l7Shape(v: DirectionVerdict): string {
  return JSON.stringify([v.l7Constraints ?? [], v.proxy ? [v.proxy.sure, v.proxy.why, v.proxy.matchers.map((m) => m.text)] : []]);
}

/**
 * `verdicts` (the side under every variant, the first one shown) all allow the flow at L3/L4: the
 * first one when their L7 views agree, else the same allow with one L7 matcher that judges each
 * request under every variant (`why`: which policies make the variants, for the indeterminate case).
 */
export function mergeAllowedL7(verdicts: readonly DirectionVerdict[], why: string): DirectionVerdict {
  const [first] = verdicts;
  const shapes = new Set(verdicts.map(l7Shape));
  if (shapes.size === 1) return first;
  const texts = [...new Set(verdicts.flatMap((v) => v.l7Constraints ?? v.proxy?.matchers.map((m) => m.text) ?? []))];
  const constraints = texts.length > 0 ? texts : ['the L7 rules of the variants'];
  const matcher: L7Matcher = {
    text: constraints.join('; '),
    matches: (request) => {
      const judged = verdicts.map((v) => judge(v, request));
      if (judged.every((j) => j.truth === YES)) return { truth: YES };
      if (judged.every((j) => j.truth === NO)) {
        const because = [...new Set(judged.map((j) => j.why).filter((w): w is string => !!w))];
        return because.length > 0 ? { truth: NO, why: because.join('; ') } : { truth: NO };
      }
      const inner = judged.filter((j) => j.truth === MAYBE && j.why).map((j) => j.why!);
      const split = judged.some((j) => j.truth === YES) && judged.some((j) => j.truth === NO);
      const differ = verdicts.length === 2 ? 'one allows the request and the other denies it' : 'they allow and deny the request differently';
      return { truth: MAYBE, why: split ? `${why}: ${differ}` : [why, ...inner].join('; ') };
    },
  };
  return sideVerdict(YES, first.reasons, [], constraints, [matcher]);
}
