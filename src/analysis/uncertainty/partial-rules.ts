/**
 * Notes on the valid rules the CNI's model evaluates only in part: the model makes the flows such a
 * rule could change indeterminate (with the reason, per flow), and `Reachability.notes` lists each
 * object holding such rules once, with the JSON paths, so a reader of the notes alone sees what the
 * analysis does not know. Cilium: `toServices`, `toNodes` / `fromNodes`, `toGroups`,
 * `authentication.mode` required, `fromRequires` / `toRequires`. Calico: `services` peers and
 * source `ports` / `notPorts` (a connection's source port is ephemeral).
 */
import { NativePolicies } from './foreign-objects';
import { isServedCalicoPolicy, isServedCiliumPolicy } from '../../util/vocabulary';
import { ruleSetsOf } from '../cilium/policies';
import { describeRef, ManifestObject, refOf } from '../model';

const CILIUM_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['toServices', 'the Service backends are not resolved'],
  ['toNodes', 'node labels are not in the manifests'],
  ['fromNodes', 'node labels are not in the manifests'],
  ['toGroups', 'the cloud provider groups are not resolved'],
  ['fromRequires', 'Cilium 1.18 applies it and 1.19+ rejects the policy'],
  ['toRequires', 'Cilium 1.18 applies it and 1.19+ rejects the policy'],
];

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null;
}

function ciliumPaths(obj: ManifestObject): string[] {
  const out: string[] = [];
  for (const rs of ruleSetsOf(obj)) {
    if (rs.rejected !== undefined) continue;
    for (const direction of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
      const rules = rs.rule?.[direction];
      if (!Array.isArray(rules)) continue;
      rules.forEach((rule: any, i: number) => {
        const at = `${rs.path}.${direction}[${i}]`;
        for (const [field, why] of CILIUM_FIELDS) if (nonEmpty(rule?.[field])) out.push(`${at}.${field} (${why})`);
        const mode = rule?.authentication?.mode;
        if (mode === 'required') {
          out.push(`${at}.authentication.mode ${mode} (mutual authentication depends on the cluster's SPIRE, not on the manifests)`);
        } else if (mode === 'test-always-fail') {
          out.push(`${at}.authentication.mode ${mode} (a test handler that fails every authentication; whether the agent enforces it is not in the manifests)`);
        }
      });
    }
  }
  return out;
}

function calicoPaths(obj: ManifestObject): string[] {
  const out: string[] = [];
  for (const direction of ['ingress', 'egress']) {
    const rules = obj.spec?.[direction];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule: any, i: number) => {
      for (const side of ['source', 'destination']) {
        const at = `spec.${direction}[${i}].${side}`;
        if (nonEmpty(rule?.[side]?.services)) out.push(`${at}.services (the Service's endpoints are not resolved)`);
      }
      for (const field of ['ports', 'notPorts']) {
        if (nonEmpty(rule?.source?.[field])) out.push(`spec.${direction}[${i}].source.${field} (the source port of a connection is ephemeral)`);
      }
    });
  }
  return out;
}

/** One note per policy of a family the CNI evaluates that holds rules it evaluates only in part. */
export function partialRuleNotes(manifests: readonly ManifestObject[], native: NativePolicies): string[] {
  const notes: string[] = [];
  for (const obj of manifests) {
    const paths = native.cilium && isServedCiliumPolicy(obj) ? ciliumPaths(obj)
      : native.calico && isServedCalicoPolicy(obj) ? calicoPaths(obj) : [];
    if (paths.length === 0) continue;
    notes.push(`${describeRef(refOf(obj))} is evaluated in part: ${paths.join('; ')} `
      + `${paths.length === 1 ? 'is' : 'are'} not modelled exactly; the flows ${paths.length === 1 ? 'it' : 'they'} could change are indeterminate`);
  }
  return notes;
}
