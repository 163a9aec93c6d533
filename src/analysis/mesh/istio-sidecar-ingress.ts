/**
 * The Istio `Sidecar` resource that configures a pod's sidecar, and how its `ingress` listeners
 * decide the protocol of an inbound port (internal).
 *
 * - Which Sidecar applies (istio/istio pilot/pkg/model/push_context.go `getSidecarScope`,
 *   `initSidecarScopes`): in the pod's namespace, one with a workloadSelector whose labels the pod
 *   has (no labels: every pod), else one without workloadSelector; in neither case, the one without
 *   workloadSelector of the mesh root namespace. Within a step istiod takes the oldest (sorted by
 *   creation time), which the manifests do not tell: several candidates that differ leave it unknown
 *   (istio.io Sidecar reference: "the behavior of the system is undefined"). Gateways and waypoints
 *   never use one.
 * - A Sidecar with ingress listeners (pilot/pkg/networking/core/listener_inbound.go
 *   `buildInboundChainConfigs`): istiod builds the inbound chains from them instead of the Services.
 *   A listed port's protocol is its `port.protocol`, the whole name read case-insensitively
 *   (pkg/config/protocol `Parse`: no `-` suffix, no well-known ports); none is detected per
 *   connection; UDP gets the TCP chain (`ModelProtocolToListenerProtocol`, `getFilterChainMatchOptions`).
 *   A port not listed goes to the passthrough chains, which detect the protocol, unless istiod runs
 *   with PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE (default false; `getFilterChainsByServicePort`),
 *   where the Services still declare it: that setting is not in the manifests.
 * - Not modelled, so not known: `tls` on an HTTPS listener (served as HTTP after termination when
 *   istiod runs with ENABLE_TLS_ON_SIDECAR_INGRESS), `captureMode: NONE` (a listener bound to the
 *   port beside the redirected traffic), and a Sidecar istiod's validation rejects (a protocol it
 *   does not know, a port listed twice, a targetPort, tls on a port neither HTTPS nor TLS:
 *   pkg/config/validation `ValidateSidecar`).
 */
import { InboundProtocol, knownProtocolChain } from './istio-inbound-protocol-kind';
import { isKindOf, isPlainObject, nameOf, namespaceOf } from '../../util/vocabulary';
import { Endpoint, ManifestObject } from '../model';
import { podSelection } from '../uncertainty/controller-label-selection';

/** What a Sidecar's ingress listeners say about one port. */
export type SidecarIngressAnswer =
  /** The Sidecar lists the port: its protocol. */
  | { readonly kind: 'listed'; readonly protocol: InboundProtocol; readonly why: string }
  /** The Sidecar has ingress listeners, not for this port: passthrough (detected) by default. */
  | { readonly kind: 'unlisted'; readonly sidecar: string }
  /** Which Sidecar applies, or how it serves the port, is not known. */
  | { readonly kind: 'unknown'; readonly why: string };

/** One Sidecar resource, as the analysis reads it (internal). */
export interface SidecarView {
  /** `Sidecar shop/default`. */
  readonly ref: string;
  readonly namespace: string;
  /**
   * The workloadSelector labels.
   * @default - no workloadSelector
   */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ingress: readonly unknown[];
  /** The whole spec (egress listeners, outboundTrafficPolicy: ./istio-sidecar-egress). */
  readonly spec: Readonly<Record<string, any>>;
}

/** The Sidecar resources of a manifest set, by namespace. */
export function readSidecars(manifests: readonly ManifestObject[]): Map<string, SidecarView[]> {
  const byNamespace = new Map<string, SidecarView[]>();
  for (const obj of manifests) {
    if (!isKindOf(obj, 'networking.istio.io', 'Sidecar')) continue;
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    const ws = spec.workloadSelector;
    const view: SidecarView = {
      ref: `Sidecar ${namespaceOf(obj)}/${nameOf(obj)}`,
      namespace: namespaceOf(obj),
      ...(isPlainObject(ws) ? { selector: (isPlainObject(ws.labels) ? ws.labels : {}) as Record<string, string> } : {}),
      ingress: Array.isArray(spec.ingress) ? spec.ingress : [],
      spec,
    };
    const known = byNamespace.get(view.namespace);
    if (known) known.push(view);
    else byNamespace.set(view.namespace, [view]);
  }
  return byNamespace;
}

/**
 * The Sidecars that may apply to `endpoint` (istiod takes the oldest of them): those of its namespace
 * selecting it, else the ones there without workloadSelector, else the root namespace's without one.
 * Not known where a workloadSelector reads a label the pods' controller sets at runtime so that it may
 * select some of them only (../uncertainty/controller-label-selection) and that changes which apply.
 */
export function sidecarCandidates(byNamespace: ReadonlyMap<string, SidecarView[]>, rootNamespace: string, endpoint: Endpoint):
SidecarView[] | { readonly unknown: string } {
  const local = byNamespace.get(endpoint.namespace ?? 'default') ?? [];
  const sure: SidecarView[] = [];
  const unsure: Array<{ sidecar: SidecarView; why: string }> = [];
  for (const sidecar of local) {
    if (sidecar.selector === undefined) continue;
    const selection = podSelection({ matchLabels: sidecar.selector }, endpoint, sidecar.ref);
    if ('unknown' in selection) unsure.push({ sidecar, why: selection.unknown });
    else if (selection.selects) sure.push(sidecar);
  }
  const pick = (selecting: SidecarView[]) => (selecting.length > 0 ? selecting
    : local.some((s) => s.selector === undefined) ? local.filter((s) => s.selector === undefined)
      : (byNamespace.get(rootNamespace) ?? []).filter((s) => s.selector === undefined));
  const without = pick(sure);
  if (unsure.length === 0) return without;
  const withThem = pick([...sure, ...unsure.map((u) => u.sidecar)]);
  const names = (list: SidecarView[]) => (list.length === 0 ? 'no Sidecar' : list.map((s) => s.ref).join(', '));
  if (names(withThem) === names(without)) return without;
  return { unknown: `${unsure.map((u) => u.why).join('; ')}: ${names(withThem)} for the pods it selects, ${names(without)} for the others` };
}

/**
 * The chain of a listener protocol name (lower case): as a Service port's, and UDP, which istiod
 * reads as ListenerProtocolUnknown, served by the TCP chain (`getFilterChainMatchOptions`).
 */
function listenerChain(name: string): 'http' | 'tcp' | undefined {
  return name === 'udp' ? 'tcp' : knownProtocolChain(name);
}

/** The Sidecar resources of a manifest set, by namespace. */
export class SidecarIngresses {
  private readonly byNamespace: Map<string, SidecarView[]>;

  constructor(manifests: readonly ManifestObject[], private readonly rootNamespace: string) {
    this.byNamespace = readSidecars(manifests);
  }

  /** What the Sidecar applying to `destination` says of TCP `port`; undefined when none with ingress listeners applies. */
  of(destination: Endpoint, port: number): SidecarIngressAnswer | undefined {
    const candidates = sidecarCandidates(this.byNamespace, this.rootNamespace, destination);
    if (!Array.isArray(candidates)) return { kind: 'unknown', why: candidates.unknown };
    if (candidates.length === 0) return undefined;
    if (candidates.some((s) => JSON.stringify(s.ingress) !== JSON.stringify(candidates[0].ingress))) {
      return {
        kind: 'unknown',
        why: `${candidates.map((s) => s.ref).join(', ')} all apply to ${destination.name} with different ingress listeners, and istiod uses the `
          + 'oldest, whose creation time is not in the manifests',
      };
    }
    const [sidecar] = candidates;
    if (sidecar.ingress.length === 0) return undefined;
    const invalid = invalidity(sidecar.ingress);
    if (invalid !== undefined) return { kind: 'unknown', why: `${sidecar.ref} applies to ${destination.name}, but ${invalid}` };
    const index = sidecar.ingress.findIndex((l: any) => l.port.number === port);
    if (index < 0) return { kind: 'unlisted', sidecar: sidecar.ref };
    const listener: any = sidecar.ingress[index];
    const path = `${sidecar.ref} ingress[${index}]`;
    const name = typeof listener.port.protocol === 'string' ? listener.port.protocol : '';
    const parsed = name.toLowerCase();
    if (listener.captureMode === 'NONE') {
      return { kind: 'unknown', why: `${path} has captureMode NONE (a listener bound to port ${port}), which is not modelled` };
    }
    if (parsed === 'https' && listener.tls !== undefined) {
      return {
        kind: 'unknown',
        why: `${path} terminates TLS on HTTPS port ${port}: served as HTTP if istiod runs with ENABLE_TLS_ON_SIDECAR_INGRESS (default false), `
          + 'else as TCP, which is not in the manifests',
      };
    }
    const protocol: InboundProtocol = listenerChain(parsed) ?? 'detected';
    const shown = protocol === 'detected' ? 'protocol detected' : protocol.toUpperCase();
    return { kind: 'listed', protocol, why: `${path} port ${port} (protocol ${name === '' ? 'not set' : `'${name}'`}: ${shown})` };
  }
}

/** Why istiod's validation rejects these ingress listeners (pkg/config/validation `ValidateSidecar`), if it does. */
function invalidity(ingress: readonly unknown[]): string | undefined {
  const seen = new Set<number>();
  for (const [i, l] of ingress.entries()) {
    if (!isPlainObject(l) || !isPlainObject(l.port) || typeof l.port.number !== 'number') return `its ingress[${i}] has no port number`;
    const name = l.port.protocol;
    if (typeof name === 'string' && name !== '' && listenerChain(name.toLowerCase()) === undefined) {
      return `its ingress[${i}].port.protocol '${name}' is not a protocol Istio knows, so istiod's validation rejects it`;
    }
    if (typeof l.port.targetPort === 'number' && l.port.targetPort > 0) {
      return `its ingress[${i}].port.targetPort is set ("targetPort has no impact on Sidecars"), so istiod's validation rejects it`;
    }
    if (l.tls !== undefined && !['https', 'tls'].includes(String(name ?? '').toLowerCase())) {
      return `its ingress[${i}] has tls on a port whose protocol is not HTTPS or TLS, so istiod's validation rejects it`;
    }
    if (seen.has(l.port.number)) return `its ingress lists port ${l.port.number} twice, so istiod's validation rejects it`;
    seen.add(l.port.number);
  }
  return undefined;
}
