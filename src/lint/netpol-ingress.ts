/**
 * Reading the ingress rules of a networking.k8s.io NetworkPolicy against the pods of the manifests
 * (internal), for the rules that compare what a policy admits with what the mesh does.
 */
import { isObject, asArray, jsonPath, LintDocument } from './document';
import { Inventory, InventoryPod } from '../analysis/inventory';
import { effectivePolicyTypes, isNetworkPolicy, peerMatches, selectsEndpoint } from '../analysis/kubernetes/network-policy';
import { Endpoint, ManifestObject } from '../analysis/model';
import { isEmptySelector, Labels } from '../analysis/selectors';
import { YES } from '../analysis/verdict';

/**
 * The TCP ports of `pod` an ingress rule's `ports` admit, sorted: a number as given (the mesh decides
 * per port whether or not the pod declares it), a range (`endPort`) or an absent port as the pod's
 * declared TCP ports in it, a name as the pod's TCP port of that name; no `ports` = every declared TCP port.
 */
export function admittedTcpPorts(pod: InventoryPod, ports: unknown): number[] {
  const declared = [...new Set(pod.ports.filter((p) => p.protocol === 'TCP').map((p) => p.port))];
  const entries = asArray(ports);
  const admitted = new Set<number>(entries.length === 0 ? declared : []);
  for (const entry of entries) {
    if (!isObject(entry) || (entry.protocol ?? 'TCP') !== 'TCP') continue;
    let matched: number[];
    if (entry.port === undefined || entry.port === null) {
      matched = declared;
    } else if (typeof entry.port === 'string') {
      matched = pod.ports.filter((p) => p.name === entry.port && p.protocol === 'TCP').map((p) => p.port);
    } else if (typeof entry.port === 'number' && typeof entry.endPort === 'number') {
      matched = declared.filter((p) => p >= entry.port && p <= entry.endPort);
    } else {
      matched = typeof entry.port === 'number' ? [entry.port] : [];
    }
    matched.forEach((p) => admitted.add(p));
  }
  return [...admitted].sort((a, b) => a - b);
}

/**
 * The ports Istio's proxies use on a pod (istio.io "Application Requirements", ports used by Istio:
 * Envoy admin, outbound and inbound, debug, HBONE, HBONE for secure networks, merged metrics, health,
 * DNS capture, Envoy metrics). A NetworkPolicy admits them for the mesh's own traffic (ambient HBONE
 * 15008 carries connections to every application port), so they are no application port whose
 * authorization the mesh decides.
 */
const ISTIO_PROXY_PORTS = new Set([15000, 15001, 15004, 15006, 15008, 15009, 15020, 15021, 15053, 15090]);

/** Is `port` one of Istio's own proxy ports (see ISTIO_PROXY_PORTS), no application port? */
export function isIstioProxyPort(port: number): boolean {
  return ISTIO_PROXY_PORTS.has(port);
}

/** {@link admittedTcpPorts} without Istio's own ports. */
export function admittedIstioApplicationPorts(pod: InventoryPod, ports: unknown): number[] {
  return admittedTcpPorts(pod, ports).filter((p) => !ISTIO_PROXY_PORTS.has(p));
}

/**
 * The ports Linkerd's proxy listens on in a pod by default (the proxy's start-up log: admin 4191, inbound
 * 4143, outbound 4140, tap/control 4190; `linkerd install --admin-port`, `--control-port`): a NetworkPolicy
 * admits them for the mesh's own traffic (meshed connections arrive on 4143: linkerd.io "Network Policy"
 * common error), not as an application port.
 */
const LINKERD_PROXY_PORTS = new Set([4140, 4143, 4190, 4191]);

/**
 * Is `port` one of Linkerd's own proxy ports (see LINKERD_PROXY_PORTS), the pod's proxy admin port `adminPort` or its
 * inbound proxy port `inboundPort` (moved by `config.linkerd.io/admin-port`, `config.linkerd.io/inbound-port`)?
 * @default inboundPort - 4143 only
 */
export function isLinkerdProxyPort(port: number, adminPort: number | undefined, inboundPort?: number): boolean {
  return LINKERD_PROXY_PORTS.has(port) || port === adminPort || port === inboundPort;
}

/**
 * {@link admittedTcpPorts} without Linkerd's own ports nor the pod's proxy admin port `adminPort` and inbound proxy port `inboundPort`
 * (moved by `config.linkerd.io/admin-port`, `config.linkerd.io/inbound-port`).
 * @default inboundPort - 4143 only
 */
export function admittedLinkerdApplicationPorts(pod: InventoryPod, ports: unknown, adminPort: number | undefined, inboundPort?: number): number[] {
  return admittedTcpPorts(pod, ports).filter((p) => !isLinkerdProxyPort(p, adminPort, inboundPort));
}

/**
 * Does the `from` peer admit every pod (of the cluster: an empty namespaceSelector with no or an empty
 * podSelector; of the policy's namespace: an empty podSelector alone), or address by ipBlock? Such a
 * peer makes no statement about one client, so the rules comparing it with the mesh leave it alone.
 */
export function admitsNoClientInParticular(peer: Record<string, any>): boolean {
  if (peer.ipBlock !== undefined) return true;
  const anyPod = peer.podSelector === undefined || peer.podSelector === null || isEmptySelector(peer.podSelector);
  const namespaces = peer.namespaceSelector;
  return namespaces !== undefined && namespaces !== null ? isEmptySelector(namespaces) && anyPod : anyPod;
}

/**
 * The workloads of the manifests the `from` peer of `policy` admits, when they are every client it
 * admits: each in a namespace the manifests declare (so its mesh membership and ServiceAccount are
 * known), the manifests taken to hold every workload of a namespace that holds some. Undefined when the
 * peer admits no client in particular ({@link admitsNoClientInParticular}), none of the manifests, one
 * of an undeclared namespace, or may admit clients the manifests do not show: a selected namespace
 * without a matching workload, or namespaces chosen by labels other than `kubernetes.io/metadata.name`
 * (which may include namespaces outside the manifests).
 */
export function admittedManifestClients(policy: ManifestObject, peer: Record<string, any>, inventory: Inventory): InventoryPod[] | undefined {
  if (admitsNoClientInParticular(peer)) return undefined;
  const { namespaces, namespaceAnnotations: declared } = inventory;
  const clients = inventory.pods.filter((p) => peerMatches(policy, peer, p.endpoint, namespaces) === YES);
  if (clients.length === 0 || clients.some((c) => !declared.has(c.endpoint.namespace ?? 'default'))) return undefined;
  if (isObject(peer.namespaceSelector) && (!namesNamespaces(peer.namespaceSelector) || [...namespaces.keys()].some((ns) =>
    !clients.some((c) => c.endpoint.namespace === ns)
    && peerMatches(policy, { namespaceSelector: peer.namespaceSelector }, namespaceProbe(ns, {}, namespaces.get(ns)!), namespaces) === YES))) {
    return undefined;
  }
  return clients;
}

/** Does the selector pick namespaces by name only (`kubernetes.io/metadata.name` in matchLabels or an `In` expression)? */
function namesNamespaces(selector: Record<string, any>): boolean {
  const key = 'kubernetes.io/metadata.name';
  return (isObject(selector.matchLabels) && typeof selector.matchLabels[key] === 'string')
    || asArray(selector.matchExpressions).some((e) => isObject(e) && e.key === key && e.operator === 'In');
}

/** A pod of namespace `ns` with `labels` (none: to ask whether a namespaceSelector selects the namespace). */
export function namespaceProbe(ns: string, labels: Labels, namespaceLabels: Labels): Endpoint {
  return { kind: 'pod', name: `${ns}/*`, namespace: ns, labels, namespaceLabels, hostNetwork: false, namedPorts: [] };
}

/** One `from` peer of a NetworkPolicy ingress rule, with the manifests' clients it admits and the destinations it admits them to. */
export interface AdmittedPeer {
  /** The NetworkPolicy. */
  readonly doc: LintDocument;
  /** The peer's JSON path (`spec.ingress[i].from[j]`). */
  readonly path: string;
  /** The ingress rule holding the peer (its `ports`). */
  readonly rule: Record<string, any>;
  /** {@link admittedManifestClients} of the peer (never undefined here). */
  readonly clients: InventoryPod[];
  /** The pods of the manifests the policy selects that `isDestination` keeps (never empty here). */
  readonly destinations: InventoryPod[];
}

/**
 * The `from` peers of the ingress rules of the networking.k8s.io NetworkPolicies among `documents` whose
 * admitted clients are all workloads of the manifests ({@link admittedManifestClients}), with the policy's
 * selected pods that `isDestination` keeps; policies selecting none of those are skipped. In document,
 * rule and peer order.
 */
export function admittedManifestPeers(documents: readonly LintDocument[], inventory: Inventory,
  isDestination: (pod: InventoryPod) => boolean): AdmittedPeer[] {
  const out: AdmittedPeer[] = [];
  for (const doc of documents) {
    if (!isNetworkPolicy(doc.obj) || !isObject(doc.obj.spec) || !effectivePolicyTypes(doc.obj).includes('Ingress')) continue;
    const destinations = inventory.pods.filter((p) => selectsEndpoint(doc.obj, p.endpoint) && isDestination(p));
    if (destinations.length === 0) continue;
    asArray(doc.obj.spec.ingress).forEach((rule, i) => {
      if (!isObject(rule)) return;
      asArray(rule.from).forEach((peer, j) => {
        const clients = isObject(peer) ? admittedManifestClients(doc.obj, peer, inventory) : undefined;
        if (clients !== undefined) out.push({ doc, path: jsonPath('spec', 'ingress', i, 'from', j), rule, clients, destinations });
      });
    });
  }
  return out;
}

/** `Deployment web port 8080, Deployment api port 9090`: the distinct (pod, port) places, in order. */
export function podPortsText(places: ReadonlyArray<{ readonly pod: InventoryPod; readonly port: number }>): string {
  return [...new Set(places.map((r) => `${r.pod.workloadKind} ${r.pod.endpoint.name} port ${r.port}`))].join(', ');
}
