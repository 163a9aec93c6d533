import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IstioAuthorization } from './istio/istio-authorization';
import { LinkerdAuthorization } from './linkerd/linkerd-authorization';
import { RouteRequests, routeOverlapProblem, validateRouteRequests } from './linkerd/route-matches';
import { checkLinkerdFlowNames, linkerdServerName } from './linkerd/server-name';
import { overlappingServer, SERVER_NEEDS_LABELS, ServerPods, serverOverlapMessage } from './linkerd/server-selectors';
import { requireMesh } from './mesh-context';
import { requireFlowOptions, validateFlow } from './mesh-flow';
import { MeshFlowOptions } from './mesh-flow-options';
import { MeshSource } from './mesh-source';
import { MeshKind } from '../cluster/mesh';
import { propError } from '../util/errors';
import { StructKeys, requireArray, requireKnownKeys, requireOptionalStringArray, requireProps, requireString } from '../util/guards';
import { validateDnsLabel } from '../util/validate';

/** What would be one Linkerd Server: its pods and port, and the route-level flows on it. */
interface WouldBeServer extends ServerPods {
  readonly routed: Array<RouteRequests & { readonly flow: string }>;
}

/**
 * Root -> `<namespace>|<selector>|<port>` -> what MeshAuthorization put there under Istio: what
 * would share one Linkerd Server, which must not overlap another's pods and whose routes must not
 * overlap each other under Linkerd.
 */
const ISTIO_SERVERS = new WeakMap<IConstruct, Map<string, WouldBeServer>>();
/** Per app root: the namespaces whose Istio allow-nothing baseline a MeshAuthorization already emits (one per namespace). */
const ISTIO_BASELINES = new WeakMap<IConstruct, Set<string>>();

const PROPS_KEYS: StructKeys<MeshAuthorizationProps> = { namespace: true };

/** Props of {@link MeshAuthorization}. */
export interface MeshAuthorizationProps {
  /** Namespace of the target workloads. */
  readonly namespace: string;
}

/**
 * Mesh authorization from one intent API, rendered for the mesh the ClusterNetwork declares:
 * IstioAuthorization (allow-nothing baseline, one per namespace however many MeshAuthorizations
 * share it, + one ALLOW policy per flow) under Istio,
 * LinkerdAuthorization (Server + MeshTLSAuthentication + AuthorizationPolicy per flow) under Linkerd.
 * Flows use only what both meshes express: service accounts, namespaces, any meshed workload or
 * anyone, to labelled pods on named ports, optionally narrowed to HTTP methods and paths (an Istio
 * `to.operation` under Istio's sidecar mode; an HTTPRoute on the port's Server with a route-targeted
 * AuthorizationPolicy under Linkerd, whose other callers keep every request through a catch-all
 * route). Both read a path the same way: exact, `/prefix/*`, `*suffix` or `*`. Istio matches (and
 * forwards) the path normalized (its default `BASE`: percent-decoded unreserved characters, `.` and
 * `..` segments resolved); Linkerd matches the raw path, so its routes never admit a dot segment or
 * an escaped dot, slash or backslash where the wildcard stands (`/api/../admin` is refused, as under
 * Istio; `/api/./x`, which Istio admits as `/api/x`, is refused too), and paths holding one are
 * refused at synth. Two route-level flows to the
 * same pods and port (one Linkerd Server) whose requests overlap are refused under either mesh
 * (Linkerd routes a request to one HTTPRoute only). Use IstioAuthorization
 * directly for DENY, AUDIT and conditions (`when`); Istio's ambient mode has no L7 without a
 * waypoint, and methods and paths are refused there.
 */
export class MeshAuthorization extends Construct {
  /** The Istio authorization, under Istio. */
  public readonly istio?: IstioAuthorization;
  /** The Linkerd authorization, under Linkerd. */
  public readonly linkerd?: LinkerdAuthorization;

  constructor(scope: Construct, id: string, props: MeshAuthorizationProps) {
    super(scope, id);
    const cluster = requireMesh(this, 'MeshAuthorization', [MeshKind.ISTIO, MeshKind.LINKERD]);
    const namespace = validateDnsLabel(this, 'namespace', requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS).namespace);
    if (cluster.mesh.kind === MeshKind.ISTIO) {
      // Several MeshAuthorizations may share a namespace (as LinkerdAuthorizations share its Servers):
      // the first emits the namespace's allow-nothing baseline, the others rely on it.
      const baselines = ISTIO_BASELINES.get(this.node.root) ?? new Set<string>();
      ISTIO_BASELINES.set(this.node.root, baselines);
      this.istio = new IstioAuthorization(this, 'Istio', { namespace, allowNothing: !baselines.has(namespace) });
      baselines.add(namespace);
    } else {
      this.linkerd = new LinkerdAuthorization(this, 'Linkerd', { namespace });
    }
  }

  /**
   * Allow one flow; returns the objects emitted for it (the AuthorizationPolicy under Istio; the
   * authentication, the per-port AuthorizationPolicies and, for a flow with methods or paths, the
   * per-port HTTPRoutes under Linkerd).
   */
  public allowFlow(name: string, options: MeshFlowOptions): ApiObject[] {
    const prop = `flow '${requireString(this, 'name', name)}'`;
    const o = requireFlowOptions(this, prop, options);
    if (o.when !== undefined) throw propError(this, `${prop}.when`, 'request conditions do not render for every mesh: use IstioAuthorization for them');
    // One intent for both meshes: what an HTTPRoute cannot match (Linkerd) is refused under Istio too.
    const methods = requireOptionalStringArray(this, `${prop}.methods`, o.methods) ?? [];
    const paths = requireOptionalStringArray(this, `${prop}.paths`, o.paths) ?? [];
    if (methods.length > 0 || paths.length > 0) validateRouteRequests(this, prop, { methods, paths });
    if (o.from !== undefined && requireArray(this, `${prop}.from`, o.from).some((s) => s instanceof MeshSource && s._spec.kind === 'principal')) {
      throw propError(this, `${prop}.from`, 'MeshSource.principal() is Istio only: use MeshSource.serviceAccount()');
    }
    if (o.ports === undefined) throw propError(this, `${prop}.ports`, 'name the ports (Linkerd authorizes per port; the intent must render for both meshes)');
    if (this.istio) {
      // What Linkerd refuses of its Servers is refused here too, before anything is emitted.
      const flow = validateFlow(this, prop, name, this.istio.namespace, o);
      checkLinkerdFlowNames(this, prop, name, flow.ports);
      if (Object.keys(flow.to).length === 0) throw propError(this, `${prop}.to`, SERVER_NEEDS_LABELS);
      const routed = flow.methods.length > 0 || flow.paths.length > 0;
      const servers = ISTIO_SERVERS.get(this.node.root) ?? new Map<string, WouldBeServer>();
      ISTIO_SERVERS.set(this.node.root, servers);
      const selector = JSON.stringify(flow.to);
      const key = (port: number) => `${flow.namespace}|${selector}|${port}`;
      for (const port of flow.ports) {
        const own = servers.get(key(port));
        const other = own === undefined ? overlappingServer(servers.values(), { namespace: flow.namespace, labels: flow.to, port }) : undefined;
        if (other) {
          throw propError(this, `${prop}.to`, serverOverlapMessage(selector, JSON.stringify(other.labels), `Linkerd's Server '${linkerdServerName(other.labels, port)}'`, port));
        }
        const problem = routed && own ? routeOverlapProblem(flow, own.routed, `Linkerd's Server '${linkerdServerName(flow.to, port)}' (port ${port})`) : undefined;
        if (problem) throw propError(this, prop, problem);
      }
      const policy = this.istio.allowFlow(name, o);
      for (const port of flow.ports) {
        const entry = servers.get(key(port)) ?? { namespace: flow.namespace, labels: { ...flow.to }, port, routed: [] };
        if (routed) entry.routed.push({ flow: name, methods: flow.methods, paths: flow.paths });
        servers.set(key(port), entry);
      }
      return [policy];
    }
    const objects = this.linkerd!.allowFlow(name, o);
    return [objects.authentication, ...objects.authorizationPolicies, ...objects.routes];
  }
}
