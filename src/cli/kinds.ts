/**
 * Which object kinds the analyzer knows. Anything else is reported, because a policy of an unknown
 * kind (a typo in `kind`, a CNI this tool has no model for) silently changes nothing in the matrix.
 */
import { SourcedManifest } from './files';
import { apiGroup } from '../lint/document';

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
  'rbac.authorization.k8s.io': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'policy': ['PodDisruptionBudget'],
  'autoscaling': ['HorizontalPodAutoscaler'],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
  // What the install constructs emit besides policies, none of which shapes pod traffic: chart
  // sources, Calico's flow observability, Cilium's LB IP allocation and L2 announcements. Cilium's
  // local redirect and egress gateway policies are read by the analysis: flows to a redirected
  // address are indeterminate, and both are listed in its notes (analysis/uncertainty/cilium-redirects).
  'source.toolkit.fluxcd.io': ['HelmRepository', 'OCIRepository'],
  'operator.tigera.io': ['Goldmane', 'Whisker'],
  // Chaos Mesh experiments (NetworkChaosExperiment) and Workflows of them: no policy; the analysis notes a partition
  // (a Workflow's NetworkChaos templates included), which drops flows while it is active (analysis/network-chaos-notes).
  // Other chaos kinds (PodChaos, ...) stay unknown kinds: nothing reads them.
  'chaos-mesh.org': ['NetworkChaos', 'Schedule', 'Workflow'],
  'cilium.io': ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'CiliumCIDRGroup', 'CiliumLoadBalancerIPPool', 'CiliumL2AnnouncementPolicy',
    'CiliumLocalRedirectPolicy', 'CiliumEgressGatewayPolicy'],
  // NetworkAlerts' alerting rules: read by Prometheus, never by the network.
  'monitoring.coreos.com': ['PrometheusRule'],
};

/**
 * Kinds PolicyLint checks that the flow matrix does not model (mesh and CNI configuration; Calico's
 * internal crd.projectcalico.org API, which the lint tells users to replace by projectcalico.org/v3).
 */
const LINTED_ONLY: Record<string, readonly string[]> = {
  'security.istio.io': ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'],
  'networking.istio.io': ['DestinationRule', 'VirtualService', 'Gateway', 'ServiceEntry', 'Sidecar'],
  'crd.projectcalico.org': ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'IPPool'],
  'projectcalico.org': ['IPPool', 'FelixConfiguration', 'BGPConfiguration'],
  'operator.tigera.io': ['Installation', 'APIServer'],
  'policy.linkerd.io': ['Server', 'AuthorizationPolicy'],
  // Chart deliveries: the lint checks the Cilium values they carry.
  'helm.toolkit.fluxcd.io': ['HelmRelease'],
  'argoproj.io': ['Application'],
};

/** Kinds the mesh layer of the analysis evaluates (`analyze --mesh`). */
const MESH_MODELLED: Record<'istio' | 'linkerd', Record<string, readonly string[]>> = {
  istio: {
    'security.istio.io': ['AuthorizationPolicy', 'PeerAuthentication'],
    // Client sidecars' egress imports, exportTo and REGISTRY_ONLY (Sidecar, VirtualService, ServiceEntry: analysis/mesh/istio-sidecar-egress),
    // waypoints (Gateway: istio-waypoint), and the EndpointSlices krt falls back to (istio-manual-endpoints).
    'networking.istio.io': ['Sidecar', 'VirtualService', 'ServiceEntry'],
    'gateway.networking.k8s.io': ['Gateway'],
    'discovery.k8s.io': ['EndpointSlice'],
  },
  linkerd: {
    'policy.linkerd.io': ['Server', 'AuthorizationPolicy', 'MeshTLSAuthentication', 'NetworkAuthentication', 'HTTPRoute', 'ServerAuthorization'],
    // Routes whose parent is a Server (analysis/mesh/linkerd.ts): the policy controller reads both groups' HTTPRoutes, and GRPCRoutes.
    'gateway.networking.k8s.io': ['HTTPRoute', 'GRPCRoute'],
  },
};

const MESH_FAMILIES = ['istio', 'linkerd'] as const;

/**
 * A warning for every manifest whose `apiVersion` group and `kind` this tool does not know; with
 * `command: 'analyze'`, also for the kinds only the lint checks (they do not shape the flow matrix),
 * except those the mesh layer evaluates when `mesh` is given. The lint reads the kinds of every mesh
 * model (only `mesh`'s when given): its mesh-identity rules judge with them.
 */
export function unknownKindWarnings(manifests: readonly SourcedManifest[], command: 'analyze' | 'lint', mesh?: 'istio' | 'linkerd'): string[] {
  const out: string[] = [];
  for (const m of manifests) {
    const apiVersion = typeof m.obj.apiVersion === 'string' ? m.obj.apiVersion : '';
    const group = apiGroup(m.obj);
    if ((KNOWN[group] ?? []).includes(m.obj.kind)) continue;
    if (mesh !== undefined && command === 'analyze' && (MESH_MODELLED[mesh][group] ?? []).includes(m.obj.kind)) continue;
    // The lint's mesh-identity rules (istio-/linkerd-authz-refuses-admitted-source) judge with the mesh models, which read these kinds.
    if (command === 'lint' && (mesh === undefined ? MESH_FAMILIES : [mesh]).some((f) => (MESH_MODELLED[f][group] ?? []).includes(m.obj.kind))) continue;
    const name = typeof m.obj.metadata?.name === 'string' ? ` '${m.obj.metadata.name}'` : '';
    const what = `${m.obj.kind}${name} (apiVersion ${apiVersion || 'missing'})`;
    if ((LINTED_ONLY[group] ?? []).includes(m.obj.kind)) {
      if (command === 'analyze') out.push(`${m.file}: line ${m.line}: ${what}: not modelled by the flow matrix (the lint checks it)`);
      continue;
    }
    out.push(`${m.file}: line ${m.line}: unknown kind ${what}, ignored`);
  }
  return out;
}
