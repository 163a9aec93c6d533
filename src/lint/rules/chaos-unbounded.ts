import { NetworkChaosSpecAt, networkChaosSpecs } from '../chaos-specs';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'chaos-unbounded';

/**
 * `chaos-unbounded` (warning): a NetworkChaos without `spec.duration`, a Schedule of them without
 * `spec.networkChaos.duration`, or a Workflow NetworkChaos template without `deadline`. Chaos Mesh keeps
 * such a fault until the object is deleted (the CRD's `duration`: omitted = until deleted,
 * NETWORKING-FACTS Chaos Mesh), and a scheduled run without one is never lifted before the next run. In a
 * Workflow the template's `deadline` is the bound: the node's NetworkChaos is deleted when the node finishes
 * (chaos-mesh pkg/workflow/controllers chaos_node_reconciler.go), and Chaos Mesh's webhook refuses a
 * `duration` inside the embedded chaos (api/v1alpha1 workflow_webhook.go: "use Template#Deadline instead"),
 * so a template without a deadline runs until the Workflow is deleted. NetworkChaosExperiment requires a
 * duration (or, for a one-off experiment, `acknowledgeUnboundedDuration`).
 */
export const chaosUnbounded: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const at of networkChaosSpecs(ctx.documents)) {
      const report = at.template === undefined ? withoutDuration(at) : withoutDeadline(at, at.template);
      if (report !== undefined) out.push(report);
    }
    return out;
  },
};

function withoutDuration({ doc, spec, path, scheduled }: NetworkChaosSpecAt): RuleReport | undefined {
  if (typeof spec.duration === 'string' && spec.duration.trim() !== '') return undefined;
  return {
    doc,
    severity: LintSeverity.WARNING,
    path,
    message: scheduled
      ? 'schedules a network fault without a duration: each run lasts until it is deleted, so the fault is never lifted between runs'
      : 'injects a network fault without a duration: it lasts until the object is deleted (a GitOps sync would keep re-applying it)',
    fix: `set ${path}.duration (a Go duration such as '5m'${scheduled ? ', shorter than the interval between runs' : ''}); `
      + 'NetworkChaosExperiment requires one',
  };
}

function withoutDeadline({ doc, spec, path }: NetworkChaosSpecAt, template: { path: string; deadline?: string }): RuleReport | undefined {
  if (template.deadline !== undefined) return undefined;
  const refused = typeof spec.duration === 'string' && spec.duration.trim() !== '';
  return {
    doc,
    severity: LintSeverity.WARNING,
    path: template.path,
    message: 'a Workflow NetworkChaos template without a deadline: its fault lasts until the Workflow is deleted'
      + (refused ? ` (Chaos Mesh refuses the Workflow for ${path}.duration: a Workflow bounds its chaos templates by deadline only)` : ''),
    fix: `set ${template.path}.deadline (a Go duration such as '5m')${refused ? ` and remove ${path}.duration` : ''}`,
  };
}
