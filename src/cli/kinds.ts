/**
 * Which object kinds the analyzer knows. Anything else is reported, because a policy of an unknown
 * kind (a typo in `kind`, a CNI this tool has no model for) silently changes nothing in the matrix.
 */
import { SourcedManifest } from './files';

/** Kinds per API group that either take part in the analysis or have no effect on pod traffic. */
const KNOWN: Record<string, readonly string[]> = {
  '': ['Namespace', 'Pod', 'ReplicationController', 'Service', 'ServiceAccount', 'ConfigMap', 'Secret', 'Endpoints',
    'PersistentVolumeClaim', 'PersistentVolume', 'LimitRange', 'ResourceQuota'],
  'apps': ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'],
  'batch': ['Job', 'CronJob'],
  'networking.k8s.io': ['NetworkPolicy', 'Ingress', 'IngressClass'],
  'policy.networking.k8s.io': ['ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'],
  'projectcalico.org': ['NetworkPolicy', 'GlobalNetworkPolicy', 'NetworkSet', 'GlobalNetworkSet', 'Tier',
    'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy'],
  'cilium.io': ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'CiliumCIDRGroup'],
  'rbac.authorization.k8s.io': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'policy': ['PodDisruptionBudget'],
  'autoscaling': ['HorizontalPodAutoscaler'],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
};

/** A warning for every manifest whose `apiVersion` group and `kind` this tool does not know. */
export function unknownKindWarnings(manifests: readonly SourcedManifest[]): string[] {
  const out: string[] = [];
  for (const m of manifests) {
    const apiVersion = typeof m.obj.apiVersion === 'string' ? m.obj.apiVersion : '';
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if ((KNOWN[group] ?? []).includes(m.obj.kind)) continue;
    const name = typeof m.obj.metadata?.name === 'string' ? ` '${m.obj.metadata.name}'` : '';
    out.push(`${m.file}: line ${m.line}: unknown kind ${m.obj.kind}${name} (apiVersion ${apiVersion || 'missing'}), ignored`);
  }
  return out;
}
