/**
 * Kubelet tcpSocket probes of meshed pods (internal). Linkerd's inbound redirect sends every TCP
 * connection to the proxy, which accepts it before it authorizes it (and before it connects to the
 * container): a tcpSocket probe, which only opens the connection, passes whatever the port's
 * authorization and whatever the container's state (linkerd/linkerd2#7777, open). So a verdict that
 * refuses the kubelet's connection in the mesh does not fail such a probe, and a passing one proves
 * nothing about the container; the analyzer says so beside the verdict instead of changing it (the
 * connection never reaches the container).
 */
import { byWorkloadTemplate, isPlainObject } from '../../util/vocabulary';
import { ManifestObject } from '../model';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** Port -> the tcpSocket probes on it (`readinessProbe of container 'db'`), sorted. */
export type TcpProbes = ReadonlyMap<number, readonly string[]>;

/** The port a probe's `tcpSocket.port` names: a number, or a TCP port name of the same container (case-insensitive, as linkerd2 reads names). */
function probePort(port: unknown, container: Record<string, any>): number | undefined {
  if (typeof port === 'number') return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
  if (typeof port !== 'string') return undefined;
  const ports: unknown[] = Array.isArray(container.ports) ? container.ports : [];
  for (const p of ports) {
    if (!isPlainObject(p) || typeof p.name !== 'string' || p.name.toLowerCase() !== port.toLowerCase()) continue;
    if (typeof p.protocol === 'string' && p.protocol.toUpperCase() !== 'TCP') continue;
    if (typeof p.containerPort === 'number' && p.containerPort >= 1 && p.containerPort <= 65535) return p.containerPort;
  }
  return undefined;
}

/** The tcpSocket probes of one pod template's containers, per port. */
export function templateTcpProbes(template: unknown): TcpProbes {
  const spec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const byPort = new Map<number, string[]>();
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  for (const container of [...list(spec.containers), ...list(spec.initContainers)]) {
    if (!isPlainObject(container)) continue;
    for (const key of PROBES) {
      const tcp = isPlainObject(container[key]) && isPlainObject(container[key].tcpSocket) ? container[key].tcpSocket : undefined;
      const port = tcp ? probePort(tcp.port, container) : undefined;
      if (port !== undefined) byPort.set(port, [...(byPort.get(port) ?? []), `${key} of container '${String(container.name)}'`]);
    }
  }
  return new Map([...byPort].sort(([a], [b]) => a - b).map(([port, probes]) => [port, [...probes].sort()]));
}

/** Endpoint name (`namespace/workload`) -> its tcpSocket probes, for every workload of `manifests`. */
export function tcpProbesByWorkload(manifests: readonly ManifestObject[]): Map<string, TcpProbes> {
  return byWorkloadTemplate(manifests, templateTcpProbes);
}
