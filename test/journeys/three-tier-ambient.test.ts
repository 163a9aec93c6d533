/**
 * Journey: a ThreeTierApp (MySQL database, API backend with an httpGet probe) under Istio ambient,
 * namespace STRICT mutual TLS (IstioMtls), and a reporting job of another namespace authorized on a
 * second backend port with MeshAuthorization, whose allow-nothing baseline covers the whole namespace.
 * The three views must agree:
 *
 * - the constructs: the app's DENY policies per hop, the baseline, the user's ALLOW flows; the app
 *   refuses at synth a namespace whose ALLOW policies would refuse its own hops (before: synthesized,
 *   and every request to the app refused by ztunnel, found only by the analyzer);
 * - PolicyLint: nothing to report on these manifests;
 * - the analyzer (both layers, fromChart so the cluster's address families are known): the intended
 *   flows allowed, the tier hops restricted to their ports, the reporter only on its port.
 *
 * Istio facts: with any ALLOW policy on a workload, a request no ALLOW policy matches is denied
 * (istio.io "Authorization Policy" reference); ztunnel enforces L4 policies and HBONE reaches the pod
 * on 15008 (istio.io "Use Layer 4 security policy", "Ambient and Kubernetes NetworkPolicy").
 */
import { ApiObject, Chart } from 'cdk8s';
import {
  AppTier, Cni, IstioMode, IstioMtls, Mesh, MeshAuthorization, MeshSource, Peer, Port, Reachability, Target, ThreeTierApp, Verdict,
  ZeroTrustNamespace,
} from '../../src';
import { PolicyLint } from '../../src/lint';
import { deploymentWith, meshChart, SHOP } from '../support/mesh';
import { ENFORCING_CNIS, ofKind, synthValid } from '../support/synth';

const { fe, be, db, nginx, coredns, node } = SHOP;
const reporter = Target.workload('reports', 'reporter');
const { ALLOW, DENY } = Verdict;

/** The shop with STRICT mTLS, the reporter authorized on the backend's 9090 (NetworkPolicies and mesh), the ingress controller in the mesh. */
function platform(cni: Cni, authorizeHops: boolean): { chart: Chart; app: ThreeTierApp } {
  const chart = meshChart(cni, Mesh.istio({ mode: IstioMode.AMBIENT }));
  // The ingress controller runs in the ambient mesh (STRICT on the frontend refuses plaintext).
  new ApiObject(chart, 'ingress-nginx-ns', {
    apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ingress-nginx', labels: { 'istio.io/dataplane-mode': 'ambient' } },
  });
  const app = new ThreeTierApp(chart, 'shop', {
    namespace: 'shop',
    mesh: {},
    host: 'shop.example.com',
    frontend: { image: 'ghcr.io/example/web:1.0.0' },
    backend: { image: 'ghcr.io/example/api:1.0.0', healthCheckPath: '/healthz' },
    database: { image: 'mysql:8.4', port: 3306 },
  });
  app.backend.containers[0].addPort({ number: 9090, name: 'reports' });
  new IstioMtls(chart, 'mtls', { namespace: 'shop' });
  const backendPods = app.podLabels(AppTier.BACKEND);
  const reports = new ZeroTrustNamespace(chart, 'reports', { name: 'reports', mesh: {} });
  deploymentWith(chart, 'reports', 'reporter', { app: 'reporter' }, {}, { serviceAccountName: 'reporter' });
  reports.allowEgress('reporter-to-shop-backend', { app: 'reporter' }, [Peer.pods(backendPods, 'shop')], [Port.tcp(9090)]);
  app.zeroTrustNamespace.allowIngress('backend-from-reporter', backendPods, [Peer.pods({ app: 'reporter' }, 'reports')], [Port.tcp(9090)]);
  const authz = new MeshAuthorization(chart, 'shop-authz', { namespace: 'shop' });
  authz.allowFlow('reporter', { from: [MeshSource.serviceAccount('reporter', 'reports')], to: backendPods, ports: [9090] });
  if (authorizeHops) {
    authz.allowFlow('ingress-to-frontend', { from: [MeshSource.namespace('ingress-nginx')], to: app.podLabels(AppTier.FRONTEND), ports: [8080] });
    authz.allowFlow('frontend-to-backend', { from: [MeshSource.serviceAccount('shop-frontend', 'shop')], to: backendPods, ports: [8080] });
    authz.allowFlow('backend-to-database', { from: [MeshSource.serviceAccount('shop-backend', 'shop')], to: app.podLabels(AppTier.DATABASE), ports: [3306] });
  }
  return { chart, app };
}

function verdicts(reach: Reachability, flows: Array<[Target, Target, Port]>): string[][] {
  return flows.map(([s, d, p]) => {
    const r = reach.check(s, d, p);
    return [`${s} -> ${d} ${p}`, r.verdict, r.cniVerdict ?? '-', r.meshVerdict ?? '-'];
  });
}
const row = (s: Target, d: Target, p: Port, v: Verdict, cniV: Verdict, meshV: Verdict) => [`${s} -> ${d} ${p}`, v, cniV, meshV];

test('the app refuses at synth a MeshAuthorization baseline that would refuse its own hops, naming the policies and the flow to add', () => {
  const { chart } = platform(Cni.calico(), false);
  expect(() => synthValid(chart)).toThrow([
    "[test/shop] meshTierAuthorization: the AuthorizationPolicy 'allow-nothing' (test/shop-authz/Istio/allow-nothing) selects the frontend pods "
      + 'without a rule (allow nothing), so ztunnel refuses every request to them, the ingress controller\'s or Gateway\'s too. Authorize its '
      + 'identity on port 8080 (MeshAuthorization or IstioAuthorization allowFlow to the frontend pods), or remove the policy',
    "[test/shop] meshTierAuthorization: the AuthorizationPolicies 'allow-nothing' (test/shop-authz/Istio/allow-nothing), 'reporter' "
      + "(test/shop-authz/Istio/reporter) select the backend pods, and no ALLOW policy there admits the frontend's identity "
      + 'cluster.local/ns/shop/sa/shop-frontend on port 8080, so ztunnel refuses the app\'s frontend -> backend hop. Authorize it: allowFlow with '
      + "from: [MeshSource.serviceAccount('shop-frontend', 'shop')], the backend pods' labels and ports: [8080]",
    "[test/shop] meshTierAuthorization: the AuthorizationPolicy 'allow-nothing' (test/shop-authz/Istio/allow-nothing) selects the database pods, "
      + "and no ALLOW policy there admits the backend's identity cluster.local/ns/shop/sa/shop-backend on port 3306, so ztunnel refuses the app's "
      + "backend -> database hop. Authorize it: allowFlow with from: [MeshSource.serviceAccount('shop-backend', 'shop')], the database pods' labels "
      + 'and ports: [3306]',
  ].join('\n  '));
});

describe.each(ENFORCING_CNIS)('on %s, with the hops authorized', (_cniName, cni) => {
  const { chart } = platform(cni(), true);
  const objects = synthValid(chart);

  test('the objects: the app\'s DENY per hop, the namespace baseline, STRICT, the user\'s ALLOW flows', () => {
    expect(ofKind(objects, 'AuthorizationPolicy').map((o) => [o.metadata.name, o.spec.action])).toEqual([
      ['shop-frontend-to-backend-other-ports', 'DENY'],
      ['shop-backend-to-database-other-ports', 'DENY'],
      ['allow-nothing', 'ALLOW'],
      ['reporter', 'ALLOW'],
      ['ingress-to-frontend', 'ALLOW'],
      ['frontend-to-backend', 'ALLOW'],
      ['backend-to-database', 'ALLOW'],
    ]);
    expect(ofKind(objects, 'PeerAuthentication').map((o) => [o.metadata.namespace, o.metadata.name, o.spec])).toEqual([
      ['shop', 'default', { mtls: { mode: 'STRICT' } }],
    ]);
  });

  test('PolicyLint: nothing on the library\'s objects (only the hand-written ingress-nginx Namespace lacks a default deny)', () => {
    expect(PolicyLint.check(objects, { cni: cni() }).map((f) => [f.severity, f.rule, f.object])).toEqual([
      ['warning', 'namespace-without-default-deny', 'Namespace ingress-nginx'],
    ]);
  });

  test('the analyzer: intended flows allowed (probes too), the hops restricted to their ports, the reporter to 9090', () => {
    const reach = Reachability.fromChart(chart, { cni: cni(), nodeIp: '172.31.0.10' });
    reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
    reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    expect(verdicts(reach, [
      [nginx, fe, Port.tcp(8080)], [fe, be, Port.tcp(8080)], [be, db, Port.tcp(3306)], [reporter, be, Port.tcp(9090)],
      [node, fe, Port.tcp(8080)], [node, be, Port.tcp(8080)], [node, db, Port.tcp(3306)],
      [fe, be, Port.tcp(9090)], [reporter, be, Port.tcp(8080)], [be, db, Port.tcp(8080)], [fe, db, Port.tcp(3306)], [reporter, db, Port.tcp(3306)],
      [nginx, be, Port.tcp(8080)],
    ])).toEqual([
      row(nginx, fe, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
      row(fe, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
      row(be, db, Port.tcp(3306), ALLOW, ALLOW, ALLOW),
      row(reporter, be, Port.tcp(9090), ALLOW, ALLOW, ALLOW),
      // Kubelet probes: istio-cni's host probe address, admitted before ztunnel.
      row(node, fe, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
      row(node, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW),
      row(node, db, Port.tcp(3306), ALLOW, ALLOW, ALLOW),
      // HBONE 15008 admits the pair on any port (CNI); the mesh keeps each caller to its port.
      row(fe, be, Port.tcp(9090), DENY, ALLOW, DENY),
      row(reporter, be, Port.tcp(8080), DENY, ALLOW, DENY),
      row(be, db, Port.tcp(8080), DENY, ALLOW, DENY),
      row(fe, db, Port.tcp(3306), DENY, DENY, DENY),
      row(reporter, db, Port.tcp(3306), DENY, DENY, DENY),
      row(nginx, be, Port.tcp(8080), DENY, DENY, DENY),
    ]);
    for (const tier of [fe, be, db]) {
      expect([reach.check(tier, coredns, Port.udp(53)).verdict, reach.check(tier, coredns, Port.tcp(53)).verdict]).toEqual([ALLOW, ALLOW]);
    }
  });
});
