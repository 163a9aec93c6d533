/**
 * A meshed ThreeTierApp's pods run as ServiceAccounts of their own (`<app>-<tier>`) under Istio ambient
 * and Linkerd (meshTierAuthorization); before, they ran as their namespace's `default` account, and
 * that was their mesh identity. Mesh authorization that names `default` of the app's namespace as a source (a flow
 * written for the tier hops, or for the tiers' calls to other namespaces) no longer admits them: a
 * silent outage, refused at synth here instead, unless another workload of the app's namespace still
 * runs as `default` (the authorization may be meant for it).
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { istioPrincipal, linkerdIdentity, linkerdIdentitySuffix } from './mesh-identity';
import { ClusterNetwork } from '../cluster/cluster-network';
import { appObjects, keepAppObjectsPerWalk } from '../util/app-objects';
import { apiGroupOf, podServiceAccountOf, podTemplateOf } from '../util/vocabulary';

/** The account a pod runs as when its spec names none (Kubernetes `serviceAccountName`). */
const DEFAULT_ACCOUNT = 'default';

interface Ref { readonly group?: string; readonly kind?: string; readonly name?: string; readonly namespace?: string }

/** Does the synthesized object name `default` of `namespace` as a mesh identity? The text that says where, else undefined. */
function namesDefault(obj: any, namespace: string, principal: string, identity: string): string | undefined {
  const group = apiGroupOf(obj);
  const spec = obj.spec ?? {};
  const ownNamespace = obj.metadata?.namespace;
  const isDefault = (r: Ref) => r.kind === 'ServiceAccount' && r.name === DEFAULT_ACCOUNT && (r.namespace ?? ownNamespace) === namespace;
  if (group === 'security.istio.io' && obj.kind === 'AuthorizationPolicy') {
    const rules: any[] = spec.rules ?? [];
    const principals = rules.flatMap((r) => [
      ...(r.from ?? []).flatMap((f: any) => f.source?.principals ?? []),
      ...(r.when ?? []).filter((w: any) => w.key === 'source.principal').flatMap((w: any) => w.values ?? []),
    ]);
    return principals.includes(principal) ? `the principal ${principal}` : undefined;
  }
  if (group !== 'policy.linkerd.io') return undefined;
  if (obj.kind === 'MeshTLSAuthentication') {
    if ((spec.identities ?? []).includes(identity)) return `the identity ${identity}`;
    return (spec.identityRefs ?? []).some(isDefault) ? `the ServiceAccount ${namespace}/${DEFAULT_ACCOUNT} (identityRefs)` : undefined;
  }
  if (obj.kind === 'AuthorizationPolicy' && (spec.requiredAuthenticationRefs ?? []).some(isDefault)) {
    return `the ServiceAccount ${namespace}/${DEFAULT_ACCOUNT} (requiredAuthenticationRefs)`;
  }
  return undefined;
}

/**
 * Adds to the app `scope` the synth-time check: mesh authorization objects of the app (any namespace)
 * that name the `default` ServiceAccount of `namespace`, when none of the app's workloads in that
 * namespace but the tiers (`tierAccounts`) runs as `default`.
 */
export function checkFormerTierIdentity(scope: IConstruct, namespace: string, tierAccounts: readonly string[]): void {
  keepAppObjectsPerWalk(scope);
  scope.node.addValidation({
    validate: () => {
      // One walk of the tree per check.
      const all = scope.node.root.node.findAll();
      const others = appObjects(scope, all).workloads.filter((w) => {
        if (w.namespace !== namespace) return false;
        return podServiceAccountOf(podTemplateOf(w.json)) === DEFAULT_ACCOUNT;
      });
      if (others.length > 0) return [];
      const mesh = ClusterNetwork.of(scope).mesh;
      const principal = istioPrincipal(mesh.trustDomain, namespace, DEFAULT_ACCOUNT);
      const identity = linkerdIdentity(DEFAULT_ACCOUNT, namespace, linkerdIdentitySuffix(mesh));
      const problems: string[] = [];
      for (const c of all) {
        if (!(c instanceof ApiObject)) continue;
        const group = c.apiVersion.split('/')[0];
        if (group !== 'security.istio.io' && group !== 'policy.linkerd.io') continue;
        const where = namesDefault(c.toJson(), namespace, principal, identity);
        if (where === undefined) continue;
        problems.push(`meshTierAuthorization: the ${c.kind} '${c.name}' (${c.node.path}) names ${where}, the mesh identity of the app's pods `
          + `before they ran as ServiceAccounts of their own (${tierAccounts.join(', ')}), and no other workload of namespace ${namespace} runs as `
          + `'${DEFAULT_ACCOUNT}': it no longer applies to the tiers (an allow no longer admits them, a deny no longer refuses them). `
          + `Name the tier's own account (MeshSource.serviceAccount('${tierAccounts[0]}', '${namespace}')), or set meshTierAuthorization: false`);
      }
      return problems;
    },
  });
}
