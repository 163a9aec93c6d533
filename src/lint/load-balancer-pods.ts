/**
 * The pods behind a load balancer Service and the NetworkPolicy ingress rules that admit its target
 * ports to them (internal to the lint), with the analyzer's selector matching. Exact for what the
 * manifests show: the pods are the workloads of the manifests the Service's selector picks; without
 * any, a pod carrying exactly the selector's labels stands for them, and only policies whose
 * podSelector then selects every pod the Service can pick count (matchLabels, `In` and `Exists`).
 */
import { LintDocument, asArray, isObject, jsonPath } from './document';
import { namespaceProbe } from './netpol-ingress';
import { protocolName } from './ports';
import { validDocuments } from './valid-documents';
import { buildInventory, Inventory, InventoryPod } from '../analysis/inventory';
import { effectivePolicyTypes, isNetworkPolicy, selectsEndpoint } from '../analysis/kubernetes/network-policy';
import { Endpoint } from '../analysis/model';
import { parseCidrLoose } from '../util/cidr';
import { groupBy } from '../util/group-by';
import { hasLabels, NAMESPACE_NAME_LABEL, namespaceOf, nameOf, stringMap } from '../util/vocabulary';

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
  const inventory = buildInventory(valid.map((d) => d.obj));
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

/** Does `policy` select `endpoint`, as far as the stand-in pod can tell (every pod the Service picks) when the workloads are not shown? */
export function policySelects(policy: LintDocument, endpoint: Endpoint, shown: boolean): boolean {
  return (shown || monotone(policy.obj.spec?.podSelector)) && selectsEndpoint(policy.obj, endpoint);
}

/** Does a label selector that matches some labels match every superset of them (matchLabels, `In`, `Exists` only)? */
function monotone(selector: unknown): boolean {
  if (!isObject(selector)) return true;
  return asArray(selector.matchExpressions).every((e) => isObject(e) && (e.operator === 'In' || e.operator === 'Exists'));
}

/** An ipBlock of every address of its family, without except. */
export function everyAddress(block: Record<string, any>): boolean {
  return typeof block.cidr === 'string' && parseCidrLoose(block.cidr)?.prefix === 0 && asArray(block.except).length === 0;
}

/**
 * Do an ingress rule's `ports` admit the Service's target on the pod? No ports = every port; a named
 * port on either side is resolved on the workload's container ports, and without a workload matches
 * only the same name.
 */
function ruleAdmits(ports: unknown, target: ServiceTarget, pod: InventoryPod | undefined): boolean {
  const list = asArray(ports);
  if (list.length === 0) return true;
  const resolve = (port: number | string): number | string | undefined => {
    if (typeof port === 'number' || pod === undefined) return port;
    return pod.ports.find((p) => p.name === port && p.protocol === target.protocol)?.port;
  };
  const wanted = resolve(target.port);
  if (wanted === undefined) return false;
  return list.some((entry) => {
    if (!isObject(entry) || (protocolName(entry.protocol) ?? 'TCP') !== target.protocol) return false;
    if (entry.port === undefined || entry.port === null) return true;
    const first = resolve(entry.port);
    if (typeof first === 'number' && typeof wanted === 'number') {
      return typeof entry.endPort === 'number' ? wanted >= first && wanted <= entry.endPort : wanted === first;
    }
    return first !== undefined && first === wanted;
  });
}

/** One `from` peer (or a rule without `from`) of an ingress rule admitting a Service target to its pods. */
export interface AdmittingPeer {
  /** `NetworkPolicy ns/name spec.ingress[i].from[j]` (or `spec.ingress[i]` for a rule without peers). */
  readonly where: string;
  /** The peer, or undefined for a rule without `from` (every source). */
  readonly peer?: Record<string, any>;
}

/** Every peer of the policies' ingress rules that admits one of `targets` to one of the pods, in policy, rule and peer order. */
export function admittingPeers(policies: readonly LintDocument[], pods: ServicePods, targets: readonly ServiceTarget[]): AdmittingPeer[] {
  const out: AdmittingPeer[] = [];
  for (const policy of policies) {
    const label = `NetworkPolicy ${namespaceOf(policy.obj)}/${nameOf(policy.obj)}`;
    asArray(policy.obj.spec.ingress).forEach((rule, i) => {
      if (!isObject(rule)) return;
      const hit = pods.pods.some(({ endpoint, pod }) => policySelects(policy, endpoint, pods.shown)
        && targets.some((t) => ruleAdmits(rule.ports, t, pod)));
      if (!hit) return;
      const from = asArray(rule.from);
      if (from.length === 0) out.push({ where: `${label} ${jsonPath('spec', 'ingress', i)}` });
      from.forEach((peer, j) => isObject(peer) && out.push({ where: `${label} ${jsonPath('spec', 'ingress', i, 'from', j)}`, peer }));
    });
  }
  return out;
}
