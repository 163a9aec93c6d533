import { Direction } from '../policy/rule';

/** An allow rule that applies to every pod of a ZeroTrustNamespace (its policy selects all pods). */
export interface BlanketAllow {
  /** Name of the policy that holds the rule. */
  readonly policyName: string;
  /** Direction of the rule. */
  readonly direction: Direction;
  /** The rule's peers, readable (`internet (public addresses)`, `pods {} in namespaces {tenant=acme}`). */
  readonly peers: string[];
  /** The rule's ports, readable (`TCP/443`); empty for every port. */
  readonly ports: string[];
  /**
   * The rule only lets the pods query the cluster DNS (egress to `Peer.clusterDns()` on port 53,
   * nothing else), which every pod of a zero-trust namespace needs.
   */
  readonly dnsOnly: boolean;
}

