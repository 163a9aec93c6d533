/**
 * How a `Sidecar` resource's `egress` listeners and `outboundTrafficPolicy` change what a client's
 * sidecar does with a connection (internal). istio.io Sidecar reference; istio/istio
 * pilot/pkg/model/sidecar.go `ConvertToSidecarScope`:
 *
 * - Egress listeners import only the Services their `hosts` (`namespace/dnsName`; `*` any namespace,
 *   `.` the workload's, `~` none) name. A Service the client's scope does not import is unknown to its
 *   sidecar: the connection goes to the PassthroughCluster without the mesh's mutual TLS when the
 *   outbound traffic policy is ALLOW_ANY (the meshConfig default), or to the BlackHoleCluster when it is
 *   REGISTRY_ONLY. The Sidecar's `outboundTrafficPolicy` overrides meshConfig's, which is not in the
 *   manifests.
 * - Read exactly here: listeners without `port`, `bind` and `captureMode`, and hosts whose dnsName is
 *   `*`. Anything else (a port-bound listener, a bind address, a capture mode, a dnsName naming hosts)
 *   is not modelled: the flow is indeterminate.
 * - Whatever the Sidecar: a Service whose annotation `networking.istio.io/exportTo` leaves out the
 *   client's namespace is not in its sidecar's registry either (PushContext
 *   `servicesExportedToNamespace`), so the same Passthrough or BlackHole applies.
 * - A Sidecar without egress listeners (or `egress: []`) imports every Service (`*\/*`), and istiod
 *   also imports the Services the VirtualServices a listener imports route to: a VirtualService in the
 *   manifests routing to the destination's Service, bound to the mesh and in a namespace the hosts
 *   name, leaves the import unknown.
 * - The client's sidecar drops or passes the connection before the destination's data plane: a
 *   destination without Istio policy (not in the mesh, port not captured) is blocked too where the
 *   client's sidecar blocks it (./istio `pastClientSidecar`).
 * - Which Sidecar applies: as for ingress (./istio-sidecar-ingress `sidecarCandidates`); every
 *   candidate counts, with or without egress listeners.
 * - Whatever the Sidecar: a Service port declared UDP (name or appProtocol `udp[-*]`) gets no
 *   outbound cluster (pilot/pkg/networking/core cluster.go `buildOutboundClusters` skips
 *   protocol.UDP ports), so a client's sidecar does not carry a TCP connection to it over the mesh.
 */
import { sidecarCandidates, SidecarView } from './istio-sidecar-ingress';
import { isKindOf, isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { Endpoint, ManifestObject } from '../model';
import { declaresUdp, targetOf, tcpServicePorts } from './istio-inbound-protocol';
import { declaredPortText } from './istio-service-port-view';
import { servicesWithSelector } from './services-with-selector';
import { podSelection } from '../uncertainty/controller-label-selection';

interface SelectingService {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly obj: ManifestObject;
}

/** What a client's sidecar does with a connection, where that is not the mesh's mutual TLS as modelled. */
export interface ClientOutbound {
  /** Why, naming the objects that decide. */
  readonly why: string;
  /**
   * What may become of the connection: `plaintext` (PassthroughCluster: it reaches the destination
   * without mutual TLS), `blocked` (BlackHoleCluster).
   * @default - not known (not modelled): indeterminate
   */
  readonly ways?: ReadonlyArray<'plaintext' | 'blocked'>;
}

/**
 * A Sidecar's egress listeners, or undefined where it has none: istiod then uses one listener with
 * hosts `*\/*` (pilot/pkg/model/sidecar.go `ConvertToSidecarScope`: `len(egressConfigs) == 0`), which
 * imports every Service, so `egress: []` is the same as no egress.
 */
function egressOf(sidecar: SidecarView): unknown[] | undefined {
  return Array.isArray(sidecar.spec.egress) && sidecar.spec.egress.length > 0 ? sidecar.spec.egress : undefined;
}

/** The Service annotation naming the namespaces whose proxies see the Service. */
const EXPORT_TO = 'networking.istio.io/exportTo';

/**
 * Does `svc` export itself to `namespace`? Its annotation `networking.istio.io/exportTo` lists
 * namespaces, comma-separated: `*` all, `.` its own, `~` none (istio.io Resource Annotations; the kube
 * registry's service conversion splits it on commas). Without the annotation, meshConfig
 * defaultServiceExportTo decides (default `*`; not in the manifests): read as exported.
 */
function exportedTo(svc: SelectingService, namespace: string): boolean {
  const value = svc.obj.metadata?.annotations?.[EXPORT_TO];
  if (typeof value !== 'string') return true;
  return value.split(',').map((e) => e.trim()).some((e) => e === '*' || e === namespace || (e === '.' && svc.namespace === namespace));
}

/** The `host` of every route destination and mirror in a VirtualService spec. */
function destinationHosts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) destinationHosts(v, out);
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'destination' || k === 'mirror') && isPlainObject(v) && typeof v.host === 'string') out.push(v.host);
      else destinationHosts(v, out);
    }
  }
  return out;
}

/** What the client's Sidecar egress settings make of connections to a destination. */
export class SidecarEgress {
  private readonly services: SelectingService[] = [];

  /** The VirtualServices in the manifests and the destination hosts they route to. */
  private readonly virtualServices: Array<{ readonly ref: string; readonly namespace: string; readonly hosts: string[] }> = [];

  constructor(manifests: readonly ManifestObject[], private readonly sidecars: ReadonlyMap<string, SidecarView[]>,
    private readonly rootNamespace: string) {
    for (const obj of manifests) {
      if (isKindOf(obj, 'networking.istio.io', 'VirtualService')) {
        // Only a VirtualService bound to the mesh (no gateways, or `mesh` among them) is on a sidecar's listeners.
        const gateways = isPlainObject(obj.spec) ? obj.spec.gateways : undefined;
        if (!Array.isArray(gateways) || gateways.length === 0 || gateways.includes('mesh')) {
          this.virtualServices.push({ ref: `VirtualService ${namespaceOf(obj)}/${nameOf(obj)}`, namespace: namespaceOf(obj), hosts: destinationHosts(obj.spec) });
        }
      }
    }
    for (const { namespace, name, selector, obj } of servicesWithSelector(manifests)) this.services.push({ namespace, name, selector, obj });
  }

  /**
   * A VirtualService that may route to one of `services` (a destination host whose first label is the
   * Service's name). istiod adds the Services a listener's imported VirtualServices route to
   * (pilot/pkg/model/sidecar.go `ConvertToSidecarScope`, `virtualServiceDestinationHosts`). Read:
   * the VirtualService's namespace against `importedNamespaces` (`SelectVirtualServices`) and its
   * binding to the mesh; not read (so any such VirtualService leaves the import unknown): its exportTo
   * and the short-name resolution of its hosts.
   */
  private routedBy(services: readonly SelectingService[], importedNamespaces: ReadonlySet<string>):
  { vs: string; host: string; svc: SelectingService } | undefined {
    for (const vs of this.virtualServices) {
      // A listener imports the VirtualServices of the namespaces its hosts name (`SelectVirtualServices`).
      if (!importedNamespaces.has('*') && !importedNamespaces.has(vs.namespace)) continue;
      for (const host of vs.hosts) {
        const svc = services.find((s) => host.split('.')[0] === s.name);
        if (svc !== undefined) return { vs: vs.ref, host, svc };
      }
    }
    return undefined;
  }

  /**
   * What the source's sidecar does with its connection to `destination`'s pod port `port` where that
   * is not the mesh's mutual TLS as modelled, or undefined when nothing changes it.
   */
  outbound(source: Endpoint, destination: Endpoint, port: number): ClientOutbound | undefined {
    // A Service selecting by a label the pod's controller sets at runtime may select some of its pods only
    // (../uncertainty/controller-label-selection): where that changes the answer, it is not known.
    const sure: SelectingService[] = [];
    const unsure: Array<{ svc: SelectingService; why: string }> = [];
    for (const svc of this.services) {
      if (svc.namespace !== (destination.namespace ?? 'default')) continue;
      const selection = podSelection({ matchLabels: svc.selector }, destination, `Service ${svc.namespace}/${svc.name}`);
      if ('unknown' in selection) unsure.push({ svc, why: selection.unknown });
      else if (selection.selects) sure.push(svc);
    }
    const without = this.outboundVia(sure, source, destination, port);
    if (unsure.length === 0) return without;
    const withThem = this.outboundVia([...sure, ...unsure.map((u) => u.svc)], source, destination, port);
    if (JSON.stringify(without ?? null) === JSON.stringify(withThem ?? null)) return without;
    return { why: `${unsure.map((u) => u.why).join('; ')}, and what ${source.name}'s sidecar does with the connection depends on it` };
  }

  /** {@link outbound} where `selecting` are the Services of the destination's namespace that select it. */
  private outboundVia(selecting: readonly SelectingService[], source: Endpoint, destination: Endpoint, port: number): ClientOutbound | undefined {
    // A Sidecar without egress listeners still applies (and imports */*): istiod picks one Sidecar, not
    // one per field, so every candidate of the rank takes part.
    const candidates = sidecarCandidates(this.sidecars, this.rootNamespace, source);
    if (!Array.isArray(candidates)) return { why: candidates.unknown };
    const shape = (s: SidecarView) => JSON.stringify([egressOf(s), s.spec.outboundTrafficPolicy ?? null]);
    if (candidates.some((s) => shape(s) !== shape(candidates[0]))) {
      return {
        why: `${candidates.map((s) => s.ref).join(', ')} all apply to ${source.name} with different egress settings, and istiod uses the oldest, whose `
          + 'creation time is not in the manifests',
      };
    }
    const sidecar = candidates[0] as SidecarView | undefined;
    const mode = sidecar && isPlainObject(sidecar.spec.outboundTrafficPolicy) ? sidecar.spec.outboundTrafficPolicy.mode : undefined;
    // ALLOW_ANY with an egressProxy sends unknown destinations to that Service instead of the
    // PassthroughCluster (Sidecar reference, OutboundTrafficPolicy.egressProxy): not modelled.
    const egressProxy = mode !== 'REGISTRY_ONLY' && sidecar && isPlainObject(sidecar.spec.outboundTrafficPolicy)
      && isPlainObject(sidecar.spec.outboundTrafficPolicy.egressProxy) ? sidecar.spec.outboundTrafficPolicy.egressProxy : undefined;
    const ways: Array<'plaintext' | 'blocked'> | undefined = egressProxy !== undefined ? undefined
      : mode === 'REGISTRY_ONLY' ? ['blocked'] : mode === 'ALLOW_ANY' ? ['plaintext'] : ['plaintext', 'blocked'];
    const unknownDestination = mode === 'REGISTRY_ONLY'
      ? `its outbound traffic policy is REGISTRY_ONLY (${sidecar!.ref}), so the sidecar sends it to the BlackHoleCluster`
      : egressProxy !== undefined ? `its outbound traffic policy sends unknown destinations to the egressProxy ${String(egressProxy.host)} (${sidecar!.ref}), `
        + 'whose handling of the connection is not modelled'
        : `${mode === 'ALLOW_ANY' ? `its outbound traffic policy is ALLOW_ANY (${sidecar!.ref})` : 'with the outbound traffic policy ALLOW_ANY (the '
        + 'meshConfig default; not in the manifests), REGISTRY_ONLY blocks it instead'}, so it leaves through the PassthroughCluster without the mesh's `
        + 'mutual TLS';
    const carryingPorts = selecting.flatMap((svc) => tcpServicePorts(svc.obj).filter((p) => targetOf(p, destination) === port)
      .map((p) => ({ svc, p })));
    if (carryingPorts.length > 0 && carryingPorts.every(({ p }) => declaresUdp(p.name, p.appProtocol))) {
      return {
        why: `every Service port carrying ${destination.name} port ${port} is declared UDP (${carryingPorts.map(({ svc, p }) => 'Service '
          + `${svc.namespace}/${svc.name} ${declaredPortText(p)}`).join(', ')}), for which a client's sidecar builds no outbound cluster; ${unknownDestination}`,
        ways,
      };
    }
    const carryingAll = [...new Set(carryingPorts.map(({ svc }) => svc))];
    const clientNamespace = source.namespace ?? 'default';
    const carrying = carryingAll.filter((svc) => exportedTo(svc, clientNamespace));
    if (carryingAll.length > 0 && carrying.length === 0) {
      return {
        why: `every Service carrying ${destination.name} port ${port} is hidden from namespace ${clientNamespace} by its annotation ${EXPORT_TO} `
          + `(${carryingAll.map((svc) => `Service ${svc.namespace}/${svc.name}: '${svc.obj.metadata?.annotations?.[EXPORT_TO]}'`).join(', ')}): to `
          + `${source.name}'s sidecar that destination is unknown; ${unknownDestination}`,
        ways,
      };
    }
    if (sidecar === undefined) return undefined;
    if (carrying.length === 0) {
      return mode === 'REGISTRY_ONLY' ? { why: `no Service in the manifests carries ${destination.name} port ${port}, and ${unknownDestination}` } : undefined;
    }
    const listeners = egressOf(sidecar);
    if (listeners === undefined) return undefined;
    const imported: string[] = [];
    const importedNamespaces = new Set<string>();
    for (const [i, l] of listeners.entries()) {
      if (!isPlainObject(l)) continue;
      if (l.port !== undefined || l.bind !== undefined || l.captureMode !== undefined) {
        return {
          why: `${sidecar.ref} egress[${i}] sets ${['port', 'bind', 'captureMode'].filter((k) => l[k] !== undefined).join(', ')}, which is not `
            + `modelled: whether ${source.name}'s sidecar carries the connection over the mesh is not known`,
        };
      }
      for (const host of Array.isArray(l.hosts) ? l.hosts : []) {
        if (typeof host !== 'string') continue;
        const [nsPart, dnsName] = host.includes('/') ? [host.slice(0, host.indexOf('/')), host.slice(host.indexOf('/') + 1)] : ['*', host];
        const ns = nsPart === '.' ? source.namespace ?? 'default' : nsPart;
        importedNamespaces.add(ns);
        const named = carrying.filter((svc) => ns === '*' || ns === svc.namespace);
        if (named.length === 0) continue;
        if (dnsName !== '*') {
          return {
            why: `${sidecar.ref} egress[${i}] host '${host}' names hosts, which is not modelled: whether it imports Service `
              + `${named[0].namespace}/${named[0].name} for ${source.name} is not known`,
          };
        }
        imported.push(`${sidecar.ref} egress[${i}] host '${host}'`);
      }
    }
    if (imported.length > 0) return undefined;
    const routed = this.routedBy(carrying, importedNamespaces);
    if (routed !== undefined) {
      return {
        why: `${routed.vs} routes to ${routed.host}: istiod also imports the Services a Sidecar's egress listener reaches through the VirtualServices `
          + `it imports (${sidecar.ref}), which is not modelled: whether ${source.name}'s sidecar knows Service ${routed.svc.namespace}/${routed.svc.name} `
          + 'is not known',
      };
    }
    return {
      why: `${sidecar.ref} applies to ${source.name}, and its egress hosts import no Service carrying ${destination.name} port ${port} `
        + `(${carrying.map((svc) => `Service ${svc.namespace}/${svc.name}`).join(', ')}): to ${source.name}'s sidecar that destination is unknown; `
        + `${unknownDestination}`,
      ways,
    };
  }
}
