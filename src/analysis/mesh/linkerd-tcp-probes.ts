/**
 * The kubelet's tcpSocket probes of a meshed Linkerd pod (internal). Linkerd's proxy takes every
 * inbound TCP connection on the pod's captured ports and completes the handshake itself, before it
 * authorizes the client and whether or not the application listens behind it; so a tcpSocket probe
 * (a TCP connect, nothing sent) passes as long as the proxy runs, whatever a Server or the default
 * inbound policy decides for the connection (linkerd/linkerd2 issue #7777, "TcpSocket probes are
 * meaningless with meshed pods", open). An httpGet probe is a request, which the policy controller's
 * probe route authorizes (./linkerd-probes) and the application answers.
 *
 * Read as the kubelet reads the probe (liveness, readiness and startup of every container and init
 * container): `tcpSocket.port` a number, or the name of a port of the same container (the kubelet
 * resolves it among that container's ports, by exact name, whatever its protocol: ../../util/probe-port
 * `kubeletProbePort`); a number outside 1-65535 or anything else gives no probe, and neither does
 * a probe with a `host`, which the kubelet dials instead of the pod IP.
 */
import { kubeletProbePort } from '../../util/probe-port';
import { byWorkloadTemplate, isPlainObject } from '../../util/vocabulary';
import { ManifestObject } from '../model';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** The sorted ports of one pod template's tcpSocket probes. */
export function templateTcpProbePorts(template: unknown): number[] {
  const spec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const ports = new Set<number>();
  for (const container of [...list(spec.containers), ...list(spec.initContainers)]) {
    if (!isPlainObject(container)) continue;
    for (const key of PROBES) {
      const tcpSocket = isPlainObject(container[key]) && isPlainObject(container[key].tcpSocket) ? container[key].tcpSocket : undefined;
      // With a `host` the kubelet connects there instead of the pod IP (Probe tcpSocket.host, "defaults to the pod IP"): not the pod's proxy.
      const ofPod = tcpSocket !== undefined && (tcpSocket.host === undefined || tcpSocket.host === null || tcpSocket.host === '');
      const port = ofPod ? kubeletProbePort(container, tcpSocket.port) : undefined;
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Endpoint name (`namespace/workload`) -> the ports of its tcpSocket probes, for every workload of `manifests`. */
export function tcpProbePortsByWorkload(manifests: readonly ManifestObject[]): Map<string, number[]> {
  return byWorkloadTemplate(manifests, templateTcpProbePorts);
}

/**
 * The note for a connection from the destination's own node (its kubelet) to a port the destination's
 * tcpSocket probes check, where its Linkerd proxy takes the connection.
 */
export function tcpProbeNote(destination: string, port: number): string {
  return `the kubelet's tcpSocket probe of ${destination} on port ${port} passes as long as the Linkerd proxy runs, whatever this authorization `
    + 'decides and whether or not the application listens: the proxy completes the TCP handshake itself before it authorizes the connection '
    + '(linkerd/linkerd2#7777), so the probe checks the proxy, not the application (an httpGet probe, which Linkerd\'s probe route authorizes, '
    + 'checks the application)';
}
