/**
 * What the constructs promise, asserted as flows on the synthesized manifests with the
 * reachability analyzer, for every enforcing CNI.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Cni, Port, TenantIsolation, Target, ZeroTrustNamespace } from '../../src';
import { INTERNET, METADATA, PRIVATE_HOST, expectBaseline, reachabilityOf } from '../support/flows';
import { ENFORCING_CNIS, chartFor } from '../support/synth';

describe.each(ENFORCING_CNIS)('ZeroTrustNamespace flows on %s', (cniName, cni) => {
  test('default deny both ways; DNS on UDP+TCP 53; metadata never', () => {
    const chart = chartFor(cni());
    new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('api', 'payments', { app: 'api' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('db', 'payments', { app: 'db' }, { ports: [Port.tcp(5432)] });
    reach.addProbe('outsider', 'default', { app: 'x' }, { ports: [Port.tcp(8080)] });
    const api = Target.pod('payments', { app: 'api' });
    const db = Target.pod('payments', { app: 'db' });
    const outsider = Target.pod('default', { app: 'x' });

    expectBaseline(reach, api);
    expect(reach).toDeny(api, db, Port.tcp(5432));
    expect(reach).toDeny(outsider, api, Port.tcp(8080));
    expect(reach).toDeny(api, outsider, Port.tcp(8080));
    expect(reach).toDeny(api, INTERNET, Port.tcp(443));
  });

  test('allowFlow opens exactly the one flow, on its ports, in one direction', () => {
    const chart = chartFor(cni());
    const ns = new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
    ns.allowFlow('api-to-db', { app: 'api' }, { app: 'db' }, [Port.tcp(5432)]);
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('api', 'payments', { app: 'api' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('db', 'payments', { app: 'db' }, { ports: [Port.tcp(5432), Port.tcp(9187)] });
    reach.addProbe('worker', 'payments', { app: 'worker' });
    const api = Target.pod('payments', { app: 'api' });
    const db = Target.pod('payments', { app: 'db' });

    expect(reach).toAllow(api, db, Port.tcp(5432));
    expect(reach).toDeny(api, db, Port.tcp(9187));
    expect(reach).toDeny(db, api, Port.tcp(8080));
    expect(reach).toDeny(Target.pod('payments', { app: 'worker' }), db, Port.tcp(5432));
    expectBaseline(reach, db);
  });

  test('optional allows open exactly what they say', () => {
    const chart = chartFor(cni(), { nodeLocalDns: true });
    new ZeroTrustNamespace(chart, 'web', { name: 'web', allowSameNamespace: true, monitoringPorts: [Port.tcp(9090)] });
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('a', 'web', { app: 'a' }, { ports: [Port.tcp(8080), Port.tcp(9090)] });
    reach.addProbe('b', 'web', { app: 'b' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('prometheus', 'monitoring', { app: 'prometheus' });
    reach.addProbe('other', 'other', { app: 'other' });
    const a = Target.pod('web', { app: 'a' });
    const prometheus = Target.pod('monitoring', { app: 'prometheus' });

    expect(reach).toAllow(a, Target.pod('web', { app: 'b' }), Port.tcp(8080));
    expect(reach).toAllow(prometheus, a, Port.tcp(9090));
    expect(reach).toDeny(prometheus, a, Port.tcp(8080));
    expect(reach).toDeny(Target.pod('other', { app: 'other' }), a, Port.tcp(8080));
    // NodeLocal DNS: the link-local address (iptables), or the node-local-dns pods Cilium's LRP redirects to.
    if (cniName === 'cilium') {
      reach.addProbe('node-local-dns', 'kube-system', { 'k8s-app': 'node-local-dns' }, { ports: [Port.udp(53), Port.tcp(53)] });
      expect(reach).toAllow(a, Target.pod('kube-system', { 'k8s-app': 'node-local-dns' }), Port.udp(53));
    } else {
      expect(reach).toAllow(a, Target.external('169.254.20.10'), Port.udp(53));
    }
    expect(reach).toDeny(a, METADATA, Port.tcp(80));
  });
});

describe.each(ENFORCING_CNIS)('TenantIsolation flows on %s', (cniName, cni) => {
  const build = (extra?: (chart: Chart) => void) => {
    const chart = chartFor(cni());
    new TenantIsolation(chart, 'tenants', {
      tenants: ['acme', 'globex', 'initech'],
      namespaces: { globex: ['globex-web', 'globex-data'] },
      allowInternetEgress: true,
    });
    extra?.(chart);
    const reach = reachabilityOf(chart, cni());
    for (const ns of ['acme', 'globex-web', 'globex-data', 'initech']) {
      reach.addProbe(`${ns}-app`, ns, { app: 'app' }, { ports: [Port.tcp(8080), Port.udp(5000)] });
    }
    return reach;
  };
  const pod = (ns: string) => Target.pod(ns, { app: 'app' });

  test('within a tenant: allowed, across its namespaces too', () => {
    const reach = build();
    expect(reach).toAllow(pod('globex-web'), pod('globex-data'), Port.tcp(8080));
    expect(reach).toAllow(pod('globex-data'), pod('globex-web'), Port.udp(5000));
  });

  test('across tenants: denied on any port, both directions', () => {
    const reach = build();
    for (const [a, b] of [['acme', 'globex-web'], ['globex-data', 'initech'], ['initech', 'acme']]) {
      expect(reach).toDeny(pod(a), pod(b), Port.tcp(8080));
      expect(reach).toDeny(pod(b), pod(a), Port.udp(5000));
    }
  });

  test('DNS allowed, metadata denied, internet only on 443 and only to public addresses', () => {
    const reach = build();
    expectBaseline(reach, pod('acme'));
    expect(reach).toAllow(pod('acme'), INTERNET, Port.tcp(443));
    expect(reach).toDeny(pod('acme'), INTERNET, Port.tcp(80));
    expect(reach).toDeny(pod('acme'), PRIVATE_HOST, Port.tcp(443));
    expect(reach).toDeny(pod('acme'), Target.external('172.20.0.5'), Port.tcp(443));
    expect(reach).toDeny(pod('acme'), Target.external('192.168.1.1'), Port.tcp(443));
  });

  test(`tenants' own allow-everything NetworkPolicies ${cniName === 'kubernetes' ? 'open them to each other (no guard rail without ClusterNetworkPolicy)' : 'cannot open them to each other (guard rail)'}`, () => {
    // Both sides must allow a flow, so one rogue policy alone opens nothing between tenants on any
    // CNI; two tenants (or one tenant owning two namespaces' policies) opening up is what the
    // cluster-wide guard rail is for.
    const reach = build((chart) => {
      for (const ns of ['acme', 'globex-web']) {
        new ApiObject(chart, `rogue-${ns}`, {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'allow-everything', namespace: ns },
          spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
        });
      }
    });
    if (cniName === 'kubernetes') {
      expect(reach).toAllow(pod('globex-web'), pod('acme'), Port.tcp(8080));
      expect(reach).toAllow(pod('acme'), METADATA, Port.tcp(80));
    } else {
      expect(reach).toDeny(pod('globex-web'), pod('acme'), Port.tcp(8080));
      expect(reach).toDeny(pod('acme'), pod('globex-web'), Port.udp(5000));
      // The metadata service stays out of reach too (deny-cloud-metadata guard rail).
      expect(reach).toDeny(pod('acme'), METADATA, Port.tcp(80));
    }
    // A single rogue policy never opens a flow to a tenant that did not open up.
    expect(reach).toDeny(pod('acme'), pod('initech'), Port.tcp(8080));
  });
});

describe('TenantIsolation with ClusterNetworkPolicy on kubernetes', () => {
  test('the Admin guard rail holds against a rogue allow-everything policy', () => {
    const cni = Cni.kubernetes({ clusterNetworkPolicy: true });
    const chart = chartFor(cni);
    new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'] });
    new ApiObject(chart, 'rogue', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-everything', namespace: 'acme' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] },
    });
    new ApiObject(chart, 'rogue2', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-everything', namespace: 'globex' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
    });
    const reach = reachabilityOf(chart, cni);
    reach.addProbe('a', 'acme', { app: 'a' }, { ports: [Port.tcp(8080)] });
    reach.addProbe('g', 'globex', { app: 'g' }, { ports: [Port.tcp(8080)] });
    expect(reach).toDeny(Target.pod('globex', { app: 'g' }), Target.pod('acme', { app: 'a' }), Port.tcp(8080));
    expect(reach).toAllow(Target.pod('acme', { app: 'a' }), Target.pod('acme', { app: 'a' }), Port.tcp(8080));
  });
});
