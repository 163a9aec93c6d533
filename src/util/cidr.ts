import * as ipaddr from 'ipaddr.js';

/** A parsed CIDR block. Internal helper around ipaddr.js. */
export interface ParsedCidr {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefix: number;
  /** Canonical text, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

/** Error thrown by {@link parseCidr}; callers prefix it with the construct path and prop. */
export class CidrError extends Error {}

/**
 * Parse a CIDR strictly: a valid address, a prefix in range and no host bits set
 * (`10.0.0.1/8` is rejected with a hint, because it is almost always a typo; Kubernetes 1.36 refuses
 * it in ipBlock too, see {@link strictCidrProblem}). `text` is canonical (`10.0.0.0/08` ->
 * `10.0.0.0/8`, `2001:0DB8::/32` -> `2001:db8::/32`), which is what the renderers emit.
 */
export function parseCidr(text: string): ParsedCidr {
  // Platforms repeat the same few CIDRs (metadata, private ranges) for every tenant: parse each once.
  const cached = PARSED.get(text);
  if (cached) return cached;
  const parsed = parseCidrUncached(text);
  if (PARSED.size >= 10_000) PARSED.clear();
  PARSED.set(text, parsed);
  return parsed;
}

/** Successful parses only (errors are thrown every time). Parsed values are immutable. */
const PARSED = new Map<string, ParsedCidr>();

function parseCidrUncached(text: string): ParsedCidr {
  if (typeof text !== 'string' || !text.includes('/')) {
    throw new CidrError(`'${text}' is not a CIDR (expected address/prefix, e.g. 10.0.0.0/8)`);
  }
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  const hex = hexTail(text);
  try {
    parsed = ipaddr.parseCIDR(hex);
  } catch {
    throw new CidrError(`'${text}' is not a valid CIDR`);
  }
  const [address, prefix] = parsed;
  // ipaddr.js accepts shorthand IPv4 forms like "10/8" or "10.1/16"; Kubernetes does not.
  if (address.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.split('/')[0])) {
    throw new CidrError(`'${text}' is not a valid CIDR (IPv4 needs four decimal octets)`);
  }
  const family = address.kind();
  const network =
    family === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(text)
      : ipaddr.IPv6.networkAddressFromCIDR(hex);
  if (network.toString() !== address.toString()) {
    throw new CidrError(`'${text}' has host bits set; did you mean ${network.toString()}/${prefix}?`);
  }
  return { family, address, prefix, text: `${formatAddress(address)}/${prefix}` };
}

/**
 * An address as text: ipaddr.js' canonical form, except IPv4-mapped IPv6 addresses, which are
 * written in the mixed notation RFC 5952 section 5 recommends (`::ffff:169.254.169.254`), so that a
 * reader sees which IPv4 address they stand for.
 */
export function formatAddress(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return `::ffff:${(address as ipaddr.IPv6).toIPv4Address().toString()}`;
  }
  return address.toString();
}

/** Parse a single IP address, or undefined when it is not one (for analysis of foreign manifests). */
export function parseIpLoose(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    return parseIp(text);
  } catch {
    return undefined;
  }
}

/** The prefix length of a single address: 32 (IPv4) or 128 (IPv6). */
export function hostPrefix(family: ParsedCidr['family']): number {
  return family === 'ipv4' ? 32 : 128;
}

/** A single address as a host route (`/32` or `/128`). */
export function hostCidr(ip: string): string {
  return `${ip}/${hostPrefix(ip.includes(':') ? 'ipv6' : 'ipv4')}`;
}

/**
 * Parse a single IP address (v4 or v6) as Kubernetes writes one: IPv4 in four decimal octets, IPv6
 * without a zone. ipaddr.js also accepts the inet_aton forms `1` (0.0.0.1), `2130706433` and
 * `0x7f000001` (127.0.0.1) and zones (`fe80::1%eth0`), which the API server rejects in an ipBlock.
 */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const hex = typeof text === 'string' ? hexTail(text) : text;
  const address = typeof text === 'string' && !text.includes('%') && ipaddr.isValid(hex) ? ipaddr.parse(hex) : undefined;
  if (!address || (address.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text))) {
    throw new CidrError(`'${text}' is not a valid IP address`);
  }
  return address;
}

/** Does `ip` lie inside `cidr`? Addresses of another family never match. */
export function cidrContainsIp(cidr: ParsedCidr, ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const candidate = ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && cidr.family === 'ipv4'
    ? (ip as ipaddr.IPv6).toIPv4Address()
    : ip;
  if (candidate.kind() !== cidr.family) return false;
  return (candidate as any).match(cidr.address, cidr.prefix);
}

/**
 * Is `inner` fully inside `outer` (longer or equal prefix, contained network)? An IPv4-mapped IPv6
 * block (`::ffff:169.254.169.254/128`) and its IPv4 block (`169.254.169.254/32`) are the same
 * addresses: a dual-stack socket sends to the first over IPv4. So a block of one family is compared
 * with the other family's form of the other block when it has one ({@link cidrInFamily}).
 */
export function cidrContainsCidr(outer: ParsedCidr, inner: ParsedCidr): boolean {
  const candidate = cidrInFamily(inner, outer.family);
  return candidate !== undefined && candidate.prefix >= outer.prefix && cidrContainsIp(outer, candidate.address);
}

/**
 * The IPv4 block an IPv4-mapped IPv6 block (`::ffff:10.0.0.0/104`) stands for (`10.0.0.0/8`), or
 * undefined for any other block (or text that is no CIDR).
 */
export function ipv4OfMapped(cidr: string): string | undefined {
  const parsed = parseCidrLoose(cidr);
  return parsed?.family === 'ipv6' ? cidrInFamily(parsed, 'ipv4')?.text : undefined;
}

/**
 * What Kubernetes 1.36's strict IP validation (KEP-4858 StrictIPCIDRValidation) refuses in a CIDR
 * its earlier, sloppy parser accepted, in the order the API server checks it (kubernetes
 * staging/src/k8s.io/apimachinery/pkg/util/validation/ip.go `parseCIDR` with strict validation, used
 * by `IsValidCIDRForLegacyField`; cases in its ip_test.go `TestIsValidCIDR`):
 * - `leading-zeros`: an IPv4 octet (`010.0.0.0/8`, read as decimal) or the prefix length (`/08`)
 *   with a leading zero ("must not have leading 0s in IP or prefix length");
 * - `ipv4-mapped`: an IPv4-mapped IPv6 address, whatever the prefix (`::ffff:10.0.0.0/104`,
 *   `::ffff:1.1.1.0/24`);
 * - `host-bits`: bits set beyond the prefix length (`10.0.0.5/8`, an "ifaddr"), which the old parser
 *   read as the network (`10.0.0.0/8`) and a reader may take for the one address.
 * A non-canonical IPv6 text (`2001:DB8::/32`, `2001:0db8::/32`) is no problem: NetworkPolicy
 * ipBlocks are "legacy" fields, which stay accepted in any IPv6 spelling (KEP-4858, Non-Goals; the
 * API server at most warns).
 */
export interface StrictCidrProblem {
  readonly kind: 'leading-zeros' | 'ipv4-mapped' | 'host-bits';
  /**
   * The block to write instead: the network the old parser read, canonical (for an IPv4-mapped one
   * the IPv4 block it stands for; under a prefix shorter than 96, which holds no IPv4 block, the IPv6
   * network).
   */
  readonly replacement: string;
  /** For `host-bits`: the single address as a block (`10.0.0.5/32`), the other thing it may have meant. */
  readonly address?: string;
}

/** The strict-validation problem of a CIDR, or undefined when it has none (or is no CIDR at all). */
export function strictCidrProblem(cidr: string): StrictCidrProblem | undefined {
  const parsed = typeof cidr === 'string' && cidr.includes('/') ? parseCidrLoose(cidr) : undefined;
  if (parsed === undefined) return undefined;
  const network = networkOf(parsed);
  const [address, prefix] = cidr.split('/');
  // The dotted octets: the whole IPv4 address, or the IPv4 tail of an IPv6 one (`::ffff:010.0.0.0`).
  const octets = address.includes('.') ? address.slice(address.lastIndexOf(':') + 1).split('.') : [];
  if (/^0\d/.test(prefix) || octets.some((octet) => /^0\d/.test(octet))) {
    return { kind: 'leading-zeros', replacement: (cidrInFamily(network, 'ipv4') ?? network).text };
  }
  // The API server asks whether the address is mapped before it looks at the prefix, so a mapped
  // address under a prefix shorter than 96 (`::ffff:1.1.1.0/24`) is mapped too (ip_test.go "ipv4-in-ipv6
  // with ipv4-sized prefix"); its network (`::/24`) holds no IPv4 block, so that IPv6 network is the replacement.
  if (parsed.family === 'ipv6' && (parsed.address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return { kind: 'ipv4-mapped', replacement: (cidrInFamily(network, 'ipv4') ?? network).text };
  }
  if (formatAddress(network.address) !== formatAddress(parsed.address)) {
    const single = cidrInFamily({ ...parsed, prefix: hostPrefix(parsed.family) }, 'ipv4') ?? parsed;
    return { kind: 'host-bits', replacement: network.text, address: `${formatAddress(single.address)}/${hostPrefix(single.family)}` };
  }
  return undefined;
}

/** `cidr` with the bits beyond its prefix cleared (`10.0.0.5/8` -> `10.0.0.0/8`), canonical. */
function networkOf(cidr: ParsedCidr): ParsedCidr {
  const bytes = cidr.address.toByteArray().map((byte, i) => {
    const kept = Math.max(0, Math.min(8, cidr.prefix - i * 8));
    return byte - (byte % 2 ** (8 - kept));
  });
  const address = ipaddr.fromByteArray(bytes);
  return { family: cidr.family, address, prefix: cidr.prefix, text: `${formatAddress(address)}/${cidr.prefix}` };
}

/** The IPv4-mapped IPv6 block `::ffff:0.0.0.0/96` (RFC 4291 2.5.5.2). */
const IPV4_MAPPED_PREFIX = 96;

/**
 * `cidr` expressed in `family`: itself when it is of that family; an IPv4 block as its IPv4-mapped
 * IPv6 block (`10.0.0.0/8` -> `::ffff:10.0.0.0/104`); an IPv6 block inside `::ffff:0:0/96` as its
 * IPv4 block. Undefined when the block has no form in that family (`fd00::/8` in IPv4).
 */
export function cidrInFamily(cidr: ParsedCidr, family: ParsedCidr['family']): ParsedCidr | undefined {
  if (cidr.family === family) return cidr;
  if (cidr.family === 'ipv4') {
    const mapped = (cidr.address as ipaddr.IPv4).toIPv4MappedAddress();
    const prefix = cidr.prefix + IPV4_MAPPED_PREFIX;
    return { family: 'ipv6', address: mapped, prefix, text: `${formatAddress(mapped)}/${prefix}` };
  }
  const v6 = cidr.address as ipaddr.IPv6;
  if (cidr.prefix < IPV4_MAPPED_PREFIX || !v6.isIPv4MappedAddress()) return undefined;
  const v4 = v6.toIPv4Address();
  const prefix = cidr.prefix - IPV4_MAPPED_PREFIX;
  return { family: 'ipv4', address: v4, prefix, text: `${v4.toString()}/${prefix}` };
}

/**
 * The address `offset` places after the network address of `cidr` (kubeadm gives kube-dns the 10th
 * address of the service CIDR). Throws when the block is too small.
 */
export function addressAt(cidr: ParsedCidr, offset: number): string {
  const bytes = cidr.address.toByteArray();
  let carry = offset;
  for (let i = bytes.length - 1; i >= 0 && carry > 0; i--) {
    const sum = bytes[i] + carry;
    bytes[i] = sum % 256;
    carry = Math.floor(sum / 256);
  }
  const address = ipaddr.fromByteArray(bytes);
  if (carry > 0 || !cidrContainsIp(cidr, address)) throw new CidrError(`'${cidr.text}' has no address at offset ${offset}`);
  return address.toString();
}

/** The IP families whose every address one of `cidrs` holds (a /0 block); what is no CIDR counts for nothing. */
export function familiesHeldWhole(cidrs: readonly unknown[]): Set<ParsedCidr['family']> {
  const families = new Set<ParsedCidr['family']>();
  for (const text of cidrs) {
    const parsed = typeof text === 'string' ? parseCidrLoose(text) : undefined;
    if (parsed?.prefix === 0) families.add(parsed.family);
  }
  return families;
}

/** Do two CIDRs share at least one address? */
export function cidrsOverlap(a: ParsedCidr, b: ParsedCidr): boolean {
  return cidrContainsCidr(a, b) || cidrContainsCidr(b, a);
}

/**
 * Loose CIDR parse for analysis of foreign manifests: accepts a bare IP as a host route, and reads
 * IPv4 octets with leading zeros as decimal, as the Kubernetes API server's sloppy parser did
 * (ipaddr.js would read `010` as octal 8).
 */
export function parseCidrLoose(text: string): ParsedCidr | undefined {
  if (typeof text === 'string') text = decimalOctets(text);
  try {
    if (!text.includes('/')) {
      const ip = parseIp(text);
      return { family: ip.kind(), address: ip, prefix: hostPrefix(ip.kind()), text: `${ip.toString()}/${hostPrefix(ip.kind())}` };
    }
    // As parseIp: no zone (`fe80::1%eth0/64`) and IPv4 in four decimal octets (`10.1/8`), which
    // ipaddr.js reads and every Go parser behind the objects refuses.
    const [address, prefix] = ipaddr.parseCIDR(hexTail(text));
    const written = text.slice(0, text.indexOf('/'));
    if (written.includes('%') || (address.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(written))) return undefined;
    return { family: address.kind(), address, prefix, text };
  } catch {
    return undefined;
  }
}

/**
 * `text` (an address or CIDR) with the dotted IPv4 tail of an IPv6 address written as two hex groups
 * (`::1.2.3.4/128` -> `::102:304/128`), as Go's parsers read it (RFC 4291 2.2: the dotted quad is the
 * low-order 32 bits, whatever precedes it). ipaddr.js reads `::a.b.c.d` alone as the IPv4-mapped
 * `::ffff:a.b.c.d` instead, a different address. Octets are read as decimal, as ipaddr.js does in an
 * IPv6 tail; any other text is returned unchanged for ipaddr.js to judge.
 */
function hexTail(text: string): string {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const tail = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!tail) return text;
  const octets = tail.slice(2).map(Number);
  if (octets.some((o) => o > 255)) return text;
  const group = (hi: number, lo: number) => (hi * 256 + lo).toString(16);
  return `${tail[1]}${group(octets[0], octets[1])}:${group(octets[2], octets[3])}${slash < 0 ? '' : text.slice(slash)}`;
}

/**
 * `text` with the leading zeros of its dotted IPv4 octets dropped (`010.0.0.0/8` -> `10.0.0.0/8`,
 * `::ffff:010.0.0.0/104` -> `::ffff:10.0.0.0/104`), so that they read as decimal; IPv6 groups and
 * the prefix length are left alone.
 */
function decimalOctets(text: string): string {
  if (!text.includes('.')) return text;
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const tail = address.lastIndexOf(':') + 1;
  const octets = address.slice(tail).replace(/(^|\.)0+(?=\d)/g, '$1');
  return address.slice(0, tail) + octets + (slash < 0 ? '' : text.slice(slash));
}
