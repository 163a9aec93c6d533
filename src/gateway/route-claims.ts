import { IConstruct } from 'constructs';

/**
 * What a catch-all route of this library routes (internal): a CanaryRoute's weighted rule and a
 * ThreeTierApp's frontend HTTPRoute match every request, so two routes over the same traffic tie, and
 * the meshes and Gateways apply one of them only:
 *
 * - `virtualService`: the VirtualService of a host for mesh traffic (its rules match `port`). Istio merges
 *   VirtualServices only on ingress gateways, never for mesh traffic (istio/istio#36621): a sidecar takes the
 *   routes of one VirtualService per host and port, so two on one port tie. Two on different ports would
 *   both apply, but `istioctl analyze` reports any two of one host as an error (IST0109,
 *   ConflictingMeshGatewayVirtualServiceHosts, which does not look at ports): they are refused too.
 * - `meshRoute`: an HTTPRoute with a Service port as parent. Between rules of several routes that match
 *   alike, the Gateway API gives precedence to the oldest route, then to the first by namespace/name
 *   (HTTPRouteRule `matches`, gateway-api v1.4.1 CRD): the other route's split never applies. Under Istio
 *   it also ties with a `virtualService` of the Service on that port: istiod turns a mesh HTTPRoute into a
 *   VirtualService of the Service's host whose rules match the parent's port (istio
 *   pilot/pkg/config/kube/gateway conversion.go, augmentPortMatch), and the sidecar takes the routes of one
 *   VirtualService per host and port (pilot/pkg/networking/core/route/route.go: the first VirtualService
 *   with routes on the port wins the virtual host), so one of the two splits never applies.
 * - `gatewayRoute`: an HTTPRoute on a Gateway listener, with the same tie between routes on the same
 *   listener (no sectionName: every listener of the Gateway) that name the same hostname, or both name
 *   none. A more specific hostname takes precedence over a wildcard one (HTTPRouteRule `matches`:
 *   characters in a matching non-wildcard hostname first), so `*.example.com` beside `shop.example.com`
 *   is no tie; a route without hostnames beside one with hostnames depends on the listener's hostname and
 *   the implementation, and is not reported.
 */
export type RouteClaim =
  | { readonly kind: 'virtualService'; readonly namespace: string; readonly host: string; readonly port: number }
  | { readonly kind: 'meshRoute'; readonly namespace: string; readonly service: string; readonly port: number }
  | {
    readonly kind: 'gatewayRoute'; readonly gateway: string; readonly sectionName?: string; readonly hostnames: readonly string[];
  };

/** A recorded claim, the construct path of the construct that made it and what that is ('a CanaryRoute'). */
export interface Claimed { readonly claim: RouteClaim; readonly by: string; readonly owner: string }

/** Root -> its claims, in construction order. */
const CLAIMS = new WeakMap<IConstruct, Claimed[]>();

/** Do two claims cover the same requests? */
function overlap(a: RouteClaim, b: RouteClaim): boolean {
  switch (a.kind) {
    case 'virtualService':
      if (b.kind === 'meshRoute') return overlap(b, a);
      return b.kind === 'virtualService' && a.namespace === b.namespace && a.host === b.host;
    case 'meshRoute':
      if (b.kind === 'virtualService') return a.namespace === b.namespace && a.service === b.host && a.port === b.port;
      return b.kind === 'meshRoute' && a.namespace === b.namespace && a.service === b.service && a.port === b.port;
    case 'gatewayRoute': {
      if (b.kind !== 'gatewayRoute' || a.gateway !== b.gateway) return false;
      if (a.sectionName !== undefined && b.sectionName !== undefined && a.sectionName !== b.sectionName) return false;
      if (a.hostnames.length === 0 || b.hostnames.length === 0) return a.hostnames.length === b.hostnames.length;
      return a.hostnames.some((h) => b.hostnames.includes(h));
    }
  }
}

/**
 * Record `claim` for `scope` (an `owner`, e.g. 'a CanaryRoute'), or return the earlier claim of the app
 * that covers the same requests (nothing is recorded then).
 */
export function claimRoute(scope: IConstruct, claim: RouteClaim, owner: string): Claimed | undefined {
  const root = scope.node.root;
  const claims = CLAIMS.get(root) ?? [];
  CLAIMS.set(root, claims);
  const other = claims.find((c) => overlap(c.claim, claim));
  if (other) return other;
  claims.push({ claim, by: scope.node.path, owner });
  return undefined;
}
