import { ApiObject } from 'cdk8s';
import { ciliumPolicyManifest } from './cilium';
import { isExpressibleAsNetworkPolicy, networkPolicyManifest } from './kubernetes';
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
  if (!ctx.denyPart && isExpressibleAsNetworkPolicy(intent)) return [ctx.emit('Resource', networkPolicyManifest(intent))];
  return [ctx.emit('Cilium', ciliumPolicyManifest(intent, { dnsPeers: clusterDnsPeers(ctx.cluster) }))];
}
