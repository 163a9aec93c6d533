import { asArray, isObject } from './document';
import {
  isCalicoPolicy as isEnforcedCalicoPolicy, isCalicoStagedPolicy, isCiliumPolicy as isCiliumPolicyKind,
  isKubernetesNetworkPolicy, isWorkload as isWorkloadKind, namespaceOf as namespaceOfObject,
} from '../util/vocabulary';

/**
 * Object-kind predicates shared by the rules: the manifest vocabulary (src/util/vocabulary.ts),
 * which the analyzer uses too, plus the lint's own combinations. Internal.
 */

/** networking.k8s.io NetworkPolicy (any version). */
export function isK8sNetworkPolicy(obj: any): boolean {
  return isKubernetesNetworkPolicy(obj);
}

/** A Calico (Global)NetworkPolicy (served or internal API group); staged policies are not included. */
export function isCalicoPolicy(obj: any): boolean {
  return isEnforcedCalicoPolicy(obj);
}

/**
 * A Calico (Global)NetworkPolicy or a staged one: the lint checks the content of staged policies
 * too, since they are previews of what will be enforced.
 */
export function isCalicoPolicyOrStaged(obj: any): boolean {
  return isEnforcedCalicoPolicy(obj) || isCalicoStagedPolicy(obj);
}

/** Does a Calico policy spec select every endpoint (no selector, blank, or `all()`)? */
export function calicoSelectsAll(spec: Record<string, any>): boolean {
  const selector = typeof spec.selector === 'string' ? spec.selector.trim() : '';
  return selector === '' || selector === 'all()';
}

/** CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (any version). */
export function isCiliumPolicy(obj: any): boolean {
  return isCiliumPolicyKind(obj);
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

/** Is this a core/apps/batch workload (each kind in its own group)? */
export function isWorkload(obj: any): boolean {
  return isWorkloadKind(obj);
}

/** The namespace of a namespaced object; objects without one land in `default`. */
export function namespaceOf(obj: any): string {
  return namespaceOfObject(obj);
}
