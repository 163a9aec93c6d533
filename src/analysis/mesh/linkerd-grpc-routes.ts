/**
 * Inbound GRPCRoutes of Linkerd gRPC Servers (internal): how a request is matched against a
 * gateway.networking.k8s.io GRPCRoute whose parent is a Server with `proxyProtocol: gRPC` (linkerd.io
 * "Authorization Policy": a route target may be an HTTPRoute or a GRPCRoute; Linkerd has no GRPCRoute
 * of its own, the pinned 2.20 CRDs define none).
 *
 * - The policy controller reads each match's `method` as `service` and `method` names compared
 *   exactly; a `type: RegularExpression` method match fails the conversion of the whole route
 *   (linkerd2 policy-controller/k8s/index/src/routes/grpc.rs `try_match`, "unsupported GRPCRoute method
 *   match type"), and the inbound index then ignores the route (below): such a route
 *   matches nothing for sure and anything maybe (indeterminate where it could decide).
 * - The proxy (linkerd2-proxy linkerd/http/route/src/grpc/match.rs `MatchRpc::match_length`) matches
 *   POST requests only; it splits the path (without query) on `/`: the part after the first `/` is the
 *   service, the next part the method, which must exist (`/pkg.Svc` alone matches no match, even one
 *   naming neither); a given service or method must equal its part. A better match has the longer
 *   service, then the longer method, then more headers (`RouteMatch` order).
 * - A rule without matches matches every request, with the weakest rank (linkerd/http/route/src/lib.rs
 *   `find`: "implicit default match"), POST or not.
 * - A RequestMirror or ExtensionRef filter also fails the conversion (`try_grpc_filter`); the index
 *   then ignores the route (policy-controller/k8s/index/src/inbound/index.rs `apply_grpc_route`): as
 *   for a RegularExpression method match, the analysis says so and leaves the route's requests indeterminate.
 * - Header matches and hostnames are not evaluated (as for HTTPRoutes: ./linkerd-routes).
 */
import type { LinkerdRoute, RouteHit, RpcMatch } from './linkerd-route-model';
import { apiGroupOf, creationTimeOf, isPlainObject, nameOf } from '../../util/vocabulary';
import { HttpRequestSpec } from '../http-request';
import { refOf, ManifestObject } from '../model';
import { MAYBE, NO, YES } from '../verdict';

function rpcText(m: RpcMatch): string {
  if (m.implicit) return 'any request';
  const text = `gRPC ${m.service ?? '*'}/${m.method ?? '*'}`;
  return m.extra ? `${text} (${m.extra})` : text;
}

/** Read a GRPCRoute whose parent is a Server (rules[].matches[].method; headers and hostnames are not evaluated). */
export function linkerdGrpcRoute(obj: ManifestObject): LinkerdRoute {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const rpcs: RpcMatch[] = [];
  const unknowns: string[] = [];
  const rules: unknown[] = Array.isArray(spec.rules) ? spec.rules : [];
  if (rules.length === 0) unknowns.push('it has no rules, and how Linkerd routes a GRPCRoute without rules was not checked');
  for (const rule of rules) {
    // The policy controller refuses a RequestMirror or ExtensionRef filter, and with it the whole route
    // ("Ignoring GrpcRoute": linkerd2 policy-controller/k8s/index/src/inbound/index/grpc.rs `try_grpc_filter`).
    const filters: unknown[] = isPlainObject(rule) && Array.isArray(rule.filters) ? rule.filters : [];
    for (const f of filters.filter(isPlainObject)) {
      const kind = ['RequestMirror', 'ExtensionRef'].find((t) => f.type === t || f[t.charAt(0).toLowerCase() + t.slice(1)] !== undefined);
      if (kind) unknowns.push(`a ${kind} filter, which Linkerd's policy controller does not support (it ignores the route)`);
    }
    const given: unknown[] = isPlainObject(rule) && Array.isArray(rule.matches) ? rule.matches : [];
    if (given.length === 0) rpcs.push({ implicit: true });
    for (const m of given) {
      const match = isPlainObject(m) ? m : {};
      const method = isPlainObject(match.method) ? match.method : {};
      if (method.type === 'RegularExpression') {
        unknowns.push('a RegularExpression method match, which Linkerd\'s policy controller does not support (it fails to read the route)');
        continue;
      }
      // The proxy reads an empty name as no name (linkerd2-proxy MatchRpc from GrpcRpcMatch).
      const name = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
      const service = name(method.service);
      const rpc = name(method.method);
      rpcs.push({
        ...(service !== undefined ? { service } : {}),
        ...(rpc !== undefined ? { method: rpc } : {}),
        ...(Array.isArray(match.headers) && match.headers.length > 0 ? { extra: 'also matches headers, not evaluated' } : {}),
      });
    }
  }
  if (Array.isArray(spec.hostnames) && spec.hostnames.length > 0) unknowns.push('its hostnames are not evaluated');
  const created = creationTimeOf(obj);
  return {
    obj,
    ref: refOf(obj),
    kind: 'GRPCRoute',
    group: apiGroupOf(obj),
    name: nameOf(obj),
    matches: [],
    rpcs,
    ...(unknowns.length > 0 ? { unknown: unknowns.join('; ') } : {}),
    text: rpcs.map(rpcText).join(' or ') || 'no evaluated match',
    ...(created !== undefined ? { created } : {}),
  };
}

/** The rank of a gRPC match of `path` (service length, method length), or undefined for none. */
function rpcRank(m: RpcMatch, request: HttpRequestSpec, path: string): number[] | undefined {
  if (m.implicit) return [0, 0];
  if (request.method !== 'POST') return undefined;
  const parts = path.split('/');
  if (parts[0] !== '' || parts.length < 3) return undefined;
  if (m.service !== undefined && m.service !== parts[1]) return undefined;
  if (m.method !== undefined && m.method !== parts[2]) return undefined;
  return [m.service?.length ?? 0, m.method?.length ?? 0];
}

/**
 * Is `request` one a gRPC match naming no service or method takes (POST /<service>/<method>; `path`
 * without query)? A gRPC Server without GRPCRoutes gets the policy controller's default route, whose
 * one match is such (linkerd2 policy-controller/core/src/inbound.rs `InboundRoute<GrpcRouteMatch>`
 * default; index.rs `grpc_routes`), so the proxy refuses the other requests.
 */
export function isRpcRequest(request: HttpRequestSpec, path: string): boolean {
  return rpcRank({}, request, path) !== undefined;
}

/** Does the GRPCRoute match the request, and how strongly (`path`: the request path without query)? */
export function matchGrpcRoute(route: LinkerdRoute, request: HttpRequestSpec, path: string): RouteHit {
  if (route.unknown) return { truth: MAYBE, rank: [], why: `${route.name}: ${route.unknown}` };
  let best: RouteHit = { truth: NO, rank: [] };
  let upper: { rank: number[]; why: string } | undefined;
  for (const m of route.rpcs ?? []) {
    const rank = rpcRank(m, request, path);
    if (rank === undefined) continue;
    if (m.extra) {
      const why = `${route.name}: ${rpcText(m)}`;
      if (best.truth === NO) best = { truth: MAYBE, rank: [], why };
      // Headers rank after service and method (RouteMatch order).
      const potential = [...rank, Infinity];
      if (!upper || compareRanks(potential, upper.rank) > 0) upper = { rank: potential, why };
      continue;
    }
    if (best.truth !== YES || compareRanks(rank, best.rank) > 0) best = { truth: YES, rank };
  }
  return withUpper(best, upper);
}

/** Lexicographic order of two ranks (> 0: `a` is the better match). */
export function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * `best` (a route's strongest sure match) with `upper` when an unsure match of the same route may
 * outrank it: a sure match does not make the unsure ones irrelevant to the choice between routes.
 */
export function withUpper(best: RouteHit, upper: { rank: readonly number[]; why: string } | undefined): RouteHit {
  return best.truth === YES && upper && compareRanks(upper.rank, best.rank) > 0 ? { ...best, upper: upper.rank, why: upper.why } : best;
}

/**
 * Does the route match every request (a rule without matches, nothing unknown)? A match naming
 * nothing still takes only POST requests with a service and a method part.
 */
export function matchesEveryRpc(route: LinkerdRoute): boolean {
  return !route.unknown && (route.rpcs ?? []).some((m) => m.implicit);
}
