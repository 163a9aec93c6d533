import { IpFamily } from './ip-family';
import { ParsedCidr } from '../util/cidr';
import { InputSite, propError } from '../util/errors';

/** The IpFamily of a parsed CIDR. */
export function ipFamilyOf(cidr: ParsedCidr): IpFamily {
  return cidr.family === 'ipv4' ? IpFamily.IPV4 : IpFamily.IPV6;
}

/**
 * `cidr` must be of one of the cluster's IP families: an address of a family the cluster does not
 * run can never match (a typo or a wrong `ipFamilies`). `shown` is how the value is quoted.
 */
export function checkClusterFamily(
  scope: InputSite, prop: string, cidr: ParsedCidr, families: readonly IpFamily[], shown: string = cidr.text,
): ParsedCidr {
  const family = ipFamilyOf(cidr);
  if (!families.includes(family)) {
    throw propError(scope, prop, `'${shown}' is ${family}, but the cluster's ipFamilies are [${families.join(', ')}]`);
  }
  return cidr;
}
