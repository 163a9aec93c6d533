/**
 * The Istio identity of a ServiceAccount's pods, as AuthorizationPolicies name it (internal).
 */

/**
 * The Istio principal of `<namespace>/<account>`: `<trust domain>/ns/<namespace>/sa/<account>` (the
 * workload's SPIFFE ID without `spiffe://`, as AuthorizationPolicy `principals` match it).
 */
export function istioPrincipal(trustDomain: string, namespace: string, account: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${account}`;
}

