/**
 * The port number a container's probe names in `httpGet.port` / `tcpSocket.port` (internal), as the
 * two readers of a probe resolve it. They differ, and each question takes its own reader:
 *
 * - `kubeletProbePort`, where the kubelet sends the probe (kubernetes `pkg/probe/util.go`
 *   `ResolveContainerPort` / `findPortByName`): a number as given; a name, the first port of the
 *   probe's own container whose `name` equals it exactly, whatever its protocol; either way a number
 *   outside 1-65535 is an error, and the kubelet sends nothing.
 * - `linkerdProbeRoutePort`, where linkerd2's policy controller puts the probe route it authorizes
 *   (`policy-controller/k8s/index/src/inbound/pod.rs` `container_http_probe_paths`): a number in
 *   1-65535; a name, the first TCP port (protocol compared ignoring ASCII case, unset is TCP) of the
 *   probe's own container with a number in 1-65535 whose name equals it ignoring ASCII case.
 *
 * So a probe on a UDP-named port, or one whose name differs from the port's only in case, is sent by
 * the kubelet (or not) where Linkerd authorizes nothing (or something).
 */
import { isPlainObject } from './vocabulary';

const isPortNumber = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
const containerPorts = (container: unknown): Record<string, any>[] =>
  (isPlainObject(container) && Array.isArray(container.ports) ? container.ports.filter(isPlainObject) : []);
/** ASCII-only lower case, as Rust's `eq_ignore_ascii_case` compares (JS `toLowerCase` also folds non-ASCII letters). */
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The port the kubelet probes for a probe `port` of `container`; undefined when the kubelet sends no probe. */
export function kubeletProbePort(container: unknown, port: unknown): number | undefined {
  if (typeof port === 'number') return isPortNumber(port) ? port : undefined;
  if (typeof port !== 'string') return undefined;
  const named = containerPorts(container).find((p) => p.name === port);
  return named && isPortNumber(named.containerPort) ? named.containerPort : undefined;
}

/** The port of the probe route linkerd2's policy controller builds for an `httpGet.port` of `container`; undefined when none. */
export function linkerdProbeRoutePort(container: unknown, port: unknown): number | undefined {
  if (typeof port === 'number') return isPortNumber(port) ? port : undefined;
  if (typeof port !== 'string') return undefined;
  const named = containerPorts(container).find((p) => (p.protocol === undefined || p.protocol === null
    || (typeof p.protocol === 'string' && asciiLower(p.protocol) === 'tcp'))
    && isPortNumber(p.containerPort) && typeof p.name === 'string' && asciiLower(p.name) === asciiLower(port));
  return named?.containerPort;
}
