/**
 * The cluster of the Kubernetes network-policy e2e model (kubernetes/kubernetes
 * test/e2e/network/netpol, model.go and kubemanager.go): namespaces x, y, z, each with pods a, b, c
 * labelled `pod: <name>`, every pod serving 80 and 81 on TCP, UDP and SCTP under the container port
 * names `serve-<port>-<protocol>`. Namespaces are selected by `kubernetes.io/metadata.name`, as the
 * e2e suite does since it creates namespaces with generated names.
 *
 * The e2e suite reads pod IPs from `status.podIP` for its ipBlock cases; here every pod states one:
 * namespace x -> 10.244.1.0/24, y -> 10.244.2.0/24, z -> 10.244.3.0/24; pod a .10, b .11, c .12.
 */
import { namespace, networkPolicy, pod } from './support';

/** The namespaces of the model. */
export const E2E_NAMESPACES = ['x', 'y', 'z'] as const;
/** The pods of each namespace. */
export const E2E_PODS = ['a', 'b', 'c'] as const;

const SUBNET: Record<string, number> = { x: 1, y: 2, z: 3 };
const HOST: Record<string, number> = { a: 10, b: 11, c: 12 };

/** The IP the model's pod `ns/name` states in `status.podIP`. */
export function e2eIp(podName: string): string {
  const [ns, name] = podName.split('/');
  return `10.244.${SUBNET[ns]}.${HOST[name]}`;
}

const SERVE_PORTS = ['TCP', 'UDP', 'SCTP'].flatMap((protocol) => [80, 81].map((containerPort) => ({
  name: `serve-${containerPort}-${protocol.toLowerCase()}`,
  containerPort,
  protocol,
})));

/**
 * Namespaces x, y, z and the nine pods, optionally with extra labels on some namespaces or pods.
 * @param withIps state each pod's IP in `status` (false: pods as manifests in Git have them, no status)
 */
export function e2eCluster(extraLabels: Record<string, Record<string, string>> = {}, withIps = true): any[] {
  return E2E_NAMESPACES.flatMap((ns) => [
    namespace(ns, extraLabels[ns] ?? {}),
    ...E2E_PODS.map((p) => pod(ns, p, { pod: p, ...(extraLabels[`${ns}/${p}`] ?? {}) }, {
      ip: withIps ? e2eIp(`${ns}/${p}`) : undefined,
      ports: SERVE_PORTS,
    })),
  ]);
}

/** A NetworkPolicy in namespace x (where the e2e suite creates almost all of its policies). */
export function inX(name: string, spec: any): any {
  return networkPolicy('x', name, spec);
}
