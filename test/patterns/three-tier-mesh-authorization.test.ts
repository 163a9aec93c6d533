/**
 * A ThreeTierApp meshed under Istio ambient or Linkerd enforces its tier ports in the mesh
 * (`meshTierAuthorization`, default on). There, meshed pod-to-pod traffic reaches the destination on
 * the mesh's transport port (HBONE 15008, Linkerd 4143), so the NetworkPolicies' twin rule on that
 * port admits the frontend to every port of the backend and the backend to every port of the
 * database; the app's mesh authorization takes the port restriction back:
 *
 * - the analyzer, with the mesh, on several CNIs: frontend -> backend only on the backend port,
 *   backend -> database only on the database port; every flow the app intends still allowed
 *   (ingress controller, tier hops, DNS, kubelet probes, Prometheus on Linkerd's proxy admin port);
 * - the objects: per-tier ServiceAccounts, Istio DENY policies of the source tier's identity on the
 *   other ports, or Linkerd's default inbound policy `deny` on the destination tiers with Servers on
 *   the tier port and the proxy admin port;
 * - allows of the namespace the authorization would break are refused at synth, naming the policy;
 * - `meshTierAuthorization: false` restores the NetworkPolicies-only behaviour (and is type-checked).
 *
 * Ground truth: istio.io "Ambient and Kubernetes NetworkPolicy" (HBONE 15008), "Use Layer 4 security
 * policy" (ztunnel enforces principals, ports and destination.port); linkerd.io "Authorization Policy"
 * reference (Server, default policies, probe authorization) and "Network Policy" common error (4143).
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import {
  AppTier, Cni, IstioAuthorization, IstioMode, IstioMtls, LinkerdAuthorization, LinkerdInboundPolicy, Mesh, MeshAuthorization, MeshKind, MeshSource,
  MtlsMode, Peer, Port, Reachability, Target, TenantIsolation, ThreeTierApp, ThreeTierAppProps, Verdict, ZeroTrustNamespace,
} from '../../src';
import { PolicyLint } from '../../src/lint';
import { deploymentWith, meshChart, SHOP, SHOP_TIERS } from '../support/mesh';
import '../support/reachability-matchers';
import { ENFORCING_CNIS, find, ofKind, synthValid } from '../support/synth';

const TIERS = SHOP_TIERS;
const MESHES: Array<[string, () => Mesh]> = [
  ['Istio ambient', () => Mesh.istio({ mode: IstioMode.AMBIENT })],
  ['Linkerd', () => Mesh.linkerd({ cni: true })],
];
const { fe, be, db, nginx, prometheus, coredns, node } = SHOP;

function shop(cni: Cni, mesh: Mesh, props: Partial<ThreeTierAppProps> = {}): { chart: Chart; app: ThreeTierApp } {
  const chart = meshChart(cni, mesh);
  const app = new ThreeTierApp(chart, 'shop', { namespace: 'shop', mesh: {}, ...TIERS, ...props });
  return { chart, app };
}

/** Both layers (the chart's ClusterNetwork mesh), with the cluster's DNS, ingress controller and Prometheus, and a known node address. */
function analyse(chart: Chart, cni: Cni): Reachability {
  synthValid(chart);
  const reach = Reachability.fromChart(chart, { cni, nodeIp: '172.31.0.10' });
  reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
  reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
  reach.addProbe('prometheus', 'monitoring', { app: 'prometheus' });
  return reach;
}

/** Ports a meshed tier could reach on the next one through the transport-port twin: app, admin, debug, the other tiers' ports. */
const OTHER_PORTS = [22, 5432, 8081, 9090, 15000];

describe.each(ENFORCING_CNIS)('on %s', (_cniName, cni) => {
  describe.each(MESHES)('under %s', (meshName, mesh) => {
    const reach = analyse(shop(cni(), mesh()).chart, cni());

    test('meshed frontend pods reach the backend only on the backend port, the backend reaches the database only on its port', () => {
      for (const port of OTHER_PORTS) {
        const result = reach.check(fe, be, Port.tcp(port));
        // The CNI admits it (on the transport port): the mesh refuses it.
        expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
      }
      for (const port of [22, 8080, 8081, 9090]) {
        const result = reach.check(be, db, Port.tcp(port));
        expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
      }
      expect(reach).toDeny(fe, db, Port.tcp(5432));
    });

    test('every flow the app intends stays allowed, in both layers', () => {
      const allowed = (source: Target, destination: Target, port: Port) => {
        const result = reach.check(source, destination, port);
        expect([`${source} -> ${destination} ${port}`, result.verdict]).toEqual([`${source} -> ${destination} ${port}`, Verdict.ALLOW]);
      };
      allowed(nginx, fe, Port.tcp(8080));
      // A real request, not only the L4 verdict (which a probe route alone would give): the app's main flow.
      const main = reach.checkRequest(nginx, fe, Port.tcp(8080), { method: 'GET', path: '/' });
      expect([main.verdict, main.cniVerdict, main.meshVerdict, main.l7Constraints]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, []]);
      allowed(fe, be, Port.tcp(8080));
      allowed(be, db, Port.tcp(5432));
      for (const tier of [fe, be, db]) {
        allowed(tier, coredns, Port.udp(53));
        allowed(tier, coredns, Port.tcp(53));
      }
      // Kubelet probes (from the pod's own node): HTTP /healthz of the frontend and backend, TCP of the database.
      allowed(node, fe, Port.tcp(8080));
      allowed(node, be, Port.tcp(8080));
      if (meshName === 'Linkerd') {
        // The database's Server on 5432 admits the backend's identity only: the kubelet's connection never reaches PostgreSQL. Its
        // tcpSocket probe passes all the same, as before: Linkerd's proxy accepts the connection before authorizing it (linkerd/linkerd2#7777).
        const result = reach.check(node, db, Port.tcp(5432));
        expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
        expect(result.mesh!.reasons).toContain("the kubelet's tcpSocket probe of shop/shop-database on port 5432 passes as long as the Linkerd proxy "
          + 'runs, whatever this authorization decides and whether or not the application listens: the proxy completes the TCP handshake itself '
          + 'before it authorizes the connection (linkerd/linkerd2#7777), so the probe checks the proxy, not the application (an httpGet probe, '
          + "which Linkerd's probe route authorizes, checks the application)");
        // Only for the kubelet (the pod's own node): another refused client gets no such note.
        expect(reach.check(fe, db, Port.tcp(5432)).mesh!.reasons.filter((r) => r.includes('tcpSocket'))).toEqual([]);
      } else {
        allowed(node, db, Port.tcp(5432));
      }
      if (meshName === 'Linkerd') {
        // The proxies' metrics and their own probes on the admin port, as before.
        for (const tier of [fe, be, db]) {
          allowed(prometheus, tier, Port.tcp(4191));
          allowed(node, tier, Port.tcp(4191));
        }
      }
    });
  });

  test('meshTierAuthorization: false keeps the NetworkPolicies alone, which admit the meshed frontend to every port of the backend', () => {
    for (const [, mesh] of MESHES) {
      const { chart } = shop(cni(), mesh(), { meshTierAuthorization: false });
      const objects = synthValid(chart);
      expect(ofKind(objects, 'ServiceAccount')).toEqual([]);
      expect([...ofKind(objects, 'AuthorizationPolicy'), ...ofKind(objects, 'Server')]).toEqual([]);
      const result = analyse(chart, cni()).check(fe, be, Port.tcp(9090));
      expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    }
  });
});

test('in a meshed tenant namespace given as zeroTrustNamespace, the tier hops are restricted in the mesh as well', () => {
  for (const [, mesh] of MESHES) {
    const chart = meshChart(Cni.calico(), mesh());
    const tenants = new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowSameTenant: false, allowInternetEgress: false, mesh: {} });
    const ns = tenants.tenantNamespaces.acme[0];
    new ThreeTierApp(chart, 'shop', { zeroTrustNamespace: ns, ...TIERS });
    const reach = analyse(chart, Cni.calico());
    const [web, api] = [Target.workload(ns.name, 'shop-frontend'), Target.workload(ns.name, 'shop-backend')];
    expect([reach.check(web, api, Port.tcp(8080)).verdict, reach.check(web, api, Port.tcp(9090)).verdict]).toEqual([Verdict.ALLOW, Verdict.DENY]);
  }
});

describe('the objects', () => {
  const labels = (tier: string) => ({ 'app.kubernetes.io/component': tier, 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'shop' });

  test('each tier runs as its own ServiceAccount (no API token); only with the mesh authorization', () => {
    const objects = synthValid(shop(Cni.calico(), Mesh.linkerd({ cni: true })).chart);
    for (const tier of ['frontend', 'backend', 'database']) {
      expect(find(objects, 'ServiceAccount', `shop-${tier}`, 'shop')).toEqual({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: `shop-${tier}`, namespace: 'shop', labels: labels(tier) },
        automountServiceAccountToken: false,
      });
      const workload = find(objects, tier === 'database' ? 'StatefulSet' : 'Deployment', `shop-${tier}`, 'shop');
      expect(workload.spec.template.spec.serviceAccountName).toBe(`shop-${tier}`);
    }
    const unmeshed = new ThreeTierApp(meshChart(Cni.calico(), Mesh.linkerd({ cni: true })), 'shop', { namespace: 'shop', ...TIERS });
    expect(unmeshed.backend.serviceAccount).toBeUndefined();
    const sidecar = synthValid(shop(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true })).chart);
    expect([...ofKind(sidecar, 'ServiceAccount'), ...ofKind(sidecar, 'AuthorizationPolicy')]).toEqual([]);
  });

  test('Istio ambient: per hop a DENY of the source tier\'s identity on any port but the tier port, nothing else', () => {
    const objects = synthValid(shop(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }), { backend: { image: 'ghcr.io/example/api:1.0.0', port: 9000 } }).chart);
    expect(ofKind(objects, 'AuthorizationPolicy').map((o) => o.metadata.name)).toEqual([
      'shop-frontend-to-backend-other-ports', 'shop-backend-to-database-other-ports',
    ]);
    expect(find(objects, 'AuthorizationPolicy', 'shop-frontend-to-backend-other-ports', 'shop').spec).toEqual({
      selector: { matchLabels: labels('backend') },
      action: 'DENY',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/shop-frontend'] } }], when: [{ key: 'destination.port', notValues: ['9000'] }] }],
    });
    expect(find(objects, 'AuthorizationPolicy', 'shop-backend-to-database-other-ports', 'shop').spec).toEqual({
      selector: { matchLabels: labels('database') },
      action: 'DENY',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/shop-backend'] } }], when: [{ key: 'destination.port', notValues: ['5432'] }] }],
    });
    // No PeerAuthentication is required (see IstioAuthorization._denyMeshedFlow), and no pod annotation.
    expect(find(objects, 'Deployment', 'shop-backend', 'shop').spec.template.metadata.annotations).toBeUndefined();
  });

  test('Linkerd: default inbound policy deny on the backend and database pods, Servers on the tier port for the source tier, on the admin port for anyone', () => {
    const objects = synthValid(shop(Cni.calico(), Mesh.linkerd({ cni: true })).chart);
    const annotations = (kind: string, name: string) => find(objects, kind, name, 'shop').spec.template.metadata.annotations;
    expect(annotations('Deployment', 'shop-frontend')).toBeUndefined();
    expect(annotations('Deployment', 'shop-backend')).toEqual({ 'config.linkerd.io/default-inbound-policy': 'deny' });
    expect(annotations('StatefulSet', 'shop-database')).toEqual({ 'config.linkerd.io/default-inbound-policy': 'deny' });
    const servers = ofKind(objects, 'Server').map((o) => [o.metadata.name, o.spec]);
    expect(servers).toEqual([
      ['backend-shop-shop-5a6d43de4c-8080', { podSelector: { matchLabels: labels('backend') }, port: 8080, accessPolicy: 'deny' }],
      ['backend-shop-shop-5a6d43de4c-4191', { podSelector: { matchLabels: labels('backend') }, port: 4191, accessPolicy: 'deny' }],
      // 5432 is one of Linkerd's default opaque ports, which the proxy injector writes onto the pods: the Server keeps it opaque.
      ['database-shop-shop-b55e47cbd1-5432', { podSelector: { matchLabels: labels('database') }, port: 5432, proxyProtocol: 'opaque', accessPolicy: 'deny' }],
      ['database-shop-shop-b55e47cbd1-4191', { podSelector: { matchLabels: labels('database') }, port: 4191, accessPolicy: 'deny' }],
    ]);
    // The tier port admits exactly what the NetworkPolicies admit there: the source tier's pods, by their identity.
    expect(ofKind(objects, 'MeshTLSAuthentication').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['shop-frontend-to-backend', { identities: ['shop-frontend.shop.serviceaccount.identity.linkerd.cluster.local'] }],
      ['shop-backend-to-database', { identities: ['shop-backend.shop.serviceaccount.identity.linkerd.cluster.local'] }],
    ]);
    expect(find(objects, 'AuthorizationPolicy', 'shop-frontend-to-backend-8080', 'shop').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'backend-shop-shop-5a6d43de4c-8080' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'shop-frontend-to-backend' }],
    });
    // The admin port admits whom the namespace's default policy admitted (the NetworkPolicies open it to monitoring and the node only).
    expect(find(objects, 'NetworkAuthentication', 'shop-backend-proxy-admin', 'shop').spec).toEqual({ networks: [{ cidr: '0.0.0.0/0' }] });
    expect(find(objects, 'AuthorizationPolicy', 'shop-backend-proxy-admin-4191', 'shop').spec).toEqual({
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'backend-shop-shop-5a6d43de4c-4191' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'shop-backend-proxy-admin' }],
    });
    expect(ofKind(objects, 'AuthorizationPolicy').map((o) => o.metadata.name)).toEqual([
      'shop-frontend-to-backend-8080', 'shop-backend-proxy-admin-4191', 'shop-backend-to-database-5432', 'shop-database-proxy-admin-4191',
    ]);
  });
});

test('Linkerd: a tier port among the default opaque ports stays opaque on its Server (MySQL speaks first), another port is left to detection', () => {
  const server = (props: Partial<ThreeTierAppProps>, name: string) => find(synthValid(shop(Cni.calico(), Mesh.linkerd({ cni: true }), props).chart),
    'Server', name, 'shop').spec;
  const mysql = server({ database: { image: 'mysql:8.4', port: 3306 } }, 'database-shop-shop-b55e47cbd1-3306');
  expect(mysql).toEqual({ podSelector: { matchLabels: expect.any(Object) }, port: 3306, proxyProtocol: 'opaque', accessPolicy: 'deny' });
  expect(server({ database: { image: 'postgres:16.4', port: 15432 } }, 'database-shop-shop-b55e47cbd1-15432').proxyProtocol).toBeUndefined();
  // (A backend on 6379 is opaque too, and its httpGet probes are then refused at synth: see the opaque probe test below.)
  expect(server({}, 'backend-shop-shop-5a6d43de4c-4191').proxyProtocol).toBeUndefined();
});

test('Linkerd: the tier Servers follow the pods\' real opaque ports: a namespace annotation replacing the default list (added after the app)', () => {
  const { chart } = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { database: { image: 'postgres:16.4', port: 15432 } });
  // linkerd2 proxy-injector: the namespace's config.linkerd.io/opaque-ports reaches pods (and Services) without one, replacing proxy.opaquePorts.
  const ns = chart.node.findAll().filter(ApiObject.isApiObject).find((o) => o.kind === 'Namespace' && o.name === 'shop')!;
  ns.metadata.addAnnotation('config.linkerd.io/opaque-ports', '15432,5432');
  const objects = synthValid(chart);
  expect(ofKind(objects, 'Server').map((o) => [o.metadata.name, o.spec.proxyProtocol])).toEqual([
    ['backend-shop-shop-5a6d43de4c-8080', undefined],
    ['backend-shop-shop-5a6d43de4c-4191', undefined],
    // 15432 is on no default list, but on the namespace's: opaque, as on the pods (the database's tcpSocket probes need no probe route).
    ['database-shop-shop-b55e47cbd1-15432', 'opaque'],
    ['database-shop-shop-b55e47cbd1-4191', undefined],
  ]);
  expect(PolicyLint.check(objects).filter((f) => f.rule === 'linkerd-opaque-ports-one-side')).toEqual([]);
});

describe('Linkerd: the tier port admits the source tier whatever the namespace\'s policy; the admin port whom that policy admitted', () => {
  const meshed = (policy?: LinkerdInboundPolicy) => shop(Cni.calico(), Mesh.linkerd({ cni: true }), {
    mesh: policy ? { linkerdDefaultInboundPolicy: policy } : {},
  });

  test.each([
    [undefined, { kind: 'NetworkAuthentication', spec: { networks: [{ cidr: '0.0.0.0/0' }] } }],
    [LinkerdInboundPolicy.ALL_UNAUTHENTICATED, { kind: 'NetworkAuthentication', spec: { networks: [{ cidr: '0.0.0.0/0' }] } }],
    [LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED, { kind: 'NetworkAuthentication', spec: { networks: [{ cidr: '0.0.0.0/0' }] } }],
    [LinkerdInboundPolicy.AUDIT, { kind: 'NetworkAuthentication', spec: { networks: [{ cidr: '0.0.0.0/0' }] } }],
    [LinkerdInboundPolicy.ALL_AUTHENTICATED, { kind: 'MeshTLSAuthentication', spec: { identities: ['*'] } }],
    [LinkerdInboundPolicy.CLUSTER_AUTHENTICATED, { kind: 'MeshTLSAuthentication', spec: { identities: ['*'] } }],
  ])('namespace policy %s', (policy, authentication) => {
    const objects = synthValid(meshed(policy).chart);
    for (const [from, tier] of [['frontend', 'backend'], ['backend', 'database']]) {
      const found = objects.filter((o) => o.metadata.name === `shop-${tier}-proxy-admin` && /Authentication$/.test(o.kind));
      expect(found.map((o) => ({ kind: o.kind, spec: o.spec }))).toEqual([authentication]);
      // Before, the tier port's AuthorizationPolicy took the admin port's authentication too (anyone, or any meshed identity).
      expect(find(objects, 'AuthorizationPolicy', `shop-${from}-to-${tier}-${tier === 'backend' ? 8080 : 5432}`, 'shop').spec.requiredAuthenticationRefs)
        .toEqual([{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: `shop-${from}-to-${tier}` }]);
      expect(find(objects, 'MeshTLSAuthentication', `shop-${from}-to-${tier}`, 'shop').spec)
        .toEqual({ identities: [`shop-${from}.shop.serviceaccount.identity.linkerd.cluster.local`] });
    }
  });

  test('deny: the tier-port Servers (the source tier\'s identity), the frontend port\'s (anyone), no admin-port Server, no pod annotation the Namespace already carries', () => {
    const { chart, app } = meshed(LinkerdInboundPolicy.DENY);
    const objects = synthValid(chart);
    const labels = (tier: AppTier) => app.podLabels(tier);
    // Before: nothing at all, and the namespace's deny refused the tier hops the NetworkPolicies admit; then the tier-port Servers
    // alone, and the namespace's deny refused the ingress controller's requests to the frontend but for its probe paths.
    expect(ofKind(objects, 'Server').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['backend-shop-shop-5a6d43de4c-8080', { podSelector: { matchLabels: labels(AppTier.BACKEND) }, port: 8080, accessPolicy: 'deny' }],
      ['database-shop-shop-b55e47cbd1-5432', {
        podSelector: { matchLabels: labels(AppTier.DATABASE) }, port: 5432, proxyProtocol: 'opaque', accessPolicy: 'deny',
      }],
      ['frontend-shop-shop-2625620133-8080', { podSelector: { matchLabels: labels(AppTier.FRONTEND) }, port: 8080, accessPolicy: 'deny' }],
    ]);
    expect(ofKind(objects, 'MeshTLSAuthentication').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['shop-frontend-to-backend', { identities: ['shop-frontend.shop.serviceaccount.identity.linkerd.cluster.local'] }],
      ['shop-backend-to-database', { identities: ['shop-backend.shop.serviceaccount.identity.linkerd.cluster.local'] }],
    ]);
    expect(ofKind(objects, 'AuthorizationPolicy').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['shop-frontend-to-backend-8080', {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'backend-shop-shop-5a6d43de4c-8080' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'shop-frontend-to-backend' }],
      }],
      ['shop-backend-to-database-5432', {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'database-shop-shop-b55e47cbd1-5432' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'shop-backend-to-database' }],
      }],
      // The ingress controller's (or Gateway's) identity is not known: anyone, narrowed by the frontend's NetworkPolicies.
      ['shop-frontend-ingress-8080', {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'frontend-shop-shop-2625620133-8080' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'shop-frontend-ingress' }],
      }],
    ]);
    expect(ofKind(objects, 'NetworkAuthentication').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['shop-frontend-ingress', { networks: [{ cidr: '0.0.0.0/0' }] }],
    ]);
    expect(ofKind(objects, 'HTTPRoute')).toEqual([]);
    // The pods' deny would repeat the app's Namespace object's (Linkerd reads the pod's annotation, else its namespace's).
    expect(find(objects, 'Namespace', 'shop').metadata.annotations).toEqual({
      'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'deny',
    });
    for (const [kind, name] of [['Deployment', 'shop-frontend'], ['Deployment', 'shop-backend'], ['StatefulSet', 'shop-database']]) {
      expect(find(objects, kind, name, 'shop').spec.template.metadata.annotations).toBeUndefined();
    }
  });

  test('deny in a namespace the app does not create: the destination pods keep deny (the namespace may say otherwise)', () => {
    const objects = synthValid(shop(Cni.calico(), Mesh.linkerd({ cni: true }), {
      mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY }, createNamespace: false,
    }).chart);
    expect(ofKind(objects, 'Namespace')).toEqual([]);
    expect(ofKind(objects, 'Server').map((o) => o.metadata.name)).toEqual([
      'backend-shop-shop-5a6d43de4c-8080', 'database-shop-shop-b55e47cbd1-5432', 'frontend-shop-shop-2625620133-8080',
    ]);
    // The app restricts nothing on the frontend pods (its Server only gives back the port the namespace's deny closed): no annotation.
    expect(find(objects, 'Deployment', 'shop-frontend', 'shop').spec.template.metadata.annotations).toBeUndefined();
    expect(find(objects, 'Deployment', 'shop-backend', 'shop').spec.template.metadata.annotations).toEqual({ 'config.linkerd.io/default-inbound-policy': 'deny' });
    expect(find(objects, 'StatefulSet', 'shop-database', 'shop').spec.template.metadata.annotations).toEqual({ 'config.linkerd.io/default-inbound-policy': 'deny' });
  });

  test('all-authenticated: unmeshed Prometheus was refused the admin port\'s metrics before and still is (never wider); other ports now too', () => {
    const verdicts = [true, false].map((meshTierAuthorization) => {
      const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
      const mesh = { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.ALL_AUTHENTICATED };
      new ThreeTierApp(chart, 'shop', { namespace: 'shop', mesh, meshTierAuthorization, ...TIERS });
      const reach = analyse(chart, Cni.calico());
      return [
        reach.checkRequest(prometheus, be, Port.tcp(4191), { method: 'GET', path: '/metrics' }).meshVerdict,
        reach.checkRequest(node, be, Port.tcp(4191), { method: 'GET', path: '/ready' }).meshVerdict,
        reach.check(fe, be, Port.tcp(8080)).verdict,
        reach.check(fe, be, Port.tcp(9090)).meshVerdict,
      ];
    });
    expect(verdicts).toEqual([
      [Verdict.DENY, Verdict.ALLOW, Verdict.ALLOW, Verdict.DENY],
      [Verdict.DENY, Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW],
    ]);
  });

  test('cluster-unauthenticated: an allow from an address block to a destination tier is refused (tier port: no identity; admin port: the cluster networks are not known)', () => {
    const { chart, app } = meshed(LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED);
    app.zeroTrustNamespace.allowIngress('partner', app.podLabels(AppTier.BACKEND), [Peer.cidr('203.0.113.0/24')], [Port.tcp(8080), Port.tcp(4191)]);
    const message = (() => { try { synthValid(chart); return ''; } catch (e) { return (e as Error).message; } })();
    expect(message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim().split(', so ')[0])).toEqual([
      "[test/shop] meshTierAuthorization: the policy 'partner' (test/shop/Namespace/partner) allows ingress[0] to the backend pods on TCP/8080 from "
        + "others than the frontend pods, but under Linkerd the app's Server 'backend-shop-shop-5a6d43de4c-8080' on that port admits the frontend "
        + 'identity only (shop-frontend)',
      "[test/shop] meshTierAuthorization: the policy 'partner' (test/shop/Namespace/partner) allows ingress[0] to the backend pods on TCP/4191, but "
        + "under Linkerd the backend pods' admin-port Servers admit whom the namespace's default inbound policy admits without its cluster-network "
        + 'condition (the cluster networks are not known here)',
    ]);
  });
});

describe('allows the mesh authorization would break are refused at synth, naming the policy', () => {
  test('Linkerd: any other port opened to the backend or database pods', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    app.zeroTrustNamespace.allowIngress('scrape-api', app.podLabels(AppTier.BACKEND), [Peer.monitoring()], [Port.tcp(9090)]);
    expect(() => synthValid(chart)).toThrow("meshTierAuthorization: the policy 'scrape-api' (test/shop/Namespace/scrape-api) allows ingress[0] to the "
      + 'backend pods on TCP/9090, but under Linkerd the backend pods refuse, in the mesh, every port but 8080 and the proxy admin port (Linkerd '
      + 'default inbound policy deny), so the flow would be refused silently. Set meshTierAuthorization: false');
  });

  test('Linkerd: another port passes where a Server of the user\'s describes it on every pod of the tier (the default policy no longer applies there)', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    const backend = app.podLabels(AppTier.BACKEND);
    app.zeroTrustNamespace.allowIngress('scrape-api', backend, [Peer.monitoring()], [Port.tcp(9090)]);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('scrape', { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: backend, ports: [9090] });
    expect(() => synthValid(chart)).not.toThrow();
    // A Server on part of the tier's pods only (a label the tier's template lacks) leaves the others to the app's deny: refused.
    const partial = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    partial.app.zeroTrustNamespace.allowIngress('scrape-api', backend, [Peer.monitoring()], [Port.tcp(9090)]);
    new LinkerdAuthorization(partial.chart, 'authz', { namespace: 'shop' })
      .allowFlow('scrape', { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: { ...backend, track: 'canary' }, ports: [9090] });
    expect(() => synthValid(partial.chart)).toThrow("meshTierAuthorization: the policy 'scrape-api' (test/shop/Namespace/scrape-api) allows ingress[0] "
      + 'to the backend pods on TCP/9090');
  });

  test('Linkerd: the source tier on the tier port, the admin port and other tiers\' allows pass', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    app.zeroTrustNamespace.allowIngress('api-from-web', app.podLabels(AppTier.BACKEND), [Peer.pods(app.podLabels(AppTier.FRONTEND))], [Port.tcp(8080)]);
    app.zeroTrustNamespace.allowIngress('scrape-api-proxy', app.podLabels(AppTier.BACKEND), [Peer.monitoring()], [Port.tcp(4191)]);
    app.zeroTrustNamespace.allowIngress('scrape-web', app.podLabels(AppTier.FRONTEND), [Peer.monitoring()], [Port.tcp(9090)]);
    app.zeroTrustNamespace.allowIngress('dns-udp', app.podLabels(AppTier.DATABASE), [Peer.monitoring()], [Port.udp(9999)]);
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('Linkerd: an allow on the tier port from others than the source tier is refused, unless a port-level flow of the user\'s names callers there', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    const backend = app.podLabels(AppTier.BACKEND);
    app.zeroTrustNamespace.allowIngress('api-from-other', backend, [Peer.pods(app.podLabels(AppTier.FRONTEND)), Peer.namespace('other')], [Port.tcp(8080)]);
    // Before: synthesized, and the app's Server admitted anyone on 8080 (so the allow worked, and so did any other pod's proxy on 4143).
    expect(() => synthValid(chart)).toThrow("[test/shop] meshTierAuthorization: the policy 'api-from-other' (test/shop/Namespace/api-from-other) allows "
      + "ingress[0] to the backend pods on TCP/8080 from others than the frontend pods, but under Linkerd the app's Server "
      + "'backend-shop-shop-5a6d43de4c-8080' on that port admits the frontend identity only (shop-frontend), so the mesh would refuse them silently. "
      + 'Name their mesh identities with a port-level flow to the backend pods on 8080 (LinkerdAuthorization or MeshAuthorization allowFlow(name, '
      + '{ from: [MeshSource.serviceAccount(...)], to: app.podLabels(AppTier.BACKEND), ports: [8080] }): it joins the app\'s Server), set '
      + 'meshTierAuthorization: false and authorize the tiers in the mesh yourself, or remove the allow');
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('other-api', { from: [MeshSource.namespace('other')], to: backend, ports: [8080] });
    const objects = synthValid(chart);
    // The flow joins the app's Server (one Server per pods and port): its policy adds the namespace's identities beside the frontend's.
    expect(ofKind(objects, 'AuthorizationPolicy').filter((o) => o.spec.targetRef.name === 'backend-shop-shop-5a6d43de4c-8080').map((o) => o.metadata.name))
      .toEqual(['shop-frontend-to-backend-8080', 'other-api-8080']);
  });

  test('Linkerd: a namespace-wide AuthorizationPolicy of the user\'s (kind Namespace: every Server there) names callers on the tier port too', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    app.zeroTrustNamespace.allowIngress('api-from-other', app.podLabels(AppTier.BACKEND), [Peer.namespace('other')], [Port.tcp(8080)]);
    expect(() => synthValid(chart)).toThrow("the policy 'api-from-other'");
    new ApiObject(chart, 'other-mtls', {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: { name: 'other', namespace: 'shop' },
      spec: { identities: ['*.other.serviceaccount.identity.linkerd.cluster.local'] },
    });
    new ApiObject(chart, 'other-everywhere', {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'other-everywhere', namespace: 'shop' },
      spec: {
        targetRef: { kind: 'Namespace', name: 'shop' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'other' }],
      },
    });
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('Linkerd: a port-level flow of the user\'s on the tier port joins the app\'s Server; one on the admin port is refused (the app\'s policy would void it)', () => {
    // Linkerd admits a client that any AuthorizationPolicy of the Server authorizes: on the admin port the app's policy (anyone, as the
    // namespace's default) would void the flow's restriction; on the tier port the app admits the frontend only, and the flow names more callers.
    for (const [kind, port] of [['LinkerdAuthorization', 8080], ['MeshAuthorization', 8080], ['LinkerdAuthorization', 4191], ['MeshAuthorization', 4191]] as const) {
      const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
      const options = { from: [MeshSource.serviceAccount('api', 'partner')], to: app.podLabels(AppTier.BACKEND), ports: [port] };
      if (kind === 'LinkerdAuthorization') new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('partner-api', options);
      else new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('partner-api', options);
      const path = kind === 'LinkerdAuthorization' ? 'test/authz' : 'test/authz/Linkerd';
      if (port === 8080) {
        // Before: refused (the app's Server admitted anyone there).
        expect(() => synthValid(chart)).not.toThrow();
        continue;
      }
      expect(() => synthValid(chart)).toThrow(`[test/shop] meshTierAuthorization: the AuthorizationPolicy 'partner-api-${port}' `
        + `(${path}/AuthorizationPolicy-partner-api-${port}) targets the Server 'backend-shop-shop-5a6d43de4c-${port}' (the backend pods' port ${port}), `
        + 'on which the app authorizes anyone (as the namespace\'s default inbound policy all-unauthenticated did): Linkerd admits a client any '
        + 'policy of the Server authorizes, so the flow would no longer restrict who reaches the port. Set meshTierAuthorization: false');
    }
  });

  test('Linkerd: the user\'s route-level flow on the app\'s Server is refused too (its HTTPRoutes), a flow on another port of the tier passes', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowFlow('scrape-api', { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: app.podLabels(AppTier.DATABASE), ports: [9187] });
    expect(() => synthValid(chart)).not.toThrow();
    authz.allowFlow('web-reads', {
      from: [MeshSource.serviceAccount('shop-frontend', 'shop')], to: app.podLabels(AppTier.BACKEND), ports: [8080], methods: ['GET'], paths: ['/api/*'],
    });
    const message = (() => { try { synthValid(chart); return ''; } catch (e) { return (e as Error).message; } })();
    expect(message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim().split(' targets ')[0])).toEqual([
      "[test/shop] meshTierAuthorization: the HTTPRoute 'backend-shop-shop-5a6d43de4c-8080-catch-all' (test/authz/HTTPRoute-backend-shop-shop-5a6d43de4c-8080-catch-all)",
      "[test/shop] meshTierAuthorization: the HTTPRoute 'web-reads-8080' (test/authz/HTTPRoute-web-reads-8080)",
    ]);
  });

  test('Istio ambient: only an allow from the source tier to another port is refused', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    app.zeroTrustNamespace.allowIngress('scrape-api', app.podLabels(AppTier.BACKEND), [Peer.monitoring()], [Port.tcp(9090)]);
    expect(() => synthValid(chart)).not.toThrow();
    app.zeroTrustNamespace.allowFlow('web-admin', app.podLabels(AppTier.FRONTEND), app.podLabels(AppTier.BACKEND), [Port.tcp(9091)]);
    expect(() => synthValid(chart)).toThrow("meshTierAuthorization: the policy 'web-admin-ingress' (test/shop/Namespace/web-admin-ingress) allows "
      + 'ingress[0] to the backend pods on TCP/9091, but under Istio (ambient) the backend pods refuse the frontend identity every port but 8080 '
      + '(an Istio DENY policy), so the flow would be refused silently');
  });

  test('with meshTierAuthorization: false the same allows synthesize', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { meshTierAuthorization: false });
    app.zeroTrustNamespace.allowIngress('scrape-api', app.podLabels(AppTier.BACKEND), [Peer.monitoring()], [Port.tcp(9090)]);
    expect(() => synthValid(chart)).not.toThrow();
  });
});

describe('mesh authorization naming the namespace\'s default ServiceAccount (the tiers\' identity before they had their own) is refused', () => {
  /** A flow from `shop/default` to the backend on 9090: the frontend ran as `default` and reached it so, before the tiers had accounts. */
  function withDefaultFlow(mesh: Mesh, props: Partial<ThreeTierAppProps> = {}): { chart: Chart; app: ThreeTierApp } {
    const built = shop(Cni.calico(), mesh, props);
    if (mesh.kind === MeshKind.ISTIO) new IstioMtls(built.chart, 'mtls', { namespace: 'shop', mode: MtlsMode.STRICT });
    new MeshAuthorization(built.chart, 'authz', { namespace: 'shop' })
      .allowFlow('web-to-api', { from: [MeshSource.serviceAccount('default', 'shop')], to: built.app.podLabels(AppTier.BACKEND), ports: [9090] });
    return built;
  }
  const tail = "the mesh identity of the app's pods before they ran as ServiceAccounts of their own (shop-frontend, shop-backend, shop-database), "
    + "and no other workload of namespace shop runs as 'default': it no longer applies to the tiers (an allow no longer admits them, a deny no longer refuses them). Name the tier's own account "
    + "(MeshSource.serviceAccount('shop-frontend', 'shop')), or set meshTierAuthorization: false";

  test('under Istio ambient: the ALLOW policy naming the principal', () => {
    const { chart } = withDefaultFlow(Mesh.istio({ mode: IstioMode.AMBIENT }));
    expect(() => synthValid(chart)).toThrow("[test/shop] meshTierAuthorization: the AuthorizationPolicy 'web-to-api' "
      + `(test/authz/Istio/web-to-api) names the principal cluster.local/ns/shop/sa/default, ${tail}`);
  });

  test('under Linkerd, also where the namespace\'s policy is deny', () => {
    for (const mesh of [{}, { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY }]) {
      const { chart } = withDefaultFlow(Mesh.linkerd({ cni: true }), { mesh });
      expect(() => synthValid(chart)).toThrow("[test/shop] meshTierAuthorization: the MeshTLSAuthentication 'web-to-api' "
        + '(test/authz/Linkerd/MeshTLSAuthentication-web-to-api) names the identity default.shop.serviceaccount.identity.linkerd.cluster.local, '
        + tail);
    }
  });

  test('not while another workload of the namespace runs as default, nor with meshTierAuthorization: false', () => {
    for (const mesh of [Mesh.istio({ mode: IstioMode.AMBIENT }), Mesh.linkerd({ cni: true })]) {
      const { chart, app } = withDefaultFlow(mesh);
      deploymentWith(chart, 'shop', 'worker', { app: 'worker' }, {});
      if (mesh.kind === MeshKind.ISTIO) {
        // The flow's allow-nothing baseline covers the tiers: their own hops need ALLOW flows too (refused at synth otherwise).
        const hops = new MeshAuthorization(chart, 'hops', { namespace: 'shop' });
        hops.allowFlow('ingress', { from: [MeshSource.namespace('ingress-nginx')], to: app.podLabels(AppTier.FRONTEND), ports: [8080] });
        hops.allowFlow('web', { from: [MeshSource.serviceAccount('shop-frontend', 'shop')], to: app.podLabels(AppTier.BACKEND), ports: [8080] });
        hops.allowFlow('api', { from: [MeshSource.serviceAccount('shop-backend', 'shop')], to: app.podLabels(AppTier.DATABASE), ports: [5432] });
      }
      expect(() => synthValid(chart)).not.toThrow();
    }
    for (const mesh of [Mesh.istio({ mode: IstioMode.AMBIENT }), Mesh.linkerd({ cni: true })]) {
      expect(() => synthValid(withDefaultFlow(mesh, { meshTierAuthorization: false }).chart)).not.toThrow();
    }
  });
});

test('meshTierAuthorization is type-checked at runtime', () => {
  expect(() => shop(Cni.calico(), Mesh.linkerd({ cni: true }), { meshTierAuthorization: 'false' as unknown as boolean }))
    .toThrow("[test/shop] meshTierAuthorization: must be true or false, got the string 'false'");
});

describe('Istio ambient: ALLOW policies of the namespace that would refuse the app\'s own hops are refused at synth', () => {
  const ambient = () => {
    const built = shop(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    new IstioMtls(built.chart, 'mtls', { namespace: 'shop', mode: MtlsMode.STRICT });
    return { ...built, authz: new IstioAuthorization(built.chart, 'authz', { namespace: 'shop', allowNothing: false }) };
  };

  test('an ALLOW flow on the backend for another caller only: the frontend hop is named, the frontend and database are not selected', () => {
    const { chart, app, authz } = ambient();
    authz.allowFlow('partner', { from: [MeshSource.namespace('partner')], to: app.podLabels(AppTier.BACKEND), ports: [8080] });
    expect(() => synthValid(chart)).toThrow(new RegExp('^Validation failed with the following errors:\\n  \\[test/shop\\] meshTierAuthorization: the '
      + "AuthorizationPolicy 'partner' \\(test/authz/partner\\) selects the backend pods, and no ALLOW policy there admits the frontend's identity "
      + 'cluster.local/ns/shop/sa/shop-frontend on port 8080, so ztunnel refuses [^\\n]*$'));
    // Before: synthesized, and the analyzer found the hop refused.
  });

  test('a rule that may admit the source tier on the tier port passes: its namespace, a wildcard principal, no port list', () => {
    for (const from of [MeshSource.namespace('shop'), MeshSource.principal('cluster.local/ns/shop/sa/*'), MeshSource.anyMeshWorkload()]) {
      const { chart, app, authz } = ambient();
      authz.allowFlow('in-namespace', { from: [from], to: app.podLabels(AppTier.BACKEND), ports: [8080] });
      expect(() => synthValid(chart)).not.toThrow();
    }
    const { chart, app, authz } = ambient();
    authz.allowFlow('any-port', { from: [MeshSource.serviceAccount('shop-frontend', 'shop')], to: app.podLabels(AppTier.BACKEND) });
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('a policy selecting more than the tier\'s labels (maybe not its pods) is not counted', () => {
    const { chart, app, authz } = ambient();
    authz.allowFlow('canary-only', { from: [MeshSource.namespace('partner')], to: { ...app.podLabels(AppTier.BACKEND), track: 'canary' }, ports: [8080] });
    expect(() => synthValid(chart)).not.toThrow();
  });

  // Istio applies a root-namespace (istio-system) policy without selector to every workload of the mesh, one with a selector to the
  // matching workloads of every namespace (istio.io "Authorization Policy" reference, selector and root namespace).
  const rootPolicy = (chart: Chart, id: string, spec: Record<string, unknown>) => new ApiObject(chart, id, {
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: id, namespace: 'istio-system' }, spec,
  });

  test('a mesh-wide ALLOW of the root namespace admitting the ingress and the tiers keeps them open under the namespace\'s allow-nothing', () => {
    const { chart } = shop(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    rootPolicy(chart, 'platform-allow', { action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['ingress-nginx', 'shop'] } }] }] });
    expect(() => synthValid(chart)).not.toThrow();
    // Before: refused, naming only the namespace's allow-nothing (the root namespace's policies were not read).
  });

  test('a mesh-wide allow-nothing of the root namespace is refused like the namespace\'s', () => {
    const { chart } = shop(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    rootPolicy(chart, 'mesh-allow-nothing', {});
    const message = (() => { try { synthValid(chart); return ''; } catch (e) { return (e as Error).message; } })();
    expect(message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim().split(' so ztunnel ')[0])).toEqual([
      "[test/shop] meshTierAuthorization: the AuthorizationPolicy 'mesh-allow-nothing' (test/mesh-allow-nothing) selects the frontend pods without "
        + 'a rule (allow nothing),',
      "[test/shop] meshTierAuthorization: the AuthorizationPolicy 'mesh-allow-nothing' (test/mesh-allow-nothing) selects the backend pods, and no "
        + "ALLOW policy there admits the frontend's identity cluster.local/ns/shop/sa/shop-frontend on port 8080,",
      "[test/shop] meshTierAuthorization: the AuthorizationPolicy 'mesh-allow-nothing' (test/mesh-allow-nothing) selects the database pods, and no "
        + "ALLOW policy there admits the backend's identity cluster.local/ns/shop/sa/shop-backend on port 5432,",
    ]);
    // Before: synthesized, and ztunnel refused every request to the app.
  });

  test('an ALLOW selecting the tiers by the app\'s extra labels (on every pod) counts, for the hops it admits too', () => {
    const { chart } = shop(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }), { labels: { team: 'shop' } });
    new IstioMtls(chart, 'mtls', { namespace: 'shop', mode: MtlsMode.STRICT });
    new IstioAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('team', { from: [MeshSource.namespace('shop'), MeshSource.namespace('ingress-nginx')], to: { team: 'shop' } });
    expect(() => synthValid(chart)).not.toThrow();
    // Before: refused (the policy was matched against the tier labels only, so only the allow-nothing selected the tiers).
  });

  test('an ALLOW rule with L7 attributes admits nothing at ztunnel: the hop it seems to admit is refused', () => {
    // istiod leaves an ALLOW rule with HTTP attributes out of what it sends ztunnel (analysis/mesh/istio-ztunnel).
    const { chart, app } = ambient();
    new ApiObject(chart, 'web-reads', {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'web-reads', namespace: 'shop' },
      spec: {
        action: 'ALLOW',
        selector: { matchLabels: app.podLabels(AppTier.BACKEND) },
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/shop-frontend'] } }], to: [{ operation: { ports: ['8080'], methods: ['GET'] } }] }],
      },
    });
    const message = (() => { try { synthValid(chart); return ''; } catch (e) { return (e as Error).message; } })();
    expect(message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim().split(', so ztunnel ')[0])).toEqual([
      "[test/shop] meshTierAuthorization: the AuthorizationPolicy 'web-reads' (test/web-reads) selects the backend pods, and no ALLOW policy there "
        + "admits the frontend's identity cluster.local/ns/shop/sa/shop-frontend on port 8080",
    ]);
    // Before: synthesized, and ztunnel refused the hop.
  });

  test('a dry-run ALLOW (istio.io/dry-run) is enforced nowhere and not counted', () => {
    const { chart } = shop(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop' });
    authz.allowNothingPolicy!.metadata.addAnnotation('istio.io/dry-run', 'true');
    expect(() => synthValid(chart)).not.toThrow();
    // Before: refused, naming the dry-run allow-nothing.
  });
});

test.each([
  ['Linkerd\'s default policy (a 6379 tier port, on the default opaque list)', {}, 6379],
  ['all-authenticated (a namespace opaque-ports list)', { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.ALL_AUTHENTICATED }, 8080],
])('Linkerd, %s: a tier\'s httpGet probe on an opaque tier port (which admits the source tier only) is refused with the app\'s remedies', (_, mesh, port) => {
  // An opaque Server has no probe route (its unauthenticated kubelet connection takes the Server's authorizations), and the app's
  // Server on the tier port admits the frontend's identity only, so the message names what the user can change.
  // Before, the Server admitted anyone under the default policy: no error (and the probe passed).
  const { chart } = shop(Cni.calico(), Mesh.linkerd({ cni: true }), {
    mesh,
    backend: { image: 'ghcr.io/example/api:1.0.0', port, healthCheckPath: '/healthz' },
  });
  if (port === 8080) {
    const ns = chart.node.findAll().filter(ApiObject.isApiObject).find((o) => o.kind === 'Namespace' && o.name === 'shop')!;
    ns.metadata.addAnnotation('config.linkerd.io/opaque-ports', '8080,5432');
  }
  let message = '';
  try { synthValid(chart); } catch (e) { message = (e as Error).message; }
  expect(message).toContain(`[test/shop/MeshTierAuthorization] Server 'backend-shop-shop-5a6d43de4c-${port}' (namespace shop, port ${port}) is opaque`);
  expect(message).toContain(`GET /healthz on port ${port}, is admitted by no flow from MeshSource.anyone(), so the kubelet restarts the container again `
    + "and again and its pods never become ready. The app's Server on this port admits the source tier's mesh identity only (and the port-level flows "
    + "you add on it), not the kubelet: give the tier a port outside the pods' opaque ports");
  expect(message).not.toContain('Add allowFlow');
});

describe('Linkerd: the tier port admits exactly the source tier, not whoever the namespace\'s default policy admitted', () => {
  test.each(ENFORCING_CNIS)('on %s: a meshed worker the user allows on another backend port (9090) no longer reaches the backend API on 8080', (_n, cni) => {
    const { chart, app } = shop(cni(), Mesh.linkerd({ cni: true }));
    const backend = app.podLabels(AppTier.BACKEND);
    // A worker of the namespace (its own ServiceAccount) calls the backend's second port: NetworkPolicies both ways, and the mesh flow.
    app.backend.containers[0].addPort({ number: 9090, name: 'jobs' });
    deploymentWith(chart, 'shop', 'worker', { app: 'worker' }, {}, { serviceAccountName: 'worker' });
    app.zeroTrustNamespace.allowFlow('worker-to-api-jobs', { app: 'worker' }, backend, [Port.tcp(9090)]);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('worker-jobs', { from: [MeshSource.serviceAccount('worker', 'shop')], to: backend, ports: [9090] });
    const reach = analyse(chart, cni());
    const worker = Target.workload('shop', 'worker');
    const verdicts = (s: Target, d: Target, p: Port, request?: { method: string; path: string }) => {
      const r = request ? reach.checkRequest(s, d, p, request) : reach.check(s, d, p);
      return [`${s} -> ${d} ${p}${request ? ` ${request.method} ${request.path}` : ''}`, r.verdict, r.cniVerdict, r.meshVerdict];
    };
    const get = (path: string) => ({ method: 'GET', path });
    const { ALLOW, DENY } = Verdict;
    expect([
      verdicts(worker, be, Port.tcp(9090)),
      // The CNI admits the worker's proxy on 4143, which carries any port: before, the app's Server on 8080 admitted anyone (ALLOW).
      verdicts(worker, be, Port.tcp(8080), get('/api/orders')),
      verdicts(worker, db, Port.tcp(5432)),
      verdicts(fe, be, Port.tcp(8080), get('/api/orders')),
      verdicts(be, db, Port.tcp(5432)),
      verdicts(node, be, Port.tcp(8080), get('/healthz')),
      verdicts(prometheus, be, Port.tcp(4191), get('/metrics')),
      verdicts(be, coredns, Port.udp(53)),
    ]).toEqual([
      [`${worker} -> ${be} TCP/9090`, ALLOW, ALLOW, ALLOW],
      [`${worker} -> ${be} TCP/8080 GET /api/orders`, DENY, ALLOW, DENY],
      [`${worker} -> ${db} TCP/5432`, DENY, DENY, DENY],
      [`${fe} -> ${be} TCP/8080 GET /api/orders`, ALLOW, ALLOW, ALLOW],
      [`${be} -> ${db} TCP/5432`, ALLOW, ALLOW, ALLOW],
      // The kubelet's httpGet probe: Linkerd's probe route of a Server without HTTPRoutes, for unauthenticated clients.
      [`${node} -> ${be} TCP/8080 GET /healthz`, ALLOW, ALLOW, ALLOW],
      // The admin port keeps the namespace default's clients (all-unauthenticated): the scrape works as before.
      [`${prometheus} -> ${be} TCP/4191 GET /metrics`, ALLOW, ALLOW, ALLOW],
      [`${be} -> ${coredns} UDP/53`, ALLOW, ALLOW, ALLOW],
    ]);
  });

  test('a canary carrying the backend tier\'s labels (admitted to the database by the NetworkPolicies) must run as the backend\'s identity', () => {
    const canary = (serviceAccountName?: string) => {
      const built = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
      deploymentWith(built.chart, 'shop', 'shop-backend-canary', { ...built.app.podLabels(AppTier.BACKEND), version: 'v2' }, {},
        serviceAccountName ? { serviceAccountName } : {});
      return built;
    };
    // Before: synthesized, and the database's Server (anyone) admitted it; now the Server admits shop-backend only.
    expect(() => synthValid(canary().chart)).toThrow('[test/shop] meshTierAuthorization: the Deployment shop/shop-backend-canary '
      + "(test/deploy-shop-shop-backend-canary) carries the backend tier's labels, so the NetworkPolicies admit it to the database pods' port 5432 as "
      + "the backend, but it runs as the ServiceAccount 'default', and the app's Server 'database-shop-shop-b55e47cbd1-5432' on that port admits the "
      + "backend identity (shop-backend) only: Linkerd would refuse it. Run it as 'shop-backend' (serviceAccountName), name its identity with a "
      + 'port-level flow to the database pods on 5432 (LinkerdAuthorization or MeshAuthorization: it joins the app\'s Server), or set '
      + 'meshTierAuthorization: false');
    const asBackend = canary('shop-backend');
    expect(() => synthValid(asBackend.chart)).not.toThrow();
    const reach = analyse(asBackend.chart, Cni.calico());
    expect(reach.check(Target.workload('shop', 'shop-backend-canary'), db, Port.tcp(5432)).verdict).toBe(Verdict.ALLOW);
    const named = canary('canary');
    new LinkerdAuthorization(named.chart, 'authz', { namespace: 'shop' })
      .allowFlow('canary-db', { from: [MeshSource.serviceAccount('canary', 'shop')], to: named.app.podLabels(AppTier.DATABASE), ports: [5432] });
    expect(() => synthValid(named.chart)).not.toThrow();
  });

  test('a source tier that would reach the next tier without its identity is refused at synth: not injected, or the port skipped by its proxy', () => {
    const tail = 'The app\'s Server on that port admits the frontend identity only, so Linkerd would refuse the hop. Keep the frontend pods meshed '
      + '(remove the annotation), or set meshTierAuthorization: false and authorize the tiers in the mesh yourself';
    const opted = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    opted.app.frontend.podMetadata.addAnnotation('linkerd.io/inject', 'disabled');
    expect(() => synthValid(opted.chart)).toThrow("[test/shop] meshTierAuthorization: the frontend tier's Deployment shop/shop-frontend "
      + "(test/shop/Frontend/Deployment/Resource) would reach the backend pods' port 8080 without its Linkerd identity (shop-frontend): its pod "
      + `template is annotated linkerd.io/inject: disabled, so its pods have no proxy. ${tail}`);
    const skipped = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    const ns = skipped.chart.node.findAll().filter(ApiObject.isApiObject).find((o) => o.kind === 'Namespace' && o.name === 'shop')!;
    ns.metadata.addAnnotation('config.linkerd.io/skip-outbound-ports', '8000-8100');
    const message = (() => { try { synthValid(skipped.chart); return ''; } catch (e) { return (e as Error).message; } })();
    // The backend's 5432 is not skipped: only the frontend hop is refused.
    expect(message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim())).toEqual([
      "[test/shop] meshTierAuthorization: the frontend tier's Deployment shop/shop-frontend (test/shop/Frontend/Deployment/Resource) would reach "
        + "the backend pods' port 8080 without its Linkerd identity (shop-frontend): the Namespace shop lists port 8080 in "
        + `config.linkerd.io/skip-outbound-ports, so its proxy lets those connections pass without mutual TLS. ${tail}`,
    ]);
    // Injection explicitly enabled (or ingress mode) keeps the identity; meshTierAuthorization: false emits no Server to refuse it.
    const enabled = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    enabled.app.frontend.podMetadata.addAnnotation('linkerd.io/inject', 'enabled');
    expect(() => synthValid(enabled.chart)).not.toThrow();
    const off = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { meshTierAuthorization: false });
    off.app.frontend.podMetadata.addAnnotation('linkerd.io/inject', 'disabled');
    expect(() => synthValid(off.chart)).not.toThrow();
  });

  test('an empty linkerd.io/inject on the source tier\'s template is no value (the namespace injects it): not refused; an unknown value is', () => {
    // linkerd2 proxy injector (util/linkerd-injection): '' reads as unset; 'Enabled' is not a value it knows and injects nothing.
    const empty = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    empty.app.frontend.podMetadata.addAnnotation('linkerd.io/inject', '');
    expect(() => synthValid(empty.chart)).not.toThrow();
    const unknown = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    unknown.app.frontend.podMetadata.addAnnotation('linkerd.io/inject', 'Enabled');
    expect(() => synthValid(unknown.chart)).toThrow("[test/shop] meshTierAuthorization: the frontend tier's Deployment shop/shop-frontend "
      + "(test/shop/Frontend/Deployment/Resource) would reach the backend pods' port 8080 without its Linkerd identity (shop-frontend): its pod "
      + 'template is annotated linkerd.io/inject: Enabled, a value the proxy injector does not know, so its pods have no proxy.');
  });

  describe('a policy of the user\'s on the tier\'s Server hides a source pod\'s problem only when it admits that very pod', () => {
    const canaryOn = (mesh: Mesh, serviceAccountName: string) => {
      const built = shop(Cni.calico(), mesh);
      deploymentWith(built.chart, 'shop', 'shop-backend-canary', { ...built.app.podLabels(AppTier.BACKEND), version: 'v2' }, {}, { serviceAccountName });
      return built;
    };
    const canaryProblem = 'meshTierAuthorization: the Deployment shop/shop-backend-canary (test/deploy-shop-shop-backend-canary) carries the backend '
      + "tier's labels";

    test('a canary under another ServiceAccount: a flow naming Prometheus on the database port is no remedy; one naming its namespace is', () => {
      // Before: any policy of the user's on the Server silenced the check, and Linkerd refused the canary silently.
      const other = canaryOn(Mesh.linkerd({ cni: true }), 'default');
      new LinkerdAuthorization(other.chart, 'authz', { namespace: 'shop' }).allowFlow('scrape-db',
        { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: other.app.podLabels(AppTier.DATABASE), ports: [5432] });
      expect(() => synthValid(other.chart)).toThrow(canaryProblem);
      const ns = canaryOn(Mesh.linkerd({ cni: true }), 'default');
      new LinkerdAuthorization(ns.chart, 'authz', { namespace: 'shop' }).allowFlow('shop-db',
        { from: [MeshSource.namespace('shop')], to: ns.app.podLabels(AppTier.DATABASE), ports: [5432] });
      expect(() => synthValid(ns.chart)).not.toThrow();
    });

    test('identities are matched in the mesh\'s trust domain and control plane namespace, identityRefs by ServiceAccount', () => {
      const policy = (chart: Chart, auth: Record<string, unknown>) => {
        new ApiObject(chart, 'canary-mtls', {
          apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'MeshTLSAuthentication', metadata: { name: 'canary', namespace: 'shop' }, spec: auth,
        });
        new ApiObject(chart, 'canary-db', {
          apiVersion: 'policy.linkerd.io/v1alpha1',
          kind: 'AuthorizationPolicy',
          metadata: { name: 'canary-db', namespace: 'shop' },
          spec: {
            targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'database-shop-shop-b55e47cbd1-5432' },
            requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'canary' }],
          },
        });
      };
      const mesh = () => Mesh.linkerd({ cni: true, trustDomain: 'corp.example' });
      const wrongDomain = canaryOn(mesh(), 'canary');
      policy(wrongDomain.chart, { identities: ['canary.shop.serviceaccount.identity.linkerd.cluster.local'] });
      expect(() => synthValid(wrongDomain.chart)).toThrow(canaryProblem);
      const rightDomain = canaryOn(mesh(), 'canary');
      policy(rightDomain.chart, { identities: ['canary.shop.serviceaccount.identity.linkerd.corp.example'] });
      expect(() => synthValid(rightDomain.chart)).not.toThrow();
      const byRef = canaryOn(mesh(), 'canary');
      policy(byRef.chart, { identityRefs: [{ kind: 'ServiceAccount', name: 'canary' }] });
      expect(() => synthValid(byRef.chart)).not.toThrow();
      const otherRef = canaryOn(mesh(), 'canary');
      policy(otherRef.chart, { identityRefs: [{ kind: 'ServiceAccount', name: 'canary', namespace: 'other' }] });
      expect(() => synthValid(otherRef.chart)).toThrow(canaryProblem);
    });

    test('an unmeshed source tier: a flow from meshed callers on the tier port is no remedy; one from MeshSource.anyone() is', () => {
      const named = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
      named.app.frontend.podMetadata.addAnnotation('linkerd.io/inject', 'disabled');
      new LinkerdAuthorization(named.chart, 'authz', { namespace: 'shop' }).allowFlow('scrape-api',
        { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: named.app.podLabels(AppTier.BACKEND), ports: [8080] });
      expect(() => synthValid(named.chart)).toThrow("meshTierAuthorization: the frontend tier's Deployment shop/shop-frontend");
      const anyone = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
      anyone.app.frontend.podMetadata.addAnnotation('linkerd.io/inject', 'disabled');
      new LinkerdAuthorization(anyone.chart, 'authz', { namespace: 'shop' }).allowFlow('open-api',
        { from: [MeshSource.anyone()], to: anyone.app.podLabels(AppTier.BACKEND), ports: [8080] });
      expect(() => synthValid(anyone.chart)).not.toThrow();
    });
  });

  describe('a Server of the user\'s written by hand that may select a tier\'s pods on the app\'s Server port is refused (Linkerd applies one of the two)', () => {
    const server = (chart: Chart, name: string, port: number | string, podSelector: Record<string, unknown>) => new ApiObject(chart, `server-${name}`, {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name, namespace: 'shop' },
      spec: { podSelector, port, accessPolicy: 'all-unauthenticated' },
    });
    const problems = (chart: Chart) => {
      try { synthValid(chart); return []; } catch (e) {
        return (e as Error).message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim().split(' (port ')[0]);
      }
    };

    test('on the tier port (by number or by the container port\'s name), on the admin port, and with a selector of part of the tier\'s labels', () => {
      const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
      const backend = app.podLabels(AppTier.BACKEND);
      const database = app.podLabels(AppTier.DATABASE);
      // Before: synthesized; if Linkerd picked the hand-written Server, anyone reaching the backend's proxy (4143 from any allowed port) reached 8080.
      server(chart, 'api-open', 8080, { matchLabels: backend });
      server(chart, 'db-by-name', 'postgres', { matchLabels: { 'app.kubernetes.io/component': database['app.kubernetes.io/component'] } });
      server(chart, 'admin-open', 4191, { matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['backend', 'other'] }] });
      expect(problems(chart)).toEqual([
        "[test/shop] meshTierAuthorization: the Server 'api-open' (test/server-api-open) may select the backend pods' port 8080",
        "[test/shop] meshTierAuthorization: the Server 'db-by-name' (test/server-db-by-name) may select the database pods' port 5432",
        "[test/shop] meshTierAuthorization: the Server 'admin-open' (test/server-admin-open) may select the backend pods' port 4191",
      ]);
      expect(() => synthValid(chart)).toThrow("which the app's Server 'backend-shop-shop-5a6d43de4c-8080' describes: Linkerd applies one Server per "
        + "pod and port, and if it picked this one the app's authorization there would not apply. Select pods without the tier's labels or another "
        + 'port, name the callers with a LinkerdAuthorization or MeshAuthorization flow instead (a flow on the same pods and port joins the app\'s '
        + 'Server), or set meshTierAuthorization: false and authorize the tiers in the mesh yourself');
      // On the admin port a flow of the user's is refused (the app's Server there admits the namespace default's clients): no such advice.
      expect(() => synthValid(chart)).toThrow("which the app's Server 'backend-shop-shop-5a6d43de4c-4191' describes: Linkerd applies one Server per "
        + "pod and port, and if it picked this one the app's authorization there would not apply. Select pods without the tier's labels or another "
        + 'port, or set meshTierAuthorization: false and authorize the tiers in the mesh yourself');
    });

    test('also by a port name only init containers declare (native sidecars or not): Linkerd reads their ports too (linkerd/linkerd2#14144)', () => {
      const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
      ApiObject.of(app.backend).addJsonPatch(JsonPatch.add('/spec/template/spec/initContainers', [
        { name: 'warmup', image: 'example/warmup:1.0', ports: [{ name: 'warmup', containerPort: 8080 }] },
      ]));
      // cdk8s-plus-27 objects drop a container's restartPolicy (unknown to their v1.27 types): a native sidecar on the database
      // tier's labels, written by hand.
      const labels = app.podLabels(AppTier.DATABASE);
      new ApiObject(chart, 'db-exporter', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'db-exporter', namespace: 'shop' },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [{ name: 'exporter', image: 'example/exporter:1.0' }],
              initContainers: [{ name: 'side', image: 'example/side:1.0', restartPolicy: 'Always', ports: [{ name: 'pg-side', containerPort: 5432 }] }],
            },
          },
        },
      });
      // Before (containers only): both synthesized, though the policy controller resolves both names to the tier port, so Linkerd may pick them.
      server(chart, 'by-init-name', 'warmup', { matchLabels: app.podLabels(AppTier.BACKEND) });
      server(chart, 'by-sidecar-name', 'pg-side', { matchLabels: labels });
      expect(problems(chart)).toEqual([
        "[test/shop] meshTierAuthorization: the Server 'by-init-name' (test/server-by-init-name) may select the backend pods' port 8080",
        "[test/shop] meshTierAuthorization: the Server 'by-sidecar-name' (test/server-by-sidecar-name) may select the database pods' port 5432",
      ]);
    });

    test('not on another port, another port name, pods a requirement excludes, external workloads, or with meshTierAuthorization: false', () => {
      const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
      const backend = app.podLabels(AppTier.BACKEND);
      server(chart, 'api-metrics', 9090, { matchLabels: backend });
      server(chart, 'api-by-other-name', 'metrics', { matchLabels: backend });
      server(chart, 'api-others', 8080, {
        matchLabels: { 'app.kubernetes.io/name': backend['app.kubernetes.io/name'] },
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'NotIn', values: ['backend'] }],
      });
      server(chart, 'frontend-http', 8080, { matchLabels: app.podLabels(AppTier.FRONTEND) });
      new ApiObject(chart, 'server-vm', {
        apiVersion: 'policy.linkerd.io/v1beta3',
        kind: 'Server',
        metadata: { name: 'vm', namespace: 'shop' },
        spec: { externalWorkloadSelector: { matchLabels: backend }, port: 8080 },
      });
      expect(() => synthValid(chart)).not.toThrow();
      const off = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { meshTierAuthorization: false });
      server(off.chart, 'api-open', 8080, { matchLabels: backend });
      expect(() => synthValid(off.chart)).not.toThrow();
    });
  });
});

describe('Linkerd, a namespace whose default policy is deny: the app authorizes its own tier hops (the tier-port Servers) and the frontend port (anyone), nothing on the admin port', () => {
  const mesh = { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY };

  describe.each(ENFORCING_CNIS)('on %s', (_cniName, cni) => {
    const { chart } = shop(cni(), Mesh.linkerd({ cni: true }), { mesh });
    const reach = analyse(chart, cni());
    const objects = synthValid(chart);

    test('the hops on their ports, in both layers; every other port of the next tier refused in the mesh', () => {
      // Before: the NetworkPolicies admitted both hops, the namespace's deny refused them in the mesh (no Server described the ports).
      for (const [source, destination, port] of [[fe, be, 8080], [be, db, 5432]] as const) {
        const result = reach.check(source, destination, Port.tcp(port));
        expect([result.verdict, result.cniVerdict, result.meshVerdict, result.l7Constraints])
          .toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, []]);
      }
      for (const port of OTHER_PORTS) {
        const result = reach.check(fe, be, Port.tcp(port));
        expect([port, result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([port, Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
      }
      for (const port of [22, 8080, 8081, 9090]) {
        const result = reach.check(be, db, Port.tcp(port));
        expect([port, result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([port, Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
      }
      expect(reach).toDeny(fe, db, Port.tcp(5432));
      // The app's main flow: before, only the frontend's probe paths got through (l7Constraints "only GET /healthz"), GET / was refused.
      const ingress = reach.check(nginx, fe, Port.tcp(8080));
      expect([ingress.verdict, ingress.cniVerdict, ingress.meshVerdict, ingress.l7Constraints])
        .toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW, []]);
      const main = reach.checkRequest(nginx, fe, Port.tcp(8080), { method: 'GET', path: '/' });
      expect([main.verdict, main.cniVerdict, main.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
      // The NetworkPolicies still narrow who reaches the port: the backend is not admitted to the frontend.
      expect(reach.checkRequest(be, fe, Port.tcp(8080), { method: 'GET', path: '/' }).verdict).toBe(Verdict.DENY);
    });

    test('Prometheus is still refused the proxies\' metrics (as documented for deny); the probes as before', () => {
      for (const tier of [fe, be, db]) {
        expect(reach.checkRequest(prometheus, tier, Port.tcp(4191), { method: 'GET', path: '/metrics' }).verdict).toBe(Verdict.DENY);
        expect(reach.checkRequest(node, tier, Port.tcp(4191), { method: 'GET', path: '/ready' }).verdict).toBe(Verdict.ALLOW);
      }
      expect(reach.checkRequest(node, be, Port.tcp(8080), { method: 'GET', path: '/healthz' }).verdict).toBe(Verdict.ALLOW);
      expect(reach.checkRequest(fe, be, Port.tcp(8080), { method: 'GET', path: '/api/orders' }).verdict).toBe(Verdict.ALLOW);
      // The database's Server admits the backend's identity only; its tcpSocket probe passes all the same (linkerd/linkerd2#7777).
      const probe = reach.check(node, db, Port.tcp(5432));
      expect([probe.verdict, probe.cniVerdict, probe.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
      expect(probe.mesh!.reasons.filter((r) => r.startsWith("the kubelet's tcpSocket probe of shop/shop-database on port 5432 passes"))).toHaveLength(1);
    });

    test('PolicyLint: the scrape finding on the namespace alone, nothing on the app\'s own NetworkPolicies', () => {
      // Before: linkerd-authz-refuses-admitted-source on the app's tier allows (the mesh refused what they admit).
      expect(PolicyLint.check(objects, { cni: cni() }).map((f) => [f.severity, f.rule, f.object])).toEqual([
        ['warning', 'linkerd-admin-port-unauthorized', 'Namespace shop'],
      ]);
    });

    test('the pods\' deny annotation, left out as redundant, changes no verdict', () => {
      const annotated = objects.map((o) => (o.metadata.name === 'shop-backend' || o.metadata.name === 'shop-database') && o.spec?.template
        ? { ...o, spec: { ...o.spec, template: { ...o.spec.template, metadata: { ...o.spec.template.metadata, annotations: { 'config.linkerd.io/default-inbound-policy': 'deny' } } } } }
        : o);
      const table = (manifests: any[]) => {
        const r = Reachability.fromManifests(manifests, { cni: cni(), mesh: Mesh.linkerd({ cni: true }), nodeIp: '172.31.0.10' });
        r.addProbe('prometheus', 'monitoring', { app: 'prometheus' });
        return [fe, be, db, node, prometheus].flatMap((s) => [be, db].flatMap((d) => [8080, 5432, 4191, 9090].map((p) => {
          const result = r.check(s, d, Port.tcp(p));
          return `${s} -> ${d} ${p}: ${result.verdict} ${result.meshVerdict} ${result.l7Constraints.join('; ')}`;
        })));
      };
      expect(table(annotated)).toEqual(table(objects));
    });
  });

  test('the synth checks of the tier-port Servers still apply: a hand-written Server on the tier port, a route-level flow on the app\'s Server', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { mesh });
    new ApiObject(chart, 'server-api-open', {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'api-open', namespace: 'shop' },
      spec: { podSelector: { matchLabels: app.podLabels(AppTier.BACKEND) }, port: 8080, accessPolicy: 'all-unauthenticated' },
    });
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-reads', {
      from: [MeshSource.serviceAccount('shop-frontend', 'shop')], to: app.podLabels(AppTier.BACKEND), ports: [8080], methods: ['GET'], paths: ['/api/*'],
    });
    const message = (() => { try { synthValid(chart); return ''; } catch (e) { return (e as Error).message; } })();
    expect(message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim().split(/ targets | \(port /)[0])).toEqual([
      "[test/shop] meshTierAuthorization: the HTTPRoute 'backend-shop-shop-5a6d43de4c-8080-catch-all' (test/authz/HTTPRoute-backend-shop-shop-5a6d43de4c-8080-catch-all)",
      "[test/shop] meshTierAuthorization: the HTTPRoute 'web-reads-8080' (test/authz/HTTPRoute-web-reads-8080)",
      "[test/shop] meshTierAuthorization: the Server 'api-open' (test/server-api-open) may select the backend pods' port 8080",
    ]);
  });

  test('the frontend-port Server takes the app Servers\' checks: a hand-written Server on that port, any flow on it (anyone would void it)', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { mesh });
    new ApiObject(chart, 'server-web-open', {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'web-open', namespace: 'shop' },
      spec: { podSelector: { matchLabels: app.podLabels(AppTier.FRONTEND) }, port: 8080, accessPolicy: 'all-unauthenticated' },
    });
    // The flow the README advised under deny before: it joins the app's Server, whose anyone would void its restriction.
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('from-ingress', {
      from: [MeshSource.serviceAccount('ingress-nginx', 'ingress-nginx')], to: app.podLabels(AppTier.FRONTEND), ports: [8080],
    });
    const message = (() => { try { synthValid(chart); return ''; } catch (e) { return (e as Error).message; } })();
    expect(message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim().split(' (port 8080, pods ')[0])).toEqual([
      "[test/shop] meshTierAuthorization: the AuthorizationPolicy 'from-ingress-8080' (test/authz/AuthorizationPolicy-from-ingress-8080) targets the "
        + "Server 'frontend-shop-shop-2625620133-8080' (the frontend pods' port 8080), on which the app authorizes anyone (the ingress controller's or "
        + "Gateway's identity is not known here; the NetworkPolicies narrow who reaches the port): Linkerd admits a client any policy of the Server "
        + 'authorizes, so the flow would no longer restrict who reaches the port. Set meshTierAuthorization: false and authorize the tiers in the mesh '
        + 'yourself (MeshAuthorization flows with ports), or remove the flow',
      "[test/shop] meshTierAuthorization: the Server 'web-open' (test/server-web-open) may select the frontend pods' port 8080",
    ]);
    // Without them it synthesizes, and under another policy the app emits no frontend Server: the same flow is the user's alone.
    const other = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { mesh: {} });
    new LinkerdAuthorization(other.chart, 'authz', { namespace: 'shop' }).allowFlow('from-ingress', {
      from: [MeshSource.serviceAccount('ingress-nginx', 'ingress-nginx')], to: other.app.podLabels(AppTier.FRONTEND), ports: [8080],
    });
    expect(() => synthValid(other.chart)).not.toThrow();
  });

  test('and so do the source checks: a canary of the backend under another account, a frontend without a proxy, another workload as the frontend', () => {
    const problems = (build: (built: { chart: Chart; app: ThreeTierApp }) => void) => {
      const built = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { mesh });
      build(built);
      try { synthValid(built.chart); return []; } catch (e) {
        return (e as Error).message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim().split(':').slice(0, 2).join(':'));
      }
    };
    expect(problems(({ chart, app }) => deploymentWith(chart, 'shop', 'shop-backend-canary', { ...app.podLabels(AppTier.BACKEND), version: 'v2' }, {})))
      .toEqual(['[test/shop] meshTierAuthorization: the Deployment shop/shop-backend-canary (test/deploy-shop-shop-backend-canary) carries the backend tier\'s labels, so the NetworkPolicies admit it to the database pods\' port 5432 as the backend, but it runs as the ServiceAccount \'default\', and the app\'s Server \'database-shop-shop-b55e47cbd1-5432\' on that port admits the backend identity (shop-backend) only']);
    expect(problems(({ app }) => app.frontend.podMetadata.addAnnotation('linkerd.io/inject', 'disabled'))).toEqual([
      "[test/shop] meshTierAuthorization: the frontend tier's Deployment shop/shop-frontend (test/shop/Frontend/Deployment/Resource) would reach the backend pods' port 8080 without its Linkerd identity (shop-frontend)",
    ]);
    expect(problems(({ chart }) => deploymentWith(chart, 'shop', 'worker', { app: 'worker' }, {}, { serviceAccountName: 'shop-frontend' })))
      .toEqual(["[test/shop] meshTierAuthorization: the Deployment shop/worker (test/deploy-shop-worker) runs as the ServiceAccount 'shop-frontend', "
        + "the frontend tier's mesh identity, without the frontend pods' labels (app.kubernetes.io/component=frontend, app.kubernetes.io/name=shop, "
        + 'app.kubernetes.io/part-of=shop)']);
  });

  test('the documented remedy for the scrape (a flow on 4191) is no flow on an app Server: it synthesizes and Prometheus gets the metrics', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { mesh });
    const authz = new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' });
    for (const tier of [AppTier.BACKEND, AppTier.DATABASE]) {
      authz.allowFlow(`scrape-${tier}`, { from: [MeshSource.anyone()], to: app.podLabels(tier), ports: [4191] });
    }
    const reach = analyse(chart, Cni.calico());
    for (const tier of [be, db]) expect(reach.checkRequest(prometheus, tier, Port.tcp(4191), { method: 'GET', path: '/metrics' }).verdict).toBe(Verdict.ALLOW);
    expect(reach.checkRequest(fe, be, Port.tcp(8080), { method: 'GET', path: '/api/orders' }).verdict).toBe(Verdict.ALLOW);
    expect(reach.check(fe, be, Port.tcp(8080)).l7Constraints).toEqual([]);
  });

  test('an allow of the namespace to another port of a tier is not the app\'s to refuse: the namespace\'s deny refused it before (PolicyLint says so)', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { mesh });
    app.zeroTrustNamespace.allowFlow('web-admin', app.podLabels(AppTier.FRONTEND), app.podLabels(AppTier.BACKEND), [Port.tcp(9091)]);
    // Under another policy: refused at synth (the app's deny on the backend pods would break it); here the namespace refused it already.
    const objects = synthValid(chart);
    expect(PolicyLint.check(objects, { cni: Cni.calico() }).map((f) => [f.rule, f.object])).toEqual([
      ['linkerd-admin-port-unauthorized', 'Namespace shop'],
      ['linkerd-authz-refuses-admitted-source', 'NetworkPolicy shop/web-admin-ingress'],
    ]);
    const result = analyse(chart, Cni.calico()).check(fe, be, Port.tcp(9091));
    expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.DENY, Verdict.ALLOW, Verdict.DENY]);
  });
});

describe('Linkerd: a destination tier\'s pod template annotated with another default inbound policy than the app authorizes for', () => {
  const POLICY = 'config.linkerd.io/default-inbound-policy';
  const message = (chart: Chart) => {
    try { synthValid(chart); return []; } catch (e) {
      return (e as Error).message.split('\n').filter((l) => l.includes('meshTierAuthorization')).map((l) => l.trim());
    }
  };
  const overridden = (tier: string, kind: string, name: string, path: string, actual: string) => `[test/shop] meshTierAuthorization: the ${tier} `
    + `tier's ${kind} shop/${name} (${path}) has ${POLICY}: '${actual}' on its pod template, but the app authorizes the tier in the mesh for pods `
    + `whose ${POLICY} is 'deny' (Linkerd reads the pod's annotation before its namespace's): the app's Servers would refuse callers that policy `
    + 'admits with no synth check, and its admin-port Servers could admit more than the pods\' own policy did. Remove the annotation (declare the '
    + 'namespace\'s policy with mesh.linkerdDefaultInboundPolicy), or set meshTierAuthorization: false and authorize the tiers in the mesh yourself';

  test('in a deny namespace (the app left the annotation out): refused, where it silently refused a caller the pods\' own policy admitted', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } });
    app.backend.podMetadata.addAnnotation(POLICY, 'all-unauthenticated');
    // Admitted to the backend's port by the NetworkPolicies and by the pods' own policy; the app's Server on 8080 admits the frontend only.
    const reports = new ZeroTrustNamespace(chart, 'reports', { name: 'reports', mesh: {} });
    deploymentWith(chart, 'reports', 'reporter', { app: 'reporter' }, {}, { serviceAccountName: 'reporter' });
    reports.allowEgress('reporter', { app: 'reporter' }, [Peer.pods(app.podLabels(AppTier.BACKEND), 'shop')], [Port.tcp(8080)]);
    app.zeroTrustNamespace.allowIngress('reporter', app.podLabels(AppTier.BACKEND), [Peer.pods({ app: 'reporter' }, 'reports')], [Port.tcp(8080)]);
    expect(message(chart)).toEqual([overridden('backend', 'Deployment', 'shop-backend', 'test/shop/Backend/Deployment/Resource', 'all-unauthenticated')]);
  });

  test('under another namespace policy (the user\'s value replaces the app\'s deny): refused; deny itself, or no annotation, is fine', () => {
    const { chart, app } = shop(Cni.calico(), Mesh.linkerd({ cni: true }));
    app.database.podMetadata.addAnnotation(POLICY, 'all-authenticated');
    expect(message(chart)).toEqual([overridden('database', 'StatefulSet', 'shop-database', 'test/shop/Database/StatefulSet/Resource', 'all-authenticated')]);
    for (const mesh of [{}, { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY }]) {
      const same = shop(Cni.calico(), Mesh.linkerd({ cni: true }), { mesh });
      same.app.backend.podMetadata.addAnnotation(POLICY, 'deny');
      expect(message(same.chart)).toEqual([]);
    }
  });
});
