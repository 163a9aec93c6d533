/**
 * Internal contract of the reachability analyzer. Everything here is plain TypeScript (not jsii
 * public API): the public `Reachability` class wraps it.
 *
 * A flow is allowed when the source's egress side AND the destination's ingress side both allow
 * it. Each CNI model answers one side at a time (`evaluate`), because that is how every supported
 * dataplane enforces policy: egress at the sending endpoint, ingress at the receiving one.
 */
import { L7Matcher } from './http-request';
import { Labels } from './selectors';
import { Tri, YES } from './verdict';
import { AddressSet } from '../util/address-set';

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

/** Where an endpoint's address lies when its exact address is unknown (see ./addresses). */
export interface AddressSpace {
  /** The possible addresses. */
  readonly set: AddressSet;
  /** What the set is, for reasons: e.g. `somewhere in the pod CIDR 10.244.0.0/16`. */
  readonly description: string;
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
  /**
   * Declared by an init container (a native sidecar or not) rather than one of the pod's `containers`:
   * the CNIs' named ports and a Linkerd Server's port name read it, a Service's named `targetPort` only
   * when it is a native sidecar (`sidecar`).
   * @default false
   */
  readonly initContainer?: boolean;
  /**
   * Declared by a native sidecar (an init container with `restartPolicy: Always`; `initContainer` is then
   * true too): a Service's named `targetPort` resolves to it, a plain init container's port it never does
   * (kubernetes pkg/api/v1/pod/util.go `FindPort`).
   * @default false
   */
  readonly sidecar?: boolean;
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
  /**
   * The mesh-relevant annotations of the pod (template): injection, proxy port exclusions, default
   * inbound policy (see ./mesh/membership); and Calico's address annotations (fixed IPs, IP pools:
   * see ./calico/pod-addresses).
   * @default - none
   */
  readonly annotations?: Labels;
  /** Service account name (Calico `serviceAccountSelector`, Cilium `io.cilium.k8s.policy.serviceaccount`). */
  readonly serviceAccount?: string;
  /** IP address, when known (always for `external`; optional for pods and nodes). */
  readonly ip?: string;
  /**
   * Every IP of the endpoint when it has several (a dual-stack Pod's `status.podIPs`); a flow may use
   * any of them.
   * @default - only `ip`
   */
  readonly ips?: string[];
  /**
   * Where the address lies when `ip` is unknown (a pod in the cluster's pod CIDRs).
   * @default - anywhere a pod or node address can be
   */
  readonly addressSpace?: AddressSpace;
  /** DNS name of an `external` endpoint, matched by FQDN rules (Cilium `toFQDNs`). */
  readonly dnsName?: string;
  /** Pod runs in the host network namespace: no pod selector ever matches it. */
  readonly hostNetwork: boolean;
  /**
   * Labels the pod's workload controller adds at runtime that the manifests do not give exactly
   * (see ./uncertainty/controller-label-facts): carried by the endpoint, not looked up by its name,
   * since workloads of different kinds may share a name. `labels` holds a representative value of
   * each one every pod carries, so a selector whose answer is the same for every pod is matched exactly.
   * @default - none (a bare Pod, a probe, a ReplicaSet, a node, an external endpoint)
   */
  readonly runtimeLabels?: readonly RuntimeLabel[];
  readonly namedPorts: NamedPort[];
}

/** What the manifests tell of a label a workload controller adds to its pods at runtime. */
export interface RuntimeLabel {
  readonly key: string;
  /**
   * The values it takes across the workload's pods (a StatefulSet's pod names, a Job's name).
   * @default - not given by the manifests (a hash, a uid, a CronJob's Job names)
   */
  readonly values?: readonly string[];
  /**
   * Where `values` is not given: every value is this prefix followed by decimal digits (the Jobs of
   * a CronJob are named `<cronjob>-<scheduled time in minutes>`), so a test comparing the label
   * only with values of another form answers the same for every pod.
   * @default - any value
   */
  readonly digitsAfter?: string;
  /**
   * Some pods may lack it (a label only recent Kubernetes versions add).
   * @default false
   */
  readonly mayBeAbsent?: boolean;
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
  readonly effect: 'allow' | 'deny' | 'pass' | 'isolate' | 'default-allow' | 'log' | 'uncertain';
  /** Human-readable explanation. */
  readonly message: string;
}

/** The verdict of one side (ingress at the destination, or egress at the source). */
export interface DirectionVerdict {
  /** YES: allowed, NO: denied, MAYBE: indeterminate (see `uncertain`). */
  readonly outcome: Tri;
  /** `outcome === YES`. */
  readonly allowed: boolean;
  /** The objects and rules that decided, most decisive first. */
  readonly reasons: Reason[];
  /**
   * Why the outcome is indeterminate: one line per object or rule the answer depends on, naming the
   * object, the rule path and what is unknown, never an endpoint (so the flow matrix can share them
   * between pods of one class). Empty or absent for a definite outcome.
   */
  readonly uncertain?: string[];
  /** L7 constraints that apply on top of an L3/L4 allow (Cilium L7 rules, Calico HTTP matches), as readable strings. */
  readonly l7Constraints?: string[];
  /**
   * The same L7 rules in a form an HTTP request can be matched against (same order as
   * `l7Constraints`; absent when the model cannot match requests).
   */
  readonly l7Matchers?: L7Matcher[];
  /**
   * A proxy the side's traffic passes although no L7 constraint applies (set only without
   * `l7Constraints`): only a request the proxy forwards is allowed. Not part of an L4 verdict.
   */
  readonly proxy?: ProxyPass;
}

/**
 * A proxy an allowed flow passes without L7 restrictions of its own: Cilium redirects a port to its
 * proxy for every peer that an L7 rule on the port selects, and turns the other allows of that peer
 * and port into allow-all L7 rules (cilium/cilium pkg/policy rule.go `mergePortProto` appends the
 * wildcard rule; mapstate.go `merge` gives the redirect precedence), so the proxy still answers
 * each request: Envoy's path handling applies (a 307 redirect, a 400) before any rule.
 */
export interface ProxyPass {
  /** What the proxy does with a request its allow-all rules admit. */
  readonly matchers: L7Matcher[];
  /** Why the flow goes through the proxy: the redirecting rules, for reasons. */
  readonly why: string;
  /** The redirect surely applies; false when the redirecting rules only may match the flow. */
  readonly sure: boolean;
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

/**
 * A CNI model with the fast path the flow matrix needs, and notes about what it ignored.
 */
export interface AnnotatedCniModel extends CniModel {
  /** Notes about objects the model ignored or could not evaluate exactly. */
  readonly notes: string[];
  /**
   * The outcome alone (YES allow, NO deny, MAYBE indeterminate), without building reasons: the flow
   * matrix asks millions of questions. Must equal `evaluate(query).outcome`.
   */
  decide(query: SideQuery): Tri;
  /**
   * Subjects with the same key get the same outcome for every peer and port in that direction; the
   * empty string means "allowed whatever the peer". Lets the flow matrix evaluate each policy
   * situation once instead of once per pod.
   */
  subjectKey(subject: Endpoint, direction: Direction): string;
  /**
   * Peers with the same key get the same outcome from every subject on every port in that direction
   * (`direction` is the direction of the question: for `egress` the peer is the destination, whose
   * named ports count). Lets the flow matrix group pods by which policy selectors match them.
   */
  peerKey(peer: Endpoint, direction: Direction): string;
  /**
   * Can any verdict of this model carry `l7Constraints` (Cilium `toPorts[].rules`, Calico `http`
   * matches)? When false the flow matrix never asks for them.
   */
  hasL7Rules(): boolean;
}

/** A side verdict with `allowed` derived from the outcome. */
export function sideVerdict(
  outcome: Tri, reasons: Reason[], uncertain: string[] = [], l7Constraints?: string[], l7Matchers?: L7Matcher[], proxy?: ProxyPass,
): DirectionVerdict {
  return {
    outcome,
    allowed: outcome === YES,
    reasons,
    ...(uncertain.length > 0 ? { uncertain: [...new Set(uncertain)] } : {}),
    ...(l7Constraints && l7Constraints.length > 0 ? { l7Constraints } : {}),
    ...(l7Constraints && l7Constraints.length > 0 && l7Matchers && l7Matchers.length > 0 ? { l7Matchers } : {}),
    ...(proxy && !(l7Constraints && l7Constraints.length > 0) ? { proxy } : {}),
  };
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

/**
 * The attributes every model's peer key starts with: what kind of endpoint it is (pod, hostNetwork
 * pod, node and where, external), its reserved labels and its possible addresses.
 */
export function basePeerKey(endpoint: Endpoint, addresses: string): string {
  const reserved = Object.keys(endpoint.labels).filter((k) => k.startsWith('reserved:')).sort().join(',');
  return `${endpoint.kind}|${endpoint.hostNetwork ? 'h' : ''}|${endpoint.nodeLocality ?? ''}|${reserved}|${addresses}|${endpoint.dnsName ?? ''}`;
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

/**
 * The port a Service's named `targetPort` (`name`, Service port `protocol`) resolves to on the endpoint's
 * pods, as Kubernetes' endpoint controllers do (kubernetes pkg/api/v1/pod/util.go `FindPort`: the first
 * port of that name and protocol of the containers, then of the native sidecars; a plain init container's
 * never); undefined when there is none.
 */
export function serviceTargetPortOf(endpoint: Endpoint, name: string, protocol: string): number | undefined {
  return endpoint.namedPorts.find((p) => p.name === name && p.protocol === protocol && (p.initContainer !== true || p.sidecar === true))?.port;
}

/**
 * What {@link serviceTargetPortOf} reads of an endpoint, as sorted `name=PROTOCOL/port` strings (the
 * port each name and protocol resolves to), for the keys of verdicts that depend on it.
 */
export function serviceTargetPortsKey(endpoint: Endpoint): string[] {
  const keys = endpoint.namedPorts.flatMap((p) => {
    const port = serviceTargetPortOf(endpoint, p.name, p.protocol);
    return port === undefined ? [] : [`${p.name}=${p.protocol}/${port}`];
  });
  return [...new Set(keys)].sort();
}

/** `kind namespace/name` for messages. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
