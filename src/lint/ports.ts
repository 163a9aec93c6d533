import { isObject } from './document';

/**
 * Port matching for the three policy dialects. Internal helpers.
 *
 * Named ports are resolved on the destination pod, which the linter cannot see; CoreDNS names its
 * ports `dns` (UDP 53) and `dns-tcp` (TCP 53), so those two names are taken to mean port 53.
 */
const DNS_PORT_NAMES = new Set(['dns', 'dns-tcp', 'domain']);

function portNumberMatches(port: unknown, endPort: unknown, wanted: number): boolean {
  if (port === undefined || port === null) return true;
  if (typeof port === 'number') {
    return typeof endPort === 'number' ? wanted >= port && wanted <= endPort : port === wanted;
  }
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) {
      const start = Number(port);
      if (start === 0) return true; // Cilium: port "0" means all ports
      const end = typeof endPort === 'number' ? endPort : start;
      return wanted >= start && wanted <= end;
    }
    const range = /^(\d+):(\d+)$/.exec(port); // Calico range "8000:8080"
    if (range) return wanted >= Number(range[1]) && wanted <= Number(range[2]);
    return wanted === 53 && DNS_PORT_NAMES.has(port.toLowerCase());
  }
  return false;
}

/** Normalise a protocol (name or IANA number) to upper-case text. */
export function protocolName(protocol: unknown): string | undefined {
  if (typeof protocol === 'number') return protocol === 6 ? 'TCP' : protocol === 17 ? 'UDP' : protocol === 132 ? 'SCTP' : String(protocol);
  return typeof protocol === 'string' ? protocol.toUpperCase() : undefined;
}

/**
 * Does a networking.k8s.io/v1 NetworkPolicyPort allow `protocol`/`port`? Protocol defaults to TCP
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/).
 */
export function k8sPortAllows(entry: unknown, protocol: string, port: number): boolean {
  if (!isObject(entry)) return false;
  if ((protocolName(entry.protocol) ?? 'TCP') !== protocol) return false;
  return portNumberMatches(entry.port, entry.endPort, port);
}

/** Does a list of NetworkPolicyPorts allow it? An absent or empty list allows every port. */
export function k8sPortsAllow(ports: unknown, protocol: string, port: number): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p) => k8sPortAllows(p, protocol, port));
}

/**
 * Does a Calico rule (projectcalico.org/v3) match `protocol`/`port` on its destination? A rule
 * without `protocol` matches every protocol, and then cannot have ports
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule).
 */
export function calicoRuleAllows(rule: unknown, protocol: string, port: number): boolean {
  if (!isObject(rule)) return false;
  const proto = protocolName(rule.protocol);
  if (proto !== undefined && proto !== protocol) return false;
  const ports = isObject(rule.destination) ? rule.destination.ports : undefined;
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p) => portNumberMatches(p, undefined, port));
}

/** Does a Calico port list (numbers, `"a:b"` ranges, names) include `port`? */
export function calicoPortsInclude(ports: unknown, port: number): boolean {
  return Array.isArray(ports) && ports.some((p) => portNumberMatches(p, undefined, port));
}

/** Does a Calico rule name a destination port (i.e. is it a port-specific rule)? */
export function calicoRulePorts(rule: unknown): unknown[] {
  return isObject(rule) && isObject(rule.destination) && Array.isArray(rule.destination.ports) ? rule.destination.ports : [];
}

/**
 * Does a Cilium PortProtocol allow `protocol`/`port`? Protocol `ANY` (the default) matches TCP,
 * UDP and SCTP (https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples).
 */
export function ciliumPortAllows(entry: unknown, protocol: string, port: number): boolean {
  if (!isObject(entry)) return false;
  const proto = protocolName(entry.protocol) ?? 'ANY';
  if (proto !== 'ANY' && proto !== protocol) return false;
  return portNumberMatches(entry.port, entry.endPort, port);
}

/** All `toPorts[].ports[]` entries of a Cilium rule, with their indices. */
export function ciliumPortEntries(rule: unknown): Array<{ toPorts: number; port: number; entry: any }> {
  const out: Array<{ toPorts: number; port: number; entry: any }> = [];
  const toPorts = isObject(rule) && Array.isArray(rule.toPorts) ? rule.toPorts : [];
  toPorts.forEach((tp: any, i: number) => {
    (isObject(tp) && Array.isArray(tp.ports) ? tp.ports : []).forEach((entry: any, j: number) => out.push({ toPorts: i, port: j, entry }));
  });
  return out;
}
