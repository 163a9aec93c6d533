/**
 * Cilium (1.16-1.18, cilium.io/v2) policy semantics for the reachability analyzer.
 */
import { CniModelFactory } from '../model';
import { CiliumModel } from './model';

/** Builds the Cilium model (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, NetworkPolicy) over manifests. */
export const ciliumModel: CniModelFactory = (manifests, namespaces) => new CiliumModel(manifests, namespaces);

export { CiliumModel } from './model';
