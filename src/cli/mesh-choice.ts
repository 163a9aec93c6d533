/**
 * The meshes `analyze --mesh` names, and the Mesh each stands for in the analysis.
 */
import { IstioMode, Mesh } from '../cluster/mesh';

/** The meshes `--mesh` names. */
export type MeshChoice = 'istio' | 'istio-ambient' | 'linkerd';

/** Every `--mesh` value but `none`, in the order the usage text gives them. */
export const MESH_CHOICES: readonly MeshChoice[] = ['istio', 'istio-ambient', 'linkerd'];

/** The mesh `--mesh` names (with Istio's and Linkerd's defaults: root namespace istio-system, trust domain cluster.local). */
export function meshOf(choice: MeshChoice): Mesh {
  switch (choice) {
    case 'istio': return Mesh.istio({ mode: IstioMode.SIDECAR });
    case 'istio-ambient': return Mesh.istio({ mode: IstioMode.AMBIENT });
    case 'linkerd': return Mesh.linkerd();
  }
}

/** Whose object kinds the mesh layer evaluates (for the warnings about kinds the analysis does not model). */
export function meshFamily(choice: MeshChoice): 'istio' | 'linkerd' {
  return choice === 'linkerd' ? 'linkerd' : 'istio';
}
