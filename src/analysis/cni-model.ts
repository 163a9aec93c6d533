/**
 * Which policy semantics apply to a CNI.
 */
import { calicoModel } from './calico';
import { ciliumModel } from './cilium';
import { AnnotatedCniModel, flannelModel, kubernetesModel } from './kubernetes/model';
import { ManifestObject, NamespaceIndex } from './model';
import { Cni, CniKind } from '../cluster/cni';

/**
 * The CNI model for `cni` over `manifests`. A CNI that enforces no NetworkPolicy (Flannel, or a
 * custom CNI saying so) allows every flow.
 */
export function modelFor(cni: Cni, manifests: ManifestObject[], namespaces: NamespaceIndex): AnnotatedCniModel {
  if (cni.kind === CniKind.FLANNEL || !cni.capabilities.enforcesNetworkPolicy) return flannelModel(manifests, cni.name);
  switch (cni.kind) {
    case CniKind.CALICO:
      return calicoModel(manifests, namespaces);
    case CniKind.CILIUM:
      return ciliumModel(manifests, namespaces);
    default:
      return kubernetesModel(manifests, namespaces, { clusterNetworkPolicy: cni.capabilities.clusterNetworkPolicy });
  }
}

