/**
 * Journey: a platform engineer runs a ThreeTierApp (MySQL database on 3306, an API backend with an
 * httpGet probe) under Linkerd with a stricter default inbound policy, then lets a reporting job of
 * another namespace call a second port of the backend (9090) through LinkerdAuthorization, with the
 * NetworkPolicies for that flow. The three views must agree:
 *
 * - the constructs: the app's tier Servers (3306 opaque: MySQL speaks first) and the user's Server on
 *   9090 side by side, synthesized without refusal;
 * - PolicyLint: only the finding the README announces for such a namespace (the proxies' metrics on
 *   4191 are refused to an unmeshed scraper), for the tiers whose app Server on 4191 admits meshed
 *   identities only too, nothing about opaque ports or probes;
 * - the analyzer, with both layers: the intended flows allowed, the tier hops restricted to their ports,
 *   the reporting job only on 9090.
 *
 * Under namespaces `deny` the same holds with no flow of the engineer's for the hops: the app's
 * tier-port Servers authorize them (before, the namespace's deny refused them until the engineer wrote
 * flows, which now join the app's Servers), and the app's Server on the frontend port admits anyone (the
 * ingress controller's identity is not known; before, only the frontend's probe paths got through);
 * the admin port gets no Server, so the scrape stays refused.
 *
 * Linkerd facts: a default inbound policy applies only to ports no Server describes, and a Server admits
 * whom its AuthorizationPolicies authorize (linkerd.io "Authorization Policy" reference); meshed traffic
 * reaches the pod on the inbound proxy port 4143 (linkerd.io "Network Policy").
 */
import { Chart } from 'cdk8s';
import {
  AppTier, ClusterNetwork, Cni, LinkerdAuthorization, LinkerdInboundPolicy, Mesh, MeshSource, Peer, Port, Reachability, Target, ThreeTierApp, Verdict,
  ZeroTrustNamespace,
} from '../../src';
import { PolicyLint } from '../../src/lint';
import { deploymentWith, meshChart, SHOP } from '../support/mesh';
import { ENFORCING_CNIS, ofKind, synthValid } from '../support/synth';

const { fe, be, db, nginx, prometheus, coredns, node } = SHOP;
const reporter = Target.workload('reports', 'reporter');
const meshedNginx = Target.workload('ingress-nginx', 'meshed-controller');

/** The shop, and a meshed `reports` namespace whose reporter (ServiceAccount reporter) calls the backend's second port 9090. */
function platform(cni: Cni, policy: LinkerdInboundPolicy): { chart: Chart; app: ThreeTierApp; authz: LinkerdAuthorization } {
  const chart = meshChart(cni, Mesh.linkerd({ cni: true }));
  const app = new ThreeTierApp(chart, 'shop', {
    namespace: 'shop',
    mesh: { linkerdDefaultInboundPolicy: policy },
    host: 'shop.example.com',
    frontend: { image: 'ghcr.io/example/web:1.0.0' },
    backend: { image: 'ghcr.io/example/api:1.0.0', healthCheckPath: '/healthz' },
    database: { image: 'mysql:8.4', port: 3306 },
  });
  app.backend.containers[0].addPort({ number: 9090, name: 'reports' });
  const backendPods = app.podLabels(AppTier.BACKEND);
  const reports = new ZeroTrustNamespace(chart, 'reports', { name: 'reports', mesh: { linkerdDefaultInboundPolicy: policy } });
  deploymentWith(chart, 'reports', 'reporter', { app: 'reporter' }, {}, { serviceAccountName: 'reporter' });
  reports.allowEgress('reporter-to-shop-backend', { app: 'reporter' }, [Peer.pods(backendPods, 'shop')], [Port.tcp(9090)]);
  app.zeroTrustNamespace.allowIngress('backend-from-reporter', backendPods, [Peer.pods({ app: 'reporter' }, 'reports')], [Port.tcp(9090)]);
  const authz = new LinkerdAuthorization(chart, 'shop-authz', { namespace: 'shop' });
  authz.allowFlow('reporter', { from: [MeshSource.serviceAccount('reporter', 'reports')], to: backendPods, ports: [9090] });
  return { chart, app, authz };
}

/** The pod addresses of the cluster the charts describe (the ClusterNetwork's default), as the engineer gives them to the analyzer. */
const POD_CIDRS = ClusterNetwork.of(meshChart(Cni.calico(), Mesh.linkerd({ cni: true }))).podCidrs;

function analyse(objects: any[], cni: Cni): Reachability {
  const reach = Reachability.fromManifests(objects, { cni, mesh: Mesh.linkerd({ cni: true }), nodeIp: '172.31.0.10', podCidrs: POD_CIDRS });
  reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
  reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
  // The same controller with a Linkerd proxy (its pods annotated linkerd.io/inject), running as ServiceAccount ingress-nginx.
  reach.addProbe('meshed-controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, {
    serviceAccount: 'ingress-nginx', annotations: { 'linkerd.io/inject': 'enabled' },
  });
  reach.addProbe('prometheus', 'monitoring', { app: 'prometheus' });
  return reach;
}

/** `[flow, verdict, CNI verdict, mesh verdict]` for each flow, for one exact comparison. */
function verdicts(reach: Reachability, flows: Array<[Target, Target, Port]>): string[][] {
  return flows.map(([s, d, p]) => {
    const r = reach.check(s, d, p);
    return [`${s} -> ${d} ${p}`, r.verdict, r.cniVerdict ?? '-', r.meshVerdict ?? '-'];
  });
}

const row = (s: Target, d: Target, p: Port, v: Verdict, cniV: Verdict, meshV: Verdict) => [`${s} -> ${d} ${p}`, v, cniV, meshV];
const { ALLOW, DENY } = Verdict;

describe.each(ENFORCING_CNIS)('on %s', (_cniName, cni) => {
  describe.each([LinkerdInboundPolicy.ALL_AUTHENTICATED, LinkerdInboundPolicy.CLUSTER_AUTHENTICATED])('namespaces %s', (policy) => {
    // Before the fix, synth refused the NetworkPolicy allow to 9090 ("the backend pods refuse every port but 8080"),
    // although the user's own Server describes 9090 on the backend pods and authorizes the reporter there.
    const objects = synthValid(platform(cni(), policy).chart);

    test('the objects: the app\'s Servers (3306 opaque) and the user\'s Server on 9090, for the reporter only', () => {
      expect(ofKind(objects, 'Server').map((o) => [o.metadata.name, o.spec.port, o.spec.proxyProtocol ?? 'detect', o.spec.accessPolicy])).toEqual([
        ['backend-shop-shop-5a6d43de4c-8080', 8080, 'detect', 'deny'],
        ['backend-shop-shop-5a6d43de4c-4191', 4191, 'detect', 'deny'],
        ['database-shop-shop-b55e47cbd1-3306', 3306, 'opaque', 'deny'],
        ['database-shop-shop-b55e47cbd1-4191', 4191, 'detect', 'deny'],
        ['backend-shop-shop-5a6d43de4c-9090', 9090, 'detect', 'deny'],
      ]);
      // The tier ports admit the source tier's identity only; the admin ports whom the namespace's policy admitted (any meshed identity).
      expect(ofKind(objects, 'MeshTLSAuthentication').map((o) => [o.metadata.name, o.spec.identities])).toEqual([
        ['shop-frontend-to-backend', ['shop-frontend.shop.serviceaccount.identity.linkerd.cluster.local']],
        ['shop-backend-proxy-admin', ['*']],
        ['shop-backend-to-database', ['shop-backend.shop.serviceaccount.identity.linkerd.cluster.local']],
        ['shop-database-proxy-admin', ['*']],
        ['reporter', ['reporter.reports.serviceaccount.identity.linkerd.cluster.local']],
      ]);
    });

    test('PolicyLint: only the announced scrape finding, for every shop tier and the reports namespace, nothing on opaque ports or probes', () => {
      // The frontend keeps the namespace's policy on 4191; the backend and database have the app's Servers there, whose
      // AuthorizationPolicies admit any meshed identity (MeshTLSAuthentication identities *) and so refuse an unmeshed scraper
      // just the same (the analyzer below agrees). The lint was silent on those two before.
      const findings = PolicyLint.check(objects, { cni: cni() });
      expect(findings.map((f) => [f.severity, f.rule, f.object, f.path ?? '-'])).toEqual([
        ['warning', 'linkerd-admin-port-unauthorized', 'Deployment shop/shop-backend', '-'],
        ['warning', 'linkerd-admin-port-unauthorized', 'Deployment shop/shop-frontend', '-'],
        ['warning', 'linkerd-admin-port-unauthorized', 'Namespace reports', 'metadata.annotations["config.linkerd.io/default-inbound-policy"]'],
        ['warning', 'linkerd-admin-port-unauthorized', 'StatefulSet shop/shop-database', '-'],
      ]);
      expect(findings[0].message).toMatch(/^Server 'backend-shop-shop-5a6d43de4c-4191' selects these pods on the Linkerd proxy's admin port 4191, and its AuthorizationPolicies admit meshed clients only \(MeshTLSAuthentication shop\/shop-backend-proxy-admin \(identities \*\)\): if your scraper \(Prometheus\) is not meshed, its GET \/metrics scrapes /);
      expect(findings[3].message).toMatch(/^Server 'database-shop-shop-b55e47cbd1-4191' .*\(MeshTLSAuthentication shop\/shop-database-proxy-admin \(identities \*\)\)/);
    });

    test('the analyzer: intended flows allowed, tier hops restricted to their ports, the reporter kept off the database', () => {
      const reach = analyse(objects, cni());
      expect(verdicts(reach, [
        [nginx, fe, Port.tcp(8080)], [fe, be, Port.tcp(8080)], [be, db, Port.tcp(3306)], [reporter, be, Port.tcp(9090)],
        [node, fe, Port.tcp(8080)], [node, be, Port.tcp(8080)],
        [prometheus, be, Port.tcp(4191)], [prometheus, db, Port.tcp(4191)],
      ])).toEqual([
        row(nginx, fe, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        row(fe, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        row(be, db, Port.tcp(3306), ALLOW, ALLOW, ALLOW),
        row(reporter, be, Port.tcp(9090), ALLOW, ALLOW, ALLOW),
        row(node, fe, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        row(node, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        // Only the proxy's probe paths (below): the unmeshed scraper is refused GET /metrics, as the lint warned.
        ...[be, db].map((d) => row(prometheus, d, Port.tcp(4191), ALLOW, ALLOW, ALLOW)),
      ]);
      for (const d of [be, db]) {
        expect(reach.check(prometheus, d, Port.tcp(4191)).l7Constraints)
          .toEqual(['only GET /live and GET /ready (the proxy\'s probe paths; other requests and non-HTTP connections are refused)']);
        expect(reach.checkRequest(prometheus, d, Port.tcp(4191), { method: 'GET', path: '/metrics' }).verdict).toBe(DENY);
      }
      expect(verdicts(reach, [
        [fe, be, Port.tcp(9090)], [reporter, be, Port.tcp(8080)], [reporter, db, Port.tcp(3306)], [be, db, Port.tcp(8080)],
        [nginx, be, Port.tcp(9090)],
      ])).toEqual([
        // The frontend reaches the backend's pods on 4143 (CNI), but 9090 is the reporter's alone in the mesh.
        row(fe, be, Port.tcp(9090), DENY, ALLOW, DENY),
        // The NetworkPolicy admitting the reporter on 9090 admits its proxy on 4143, which carries any port; the app's Server on
        // 8080 admits the frontend's identity only, so the reporter gets no more than Linkerd's probe route (below), as under deny.
        row(reporter, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        row(reporter, db, Port.tcp(3306), DENY, DENY, DENY),
        row(be, db, Port.tcp(8080), DENY, ALLOW, DENY),
        row(nginx, be, Port.tcp(9090), DENY, DENY, DENY),
      ]);
      // Before, the app's Server on 8080 admitted any meshed identity: the reporter reached the whole backend API (GET /api ALLOW,
      // no constraint). Now only the probe paths, which Linkerd authorizes for anyone.
      expect(reach.check(reporter, be, Port.tcp(8080)).l7Constraints).toEqual([
        'only GET /healthz (the pod\'s probe paths; other requests and non-HTTP connections are refused)',
      ]);
      expect(reach.checkRequest(reporter, be, Port.tcp(8080), { method: 'GET', path: '/api/orders' }).verdict).toBe(DENY);
      expect(reach.checkRequest(fe, be, Port.tcp(8080), { method: 'GET', path: '/api/orders' }).verdict).toBe(ALLOW);
      expect(reach.check(fe, be, Port.tcp(8080)).l7Constraints).toEqual([]);
      // The app's main flow as a request, not only its L4 verdict (which the frontend's probe route alone gives). The app leaves the
      // frontend to the namespace's policy, which requires a mesh identity: a meshed ingress controller gets the whole frontend, an
      // unmeshed one only the probe paths (README: mesh the ingress controller, or choose an unauthenticated policy).
      expect(reach.checkRequest(meshedNginx, fe, Port.tcp(8080), { method: 'GET', path: '/' }).verdict).toBe(ALLOW);
      expect(reach.check(meshedNginx, fe, Port.tcp(8080)).l7Constraints).toEqual([]);
      expect(reach.checkRequest(nginx, fe, Port.tcp(8080), { method: 'GET', path: '/' }).verdict).toBe(DENY);
      expect(reach.check(nginx, fe, Port.tcp(8080)).l7Constraints).toEqual([
        'only GET /healthz (the pod\'s probe paths; other requests and non-HTTP connections are refused)',
      ]);
      // The kubelet's httpGet probe of the backend passes through the probe route; its connection to MySQL is refused, but the tcpSocket
      // probe passes all the same (the proxy completes the handshake, linkerd/linkerd2#7777), as under deny below.
      expect(reach.checkRequest(node, be, Port.tcp(8080), { method: 'GET', path: '/healthz' }).verdict).toBe(ALLOW);
      expect(verdicts(reach, [[node, db, Port.tcp(3306)]])).toEqual([row(node, db, Port.tcp(3306), DENY, ALLOW, DENY)]);
      expect(reach.check(node, db, Port.tcp(3306)).mesh!.reasons.filter((r) => r.includes('tcpSocket probe of shop/shop-database on port 3306 passes')))
        .toHaveLength(1);
      for (const tier of [fe, be, db]) {
        expect([reach.check(tier, coredns, Port.udp(53)).verdict, reach.check(tier, coredns, Port.tcp(53)).verdict]).toEqual([ALLOW, ALLOW]);
      }
    });
  });

  describe('namespaces deny', () => {
    /** The intended flows and the refused ones: the same with or without the engineer's own flows for the hops. */
    const expectFlows = (reach: Reachability) => {
      expect(verdicts(reach, [
        [nginx, fe, Port.tcp(8080)], [fe, be, Port.tcp(8080)], [be, db, Port.tcp(3306)], [reporter, be, Port.tcp(9090)],
        [node, fe, Port.tcp(8080)], [node, be, Port.tcp(8080)],
        [fe, be, Port.tcp(9090)], [fe, be, Port.tcp(4191)], [reporter, be, Port.tcp(8080)], [be, db, Port.tcp(8080)], [node, db, Port.tcp(3306)],
        [prometheus, be, Port.tcp(4191)], [prometheus, db, Port.tcp(4191)],
      ])).toEqual([
        // The app's Server on the frontend port admits anyone (below: the whole frontend, not only its probe paths).
        row(nginx, fe, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        // The tier hops, in both layers (before, with no flow of the engineer's, the namespace's deny refused them in the mesh).
        row(fe, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        row(be, db, Port.tcp(3306), ALLOW, ALLOW, ALLOW),
        row(reporter, be, Port.tcp(9090), ALLOW, ALLOW, ALLOW),
        row(node, fe, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        row(node, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        // The frontend's proxy reaches the backend's on 4143 (CNI): every port but 8080 is refused to it in the mesh.
        row(fe, be, Port.tcp(9090), DENY, ALLOW, DENY),
        // (4191: only the proxy's probe paths, which Linkerd authorizes for anyone, as for Prometheus below.)
        row(fe, be, Port.tcp(4191), ALLOW, ALLOW, ALLOW),
        // Only the probe route's requests (below): Linkerd authorizes the pod's httpGet probe paths from anyone.
        row(reporter, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
        row(be, db, Port.tcp(8080), DENY, ALLOW, DENY),
        // The kubelet's tcpSocket probe of MySQL never reaches mysqld (the Server on 3306 admits the backend's identity only); the
        // probe itself still passes, as the proxy completes the handshake (linkerd/linkerd2#7777): the mesh reasons say so (below).
        row(node, db, Port.tcp(3306), DENY, ALLOW, DENY),
        // deny admits nobody on the admin port and the app adds no Server there: only the proxy's own probe paths (below).
        ...[be, db].map((d) => row(prometheus, d, Port.tcp(4191), ALLOW, ALLOW, ALLOW)),
      ]);
      expect(reach.checkRequest(fe, be, Port.tcp(4191), { method: 'GET', path: '/metrics' }).verdict).toBe(DENY);
      // Before, the namespace's deny refused the ingress controller every request to the frontend but its probe paths ("only GET /healthz").
      expect(reach.check(nginx, fe, Port.tcp(8080)).l7Constraints).toEqual([]);
      expect(reach.checkRequest(nginx, fe, Port.tcp(8080), { method: 'GET', path: '/' }).verdict).toBe(ALLOW);
      expect(reach.checkRequest(nginx, fe, Port.tcp(8080), { method: 'POST', path: '/cart' }).verdict).toBe(ALLOW);
      expect(reach.checkRequest(meshedNginx, fe, Port.tcp(8080), { method: 'GET', path: '/' }).verdict).toBe(ALLOW);
      for (const d of [be, db]) {
        expect(reach.check(prometheus, d, Port.tcp(4191)).l7Constraints)
          .toEqual(['only GET /live and GET /ready (the proxy\'s probe paths; other requests and non-HTTP connections are refused)']);
        expect(reach.checkRequest(prometheus, d, Port.tcp(4191), { method: 'GET', path: '/metrics' }).verdict).toBe(DENY);
      }
      expect(reach.check(node, db, Port.tcp(3306)).mesh!.reasons.filter((r) => r.includes('tcpSocket'))).toEqual([
        'the kubelet\'s tcpSocket probe of shop/shop-database on port 3306 passes as long as the Linkerd proxy runs, whatever this authorization '
          + 'decides and whether or not the application listens: the proxy completes the TCP handshake itself before it authorizes the connection '
          + '(linkerd/linkerd2#7777), so the probe checks the proxy, not the application (an httpGet probe, which Linkerd\'s probe route authorizes, '
          + 'checks the application)',
      ]);
      expect(reach.check(reporter, be, Port.tcp(8080)).l7Constraints).toEqual([
        'only GET /healthz (the pod\'s probe paths; other requests and non-HTTP connections are refused)',
      ]);
      expect(reach.checkRequest(reporter, be, Port.tcp(8080), { method: 'GET', path: '/api/orders' }).verdict).toBe(DENY);
      expect(reach.checkRequest(fe, be, Port.tcp(8080), { method: 'GET', path: '/api/orders' }).verdict).toBe(ALLOW);
      expect(reach.check(fe, be, Port.tcp(8080)).l7Constraints).toEqual([]);
      expect(reach.checkRequest(node, be, Port.tcp(8080), { method: 'GET', path: '/healthz' }).verdict).toBe(ALLOW);
      for (const tier of [fe, be, db]) {
        expect([reach.check(tier, coredns, Port.udp(53)).verdict, reach.check(tier, coredns, Port.tcp(53)).verdict]).toEqual([ALLOW, ALLOW]);
      }
    };
    /** deny refuses the proxies' metrics to Prometheus (README): the one finding, per namespace; nothing on the app's own policies. */
    const expectLint = (objects: any[]) => expect(PolicyLint.check(objects, { cni: cni() }).map((f) => [f.severity, f.rule, f.object])).toEqual([
      ['warning', 'linkerd-admin-port-unauthorized', 'Namespace reports'],
      ['warning', 'linkerd-admin-port-unauthorized', 'Namespace shop'],
    ]);

    test('the app authorizes its own hops (tier-port Servers, the frontend port\'s, no admin-port Server), and every intended flow works with no flow of the engineer\'s', () => {
      const objects = synthValid(platform(cni(), LinkerdInboundPolicy.DENY).chart);
      expect(ofKind(objects, 'Server').map((o) => [o.metadata.name, o.spec.port, o.spec.proxyProtocol ?? 'detect', o.spec.accessPolicy])).toEqual([
        ['backend-shop-shop-5a6d43de4c-8080', 8080, 'detect', 'deny'],
        // MySQL's port stays opaque, as the proxy injector made it on the pods.
        ['database-shop-shop-b55e47cbd1-3306', 3306, 'opaque', 'deny'],
        ['frontend-shop-shop-2625620133-8080', 8080, 'detect', 'deny'],
        ['backend-shop-shop-5a6d43de4c-9090', 9090, 'detect', 'deny'],
      ]);
      expect(ofKind(objects, 'MeshTLSAuthentication').map((o) => [o.metadata.name, o.spec.identities])).toEqual([
        ['shop-frontend-to-backend', ['shop-frontend.shop.serviceaccount.identity.linkerd.cluster.local']],
        ['shop-backend-to-database', ['shop-backend.shop.serviceaccount.identity.linkerd.cluster.local']],
        ['reporter', ['reporter.reports.serviceaccount.identity.linkerd.cluster.local']],
      ]);
      expect(ofKind(objects, 'AuthorizationPolicy').map((o) => [o.metadata.name, o.spec.targetRef.name, o.spec.requiredAuthenticationRefs])).toEqual([
        ['shop-frontend-to-backend-8080', 'backend-shop-shop-5a6d43de4c-8080',
          [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'shop-frontend-to-backend' }]],
        ['shop-backend-to-database-3306', 'database-shop-shop-b55e47cbd1-3306',
          [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'shop-backend-to-database' }]],
        ['shop-frontend-ingress-8080', 'frontend-shop-shop-2625620133-8080',
          [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'shop-frontend-ingress' }]],
        ['reporter-9090', 'backend-shop-shop-5a6d43de4c-9090', [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'reporter' }]],
      ]);
      // The ingress controller's identity is not known: anyone, narrowed to it (and monitoring, the node) by the frontend's NetworkPolicies.
      expect(ofKind(objects, 'NetworkAuthentication').map((o) => [o.metadata.name, o.spec])).toEqual([['shop-frontend-ingress', { networks: [{ cidr: '0.0.0.0/0' }] }]]);
      // The namespace's own annotation says deny: the pods need none.
      expect(objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
        .map((o) => [o.metadata.name, o.spec.template.metadata.annotations])).toEqual([
        ['shop-frontend', undefined], ['shop-backend', undefined], ['shop-database', undefined], ['reporter', undefined],
      ]);
      expectLint(objects);
      expectFlows(analyse(objects, cni()));
    });

    test('the engineer\'s own port-level flows for the hops (written before the fix) join the app\'s Servers: same flows, no second Server', () => {
      const { chart, authz } = platform(cni(), LinkerdInboundPolicy.DENY);
      authz.allowFlow('frontend-to-backend', { from: [MeshSource.serviceAccount('shop-frontend', 'shop')], to: { 'app.kubernetes.io/component': 'backend', 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'shop' }, ports: [8080] });
      authz.allowFlow('backend-to-database', { from: [MeshSource.serviceAccount('shop-backend', 'shop')], to: { 'app.kubernetes.io/component': 'database', 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/part-of': 'shop' }, ports: [3306] });
      const objects = synthValid(chart);
      expect(ofKind(objects, 'Server').map((o) => [o.metadata.name, o.spec.port, o.spec.proxyProtocol ?? 'detect'])).toEqual([
        ['backend-shop-shop-5a6d43de4c-8080', 8080, 'detect'],
        ['database-shop-shop-b55e47cbd1-3306', 3306, 'opaque'],
        ['frontend-shop-shop-2625620133-8080', 8080, 'detect'],
        ['backend-shop-shop-5a6d43de4c-9090', 9090, 'detect'],
      ]);
      // Both policies on each tier Server (the app's and the engineer's, naming the same identity): Linkerd admits whom any of them authorizes.
      expect(ofKind(objects, 'AuthorizationPolicy').map((o) => [o.metadata.name, o.spec.targetRef.name])).toEqual([
        ['shop-frontend-to-backend-8080', 'backend-shop-shop-5a6d43de4c-8080'],
        ['shop-backend-to-database-3306', 'database-shop-shop-b55e47cbd1-3306'],
        ['shop-frontend-ingress-8080', 'frontend-shop-shop-2625620133-8080'],
        ['reporter-9090', 'backend-shop-shop-5a6d43de4c-9090'],
        ['frontend-to-backend-8080', 'backend-shop-shop-5a6d43de4c-8080'],
        ['backend-to-database-3306', 'database-shop-shop-b55e47cbd1-3306'],
      ]);
      const names = objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      expect(new Set(names).size).toBe(names.length);
      expectLint(objects);
      expectFlows(analyse(objects, cni()));
    });
  });
});
