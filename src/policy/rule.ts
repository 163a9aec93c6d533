import { Peer } from './peer';
import { Port } from './port';

/** Direction of traffic relative to the selected pods. */
export enum Direction {
  /** Traffic into the selected pods. */
  INGRESS = 'Ingress',
  /** Traffic out of the selected pods. */
  EGRESS = 'Egress',
}

/** What a rule does with the traffic it matches. */
export enum RuleAction {
  /** Allow the traffic (unless a deny rule matches it: deny always wins). */
  ALLOW = 'Allow',
  /**
   * Deny the traffic, whatever any allow rule says. Needs a CNI with deny support (Calico, Cilium,
   * or ClusterNetworkPolicy for cluster-wide denies).
   */
  DENY = 'Deny',
}

/** An L7 HTTP match (Cilium only): the request must match every field given. */
export interface HttpMatch {
  /**
   * HTTP method (exact, e.g. `GET`).
   * @default - any method
   */
  readonly method?: string;
  /**
   * Path as an extended POSIX regular expression matched against the whole path (e.g. `/api/.*`).
   * @default - any path
   */
  readonly path?: string;
  /**
   * Required headers as `Name: value` or just `Name` (present).
   * @default - no header requirement
   */
  readonly headers?: string[];
}

/** One rule of a {@link TrafficPolicy}. */
export interface TrafficRule {
  /**
   * Who the traffic comes from (ingress) or goes to (egress). At least one peer: "anyone" must be
   * said explicitly (`Peer.allPods()`, `Peer.internet()`, ...).
   */
  readonly peers: Peer[];
  /**
   * Destination ports the rule matches.
   * @default - every port and protocol
   */
  readonly ports?: Port[];
  /**
   * Allow or deny.
   * @default RuleAction.ALLOW
   */
  readonly action?: RuleAction;
  /**
   * L7 HTTP constraints on allowed traffic (Cilium only; needs `ports`, all of them TCP).
   * @default - no L7 constraint
   */
  readonly http?: HttpMatch[];
}
