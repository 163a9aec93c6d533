import { networkChaosSpecs } from '../chaos-specs';
import { asArray, isObject } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'chaos-partition-without-peer';

/**
 * `chaos-partition-without-peer` (warning): a NetworkChaos partition (or a Schedule or Workflow template of them) with
 * neither `target` nor `externalTargets`: Chaos Mesh then partitions the selected pods from every
 * peer in the direction given (the `target` and `externalTargets` narrow the partition to those
 * peers: chaos-mesh.org docs "Simulate Network Faults"), DNS and the API server included, so the
 * experiment tests a pod cut off entirely rather than the loss of one dependency (the default
 * NetworkChaosExperiment's `target` documents). A partition meant to isolate a pod completely is the rare case.
 */
export const chaosPartitionWithoutPeer: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    return networkChaosSpecs(ctx.documents)
      .filter(({ spec }) => spec.action === 'partition' && !isObject(spec.target) && asArray(spec.externalTargets).length === 0)
      .map(({ doc, path }) => ({
        doc,
        severity: LintSeverity.WARNING,
        path,
        message: 'partitions the selected pods from every peer (no target, no externalTargets): their DNS and API server traffic are cut too, '
          + 'so the experiment cuts the pods off entirely instead of testing the loss of one dependency',
        fix: `name the peers to cut off in ${path}.target (pods) or ${path}.externalTargets (addresses or host names)`,
      }));
  },
};
