import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { registerObject } from '../util/object-registry';

/**
 * HTTPRoute and ReferenceGrant objects, written with standard-channel fields that exist since
 * Gateway API v1.2 only (Linkerd 2.20 ignores a route that uses anything beyond the v1.2.1 spec):
 * `parentRefs {group, kind, name, namespace, sectionName, port}`, `hostnames`, and rules of
 * `matches {path {type, value}, headers {type, name, value}}` and
 * `backendRefs {name, namespace, port, weight}`. Never rule names, timeouts, retries or filters.
 */

/** A weighted Service backend (internal). */
export interface RouteBackend {
  readonly name: string;
  /** Only when it differs from the route's namespace (needs a ReferenceGrant there). */
  readonly namespace?: string;
  readonly port: number;
  readonly weight: number;
}

/** One route rule: optional exact header matches on every path, and its backends (internal). */
export interface RouteRule {
  readonly headers?: Array<{ readonly name: string; readonly value: string }>;
  readonly backends: RouteBackend[];
}

/** Which API serves the route (internal): Gateway API, or Linkerd's own copy of HTTPRoute. */
export interface RouteApi {
  readonly apiVersion: string;
}

/** The Gateway API HTTPRoute version emitted. */
export const GATEWAY_HTTP_ROUTE: RouteApi = { apiVersion: 'gateway.networking.k8s.io/v1' };
/** Linkerd's HTTPRoute (served v1alpha1-v1beta3, storage v1beta3). */
export const LINKERD_HTTP_ROUTE: RouteApi = { apiVersion: 'policy.linkerd.io/v1beta3' };

/** Emit an HTTPRoute. Every rule matches every path (`PathPrefix /`), so a rule without headers is a catch-all. */
export function emitHttpRoute(owner: Construct, id: string, api: RouteApi, name: string, namespace: string,
  parentRefs: Array<Record<string, unknown>>, hostnames: string[], rules: RouteRule[]): ApiObject {
  const spec: Record<string, unknown> = { parentRefs };
  if (hostnames.length > 0) spec.hostnames = [...hostnames];
  spec.rules = rules.map((r) => {
    const match: Record<string, unknown> = { path: { type: 'PathPrefix', value: '/' } };
    if (r.headers && r.headers.length > 0) match.headers = r.headers.map((h) => ({ type: 'Exact', name: h.name, value: h.value }));
    return {
      matches: [match],
      backendRefs: r.backends.map((b) => ({ name: b.name, ...(b.namespace ? { namespace: b.namespace } : {}), port: b.port, weight: b.weight })),
    };
  });
  return registerObject(owner, new ApiObject(owner, id, { apiVersion: api.apiVersion, kind: 'HTTPRoute', metadata: { name, namespace }, spec }));
}

/**
 * A ReferenceGrant (v1beta1, the only version Gateway API v1.4 serves; v1.6 serves it too) in the
 * namespace of the Services, admitting HTTPRoutes of `fromNamespace` to exactly these Services.
 * Without it, backends in another namespace are invalid and their share of traffic fails (500).
 */
export function emitReferenceGrant(owner: Construct, id: string, name: string, namespace: string, fromNamespace: string,
  services: string[]): ApiObject {
  return registerObject(owner, new ApiObject(owner, id, {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name, namespace },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: fromNamespace }],
      to: [...new Set(services)].map((s) => ({ group: '', kind: 'Service', name: s })),
    },
  }));
}
