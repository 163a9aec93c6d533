import { parseIpLoose } from './cidr';

/** A DNS host name (labels of letters, digits and inner '-'). */
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/**
 * What is wrong with `host` as the API server host that in-cluster clients join with a port into
 * `https://host:port` (KUBERNETES_SERVICE_HOST, as client-go's in-cluster config does), or
 * undefined when it is an IP address (IPv6 without brackets) or a host name. A scheme, a port or
 * brackets make an unreachable URL; digits and dots that are no IPv4 address are a mistyped
 * address, not a host name (RFC 1123 2.1: the top-level label is never all-numeric), which the
 * resolver would look up in DNS and not find.
 */
export function apiServerHostProblem(host: string, portProp: string): string | undefined {
  if (parseIpLoose(host) !== undefined) return undefined;
  if (!HOST_NAME.test(host)) return `'${host}' must be a host name or IP address only (no scheme, no port: the port is ${portProp})`;
  if (/^[0-9.]+$/.test(host)) return `'${host}' is not an IPv4 address (four decimal octets 0-255 without leading zeros) and, being all digits, no host name either`;
  return undefined;
}
