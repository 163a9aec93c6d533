import { IConstruct } from 'constructs';
import { GatewayParent } from './gateway-parent';
import { propError } from '../util/errors';
import { requireInstance, requireString } from '../util/guards';

/** One lower-case DNS-1123 label. */
const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

/**
 * A Gateway API Hostname (listener `hostname`, HTTPRoute `hostnames`): the CRD's pattern (lower-case
 * DNS labels, optionally `*.` first, at most 253 characters; `minLabels` labels at least) and not an
 * IP address, which the type's definition excludes ("IPs are not allowed") but its pattern admits.
 */
export function validateGatewayHostname(scope: IConstruct | string, prop: string, value: string, minLabels = 1): string {
  const h = requireString(scope, prop, value);
  const labels = minLabels > 1 ? `(\\.${LABEL}){${minLabels - 1},}` : `(\\.${LABEL})*`;
  if (!new RegExp(`^(\\*\\.)?${LABEL}${labels}$`).test(h) || h.length > 253) {
    throw propError(scope, prop, `'${h}' is not a host name${minLabels > 1 ? ' (lower-case DNS name with at least two labels, optionally \'*.\' first)' : ''}`);
  }
  if (/^[0-9]+(\.[0-9]+){3}$/.test(h)) throw propError(scope, prop, `'${h}' is an IP address; a Gateway API hostname must be a DNS name (IPs are not allowed)`);
  return h;
}

/**
 * Do a listener hostname and a route hostname intersect (Gateway API, HTTPRoute `hostnames`)? A
 * wildcard `*.example.com` stands for every name with at least one more label in front of
 * `example.com` (not `example.com` itself); two wildcards intersect when one suffix contains the other.
 */
export function hostnamesIntersect(listener: string, route: string): boolean {
  const suffix = (h: string) => h.slice(1); // '*.example.com' -> '.example.com'
  const covers = (wildcard: string, name: string) => name.endsWith(suffix(wildcard)) && name.length > suffix(wildcard).length;
  const lw = listener.startsWith('*.');
  const rw = route.startsWith('*.');
  if (!lw && !rw) return listener === route;
  if (lw && !rw) return covers(listener, route);
  if (!lw && rw) return covers(route, listener);
  return listener === route || covers(listener, route.slice(2)) || covers(route, listener.slice(2));
}

/**
 * The route's `parentRefs` entry for a Gateway listener, after checking, when the Gateway is defined
 * in this app, that the listener admits a route in `routeNamespace` and serves each of the route's
 * `hostnames` (`hostnameProp(i)` names one in errors): a route it does not admit, or a hostname it ignores,
 * would be accepted by the API server and never attach or never be served, so this is an error.
 */
export function gatewayParentRef(scope: IConstruct, prop: string, parent: GatewayParent, routeNamespace: string,
  hostnames: readonly string[] = [], hostnameProp: (index: number) => string = (i) => `hostnames[${i}]`): Record<string, string> {
  const ref = requireInstance(scope, prop, parent, GatewayParent, 'a GatewayParent (GatewayParent.existing(...) or HttpsGateway.parent())')._ref;
  if (ref.allowedRoutes && !ref.allowedRoutes._admits(ref.gatewayNamespace, routeNamespace)) {
    const admitted = ref.allowedRoutes.from === 'Selector' ? `namespaces ${ref.allowedRoutes.namespaceNames.join(', ')}` : `'${ref.allowedRoutes.from}'`;
    throw propError(scope, prop, `listener ${parent} (${ref.definedBy}) admits routes from ${admitted}, not from namespace '${routeNamespace}': `
      + `the route would never attach. Add '${routeNamespace}' to the listener's allowedRoutes (AllowedRoutes.namespaces([...])), or put the `
      + 'route in an admitted namespace');
  }
  const listenerHost = ref.hostname;
  if (listenerHost !== undefined) {
    hostnames.forEach((h, i) => {
      if (hostnamesIntersect(listenerHost, h)) return;
      throw propError(scope, hostnameProp(i), `'${h}' does not match the hostname '${listenerHost}' of listener ${parent} (${ref.definedBy}): `
        + 'the listener ignores it, and a route none of whose hostnames match does not attach (NoMatchingListenerHostname). Use a hostname the '
        + 'listener serves, or omit hostnames to take the listener\'s');
    });
  }
  const out: Record<string, string> = { name: ref.gatewayName };
  if (ref.gatewayNamespace !== routeNamespace) out.namespace = ref.gatewayNamespace;
  if (ref.sectionName) out.sectionName = ref.sectionName;
  return out;
}
