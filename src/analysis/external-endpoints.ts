/**
 * External endpoints of a reachability diff (internal): one representative address per region of
 * the address space that the CIDRs of the policies carve out, so that every CIDR rule (NetworkPolicy
 * ipBlock with its excepts, Calico nets, Cilium toCIDR / toCIDRSet, ClusterNetworkPolicy networks,
 * ...) treats all addresses of a region alike and one address answers for the whole region.
 *
 * CIDR blocks are nested or disjoint, so each region is one block minus the largest blocks inside
 * it, named `external 10.0.0.0/8 except 10.1.0.0/16`; the region outside every block is the family's
 * root, `external 0.0.0.0/0 except ...` (IPv6 `::/0` only when some policy names an IPv6 block).
 * The cloud metadata address 169.254.169.254/32 is always a block of its own (a destination only).
 * Regions inside the pod CIDRs or at the node IP are pods and nodes, not external, and are left out.
 */
import * as ipaddr from 'ipaddr.js';
import { Endpoint, ManifestObject } from './model';
import { AddressSet } from '../util/address-set';
import { ParsedCidr, parseCidrLoose } from '../util/cidr';

/** The cloud metadata service (AWS, GCP, Azure, OpenStack, ...). */
export const METADATA_CIDR = '169.254.169.254/32';

/** Prefix of every external endpoint name (a pod endpoint is `namespace/name` and has no space). */
export const EXTERNAL_PREFIX = 'external ';

/** The namespace of external endpoints in the diff's groups (no namespace can be named so). */
export const EXTERNAL_NAMESPACE = '(external)';

/** One external endpoint of the diff. */
export interface ExternalRegion {
  /** `external 0.0.0.0/0 except 10.0.0.0/8, 169.254.169.254/32`. */
  readonly name: string;
  /** The address the analysis asks about (one of the region). */
  readonly ip: string;
  /** The region is the metadata address (compared as a destination only). */
  readonly metadata: boolean;
}

/** The endpoint the analysis asks about for `region`: an address outside the cluster, with no labels. */
export function externalEndpoint(region: ExternalRegion): Endpoint {
  return { kind: 'external', name: region.name, ip: region.ip, labels: {}, namespaceLabels: {}, hostNetwork: false, namedPorts: [] };
}

/** What a manifest set contributes to the external endpoints. */
export interface ExternalFacts {
  /** Every CIDR (or single address) named in a policy or network set. */
  readonly cidrs: string[];
  /** `TCP/443`-style ports named in policies (numeric only). */
  readonly ports: string[];
  /** Pod CIDRs and node IP (as host blocks): not external. */
  readonly internal: string[];
}

const POLICY_KIND = /(Policy|NetworkSet|CIDRGroup)$/;
const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

/** The CIDRs and ports the policies of `manifests` name (see {@link ExternalFacts}). */
export function externalFactsOf(manifests: readonly ManifestObject[]): { cidrs: string[]; ports: string[] } {
  const cidrs = new Set<string>();
  const ports = new Set<string>();
  const walk = (value: unknown, protocol: string): void => {
    if (typeof value === 'string') {
      if (/[.:]/.test(value) && parseCidrLoose(value) !== undefined) cidrs.add(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) walk(v, protocol);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const obj = value as Record<string, unknown>;
    const own = typeof obj.protocol === 'string' ? obj.protocol.toUpperCase() : protocol;
    // Cilium `ANY` (or a protocol not given) is TCP and UDP alike; TCP stands for both unless it is ANY.
    const protos = own === 'ANY' ? ['TCP', 'UDP'] : [PROTOCOLS.has(own) ? own : 'TCP'];
    for (const [key, v] of Object.entries(obj)) {
      for (const proto of protos) {
        if (key === 'port') addPort(ports, proto, v);
        if (key === 'ports' && Array.isArray(v)) for (const p of v) if (typeof p !== 'object') addPort(ports, proto, p);
      }
      walk(v, own);
    }
  };
  for (const m of manifests) {
    // Cilium policies hold their rules in `spec` and in each `specs[i]` (every one enforced).
    if (typeof m.kind === 'string' && POLICY_KIND.test(m.kind)) walk([(m as any).spec, (m as any).specs], 'TCP');
  }
  return { cidrs: [...cidrs].sort(), ports: [...ports].sort() };
}

function addPort(ports: Set<string>, protocol: string, value: unknown): void {
  const text = String(value).split(':')[0];
  if (!/^[0-9]+$/.test(text)) return;
  const n = Number(text);
  if (n >= 1 && n <= 65535) ports.add(`${protocol}/${n}`);
}

interface Block {
  readonly cidr: ParsedCidr;
  readonly set: AddressSet;
  readonly text: string;
}

/** A block's canonical form (host bits cleared), so `10.0.0.1/8` and `10.0.0.0/8` are one block. */
function blockOf(cidr: ParsedCidr): Block {
  const network = cidr.family === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${cidr.address.toString()}/${cidr.prefix}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${cidr.address.toString()}/${cidr.prefix}`);
  const canonical = { ...cidr, address: network, text: `${network.toString()}/${cidr.prefix}` };
  return { cidr: canonical, set: AddressSet.fromCidrs([canonical]), text: canonical.text };
}

function parseBlock(text: string): Block | undefined {
  const parsed = parseCidrLoose(text);
  return parsed ? blockOf(parsed) : undefined;
}

/** Addresses no public host has (ipaddr.js' special ranges of both families). */
const NOT_PUBLIC: AddressSet = (() => {
  const cidrs: ParsedCidr[] = [];
  for (const table of [(ipaddr.IPv4.prototype as any).SpecialRanges, (ipaddr.IPv6.prototype as any).SpecialRanges]) {
    for (const [name, entries] of Object.entries(table as Record<string, any>)) {
      if (name === 'unicast') continue;
      const list = Array.isArray(entries[0]) ? entries : [entries];
      for (const [address, prefix] of list) cidrs.push({ family: address.kind(), address, prefix, text: `${address.toString()}/${prefix}` });
    }
  }
  return AddressSet.fromCidrs(cidrs);
})();

/** Does the set hold a public address (outside every special range ipaddr.js knows)? */
export function hasPublicAddress(set: AddressSet): boolean {
  return !set.subtract(NOT_PUBLIC).isEmpty;
}

/**
 * The external endpoints for the CIDRs of both sides, sorted (IPv4 before IPv6, by address, wider
 * blocks first).
 */
export function externalRegions(facts: readonly ExternalFacts[]): ExternalRegion[] {
  const byKey = new Map<string, Block>();
  const add = (b: Block | undefined) => {
    if (b && !byKey.has(b.set.key)) byKey.set(b.set.key, b);
  };
  const mentioned = facts.flatMap((f) => f.cidrs).map(parseBlock);
  const internal = facts.flatMap((f) => f.internal).map(parseBlock).filter((b): b is Block => b !== undefined);
  add(parseBlock('0.0.0.0/0'));
  if (mentioned.some((b) => b?.cidr.family === 'ipv6')) add(parseBlock('::/0'));
  add(parseBlock(METADATA_CIDR));
  for (const b of [...mentioned, ...internal]) add(b);
  const blocks = [...byKey.values()];
  const inside = (outer: Block, inner: Block) => outer !== inner && outer.set.containsAll(inner.set);
  const regions: Array<{ block: Block; region: ExternalRegion }> = [];
  for (const block of blocks) {
    if (internal.some((i) => i.set.containsAll(block.set))) continue;
    const within = blocks.filter((b) => inside(block, b));
    const children = within.filter((c) => !within.some((o) => inside(o, c))).sort(compareBlocks);
    const rest = block.set.subtract(children.reduce((u, c) => u.union(c.set), AddressSet.EMPTY));
    // Prefer a public address where the region has one: it stands for "the internet" in the root.
    const ip = rest.subtract(NOT_PUBLIC).sample() ?? rest.sample();
    if (ip === undefined) continue;
    const name = `${EXTERNAL_PREFIX}${block.text}${children.length > 0 ? ` except ${children.map((c) => c.text).join(', ')}` : ''}`;
    regions.push({ block, region: { name, ip, metadata: block.text === METADATA_CIDR } });
  }
  return regions.sort((a, b) => compareBlocks(a.block, b.block)).map((r) => r.region);
}

function compareBlocks(a: Block, b: Block): number {
  if (a.cidr.family !== b.cidr.family) return a.cidr.family === 'ipv4' ? -1 : 1;
  const x = a.cidr.address.toByteArray();
  const y = b.cidr.address.toByteArray();
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return a.cidr.prefix - b.cidr.prefix;
}

/**
 * The addresses an external endpoint name stands for (`external A except B, C` is A minus B and C),
 * or undefined when `name` is not an external endpoint's.
 */
export function addressesOfExternal(name: string): AddressSet | undefined {
  if (!name.startsWith(EXTERNAL_PREFIX)) return undefined;
  const [block, except] = name.slice(EXTERNAL_PREFIX.length).split(' except ');
  const parse = (t: string) => parseCidrLoose(t.trim());
  const outer = parse(block);
  if (!outer) return undefined;
  const cut = (except ?? '').split(',').filter((t) => t.trim() !== '').map(parse).filter((c): c is ParsedCidr => c !== undefined);
  return AddressSet.fromCidrs([outer]).subtract(AddressSet.fromCidrs(cut));
}
