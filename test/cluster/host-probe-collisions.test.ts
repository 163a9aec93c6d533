/**
 * Istio ambient's host probe address must collide with nothing (istio/istio cni/pkg/nodeagent/options.go:
 * "not routable and doesn't collide with anything else"): inside every ambient pod, TCP from it is taken
 * for a kubelet probe and accepted before ztunnel, TCP to it is not redirected to ztunnel
 * (cni/pkg/iptables/testdata/default.golden; istio.io "Ztunnel traffic redirection"), and meshed
 * namespaces admit it on every port. The NodeLocal DNS address is bound on every node by node-local-dns;
 * a single-address metadata CIDR is a metadata service's (169.254.170.23 is the EKS Pod Identity
 * Agent's, on every node).
 */
import { Cni, IpFamily, IstioMode, Mesh } from '../../src';
import { meshChart } from '../support/mesh';

const ambient = (hostProbeSnatIp?: string, hostProbeSnatIpv6?: string) => Mesh.istio({
  mode: IstioMode.AMBIENT, ...(hostProbeSnatIp ? { hostProbeSnatIp } : {}), ...(hostProbeSnatIpv6 ? { hostProbeSnatIpv6 } : {}),
});
const EFFECT = 'istio-cni needs an address that collides with nothing: inside every ambient pod TCP from it is taken for a kubelet probe and '
  + 'accepted before ztunnel (no mutual TLS, no AuthorizationPolicy), TCP to it is not sent through ztunnel, and meshed namespaces admit it on every port';

describe('ClusterNetwork refuses an Istio ambient host probe address that collides with a node or metadata address', () => {
  test('the declared probe address equal to nodeLocalDnsIp: refused, naming the mesh prop (was accepted)', () => {
    expect(() => meshChart(Cni.calico(), ambient('169.254.20.10'), { nodeLocalDns: true }))
      .toThrow('[test/cluster] mesh: the host probe address 169.254.20.10 (Mesh.istio hostProbeSnatIp) is the cluster\'s nodeLocalDnsIp, which '
        + `node-local-dns binds on every node: ${EFFECT}, so node-local-dns and any host-network process using that address would pass as kubelet `
        + 'probes. Give istio-cni another address (e.g. istio-cni\'s default 169.254.7.127)');
    // IPv6, written differently.
    expect(() => meshChart(Cni.calico(), ambient(undefined, 'FD00:0::20:a'), { nodeLocalDns: true, nodeLocalDnsIp: 'fd00::20:a', ipFamilies: [IpFamily.IPV6] }))
      .toThrow('[test/cluster] mesh: the host probe address fd00::20:a (Mesh.istio hostProbeSnatIpv6) is the cluster\'s nodeLocalDnsIp');
  });

  test('nodeLocalDnsIp equal to istio-cni\'s default probe address (none declared): refused, naming nodeLocalDnsIp', () => {
    expect(() => meshChart(Cni.calico(), ambient(), { nodeLocalDns: true, nodeLocalDnsIp: '169.254.7.127' }))
      .toThrow('[test/cluster] nodeLocalDnsIp: \'169.254.7.127\' is the host probe address of the Istio ambient mesh (istio-cni\'s default '
        + `HOST_PROBE_SNAT_IP, Mesh.istio hostProbeSnatIp): ${EFFECT}, so node-local-dns and any host-network process using that address would pass `
        + 'as kubelet probes. Give node-local-dns another address (169.254.20.10 by default), or istio-cni another one (Mesh.istio hostProbeSnatIp)');
  });

  test('the probe address equal to a single-address metadata CIDR: refused (was accepted)', () => {
    expect(() => meshChart(Cni.calico(), ambient('169.254.170.23')))
      .toThrow('[test/cluster] mesh: the host probe address 169.254.170.23 (Mesh.istio hostProbeSnatIp) is the metadata address 169.254.170.23/32 '
        + `(metadataCidrs): ${EFFECT}, so meshed pods would reach the metadata service past ztunnel, and whatever answers on that address (a `
        + 'node-local metadata agent) would pass as kubelet probes. Give istio-cni another address (e.g. istio-cni\'s default 169.254.7.127)');
    // A user's metadata address; the default probe address the user lists as metadata names metadataCidrs.
    expect(() => meshChart(Cni.calico(), ambient('100.100.100.200'), { metadataCidrs: ['100.100.100.200/32'] }))
      .toThrow('[test/cluster] mesh: the host probe address 100.100.100.200 (Mesh.istio hostProbeSnatIp) is the metadata address 100.100.100.200/32');
    expect(() => meshChart(Cni.calico(), ambient(), { metadataCidrs: ['169.254.7.127/32'] }))
      .toThrow('[test/cluster] metadataCidrs: 169.254.7.127/32 is the host probe address of the Istio ambient mesh (istio-cni\'s default '
        + `HOST_PROBE_SNAT_IP, Mesh.istio hostProbeSnatIp): ${EFFECT}, so meshed pods would reach the metadata service past ztunnel`);
  });

  test('accepted: other addresses, a probe address inside a wider metadata block (no service holds each of its addresses), sidecar mode', () => {
    expect(() => meshChart(Cni.calico(), ambient('169.254.7.128'), { nodeLocalDns: true })).not.toThrow();
    expect(() => meshChart(Cni.calico(), ambient('169.254.9.9'), { metadataCidrs: ['169.254.0.0/16'] })).not.toThrow();
    expect(() => meshChart(Cni.calico(), ambient(), { nodeLocalDns: true })).not.toThrow();
    expect(() => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR }), { nodeLocalDns: true, nodeLocalDnsIp: '169.254.7.127' })).not.toThrow();
  });
});
