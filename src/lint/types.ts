import { IpFamily } from '../cluster/cluster-network';
import { Cni } from '../cluster/cni';

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

/** Options for {@link PolicyLint}. */
export interface PolicyLintOptions {
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
}
