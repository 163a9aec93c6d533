import { IpFamily } from '../cluster/ip-family';
import { checkClusterFamily } from '../cluster/ip-family-check';
import { ParsedCidr, cidrContainsCidr, cidrInFamily } from '../util/cidr';
import { InputSite, propError } from '../util/errors';
import { validateCidr } from '../util/validate';

/** A CIDR peer's block and excepts, parsed and checked. */
export interface ValidatedCidrPeer {
  readonly block: ParsedCidr;
  readonly excepts: ParsedCidr[];
}

/**
 * Check a `Peer.cidr(cidr, except)` as every TrafficPolicy does, with errors named under `prop`
 * (`<prop>.cidr`, `<prop>.except[i]`): valid CIDRs of the cluster's IP families (an address of a
 * family the cluster does not run never matches), each except strictly inside the block.
 */
export function validateCidrPeer(
  site: InputSite, prop: string, cidr: string, except: readonly string[], families: readonly IpFamily[],
): ValidatedCidrPeer {
  const block = checkClusterFamily(site, `${prop}.cidr`, validateCidr(site, `${prop}.cidr`, cidr), families);
  const excepts = except.map((e, i) => {
    const parsed = checkClusterFamily(site, `${prop}.except[${i}]`, validateCidr(site, `${prop}.except[${i}]`, e), families);
    if (parsed.family !== block.family || !cidrContainsCidr(block, parsed) || parsed.prefix === block.prefix) {
      throw propError(site, `${prop}.except[${i}]`, `${parsed.text} is not strictly inside ${block.text}`);
    }
    if (isIpv4Mapped(parsed) && !isIpv4Mapped(block)) {
      throw propError(site, `${prop}.except[${i}]`, `${parsed.text} is an IPv4-mapped block, which Kubernetes and Calico refuse as an `
        + `except of ${block.text} (they read it as IPv4): except the IPv4 block in an IPv4 peer`);
    }
    return parsed;
  });
  return { block, excepts };
}

/**
 * Is `cidr` an IPv6 block inside `::ffff:0:0/96` (an IPv4-mapped block)? Such a block is IPv4 to
 * Kubernetes and Calico (Go's `net.IP.To4()`): the API server refuses it as an `except` of any IPv6
 * block that is not itself IPv4-mapped (`IPNet.Contains` never matches across the two lengths:
 * "must be a strict subset of `cidr`"), and Calico refuses a rule with it in `notNets` next to IPv6
 * `nets` ("rule contains both IPv4 and IPv6 CIDRs"). The addresses are reached over IPv4 anyway,
 * where the IPv4 blocks except them.
 */
export function isIpv4Mapped(cidr: ParsedCidr): boolean {
  return cidr.family === 'ipv6' && cidrInFamily(cidr, 'ipv4') !== undefined;
}
