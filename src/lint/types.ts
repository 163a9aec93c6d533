import { LinkerdInstallationOptions } from '../analysis/linkerd-installation-options';
import { IpFamily } from '../cluster/cluster-network';
import { Cni } from '../cluster/cni';
import { Mesh } from '../cluster/mesh';

/** How bad a lint finding is. */
export enum LintSeverity {
  /** The manifest does not do what it says (traffic silently allowed or broken, or rejected by the API). */
  ERROR = 'error',
  /** Probably a mistake or a missing best practice; check the intent. */
  WARNING = 'warning',
  /** Works today, but there is a better or more current way. */
  INFO = 'info',
}

/** One problem found by {@link PolicyLint}. */
export interface LintFinding {
  /** Kebab-case id of the rule that produced the finding, e.g. `dns-udp-only`. */
  readonly rule: string;
  /** How bad it is. */
  readonly severity: LintSeverity;
  /**
   * The object concerned: `Kind namespace/name` (`NetworkPolicy payments/allow-dns`), `Kind name` for
   * cluster-scoped objects, or `document 3 of file.yaml` when the document has no kind or name.
   */
  readonly object: string;
  /**
   * JSON path inside the object, e.g. `spec.egress[0].to[1]`.
   * @default - the finding is about the whole object
   */
  readonly path?: string;
  /** What is wrong and why it matters. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /**
   * The file the object came from.
   * @default - unknown (plain objects passed to `PolicyLint.check`)
   */
  readonly source?: string;
  /**
   * 1-based line in `source` where the YAML document (or shell command) starts.
   * @default - unknown
   */
  readonly line?: number;
}

/** Options for {@link PolicyLint}; the Linkerd installation values (with a Linkerd mesh) are those of {@link LinkerdInstallationOptions}. */
export interface PolicyLintOptions extends LinkerdInstallationOptions {
  /**
   * The CNI of the target cluster; enables the CNI-specific rules (policies that the CNI does not
   * enforce).
   * @default - CNI unknown: CNI-specific rules are skipped
   */
  readonly cni?: Cni;
  /**
   * The IP families of the target cluster. Destinations that have no family of their own (a
   * NetworkPolicy egress rule without `to`, a Calico rule without CIDRs or `ipVersion`, the Cilium
   * entities `world` and `all`) are checked against the metadata service of each of these families.
   * @default - unknown: such destinations are reported when they reach the IPv4 metadata service
   * (169.254.169.254), and the report names the IPv6 one (fd00:ec2::254) too when it is not covered
   */
  readonly ipFamilies?: IpFamily[];
  /**
   * The service mesh of the target cluster, as ClusterNetwork and `ReachabilityOptions.mesh` take it
   * (`Mesh.istio({ mode, trustDomain, rootNamespace })`, `Mesh.linkerd({ controlPlaneNamespace,
   * trustDomain })`, `Mesh.none()`). The mesh rules then judge with its installation values instead of
   * guessing them: Istio's trust domain, root namespace and data plane mode (pods labelled
   * `istio.io/dataplane-mode=ambient` are meshed only under ambient mode), Linkerd's control plane
   * namespace and trust domain. The rules that judge what the mesh's proxies do
   * (linkerd-authz-refuses-admitted-source, linkerd-admin-port-unauthorized, linkerd-opaque-ports-one-side,
   * istio-authz-refuses-admitted-source, istio-strict-mtls-unmeshed-source, istio-authz-l7-*-under-ztunnel)
   * do not apply under another mesh or `Mesh.none()` (no findings); mesh-transport-port-opens-ports (a NetworkPolicy
   * rule opening the transport port, 15008 or 4143, lets meshed clients reach ports no policy admits) runs only when
   * told Istio in ambient mode or Linkerd; istio-mtls-permissive and
   * istio-authz-identity-without-strict read an Istio mesh's root namespace and mode; the rules that
   * check the mesh's own objects (a Server without authorization, a rejected policy, ...) apply whatever the mesh.
   * @default - unknown: rules that depend on the mesh's installation values hedge as before
   */
  readonly mesh?: Mesh;
}
