/**
 * Parses the `proto/port` notation of the command line and expectation files.
 */
import { Port } from '../policy/port';
import { Protocol } from '../policy/protocol';
import { isPortName } from '../util/validate';

const PROTOCOLS: Record<string, Protocol> = { tcp: Protocol.TCP, udp: Protocol.UDP, sctp: Protocol.SCTP };

/**
 * Parse `tcp/8080`, `udp/53`, `sctp/9`, `tcp/http` (a named container port) or a bare `8080` (TCP).
 * Protocols are case-insensitive. Ranges are rejected: a reachability question is about one port.
 * @throws Error with a readable message on anything else
 */
export function parsePort(text: string): Port {
  const value = text.trim();
  const slash = value.indexOf('/');
  const protoText = slash < 0 ? 'tcp' : value.slice(0, slash).toLowerCase();
  const portText = slash < 0 ? value : value.slice(slash + 1);
  const protocol = PROTOCOLS[protoText];
  if (protocol === undefined) {
    throw new Error(`invalid port '${text}': protocol must be tcp, udp or sctp`);
  }
  if (/^\d+$/.test(portText)) {
    const number = Number(portText);
    if (number < 1 || number > 65535) throw new Error(`invalid port '${text}': port must be 1-65535`);
    return protocol === Protocol.TCP ? Port.tcp(number) : protocol === Protocol.UDP ? Port.udp(number) : Port.sctp(number);
  }
  // Container port names are IANA_SVC_NAME
  // (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports).
  if (isPortName(portText)) {
    return Port.named(portText, protocol);
  }
  throw new Error(`invalid port '${text}': expected proto/number (e.g. tcp/8080) or proto/name (e.g. tcp/http)`);
}

/** Parse a comma-separated list such as `tcp/8080,udp/53`; empty items are ignored. */
export function parsePortList(text: string): Port[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(parsePort);
}
