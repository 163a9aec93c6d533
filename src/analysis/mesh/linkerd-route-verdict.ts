/**
 * The verdict on a Linkerd Server with HTTPRoutes or GRPCRoutes (internal; see ./linkerd-routes and
 * ./linkerd-grpc-routes for how a request finds its route): a request no route matches gets 404 (HTTP)
 * or is refused (gRPC) by the proxy; one that matches goes to ONE
 * route and is authorized by the AuthorizationPolicies targeting that route or by the Server's own
 * authorizations. Without a request, the answer is the routes' L7 constraints.
 */
import { compareRanks } from './linkerd-grpc-routes';
import { LinkerdRoute } from './linkerd-route-model';
import {
  compareHits, EQUAL_MATCH_ORDER, firstOfEqualRoutes, matchesEveryRequest, matchRoute, withFirstReason,
} from './linkerd-routes';
import { MeshQuery } from './mesh-model';
import { describeRequest } from '../http-request';
import { describeRef, DirectionVerdict, Endpoint, ObjectRef, Reason, sideVerdict } from '../model';
import { MAYBE, NO, Tri, YES } from '../verdict';

/** What the AuthorizationPolicies targeting one HTTPRoute say about a client. */
export interface RouteAuthorization {
  readonly truth: Tri;
  readonly reasons: Reason[];
  readonly uncertain: string[];
}

/**
 * The verdict on the Server `server` with HTTPRoutes: a request must match a route (else 404) and is
 * then authorized by that route's policies (`own`) or by the Server's own authorizations (`serverLevel`).
 */
export function routedVerdict(server: ObjectRef, routes: LinkerdRoute[], own: ReadonlyMap<LinkerdRoute, RouteAuthorization>,
  serverLevel: DirectionVerdict, q: MeshQuery, client: Endpoint, flowText: string): DirectionVerdict {
  const serverName = describeRef(server);
  // All routes of one Server are of one kind: HTTPRoutes on HTTP Servers, GRPCRoutes on gRPC ones.
  const grpc = routes[0]?.kind === 'GRPCRoute';
  const decide = (r: LinkerdRoute): DirectionVerdict => {
    const j = own.get(r)!;
    const routeText = `${describeRef(r.ref)} (${r.text})`;
    if (serverLevel.outcome === YES) {
      return sideVerdict(YES, [...serverLevel.reasons, { object: r.ref, effect: 'log', message: `the request goes to ${routeText}, where the Server's own authorizations apply too` }]);
    }
    if (j.truth === YES) return sideVerdict(YES, j.reasons);
    const truth = j.truth === MAYBE || serverLevel.outcome === MAYBE ? MAYBE : NO;
    const why = `the request goes to ${routeText}, and no AuthorizationPolicy targeting it ${j.truth === MAYBE ? 'surely ' : ''}authorizes ${client.name}`;
    return sideVerdict(truth, [{ object: r.ref, effect: truth === NO ? 'isolate' : 'uncertain', message: why }, ...j.reasons, ...serverLevel.reasons],
      truth === MAYBE ? [...j.uncertain, ...(serverLevel.uncertain ?? [])] : []);
  };
  if (q.request) {
    const request = describeRequest(q.request);
    const hits = routes.map((r) => ({ r, hit: matchRoute(r, q.request!) })).filter((h) => h.hit.truth !== NO);
    if (hits.length === 0) {
      return sideVerdict(NO, [{
        object: server,
        effect: 'isolate',
        message: grpc ? `GRPCRoutes attach to ${serverName} and none matches ${request} (the proxy matches POST /<service>/<method>): Linkerd's proxy `
          + `refuses ${flowText} (no route found; linkerd2-proxy grpc MatchRpc)`
          : `HTTPRoutes attach to ${serverName} and none matches ${request}: Linkerd's proxy answers 404 to ${flowText} (linkerd.io "Configuring Per-Route `
          + 'Authorization Policy")',
      }]);
    }
    const sure = hits.filter((h) => h.hit.truth === YES);
    const best = sure.reduce((a, b) => (compareHits(b.hit, a.hit) > 0 ? b : a), sure[0]);
    // Routes that may win: the best sure match, the sure matches as strong as it, those an unsure match may lift
    // as high (RouteHit.upper), and every unsure match.
    const mayReach = (h: typeof hits[number]) => h.hit.upper !== undefined && compareRanks(h.hit.upper, best.hit.rank) >= 0;
    const contenders = hits.filter((h) => h.hit.truth === MAYBE || (best && (compareHits(h.hit, best.hit) === 0 || mayReach(h))));
    if (contenders.length === 1 && contenders[0].hit.truth === YES) return decide(contenders[0].r);
    const tie = contenders.every((h) => h.hit.truth === YES && compareHits(h.hit, best.hit) === 0 && h.hit.upper === undefined)
      ? firstOfEqualRoutes(contenders.map((h) => h.r), request) : undefined;
    if (tie?.route) return withFirstReason(decide(tie.route), tie.reason!);
    const verdicts = contenders.map((h) => decide(h.r));
    const outcomes = new Set(verdicts.map((v) => v.outcome));
    // All possible routes deny (as a 404 would), or a route surely matches and all possible ones allow.
    if (outcomes.size === 1 && (verdicts[0].outcome === NO || (verdicts[0].outcome === YES && best))) return verdicts[0];
    const why = `${request} may go to any of ${contenders.map((h) => describeRef(h.r.ref)).join(', ')}${best ? '' : ' or to none (404)'} on ${serverName} (`
      + `${[...new Set(contenders.map((h) => h.hit.why ?? tie?.why ?? EQUAL_MATCH_ORDER))].join('; ')})`;
    return sideVerdict(MAYBE, [{ effect: 'uncertain', message: why }, ...verdicts.flatMap((v) => v.reasons)],
      [why, ...verdicts.flatMap((v) => v.uncertain ?? [])]);
  }
  const catchAll = routes.find(matchesEveryRequest);
  if (serverLevel.outcome === YES) {
    if (catchAll) {
      return sideVerdict(YES, [...serverLevel.reasons, {
        object: catchAll.ref, effect: 'log', message: `${describeRef(catchAll.ref)} matches every request, so no request to ${serverName} is left unrouted`,
      }]);
    }
    return sideVerdict(YES, serverLevel.reasons, [], [`only requests ${grpc ? 'a GRPCRoute' : 'an HTTPRoute'} of ${serverName} matches (${routes.map((r) => r.text).join('; ')}): `
      + `Linkerd ${grpc ? 'refuses' : 'answers 404 to'} the others`]);
  }
  const allowedRoutes = routes.filter((r) => own.get(r)!.truth === YES);
  const unsure = routes.filter((r) => own.get(r)!.truth === MAYBE);
  if (allowedRoutes.length > 0 && unsure.length === 0 && serverLevel.outcome === NO) {
    return sideVerdict(YES, [
      ...allowedRoutes.flatMap((r) => own.get(r)!.reasons.map((reason) => ({ ...reason, message: `${reason.message} for some requests only` }))),
    ], [], allowedRoutes.map((r) => `only ${r.text} (${describeRef(r.ref)}, when no stronger match of another route of ${serverName} takes the request; `
      + `${grpc ? 'other requests are refused' : 'a non-HTTP connection is refused'})`));
  }
  if (allowedRoutes.length > 0 || unsure.length > 0 || serverLevel.outcome === MAYBE) {
    const whys = [
      ...(allowedRoutes.length > 0 ? [`AuthorizationPolicies authorize some requests only (${allowedRoutes.map((r) => `${describeRef(r.ref)}: ${r.text}`).join('; ')})`] : []),
      ...unsure.flatMap((r) => own.get(r)!.uncertain),
      ...(serverLevel.uncertain ?? []),
    ];
    return sideVerdict(MAYBE, [...serverLevel.reasons, ...whys.map((m) => ({ effect: 'uncertain' as const, message: m }))], whys);
  }
  return sideVerdict(NO, [...serverLevel.reasons, ...routes.flatMap((r) => own.get(r)!.reasons)]);
}
