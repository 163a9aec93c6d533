import { Cni, IstioMode, IstioMtls, LinkerdAuthorization, Mesh, MeshAuthorization, MeshSource } from '../../../src';
import { meshChart } from '../../support/mesh';
import { find, ofKind, synthValid } from '../../support/synth';

const linkerd = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));

describe('LinkerdAuthorization', () => {
  test('a Server per port (deny by default), a MeshTLSAuthentication per flow, an AuthorizationPolicy per port', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('web-to-api', {
      from: [MeshSource.serviceAccount('web'), MeshSource.namespace('batch'), MeshSource.serviceAccount('admin', 'ops')],
      to: { app: 'api' },
      ports: [8080, 9090],
    });
    const objects = synthValid(chart);
    expect(find(objects, 'Server', 'api-8080', 'shop')).toEqual({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'api-8080', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, port: 8080, accessPolicy: 'deny' },
    });
    expect(find(objects, 'MeshTLSAuthentication', 'web-to-api', 'shop')).toEqual({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: { name: 'web-to-api', namespace: 'shop' },
      spec: {
        identities: [
          'web.shop.serviceaccount.identity.linkerd.cluster.local',
          '*.batch.serviceaccount.identity.linkerd.cluster.local',
          'admin.ops.serviceaccount.identity.linkerd.cluster.local',
        ],
      },
    });
    expect(find(objects, 'AuthorizationPolicy', 'web-to-api-9090', 'shop')).toEqual({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'web-to-api-9090', namespace: 'shop' },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-9090' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web-to-api' }],
      },
    });
  });

  test('two flows to the same pods and port share the Server; anyone is a NetworkAuthentication', () => {
    const chart = linkerd();
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('web', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] });
    authz.allowFlow('public', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [8080] });
    const objects = synthValid(chart);
    expect(ofKind(objects, 'Server').map((s) => s.metadata.name)).toEqual(['api-8080']);
    expect(find(objects, 'NetworkAuthentication', 'public').spec).toEqual({ networks: [{ cidr: '0.0.0.0/0' }] });
    expect(find(objects, 'AuthorizationPolicy', 'public-8080').spec.requiredAuthenticationRefs)
      .toEqual([{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'public' }]);
  });

  test.each([
    ['no ports', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' } }, "[test/authz] flow 'f'.ports: Linkerd authorizes per Server, and a Server is one port: name the ports"],
    ['HTTP paths', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [80], paths: ['/x'] }, "[test/authz] flow 'f': HTTP methods and paths need HTTPRoutes"],
    ['conditions', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [80], when: [{ key: 'source.ip', values: ['10.0.0.1'] }] },
      "[test/authz] flow 'f'.when: conditions are Istio only"],
    ['a principal', { from: [MeshSource.principal('cluster.local/ns/a/sa/b')], to: { app: 'api' }, ports: [80] }, "[test/authz] flow 'f'.from: MeshSource.principal() is Istio only"],
    ['no target labels', { from: [MeshSource.anyMeshWorkload()], to: {}, ports: [80] }, "[test/authz] flow 'f'.to: a Server selects pods by labels"],
  ])('%s', (_what, options, message) => {
    expect(() => new LinkerdAuthorization(linkerd(), 'authz', { namespace: 'shop' }).allowFlow('f', options as any)).toThrow(message);
  });

  test('overlapping Servers on one port are refused', () => {
    const authz = new LinkerdAuthorization(linkerd(), 'authz', { namespace: 'shop' });
    authz.allowFlow('a', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [8080] });
    expect(() => authz.allowFlow('b', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api', version: 'v2' }, ports: [8080] }))
      .toThrow("[test/authz] flow 'b'.to: pods {\"app\":\"api\",\"version\":\"v2\"} and the pods {\"app\":\"api\"} of Server 'api-8080' can overlap on port 8080");
  });
});

describe('MeshAuthorization: one intent, either mesh', () => {
  const flow = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] };

  test('under Istio: allow-nothing + one ALLOW policy', () => {
    const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
    new IstioMtls(chart, 'mtls');
    new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
    const objects = synthValid(chart);
    expect(ofKind(objects, 'AuthorizationPolicy').map((p) => `${p.apiVersion} ${p.metadata.name}`))
      .toEqual(['security.istio.io/v1 allow-nothing', 'security.istio.io/v1 web-to-api']);
    expect(find(objects, 'AuthorizationPolicy', 'web-to-api').spec.rules)
      .toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
  });

  test('under Linkerd: Server + MeshTLSAuthentication + AuthorizationPolicy', () => {
    const chart = linkerd();
    const objects = new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', flow);
    expect(objects.map((o) => o.kind)).toEqual(['MeshTLSAuthentication', 'AuthorizationPolicy']);
    expect(ofKind(synthValid(chart), 'Server').map((s) => s.metadata.name)).toEqual(['api-8080']);
  });

  test.each([
    ['Istio-only fields', { ...flow, methods: ['GET'] }, "[test/authz] flow 'f': methods, paths and when do not render for every mesh: use IstioAuthorization for them"],
    ['no ports', { from: flow.from, to: flow.to }, "[test/authz] flow 'f'.ports: name the ports"],
  ])('%s are refused, whichever mesh', (_what, options, message) => {
    expect(() => new MeshAuthorization(linkerd(), 'authz', { namespace: 'shop' }).allowFlow('f', options)).toThrow(message);
  });

  test('without a mesh: an error', () => {
    expect(() => new MeshAuthorization(meshChart(Cni.calico(), Mesh.none()), 'authz', { namespace: 'shop' }))
      .toThrow('[test/authz] mesh: MeshAuthorization needs a ClusterNetwork with mesh Mesh.istio({ mode }) or Mesh.linkerd()');
  });
});
