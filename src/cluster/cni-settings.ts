/**
 * What each CNI family's factory records beyond its capabilities (internal): typed per kind, so the
 * renderer's per-CNI writers read their options without casts, and every fact the rest of the
 * library asks about a CNI is stated by each factory (a new kind cannot forget one: the types are
 * required).
 */
import { CniKind } from './cni-kind';

/** Options of each kind, as its factory validated them. */
export interface CniOptionsByKind {
  readonly [CniKind.KUBERNETES]: { readonly acknowledgeUnenforcedPolicies: boolean };
  readonly [CniKind.CALICO]: { readonly guardrailTier: string; readonly guardrailTierOrder: number; readonly nativeV3Crds: boolean };
  readonly [CniKind.CILIUM]: { readonly kubeProxyReplacement: boolean };
  readonly [CniKind.FLANNEL]: { readonly acknowledgeUnenforcedPolicies: boolean };
}

/** The settings of a CNI of kind `K` (all kinds when omitted), discriminated by `kind`. */
export type CniSettings<K extends CniKind = CniKind> = { [P in K]: { readonly kind: P } & CniOptionsByKind[P] }[K];

/** Facts about a CNI that policies depend on, stated by its factory. */
export interface CniFacts {
  /**
   * With NodeLocal DNSCache, node-local-dns runs as ordinary pods that a redirect (Cilium's
   * CiliumLocalRedirectPolicy under kube-proxy replacement) steers DNS queries to: policy sees the
   * node-local-dns pods, not the kube-dns ClusterIP.
   */
  readonly nodeLocalDnsAsPods: boolean;
  /**
   * With NodeLocal DNSCache on the host network, the CNI may classify its addresses as the host
   * rather than a CIDR (Cilium without kube-proxy replacement), so DNS allows add the host entity.
   */
  readonly nodeLocalDnsHostEntity: boolean;
  /** How the user acknowledges unenforced policies for this CNI (for the error message), if it enforces none. */
  readonly acknowledgeUnenforced: string;
  /**
   * What the factory's options say about kube-proxy: whether the CNI replaces it, and the option as
   * written (for messages, e.g. `Cni.cilium({ kubeProxyReplacement: true })`). Undefined when the
   * options say nothing: the ClusterNetwork's `kubeProxyMode` alone decides (Calico's eBPF
   * dataplane is chosen in CalicoInstallation, not in `Cni.calico()`).
   */
  readonly kubeProxyReplacement: { readonly replaces: boolean; readonly option: string } | undefined;
}
