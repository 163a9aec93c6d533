/* Test-local builders for the Cilium model tests. */
import { ciliumModel } from '../../../src/analysis/cilium';
import { DirectionVerdict, Endpoint, L4Protocol, ManifestObject } from '../../../src/analysis/model';
import { PodEndpointOptions, externalEndpoint, podEndpoint } from '../endpoints';

export const NAMESPACES = new Map<string, Record<string, string>>([
  ['shop', { 'kubernetes.io/metadata.name': 'shop', 'team': 'retail' }],
  ['billing', { 'kubernetes.io/metadata.name': 'billing', 'team': 'finance' }],
  ['kube-system', { 'kubernetes.io/metadata.name': 'kube-system' }],
  ['default', { 'kubernetes.io/metadata.name': 'default' }],
]);

export function pod(namespace: string, name: string, labels: Record<string, string>, opts: PodEndpointOptions = {}): Endpoint {
  return podEndpoint(NAMESPACES, namespace, name, labels, opts);
}

export function node(labels: Record<string, string> = {}): Endpoint {
  return { kind: 'node', name: 'node-1', labels, namespaceLabels: {}, ip: '10.0.0.10', hostNetwork: true, namedPorts: [] };
}

export const external = externalEndpoint;

export function cnp(namespace: string, name: string, spec: any, extra: Record<string, any> = {}): ManifestObject {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec, ...extra };
}

export function ccnp(name: string, spec: any): ManifestObject {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

export function np(namespace: string, name: string, spec: any): ManifestObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** Ingress verdict at `dst` for traffic from `src`. */
export function ingress(manifests: ManifestObject[], src: Endpoint, dst: Endpoint, port: number, protocol: L4Protocol = 'TCP'): DirectionVerdict {
  return ciliumModel(manifests, NAMESPACES).evaluate({ direction: 'ingress', subject: dst, peer: src, port, protocol, destination: dst });
}

/** Egress verdict at `src` for traffic to `dst`. */
export function egress(manifests: ManifestObject[], src: Endpoint, dst: Endpoint, port: number, protocol: L4Protocol = 'TCP'): DirectionVerdict {
  return ciliumModel(manifests, NAMESPACES).evaluate({ direction: 'egress', subject: src, peer: dst, port, protocol, destination: dst });
}

// Common endpoints.
export const web = pod('shop', 'web', { app: 'web' });
export const api = pod('shop', 'api', { app: 'api' }, { namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
export const worker = pod('shop', 'worker', { app: 'worker' });
export const billingApi = pod('billing', 'api', { app: 'api' });
export const billingWeb = pod('billing', 'web', { app: 'web' });
export const kubeDns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' });
export const internet = external('203.0.113.7');
