/**
 * The mesh identity of a ServiceAccount's pods, as Istio AuthorizationPolicies and Linkerd
 * MeshTLSAuthentications name it (internal).
 */

import { Mesh } from '../cluster/mesh';

/**
 * The Istio principal of `<namespace>/<account>`: `<trust domain>/ns/<namespace>/sa/<account>` (the
 * workload's SPIFFE ID without `spiffe://`, as AuthorizationPolicy `principals` match it).
 */
export function istioPrincipal(trustDomain: string, namespace: string, account: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${account}`;
}

/**
 * The end of every proxy identity of a Linkerd mesh (whose control plane namespace is always set):
 * `serviceaccount.identity.<control plane namespace>.<trust domain>` (a proxy's identity is `<sa>.<ns>.`
 * followed by it; linkerd2 chart, LINKERD2_PROXY_IDENTITY_LOCAL_NAME).
 */
export function linkerdIdentitySuffix(mesh: Pick<Mesh, 'controlPlaneNamespace' | 'trustDomain'>): string {
  return `serviceaccount.identity.${mesh.controlPlaneNamespace}.${mesh.trustDomain}`;
}

/**
 * The Linkerd proxy identity of `<namespace>/<account>`: `<account>.<namespace>.<suffix>`, `suffix` being
 * {@link linkerdIdentitySuffix} (account `*`: the MeshTLSAuthentication pattern for every account of the namespace).
 */
export function linkerdIdentity(account: string, namespace: string, suffix: string): string {
  return `${account}.${namespace}.${suffix}`;
}
