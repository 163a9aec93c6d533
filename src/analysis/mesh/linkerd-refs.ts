import { apiGroupOf, isPlainObject } from '../../util/vocabulary';

/**
 * How linkerd2's policy controller compares the kind and group of a reference (targetRef,
 * authentication refs): linkerd2's policy controller compares reference kinds and groups ignoring ASCII case, an empty
 * group being the core group (policy-controller k8s index, `targets_kind`).
 */
export function isLinkerdKind(value: unknown, kind: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === kind.toLowerCase();
}

/** A reference's group against `group` (`''` for the core group), as {@link isLinkerdKind}. */
export function isLinkerdGroup(value: unknown, group: string): boolean {
  const given = typeof value === 'string' && value !== '' ? value.toLowerCase() : 'core';
  return given === (group === '' ? 'core' : group.toLowerCase());
}

/** Why linkerd2's policy controller ignores a whole route for one of its Server parentRefs. */
export interface RefusedRoute {
  /** `a parentRef names a Server in another namespace`, `... by port 8080`, `... by section name http`. */
  readonly refused: string;
}

/**
 * The Servers an HTTPRoute (Linkerd's or Gateway API's) or GRPCRoute names as parents, as linkerd2's
 * policy controller reads its parentRefs: kind and group compared as {@link isLinkerdKind} does, a
 * missing group being what the route's CRD defaults it to (`policy.linkerd.io` in Linkerd's HTTPRoute,
 * `gateway.networking.k8s.io` in Gateway API's, which then names no Server), a parentRef without a
 * name skipped. A Server parent in another namespace than the route's, or naming a `port` or a
 * `sectionName`, makes the controller ignore the whole route (linkerd2
 * policy-controller/k8s/index/src/inbound/routes.rs `InvalidParentRef`: ServerInAnotherNamespace,
 * SpecifiesPort, SpecifiesSection, checked in that order per parentRef, the first one failing the
 * route; the inbound index logs "Ignoring HTTPRoute"). The admission webhook does not check these
 * (policy-controller/src/admission.rs only requires a port for an EgressNetwork parent), so the route
 * exists and has no effect. A field given as `null` is absent (serde's `Option`; the API server drops
 * nulls of CRD fields that are not nullable).
 */
export function serverParents(route: { apiVersion?: unknown; spec?: any }, routeNamespace: string): string[] | RefusedRoute {
  const defaultGroup = apiGroupOf(route);
  const names: string[] = [];
  const given = (value: unknown) => value !== undefined && value !== null;
  for (const parent of Array.isArray(route.spec?.parentRefs) ? route.spec.parentRefs : []) {
    if (!isPlainObject(parent) || !isLinkerdKind(parent.kind, 'Server') || !isLinkerdGroup(parent.group ?? defaultGroup, 'policy.linkerd.io')) continue;
    if (typeof parent.name !== 'string' || parent.name === '') continue;
    if (given(parent.namespace) && parent.namespace !== routeNamespace) return { refused: 'a parentRef names a Server in another namespace' };
    if (given(parent.port)) return { refused: `a parentRef names Server ${parent.name} by port ${String(parent.port)}` };
    if (given(parent.sectionName)) return { refused: `a parentRef names Server ${parent.name} by section name ${String(parent.sectionName)}` };
    names.push(parent.name);
  }
  return names;
}

/**
 * Why linkerd2's policy controller refuses (and its admission webhook rejects) an AuthorizationPolicy
 * for its requiredAuthenticationRefs, if it does: a kind other than MeshTLSAuthentication,
 * NetworkAuthentication (group policy.linkerd.io) or ServiceAccount (core group; a missing group is
 * the core group); more than one identity source (MeshTLSAuthentication or
 * ServiceAccount); more than one NetworkAuthentication. References that are not objects are left to
 * the per-reference evaluation.
 */
export function refusedAuthentications(refs: readonly unknown[]): string | undefined {
  let identities = 0;
  let networks = 0;
  for (const ref of refs) {
    if (!isPlainObject(ref)) continue;
    const policyGroup = isLinkerdGroup(ref.group, 'policy.linkerd.io');
    if ((isLinkerdKind(ref.kind, 'MeshTLSAuthentication') && policyGroup) || (isLinkerdKind(ref.kind, 'ServiceAccount') && isLinkerdGroup(ref.group, ''))) {
      identities++;
    } else if (isLinkerdKind(ref.kind, 'NetworkAuthentication') && policyGroup) {
      networks++;
    } else {
      const group = typeof ref.group === 'string' && ref.group !== '' ? `group ${ref.group}` : 'the core group (no group given)';
      const known = ['MeshTLSAuthentication', 'NetworkAuthentication', 'ServiceAccount'].some((k) => isLinkerdKind(ref.kind, k));
      return `it requires an authentication of kind ${String(ref.kind)}${known ? ` in ${group}` : ''}, which Linkerd does not support`;
    }
  }
  if (identities > 1) return `it requires ${identities} identity authentications (MeshTLSAuthentication or ServiceAccount); Linkerd accepts one`;
  if (networks > 1) return `it requires ${networks} NetworkAuthentications; Linkerd accepts one`;
  return undefined;
}
