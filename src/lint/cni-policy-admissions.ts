/**
 * Which Calico or Cilium policy rule admits one pod of the manifests to another (internal): the
 * analyzer's model of the lint's CNI answers the ingress question, and the rule that decided is read
 * back from its object, so the lint and the analysis never disagree on what a policy admits.
 */
import { isObject, LintDocument } from './document';
import { modelFor } from '../analysis/cni-model';
import { AnnotatedCniModel, Endpoint, ManifestObject, NamespaceIndex } from '../analysis/model';
import { YES } from '../analysis/verdict';
import { Cni, CniKind } from '../cluster/cni';
import { isCalicoPolicy, isCiliumPolicy } from '../util/vocabulary';

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
 * selector, `all()`, an empty endpoint selector, entities, CIDRs) makes no statement about one client.
 */
export function cniAdmission(model: AnnotatedCniModel, documents: readonly LintDocument[], source: Endpoint, destination: Endpoint,
  port: number): CniAdmission | undefined {
  const verdict = model.evaluate({ direction: 'ingress', subject: destination, peer: source, port, protocol: 'TCP', destination });
  if (verdict.outcome !== YES) return undefined;
  const reason = verdict.reasons.find((r) => r.effect === 'allow' && r.object !== undefined && r.rule !== undefined);
  if (!reason) return undefined;
  const ref = reason.object!;
  const doc = documents.find((d) => (isCalicoPolicy(d.obj) || isCiliumPolicy(d.obj)) && d.obj.kind === ref.kind
    && d.obj.metadata?.name === ref.name && (d.obj.metadata?.namespace ?? undefined) === (ref.namespace ?? undefined));
  if (!doc) return undefined;
  const rule = at(doc.obj, reason.rule!);
  if (!isObject(rule) || !namesClients(rule, isCalicoPolicy(doc.obj))) return undefined;
  return { doc, path: reason.rule! };
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
