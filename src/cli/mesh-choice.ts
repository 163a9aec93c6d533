/**
 * The meshes `analyze --mesh` names, and the Mesh each stands for in the analysis, with what the
 * `--linkerd-*` flags say about a Linkerd installation.
 */
import { ReachabilityOptions } from '../analysis/reachability';
import { IstioMode, Mesh } from '../cluster/mesh';

/** The meshes `--mesh` names. */
export type MeshChoice = 'istio' | 'istio-ambient' | 'linkerd';

/** Every `--mesh` value but `none`, in the order the usage text gives them. */
export const MESH_CHOICES: readonly MeshChoice[] = ['istio', 'istio-ambient', 'linkerd'];

/**
 * The Linkerd installation's cluster-wide Helm values the `--linkerd-*` flags give (already
 * validated); each one absent is assumed to be Linkerd's install default.
 */
export interface LinkerdFlags {
  /** `--linkerd-default-inbound-policy`: `proxy.defaultInboundPolicy` (ReachabilityOptions.linkerdDefaultInboundPolicy). */
  readonly defaultInboundPolicy?: string;
  /** `--linkerd-cluster-networks`: `clusterNetworks` (ReachabilityOptions.linkerdClusterNetworks). */
  readonly clusterNetworks?: string[];
  /** `--linkerd-probe-networks`: `policyController.probeNetworks`, possibly none (ReachabilityOptions.linkerdProbeNetworks). */
  readonly probeNetworks?: string[];
  /** `--linkerd-opaque-ports`: `proxy.opaquePorts` (ReachabilityOptions.linkerdOpaquePorts). */
  readonly opaquePorts?: string;
}

/** The mesh `--mesh` names (with Istio's and Linkerd's defaults: root namespace istio-system, trust domain cluster.local). */
export function meshOf(choice: MeshChoice): Mesh {
  switch (choice) {
    case 'istio': return Mesh.istio({ mode: IstioMode.SIDECAR });
    case 'istio-ambient': return Mesh.istio({ mode: IstioMode.AMBIENT });
    case 'linkerd': return Mesh.linkerd();
  }
}

/** The analysis options of `--mesh` and the `--linkerd-*` flags. */
export function meshOptions(choice: MeshChoice, linkerd: LinkerdFlags = {}): Partial<ReachabilityOptions> {
  return {
    mesh: meshOf(choice),
    ...(linkerd.defaultInboundPolicy !== undefined ? { linkerdDefaultInboundPolicy: linkerd.defaultInboundPolicy } : {}),
    ...(linkerd.clusterNetworks !== undefined ? { linkerdClusterNetworks: linkerd.clusterNetworks } : {}),
    ...(linkerd.probeNetworks !== undefined ? { linkerdProbeNetworks: linkerd.probeNetworks } : {}),
    ...(linkerd.opaquePorts !== undefined ? { linkerdOpaquePorts: linkerd.opaquePorts } : {}),
  };
}

/** Whose object kinds the mesh layer evaluates (for the warnings about kinds the analysis does not model). */
export function meshFamily(choice: MeshChoice): 'istio' | 'linkerd' {
  return choice === 'linkerd' ? 'linkerd' : 'istio';
}
