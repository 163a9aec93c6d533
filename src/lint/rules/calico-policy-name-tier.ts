import { calicoPolicyTier, isCalicoPolicy, isCalicoStagedPolicy } from '../../util/vocabulary';
import { isObject, jsonPath } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

/**
 * Calico 3.32 keeps a policy's tier in `spec.tier` only and stores plain names (NETWORKING-FACTS.md,
 * Calico; docs.tigera.io `calicoctl datastore migrate-policy-names`). Manifests written for older
 * Calico may still carry the legacy `<tier>.<name>` form, which is fine while the prefix is the
 * policy's tier. A dotted name whose prefix is another tier misleads every reader (the policy runs in
 * `spec.tier`, `default` when omitted, not in the tier its name says) and is what Calico before the
 * plain names rejected (libcalico-go `names.ValidateTieredPolicyName`): on such a cluster the policy,
 * often a guard rail, is never created.
 *
 * StagedKubernetesNetworkPolicy has no tier and is not checked.
 */
export const calicoPolicyNameTier: LintRule = {
  ids: ['calico-policy-name-tier'],
  check(ctx: LintContext): RuleReport[] {
    const out: RuleReport[] = [];
    for (const doc of ctx.documents) {
      const obj = doc.obj;
      const tiered = isCalicoPolicy(obj) || (isCalicoStagedPolicy(obj) && obj.kind !== 'StagedKubernetesNetworkPolicy');
      if (!tiered || !isObject(obj.metadata) || typeof obj.metadata.name !== 'string') continue;
      const name: string = obj.metadata.name;
      const dot = name.indexOf('.');
      if (dot < 0) continue;
      const prefix = name.slice(0, dot);
      const tier = calicoPolicyTier(obj);
      if (prefix === tier) continue;
      const given = isObject(obj.spec) && typeof obj.spec.tier === 'string' && obj.spec.tier !== '';
      out.push({
        doc,
        severity: LintSeverity.ERROR,
        path: jsonPath('metadata', 'name'),
        message: `the name '${name}' says tier '${prefix}', but the policy is in tier '${tier}'`
          + `${given ? '' : ' (spec.tier omitted)'}: Calico takes the tier from spec.tier alone, and Calico versions `
          + 'that still read the name prefix reject the policy, so it is never created',
        fix: `name it '${name.slice(dot + 1)}' and set spec.tier: ${prefix} if it belongs to tier '${prefix}'; `
          + 'otherwise drop the prefix (Calico 3.32 names are plain, the tier is spec.tier)',
      });
    }
    return out;
  },
};
