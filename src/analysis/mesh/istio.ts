/**
 * Istio authorization of one flow at its destination (internal), per the istio.io "Authorization
 * Policy" reference and "Authorization" concept page:
 *
 * 0. (./istio-policies) A policy the API server or istiod's validating webhook rejects (./istio-validation: an unknown
 *    `when` key, an empty `from.source`, a port that does not parse, ...) never exists: it is left out
 *    with a note. A dry-run policy (annotation `istio.io/dry-run: "true"`) is logged, not enforced
 *    (sidecar shadow rules; ztunnel never receives it): left out with a note too.
 * 1. Which policies apply (./istio-policies): security.istio.io (v1, v1beta1) AuthorizationPolicies in the workload's
 *    namespace and in the root namespace (mesh-wide); without `selector` to every workload there, with
 *    `selector.matchLabels` to the workloads carrying those labels (a root-namespace selector selects in
 *    every namespace). `targetRef(s)` policies attach to gateways and waypoints, never to a sidecar or
 *    ztunnel: they count only at a waypoint (./istio-waypoint) and for the gateway pods they name (not
 *    evaluated: indeterminate).
 * 2. Mutual TLS (PeerAuthentication, ./peer-authentication): a plaintext client of a STRICT port is
 *    refused before any policy; on a plaintext connection the identity fields are empty.
 * 3. Evaluation order: CUSTOM (an external authorizer decides: indeterminate when it may apply), then
 *    DENY (any match denies), then ALLOW (no ALLOW policy: allowed; else allowed only when a rule
 *    matches; a policy without rules matches nothing, so `spec: {}` allows nothing). AUDIT decides nothing.
 * 4. Ambient workloads without a waypoint are enforced by ztunnel, which gets what istiod converts
 *    (./istio-ztunnel): no CUSTOM or AUDIT policy, no ALLOW rule with L7 attributes (HTTP fields,
 *    remote addresses, JWT principals, other conditions than source.ip, source.namespace,
 *    source.principal, destination.ip, destination.port), DENY rules without them (and without effect
 *    when a clause is left empty).
 * 5. Remote addresses (remoteIpBlocks, remote.ip; ./istio-remote-address): a connection question names
 *    no request, and a client speaking HTTP to a sidecar port that is not declared TCP (or to a
 *    gateway) writes the remote address with X-Forwarded-For: a rule it can turn the way that lets it
 *    through is indeterminate. ipBlocks and source.ip read the peer and stay exact. A request
 *    question's X-Forwarded-For sets the address a sidecar matches (its last entry).
 * 6. Ambient destinations behind a waypoint (./istio-waypoint): every way to address the destination
 *    (its own address, each Service selecting it) is a path; through a waypoint, the waypoint's
 *    targetRef policies see the client and the request, then the destination's ztunnel sees the
 *    waypoint's identity; the verdict is exact when all paths agree.
 * 7. A sidecar port served as TCP (./istio-inbound-protocol, ./istio-tcp-rules): the RBAC network
 *    filter sees no request, so an ALLOW rule with HTTP-only attributes matches nothing, a DENY or
 *    CUSTOM rule loses them (and matches more), and a request question is answered as its TCP
 *    connection is. Where Services disagree on TCP, both chains are evaluated: indeterminate when
 *    they differ. A waypoint does the same for traffic addressed to a Service whose port that
 *    carries the flow is declared TCP (./istio-waypoint `AddressedService.tcp`).
 * 8. TCP from an ambient pod's own node (kubelet probes) or from the host probe address skips ztunnel
 *    (./istio-host-probe): no policy applies, whatever PeerAuthentication and waypoints say. A
 *    hostNetwork pod may run on that node or another: indeterminate unless ztunnel would allow it too.
 *    A pod annotated `ambient.istio.io/bypass-inbound-capture` takes plaintext past ztunnel (./membership).
 * 9. Whether a sidecar carries the flow at all: a pod annotated `sidecar.istio.io/interceptionMode:
 *    NONE` (either end, ./istio-interception) and a client whose Sidecar resource does not import the
 *    destination's Service or binds egress listeners (./istio-sidecar-egress) are indeterminate.
 */
import { MeshFacts, NamespaceAnnotations } from './facts';
import { pastClientSidecar, sidecarClient, withClientOutbound } from './istio-client-sidecar';
import { hostProbeFromManifests } from './istio-cni-env';
import { ambientHostNetworkSource, ambientHostProbe, ambientHostSnat, HostProbeAddresses } from './istio-host-probe';
import { InboundProtocols } from './istio-inbound-protocol';
import { interceptionNone } from './istio-interception';
import { Policy, readAuthorizationPolicies, targetRefUncertainty, unsurePolicies } from './istio-policies';
import { clientPicksRemoteAddress, forwardedRemoteAddress, isIstioGateway, RuleAction } from './istio-remote-address';
import { IstioFlow, matchRule, RuleMatch } from './istio-rules';
import { SidecarEgress } from './istio-sidecar-egress';
import { readSidecars } from './istio-sidecar-ingress';
import { tcpChainRule } from './istio-tcp-rules';
import { attachesAtWaypoint, overPaths, pathLabel, throughWaypoint, WaypointPath, Waypoints, waypointRuleUnknown } from './istio-waypoint';
import { ztunnelRule } from './istio-ztunnel';
import { Membership } from './membership';
import { dataPlaneName, HostSnat, MembershipCache, MeshModel, MeshQuery, WireHop, WirePort } from './mesh-model';
import { PeerAuthentications } from './peer-authentication';
import { isKindOf, nameOf, namespaceOf } from '../../util/vocabulary';
import { addressKey } from '../addresses';
import { describeRequest } from '../http-request';
import { AddressSpace, describeRef, DirectionVerdict, Endpoint, L4Protocol, ManifestObject, NamespaceIndex, Reason, serviceTargetPortsKey, sideVerdict } from '../model';
import { podSelection } from '../uncertainty/controller-label-selection';
import { MAYBE, NO, Tri, YES } from '../verdict';

/** Ports a sidecar serves itself (metrics, health): they are not captured, so no policy applies (istio.io "Application Requirements", ports used by Istio). */
const SIDECAR_OWN_PORTS: Record<number, string> = { 15020: 'merged Prometheus metrics', 15021: 'health checks', 15090: 'Envoy Prometheus metrics' };
/** Istio ambient's HBONE port (istio.io "Ambient and Kubernetes NetworkPolicy"). */
export const HBONE_PORT = 15008;

/** Where policies are evaluated: the destination's own proxy, a waypoint, or ztunnel behind a waypoint (./istio-waypoint). */
type Stage = { readonly kind: 'proxy' } | { readonly kind: 'waypoint'; readonly path: WaypointPath } | { readonly kind: 'behind-waypoint' };

/** The Istio mesh layer. */
export class IstioModel implements MeshModel {
  readonly notes: string[] = [];
  private readonly policies: ReadonlyMap<string, Policy[]>;
  private readonly peerAuth: PeerAuthentications;
  private readonly members: MembershipCache;
  /** How sidecars serve inbound ports (HTTP or TCP), from the Services. */
  private readonly inbound: InboundProtocols;
  /** `<namespace>/<name>` of the Services in the manifests (targetRef policies naming another are not settled). */
  private readonly services = new Set<string>();
  private readonly waypoints: Waypoints;
  /** Ambient: the host probe addresses (the mesh's, or where it declares none, the istio-cni DaemonSet's in the manifests). */
  private readonly hostProbe: HostProbeAddresses;
  /** What the clients' Sidecar resources (egress, outboundTrafficPolicy) do to their connections. */
  private readonly egress: SidecarEgress;

  constructor(manifests: readonly ManifestObject[], readonly facts: MeshFacts, namespaces: NamespaceIndex, annotations: NamespaceAnnotations,
    podSpace?: AddressSpace) {
    this.members = new MembershipCache(facts, namespaces, annotations);
    this.peerAuth = new PeerAuthentications(manifests, facts.rootNamespace);
    this.inbound = new InboundProtocols(manifests, facts.rootNamespace);
    this.notes.push(...this.peerAuth.notes);
    this.hostProbe = facts.ambient ? hostProbeFromManifests(manifests, facts.hostProbe, this.notes) : facts.hostProbe;
    this.waypoints = new Waypoints(manifests, namespaces, podSpace);
    this.egress = new SidecarEgress(manifests, readSidecars(manifests), facts.rootNamespace);
    this.policies = readAuthorizationPolicies(manifests, this.notes);
    for (const obj of manifests) {
      if (isKindOf(obj, '', 'Service')) this.services.add(`${namespaceOf(obj)}/${nameOf(obj)}`);
    }
  }

  membership(endpoint: Endpoint): Membership {
    return this.members.of(endpoint);
  }

  sourceKey(e: Endpoint): string {
    // Runtime labels: a Sidecar's workloadSelector may read them undecidably (./istio-sidecar-ingress sidecarCandidates).
    return JSON.stringify([e.kind, e.hostNetwork, e.namespace, e.serviceAccount, sorted(e.labels), sorted(e.annotations ?? {}),
      sorted(e.namespaceLabels), addressKey(e), e.runtimeLabels ?? []]);
  }

  destinationKey(e: Endpoint): string {
    // Named ports: a Service's named targetPort decides which port it declares (./istio-inbound-protocol).
    // Runtime labels: a workload selector may read them undecidably (../uncertainty/controller-label-selection).
    return JSON.stringify([e.kind, e.hostNetwork, e.namespace, sorted(e.labels), sorted(e.annotations ?? {}), sorted(e.namespaceLabels),
      addressKey(e), serviceTargetPortsKey(e), e.runtimeLabels ?? []]);
  }

  wirePort(source: Endpoint, destination: Endpoint, port: number, protocol: L4Protocol): WirePort | undefined {
    if (protocol !== 'TCP') return undefined;
    const s = this.members.of(source).dataPlane;
    const d = this.members.of(destination);
    if (!d.dataPlane || !s || d.inboundBypass.has(port)) return undefined;
    const why = `Istio ambient tunnels meshed traffic over HBONE to port ${HBONE_PORT} of the destination pod, and the CNI sees that port `
      + '(istio.io "Ambient and Kubernetes NetworkPolicy")';
    if (d.dataPlane !== 'ambient') return undefined;
    const paths = this.waypoints.paths(destination, port);
    if (s === 'ambient') {
      const hops = this.waypointHops(paths);
      // A waypoint the manifests do not describe: the CNI sees the client's connection to it and its
      // connection to the destination, whose verdicts cannot be worked out.
      const unknownHops = paths.filter((p) => p.kind === 'unknown').map((p) => `${pathLabel(p)}: ${p.why}`);
      return { port: HBONE_PORT, protocol: 'TCP', why, ...(hops.length > 0 ? { hops } : {}), ...(unknownHops.length > 0 ? { unknownHops } : {}) };
    }
    // A sidecar client: the mesh side of a waypoint path is indeterminate, and so is what the CNI sees on it.
    const unknownHops = paths.filter((p) => p.kind !== 'direct').map((p) => `${pathLabel(p)} may pass a waypoint from a sidecar client (${p.why})`);
    return {
      port: HBONE_PORT,
      protocol: 'TCP',
      why: `${why}; whether a sidecar client tunnels to an ambient pod depends on the Istio version`,
      uncertain: true,
      ...(unknownHops.length > 0 ? { unknownHops } : {}),
    };
  }

  hostSnat(source: Endpoint, destination: Endpoint, _port: number, protocol: L4Protocol): HostSnat | undefined {
    return protocol === 'TCP' && this.members.of(destination).dataPlane === 'ambient' ? ambientHostSnat(source, destination, this.hostProbe) : undefined;
  }

  /** The waypoints some of `paths` (the ways of addressing a destination, ./istio-waypoint) pass, as CNI hops. */
  private waypointHops(paths: readonly WaypointPath[]): WireHop[] {
    const seen = new Map<string, WireHop>();
    for (const path of paths.filter((p) => p.kind === 'waypoint')) {
      const wp = path.waypoint!;
      const key = `${wp.namespace}/${wp.name}`;
      const why = `${pathLabel(path)} passes the waypoint ${key}, so the CNI sees the client's HBONE connection to the waypoint and the waypoint's to the `
        + 'destination';
      if (!seen.has(key)) seen.set(key, { proxy: this.waypoints.endpointOf(wp), why });
    }
    return [...seen.values()];
  }

  encryption(source: Endpoint, destination: Endpoint, port: number, protocol: L4Protocol): string | undefined {
    const s = this.members.of(source);
    const d = this.members.of(destination);
    if (protocol !== 'TCP' || !s.dataPlane || !d.dataPlane || s.outboundBypass.has(port) || d.inboundBypass.has(port)) return undefined;
    if (d.dataPlane === 'sidecar' && SIDECAR_OWN_PORTS[port]) return undefined;
    const mode = this.peerAuth.modeFor(destination.namespace ?? 'default', destination.labels, port, destination);
    if (mode.candidates.includes('DISABLE')) return undefined;
    return `the source and the destination are both in the mesh and ${mode.why}: Istio sends this flow over mutual TLS`;
  }

  evaluate(q: MeshQuery): DirectionVerdict {
    const dst = this.members.of(q.destination);
    const flowText = `${q.source.name} -> ${q.destination.name} ${q.protocol}/${q.port}${q.request ? ` ${describeRequest(q.request)}` : ''}`;
    const bypass = (message: string): DirectionVerdict => pastClientSidecar(q, sideVerdict(YES, [{ effect: 'default-allow', message }]), this.members, this.egress);
    if (!dst.dataPlane) return bypass(`${dst.why}: Istio authorization does not apply to ${flowText}`);
    if (q.protocol !== 'TCP') return bypass(`Istio proxies TCP only: ${q.protocol} traffic to ${q.destination.name} bypasses its ${dataPlaneName(dst.dataPlane)}`);
    if (dst.dataPlane === 'sidecar' && SIDECAR_OWN_PORTS[q.port]) {
      return bypass(`port ${q.port} is the sidecar's own (${SIDECAR_OWN_PORTS[q.port]}), not captured: no Istio policy applies`);
    }
    if (dst.inboundBypass.has(q.port)) {
      return bypass(`${q.destination.name}'s sidecar does not capture inbound port ${q.port} (${dst.inboundBypass.source}): no Istio policy applies`);
    }
    const client = sidecarClient(q, this.members, this.egress);
    if (client !== undefined) return withClientOutbound(q, dst, client, (plaintext) => this.atDestination(q, dst, flowText, plaintext));
    if (dst.dataPlane === 'sidecar') {
      const none = interceptionNone(q.destination);
      if (none !== undefined) {
        const why = `${none}: its inbound traffic is not redirected to the sidecar, so a connection to port ${q.port} reaches the application past every `
          + 'Istio policy unless it is a port a Sidecar resource binds a listener to, and a meshed client may still send mutual TLS the application '
          + 'does not speak: not modelled';
        return sideVerdict(MAYBE, [{ effect: 'uncertain', message: why }], [why]);
      }
    }
    if (dst.dataPlane === 'ambient') {
      const hostProbe = ambientHostProbe(q.source, this.hostProbe);
      if (hostProbe !== undefined) return bypass(hostProbe);
      if (dst.inboundCaptureOff !== undefined && this.members.of(q.source).dataPlane === undefined) {
        // Only the redirection of plaintext is off: HBONE from meshed clients still ends at ztunnel (port 15008).
        return bypass(`${dst.inboundCaptureOff}: istio-cni does not redirect its inbound traffic to ztunnel, so a client without a proxy `
          + 'reaches it in plaintext and no Istio policy applies');
      }
      return ambientHostNetworkSource(q.source, this.capturedByZtunnel(q, dst, flowText));
    }
    return this.atDestination(q, dst, flowText);
  }

  /** An ambient destination's ztunnel captures the connection (./istio-host-probe: unless it comes from the node). */
  private capturedByZtunnel(q: MeshQuery, dst: Membership, flowText: string): DirectionVerdict {
    // A client without a proxy connects in plaintext, which the destination's ztunnel takes itself
    // (inbound passthrough, no waypoint; istio/ztunnel src/proxy/inbound_passthrough.rs), and STRICT,
    // which istiod hands ztunnel as a policy of the workload (istio/istio architecture/ambient/
    // peer-authentication.md), refuses it whichever way the client addressed the pod.
    if (this.members.of(q.source).dataPlane === undefined
      && this.peerAuth.modeFor(q.destination.namespace ?? 'default', q.destination.labels, q.port, q.destination).mode === 'STRICT') {
      return this.atDestination(q, dst, flowText);
    }
    const paths = this.waypoints.paths(q.destination, q.port);
    if (paths.some((p) => p.kind !== 'direct')) return overPaths(paths, paths.map((p) => this.alongPath(q, dst, p, flowText)));
    return this.atDestination(q, dst, flowText);
  }

  /** One way of addressing an ambient destination (./istio-waypoint). */
  private alongPath(q: MeshQuery, dst: Membership, path: WaypointPath, flowText: string): DirectionVerdict {
    if (path.kind === 'unknown') {
      const why = `${pathLabel(path)}: ${path.why}`;
      return sideVerdict(MAYBE, [{ effect: 'uncertain', message: why }], [why]);
    }
    if (path.kind === 'direct') {
      const v = this.atDestination(q, dst, flowText);
      const head: Reason = { effect: 'log', message: `${pathLabel(path)} passes no waypoint (${path.why}): the destination's ztunnel sees the client` };
      return { ...v, reasons: [head, ...v.reasons] };
    }
    const wp = path.waypoint!;
    const src = this.members.of(q.source);
    if (src.dataPlane !== 'ambient') {
      const why = `${pathLabel(path)} passes the waypoint ${wp.namespace}/${wp.name} (${path.why}); how a client outside ambient mode reaches it is not modelled`;
      return sideVerdict(MAYBE, [{ object: wp.ref, effect: 'uncertain', message: why }], [why]);
    }
    // ztunnel to waypoint is HBONE: mutual TLS with the client's identity.
    const principal = this.principalOf(q.source);
    const clientFlow: IstioFlow = {
      source: q.source,
      destination: q.destination,
      port: q.port,
      mtls: YES,
      principal,
      sourceNamespace: q.source.namespace,
      serviceAccount: q.source.serviceAccount ?? 'default',
      trustDomain: this.facts.trustDomain,
      // On a TCP Service port the waypoint's RBAC network filter sees no request (./istio-tcp-rules).
      ...(path.service?.tcp !== undefined ? { tcpChain: `the waypoint serves ${pathLabel(path)} as TCP (${path.service.tcp})` }
        : q.request ? { request: q.request } : {}),
    };
    const noRequest: Reason[] = clientFlow.tcpChain !== undefined && q.request !== undefined ? [{
      effect: 'log',
      message: `${clientFlow.tcpChain}: it sees no HTTP request, so the request's method, path, host and headers play no part, and the answer is `
        + 'the TCP connection\'s',
    }] : [];
    const atWaypoint = this.decide(q, dst, clientFlow, flowText, `over mutual TLS as ${principal}`, noRequest, [], { kind: 'waypoint', path });
    // The waypoint opens its own HBONE connection: the destination's ztunnel sees the waypoint's identity, L4 only.
    const waypointPod = this.waypoints.endpointOf(wp);
    const waypointPrincipal = this.principalOf(waypointPod);
    const hopFlow: IstioFlow = {
      source: waypointPod,
      destination: q.destination,
      port: q.port,
      mtls: YES,
      principal: waypointPrincipal,
      sourceNamespace: wp.namespace,
      serviceAccount: wp.serviceAccount,
      trustDomain: this.facts.trustDomain,
      ztunnel: true,
    };
    const hopText = `${waypointPod.name} -> ${q.destination.name} ${q.protocol}/${q.port}`;
    const atZtunnel = this.decide({ ...q, source: waypointPod }, dst, hopFlow, hopText,
      `over mutual TLS as ${waypointPrincipal}, the waypoint's identity: a waypoint does not pass on the client's`, [], [], { kind: 'behind-waypoint' });
    return throughWaypoint(path, atWaypoint, atZtunnel);
  }

  /** The destination's own proxy (sidecar, or ztunnel without waypoint) with the client's identity. */
  /** `plaintext`: why the client's sidecar sends the connection without mutual TLS (./istio-sidecar-egress). */
  private atDestination(q: MeshQuery, dst: Membership, flowText: string, plaintext?: string): DirectionVerdict {
    const src = this.members.of(q.source);
    const srcMeshed = plaintext === undefined && src.dataPlane !== undefined && !src.outboundBypass.has(q.port);
    // ztunnel to ztunnel is always HBONE, mutual TLS whatever the PeerAuthentication says (istio.io
    // PeerAuthentication reference: in ambient mode DISABLE is not supported).
    const hbone = src.dataPlane === 'ambient' && dst.dataPlane === 'ambient';
    const mtls = this.peerAuth.modeFor(q.destination.namespace ?? 'default', q.destination.labels, q.port, q.destination);
    const paReason: Reason = { ...(mtls.object ? { object: mtls.object, rule: mtls.rule } : {}), effect: 'log', message: mtls.why };
    let connection: Tri;
    let identityText: string;
    const reasons: Reason[] = [];
    const uncertain: string[] = [];
    if (!srcMeshed) {
      const why = plaintext ?? (src.dataPlane ? `${q.source.name}'s proxy does not capture outbound port ${q.port} (${src.outboundBypass.source})` : src.why);
      identityText = `in plaintext, so its principal and namespace are empty (${why})`;
      connection = NO;
      if (mtls.mode === 'STRICT') {
        return sideVerdict(NO, [{
          ...paReason,
          effect: 'deny',
          message: `${mtls.why}: mutual TLS is required on ${q.destination.name} port ${q.port}, `
          + `and ${q.source.name} connects ${identityText}`,
        }]);
      }
      if (mtls.mode === undefined && mtls.candidates.includes('STRICT')) {
        uncertain.push(mtls.why);
        reasons.push({ effect: 'uncertain', message: `${mtls.why}: if STRICT, ${q.source.name}'s plaintext connection is refused` });
      } else {
        reasons.push({ ...paReason, message: `${mtls.why}: ${q.source.name} connects ${identityText}, which ${mtls.mode ?? 'it'} accepts` });
      }
    } else if (mtls.mode === 'DISABLE' && !hbone) {
      connection = NO;
      identityText = `in plaintext (${mtls.why}), so its principal and namespace are empty`;
      reasons.push({ ...paReason, message: `${mtls.why}: ${q.source.name} connects ${identityText}` });
    } else {
      // Undecided between DISABLE and another mode: identity-based rules answer MAYBE (see withIdentity), others are unaffected.
      connection = !hbone && mtls.mode === undefined && mtls.candidates.includes('DISABLE') ? MAYBE : YES;
      identityText = connection === YES ? `over mutual TLS as ${this.principalOf(q.source)}`
        : `as ${this.principalOf(q.source)} if over mutual TLS (${mtls.why})`;
    }
    // Without a request in the question, the client may be one that writes X-Forwarded-For; with
    // one, the header it carries (if any) sets the remote address.
    const clientPicksRemote = q.request === undefined && dst.dataPlane === 'sidecar'
      ? clientPicksRemoteAddress(q.destination, q.port, this.inbound) : undefined;
    const header = q.request?.headers['x-forwarded-for'];
    const forwarded = header !== undefined && dst.dataPlane === 'sidecar' ? forwardedRemoteAddress(q.destination, q.port, this.inbound, header) : undefined;
    // A gateway's servers (not read) decide how it serves a port, not the Services' port names.
    const inbound = dst.dataPlane === 'sidecar' && !isIstioGateway(q.destination) ? this.inbound.of(q.destination, q.port) : undefined;
    const flow: IstioFlow = {
      source: q.source,
      destination: q.destination,
      port: q.port,
      mtls: connection,
      ...(srcMeshed ? { principal: this.principalOf(q.source), sourceNamespace: q.source.namespace, serviceAccount: q.source.serviceAccount ?? 'default' } : {}),
      trustDomain: this.facts.trustDomain,
      ztunnel: dst.dataPlane === 'ambient',
      ...(q.request ? { request: q.request } : {}),
      ...(clientPicksRemote !== undefined ? { clientPicksRemote } : {}),
      ...(forwarded === undefined ? {} : {
        forwarded: 'unknown' in forwarded ? forwarded : {
          address: { kind: 'external', name: forwarded.address, ip: forwarded.address, labels: {}, namespaceLabels: {}, hostNetwork: false, namedPorts: [] },
        },
      }),
    };
    if (inbound === undefined || inbound.protocol === 'http' || inbound.protocol === 'detected') {
      return this.decide(q, dst, flow, flowText, identityText, reasons, uncertain);
    }
    // A port served as TCP (./istio-tcp-rules): the RBAC network filter sees no request.
    const tcpWhy = `${q.destination.name}'s sidecar serves port ${q.port} as TCP (${inbound.why})`;
    const { request: _request, forwarded: _forwarded, clientPicksRemote: _picks, ...l4 } = flow;
    const tcpFlow: IstioFlow = { ...l4, tcpChain: tcpWhy };
    const tcpReasons: Reason[] = q.request === undefined ? reasons : [...reasons, {
      effect: 'log',
      message: `${tcpWhy}: it sees no HTTP request, so the request's method, path, host and headers play no part, and the answer is the TCP `
        + 'connection\'s',
    }];
    if (inbound.protocol === 'tcp') return this.decide(q, dst, tcpFlow, flowText, identityText, tcpReasons, uncertain);
    // Services disagree: the oldest one's protocol wins, and creation times are not in the manifests.
    const asHttp = this.decide(q, dst, flow, flowText, identityText, reasons, uncertain);
    const asTcp = this.decide(q, dst, tcpFlow, flowText, identityText, tcpReasons, uncertain);
    return eitherChain(asHttp, asTcp, `${inbound.why}`);
  }

  private principalOf(e: Endpoint): string {
    return `${this.facts.trustDomain}/ns/${e.namespace ?? 'default'}/sa/${e.serviceAccount ?? 'default'}`;
  }

  /** The applicable policies, then CUSTOM -> DENY -> ALLOW. */
  private decide(q: MeshQuery, dst: Membership, flow: IstioFlow, flowText: string, identityText: string, pre: Reason[],
    preUncertain: string[], stage: Stage = { kind: 'proxy' }, assumed?: ReadonlySet<Policy>): DirectionVerdict {
    // A selector on a label the pod's controller sets at runtime may select some of its pods only
    // (../uncertainty/controller-label-selection): decided for the pods it selects and for the others,
    // the same answer stands, else it is not known.
    if (assumed === undefined && stage.kind !== 'waypoint') {
      const unsure = unsurePolicies(this.policies, this.facts.rootNamespace, q.destination);
      if (unsure.length > 0) {
        const selected = this.decide(q, dst, flow, flowText, identityText, pre, preUncertain, stage, new Set(unsure.map((u) => u.policy)));
        const others = this.decide(q, dst, flow, flowText, identityText, pre, preUncertain, stage, new Set());
        if (selected.outcome === others.outcome && selected.outcome !== MAYBE
          && JSON.stringify(selected.l7Constraints ?? []) === JSON.stringify(others.l7Constraints ?? [])) {
          return others;
        }
        const word = (v: DirectionVerdict) => (v.outcome === YES ? 'allowed' : v.outcome === NO ? 'denied' : 'indeterminate');
        const why = unsure.map((u) => u.why);
        const answers = selected.outcome !== MAYBE && others.outcome !== MAYBE
          ? [`for the pods ${unsure.length === 1 ? 'it selects' : 'they select'} the flow is ${word(selected)}, for the others ${word(others)}`] : [];
        const uncertain = [...new Set([...why, ...answers, ...(selected.uncertain ?? []), ...(others.uncertain ?? [])])];
        return sideVerdict(MAYBE, [...others.reasons, ...uncertain.map((message) => ({ effect: 'uncertain' as const, message }))], uncertain);
      }
    }
    const ns = q.destination.namespace ?? 'default';
    const waypoint = stage.kind === 'waypoint' ? stage.path.waypoint! : undefined;
    const namespaces = [...new Set([ns, ...(waypoint ? [waypoint.namespace] : []), this.facts.rootNamespace])];
    const candidates = namespaces.flatMap((n) => this.policies.get(n) ?? []);
    const uncertain = [...preUncertain];
    const reasons = [...pre];
    const applicable: Policy[] = [];
    for (const p of candidates) {
      if (stage.kind === 'waypoint') {
        // A waypoint takes targetRef policies only (policyattachment.go: "waypoints never use selector").
        const at = p.targets.length > 0 ? attachesAtWaypoint(p.obj, p.namespace, stage.path, this.facts.rootNamespace,
          (n, name) => this.waypoints.selectsDestination(n, name, q.destination)) : 'no';
        if (at === 'applies' && p.action !== 'AUDIT') {applicable.push(p);} else if (at !== 'applies' && at !== 'no') {
          uncertain.push(at);
          reasons.push({ object: p.ref, effect: 'uncertain', message: at });
        }
        continue;
      }
      if (p.namespace !== ns && p.namespace !== this.facts.rootNamespace) continue;
      if (p.targets.length > 0) {
        // ztunnel never takes targetRef policies; behind a waypoint the waypoint stage has them.
        if (stage.kind === 'behind-waypoint') continue;
        const why = targetRefUncertainty(p, q.destination, dst, this.facts.rootNamespace, this.services);
        if (why) {
          uncertain.push(why);
          reasons.push({ object: p.ref, effect: 'uncertain', message: why });
        }
        continue;
      }
      if (p.selector) {
        const selection = podSelection({ matchLabels: p.selector }, q.destination, describeRef(p.ref));
        if ('unknown' in selection ? !assumed?.has(p) : !selection.selects) continue;
      }
      if (p.action !== 'AUDIT') applicable.push(p);
    }
    const ztunnel = dst.dataPlane === 'ambient' && stage.kind !== 'waypoint';
    const portKnown = stage.kind !== 'waypoint' || (stage.path.service?.samePort ?? true);
    /** `selects shop/api` / `applies at the waypoint shop/waypoint` (one policy), and for several. */
    const subject = (one: boolean) => (waypoint ? `appl${one ? 'ies' : 'y'} at the waypoint ${waypoint.namespace}/${waypoint.name}`
      : `select${one ? 's' : ''} ${q.destination.name}`);
    const ztunnelIgnores = ztunnel ? applicable.filter((p) => p.action === 'CUSTOM') : [];
    for (const p of ztunnelIgnores) {
      // istiod: "ztunnel does not support the CUSTOM action"; it sends ztunnel nothing for the policy.
      const message = `${describeRef(p.ref)} (CUSTOM) is not enforced: istiod sends ztunnel ALLOW and DENY policies only`
        + (stage.kind === 'behind-waypoint' ? ' (a waypoint takes only targetRef policies)' : `, and ${q.destination.name} has no waypoint`);
      reasons.push({ object: p.ref, effect: 'log', message });
    }
    const enforced = applicable.filter((p) => !ztunnelIgnores.includes(p));
    const hits = (action: RuleAction) => enforced.filter((p) => p.action === action).flatMap((p) => p.rules.map((rule, i) => {
      const path = `spec.rules[${i}]`;
      const label = `${describeRef(p.ref)} ${path} (${p.action})`;
      if (ztunnel && (action === 'ALLOW' || action === 'DENY')) {
        const z = ztunnelRule(rule, action, path);
        if (z.kind === 'never') {
          reasons.push({ object: p.ref, rule: path, effect: 'log', message: `${label}: ${z.why}` });
          return { p, path, m: { truth: NO, unknown: [], why: [] } as RuleMatch, label };
        }
        if (z.kind === 'unknown') return { p, path, m: { truth: YES, unknown: [z.why], why: [] } as RuleMatch, label };
        const m = matchRule(z.rule, path, flow, p.namespace, action);
        return { p, path, m, label: z.omitted.length > 0 ? `${describeRef(p.ref)} ${path} (${p.action}; ztunnel enforces it without its L7 attributes)` : label };
      }
      let asEnforced = rule;
      let enforcedLabel = label;
      if (flow.tcpChain !== undefined && !ztunnel) {
        const t = tcpChainRule(rule, action, path);
        if (t.kind === 'never') {
          reasons.push({ object: p.ref, rule: path, effect: 'log', message: `${label}: ${flow.tcpChain}, and ${t.why}` });
          return { p, path, m: { truth: NO, unknown: [], why: [] } as RuleMatch, label };
        }
        asEnforced = t.rule;
        if (t.omitted.length > 0) {
          enforcedLabel = `${describeRef(p.ref)} ${path} (${p.action}; on this TCP port without its HTTP-only attributes `
            + `${t.omitted.map((o) => o.slice(path.length + 1)).join(', ')}, which then match anything)`;
        }
      }
      const unknownAtWaypoint = stage.kind === 'waypoint' ? waypointRuleUnknown(asEnforced, path, portKnown) : undefined;
      if (unknownAtWaypoint) return { p, path, m: { truth: YES, unknown: [unknownAtWaypoint], why: [] } as RuleMatch, label: enforcedLabel };
      return { p, path, m: matchRule(asEnforced, path, flow, p.namespace, action), label: enforcedLabel };
    })).filter((h) => h.m.truth !== NO);

    const l7: string[] = [];
    const maybe: string[] = [];
    const maybeOf = (h: { label: string; m: RuleMatch }) => [...h.m.why, ...h.m.unknown].map((w) => `${h.label}: ${w}`);
    for (const h of hits('CUSTOM')) {
      if (h.m.http && h.m.unknown.length === 0 && h.m.truth === YES) {
        l7.push(`${h.m.http.join(' or ')}: decided by the external authorizer of ${h.label}`);
      } else {
        const provider = String((h.p.obj.spec as any)?.provider?.name ?? 'unset');
        maybe.push(flow.tcpChain !== undefined && !ztunnel
          ? `${h.label}: ${flow.tcpChain}, where the external authorizer (provider ${provider}) decides if it is a gRPC ext_authz provider, and an HTTP `
            + 'provider is left out of the TCP filter chain (meshConfig extensionProviders, not in the manifests)'
          : `${h.label}: an external authorizer (provider ${provider}) decides`, ...maybeOf(h));
      }
    }
    for (const h of hits('DENY')) {
      if (h.m.truth === YES && h.m.unknown.length === 0 && !h.m.http) {
        return sideVerdict(NO, [...reasons, {
          object: h.p.ref,
          rule: h.path,
          effect: 'deny',
          message: `${h.label} matches ${flowText} (${identityText}): DENY policies win over ALLOW policies`,
        }]);
      }
      if (h.m.http && h.m.unknown.length === 0) {
        l7.push(`not ${h.m.http.join(' or ')} (${h.label}${h.m.truth === MAYBE ? `, if it applies: ${h.m.why.join('; ')}` : ''}; `
          + 'a non-HTTP connection to the port is denied whole)');
      } else {maybe.push(...maybeOf(h));}
    }
    const allowPolicies = applicable.filter((p) => p.action === 'ALLOW');
    let allow: Tri;
    const only: string[] = [];
    if (allowPolicies.length === 0) {
      allow = YES;
      reasons.push({
        effect: 'default-allow',
        message: `no ALLOW AuthorizationPolicy ${subject(true)}: Istio allows ${flowText} `
        + `(${identityText})`,
      });
    } else {
      const allows = hits('ALLOW');
      const plain = allows.find((h) => h.m.truth === YES && h.m.unknown.length === 0 && !h.m.http);
      const constrained = allows.filter((h) => h.m.truth === YES && h.m.unknown.length === 0 && h.m.http);
      if (plain) {
        allow = YES;
        reasons.push({ object: plain.p.ref, rule: plain.path, effect: 'allow', message: `${plain.label} allows ${flowText} (${identityText})` });
      } else if (constrained.length > 0) {
        allow = YES;
        for (const h of constrained) {
          reasons.push({ object: h.p.ref, rule: h.path, effect: 'allow', message: `${h.label} allows ${flowText} (${identityText}) for some requests only` });
          only.push(`only ${h.m.http!.join(' or ')} (${h.label}; a non-HTTP connection matches no HTTP rule)`);
        }
      } else {
        const unsure = allows.filter((h) => h.m.truth !== NO);
        allow = unsure.length > 0 ? MAYBE : NO;
        uncertain.push(...unsure.flatMap(maybeOf));
        const nothing = allowPolicies.filter((p) => p.rules.length === 0);
        reasons.push({
          object: (nothing[0] ?? allowPolicies[0]).ref,
          effect: 'isolate',
          message: `${allowPolicies.map((p) => describeRef(p.ref) + (p.rules.length === 0 ? ' (ALLOW without rules: allow-nothing)' : '')).join(', ')} `
            + `${subject(allowPolicies.length === 1)}, so only what an ALLOW rule matches is allowed, and no rule `
            + `${unsure.length > 0 ? 'surely ' : ''}matches ${flowText} (${identityText})`,
        });
      }
    }
    if (allow === NO) return sideVerdict(NO, reasons);
    const all = [...uncertain, ...maybe];
    if (allow === MAYBE || all.length > 0) {
      for (const m of maybe) reasons.push({ effect: 'uncertain', message: m });
      return sideVerdict(MAYBE, reasons, all);
    }
    const constraints = [...only, ...l7];
    return sideVerdict(YES, reasons, [], constraints);
  }
}

/**
 * The verdict when the sidecar serves the port either as HTTP or as TCP (`why`): the same answer
 * when both agree, else indeterminate (naming both answers when both are definite; an indeterminate
 * one says why itself).
 */
function eitherChain(asHttp: DirectionVerdict, asTcp: DirectionVerdict, why: string): DirectionVerdict {
  const text = (v: DirectionVerdict) => `${v.outcome === YES ? 'allowed' : v.outcome === NO ? 'denied' : 'indeterminate'}`
    + `${v.l7Constraints?.length ? ` (${v.l7Constraints.join('; ')})` : ''}`;
  if (asHttp.outcome === asTcp.outcome && asHttp.outcome !== MAYBE
    && JSON.stringify(asHttp.l7Constraints ?? []) === JSON.stringify(asTcp.l7Constraints ?? [])) {
    return asHttp;
  }
  const uncertain = [
    ...(asHttp.outcome !== MAYBE && asTcp.outcome !== MAYBE
      ? [`${why}: served as HTTP the flow is ${text(asHttp)}, served as TCP (rules without their HTTP-only attributes) ${text(asTcp)}`] : []),
    ...(asHttp.uncertain ?? []), ...(asTcp.uncertain ?? []),
  ];
  const seen = new Set(asHttp.reasons.map((r) => JSON.stringify(r)));
  return sideVerdict(MAYBE, [...asHttp.reasons, ...asTcp.reasons.filter((r) => !seen.has(JSON.stringify(r)))], uncertain);
}

function sorted(o: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
