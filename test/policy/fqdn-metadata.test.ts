/**
 * A DNS name allows whatever addresses its answers hold: whoever controls a record under an allowed
 * name or pattern can answer with the cloud metadata address. Every TrafficPolicy that allows names
 * therefore denies the metadata addresses itself, whether or not a ZeroTrustNamespace guard rail
 * also selects its pods.
 */
import { Cni, IpFamily, Peer, PolicyLint, Port, Reachability, RuleAction, Target, TrafficPolicy, ZeroTrustNamespace } from '../../src';
import { chartFor, find, synthValid } from '../support/synth';
import '../support/reachability-matchers';

/** The IPv4 credential endpoints (EC2 IMDS, ECS task metadata, EKS Pod Identity). */
const IPV4_METADATA = [{ cidr: '169.254.169.254/32' }, { cidr: '169.254.170.2/32' }, { cidr: '169.254.170.23/32' }];

const TO_STRIPE = { name: 'to-stripe', namespace: 'pay', egress: [{ peers: [Peer.fqdn('api.stripe.com')], ports: [Port.tcp(443)] }] };

describe('a TrafficPolicy that allows DNS names on Cilium', () => {
  test('denies the metadata addresses on every port, beside its allows', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', TO_STRIPE);
    const spec = find(synthValid(chart), 'CiliumNetworkPolicy', 'to-stripe', 'pay').spec;
    expect(spec.egressDeny).toEqual([{ toCIDRSet: IPV4_METADATA }]);
    expect(spec.egress.map((r: any) => Object.keys(r).sort())).toEqual([['toEndpoints', 'toPorts'], ['toFQDNs', 'toPorts']]);
    expect(spec.enableDefaultDeny).toEqual({ ingress: false, egress: true });
    // PolicyLint, which flags a toFQDNs without such a deny, finds nothing to say about it.
    expect(PolicyLint.check(synthValid(chart), { cni: Cni.cilium() })).toEqual([]);
  });

  test('patterns too', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', { name: 'to-s3', namespace: 'data', egress: [{ peers: [Peer.fqdnPattern('*.s3.amazonaws.com')], ports: [Port.tcp(443)] }] });
    expect(find(synthValid(chart), 'CiliumNetworkPolicy', 'to-s3', 'data').spec.egressDeny).toEqual([{ toCIDRSet: IPV4_METADATA }]);
  });

  test('the analyzer: a name that answers with the metadata address is denied, its other answers allowed', () => {
    const cni = Cni.cilium();
    const chart = chartFor(cni);
    new TrafficPolicy(chart, 'p', TO_STRIPE);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'pay', labels: { app: 'api' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const reach = Reachability.fromManifests([...synthValid(chart), pod], { cni, podCidrs: ['10.244.0.0/16'] });
    const api = Target.pod('pay', { app: 'api' });
    const poisoned = reach.check(api, Target.external('169.254.169.254', 'api.stripe.com'), Port.tcp(443));
    expect([poisoned.verdict, poisoned.egress.decidingRules]).toEqual(['deny', ['CiliumNetworkPolicy pay/to-stripe spec.egressDeny[0] (deny)']]);
    expect(reach).toAllow(api, Target.external('93.184.216.34', 'api.stripe.com'), Port.tcp(443));
  });

  test('dual-stack: the same addresses as the namespace guard rail, IPv6 and IPv4-mapped included', () => {
    const chart = chartFor(Cni.cilium(), { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    const ns = new ZeroTrustNamespace(chart, 'pay', { name: 'pay' });
    ns.addPolicy('to-stripe', { egress: TO_STRIPE.egress });
    const objects = synthValid(chart);
    const denied = find(objects, 'CiliumNetworkPolicy', 'to-stripe', 'pay').spec.egressDeny;
    expect(denied).toEqual(find(objects, 'CiliumNetworkPolicy', 'deny-cloud-metadata', 'pay').spec.egressDeny);
    const cidrs = denied[0].toCIDRSet.map((c: any) => c.cidr);
    expect(cidrs).toEqual(expect.arrayContaining(['169.254.169.254/32', 'fd00:ec2::254/128', '::ffff:169.254.169.254/128']));
  });

  test('its own deny of every metadata address on every port is enough: no second deny', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', { ...TO_STRIPE, egress: [...TO_STRIPE.egress, { action: RuleAction.DENY, peers: [Peer.cidr('169.254.0.0/16')] }] });
    expect(find(synthValid(chart), 'CiliumNetworkPolicy', 'to-stripe', 'pay').spec.egressDeny).toEqual([{ toCIDRSet: [{ cidr: '169.254.0.0/16' }] }]);
  });

  test.each([
    ['on some ports only', { action: RuleAction.DENY, peers: [Peer.cidr('169.254.0.0/16')], ports: [Port.tcp(80)] }],
    ['of some of the addresses', { action: RuleAction.DENY, peers: [Peer.cidr('169.254.169.254/32')] }],
    ['with an except that reopens one', { action: RuleAction.DENY, peers: [Peer.cidr('169.254.0.0/16', ['169.254.170.0/24'])] }],
  ])('its own deny %s is not enough: the full metadata deny follows it', (_name, deny) => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', { ...TO_STRIPE, egress: [...TO_STRIPE.egress, deny] });
    const denied = find(synthValid(chart), 'CiliumNetworkPolicy', 'to-stripe', 'pay').spec.egressDeny;
    expect(denied).toHaveLength(2);
    expect(denied[1]).toEqual({ toCIDRSet: IPV4_METADATA });
  });

  test('dual-stack: an IPv4 deny of 169.254.0.0/16 leaves the IPv6 addresses, so the full deny is added', () => {
    const chart = chartFor(Cni.cilium(), { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    new TrafficPolicy(chart, 'p', { ...TO_STRIPE, egress: [...TO_STRIPE.egress, { action: RuleAction.DENY, peers: [Peer.cidr('169.254.0.0/16')] }] });
    const denied = find(synthValid(chart), 'CiliumNetworkPolicy', 'to-stripe', 'pay').spec.egressDeny;
    expect(denied).toHaveLength(2);
    expect(denied[1].toCIDRSet.map((c: any) => c.cidr)).toContain('fd00:ec2::254/128');
  });

  test('policies without names get no metadata deny (and stay portable NetworkPolicies)', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', { name: 'to-web', namespace: 'pay', egress: [{ peers: [Peer.cidr('203.0.113.0/24')], ports: [Port.tcp(443)] }] });
    const objects = synthValid(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['NetworkPolicy/to-web']);
  });
});
