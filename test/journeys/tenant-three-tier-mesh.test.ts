/**
 * Journey: a platform team isolates two tenants (TenantIsolation, acme with one namespace, globex
 * with two) in the mesh, and each tenant runs a ThreeTierApp (MySQL) in its first namespace
 * (zeroTrustNamespace). The mesh opens every port of an allowed pair on the transport port and the
 * app's Linkerd Servers admit any meshed identity (as the namespace's all-authenticated policy did),
 * so isolation between tenants rests on the CNI: the views must agree that it holds on every
 * enforcing CNI, that the tier hops stay restricted to their ports in the mesh, and PolicyLint must
 * report only the announced metrics-scrape findings.
 */
import {
  IstioMode, LinkerdInboundPolicy, Mesh, NamespaceMeshOptions, Port, Reachability, Target, TenantIsolation, ThreeTierApp, Verdict,
} from '../../src';
import { PolicyLint } from '../../src/lint';
import { meshChart } from '../support/mesh';
import { ENFORCING_CNIS, synthValid } from '../support/synth';

const TIERS = {
  frontend: { image: 'ghcr.io/example/web:1.0.0' },
  backend: { image: 'ghcr.io/example/api:1.0.0' },
  database: { image: 'mysql:8.4', port: 3306 },
};
const MESHES: Array<[string, () => Mesh, NamespaceMeshOptions]> = [
  ['Linkerd (all-authenticated)', () => Mesh.linkerd({ cni: true }), { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.ALL_AUTHENTICATED }],
  ['Istio ambient', () => Mesh.istio({ mode: IstioMode.AMBIENT }), {}],
];
const tier = (tenant: string, name: string) => Target.workload(`${tenant}-shop`, `${tenant}-shop-${name}`);
const [aFe, aBe, aDb, gFe, gBe] = [tier('acme', 'frontend'), tier('acme', 'backend'), tier('acme', 'database'), tier('globex', 'frontend'), tier('globex', 'backend')];
const nginx = Target.workload('ingress-nginx', 'controller');
const { ALLOW, DENY } = Verdict;

describe.each(ENFORCING_CNIS)('on %s', (_cniName, cni) => {
  describe.each(MESHES)('under %s', (meshName, mesh, meshOptions) => {
    const chart = meshChart(cni(), mesh());
    const tenants = new TenantIsolation(chart, 'tenants', {
      tenants: ['acme', 'globex'],
      namespaces: { acme: ['acme-shop'], globex: ['globex-shop', 'globex-data'] },
      allowSameTenant: false,
      allowInternetEgress: false,
      mesh: meshOptions,
    });
    for (const t of ['acme', 'globex']) {
      new ThreeTierApp(chart, `${t}-shop`, { zeroTrustNamespace: tenants.tenantNamespaces[t][0], ...TIERS, host: `${t}.example.com` });
    }
    const objects = synthValid(chart);

    test('PolicyLint: only the scrape findings announced for an authenticated Linkerd policy', () => {
      expect(PolicyLint.check(objects, { cni: cni() }).map((f) => [f.severity, f.rule, f.object])).toEqual(meshName.startsWith('Linkerd') ? [
        // The frontends keep the namespace's policy on 4191; the backends and databases have the app's Servers there, whose
        // AuthorizationPolicies admit any meshed identity only (MeshTLSAuthentication identities *), which refuses an unmeshed
        // scraper just the same (the lint was silent on those before); globex-data has no app.
        ['warning', 'linkerd-admin-port-unauthorized', 'Deployment acme-shop/acme-shop-backend'],
        ['warning', 'linkerd-admin-port-unauthorized', 'Deployment acme-shop/acme-shop-frontend'],
        ['warning', 'linkerd-admin-port-unauthorized', 'Deployment globex-shop/globex-shop-backend'],
        ['warning', 'linkerd-admin-port-unauthorized', 'Deployment globex-shop/globex-shop-frontend'],
        ['warning', 'linkerd-admin-port-unauthorized', 'Namespace globex-data'],
        ['warning', 'linkerd-admin-port-unauthorized', 'StatefulSet acme-shop/acme-shop-database'],
        ['warning', 'linkerd-admin-port-unauthorized', 'StatefulSet globex-shop/globex-shop-database'],
      ] : []);
    });

    test('tenants stay apart (the CNI refuses, whatever the mesh admits); each app\'s hops work, on their ports only', () => {
      const reach = Reachability.fromChart(chart, { cni: cni(), nodeIp: '172.31.0.10' });
      reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
      const flows: Array<[Target, Target, Port, Verdict, Verdict]> = [
        [aFe, aBe, Port.tcp(8080), ALLOW, ALLOW],
        [aBe, aDb, Port.tcp(3306), ALLOW, ALLOW],
        [gFe, gBe, Port.tcp(8080), ALLOW, ALLOW],
        [nginx, aFe, Port.tcp(8080), ALLOW, ALLOW],
        [aFe, aBe, Port.tcp(9090), DENY, ALLOW],
        [aBe, aDb, Port.tcp(8080), DENY, ALLOW],
        [gFe, aBe, Port.tcp(8080), DENY, DENY],
        [gBe, aDb, Port.tcp(3306), DENY, DENY],
        [gFe, aFe, Port.tcp(8080), DENY, DENY],
        [aFe, gBe, Port.tcp(8080), DENY, DENY],
        [aBe, gBe, Port.tcp(8080), DENY, DENY],
      ];
      expect(flows.map(([s, d, p]) => {
        const r = reach.check(s, d, p);
        return [`${s} -> ${d} ${p}`, r.verdict, r.cniVerdict];
      })).toEqual(flows.map(([s, d, p, v, c]) => [`${s} -> ${d} ${p}`, v, c]));
    });
  });
});
