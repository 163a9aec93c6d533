/**
 * A meshed ThreeTierApp (issue 11 on top of issue 8.1): its namespace holds the mesh's own
 * namespace-wide allows (control plane, proxy metrics, ambient probes), which ThreeTierApp accepts
 * because of what they open (their peers and ports), not their names; everything else that opens
 * every pod is still refused. The database still reaches nothing but DNS and the mesh control plane,
 * and is reached only from the backend (plus the mesh's own scrapes and probes), per the analyzer.
 */
import {
  Cni, Direction, IpFamily, IstioMode, Mesh, Peer, Port, Reachability, Target, TenantIsolation, ThreeTierApp, ZeroTrustNamespace,
} from '../../src';
import { INTERNET, METADATA, PRIVATE_HOST } from '../support/flows';
import { meshChart, meshReachability, SHOP_TIERS } from '../support/mesh';
import '../support/reachability-matchers';
import { ENFORCING_CNIS, find, synthValid } from '../support/synth';

const TIERS = SHOP_TIERS;

/** Each mesh mode: the mesh, and what the database may reach and be reached from beyond the tiers. */
const MODES: Array<{ mode: string; mesh: () => Mesh; egress: string[]; ingress: string[] }> = [
  {
    mode: 'Istio sidecar',
    mesh: () => Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }),
    egress: ['istio-system/istiod TCP/15012'],
    ingress: ['monitoring/prometheus TCP/15020', 'monitoring/prometheus TCP/15090'],
  },
  // Ambient pods talk to no control plane (ztunnel does); HBONE rides along the backend's allow.
  { mode: 'Istio ambient', mesh: () => Mesh.istio({ mode: IstioMode.AMBIENT }), egress: [], ingress: ['shop/shop-backend TCP/15008'] },
  {
    mode: 'Linkerd',
    mesh: () => Mesh.linkerd({ cni: true }),
    // Each Linkerd control-plane component on its own ports: destination 8086 and the policy
    // controller 8090 (same pods), identity 8080; never the whole `linkerd` namespace.
    egress: ['linkerd/linkerd-destination TCP/8086', 'linkerd/linkerd-destination TCP/8090', 'linkerd/linkerd-identity TCP/8080'],
    ingress: ['monitoring/prometheus TCP/4191', 'shop/shop-backend TCP/4143'],
  },
];

/** Ports evaluated on every pod besides its declared ones: the mesh ports, and a few an app might use. */
const EXTRA_PORTS = [15008, 15012, 15020, 15090, 4143, 4191, 8080, 8086, 8090, 443, 5432].map((p) => Port.tcp(p));
const DATABASE = 'shop/shop-database';
const db = Target.workload('shop', 'shop-database');

/** Allowed flows from (or to) the database, as `<peer> <port>`, sorted. */
function databaseFlows(reach: Reachability, side: 'from' | 'to'): string[] {
  return reach.matrix({ ports: EXTRA_PORTS }).flows
    .filter((f) => f.allowed && (side === 'from' ? f.source === DATABASE : f.destination === DATABASE))
    .map((f) => `${side === 'from' ? f.destination : f.source} ${f.port}`)
    .sort();
}

describe.each(ENFORCING_CNIS)('a meshed ThreeTierApp on %s', (_name, cni) => {
  test.each(MODES)('$mode: synthesizes, and the database reaches only DNS and the mesh control plane', ({ mesh, egress, ingress }) => {
    const chart = meshChart(cni(), mesh());
    const app = new ThreeTierApp(chart, 'shop', { namespace: 'shop', mesh: {}, ...TIERS });
    synthValid(chart);
    // The namespace does hold namespace-wide allows besides DNS: the mesh's, recognized by what they open.
    const blanket = app.zeroTrustNamespace.blanketAllows();
    expect(blanket.filter((a) => !a.dnsOnly).length).toBeGreaterThan(0);
    expect(blanket.filter((a) => !a.dnsOnly).every((a) => a.meshOnly)).toBe(true);
    expect(app.zeroTrustNamespace.opensToAllPods()).toBe(false);

    const reach = meshReachability(chart, cni());
    expect(databaseFlows(reach, 'from')).toEqual(['kube-system/coredns TCP/53', 'kube-system/coredns UDP/53', ...egress].sort());
    expect(databaseFlows(reach, 'to')).toEqual(['shop/shop-backend TCP/5432', ...ingress].sort());
    for (const outside of [INTERNET, PRIVATE_HOST, METADATA]) {
      for (const port of [Port.tcp(443), Port.tcp(80), Port.tcp(15008)]) expect(reach).toDeny(db, outside, port);
    }
  });
});

describe('blanket allows of a meshed namespace: mesh-only is decided by peers and ports, never by name', () => {
  const sidecar = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
  const istiod = () => Peer.pods({ app: 'istiod' }, 'istio-system');

  test('the mesh\'s own allows are mesh-only, and so is the same opening under another name', () => {
    const ns = new ZeroTrustNamespace(sidecar(), 'ns', { name: 'shop', mesh: {} });
    ns.allowEgress('xds-again', {}, [istiod()], [Port.tcp(15012)]);
    ns.allowEgress('istiod-revision-pods', {}, [Peer.pods({ 'app': 'istiod', 'istio.io/rev': 'canary' }, 'istio-system')], [Port.tcp(15012)]);
    ns.allowIngress('scrape-envoy', {}, [Peer.monitoring()], [Port.tcp(15090)]);
    expect(ns.blanketAllows().map((a) => [a.policyName, a.direction, a.dnsOnly, a.meshOnly])).toEqual([
      ['allow-dns', Direction.EGRESS, true, false],
      ['allow-istio-control-plane', Direction.EGRESS, false, true],
      ['allow-istio-metrics', Direction.INGRESS, false, true],
      ['xds-again', Direction.EGRESS, false, true],
      ['istiod-revision-pods', Direction.EGRESS, false, true],
      ['scrape-envoy', Direction.INGRESS, false, true],
    ]);
    expect(ns.opensToAllPods()).toBe(false);
  });

  test.each<[string, (ns: ZeroTrustNamespace) => void]>([
    ['every pod of the control-plane namespace', (ns) => ns.allowEgress('wide', {}, [Peer.namespace('istio-system')], [Port.tcp(15012)])],
    ['istiod on another port', (ns) => ns.allowEgress('wide', {}, [istiod()], [Port.tcp(443)])],
    ['istiod on every port', (ns) => ns.allowEgress('wide', {}, [istiod()])],
    ['istiod on a port range', (ns) => ns.allowEgress('wide', {}, [istiod()], [Port.tcpRange(15010, 15014)])],
    ['istiod named like the control plane, in another namespace', (ns) => ns.allowEgress('wide', {}, [Peer.pods({ app: 'istiod' }, 'other')], [Port.tcp(15012)])],
    ['istiod together with the internet', (ns) => ns.allowEgress('wide', {}, [istiod(), Peer.internet()], [Port.tcp(15012)])],
    ['ingress from istiod (the control plane is only dialled)', (ns) => ns.allowIngress('wide', {}, [istiod()], [Port.tcp(15012)])],
    ['monitoring on an application port', (ns) => ns.allowIngress('wide', {}, [Peer.monitoring()], [Port.tcp(9090)])],
    ['monitoring on the metrics port by egress', (ns) => ns.allowEgress('wide', {}, [Peer.monitoring()], [Port.tcp(15020)])],
    ['the probe address, where the mesh has none (sidecar)', (ns) => ns.allowIngress('wide', {}, [Peer.cidr('169.254.7.127/32')])],
    ['every pod of the namespace on the metrics port', (ns) => ns.allowIngress('wide', {}, [Peer.allPods()], [Port.tcp(15020)])],
  ])('%s is not mesh-only: ThreeTierApp refuses it', (_what, open) => {
    const chart = sidecar();
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: {} });
    open(ns);
    expect(ns.blanketAllows().find((a) => a.policyName === 'wide')?.meshOnly).toBe(false);
    expect(ns.opensToAllPods()).toBe(true);
    expect(() => new ThreeTierApp(chart, 'shop', { zeroTrustNamespace: ns, ...TIERS }))
      .toThrow("[test/shop] zeroTrustNamespace: 'shop' has allows that apply to every pod of the namespace, the database included: 'wide'");
  });

  test('Linkerd: each control-plane component on its own ports is mesh-only; the whole namespace or a component on another\'s port is not', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: {} });
    const component = (c: string) => Peer.pods({ 'linkerd.io/control-plane-component': c }, 'linkerd');
    ns.allowEgress('policy-again', {}, [component('destination')], [Port.tcp(8090)]);
    ns.allowEgress('identity-again', {}, [component('identity')], [Port.tcp(8080)]);
    ns.allowEgress('whole-namespace', {}, [Peer.namespace('linkerd')], [Port.tcp(8086)]);
    ns.allowEgress('identity-on-8086', {}, [component('identity')], [Port.tcp(8086)]);
    ns.allowEgress('destination-on-8080', {}, [component('destination')], [Port.tcp(8080)]);
    ns.allowEgress('both-components', {}, [component('destination'), component('identity')], [Port.tcp(8086)]);
    // (Hand-added allows between pods also get a proxy-port twin on 4143, which is no mesh-only opening: left out here.)
    expect(ns.blanketAllows().filter((a) => !a.dnsOnly && !a.ports.includes('TCP/4143')).map((a) => [a.policyName, a.meshOnly])).toEqual([
      ['allow-linkerd-control-plane', true],
      ['allow-linkerd-control-plane', true],
      ['allow-linkerd-metrics', true],
      ['policy-again', true],
      ['identity-again', true],
      ['whole-namespace', false],
      ['identity-on-8086', false],
      ['destination-on-8080', false],
      ['both-components', false],
    ]);
    expect(ns.opensToAllPods()).toBe(true);
  });

  test('ambient: the probe address is mesh-only on ingress, on every port; a wider link-local block is not', () => {
    const chart = meshChart(Cni.cilium(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: {} });
    ns.allowIngress('probes-again', {}, [Peer.cidr('169.254.7.127/32')]);
    ns.allowIngress('link-local', {}, [Peer.cidr('169.254.0.0/16')]);
    expect(ns.blanketAllows().filter((a) => a.meshOnly).map((a) => a.policyName)).toEqual(['allow-istio-kubelet-probes', 'probes-again']);
    expect(ns.opensToAllPods()).toBe(true);
  });

  test('ambient with declared probe addresses: those are mesh-only, the defaults they replace are not; ThreeTierApp accepts the namespace', () => {
    const mesh = Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.9.9', hostProbeSnatIpv6: 'fd00::7' });
    const chart = meshChart(Cni.cilium(), mesh, { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', mesh: {} });
    ns.allowIngress('declared-again', {}, [Peer.cidr('169.254.9.9/32')]);
    ns.allowIngress('old-default', {}, [Peer.cidr('169.254.7.127/32')]);
    expect(ns.blanketAllows().filter((a) => a.meshOnly).map((a) => a.policyName)).toEqual(['allow-istio-kubelet-probes', 'declared-again']);

    const clean = meshChart(Cni.cilium(), mesh, { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    new ThreeTierApp(clean, 'shop', { namespace: 'shop', mesh: {}, ...TIERS });
    expect(find(synthValid(clean), 'NetworkPolicy', 'allow-istio-kubelet-probes', 'shop').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '169.254.9.9/32' } }, { ipBlock: { cidr: 'fd00::7/128' } }] }],
    });
  });

  test('in a namespace that did not join the mesh nothing is mesh-only, even an allow to istiod on 15012', () => {
    const chart = sidecar();
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
    ns.allowEgress('xds', {}, [istiod()], [Port.tcp(15012)]);
    expect(ns.blanketAllows().map((a) => a.meshOnly)).toEqual([false, false]);
    expect(() => new ThreeTierApp(chart, 'shop', { zeroTrustNamespace: ns, ...TIERS })).toThrow("'xds' (egress to pods {app=istiod} in namespace istio-system on TCP/15012)");
  });

  test('a meshed tenant namespace (allowSameTenant: false) hosts a ThreeTierApp; the tenant\'s internet allow is still refused', () => {
    for (const allowInternetEgress of [false, true]) {
      const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
      const t = new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowSameTenant: false, allowInternetEgress, mesh: {} });
      const make = () => new ThreeTierApp(chart, 'shop', { zeroTrustNamespace: t.tenantNamespaces.acme[0], ...TIERS });
      if (allowInternetEgress) {expect(make).toThrow("'allow-internet-egress' (egress to internet (public addresses) on TCP/443)");} else {
        make();
        expect(() => synthValid(chart)).not.toThrow();
      }
    }
  });
});
