/**
 * Issue 8.1: a ThreeTierApp's database reaches nothing but DNS and is reached only from the backend,
 * whatever the namespace it runs in. The namespace says what its policies open to every pod
 * (ZeroTrustNamespace.blanketAllows / opensToAllPods), whatever their names and whenever they are
 * added; the app asks it at construction and again at synth.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import {
  AppTier, ClusterNetwork, Cni, Direction, EgressAllowList, Peer, Port, Reachability, Target, TenantIsolation, ThreeTierApp, ThreeTierAppProps,
  TrafficPolicy, ZeroTrustNamespace,
} from '../../src';
import { INTERNET, reachabilityOf, threeTierTargets } from '../support/flows';
import '../support/reachability-matchers';
import { expectValidManifests } from '../support/schema';
import { ENFORCING_CNIS, chartFor, expectValidTree, synthValid } from '../support/synth';

const APP: ThreeTierAppProps = {
  host: 'shop.acme.example.com',
  frontend: { image: 'web:1' },
  backend: { image: 'api:1' },
  database: { image: 'postgres:16.4' },
};

const DNS_ALLOW = {
  policyName: 'allow-dns', direction: Direction.EGRESS, peers: ['cluster DNS'], ports: ['UDP/53', 'TCP/53'], dnsOnly: true, meshOnly: false,
};

describe('ZeroTrustNamespace says what its policies open to every pod', () => {
  test.each(ENFORCING_CNIS)('the baseline opens nothing but DNS on %s', (_name, cni) => {
    const ns = new ZeroTrustNamespace(chartFor(cni(), { nodeLocalDns: true }), 'ns', { name: 'payments' });
    expect(ns.blanketAllows()).toEqual([DNS_ALLOW]);
    expect(ns.opensToAllPods()).toBe(false);
  });

  test('a policy\'s blanket allows are what it was when added, even if the caller changes its arrays afterwards', () => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.kubernetes()), 'ns', { name: 'payments' });
    const peers = [Peer.clusterDns()];
    const ports = [Port.udp(53)];
    const egress = [{ peers, ports }];
    ns.addPolicy('more-dns', { egress });
    peers.push(Peer.internet());
    ports.push(Port.tcp(443));
    egress.push({ peers: [Peer.internet()], ports: [Port.tcp(80)] });
    expect(ns.blanketAllows()).toEqual([
      DNS_ALLOW,
      { policyName: 'more-dns', direction: Direction.EGRESS, peers: ['cluster DNS'], ports: ['UDP/53'], dnsOnly: true, meshOnly: false },
    ]);
    expect(ns.opensToAllPods()).toBe(false);
  });

  test('every allow of a policy selecting all pods counts, whatever its name and whenever it is added; denies and per-pod allows do not', () => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.calico()), 'ns', { name: 'payments', monitoringPorts: [Port.tcp(9090)] });
    ns.allowEgress('api-to-stripe', { app: 'api' }, [Peer.internet()], [Port.tcp(443)]);
    ns.addPolicy('no-smtp', { egress: [{ action: 'Deny' as any, peers: [Peer.internet()], ports: [Port.tcp(25)] }] });
    ns.allowEgress('whatever-name', {}, [Peer.internet({ exceptPrivateRanges: false })], [Port.tcp(443), Port.tcp(80)]);
    ns.allowEgress('more-dns', {}, [Peer.clusterDns()], [Port.udp(53)]);
    expect(ns.blanketAllows()).toEqual([
      DNS_ALLOW,
      { policyName: 'allow-monitoring', direction: Direction.INGRESS, peers: ['monitoring'], ports: ['TCP/9090'], dnsOnly: false, meshOnly: false },
      { policyName: 'whatever-name', direction: Direction.EGRESS, peers: ['internet'], ports: ['TCP/443', 'TCP/80'], dnsOnly: false, meshOnly: false },
      { policyName: 'more-dns', direction: Direction.EGRESS, peers: ['cluster DNS'], ports: ['UDP/53'], dnsOnly: true, meshOnly: false },
    ]);
    expect(ns.opensToAllPods()).toBe(true);
  });

  test('DNS on another port, or DNS together with another peer, is not "DNS only"', () => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.kubernetes()), 'ns', { name: 'payments' });
    ns.allowEgress('dns-and-more', {}, [Peer.clusterDns(), Peer.cidr('203.0.113.0/24')], [Port.udp(53)]);
    ns.allowEgress('dns-any-port', {}, [Peer.clusterDns()]);
    expect(ns.blanketAllows().filter((a) => a.dnsOnly).map((a) => a.policyName)).toEqual(['allow-dns']);
    expect(ns.opensToAllPods()).toBe(true);
  });

  test('the returned list is a copy', () => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.kubernetes()), 'ns', { name: 'payments' });
    ns.blanketAllows()[0].peers.push('everything');
    (ns.blanketAllows() as any[]).push({});
    expect(ns.blanketAllows()).toEqual([DNS_ALLOW]);
  });
});

describe('ThreeTierApp refuses a namespace that opens every pod', () => {
  test.each(ENFORCING_CNIS)('a tenant namespace with internet egress (issue 8.1) is refused on %s, naming the policy and what it opens', (_name, cni) => {
    const chart = chartFor(cni());
    const t = new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowSameTenant: false, allowInternetEgress: true });
    expect(() => new ThreeTierApp(chart, 'shop', { ...APP, zeroTrustNamespace: t.tenantNamespaces.acme[0] })).toThrow(
      "[test/shop] zeroTrustNamespace: 'acme' has allows that apply to every pod of the namespace, the database included: "
      + "'allow-internet-egress' (egress to internet (public addresses) on TCP/443). The database must be reachable only from the backend "
      + 'and reach nothing but DNS');
  });

  test('a blanket allow under any name is refused, however it was added', () => {
    const chart = chartFor(Cni.cilium());
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop' });
    ns.addPolicy('platform-egress', { egress: [{ peers: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] }] });
    expect(() => new ThreeTierApp(chart, 'shop', { ...APP, zeroTrustNamespace: ns }))
      .toThrow("'platform-egress' (egress to fqdn api.example.com on TCP/443)");
  });

  test('monitoring scrapes of every pod are refused too: the database is reached only from the backend', () => {
    const chart = chartFor(Cni.kubernetes());
    const ns = new ZeroTrustNamespace(chart, 'ns', { name: 'shop', monitoringPorts: [Port.tcp(9090)] });
    expect(() => new ThreeTierApp(chart, 'shop', { ...APP, zeroTrustNamespace: ns })).toThrow("'allow-monitoring' (ingress from monitoring on TCP/9090)");
  });

  test.each(ENFORCING_CNIS)('an allow added to the namespace after the app fails the synth (cdk8s validation) on %s', (_name, cni) => {
    const app = new App();
    const chart = new Chart(app, 'platform');
    new ClusterNetwork(chart, 'cluster', { cni: cni() });
    const t = new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowSameTenant: false });
    new ThreeTierApp(chart, 'shop', { ...APP, zeroTrustNamespace: t.tenantNamespaces.acme[0] });
    expect(() => expectValidTree(chart)).not.toThrow();
    t.tenantNamespaces.acme[0].allowEgress('late', {}, [Peer.internet()], [Port.tcp(443)]);
    expect(() => app.synthYaml()).toThrow(
      "[platform/shop] zeroTrustNamespace: 'acme' has allows that apply to every pod of the namespace, the database included: 'late' "
      + '(egress to internet (public addresses) on TCP/443).');
    // The app's own namespace is checked the same way.
    const own = chartFor(cni());
    const mine = new ThreeTierApp(own, 'shop', { ...APP, namespace: 'shop' });
    mine.zeroTrustNamespace.allowIngress('open-house', {}, [Peer.allPods()]);
    expect(() => synthValid(own)).toThrow("[test/shop] zeroTrustNamespace: 'shop' has allows that apply to every pod of the namespace");
  });

  test.each(ENFORCING_CNIS)('per-tier allows and extra DNS allows keep the app valid, and the flows say so on %s', (name, cni) => {
    const chart = chartFor(cni());
    const t = new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowSameTenant: false });
    const ns = t.tenantNamespaces.acme[0];
    const app = new ThreeTierApp(chart, 'shop', { ...APP, zeroTrustNamespace: ns });
    ns.allowEgress('shop-backend-internet', app.podLabels(AppTier.BACKEND), [Peer.internet()], [Port.tcp(443)]);
    ns.allowEgress('more-dns', {}, [Peer.clusterDns()], [Port.udp(53), Port.tcp(53)]);
    const reach = reachabilityOf(chart, CNI_OF[name]());
    const { backend, database } = threeTierTargets('acme', 'shop');
    expect(reach).toAllow(backend, INTERNET, Port.tcp(443));
    expect(reach).toDeny(database, INTERNET, Port.tcp(443));
    expect(reach).toAllow(database, Target.pod('kube-system', { 'k8s-app': 'kube-dns' }), Port.udp(53));
  });
});

describe('ThreeTierApp also refuses a policy of the namespace declared outside it (red-team: the check was escaped)', () => {
  test.each(ENFORCING_CNIS)('a TrafficPolicy of its own that selects every pod (the frontend reached the database) fails the synth on %s', (name, cni) => {
    const chart = chartFor(cni());
    new ThreeTierApp(chart, 'shop', { ...APP, namespace: 'shop' });
    new TrafficPolicy(chart, 'open', {
      name: 'open-house', namespace: 'shop', ingress: [{ peers: [Peer.sameNamespace()] }], egress: [{ peers: [Peer.sameNamespace()] }],
    });
    // What the objects open (read without cdk8s' validations, which now refuse them): frontend -> database.
    const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
    expectValidManifests(objects);
    const { frontend, database } = threeTierTargets('shop', 'shop');
    const reach = Reachability.fromManifests(objects, { cni: CNI_OF[name](), podCidrs: ClusterNetwork.of(chart).podCidrs });
    expect(reach).toAllow(frontend, database, Port.tcp(5432));
    expect(() => synthValid(chart)).toThrow("[test/shop] zeroTrustNamespace: the policy 'open-house' (test/open) selects every pod of 'shop', "
      + 'the database included, and allows ingress[0], egress[0]: the database must be reachable only from the backend and reach nothing but DNS. '
      + 'Select the pods that need it instead (e.g. podSelector: app.podLabels(AppTier.BACKEND))');
  });

  test('an EgressAllowList for every pod of the namespace, in another chart, is refused; its DNS rule is not what is named', () => {
    const app = new App();
    new ClusterNetwork(app, 'cluster', { cni: Cni.calico() });
    const platform = new Chart(app, 'platform');
    new ThreeTierApp(platform, 'shop', { ...APP, namespace: 'shop' });
    const other = new Chart(app, 'egress');
    new EgressAllowList(other, 'partners', { namespace: 'shop', podSelector: {}, destinations: [{ peer: Peer.internet(), ports: [Port.tcp(443)] }] });
    expect(() => app.synthYaml()).toThrow("[platform/shop] zeroTrustNamespace: the policy 'partners' (egress/partners/Policy) selects every pod "
      + "of 'shop', the database included, and allows egress[0]: ");
  });

  test.each([['calico', Cni.calico], ['cilium', Cni.cilium]])('a cluster-wide allow that selects the namespace, by name or by no selector, is refused on %s', (_name, cni) => {
    const selectors: Array<Record<string, string> | undefined> = [{ 'kubernetes.io/metadata.name': 'shop' }, { team: 'web' }, undefined];
    for (const namespaceSelector of selectors) {
      const chart = chartFor(cni());
      new ThreeTierApp(chart, 'shop', { ...APP, namespace: 'shop', labels: { team: 'web' } });
      new TrafficPolicy(chart, 'wide', { name: 'open-all', namespaceSelector, ingress: [{ peers: [Peer.allPods()] }] });
      expect(() => synthValid(chart)).toThrow("[test/shop] zeroTrustNamespace: the cluster-wide policy 'open-all' (test/wide) selects every pod of "
        + "'shop', the database included, and allows ingress[0]: ");
    }
    // A selector the namespace does not satisfy, and the tenant guard rails (denies only), leave it alone.
    const chart = chartFor(cni());
    const t = new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowSameTenant: false });
    new ThreeTierApp(chart, 'shop', { ...APP, zeroTrustNamespace: t.tenantNamespaces.acme[0] });
    new TrafficPolicy(chart, 'wide', { name: 'open-globex', namespaceSelector: { tenant: 'globex' }, ingress: [{ peers: [Peer.allPods()] }] });
    expect(() => synthValid(chart)).not.toThrow();
  });

  test.each(ENFORCING_CNIS)('policies that select a tier, or allow only DNS to every pod, or live in another namespace keep the app valid on %s', (_name, cni) => {
    const chart = chartFor(cni());
    const app = new ThreeTierApp(chart, 'shop', { ...APP, namespace: 'shop' });
    new EgressAllowList(chart, 'backend-partners', {
      namespace: 'shop', podSelector: app.podLabels(AppTier.BACKEND), destinations: [{ peer: Peer.internet(), ports: [Port.tcp(443)] }],
    });
    new TrafficPolicy(chart, 'dns', { name: 'more-dns', namespace: 'shop', egress: [{ peers: [Peer.clusterDns()], ports: [Port.udp(53), Port.tcp(53)] }] });
    new TrafficPolicy(chart, 'elsewhere', { name: 'open-house', namespace: 'web', ingress: [{ peers: [Peer.sameNamespace()] }] });
    expect(() => synthValid(chart)).not.toThrow();
  });
});

const CNI_OF: Record<string, () => Cni> = Object.fromEntries(ENFORCING_CNIS);
