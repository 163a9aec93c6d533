import { Cni, EgressAllowList, Peer, Port, Reachability, Target, ZeroTrustNamespace } from '../../src';
import { DNS, METADATA, reachabilityOf } from '../support/flows';
import { IPV4_METADATA } from '../support/metadata';
import '../support/reachability-matchers';
import { ENFORCING_CNIS, chartFor, ofKind, synthValid } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

const API = Target.pod('payments', { app: 'api' });
const WORKER = Target.pod('payments', { app: 'worker' });
const PARTNER = Target.external('203.0.113.10');
const ELSEWHERE = Target.external('198.51.100.7');

/** A payments namespace where the api pods may reach the partner range on 443 only. */
function partnerList(cni: Cni, more: Partial<{ allowDns: boolean; internet: boolean }> = {}) {
  const chart = chartFor(cni);
  new EgressAllowList(chart, 'api-egress', {
    namespace: 'payments',
    podSelector: { app: 'api' },
    destinations: [
      { peer: Peer.cidr('203.0.113.0/24'), ports: [Port.tcp(443)] },
      ...(more.internet ? [{ peer: Peer.internet(), ports: [Port.tcp(8443)] }] : []),
    ],
    ...(more.allowDns !== undefined ? { allowDns: more.allowDns } : {}),
  });
  return chart;
}

function withPods(reach: Reachability): Reachability {
  reach.addProbe('api', 'payments', { app: 'api' }, { ports: [Port.tcp(8080)] });
  reach.addProbe('worker', 'payments', { app: 'worker' }, { ports: [Port.tcp(8080)] });
  return reach;
}

describe.each(ENFORCING_CNIS)('EgressAllowList on %s', (_cniName, cni) => {
  test('the selected pods reach the listed destinations on the listed ports, DNS, and nothing else', () => {
    const reach = withPods(reachabilityOf(partnerList(cni()), cni()));
    expect(reach).toAllow(API, PARTNER, Port.tcp(443));
    expect(reach).toDeny(API, PARTNER, Port.tcp(80));
    expect(reach).toDeny(API, ELSEWHERE, Port.tcp(443));
    expect(reach).toAllow(API, DNS, Port.udp(53));
    expect(reach).toAllow(API, DNS, Port.tcp(53));
    expect(reach).toDeny(API, DNS, Port.tcp(80));
    // Pods the list does not select keep whatever else applies to them (here: nothing isolates them).
    expect(reach).toAllow(WORKER, ELSEWHERE, Port.tcp(443));
  });

  test('Peer.internet() never includes the cloud metadata service nor the private ranges', () => {
    const reach = withPods(reachabilityOf(partnerList(cni(), { internet: true }), cni()));
    expect(reach).toAllow(API, ELSEWHERE, Port.tcp(8443));
    expect(reach).toDeny(API, METADATA, Port.tcp(8443));
    expect(reach).toDeny(API, Target.external('10.1.2.3'), Port.tcp(8443));
  });

  test('allowDns: false leaves DNS to other policies', () => {
    const reach = withPods(reachabilityOf(partnerList(cni(), { allowDns: false }), cni()));
    expect(reach).toDeny(API, DNS, Port.udp(53));
    expect(reach).toAllow(API, PARTNER, Port.tcp(443));
  });

  test('a range that holds the pod CIDR opens no pods, on every CNI: the pod CIDR is excepted', () => {
    // The default pod CIDR is 10.244.0.0/16; Calico and most plugins match pod IPs with ipBlock.
    const chart = chartFor(cni());
    new EgressAllowList(chart, 'on-prem', {
      namespace: 'payments',
      podSelector: { app: 'api' },
      destinations: [{ peer: Peer.cidr('10.0.0.0/8'), ports: [Port.tcp(443)] }],
    });
    const [policy] = synthValid(chart);
    expect(policy.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }]);
    const reach = withPods(reachabilityOf(chart, cni()));
    reach.addProbe('db', 'other', { app: 'db' }, { ports: [Port.tcp(443)] });
    expect(reach).toAllow(API, Target.external('10.1.2.3'), Port.tcp(443));
    expect(reach).toDeny(API, Target.pod('other', { app: 'db' }), Port.tcp(443));
  });

  test('one policy object, named after the construct id: a plain NetworkPolicy, which is exact for address ranges on every CNI', () => {
    const objects = synthValid(partnerList(cni()));
    expect(objects.map((o) => [o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name])).toEqual([
      ['networking.k8s.io/v1', 'NetworkPolicy', 'payments', 'api-egress'],
    ]);
  });
});

test('on the Kubernetes CNI: a NetworkPolicy isolating egress, the range with the metadata addresses excepted where it holds them', () => {
  const chart = chartFor(Cni.kubernetes());
  new EgressAllowList(chart, 'link-local-egress', {
    namespace: 'payments',
    podSelector: {},
    name: 'allow-link-local',
    destinations: [{ peer: Peer.cidr('169.254.0.0/16'), ports: [Port.tcp(80)] }],
  });
  const [policy] = synthValid(chart);
  expect(policy.spec.podSelector).toEqual({});
  expect(policy.spec.policyTypes).toEqual(['Egress']);
  expect(policy.metadata.name).toBe('allow-link-local');
  expect(policy.spec.egress[0]).toEqual({ to: [{ ipBlock: { cidr: '169.254.0.0/16', except: IPV4_METADATA } }], ports: [{ protocol: 'TCP', port: 80 }] });
  // The second rule is DNS, to the cluster DNS pods on UDP and TCP 53.
  expect(policy.spec.egress[1].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
  expect(policy.spec.egress).toHaveLength(2);
});

describe('DNS names', () => {
  test('Cilium: toFQDNs with the DNS-proxy rule it needs, and no second DNS rule beside it', () => {
    const chart = chartFor(Cni.cilium());
    new EgressAllowList(chart, 'stripe', {
      namespace: 'payments',
      podSelector: { app: 'api' },
      destinations: [{ peer: Peer.fqdn('api.stripe.com'), ports: [Port.tcp(443)] }],
    });
    const [policy] = ofKind(synthValid(chart), 'CiliumNetworkPolicy');
    const egress: any[] = policy.spec.egress;
    expect(egress.filter((r) => r.toFQDNs)).toEqual([{ toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }]);
    const dnsRules = egress.filter((r) => JSON.stringify(r.toPorts ?? []).includes('"53"'));
    expect(dnsRules).toHaveLength(1);
    expect(dnsRules[0].toPorts[0].rules).toEqual({ dns: [{ matchPattern: '*' }] });
    expect(policy.spec.enableDefaultDeny).toEqual({ ingress: false, egress: true });
  });

  test('a name that resolves to the metadata service does not reach it: the list denies the metadata addresses explicitly', () => {
    // Whoever controls a record under an allowed pattern can answer 169.254.169.254 (or a public
    // wildcard-DNS name can); toFQDNs then allows that address unless a deny wins over it.
    const chart = chartFor(Cni.cilium());
    new EgressAllowList(chart, 'partner', {
      namespace: 'payments',
      podSelector: { app: 'api' },
      destinations: [{ peer: Peer.fqdnPattern('*.partner.example'), ports: [Port.tcp(80)] }],
    });
    const [policy] = ofKind(synthValid(chart), 'CiliumNetworkPolicy');
    expect(policy.spec.egressDeny).toEqual([{ toCIDRSet: IPV4_METADATA.map((cidr) => ({ cidr })) }]);
    const reach = withPods(reachabilityOf(chart, Cni.cilium()));
    expect(reach).toAllow(API, Target.external('203.0.113.80', 'api.partner.example'), Port.tcp(80));
    expect(reach).toDeny(API, Target.external('169.254.169.254', 'imds.partner.example'), Port.tcp(80));
    expect(reach).toDeny(API, Target.external('169.254.170.2', 'creds.partner.example'), Port.tcp(80));
  });

  test('allowDns: false does not remove the DNS-proxy rule DNS names need (documented: always emitted)', () => {
    const chart = chartFor(Cni.cilium());
    new EgressAllowList(chart, 'stripe', {
      namespace: 'payments',
      podSelector: { app: 'api' },
      allowDns: false,
      destinations: [{ peer: Peer.fqdn('api.stripe.com'), ports: [Port.tcp(443)] }],
    });
    const reach = withPods(reachabilityOf(chart, Cni.cilium()));
    expect(reach).toAllow(API, DNS, Port.udp(53));
    expect(reach).toAllow(API, Target.external('198.51.100.7', 'api.stripe.com'), Port.tcp(443));
  });

  test('the analyzer does not guess where a name points: an address without a DNS name is indeterminate, with a note', () => {
    const chart = chartFor(Cni.cilium());
    new EgressAllowList(chart, 'stripe', {
      namespace: 'payments',
      podSelector: { app: 'api' },
      destinations: [{ peer: Peer.fqdn('api.stripe.com'), ports: [Port.tcp(443)] }],
    });
    const reach = withPods(reachabilityOf(chart, Cni.cilium()));
    const unnamed = reach.check(API, Target.external('198.51.100.7'), Port.tcp(443));
    expect(unnamed.verdict).toBe('indeterminate');
    expect(unnamed.uncertainties.join('\n')).toContain('toFQDNs matchName api.stripe.com');
    expect(reach).toAllow(API, Target.external('198.51.100.7', 'api.stripe.com'), Port.tcp(443));
    expect(reach).toDeny(API, Target.external('198.51.100.7', 'stripe.com'), Port.tcp(443));
  });

  test.each([['kubernetes', Cni.kubernetes()], ['calico', Cni.calico()]])('%s cannot enforce them: a synth error', (_name, cni) => {
    const chart = chartFor(cni);
    const e = validationErrorOf(() => new EgressAllowList(chart, 'stripe', {
      namespace: 'payments', podSelector: {}, destinations: [{ peer: Peer.fqdn('api.stripe.com'), ports: [Port.tcp(443)] }],
    }));
    expect([e.path, e.prop]).toEqual(['test/stripe', 'destinations[0].peer']);
    expect(e.reason).toContain("capability 'fqdn' missing");
  });
});

describe('bad input names the construct and the prop', () => {
  const build = (props: any) => validationErrorOf(() => new EgressAllowList(chartFor(Cni.calico()), 'list', props));
  const base = { namespace: 'payments', podSelector: {}, destinations: [{ peer: Peer.cidr('203.0.113.0/24'), ports: [Port.tcp(443)] }] };

  test('pods are not outside destinations', () => {
    const e = build({ ...base, destinations: [{ peer: Peer.pods({ app: 'db' }), ports: [Port.tcp(5432)] }] });
    expect([e.path, e.prop]).toEqual(['test/list', 'destinations[0].peer']);
    expect(e.reason).toMatch(/^pods .* is not an outside destination \(Peer\.cidr, Peer\.internet, Peer\.fqdn, Peer\.fqdnPattern or Peer\.kubeApiServer\)/);
  });

  test('what the inner policy would refuse in a destination is reported at the list\'s destinations[i].peer, not the policy\'s egress[i].peers[0]', () => {
    const second = (peer: Peer) => build({ ...base, destinations: [base.destinations[0], { peer, ports: [Port.tcp(443)] }] });
    // Calico has no kube-apiserver entity: the API server is an address range the cluster must declare.
    const api = second(Peer.kubeApiServer());
    expect([api.path, api.prop, api.reason])
      .toEqual(['test/list', 'destinations[1].peer', "Peer.kubeApiServer() needs ClusterNetwork apiServerCidrs on CNI 'calico' (it has no kube-apiserver entity)"]);
    const malformed = second(Peer.cidr('203.0.113.300/24'));
    expect([malformed.path, malformed.prop]).toEqual(['test/list', 'destinations[1].peer.cidr']);
    expect(malformed.reason).toMatch(/^invalid CIDR: /);
    const hostBits = second(Peer.cidr('203.0.113.7/24'));
    expect([hostBits.path, hostBits.prop]).toEqual(['test/list', 'destinations[1].peer.cidr']);
    // The cluster is IPv4 only: an IPv6 range can never match.
    expect(second(Peer.cidr('2001:db8::/32')).prop).toBe('destinations[1].peer.cidr');
    const badExcept = second(Peer.cidr('198.51.100.0/24', ['198.51.100.0/33']));
    expect([badExcept.path, badExcept.prop]).toEqual(['test/list', 'destinations[1].peer.except[0]']);
    const outside = second(Peer.cidr('198.51.100.0/24', ['192.0.2.0/28']));
    expect([outside.path, outside.prop, outside.reason]).toEqual(['test/list', 'destinations[1].peer.except[0]', '192.0.2.0/28 is not strictly inside 198.51.100.0/24']);
    // With apiServerCidrs, or on a CNI with the entity, the API server is a destination.
    const declared = chartFor(Cni.calico(), { apiServerCidrs: ['192.0.2.10/32'] });
    new EgressAllowList(declared, 'list', { ...base, destinations: [{ peer: Peer.kubeApiServer(), ports: [Port.tcp(443)] }] });
    expect(ofKind(synthValid(declared), 'NetworkPolicy')[0].spec.egress[0].to).toEqual([{ ipBlock: { cidr: '192.0.2.10/32' } }]);
  });

  test('an empty list, a destination without ports, a look-alike peer, a string for a boolean', () => {
    expect(build({ ...base, destinations: [] }).prop).toBe('destinations');
    const noPorts = build({ ...base, destinations: [{ peer: Peer.cidr('203.0.113.0/24'), ports: [] }] });
    expect([noPorts.prop, noPorts.reason]).toEqual(['destinations[0].ports', 'at least one port is required for cidr 203.0.113.0/24 (an allow list names its ports)']);
    expect(build({ ...base, destinations: [{ peer: { _spec: { kind: 'cidr', cidr: '0.0.0.0/0' } }, ports: [Port.tcp(443)] }] }).prop).toBe('destinations[0].peer');
    expect(build({ ...base, destinations: [{ peer: Peer.cidr('203.0.113.0/24') }] }).prop).toBe('destinations[0].ports');
    const nullPort = build({ ...base, destinations: [base.destinations[0], { peer: Peer.cidr('198.51.100.0/24'), ports: [Port.tcp(443), null] }] });
    expect([nullPort.path, nullPort.prop]).toEqual(['test/list', 'destinations[1].ports[1]']);
    expect(build({ ...base, destinations: [{ peer: Peer.cidr('203.0.113.0/24'), ports: [Port.tcp(70000)] }] }).prop).toMatch(/^destinations\[0\]\.ports\[0\]/);
    expect(build({ ...base, allowDns: 'no' }).prop).toBe('allowDns');
    expect(build({ ...base, podSelector: undefined }).prop).toBe('podSelector');
    expect(build({ ...base, namespace: 'Payments' }).prop).toBe('namespace');
    const pods = build({ ...base, destinations: [{ peer: Peer.cidr('10.244.3.0/24'), ports: [Port.tcp(443)] }] });
    expect([pods.path, pods.prop]).toEqual(['test/list', 'destinations[0].peer']);
    expect(pods.reason).toMatch(/^cidr 10\.244\.3\.0\/24 is inside the pod CIDR 10\.244\.0\.0\/16: pods are not outside destinations/);
    expect(build(undefined).prop).toBe('props');
  });
});

test('inside a ZeroTrustNamespace, with allowDns off: the namespace\'s own DNS allow still applies', () => {
  const chart = chartFor(Cni.kubernetes());
  new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
  new EgressAllowList(chart, 'api-egress', {
    namespace: 'payments',
    podSelector: { app: 'api' },
    allowDns: false,
    destinations: [{ peer: Peer.cidr('203.0.113.0/24'), ports: [Port.tcp(443)] }],
  });
  const reach = withPods(reachabilityOf(chart, Cni.kubernetes()));
  expect(reach).toAllow(API, PARTNER, Port.tcp(443));
  expect(reach).toAllow(API, DNS, Port.udp(53));
  expect(reach).toDeny(WORKER, PARTNER, Port.tcp(443));
});
