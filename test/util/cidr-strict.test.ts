/**
 * strictCidrProblem: what Kubernetes 1.36's strict IP validation (KEP-4858) refuses in a CIDR that
 * earlier versions accepted, in the API server's order (apimachinery util/validation ip.go
 * `parseCIDR`; cases from its ip_test.go `TestIsValidCIDR`, "GOOD WITH LEGACY VALIDATION, BAD WITH
 * STRICT VALIDATION"), with the block to write instead.
 */
import { strictCidrProblem } from '../../src/util/cidr';

test.each([
  // Leading zeros in an octet or the prefix length ("must not have leading 0s in IP or prefix length").
  ['1.1.01.0/24', { kind: 'leading-zeros', replacement: '1.1.1.0/24' }],
  ['010.0.0.0/8', { kind: 'leading-zeros', replacement: '10.0.0.0/8' }],
  ['192.168.0.0/016', { kind: 'leading-zeros', replacement: '192.168.0.0/16' }],
  ['2001:db8::/032', { kind: 'leading-zeros', replacement: '2001:db8::/32' }],
  // Decimal, as the API server read them (not octal 8, as ipaddr.js would); mapped, so the IPv4 block.
  ['::ffff:010.0.0.0/104', { kind: 'leading-zeros', replacement: '10.0.0.0/8' }],
  // IPv4-mapped ("must not have an IPv4-mapped IPv6 address"): the IPv4 network.
  ['::ffff:1.1.1.0/120', { kind: 'ipv4-mapped', replacement: '1.1.1.0/24' }],
  ['::ffff:10.0.0.5/104', { kind: 'ipv4-mapped', replacement: '10.0.0.0/8' }],
  // Bits beyond the prefix ("must not have bits set beyond the prefix length"): the network the old
  // parser read, or the one address.
  ['1.2.3.4/24', { kind: 'host-bits', replacement: '1.2.3.0/24', address: '1.2.3.4/32' }],
  ['10.0.0.5/8', { kind: 'host-bits', replacement: '10.0.0.0/8', address: '10.0.0.5/32' }],
  ['2001:db8::1/64', { kind: 'host-bits', replacement: '2001:db8::/64', address: '2001:db8::1/128' }],
  // Mapped whatever the prefix: the API server checks the address before the prefix (ip_test.go "ipv4-in-ipv6
  // with ipv4-sized prefix"); under a prefix shorter than 96 no IPv4 block, so the IPv6 network the old parser read.
  ['::ffff:1.1.1.0/24', { kind: 'ipv4-mapped', replacement: '::/24' }],
  ['::ffff:10.0.0.0/80', { kind: 'ipv4-mapped', replacement: '::/80' }],
])('%s is refused from 1.36: %j', (cidr, problem) => {
  expect(strictCidrProblem(cidr)).toEqual(problem);
});

test.each([
  '1.0.0.0/8', '0.0.0.0/0', '1.1.1.1/32', '2001:4860:4860::/48', '::/0', '::1/128',
  // Non-canonical IPv6 text: valid in legacy fields such as ipBlock (KEP-4858 Non-Goals), only warned about.
  '2001:DB8::/64', '2a00:79e0:2:0::/64', '2001:0db8::/32',
  // No CIDR at all: validation reports those, not this check.
  '10.0.0.300/8', '10.0.0.1', 'junk',
])('%s is not a strict-validation problem', (cidr) => {
  expect(strictCidrProblem(cidr)).toBeUndefined();
});
