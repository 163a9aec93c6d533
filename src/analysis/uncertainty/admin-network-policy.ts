/**
 * policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy, the
 * predecessors of ClusterNetworkPolicy (v1alpha2). Which CNI still enforces them, and with which
 * version of their semantics, is not something the manifests say (Calico 3.32 ships only the
 * ClusterNetworkPolicy CRD; Cilium implements neither), so the analyzer does not evaluate them: every
 * side of a subject they select, in a direction they have rules for, is indeterminate when one of
 * their actions could change it. An AdminNetworkPolicy sits above NetworkPolicy; a
 * BaselineAdminNetworkPolicy only matters where no NetworkPolicy isolates the subject.
 */
import { sideName, Uncertainty } from './overlay';
import { isAdminNetworkPolicyKind } from '../../util/vocabulary';
import { selectsSubject } from '../cluster-network-policy';
import { describeRef, Direction, ManifestObject, NamespaceIndex, refOf } from '../model';

function actionsOf(obj: ManifestObject, direction: Direction): Set<string> {
  const rules = obj.spec?.[direction];
  return new Set((Array.isArray(rules) ? rules : []).map((r: any) => String(r?.action)));
}

/** The uncertainties of the AdminNetworkPolicies and BaselineAdminNetworkPolicies in `manifests`. */
export function adminNetworkPolicyUncertainties(manifests: ManifestObject[], namespaces: NamespaceIndex): Uncertainty[] {
  return manifests.filter(isAdminNetworkPolicyKind).map((obj) => {
    const id = describeRef(refOf(obj));
    const baseline = obj.kind === 'BaselineAdminNetworkPolicy';
    const actions: Record<Direction, Set<string>> = { ingress: actionsOf(obj, 'ingress'), egress: actionsOf(obj, 'egress') };
    return {
      id,
      note: `${id} (${obj.apiVersion}) is not evaluated: whether and how the CNI enforces AdminNetworkPolicy v1alpha1 is unknown `
        + '(ClusterNetworkPolicy v1alpha2 replaces it); flows of the pods it selects are indeterminate where its rules could change them',
      why: (direction) => `${id} selects ${sideName(direction)} and is not evaluated (${obj.kind} v1alpha1): its rules may `
        + `${baseline ? 'apply where no NetworkPolicy isolates it' : 'override NetworkPolicy'}`,
      appliesTo: (subject, direction) => actions[direction].size > 0 && selectsSubject(obj, subject, namespaces),
      canAllow: (direction) => actions[direction].has('Allow'),
      canDeny: (direction) => actions[direction].has('Deny'),
      unlessIsolated: baseline,
    };
  });
}
