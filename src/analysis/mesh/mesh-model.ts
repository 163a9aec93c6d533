/**
 * The mesh authorization layer of the analysis (internal): on top of the CNI, a meshed destination's
 * proxy decides whether a connection (or request) from a source is authorized. One model per mesh
 * (./istio, ./linkerd) answers for the destination side; the flow needs the CNI AND the mesh.
 */
import { MeshFacts, NamespaceAnnotations } from './facts';
import { DataPlane, Membership, membershipOf } from './membership';
import { HttpRequestSpec } from '../http-request';
import { DirectionVerdict, Endpoint, L4Protocol, NamespaceIndex } from '../model';

/** A question to the mesh layer: may `source` connect to (or send `request` to) `destination` on `port`? */
export interface MeshQuery {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly port: number;
  readonly protocol: L4Protocol;
  /** The HTTP request, when the question names one. */
  readonly request?: HttpRequestSpec;
}

/**
 * The source the CNI sees for a connection the mesh translates on the way (Istio ambient: from the
 * pod's own node, SNATed to the host probe address), one candidate per possible address, and why.
 */
export interface HostSnat {
  readonly peers: Endpoint[];
  readonly why: string;
}

/** The port the CNI sees for a flow the mesh tunnels, and why. */
export interface WirePort {
  readonly port: number;
  readonly protocol: L4Protocol;
  /** e.g. `Istio ambient tunnels meshed traffic over HBONE to port 15008 of the destination pod`. */
  readonly why: string;
  /**
   * The tunnel is only likely, not certain: the CNI verdict is indeterminate unless the application
   * port and the tunnel port get the same verdict.
   */
  readonly uncertain?: boolean;
  /**
   * Why the tunnel port is not known (`port` is then the mesh's default one): the CNI verdict is
   * indeterminate (a Linkerd pod whose `config.linkerd.io/inbound-port` cannot be resolved).
   * @default - the port is known
   */
  readonly unknownPort?: string;
  /**
   * The destination as the CNI sees it on the tunnel port, when the mesh injects container ports no
   * manifest shows (the Linkerd proxy's `linkerd-proxy`): a policy naming them resolves on the tunnel
   * port. The same object for the same destination, so the CNI models' caches hold.
   * @default - the destination itself
   */
  readonly destination?: Endpoint;
  /**
   * Proxies the flow may pass instead of going straight to the destination (Istio waypoints): the
   * CNI then sees the source's connection to the proxy and the proxy's to the destination, on `port`.
   * The CNI verdict is exact only when every way gets the same one.
   * @default - none: the CNI sees the source's connection to the destination only
   */
  readonly hops?: WireHop[];
  /**
   * Ways the flow may pass a proxy whose pods the manifests do not describe (a waypoint whose Gateway
   * is missing, a ServiceEntry's waypoint, a sidecar client's waypoint), each said: the CNI sees
   * other connections there, with verdicts not known, so the CNI verdict is indeterminate.
   * @default - none
   */
  readonly unknownHops?: string[];
}

/** A proxy between the source and the destination, as the CNI sees it. */
export interface WireHop {
  /** The proxy's pod, as far as the manifests tell (e.g. a waypoint's namespace, Gateway label and service account). */
  readonly proxy: Endpoint;
  /** Which traffic passes it and why; names no pod. */
  readonly why: string;
}

/** The authorization semantics of one mesh over one manifest set. */
export interface MeshModel {
  readonly facts: MeshFacts;
  /** Objects the mesh layer ignored or could not evaluate exactly. */
  readonly notes: string[];
  /**
   * The mesh verdict at the destination (reasons, uncertainties, L7 constraints). The uncertainties
   * and L7 constraints name no pod ("the source", "the destination", "the client"): the flow matrix
   * and the diff show one answer for every pod with the same keys.
   */
  evaluate(query: MeshQuery): DirectionVerdict;
  /** Endpoints with equal keys get equal answers as sources (for the flow matrix). */
  sourceKey(endpoint: Endpoint): string;
  /** Endpoints with equal keys get equal answers as destinations (for the flow matrix). */
  destinationKey(endpoint: Endpoint): string;
  /** The port the CNI sees when the mesh tunnels the flow, undefined when it sees the application port. */
  wirePort(source: Endpoint, destination: Endpoint, port: number, protocol: L4Protocol): WirePort | undefined;
  /**
   * The source address the CNI sees when the mesh translates the connection before it reaches the
   * destination pod, undefined when it sees the source itself.
   * @default - the CNI sees the source
   */
  hostSnat?(source: Endpoint, destination: Endpoint, port: number, protocol: L4Protocol): HostSnat | undefined;
  /** The membership of an endpoint. */
  membership(endpoint: Endpoint): Membership;
  /**
   * Why the mesh encrypts the flow (mutual TLS between two proxies), or undefined when it may travel
   * in plaintext: the CNI's HTTP rules cannot read an encrypted flow. Names no pod (shared like
   * the uncertainties of `evaluate`).
   */
  encryption(source: Endpoint, destination: Endpoint, port: number, protocol: L4Protocol): string | undefined;
}

/** Caches memberships (they are asked for every flow). */
export class MembershipCache {
  private readonly cache = new WeakMap<Endpoint, Membership>();

  constructor(private readonly facts: MeshFacts, private readonly namespaces: NamespaceIndex, private readonly annotations: NamespaceAnnotations) {}

  of(endpoint: Endpoint): Membership {
    let m = this.cache.get(endpoint);
    if (!m) this.cache.set(endpoint, m = membershipOf(endpoint, this.facts, this.namespaces, this.annotations));
    return m;
  }
}

/** Everything of an endpoint the membership depends on, as a key. */
export function membershipKey(m: Membership): string {
  return `${m.dataPlane ?? '-'}|${m.waypoint ?? ''}|${m.defaultPolicy?.value ?? ''}|${m.inboundBypass.source ?? ''}|${m.outboundBypass.source ?? ''}`;
}

/** A readable name of a data plane. */
export function dataPlaneName(plane: DataPlane): string {
  return plane === 'sidecar' ? 'Istio sidecar' : plane === 'ambient' ? 'Istio ambient' : 'Linkerd proxy';
}
