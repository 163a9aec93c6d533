import { unknownKindWarnings } from '../../src/cli/kinds';

const at = (obj: any) => ({ obj, file: 'm.yaml', line: 3 });

describe('unknown-kind warnings', () => {
  const authz = at({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'a' } });
  const internalCalico = at({ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'p' } });
  const widget = at({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
  const policy = at({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' } });

  test('analyze: kinds the lint checks are "not modelled by the flow matrix", truly unknown kinds "ignored"', () => {
    expect(unknownKindWarnings([authz, internalCalico, widget, policy], 'analyze')).toEqual([
      "m.yaml: line 3: AuthorizationPolicy 'a' (apiVersion security.istio.io/v1): not modelled by the flow matrix (the lint checks it)",
      "m.yaml: line 3: NetworkPolicy 'p' (apiVersion crd.projectcalico.org/v1): not modelled by the flow matrix (the lint checks it)",
      "m.yaml: line 3: unknown kind Widget 'w' (apiVersion example.com/v1), ignored",
    ]);
  });

  test('lint: kinds the lint checks are not reported as unknown', () => {
    expect(unknownKindWarnings([authz, internalCalico, widget, policy], 'lint')).toEqual([
      "m.yaml: line 3: unknown kind Widget 'w' (apiVersion example.com/v1), ignored",
    ]);
  });

  test('what the install constructs emit: deliveries are linted, sources, observability and alert rules are known; redirects are read by the analysis', () => {
    const objs = [
      at({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'cilium' } }),
      at({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'calico-crds' } }),
      at({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name: 'cilium' } }),
      at({ apiVersion: 'operator.tigera.io/v1', kind: 'Whisker', metadata: { name: 'default' } }),
      at({ apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: { name: 'lb' } }),
      at({ apiVersion: 'cilium.io/v2', kind: 'CiliumLocalRedirectPolicy', metadata: { name: 'nodelocaldns' } }),
      at({ apiVersion: 'cilium.io/v2', kind: 'CiliumEgressGatewayPolicy', metadata: { name: 'egress' } }),
      // NetworkAlerts: read by Prometheus, not by the network.
      at({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'network-alerts' } }),
    ];
    // The analysis notes redirects and egress gateways itself (and makes flows to a redirected address indeterminate).
    expect(unknownKindWarnings(objs, 'lint')).toEqual([]);
    expect(unknownKindWarnings(objs, 'analyze')).toEqual([
      "m.yaml: line 3: HelmRelease 'cilium' (apiVersion helm.toolkit.fluxcd.io/v2): not modelled by the flow matrix (the lint checks it)",
      "m.yaml: line 3: Application 'calico-crds' (apiVersion argoproj.io/v1alpha1): not modelled by the flow matrix (the lint checks it)",
    ]);
  });
});

describe('analyze --mesh: the kinds the mesh layer reads are not reported as ignored or not modelled', () => {
  const objs = [
    at({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default' } }),
    at({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'api' } }),
    at({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'payments' } }),
    at({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint' } }),
    at({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'db-abc' } }),
    at({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'api-get' } }),
    at({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute', metadata: { name: 'api-rpc' } }),
  ];

  test('istio: Sidecar, VirtualService, ServiceEntry, Gateway (waypoints), EndpointSlice; the routes are Linkerd\'s', () => {
    expect(unknownKindWarnings(objs, 'analyze', 'istio')).toEqual([
      "m.yaml: line 3: unknown kind HTTPRoute 'api-get' (apiVersion gateway.networking.k8s.io/v1), ignored",
      "m.yaml: line 3: unknown kind GRPCRoute 'api-rpc' (apiVersion gateway.networking.k8s.io/v1), ignored",
    ]);
  });

  test('linkerd: the Gateway API HTTPRoutes and GRPCRoutes (Server parents); Istio\'s kinds stay what they were', () => {
    expect(unknownKindWarnings(objs, 'analyze', 'linkerd')).toEqual([
      "m.yaml: line 3: Sidecar 'default' (apiVersion networking.istio.io/v1): not modelled by the flow matrix (the lint checks it)",
      "m.yaml: line 3: VirtualService 'api' (apiVersion networking.istio.io/v1): not modelled by the flow matrix (the lint checks it)",
      "m.yaml: line 3: ServiceEntry 'payments' (apiVersion networking.istio.io/v1): not modelled by the flow matrix (the lint checks it)",
      "m.yaml: line 3: unknown kind Gateway 'waypoint' (apiVersion gateway.networking.k8s.io/v1), ignored",
      "m.yaml: line 3: unknown kind EndpointSlice 'db-abc' (apiVersion discovery.k8s.io/v1), ignored",
    ]);
  });

  test('lint: the mesh models\' kinds are read by the mesh-identity lint rules, so none is "ignored" (with --mesh, only that mesh\'s)', () => {
    const linkerd = [
      at({ apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'MeshTLSAuthentication', metadata: { name: 'web' } }),
      at({ apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'NetworkAuthentication', metadata: { name: 'nodes' } }),
      at({ apiVersion: 'policy.linkerd.io/v1beta3', kind: 'HTTPRoute', metadata: { name: 'api-get' } }),
    ];
    expect(unknownKindWarnings([...objs, ...linkerd], 'lint')).toEqual([]);
    expect(unknownKindWarnings([...objs, ...linkerd], 'lint', 'linkerd')).toEqual([
      "m.yaml: line 3: unknown kind Gateway 'waypoint' (apiVersion gateway.networking.k8s.io/v1), ignored",
      "m.yaml: line 3: unknown kind EndpointSlice 'db-abc' (apiVersion discovery.k8s.io/v1), ignored",
    ]);
  });
});

test('Chaos Mesh experiments (NetworkChaosExperiment, and Workflows, read since the lint and the analysis read their NetworkChaos templates) are known kinds: the analysis notes partitions itself; PodChaos stays unknown', () => {
  const objs = [
    at({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'NetworkChaos', metadata: { name: 'cut' } }),
    at({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Schedule', metadata: { name: 'nightly' } }),
    at({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'Workflow', metadata: { name: 'drill' } }),
    at({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { name: 'kill' } }),
  ];
  expect(unknownKindWarnings(objs, 'lint')).toEqual(["m.yaml: line 3: unknown kind PodChaos 'kill' (apiVersion chaos-mesh.org/v1alpha1), ignored"]);
  expect(unknownKindWarnings(objs, 'analyze')).toEqual(["m.yaml: line 3: unknown kind PodChaos 'kill' (apiVersion chaos-mesh.org/v1alpha1), ignored"]);
});
