/**
 * Linkerd authorization of one flow at its destination (internal), per the linkerd.io
 * "Authorization Policy" reference (edge-26.8 / 2.20 CRDs):
 *
 * - A Server (policy.linkerd.io, v1beta3) selects pods of its namespace (`podSelector`, also by the labels the proxy injector adds:
 *   `linkerd.io/control-plane-ns`, `linkerd.io/workload-ns` and the owner label of ./linkerd-owner-labels) and one port
 *   (number, or a container port name; `linkerd-admin` names the injected proxy's admin port of every
 *   meshed pod, 4191 unless `config.linkerd.io/admin-port` of the pod or its namespace moves it, though no
 *   manifest shows that container). A port a Server describes admits what an AuthorizationPolicy
 *   targeting that Server (or `kind: Namespace`, the policy's own namespace whatever name it gives: every Server there)
 *   authorizes; anything else gets the Server's `accessPolicy` (default `deny`).
 * - An AuthorizationPolicy (v1alpha1) applies when ALL its `requiredAuthenticationRefs` match (./linkerd-authentication):
 *   MeshTLSAuthentication (`identities`: exact, `*`, or `*.suffix`; `identityRefs`: ServiceAccount,
 *   optionally all of a namespace, or Namespace), NetworkAuthentication (`networks[].cidr` minus
 *   `except`, against the client address) or a ServiceAccount directly. Linkerd refuses a policy with
 *   another kind, two identity sources (MeshTLSAuthentication, ServiceAccount) or two
 *   NetworkAuthentications (a reference's group counts: none is the core group), and a
 *   MeshTLSAuthentication with another identityRefs kind (core ServiceAccount, Namespace) or no identity:
 *   they authorize nobody.
 * - A port no Server describes gets the default inbound policy: pod annotation
 *   `config.linkerd.io/default-inbound-policy`, else the namespace's, else the cluster's
 *   (`all-unauthenticated` unless installed otherwise; `cluster-*` admit clients in the Helm value
 *   `clusterNetworks`); on the ports of the pod's (else namespace's)
 *   `config.linkerd.io/proxy-require-identity-inbound-ports`, an `*-unauthenticated` one is
 *   `*-authenticated` (linkerd2 policy controller, default inbound server).
 * - Clients outside the mesh have no identity: only unauthenticated policies and NetworkAuthentication
 *   admit them. Meshed identities are `<sa>.<ns>.serviceaccount.identity.<Linkerd's namespace>.<trust domain>`.
 *
 * - HTTPRoutes whose parent is a Server (kind and group ignoring case, a missing group being the route
 *   CRD's default; a Server in another namespace makes Linkerd refuse the route) with proxyProtocol unknown, HTTP/1 or HTTP/2 (./linkerd-routes, ./linkerd-route-verdict):
 *   an HTTP request must match one of them, else the proxy answers 404; it goes to one route and is
 *   authorized by the AuthorizationPolicies targeting that route or by the Server's own
 *   authorizations (linkerd2 proxy: route authorizations are the route's plus the Server's). A
 *   question without a request gets `allow` with L7 constraints when only some routes admit the
 *   client.
 *
 * - The policy controller adds a probe route (./linkerd-probe-route) to servers without HTTPRoutes (HTTP or detected, not
 *   opaque; a port no Server describes is opaque by the pod's or namespace's `config.linkerd.io/opaque-ports`,
 *   else by the cluster default ports the pod declares, which the proxy injector writes: ./linkerd-opaque): GET on the pod's HTTP probe paths of the port (./linkerd-probes: the containers'
 *   liveness, readiness and startup httpGet probes, and the injected proxy's GET /live and /ready on
 *   its admin port, 4191 or its `config.linkerd.io/admin-port`), for clients in policyController.probeNetworks (every address unless the
 *   analysis is told otherwise; none: no probe route) without authentication; other clients' probe
 *   requests are judged like any request. A port the injector may or may not have made opaque (an
 *   entry of proxy.opaquePorts that is not one plain port) is indeterminate where the probe route decides.
 * - gRPC Servers take GRPCRoutes (gateway.networking.k8s.io), matched on POST /<service>/<method> and authorized as HTTPRoutes
 *   are (./linkerd-grpc-routes; header matches, hostnames and RegularExpression method matches are indeterminate); opaque and TLS ones no route: HTTPRoutes
 *   on them change nothing. The legacy ServerAuthorization is not evaluated (indeterminate).
 * - Between meshed pods the CNI sees the destination's inbound proxy port (wirePort: 4143, or the pod's, else its namespace's,
 *   `config.linkerd.io/inbound-port` as the injector reads it, ./linkerd-inbound-port; not known: the CNI verdict is indeterminate),
 *   and a policy there may name it `linkerd-proxy`, the injected proxy's container port.
 * - A connection from the destination's own node to a port its tcpSocket probes check keeps its verdict, with a note: the
 *   kubelet's probe passes whatever the verdict, as the proxy completes the handshake itself (./linkerd-tcp-probes).
 */
import { MeshFacts, NamespaceAnnotations } from './facts';
import { adminPortOf, LinkerdAdminPort } from './linkerd-admin-port';
import { Client, policyJudgement, requiredAuthentications } from './linkerd-authentication';
import { isRpcRequest, linkerdGrpcRoute } from './linkerd-grpc-routes';
import { inboundPortOf, LINKERD_INBOUND_PORT, LINKERD_INBOUND_PORT_NAME, LinkerdInboundPort } from './linkerd-inbound-port';
import { DefaultOpaquePorts, defaultOpaquePortsByWorkload, OpaquePorts, opaquePortsOf } from './linkerd-opaque';
import { LINKERD_OWNER_LABELS, linkerdOwnerLabelsByWorkload, OwnerLabels } from './linkerd-owner-labels';
import { linkerdPortSet } from './linkerd-ports';
import { withProbeRoute } from './linkerd-probe-route';
import {
  LINKERD_ADMIN_PORT, LINKERD_ADMIN_PORT_NAME, ProbePaths,
  probePathsByWorkload,
} from './linkerd-probes';
import { isLinkerdGroup, isLinkerdKind, serverParents } from './linkerd-refs';
import { LinkerdRoute } from './linkerd-route-model';
import { RouteAuthorization, routedVerdict } from './linkerd-route-verdict';
import { linkerdRequestPath, linkerdRoute } from './linkerd-routes';
import { tcpProbeNote, tcpProbePortsByWorkload } from './linkerd-tcp-probes';
import { Membership } from './membership';
import { MembershipCache, MeshModel, MeshQuery, WirePort } from './mesh-model';
import { apiGroupOf, isPlainObject, namespaceOf, nameOf } from '../../util/vocabulary';
import { addressKey } from '../addresses';
import { describeRequest } from '../http-request';
import { describeRef, DirectionVerdict, Endpoint, isLocalNode, L4Protocol, ManifestObject, NamespaceIndex, ObjectRef, Reason, refOf, sideVerdict } from '../model';
import { Labels, LabelSelector, matchesLabelSelector } from '../selectors';
import { labelKeysReadIn } from '../uncertainty/controller-label-reads';
import { podSelection } from '../uncertainty/controller-label-selection';
import { MAYBE, NO, Tri, YES } from '../verdict';

export { LINKERD_INBOUND_PORT };
const GROUP = 'policy.linkerd.io';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const SERVER_VERSIONS = ['v1alpha1', 'v1beta1', 'v1beta2', 'v1beta3'];
/** Server proxyProtocols that carry HTTP/1 or HTTP/2 requests, which HTTPRoutes match. */
const HTTP_PROTOCOLS = ['unknown', 'HTTP/1', 'HTTP/2'];

interface Server {
  readonly obj: ManifestObject;
  readonly ref: ObjectRef;
  readonly selector: LabelSelector;
  readonly port: string;
  readonly accessPolicy: string;
}

function linkerdKind(obj: unknown, kind: string): boolean {
  return isPlainObject(obj) && obj.kind === kind && apiGroupOf(obj) === GROUP;
}

/** The Linkerd mesh layer. */
export class LinkerdModel implements MeshModel {
  readonly notes: string[] = [];
  private readonly servers = new Map<string, Server[]>();
  private readonly policies = new Map<string, ManifestObject[]>();
  private readonly authentications = new Map<string, ManifestObject>();
  private readonly routesByServer = new Map<string, ManifestObject[]>();
  private readonly legacy = new Map<string, ManifestObject[]>();
  /** GRPCRoutes by the `namespace/name` of their Server parents. */
  private readonly grpcRoutesByServer = new Map<string, ManifestObject[]>();
  /** `<kind>|<namespace>/<Server name>` -> its routes as read (./linkerd-routes, ./linkerd-grpc-routes), filled on first use. */
  private readonly routeCache = new Map<string, LinkerdRoute[]>();
  /** Each endpoint's admin port as read off its annotations (./linkerd-admin-port), asked several times per flow. */
  private readonly adminPorts = new WeakMap<Endpoint, LinkerdAdminPort>();
  /** Each endpoint's inbound proxy port as read off its annotations (./linkerd-inbound-port), asked for every meshed flow. */
  private readonly inboundPorts = new WeakMap<Endpoint, LinkerdInboundPort>();
  /** Each destination as the CNI sees it on its inbound proxy port: with the injected `linkerd-proxy` container port. */
  private readonly wireViews = new WeakMap<Endpoint, Endpoint>();
  /** The application containers' HTTP probe paths, by endpoint name (pods added by the caller have none). */
  private readonly probes: Map<string, ProbePaths>;
  /** The ports of the application containers' tcpSocket probes, by endpoint name (./linkerd-tcp-probes). */
  private readonly tcpProbes: Map<string, number[]>;
  /** The default opaque ports the proxy injector writes onto each workload's pods, by endpoint name (./linkerd-opaque). */
  private readonly defaultOpaque: Map<string, DefaultOpaquePorts>;
  /** The owner labels the proxy injector adds to each workload's pods, by endpoint name (./linkerd-owner-labels). */
  private readonly owners: Map<string, OwnerLabels>;
  /**
   * The owner label keys some object may read: they name each workload, so the matrix's keys hold
   * only these (./mesh-matrix, ../matrix-evaluator).
   */
  private readonly ownerKeysRead: ReadonlySet<string>;
  private readonly members: MembershipCache;
  /** `serviceaccount.identity.<Linkerd's namespace>.<trust domain>`, the end of every proxy identity. */
  private readonly identitySuffix: string;

  constructor(manifests: readonly ManifestObject[], readonly facts: MeshFacts, namespaces: NamespaceIndex,
    private readonly annotations: NamespaceAnnotations) {
    this.members = new MembershipCache(facts, namespaces, annotations);
    this.identitySuffix = `serviceaccount.identity.${facts.linkerdNamespace}.${facts.trustDomain}`;
    this.probes = probePathsByWorkload(manifests);
    this.tcpProbes = tcpProbePortsByWorkload(manifests);
    this.owners = linkerdOwnerLabelsByWorkload(manifests);
    this.ownerKeysRead = labelKeysReadIn(manifests, Object.values(LINKERD_OWNER_LABELS));
    this.defaultOpaque = defaultOpaquePortsByWorkload(manifests, facts.linkerdOpaquePorts);
    const push = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
    for (const obj of manifests) {
      const ns = namespaceOf(obj);
      const version = typeof obj.apiVersion === 'string' ? obj.apiVersion.split('/')[1] : '';
      if (linkerdKind(obj, 'Server')) {
        const spec = isPlainObject(obj.spec) ? obj.spec : {};
        if (!SERVER_VERSIONS.includes(version) || spec.port === undefined || !isPlainObject(spec.podSelector)) {
          this.notes.push(`${describeRef(refOf(obj))} is left out of the mesh analysis: ${!SERVER_VERSIONS.includes(version)
            ? `${obj.apiVersion} is not served` : 'it needs port and podSelector (externalWorkloadSelector is not modelled)'}`);
          continue;
        }
        push(this.servers, ns, {
          obj, ref: refOf(obj), selector: spec.podSelector as LabelSelector, port: String(spec.port), accessPolicy: String(spec.accessPolicy ?? 'deny'),
        });
      } else if (linkerdKind(obj, 'AuthorizationPolicy')) {
        push(this.policies, ns, obj);
      } else if (linkerdKind(obj, 'MeshTLSAuthentication') || linkerdKind(obj, 'NetworkAuthentication')) {
        this.authentications.set(`${obj.kind}|${ns}|${nameOf(obj)}`, obj);
      } else if (linkerdKind(obj, 'ServerAuthorization')) {
        push(this.legacy, ns, obj);
      } else if ((obj.kind === 'HTTPRoute' && (apiGroupOf(obj) === GROUP || apiGroupOf(obj) === GATEWAY_GROUP))
        || (obj.kind === 'GRPCRoute' && apiGroupOf(obj) === GATEWAY_GROUP)) {
        const parents = serverParents(obj, ns);
        if (!Array.isArray(parents)) {
          this.notes.push(`${describeRef(refOf(obj))} is left out of the mesh analysis: ${parents.refused}, so Linkerd refuses the route`);
        }
        const byServer = obj.kind === 'GRPCRoute' ? this.grpcRoutesByServer : this.routesByServer;
        for (const name of Array.isArray(parents) ? parents : []) push(byServer, `${ns}/${name}`, obj);
      }
    }
  }

  membership(endpoint: Endpoint): Membership {
    return this.members.of(endpoint);
  }

  sourceKey(e: Endpoint): string {
    return JSON.stringify([e.kind, e.hostNetwork, e.nodeLocality ?? null, e.namespace, e.serviceAccount, sortedEntries(e.annotations),
      sortedEntries(e.namespaceLabels), addressKey(e)]);
  }

  destinationKey(e: Endpoint): string {
    return JSON.stringify([e.kind, e.hostNetwork, e.namespace, sortedEntries(e.labels), sortedEntries(e.annotations), e.namedPorts.map((p) => `${p.name}=${p.protocol}/${p.port}`).sort(),
      [...(this.probes.get(e.name) ?? new Map()).entries()], this.tcpProbes.get(e.name) ?? [], this.defaultOpaque.get(e.name) ?? null,
      this.ownerKey(e), e.runtimeLabels ?? []]);
  }

  /** The owner labels of `e`'s pods that some object may read (an unknown owner only matters when one is read). */
  private ownerKey(e: Endpoint): OwnerLabels | null {
    const owner = this.owners.get(e.name);
    if (owner === undefined || this.ownerKeysRead.size === 0) return null;
    if ('unknown' in owner) return owner;
    return { labels: Object.fromEntries(Object.entries(owner.labels).filter(([k]) => this.ownerKeysRead.has(k))) };
  }

  wirePort(source: Endpoint, destination: Endpoint, port: number, protocol: L4Protocol): WirePort | undefined {
    if (protocol !== 'TCP') return undefined;
    const s = this.members.of(source);
    const d = this.members.of(destination);
    if (!s.dataPlane || !d.dataPlane || s.outboundBypass.has(port) || d.inboundBypass.has(port)) return undefined;
    const inbound = this.inboundPortOf(destination);
    const common = '(linkerd.io "Network Policy" common error)';
    if (inbound.port === undefined) {
      return {
        port: LINKERD_INBOUND_PORT,
        protocol: 'TCP',
        why: `between meshed pods Linkerd replaces the destination port by the destination's inbound proxy port, which the CNI sees ${common}`,
        unknownPort: `the inbound proxy port of the destination is not known: ${inbound.unknown}`,
      };
    }
    const moved = inbound.from === 'default' ? '' : ` (moved by ${inbound.from === 'pod' ? 'the pod template' : 'the namespace'} annotation `
      + 'config.linkerd.io/inbound-port)';
    return {
      port: inbound.port,
      protocol: 'TCP',
      why: `between meshed pods Linkerd replaces the destination port by the destination's inbound proxy port ${inbound.port}${moved}, which the CNI sees `
        + `${common}${inbound.ignored !== undefined ? `; ${inbound.ignored}` : ''}`,
      destination: this.wireView(destination, inbound.port),
    };
  }

  /** The destination's inbound proxy port, as the proxy injector reads `config.linkerd.io/inbound-port` (./linkerd-inbound-port). */
  private inboundPortOf(destination: Endpoint): LinkerdInboundPort {
    let inbound = this.inboundPorts.get(destination);
    if (inbound === undefined) {
      inbound = inboundPortOf(destination, this.annotations.get(destination.namespace ?? 'default'));
      this.inboundPorts.set(destination, inbound);
    }
    return inbound;
  }

  /**
   * `destination` with the injected proxy's container port `linkerd-proxy` (its inbound port: linkerd2
   * charts/partials/templates/_proxy.tpl), which a NetworkPolicy may name though no manifest shows it; one object per destination.
   */
  private wireView(destination: Endpoint, inbound: number): Endpoint {
    if (destination.namedPorts.some((p) => p.name === LINKERD_INBOUND_PORT_NAME)) return destination;
    let view = this.wireViews.get(destination);
    if (view === undefined) {
      view = { ...destination, namedPorts: [...destination.namedPorts, { name: LINKERD_INBOUND_PORT_NAME, port: inbound, protocol: 'TCP' }] };
      this.wireViews.set(destination, view);
    }
    return view;
  }

  encryption(source: Endpoint, destination: Endpoint, port: number, protocol: L4Protocol): string | undefined {
    return this.wirePort(source, destination, port, protocol) ? 'the source and the destination are both meshed: Linkerd sends this flow over mutual TLS' : undefined;
  }

  evaluate(q: MeshQuery): DirectionVerdict {
    const verdict = this.authorize(q);
    // The kubelet's tcpSocket probe (a connect from the destination's own node, no request) passes through the proxy whatever it
    // authorizes (./linkerd-tcp-probes): the verdict stands for the connection, the note says what it means for the probe.
    const dst = this.members.of(q.destination);
    if (q.protocol !== 'TCP' || q.request || !isLocalNode(q.source) || !dst.dataPlane || dst.inboundBypass.has(q.port)
      || !(this.tcpProbes.get(q.destination.name) ?? []).includes(q.port)) return verdict;
    return { ...verdict, reasons: [...verdict.reasons, { effect: 'log', message: tcpProbeNote(q.destination.name, q.port) }] };
  }

  private authorize(q: MeshQuery): DirectionVerdict {
    const dst = this.members.of(q.destination);
    const flowText = `${q.source.name} -> ${q.destination.name} ${q.protocol}/${q.port}${q.request ? ` ${describeRequest(q.request)}` : ''}`;
    const bypass = (message: string): DirectionVerdict => sideVerdict(YES, [{ effect: 'default-allow', message }]);
    // A meshed pod whose admin or inbound port no port can be is refused by the API server (./linkerd-port-override): flows from it and to it,
    // whatever the protocol and the other end, are not known rather than judged as if it ran. A pod whose admin port is only
    // ambiguous runs: that matters only where its proxy's policy decides, below.
    const refused = [...new Set([q.source, q.destination].map((e) => this.refusedPod(e)).filter((why): why is string => why !== undefined))];
    if (refused.length > 0) return sideVerdict(MAYBE, refused.map((message) => ({ effect: 'uncertain' as const, message })), refused);
    if (!dst.dataPlane) return bypass(`${dst.why}: Linkerd authorization does not apply to ${flowText}`);
    if (q.protocol !== 'TCP') return bypass(`Linkerd proxies TCP only: ${q.protocol} traffic to ${q.destination.name} bypasses its proxy`);
    const admin = this.adminPortOf(q.destination);
    if (admin.port === undefined) {
      const why = `the Linkerd proxy admin port of ${q.destination.name} is not known: ${admin.unknown}`;
      return sideVerdict(MAYBE, [{ effect: 'uncertain', message: why }], [why]);
    }
    // The admin server is the proxy's own listener, not reached through the inbound redirect: it enforces the port's policy
    // whatever the redirect skips (linkerd2-proxy app/admin stack.rs NewHttpPolicy; app/src/env.rs adds its port to policy discovery).
    if (dst.inboundBypass.has(q.port) && q.port !== this.adminPort(q.destination)) {
      return bypass(`${q.destination.name}'s proxy skips inbound port ${q.port} (${dst.inboundBypass.source}): no Linkerd policy applies`);
    }
    const client = this.clientOf(q);
    const ns = q.destination.namespace ?? 'default';
    // The proxy injector labels every meshed pod with its control plane's namespace and its own (linkerd2 pkg/k8s ControllerNSLabel,
    // WorkloadNamespaceLabel); `linkerd viz allow-scrapes` selects `linkerd.io/control-plane-ns` Exists.
    // It also names the pod's owner (./linkerd-owner-labels), when the manifests tell which.
    const owner = this.owners.get(q.destination.name) ?? { labels: {} };
    const labels = {
      ...q.destination.labels,
      'linkerd.io/control-plane-ns': this.facts.linkerdNamespace,
      'linkerd.io/workload-ns': ns,
      ...('labels' in owner ? owner.labels : {}),
    };
    const onPort = (this.servers.get(ns) ?? []).filter((s) => this.portMatches(s.port, q));
    if ('unknown' in owner) {
      const unsure = onPort.filter((s) => ownerSelection(s.selector, labels) === undefined);
      if (unsure.length > 0) {
        const why = `whether ${unsure.map((s) => describeRef(s.ref)).join(', ')} select${unsure.length === 1 ? 's' : ''} the destination is not known: `
          + `${unsure.length === 1 ? 'it selects' : 'they select'} by an owner label of Linkerd's proxy injector, and ${owner.unknown}`;
        return sideVerdict(MAYBE, [{ effect: 'uncertain', message: why }], [why]);
      }
    }
    // A podSelector on a label the pod's controller sets at runtime may select some of its pods only
    // (../uncertainty/controller-label-selection).
    const selections = onPort.map((s) => ({ s, selection: podSelection(s.selector, q.destination, describeRef(s.ref), labels) }));
    const undecided = selections.flatMap(({ selection }) => ('unknown' in selection ? [selection.unknown] : []));
    if (undecided.length > 0) return sideVerdict(MAYBE, undecided.map((message) => ({ effect: 'uncertain' as const, message })), undecided);
    const servers = onPort.filter((s) => ('unknown' in owner ? ownerSelection(s.selector, labels) : matchesLabelSelector(s.selector, labels)));
    if (servers.length === 0) return this.defaultPolicy(q, dst, client, flowText);
    const verdicts = servers.map((s) => this.serverVerdict(s, q, client, flowText));
    const outcomes = new Set(verdicts.map((v) => v.outcome));
    if (verdicts.length === 1 || outcomes.size === 1) return verdicts[0];
    const why = `${servers.map((s) => describeRef(s.ref)).join(', ')} all describe port ${q.port} of the destination and decide differently; `
      + 'Linkerd uses one of overlapping Servers';
    return sideVerdict(MAYBE, [{ effect: 'uncertain', message: why }, ...verdicts.flatMap((v) => v.reasons)], [why]);
  }

  private portMatches(port: string, q: MeshQuery): boolean {
    if (/^\d+$/.test(port)) return Number(port) === q.port;
    // The injected proxy container (not in the manifests) names its admin port.
    if (port === LINKERD_ADMIN_PORT_NAME && q.port === this.adminPort(q.destination)) return true;
    // The policy controller resolves a Server's port name over the TCP ports of the pod's containers and init containers, native
    // sidecars included (linkerd2 policy-controller k8s index `pod_tcp_ports_by_name`; init containers read since linkerd/linkerd2#14144,
    // June 2025, before edge-26.8.3; older copies of inbound/pod.rs `tcp_ports_by_name` read the containers only).
    return q.destination.namedPorts.some((p) => p.name === port && p.port === q.port && p.protocol === 'TCP');
  }

  private clientOf(q: MeshQuery): Client {
    const m = this.members.of(q.source);
    if (m.dataPlane && !m.outboundBypass.has(q.port)) {
      const identity = `${q.source.serviceAccount ?? 'default'}.${q.source.namespace ?? 'default'}.${this.identitySuffix}`;
      return { endpoint: q.source, identity, text: `as ${identity}` };
    }
    const why = m.dataPlane ? `its proxy skips outbound port ${q.port} (${m.outboundBypass.source})` : m.why;
    return { endpoint: q.source, text: `without a mesh identity (${why})` };
  }

  /** The routes of kind `kind` whose parent is the Server `key` (`namespace/name`), read once per Server and kind. */
  private parsedRoutes(kind: 'HTTPRoute' | 'GRPCRoute', key: string): LinkerdRoute[] {
    const cacheKey = `${kind}|${key}`;
    let routes = this.routeCache.get(cacheKey);
    if (routes === undefined) {
      routes = kind === 'GRPCRoute' ? (this.grpcRoutesByServer.get(key) ?? []).map(linkerdGrpcRoute) : (this.routesByServer.get(key) ?? []).map(linkerdRoute);
      this.routeCache.set(cacheKey, routes);
    }
    return routes;
  }

  private serverVerdict(server: Server, q: MeshQuery, client: Client, flowText: string): DirectionVerdict {
    const serverName = describeRef(server.ref);
    const key = `${server.ref.namespace ?? 'default'}/${server.ref.name}`;
    const uncertain: string[] = [];
    const reasons: Reason[] = [];
    const protocol = String(server.obj.spec?.proxyProtocol ?? 'unknown');
    // The proxy routes HTTP/1, HTTP/2 and detected HTTP by HTTPRoutes, gRPC by GRPCRoutes, opaque and TLS
    // connections by none (linkerd2 policy-controller/grpc/src/inbound.rs `to_server`: the inbound server's routes per protocol).
    const routes = protocol === 'gRPC' ? this.parsedRoutes('GRPCRoute', key)
      : HTTP_PROTOCOLS.includes(protocol) ? this.parsedRoutes('HTTPRoute', key) : [];
    const routed = routes.length > 0;
    for (const legacy of this.legacy.get(server.ref.namespace ?? 'default') ?? []) {
      uncertain.push(`${describeRef(refOf(legacy))} (legacy ServerAuthorization) may authorize clients of ${serverName} and is not evaluated`);
    }
    const ns = server.ref.namespace ?? 'default';
    let allowed: Tri = NO;
    for (const policy of this.policies.get(ns) ?? []) {
      const target = isPlainObject(policy.spec?.targetRef) ? policy.spec.targetRef : {};
      const onServer = isLinkerdKind(target.kind, 'Server') && isLinkerdGroup(target.group, GROUP) && target.name === server.ref.name;
      // linkerd2's policy controller reads a Namespace target as the policy's own namespace and never reads its name.
      const onNamespace = isLinkerdKind(target.kind, 'Namespace') && isLinkerdGroup(target.group, '');
      if (!onServer && !onNamespace) continue;
      const j = requiredAuthentications(policy, client, this.authentications, this.identitySuffix);
      if (j.truth === YES && allowed !== YES) {
        allowed = YES;
        reasons.push({
          object: refOf(policy),
          rule: 'spec.requiredAuthenticationRefs',
          effect: 'allow',
          message: `${describeRef(refOf(policy))} (targeting ${onServer ? serverName : `namespace ${ns}${target.name === ns ? ''
            : ': a Namespace targetRef is the policy\'s own namespace, whatever name it gives'}`}) authorizes ${flowText}: ${j.why}`,
        });
      } else if (j.truth === MAYBE) {
        if (allowed === NO) allowed = MAYBE;
        uncertain.push(`${describeRef(refOf(policy))}: ${j.why}`);
      } else if (j.truth === NO) {
        // Not a deciding object: it is only why the policy did not apply.
        reasons.push({ effect: 'log', message: `${describeRef(refOf(policy))} does not authorize ${client.endpoint.name}: ${j.why}` });
      }
    }
    let serverLevel: DirectionVerdict;
    if (allowed === YES) {
      serverLevel = sideVerdict(YES, reasons.filter((r) => r.effect === 'allow'));
    } else {
      const fallback = policyJudgement(server.accessPolicy, client, this.facts);
      const fallbackReason: Reason = {
        object: server.ref,
        rule: 'spec.accessPolicy',
        effect: fallback.truth === YES ? 'allow' : 'isolate',
        message: `${serverName} describes port ${q.port} of ${q.destination.name}; no AuthorizationPolicy ${uncertain.length > 0 ? 'surely ' : ''}`
          + `${routed ? 'targeting it or its namespace ' : ''}authorizes ${flowText} (${client.text}), so its accessPolicy ${server.accessPolicy}`
          + `${server.obj.spec?.accessPolicy === undefined ? ' (the default)' : ''} applies: ${fallback.why}`,
      };
      const truth = fallback.truth === YES ? YES : fallback.truth === MAYBE || allowed === MAYBE || uncertain.length > 0 ? MAYBE : NO;
      if (truth === MAYBE && fallback.truth === MAYBE) uncertain.push(`${serverName} spec.accessPolicy: ${fallback.why}`);
      serverLevel = sideVerdict(truth, [...reasons, fallbackReason, ...uncertain.map((u) => ({ effect: 'uncertain' as const, message: u }))],
        truth === MAYBE ? uncertain : []);
    }
    if (routed) {
      const own = new Map(routes.map((r) => [r, this.routeAuthorization(r, server.ref.namespace ?? 'default', client, flowText)]));
      return routedVerdict(server.ref, routes, own, serverLevel, q, client.endpoint, flowText);
    }
    if (protocol === 'gRPC' && q.request && !isRpcRequest(q.request, linkerdRequestPath(q.request.path))) {
      return sideVerdict(NO, [{
        object: server.ref,
        effect: 'isolate',
        message: `${serverName} is a gRPC Server without GRPCRoutes: its default route takes POST /<service>/<method> only, so Linkerd's proxy `
          + `refuses ${flowText} (no route found; linkerd2 policy controller default gRPC route, linkerd2-proxy grpc MatchRpc)`,
      }]);
    }
    // Probe routes are HTTP routes: a Server of another protocol (or with HTTPRoutes, above) has none.
    return HTTP_PROTOCOLS.includes(protocol) ? this.withProbeRoute(serverLevel, q, flowText) : serverLevel;
  }

  /** The AuthorizationPolicies targeting one route, for this client. */
  private routeAuthorization(route: LinkerdRoute, ns: string, client: Client, flowText: string): RouteAuthorization {
    let truth: Tri = NO;
    const reasons: Reason[] = [];
    const uncertain: string[] = [];
    if (route.unknown) uncertain.push(`${describeRef(route.ref)}: ${route.unknown}`);
    for (const policy of this.policies.get(ns) ?? []) {
      const target = isPlainObject(policy.spec?.targetRef) ? policy.spec.targetRef : {};
      if (!isLinkerdKind(target.kind, route.kind) || target.name !== route.name || !isLinkerdGroup(target.group, route.group)) continue;
      const j = requiredAuthentications(policy, client, this.authentications, this.identitySuffix);
      if (j.truth === YES) {
        if (truth !== YES) {
          reasons.push({
            object: refOf(policy),
            rule: 'spec.requiredAuthenticationRefs',
            effect: 'allow',
            message: `${describeRef(refOf(policy))} (targeting ${describeRef(route.ref)}: ${route.text}) authorizes ${flowText}: ${j.why}`,
          });
        }
        truth = YES;
      } else if (j.truth === MAYBE) {
        if (truth === NO) truth = MAYBE;
        uncertain.push(`${describeRef(refOf(policy))}: ${j.why}`);
      } else {
        reasons.push({ effect: 'log', message: `${describeRef(refOf(policy))} does not authorize ${client.endpoint.name}: ${j.why}` });
      }
    }
    return { truth, reasons, uncertain };
  }

  private defaultPolicy(q: MeshQuery, dst: Membership, client: Client, flowText: string): DirectionVerdict {
    const given = dst.defaultPolicy?.value ?? this.facts.linkerdDefaultPolicy;
    let source = dst.defaultPolicy?.source
      ?? (this.facts.linkerdDefaultPolicyGiven ? 'the cluster default' : 'the cluster default, assumed to be Linkerd\'s install default');
    // linkerd2's policy controller makes an allowing default policy authenticated-only on the ports of
    // the pod's config.linkerd.io/proxy-require-identity-inbound-ports (the injector copies the
    // namespace's annotation to the pod); Servers do not read it.
    let policy = given;
    const required = this.requireIdentityPorts(q.destination);
    if (required?.has(q.port) && given.endsWith('-unauthenticated')) {
      policy = given.replace(/-unauthenticated$/, '-authenticated');
      source += `; ${given} made authenticated on this port by ${required.source}`;
    }
    const j = policyJudgement(policy, client, this.facts);
    const message = `no Server describes port ${q.port} of ${q.destination.name}: the default inbound policy ${policy} (${source}) applies to `
      + `${flowText} (${client.text}): ${j.why}`;
    // The flow matrix and the diff share the uncertainty between pods of a class: it names no pod.
    const uncertain = `no Server describes port ${q.port} of the destination: the default inbound policy ${policy} (${source}) applies: ${j.why}`;
    const verdict = sideVerdict(j.truth, [{ effect: j.truth === YES ? 'default-allow' : j.truth === NO ? 'isolate' : 'uncertain', message }],
      j.truth === MAYBE ? [uncertain] : []);
    // The default server of an opaque port (./linkerd-opaque: the pod's annotation, else its namespace's, else the
    // injector's default opaque ports it declares) is not HTTP: no probe route.
    const opaque = this.opaquePorts(q.destination);
    if (opaque === undefined || !opaque.has(q.port)) {
      const routed = this.withProbeRoute(verdict, q, flowText);
      // A port the proxy injector may or may not have marked opaque: the probe route exists only if it did not.
      if (!opaque?.unsure?.has(q.port) || sameDecision(routed, verdict)) return routed;
      const why = `port ${q.port} of the destination may be opaque, and an opaque port's default server carries no probe route: ${opaque.unsure.why}`;
      return sideVerdict(MAYBE, [...routed.reasons.map((r) => ({ ...r, effect: r.effect === 'default-allow' ? 'log' as const : r.effect })),
        { effect: 'uncertain', message: why }], [...(routed.uncertain ?? []), why]);
    }
    const probed = (this.probes.get(q.destination.name)?.get(q.port) ?? []).length > 0 || q.port === this.adminPort(q.destination);
    if (!probed || verdict.outcome === YES) return verdict;
    const why = `port ${q.port} of ${q.destination.name} is opaque (${opaque.source}): its default server carries no probe route`;
    return { ...verdict, reasons: [...verdict.reasons, { effect: 'log', message: why }] };
  }

  /** The probe route (./linkerd-probe-route) with this destination's probe paths and admin port. */
  private withProbeRoute(verdict: DirectionVerdict, q: MeshQuery, flowText: string): DirectionVerdict {
    return withProbeRoute(verdict, q, flowText, this.probes.get(q.destination.name)?.get(q.port) ?? [], this.adminPort(q.destination), this.facts);
  }

  private opaquePorts(destination: Endpoint): OpaquePorts | undefined {
    return opaquePortsOf(destination, this.annotations.get(destination.namespace ?? 'default'), this.defaultOpaque.get(destination.name),
      { list: this.facts.linkerdOpaquePorts, given: this.facts.linkerdOpaquePortsGiven });
  }

  /**
   * The proxy's admin port (its listener, the container port `linkerd-admin` and the port of its own
   * probes), as the proxy injector reads `config.linkerd.io/admin-port` (./linkerd-admin-port): the
   * pod's value when it has one (a value that is no number gives the default 4191, not the
   * namespace's), else its namespace's, else 4191. Undefined port: not known (evaluate says so).
   */
  private adminPortOf(destination: Endpoint): LinkerdAdminPort {
    let admin = this.adminPorts.get(destination);
    if (admin === undefined) {
      admin = adminPortOf(destination, this.annotations.get(destination.namespace ?? 'default'));
      this.adminPorts.set(destination, admin);
    }
    return admin;
  }

  /**
   * Why a meshed `endpoint` is never created (its admin or inbound port is no port: the API server refuses it); undefined when it is
   * created (its admin port known, or only ambiguous) or Linkerd does not inject it.
   */
  private refusedPod(endpoint: Endpoint): string | undefined {
    if (!this.members.of(endpoint).dataPlane) return undefined;
    const admin = this.adminPortOf(endpoint);
    if (admin.refused) return `the Linkerd proxy admin port of ${endpoint.name} is not known: ${admin.unknown}`;
    const inbound = this.inboundPortOf(endpoint);
    return inbound.refused ? `the Linkerd proxy inbound port of ${endpoint.name} is not known: ${inbound.unknown}` : undefined;
  }

  /** The admin port, where evaluate has made sure it is known. */
  private adminPort(destination: Endpoint): number {
    return this.adminPortOf(destination).port ?? LINKERD_ADMIN_PORT;
  }

  /** The pod's (else its namespace's) `config.linkerd.io/proxy-require-identity-inbound-ports`. */
  private requireIdentityPorts(destination: Endpoint): { has: (port: number) => boolean; source: string } | undefined {
    const key = 'config.linkerd.io/proxy-require-identity-inbound-ports';
    const ns = destination.namespace ?? 'default';
    const pod = destination.annotations?.[key];
    const text = pod ?? this.annotations.get(ns)?.[key];
    if (text === undefined) return undefined;
    return { has: linkerdPortSet(text), source: `${pod !== undefined ? 'the pod template' : `namespace ${ns}`} annotation ${key}` };
  }

}

/** Do two verdicts decide alike (outcome and L7 constraints)? */
function sameDecision(a: DirectionVerdict, b: DirectionVerdict): boolean {
  return a.outcome === b.outcome && JSON.stringify(a.l7Constraints ?? []) === JSON.stringify(b.l7Constraints ?? []);
}

const OWNER_LABEL_KEYS = Object.values(LINKERD_OWNER_LABELS);

/**
 * Does `selector` select a pod with `labels` whose owner label is not known (none, or any one of
 * them with any value)? Undefined when that decides it.
 */
function ownerSelection(selector: LabelSelector, labels: Labels): boolean | undefined {
  const exprs = (selector.matchExpressions ?? []).filter((e) => OWNER_LABEL_KEYS.includes(e.key));
  const asked = Object.entries(selector.matchLabels ?? {}).filter(([k]) => OWNER_LABEL_KEYS.includes(k));
  if (exprs.length === 0 && asked.length === 0) return matchesLabelSelector(selector, labels);
  // Without an owner label, and with the owner label the selector asks for: the same answer either way decides.
  if (exprs.some((e) => e.operator !== 'In')) return undefined;
  const wanted = Object.fromEntries([...asked, ...exprs.map((e) => [e.key, e.values?.[0] ?? ''])]);
  const without = matchesLabelSelector(selector, labels);
  return without === matchesLabelSelector(selector, { ...labels, ...wanted }) ? without : undefined;
}

function sortedEntries(o: Readonly<Record<string, string>> | undefined): Array<[string, string]> {
  return Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
