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
 * - Which Sidecar applies: as for ingress (./istio-sidecar-ingress `sidecarCandidates`).
 */
import { sidecarCandidates, SidecarView } from './istio-sidecar-ingress';
import { isKindOf, isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { Endpoint, ManifestObject } from '../model';
import { matchesLabelSelector } from '../selectors';
import { targetOf, tcpServicePorts } from './istio-inbound-protocol';

interface SelectingService {
  readonly namespace: string;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly obj: ManifestObject;
}

/** What the client's Sidecar egress settings make of connections to a destination. */
export class SidecarEgress {
  private readonly services: SelectingService[] = [];

  constructor(manifests: readonly ManifestObject[], private readonly sidecars: ReadonlyMap<string, SidecarView[]>,
    private readonly rootNamespace: string) {
    for (const obj of manifests) {
      const selector = isKindOf(obj, '', 'Service') ? obj.spec?.selector : undefined;
      if (!isPlainObject(selector) || Object.keys(selector).length === 0) continue;
      this.services.push({ namespace: namespaceOf(obj), name: nameOf(obj), selector: selector as Record<string, string>, obj });
    }
  }

  /**
   * Why the source's sidecar may not carry its connection to `destination`'s pod port `port` over
   * the mesh (indeterminate), or undefined when its Sidecar resource changes nothing for it.
   */
  uncertainty(source: Endpoint, destination: Endpoint, port: number): string | undefined {
    const candidates = sidecarCandidates(this.sidecars, this.rootNamespace, source)
      .filter((s) => Array.isArray(s.spec.egress) || isPlainObject(s.spec.outboundTrafficPolicy));
    if (candidates.length === 0) return undefined;
    const shape = (s: SidecarView) => JSON.stringify([s.spec.egress ?? null, s.spec.outboundTrafficPolicy ?? null]);
    if (candidates.some((s) => shape(s) !== shape(candidates[0]))) {
      return `${candidates.map((s) => s.ref).join(', ')} all apply to ${source.name} with different egress settings, and istiod uses the oldest, whose `
        + 'creation time is not in the manifests';
    }
    const [sidecar] = candidates;
    const mode = isPlainObject(sidecar.spec.outboundTrafficPolicy) ? sidecar.spec.outboundTrafficPolicy.mode : undefined;
    const unknownDestination = mode === 'REGISTRY_ONLY'
      ? `its outbound traffic policy is REGISTRY_ONLY (${sidecar.ref}), so the sidecar sends it to the BlackHoleCluster`
      : `${mode === 'ALLOW_ANY' ? `its outbound traffic policy is ALLOW_ANY (${sidecar.ref})` : 'with the outbound traffic policy ALLOW_ANY (the '
        + 'meshConfig default; not in the manifests), REGISTRY_ONLY blocks it instead'}, so it leaves through the PassthroughCluster without the mesh's `
        + 'mutual TLS';
    const carrying = this.services.filter((svc) => svc.namespace === (destination.namespace ?? 'default')
      && matchesLabelSelector({ matchLabels: svc.selector }, destination.labels)
      && tcpServicePorts(svc.obj).some((p) => targetOf(p, destination) === port));
    if (carrying.length === 0) {
      return mode === 'REGISTRY_ONLY' ? `no Service in the manifests carries ${destination.name} port ${port}, and ${unknownDestination}` : undefined;
    }
    if (!Array.isArray(sidecar.spec.egress)) return undefined;
    const listeners: unknown[] = sidecar.spec.egress;
    const imported: string[] = [];
    for (const [i, l] of listeners.entries()) {
      if (!isPlainObject(l)) continue;
      if (l.port !== undefined || l.bind !== undefined || l.captureMode !== undefined) {
        return `${sidecar.ref} egress[${i}] sets ${['port', 'bind', 'captureMode'].filter((k) => l[k] !== undefined).join(', ')}, which is not modelled: `
          + `whether ${source.name}'s sidecar carries the connection over the mesh is not known`;
      }
      for (const host of Array.isArray(l.hosts) ? l.hosts : []) {
        if (typeof host !== 'string') continue;
        const [nsPart, dnsName] = host.includes('/') ? [host.slice(0, host.indexOf('/')), host.slice(host.indexOf('/') + 1)] : ['*', host];
        const ns = nsPart === '.' ? source.namespace ?? 'default' : nsPart;
        const named = carrying.filter((svc) => ns === '*' || ns === svc.namespace);
        if (named.length === 0) continue;
        if (dnsName !== '*') {
          return `${sidecar.ref} egress[${i}] host '${host}' names hosts, which is not modelled: whether it imports Service `
            + `${named[0].namespace}/${named[0].name} for ${source.name} is not known`;
        }
        imported.push(`${sidecar.ref} egress[${i}] host '${host}'`);
      }
    }
    if (imported.length > 0) return undefined;
    return `${sidecar.ref} applies to ${source.name}, and its egress hosts import no Service carrying ${destination.name} port ${port} `
      + `(${carrying.map((svc) => `Service ${svc.namespace}/${svc.name}`).join(', ')}): to ${source.name}'s sidecar that destination is unknown; `
      + `${unknownDestination}`;
  }
}
