import { IConstruct } from 'constructs';
import { Cni } from './cni';
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
 * The kube-proxy mode of a cluster: the one given, else what the CNI's options say (`REPLACED` for
 * Cilium with kube-proxy replacement) and `IPTABLES` otherwise. A CNI option and the mode must
 * agree: a CNI that replaces kube-proxy never runs next to it, and one that does not needs it.
 */
export function resolveKubeProxyMode(scope: IConstruct, cni: Cni, given: KubeProxyMode | undefined): KubeProxyMode {
  if (given !== undefined) checkEnum(scope, 'kubeProxyMode', given, Object.values(KubeProxyMode), 'a KubeProxyMode');
  const option = cni._facts.kubeProxyReplacement;
  if (option === undefined) return given ?? KubeProxyMode.IPTABLES;
  if (given === undefined) return option.replaces ? KubeProxyMode.REPLACED : KubeProxyMode.IPTABLES;
  if (option.replaces && given !== KubeProxyMode.REPLACED) {
    throw propError(scope, 'kubeProxyMode', `'${given}' contradicts ${option.option}: ${cni.name} replaces kube-proxy; `
      + 'use KubeProxyMode.REPLACED (or leave kubeProxyMode unset), or set kubeProxyReplacement: false');
  }
  if (!option.replaces && given === KubeProxyMode.REPLACED) {
    throw propError(scope, 'kubeProxyMode', `'replaced' contradicts ${option.option}: nothing would replace kube-proxy; `
      + 'set kubeProxyReplacement: true, or give the kube-proxy mode the cluster runs (IPTABLES or IPVS)');
  }
  return given;
}
