/**
 * What the mesh layer of the analysis needs to know about the cluster's service mesh (internal):
 * which mesh, the Istio data plane mode, root namespace and trust domain, and Linkerd's cluster-wide
 * defaults. Built from the ClusterNetwork's `Mesh` fact by `meshFactsOf`.
 */
import { LinkerdPortList, parseLinkerdPorts } from './linkerd-ports';
import { LINKERD_DEFAULT_CLUSTER_NETWORKS } from '../../cluster/linkerd-cluster-networks';
import { AMBIENT_PROBE_SOURCE, AMBIENT_PROBE_SOURCE_V6, IstioMode, Mesh, MeshKind } from '../../cluster/mesh';
import { Labels } from '../selectors';

/** Istio or Linkerd (the analysis has no mesh layer without a mesh). */
export type MeshFlavour = 'istio' | 'linkerd';

/** Linkerd's default inbound policies (linkerd.io "Authorization Policy" reference, "Default policies"). */
export const LINKERD_DEFAULT_POLICIES = [
  'all-unauthenticated', 'all-authenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit',
] as const;
/** One of {@link LINKERD_DEFAULT_POLICIES}. */
export type LinkerdPolicyName = typeof LINKERD_DEFAULT_POLICIES[number];

/** Linkerd's `clusterNetworks` install default (declared with `Mesh.linkerd`'s option, in cluster/). */
export { LINKERD_DEFAULT_CLUSTER_NETWORKS };

/**
 * Linkerd's `policyController.probeNetworks` install default: the client networks from which the
 * policy controller's probe route admits probe requests (every address; charts/linkerd-control-plane
 * values.yaml, pinned by linkerd2 pkg/charts/linkerd2 values_test.go).
 */
export const LINKERD_DEFAULT_PROBE_NETWORKS: readonly string[] = ['0.0.0.0/0', '::/0'];

/**
 * Linkerd's install default of Helm value `proxy.opaquePorts` (linkerd.io "Protocol Detection and
 * Opaque Ports": SMTP 25 and 587, MySQL 3306, Galera 4444, PostgreSQL 5432, Redis 6379,
 * Elasticsearch 9300, Memcached 11211; charts/linkerd-control-plane values.yaml).
 */
export const LINKERD_DEFAULT_OPAQUE_PORTS = '25,587,3306,4444,5432,6379,9300,11211';

/**
 * What the analysis is told about a Linkerd installation's cluster-wide Helm values; each one not
 * given is assumed to be the install default (and reasons say so). Already validated.
 */
export interface LinkerdInstallValues {
  /** `proxy.defaultInboundPolicy`, one of {@link LINKERD_DEFAULT_POLICIES}. */
  readonly defaultInboundPolicy?: string;
  /** `clusterNetworks`, as CIDRs. */
  readonly clusterNetworks?: readonly string[];
  /** `policyController.probeNetworks`, as CIDRs (empty: the policy controller adds no probe route). */
  readonly probeNetworks?: readonly string[];
  /** `proxy.opaquePorts`, in Linkerd's port-list syntax. */
  readonly opaquePorts?: string;
}

/** One host probe address of Istio ambient (istio-cni `HOST_PROBE_SNAT_IP` / `HOST_PROBE_SNAT_IPV6`). */
export interface HostProbeAddress {
  /** The address (canonical text). */
  readonly ip: string;
  /** Declared on the mesh (`Mesh.istio` `hostProbeSnatIp` / `hostProbeSnatIpv6`) or set by the manifests, or istio-cni's default, assumed. */
  readonly given: boolean;
  /** Who gives it, for reasons (`as <declaredBy> it`): `the mesh declares`, `DaemonSet kube-system/istio-cni-node sets`. */
  readonly declaredBy?: string;
}

/** The mesh facts of one analysis. */
export interface MeshFacts {
  readonly flavour: MeshFlavour;
  /** For messages: `Istio (sidecar)`, `Istio (ambient)`, `Linkerd`. */
  readonly displayName: string;
  /** Istio: ambient mode is installed (ztunnel), besides sidecar injection. */
  readonly ambient: boolean;
  /** Istio root namespace (mesh-wide PeerAuthentication and AuthorizationPolicy). */
  readonly rootNamespace: string;
  /** Trust domain of workload identities. */
  readonly trustDomain: string;
  /** Istio ambient: the addresses istio-cni SNATs the node's connections to ambient pods to, per IP family. */
  readonly hostProbe: { readonly ipv4: HostProbeAddress; readonly ipv6: HostProbeAddress };
  /**
   * Linkerd: the control plane's namespace, part of every proxy identity
   * (`<sa>.<ns>.serviceaccount.identity.<namespace>.<trust domain>`).
   */
  readonly linkerdNamespace: string;
  /** Linkerd: the cluster-wide default inbound policy (`proxy.defaultInboundPolicy`). */
  readonly linkerdDefaultPolicy: LinkerdPolicyName;
  /** Linkerd: whether the default policy was given, or assumed to be the install default. */
  readonly linkerdDefaultPolicyGiven: boolean;
  /** Linkerd: the `clusterNetworks` of `cluster-*` policies. */
  readonly clusterNetworks: readonly string[];
  /** Linkerd: whether `clusterNetworks` was given, or assumed to be the install default. */
  readonly linkerdClusterNetworksGiven: boolean;
  /** Linkerd: `policyController.probeNetworks`, where the probe route admits probe requests from (empty: no probe route). */
  readonly linkerdProbeNetworks: readonly string[];
  /** Linkerd: whether `policyController.probeNetworks` was given, or assumed to be the install default. */
  readonly linkerdProbeNetworksGiven: boolean;
  /** Linkerd: `proxy.opaquePorts`, the default opaque ports the proxy injector filters by the pod's container ports. */
  readonly linkerdOpaquePorts: LinkerdPortList;
  /** Linkerd: whether `proxy.opaquePorts` was given, or assumed to be the install default. */
  readonly linkerdOpaquePortsGiven: boolean;
}

/** Namespace name -> annotations (the mesh layer reads Linkerd's namespace annotations). */
export type NamespaceAnnotations = ReadonlyMap<string, Labels>;

/**
 * The facts of a `Mesh` (the ClusterNetwork's mesh fact), or undefined for `Mesh.none()`.
 * `linkerd` holds the Linkerd installation's cluster-wide values that are known (validated).
 */
export function meshFactsOf(mesh: Mesh, linkerd: LinkerdInstallValues = {}): MeshFacts | undefined {
  const base = {
    trustDomain: mesh.trustDomain,
    linkerdNamespace: mesh.kind === MeshKind.LINKERD ? mesh.controlPlaneNamespace ?? 'linkerd' : 'linkerd',
    linkerdDefaultPolicy: (linkerd.defaultInboundPolicy ?? 'all-unauthenticated') as LinkerdPolicyName,
    linkerdDefaultPolicyGiven: linkerd.defaultInboundPolicy !== undefined,
    clusterNetworks: linkerd.clusterNetworks ?? LINKERD_DEFAULT_CLUSTER_NETWORKS,
    linkerdClusterNetworksGiven: linkerd.clusterNetworks !== undefined,
    linkerdProbeNetworks: linkerd.probeNetworks ?? LINKERD_DEFAULT_PROBE_NETWORKS,
    linkerdProbeNetworksGiven: linkerd.probeNetworks !== undefined,
    linkerdOpaquePorts: parseLinkerdPorts(linkerd.opaquePorts ?? LINKERD_DEFAULT_OPAQUE_PORTS),
    linkerdOpaquePortsGiven: linkerd.opaquePorts !== undefined,
    rootNamespace: mesh.rootNamespace ?? 'istio-system',
    hostProbe: {
      ipv4: { ip: mesh.hostProbeSnatIp ?? AMBIENT_PROBE_SOURCE, given: mesh._hostProbeSnatGiven.ipv4 },
      ipv6: { ip: mesh.hostProbeSnatIpv6 ?? AMBIENT_PROBE_SOURCE_V6, given: mesh._hostProbeSnatGiven.ipv6 },
    },
  };
  switch (mesh.kind) {
    case MeshKind.NONE:
      return undefined;
    case MeshKind.ISTIO: {
      const ambient = mesh.istioMode === IstioMode.AMBIENT;
      return { ...base, flavour: 'istio', displayName: mesh.displayName, ambient };
    }
    case MeshKind.LINKERD:
      return { ...base, flavour: 'linkerd', displayName: mesh.displayName, ambient: false };
  }
}
