import { ApiObject } from 'cdk8s';
import { ciliumPolicyManifest } from './cilium';
import { ciliumUnmatchableSelector } from './cilium-identity-labels';
import { isExpressibleAsNetworkPolicy } from './kubernetes';
import { emitNetworkPolicy } from './kubernetes-writer';
import { WriteContext } from './writer';
import { CniKind } from '../../cluster/cni';
import { clusterDnsPeers } from '../cluster-dns';

/**
 * Cilium: a plain NetworkPolicy where it is exact (most portable), otherwise one
 * CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy holding allows and denies together (Cilium
 * has no order: denies win over allows inside one policy as across policies).
 */
export function writeCilium(ctx: WriteContext<CniKind.CILIUM>): ApiObject[] {
  const { intent } = ctx;
  // Whichever object carries it, Cilium matches the selector against identities: a key its label
  // filter drops selects no pod (an isolation or a deny that applies to nothing, fail open).
  const unmatchable = ciliumUnmatchableSelector(intent);
  if (unmatchable) {
    const advice = unmatchable.of === 'pod'
      ? 'Select the pods by a label Cilium keeps (e.g. app.kubernetes.io/name or app)'
      : 'Select the namespaces by a label Cilium keeps (e.g. kubernetes.io/metadata.name)';
    throw ctx.fail(`${unmatchable.where} (label key '${unmatchable.key}')`, `Cilium leaves this ${unmatchable.of} label out of security identities by `
      + `default (label filter '!${unmatchable.pattern}'), and its policies, NetworkPolicies included, select identities: the selector `
      + `would match no pod. ${advice}`);
  }
  if (!ctx.denyPart && isExpressibleAsNetworkPolicy(intent)) return [emitNetworkPolicy(ctx, intent)];
  return [ctx.emit('Cilium', ciliumPolicyManifest(intent, { dnsPeers: clusterDnsPeers(ctx.cluster) }))];
}
