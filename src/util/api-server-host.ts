import { parseIpLoose } from './cidr';

/**
 * A DNS host name (labels of letters, digits and inner '-'), with or without the final dot of a fully
 * qualified name. Capitals are fine: DNS compares names without case (RFC 4343), and so does Go's TLS
 * host name check (crypto/x509 `VerifyHostname`). The final dot is fine too: Go's resolver takes it
 * (net/dnsclient_unix.go `isDomainName`) and its TLS check drops it (crypto/x509 verify.go
 * `matchHostnames`).
 */
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

/**
 * What is wrong with `host` as the API server host that in-cluster clients join with a port into
 * `https://host:port` (KUBERNETES_SERVICE_HOST, as client-go's in-cluster config does), or
 * undefined when it is an IP address (IPv6 without brackets) or a host name. A scheme, a port or
 * brackets make an unreachable URL; digits and dots that are no IPv4 address are a mistyped
 * address, not a host name (RFC 1123 2.1: the top-level label is never all-numeric), which the
 * resolver would look up in DNS and not find; a label over 63 characters or a name over 253 never
 * resolves either.
 */
export function apiServerHostProblem(host: string, portProp: string): string | undefined {
  if (parseIpLoose(host) !== undefined) return undefined;
  if (!HOST_NAME.test(host)) return `'${host}' must be a host name or IP address only (no scheme, no port: the port is ${portProp})`;
  if (/^[0-9.]+$/.test(host)) return `'${host}' is not an IPv4 address (four decimal octets 0-255 without leading zeros) and, being all digits, no host name either`;
  // RFC 1035 2.3.4: labels of at most 63 octets, names of at most 255 on the wire (253 characters written without the
  // final dot). Go's resolver (net/dnsclient_unix.go isDomainName; the Cilium agent, the Calico operator, calico-node)
  // answers "no such host" for longer names without querying DNS.
  const unresolvable = 'the resolver of in-cluster clients answers no such host without asking DNS, so they could not reach the API server. '
    + 'Use its IP address or a shorter name';
  // The limits count the name without the final dot of a fully qualified one.
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const long = name.split('.').find((l) => l.length > 63);
  if (long !== undefined) return `'${host}' is no DNS name: its label '${long}' has ${long.length} characters, and DNS carries at most 63 (RFC 1035 2.3.4): ${unresolvable}`;
  if (name.length > 253) return `'${host}' is no DNS name: it has ${name.length} characters, and DNS carries at most 253 (RFC 1035 2.3.4): ${unresolvable}`;
  return undefined;
}
