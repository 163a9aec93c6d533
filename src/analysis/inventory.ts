/**
 * The endpoints a set of manifests describes: one pod endpoint per workload (every replica of a
 * workload is identical for policy purposes), and the namespaces with their labels.
 */
import { Endpoint, L4Protocol, ManifestObject, NamedPort } from './model';
import { Labels } from './selectors';

/** The label every namespace carries since Kubernetes 1.22 (NETWORKING-FACTS.md #1). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A declared container port (named or not). */
export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: L4Protocol;
}

/** A pod endpoint plus what the flow matrix needs to know about it. */
export interface InventoryPod {
  readonly endpoint: Endpoint;
  /** `Deployment`, `StatefulSet`, ..., `Pod`, or `Probe` for probes added by the caller. */
  readonly workloadKind: string;
  /** Every declared container port, for the default ports of the flow matrix. */
  readonly ports: ContainerPort[];
}

/** Pods and namespaces found in manifests. */
export interface Inventory {
  readonly pods: InventoryPod[];
  /** Namespace name -> labels (always including the automatic name label). */
  readonly namespaces: Map<string, Labels>;
}

/** Where the pod template lives, per workload kind. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Pod: [],
};

/** Is `obj` a workload (or bare Pod) whose pods the inventory models? */
export function isWorkload(obj: ManifestObject): boolean {
  return typeof obj.kind === 'string' && Object.prototype.hasOwnProperty.call(TEMPLATE_PATHS, obj.kind)
    && (obj.apiVersion === 'v1' || obj.apiVersion === 'apps/v1' || obj.apiVersion === 'batch/v1'
      || obj.apiVersion === 'batch/v1beta1' || obj.apiVersion === undefined);
}

/** Build the inventory of `manifests`; namespaces referenced but not declared get only the name label. */
export function buildInventory(manifests: ManifestObject[]): Inventory {
  const namespaces = new Map<string, Labels>();
  for (const obj of manifests) {
    if (obj.apiVersion === 'v1' && obj.kind === 'Namespace' && obj.metadata?.name) {
      const name = obj.metadata.name;
      namespaces.set(name, { ...(obj.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name });
    }
  }
  const referenced = (ns: string) => {
    if (!namespaces.has(ns)) namespaces.set(ns, { [NAMESPACE_NAME_LABEL]: ns });
  };
  const pods: InventoryPod[] = [];
  for (const obj of manifests) {
    if (obj.kind !== 'Namespace' && obj.metadata?.namespace) referenced(obj.metadata.namespace);
    if (!isWorkload(obj)) continue;
    const namespace = obj.metadata?.namespace ?? 'default';
    referenced(namespace);
    const template = TEMPLATE_PATHS[obj.kind!].reduce((node: any, key) => node?.[key], obj);
    if (!template) continue;
    pods.push(podFromTemplate(`${namespace}/${obj.metadata?.name ?? ''}`, obj.kind!, namespace, template));
  }
  // Namespace labels are attached after all namespaces are known, so declaration order does not matter.
  const withNamespaces = pods.map((p) => ({
    ...p,
    endpoint: { ...p.endpoint, namespaceLabels: namespaces.get(p.endpoint.namespace!)! },
  }));
  withNamespaces.sort((a, b) => a.endpoint.name.localeCompare(b.endpoint.name));
  return { pods: withNamespaces, namespaces };
}

/** The pod endpoint of one workload (labels from the template, the pod for bare Pods). */
export function podFromTemplate(name: string, workloadKind: string, namespace: string, template: any): InventoryPod {
  const spec = template.spec ?? {};
  const ports: ContainerPort[] = [];
  for (const container of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const p of container?.ports ?? []) {
      if (typeof p?.containerPort !== 'number') continue;
      ports.push({ name: p.name, port: p.containerPort, protocol: (p.protocol ?? 'TCP') as L4Protocol });
    }
  }
  const namedPorts: NamedPort[] = ports
    .filter((p) => p.name !== undefined)
    .map((p) => ({ name: p.name!, port: p.port, protocol: p.protocol }));
  return {
    workloadKind,
    ports,
    endpoint: {
      kind: 'pod',
      name,
      namespace,
      labels: { ...(template.metadata?.labels ?? {}) },
      namespaceLabels: { [NAMESPACE_NAME_LABEL]: namespace },
      serviceAccount: spec.serviceAccountName ?? spec.serviceAccount ?? 'default',
      hostNetwork: spec.hostNetwork === true,
      namedPorts,
    },
  };
}
