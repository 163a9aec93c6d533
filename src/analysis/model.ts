/**
 * Internal contract of the reachability analyzer. Everything here is plain TypeScript (not jsii
 * public API): the public `Reachability` class wraps it.
 *
 * A flow is allowed when the source's egress side AND the destination's ingress side both allow
 * it. Each CNI model answers one side at a time (`evaluate`), because that is how every supported
 * dataplane enforces policy: egress at the sending endpoint, ingress at the receiving one.
 */
import { Labels } from './selectors';

/** A plain Kubernetes object as parsed from YAML or produced by `Testing.synth`. */
export interface ManifestObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly spec?: any;
  readonly [key: string]: any;
}

/** Reference to the object (and rule) that decided a verdict. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export type L4Protocol = 'TCP' | 'UDP' | 'SCTP';
export type Direction = 'ingress' | 'egress';

/** A named container port of a pod, used to resolve named ports in rules. */
export interface NamedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: L4Protocol;
}

/**
 * Where a `node` endpoint is relative to the pod at the other end of the flow: the node that pod
 * runs on (`local`: its kubelet, host processes) or any other node (`remote`).
 */
export type NodeLocality = 'local' | 'remote';

/**
 * One side of a flow. `pod` endpoints carry their namespace, labels and their namespace's labels;
 * `node` endpoints are cluster nodes, the pod's own node or another one (`nodeLocality`);
 * hostNetwork pods are `pod` endpoints with `hostNetwork` set, which policies see as a node at an
 * unknown place; `external` endpoints are IPs outside the cluster.
 */
export interface Endpoint {
  readonly kind: 'pod' | 'node' | 'external';
  /**
   * For `node` endpoints: the pod's own node or another node. Absent means unknown; each model then
   * keeps its earlier treatment (Kubernetes and Calico: not the local node; Cilium: `reserved:host`).
   */
  readonly nodeLocality?: NodeLocality;
  /** Display name, e.g. `shop/frontend` or `203.0.113.7`. */
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Labels;
  readonly namespaceLabels: Labels;
  /** Service account name (Calico `serviceAccountSelector`, Cilium `io.cilium.k8s.policy.serviceaccount`). */
  readonly serviceAccount?: string;
  /** IP address, when known (always for `external`; optional for pods and nodes). */
  readonly ip?: string;
  /** DNS name of an `external` endpoint, matched by FQDN rules (Cilium `toFQDNs`). */
  readonly dnsName?: string;
  /** Pod runs in the host network namespace: no pod selector ever matches it. */
  readonly hostNetwork: boolean;
  readonly namedPorts: NamedPort[];
}

/** The two node endpoints of an analysis: the pod's own node and another node. */
export interface NodeEndpoints {
  readonly local: Endpoint;
  readonly remote: Endpoint;
}

/** A deciding object or rule in an explanation. */
export interface Reason {
  /** The object that decided (absent for built-in defaults such as "not isolated"). */
  readonly object?: ObjectRef;
  /** JSON path of the deciding rule inside the object, e.g. `spec.egress[1]`. */
  readonly rule?: string;
  /** What the object did: allowed, denied, passed to the next tier, isolated with no matching rule, ... */
  readonly effect: 'allow' | 'deny' | 'pass' | 'isolate' | 'default-allow' | 'log';
  /** Human-readable explanation. */
  readonly message: string;
}

/** The verdict of one side (ingress at the destination, or egress at the source). */
export interface DirectionVerdict {
  readonly allowed: boolean;
  /** The objects and rules that decided, most decisive first. */
  readonly reasons: Reason[];
  /** L7 constraints that apply on top of an L3/L4 allow (Cilium L7 rules, Calico HTTP matches), as readable strings. */
  readonly l7Constraints?: string[];
}

/** A question to a CNI model: may `peer` talk to `subject` (ingress) or `subject` to `peer` (egress)? */
export interface SideQuery {
  readonly direction: Direction;
  /** The endpoint whose policies are evaluated (destination for ingress, source for egress). */
  readonly subject: Endpoint;
  /** The other end of the flow. */
  readonly peer: Endpoint;
  /** Destination port number (after Service DNAT). */
  readonly port: number;
  readonly protocol: L4Protocol;
  /** The destination endpoint (== subject for ingress, == peer for egress), for named ports. */
  readonly destination: Endpoint;
}

/**
 * The policy semantics of one CNI over one set of manifests. Built once per manifest set, then
 * asked many questions; implementations should pre-index policies by namespace.
 */
export interface CniModel {
  evaluate(query: SideQuery): DirectionVerdict;
}

/** Namespace name -> labels, including the automatic `kubernetes.io/metadata.name` label. */
export type NamespaceIndex = ReadonlyMap<string, Labels>;

/** Builds a CNI model from all manifests (unknown kinds are ignored by the model). */
export type CniModelFactory = (manifests: ManifestObject[], namespaces: NamespaceIndex) => CniModel;

/** Reference for a manifest object. */
export function refOf(obj: ManifestObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    namespace: obj.metadata?.namespace,
    name: obj.metadata?.name ?? '',
  };
}

/**
 * Is the endpoint a pod on the pod network (not hostNetwork)? Only those are selected by pod
 * selectors, carry pod identities and are isolated by policies.
 */
export function isPodNetworkEndpoint(endpoint: Endpoint): boolean {
  return endpoint.kind === 'pod' && !endpoint.hostNetwork;
}

/** The labels of the endpoint's namespace: its own, else from the index, else the label Kubernetes sets. */
export function namespaceLabelsOf(endpoint: Endpoint, namespaces: NamespaceIndex): Labels {
  if (Object.keys(endpoint.namespaceLabels).length > 0) return endpoint.namespaceLabels;
  const ns = endpoint.namespace ?? '';
  return namespaces.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
}

/** Is the endpoint the node the pod at the other end of the flow runs on? */
export function isLocalNode(endpoint: Endpoint): boolean {
  return endpoint.kind === 'node' && endpoint.nodeLocality === 'local';
}

/**
 * The named ports of an endpoint as sorted `name=PROTOCOL/port` strings, the part of a subject key
 * that named-port rules depend on (they resolve on the destination, the subject for ingress).
 */
export function namedPortsKey(endpoint: Endpoint): string[] {
  return endpoint.namedPorts.map((p) => `${p.name}=${p.protocol}/${p.port}`).sort();
}

/** `kind namespace/name` for messages. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
