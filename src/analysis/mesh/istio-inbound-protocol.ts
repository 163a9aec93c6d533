/**
 * Whether a sidecar serves a pod's inbound port as HTTP (internal), as istiod builds the inbound
 * listener from the Services selecting the pod:
 *
 * - A Service port's protocol is its `appProtocol`, else its name, read up to the first `-`
 *   (`grpc-web` whole), case-insensitively; a name Istio does not know on the well-known ports 25, 53,
 *   3306 and 27017 is TCP (istio pkg/config/kube `ConvertProtocol`, pkg/config/protocol `Parse`;
 *   istio.io "Protocol Selection").
 * - The Kubernetes standard application protocols (KEP-3726), as an exact, case-sensitive
 *   `appProtocol` only: `kubernetes.io/h2c` is HTTP2 and `kubernetes.io/ws` HTTP (an HTTP chain),
 *   `kubernetes.io/wss` HTTPS (a TCP chain). Any other spelling falls through to the reading above
 *   (istio/istio pkg/config/kube conversion.go `ConvertProtocol` since istio/istio#43987; listed in
 *   istio/istio#58833).
 * - http, http2, http_proxy, grpc and grpc-web get an HTTP filter chain (Envoy's HTTP connection
 *   manager); tcp, https, tls, mongo, redis and mysql a TCP chain only; anything else is detected per
 *   connection, so a client speaking HTTP gets the HTTP chain (pilot networking
 *   `ModelProtocolToListenerProtocol`, inbound protocol sniffing on by default).
 * - UDP: a TCP Service port named or with appProtocol `udp[-*]` is read as UDP (pkg/config/protocol
 *   `Parse` knows `udp`), and so is a Service port with `protocol: UDP`. istiod's Kubernetes registry
 *   (pilot/pkg/serviceregistry/kube/controller controller.go `GetProxyServiceTargetsByPod`) keeps it
 *   for the inbound chains, keyed by pod port only (listener_inbound `getFilterChainsByServicePort`):
 *   UDP maps to ListenerProtocolUnknown, whose filter chain options are the TCP ones
 *   (`getFilterChainMatchOptions` default branch), so the TCP connection to that pod port gets the
 *   TCP chain. Its krt-based rewrite (`KrtController.serviceTargetsByPod`) skips UDP ports, and
 *   headless Services too (`serviceTargetsFromPod`: resolution not ClientSideLB), leaving the port to
 *   the other Services or the passthrough chains; but where that leaves the pod no target at all, it
 *   reads the EndpointSlices naming the pod (`serviceTargetsFromEndpointSlices`), UDP and headless
 *   included, as the older registry does (a StatefulSet's only headless Service is read by both). Which registry a control plane runs is
 *   not in the manifests: where the two readings differ, the protocol is not known. A waypoint skips
 *   UDP ports (./istio-waypoint).
 * - A pod no Service selects takes its Services from the EndpointSlices naming its address (a Service
 *   without selector, endpoints written by hand: ./istio-manual-endpoints); pods in the manifests
 *   rarely carry their address, so where such a slice may name the pod and its Service port is TCP,
 *   the protocol is not known.
 * - A port no Service declares goes to the passthrough chains, which detect the protocol too (pilot
 *   networking/core listener_inbound `buildInboundPassthroughChains`, `ListenerProtocolAuto`).
 * - Several Service ports on one pod port: istiod builds one chain per target port and keeps the
 *   oldest Service's ("If there is a conflict, we will use the oldest Service. This impacts the
 *   protocol used as well": listener_inbound `buildInboundChainConfigs`). Creation times are not in
 *   the manifests, so when they disagree between TCP and not TCP, the protocol is not known.
 *
 * - A `Sidecar` resource with ingress listeners applying to the pod replaces all of the above: a port
 *   it lists has the listener's protocol, one it does not list goes to the passthrough chains by
 *   default (./istio-sidecar-ingress).
 */
import { InboundProtocol, knownProtocolChain } from './istio-inbound-protocol-kind';
import { ManualEndpoints, ManualTarget } from './istio-manual-endpoints';
import { ServicePortView } from './istio-service-port-view';
import { SidecarIngresses } from './istio-sidecar-ingress';
import { servicesWithSelector } from './services-with-selector';
import { isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { Endpoint, ManifestObject, serviceTargetPortOf } from '../model';
import { podSelection } from '../uncertainty/controller-label-selection';


/** A Service with a selector (a Service without one selects no pod). */
interface SelectingService {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePortView[];
  /** `clusterIP: None` (istiod: resolution Passthrough, not ClientSideLB). */
  readonly headless: boolean;
}

/** The KEP-3726 appProtocols istiod maps before parsing (h2c: HTTP2, ws: HTTP, wss: HTTPS). */
const K8S_APP_PROTOCOLS: ReadonlyMap<string, InboundProtocol> = new Map([
  ['kubernetes.io/h2c', 'http'],
  ['kubernetes.io/ws', 'http'],
  ['kubernetes.io/wss', 'tcp'],
]);
/** Service ports Istio never sniffs: an unknown protocol name there is TCP. */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);

/** The protocol name istiod reads off a TCP Service port's appProtocol, else name (lower case; `grpc-web` whole). */
function declaredName(name: string | undefined, appProtocol: string | undefined): string {
  const text = (appProtocol ?? name ?? '').toLowerCase();
  return text.startsWith('grpc-web') ? 'grpc-web' : text.split('-')[0];
}

/** Does a TCP Service port declare UDP (appProtocol, else name, `udp[-*]`)? istiod then treats it as a UDP port. */
export function declaresUdp(name: string | undefined, appProtocol: string | undefined): boolean {
  return (appProtocol === undefined || !K8S_APP_PROTOCOLS.has(appProtocol)) && declaredName(name, appProtocol) === 'udp';
}

/** The listener protocol Istio gives a TCP Service port on a sidecar's inbound listener (UDP: the TCP chain). */
export function servicePortProtocol(name: string | undefined, appProtocol: string | undefined, port: number): InboundProtocol {
  const standard = appProtocol !== undefined ? K8S_APP_PROTOCOLS.get(appProtocol) : undefined;
  if (standard !== undefined) return standard;
  const parsed = declaredName(name, appProtocol);
  if (parsed === 'udp') return 'tcp';
  return knownProtocolChain(parsed) ?? (WELL_KNOWN_TCP_PORTS.has(port) ? 'tcp' : 'detected');
}

/** The inbound protocols of the pods' ports, from the Services of a manifest set. */
export class InboundProtocols {
  /** Namespace -> its Services with a selector. */
  private readonly services = new Map<string, SelectingService[]>();
  /** Answers per destination and port (asked for every flow of a matrix). */
  private readonly cache = new WeakMap<Endpoint, Map<number, { protocol: InboundProtocol; why: string }>>();
  private readonly sidecars: SidecarIngresses;
  private readonly manual: ManualEndpoints;

  /** `rootNamespace`: the mesh root namespace, whose Sidecar without workloadSelector is the mesh default. */
  constructor(manifests: readonly ManifestObject[], rootNamespace: string = 'istio-system') {
    this.sidecars = new SidecarIngresses(manifests, rootNamespace);
    this.manual = new ManualEndpoints(manifests);
    for (const { obj, namespace: ns, name, selector, headless } of servicesWithSelector(manifests)) {
      const svc: SelectingService = { namespace: ns, name, selector, ports: inboundServicePorts(obj), headless };
      const known = this.services.get(ns);
      if (known) known.push(svc);
      else this.services.set(ns, [svc]);
    }
  }

  /**
   * How the destination's sidecar serves TCP `port`, with why: `tcp` when every Service port
   * selecting it declares it non-HTTP, `http` or `detected` when none does (or no Service declares
   * it), `unknown` when they disagree (istiod keeps the oldest Service's).
   */
  of(destination: Endpoint, port: number): { protocol: InboundProtocol; why: string } {
    let ports = this.cache.get(destination);
    if (!ports) this.cache.set(destination, ports = new Map());
    let answer = ports.get(port);
    if (!answer) ports.set(port, answer = this.withSidecar(destination, port));
    return answer;
  }

  /** The answer of the Sidecar applying to the destination, where one with ingress listeners does. */
  private withSidecar(destination: Endpoint, port: number): { protocol: InboundProtocol; why: string } {
    const sidecar = this.sidecars.of(destination, port);
    if (sidecar === undefined) return this.compute(destination, port);
    if (sidecar.kind !== 'unlisted') return { protocol: sidecar.kind === 'listed' ? sidecar.protocol : 'unknown', why: sidecar.why };
    const services = this.compute(destination, port);
    const passthrough = `${sidecar.sidecar} has ingress listeners, none for port ${port}, so the sidecar sends it to the passthrough chains, which `
      + 'detect its protocol';
    // Detected and HTTP get the same HTTP chain for a client speaking HTTP; only TCP differs.
    if (services.protocol !== 'tcp' && services.protocol !== 'unknown') return { protocol: 'detected', why: passthrough };
    return {
      protocol: 'unknown',
      why: `${passthrough}, unless istiod runs with PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE (default false, not in the manifests), `
        + `where the Services declare it: ${services.why}`,
    };
  }

  private compute(destination: Endpoint, port: number): { protocol: InboundProtocol; why: string } {
    // A Service selecting by a label the pod's controller sets at runtime may select some of its pods only
    // (../uncertainty/controller-label-selection): where that changes the protocol, it is not known.
    const sure: SelectingService[] = [];
    const unsure: Array<{ svc: SelectingService; why: string }> = [];
    for (const svc of this.services.get(destination.namespace ?? 'default') ?? []) {
      const selection = podSelection({ matchLabels: svc.selector }, destination, `Service ${svc.namespace}/${svc.name}`);
      if ('unknown' in selection) unsure.push({ svc, why: selection.unknown });
      else if (selection.selects) sure.push(svc);
    }
    const without = this.computeFrom(sure, destination, port);
    if (unsure.length === 0) return without;
    const withThem = this.computeFrom([...sure, ...unsure.map((u) => u.svc)], destination, port);
    if (withThem.protocol === without.protocol) return without;
    return {
      protocol: 'unknown',
      why: `${unsure.map((u) => u.why).join('; ')}: for the pods it selects, ${withThem.why}; for the others, ${without.why}`,
    };
  }

  /** {@link compute} where `selecting` are the Services that select the destination. */
  private computeFrom(selecting: readonly SelectingService[], destination: Endpoint, port: number): { protocol: InboundProtocol; why: string } {
    const declared: Declared[] = [];
    for (const svc of selecting) {
      for (const p of svc.ports) {
        if (targetOf(p, destination) !== port) continue;
        const what = `Service ${svc.namespace}/${svc.name}${svc.headless ? ' (headless)' : ''} port ${p.port} (${describePort(p)})`;
        declared.push({ protocol: chainOf(p), udp: isUdp(p), headless: svc.headless, what });
      }
    }
    if (selecting.length === 0) {
      const manual = this.manual.targetsOf(destination, port, true);
      const sure = manual.filter((t) => t.names === 'yes');
      for (const t of sure) declared.push({ protocol: chainOf(t.port), udp: isUdp(t.port), headless: false, what: manualText(t) });
      const tcpMaybe = manual.filter((t) => t.names === 'maybe' && chainOf(t.port) === 'tcp');
      if (sure.length === 0 && tcpMaybe.length > 0) {
        return {
          protocol: 'unknown',
          why: `no Service with a selector selects ${destination.name}, so istiod takes its Services from the EndpointSlices naming its address; `
            + `${tcpMaybe.map(manualText).join(', ')} may name it (its address is not in the manifests): if so port ${port} is served as TCP, `
            + 'else its protocol is detected',
        };
      }
    }
    if (declared.length === 0) return { protocol: 'detected', why: `no Service declares port ${port}, so the sidecar detects its protocol` };
    const withUdp = combine(declared, port);
    const skipped = declared.filter((d) => d.udp || d.headless);
    if (skipped.length === 0) return withUdp;
    // Where no ClusterIP Service gives the pod a TCP port, krt finds no target from the selectors and
    // falls back to the EndpointSlices naming the pod's address (KrtController.GetProxyServiceTargets
    // step 2, serviceTargetsFromEndpointSlices), which Kubernetes writes for the headless and UDP ones
    // too and which keep every port: the same reading as the Kubernetes registry's.
    const krtFromSelectors = selecting.some((svc) => !svc.headless && svc.ports.some((p) => !isUdp(p) && targetOf(p, destination) !== undefined));
    if (!krtFromSelectors) return withUdp;
    // The Kubernetes registry of istiod keeps UDP Service ports and headless Services for the inbound
    // chains (controller.go GetProxyServiceTargetsByPod), a UDP port served by the TCP chain; its
    // krt-based rewrite skips both (serviceTargetsFromPod: `svc.Resolution != model.ClientSideLB`;
    // serviceTargetsByPod: `if svcPort.Protocol == protocol.UDP { continue }`).
    const rest = declared.filter((d) => !skipped.includes(d));
    const withoutUdp = rest.length > 0 ? combine(rest, port)
      : {
        protocol: 'detected' as const,
        why: `no Service declares port ${port} but ${skipped.some((d) => d.headless) ? 'those' : 'as UDP'}, so the `
        + 'sidecar detects its protocol',
      };
    // HTTP and detected give a client speaking HTTP the same chain: only TCP (and unknown) differ.
    const chainClass = (r: { protocol: InboundProtocol }) => (r.protocol === 'detected' ? 'http' : r.protocol);
    if (chainClass(withUdp) === chainClass(withoutUdp)) return withUdp;
    const shown = (r: { protocol: InboundProtocol }) => (r.protocol === 'detected' ? 'with its protocol detected' : `as ${r.protocol.toUpperCase()}`);
    const udpOnly = skipped.every((d) => !d.headless);
    return {
      protocol: 'unknown',
      why: `${skipped.map((d) => d.what).join(', ')} ${udpOnly ? `declare${skipped.length === 1 ? 's' : ''} port ${port} UDP; istiod's Kubernetes `
        + 'registry gives a UDP port the TCP chain' : `declare${skipped.length === 1 ? 's' : ''} port ${port}; istiod's Kubernetes registry reads `
        + 'headless Services and UDP ports (the TCP chain) too'} (${withUdp.protocol === 'unknown' ? withUdp.why : `port ${port} is then served `
        + `${shown(withUdp)}`}), its krt-based registry skips ${udpOnly ? 'it' : 'them'} (port ${port} is then served ${shown(withoutUdp)}: `
        + `${withoutUdp.why}), and which one the control plane runs is not in the manifests`,
    };
  }
}

/** One Service port declaring a pod port. */
interface Declared {
  readonly protocol: InboundProtocol;
  /** Declared UDP (protocol UDP, or a name or appProtocol udp[-*]). */
  readonly udp: boolean;
  /** Declared by a headless Service. */
  readonly headless: boolean;
  readonly what: string;
}

/** The protocol of a pod port the Service ports `declared` declare. */
function combine(declared: readonly Declared[], port: number): { protocol: InboundProtocol; why: string } {
  const open = declared.filter((d) => d.protocol !== 'tcp');
  if (open.length === 0) return { protocol: 'tcp', why: declared.map((d) => d.what).join(', ') };
  if (open.length < declared.length) {
    return {
      protocol: 'unknown',
      why: `${declared.map((d) => d.what).join(', ')} declare port ${port} differently, and istiod serves it with the protocol of the oldest `
        + 'Service, whose creation time is not in the manifests',
    };
  }
  return { protocol: open.some((d) => d.protocol === 'http') ? 'http' : 'detected', why: open.map((d) => d.what).join(', ') };
}

function isUdp(p: ServicePortView): boolean {
  return p.protocol === 'UDP' || declaresUdp(p.name, p.appProtocol);
}

/** The chain a Service port gives its pod port on a sidecar's inbound listener (a UDP port: the TCP chain). */
function chainOf(p: ServicePortView): InboundProtocol {
  return p.protocol === 'UDP' ? 'tcp' : servicePortProtocol(p.name, p.appProtocol, p.port);
}

/** `port name 'udp-dns': UDP` / `appProtocol http: HTTP`. */
function describePort(p: ServicePortView): string {
  const protocol = chainOf(p);
  const label = p.protocol === 'UDP' ? `protocol UDP${p.name !== undefined ? `, port name '${p.name}'` : ''}`
    : p.appProtocol !== undefined ? `appProtocol ${p.appProtocol}` : p.name !== undefined ? `port name '${p.name}'` : 'no port name';
  const read = isUdp(p) ? 'UDP' : protocol === 'detected' ? 'protocol detected' : protocol.toUpperCase();
  return `${label}: ${read}`;
}

/** `Service shop/legacy port 80 (port name 'tcp': TCP) through EndpointSlice shop/legacy-1`. */
function manualText(t: ManualTarget): string {
  return `Service ${namespaceOf(t.service)}/${nameOf(t.service)} port ${t.port.port} (${describePort(t.port)}; no selector) through ${t.via}`;
}

/** The TCP ports of a Service object (the ones Istio's inbound listeners and waypoints serve). */
export function tcpServicePorts(svc: ManifestObject): ServicePortView[] {
  return servicePortsOf(svc, 'TCP');
}

/**
 * The Service ports a sidecar's inbound listener reads: the TCP ones and the UDP ones, which take the
 * chain of their pod port number like the others (istiod keys inbound chains by target port only).
 */
function inboundServicePorts(svc: ManifestObject): ServicePortView[] {
  return [...servicePortsOf(svc, 'TCP'), ...servicePortsOf(svc, 'UDP')];
}

/** The ports of a Service object with `protocol` (TCP: also those that give none). */
function servicePortsOf(svc: ManifestObject, protocol: 'TCP' | 'UDP'): ServicePortView[] {
  return (Array.isArray(svc.spec?.ports) ? svc.spec!.ports : []).filter((p: any) => isPlainObject(p) && typeof p.port === 'number'
    && (p.protocol === protocol || (protocol === 'TCP' && p.protocol === undefined))).map((p: any): ServicePortView => ({
    ...(typeof p.name === 'string' ? { name: p.name } : {}),
    ...(protocol === 'UDP' ? { protocol } : {}),
    port: p.port,
    ...(typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? { targetPort: p.targetPort } : {}),
    ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}),
  }));
}

/**
 * The pod port a Service port sends to (a named targetPort through the pod's named ports of the Service port's protocol, of
 * its containers then native sidecars, not plain init containers: ../model serviceTargetPortOf, Kubernetes FindPort).
 */
export function targetOf(p: ServicePortView, destination: Endpoint): number | undefined {
  if (p.targetPort === undefined) return p.port;
  if (typeof p.targetPort === 'number') return p.targetPort;
  const protocol = p.protocol ?? 'TCP';
  return serviceTargetPortOf(destination, p.targetPort, protocol);
}
