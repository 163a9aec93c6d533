/**
 * Cilium (1.16-1.18, cilium.io/v2) policy semantics for the reachability analyzer.
 */
import { CiliumModel } from './model';
import { AnnotatedCniModel } from '../kubernetes/model';
import { ManifestObject, NamespaceIndex } from '../model';

/** Builds the Cilium model (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, NetworkPolicy) over manifests. */
export function ciliumModel(manifests: ManifestObject[], namespaces: NamespaceIndex): AnnotatedCniModel {
  return new CiliumModel(manifests, namespaces);
}

export { CiliumModel } from './model';
