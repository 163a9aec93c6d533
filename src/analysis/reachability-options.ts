/**
 * The options of the reachability analyzer's entry points ({@link Reachability} and
 * {@link Reachability.addProbe}); their runtime checks are in ./reachability-option-checks.
 */
import { LinkerdInstallationOptions } from './linkerd-installation-options';
import { Cni } from '../cluster/cni';
import { Mesh } from '../cluster/mesh';
import { Port } from '../policy/port';

/** Options of `Reachability`; the Linkerd installation values (with a Linkerd mesh) are those of {@link LinkerdInstallationOptions}. */
export interface ReachabilityOptions extends LinkerdInstallationOptions {
  /** The CNI whose policy semantics apply. */
  readonly cni: Cni;
  /**
   * IP address of the nodes (`Target.localNode()`, `Target.remoteNode()`) and therefore of every
   * hostNetwork pod, matched by ipBlock rules. The local node's IP only matters where the CNI
   * evaluates policy for it (the Kubernetes exception for the local node ignores IPs).
   * @default - unknown: an ipBlock that may contain a node address makes the flow indeterminate
   */
  readonly nodeIp?: string;
  /**
   * The cluster's pod CIDRs. A pod whose IP the manifests do not state (a Pod's `status.podIP(s)`,
   * a probe's `ip`) is somewhere in them: a CIDR peer (NetworkPolicy ipBlock, Calico `nets`,
   * ClusterNetworkPolicy `networks`) containing all of them matches it, a disjoint one does not, and
   * a partial overlap makes the flow indeterminate. Cilium never matches pods by CIDR, whatever
   * their IP.
   * @default - `fromChart` / `fromApp`: the `podCidrs` of the ClusterNetwork the chart or app
   * declares; otherwise unknown, and every CIDR peer that may contain a pod IP makes the flow
   * indeterminate
   */
  readonly podCidrs?: string[];
  /**
   * The service mesh whose authorization applies on top of the CNI: Istio (AuthorizationPolicy,
   * PeerAuthentication; sidecar and ambient workloads) or Linkerd (Server, AuthorizationPolicy,
   * MeshTLSAuthentication, NetworkAuthentication). A flow is then allowed only when the CNI and the
   * destination's mesh proxy both allow it; results carry both verdicts. Pods are in the mesh by
   * their namespace's and pod template's injection labels and annotations; traffic to a pod outside
   * the mesh is not subject to mesh authorization.
   * `Mesh.none()` analyses the CNI alone, also for a chart whose ClusterNetwork declares a mesh.
   * @default - `fromChart` / `fromApp`: the mesh of the ClusterNetwork the chart or app declares;
   * otherwise none: the analysis has no mesh layer and mesh objects change nothing
   */
  readonly mesh?: Mesh;
}

/** Options of `Reachability.addProbe`. */
export interface ProbeOptions {
  /**
   * Service account of the probe pod.
   * @default 'default'
   */
  readonly serviceAccount?: string;
  /**
   * Pod IP of the probe, so CIDR peers can match it exactly.
   * @default - unknown: somewhere in the pod CIDRs (see ReachabilityOptions.podCidrs)
   */
  readonly ip?: string;
  /**
   * The probe runs in the host network namespace (policies see it as its node).
   * @default false
   */
  readonly hostNetwork?: boolean;
  /**
   * Unnamed container ports the probe listens on (single ports, e.g. `Port.tcp(8080)`).
   * @default - none
   */
  readonly ports?: Port[];
  /**
   * Named container ports of the probe: name -> single port, e.g. `{ http: Port.tcp(8080) }`.
   * @default - none
   */
  readonly namedPorts?: { [name: string]: Port };
  /**
   * Annotations of the probe pod; the mesh layer reads the injection and proxy ones
   * (`linkerd.io/inject`, `sidecar.istio.io/inject`, `config.linkerd.io/*`, `traffic.sidecar.istio.io/*`).
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}
