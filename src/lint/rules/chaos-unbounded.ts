import { networkChaosSpecs } from '../chaos-specs';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'chaos-unbounded';

/**
 * `chaos-unbounded` (warning): a NetworkChaos without `spec.duration`, or a Schedule of them without
 * `spec.networkChaos.duration`. Chaos Mesh keeps such a fault until the object is deleted (the CRD's
 * `duration`: omitted = until deleted, NETWORKING-FACTS Chaos Mesh), and a scheduled run without one is
 * never lifted before the next run. NetworkChaosExperiment requires a duration (or, for a one-off
 * experiment, `acknowledgeUnboundedDuration`).
 */
export const chaosUnbounded: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    return networkChaosSpecs(ctx.documents).filter(({ spec }) => typeof spec.duration !== 'string' || spec.duration.trim() === '')
      .map(({ doc, path, scheduled }) => ({
        doc,
        severity: LintSeverity.WARNING,
        path,
        message: scheduled
          ? 'schedules a network fault without a duration: each run lasts until it is deleted, so the fault is never lifted between runs'
          : 'injects a network fault without a duration: it lasts until the object is deleted (a GitOps sync would keep re-applying it)',
        fix: `set ${path}.duration (a Go duration such as '5m'${scheduled ? ', shorter than the interval between runs' : ''}); `
          + 'NetworkChaosExperiment requires one',
      }));
  },
};
