/** Test-local builders for endpoints, queries and Calico manifests. */
import { calicoModel } from '../../../src/analysis/calico';
import { DirectionVerdict, Endpoint, L4Protocol, ManifestObject, SideQuery } from '../../../src/analysis/model';
import { PodEndpointOptions, externalEndpoint, podEndpoint } from '../endpoints';

export const NAMESPACES = new Map<string, Record<string, string>>([
  ['shop', { 'kubernetes.io/metadata.name': 'shop', 'tenant': 'acme' }],
  ['billing', { 'kubernetes.io/metadata.name': 'billing', 'tenant': 'globex' }],
  ['kube-system', { 'kubernetes.io/metadata.name': 'kube-system' }],
]);

export function pod(namespace: string, name: string, labels: Record<string, string>, extra: PodEndpointOptions = {}): Endpoint {
  return podEndpoint(NAMESPACES, namespace, name, labels, extra);
}

export function external(ip: string): Endpoint {
  return externalEndpoint(ip);
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
