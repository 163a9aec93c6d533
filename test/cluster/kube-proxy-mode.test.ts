/**
 * kube-proxy mode is a cluster fact (NETWORKING-FACTS.md "NodeLocal DNSCache": the DNS destinations
 * depend on it) and must agree with Cilium's kube-proxy replacement.
 */
import { Testing } from 'cdk8s';
import { ClusterNetwork, Cni, KubeProxyMode } from '../../src';

const make = (cni: Cni, kubeProxyMode?: KubeProxyMode) => new ClusterNetwork(Testing.chart(), 'cluster', { cni, kubeProxyMode });

describe('ClusterNetwork.kubeProxyMode', () => {
  test.each([
    ['kubernetes', Cni.kubernetes(), KubeProxyMode.IPTABLES],
    ['calico', Cni.calico(), KubeProxyMode.IPTABLES],
    ['cilium (kube-proxy replacement by default)', Cni.cilium(), KubeProxyMode.REPLACED],
    ['cilium without kube-proxy replacement', Cni.cilium({ kubeProxyReplacement: false }), KubeProxyMode.IPTABLES],
  ])('defaults on %s', (_name, cni, expected) => {
    expect(make(cni).kubeProxyMode).toBe(expected);
  });

  test('IPVS and REPLACED are kept where they are consistent', () => {
    expect(make(Cni.kubernetes(), KubeProxyMode.IPVS).kubeProxyMode).toBe(KubeProxyMode.IPVS);
    expect(make(Cni.calico(), KubeProxyMode.REPLACED).kubeProxyMode).toBe(KubeProxyMode.REPLACED);
    expect(make(Cni.cilium({ kubeProxyReplacement: false }), KubeProxyMode.IPVS).kubeProxyMode).toBe(KubeProxyMode.IPVS);
    expect(make(Cni.cilium(), KubeProxyMode.REPLACED).kubeProxyMode).toBe(KubeProxyMode.REPLACED);
  });

  test('Cilium with kube-proxy replacement next to a kube-proxy mode is an error naming the prop', () => {
    expect(() => make(Cni.cilium(), KubeProxyMode.IPTABLES)).toThrow(
      "[test/cluster] kubeProxyMode: 'iptables' contradicts Cni.cilium({ kubeProxyReplacement: true })");
    expect(() => make(Cni.cilium(), KubeProxyMode.IPVS)).toThrow(/kubeProxyMode: 'ipvs' contradicts/);
  });

  test('REPLACED on a Cilium without kube-proxy replacement is an error', () => {
    expect(() => make(Cni.cilium({ kubeProxyReplacement: false }), KubeProxyMode.REPLACED)).toThrow(
      "[test/cluster] kubeProxyMode: 'replaced' contradicts Cni.cilium({ kubeProxyReplacement: false })");
  });

  test('an unknown mode from an untyped caller is an error', () => {
    expect(() => make(Cni.kubernetes(), 'nftables' as KubeProxyMode)).toThrow(/\[test\/cluster\] kubeProxyMode: /);
  });
});
