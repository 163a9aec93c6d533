/**
 * The host probe SNAT addresses of Istio ambient (internal): istio-cni's node agent translates the
 * connections a node's own sockets open to an ambient pod (kubelet probes) to one address per IP
 * family, `HOST_PROBE_SNAT_IP` and `HOST_PROBE_SNAT_IPV6` in its environment (the istio-cni chart
 * writes its `env` value there: manifests/charts/istio-cni/templates/daemonset.yaml). The node agent
 * reads each with Go's `netip.MustParseAddr` (istio/istio cni/pkg/nodeagent options.go), so each is
 * one address, never a CIDR (a prefix stops the agent), IPv4 in four decimal octets without leading
 * zeros, and it SNATs the IPv4 probes to the first and the IPv6 ones to the second (iptables and
 * ip6tables rules), so each must be of its family.
 */
import * as ipaddr from 'ipaddr.js';
import { CidrError, formatAddress, parseIp } from '../util/cidr';
import { ValidationError, propError } from '../util/errors';
import { requireOptionalString } from '../util/guards';

/** The address ranges no connection can come from (ipaddr.js range names): istio-cni would SNAT probes to an address replies never reach. */
const NO_SOURCE_RANGES: Record<string, string> = {
  unspecified: 'the unspecified address',
  loopback: 'a loopback address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** What the input calls the address of each family (options of Mesh.istio, or CLI flags), for messages. */
export interface HostProbeSnatNames {
  readonly ipv4: string;
  readonly ipv6: string;
}

const OPTION_NAMES: HostProbeSnatNames = { ipv4: 'hostProbeSnatIp', ipv6: 'hostProbeSnatIpv6' };

/** istio-cni's environment variable for the address of each family. */
export const HOST_PROBE_SNAT_ENV: HostProbeSnatNames = { ipv4: 'HOST_PROBE_SNAT_IP', ipv6: 'HOST_PROBE_SNAT_IPV6' };

/**
 * The host probe address `value` of `family` (given as `names[family]`), validated as istio-cni reads
 * it and canonical (`FD16::1` -> `fd16::1`), or undefined when not given.
 */
export function hostProbeSnatAddress(site: string, value: string | undefined, family: 'ipv4' | 'ipv6',
  names: HostProbeSnatNames = OPTION_NAMES): string | undefined {
  const prop = names[family];
  const text = requireOptionalString(site, prop, value);
  if (text === undefined) return undefined;
  const envName = HOST_PROBE_SNAT_ENV[family];
  const example = family === 'ipv4' ? '169.254.7.127' : 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff';
  if (text.includes('/')) {
    throw propError(site, prop, `'${text}' is a CIDR: istio-cni reads ${envName} as a single IP address (e.g. ${example}), without a prefix`);
  }
  let parsed;
  try {
    parsed = parseIp(text);
  } catch (e) {
    if (e instanceof CidrError) throw problem(site, prop, text, `is not an IP address istio-cni accepts in ${envName} (e.g. ${example})`);
    throw e;
  }
  const range = parsed.range();
  if (range === 'ipv4Mapped' && family === 'ipv4') {
    // netip keeps the mapped form (Is4In6), which istio-cni's IPv4 SNAT rule cannot take.
    throw problem(site, prop, text, `is an IPv4-mapped IPv6 address, not the IPv4 address ${envName} needs: write it as `
      + `${(parsed as ipaddr.IPv6).toIPv4Address().toString()}`);
  }
  if (range === 'ipv4Mapped') {
    throw problem(site, prop, text, `is an IPv4-mapped IPv6 address: istio-cni SNATs IPv6 probes to ${envName}; give an IPv6 address (e.g. ${example}), `
      + `and the IPv4 one in ${names.ipv4}`);
  }
  if (parsed.kind() !== family) {
    const other = names[family === 'ipv4' ? 'ipv6' : 'ipv4'];
    throw problem(site, prop, text, `is an ${parsed.kind() === 'ipv4' ? 'IPv4' : 'IPv6'} address, but ${prop} is istio-cni's ${envName}, the `
      + `address of ${family === 'ipv4' ? 'IPv4' : 'IPv6'} probes; set it in ${other}`);
  }
  if (NO_SOURCE_RANGES[range] !== undefined) {
    throw problem(site, prop, text, `is ${NO_SOURCE_RANGES[range]}, which no connection can come from: istio-cni would SNAT kubelet probes to it`);
  }
  return formatAddress(parsed);
}

function problem(site: string, prop: string, text: string, message: string): ValidationError {
  return propError(site, prop, `'${text}' ${message}`);
}
