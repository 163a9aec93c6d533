/**
 * The Linkerd installation values (Helm values of the linkerd-control-plane chart) that the
 * reachability analyzer ({@link ReachabilityOptions}) and the policy lint (`PolicyLintOptions`) are
 * told, declared once; their runtime checks are `checkLinkerdValues` in ./option-values.
 */

/**
 * The cluster's Linkerd installation values, given with a Linkerd mesh only (with another mesh or
 * none, the entry point throws: the values would change nothing). Each one left out is Linkerd's
 * install default (except the lint's default inbound policy: see the prop).
 */
export interface LinkerdInstallationOptions {
  /**
   * Linkerd only (with another mesh or none, an error): the cluster-wide default inbound policy
   * (`proxy.defaultInboundPolicy`: `all-unauthenticated`, `all-authenticated`, `cluster-authenticated`,
   * `cluster-unauthenticated`, `deny` or `audit`), for ports no Server describes on pods whose namespace
   * and template do not set `config.linkerd.io/default-inbound-policy`. The lint's Linkerd rules then
   * also report refusals by this default where neither the pod nor its namespace annotates one.
   * @default - the analyzer assumes 'all-unauthenticated' (Linkerd's install default; reasons say it
   * was assumed); the lint judges only the default policies the manifests annotate
   */
  readonly linkerdDefaultInboundPolicy?: string;
  /**
   * Linkerd only (with another mesh or none, an error): the cluster's `clusterNetworks` (Helm value,
   * comma-separated there), as CIDRs: the client networks the `cluster-authenticated` and
   * `cluster-unauthenticated` policies admit. A client whose address may or may not be inside makes
   * such a flow indeterminate. Where the mesh (`mesh`, or the ClusterNetwork's for `Reachability.fromChart`
   * and `fromApp`) declares them (`Mesh.linkerd({ clusterNetworks })`), this option must name the same networks.
   * @default - the mesh's declared `clusterNetworks`, else Linkerd's install default 10.0.0.0/8, 100.64.0.0/10,
   * 172.16.0.0/12, 192.168.0.0/16, fd00::/8 (the analyzer's reasons say it was assumed)
   */
  readonly linkerdClusterNetworks?: string[];
  /**
   * Linkerd only (with another mesh or none, an error): `policyController.probeNetworks` (Helm value),
   * as CIDRs: linkerd2's policy controller admits the GET requests on a pod's HTTP probe paths (its
   * containers' httpGet probes, the proxy's /live and /ready on 4191) without authentication from
   * clients in these networks, on ports without HTTPRoutes; a probe request from elsewhere is judged
   * like any request. An empty list: the policy controller adds no probe route (the chart then omits
   * `--probe-networks`).
   * @default - Linkerd's install default 0.0.0.0/0, ::/0 (every client; the analyzer's reasons say it was assumed)
   */
  readonly linkerdProbeNetworks?: string[];
  /**
   * Linkerd only (with another mesh or none, an error): `proxy.opaquePorts` (Helm value) in Linkerd's
   * port-list syntax, comma-separated ports and increasing ranges `a-b` (e.g. `25,3306,4000-4100`;
   * empty: none). On pods with no `config.linkerd.io/opaque-ports` (nor one on their namespace), the
   * proxy injector annotates the ports they declare among these as opaque; an opaque port's default
   * server carries no probe route. The lint's linkerd-opaque-ports-one-side reads the sides that rest
   * on the cluster default with this list.
   * @default '25,587,3306,4444,5432,6379,9300,11211' (Linkerd's install default; the analyzer's reasons
   * say it was assumed)
   */
  readonly linkerdOpaquePorts?: string;
}

