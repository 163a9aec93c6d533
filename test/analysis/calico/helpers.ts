/** Test-local builders for endpoints, queries and Calico manifests. */
import { calicoModel } from '../../../src/analysis/calico';
import { DirectionVerdict, Endpoint, L4Protocol, ManifestObject, NamedPort, SideQuery } from '../../../src/analysis/model';

export const NAMESPACES = new Map<string, Record<string, string>>([
  ['shop', { 'kubernetes.io/metadata.name': 'shop', 'tenant': 'acme' }],
  ['billing', { 'kubernetes.io/metadata.name': 'billing', 'tenant': 'globex' }],
  ['kube-system', { 'kubernetes.io/metadata.name': 'kube-system' }],
]);

export function pod(
  namespace: string, name: string, labels: Record<string, string>,
  extra: { ip?: string; serviceAccount?: string; namedPorts?: NamedPort[]; hostNetwork?: boolean } = {},
): Endpoint {
  return {
    kind: 'pod',
    name: `${namespace}/${name}`,
    namespace,
    labels,
    namespaceLabels: NAMESPACES.get(namespace) ?? { 'kubernetes.io/metadata.name': namespace },
    serviceAccount: extra.serviceAccount,
    ip: extra.ip,
    hostNetwork: extra.hostNetwork ?? false,
    namedPorts: extra.namedPorts ?? [],
  };
}

export function external(ip: string): Endpoint {
  return { kind: 'external', name: ip, ip, labels: {}, namespaceLabels: {}, hostNetwork: false, namedPorts: [] };
}

/** Ingress question at `dst` for traffic from `src`. */
export function ingress(src: Endpoint, dst: Endpoint, port: number, protocol: L4Protocol = 'TCP'): SideQuery {
  return { direction: 'ingress', subject: dst, peer: src, port, protocol, destination: dst };
}

/** Egress question at `src` for traffic to `dst`. */
export function egress(src: Endpoint, dst: Endpoint, port: number, protocol: L4Protocol = 'TCP'): SideQuery {
  return { direction: 'egress', subject: src, peer: dst, port, protocol, destination: dst };
}

export function gnp(name: string, spec: any): ManifestObject {
  return { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec };
}

export function cnp(namespace: string, name: string, spec: any): ManifestObject {
  return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export function tier(name: string, order: number, defaultAction?: 'Deny' | 'Pass'): ManifestObject {
  return { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { order, ...(defaultAction ? { defaultAction } : {}) } };
}

export function knp(namespace: string, name: string, spec: any): ManifestObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

export function evaluate(manifests: ManifestObject[], query: SideQuery): DirectionVerdict {
  return calicoModel(manifests, NAMESPACES).evaluate(query);
}
