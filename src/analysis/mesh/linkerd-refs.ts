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

/**
 * The Servers an HTTPRoute (Linkerd's or Gateway API's) names as parents, as linkerd2's policy
 * controller reads its parentRefs: kind and group compared as {@link isLinkerdKind} does, a missing
 * group being what the route's CRD defaults it to (`policy.linkerd.io` in Linkerd's HTTPRoute,
 * `gateway.networking.k8s.io` in Gateway API's, which then names no Server). A Server parent in
 * another namespace than the route's makes the controller refuse the whole route.
 */
export function serverParents(route: { apiVersion?: unknown; spec?: any }, routeNamespace: string): string[] | 'other-namespace' {
  const defaultGroup = apiGroupOf(route);
  const names: string[] = [];
  for (const parent of Array.isArray(route.spec?.parentRefs) ? route.spec.parentRefs : []) {
    if (!isPlainObject(parent) || !isLinkerdKind(parent.kind, 'Server') || !isLinkerdGroup(parent.group ?? defaultGroup, 'policy.linkerd.io')) continue;
    if (typeof parent.name !== 'string' || parent.name === '') continue;
    if (parent.namespace !== undefined && parent.namespace !== routeNamespace) return 'other-namespace';
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
