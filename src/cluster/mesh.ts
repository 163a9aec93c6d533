import { hostProbeSnatAddress } from './host-probe-snat';
import { checkLinkerdClusterNetworks } from './linkerd-cluster-networks';
import { ValidationError, propError } from '../util/errors';
import { StructKeys, requireKnownKeys, requireOneOf, requireOptionalBoolean, requireOptionalString, requireProps } from '../util/guards';
import { LINKERD_INJECT_ANNOTATION } from '../util/linkerd-injection';
import { validateDnsLabel, validateDnsSubdomain, validateLabels } from '../util/validate';

/** Passed by the factories to the private constructor: plain JavaScript can call `new Mesh(...)` (TypeScript's `private` is erased). */
const FACTORY_TOKEN: unique symbol = Symbol('Mesh factory');
/** Every Mesh a factory made (a look-alike such as `Object.create(Mesh.prototype)` passes `instanceof` but is not here). */
const MADE = new WeakSet<object>();

/** The service meshes this library knows. */
export enum MeshKind {
  /** No service mesh. */
  NONE = 'none',
  /** Istio (1.30): sidecar or ambient data plane. */
  ISTIO = 'istio',
  /** Linkerd (edge-26.8 / 2.20). */
  LINKERD = 'linkerd',
}

/** The Istio data plane mode. */
export enum IstioMode {
  /** An Envoy sidecar in every pod (injected by istiod's webhook). */
  SIDECAR = 'sidecar',
  /**
   * Ambient: a per-node ztunnel (L4, HBONE on port 15008) and optional waypoint proxies (L7). Needs
   * the Istio CNI node agent.
   */
  AMBIENT = 'ambient',
}

/** Options of {@link Mesh.istio}. */
export interface IstioMeshOptions {
  /** Sidecar or ambient. No default: the two need different namespace labels and network policies. */
  readonly mode: IstioMode;
  /**
   * The istiod revision (canary control-plane upgrades). With a revision, meshed namespaces are
   * labelled `istio.io/rev: <revision>` instead of `istio-injection: enabled` (never both: istiod
   * ignores the revision label when `istio-injection` is present).
   * @default - the default revision
   */
  readonly revision?: string;
  /**
   * The mesh root namespace (mesh config `rootNamespace`): mesh-wide policies (PeerAuthentication
   * `default`) live there.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
  /**
   * Namespace of the istiod pods.
   * @default - the root namespace
   */
  readonly controlPlaneNamespace?: string;
  /**
   * Labels of the istiod pods (sidecars reach them on 15012).
   * @default { app: 'istiod' } plus `istio.io/rev: <revision>` with a revision
   */
  readonly istiodLabels?: { [key: string]: string };
  /**
   * The Istio CNI plugin is installed, so pods need no `istio-init` container with NET_ADMIN and
   * NET_RAW. Ambient always runs on it.
   * @default - false in sidecar mode, true in ambient mode (false there is an error)
   */
  readonly cni?: boolean;
  /**
   * The mesh trust domain (principals are `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * Ambient only: the address istio-cni SNATs IPv4 kubelet probes to (istio-cni's `HOST_PROBE_SNAT_IP`,
   * set through the istio-cni chart's `env` value). Meshed namespaces admit ingress from it on every
   * port (`allow-istio-kubelet-probes`), and the analysis treats TCP from it as passing ztunnel by.
   * One IPv4 address, not a CIDR (istio-cni parses it as a single address and fails to start
   * otherwise); istio-cni's README suggests an address of 169.254.0.0/16. A per-node address
   * (`status.hostIP`, the chart's `useHostIPForProbeSnat`) cannot be declared here. ClusterNetwork
   * refuses an address inside its pod, service or API server CIDRs, equal to its `nodeLocalDnsIp` or
   * to a single-address metadata CIDR: istio-cni needs one that collides with nothing.
   * @default '169.254.7.127' (istio-cni's default)
   */
  readonly hostProbeSnatIp?: string;
  /**
   * Ambient only: the address istio-cni SNATs IPv6 kubelet probes to (istio-cni's
   * `HOST_PROBE_SNAT_IPV6`, set through the istio-cni chart's `env` value). One IPv6 address, not a
   * CIDR; see `hostProbeSnatIp`.
   * @default 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff' (istio-cni's default)
   */
  readonly hostProbeSnatIpv6?: string;
}

/** Options of {@link Mesh.linkerd}. */
export interface LinkerdMeshOptions {
  /**
   * The linkerd-cni plugin is installed, so pods need no `linkerd-init` container with NET_ADMIN
   * and NET_RAW.
   * @default false
   */
  readonly cni?: boolean;
  /**
   * Namespace of the Linkerd control plane. Meshed pods may reach its `destination` pods (label
   * `linkerd.io/control-plane-component: destination`: destination 8086 and the policy controller
   * 8090, which runs in the same pod) and its `identity` pods (8080), each on its own ports only.
   * @default 'linkerd'
   */
  readonly controlPlaneNamespace?: string;
  /**
   * The identity trust domain (identities are `<sa>.<ns>.serviceaccount.identity.<controlPlaneNamespace>.<trustDomain>`).
   * @default 'cluster.local'
   */
  readonly trustDomain?: string;
  /**
   * The installation's `clusterNetworks` (Helm value of the linkerd-control-plane chart, comma-separated
   * there), as CIDRs: the client networks the `cluster-unauthenticated` and `cluster-authenticated`
   * default inbound policies admit (linkerd.io "Authorization Policy" reference). LoadBalancerService
   * reads it: a `cluster-unauthenticated` pod admits the load balancer's clients when every client range
   * lies inside these networks. At least one CIDR, without host bits, no IPv4-mapped IPv6 block (Linkerd
   * matches an IPv4 client against IPv4 networks only). The analyzer and PolicyLint given this Mesh (or the
   * ClusterNetwork's, through `Reachability.fromChart`/`fromApp`) judge by it too; their `linkerdClusterNetworks`
   * option, when also given, must name the same networks. Undeclared, every construct and the analyzer assume
   * Linkerd's default: an installation that narrowed it refuses at runtime clients the constructs accepted.
   * @default ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'] (Linkerd's install default)
   */
  readonly clusterNetworks?: string[];
}

/** A port a mesh needs open, with who uses it. */
export interface MeshPort {
  /** TCP port number. */
  readonly port: number;
  /** What it is for (documentation and messages). */
  readonly purpose: string;
}

/** One control-plane component meshed pods connect to: its pods, and the ports those pods serve. */
export interface MeshControlPlane {
  /** The component (`istiod`, `destination`, `identity`): documentation and messages. */
  readonly component: string;
  /** Namespace of the component's pods. */
  readonly namespace: string;
  /** Labels of the component's pods (never empty: a whole control-plane namespace is never opened). */
  readonly podLabels: { [key: string]: string };
  /** TCP ports this component serves (and only these: no port of one component is opened to another). */
  readonly ports: MeshPort[];
}

/**
 * What meshed pods need from the network, as data (one row per mesh and mode): egress to the
 * control plane, scrape ports opened to the monitoring pods, the port the data plane tunnels
 * meshed traffic through, and a source address for kubelet probes.
 */
export interface MeshNetworkNeeds {
  /**
   * Egress from meshed pods to the control plane, one entry per component (each component's pods on
   * the ports it serves). Empty when meshed pods dial no control plane (no mesh; Istio ambient, whose
   * pods do not talk to istiod themselves).
   */
  readonly controlPlane: MeshControlPlane[];
  /** Ports the monitoring pods scrape on every meshed pod. */
  readonly metricsPorts: MeshPort[];
  /**
   * The port meshed pod-to-pod traffic travels on instead of (or besides) the application port:
   * every allow between pods with explicit ports also allows this port, in both directions.
   * @default - none (sidecars use the application port)
   */
  readonly transportPort?: MeshPort;
  /**
   * Source addresses of kubelet probes as the pod sees them (ingress allowed on every port), one per
   * IP family: a meshed namespace opens those of the cluster's families.
   */
  readonly probeSourceCidrs: string[];
}

/** The pod label that names a Linkerd control-plane component (`destination`, `identity`, ...). */
const LINKERD_COMPONENT_LABEL = 'linkerd.io/control-plane-component';

/**
 * The address Istio ambient SNATs kubelet health probes (every TCP connection a socket of the node
 * opens to an ambient pod) to, so that the pod's redirection rules let them past ztunnel: istio-cni
 * `HOST_PROBE_SNAT_IP` default (istio/istio cni README, cni/pkg/iptables AppendHostRules).
 */
export const AMBIENT_PROBE_SOURCE = '169.254.7.127';
/** The IPv6 counterpart of {@link AMBIENT_PROBE_SOURCE}: istio-cni `HOST_PROBE_SNAT_IPV6` default. */
export const AMBIENT_PROBE_SOURCE_V6 = 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff';

/**
 * The service mesh of the target cluster (a {@link ClusterNetwork} fact): `Mesh.none()`,
 * `Mesh.istio({ mode })` or `Mesh.linkerd()`. Meshed namespaces (ZeroTrustNamespace `mesh`) get
 * the injection label or annotation and the network allows the mesh needs from it; mesh constructs
 * (IstioMtls, CanaryRoute, ...) refuse to render for a context with another mesh.
 */
export class Mesh {
  /** No service mesh. */
  public static none(): Mesh {
    return new Mesh(FACTORY_TOKEN, MeshKind.NONE, {});
  }

  /** Istio 1.30 in sidecar or ambient mode. */
  public static istio(options: IstioMeshOptions): Mesh {
    const site = 'Mesh.istio';
    const o = requireKnownKeys(site, 'options', requireProps(site, options, false, 'options'), ISTIO_KEYS);
    if (o.mode === undefined) {
      throw propError(site, 'mode', 'is required: IstioMode.SIDECAR or IstioMode.AMBIENT, chosen explicitly (the two need different namespace '
        + 'labels and policies)');
    }
    const mode = requireOneOf(site, 'mode', o.mode, Object.values(IstioMode), 'an Istio mode');
    const revision = requireOptionalString(site, 'revision', o.revision);
    if (revision !== undefined) {
      validateDnsLabel(site, 'revision', revision);
      if (revision === 'default') {
        throw propError(site, 'revision', "'default' is the default revision: omit revision to label namespaces istio-injection=enabled");
      }
    }
    const rootNamespace = validateDnsLabel(site, 'rootNamespace', requireOptionalString(site, 'rootNamespace', o.rootNamespace) ?? 'istio-system');
    const controlPlaneNamespace = validateDnsLabel(site, 'controlPlaneNamespace',
      requireOptionalString(site, 'controlPlaneNamespace', o.controlPlaneNamespace) ?? rootNamespace);
    const cni = requireOptionalBoolean(site, 'cni', o.cni, mode === IstioMode.AMBIENT);
    if (mode === IstioMode.AMBIENT && !cni) {
      throw propError(site, 'cni', 'ambient mode always runs on the Istio CNI node agent (it redirects traffic to ztunnel); omit cni or set it to true');
    }
    const istiodLabels = o.istiodLabels === undefined
      ? { app: 'istiod', ...(revision ? { 'istio.io/rev': revision } : {}) }
      : validateLabels(site, 'istiodLabels', o.istiodLabels);
    if (Object.keys(istiodLabels).length === 0) {
      throw propError(site, 'istiodLabels', 'must name at least one label: sidecars would be allowed to every pod of the control-plane namespace');
    }
    const probeV4 = hostProbeSnatAddress(site, o.hostProbeSnatIp, 'ipv4');
    const probeV6 = hostProbeSnatAddress(site, o.hostProbeSnatIpv6, 'ipv6');
    if (mode !== IstioMode.AMBIENT) {
      const given = probeV4 !== undefined ? 'hostProbeSnatIp' : probeV6 !== undefined ? 'hostProbeSnatIpv6' : undefined;
      if (given !== undefined) {
        throw propError(site, given, 'applies to ambient mode only (istio-cni SNATs kubelet probes to ambient pods); sidecar mode does not use it: '
          + 'omit it, or set mode: IstioMode.AMBIENT');
      }
    }
    return new Mesh(FACTORY_TOKEN, MeshKind.ISTIO, {
      istioMode: mode,
      revision,
      rootNamespace,
      controlPlaneNamespace,
      controlPlanePodLabels: { ...istiodLabels },
      cniPlugin: cni,
      trustDomain: trustDomain(site, o.trustDomain),
      declared: {
        trustDomain: o.trustDomain !== undefined,
        rootNamespace: o.rootNamespace !== undefined,
        // Not given, the control plane namespace is the root namespace: declared with it.
        controlPlaneNamespace: o.controlPlaneNamespace !== undefined || o.rootNamespace !== undefined,
        clusterNetworks: false,
      },
      ...(mode === IstioMode.AMBIENT ? {
        hostProbeSnatIp: probeV4 ?? AMBIENT_PROBE_SOURCE,
        hostProbeSnatIpv6: probeV6 ?? AMBIENT_PROBE_SOURCE_V6,
        hostProbeSnatGiven: { ipv4: probeV4 !== undefined, ipv6: probeV6 !== undefined },
      } : {}),
    });
  }

  /** Linkerd edge-26.8 (2.20). */
  public static linkerd(options: LinkerdMeshOptions = {}): Mesh {
    const site = 'Mesh.linkerd';
    const o = requireKnownKeys(site, 'options', requireProps(site, options, true, 'options'), LINKERD_KEYS);
    return new Mesh(FACTORY_TOKEN, MeshKind.LINKERD, {
      controlPlaneNamespace: validateDnsLabel(site, 'controlPlaneNamespace',
        requireOptionalString(site, 'controlPlaneNamespace', o.controlPlaneNamespace) ?? 'linkerd'),
      controlPlanePodLabels: {},
      cniPlugin: requireOptionalBoolean(site, 'cni', o.cni, false),
      trustDomain: trustDomain(site, o.trustDomain),
      clusterNetworks: checkLinkerdClusterNetworks(site, 'clusterNetworks', o.clusterNetworks),
      declared: {
        trustDomain: o.trustDomain !== undefined,
        rootNamespace: false,
        controlPlaneNamespace: o.controlPlaneNamespace !== undefined,
        clusterNetworks: o.clusterNetworks !== undefined,
      },
    });
  }

  /**
   * Is `x` a Mesh made by one of the factories (not a look-alike object, nor one made with
   * `Object.create(Mesh.prototype)`, which passes `instanceof`)? Internal: `requireMadeMesh` asks
   * it.
   * @internal
   */
  public static _isMade(x: unknown): boolean {
    return typeof x === 'object' && x !== null && MADE.has(x);
  }

  /** Which mesh. */
  public readonly kind: MeshKind;
  /** Istio data plane mode (Istio only). */
  public readonly istioMode?: IstioMode;
  /** Istio revision (Istio only, when not the default revision). */
  public readonly revision?: string;
  /** Istio root namespace (Istio only). */
  public readonly rootNamespace?: string;
  /** Namespace of the control plane (istiod, or Linkerd's destination/policy/identity). */
  public readonly controlPlaneNamespace?: string;
  /**
   * Labels of the istiod pods sidecars connect to (Istio). Empty for Linkerd, whose components are
   * selected one by one with `linkerd.io/control-plane-component` (see `networkNeeds().controlPlane`).
   */
  public readonly controlPlanePodLabels: { [key: string]: string };
  /** The mesh's CNI plugin is installed (no privileged init container in meshed pods). */
  public readonly cniPlugin: boolean;
  /** Trust domain of workload identities. */
  public readonly trustDomain: string;
  /**
   * Linkerd: the installation's `clusterNetworks`, as canonical CIDRs (see {@link LinkerdMeshOptions.clusterNetworks}).
   * A frozen array (typed `string[]`: jsii refuses `readonly string[]` in a public API, JSII3001, aws/jsii-compiler#2323).
   * @default - undefined for other meshes; Linkerd's install default for Linkerd
   */
  public readonly clusterNetworks?: string[];
  /**
   * Istio ambient: the address istio-cni SNATs IPv4 kubelet probes to (`HOST_PROBE_SNAT_IP`).
   * @default - undefined for other meshes and modes
   */
  public readonly hostProbeSnatIp?: string;
  /**
   * Istio ambient: the address istio-cni SNATs IPv6 kubelet probes to (`HOST_PROBE_SNAT_IPV6`).
   * @default - undefined for other meshes and modes
   */
  public readonly hostProbeSnatIpv6?: string;
  /**
   * Which host probe addresses were declared (the others are istio-cni's defaults, which the analysis says it assumes).
   * @internal
   */
  public readonly _hostProbeSnatGiven: { readonly ipv4: boolean; readonly ipv6: boolean };
  /**
   * Which of the installation values that name identities and mesh-wide policies were declared (the others are the
   * install defaults, assumed: `cluster.local`, `istio-system`, `linkerd`). The lint hedges over those not declared.
   * @internal
   */
  public readonly _declared: {
    readonly trustDomain: boolean;
    readonly rootNamespace: boolean;
    readonly controlPlaneNamespace: boolean;
    /** Linkerd's `clusterNetworks` (the others assume Linkerd's install default). */
    readonly clusterNetworks: boolean;
  };

  private constructor(token: typeof FACTORY_TOKEN, kind: MeshKind, extra: MeshExtras) {
    if (token !== FACTORY_TOKEN) {
      throw new ValidationError('Mesh', 'constructor', 'a Mesh is made by one of its factories: Mesh.none(), Mesh.istio({ mode }) or '
        + 'Mesh.linkerd(), never with new');
    }
    this.kind = kind;
    this.istioMode = extra.istioMode;
    this.revision = extra.revision;
    this.rootNamespace = extra.rootNamespace;
    this.controlPlaneNamespace = extra.controlPlaneNamespace;
    this.controlPlanePodLabels = Object.freeze({ ...(extra.controlPlanePodLabels ?? {}) });
    this.cniPlugin = extra.cniPlugin ?? false;
    this.trustDomain = extra.trustDomain ?? 'cluster.local';
    this.clusterNetworks = extra.clusterNetworks === undefined ? undefined : Object.freeze([...extra.clusterNetworks]) as string[];
    this.hostProbeSnatIp = extra.hostProbeSnatIp;
    this.hostProbeSnatIpv6 = extra.hostProbeSnatIpv6;
    this._hostProbeSnatGiven = Object.freeze({ ...(extra.hostProbeSnatGiven ?? { ipv4: false, ipv6: false }) });
    const undeclared = { trustDomain: false, rootNamespace: false, controlPlaneNamespace: false, clusterNetworks: false };
    this._declared = Object.freeze({ ...(extra.declared ?? undeclared) });
    MADE.add(this);
  }

  /** Readable name for messages: `Istio (sidecar)`, `Istio (ambient)`, `Linkerd`, `no mesh`. */
  public get displayName(): string {
    switch (this.kind) {
      case MeshKind.NONE: return 'no mesh';
      case MeshKind.ISTIO: return `Istio (${this.istioMode})`;
      case MeshKind.LINKERD: return 'Linkerd';
    }
  }

  /**
   * The pods of a meshed namespace get a proxy through an init container that needs NET_ADMIN and
   * NET_RAW (`istio-init`, `linkerd-init`), which Pod Security `baseline` and `restricted` forbid.
   */
  public get needsPrivilegedInit(): boolean {
    return this.kind !== MeshKind.NONE && this.istioMode !== IstioMode.AMBIENT && !this.cniPlugin;
  }

  /**
   * Labels a namespace needs to join this mesh: `istio-injection: enabled` or `istio.io/rev: <rev>`
   * (sidecar; never both), `istio.io/dataplane-mode: ambient` (ambient). Linkerd uses an
   * annotation instead ({@link namespaceAnnotations}).
   */
  public namespaceLabels(): { [key: string]: string } {
    if (this.kind !== MeshKind.ISTIO) return {};
    if (this.istioMode === IstioMode.AMBIENT) return { 'istio.io/dataplane-mode': 'ambient' };
    return this.revision ? { 'istio.io/rev': this.revision } : { 'istio-injection': 'enabled' };
  }

  /** Annotations a namespace needs to join this mesh: Linkerd's `linkerd.io/inject: enabled`. */
  public namespaceAnnotations(): { [key: string]: string } {
    return this.kind === MeshKind.LINKERD ? { [LINKERD_INJECT_ANNOTATION]: 'enabled' } : {};
  }

  /** What meshed pods need from the network policies (see {@link MeshNetworkNeeds}). */
  public networkNeeds(): MeshNetworkNeeds {
    switch (this.kind) {
      case MeshKind.NONE:
        return { controlPlane: [], metricsPorts: [], probeSourceCidrs: [] };
      case MeshKind.ISTIO:
        if (this.istioMode === IstioMode.AMBIENT) {
          // ztunnel (in the pod's network namespace) tunnels meshed traffic over HBONE to port 15008
          // of the destination pod; istio-cni SNATs kubelet probes to 169.254.7.127, or on IPv6 to
          // fd16:9254:7127:1337:ffff:ffff:ffff:ffff, unless its environment sets others (the probe
          // follows the pod's IP family), so that
          // they can be told apart (https://istio.io/latest/docs/ambient/usage/networkpolicy/; istio/istio
          // cni README HOST_PROBE_SNAT_IP, HOST_PROBE_SNAT_IPV6). Ambient pods do not talk to istiod
          // themselves (ztunnel does, from istio-system).
          return {
            controlPlane: [],
            metricsPorts: [],
            transportPort: { port: 15008, purpose: 'HBONE (ambient mTLS tunnel)' },
            probeSourceCidrs: [`${this.hostProbeSnatIp}/32`, `${this.hostProbeSnatIpv6}/128`],
          };
        }
        // Sidecars fetch config and certificates from istiod on 15012 (xDS + CA over TLS); Prometheus
        // scrapes the merged metrics on 15020 and Envoy's on 15090. The sidecar's health port 15021 is
        // probed by the kubelet from the pod's own node, which every CNI admits without a rule.
        return {
          controlPlane: [{
            component: 'istiod',
            namespace: this.controlPlaneNamespace!,
            podLabels: { ...this.controlPlanePodLabels },
            ports: [{ port: 15012, purpose: 'istiod xDS and CA' }],
          }],
          metricsPorts: [{ port: 15020, purpose: 'merged Prometheus metrics' }, { port: 15090, purpose: 'Envoy Prometheus metrics' }],
          probeSourceCidrs: [],
        };
      case MeshKind.LINKERD:
        // Since edge-25.3.2 meshed proxies talk to each other on the inbound proxy port 4143
        // (transport-header mode), not on the application port. The control plane is two kinds of
        // pods (linkerd-control-plane chart, 2.20): `destination` runs the destination controller
        // (8086) and the policy controller (8090) side by side; `identity` serves 8080. Each is
        // opened on its own ports only, never the whole namespace (which also holds the proxy
        // injector, extensions' pods, ...).
        return {
          controlPlane: [
            {
              component: 'destination',
              namespace: this.controlPlaneNamespace!,
              podLabels: { [LINKERD_COMPONENT_LABEL]: 'destination' },
              ports: [{ port: 8086, purpose: 'destination (service discovery)' }, { port: 8090, purpose: 'policy controller' }],
            },
            {
              component: 'identity',
              namespace: this.controlPlaneNamespace!,
              podLabels: { [LINKERD_COMPONENT_LABEL]: 'identity' },
              ports: [{ port: 8080, purpose: 'identity (certificates)' }],
            },
          ],
          metricsPorts: [{ port: 4191, purpose: 'proxy admin and metrics' }],
          transportPort: { port: 4143, purpose: 'inbound proxy (meshed traffic)' },
          probeSourceCidrs: [],
        };
    }
  }
}

/** The fields of each options struct, for requireKnownKeys: a misspelt option would be silently ignored. */
const ISTIO_KEYS: StructKeys<IstioMeshOptions> = {
  mode: true,
  revision: true,
  rootNamespace: true,
  controlPlaneNamespace: true,
  istiodLabels: true,
  cni: true,
  trustDomain: true,
  hostProbeSnatIp: true,
  hostProbeSnatIpv6: true,
};
const LINKERD_KEYS: StructKeys<LinkerdMeshOptions> = { cni: true, controlPlaneNamespace: true, trustDomain: true, clusterNetworks: true };

interface MeshExtras {
  readonly istioMode?: IstioMode;
  readonly revision?: string;
  readonly rootNamespace?: string;
  readonly controlPlaneNamespace?: string;
  readonly controlPlanePodLabels?: Record<string, string>;
  readonly cniPlugin?: boolean;
  readonly trustDomain?: string;
  readonly clusterNetworks?: readonly string[];
  readonly hostProbeSnatIp?: string;
  readonly hostProbeSnatIpv6?: string;
  readonly hostProbeSnatGiven?: { readonly ipv4: boolean; readonly ipv6: boolean };
  /** Which of trustDomain, rootNamespace and controlPlaneNamespace the factory was given. */
  readonly declared?: Mesh['_declared'];
}

/** The trust domain: a DNS name (the SPIFFE trust domain of workload identities). */
function trustDomain(site: string, value: string | undefined): string {
  return validateDnsSubdomain(site, 'trustDomain', requireOptionalString(site, 'trustDomain', value) ?? 'cluster.local');
}
