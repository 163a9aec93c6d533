/**
 * The HTTP probe paths linkerd2's policy controller reads from a pod (internal), to authorize
 * kubelet probes (policy-controller k8s index, `pod_http_probes`; the probe route itself is
 * `default_inbound_http_routes`):
 *
 * - every container and init container (a native-sidecar proxy is an init container), its
 *   `livenessProbe`, `readinessProbe` and `startupProbe` with `httpGet` (exec, tcpSocket and gRPC
 *   probes are not HTTP requests the proxy routes);
 * - the port a number, or the name of a TCP port of the same container (names compared ignoring
 *   ASCII case: ../../util/probe-port `linkerdProbeRoutePort`, which the kubelet does not share); a name
 *   no port of that container has gives no probe;
 * - the path `/` when absent, and only the path of the URI (no query string); a path that does not
 *   start with `/` is left out (no request path equals it).
 *
 * The injected proxy's own container probes GET /live and /ready on its admin port 4191: the
 * manifests do not show it, so every meshed pod gets those too.
 */
import { linkerdProbeRoutePort } from '../../util/probe-port';
import { byWorkloadTemplate, isPlainObject } from '../../util/vocabulary';
import { ManifestObject } from '../model';

/** The Linkerd proxy's admin port, where its injected container's probes GET `/live` and `/ready`. */
export const LINKERD_ADMIN_PORT = 4191;
/**
 * The name of {@link LINKERD_ADMIN_PORT} on the injected proxy container (linkerd2 proxy container
 * template), which a Server's `port` may give: it names the admin port of every meshed pod, though no
 * manifest shows that container.
 */
export const LINKERD_ADMIN_PORT_NAME = 'linkerd-admin';
/**
 * Moves the injected proxy's admin listener, its port {@link LINKERD_ADMIN_PORT_NAME} and its own probes
 * (linkerd.io proxy configuration reference); the injector copies a namespace's value to pods that set none
 * (how it reads the value: ./linkerd-admin-port).
 */
export const LINKERD_ADMIN_PORT_ANNOTATION = 'config.linkerd.io/admin-port';

/** The paths the injected proxy container's liveness and readiness probes GET on {@link LINKERD_ADMIN_PORT}. */
export const PROXY_PROBE_PATHS: readonly string[] = ['/live', '/ready'];
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** Port -> the sorted HTTP probe paths of the application containers on it. */
export type ProbePaths = ReadonlyMap<number, readonly string[]>;

/** The HTTP probe paths of one pod template's containers, per port. */
export function templateProbePaths(template: unknown): ProbePaths {
  const spec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const byPort = new Map<number, Set<string>>();
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  const containers = [...list(spec.containers), ...list(spec.initContainers)];
  for (const container of containers) {
    if (!isPlainObject(container)) continue;
    for (const key of PROBES) {
      const httpGet = isPlainObject(container[key]) && isPlainObject(container[key].httpGet) ? container[key].httpGet : undefined;
      if (!httpGet) continue;
      const port = linkerdProbeRoutePort(container, httpGet.port);
      if (port === undefined) continue;
      const path = (typeof httpGet.path === 'string' ? httpGet.path : '/').split(/[?#]/)[0];
      // A path that is not absolute is no origin-form URI path: no route Linkerd builds from it matches a request.
      if (path.startsWith('/')) byPort.set(port, (byPort.get(port) ?? new Set()).add(path));
    }
  }
  return new Map([...byPort].sort(([a], [b]) => a - b).map(([port, paths]) => [port, [...paths].sort()]));
}

/** Endpoint name (`namespace/workload`, as the inventory names pods) -> its probe paths, for every workload of `manifests`. */
export function probePathsByWorkload(manifests: readonly ManifestObject[]): Map<string, ProbePaths> {
  return byWorkloadTemplate(manifests, templateProbePaths);
}
