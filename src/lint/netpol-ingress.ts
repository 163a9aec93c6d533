/**
 * Reading the ingress rules of a networking.k8s.io NetworkPolicy against the pods of the manifests
 * (internal), for the rules that compare what a policy admits with what the mesh does.
 */
import { isObject, asArray } from './document';
import { InventoryPod } from '../analysis/inventory';
import { isEmptySelector } from '../analysis/selectors';

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

/** {@link admittedTcpPorts} without Istio's own ports. */
export function admittedIstioApplicationPorts(pod: InventoryPod, ports: unknown): number[] {
  return admittedTcpPorts(pod, ports).filter((p) => !ISTIO_PROXY_PORTS.has(p));
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
