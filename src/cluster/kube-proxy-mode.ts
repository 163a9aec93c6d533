import { IConstruct } from 'constructs';
import { Cni, CniKind } from './cni';
import { propError } from '../util/errors';
import { checkEnum } from '../util/validate';

/**
 * How Service traffic is load-balanced on the nodes. A cluster fact, because the NodeLocal
 * DNSCache variant and therefore the DNS destinations of every pod depend on it
 * (kubernetes.io "Using NodeLocal DNSCache in Kubernetes Clusters").
 */
export enum KubeProxyMode {
  /** kube-proxy in iptables mode (the kubeadm default). */
  IPTABLES = 'iptables',
  /** kube-proxy in IPVS mode (the kube-dns ClusterIP is owned by the kube-ipvs0 dummy interface). */
  IPVS = 'ipvs',
  /**
   * No kube-proxy: the CNI replaces it (Cilium `kubeProxyReplacement: "true"`, Calico eBPF with the
   * operator's `kubeProxyManagement`).
   */
  REPLACED = 'replaced',
}

/**
 * The kube-proxy mode of a cluster: the one given, else `REPLACED` for Cilium with kube-proxy
 * replacement and `IPTABLES` otherwise. The Cilium option and the mode must agree: a Cilium with
 * kube-proxy replacement never runs next to kube-proxy, and one without it needs kube-proxy.
 */
export function resolveKubeProxyMode(scope: IConstruct, cni: Cni, given: KubeProxyMode | undefined): KubeProxyMode {
  if (given !== undefined) checkEnum(scope, 'kubeProxyMode', given, Object.values(KubeProxyMode), 'a KubeProxyMode');
  if (cni.kind !== CniKind.CILIUM) return given ?? KubeProxyMode.IPTABLES;
  const replaced = cni.kubeProxyReplacement;
  if (given === undefined) return replaced ? KubeProxyMode.REPLACED : KubeProxyMode.IPTABLES;
  if (replaced && given !== KubeProxyMode.REPLACED) {
    throw propError(scope, 'kubeProxyMode', `'${given}' contradicts Cni.cilium({ kubeProxyReplacement: true }): Cilium replaces kube-proxy; `
      + 'use KubeProxyMode.REPLACED (or leave kubeProxyMode unset), or set kubeProxyReplacement: false');
  }
  if (!replaced && given === KubeProxyMode.REPLACED) {
    throw propError(scope, 'kubeProxyMode', '\'replaced\' contradicts Cni.cilium({ kubeProxyReplacement: false }): nothing would replace kube-proxy; '
      + 'set kubeProxyReplacement: true, or give the kube-proxy mode the cluster runs (IPTABLES or IPVS)');
  }
  return given;
}
