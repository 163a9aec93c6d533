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
  /**
   * The rule only opens what the cluster's service mesh needs in a namespace that joined it
   * (ZeroTrustNamespace `mesh`), decided by its peers and ports, never its policy name: egress to
   * the mesh control-plane pods on the control-plane ports, ingress from the monitoring pods on the
   * mesh proxy's metrics ports, or ingress from the mesh's kubelet probe addresses (Istio ambient:
   * `Mesh.istio` `hostProbeSnatIp` / `hostProbeSnatIpv6`, by default 169.254.7.127 and
   * fd16:9254:7127:1337:ffff:ffff:ffff:ffff, never inside a pod or service CIDR). Such a rule opens no
   * pod of the namespace to another pod, to other workloads or to the internet. Always false in a namespace that did not join the mesh.
   */
  readonly meshOnly: boolean;
}

