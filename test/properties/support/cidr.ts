/**
 * IPv4 CIDR generators. The rule is restated here (four decimal octets 0-255, prefix 0-32, no host
 * bits set) so that "invalid" inputs are invalid by construction, independent of src/.
 */
import * as fc from 'fast-check';

const octet = fc.nat(255);

/** Is `text` a strict IPv4 CIDR: canonical octets, prefix 0-32, no host bits? */
export function isStrictIpv4Cidr(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return false;
  const parts = m.slice(1, 5);
  if (parts.some((p) => Number(p) > 255 || (p.length > 1 && p.startsWith('0')))) return false;
  const prefix = Number(m[5]);
  if (prefix > 32) return false;
  const value = parts.reduce((acc, p) => acc * 256 + Number(p), 0);
  const hostBits = 2 ** (32 - prefix);
  return value % hostBits === 0;
}

/** A valid IPv4 network: a random address with its host bits cleared, and a prefix 0-32. */
export const validIpv4Cidr: fc.Arbitrary<string> = fc
  .tuple(fc.nat(0xffffffff), fc.integer({ min: 0, max: 32 }))
  .map(([value, prefix]) => {
    const network = value - (value % 2 ** (32 - prefix));
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
    return `${octets.join('.')}/${prefix}`;
  });

/** Strings that are not IPv4 CIDRs (nor IPv6: none contains ':'), each kind of mistake represented. */
export const invalidIpv4Cidr: fc.Arbitrary<string> = fc
  .oneof(
    // An octet above 255.
    fc.tuple(octet, octet, octet, fc.integer({ min: 256, max: 999 }), fc.nat(3), fc.integer({ min: 0, max: 32 }))
      .map(([a, b, c, bad, at, prefix]) => {
        const octets = [a, b, c];
        octets.splice(at, 0, bad);
        return `${octets.join('.')}/${prefix}`;
      }),
    // A prefix longer than 32.
    fc.tuple(validIpv4Cidr, fc.integer({ min: 33, max: 999 })).map(([cidr, prefix]) => `${cidr.split('/')[0]}/${prefix}`),
    // Host bits set (the classic 10.0.0.1/8 typo).
    fc.tuple(fc.nat(0xffffffff), fc.integer({ min: 0, max: 31 }))
      .filter(([value, prefix]) => value % 2 ** (32 - prefix) !== 0)
      .map(([value, prefix]) => `${[24, 16, 8, 0].map((s) => Math.floor(value / 2 ** s) % 256).join('.')}/${prefix}`),
    // A bare address, a negative prefix, too few octets.
    validIpv4Cidr.map((c) => c.split('/')[0]),
    validIpv4Cidr.map((c) => `${c.split('/')[0]}/-${c.split('/')[1]}`),
    validIpv4Cidr.map((c) => `${c.split('/')[0].split('.').slice(0, 3).join('.')}/${c.split('/')[1]}`),
    // Garbage: at least one character no IPv4 CIDR contains.
    fc.string({ maxLength: 24 }).filter((s) => /[^0-9./]/.test(s) && !s.includes(':')),
  )
  .filter((s) => !isStrictIpv4Cidr(s) && !s.includes(':'));
