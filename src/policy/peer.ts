import { LabelExpression, LabelOperator } from './label-expression';
import { PeerSpec } from './peer-spec';
import { assertNever, propError } from '../util/errors';
import {
  StructKeys, requireArrayOf, requireKnownKeys, requireObject,
  requireOneOf, requireOptionalBoolean, requireOptionalStringArray, requireOptionalStringMap,
  requireOptionalString, requireProps, requireString, requireStringMap,
} from '../util/guards';

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
    const podLabels = requireStringMap('Peer.pods', 'labels', labels);
    return new Peer({ kind: 'pods', podLabels, namespace: requireOptionalString('Peer.pods', 'namespace', namespace) });
  }

  /** Every pod of the policy's own namespace. */
  public static sameNamespace(): Peer {
    return new Peer({ kind: 'pods', podLabels: {} });
  }

  /** Every pod of the named namespace (selected by `kubernetes.io/metadata.name`, which Kubernetes always sets). */
  public static namespace(name: string): Peer {
    // An omitted name must not fall back to "the policy's own namespace" (Peer.sameNamespace()).
    return new Peer({ kind: 'pods', podLabels: {}, namespace: requireString('Peer.namespace', 'name', name, true) });
  }

  /**
   * Pods with `podLabels` in every namespace labelled `namespaceLabels` (both must match: one
   * peer, AND semantics).
   * @param namespaceLabels namespace labels; `{}` means every namespace
   * @param podLabels pod labels; default every pod
   */
  public static namespaces(namespaceLabels: { [key: string]: string }, podLabels?: { [key: string]: string }): Peer {
    // `{}` is an explicit "every namespace"; undefined or null is a mistake, never that.
    return new Peer({
      kind: 'namespaces',
      namespaceLabels: requireStringMap('Peer.namespaces', 'namespaceLabels', namespaceLabels),
      podLabels: requireOptionalStringMap('Peer.namespaces', 'podLabels', podLabels) ?? {},
    });
  }

  /**
   * Pods in every namespace whose labels satisfy all `expressions` (e.g. "has a `tenant` label
   * that is not `acme`"), optionally narrowed by pod labels.
   */
  public static namespacesMatching(expressions: LabelExpression[], podLabels?: { [key: string]: string }): Peer {
    const where = 'Peer.namespacesMatching';
    const namespaceExpressions = requireArrayOf(where, 'expressions', expressions, (e, prop) => {
      const expr = requireKnownKeys(where, prop, requireObject(where, prop, e), EXPRESSION_KEYS);
      return {
        key: requireString(where, `${prop}.key`, expr.key),
        operator: requireOneOf(where, `${prop}.operator`, expr.operator, Object.values(LabelOperator), 'a label operator'),
        // A string here would be split into letters by the spread below: `NotIn 'acme'` would admit acme.
        values: requireOptionalStringArray(where, `${prop}.values`, expr.values) ?? [],
      };
    });
    if (namespaceExpressions.length === 0) {
      throw propError(where, 'expressions', 'must list at least one expression (no expression would match every namespace: say '
        + 'Peer.allPods() or Peer.namespaces({}) for that)');
    }
    return new Peer({
      kind: 'namespaces',
      namespaceLabels: {},
      namespaceExpressions,
      podLabels: requireOptionalStringMap(where, 'podLabels', podLabels) ?? {},
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
    return new Peer({
      kind: 'cidr',
      cidr: requireString('Peer.cidr', 'cidr', cidr),
      except: requireOptionalStringArray('Peer.cidr', 'except', except) ?? [],
    });
  }

  /**
   * The internet: every address (`0.0.0.0/0`, and `::/0` on IPv6 clusters) except the cloud
   * metadata service, the cluster's own pod and Service CIDRs (ClusterNetwork `podCidrs` and
   * `serviceCidrs`, when not already inside another exception) and, by default, the private ranges
   * (RFC 1918 / RFC 4193), so that "internet egress" never reaches other tenants, nodes or internal
   * services.
   */
  public static internet(options: InternetPeerOptions = {}): Peer {
    const o = requireKnownKeys('Peer.internet', 'options', requireProps('Peer.internet', options, true, 'options'), INTERNET_KEYS);
    return new Peer({ kind: 'internet', exceptPrivateRanges: requireOptionalBoolean('Peer.internet', 'exceptPrivateRanges', o.exceptPrivateRanges, true) });
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

  /**
   * Hosts by exact DNS name (Cilium `toFQDNs.matchName`); egress only. The policy that allows it
   * also denies the cloud metadata addresses (a name can resolve to them).
   */
  public static fqdn(name: string): Peer {
    return new Peer({ kind: 'fqdn', fqdnName: requireString('Peer.fqdn', 'name', name) });
  }

  /**
   * Hosts by DNS pattern with `*` wildcards (Cilium `toFQDNs.matchPattern`); egress only. The policy
   * that allows it also denies the cloud metadata addresses (a name can resolve to them).
   */
  public static fqdnPattern(pattern: string): Peer {
    return new Peer({ kind: 'fqdn', fqdnPattern: requireString('Peer.fqdnPattern', 'pattern', pattern) });
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
      default: return assertNever(s.kind, 'peer kind');
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

const EXPRESSION_KEYS: StructKeys<LabelExpression> = { key: true, operator: true, values: true };
const INTERNET_KEYS: StructKeys<InternetPeerOptions> = { exceptPrivateRanges: true };
