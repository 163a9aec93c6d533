/**
 * Which addresses an endpoint may have, and whether a CIDR peer (NetworkPolicy ipBlock, Calico
 * `nets`, ClusterNetworkPolicy `networks`) matches it: definitely, definitely not, or maybe.
 *
 * - Known addresses (`ip`, `ips`: a Pod's `status.podIP(s)`, a probe's or node's IP, every external
 *   target) are matched exactly; a pod with several IPs (dual stack) matches a block definitely only
 *   when all of them are inside, since the flow may use any of them.
 * - A pod without a known IP is somewhere in its `addressSpace` (the cluster's pod CIDRs, when
 *   given): a block containing the whole space matches, a disjoint one does not, a partial overlap
 *   is unknown.
 * - Otherwise the address can be anything a pod or node can have: any unicast address outside
 *   loopback, link-local and multicast ranges. A block covering all of that (0.0.0.0/0 together
 *   with ::/0) matches, a block inside those special ranges (e.g. the metadata service
 *   169.254.169.254/32) does not, anything else is unknown.
 */
import { AddressSpace, Endpoint } from './model';
import { MAYBE, NO, Tri, YES } from './verdict';
import { AddressSet } from '../util/address-set';
import { ParsedCidr, parseCidrLoose, parseIpLoose } from '../util/cidr';

/** Address ranges no pod or node ever has: unspecified, loopback, link-local, multicast, reserved. */
const NEVER_AN_ENDPOINT = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3', '::/127', 'fe80::/10', 'ff00::/8'];

/** Every address a pod or node could have. */
export const ANY_ENDPOINT_ADDRESS: AddressSet = AddressSet.fromCidrs(['0.0.0.0/0', '::/0'].map((c) => parseCidrLoose(c)!))
  .subtract(AddressSet.fromCidrs(NEVER_AN_ENDPOINT.map((c) => parseCidrLoose(c)!)));

/** The address space of pods in the given pod CIDRs (already validated). */
export function podCidrSpace(cidrs: readonly ParsedCidr[]): AddressSpace {
  return {
    set: AddressSet.fromCidrs(cidrs),
    description: `somewhere in the pod CIDR${cidrs.length > 1 ? 's' : ''} ${cidrs.map((c) => c.text).join(', ')}`,
  };
}

interface Possible {
  readonly set: AddressSet;
  /** Why the address is not known exactly; undefined when it is. */
  readonly unknown?: string;
}

const POSSIBLE = new WeakMap<Endpoint, Possible>();

/** The addresses `endpoint` may use in a flow. */
export function possibleAddresses(endpoint: Endpoint): Possible {
  let found = POSSIBLE.get(endpoint);
  if (found) return found;
  const known = [...(endpoint.ips ?? []), ...(endpoint.ip !== undefined ? [endpoint.ip] : [])];
  if (known.length > 0) {
    const parsed = known.map((ip) => parseIpLoose(ip)).filter((ip): ip is NonNullable<typeof ip> => ip !== undefined);
    const set = AddressSet.fromIps(parsed);
    found = new Set(known).size > 1 ? { set, unknown: `it has several IPs (${[...new Set(known)].join(', ')}) and the flow may use any of them` } : { set };
  } else if (endpoint.addressSpace) {
    found = { set: endpoint.addressSpace.set, unknown: `its IP is not in the manifests, only ${endpoint.addressSpace.description}` };
  } else {
    found = { set: ANY_ENDPOINT_ADDRESS, unknown: unknownAddressReason(endpoint) };
  }
  POSSIBLE.set(endpoint, found);
  return found;
}

function unknownAddressReason(endpoint: Endpoint): string {
  if (endpoint.kind === 'pod' && !endpoint.hostNetwork) {
    return 'its IP is not in the manifests (no Pod status.podIP) and no pod CIDR is given (ReachabilityOptions.podCidrs)';
  }
  return 'it is a node or hostNetwork pod whose IP is not given (ReachabilityOptions.nodeIp)';
}

const BLOCK_RESULTS = new WeakMap<AddressSet, Map<string, Tri>>();

/** Does `block` contain the endpoint's address: YES, NO, or MAYBE (see the module comment)? */
export function matchAddresses(endpoint: Endpoint, block: AddressSet): Tri {
  const possible = possibleAddresses(endpoint);
  let results = BLOCK_RESULTS.get(block);
  if (!results) BLOCK_RESULTS.set(block, results = new Map());
  let result = results.get(possible.set.key);
  if (result === undefined) {
    if (possible.set.isEmpty || !block.intersects(possible.set)) result = NO;
    else if (block.containsAll(possible.set)) result = YES;
    else result = MAYBE;
    results.set(possible.set.key, result);
  }
  return result;
}

/** Why {@link matchAddresses} answered MAYBE for this endpoint (endpoint-independent wording). */
export function unknownAddressWhy(endpoint: Endpoint): string {
  return possibleAddresses(endpoint).unknown ?? 'its address is only partly inside';
}

/** Key of the endpoint's possible addresses: endpoints with equal keys match every block alike. */
export function addressKey(endpoint: Endpoint): string {
  return possibleAddresses(endpoint).set.key;
}

const CIDR_BLOCKS = new WeakMap<object, AddressSet>();

/**
 * The addresses of `cidr` minus every `except` (entries that do not parse are ignored: validation
 * reports them before the analysis runs), cached per owning rule object.
 */
export function blockOf(owner: object, cidrs: readonly string[], excepts: readonly string[] = []): AddressSet {
  let set = CIDR_BLOCKS.get(owner);
  if (!set) {
    const parse = (list: readonly string[]) => list.map((c) => parseCidrLoose(String(c))).filter((c): c is ParsedCidr => c !== undefined);
    set = AddressSet.fromCidrs(parse(cidrs)).subtract(AddressSet.fromCidrs(parse(excepts)));
    CIDR_BLOCKS.set(owner, set);
  }
  return set;
}

const TEXT_BLOCKS = new Map<string, AddressSet>();

/** The addresses of one CIDR given as text (cached; an unparsable CIDR is empty). */
export function blockOfCidr(cidr: string): AddressSet {
  let set = TEXT_BLOCKS.get(cidr);
  if (!set) {
    const parsed = parseCidrLoose(cidr);
    set = parsed ? AddressSet.fromCidrs([parsed]) : AddressSet.EMPTY;
    if (TEXT_BLOCKS.size >= 10_000) TEXT_BLOCKS.clear();
    TEXT_BLOCKS.set(cidr, set);
  }
  return set;
}
