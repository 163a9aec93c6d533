/**
 * Manifests and analyses for the mesh-layer tests: namespaces with mesh labels or annotations,
 * workloads with service accounts and ports, Istio and Linkerd policy objects.
 */
import { Reachability } from '../../../src/analysis/reachability';
import { ReachabilityOptions } from '../../../src/analysis/reachability-options';
import { Target } from '../../../src/analysis/target';
import { Cni } from '../../../src/cluster/cni';
import { IstioMode, Mesh } from '../../../src/cluster/mesh';

/** The mesh of an analysis (the ClusterNetwork's `Mesh` fact). */
export const ISTIO_SIDECAR = Mesh.istio({ mode: IstioMode.SIDECAR });
export const ISTIO_AMBIENT = Mesh.istio({ mode: IstioMode.AMBIENT });
export const LINKERD = Mesh.linkerd();

export function namespace(name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>): any {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, ...(annotations ? { annotations } : {}) } };
}

export interface WorkloadOptions {
  readonly serviceAccount?: string;
  readonly ports?: Array<number | { name: string; port: number }>;
  readonly podLabels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A Deployment `name` with label `app: name`, its service account and container ports (8080 by default). */
export function workload(ns: string, name: string, options: WorkloadOptions = {}): any {
  const labels = { app: name, ...(options.podLabels ?? {}) };
  const ports = (options.ports ?? [8080]).map((p) => (typeof p === 'number' ? { containerPort: p } : { name: p.name, containerPort: p.port }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels, ...(options.annotations ? { annotations: options.annotations } : {}) },
        spec: { serviceAccountName: options.serviceAccount ?? name, containers: [{ name: 'app', image: `example/${name}:1.0`, ports }] },
      },
    },
  };
}

/** A bare Pod with a known IP (for ipBlocks and NetworkAuthentication). */
export function podWithIp(ns: string, name: string, ip: string, serviceAccount = name, annotations?: Record<string, string>): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { app: name }, ...(annotations ? { annotations } : {}) },
    spec: { serviceAccountName: serviceAccount, containers: [{ name: 'app', image: `example/${name}:1.0`, ports: [{ containerPort: 8080 }] }] },
    status: { podIP: ip },
  };
}

/** A Service selecting `app: <app>` with the given ports (`{ name?, port, targetPort?, appProtocol? }`). */
export function service(ns: string, name: string, app: string, ports: Array<Record<string, unknown>>): any {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app }, ports } };
}

export function authorizationPolicy(ns: string, name: string, spec: Record<string, unknown>): any {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec };
}

export function peerAuthentication(ns: string, name: string, spec: Record<string, unknown>): any {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns }, spec };
}

export function networkPolicy(ns: string, name: string, spec: Record<string, unknown>): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

export function linkerd(kind: string, ns: string, name: string, spec: Record<string, unknown>, version?: string): any {
  const v = version ?? (kind === 'Server' ? 'v1beta3' : 'v1alpha1');
  return { apiVersion: `policy.linkerd.io/${v}`, kind, metadata: { name, namespace: ns }, spec };
}

/** An analysis of `manifests` with `mesh` on Kubernetes NetworkPolicy semantics (unless `cni` says otherwise). */
export function meshReach(manifests: any[], mesh: Mesh | undefined, options: Partial<ReachabilityOptions> = {}): Reachability {
  return Reachability.fromManifests(manifests, { cni: Cni.kubernetes(), ...(mesh ? { mesh } : {}), ...options });
}

/** `ns/name` -> Target.workload. */
export function w(name: string): Target {
  const [ns, workloadName] = name.split('/');
  return Target.workload(ns, workloadName);
}
