import { LabelExpression } from './label-expression';
import { PeerSpec } from './peer-spec';

/**
 * The other end of a rule: who may talk to the selected pods (ingress) or whom they may talk to
 * (egress). Peers state intent; each CNI renderer turns them into that CNI's selectors.
 */
export class Peer {
  /**
   * Pods with these labels in a namespace.
   * @param labels pod labels (all must match); `{}` selects every pod of the namespace
   * @param namespace the namespace; default: the policy's own namespace
   */
  public static pods(labels: { [key: string]: string }, namespace?: string): Peer {
    return new Peer({ kind: 'pods', podLabels: { ...labels }, namespace });
  }

  /** Every pod of the policy's own namespace. */
  public static sameNamespace(): Peer {
    return new Peer({ kind: 'pods', podLabels: {} });
  }

  /** Every pod of the named namespace (selected by `kubernetes.io/metadata.name`, which Kubernetes always sets). */
  public static namespace(name: string): Peer {
    return new Peer({ kind: 'pods', podLabels: {}, namespace: name });
  }

  /**
   * Pods with `podLabels` in every namespace labelled `namespaceLabels` (both must match: one
   * peer, AND semantics).
   * @param namespaceLabels namespace labels; `{}` means every namespace
   * @param podLabels pod labels; default every pod
   */
  public static namespaces(namespaceLabels: { [key: string]: string }, podLabels?: { [key: string]: string }): Peer {
    return new Peer({ kind: 'namespaces', namespaceLabels: { ...namespaceLabels }, podLabels: { ...(podLabels ?? {}) } });
  }

  /**
   * Pods in every namespace whose labels satisfy all `expressions` (e.g. "has a `tenant` label
   * that is not `acme`"), optionally narrowed by pod labels.
   */
  public static namespacesMatching(expressions: LabelExpression[], podLabels?: { [key: string]: string }): Peer {
    return new Peer({
      kind: 'namespaces',
      namespaceLabels: {},
      namespaceExpressions: expressions.map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] })),
      podLabels: { ...(podLabels ?? {}) },
    });
  }

  /** Every pod in the cluster (not nodes, not external addresses). */
  public static allPods(): Peer {
    return new Peer({ kind: 'namespaces', namespaceLabels: {}, podLabels: {} });
  }

  /**
   * Addresses in a CIDR block, minus exceptions. Meant for addresses outside the cluster: pod IPs
   * are ephemeral and CNIs differ on matching them. Metadata-service addresses inside the block are
   * always excepted as well (fail closed). The block and its exceptions must be of an IP family the
   * ClusterNetwork has (`ipFamilies`): any other can never match and is a synth error.
   */
  public static cidr(cidr: string, except?: string[]): Peer {
    return new Peer({ kind: 'cidr', cidr, except: [...(except ?? [])] });
  }

  /**
   * The internet: every address (`0.0.0.0/0`, and `::/0` on IPv6 clusters) except the cloud
   * metadata service, the cluster's own pod and Service CIDRs (ClusterNetwork `podCidrs` and
   * `serviceCidrs`, when not already inside another exception) and, by default, the private ranges
   * (RFC 1918 / RFC 4193), so that "internet egress" never reaches other tenants, nodes or internal
   * services.
   */
  public static internet(options: InternetPeerOptions = {}): Peer {
    return new Peer({ kind: 'internet', exceptPrivateRanges: options.exceptPrivateRanges ?? true });
  }

  /**
   * The cluster DNS: the CoreDNS pods (`k8s-app: kube-dns` in `kube-system` unless the
   * ClusterNetwork says otherwise). When the cluster runs NodeLocal DNSCache, also its address
   * (169.254.20.10 by default) and the kube-dns ClusterIP, which node-local-dns binds on every node
   * with kube-proxy in iptables mode; on Cilium with kube-proxy replacement, the node-local-dns pods
   * and its address instead. On Cilium without kube-proxy replacement, NodeLocal DNS also adds the
   * `host` entity (the agent classifies the node-local-dns addresses as `host` or `world` depending
   * on its start order), which admits the pod's own node on these ports and makes the policy a
   * CiliumNetworkPolicy. Combine with `Port.udp(53)` and `Port.tcp(53)`.
   */
  public static clusterDns(): Peer {
    return new Peer({ kind: 'dns' });
  }

  /** The ingress controller pods declared in the ClusterNetwork (ingress-nginx by default). */
  public static ingressController(): Peer {
    return new Peer({ kind: 'ingressController' });
  }

  /**
   * The Gateway API gateway pods declared in the ClusterNetwork (`gateway`); an error where the
   * ClusterNetwork declares none.
   */
  public static gateway(): Peer {
    return new Peer({ kind: 'gateway' });
  }

  /** The monitoring pods declared in the ClusterNetwork (namespace `monitoring` by default). */
  public static monitoring(): Peer {
    return new Peer({ kind: 'monitoring' });
  }

  /**
   * The Kubernetes API server. Cilium has an entity for it; on other CNIs the ClusterNetwork must
   * list `apiServerCidrs`.
   */
  public static kubeApiServer(): Peer {
    return new Peer({ kind: 'kubeApiServer' });
  }

  /** Hosts by exact DNS name (Cilium `toFQDNs.matchName`); egress only. */
  public static fqdn(name: string): Peer {
    return new Peer({ kind: 'fqdn', fqdnName: name });
  }

  /** Hosts by DNS pattern with `*` wildcards (Cilium `toFQDNs.matchPattern`); egress only. */
  public static fqdnPattern(pattern: string): Peer {
    return new Peer({ kind: 'fqdn', fqdnPattern: pattern });
  }

  /** @internal */
  public readonly _spec: PeerSpec;

  private constructor(spec: PeerSpec) {
    this._spec = spec;
  }

  /** Readable form for messages: `pods {app=web} in shop`, `cidr 10.0.0.0/8`, ... */
  public toString(): string {
    const s = this._spec;
    const labels = (l?: Record<string, string>) => `{${Object.entries(l ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}}`;
    switch (s.kind) {
      case 'pods': return `pods ${labels(s.podLabels)}${s.namespace ? ` in namespace ${s.namespace}` : ' in the same namespace'}`;
      case 'namespaces': return `pods ${labels(s.podLabels)} in namespaces ${labels(s.namespaceLabels)}`;
      case 'cidr': return `cidr ${s.cidr}${s.except?.length ? ` except ${s.except.join(',')}` : ''}`;
      case 'internet': return `internet${s.exceptPrivateRanges ? ' (public addresses)' : ''}`;
      case 'dns': return 'cluster DNS';
      case 'ingressController': return 'ingress controller';
      case 'gateway': return 'gateway';
      case 'monitoring': return 'monitoring';
      case 'kubeApiServer': return 'kube-apiserver';
      case 'fqdn': return `fqdn ${s.fqdnName ?? s.fqdnPattern}`;
    }
  }
}

/** Options for {@link Peer.internet}. */
export interface InternetPeerOptions {
  /**
   * Also except the private ranges (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; fc00::/7). The
   * cluster's own pod and Service CIDRs are excepted either way.
   * @default true
   */
  readonly exceptPrivateRanges?: boolean;
}
