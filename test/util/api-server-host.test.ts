/**
 * The API server host in-cluster clients join into `https://host:port` (Cilium k8sServiceHost, Calico
 * kubernetesServiceEndpoint.host): a name DNS cannot carry never resolves. RFC 1035 2.3.4: labels of at
 * most 63 octets, names of at most 255 octets on the wire (253 characters written without the final dot);
 * Go's resolver (golang/go src/net/dnsclient_unix.go `isDomainName`, used by the Cilium agent, the Calico
 * operator and calico-node) answers "no such host" for longer ones without querying DNS. Capital letters
 * stay valid: DNS compares names without case (RFC 4343) and so does Go's TLS host name check.
 */
import { apiServerHostProblem } from '../../src/util/api-server-host';

const label = (n: number, c = 'a') => c.repeat(n);

describe('apiServerHostProblem: what DNS can carry', () => {
  test('a label longer than 63 characters: refused, naming the label and its length (was accepted)', () => {
    const host = `${label(64)}.example.com`;
    expect(apiServerHostProblem(host, 'port')).toBe(`'${host}' is no DNS name: its label '${label(64)}' has 64 characters, and DNS carries at `
      + 'most 63 (RFC 1035 2.3.4): the resolver of in-cluster clients answers no such host without asking DNS, so they could not reach the API '
      + 'server. Use its IP address or a shorter name');
  });

  test('a name longer than 253 characters: refused (was accepted)', () => {
    const host = [label(63), label(63, 'b'), label(63, 'c'), label(63, 'd')].join('.'); // 255 characters
    expect(host).toHaveLength(255);
    expect(apiServerHostProblem(host, 'port')).toBe(`'${host}' is no DNS name: it has 255 characters, and DNS carries at most 253 (RFC 1035 2.3.4): `
      + 'the resolver of in-cluster clients answers no such host without asking DNS, so they could not reach the API server. Use its IP address or a shorter name');
  });

  test('accepted: 63-character labels, a 253-character name, capitals, IP addresses', () => {
    const longest = [label(63), label(63, 'b'), label(63, 'c'), label(61, 'd')].join('.');
    expect(longest).toHaveLength(253);
    for (const host of [`${label(63)}.example.com`, longest, 'API.Example.COM', '10.0.0.10', 'fd00::10']) {
      expect([host, apiServerHostProblem(host, 'port')]).toEqual([host, undefined]);
    }
  });

  test('a fully qualified name with its final dot: accepted, the limits counted without the dot (was refused as no host name)', () => {
    // Go's resolver takes the final dot (golang/go src/net/dnsclient_unix.go isDomainName: 254 characters when the last is
    // the dot) and its TLS check drops it (crypto/x509 verify.go matchHostnames: strings.TrimSuffix(host, ".")).
    const longest = [label(63), label(63, 'b'), label(63, 'c'), label(61, 'd')].join('.');
    for (const host of ['api.example.com.', 'API.Example.COM.', `${label(63)}.example.com.`, `${longest}.`]) {
      expect([host, apiServerHostProblem(host, 'port')]).toEqual([host, undefined]);
    }
    const long = `${longest}d.`; // 254 characters before the dot
    expect(apiServerHostProblem(long, 'port')).toBe(`'${long}' is no DNS name: it has 254 characters, and DNS carries at most 253 (RFC 1035 2.3.4): `
      + 'the resolver of in-cluster clients answers no such host without asking DNS, so they could not reach the API server. Use its IP address or a shorter name');
    expect(apiServerHostProblem(`${label(64)}.example.com.`, 'port')).toMatch(/^'a{64}\.example\.com\.' is no DNS name: its label 'a{64}' has 64 characters/);
    // A dot alone, two final dots, a dotted all-digit name: still refused.
    for (const host of ['.', 'api.example.com..', '.api.example.com']) {
      expect(apiServerHostProblem(host, 'port')).toBe(`'${host}' must be a host name or IP address only (no scheme, no port: the port is port)`);
    }
    expect(apiServerHostProblem('10.0.0.1.', 'port')).toMatch(/is not an IPv4 address .* no host name either$/);
  });
});
