import { ApiObject } from 'cdk8s';
import { clusterNetworkPolicyLimitation, clusterNetworkPolicyManifest } from './cluster-network-policy';
import { isExpressibleAsNetworkPolicy, networkPolicyCidrLimitation, networkPolicyManifest } from './kubernetes';
import { WriteContext } from './writer';
import { CniKind } from '../../cluster/cni';
import { propError } from '../../util/errors';
import { PolicyIntent } from '../intent';

/**
 * Plain Kubernetes (and `Cni.custom`): allows as networking.k8s.io/v1 NetworkPolicy; denies, where
 * the CNI implements it, as an Admin-tier ClusterNetworkPolicy evaluated before every NetworkPolicy.
 */
export function writeKubernetes(ctx: WriteContext<CniKind.KUBERNETES>): ApiObject[] {
  const { intent, allowPart, denyPart } = ctx;
  const out: ApiObject[] = [];
  if (allowPart) {
    if (!isExpressibleAsNetworkPolicy(allowPart)) {
      throw ctx.fail(intent.namespace === undefined ? 'a cluster-wide allow' : 'this allow intent', 'NetworkPolicy can only express namespaced L3/L4 allows');
    }
    out.push(emitNetworkPolicy(ctx, allowPart));
  }
  if (denyPart) {
    const limitation = clusterNetworkPolicyLimitation(denyPart);
    if (limitation) throw ctx.fail('this deny intent', limitation);
    checkClusterNetworkPolicyPriority(ctx, intent.precedence);
    out.push(ctx.emit('Guardrail', clusterNetworkPolicyManifest(denyPart, intent.precedence ?? 10, ctx.owner)));
  }
  return out;
}

/**
 * A CNI that enforces no policy, acknowledged by the user: only portable NetworkPolicy (for the
 * other clusters the manifests also target).
 */
export function writeUnenforced(ctx: WriteContext): ApiObject[] {
  if (!isExpressibleAsNetworkPolicy(ctx.intent)) throw ctx.fail('this intent', 'only portable NetworkPolicy may be emitted for an unenforcing CNI');
  return [emitNetworkPolicy(ctx, ctx.intent)];
}

/**
 * ClusterNetworkPolicy `spec.priority` is an integer 0..1000 (policy.networking.k8s.io/v1alpha2 CRD:
 * minimum 0, maximum 1000, int32).
 */
function checkClusterNetworkPolicyPriority(ctx: WriteContext, precedence: number | undefined): void {
  if (precedence === undefined) return;
  if (!Number.isInteger(precedence) || precedence < 0 || precedence > 1000) {
    throw propError(ctx.owner, 'precedence', `${precedence} must be an integer from 0 to 1000 when rendered as a ClusterNetworkPolicy (its priority)`);
  }
}

/**
 * An allow intent (or part) as a networking.k8s.io/v1 NetworkPolicy, on any CNI; an ipBlock the API
 * server would refuse is an error instead ({@link networkPolicyCidrLimitation}).
 */
export function emitNetworkPolicy(ctx: WriteContext, part: PolicyIntent): ApiObject {
  const limitation = networkPolicyCidrLimitation(part);
  if (limitation) throw ctx.fail('this allow intent', limitation);
  return ctx.emit('Resource', networkPolicyManifest(part));
}
