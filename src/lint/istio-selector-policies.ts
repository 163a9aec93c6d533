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

/** The pods of `pods` a policy selects: its namespace's (every namespace's from the root namespace), by `selector.matchLabels`. */
export function podsSelectedBy(policy: SelectorPolicy, pods: readonly Endpoint[], rootNamespace: string): Endpoint[] {
  const spec = policy.doc.obj.spec;
  const ns = namespaceOf(policy.doc.obj);
  const labels: Record<string, unknown> = isObject(spec.selector) && isObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  return pods.filter((e) => (ns === rootNamespace || e.namespace === ns) && Object.entries(labels).every(([k, v]) => e.labels[k] === v));
}
