/**
 * Services without a selector whose endpoints are written by hand (internal): an EndpointSlice
 * (discovery.k8s.io, label `kubernetes.io/service-name`) or an Endpoints object of the Service's name,
 * in its namespace, may list a pod's address, which makes that pod a backend of the Service.
 *
 * Istio reads them too: a sidecar whose pod no Service selects takes its inbound Service targets
 * from the EndpointSlices of its namespace naming its address (istio/istio pilot/pkg/serviceregistry/kube/controller
 * controller.go `GetProxyServiceTargets`: "1. find proxy service by label selector, if not any, there
 * may exist headless service without selector ... 2. Headless service without selector"), each slice
 * port matched to the Service port of the same name; and in ambient mode traffic addressed to such a
 * Service may take that Service's waypoint. Pods in manifests rarely carry their address, so whether
 * a slice names a given pod is mostly unknown.
 */
import { ServicePortView } from './istio-service-port-view';
import { isKindOf, isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { Endpoint, ManifestObject } from '../model';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** One Service port that hand-written endpoints send to pod port `targetPort`. */
export interface ManualTarget {
  /** The Service object (no selector). */
  readonly service: ManifestObject;
  /** `EndpointSlice shop/api-1` / `Endpoints shop/api`: what names the addresses. */
  readonly via: string;
  /** The Service port the endpoint port belongs to (same name). */
  readonly port: ServicePortView;
  /** `yes`: the endpoints list the destination's address; `maybe`: its address is not in the manifests. */
  readonly names: 'yes' | 'maybe';
}

interface EndpointSet {
  readonly via: string;
  readonly addresses: readonly string[];
  readonly ports: ReadonlyArray<{ readonly name: string; readonly port: number; readonly protocol: string }>;
}

/** The hand-written endpoints of the selector-less Services in a manifest set. */
export class ManualEndpoints {
  /** `<namespace>/<name>` -> the selector-less Service. */
  private readonly services = new Map<string, ManifestObject>();
  /** `<namespace>/<service name>` -> its EndpointSlices and Endpoints. */
  private readonly sets = new Map<string, EndpointSet[]>();

  constructor(manifests: readonly ManifestObject[]) {
    for (const obj of manifests) {
      if (isKindOf(obj, '', 'Service')) {
        const selector = obj.spec?.selector;
        const selects = isPlainObject(selector) && Object.keys(selector).length > 0;
        if (!selects && obj.spec?.type !== 'ExternalName') this.services.set(`${namespaceOf(obj)}/${nameOf(obj)}`, obj);
      } else if (isKindOf(obj, 'discovery.k8s.io', 'EndpointSlice')) {
        const owner = isPlainObject(obj.metadata?.labels) ? obj.metadata!.labels[SERVICE_NAME_LABEL] : undefined;
        if (typeof owner !== 'string') continue;
        const addresses = (Array.isArray((obj as any).endpoints) ? (obj as any).endpoints : [])
          .flatMap((e: any) => (isPlainObject(e) && Array.isArray(e.addresses) ? e.addresses.filter((a: unknown) => typeof a === 'string') : []));
        this.add(`${namespaceOf(obj)}/${owner}`, { via: `EndpointSlice ${namespaceOf(obj)}/${nameOf(obj)}`, addresses, ports: portsOf((obj as any).ports) });
      } else if (isKindOf(obj, '', 'Endpoints')) {
        for (const subset of Array.isArray((obj as any).subsets) ? (obj as any).subsets : []) {
          if (!isPlainObject(subset)) continue;
          const listed = [subset.addresses, subset.notReadyAddresses].flatMap((l) => (Array.isArray(l) ? l : []));
          const addresses = listed.map((a: any) => (isPlainObject(a) ? a.ip : undefined)).filter((a: unknown): a is string => typeof a === 'string');
          this.add(`${namespaceOf(obj)}/${nameOf(obj)}`, { via: `Endpoints ${namespaceOf(obj)}/${nameOf(obj)}`, addresses, ports: portsOf(subset.ports) });
        }
      }
    }
  }

  /**
   * The ports of selector-less Services whose hand-written endpoints send to `destination`'s pod
   * port `port` (TCP or UDP), exactly when they list one of its addresses, maybe when its address is
   * not known; in the Services' namespace order, then by name. `sameNamespace`: only the Services of
   * the destination's namespace (a sidecar's Services come from its own namespace's EndpointSlices:
   * endpointslice.go `GetProxyServiceTargets` lists `proxy.Metadata.Namespace`).
   */
  targetsOf(destination: Endpoint, port: number, sameNamespace = false): ManualTarget[] {
    const own = [...(destination.ip !== undefined ? [destination.ip] : []), ...(destination.ips ?? [])];
    const out: ManualTarget[] = [];
    for (const key of [...this.services.keys()].sort()) {
      const service = this.services.get(key)!;
      if (sameNamespace && namespaceOf(service) !== (destination.namespace ?? 'default')) continue;
      const servicePorts: any[] = Array.isArray(service.spec?.ports) ? service.spec!.ports : [];
      for (const set of this.sets.get(key) ?? []) {
        if (set.addresses.length === 0) continue;
        const names = own.length === 0 ? 'maybe' : own.some((ip) => set.addresses.includes(ip)) ? 'yes' : undefined;
        if (names === undefined) continue;
        for (const p of set.ports.filter((x) => x.port === port && (x.protocol === 'TCP' || x.protocol === 'UDP'))) {
          const sp = servicePorts.find((s) => isPlainObject(s) && (s.name ?? '') === p.name);
          if (!isPlainObject(sp) || typeof sp.port !== 'number') continue;
          out.push({
            service,
            via: set.via,
            names,
            port: {
              ...(typeof sp.name === 'string' ? { name: sp.name } : {}),
              ...(sp.protocol === 'UDP' ? { protocol: 'UDP' as const } : {}),
              port: sp.port,
              targetPort: port,
              ...(typeof sp.appProtocol === 'string' ? { appProtocol: sp.appProtocol } : {}),
            },
          });
        }
      }
    }
    return out;
  }

  private add(key: string, set: EndpointSet): void {
    const known = this.sets.get(key);
    if (known) known.push(set);
    else this.sets.set(key, [set]);
  }
}

/** The ports of an EndpointSlice or an Endpoints subset (protocol TCP by default, name '' by default). */
function portsOf(ports: unknown): EndpointSet['ports'] {
  return (Array.isArray(ports) ? ports : []).filter((p) => isPlainObject(p) && typeof p.port === 'number')
    .map((p: any) => ({ name: typeof p.name === 'string' ? p.name : '', port: p.port, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP' }));
}
