/**
 * Endpoint builders shared by the analyzer tests: each suite keeps its own namespace table (their
 * namespace labels differ on purpose) and passes it in.
 */
import { Endpoint, NamedPort } from '../../src/analysis/model';

/** Namespace name -> namespace labels. */
export type NamespaceTable = ReadonlyMap<string, Record<string, string>>;

/** Optional attributes of a pod endpoint. */
export interface PodEndpointOptions {
  readonly ip?: string;
  readonly serviceAccount?: string;
  readonly namedPorts?: NamedPort[];
  readonly hostNetwork?: boolean;
}

/**
 * A pod endpoint `namespace/name`; its namespace labels come from `namespaces`, else only the label
 * Kubernetes sets itself (`kubernetes.io/metadata.name`).
 */
export function podEndpoint(
  namespaces: NamespaceTable, namespace: string, name: string, labels: Record<string, string>, options: PodEndpointOptions = {},
): Endpoint {
  return {
    kind: 'pod',
    name: `${namespace}/${name}`,
    namespace,
    labels,
    namespaceLabels: namespaces.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace },
    serviceAccount: options.serviceAccount,
    ip: options.ip,
    hostNetwork: options.hostNetwork ?? false,
    namedPorts: options.namedPorts ?? [],
  };
}

/** An address outside the cluster, named by its DNS name when given. */
export function externalEndpoint(ip: string, dnsName?: string, labels: Record<string, string> = {}): Endpoint {
  return { kind: 'external', name: dnsName ?? ip, labels, namespaceLabels: {}, ip, dnsName, hostNetwork: false, namedPorts: [] };
}
