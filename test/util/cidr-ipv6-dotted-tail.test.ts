/**
 * An IPv6 address written with a dotted IPv4 tail is the IPv6 address whose low 32 bits the quad
 * gives (RFC 4291 2.2, as Go's net.ParseIP and netip.ParseAddr read it): `::1.2.3.4` is `::102:304`
 * (the deprecated "IPv4-compatible" form), not the IPv4-mapped `::ffff:1.2.3.4`, which ipaddr.js
 * makes of it. Kubernetes 1.36's strict validation refuses only mapped addresses (apimachinery
 * util/validation ip.go `parseCIDR`: `prefix.Addr().Is4In6()`), so `::1.2.3.4/128` stays valid.
 */
import { cidrContainsIp, parseCidr, parseCidrLoose, parseIp, strictCidrProblem } from '../../src/util/cidr';

test('::1.2.3.4 is ::102:304, not the IPv4-mapped ::ffff:1.2.3.4', () => {
  expect(parseIp('::1.2.3.4').toString()).toBe('::102:304');
  expect(parseCidr('::1.2.3.4/128').text).toBe('::102:304/128');
  expect(parseCidrLoose('::1.2.3.4/128')!.address.toString()).toBe('::102:304');
  // So it holds no IPv4 address: an IPv4 client 1.2.3.4 is not in it.
  expect(cidrContainsIp(parseCidr('::1.2.3.4/128'), parseIp('1.2.3.4'))).toBe(false);
});

test('no strict-validation problem for ::1.2.3.4/128; a prefix that cuts the tail has host bits in IPv6 terms', () => {
  expect(strictCidrProblem('::1.2.3.4/128')).toBeUndefined();
  expect(strictCidrProblem('::1.2.3.4/96')).toEqual({ kind: 'host-bits', replacement: '::/96', address: '::102:304/128' });
  expect(() => parseCidr('::1.2.3.4/96')).toThrow('\'::1.2.3.4/96\' has host bits set; did you mean ::/96?');
});

test('other dotted tails read as before: mapped stays mapped, other prefixes keep their groups', () => {
  expect(parseIp('::ffff:1.2.3.4').toString()).toBe('::ffff:102:304');
  expect(parseCidr('::ffff:10.0.0.0/104').text).toBe('::ffff:10.0.0.0/104');
  expect(strictCidrProblem('::ffff:10.0.0.0/104')).toEqual({ kind: 'ipv4-mapped', replacement: '10.0.0.0/8' });
  expect(parseIp('64:ff9b::1.2.3.4').toString()).toBe('64:ff9b::102:304');
  expect(() => parseIp('::1.2.3.256')).toThrow('\'::1.2.3.256\' is not a valid IP address');
});
