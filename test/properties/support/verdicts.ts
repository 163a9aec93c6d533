/**
 * Plain-function flow assertions for use inside fast-check properties: they throw with the
 * analyzer's explanation, so fast-check reports the counterexample together with the reason.
 */
import * as fc from 'fast-check';
import { MatrixOptions, Port, Reachability, Target } from '../../../src';

/** Throw unless `from -> to` on `port` is allowed (`expected` true) or denied (false). */
export function assertFlow(reach: Reachability, from: Target, to: Target, port: Port, expected: boolean): void {
  const result = reach.check(from, to, port);
  if (result.allowed !== expected) {
    throw new Error(`expected ${result.question} to be ${expected ? 'allowed' : 'denied'}\n${result.explain()}`);
  }
}

/**
 * Compare every cell of the flow matrix (all pods x all pods x each destination's declared ports)
 * with `expected(source, destination, port)`; throw on the first mismatch with its explanation.
 */
export function assertMatrix(
  reach: Reachability,
  expected: (source: string, destination: string, port: string) => boolean,
  options: MatrixOptions = {},
): number {
  const flows = reach.matrix(options).flows;
  for (const f of flows) {
    if (f.allowed !== expected(f.source, f.destination, f.port)) {
      const [srcNs, srcName] = f.source.split('/');
      const [dstNs, dstName] = f.destination.split('/');
      const [protocol, number] = f.port.split('/');
      const port = protocol === 'UDP' ? Port.udp(Number(number)) : Port.tcp(Number(number));
      const explanation = reach.explain(Target.workload(srcNs, srcName), Target.workload(dstNs, dstName), port);
      const verdict = f.allowed ? 'allowed' : 'denied';
      throw new Error(`flow ${f.source} -> ${f.destination} ${f.port} is ${verdict}, expected the opposite\n${explanation}`);
    }
  }
  return flows.length;
}

/** A random address in an RFC 1918 range: 10/8, 172.16/12 or 192.168/16. */
export const privateIpv4: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `172.${a}.${b}.${c}`),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([b, c]) => `192.168.${b}.${c}`),
);

/** Is `ip` (dotted IPv4) inside 10/8, 172.16/12, 192.168/16 or the metadata address? */
function isPrivateOrMetadata(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || ip === '169.254.169.254';
}

/** A random public IPv4 unicast address (1.0.0.0-223.255.255.255, outside RFC 1918, 127/8 and 169.254/16). */
export const publicIpv4: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 }))
  .map((o) => o.join('.'))
  .filter((ip) => !isPrivateOrMetadata(ip) && !ip.startsWith('127.') && !ip.startsWith('169.254.'));

/** A random global unicast IPv6 address (2000::/3). */
export const publicIpv6: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0x2000, max: 0x3fff }), fc.array(fc.nat(0xffff), { minLength: 7, maxLength: 7 }))
  .map(([first, rest]) => [first, ...rest].map((h) => h.toString(16)).join(':'));

/** A random IPv6 unique local address (fc00::/7). */
export const ulaIpv6: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), fc.array(fc.nat(0xffff), { minLength: 7, maxLength: 7 }))
  .map(([first, rest]) => [first, ...rest].map((h) => h.toString(16)).join(':'));
