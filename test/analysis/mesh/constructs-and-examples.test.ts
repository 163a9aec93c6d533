/**
 * The mesh constructs and the mesh examples, analysed across both layers with the mesh their
 * ClusterNetwork declares (Reachability.fromChart picks it up): the flows they promise are allowed by
 * the CNI AND the mesh, and what they refuse is refused by the layer meant to refuse it.
 */
import { App, Chart } from 'cdk8s';
import { EXAMPLE_CNIS } from '../../../examples/cni';
import { EXAMPLES } from '../../../examples/synth-all';
import {
  Cni, IstioMode, IstioMtls, Mesh, MeshAuthorization, MeshSource, Port, Reachability, Target, Verdict, ZeroTrustNamespace,
} from '../../../src';
import { ValidationError } from '../../../src/util/errors';
import { deployment, meshChart } from '../../support/mesh';
import { synthValid } from '../../support/synth';

const cnis = Object.entries(EXAMPLE_CNIS);

function example(name: string, cni: () => Cni): { chart: Chart; reach: Reachability } {
  const chart = EXAMPLES[name](new App(), cni());
  synthValid(chart);
  return { chart, reach: Reachability.fromChart(chart, { cni: cni() }) };
}

describe.each(cnis)('examples/istio-canary on %s', (_name, cni) => {
  const { reach } = example('istio-canary', cni);
  const web = Target.workload('checkout', 'web');
  const versions = [Target.workload('checkout', 'api-v1'), Target.workload('checkout', 'api-v2')];
  reach.addProbe('prometheus', 'monitoring', { app: 'prometheus' });
  // A pod that copies web's labels but runs as another service account: the CNI cannot tell them apart.
  reach.addProbe('impostor', 'checkout', { app: 'web' }, { serviceAccount: 'impostor' });

  test('the analysis has the ClusterNetwork\'s mesh', () => {
    expect(reach.meshName).toBe('Istio (sidecar)');
  });

  test('web -> both api versions: allowed on both layers, only GET/POST under /api/ (an L7 constraint of the mesh)', () => {
    for (const api of versions) {
      const result = reach.check(web, api, Port.tcp(8080));
      expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
      expect(result.mesh!.decidingObjects).toEqual(['AuthorizationPolicy checkout/web-to-api']);
      expect(result.l7Constraints).toEqual(['only HTTP methods GET|POST, paths /api/* (AuthorizationPolicy checkout/web-to-api spec.rules[0] (ALLOW); '
        + 'a non-HTTP connection matches no HTTP rule)']);
    }
  });

  test('can web call api\'s POST /api/orders? yes; DELETE /api/orders or POST /admin? no, the mesh refuses (allow-nothing baseline)', () => {
    for (const api of versions) {
      expect(reach.checkRequest(web, api, Port.tcp(8080), { method: 'POST', path: '/api/orders' }).verdict).toBe(Verdict.ALLOW);
      for (const request of [{ method: 'DELETE', path: '/api/orders' }, { method: 'POST', path: '/admin' }]) {
        const result = reach.checkRequest(web, api, Port.tcp(8080), request);
        expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
        expect(result.mesh!.decidingObjects).toEqual(['AuthorizationPolicy checkout/allow-nothing']);
      }
    }
  });

  test('an impostor with web\'s labels passes the CNI and is refused by the mesh (its principal is not web\'s)', () => {
    const result = reach.check(Target.workload('checkout', 'impostor'), versions[0], Port.tcp(8080));
    expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
    expect(result.mesh!.reasons[0]).toContain('(over mutual TLS as cluster.local/ns/checkout/sa/impostor)');
  });

  test('api -> web is refused by both layers; Prometheus scrapes the sidecar port 15020 but not the app port', () => {
    const back = reach.check(versions[0], web, Port.tcp(8080));
    expect([back.cniVerdict, back.meshVerdict]).toEqual([Verdict.DENY, Verdict.DENY]);
    const prometheus = Target.workload('monitoring', 'prometheus');
    const scrape = reach.check(prometheus, versions[0], Port.tcp(15020));
    expect([scrape.verdict, scrape.cniVerdict, scrape.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    const app = reach.check(prometheus, versions[0], Port.tcp(8080));
    // Denied by the CNI (no allow), and by STRICT mTLS (Prometheus has no sidecar).
    expect([app.cniVerdict, app.meshVerdict]).toEqual([Verdict.DENY, Verdict.DENY]);
    expect(app.mesh!.decidingRules).toEqual(['PeerAuthentication istio-system/default spec.mtls.mode (deny)']);
  });
});

describe.each(cnis)('examples/gateway-canary on %s', (_name, cni) => {
  const { reach } = example('gateway-canary', cni);
  const fe = Target.workload('storefront', 'storefront-frontend');
  const versions = [Target.workload('storefront', 'storefront-backend'), Target.workload('storefront', 'storefront-backend-canary')];
  const db = Target.workload('storefront', 'storefront-database');
  reach.addProbe('public-gateway', 'gateways', { 'gateway.networking.k8s.io/gateway-name': 'public' });

  test('the analysis has the ClusterNetwork\'s mesh', () => {
    expect(reach.meshName).toBe('Linkerd');
  });

  test('frontend -> both backend versions: the CNI sees Linkerd\'s port 4143, the app\'s Server on the backend port admits it', () => {
    for (const be of versions) {
      const result = reach.check(fe, be, Port.tcp(8080));
      expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
      expect(result.pairs[0].cniPort).toBe('TCP/4143');
      expect(result.mesh!.reasons[0]).toContain('AuthorizationPolicy storefront/storefront-frontend-to-backend-8080 (targeting Server '
        + 'storefront/backend-storefront-storefront-3a775b52cc-8080) authorizes storefront/storefront-frontend');
      // The tier port admits the frontend's identity only (not the namespace default's clients).
      expect(result.mesh!.reasons[0]).toContain('MeshTLSAuthentication storefront/storefront-frontend-to-backend admits '
        + 'storefront-frontend.storefront.serviceaccount.identity.linkerd.cluster.local');
      expect(reach.check(be, db, Port.tcp(5432)).verdict).toBe(Verdict.ALLOW);
    }
  });

  test('frontend -> another port of either backend version: the CNI admits it on 4143, the backends\' default inbound policy deny refuses it', () => {
    for (const be of versions) {
      const result = reach.check(fe, be, Port.tcp(9090));
      expect([result.verdict, result.cniVerdict, result.meshVerdict, result.pairs[0].cniPort]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY, 'TCP/4143']);
      expect(result.mesh!.reasons[0]).toContain('the default inbound policy deny (the pod template annotation config.linkerd.io/default-inbound-policy)');
    }
  });

  test('the unmeshed gateway reaches the frontend on the application port; nothing else of the storefront', () => {
    const gateway = Target.workload('gateways', 'public-gateway');
    const result = reach.check(gateway, fe, Port.tcp(8080));
    expect([result.verdict, result.pairs[0].cniPort]).toEqual([Verdict.ALLOW, undefined]);
    expect(reach.check(gateway, versions[0], Port.tcp(8080)).cniVerdict).toBe(Verdict.DENY);
  });

  test('frontend -> database stays refused by the CNI (no transport port between them either)', () => {
    const result = reach.check(fe, db, Port.tcp(5432));
    expect([result.verdict, result.cniVerdict, result.pairs[0].cniPort]).toEqual([Verdict.DENY, Verdict.DENY, 'TCP/4143']);
  });
});

/**
 * A meshed namespace `shop` with web, api and worker (service accounts of the same names), the CNI
 * admitting web and worker to api on 8080, and a MeshAuthorization for the flows to add.
 */
function meshedShop(meshName: 'Istio' | 'Linkerd', mesh: Mesh): { chart: Chart; authz: MeshAuthorization } {
  const chart = meshChart(Cni.calico(), mesh);
  // Identity-based flows need STRICT mutual TLS under Istio (IstioAuthorization checks it at synth).
  if (meshName === 'Istio') new IstioMtls(chart, 'mtls');
  const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
  for (const name of ['web', 'api', 'worker']) deployment(chart, 'shop', name, { app: name }, 8080, name);
  ns.allowFlow('web-to-api', { app: 'web' }, { app: 'api' }, [Port.tcp(8080)]);
  ns.allowFlow('worker-to-api', { app: 'worker' }, { app: 'api' }, [Port.tcp(8080)]);
  return { chart, authz: new MeshAuthorization(chart, 'authz', { namespace: 'shop' }) };
}

describe.each([
  ['Istio', Mesh.istio({ mode: IstioMode.SIDECAR, cni: true })],
  ['Linkerd', Mesh.linkerd({ cni: true })],
] as const)('MeshAuthorization on %s: one intent, the same verdicts', (meshName, mesh) => {
  // The CNI admits web and worker to api; the mesh narrows it to web's identity.
  const { chart, authz } = meshedShop(meshName, mesh);
  authz.allowFlow('web-to-api', {
    from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080],
  });
  synthValid(chart);
  const reach = Reachability.fromChart(chart, { cni: Cni.calico() });
  const w = (name: string) => Target.workload('shop', name);

  test('web -> api: allowed by the CNI and by the mesh\'s authorization object', () => {
    const result = reach.check(w('web'), w('api'), Port.tcp(8080));
    expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.mesh!.decidingObjects).toEqual([meshName === 'Istio' ? 'AuthorizationPolicy shop/web-to-api' : 'AuthorizationPolicy shop/web-to-api-8080']);
  });

  test('worker -> api: the CNI allows, the mesh refuses', () => {
    const result = reach.check(w('worker'), w('api'), Port.tcp(8080));
    expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
    expect(result.mesh!.decidingRules).toEqual([meshName === 'Istio'
      ? 'AuthorizationPolicy shop/allow-nothing (isolate)' : 'Server shop/api-8080 spec.accessPolicy (isolate)']);
  });
});

describe.each([
  ['Istio', Mesh.istio({ mode: IstioMode.SIDECAR, cni: true })],
  ['Linkerd', Mesh.linkerd({ cni: true })],
] as const)('MeshAuthorization with methods and paths on %s: one intent, the same request verdicts', (meshName, mesh) => {
  const { chart, authz } = meshedShop(meshName, mesh);
  // web may only read orders; worker may do anything on the port.
  authz.allowFlow('web-reads-orders', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/api/orders/*'] });
  authz.allowFlow('worker-to-api', { from: [MeshSource.serviceAccount('worker')], to: { app: 'api' }, ports: [8080] });
  synthValid(chart);
  const reach = Reachability.fromChart(chart, { cni: Cni.calico() });
  const ask = (from: string, method: string, path: string) => reach.checkRequest(Target.workload('shop', from), Target.workload('shop', 'api'), Port.tcp(8080), { method, path }).verdict;

  test.each([
    ['web', 'GET', '/api/orders/42', Verdict.ALLOW],
    ['web', 'POST', '/api/orders/42', Verdict.DENY],
    ['web', 'GET', '/api/orders', Verdict.DENY],
    ['web', 'GET', '/admin', Verdict.DENY],
    ['worker', 'POST', '/admin', Verdict.ALLOW],
    ['worker', 'GET', '/api/orders/42', Verdict.ALLOW],
  ])('%s %s %s -> %s', (from, method, path, verdict) => {
    expect(ask(from, method, path)).toBe(verdict);
  });
});

describe.each([
  ['Istio', Mesh.istio({ mode: IstioMode.SIDECAR, cni: true })],
  ['Linkerd', Mesh.linkerd({ cni: true })],
] as const)('MeshAuthorization path forms on %s: exact, /prefix/*, prefix*, *suffix and * admit the same requests', (meshName, mesh) => {
  const chart = meshChart(Cni.calico(), mesh);
  if (meshName === 'Istio') new IstioMtls(chart, 'mtls');
  const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
  const clients = ['web', 'reporter', 'uploader', 'worker'];
  for (const name of [...clients, 'api']) deployment(chart, 'shop', name, { app: name }, 8080, name);
  for (const name of clients) ns.allowFlow(`${name}-to-api`, { app: name }, { app: 'api' }, [Port.tcp(8080), Port.tcp(9090)]);
  const authz = new MeshAuthorization(chart, 'authz', { namespace: 'shop' });
  const to = { app: 'api' };
  const sa = (name: string) => [MeshSource.serviceAccount(name)];
  // Disjoint requests on 8080 (Linkerd routes a request to one HTTPRoute); worker keeps the whole port.
  authz.allowFlow('web-orders', { from: sa('web'), to, ports: [8080], methods: ['GET', 'HEAD'], paths: ['/api/orders/*'] });
  authz.allowFlow('web-status', { from: sa('web'), to, ports: [8080], paths: ['/status/'] });
  authz.allowFlow('reporter-csv', { from: sa('reporter'), to, ports: [8080], methods: ['POST'], paths: ['*.csv'] });
  authz.allowFlow('uploader', { from: sa('uploader'), to, ports: [8080], methods: ['PUT'], paths: ['/upload*'] });
  authz.allowFlow('web-v1', { from: sa('web'), to, ports: [8080], methods: ['GET'], paths: ['/v1.0+b/*'] });
  authz.allowFlow('worker', { from: sa('worker'), to, ports: [8080] });
  authz.allowFlow('web-metrics', { from: sa('web'), to, ports: [9090], methods: ['GET'], paths: ['*'] });
  synthValid(chart);
  const reach = Reachability.fromChart(chart, { cni: Cni.calico() });
  const ask = (from: string, port: number, method: string, path: string) =>
    reach.checkRequest(Target.workload('shop', from), Target.workload('shop', 'api'), Port.tcp(port), { method, path }).verdict;

  // Istio's path semantics (istio.io AuthorizationPolicy Operation.paths): exact; `/x/*` every path
  // starting `/x/`; `/x*` every path starting `/x`; `*x` every path ending `x`; `*` every path.
  test.each([
    ['web', 8080, 'GET', '/api/orders/42', Verdict.ALLOW],
    ['web', 8080, 'HEAD', '/api/orders/', Verdict.ALLOW],
    ['web', 8080, 'GET', '/api/orders/a/b/c', Verdict.ALLOW],
    ['web', 8080, 'GET', '/api/orders', Verdict.DENY],
    ['web', 8080, 'GET', '/api/orders-archive', Verdict.DENY],
    ['web', 8080, 'GET', '/API/orders/42', Verdict.DENY],
    ['web', 8080, 'DELETE', '/api/orders/42', Verdict.DENY],
    ['web', 8080, 'GET', '/v1.0+b/x', Verdict.ALLOW],
    ['web', 8080, 'GET', '/v1x0+b/x', Verdict.DENY],
    ['web', 8080, 'GET', '/v1.00b/x', Verdict.DENY],
    ['web', 8080, 'POST', '/status/', Verdict.ALLOW],
    ['web', 8080, 'GET', '/status', Verdict.DENY],
    ['web', 8080, 'GET', '/status/x', Verdict.DENY],
    ['reporter', 8080, 'POST', '/reports/q1.csv', Verdict.ALLOW],
    ['reporter', 8080, 'POST', '/q1.csv.csv', Verdict.ALLOW],
    ['reporter', 8080, 'POST', '/reports/q1.csv/x', Verdict.DENY],
    ['reporter', 8080, 'POST', '/reports/q1xcsv', Verdict.DENY],
    ['reporter', 8080, 'GET', '/reports/q1.csv', Verdict.DENY],
    ['reporter', 8080, 'GET', '/api/orders/42', Verdict.DENY],
    ['uploader', 8080, 'PUT', '/upload', Verdict.ALLOW],
    ['uploader', 8080, 'PUT', '/uploads/a', Verdict.ALLOW],
    ['uploader', 8080, 'PUT', '/upload/', Verdict.ALLOW],
    ['uploader', 8080, 'PUT', '/up', Verdict.DENY],
    ['uploader', 8080, 'POST', '/upload', Verdict.DENY],
    ['worker', 8080, 'POST', '/status/', Verdict.ALLOW],
    ['worker', 8080, 'DELETE', '/anything', Verdict.ALLOW],
    ['web', 9090, 'GET', '/', Verdict.ALLOW],
    ['web', 9090, 'GET', '/metrics/x', Verdict.ALLOW],
    ['web', 9090, 'POST', '/metrics', Verdict.DENY],
    ['worker', 9090, 'GET', '/metrics', Verdict.DENY],
  ] as const)('%s -> api:%d %s %s -> %s', (from, port, method, path, verdict) => {
    expect(ask(from, port, method, path)).toBe(verdict);
  });

  // The one difference: Istio matches the path after its normalization (meshConfig pathNormalization,
  // BASE by default, which is not known to the analysis), Linkerd's proxy the raw path, which the
  // rendered routes never admit past a dot segment (narrower than Istio for `/./`).
  test.each([
    ['/api/orders/../../admin', Verdict.INDETERMINATE, Verdict.DENY],
    ['/api/orders/./42', Verdict.INDETERMINATE, Verdict.DENY],
    ['/api/orders/%2e%2e/%2e%2e/admin', Verdict.INDETERMINATE, Verdict.DENY],
    ['/%61pi/orders/42', Verdict.INDETERMINATE, Verdict.DENY],
    ['/api//orders/42', Verdict.INDETERMINATE, Verdict.DENY],
  ] as const)('web GET %s: Istio %s (normalized first), Linkerd %s (raw path)', (path, istio, linkerd) => {
    expect(ask('web', 8080, 'GET', path)).toBe(meshName === 'Istio' ? istio : linkerd);
  });
});

describe('the mesh default of fromChart', () => {
  test('Mesh.none() analyses the CNI alone, also for a chart whose ClusterNetwork declares a mesh', () => {
    const chart = EXAMPLES['istio-canary'](new App(), Cni.calico());
    const cniOnly = Reachability.fromChart(chart, { cni: Cni.calico(), mesh: Mesh.none() });
    expect(cniOnly.meshName).toBeUndefined();
    expect(cniOnly.check(Target.workload('checkout', 'web'), Target.workload('checkout', 'api-v1'), Port.tcp(8080)).meshVerdict).toBeUndefined();
  });

  test('a mesh that is not a factory-made Mesh is refused at the edge: a look-alike, or a hand-built one that passes instanceof', () => {
    const lookAlikes: Array<[unknown, string]> = [
      [{ kind: 'istio' }, 'a plain object'],
      ['istio', "the string 'istio'"],
      [Object.create(Mesh.prototype), 'a hand-built object'],
      [Object.assign(Object.create(Mesh.prototype), Mesh.istio({ mode: IstioMode.SIDECAR })), 'a hand-built object'],
      [new Proxy(Mesh.linkerd(), {}), 'a hand-built object'],
    ];
    for (const [mesh, given] of lookAlikes) {
      expect(() => Reachability.fromManifests([], { cni: Cni.calico(), mesh } as any)).toThrow(new ValidationError('Reachability.fromManifests', 'options.mesh',
        `must be a Mesh made by one of its factories: Mesh.none(), Mesh.istio({ mode }) or Mesh.linkerd(), not ${given}`));
    }
    expect(Reachability.fromManifests([], { cni: Cni.calico(), mesh: Mesh.linkerd() }).meshName).toBe('Linkerd');
  });
});
