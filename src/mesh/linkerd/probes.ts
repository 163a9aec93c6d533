/**
 * Kubelet HTTP probes on a Linkerd Server that has HTTPRoutes (internal).
 *
 * linkerd2's policy controller (`policy-controller/k8s/index`, `inbound/index.rs` `http_routes` and
 * `default_inbound_http_routes`, `pod.rs` `pod_http_probes`): a Server without routes gets a default
 * route plus a probe route matching `GET` with an `Exact` path for each `httpGet` liveness, readiness
 * and startup probe of the pod's containers on that port (the port a number, or a TCP port name of
 * the same container; the path `/` when the probe names none), authorized for unauthenticated
 * clients from the `probeNetworks` (default every address). Once any HTTPRoute has the Server as
 * parent, only those routes remain: the probe route is gone, and a probe no route admits for
 * unauthenticated clients is refused (linkerd.io "Configuring Per-Route Authorization Policy").
 *
 * That includes the probes of the proxy container Linkerd injects into every meshed pod (GET /live
 * and /ready on its admin port 4191; `pod_http_probes` reads every container), which no manifest
 * shows: a route-level flow on port 4191 (say GET /metrics for a scraper) takes their probe route
 * away too, and then the kubelet restarts the proxy and the pod never becomes ready. A workload of the
 * app whose pod template (else its Namespace object in the app) annotates `config.linkerd.io/admin-port`
 * has them on that port instead (for 4191 every selected pod is assumed to have them). The value is
 * read as the proxy injector reads it (../../analysis/mesh/linkerd-admin-port): a pod value that is no
 * number gives 4191, not the namespace's value; a selected workload whose admin port is not known (a
 * value no port can be, whose pods the API server refuses) is refused, as its probes cannot be checked.
 * A workload whose template already carries a proxy (../../util/linkerd-existing-sidecar: Linkerd's
 * injector skips it) is read as its manifest shows it: its annotation moves no probe, and the probes
 * of a proxy it carries (`linkerd inject --manual`) are among its containers' own.
 */
import { IConstruct } from 'constructs';
import { describeRouteRequests, exactPathProblem, requestsInclude, RouteRequests } from './route-matches';
import { linkerdAdminPort } from '../../analysis/mesh/linkerd-admin-port';
import { LINKERD_ADMIN_PORT, LINKERD_ADMIN_PORT_ANNOTATION as ADMIN_PORT_ANNOTATION } from '../../analysis/mesh/linkerd-probes';
import { AppObjects, appObjects, namespaceObject, selectedWorkloads } from '../../util/app-objects';
import { linkerdExistingSidecar } from '../../util/linkerd-existing-sidecar';
import { kubeletProbePort } from '../../util/probe-port';
import { isPlainObject } from '../../util/vocabulary';

/** A Server with HTTPRoutes, and what its flows admit. */
export interface RoutedServer {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly port: number;
  /** The requests flows from `MeshSource.anyone()` admit (a port-level flow: every request). */
  readonly anyone: readonly RouteRequests[];
  /** The route-level flows on the Server (each takes its requests to its own HTTPRoute). */
  readonly routed: ReadonlyArray<RouteRequests & { readonly flow: string }>;
}

/** One kubelet HTTP probe of a workload of the app on a Server's port. */
interface HttpProbe {
  /** `Deployment shop/api (<construct path>)`. */
  readonly workload: string;
  readonly container: string;
  readonly probe: string;
  /** The request path, without query or fragment. */
  readonly path: string;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];
/** The container Linkerd's proxy injector adds to a meshed pod. */
const PROXY_CONTAINER = 'linkerd-proxy';
const CONSEQUENCE: Record<string, string> = {
  livenessProbe: 'the kubelet restarts the container again and again',
  readinessProbe: 'its pods never become ready',
  startupProbe: 'the container never counts as started and is restarted',
};

/**
 * The path of the request the kubelet sends for an `httpGet.path`, without query or fragment: `/`
 * when none; a path without a leading `/` gets one, as the kubelet builds the probe URL from the
 * path and the pod's host and port (Go's URL writes `/healthz` for the path `healthz` once a host is
 * set), so `healthz` is the request `GET /healthz`.
 */
function requestPath(given: unknown): string {
  const path = typeof given === 'string' ? given.split(/[?#]/)[0] : '';
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * The `httpGet` probes (HTTP, not HTTPS: the proxy sees no HTTP request in a TLS connection it does
 * not terminate, so no route ever applied to those) of the app's workloads whose pods the Server
 * selects, on its port: the port the kubelet sends the probe to (../../util/probe-port
 * `kubeletProbePort`: a name is the container's port of exactly that name, whatever its protocol),
 * not the one Linkerd's probe route was built for, as these requests now meet only the routes.
 */
function httpProbes(root: IConstruct, server: RoutedServer): { probes: HttpProbe[]; unknownAdminPorts: string[] } {
  const found: HttpProbe[] = [];
  const unknownAdminPorts: string[] = [];
  const objects = appObjects(root);
  const namespaceAdminPort = adminPortAnnotationOfNamespace(objects, server.namespace);
  for (const { object: { construct: c, json: obj }, template } of selectedWorkloads(objects, server.namespace, server.labels)) {
    const spec = isPlainObject(template.spec) ? template.spec : {};
    const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    const containers = [...list(spec.containers), ...list(spec.initContainers)];
    for (const container of containers.filter(isPlainObject)) {
      for (const probe of PROBES) {
        const get = isPlainObject(container[probe]) ? container[probe].httpGet : undefined;
        if (!isPlainObject(get) || String(get.scheme ?? 'HTTP').toUpperCase() !== 'HTTP') continue;
        if (kubeletProbePort(container, get.port) !== server.port) continue;
        const path = requestPath(get.path);
        found.push({ workload: `${obj.kind} ${server.namespace}/${obj.metadata?.name} (${c.node.path})`, container: String(container.name), probe, path });
      }
    }
    // A template that already carries a proxy is left as it is by the injector ("pod has a sidecar injected already",
    // ../../util/linkerd-existing-sidecar): its annotation moves nothing, and a proxy it shows has its probes in the loop above.
    if (linkerdExistingSidecar(spec) !== undefined) continue;
    // A proxy admin port moved by `config.linkerd.io/admin-port` takes the proxy's probes along (4191 is handled below for every pod).
    // As the proxy injector reads it (../../analysis/mesh/linkerd-admin-port): a pod value that is no number gives 4191, not the namespace's.
    const own = adminPortAnnotation(isPlainObject(template.metadata) ? template.metadata.annotations : undefined);
    const admin = linkerdAdminPort(own, namespaceAdminPort);
    if (admin.port === undefined) {
      unknownAdminPorts.push(`Server '${server.name}' (namespace ${server.namespace}, port ${server.port}) selects ${obj.kind} ${server.namespace}/`
        + `${obj.metadata?.name} (${c.node.path}), whose Linkerd proxy admin port is not known, so whether its proxy's probes are on this port cannot `
        + `be checked: ${admin.unknown}. Give ${ADMIN_PORT_ANNOTATION} a port number from 1 to 65535`);
    }
    const moved = admin.port;
    if (moved !== undefined && moved !== LINKERD_ADMIN_PORT && moved === server.port) {
      const workload = `${obj.kind} ${server.namespace}/${obj.metadata?.name} (${c.node.path}; its proxy's admin port, ${ADMIN_PORT_ANNOTATION})`;
      found.push({ workload, container: PROXY_CONTAINER, probe: 'livenessProbe', path: '/live' });
      found.push({ workload, container: PROXY_CONTAINER, probe: 'readinessProbe', path: '/ready' });
    }
  }
  if (server.port === LINKERD_ADMIN_PORT) {
    // The injected proxy's own probes (linkerd2 proxy container template: livenessProbe GET /live, readinessProbe GET /ready on 4191).
    const workload = 'every meshed pod the Server selects (Linkerd injects that container; these manifests do not show it)';
    found.push({ workload, container: PROXY_CONTAINER, probe: 'livenessProbe', path: '/live' });
    found.push({ workload, container: PROXY_CONTAINER, probe: 'readinessProbe', path: '/ready' });
  }
  return { probes: found, unknownAdminPorts };
}

/** The `config.linkerd.io/admin-port` value of these annotations, if any. */
function adminPortAnnotation(annotations: unknown): unknown {
  return isPlainObject(annotations) ? annotations[ADMIN_PORT_ANNOTATION] : undefined;
}

/** The admin port value the Namespace object of `namespace` in the app annotates (the injector copies it to pods that set none). */
function adminPortAnnotationOfNamespace(objects: AppObjects, namespace: string): unknown {
  return adminPortAnnotation(namespaceObject(objects, namespace)?.json.metadata?.annotations);
}

/** `{ app: 'api', 'app.kubernetes.io/part-of': 'shop' }` as a caller would write it. */
function literal(labels: Record<string, string>): string {
  const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`);
  return `{ ${Object.keys(labels).sort().map((k) => `${key(k)}: '${labels[k]}'`).join(', ')} }`;
}

/**
 * The errors for the app's kubelet HTTP probes on a routed Server that no flow admits for
 * unauthenticated clients, each naming the Server, the workload, the probe, and the flow to add (or
 * why none can be added there). Never authorizes anything itself.
 */
export function refusedProbeProblems(root: IConstruct, server: RoutedServer): string[] {
  const { probes: all, unknownAdminPorts } = httpProbes(root, server);
  const refused = all.filter((p) => !server.anyone.some((r) => requestsInclude(r, 'GET', p.path)));
  const taker = (p: HttpProbe) => server.routed.find((r) => requestsInclude(r, 'GET', p.path));
  // One flow for every refused path no other route-level flow takes and a flow can name exactly: the
  // same flow fixes every such error. A path no flow can name (a dot segment, a `*`) is not suggested.
  const free = [...new Set(refused.filter((p) => !taker(p) && exactPathProblem(p.path) === undefined).map((p) => p.path))].sort();
  const suggestion = `allowFlow('${server.name}-probes', { from: [MeshSource.anyone()], to: ${literal(server.labels)}, ports: [${server.port}], `
    + `methods: ['GET'], paths: [${free.map((p) => `'${p}'`).join(', ')}] })`;
  // One error per container and path: its liveness, readiness and startup probes often share one.
  const groups = new Map<string, HttpProbe[]>();
  for (const p of refused) groups.set(`${p.workload}|${p.container}|${p.path}`, [...(groups.get(`${p.workload}|${p.container}|${p.path}`) ?? []), p]);
  return [...unknownAdminPorts, ...[...groups.values()].map((probes) => {
    const p = probes[0];
    const names = probes.map((q) => q.probe);
    const consequence = names.map((n) => CONSEQUENCE[n]).join(' and ');
    const head = `Server '${server.name}' (namespace ${server.namespace}, port ${server.port}) has HTTPRoutes, so Linkerd's own probe route is gone: `
      + `the ${names.join(' and ')} of container '${p.container}' of ${p.workload}, GET ${p.path} on port ${server.port}, `;
    const other = taker(p);
    if (other) {
      return `${head}goes to the HTTPRoute of flow '${other.flow}' (${describeRouteRequests(other)}), which does not admit unauthenticated clients, `
        + `so ${consequence}. Move the probe to a path outside that flow's requests and authorize it with a flow from `
        + "MeshSource.anyone() with methods: ['GET'] and paths: ['<that path>'], or move it to a port without route-level flows";
    }
    const unnamable = exactPathProblem(p.path);
    if (unnamable) {
      return `${head}is admitted by no flow from MeshSource.anyone(), so ${consequence}. No route-level flow can admit it: the path ${unnamable}. `
        + 'Give the probe a plain path and authorize that path with a flow from MeshSource.anyone() with methods: [\'GET\'], '
        + 'or move the probe to a port without route-level flows';
    }
    return `${head}is admitted by no flow from MeshSource.anyone(), so ${consequence}. Add ${suggestion} `
      + `(it lets any address GET exactly ${free.length > 1 ? 'those paths' : 'that path'} on this port, as Linkerd's probe route did), `
      + 'or move the probe to a port without route-level flows';
  })];
}

/**
 * The errors for the app's kubelet HTTP probes on an opaque Server (`why`: why the port is opaque)
 * that no port-level flow from `MeshSource.anyone()` admits. An opaque Server carries no HTTP routes,
 * so no probe route either (linkerd2 policy-controller grpc `inbound.rs` `to_server`: the opaque
 * protocol is sent without the routes the detect and HTTP protocols carry): the kubelet's
 * unauthenticated connection takes the Server's own authorizations, and a Server that admits only
 * mesh identities refuses it. Without a Server (the pods' default policy) or with a Server left at
 * `unknown` (detection, probe route), the same probe passed. `advice` replaces the remedies (for a
 * Server whose flows its owner writes, where adding one is not the user's to do).
 */
export function opaqueProbeProblems(root: IConstruct, server: RoutedServer, why: string, advice?: string): string[] {
  // A route-level flow on an opaque Server is refused on its own (../linkerd-authorization): only port-level flows count.
  if (server.anyone.some((r) => r.methods.length === 0 && r.paths.length === 0)) return [];
  const { probes, unknownAdminPorts } = httpProbes(root, server);
  const groups = new Map<string, HttpProbe[]>();
  for (const p of probes) groups.set(`${p.workload}|${p.container}|${p.path}`, [...(groups.get(`${p.workload}|${p.container}|${p.path}`) ?? []), p]);
  return [...unknownAdminPorts, ...[...groups.values()].map((group) => {
    const p = group[0];
    const names = group.map((q) => q.probe);
    return `Server '${server.name}' (namespace ${server.namespace}, port ${server.port}) is opaque (${why}), and an opaque Server carries no HTTP `
      + `routes, so not Linkerd's probe route either: the ${names.join(' and ')} of container '${p.container}' of ${p.workload}, GET ${p.path} on `
      + `port ${server.port}, is admitted by no flow from MeshSource.anyone(), so ${names.map((n) => CONSEQUENCE[n]).join(' and ')}. `
      + (advice ?? `Add allowFlow('${server.name}-probes', { from: [MeshSource.anyone()], to: ${literal(server.labels)}, ports: [${server.port}] }) `
      + `(it lets any address open connections to this port), or, if the port speaks HTTP, remove ${server.port} from config.linkerd.io/opaque-ports `
      + "on those pods' template or namespace (write the annotation without it to override the default list), or move the probe to another port");
  })];
}
