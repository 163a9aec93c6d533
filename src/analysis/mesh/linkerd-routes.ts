/**
 * Inbound HTTPRoutes of Linkerd Servers (internal), per the linkerd.io "Authorization Policy"
 * reference and "Configuring Per-Route Authorization Policy", and linkerd2's policy controller and
 * proxy:
 *
 * - Once an HTTPRoute (policy.linkerd.io, or gateway.networking.k8s.io) has a Server as parent, an
 *   HTTP request to that Server must match one of its routes, else the proxy answers 404.
 * - A request goes to ONE route: the match with the longest path match (`Exact`: the path;
 *   `PathPrefix`: the prefix, segment-wise, trailing `/` ignored; `RegularExpression`: the whole
 *   path, which its leftmost-first match must span), then one with a method, then more headers, then more query
 *   parameters. Between equal matches of several routes the proxy keeps the first route of the list
 *   the policy controller sends, which lists the oldest first (creationTimestamp; one without comes
 *   last), then by name, then group and kind (linkerd2 policy-controller `to_route_list` and
 *   `GroupKindName`'s order; linkerd2-proxy `http-route` `find`: the first of equal matches wins).
 * - The proxy matches `http::Uri::path()`: hyper hands it the request target as the `http` crate
 *   parses it, which ends the path at `?` and drops a `#fragment` (httparse accepts `#` in a raw
 *   request line; clients never send one), so `/api/orders/42#x` is matched as `/api/orders/42`.
 * - A route admits the clients of the AuthorizationPolicies targeting it AND those of the Server's
 *   own authorizations (policies targeting the Server or the namespace, its accessPolicy).
 */
import { compareRanks, matchesEveryRpc, matchGrpcRoute, withUpper } from './linkerd-grpc-routes';
import { LinkerdRoute, RouteHit, RouteMatch } from './linkerd-route-model';
import { leftmostMatchSpans } from '../../util/leftmost-match';
import { apiGroupOf, creationTimeOf, isPlainObject, nameOf } from '../../util/vocabulary';
import { HttpRequestSpec } from '../http-request';
import { describeRef, DirectionVerdict, ManifestObject, Reason, refOf } from '../model';
import { MAYBE, NO, YES } from '../verdict';

function matchText(m: RouteMatch): string {
  const path = m.path.type === 'PathPrefix' && m.path.value === '/' ? 'any path' : `${m.path.type} ${m.path.value}`;
  return `${m.method ?? 'any method'} ${path}${m.extra ? ` (${m.extra})` : ''}`;
}

/** Read an HTTPRoute (rules[].matches[]; a rule without matches matches every request, as does a match without a path). */
export function linkerdRoute(obj: ManifestObject): LinkerdRoute {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const matches: RouteMatch[] = [];
  const rules: unknown[] = Array.isArray(spec.rules) && spec.rules.length > 0 ? spec.rules : [{}];
  for (const rule of rules) {
    const given: unknown[] = isPlainObject(rule) && Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches : [{}];
    for (const m of given) {
      const match = isPlainObject(m) ? m : {};
      const path = isPlainObject(match.path) ? match.path : {};
      const extra = [Array.isArray(match.headers) && match.headers.length > 0 ? 'headers' : '',
        Array.isArray(match.queryParams) && match.queryParams.length > 0 ? 'query parameters' : ''].filter((x) => x).join(' and ');
      matches.push({
        ...(typeof match.method === 'string' ? { method: match.method } : {}),
        path: { type: typeof path.type === 'string' ? path.type : 'PathPrefix', value: typeof path.value === 'string' ? path.value : '/' },
        ...(extra ? { extra: `also matches ${extra}, not evaluated` } : {}),
      });
    }
  }
  const created = creationTimeOf(obj);
  // A Server parent naming a port or section refuses the whole route (linkerd-refs serverParents): it never gets here.
  const unknowns = Array.isArray(spec.hostnames) && spec.hostnames.length > 0 ? ['its hostnames are not evaluated'] : [];
  // The policy controller refuses a RequestMirror, URLRewrite or ExtensionRef filter and ignores the whole route
  // (linkerd2 policy-controller/k8s/index/src/inbound/index/http.rs `try_gateway_filter`; index.rs "Ignoring HTTPRoute").
  for (const rule of rules) {
    for (const f of (isPlainObject(rule) && Array.isArray(rule.filters) ? rule.filters : []).filter(isPlainObject)) {
      const kind = ['RequestMirror', 'URLRewrite', 'ExtensionRef'].find((t) => f.type === t || f[t === 'URLRewrite' ? 'urlRewrite' : t.charAt(0).toLowerCase() + t.slice(1)] !== undefined);
      if (kind) unknowns.push(`a ${kind} filter, which Linkerd's policy controller does not support (it ignores the route)`);
    }
  }
  const unknown = unknowns.length > 0 ? unknowns.join('; ') : undefined;
  return {
    obj,
    ref: refOf(obj),
    kind: 'HTTPRoute',
    group: apiGroupOf(obj),
    name: nameOf(obj),
    matches,
    ...(unknown ? { unknown } : {}),
    text: matches.map(matchText).join(' or '),
    ...(created !== undefined ? { created } : {}),
  };
}

/** How linkerd2 orders routes that match a request equally, for messages. */
export const EQUAL_MATCH_ORDER = 'equal matches go to the oldest route (creationTimestamp), then by name';

/**
 * The route that takes a request several routes match equally: the first in the policy
 * controller's order (oldest creationTimestamp, then name, group, kind), or only why it is not
 * known (a route without creationTimestamp in the manifests gets one when it is created).
 */
export function firstOfEqualRoutes(routes: readonly LinkerdRoute[], request: string): { route?: LinkerdRoute; reason?: Reason; why: string } {
  const unstamped = routes.filter((r) => r.created === undefined);
  if (unstamped.length > 0) {
    return { why: `${EQUAL_MATCH_ORDER}, and ${unstamped.map((r) => describeRef(r.ref)).join(', ')} carr${unstamped.length > 1 ? 'y' : 'ies'} no creationTimestamp` };
  }
  const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const [route] = [...routes].sort((a, b) => a.created! - b.created! || byteOrder(a.name, b.name) || byteOrder(a.group, b.group));
  // Routes of both API groups may share a name: then the group tells them apart (and orders them).
  const label = (r: LinkerdRoute) => `${describeRef(r.ref)}${routes.some((o) => o !== r && o.name === r.name) ? ` (${r.group})` : ''}`;
  const why = `${EQUAL_MATCH_ORDER}, group: ${label(route)}`;
  return { route, why, reason: { object: route.ref, effect: 'log', message: `${request} matches ${routes.map(label).join(', ')} equally: ${why}` } };
}

/** `verdict` with `reason` first (how the request came to the route that decided). */
export function withFirstReason(verdict: DirectionVerdict, reason: Reason): DirectionVerdict {
  return { ...verdict, reasons: [reason, ...verdict.reasons] };
}

/**
 * The path the proxy matches routes against (linkerd2-proxy `MatchPath::match_length` reads
 * `uri.path()`): the request target up to its query or fragment (hyperium/http `PathAndQuery`).
 */
export function linkerdRequestPath(path: string): string {
  return path.split(/[?#]/)[0];
}

/** Does the route match every HTTP request (a method-less `PathPrefix /` match, nothing else)? */
export function matchesEveryRequest(route: LinkerdRoute): boolean {
  if (route.kind === 'GRPCRoute') return matchesEveryRpc(route);
  return !route.unknown && route.matches.some((m) => !m.method && !m.extra && m.path.type === 'PathPrefix' && m.path.value === '/');
}

/** The matched length of a path match, undefined for none, or a string saying why it is unknown. */
function pathLength(type: string, value: string, path: string): number | undefined | string {
  switch (type) {
    case 'Exact': return value === path ? value.length : undefined;
    case 'PathPrefix': {
      if (value === '/') return 1;
      const prefix = value.replace(/\/+$/, '');
      const rest = path.replace(/\/+$/, '');
      return rest.startsWith(prefix) && (rest.length === prefix.length || rest[prefix.length] === '/') ? prefix.length : undefined;
    }
    case 'RegularExpression': {
      // The proxy's leftmost-first match must span the path; a syntax JavaScript refuses is not evaluated.
      try {
        return leftmostMatchSpans(value, path) ? path.length : undefined;
      } catch {
        return `the regular expression ${value} is not evaluated`;
      }
    }
    default: return `path match type ${type} is not evaluated`;
  }
}

/** Does the route match the request, and how strongly (Linkerd's ordering: path length, then method)? */
export function matchRoute(route: LinkerdRoute, request: HttpRequestSpec): RouteHit {
  if (route.kind === 'GRPCRoute') return matchGrpcRoute(route, request, linkerdRequestPath(request.path));
  if (route.unknown) return { truth: MAYBE, rank: [], why: `${route.name}: ${route.unknown}` };
  let best: RouteHit = { truth: NO, rank: [] };
  let upper: { rank: number[]; why: string } | undefined;
  for (const m of route.matches) {
    if (m.method !== undefined && m.method !== request.method) continue;
    const len = pathLength(m.path.type, m.path.value, linkerdRequestPath(request.path));
    if (len === undefined) continue;
    if (typeof len === 'string' || m.extra) {
      const why = typeof len === 'string' ? len : matchText(m);
      if (best.truth === NO) best = { truth: MAYBE, rank: [], why };
      // Headers and query parameters rank after path and method; an unknown path length may rank above anything.
      const rank = typeof len === 'string' ? [Infinity] : [len, m.method !== undefined ? 1 : 0, Infinity];
      if (!upper || compareRanks(rank, upper.rank) > 0) upper = { rank, why: `${route.name}: ${why}` };
      continue;
    }
    const hit = { truth: YES, rank: [len, m.method !== undefined ? 1 : 0] };
    if (best.truth !== YES || compareHits(hit, best) > 0) best = hit;
  }
  return withUpper(best, upper);
}

/** Linkerd's order of two matches of one request (> 0: `a` wins). */
export function compareHits(a: RouteHit, b: RouteHit): number {
  return compareRanks(a.rank, b.rank);
}
