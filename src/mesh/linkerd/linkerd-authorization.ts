import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { opaqueProbeProblems, refusedProbeProblems } from './probes';
import { linkerdRouteRules, RouteRequests, routeOverlapProblem, validateRouteRequests } from './route-matches';
import { checkLinkerdFlowNames, linkerdServerName } from './server-name';
import { ServerProtocol, serverProtocol, ServerTarget } from './server-protocol';
import { overlappingServer, SERVER_NEEDS_LABELS, ServerPods, serverOverlapMessage } from './server-selectors';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { MeshKind } from '../../cluster/mesh';
import { keepAppObjectsPerWalk } from '../../util/app-objects';
import { constructIdFor } from '../../util/construct-id';
import { assertNever, internalError, propError } from '../../util/errors';
import { StructKeys, requireKnownKeys, requireProps, requireString } from '../../util/guards';
import { registerObject } from '../../util/object-registry';
import { validateDnsLabel } from '../../util/validate';
import { requireMesh } from '../mesh-context';
import { ValidatedFlow, validateFlow } from '../mesh-flow';
import { MeshFlowOptions } from '../mesh-flow-options';
import { linkerdIdentity, linkerdIdentitySuffix } from '../mesh-identity';

/** Props of {@link LinkerdAuthorization}. */
export interface LinkerdAuthorizationProps {
  /** Namespace of the target workloads (Servers and policies live there). */
  readonly namespace: string;
}

const PROPS_KEYS: StructKeys<LinkerdAuthorizationProps> = { namespace: true };

/** The objects one Linkerd flow emits. */
export interface LinkerdFlowObjects {
  /** The MeshTLSAuthentication (or NetworkAuthentication for `MeshSource.anyone()`) naming the callers. */
  readonly authentication: ApiObject;
  /** One AuthorizationPolicy per target port (targeting the Server, or the flow's HTTPRoute when it has methods or paths). */
  readonly authorizationPolicies: ApiObject[];
  /** For a flow with methods or paths, one HTTPRoute per target port (on that port's Server); else empty. */
  readonly routes: ApiObject[];
}

/** A Server (its pods and port) and what route-level flows put on it. */
interface ServerEntry extends ServerPods {
  readonly server: ApiObject;
  readonly selector: string;
  readonly labels: Record<string, string>;
  /** The HTTPRoute matching every request, emitted with the Server's first route-level flow. */
  catchAll?: ApiObject;
  /** The route-level flows on the Server, whose requests must not overlap. */
  readonly routed: Array<RouteRequests & { readonly flow: string }>;
  /** The requests flows from `MeshSource.anyone()` admit on the Server (a port-level flow: every request). */
  readonly anyone: RouteRequests[];
  /** Every flow on the Server, with the construct path of its LinkerdAuthorization (for messages). */
  readonly flows: Array<{ readonly flow: string; readonly path: string }>;
  /**
   * Whether the port is opaque on the selected pods, as the last validation decided, with the tree's size then; kept for
   * the one rendering of the Server that follows that validation (dropped by it).
   */
  protocol?: { readonly size: number; readonly opaque: boolean | undefined };
}

/** Root -> `<namespace>|<selector>|<port>` -> the Server describing that port (Servers must not overlap). */
const SERVERS = new WeakMap<IConstruct, Map<string, ServerEntry>>();

/**
 * Linkerd authorization (policy.linkerd.io) for one namespace, from the same flow intents as
 * IstioAuthorization: per target port a Server v1beta3 (`accessPolicy: deny`: the port admits only
 * what an AuthorizationPolicy authorizes), and per flow a MeshTLSAuthentication v1alpha1 listing the
 * callers' identities and an AuthorizationPolicy v1alpha1 per port tying them together. Two flows to
 * the same pods and port share one Server; overlapping Servers (same port, overlapping pods) are an
 * error, because Linkerd then picks one arbitrarily. A Server is named `<app>-<port>` for pods
 * selected by `app` alone, else `<label values>-<hash of the selector>-<port>` (see
 * `linkerdServerName`), so selectors that differ get different names.
 *
 * Identities are `<service account>.<namespace>.serviceaccount.identity.<control plane namespace>.<trust domain>`
 * (the ClusterNetwork's `Mesh.linkerd({ controlPlaneNamespace, trustDomain })`, as Linkerd's proxies name themselves); a
 * namespace is `*.<namespace>...`; `MeshSource.anyMeshWorkload()` is `*`; `MeshSource.anyone()`
 * becomes a NetworkAuthentication for every address.
 *
 * A flow with HTTP `methods` or `paths` is route-level (linkerd.io "Configuring Per-Route
 * Authorization Policy"): per port an HTTPRoute (policy.linkerd.io v1beta3, named `<flow>-<port>`)
 * whose parent is the Server and whose matches are the flow's (path, method) pairs, and an
 * AuthorizationPolicy targeting that HTTPRoute instead of the Server. Once any HTTPRoute attaches to
 * a Server, Linkerd's proxy answers 404 to HTTP requests no route matches, and an AuthorizationPolicy
 * targeting the Server authorizes its clients on every route. So with the Server's first
 * route-level flow comes a catch-all HTTPRoute `<server>-catch-all` (PathPrefix `/`) without a
 * policy of its own: port-level flows on the Server keep every request, route-level clients get
 * only their routes. Linkerd routes each request to ONE route (longest path match, then a method
 * match), so two route-level flows on one Server whose requests overlap are an error, as is a
 * method-less match as general as the catch-all. Once a Server has routes, Linkerd's probe route
 * (unauthenticated `GET` of the pods' httpGet probe paths) is gone: at synth time every httpGet
 * liveness, readiness or startup probe on the Server's port of the app's workloads whose pods it
 * selects (on port 4191, or the port a workload's `config.linkerd.io/admin-port` gives, also the
 * injected proxy's own GET /live and /ready, which the manifests do not show) must be admitted by a flow from `MeshSource.anyone()` (a route-level flow with GET and the
 * path, or a port-level one), else synthesis fails naming the flow to add; nothing is authorized
 * implicitly, and workloads outside the app are not seen. Non-HTTP connections get the port-level
 * flows only.
 *
 * A Server's `proxyProtocol` overrides the pods' `config.linkerd.io/opaque-ports`, for the pods'
 * proxies and for clients resolving them (linkerd/linkerd2#6889, #6857), so each Server declares
 * `proxyProtocol: opaque` exactly where the port is opaque on the meshed pods it selects, as Linkerd's
 * proxy injector makes them: the pod template's `config.linkerd.io/opaque-ports`, else its Namespace
 * object's, else the cluster default `proxy.opaquePorts` filtered by the container ports the pod
 * declares, assumed to be the install default `25,587,3306,4444,5432,6379,9300,11211` (the Mesh fact
 * does not carry the Helm values). Read at synth time from the app's workloads (added before or after
 * the flow); a Server whose pods the app does not show keeps the default (`unknown`, protocol
 * detection). Selected pods that disagree on the port, an opaque-ports list Linkerd cannot read, and
 * a route-level flow on an opaque port (an opaque Server carries no HTTP routes) are synth errors, as
 * is a kubelet httpGet probe of a selected workload on an opaque Server's port that no port-level flow
 * from `MeshSource.anyone()` admits (no HTTP routes means no probe route either).
 *
 * Not supported here (errors): flows without ports (Servers are per port), Istio conditions and
 * principals.
 */
export class LinkerdAuthorization extends Construct {
  /** The namespace. */
  public readonly namespace: string;
  /**
   * Remedies for a kubelet httpGet probe refused on an opaque Server, in place of "add a flow from
   * MeshSource.anyone()", for an owner (ThreeTierApp) whose Servers take no flow of the user's.
   * @internal
   */
  public _opaqueProbeAdvice?: string;
  private readonly cluster: ClusterNetwork;
  private readonly names = new Set<string>();

  constructor(scope: Construct, id: string, props: LinkerdAuthorizationProps) {
    super(scope, id);
    this.cluster = requireMesh(this, 'LinkerdAuthorization', [MeshKind.LINKERD]);
    this.namespace = validateDnsLabel(this, 'namespace', requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS).namespace);
  }

  /** Authorize the callers of one flow on its ports. */
  public allowFlow(name: string, options: MeshFlowOptions): LinkerdFlowObjects {
    const prop = `flow '${requireString(this, 'name', name)}'`;
    const flow = validateFlow(this, prop, name, this.namespace, options);
    if (this.names.has(name)) throw propError(this, prop, 'the namespace already has a flow of that name');
    this.names.add(name);
    if (flow.ports.length === 0) throw propError(this, `${prop}.ports`, 'Linkerd authorizes per Server, and a Server is one port: name the ports');
    checkLinkerdFlowNames(this, prop, name, flow.ports);
    const routed = flow.methods.length > 0 || flow.paths.length > 0;
    if (routed) validateRouteRequests(this, prop, flow);
    if (flow.when.length > 0) throw propError(this, `${prop}.when`, 'conditions are Istio only');
    const principal = flow.sources.find((s) => s.kind === 'principal');
    if (principal) throw propError(this, `${prop}.from`, 'MeshSource.principal() is Istio only: use MeshSource.serviceAccount()');
    if (Object.keys(flow.to).length === 0) {
      throw propError(this, `${prop}.to`, SERVER_NEEDS_LABELS);
    }

    const entries = flow.ports.map((port) => this.server(flow, port));
    for (const entry of entries) entry.flows.push({ flow: name, path: this.node.path });
    if (routed) {
      entries.forEach((entry, i) => {
        const problem = routeOverlapProblem(flow, entry.routed, `Server '${entry.server.name}' (port ${flow.ports[i]})`);
        if (problem) throw propError(this, prop, problem);
      });
    }
    if (flow.sources.some((s) => s.kind === 'anyone')) {
      for (const entry of entries) entry.anyone.push(routed ? { methods: flow.methods, paths: flow.paths } : { methods: [], paths: [] });
    }
    const authentication = this.authentication(flow);
    const routes: ApiObject[] = [];
    const authorizationPolicies = entries.map((entry, i) => {
      let target = { group: 'policy.linkerd.io', kind: 'Server', name: entry.server.name };
      if (routed) {
        if (!entry.catchAll) {
          entry.catchAll = this.emit(`${entry.server.name}-catch-all`, 'HTTPRoute', 'v1beta3', {
            parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: entry.server.name }],
            rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
          });
          // At synth time, so that workloads and flows added later are seen.
          const e = entry;
          keepAppObjectsPerWalk(this);
          this.node.addValidation({
            validate: () => refusedProbeProblems(this.node.root, { name: e.server.name, ...e }),
          });
        }
        const route = this.emit(`${name}-${flow.ports[i]}`, 'HTTPRoute', 'v1beta3', {
          parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: entry.server.name }],
          rules: linkerdRouteRules(flow),
        });
        entry.routed.push({ flow: name, methods: flow.methods, paths: flow.paths });
        routes.push(route);
        target = { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: route.name };
      }
      return this.emit(`${name}-${flow.ports[i]}`, 'AuthorizationPolicy', 'v1alpha1', {
        targetRef: target,
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: authentication.kind, name: authentication.name }],
      });
    });
    return { authentication, authorizationPolicies, routes };
  }

  private authentication(flow: ValidatedFlow): ApiObject {
    if (flow.sources.some((s) => s.kind === 'anyone')) {
      return this.emit(flow.name, 'NetworkAuthentication', 'v1alpha1', { networks: this.cluster.anyAddressCidrs.map((cidr) => ({ cidr })) });
    }
    const suffix = linkerdIdentitySuffix(this.cluster.mesh);
    const identities = [...new Set(flow.sources.map((s) => {
      switch (s.kind) {
        case 'serviceAccount': return linkerdIdentity(s.name as string, s.namespace as string, suffix);
        case 'namespace': return linkerdIdentity('*', s.namespace as string, suffix);
        case 'anyMeshWorkload': return '*';
        // Refused above (Istio only); never a wildcard identity.
        case 'principal': throw internalError('MeshSource.principal() reached the Linkerd writer');
        // 'anyone' takes the NetworkAuthentication branch above; a new kind fails compilation here, never '*'.
        case 'anyone': throw internalError('MeshSource.anyone() reached the MeshTLSAuthentication writer');
        default: return assertNever(s.kind, 'mesh source kind');
      }
    }))];
    return this.emit(flow.name, 'MeshTLSAuthentication', 'v1alpha1', { identities });
  }

  /** The Server of these pods and port: shared by flows, never overlapping another. */
  private server(flow: ValidatedFlow, port: number): ServerEntry {
    const root = this.node.root;
    const servers = SERVERS.get(root) ?? new Map<string, ServerEntry>();
    SERVERS.set(root, servers);
    const selector = JSON.stringify(flow.to);
    const key = `${this.namespace}|${selector}|${port}`;
    const existing = servers.get(key);
    if (existing) return existing;
    const other = overlappingServer<ServerEntry>(servers.values(), { namespace: this.namespace, labels: flow.to, port });
    if (other) throw propError(this, `flow '${flow.name}'.to`, serverOverlapMessage(selector, other.selector, `Server '${other.server.name}'`, port));
    const labels = { ...flow.to };
    const name = linkerdServerName(labels, port);
    const target: ServerTarget = { name, namespace: this.namespace, labels, port };
    // Decided at synth, so that workloads and annotations added after the flow count (undefined: the key is left out).
    // Every cdk8s synthesis validates the App right before rendering: the Server's first rendering after a validation
    // uses what that walk decided (read from the walk's shared inventory), unless the tree has grown since. Any other
    // rendering (the Server's toJson() alone after a change that adds no construct: a JSON patch, a cdk8s-plus
    // addContainer) reads the app afresh, never an earlier decision.
    const proxyProtocol = Lazy.any({
      produce: () => {
        const kept = entry.protocol;
        entry.protocol = undefined;
        const decided = kept?.size === root.node.findAll().length ? kept.opaque : serverProtocol(root, target).opaque;
        return decided ? 'opaque' : undefined;
      },
    });
    const server = this.emit(name, 'Server', 'v1beta3', { podSelector: { matchLabels: { ...labels } }, port, proxyProtocol, accessPolicy: 'deny' });
    const entry: ServerEntry = { server, selector, namespace: this.namespace, labels, port, routed: [], anyone: [], flows: [] };
    servers.set(key, entry);
    keepAppObjectsPerWalk(this);
    this.node.addValidation({
      validate: () => {
        const protocol = serverProtocol(root, target);
        entry.protocol = { size: root.node.findAll().length, opaque: protocol.opaque };
        const probes = protocol.opaque && entry.routed.length === 0
          ? opaqueProbeProblems(root, { name, ...entry }, protocol.why, this._opaqueProbeAdvice) : [];
        return [...protocolProblems(protocol, target, entry), ...probes];
      },
    });
    return entry;
  }

  private emit(name: string, kind: string, version: string, spec: Record<string, unknown>): ApiObject {
    return registerObject(this, new ApiObject(this, constructIdFor(`${kind}-${name}`), {
      apiVersion: `policy.linkerd.io/${version}`,
      kind,
      metadata: { name, namespace: this.namespace },
      spec,
    }));
  }
}


/**
 * The synth-time errors of one Server's protocol (./server-protocol): selected pods that disagree on
 * whether the port is opaque, or whose opaque ports are not known; and route-level flows on a port
 * that is opaque. An opaque Server carries no HTTP routes (the proxy does not parse HTTP on an opaque
 * port: linkerd.io "TCP Proxying and Protocol Detection"; linkerd2 policy-controller grpc `inbound.rs`
 * sends the opaque protocol without the `http_routes` the detect and HTTP protocols carry), so the
 * flow's HTTPRoute and its policy would never apply.
 */
function protocolProblems(protocol: ServerProtocol, target: ServerTarget, entry: ServerEntry): string[] {
  const flows = entry.flows.map((f) => `flow '${f.flow}' (${f.path})`).join(', ');
  if (protocol.problems.length > 0) return protocol.problems.map((p) => `${flows}: ${p}`);
  if (!protocol.opaque) return [];
  return entry.routed.map(({ flow }) => {
    const owner = entry.flows.find((f) => f.flow === flow);
    return `flow '${flow}'${owner ? ` (${owner.path})` : ''} has methods or paths on port ${target.port}, which is opaque on the pods Server `
      + `'${target.name}' selects (${protocol.why}): Linkerd applies no HTTP route on an opaque port, so its HTTPRoute and policy would never `
      + `apply. If the port speaks HTTP, remove ${target.port} from config.linkerd.io/opaque-ports on those pods' template or namespace (write the `
      + 'annotation without it to override the default list); otherwise drop methods and paths (a port-level flow), or pick another port';
  });
}
