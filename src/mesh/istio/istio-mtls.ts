import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { contributeDestinationRule } from './destination-rules';
import { recordPeerAuthentication } from './mtls-registry';
import { MeshKind } from '../../cluster/mesh';
import { ZeroTrustNamespace } from '../../patterns/zero-trust-namespace';
import { sortedLabels } from '../../policy/intent';
import { propError } from '../../util/errors';
import {
  StructKeys, requireKnownKeys, requireObject, requireOptionalArray, requireOptionalString, requireOptionalStringArray, requireProps,
} from '../../util/guards';
import { registerObject } from '../../util/object-registry';
import { checkEnum, validateDnsLabel, validateDnsSubdomain, validateLabels, validatePortNumber } from '../../util/validate';
import { isAmbient, requireMesh } from '../mesh-context';

/** Peer authentication modes a workload (or namespace, or mesh) may require. */
export enum MtlsMode {
  /** Only mutual TLS: plaintext is refused. The zero-trust setting. */
  STRICT = 'STRICT',
  /** Mutual TLS and plaintext: a migration step towards STRICT, never a destination. */
  PERMISSIVE = 'PERMISSIVE',
}

/** Peer authentication modes for a port exception. */
export enum MtlsPortMode {
  /** Mutual TLS and plaintext on this port (e.g. a port scraped by an unmeshed Prometheus). */
  PERMISSIVE = 'PERMISSIVE',
  /** No mutual TLS on this port (sidecar mode only: Istio's ambient mode does not support it). */
  DISABLE = 'DISABLE',
}

/** A port-level exception of a workload-scope {@link IstioMtls}. */
export interface MtlsPortException {
  /** The workload (container) port, 1-65535. */
  readonly port: number;
  /** The mode on this port. */
  readonly mode: MtlsPortMode;
}

/** Props of {@link IstioMtls}. */
export interface IstioMtlsProps {
  /**
   * Namespace of a namespace- or workload-scope policy.
   * @default - mesh-wide: the policy `default` in the mesh root namespace (ClusterNetwork mesh `rootNamespace`)
   */
  readonly namespace?: string;
  /**
   * Labels of the workload pods (workload scope; needs `namespace`, other than the mesh root
   * namespace, where Istio ignores policies with a selector).
   * @default - every workload of the namespace (or of the mesh)
   */
  readonly selector?: { [key: string]: string };
  /**
   * The mode. PERMISSIVE only as an explicit step of a migration to STRICT.
   * @default MtlsMode.STRICT
   */
  readonly mode?: MtlsMode;
  /**
   * Port-level exceptions (`portLevelMtls`). Only with `selector`: the CRD rejects them otherwise (CEL
   * "portLevelMtls requires selector", istio 1.30.3), and namespace- or mesh-wide policies ignore them.
   * @default - none
   */
  readonly portExceptions?: MtlsPortException[];
  /**
   * `metadata.name` of the PeerAuthentication. Mesh- and namespace-wide policies are named `default`
   * (one per namespace); a workload policy needs a name.
   * @default 'default' (mesh or namespace scope); required with `selector`
   */
  readonly name?: string;
  /**
   * Services in `namespace` whose clients must originate Istio mutual TLS explicitly: their
   * DestinationRule (shared with CircuitBreaker and CanaryRoute, one per host) gets
   * `trafficPolicy.tls.mode: ISTIO_MUTUAL`, repeated on every subset. Needed where auto mTLS is off
   * in the mesh config, or to pin the client side in review.
   * @default - none: Istio's auto mTLS chooses mutual TLS towards meshed servers
   */
  readonly destinationRuleHosts?: string[];
}

const PROPS_KEYS: StructKeys<IstioMtlsProps> = {
  namespace: true, selector: true, mode: true, portExceptions: true, name: true, destinationRuleHosts: true,
};
const PORT_EXCEPTION_KEYS: StructKeys<MtlsPortException> = { port: true, mode: true };

/**
 * Istio peer authentication (security.istio.io/v1 PeerAuthentication): which traffic a workload's
 * proxy accepts. STRICT by default: only mutual TLS with a mesh identity, so that authorization by
 * service account, namespace or principal (IstioAuthorization) means something.
 *
 * A namespace- or workload-scope policy for a namespace that is a ZeroTrustNamespace of the app
 * requires that namespace to have joined the mesh (`mesh: {}`), checked at synth: without proxies
 * the policy enforces nothing.
 *
 * Scopes: mesh-wide (policy `default` in the root namespace), namespace-wide (`namespace`) or one
 * workload (`namespace` + `selector`, optionally with port exceptions). Pods get their proxy by
 * joining the mesh: ZeroTrustNamespace `mesh: {}` sets the injection label (`istio-injection` or the
 * revision label, or `istio.io/dataplane-mode: ambient`) and opens what the proxies need.
 */
export class IstioMtls extends Construct {
  /** The PeerAuthentication. */
  public readonly peerAuthentication: ApiObject;
  /** The mode. */
  public readonly mode: MtlsMode;

  constructor(scope: Construct, id: string, props: IstioMtlsProps = {}) {
    super(scope, id);
    const cluster = requireMesh(this, 'IstioMtls', [MeshKind.ISTIO]);
    const p = requireKnownKeys(this, '', requireProps(this, props, true), PROPS_KEYS);
    this.mode = p.mode === undefined ? MtlsMode.STRICT : checkEnum(this, 'mode', p.mode, Object.values(MtlsMode), 'an mTLS mode');
    const givenNamespace = requireOptionalString(this, 'namespace', p.namespace);
    const namespace = givenNamespace === undefined ? cluster.mesh.rootNamespace! : validateDnsLabel(this, 'namespace', givenNamespace);
    const selector = p.selector === undefined ? undefined : validateLabels(this, 'selector', p.selector);
    if (selector !== undefined) {
      if (p.namespace === undefined) throw propError(this, 'selector', 'a workload policy needs its namespace: set namespace');
      if (Object.keys(selector).length === 0) {
        throw propError(this, 'selector', 'must name at least one label (omit it for the whole namespace)');
      }
      if (namespace === cluster.mesh.rootNamespace) {
        // istiod (ComposePeerAuthentication) reads a root-namespace policy only as the mesh-wide one:
        // one with a selector is ignored, for the root namespace's own pods too.
        throw propError(this, 'selector', `'${namespace}' is the mesh root namespace, where Istio ignores a PeerAuthentication with a selector `
          + '(only the policy without selector counts there, as the mesh-wide one): the selected pods would keep the mesh-wide mode. '
          + 'Omit namespace and selector for the mesh-wide policy, or run the workload in its own namespace');
      }
    }
    const exceptions = requireOptionalArray(this, 'portExceptions', p.portExceptions) ?? [];
    if (exceptions.length > 0 && selector === undefined) {
      throw propError(this, 'portExceptions', 'port-level mTLS needs a workload selector: the CRD rejects portLevelMtls without one '
        + '(CEL "portLevelMtls requires selector"), and namespace- and mesh-wide policies ignore it. Set selector');
    }
    const portModes: Record<number, string> = {};
    exceptions.forEach((given, i) => {
      const e = requireKnownKeys(this, `portExceptions[${i}]`, requireObject(this, `portExceptions[${i}]`, given), PORT_EXCEPTION_KEYS);
      const port = validatePortNumber(this, `portExceptions[${i}].port`, e.port);
      const mode = checkEnum(this, `portExceptions[${i}].mode`, e.mode, Object.values(MtlsPortMode), 'a port mTLS mode');
      if (port in portModes) throw propError(this, `portExceptions[${i}].port`, `port ${port} is listed twice`);
      if (mode === MtlsPortMode.DISABLE && isAmbient(cluster)) {
        // Istio's PeerAuthentication reference (1.23 and later): in ambient mode ztunnel always
        // encrypts pod-to-pod traffic with HBONE, so DISABLE is not supported; a port opened to
        // plaintext clients outside the mesh is PERMISSIVE.
        throw propError(this, `portExceptions[${i}].mode`, 'DISABLE is not supported in Istio ambient mode (ztunnel always uses mutual TLS '
          + `between meshed pods); use MtlsPortMode.PERMISSIVE to accept plaintext on port ${port}`);
      }
      portModes[port] = mode;
    });
    const name = this.nameFor(p.name, selector);

    const spec: Record<string, unknown> = {};
    if (selector) spec.selector = { matchLabels: sortedLabels(selector) };
    spec.mtls = { mode: this.mode };
    if (exceptions.length > 0) {
      const ports = Object.keys(portModes).map(Number).sort((a, b) => a - b);
      spec.portLevelMtls = Object.fromEntries(ports.map((port) => [String(port), { mode: portModes[port] }]));
    }
    this.peerAuthentication = registerObject(this, new ApiObject(this, 'PeerAuthentication', {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name, namespace },
      spec,
    }));
    recordPeerAuthentication(this, { namespace, selector, mode: this.mode, portModes, path: this.node.path });
    // Namespace and workload scope rely on the namespace's proxies; checked at synth, when every
    // ZeroTrustNamespace of the app exists, whichever was declared first.
    if (givenNamespace !== undefined) this.node.addValidation({ validate: () => this.unmeshedNamespaceProblems(namespace) });

    (requireOptionalStringArray(this, 'destinationRuleHosts', p.destinationRuleHosts) ?? []).forEach((host, i) => {
      if (p.namespace === undefined) throw propError(this, 'destinationRuleHosts', 'needs namespace (the Services\' namespace)');
      validateDnsLabel(this, `destinationRuleHosts[${i}]`, host);
      contributeDestinationRule(this, `destinationRuleHosts[${i}]`, namespace, host, { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
    });
  }

  /**
   * A PeerAuthentication acts in the mesh proxies of the pods it selects. A ZeroTrustNamespace of the
   * app that did not join the mesh has no proxies (no injection label) and no allows towards the
   * control plane, so STRICT there would block nothing while reading as "mTLS enforced".
   */
  private unmeshedNamespaceProblems(namespace: string): string[] {
    return this.node.root.node.findAll()
      .filter((c): c is ZeroTrustNamespace => c instanceof ZeroTrustNamespace && c.name === namespace && !c.meshed)
      .map((zt) => `namespace: '${namespace}' is a ZeroTrustNamespace (${zt.node.path}) that did not join the mesh: its pods run no mesh `
        + `proxy, so this ${this.mode} PeerAuthentication would enforce nothing while it reads as mTLS required. Join the mesh with `
        + '`mesh: {}` on the ZeroTrustNamespace (or on the ThreeTierApp or TenantIsolation that creates it), which also opens what the '
        + 'proxies need');
  }

  private nameFor(given: string | undefined, selector: Record<string, string> | undefined): string {
    const name = requireOptionalString(this, 'name', given);
    if (name !== undefined) return validateDnsSubdomain(this, 'name', name);
    if (selector !== undefined) throw propError(this, 'name', 'a workload policy needs a name (namespace-wide ones are named default)');
    return 'default';
  }
}
