import { ClusterNetwork } from '../cluster/cluster-network';
import { isSystemNamespace } from '../util/validate';

/** Why a namespace is shared by every workload of the cluster. */
export interface SharedNamespaceUse {
  /** Control plane or cluster DNS (as opposed to the ingress controller or monitoring). */
  readonly system: boolean;
  /** What runs there, e.g. 'the ingress controller (ClusterNetwork ingressController)'. */
  readonly what: string;
}

/**
 * Is `namespace` one that every tenant and workload depends on (kube-* system namespaces, the
 * cluster DNS, the ingress controller, monitoring)? Default deny or a tenant label there would cut
 * the whole cluster off from it. Undefined for an ordinary namespace.
 */
export function sharedNamespaceUse(cluster: ClusterNetwork, namespace: string): SharedNamespaceUse | undefined {
  if (namespace === cluster.dnsNamespace) return { system: true, what: 'the cluster DNS (ClusterNetwork dns.namespace)' };
  if (isSystemNamespace(namespace)) return { system: true, what: 'the control plane (kube-* namespaces)' };
  if (namespace === cluster.ingressController.namespace) {
    return { system: false, what: 'the ingress controller (ClusterNetwork ingressController)' };
  }
  if (namespace === cluster.monitoring.namespace) return { system: false, what: 'the monitoring pods (ClusterNetwork monitoring)' };
  if (cluster.gateway !== undefined && namespace === cluster.gateway.namespace) {
    return { system: false, what: 'the Gateway API gateway (ClusterNetwork gateway)' };
  }
  const mesh = cluster.mesh;
  if (namespace === mesh.controlPlaneNamespace || namespace === mesh.rootNamespace) {
    return { system: false, what: `the ${mesh.displayName} control plane (ClusterNetwork mesh)` };
  }
  return undefined;
}
