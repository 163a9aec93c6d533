import { IpFamily } from '../cluster/ip-family';
import { checkClusterFamily } from '../cluster/ip-family-check';
import { ParsedCidr, cidrContainsCidr } from '../util/cidr';
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
    return parsed;
  });
  return { block, excepts };
}
