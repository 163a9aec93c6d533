/**
 * Which policy semantics apply to a CNI: one row per {@link CniKind} (a new kind fails compilation
 * until it has a row), plus the objects no model evaluates exactly, as uncertainties.
 */
import { calicoModel } from './calico';
import { ciliumModel } from './cilium';
import { IdentityView } from './cilium/label-filter';
import { flannelModel, kubernetesModel } from './kubernetes/model';
import { AnnotatedCniModel, Endpoint, ManifestObject, NamespaceIndex } from './model';
import { networkChaosNotes } from './network-chaos-notes';
import { adminNetworkPolicyUncertainties } from './uncertainty/admin-network-policy';
import { calicoHostEndpointUncertainties } from './uncertainty/calico-host-endpoints';
import { calicoServiceAccountSelectorUncertainties } from './uncertainty/calico-service-account-selectors';
import { ciliumLabelFilterUncertainties } from './uncertainty/cilium-label-filter';
import { ciliumNamedPortUncertainties } from './uncertainty/cilium-named-ports';
import { ciliumRedirectUncertainties } from './uncertainty/cilium-redirects';
import { controllerLabelUncertainties } from './uncertainty/controller-labels';
import { splitDuplicatePolicies } from './uncertainty/duplicate-objects';
import { foreignObjectUncertainties, NativePolicies } from './uncertainty/foreign-objects';
import { withHostNetworkPlacement } from './uncertainty/host-network-placement';
import { Uncertainty, withUncertainties } from './uncertainty/overlay';
import { partialRuleNotes } from './uncertainty/partial-rules';
import { splitVersionDependentPolicies } from './uncertainty/version-dependent-ip-blocks';
import { Cni, CniKind } from '../cluster/cni';
import { NATIVE_POLICY_GROUPS } from '../cluster/native-policy-apis';
import { ciliumIgnoredLabelPattern } from '../util/cilium-label-filter';
import { CALICO_GROUP, CILIUM_GROUP } from '../util/vocabulary';

/** How the analyzer treats one CNI. */
interface CniAnalysis {
  /** The CNI-specific policy families the model evaluates (others are foreign: see ./uncertainty/foreign-objects). */
  readonly native: NativePolicies;
  /**
   * The CNI's L7 rules are enforced by a node proxy that sees pod traffic as the mesh sends it: where
   * the mesh encrypts it with mTLS, they cannot match HTTP (Cilium's Envoy under Istio or Linkerd).
   */
  readonly l7BlindToMtls: boolean;
  /**
   * How the CNI's policies see a connection from a pod's own node that Istio ambient SNATs to its host
   * probe address (./mesh/istio-host-probe): `address` (they see the address, as from outside the
   * cluster: Cilium, istio.io platform prerequisites and istio/istio#49277), or `unknown` (istio.io
   * "Ambient and Kubernetes NetworkPolicy": depending on the CNI, the node's exemption or the address).
   */
  readonly hostSnat: HostSnatSemantics;
  /**
   * The endpoint as the CNI matches a NetworkPolicy podSelector against it (Cilium: the security
   * identity, without the labels its label filter drops); the endpoint itself when absent.
   */
  readonly selectionView?: (namespaces: NamespaceIndex) => (endpoint: Endpoint) => Endpoint;
  /**
   * Does the CNI's selection see a pod label key at all (Cilium: not when its identity label filter
   * drops it, util/cilium-label-filter)? A selector on a key it does not see selects nothing, so
   * the value a controller gives it at runtime changes nothing (see ./uncertainty/controller-labels).
   * @default - every key
   */
  readonly seesLabelKey?: (key: string) => boolean;
  /** The model of the CNI's own semantics. */
  model(manifests: ManifestObject[], namespaces: NamespaceIndex, cni: Cni): AnnotatedCniModel;
  /** Uncertainties only this CNI has. */
  uncertainties(manifests: ManifestObject[]): Uncertainty[];
}

const NONE = (): Uncertainty[] => [];

/** See CniAnalysis.hostSnat. */
export type HostSnatSemantics = 'address' | 'unknown';

/**
 * The policy families a CNI kind's model evaluates: those it enforces, as the cluster's table says
 * (one statement of which CNI reads which policy API, for ClusterNetwork, PolicyLint and the analyzer).
 */
function nativeOf(kind: CniKind): NativePolicies {
  const groups = NATIVE_POLICY_GROUPS[kind];
  return { calico: groups.includes(CALICO_GROUP), cilium: groups.includes(CILIUM_GROUP) };
}

/** The analysis of every CNI kind. */
const CNI_ANALYSIS: Record<CniKind, CniAnalysis> = {
  [CniKind.KUBERNETES]: {
    model: (manifests, namespaces, cni) => kubernetesModel(manifests, namespaces, { clusterNetworkPolicy: cni.capabilities.clusterNetworkPolicy }),
    native: nativeOf(CniKind.KUBERNETES),
    uncertainties: NONE,
    l7BlindToMtls: false,
    hostSnat: 'unknown',
  },
  [CniKind.CALICO]: {
    model: (manifests, namespaces, cni) => calicoModel(manifests, namespaces, { clusterNetworkPolicy: cni.capabilities.clusterNetworkPolicy }),
    native: nativeOf(CniKind.CALICO),
    uncertainties: (manifests) => [...calicoHostEndpointUncertainties(manifests), ...calicoServiceAccountSelectorUncertainties(manifests)],
    l7BlindToMtls: false,
    hostSnat: 'unknown',
  },
  [CniKind.CILIUM]: {
    model: (manifests, namespaces) => ciliumModel(manifests, namespaces),
    native: nativeOf(CniKind.CILIUM),
    uncertainties: (manifests) => [...ciliumNamedPortUncertainties(manifests), ...ciliumLabelFilterUncertainties(manifests)],
    selectionView: (namespaces) => {
      const view = new IdentityView(namespaces);
      return (endpoint) => view.of(endpoint);
    },
    seesLabelKey: (key) => ciliumIgnoredLabelPattern(key) === undefined,
    l7BlindToMtls: true,
    hostSnat: 'address',
  },
  [CniKind.FLANNEL]: {
    model: (manifests, _namespaces, cni) => flannelModel(manifests, cni.name),
    native: nativeOf(CniKind.FLANNEL),
    uncertainties: NONE,
    l7BlindToMtls: false,
    hostSnat: 'unknown',
  },
};

/**
 * The CNI model for `cni` over `manifests` (already validated). A CNI that enforces no
 * NetworkPolicy (Flannel, or a custom CNI saying so) allows every flow, whatever the objects.
 * @param input uncertainties of the input itself (files and documents that could not be read, see
 * ./uncertainty/skipped-input): they apply whatever the manifests hold; with a CNI that enforces no
 * policy only their notes remain (nothing they may hold changes its verdicts)
 */
export function modelFor(
  cni: Cni, allManifests: ManifestObject[], namespaces: NamespaceIndex, input: readonly Uncertainty[] = [],
): AnnotatedCniModel {
  if (!cni.capabilities.enforcesNetworkPolicy) {
    const flannel = flannelModel(allManifests, cni.name);
    flannel.notes.push(...input.map((u) => u.note), ...networkChaosNotes(allManifests));
    return flannel;
  }
  const analysis = CNI_ANALYSIS[cni.kind];
  const duplicates = splitDuplicatePolicies(allManifests, namespaces);
  const versionDependent = splitVersionDependentPolicies(duplicates.manifests, namespaces);
  const manifests = versionDependent.manifests;
  const inner = analysis.model(manifests, namespaces, cni);
  const uncertainties = [
    ...input,
    ...duplicates.uncertainties,
    ...versionDependent.uncertainties,
    ...adminNetworkPolicyUncertainties(manifests, namespaces),
    ...foreignObjectUncertainties(manifests, namespaces, cni.name, analysis.native),
    ...analysis.uncertainties(manifests),
    ...ciliumRedirectUncertainties(manifests),
    ...controllerLabelUncertainties(manifests, { ...analysis.native, clusterNetworkPolicy: cni.capabilities.clusterNetworkPolicy },
      analysis.seesLabelKey),
  ];
  const model = withUncertainties(withHostNetworkPlacement(inner), uncertainties, manifests, analysis.selectionView?.(namespaces));
  model.notes.push(...partialRuleNotes(manifests, analysis.native), ...networkChaosNotes(allManifests));
  return model;
}

/** How `cni`'s policies see a connection the mesh SNATs on the node (see CniAnalysis.hostSnat). */
export function hostSnatSemantics(cni: Cni): HostSnatSemantics {
  return CNI_ANALYSIS[cni.kind].hostSnat;
}

/** Are `cni`'s L7 rules blind to the mesh's mTLS (see CniAnalysis.l7BlindToMtls)? */
export function l7BlindToMtls(cni: Cni): boolean {
  return CNI_ANALYSIS[cni.kind].l7BlindToMtls;
}
