/**
 * Which Linkerd AuthorizationPolicies apply to a Server (internal): the one reading for the
 * ThreeTierApp's checks of the user's own policies on its tier-port Servers, in patterns/ (the
 * NetworkPolicy allows the mesh would refuse) and in mesh/ (whom those policies admit).
 *
 * An AuthorizationPolicy (group `policy.linkerd.io`) applies to the Servers of its own namespace that
 * its `targetRef` names: a Server by name, or `kind: Namespace`, every Server of the policy's
 * namespace (linkerd.io "Authorization Policy" reference,
 * https://linkerd.io/2/reference/authorization-policy). A policy on an HTTPRoute is not read here.
 */
import { ApiObject } from 'cdk8s';
import { isPlainObject } from './vocabulary';

/** Is `object` a Linkerd AuthorizationPolicy of `namespace` targeting the Server `server` or the namespace? */
export function linkerdPolicyTargetsServer(object: ApiObject, namespace: string, server: string): boolean {
  if (object.kind !== 'AuthorizationPolicy' || object.metadata.namespace !== namespace || object.apiVersion.split('/')[0] !== 'policy.linkerd.io') {
    return false;
  }
  const target = object.toJson().spec?.targetRef;
  return isPlainObject(target) && ((target.kind === 'Server' && target.name === server) || target.kind === 'Namespace');
}
