/**
 * The meshes `analyze --mesh` names, and the Mesh each stands for in the analysis, with what the
 * `--linkerd-*` flags say about a Linkerd installation.
 */
import { ReachabilityOptions } from '../analysis/reachability-options';
import { IstioMode, Mesh } from '../cluster/mesh';
import { PolicyLintOptions } from '../lint/types';

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
  /** `--linkerd-trust-domain`: `identityTrustDomain` (Mesh.linkerd trustDomain). */
  readonly trustDomain?: string;
  /** `--linkerd-namespace`: the control plane's namespace (Mesh.linkerd controlPlaneNamespace). */
  readonly controlPlaneNamespace?: string;
}

/**
 * What the `--istio-host-probe-snat-*` flags say about istio-cni in ambient mode (already validated);
 * each one absent is istio-cni's default.
 */
export interface IstioAmbientFlags {
  /** `--istio-host-probe-snat-ip`: istio-cni `HOST_PROBE_SNAT_IP` (Mesh.istio hostProbeSnatIp). */
  readonly hostProbeSnatIp?: string;
  /** `--istio-host-probe-snat-ipv6`: istio-cni `HOST_PROBE_SNAT_IPV6` (Mesh.istio hostProbeSnatIpv6). */
  readonly hostProbeSnatIpv6?: string;
}

/**
 * What the `--istio-*` flags say about an Istio installation (already validated): its mesh config in either mode, and
 * istio-cni's addresses in ambient mode; each one absent is Istio's default (assumed, and hedged over by the lint).
 */
export interface IstioFlags extends IstioAmbientFlags {
  /** `--istio-trust-domain`: meshConfig `trustDomain` (Mesh.istio trustDomain). */
  readonly trustDomain?: string;
  /** `--istio-root-namespace`: meshConfig `rootNamespace` (Mesh.istio rootNamespace). */
  readonly rootNamespace?: string;
}

/**
 * The mesh `--mesh` names, with what the `--istio-*` flags declare (trust domain and root namespace; the
 * `--istio-host-probe-snat-*` addresses for istio-ambient) or the `--linkerd-trust-domain` and `--linkerd-namespace`
 * flags; what they do not declare is the install default (root namespace istio-system, trust domain cluster.local,
 * Linkerd in linkerd), which the Mesh records as not declared.
 */
export function meshOf(choice: MeshChoice, istio: IstioFlags = {}, linkerd: LinkerdFlags = {}): Mesh {
  switch (choice) {
    case 'istio': return Mesh.istio({ mode: IstioMode.SIDECAR, ...istioInstall(istio) });
    case 'istio-ambient': return Mesh.istio({
      mode: IstioMode.AMBIENT,
      ...istioInstall(istio),
      ...(istio.hostProbeSnatIp !== undefined ? { hostProbeSnatIp: istio.hostProbeSnatIp } : {}),
      ...(istio.hostProbeSnatIpv6 !== undefined ? { hostProbeSnatIpv6: istio.hostProbeSnatIpv6 } : {}),
    });
    case 'linkerd': return Mesh.linkerd({
      ...(linkerd.trustDomain !== undefined ? { trustDomain: linkerd.trustDomain } : {}),
      ...(linkerd.controlPlaneNamespace !== undefined ? { controlPlaneNamespace: linkerd.controlPlaneNamespace } : {}),
    });
  }
}

function istioInstall(istio: IstioFlags): { trustDomain?: string; rootNamespace?: string } {
  return {
    ...(istio.trustDomain !== undefined ? { trustDomain: istio.trustDomain } : {}),
    ...(istio.rootNamespace !== undefined ? { rootNamespace: istio.rootNamespace } : {}),
  };
}

/** The analysis options of `--mesh`, the `--linkerd-*` flags and the `--istio-host-probe-snat-*` flags. */
export function meshOptions(choice: MeshChoice, linkerd: LinkerdFlags = {}, istio: IstioFlags = {}): Partial<ReachabilityOptions> {
  return {
    mesh: meshOf(choice, istio, linkerd),
    ...(linkerd.defaultInboundPolicy !== undefined ? { linkerdDefaultInboundPolicy: linkerd.defaultInboundPolicy } : {}),
    ...(linkerd.clusterNetworks !== undefined ? { linkerdClusterNetworks: linkerd.clusterNetworks } : {}),
    ...(linkerd.probeNetworks !== undefined ? { linkerdProbeNetworks: linkerd.probeNetworks } : {}),
    ...(linkerd.opaquePorts !== undefined ? { linkerdOpaquePorts: linkerd.opaquePorts } : {}),
  };
}

/**
 * The lint options of `lint --mesh` (and `analyze --lint`) with the same flags: the options analyze takes
 * ({@link meshOptions}), or `Mesh.none()` for `--mesh none` (lint reads it as a fact: no mesh).
 */
export function lintMeshOptions(choice: MeshChoice | 'none', linkerd: LinkerdFlags = {}, istio: IstioFlags = {}): PolicyLintOptions {
  if (choice === 'none') return { mesh: Mesh.none() };
  const o = meshOptions(choice, linkerd, istio);
  return {
    mesh: o.mesh,
    ...(o.linkerdDefaultInboundPolicy !== undefined ? { linkerdDefaultInboundPolicy: o.linkerdDefaultInboundPolicy } : {}),
    ...(o.linkerdClusterNetworks !== undefined ? { linkerdClusterNetworks: o.linkerdClusterNetworks } : {}),
    ...(o.linkerdProbeNetworks !== undefined ? { linkerdProbeNetworks: o.linkerdProbeNetworks } : {}),
    ...(o.linkerdOpaquePorts !== undefined ? { linkerdOpaquePorts: o.linkerdOpaquePorts } : {}),
  };
}

/** Whose object kinds the mesh layer evaluates (for the warnings about kinds the analysis does not model). */
export function meshFamily(choice: MeshChoice): 'istio' | 'linkerd' {
  return choice === 'linkerd' ? 'linkerd' : 'istio';
}
