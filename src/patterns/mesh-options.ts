/**
 * Linkerd default inbound policies (`config.linkerd.io/default-inbound-policy`), applied to ports
 * no Server describes.
 */
export enum LinkerdInboundPolicy {
  /** Allow all traffic (Linkerd's install default). */
  ALL_UNAUTHENTICATED = 'all-unauthenticated',
  /** Allow only meshed clients, from this or a linked cluster. */
  ALL_AUTHENTICATED = 'all-authenticated',
  /** Allow only meshed clients of this cluster. */
  CLUSTER_AUTHENTICATED = 'cluster-authenticated',
  /** Allow meshed and unmeshed clients of this cluster. */
  CLUSTER_UNAUTHENTICATED = 'cluster-unauthenticated',
  /** Deny everything not explicitly authorized. */
  DENY = 'deny',
  /** Allow, but log what `deny` would refuse. */
  AUDIT = 'audit',
}

/** How a {@link ZeroTrustNamespace} joins the cluster's service mesh. */
export interface NamespaceMeshOptions {
  /**
   * Linkerd only: the default inbound policy of the namespace's pods (annotation
   * `config.linkerd.io/default-inbound-policy`), for ports no Server describes.
   *
   * That includes the proxy's admin port 4191: under `DENY` Linkerd refuses Prometheus's
   * `GET /metrics` there (under `ALL_AUTHENTICATED` and `CLUSTER_AUTHENTICATED`, from a scraper
   * outside the mesh), although the namespace's NetworkPolicies open 4191 to monitoring. Authorize
   * the scraper on a Server for port 4191 (`LinkerdAuthorization.allowFlow` with `ports: [4191]`);
   * `PolicyLint` reports the gap as `linkerd-admin-port-unauthorized`. The proxy's own kubelet probes
   * (`GET /live`, `/ready` on 4191) stay admitted by Linkerd's probe route as long as no HTTPRoute has
   * the port's Server as parent (a route-level flow, with `methods` or `paths`, on 4191 must admit them
   * from `MeshSource.anyone()`; `LinkerdAuthorization` fails synthesis otherwise).
   * @default - the cluster-wide default (`all-unauthenticated` unless Linkerd was installed otherwise)
   */
  readonly linkerdDefaultInboundPolicy?: LinkerdInboundPolicy;
}
