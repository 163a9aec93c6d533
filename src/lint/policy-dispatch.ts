import { LintDocument } from './document';
import { ciliumSpecs, isCalicoPolicyOrStaged, isCiliumPolicy, isK8sNetworkPolicy } from './kinds';
import { LintContext, RuleReport } from './rule';

/**
 * The per-kind checks of a rule that inspects NetworkPolicy, Calico and Cilium policies alike.
 * Each check appends its reports to `out`. Internal.
 */
export interface PolicyKindChecks {
  /** A networking.k8s.io (or extensions) NetworkPolicy. */
  readonly k8s: (doc: LintDocument, out: RuleReport[]) => void;
  /** A Calico (Global/Staged)NetworkPolicy. */
  readonly calico: (doc: LintDocument, out: RuleReport[]) => void;
  /**
   * One rule spec of a Cilium(Clusterwide)NetworkPolicy: `spec`, then each of `specs`, with its
   * JSON path prefix (`spec` or `specs[i]`).
   */
  readonly cilium: (doc: LintDocument, spec: any, path: string, out: RuleReport[]) => void;
}

/** Run `checks` on every policy document of `ctx`, by kind, in document order. */
export function checkPolicyKinds(ctx: LintContext, checks: PolicyKindChecks): RuleReport[] {
  const out: RuleReport[] = [];
  for (const doc of ctx.documents) {
    if (isK8sNetworkPolicy(doc.obj)) checks.k8s(doc, out);
    else if (isCalicoPolicyOrStaged(doc.obj)) checks.calico(doc, out);
    else if (isCiliumPolicy(doc.obj)) ciliumSpecs(doc.obj).forEach(({ spec, path }) => checks.cilium(doc, spec, path, out));
  }
  return out;
}
