/**
 * Which Calico or Cilium policy rule admits one pod of the manifests to another (internal): the
 * analyzer's model of the lint's CNI answers the ingress question, and the rule that decided is read
 * back from its object, so the lint and the analysis never disagree on what a policy admits.
 */
import { asArray, isObject, LintDocument } from './document';
import { effectivePeerSelector, POD_NAMESPACE_KEY } from '../analysis/cilium/identity';
import { modelFor } from '../analysis/cni-model';
import { AnnotatedCniModel, Endpoint, ManifestObject, NamespaceIndex } from '../analysis/model';
import { YES } from '../analysis/verdict';
import { Cni, CniKind } from '../cluster/cni';
import { isCalicoPolicy, isCiliumPolicy, namespaceOf } from '../util/vocabulary';

/** The admitting rule: its document and JSON path. */
export interface CniAdmission {
  readonly doc: LintDocument;
  readonly path: string;
}

/** Does the CNI enforce policy kinds of its own, which the lint's NetworkPolicy readers do not see? */
const OWN_POLICY_KINDS: Record<CniKind, boolean> = {
  [CniKind.KUBERNETES]: false,
  [CniKind.CALICO]: true,
  [CniKind.CILIUM]: true,
  [CniKind.FLANNEL]: false,
};

/** Is `cni` Calico or Cilium, enforcing, whose own policy kinds the NetworkPolicy readers do not see? */
export function enforcesOwnPolicyKinds(cni: Cni | undefined): cni is Cni {
  return cni !== undefined && OWN_POLICY_KINDS[cni.kind] && cni.capabilities.enforcesNetworkPolicy;
}

/** The model of `cni` when it is Calico or Cilium (whose own policies NetworkPolicy readers do not see), else undefined. */
export function calicoOrCiliumModel(cni: Cni | undefined, objects: ManifestObject[], namespaces: NamespaceIndex): AnnotatedCniModel | undefined {
  if (cni === undefined || !OWN_POLICY_KINDS[cni.kind] || !cni.capabilities.enforcesNetworkPolicy) return undefined;
  return modelFor(cni, objects, namespaces);
}

/**
 * The Calico or Cilium rule that surely admits `source` to `destination` on TCP `port` (ingress at the
 * destination), when it names its clients: a rule that admits every source (no source or peer
 * selector, `all()`, an empty endpoint selector, entities, CIDRs) makes no statement about one client,
 * unless `anySource` (a rule admitting everyone admits this client too, which is what the caller asks).
 */
export function cniAdmission(model: AnnotatedCniModel, documents: readonly LintDocument[], source: Endpoint, destination: Endpoint,
  port: number, anySource = false): CniAdmission | undefined {
  const query = { direction: 'ingress' as const, subject: destination, peer: source, port, protocol: 'TCP' as const, destination };
  // The outcome alone first (no reasons built): callers ask about every pair of pods, and most are not admitted.
  if (model.decide(query) !== YES) return undefined;
  const verdict = model.evaluate(query);
  if (verdict.outcome !== YES) return undefined;
  const reason = verdict.reasons.find((r) => r.effect === 'allow' && r.object !== undefined && r.rule !== undefined);
  if (!reason) return undefined;
  const ref = reason.object!;
  const doc = documents.find((d) => (isCalicoPolicy(d.obj) || isCiliumPolicy(d.obj)) && d.obj.kind === ref.kind
    && d.obj.metadata?.name === ref.name && (d.obj.metadata?.namespace ?? undefined) === (ref.namespace ?? undefined));
  if (!doc) return undefined;
  const rule = at(doc.obj, reason.rule!);
  if (!isObject(rule) || (!anySource && !namesClients(rule, isCalicoPolicy(doc.obj)))) return undefined;
  return { doc, path: reason.rule! };
}

/** Is `doc` a namespaced Calico or Cilium policy (projectcalico.org NetworkPolicy, CiliumNetworkPolicy), which selects pods of its own namespace only? */
export function isNamespacedCniPolicy(doc: LintDocument): boolean {
  return (isCalicoPolicy(doc.obj) && doc.obj.kind === 'NetworkPolicy') || (isCiliumPolicy(doc.obj) && doc.obj.kind === 'CiliumNetworkPolicy');
}

/** Cilium ingress peer fields that reach past the policy's namespace whatever it is (entities, addresses, nodes, cloud groups). */
const CILIUM_NON_ENDPOINT_PEERS = ['fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromNodes', 'fromGroups'];

/**
 * May an ingress rule of `doc`, a Calico or Cilium policy, admit a pod of another namespace than the policy's own? Conservative:
 * false only where no rule can. A cluster-wide policy: true. A namespaced Calico policy: false when every Allow rule's `source`
 * uses a selector field (`selector`, `notSelector`, `serviceAccounts`) and neither `namespaceSelector` nor `services`, and the manifests hold no NetworkSets
 * (`networkSets`: a selector may match a set whose nets hold other pods' addresses): such a source selects in the policy's
 * namespace only (docs.tigera.io Calico NetworkPolicy, EntityRule); no source, or one of nets alone, admits from anywhere. A
 * CiliumNetworkPolicy: false when every ingress rule has `fromEndpoints` and each of its selectors pins the policy's namespace once
 * Cilium adds its implicit namespace label (the analyzer's effectivePeerSelector; docs.cilium.io "Layer 3 examples": endpoint
 * selectors of a namespaced policy match its namespace unless they name `k8s:io.kubernetes.pod.namespace`), with no entity, CIDR,
 * node or group peer beside them; a rule with no peer field admits every source.
 */
export function admitsOtherNamespaces(doc: LintDocument, networkSets: boolean): boolean {
  if (!isNamespacedCniPolicy(doc)) return true;
  const ns = namespaceOf(doc.obj);
  if (isCalicoPolicy(doc.obj)) {
    if (networkSets) return true;
    return asArray(doc.obj.spec?.ingress).some((r) => !isObject(r) || (r.action === 'Allow' && !ownNamespaceSource(r.source)));
  }
  const rules = [doc.obj.spec, ...asArray(doc.obj.specs)].flatMap((spec) => (isObject(spec) ? asArray(spec.ingress) : []));
  return rules.some((r) => !isObject(r) || asArray(r.fromEndpoints).length === 0
    || CILIUM_NON_ENDPOINT_PEERS.some((f) => r[f] !== undefined && r[f] !== null)
    || asArray(r.fromEndpoints).some((e) => !isObject(e) || effectivePeerSelector(e, ns).matchLabels?.[`k8s:${POD_NAMESPACE_KEY}`] !== ns));
}

/**
 * Does a namespaced Calico rule's `source` select pods of the policy's namespace only? libcalico-go scopes it to that namespace as
 * soon as it uses a selector field (`selector`, `notSelector`, non-empty `serviceAccounts`) without `namespaceSelector` (the
 * analyzer's calico/rules isScoped); `services` name endpoints of any namespace, and nets alone match addresses.
 */
function ownNamespaceSource(source: unknown): boolean {
  if (!isObject(source) || source.namespaceSelector !== undefined || source.services !== undefined) return false;
  const text = (v: unknown) => typeof v === 'string' && v !== '';
  const accounts = isObject(source.serviceAccounts) && (asArray(source.serviceAccounts.names).length > 0 || text(source.serviceAccounts.selector));
  return text(source.selector) || text(source.notSelector) || accounts;
}

/** The value at a JSON path such as `spec.ingress[0]` or `specs[1].ingress[0]`. */
function at(obj: unknown, path: string): unknown {
  let value: any = obj;
  for (const part of path.split(/\.|\[|\]/).filter((p) => p !== '')) {
    value = isObject(value) || Array.isArray(value) ? (value as any)[/^\d+$/.test(part) ? Number(part) : part] : undefined;
  }
  return value;
}

/** Does an ingress rule pick its clients by pod (and namespace) labels that narrow them down? */
function namesClients(rule: Record<string, any>, calico: boolean): boolean {
  if (calico) {
    const src = isObject(rule.source) ? rule.source : {};
    const narrow = (s: unknown) => typeof s === 'string' && s.trim() !== '' && s.trim() !== 'all()' && s.trim() !== 'global()';
    const accounts = Array.isArray(src.serviceAccounts?.names) && src.serviceAccounts.names.length > 0;
    return (narrow(src.selector) || narrow(src.namespaceSelector) || accounts) && src.nets === undefined;
  }
  const endpoints: unknown[] = Array.isArray(rule.fromEndpoints) ? rule.fromEndpoints : [];
  const empty = (s: unknown) => !isObject(s) || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
  return endpoints.length > 0 && !endpoints.some(empty);
}
