/**
 * The namespaces a chaos experiment must not hit unless acknowledged: where the cluster's own
 * networking runs. A fault injected there is not an experiment on one application: it is an outage
 * of DNS, of the CNI agents or of the mesh control plane for every workload, and it may cut off the
 * very controllers that would end the experiment. Internal.
 */
import { ClusterNetwork } from '../cluster/cluster-network';
import { Cni } from '../cluster/cni';
import { CniKind } from '../cluster/cni-kind';
import { isSystemNamespace } from '../util/validate';

/**
 * Where each CNI runs its agents and operators when installed the documented way: Calico's
 * operator install (tigera-operator, calico-system; calico-apiserver, where the API server ran
 * until tigera/operator#3989 moved it into calico-system, for clusters on older operators), Cilium's Helm
 * chart (kube-system, as CiliumInstall emits, and cilium-spire, where the chart installs the SPIRE
 * server and agents of mutual authentication: `authentication.mutual.spire.install.namespace`,
 * cilium chart 1.20.0 values.yaml, templates/spire/), Flannel's manifest (kube-flannel, moved
 * from kube-system: flannel-io/flannel#1615). A plain NetworkPolicy CNI is unknown: only the kube-*
 * namespaces (and every supported CNI's, see addCniNamespaces).
 */
const CNI_NAMESPACES: Record<CniKind, readonly string[]> = {
  [CniKind.KUBERNETES]: [],
  [CniKind.CALICO]: ['calico-apiserver', 'calico-system', 'tigera-operator'],
  [CniKind.CILIUM]: ['cilium-spire', 'kube-system'],
  [CniKind.FLANNEL]: ['kube-flannel'],
};

/** The mesh control planes' default namespaces (Istio's istio-system, Linkerd's linkerd), for apps without a ClusterNetwork. */
const DEFAULT_MESH_NAMESPACES = ['istio-system', 'linkerd'];

/** Chaos Mesh's namespace in its documented Helm install, protected like a control-plane namespace. */
export const DEFAULT_CHAOS_MESH_NAMESPACE = 'chaos-mesh';

/** Why a namespace is protected, by namespace. */
export type ProtectedNamespaces = ReadonlyMap<string, string>;

/**
 * The protected namespaces and why: the kube-* namespaces and Chaos Mesh's own always; with a
 * ClusterNetwork, its DNS namespace, its CNI's and its mesh's control-plane namespaces; without one,
 * every namespace a supported mesh uses by default. The CNI's control-plane namespaces are those of
 * the ClusterNetwork's CNI, else of `cni` (PolicyLint's `cni` option), when it is Calico, Cilium or
 * Flannel; else of every supported CNI (fail closed: which CNI runs, or where a plain NetworkPolicy
 * or custom CNI runs, is unknown). `protectionOf` also covers every `kube-*` namespace.
 * @param cni the cluster's CNI when no ClusterNetwork is given (undefined, `Cni.kubernetes()` or
 * `Cni.custom()`: every supported CNI's namespaces are protected); ignored with a ClusterNetwork,
 * whose own CNI counts
 */
export function protectedNamespaces(cluster: ClusterNetwork | undefined, chaosMeshNamespace: string, cni?: Cni): ProtectedNamespaces {
  const out = new Map<string, string>();
  const add = (ns: string | undefined, why: string) => {
    if (ns !== undefined && !out.has(ns)) out.set(ns, why);
  };
  add('kube-system', 'the cluster\'s system namespace (CoreDNS, kube-proxy, CNI agents)');
  add(chaosMeshNamespace, 'Chaos Mesh\'s own namespace (its controller must stay reachable to end the experiment)');
  if (cluster !== undefined) {
    add(cluster.dnsNamespace, `the cluster DNS namespace of the ClusterNetwork '${cluster.node.path}'`);
    addCniNamespaces(add, cluster.cni, 'the ClusterNetwork\'s CNI');
    add(cluster.mesh.controlPlaneNamespace, `the ${cluster.mesh.displayName} control-plane namespace of the ClusterNetwork '${cluster.node.path}'`);
    add(cluster.mesh.rootNamespace, `the ${cluster.mesh.displayName} root namespace of the ClusterNetwork '${cluster.node.path}'`);
  } else {
    addCniNamespaces(add, cni, 'the cluster\'s CNI');
    for (const ns of DEFAULT_MESH_NAMESPACES) add(ns, 'a service mesh control-plane namespace (no ClusterNetwork says which mesh runs)');
  }
  return out;
}

/**
 * The control-plane namespaces of `cni` when it says where it runs, else of every supported CNI
 * (no CNI given, or `Cni.kubernetes()` / a `Cni.custom()`: fail closed).
 * @param whose how the reasons name `cni` ("the ClusterNetwork's CNI", "the cluster's CNI")
 */
function addCniNamespaces(add: (ns: string, why: string) => void, cni: Cni | undefined, whose: string): void {
  // Only the plain NetworkPolicy kind (`Cni.kubernetes()`, and every `Cni.custom()`) lists no namespace: it may be kindnet,
  // Antrea, or Calico / Cilium rendered as plain NetworkPolicy, so it says nothing of where the CNI runs.
  if (cni !== undefined && CNI_NAMESPACES[cni.kind].length > 0) {
    for (const ns of CNI_NAMESPACES[cni.kind]) add(ns, `a control-plane namespace of ${whose} (${cni.name})`);
    return;
  }
  const why = cni === undefined ? 'no ClusterNetwork says which CNI runs'
    // Cni.kubernetes() and Cni.custom() name no CNI whose namespaces are known: fail closed as without a CNI.
    : `${whose} '${cni.name}' is a plain NetworkPolicy or custom CNI, whose namespaces are not known`;
  for (const kind of Object.values(CniKind)) for (const ns of CNI_NAMESPACES[kind]) add(ns, `a control-plane namespace of the ${kind} CNI (${why})`);
}

/** Why `namespace` is protected, or undefined. */
export function protectionOf(namespaces: ProtectedNamespaces, namespace: string): string | undefined {
  return namespaces.get(namespace) ?? (isSystemNamespace(namespace) ? 'a kube-* namespace the cluster itself owns' : undefined);
}
