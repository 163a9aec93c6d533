/**
 * A meshed ThreeTierApp's mesh authorization tells a source tier (frontend, backend) by its
 * ServiceAccount alone (./three-tier-authorization): the Istio principal
 * `<trust domain>/ns/<ns>/sa/<account>` (istio.io "Authorization Policy" reference, `principals`), the
 * Linkerd identity `<account>.<ns>.serviceaccount.identity.<control plane namespace>.<trust domain>`
 * (linkerd.io "Authorization Policy" reference, MeshTLSAuthentication). Every pod of the namespace
 * that runs as that account carries the same identity (ztunnel authorizes the client workload's
 * identity, its ServiceAccount: https://istio.io/latest/docs/ambient/usage/l4-policy/; Linkerd's proxy
 * identity is the pod's ServiceAccount: https://linkerd.io/2-edge/features/automatic-mtls/), so the
 * authorization written for the tier hop applies to it too, while the NetworkPolicies tell it apart
 * by its labels:
 *
 * - Istio ambient: the app's DENY (the source tier's principal on every port of the next tier but the
 *   tier port) refuses it those ports, so ztunnel silently refuses what a NetworkPolicy allows it
 *   there (an allow to another port of the next tier, which also opens HBONE 15008 to it);
 * - Linkerd: the app's Server on the next tier's port admits it, and a NetworkPolicy allow to any
 *   port of the next tier opens the proxy's port 4143, which carries every port, so it reaches the
 *   tier port beyond what the NetworkPolicies give it (fail-open).
 *
 * Whether a NetworkPolicy gives such a workload anything towards the next tier is not decided here
 * (the user's policies may be raw NetworkPolicies, Calico or Cilium objects): a workload of the app's
 * namespace (in the construct tree: cdk8s-plus workloads and ApiObjects with pod templates, ./app-objects)
 * that runs as a source tier's account without that tier's labels is refused at synth, conservatively,
 * whatever its mesh membership. A workload carrying the tier's labels is one of the tier's pods for the
 * NetworkPolicies too (a canary: ./three-tier-linkerd-sources checks its identity). Workloads applied
 * outside the app cannot be seen.
 */
import { AppObjects } from './app-objects';
import { MeshTierPods } from '../patterns/three-tier/mesh-tier-hops';
import { hasLabels, isPlainObject, podServiceAccountOf, podTemplateOf, stringMap } from '../util/vocabulary';

/** One hop of the app with what the mesh does to the source tier's identity there, for the message. */
export interface SharedAccountHop {
  readonly from: MeshTierPods;
  readonly to: MeshTierPods;
  /**
   * What the app's authorization of the hop does to any pod running as the source tier's account, and
   * what that breaks: `the app's DENY policy 'x' refuses that identity ...`.
   */
  readonly consequence: string;
}

/**
 * Problems: the workloads of the app (`objects`: ./app-objects) in `namespace` that run as the account of a hop's source tier
 * but do not carry that tier's labels, one per workload and hop, in construct-tree order.
 */
export function sharedSourceAccountProblems(objects: AppObjects, namespace: string, hops: readonly SharedAccountHop[]): string[] {
  const problems: string[] = [];
  for (const object of objects.workloads) {
    const template = podTemplateOf(object.json);
    if (!template || object.namespace !== namespace) continue;
    // The pod's identity is its ServiceAccount.
    const account = podServiceAccountOf(template);
    const labels = stringMap(isPlainObject(template.metadata) ? template.metadata.labels : undefined);
    for (const { from, consequence } of hops) {
      if (account !== from.serviceAccount || hasLabels(labels, from.podLabels)) continue;
      problems.push(`meshTierAuthorization: the ${object.kind} ${namespace}/${object.json.metadata?.name} (${object.construct.node.path}) runs as `
        + `the ServiceAccount '${from.serviceAccount}', the ${from.tier} tier's mesh identity, without the ${from.tier} pods' labels `
        + `(${Object.entries(from.podLabels).map(([k, v]) => `${k}=${v}`).join(', ')}): the mesh cannot tell it from the ${from.tier}, and ${consequence}. `
        + `Run it as a ServiceAccount of its own (serviceAccountName), give the ${from.tier} tier an account no other workload uses `
        + '(its serviceAccount: TierServiceAccount.create() or TierServiceAccount.existing(name)), or set meshTierAuthorization: false');
    }
  }
  return problems;
}
