/**
 * TenantIsolation `mesh`: every tenant namespace joins the ClusterNetwork's mesh like a
 * ZeroTrustNamespace with `mesh: {}` does, and the tenants stay apart on every port the mesh adds
 * (its transport port included), with and without the same-tenant allow.
 */
import { Cni, IstioMode, LinkerdInboundPolicy, Mesh, Port, Target, TenantIsolation } from '../../src';
import { meshChart, meshReachability } from '../support/mesh';
import '../support/reachability-matchers';
import { ENFORCING_CNIS, find, synthValid } from '../support/synth';

const MESHES: Array<[string, () => Mesh, { labels: Record<string, string>; annotations?: Record<string, string>; policies: string[] }]> = [
  ['Istio sidecar', () => Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }),
    { labels: { 'istio-injection': 'enabled' }, policies: ['allow-istio-control-plane', 'allow-istio-metrics'] }],
  ['Istio ambient', () => Mesh.istio({ mode: IstioMode.AMBIENT }),
    { labels: { 'istio.io/dataplane-mode': 'ambient' }, policies: ['allow-istio-kubelet-probes'] }],
  ['Linkerd', () => Mesh.linkerd({ cni: true }),
    { labels: {}, annotations: { 'linkerd.io/inject': 'enabled' }, policies: ['allow-linkerd-control-plane', 'allow-linkerd-metrics'] }],
];

const a1 = Target.workload('acme', 'a1');
const a2 = Target.workload('acme-batch', 'a2');
const g = Target.workload('globex', 'g');

describe.each(ENFORCING_CNIS)('TenantIsolation with mesh on %s', (_name, cni) => {
  test.each(MESHES)('%s: every tenant namespace is labelled or annotated for the mesh and holds its allows', (_mesh, mesh, expected) => {
    const chart = meshChart(cni(), mesh());
    new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], namespaces: { acme: ['acme', 'acme-batch'] }, mesh: {} });
    const objects = synthValid(chart);
    for (const [ns, tenant] of [['acme', 'acme'], ['acme-batch', 'acme'], ['globex', 'globex']]) {
      const metadata = find(objects, 'Namespace', ns).metadata;
      expect(metadata.labels).toEqual(expect.objectContaining({ tenant, ...expected.labels }));
      expect(metadata.annotations).toEqual(expected.annotations);
      const names = objects.filter((o) => o.metadata.namespace === ns && o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
      for (const policy of expected.policies) expect(names).toContain(policy);
    }
  });

  test('Istio ambient with a declared probe address: every tenant namespace opens that address, not the default', () => {
    const chart = meshChart(cni(), Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.9.9' }));
    new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], namespaces: { acme: ['acme', 'acme-batch'] }, mesh: {} });
    const objects = synthValid(chart);
    for (const ns of ['acme', 'acme-batch', 'globex']) {
      expect(find(objects, 'NetworkPolicy', 'allow-istio-kubelet-probes', ns).spec)
        .toEqual({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '169.254.9.9/32' } }] }] });
    }
    const reach = meshReachability(chart, cni());
    reach.addProbe('g', 'globex', { app: 'g' }, { ports: [Port.tcp(8080)] });
    expect(reach).toAllow(Target.external('169.254.9.9'), g, Port.tcp(8080));
    expect(reach).toDeny(Target.external('169.254.7.127'), g, Port.tcp(8080));
  });

  test.each(MESHES)('%s: the tenants stay apart on the application and the mesh ports; the control plane is reachable', (mesh, makeMesh) => {
    for (const allowSameTenant of [true, false]) {
      const chart = meshChart(cni(), makeMesh());
      new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], namespaces: { acme: ['acme', 'acme-batch'] }, allowSameTenant, mesh: {} });
      const reach = meshReachability(chart, cni());
      reach.addProbe('a1', 'acme', { app: 'a1' }, { ports: [Port.tcp(8080)] });
      reach.addProbe('a2', 'acme-batch', { app: 'a2' }, { ports: [Port.tcp(8080)] });
      reach.addProbe('g', 'globex', { app: 'g' }, { ports: [Port.tcp(8080)] });
      for (const port of [8080, 15008, 4143, 15020, 4191].map((p) => Port.tcp(p))) {
        expect(reach).toDeny(a1, g, port);
        expect(reach).toDeny(g, a1, port);
        expect(reach).toDeny(g, a2, port);
        // Within the tenant, across its namespaces: exactly what allowSameTenant says.
        expect(reach.check(a1, a2, port).allowed).toBe(allowSameTenant);
      }
      for (const pod of [a1, g]) {
        if (mesh === 'Istio sidecar') expect(reach).toAllow(pod, Target.workload('istio-system', 'istiod'), Port.tcp(15012));
        if (mesh === 'Linkerd') {
          expect(reach).toAllow(pod, Target.workload('linkerd', 'linkerd-destination'), Port.tcp(8086));
          expect(reach).toDeny(pod, Target.workload('linkerd', 'linkerd-identity'), Port.tcp(8086));
        }
        expect(reach).toDeny(pod, Target.external('169.254.169.254'), Port.tcp(80));
      }
    }
  });
});

describe('TenantIsolation mesh errors', () => {
  test('a cluster without a mesh: the tenant namespace names the prop', () => {
    const chart = meshChart(Cni.calico(), Mesh.none());
    expect(() => new TenantIsolation(chart, 'tenants', { tenants: ['acme'], mesh: {} }))
      .toThrow('[test/tenants/acme] mesh: the ClusterNetwork declares no service mesh (Mesh.none())');
  });

  test.each([['the string true', 'true', "the string 'true'"], ['true', true, 'the boolean true'], ['null', null, 'null'], ['a list', [], 'an array of 0']])(
    'mesh given as %s (jsii callers) is an error, never a namespace joined by accident', (_what, value, got) => {
      const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
      expect(() => new TenantIsolation(chart, 'tenants', { tenants: ['acme'], mesh: value as any })).toThrow(`[test/tenants] mesh: must be an object, got ${got}`);
    });

  test('Linkerd options apply to every tenant namespace', () => {
    const chart = meshChart(Cni.cilium(), Mesh.linkerd({ cni: true }));
    new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.ALL_AUTHENTICATED } });
    const objects = synthValid(chart);
    for (const ns of ['acme', 'globex']) {
      expect(find(objects, 'Namespace', ns).metadata.annotations)
        .toEqual({ 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'all-authenticated' });
    }
  });
});
