/**
 * Linkerd inbound routes as the analysis reads them (internal): the types shared by the HTTPRoute
 * reading (./linkerd-routes) and the GRPCRoute reading (./linkerd-grpc-routes).
 */
import { ManifestObject, ObjectRef } from '../model';
import { Tri } from '../verdict';

/** One match of a route: method and path, and what it also requires that is not evaluated. */
export interface RouteMatch {
  readonly method?: string;
  readonly path: { readonly type: string; readonly value: string };
  /** Headers or query parameters this match also requires (not evaluated). */
  readonly extra?: string;
}

/** One match of a GRPCRoute rule (no `method`: any service and method). */
export interface RpcMatch {
  /** The service name (exact), or any. */
  readonly service?: string;
  /** The method name (exact), or any. */
  readonly method?: string;
  /** Why the match is not evaluated (header matches), if it is not. */
  readonly extra?: string;
  /** A rule without matches: every request, POST or not. */
  readonly implicit?: boolean;
}

/** An inbound HTTPRoute or GRPCRoute (./linkerd-grpc-routes) as the analysis reads it. */
export interface LinkerdRoute {
  readonly obj: ManifestObject;
  readonly ref: ObjectRef;
  readonly kind: 'HTTPRoute' | 'GRPCRoute';
  /** `policy.linkerd.io` or `gateway.networking.k8s.io` (an AuthorizationPolicy's targetRef names it). */
  readonly group: string;
  readonly name: string;
  /** An HTTPRoute's matches (none for a GRPCRoute). */
  readonly matches: readonly RouteMatch[];
  /** A GRPCRoute's matches. */
  readonly rpcs?: readonly RpcMatch[];
  /** What makes every request's match unknown (hostnames). */
  readonly unknown?: string;
  /** `GET /api/.* (RegularExpression) or ...` for constraints. */
  readonly text: string;
  /** `metadata.creationTimestamp` in milliseconds, when the manifest carries one that parses. */
  readonly created?: number;
}

/**
 * How a request matched a route: YES with the precedence of the best match (`rank`, compared in
 * order: for an HTTPRoute path length then method, for a GRPCRoute service then method length), NO, or MAYBE (why).
 */
export interface RouteHit {
  readonly truth: Tri;
  readonly rank: readonly number[];
  readonly why?: string;
  /**
   * A surely matching route's strongest possible rank, when a match of it that is not evaluated
   * (headers, query parameters) may outrank `rank` (`why` says which): the route may then win over
   * stronger sure matches of other routes. Absent otherwise.
   */
  readonly upper?: readonly number[];
}
