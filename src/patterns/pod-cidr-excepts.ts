import { ParsedCidr, cidrContainsCidr, parseCidr } from '../util/cidr';
import { InputSite, propError } from '../util/errors';

/**
 * The cluster's pod CIDRs an address range must except to mean "outside the pod network": Calico
 * and most plugins match pod IPs with ipBlock while Cilium never does (NETWORKING-FACTS.md
 * NetworkPolicy 6), so `10.0.0.0/8` would open every pod on some CNIs only. Returns the pod CIDRs
 * inside `block` that `excepts` do not already cover (to add to its `except`); a block inside a pod
 * CIDR is nothing but pods and is refused with `insidePods(podCidr)` as the message, under `prop`.
 * Internal.
 */
export function podCidrExcepts(
  site: InputSite, prop: string, block: ParsedCidr, excepts: readonly ParsedCidr[], podCidrs: readonly string[],
  insidePods: (podCidr: string) => string,
): string[] {
  const added: string[] = [];
  for (const text of podCidrs) {
    const own = parseCidr(text);
    if (own.family !== block.family) continue;
    if (cidrContainsCidr(own, block)) throw propError(site, prop, insidePods(own.text));
    if (cidrContainsCidr(block, own) && !excepts.some((e) => cidrContainsCidr(e, own))) added.push(own.text);
  }
  return added;
}
