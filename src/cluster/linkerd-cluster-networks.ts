/**
 * Linkerd's `clusterNetworks` (Helm value of the linkerd-control-plane chart, comma-separated there):
 * the networks the `cluster-authenticated` and `cluster-unauthenticated` default inbound policies
 * admit clients from (linkerd.io "Authorization Policy" reference, default policies; linkerd2-proxy
 * linkerd/app/inbound/src/policy/defaults.rs: `cluster_unauthenticated(nets)` authorizes unauthenticated
 * clients of those networks only). Declared on `Mesh.linkerd({ clusterNetworks })`, which the analyzer and
 * PolicyLint read too; their `linkerdClusterNetworks` option is the same installation value (analysis/option-values
 * `withMeshLinkerdValues` refuses the two disagreeing).
 */
import { ipv4OfMapped } from '../util/cidr';
import { propError } from '../util/errors';
import { requireStringArray } from '../util/guards';
import { validateCidr } from '../util/validate';

/**
 * Linkerd's `clusterNetworks` install default: the networks `cluster-*` policies treat as "this
 * cluster" (linkerd.io "Authorization Policy" reference; Helm value `clusterNetworks`, whose default
 * linkerd2 pkg/charts/linkerd2 values_test.go pins).
 */
export const LINKERD_DEFAULT_CLUSTER_NETWORKS: readonly string[] = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'];

/**
 * Why a valid CIDR cannot be a Linkerd network, if it cannot: an IPv4-mapped IPv6 block, since Linkerd
 * matches a client address against the networks of its own family (an IPv4 client never falls in
 * `::ffff:10.0.0.0/104`), so such a block holds no IPv4 client there.
 */
export function linkerdNetworkProblem(cidr: string): string | undefined {
  const ipv4 = ipv4OfMapped(cidr);
  return ipv4 === undefined ? undefined : `'${cidr}' is an IPv4-mapped IPv6 block, which matches no IPv4 client in Linkerd: write ${ipv4}`;
}

/**
 * `clusterNetworks` given to `site` at `prop`: a non-empty list of CIDRs (no host bits, no IPv4-mapped
 * block), in canonical form; the install default when undefined.
 */
export function checkLinkerdClusterNetworks(site: string, prop: string, value: readonly string[] | undefined): string[] {
  if (value === undefined) return [...LINKERD_DEFAULT_CLUSTER_NETWORKS];
  const list = requireStringArray(site, prop, value);
  if (list.length === 0) {
    // linkerd2-proxy refuses a cluster-* default policy without networks (ParseError::InvalidPortPolicy when cluster_nets is empty).
    throw propError(site, prop, 'needs at least one CIDR: the cluster-* default policies of Linkerd admit clients of these networks only, '
      + `and the proxy refuses them without any (omit it for Linkerd's default ${LINKERD_DEFAULT_CLUSTER_NETWORKS.join(', ')})`);
  }
  return list.map((text, i) => {
    const canonical = validateCidr(site, `${prop}[${i}]`, text).text;
    const problem = linkerdNetworkProblem(canonical);
    if (problem !== undefined) throw propError(site, `${prop}[${i}]`, problem);
    return canonical;
  });
}
