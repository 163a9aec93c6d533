/**
 * The label sets Calico evaluates selectors against.
 *
 * Workload endpoints carry the pod's labels plus `projectcalico.org/namespace`,
 * `projectcalico.org/orchestrator` and `projectcalico.org/serviceaccount`
 * (https://docs.tigera.io/calico/latest/reference/resources/workloadendpoint); namespaces are
 * matched by their labels, which include `kubernetes.io/metadata.name`, plus Calico's
 * `projectcalico.org/name` (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy,
 * "namespaceSelector"). Service accounts are matched via `projectcalico.org/name`.
 */
import { Endpoint, NamespaceIndex } from '../model';
import { Labels } from '../selectors';

/** The service account Kubernetes assigns when a pod names none. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** Endpoints are immutable and asked about many times: build their label sets once. */
const WORKLOAD_LABELS = new WeakMap<Endpoint, Labels>();

/** Labels of a pod as a Calico workload endpoint. */
export function workloadLabels(ep: Endpoint): Labels {
  let labels = WORKLOAD_LABELS.get(ep);
  if (!labels) {
    labels = {
      ...ep.labels,
      'projectcalico.org/namespace': ep.namespace ?? '',
      'projectcalico.org/orchestrator': 'k8s',
      'projectcalico.org/serviceaccount': ep.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT,
    };
    WORKLOAD_LABELS.set(ep, labels);
  }
  return labels;
}

/** Labels of namespace `ns` for a namespaceSelector (from the endpoint if given, else from the index). */
export function namespaceLabels(ns: string, namespaces: NamespaceIndex, fromEndpoint?: Labels): Labels {
  const base = fromEndpoint && Object.keys(fromEndpoint).length > 0 ? fromEndpoint : namespaces.get(ns) ?? {};
  return { ...base, 'kubernetes.io/metadata.name': ns, 'projectcalico.org/name': ns };
}

/** Labels of a service account for `serviceAccountSelector` (its own labels are not in the manifests we see). */
export function serviceAccountLabels(ep: Endpoint): Labels {
  return { 'projectcalico.org/name': ep.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT };
}

