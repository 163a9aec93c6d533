import { IConstruct } from 'constructs';
import { GatewayParent } from './gateway-parent';
import { propError } from '../util/errors';
import { requireInstance } from '../util/guards';

/**
 * The route's `parentRefs` entry for a Gateway listener, after checking that the listener admits a
 * route in `routeNamespace` when the Gateway is defined in this app: a route it does not admit would
 * be accepted by the API server and never attach, so this is an error, not emitted.
 */
export function gatewayParentRef(scope: IConstruct, prop: string, parent: GatewayParent, routeNamespace: string): Record<string, string> {
  const ref = requireInstance(scope, prop, parent, GatewayParent, 'a GatewayParent (GatewayParent.existing(...) or HttpsGateway.parent())')._ref;
  if (ref.allowedRoutes && !ref.allowedRoutes._admits(ref.gatewayNamespace, routeNamespace)) {
    const admitted = ref.allowedRoutes.from === 'Selector' ? `namespaces ${ref.allowedRoutes.namespaceNames.join(', ')}` : `'${ref.allowedRoutes.from}'`;
    throw propError(scope, prop, `listener ${parent} (${ref.definedBy}) admits routes from ${admitted}, not from namespace '${routeNamespace}': `
      + `the route would never attach. Add '${routeNamespace}' to the listener's allowedRoutes (AllowedRoutes.namespaces([...])), or put the `
      + 'route in an admitted namespace');
  }
  const out: Record<string, string> = { name: ref.gatewayName };
  if (ref.gatewayNamespace !== routeNamespace) out.namespace = ref.gatewayNamespace;
  if (ref.sectionName) out.sectionName = ref.sectionName;
  return out;
}
