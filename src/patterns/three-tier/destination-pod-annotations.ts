/**
 * The pod annotations the mesh authorization of a ThreeTierApp asks for on its destination tiers
 * (Linkerd: `config.linkerd.io/default-inbound-policy: deny`), checked at synth against the pod
 * templates: the authorization (its Servers, the conflict check, whether the admin port gets a
 * Server) is worked out for pods whose default policy is that value, and Linkerd reads the pod's
 * annotation before its namespace's (https://linkerd.io/2/reference/authorization-policy, "Default policies": the
 * annotation on a pod spec or its namespace overrides the cluster-wide default).
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AppTier } from './tier-props';

/** A destination tier of the app as built. */
export interface DestinationTierWorkload {
  readonly tier: AppTier;
  readonly workload: kplus.Deployment | kplus.StatefulSet;
}

/**
 * The destination tiers whose pod templates carry one of `requested` with another value (the user's, set
 * after the app: `app.backend.podMetadata.addAnnotation(...)`), one problem each. An annotation the app
 * left out because its Namespace object carries the same value is absent from the template, which is fine.
 */
export function overriddenDestinationAnnotations(namespace: string, tiers: readonly DestinationTierWorkload[],
  requested: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const { tier, workload } of tiers) {
    const annotations: Record<string, string> = workload.podMetadata.toJson().annotations ?? {};
    for (const [key, value] of Object.entries(requested)) {
      const actual = annotations[key];
      if (actual === undefined || actual === value) continue;
      const object = ApiObject.of(workload);
      problems.push(`the ${tier} tier's ${object.kind} ${namespace}/${object.name} (${object.node.path}) has ${key}: '${actual}' on its pod `
        + `template, but the app authorizes the tier in the mesh for pods whose ${key} is '${value}' (Linkerd reads the pod's annotation `
        + 'before its namespace\'s): the app\'s Servers would refuse callers that policy admits with no synth check, and its admin-port '
        + 'Servers could admit more than the pods\' own policy did. Remove the annotation (declare the namespace\'s policy with '
        + 'mesh.linkerdDefaultInboundPolicy), or set meshTierAuthorization: false and authorize the tiers in the mesh yourself');
    }
  }
  return problems;
}
