import { DEFAULT_CHAOS_MESH_NAMESPACE, protectedNamespaces, protectionOf } from '../../chaos/control-plane-namespaces';
import { networkChaosSpecs } from '../chaos-specs';
import { asArray, isObject, jsonPath } from '../document';
import { LintContext, LintRule, RuleReport } from '../rule';
import { LintSeverity } from '../types';

const RULE = 'chaos-control-plane-target';

/**
 * `chaos-control-plane-target` (warning): a NetworkChaos (or a Schedule or Workflow template of them) that injects into a
 * namespace of the cluster's own networking: `kube-*`, Chaos Mesh's, a namespace where a supported mesh
 * runs its control plane by default, or one of the CNI's control-plane namespaces: those of
 * `PolicyLintOptions.cni` when the lint is told Calico, Cilium or Flannel, else (not told, or told
 * `Cni.kubernetes()` / `Cni.custom()`, whose namespaces are unknown) of every supported CNI (fail
 * closed; the list NetworkChaosExperiment refuses without a ClusterNetwork, chaos/control-plane-namespaces). A
 * fault there is an outage of DNS, the CNI or the mesh for every workload, and may cut off the
 * controller that would end it.
 *
 * The namespaces are those Chaos Mesh injects into: the `selector`'s, and the `target` selector's for a
 * partition (any direction) or direction `from` / `both` (Chaos Mesh injects into the target pods then).
 * A selector's namespaces are its `namespaces`, else the keys of its `pods` map, else the object's own
 * namespace (a Workflow's: its nodes create the chaos there; Chaos Mesh's webhook defaults them to it: api/v1alpha1 selector.go DefaultNamespace;
 * chaos-mesh.org docs "Define the Scope of Chaos Experiments"); an object without `metadata.namespace`
 * is left alone then (its namespace is the one it is applied to).
 */
export const chaosControlPlaneTarget: LintRule = {
  ids: [RULE],
  check(ctx: LintContext): RuleReport[] {
    const guarded = protectedNamespaces(undefined, DEFAULT_CHAOS_MESH_NAMESPACE, ctx.cni);
    const out: RuleReport[] = [];
    for (const { doc, spec, path } of networkChaosSpecs(ctx.documents)) {
      const ownNamespace = typeof doc.obj.metadata?.namespace === 'string' && doc.obj.metadata.namespace !== '' ? doc.obj.metadata.namespace : undefined;
      const direction = typeof spec.direction === 'string' ? spec.direction : 'to';
      const selectors = [{ selector: spec.selector, at: jsonPath(path, 'selector') }];
      if (isObject(spec.target) && (spec.action === 'partition' || direction === 'from' || direction === 'both')) {
        selectors.push({ selector: spec.target.selector, at: jsonPath(path, 'target', 'selector') });
      }
      for (const { selector, at } of selectors) {
        const { namespaces, field } = namespacesOf(selector, ownNamespace);
        for (const ns of namespaces) {
          const why = protectionOf(guarded, ns);
          if (why === undefined) continue;
          out.push({
            doc,
            severity: LintSeverity.WARNING,
            path: field === undefined ? at : `${at}.${field}`,
            message: `injects the fault into namespace '${ns}'${field === undefined ? ' (the object\'s own: the selector names none)' : ''}, ${why}: `
              + 'a fault there hits every workload that depends on it, and may cut off the controller that would end the experiment',
            fix: 'select the application\'s own namespaces (NetworkChaosExperiment refuses control-plane namespaces unless listed in '
              + 'acknowledgedControlPlaneNamespaces)',
          });
        }
      }
    }
    return out;
  },
};

/** The namespaces a Chaos Mesh selector injects into, and the selector field that names them (undefined: the object's namespace). */
function namespacesOf(selector: unknown, ownNamespace: string | undefined): { namespaces: string[]; field?: string } {
  const s = isObject(selector) ? selector : {};
  const named = asArray(s.namespaces).filter((n): n is string => typeof n === 'string');
  if (named.length > 0) return { namespaces: [...new Set(named)], field: 'namespaces' };
  if (isObject(s.pods) && Object.keys(s.pods).length > 0) return { namespaces: Object.keys(s.pods), field: 'pods' };
  return { namespaces: ownNamespace === undefined ? [] : [ownNamespace] };
}
