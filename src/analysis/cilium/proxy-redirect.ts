/**
 * When a flow allowed without L7 rules still goes through Cilium's L7 proxy (internal).
 *
 * Cilium resolves the rules selecting an endpoint into one L4 filter per port, protocol and direction,
 * with a policy per peer selector (cilium/cilium pkg/policy l4.go `PerSelectorPolicy`, `IsRedirect`).
 * Merging an allow without L7 rules into a selector that has L7 rules on the port appends the
 * allow-all L7 rule and keeps the redirect (rule.go `mergePortProto`, `appendL7WildcardRule`); where
 * different selectors pick the same peer identity, the policy map entry with the proxy port wins
 * (mapstate.go `merge`: "precedence to proxy redirection over no proxy redirection"), and an L4-only
 * redirect covers the narrower keys of peers without one (l4.go `toMapState`, `covers`). Ingress and
 * egress are resolved alike (`mergeIngress` / `mergeEgress`): an egress L7 rule sends the client's
 * traffic to the proxy on its own node. Envoy then allows the peer's requests by the allow-all rule
 * (cilium/proxy cilium/network_policy.cc: a port rule without HTTP rules allows every request of its
 * remotes, the wildcard-port rules included), but its HTTP connection manager handles the path first.
 *
 * So an allowed flow passes the proxy when some allow rule with L7 rules on the flow's port selects the
 * flow's peer, whatever other allows admit it.
 */
import { ProxyPathConfig } from '../envoy-path';
import { L7Matcher } from '../http-request';
import { ProxyPass, SideQuery } from '../model';
import { MAYBE, YES } from '../verdict';
import { CiliumPortRule, l7MatchersOf, wildcardL7MatchersOf } from './ports';

/** An allow rule with L7 rules (or TLS server names, a TLS context, a listener) on the flow's port: it redirects the port. */
export interface RedirectingRule {
  /** `Kind ns/name rule-path`, for reasons. */
  readonly label: string;
  /** The toPorts entry with the L7 rules. */
  readonly portRule: CiliumPortRule;
}

/**
 * The proxy a flow allowed without L7 constraints passes: through the rules that surely match it, or
 * (not `sure`) through those that may; undefined when no redirecting rule matches.
 */
export function proxyPassOf(sure: readonly RedirectingRule[], maybe: readonly RedirectingRule[], q: SideQuery,
  paths: ProxyPathConfig): ProxyPass | undefined {
  const rules = sure.length > 0 ? sure : maybe;
  if (rules.length === 0) return undefined;
  const labels = [...new Set(rules.map((r) => r.label))].sort();
  const port = `${q.protocol}/${q.port}`;
  const what = `${labels.join(', ')} ${labels.length === 1 ? 'has' : 'have'} L7 rules on ${port} for this peer`;
  const why = sure.length > 0
    ? `${what}, so Cilium sends all of the peer's ${port} traffic through its L7 proxy (the L3/L4 allow becomes an allow-all L7 rule there)`
    : `${labels.join(', ')} may match this flow with L7 rules on ${port}, which would send it through Cilium's L7 proxy`;
  const text = `allow-all L7 rule Cilium adds on ${port} (redirected by ${labels.join(', ')})`;
  // One parser per port (l4.go `L7ParserType.Merge` rejects conflicting ones, TLS promotes to HTTP). TLS
  // server names, TLS contexts without HTTP rules or a custom listener on any of the rules are not evaluated, so they come first.
  const http = (r: RedirectingRule) => (r.portRule.rules?.http?.length ?? 0) > 0;
  const rank = (r: RedirectingRule): number => ((r.portRule.serverNames?.length ?? 0) > 0 || r.portRule.listener
    || ((r.portRule.terminatingTLS != null || r.portRule.originatingTLS != null) && !http(r)) ? 0 : http(r) ? 1 : 2);
  const decisive = [...rules].sort((a, b) => rank(a) - rank(b))[0];
  return { matchers: wildcardL7MatchersOf(decisive.portRule, text, paths), why, sure: sure.length > 0 };
}

/** An allow that only may match the flow, with its L7 matchers (undefined: an L3/L4 allow, the allow-all rule). */
export interface MaybeAllow {
  /** Why it only may match. */
  readonly why: string;
  /** The allow's own L7 rules for the flow; undefined when it has none. */
  readonly matchers?: L7Matcher[];
}

/**
 * What allows that only may match the flow add to the L7 rules of those that surely do (all with L7
 * rules, so the port surely goes through the proxy): a request those deny may still pass, by the
 * allow-all L7 rule an L3/L4 allow would add (rule.go `appendL7WildcardRule`; Envoy's path handling
 * still applies) or by the uncertain allow's own L7 rules. Matchers that never answer YES: a request
 * they would allow is indeterminate.
 */
export function maybeL7Matchers(maybe: readonly MaybeAllow[], sure: readonly RedirectingRule[], q: SideQuery, paths: ProxyPathConfig): L7Matcher[] {
  if (maybe.length === 0) return [];
  const allowAll = proxyPassOf(sure, [], q, paths)?.matchers ?? [];
  return maybe.flatMap((m) => (m.matchers ?? allowAll).map((matcher): L7Matcher => ({
    text: matcher.text,
    matches: (request) => {
      const r = matcher.matches(request);
      return r.truth === YES ? { truth: MAYBE, why: `it would admit the request, but applies only if an allow that may match the flow does (${m.why})` } : r;
    },
  })));
}

/**
 * The proxy a flow allowed without any explicit allow of its peer (no default deny) may pass: rules
 * with L7 rules that only may match it would redirect it, and with no L3/L4 allow of the peer to add
 * the allow-all L7 rule their own L7 rules then decide (docs.cilium.io policy intro: EnableDefaultDeny
 * does not apply to layer-7 policy). Never sure; undefined when no such rule.
 */
export function ownRulesPassOf(maybe: readonly RedirectingRule[], q: SideQuery, paths: ProxyPathConfig): ProxyPass | undefined {
  if (maybe.length === 0) return undefined;
  const labels = [...new Set(maybe.map((r) => r.label))].sort();
  return {
    matchers: maybe.flatMap((r) => l7MatchersOf(r.portRule, ` (${r.label})`, paths)),
    why: `${labels.join(', ')} may match this flow with L7 rules on ${q.protocol}/${q.port}, which would then restrict it (no allow of this peer adds `
      + 'the allow-all L7 rule)',
    sure: false,
  };
}
