/**
 * Every example, for every CNI: synthesizes, validates strictly, lints clean, and enforces the
 * flows it promises.
 */
import { App } from 'cdk8s';
import { expectApplyOrder } from './support/apply-order';
import { expectThreeTierChain, threeTierTargets } from './support/flows';
import { expectValidManifests } from './support/schema';
import { validYaml } from './support/synth';
import { EXAMPLE_CNIS } from '../examples/cni';
import { EXAMPLES } from '../examples/synth-all';
import { ClusterNetwork, IstioMode, LintSeverity, Mesh, MeshKind, PolicyLint, Port, Reachability, Target } from '../src';
import './support/reachability-matchers';

interface Common { readonly dns: Target; readonly controller: Target; readonly metadata: Target; readonly cniName: string }

/** What each example promises, asserted with the analyzer on every CNI. */
const PROMISES: Record<string, (reach: Reachability, c: Common) => void> = {
  'secure-multi-tier': (reach, { dns, controller, metadata, cniName }) => {
    const { frontend: fe, backend: be, database: db } = threeTierTargets('shop', 'shop');
    expectThreeTierChain(reach, 'shop', 'shop', controller);
    expect(reach).toAllow(Target.pod('monitoring'), be, Port.tcp(9090));
    expect(reach).toDeny(Target.pod('monitoring'), fe, Port.tcp(9090));
    expect(reach).toDeny(db, Target.external('203.0.113.7'), Port.tcp(443));
    for (const tier of [fe, be, db]) {
      expect(reach).toAllow(tier, dns, Port.udp(53));
      expect(reach).toAllow(tier, dns, Port.tcp(53));
      // NodeLocal DNS: the link-local address, or on Cilium (kube-proxy replacement) the LRP's node-local-dns pods.
      if (cniName === 'cilium') expect(reach).toAllow(tier, Target.pod('kube-system', { 'k8s-app': 'node-local-dns' }), Port.udp(53));
      else expect(reach).toAllow(tier, Target.external('169.254.20.10'), Port.udp(53));
      expect(reach).toDeny(tier, metadata, Port.tcp(80));
    }
  },
  'tenant-platform': (reach, { dns, controller, metadata }) => {
    const web = (ns: string) => Target.workload(ns, 'web');
    expect(reach).toAllow(controller, web('acme'), Port.tcp(8080));
    expect(reach).toAllow(web('globex-web'), web('globex-data'), Port.tcp(8080));
    expect(reach).toDeny(web('acme'), web('globex-web'), Port.tcp(8080));
    expect(reach).toDeny(web('initech'), web('acme'), Port.tcp(8080));
    expect(reach).toAllow(web('acme'), Target.external('93.184.216.34'), Port.tcp(443));
    expect(reach).toDeny(web('acme'), Target.external('10.0.0.5'), Port.tcp(443));
    for (const ns of ['acme', 'globex-web', 'globex-data', 'initech']) {
      expect(reach).toAllow(web(ns), dns, Port.udp(53));
      expect(reach).toAllow(web(ns), dns, Port.tcp(53));
      expect(reach).toDeny(web(ns), metadata, Port.tcp(80));
    }
  },
  'istio-canary': (reach, { dns, metadata }) => {
    const web = Target.workload('checkout', 'web');
    const istiod = Target.workload('istio-system', 'istiod');
    for (const api of [Target.workload('checkout', 'api-v1'), Target.workload('checkout', 'api-v2')]) {
      expect(reach).toAllow(web, api, Port.tcp(8080));
      expect(reach).toDeny(api, web, Port.tcp(8080));
      expect(reach).toAllow(Target.pod('monitoring'), api, Port.tcp(15020));
      expect(reach).toAllow(Target.pod('monitoring'), api, Port.tcp(15090));
      expect(reach).toDeny(Target.pod('monitoring'), api, Port.tcp(8080));
    }
    for (const pod of [web, Target.workload('checkout', 'api-v1')]) {
      expect(reach).toAllow(pod, istiod, Port.tcp(15012));
      expect(reach).toDeny(pod, istiod, Port.tcp(15017));
      expect(reach).toAllow(pod, dns, Port.udp(53));
      expect(reach).toDeny(pod, metadata, Port.tcp(80));
    }
  },
  'gateway-canary': (reach, { controller, metadata }) => {
    const { frontend: fe, backend: be, database: db } = threeTierTargets('storefront', 'storefront');
    const canary = Target.workload('storefront', 'storefront-backend-canary');
    const gateway = Target.pod('gateways', { 'gateway.networking.k8s.io/gateway-name': 'public' });
    expect(reach).toAllow(gateway, fe, Port.tcp(8080));
    expect(reach).toDeny(gateway, be, Port.tcp(8080));
    expect(reach).toDeny(controller, fe, Port.tcp(8080));
    for (const version of [be, canary]) {
      expect(reach).toAllow(fe, version, Port.tcp(8080));
      expect(reach).toAllow(fe, version, Port.tcp(4143));
      expect(reach).toAllow(version, db, Port.tcp(5432));
      expect(reach).toAllow(Target.pod('monitoring'), version, Port.tcp(4191));
      // Each Linkerd control-plane component on its own ports, no other pod of the namespace.
      expect(reach).toAllow(version, Target.workload('linkerd', 'linkerd-destination'), Port.tcp(8086));
      expect(reach).toAllow(version, Target.workload('linkerd', 'linkerd-identity'), Port.tcp(8080));
      expect(reach).toDeny(version, Target.workload('linkerd', 'linkerd-identity'), Port.tcp(8086));
      expect(reach).toDeny(version, Target.workload('linkerd', 'linkerd-proxy-injector'), Port.tcp(8086));
      expect(reach).toDeny(version, metadata, Port.tcp(80));
    }
    expect(reach).toDeny(fe, db, Port.tcp(5432));
    expect(reach).toDeny(fe, db, Port.tcp(4143));
  },
};

const cases = Object.keys(EXAMPLES).flatMap((example) => Object.keys(EXAMPLE_CNIS).map((cni) => [example, cni]));

/** The example's objects, and its ClusterNetwork mesh when that tunnels meshed traffic through a transport port (Istio ambient, Linkerd). */
function synthExample(example: string, cniName: string): { objects: any[]; transportMesh?: Mesh } {
  const app = new App();
  const chart = EXAMPLES[example](app, EXAMPLE_CNIS[cniName]());
  const mesh = ClusterNetwork.of(chart).mesh;
  return { objects: chart.toJson(), ...(mesh.kind === MeshKind.LINKERD || mesh.istioMode === IstioMode.AMBIENT ? { transportMesh: mesh } : {}) };
}

describe.each(cases)('example %s on %s', (example, cniName) => {
  const { objects, transportMesh: mesh } = synthExample(example, cniName);

  test('every object validates strictly against the pinned schemas', () => {
    expect(objects.length).toBeGreaterThan(10);
    expectValidManifests(objects);
  });

  test('applies in file order: every Namespace before the objects in it, every Calico Tier before its policies', () => {
    expectApplyOrder(objects);
  });

  test('PolicyLint finds no errors or warnings', () => {
    const findings = PolicyLint.check(objects, { cni: EXAMPLE_CNIS[cniName]() })
      .filter((f) => f.severity !== LintSeverity.INFO);
    expect(findings).toEqual([]);
  });

  // Told its mesh, the lint judges what the transport port (4143, 15008) opens: the meshed examples restrict the ports in the mesh.
  // Examples without a transport-port mesh (none, Istio sidecars) must not open those ports at all.
  test('the mesh transport port: opened only under a mesh that tunnels, and then opening no other port', () => {
    const namesPort = (port: number) => objects.some((o) => o.kind === 'NetworkPolicy'
      && (o.spec.ingress ?? []).some((r: any) => (r.ports ?? []).some((p: any) => p.port === port)));
    if (!mesh) {
      expect([4143, 15008].filter(namesPort)).toEqual([]);
      return;
    }
    // Something to judge: the twin rules ZeroTrustNamespace adds on the transport port.
    expect(namesPort(mesh.kind === MeshKind.LINKERD ? 4143 : 15008)).toBe(true);
    expect(PolicyLint.check(objects, { cni: EXAMPLE_CNIS[cniName](), mesh }).filter((f) => f.rule === 'mesh-transport-port-opens-ports')).toEqual([]);
  });

  test('synthesizes byte-identical, schema-valid YAML twice', () => {
    const yaml = () => {
      const app = new App();
      EXAMPLES[example](app, EXAMPLE_CNIS[cniName]());
      return app.synthYaml();
    };
    const first = yaml();
    expect(yaml()).toBe(first);
    expect(validYaml(first)).toHaveLength(objects.length);
  });

  test('promised flows', () => {
    const reach = Reachability.fromManifests(objects, { cni: EXAMPLE_CNIS[cniName]() });
    reach.addProbe('coredns', 'kube-system', { 'k8s-app': 'kube-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
    reach.addProbe('controller', 'ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
    reach.addProbe('prometheus', 'monitoring', { app: 'prometheus' });
    reach.addProbe('istiod', 'istio-system', { app: 'istiod' }, { ports: [Port.tcp(15012), Port.tcp(15017)] });
    reach.addProbe('linkerd-destination', 'linkerd', { 'linkerd.io/control-plane-component': 'destination' }, { ports: [Port.tcp(8086)] });
    reach.addProbe('linkerd-identity', 'linkerd', { 'linkerd.io/control-plane-component': 'identity' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('linkerd-proxy-injector', 'linkerd', { 'linkerd.io/control-plane-component': 'proxy-injector' }, { ports: [Port.tcp(8443)] });
    reach.addProbe('public-gateway', 'gateways', { 'gateway.networking.k8s.io/gateway-name': 'public' });
    reach.addProbe('node-local-dns', 'kube-system', { 'k8s-app': 'node-local-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
    const dns = Target.pod('kube-system', { 'k8s-app': 'kube-dns' });
    const controller = Target.pod('ingress-nginx');
    const metadata = Target.external('169.254.169.254');

    PROMISES[example](reach, { dns, controller, metadata, cniName });
  });
});

// The CLI's GitOps check of each example (its expectations.yaml) is in test/cli/example-expectations.test.ts.
