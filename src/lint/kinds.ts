import { asArray, apiGroup, isKind, isObject } from './document';

/** Object-kind predicates shared by the rules. Internal. */

/** networking.k8s.io NetworkPolicy (any version). */
export function isK8sNetworkPolicy(obj: any): boolean {
  return isKind(obj, 'networking.k8s.io', 'NetworkPolicy') || isKind(obj, 'extensions', 'NetworkPolicy');
}

const CALICO_GROUPS = new Set(['projectcalico.org', 'crd.projectcalico.org']);
const CALICO_POLICY_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']);

/** Calico (Global)NetworkPolicy, served or internal API group. */
export function isCalicoPolicy(obj: any): boolean {
  return isObject(obj) && CALICO_GROUPS.has(apiGroup(obj)) && CALICO_POLICY_KINDS.has(obj.kind);
}

/** Does a Calico policy spec select every endpoint (no selector, blank, or `all()`)? */
export function calicoSelectsAll(spec: Record<string, any>): boolean {
  const selector = typeof spec.selector === 'string' ? spec.selector.trim() : '';
  return selector === '' || selector === 'all()';
}

/** CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. */
export function isCiliumPolicy(obj: any): boolean {
  return isObject(obj) && apiGroup(obj) === 'cilium.io' && (obj.kind === 'CiliumNetworkPolicy' || obj.kind === 'CiliumClusterwideNetworkPolicy');
}

/** Any object that expresses a network policy for a CNI to enforce. */
export function isNetworkPolicyObject(obj: any): boolean {
  return isK8sNetworkPolicy(obj) || isCalicoPolicy(obj) || isCiliumPolicy(obj)
    || (isObject(obj) && apiGroup(obj) === 'policy.networking.k8s.io');
}

/**
 * The rule specs of a Cilium policy with their JSON path prefix: Cilium accepts one `spec` or a
 * list `specs` (https://docs.cilium.io/en/stable/network/kubernetes/policy/#ciliumnetworkpolicy).
 */
export function ciliumSpecs(obj: any): Array<{ spec: any; path: string }> {
  const out: Array<{ spec: any; path: string }> = [];
  if (isObject(obj.spec)) out.push({ spec: obj.spec, path: 'spec' });
  asArray(obj.specs).forEach((spec, i) => isObject(spec) && out.push({ spec, path: `specs[${i}]` }));
  return out;
}

/** Workload kinds whose pods live in a namespace (for the default-deny rule). */
const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController']);

/** Is this a core/apps/batch workload? */
export function isWorkload(obj: any): boolean {
  return isObject(obj) && WORKLOAD_KINDS.has(obj.kind) && ['', 'apps', 'batch'].includes(apiGroup(obj));
}

/** The namespace of a namespaced object; objects without one land in `default`. */
export function namespaceOf(obj: any): string {
  const ns = isObject(obj?.metadata) ? obj.metadata.namespace : undefined;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}
