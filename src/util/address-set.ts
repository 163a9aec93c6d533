/**
 * Sets of IP addresses as sorted, disjoint integer ranges (IPv4 and IPv6 kept apart), so the
 * analyzer can answer "is every address this pod may have inside this ipBlock?" exactly, including
 * `except` lists and several blocks that only cover a range together.
 */
import * as ipaddr from 'ipaddr.js';
import { ParsedCidr } from './cidr';

/** One contiguous range of addresses of one family. */
interface Range {
  readonly v6: boolean;
  readonly lo: bigint;
  readonly hi: bigint;
}

function toBigInt(address: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let n = 0n;
  for (const byte of address.toByteArray()) n = n * 256n + BigInt(byte);
  return n;
}

function rangeOfCidr(cidr: ParsedCidr): Range {
  const bits = cidr.family === 'ipv4' ? 32n : 128n;
  const size = 2n ** (bits - BigInt(cidr.prefix));
  const lo = (toBigInt(cidr.address) / size) * size;
  return { v6: cidr.family === 'ipv6', lo, hi: lo + size - 1n };
}

function compare(a: Range, b: Range): number {
  if (a.v6 !== b.v6) return a.v6 ? 1 : -1;
  return a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0;
}

/** Sort and merge overlapping or adjacent ranges. */
function normalize(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort(compare);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.v6 === r.v6 && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) out[out.length - 1] = { v6: last.v6, lo: last.lo, hi: r.hi };
    } else {
      out.push(r);
    }
  }
  return out;
}

/** An immutable set of IP addresses. */
export class AddressSet {
  /** No address. */
  public static readonly EMPTY = new AddressSet([]);

  /** The addresses of CIDR blocks (IPv4-mapped IPv6 blocks stay IPv6). */
  public static fromCidrs(cidrs: readonly ParsedCidr[]): AddressSet {
    return new AddressSet(normalize(cidrs.map(rangeOfCidr)));
  }

  /** Single addresses (IPv4-mapped IPv6 addresses count as IPv4, as the CIDR matching does). */
  public static fromIps(ips: ReadonlyArray<ipaddr.IPv4 | ipaddr.IPv6>): AddressSet {
    return new AddressSet(normalize(ips.map((ip) => {
      const plain = ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
      const n = toBigInt(plain);
      return { v6: plain.kind() === 'ipv6', lo: n, hi: n };
    })));
  }

  /** Stable text of the set, usable as a cache key. */
  public readonly key: string;
  private readonly ranges: readonly Range[];

  private constructor(ranges: Range[]) {
    this.ranges = ranges;
    this.key = ranges.map((r) => `${r.v6 ? 6 : 4}:${r.lo.toString(16)}-${r.hi.toString(16)}`).join(',');
  }

  /** Does the set hold no address? */
  public get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Does the set hold IPv4 (`4`) or IPv6 (`6`) addresses? */
  public hasFamily(family: 4 | 6): boolean {
    return this.ranges.some((r) => r.v6 === (family === 6));
  }

  /** Addresses in either set. */
  public union(other: AddressSet): AddressSet {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    return new AddressSet(normalize([...this.ranges, ...other.ranges]));
  }

  /** Addresses of this set that are not in `other`. */
  public subtract(other: AddressSet): AddressSet {
    if (this.isEmpty || other.isEmpty) return this;
    const out: Range[] = [];
    for (const r of this.ranges) {
      let pieces: Range[] = [r];
      for (const cut of other.ranges) {
        if (cut.v6 !== r.v6) continue;
        const next: Range[] = [];
        for (const p of pieces) {
          if (cut.hi < p.lo || cut.lo > p.hi) {
            next.push(p);
            continue;
          }
          if (cut.lo > p.lo) next.push({ v6: p.v6, lo: p.lo, hi: cut.lo - 1n });
          if (cut.hi < p.hi) next.push({ v6: p.v6, lo: cut.hi + 1n, hi: p.hi });
        }
        pieces = next;
        if (pieces.length === 0) break;
      }
      out.push(...pieces);
    }
    return new AddressSet(normalize(out));
  }

  /** Addresses of this set restricted to one family. */
  public family(family: 4 | 6): AddressSet {
    return new AddressSet(this.ranges.filter((r) => r.v6 === (family === 6)));
  }

  /** Do the sets share an address? */
  public intersects(other: AddressSet): boolean {
    for (const a of this.ranges) {
      for (const b of other.ranges) {
        if (a.v6 === b.v6 && a.lo <= b.hi && b.lo <= a.hi) return true;
      }
    }
    return false;
  }

  /**
   * One address of the set as text: the lowest one, or the one after it when its range has at least
   * three addresses (so a block is represented by a host, not its network address); undefined when
   * the set is empty. Deterministic.
   */
  public sample(): string | undefined {
    const r = this.ranges[0];
    if (!r) return undefined;
    let n = r.hi - r.lo >= 2n ? r.lo + 1n : r.lo;
    const bytes: number[] = [];
    for (let i = 0; i < (r.v6 ? 16 : 4); i++) {
      bytes.unshift(Number(n % 256n));
      n /= 256n;
    }
    return ipaddr.fromByteArray(bytes).toString();
  }

  /** Is every address of `other` in this set? */
  public containsAll(other: AddressSet): boolean {
    return other.subtract(this).isEmpty;
  }
}
