/**
 * The Istio AuthorizationPolicies a sidecar or ztunnel enforces, with the pods each selects (internal,
 * for the lint rules about them): valid (istiod would not reject them) and not dry-run, ALLOW or
 * DENY, bound by `selector` or namespace-wide (targetRef(s) bind to gateways and waypoints).
 */
import { isKind, isObject, LintDocument } from './document';
import { namespaceOf } from './kinds';
import { LintContext } from './rule';
import { authorizationPolicyProblems, dryRunOf } from '../analysis/mesh/istio-validation';
import { Endpoint } from '../analysis/model';
import { podSelection } from '../analysis/uncertainty/controller-label-selection';

/** An AuthorizationPolicy a workload's own proxy enforces. */
export interface SelectorPolicy {
  readonly doc: LintDocument;
  readonly action: 'ALLOW' | 'DENY';
}

/** The ALLOW and DENY AuthorizationPolicies of the lint input that take effect and bind by selector or namespace. */
export function selectorPolicies(ctx: LintContext): SelectorPolicy[] {
  const out: SelectorPolicy[] = [];
  for (const doc of ctx.documents) {
    if (!isKind(doc.obj, 'security.istio.io', 'AuthorizationPolicy') || !isObject(doc.obj.spec)) continue;
    if (authorizationPolicyProblems(doc.obj as any).length > 0 || dryRunOf(doc.obj as any) === true) continue;
    const spec = doc.obj.spec;
    const action = spec.action ?? 'ALLOW';
    if ((action === 'ALLOW' || action === 'DENY') && spec.targetRef === undefined && spec.targetRefs === undefined) out.push({ doc, action });
  }
  return out;
}

/**
 * The pods of `pods` a policy selects: its namespace's (every namespace's from the root namespace), by `selector.matchLabels`.
 * A workload some of whose pods it may select (a selector on a label their controller sets at runtime, such as one
 * StatefulSet pod name: analysis/uncertainty/controller-label-selection) is among them: the finding is about those pods.
 */
export function podsSelectedBy(policy: SelectorPolicy, pods: readonly Endpoint[], rootNamespace: string): Endpoint[] {
  const spec = policy.doc.obj.spec;
  const ns = namespaceOf(policy.doc.obj);
  const labels: Record<string, unknown> = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  // A value that is not a string is no label value: it matches no pod.
  if (Object.values(labels).some((v) => typeof v !== 'string')) return [];
  const matchLabels = labels as Record<string, string>;
  const what = `AuthorizationPolicy ${ns}/${String(policy.doc.obj.metadata?.name)}`;
  return pods.filter((e) => {
    if (ns !== rootNamespace && e.namespace !== ns) return false;
    const selection = podSelection({ matchLabels }, e, what);
    return 'unknown' in selection || selection.selects;
  });
}
