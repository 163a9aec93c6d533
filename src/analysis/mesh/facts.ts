/**
 * What the mesh layer of the analysis needs to know about the cluster's service mesh (internal):
 * which mesh, the Istio data plane mode, root namespace and trust domain, and Linkerd's cluster-wide
 * defaults. Built from the ClusterNetwork's `Mesh` fact by `meshFactsOf`.
 */
import { IstioMode, Mesh, MeshKind } from '../../cluster/mesh';
import { Labels } from '../selectors';

/** Istio or Linkerd (the analysis has no mesh layer without a mesh). */
export type MeshFlavour = 'istio' | 'linkerd';

/** Linkerd's default inbound policies (linkerd.io "Authorization Policy" reference, "Default policies"). */
export const LINKERD_DEFAULT_POLICIES = [
  'all-unauthenticated', 'all-authenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit',
] as const;
/** One of {@link LINKERD_DEFAULT_POLICIES}. */
export type LinkerdPolicyName = typeof LINKERD_DEFAULT_POLICIES[number];

/**
 * Linkerd's `clusterNetworks` install default: the networks `cluster-*` policies treat as "this
 * cluster" (linkerd.io "Authorization Policy" reference; Helm value `clusterNetworks`).
 */
export const LINKERD_DEFAULT_CLUSTER_NETWORKS = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'];

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
}

/** Namespace name -> annotations (the mesh layer reads Linkerd's namespace annotations). */
export type NamespaceAnnotations = ReadonlyMap<string, Labels>;

/**
 * The facts of a `Mesh` (the ClusterNetwork's mesh fact), or undefined for `Mesh.none()`.
 * `linkerdDefaultPolicy` is the cluster-wide default inbound policy when known.
 */
export function meshFactsOf(mesh: Mesh, linkerdDefaultPolicy?: string): MeshFacts | undefined {
  const base = {
    trustDomain: mesh.trustDomain,
    linkerdNamespace: mesh.kind === MeshKind.LINKERD ? mesh.controlPlaneNamespace ?? 'linkerd' : 'linkerd',
    linkerdDefaultPolicy: (linkerdDefaultPolicy ?? 'all-unauthenticated') as LinkerdPolicyName,
    linkerdDefaultPolicyGiven: linkerdDefaultPolicy !== undefined,
    clusterNetworks: LINKERD_DEFAULT_CLUSTER_NETWORKS,
    rootNamespace: mesh.rootNamespace ?? 'istio-system',
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
