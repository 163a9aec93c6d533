/**
 * The endpoints a set of manifests describes: one pod endpoint per workload (every replica of a
 * workload is identical for policy purposes), and the namespaces with their labels.
 */
import { isCalicoAddressAnnotation } from './calico/pod-addresses';
import { isMeshAnnotation } from './mesh/membership';
import { Endpoint, L4Protocol, ManifestObject, NamedPort, RuntimeLabel } from './model';
import { Labels } from './selectors';
import { autoscaledWorkloads, runtimeLabelsOf, withRuntimeLabels } from './uncertainty/controller-label-facts';
import { namedContainerPorts } from '../util/container-ports';
import {
  isNamespace, isPlainObject, isWorkload as isVocabularyWorkload, NAMESPACE_NAME_LABEL, namespaceOf, nameOf, podServiceAccountOf, podTemplateOf,
  stringMap,
} from '../util/vocabulary';

export { NAMESPACE_NAME_LABEL };

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
  /** Namespace name -> annotations (declared namespaces only). */
  readonly namespaceAnnotations: Map<string, Labels>;
}

/** The namespace of a pod endpoint's name (`namespace/name`, as the inventory and probes name pods). */
export function namespaceOfEndpoint(endpoint: string): string {
  const slash = endpoint.indexOf('/');
  return slash < 0 ? endpoint : endpoint.slice(0, slash);
}

/** Is `obj` a workload (or bare Pod) whose pods the inventory models? See the vocabulary. */
export function isWorkload(obj: ManifestObject): boolean {
  return isVocabularyWorkload(obj);
}

/** Build the inventory of `manifests`; namespaces referenced but not declared get only the name label. */
export function buildInventory(manifests: ManifestObject[]): Inventory {
  const namespaces = new Map<string, Labels>();
  const namespaceAnnotations = new Map<string, Labels>();
  for (const obj of manifests) {
    const name = nameOf(obj);
    if (isNamespace(obj) && name) {
      namespaces.set(name, { ...stringMap(obj.metadata?.labels), [NAMESPACE_NAME_LABEL]: name });
      namespaceAnnotations.set(name, stringMap(obj.metadata?.annotations));
    }
  }
  const referenced = (ns: string) => {
    if (!namespaces.has(ns)) namespaces.set(ns, { [NAMESPACE_NAME_LABEL]: ns });
  };
  const pods: InventoryPod[] = [];
  const autoscaled = autoscaledWorkloads(manifests);
  for (const obj of manifests) {
    if (obj.kind !== 'Namespace' && typeof obj.metadata?.namespace === 'string' && obj.metadata.namespace !== '') referenced(obj.metadata.namespace);
    if (!isWorkload(obj)) continue;
    const namespace = namespaceOf(obj);
    referenced(namespace);
    const template = podTemplateOf(obj);
    if (!template) continue;
    const pod = podFromTemplate(`${namespace}/${nameOf(obj)}`, obj.kind!, namespace, template, runtimeLabelsOf(obj, autoscaled));
    pods.push(obj.kind === 'Pod' ? withStatusIps(pod, obj) : pod);
  }
  // Namespace labels are attached after all namespaces are known, so declaration order does not matter.
  const withNamespaces = pods.map((p) => ({
    ...p,
    endpoint: { ...p.endpoint, namespaceLabels: namespaces.get(p.endpoint.namespace!)! },
  }));
  withNamespaces.sort((a, b) => a.endpoint.name.localeCompare(b.endpoint.name));
  return { pods: withNamespaces, namespaces, namespaceAnnotations };
}

/** A Pod's `status.podIP` and `status.podIPs` (dual stack), as its endpoint's addresses. */
function withStatusIps(pod: InventoryPod, obj: ManifestObject): InventoryPod {
  const status = isPlainObject(obj.status) ? obj.status : {};
  const ips = new Set<string>();
  if (typeof status.podIP === 'string' && status.podIP !== '') ips.add(status.podIP);
  for (const entry of Array.isArray(status.podIPs) ? status.podIPs : []) {
    if (isPlainObject(entry) && typeof entry.ip === 'string' && entry.ip !== '') ips.add(entry.ip);
  }
  if (ips.size === 0 || pod.endpoint.hostNetwork) return pod;
  const list = [...ips];
  return { ...pod, endpoint: { ...pod.endpoint, ip: list[0], ...(list.length > 1 ? { ips: list } : {}) } };
}

/**
 * The pod endpoint of one workload (labels from the template, the pod for bare Pods).
 * @param runtimeLabels the labels its controller adds (./uncertainty/controller-label-facts)
 * @default runtimeLabels - none (a bare Pod, a probe)
 */
export function podFromTemplate(
  name: string, workloadKind: string, namespace: string, template: any, runtimeLabels: readonly RuntimeLabel[] = [],
): InventoryPod {
  const spec = isPlainObject(template?.spec) ? template.spec : {};
  const ports: ContainerPort[] = [];
  const containers = [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])];
  for (const container of containers) {
    for (const p of Array.isArray(container?.ports) ? container.ports : []) {
      if (typeof p?.containerPort !== 'number') continue;
      ports.push({ name: typeof p.name === 'string' ? p.name : undefined, port: p.containerPort, protocol: (p.protocol ?? 'TCP') as L4Protocol });
    }
  }
  // Containers, then init containers (../util/container-ports): the CNIs resolve a rule's named port over both (Calico
  // libcalico-go k8s/conversion/workload_endpoint_default.go appendEndpointPorts), a Linkerd Server's too (linkerd/linkerd2#14144), a
  // Service's named targetPort over the containers and native sidecars only (../model serviceTargetPortOf).
  const namedPorts: NamedPort[] = namedContainerPorts(template)
    .map((p) => {
      const where = p.sidecar ? { initContainer: true, sidecar: true } : p.init ? { initContainer: true } : {};
      return { name: p.name, port: p.port, protocol: p.protocol as L4Protocol, ...where };
    });
  const annotations = Object.fromEntries(Object.entries(stringMap(template?.metadata?.annotations))
    .filter(([k]) => isMeshAnnotation(k) || isCalicoAddressAnnotation(k)));
  const serviceAccount = podServiceAccountOf(template);
  return {
    workloadKind,
    ports,
    endpoint: {
      kind: 'pod',
      name,
      namespace,
      labels: withRuntimeLabels(stringMap(template?.metadata?.labels), runtimeLabels),
      namespaceLabels: { [NAMESPACE_NAME_LABEL]: namespace },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      serviceAccount,
      hostNetwork: spec.hostNetwork === true,
      namedPorts,
      ...(runtimeLabels.length > 0 ? { runtimeLabels } : {}),
    },
  };
}
