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
   * @default - the cluster-wide default (`all-unauthenticated` unless Linkerd was installed otherwise)
   */
  readonly linkerdDefaultInboundPolicy?: LinkerdInboundPolicy;
}
