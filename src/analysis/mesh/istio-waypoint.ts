/**
 * Istio ambient waypoints (internal): which waypoint, if any, a flow to an ambient pod passes, which
 * AuthorizationPolicies that waypoint enforces, and how the two enforcement points combine.
 *
 * Which waypoint (istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go
 * `fetchWaypointForTarget`, `fetchWaypointForService`, `fetchWaypointForWorkload`, `WaypointsCollection`;
 * istio.io "Configure waypoint proxies"):
 * - Traffic addressed to a Service uses the Service's `istio.io/use-waypoint`, else its namespace's;
 *   traffic addressed to a pod uses the pod's label, else its namespace's. `none` on the object opts
 *   out (the namespace label is not read then); `istio.io/use-waypoint-namespace` next to it names the
 *   waypoint's namespace (default: the object's).
 * - The chosen waypoint must take that traffic type: the Gateway's label `istio.io/waypoint-for`, else
 *   its GatewayClass's, else `service`; `all` takes both. A waypoint that does not take it leaves the
 *   flow without waypoint (no fall-back to the namespace's). The HBONE listener's `allowedRoutes`
 *   (default `Same`) must admit the object's namespace.
 * - "Traffic type concerns the original addressing": a pod reached through its Service is
 *   service-addressed. A question names pods only, so every addressing that reaches the pod is a path
 *   (the pod's address, each Service selecting it on that port, split by the Service ports the
 *   waypoint serves as TCP and those it does not); the answer is exact only when all agree. A
 *   ServiceEntry selecting the pod (workloadSelector) whose traffic may pass a waypoint is a path
 *   that is not modelled (indeterminate).
 * - A waypoint of class `istio-waypoint` runs under the service account named after the Gateway
 *   (gateway deployment controller, class `disableNameSuffix`), or the one in the annotation
 *   `gateway.istio.io/service-account`. Other classes, Gateways with `spec.addresses` (not deployed by
 *   istiod) and the inbound-binding annotation (on the Gateway or its GatewayClass) are not modelled:
 *   indeterminate. The Gateway is assumed
 *   to become ready (istiod ignores a waypoint until its status has an address).
 *
 * Which policies (istio/istio pilot/pkg/model/policyattachment.go `ShouldAttachPolicy` for a waypoint;
 * istio.io "Creating authorization policy" in ambient):
 * - The waypoint takes only `targetRef(s)` policies: a `Service` (group "" or core) named like the
 *   addressed Service, in its namespace; a `Gateway` (gateway.networking.k8s.io) named like the
 *   waypoint, in its namespace; the `GatewayClass` `istio-waypoint`, from the root namespace. Policies
 *   with `selector` or neither stay with the destination's ztunnel, which sees the WAYPOINT's identity
 *   as the source ("waypoint proxies do not impersonate src identity"). Both must allow.
 */
import { declaresUdp, servicePortProtocol, targetOf, tcpServicePorts } from './istio-inbound-protocol';
import { ManualEndpoints } from './istio-manual-endpoints';
import { declaredPortText, ServicePortView } from './istio-service-port-view';
import { servicesWithSelector } from './services-with-selector';
import { isKindOf, isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { AddressSpace, describeRef, DirectionVerdict, Endpoint, ManifestObject, NamespaceIndex, namespaceLabelsOf, ObjectRef, Reason, refOf, sideVerdict } from '../model';
import { Labels, matchesLabelSelector } from '../selectors';
import { podSelection } from '../uncertainty/controller-label-selection';
import { MAYBE, NO, YES } from '../verdict';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const USE_WAYPOINT = 'istio.io/use-waypoint';
const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
const WAYPOINT_FOR = 'istio.io/waypoint-for';
/** Istio's waypoint GatewayClass and its controller (pilot constants WaypointGatewayClassName, ManagedGatewayMeshController). */
export const WAYPOINT_CLASS = 'istio-waypoint';
const WAYPOINT_CONTROLLER = 'istio.io/mesh-controller';
const SERVICE_ACCOUNT_ANNOTATION = 'gateway.istio.io/service-account';
const INBOUND_BINDING_ANNOTATION = 'ambient.istio.io/waypoint-inbound-binding';

/** A waypoint the analysis can evaluate. */
export interface Waypoint {
  /** The Gateway object. */
  readonly ref: ObjectRef;
  /** The Gateway's namespace. */
  readonly namespace: string;
  /** The Gateway's name. */
  readonly name: string;
  /** The service account its proxies run as (the destination's ztunnel sees this identity). */
  readonly serviceAccount: string;
}

/** A Service a client may address the destination through. */
export interface AddressedService {
  /** The Service's namespace (the destination's). */
  readonly namespace: string;
  /** The Service's name. */
  readonly name: string;
  /** Does a port of the Service carry the flow's port unchanged (port = targetPort)? */
  readonly samePort: boolean;
  /**
   * Why the waypoint serves the flow as TCP: the Service ports of this way to address it are
   * declared TCP (./istio-inbound-protocol), and the waypoint builds a TCP filter chain for each
   * (istio/istio pilot/pkg/networking/core/listener_waypoint.go `buildWaypointInternal`, per Service
   * VIP and port: HTTP chain for HTTP ports, TCP chain for the other declared ones, both with protocol
   * detection for the rest; UDP ports skipped).
   * @default - not TCP: HTTP or detected
   */
  readonly tcp?: string;
  /**
   * The Service ports of this way to address it, named when the Service also carries the flow on
   * ports the waypoint serves otherwise (TCP and not TCP: two ways, which may get different answers).
   * @default - every Service port that carries the flow
   */
  readonly ports?: number[];
}

/** One way a client may address the destination, and what it passes. */
export interface WaypointPath {
  /**
   * The addressed Service.
   * @default - the pod's own address
   */
  readonly service?: AddressedService;
  /**
   * Another addressed object (e.g. `ServiceEntry shop/api`), whose path is `unknown`.
   * @default - `service`, else the pod's own address
   */
  readonly entry?: string;
  /** `direct`: the destination's ztunnel only; `waypoint`: through `waypoint`; `unknown`: see `why`. */
  readonly kind: 'direct' | 'waypoint' | 'unknown';
  /**
   * The waypoint passed.
   * @default - none (set exactly when `kind` is `waypoint`)
   */
  readonly waypoint?: Waypoint;
  /** Why, naming the labels and objects that decide (never a pod). */
  readonly why: string;
}

/** `traffic addressed to the pod` / `traffic addressed to Service shop/api`. */
export function pathLabel(path: WaypointPath): string {
  if (path.entry !== undefined) return `traffic addressed to ${path.entry}`;
  if (!path.service) return 'traffic addressed to the pod';
  const ports = path.service.ports;
  return `traffic addressed to Service ${path.service.namespace}/${path.service.name}${ports ? ` port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}` : ''}`;
}

interface ServiceInfo {
  readonly obj: ManifestObject;
  readonly selector: Record<string, string>;
}

/** The waypoints of a manifest set. */
export class Waypoints {
  private readonly gateways = new Map<string, ManifestObject>();
  private readonly classes = new Map<string, ManifestObject>();
  private readonly services: ServiceInfo[] = [];
  /** ServiceEntries whose workloadSelector may pick pods (another way to address them). */
  private readonly serviceEntries: ServiceInfo[] = [];
  /** Answers of `paths` per destination and port. */
  private readonly pathCache = new WeakMap<Endpoint, Map<number, WaypointPath[]>>();
  /** One endpoint per waypoint, so that the caches keyed by endpoint (membership, the CNI models' selections) hold across flows. */
  private readonly endpointCache = new Map<string, Endpoint>();
  /** Services without selector whose hand-written endpoints may name the pod (./istio-manual-endpoints). */
  private readonly manual: ManualEndpoints;

  /**
   * @param podSpace where pod addresses lie (the pod CIDRs), given to the waypoints' pods as to every
   * other pod whose address is unknown; without it their address could be anything a pod's or a node's can.
   */
  constructor(manifests: readonly ManifestObject[], private readonly namespaces: NamespaceIndex, private readonly podSpace?: AddressSpace) {
    this.manual = new ManualEndpoints(manifests);
    for (const obj of manifests) {
      if (isKindOf(obj, GATEWAY_GROUP, 'Gateway')) this.gateways.set(`${namespaceOf(obj)}/${nameOf(obj)}`, obj);
      if (isKindOf(obj, GATEWAY_GROUP, 'GatewayClass')) this.classes.set(nameOf(obj), obj);
      const workloadSelector = isKindOf(obj, 'networking.istio.io', 'ServiceEntry') && isPlainObject(obj.spec?.workloadSelector)
        ? obj.spec!.workloadSelector.labels : undefined;
      if (isPlainObject(workloadSelector)) this.serviceEntries.push({ obj, selector: workloadSelector as Record<string, string> });
    }
    // A headless Service resolves to pod addresses: its traffic is addressed to the pods.
    for (const { obj, selector, headless } of servicesWithSelector(manifests)) if (!headless) this.services.push({ obj, selector });
  }

  /** The ways a client may reach `destination` (an ambient pod) on TCP `port` (asked by the mesh verdict and the CNI's wire port alike). */
  paths(destination: Endpoint, port: number): readonly WaypointPath[] {
    let byPort = this.pathCache.get(destination);
    if (!byPort) this.pathCache.set(destination, byPort = new Map());
    let paths = byPort.get(port);
    if (!paths) byPort.set(port, paths = this.computePaths(destination, port));
    return paths;
  }

  private computePaths(destination: Endpoint, port: number): WaypointPath[] {
    const ns = destination.namespace ?? 'default';
    const nsLabels = namespaceLabelsOf(destination, this.namespaces);
    const paths: WaypointPath[] = [this.resolve(destination.labels, ns, nsLabels, 'workload', 'the pod', undefined)];
    for (const svc of this.services) {
      if (!this.selects(svc, destination)) continue;
      const carried = servicePortsFor(svc.obj, destination, port);
      if (carried.length === 0) continue;
      const labels = isPlainObject(svc.obj.metadata?.labels) ? svc.obj.metadata!.labels as Labels : {};
      // The waypoint builds a chain per Service port: ports declared TCP and ports that are not are
      // two ways to address the Service, which a client picks by the port it connects to.
      // A port declared UDP (name or appProtocol udp[-*]) gets no chain at the waypoint
      // (listener_waypoint.go `buildWaypointInternal` skips protocol.UDP ports).
      const udpPorts = carried.filter((p) => declaresUdp(p.name, p.appProtocol));
      const tcpPorts = carried.filter((p) => !udpPorts.includes(p) && servicePortProtocol(p.name, p.appProtocol, p.port) === 'tcp');
      const otherPorts = carried.filter((p) => !tcpPorts.includes(p) && !udpPorts.includes(p));
      const split = [udpPorts, tcpPorts, otherPorts].filter((g) => g.length > 0).length > 1;
      for (const group of [udpPorts, tcpPorts, otherPorts].filter((g) => g.length > 0)) {
        const tcp = group === tcpPorts
          ? `Service ${ns}/${nameOf(svc.obj)} declares ${group.map(declaredPortText).join(', ')} TCP` : undefined;
        const service: AddressedService = {
          namespace: ns,
          name: nameOf(svc.obj),
          samePort: group.every((p) => p.port === port),
          ...(tcp !== undefined ? { tcp } : {}),
          ...(split ? { ports: group.map((p) => p.port) } : {}),
        };
        const path = this.resolve(labels, ns, nsLabels, 'service', `Service ${ns}/${service.name}`, service);
        if (group === udpPorts && path.kind === 'waypoint') {
          const declared = group.map(declaredPortText);
          paths.push({
            service,
            kind: 'unknown',
            why: `it passes the waypoint ${path.waypoint!.namespace}/${path.waypoint!.name} (${path.why}), and Service ${ns}/${service.name} declares `
              + `${declared.join(', ')} UDP, for which the waypoint builds no filter chain: what becomes of the TCP connection there is not modelled`,
          });
        } else {
          paths.push(path);
        }
      }
    }
    // A ServiceEntry selecting the pod (workloadSelector) is addressed through its hosts and takes its
    // own or its namespace's waypoint (waypoints.go fetchWaypointForService); which of its ports carry
    // the flow and which policies that waypoint applies to it are not modelled.
    for (const se of this.serviceEntries) {
      if (!this.selects(se, destination)) continue;
      const what = `ServiceEntry ${ns}/${nameOf(se.obj)}`;
      const labels = isPlainObject(se.obj.metadata?.labels) ? se.obj.metadata!.labels as Labels : {};
      const via = this.resolve(labels, ns, nsLabels, 'service', what, undefined);
      if (via.kind === 'direct') continue;
      paths.push({
        entry: what,
        kind: 'unknown',
        why: `${what} selects the pod (workloadSelector), and traffic addressed to its hosts ${via.kind === 'waypoint'
          ? `passes the waypoint ${via.waypoint!.namespace}/${via.waypoint!.name} (${via.why})` : `may pass a waypoint (${via.why})`}: not modelled`,
      });
    }
    // A Service without selector whose hand-written EndpointSlices (or Endpoints) may list the pod's
    // address is another way to address it; through that Service's waypoint it is not modelled.
    for (const target of this.manual.targetsOf(destination, port)) {
      const svcNs = namespaceOf(target.service);
      const what = `Service ${svcNs}/${nameOf(target.service)}`;
      const labels = isPlainObject(target.service.metadata?.labels) ? target.service.metadata!.labels as Labels : {};
      const via = this.resolve(labels, svcNs, this.namespaces.get(svcNs) ?? {}, 'service', what, undefined);
      if (via.kind === 'direct' || paths.some((p) => p.entry === what)) continue;
      paths.push({
        entry: what,
        kind: 'unknown',
        why: `${what} has no selector, and ${target.via} sends its port ${target.port.port} to port ${port} of addresses that `
          + `${target.names === 'yes' ? 'include the pod\'s' : 'may include the pod\'s (its address is not in the manifests)'}; traffic addressed to it `
          + `${via.kind === 'waypoint' ? `passes the waypoint ${via.waypoint!.namespace}/${via.waypoint!.name} (${via.why})` : `may pass a waypoint (${via.why})`}: `
          + 'not modelled',
      });
    }
    return paths;
  }

  /** The waypoint's pods as the CNI sees them: its namespace, the Gateway API name label and its service account. */
  endpointOf(wp: Waypoint): Endpoint {
    const key = `${wp.namespace}/${wp.name}/${wp.serviceAccount}`;
    let endpoint = this.endpointCache.get(key);
    if (!endpoint) this.endpointCache.set(key, endpoint = this.computeEndpoint(wp));
    return endpoint;
  }

  private computeEndpoint(wp: Waypoint): Endpoint {
    return {
      kind: 'pod',
      name: `waypoint ${wp.namespace}/${wp.name}`,
      namespace: wp.namespace,
      labels: { 'gateway.networking.k8s.io/gateway-name': wp.name },
      namespaceLabels: this.namespaces.get(wp.namespace) ?? {},
      serviceAccount: wp.serviceAccount,
      hostNetwork: false,
      namedPorts: [],
      ...(this.podSpace ? { addressSpace: this.podSpace } : {}),
    };
  }

  /** Does the Service `namespace/name` (in the manifests, not headless) select `destination`? */
  selectsDestination(namespace: string, name: string, destination: Endpoint): boolean {
    return this.services.some((svc) => namespaceOf(svc.obj) === namespace && nameOf(svc.obj) === name && this.selects(svc, destination));
  }

  /**
   * Does the Service select the destination's pods, or may it select some of them (a selector on a label
   * their controller sets at runtime, ../uncertainty/controller-label-selection)? The latter counts: it
   * adds a way to address those pods, and the paths' verdicts disagreeing leave the flow indeterminate
   * ({@link overPaths}); a targetRef policy on it is uncertain already ({@link attachesAtWaypoint}).
   */
  private selects(svc: ServiceInfo, destination: Endpoint): boolean {
    if (namespaceOf(svc.obj) !== (destination.namespace ?? 'default')) return false;
    const selection = podSelection({ matchLabels: svc.selector }, destination, `Service ${namespaceOf(svc.obj)}/${nameOf(svc.obj)}`);
    return 'unknown' in selection || selection.selects;
  }

  private resolve(labels: Labels, ns: string, nsLabels: Labels, traffic: 'service' | 'workload', what: string,
    service: AddressedService | undefined): WaypointPath {
    const at = (kind: WaypointPath['kind'], why: string, waypoint?: Waypoint): WaypointPath =>
      ({ ...(service ? { service } : {}), kind, why, ...(waypoint ? { waypoint } : {}) });
    let source: Labels;
    let where: string;
    if (labels[USE_WAYPOINT] !== undefined) {
      if (labels[USE_WAYPOINT] === 'none') return at('direct', `${what} is labelled ${USE_WAYPOINT}=none, which opts it out of any waypoint`);
      source = labels;
      where = what;
    } else if (nsLabels[USE_WAYPOINT] === 'none') {
      return at('direct', `namespace ${ns} is labelled ${USE_WAYPOINT}=none and ${what} names no waypoint`);
    } else if (nsLabels[USE_WAYPOINT] !== undefined) {
      source = nsLabels;
      where = `namespace ${ns}`;
    } else {
      return at('direct', `neither ${what} nor namespace ${ns} names a waypoint (${USE_WAYPOINT})`);
    }
    const wpNs = source[USE_WAYPOINT_NAMESPACE] ?? ns;
    const wpName = source[USE_WAYPOINT];
    const named = `${where} names the waypoint ${wpNs}/${wpName} (${USE_WAYPOINT})`;
    const gw = this.gateways.get(`${wpNs}/${wpName}`);
    if (gw === undefined) {
      return at('unknown', `${named}, but Gateway ${wpNs}/${wpName} is not in the manifests: whether it is a waypoint, for which traffic and under `
        + 'which identity is not known');
    }
    const gwRef = describeRef(refOf(gw));
    const className = String(gw.spec?.gatewayClassName ?? '');
    const classObj = this.classes.get(className);
    if (className !== WAYPOINT_CLASS && classObj?.spec?.controllerName !== WAYPOINT_CONTROLLER) {
      return at('unknown', `${named}, of GatewayClass '${className}', which is not Istio's waypoint class (${WAYPOINT_CLASS}): not modelled`);
    }
    const annotations: Labels = isPlainObject(gw.metadata?.annotations) ? gw.metadata!.annotations : {};
    if (Array.isArray(gw.spec?.addresses) && gw.spec!.addresses.length > 0) {
      return at('unknown', `${named}; ${gwRef} sets spec.addresses, so istiod does not deploy it and its identity is not known`);
    }
    if (annotations[INBOUND_BINDING_ANNOTATION] !== undefined) {
      return at('unknown', `${named}; ${gwRef} has the annotation ${INBOUND_BINDING_ANNOTATION}, which is not modelled`);
    }
    // istiod reads the binding from the Gateway, else its GatewayClass (waypoints.go getGatewayOrGatewayClassAnnotation).
    if (isPlainObject(classObj?.metadata?.annotations) && classObj!.metadata!.annotations[INBOUND_BINDING_ANNOTATION] !== undefined) {
      return at('unknown', `${named}; its GatewayClass ${className} has the annotation ${INBOUND_BINDING_ANNOTATION}, which is not modelled`);
    }
    const admits = this.admits(gw, ns);
    if (admits === undefined) return at('unknown', `${named}; whether ${gwRef}'s HBONE listener admits namespace ${ns} (allowedRoutes) is not known`);
    if (!admits) return at('direct', `${named}, but ${gwRef}'s HBONE listener does not admit namespace ${ns} (allowedRoutes), so istiod attaches none`);
    const gwLabels: Labels = isPlainObject(gw.metadata?.labels) ? gw.metadata!.labels : {};
    const classLabels: Labels = isPlainObject(classObj?.metadata?.labels) ? classObj!.metadata!.labels : {};
    const forText = gwLabels[WAYPOINT_FOR] ?? classLabels[WAYPOINT_FOR];
    const trafficType = forText ?? 'service';
    const takes = `${gwRef} takes ${trafficType} traffic (${forText === undefined ? `no ${WAYPOINT_FOR} label: the default` : `${WAYPOINT_FOR}=${forText}`})`;
    if (trafficType !== traffic && trafficType !== 'all') return at('direct', `${named}, but ${takes}, so ${pathLabel(at('direct', ''))} does not pass it`);
    const serviceAccount = annotations[SERVICE_ACCOUNT_ANNOTATION] ?? wpName;
    return at('waypoint', `${named} and ${takes}`, { ref: refOf(gw), namespace: wpNs, name: wpName, serviceAccount });
  }

  /** Does the waypoint's HBONE listener (15008) admit attachments from `ns`? undefined: not known. */
  private admits(gw: ManifestObject, ns: string): boolean | undefined {
    const listeners: any[] = Array.isArray(gw.spec?.listeners) ? gw.spec!.listeners : [];
    const hbone = listeners.find((l) => isPlainObject(l) && l.protocol === 'HBONE' && l.port === 15008);
    const namespaces = hbone?.allowedRoutes?.namespaces;
    const from = namespaces?.from ?? 'Same';
    if (from === 'All') return true;
    if (from === 'Same') return namespaceOf(gw) === ns;
    if (from !== 'Selector' || !isPlainObject(namespaces.selector)) return undefined;
    const labels = this.namespaces.get(ns);
    return labels === undefined ? undefined : matchesLabelSelector(namespaces.selector, labels);
  }
}

/** The Service's TCP ports whose target is the pod's `port` (a number, or a name of the pod's TCP ports). */
function servicePortsFor(svc: ManifestObject, destination: Endpoint, port: number): ServicePortView[] {
  return tcpServicePorts(svc).filter((p) => targetOf(p, destination) === port);
}

/** A policy's targetRefs as istiod reads them (`targetRefs`, else the legacy `targetRef`). */
function targetRefsOf(obj: ManifestObject): Array<{ group: string; kind: string; name: string; namespace?: string }> {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const refs = Array.isArray(spec.targetRefs) && spec.targetRefs.length > 0 ? spec.targetRefs : isPlainObject(spec.targetRef) ? [spec.targetRef] : [];
  return refs.filter(isPlainObject).map((r: any) => ({
    group: String(r.group ?? ''), kind: String(r.kind), name: String(r.name), ...(r.namespace ? { namespace: String(r.namespace) } : {}),
  }));
}

/**
 * Does the waypoint on `path` enforce the policy `obj` (in `policyNamespace`)? `applies`, `no`, or
 * a reason it is not known.
 */
export function attachesAtWaypoint(obj: ManifestObject, policyNamespace: string, path: WaypointPath, rootNamespace: string,
  selectsDestination: (namespace: string, name: string) => boolean): 'applies' | 'no' | string {
  const wp = path.waypoint!;
  let unsure: string | undefined;
  for (const t of targetRefsOf(obj)) {
    const core = t.group === '' || t.group === 'core';
    if (core && t.kind === 'Service') {
      if (path.service && t.name === path.service.name && policyNamespace === path.service.namespace) return 'applies';
      // Which Services a waypoint's chain for pod-addressed traffic carries is not read here.
      if (!path.service && selectsDestination(policyNamespace, t.name)) {
        unsure = `${describeRef(refOf(obj))} targets the Service '${t.name}', which selects the destination: whether the waypoint `
          + `${wp.namespace}/${wp.name} applies it to traffic addressed to the pod is not known`;
      }
    }
    if (t.group === GATEWAY_GROUP && t.kind === 'GatewayClass' && t.name === WAYPOINT_CLASS && policyNamespace === rootNamespace) return 'applies';
    if (policyNamespace !== wp.namespace || (t.namespace !== undefined && t.namespace !== wp.namespace)) continue;
    if (t.group === GATEWAY_GROUP && t.kind === 'Gateway' && t.name === wp.name) return 'applies';
  }
  return unsure ?? 'no';
}

/** Rule fields whose value at a waypoint (addresses, and ports when the Service maps them) is not modelled. */
export function waypointRuleUnknown(rule: unknown, path: string, portKnown: boolean): string | undefined {
  if (!isPlainObject(rule)) return undefined;
  const used: string[] = [];
  (Array.isArray(rule.from) ? rule.from : []).forEach((f: any, j: number) => {
    for (const k of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) if (f?.source?.[k] !== undefined) used.push(`${path}.from[${j}].source.${k}`);
  });
  (Array.isArray(rule.to) ? rule.to : []).forEach((t: any, j: number) => {
    for (const k of ['ports', 'notPorts']) if (!portKnown && t?.operation?.[k] !== undefined) used.push(`${path}.to[${j}].operation.${k}`);
  });
  (Array.isArray(rule.when) ? rule.when : []).forEach((c: any, j: number) => {
    const key = String(c?.key);
    if (['source.ip', 'remote.ip', 'destination.ip'].includes(key) || (!portKnown && key === 'destination.port')) used.push(`${path}.when[${j}] (${key})`);
  });
  return used.length === 0 ? undefined : `${used.join(', ')}: which ${portKnown ? 'addresses' : 'addresses and ports'} a waypoint matches is not modelled`;
}

/** The two enforcement points of a path through a waypoint: both must allow. */
export function throughWaypoint(path: WaypointPath, atWaypoint: DirectionVerdict, atZtunnel: DirectionVerdict): DirectionVerdict {
  const wp = path.waypoint!;
  const head: Reason = { object: wp.ref, effect: 'log', message: `${pathLabel(path)} passes the waypoint ${wp.namespace}/${wp.name}: ${path.why}` };
  const prefix = (where: string, v: DirectionVerdict): Reason[] => v.reasons.map((r) => ({ ...r, message: `${where}: ${r.message}` }));
  const w = prefix(`at the waypoint ${wp.namespace}/${wp.name}`, atWaypoint);
  if (atWaypoint.outcome === NO) return sideVerdict(NO, [head, ...w]);
  const z = prefix('at the destination\'s ztunnel, which sees the waypoint\'s identity', atZtunnel);
  if (atZtunnel.outcome === NO) return sideVerdict(NO, [head, ...w, ...z]);
  if (atWaypoint.outcome === MAYBE || atZtunnel.outcome === MAYBE) {
    return sideVerdict(MAYBE, [head, ...w, ...z], [...atWaypoint.uncertain ?? [], ...atZtunnel.uncertain ?? []]);
  }
  return sideVerdict(YES, [head, ...w, ...z], [], [...atWaypoint.l7Constraints ?? [], ...atZtunnel.l7Constraints ?? []]);
}

const WORD = { [YES]: 'allowed', [NO]: 'denied', [MAYBE]: 'indeterminate' } as const;

/**
 * The verdicts of every way to address the destination: exact when they agree (same outcome, same
 * L7 constraints), else indeterminate, naming the paths.
 */
export function overPaths(paths: readonly WaypointPath[], verdicts: DirectionVerdict[]): DirectionVerdict {
  if (verdicts.length === 1) return verdicts[0];
  const reasons = verdicts.flatMap((v) => v.reasons);
  const outcomes = new Set(verdicts.map((v) => v.outcome));
  const constraints = new Set(verdicts.map((v) => JSON.stringify(v.l7Constraints ?? [])));
  const [first] = verdicts;
  if (outcomes.size === 1 && first.outcome !== MAYBE && constraints.size === 1) {
    return sideVerdict(first.outcome, reasons, [], first.l7Constraints);
  }
  const uncertain = verdicts.flatMap((v) => v.uncertain ?? []);
  // Paths that are indeterminate themselves say why; definite paths that disagree are named here.
  const definite = verdicts.filter((v) => v.outcome !== MAYBE);
  if (new Set(definite.map((v) => `${v.outcome}${JSON.stringify(v.l7Constraints ?? [])}`)).size > 1) {
    uncertain.unshift(`the answer depends on how the client addresses the destination (the question does not say): ${paths
      .map((p, i) => `${pathLabel(p)}: ${WORD[verdicts[i].outcome]}${verdicts[i].l7Constraints?.length ? ` (${verdicts[i].l7Constraints!.join('; ')})` : ''}`)
      .join('; ')}`);
  }
  return sideVerdict(MAYBE, reasons, uncertain);
}
