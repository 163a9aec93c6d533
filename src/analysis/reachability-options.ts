/**
 * The options of the reachability analyzer's entry points ({@link Reachability} and
 * {@link Reachability.addProbe}); their runtime checks are in ./reachability-option-checks.
 */
import { Cni } from '../cluster/cni';
import { Mesh } from '../cluster/mesh';
import { Port } from '../policy/port';

/** Options of `Reachability`. */
export interface ReachabilityOptions {
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
  /**
   * Linkerd only (with another mesh or none, an error): the cluster-wide default inbound policy (`proxy.defaultInboundPolicy`:
   * `all-unauthenticated`, `all-authenticated`, `cluster-authenticated`, `cluster-unauthenticated`,
   * `deny` or `audit`), for ports no Server describes on pods whose namespace and template do not
   * set `config.linkerd.io/default-inbound-policy`.
   * @default 'all-unauthenticated' (Linkerd's install default; reasons say it was assumed)
   */
  readonly linkerdDefaultInboundPolicy?: string;
  /**
   * Linkerd only (with another mesh or none, an error): the cluster's `clusterNetworks` (Helm value; comma-separated there), as CIDRs: the
   * client networks the `cluster-authenticated` and `cluster-unauthenticated` policies admit. A client
   * whose address may or may not be inside makes such a flow indeterminate.
   * @default - Linkerd's install default 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, fd00::/8 (reasons say it was assumed)
   */
  readonly linkerdClusterNetworks?: string[];
  /**
   * Linkerd only (with another mesh or none, an error): `policyController.probeNetworks` (Helm value), as CIDRs: linkerd2's policy
   * controller admits the GET requests on a pod's HTTP probe paths (its containers' httpGet probes,
   * the proxy's /live and /ready on 4191) without authentication from clients in these networks, on
   * ports without HTTPRoutes; a probe request from elsewhere is judged like any request. An empty
   * list: the policy controller adds no probe route (the chart then omits `--probe-networks`).
   * @default - Linkerd's install default 0.0.0.0/0, ::/0 (every client; reasons say it was assumed)
   */
  readonly linkerdProbeNetworks?: string[];
  /**
   * Linkerd only (with another mesh or none, an error): `proxy.opaquePorts` (Helm value) in Linkerd's port-list syntax, comma-separated ports
   * and increasing ranges `a-b` (e.g. `25,3306,4000-4100`; empty: none). On pods with no
   * `config.linkerd.io/opaque-ports` (nor one on their namespace), the proxy injector annotates the
   * ports they declare among these as opaque; an opaque port's default server carries no probe route.
   * @default '25,587,3306,4444,5432,6379,9300,11211' (Linkerd's install default; reasons say it was assumed)
   */
  readonly linkerdOpaquePorts?: string;
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
