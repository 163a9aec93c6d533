import { Cni, CircuitBreaker, IstioMode, IstioMtls, Mesh, MtlsMode, MtlsPortMode, TenantIsolation, ThreeTierApp, ZeroTrustNamespace } from '../../../src';
import { meshChart } from '../../support/mesh';
import { find, ofKind, synthValid } from '../../support/synth';

const sidecar = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));

describe('IstioMtls', () => {
  test('mesh-wide: PeerAuthentication default in the root namespace, STRICT by default', () => {
    const chart = sidecar();
    new IstioMtls(chart, 'mesh');
    expect(ofKind(synthValid(chart), 'PeerAuthentication')).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'istio-system' },
      spec: { mtls: { mode: 'STRICT' } },
    }]);
  });

  test('a custom root namespace holds the mesh-wide policy', () => {
    const chart = meshChart(Cni.kubernetes(), Mesh.istio({ mode: IstioMode.AMBIENT, rootNamespace: 'istio-config' }));
    new IstioMtls(chart, 'mesh');
    expect(find(synthValid(chart), 'PeerAuthentication', 'default').metadata.namespace).toBe('istio-config');
  });

  test('namespace-wide PERMISSIVE as an explicit migration step', () => {
    const chart = sidecar();
    new IstioMtls(chart, 'shop', { namespace: 'shop', mode: MtlsMode.PERMISSIVE });
    expect(find(synthValid(chart), 'PeerAuthentication', 'default', 'shop').spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('workload scope with port exceptions, ports sorted', () => {
    const chart = sidecar();
    new IstioMtls(chart, 'db', {
      namespace: 'shop',
      name: 'db-metrics',
      selector: { app: 'db' },
      portExceptions: [{ port: 9187, mode: MtlsPortMode.PERMISSIVE }, { port: 5432, mode: MtlsPortMode.DISABLE }],
    });
    expect(find(synthValid(chart), 'PeerAuthentication', 'db-metrics', 'shop').spec).toEqual({
      selector: { matchLabels: { app: 'db' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 5432: { mode: 'DISABLE' }, 9187: { mode: 'PERMISSIVE' } },
    });
  });

  test('ISTIO_MUTUAL DestinationRule for the listed hosts, merged with a circuit breaker into one DestinationRule', () => {
    const chart = sidecar();
    new IstioMtls(chart, 'shop', { namespace: 'shop', destinationRuleHosts: ['api'] });
    new CircuitBreaker(chart, 'api-breaker', { namespace: 'shop', service: 'api' });
    const rules = ofKind(synthValid(chart), 'DestinationRule');
    expect(rules).toHaveLength(1);
    expect(rules[0]).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        host: 'api',
        trafficPolicy: {
          connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 50, http2MaxRequests: 100 } },
          outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
          tls: { mode: 'ISTIO_MUTUAL' },
        },
      },
    });
  });

  test.each([
    ['port exceptions without a selector (CEL: portLevelMtls requires selector)',
      { namespace: 'shop', portExceptions: [{ port: 8080, mode: MtlsPortMode.PERMISSIVE }] },
      '[test/m] portExceptions: port-level mTLS needs a workload selector: the CRD rejects portLevelMtls without one (CEL "portLevelMtls requires selector")'],
    ['a selector without a namespace', { selector: { app: 'x' }, name: 'x' }, '[test/m] selector: a workload policy needs its namespace: set namespace'],
    ['an empty selector', { namespace: 'shop', selector: {}, name: 'x' }, '[test/m] selector: must name at least one label'],
    // CEL forbids '*' in selector labels; label-value validation already refuses it.
    ['a wildcard in the selector', { namespace: 'shop', selector: { app: 'web*' }, name: 'x' }, "[test/m] selector: 'web*' is not a valid value for label 'app'"],
    ['a workload policy without a name', { namespace: 'shop', selector: { app: 'x' } }, '[test/m] name: a workload policy needs a name'],
    ['DISABLE for a whole namespace', { namespace: 'shop', mode: 'DISABLE' as MtlsMode }, "[test/m] mode: 'DISABLE' is not an mTLS mode (one of STRICT, PERMISSIVE)"],
    ['port 0', { namespace: 'shop', selector: { app: 'x' }, name: 'x', portExceptions: [{ port: 0, mode: MtlsPortMode.DISABLE }] },
      '[test/m] portExceptions[0].port: port 0 is outside 1-65535'],
    ['a port twice', { namespace: 'shop', selector: { app: 'x' }, name: 'x', portExceptions: [{ port: 1, mode: MtlsPortMode.DISABLE }, { port: 1, mode: MtlsPortMode.PERMISSIVE }] },
      '[test/m] portExceptions[1].port: port 1 is listed twice'],
    ['hosts without a namespace', { destinationRuleHosts: ['api'] }, "[test/m] destinationRuleHosts: needs namespace (the Services' namespace)"],
  ])('%s', (_what, props, message) => {
    expect(() => new IstioMtls(sidecar(), 'm', props as any)).toThrow(message);
  });

  test.each([
    ['no mesh', Mesh.none(), 'no mesh'],
    ['Linkerd', Mesh.linkerd({ cni: true }), 'Linkerd'],
  ])('in a chart whose ClusterNetwork declares %s: an error', (_what, mesh, declared) => {
    const chart = meshChart(Cni.calico(), mesh);
    expect(() => new IstioMtls(chart, 'm')).toThrow('[test/m] mesh: IstioMtls needs a ClusterNetwork with mesh Mesh.istio({ mode }); this chart\'s '
      + `ClusterNetwork (test/cluster) declares ${declared}`);
  });

  test('ambient mode: a port exception is PERMISSIVE, never DISABLE (ztunnel always uses mutual TLS; Istio\'s PeerAuthentication reference)', () => {
    const ambient = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    const props = (mode: MtlsPortMode) => ({ namespace: 'shop', selector: { app: 'db' }, name: 'db-metrics', portExceptions: [{ port: 9187, mode }] });
    expect(() => new IstioMtls(ambient(), 'm', props(MtlsPortMode.DISABLE))).toThrow('[test/m] portExceptions[0].mode: DISABLE is not supported in '
      + 'Istio ambient mode (ztunnel always uses mutual TLS between meshed pods); use MtlsPortMode.PERMISSIVE to accept plaintext on port 9187');
    const chart = ambient();
    new IstioMtls(chart, 'm', props(MtlsPortMode.PERMISSIVE));
    expect(find(synthValid(chart), 'PeerAuthentication', 'db-metrics', 'shop').spec.portLevelMtls).toEqual({ 9187: { mode: 'PERMISSIVE' } });
  });

  test('two namespace-wide policies for one namespace collide by name', () => {
    const chart = sidecar();
    new IstioMtls(chart, 'a', { namespace: 'shop' });
    expect(() => new IstioMtls(chart, 'b', { namespace: 'shop' })).toThrow("PeerAuthentication 'default' in namespace 'shop' is already emitted by 'test/a'");
  });

  // istiod ComposePeerAuthentication: in the root namespace only a policy without selector counts (as
  // the mesh-wide one); one with a selector is skipped, for the root namespace's own pods too.
  test('a workload policy in the mesh root namespace is refused: Istio ignores it, the pods keep the mesh-wide mode', () => {
    const message = "[test/gw] selector: 'istio-system' is the mesh root namespace, where Istio ignores a PeerAuthentication with a selector";
    expect(() => new IstioMtls(sidecar(), 'gw', { namespace: 'istio-system', selector: { app: 'gw' }, name: 'gw' })).toThrow(message);
    const custom = meshChart(Cni.kubernetes(), Mesh.istio({ mode: IstioMode.AMBIENT, rootNamespace: 'istio-config' }));
    expect(() => new IstioMtls(custom, 'gw', { namespace: 'istio-config', selector: { app: 'gw' }, name: 'gw' }))
      .toThrow("[test/gw] selector: 'istio-config' is the mesh root namespace");
    // The root namespace without selector is the mesh-wide policy itself, as without namespace.
    const chart = sidecar();
    new IstioMtls(chart, 'mesh', { namespace: 'istio-system' });
    expect(find(synthValid(chart), 'PeerAuthentication', 'default', 'istio-system').spec).toEqual({ mtls: { mode: 'STRICT' } });
  });
});

describe('IstioMtls for a ZeroTrustNamespace of the app: the namespace must have joined the mesh (checked at synth)', () => {
  const UNMESHED = "[test/m] namespace: 'shop' is a ZeroTrustNamespace (test/shop) that did not join the mesh: its pods run no mesh proxy, "
    + 'so this STRICT PeerAuthentication would enforce nothing while it reads as mTLS required';

  test.each([
    ['namespace scope', { namespace: 'shop' }],
    ['workload scope', { namespace: 'shop', name: 'db', selector: { app: 'db' } }],
  ])('%s on an unmeshed ZeroTrustNamespace is an error, whichever was declared first', (_what, props) => {
    const before = sidecar();
    new ZeroTrustNamespace(before, 'shop', { name: 'shop' });
    new IstioMtls(before, 'm', props);
    expect(() => synthValid(before)).toThrow(UNMESHED);
    const after = sidecar();
    new IstioMtls(after, 'm', props);
    new ZeroTrustNamespace(after, 'shop', { name: 'shop' });
    expect(() => synthValid(after)).toThrow(UNMESHED);
  });

  test('PERMISSIVE on an unmeshed namespace is refused too: without proxies no mode means anything', () => {
    const chart = sidecar();
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
    new IstioMtls(chart, 'm', { namespace: 'shop', mode: MtlsMode.PERMISSIVE });
    expect(() => synthValid(chart)).toThrow("[test/m] namespace: 'shop' is a ZeroTrustNamespace (test/shop) that did not join the mesh");
  });

  test('a meshed ZeroTrustNamespace (its own, a ThreeTierApp\'s, a tenant\'s) is accepted, sidecar and ambient', () => {
    for (const mesh of [Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }), Mesh.istio({ mode: IstioMode.AMBIENT })]) {
      const chart = meshChart(Cni.cilium(), mesh);
      new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
      new ThreeTierApp(chart, 'blog', {
        namespace: 'blog', mesh: {}, host: 'blog.example.com', frontend: { image: 'web:1' }, backend: { image: 'api:1' }, database: { image: 'postgres:16.4' },
      });
      new TenantIsolation(chart, 'tenants', { tenants: ['acme'], mesh: {} });
      for (const ns of ['shop', 'blog', 'acme']) new IstioMtls(chart, `mtls-${ns}`, { namespace: ns });
      expect(ofKind(synthValid(chart), 'PeerAuthentication').map((p) => `${p.metadata.namespace}/${p.metadata.name}`))
        .toEqual(['shop/default', 'blog/default', 'acme/default']);
    }
  });

  test('the unmeshed namespace of a ThreeTierApp or a TenantIsolation is named with its construct', () => {
    const chart = sidecar();
    new ThreeTierApp(chart, 'blog', {
      namespace: 'blog', host: 'blog.example.com', frontend: { image: 'web:1' }, backend: { image: 'api:1' }, database: { image: 'postgres:16.4' },
    });
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    new IstioMtls(chart, 'blog-mtls', { namespace: 'blog' });
    new IstioMtls(chart, 'acme-mtls', { namespace: 'acme' });
    expect(() => synthValid(chart)).toThrow(/\[test\/blog-mtls\] namespace: 'blog' is a ZeroTrustNamespace \(test\/blog\/Namespace\)[^\n]*\n {2}\[test\/acme-mtls\] namespace: 'acme' is a ZeroTrustNamespace \(test\/tenants\/acme\)/);
  });

  test('namespaces the app does not declare as ZeroTrustNamespaces, and the mesh-wide policy, are not checked (nothing to know)', () => {
    const chart = sidecar();
    new ZeroTrustNamespace(chart, 'other', { name: 'other' });
    new IstioMtls(chart, 'mesh');
    new IstioMtls(chart, 'm', { namespace: 'legacy' });
    expect(ofKind(synthValid(chart), 'PeerAuthentication')).toHaveLength(2);
  });
});
