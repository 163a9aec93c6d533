/**
 * The CNI families whose native policy APIs this library can render. Every per-CNI table
 * (`Record<CniKind, ...>`: the renderer's writers, the factories, the analyzer's models) must have
 * a row for each, so adding a kind fails compilation wherever it is not handled yet.
 */
export enum CniKind {
  /** Any conformant CNI that enforces networking.k8s.io/v1 NetworkPolicy only. */
  KUBERNETES = 'kubernetes',
  /** Calico (projectcalico.org/v3 policies, tiers, GlobalNetworkPolicy). */
  CALICO = 'calico',
  /** Cilium (cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy). */
  CILIUM = 'cilium',
  /** Flannel: pod networking only, no policy enforcement at all. */
  FLANNEL = 'flannel',
}
