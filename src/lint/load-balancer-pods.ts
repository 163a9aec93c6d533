/**
 * The pods behind a load balancer Service and its target ports on them (internal to the lint); what
 * they admit is the analyzer's answer (./load-balancer-clients). Exact for what the manifests show:
 * the pods are the workloads of the manifests the Service's selector picks; without any, a pod
 * carrying exactly the selector's labels stands for them (exact while every NetworkPolicy selecting
 * it selects every pod the Service can pick: matchLabels, `In` and `Exists`).
 */
import { LintDocument, asArray, isObject } from './document';
import { namespaceProbe } from './netpol-ingress';
import { protocolName } from './ports';
import { validDocuments, validInventory } from './valid-documents';
import { Inventory, InventoryPod } from '../analysis/inventory';
import { effectivePolicyTypes, isNetworkPolicy, selectsEndpoint } from '../analysis/kubernetes/network-policy';
import { Endpoint } from '../analysis/model';
import { groupBy } from '../util/group-by';
import { hasLabels, NAMESPACE_NAME_LABEL, namespaceOf, stringMap } from '../util/vocabulary';

/** A Service port's target on the pods: protocol and port number or name (`targetPort`, else `port`). */
export interface ServiceTarget {
  /** The protocol, upper-cased (`TCP` when the port does not say). */
  readonly protocol: string;
  /** The target port's number or container port name. */
  readonly port: number | string;
}

/** The targets of a Service's ports. */
export function serviceTargets(obj: any): ServiceTarget[] {
  return asArray(obj.spec?.ports).filter(isObject).map((p) => ({ protocol: protocolName(p.protocol) ?? 'TCP', port: p.targetPort ?? p.port }));
}

/** The manifests' NetworkPolicies that isolate ingress, and their workloads, indexed by namespace. */
export interface IngressPolicies {
  /** The NetworkPolicies isolating ingress, in document order. */
  readonly policies: readonly LintDocument[];
  /** The workloads and namespaces of the valid documents. */
  readonly inventory: Inventory;
  /** The policies of one namespace (a policy selects only pods of its own), in document order. */
  policiesIn(namespace: string): readonly LintDocument[];
  /** The inventory's pods of one namespace, in inventory order. */
  podsIn(namespace: string): readonly InventoryPod[];
}

/**
 * The valid networking.k8s.io/v1 NetworkPolicies of the documents that isolate ingress, with the
 * inventory of the valid documents. Indexed by namespace once, so that each Service costs its own
 * namespace's policies and pods rather than all of them.
 */
export function ingressPolicies(documents: readonly LintDocument[]): IngressPolicies {
  const valid = validDocuments(documents);
  const policies = valid.filter((d) => isNetworkPolicy(d.obj) && effectivePolicyTypes(d.obj).includes('Ingress'));
  const inventory = validInventory(documents);
  const policyIndex = groupBy(policies, (d) => namespaceOf(d.obj));
  const podIndex = groupBy(inventory.pods, (p) => p.endpoint.namespace ?? '');
  return {
    policies,
    inventory,
    policiesIn: (namespace) => policyIndex.get(namespace) ?? [],
    podsIn: (namespace) => podIndex.get(namespace) ?? [],
  };
}

/** The pods a Service sends to, and whether they are the manifests' workloads (else one stand-in pod). */
export interface ServicePods {
  /** Each pod's endpoint, with its workload when the manifests show it (none for the stand-in pod). */
  readonly pods: ReadonlyArray<{ readonly endpoint: Endpoint; readonly pod?: InventoryPod }>;
  /** The pods are the manifests' workloads (false: one stand-in pod carrying the selector's labels). */
  readonly shown: boolean;
}

/**
 * The pods behind a Service with a non-empty selector (see the module comment). Host-network
 * workloads are shown but left out: no NetworkPolicy applies to them, so a Service picking only
 * those has no pods here (rather than a stand-in pod that policies could select).
 */
export function servicePods(obj: any, policies: IngressPolicies): ServicePods {
  const namespace = namespaceOf(obj);
  const selector = stringMap(obj.spec?.selector);
  const workloads = policies.podsIn(namespace).filter((p) => hasLabels(p.endpoint.labels, selector));
  if (workloads.length > 0) {
    return { pods: workloads.filter((pod) => !pod.endpoint.hostNetwork).map((pod) => ({ endpoint: pod.endpoint, pod })), shown: true };
  }
  const endpoint = namespaceProbe(namespace, selector, policies.inventory.namespaces.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace });
  return { pods: [{ endpoint }], shown: false };
}

/**
 * Is judging the stand-in pod exact for every pod the Service can pick? Not when a NetworkPolicy of
 * `policies` selects it by a selector that may leave some of those pods out (a `NotIn` or
 * `DoesNotExist` expression: the stand-in carries only the selector's labels).
 */
export function standInExact(policies: readonly LintDocument[], endpoint: Endpoint): boolean {
  return policies.every((p) => monotone(p.obj.spec?.podSelector) || !selectsEndpoint(p.obj, endpoint));
}

/** Does a label selector that matches some labels match every superset of them (matchLabels, `In`, `Exists` only)? */
function monotone(selector: unknown): boolean {
  if (!isObject(selector)) return true;
  return asArray(selector.matchExpressions).every((e) => isObject(e) && (e.operator === 'In' || e.operator === 'Exists'));
}
