/**
 * The mesh layer of the analysis (internal): one model per mesh, chosen by the mesh facts.
 */
import { MeshFacts, NamespaceAnnotations } from './facts';
import { IstioModel } from './istio';
import { LinkerdModel } from './linkerd';
import { MeshModel } from './mesh-model';
import { AddressSpace, ManifestObject, NamespaceIndex } from '../model';

export type { MeshFacts } from './facts';
export type { MeshModel, MeshQuery, WirePort } from './mesh-model';

/**
 * The mesh model of `facts` over `manifests` (already validated by the CNI-side checks). `podSpace`:
 * where pod addresses lie (the pod CIDRs), for the proxies the mesh model adds as endpoints (waypoints).
 */
export function meshModelFor(
  facts: MeshFacts, manifests: readonly ManifestObject[], namespaces: NamespaceIndex, annotations: NamespaceAnnotations, podSpace?: AddressSpace,
): MeshModel {
  return facts.flavour === 'istio' ? new IstioModel(manifests, facts, namespaces, annotations, podSpace)
    : new LinkerdModel(manifests, facts, namespaces, annotations);
}
