/**
 * Istio ambient's host probe addresses against the addresses the cluster knows something holds
 * (internal, for ClusterNetwork).
 *
 * istio-cni wants an address that is "not routable and doesn't collide with anything else" (istio/istio
 * cni/pkg/nodeagent/options.go, beside `HOST_PROBE_SNAT_IP`), because of what the address does inside
 * every ambient pod (cni/pkg/iptables: testdata/default.golden; istio.io "Ztunnel traffic redirection"):
 * the mangle rule `-s <address> -p tcp -j ACCEPT` takes TCP from it for a kubelet probe and lets it
 * past ztunnel (no mutual TLS, no AuthorizationPolicy), and the nat rule `-d <address> -p tcp -j ACCEPT`
 * keeps the pod's TCP to it away from ztunnel. Meshed namespaces also admit it on every port.
 *
 * - The NodeLocal DNS address: node-local-dns binds it on an interface of its own on every node
 *   (kubernetes.io "Using NodeLocal DNSCache"), so node-local-dns, and any host-network process that
 *   binds the address, would pass as kubelet probes.
 * - A single-address metadata CIDR: a metadata service answers there (the well-known 169.254.170.23
 *   and fd00:ec2::23 are the EKS Pod Identity Agent's, a host-network agent on every node: AWS EKS
 *   user guide "Set up the Amazon EKS Pod Identity Agent"), so meshed pods would reach it past ztunnel,
 *   and what answers there would pass as kubelet probes. A wider metadata CIDR (a whole range blocked)
 *   says no service holds each of its addresses: a probe address inside it is not refused.
 *
 * A declared probe address is blamed on `mesh`; istio-cni's default, which the user did not choose,
 * on the other prop.
 */
import { IConstruct } from 'constructs';
import { Mesh } from './mesh';
import { hostPrefix, parseCidr, parseIp } from '../util/cidr';
import { propError } from '../util/errors';

const EFFECT = 'istio-cni needs an address that collides with nothing: inside every ambient pod TCP from it is taken for a kubelet probe and '
  + 'accepted before ztunnel (no mutual TLS, no AuthorizationPolicy), TCP to it is not sent through ztunnel, and meshed namespaces admit it on every port';
const NODE_LOCAL = 'so node-local-dns and any host-network process using that address would pass as kubelet probes';
const METADATA = 'so meshed pods would reach the metadata service past ztunnel, and whatever answers on that address (a node-local metadata agent) '
  + 'would pass as kubelet probes';

/**
 * Throws when a host probe address of an ambient `mesh` is `nodeLocalDnsIp` or the one address of a
 * metadata CIDR.
 */
export function checkHostProbeCollisions(scope: IConstruct, mesh: Mesh, nodeLocalDnsIp: string | undefined, metadataCidrs: readonly string[]): void {
  const probes = [
    { ip: mesh.hostProbeSnatIp, option: 'hostProbeSnatIp', env: 'HOST_PROBE_SNAT_IP', given: mesh._hostProbeSnatGiven.ipv4 },
    { ip: mesh.hostProbeSnatIpv6, option: 'hostProbeSnatIpv6', env: 'HOST_PROBE_SNAT_IPV6', given: mesh._hostProbeSnatGiven.ipv6 },
  ];
  for (const { ip, option, env, given } of probes) {
    if (ip === undefined) continue;
    const parsed = parseIp(ip).toString();
    const theirs = `is the host probe address of the Istio ambient mesh (istio-cni's default ${env}, Mesh.istio ${option})`;
    const ours = `the host probe address ${ip} (Mesh.istio ${option})`;
    const other = `Give istio-cni another address (e.g. istio-cni's default ${option === 'hostProbeSnatIp' ? '169.254.7.127' : 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff'})`;
    if (nodeLocalDnsIp !== undefined && parseIp(nodeLocalDnsIp).toString() === parsed) {
      throw given
        ? propError(scope, 'mesh', `${ours} is the cluster's nodeLocalDnsIp, which node-local-dns binds on every node: ${EFFECT}, ${NODE_LOCAL}. ${other}`)
        : propError(scope, 'nodeLocalDnsIp', `'${nodeLocalDnsIp}' ${theirs}: ${EFFECT}, ${NODE_LOCAL}. Give node-local-dns another address `
          + `(169.254.20.10 by default), or istio-cni another one (Mesh.istio ${option})`);
    }
    const metadata = metadataCidrs.find((text) => {
      const cidr = parseCidr(text);
      return cidr.prefix === hostPrefix(cidr.family) && cidr.address.toString() === parsed;
    });
    if (metadata !== undefined) {
      throw given
        ? propError(scope, 'mesh', `${ours} is the metadata address ${metadata} (metadataCidrs): ${EFFECT}, ${METADATA}. ${other}`)
        : propError(scope, 'metadataCidrs', `${metadata} ${theirs}: ${EFFECT}, ${METADATA}. Remove it from metadataCidrs, or give istio-cni another `
          + `address (Mesh.istio ${option})`);
    }
  }
}
