/**
 * Issue 8.2: the metadata and credential endpoints stay excepted and denied whatever `metadataCidrs`
 * says (it adds, never replaces), in every IP family the cluster runs, and an IPv4-mapped IPv6 peer
 * is the IPv4 address it stands for.
 */
import { ClusterNetwork, Cni, IpFamily, Peer, Port, RuleAction, Target, TenantIsolation, TrafficPolicy, ZeroTrustNamespace } from '../../src';
import { reachabilityOf } from '../support/flows';
import { IPV4_METADATA, IPV6_METADATA } from '../support/metadata';
import '../support/reachability-matchers';
import { ENFORCING_CNIS, chartFor, find, ofKind, synthValid } from '../support/synth';

const ACME = Target.pod('acme', { app: 'web' });
const CNI_OF: Record<string, () => Cni> = Object.fromEntries(ENFORCING_CNIS);

describe('metadataCidrs add to the well-known addresses (issue 8.2)', () => {
  test.each(ENFORCING_CNIS)('tenant internet egress on port 80 with an extra metadata address never reaches 169.254.169.254 on %s', (name, cni) => {
    const chart = chartFor(cni(), { metadataCidrs: ['100.100.100.200/32'] });
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowInternetEgress: true, internetEgressPorts: [Port.tcp(80)] });
    const reach = reachabilityOf(chart, CNI_OF[name]());
    reach.addProbe('web', 'acme', { app: 'web' });
    for (const ip of ['169.254.169.254', '169.254.170.2', '169.254.170.23', '100.100.100.200']) {
      expect(reach).toDeny(ACME, Target.external(ip), Port.tcp(80));
    }
    expect(reach).toAllow(ACME, Target.external('93.184.216.34'), Port.tcp(80));
    // Not the whole link-local range: NodeLocal DNS and Istio ambient's probe source live there.
    expect(reach).toAllow(ACME, Target.external('169.254.7.127'), Port.tcp(80));
  });

  test('the CIDR except lists carry the defaults, then the extra address', () => {
    const chart = chartFor(Cni.kubernetes(), { metadataCidrs: ['100.100.100.200/32'] });
    new TrafficPolicy(chart, 'p', { name: 'wide', namespace: 'a', egress: [{ peers: [Peer.cidr('0.0.0.0/0')] }] });
    expect(find(synthValid(chart), 'NetworkPolicy', 'wide').spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: [...IPV4_METADATA, '100.100.100.200/32'] } },
    ]);
  });

  test.each([['calico', () => Cni.calico()], ['cilium', () => Cni.cilium()]])('the %s metadata guard rail denies the defaults and the extra address', (_name, cni) => {
    const chart = chartFor(cni(), { metadataCidrs: ['100.100.100.200/32'] });
    new ZeroTrustNamespace(chart, 'ns', { name: 'acme' });
    const guard = synthValid(chart).filter((o) => o.metadata.name.endsWith('deny-cloud-metadata'));
    expect(guard).toHaveLength(1);
    const denied = guard[0].kind === 'CiliumNetworkPolicy'
      ? guard[0].spec.egressDeny[0].toCIDRSet.map((c: any) => c.cidr)
      : guard[0].spec.egress.map((r: any) => r.destination.nets[0]);
    expect(denied).toEqual([...IPV4_METADATA, '100.100.100.200/32']);
  });
});

describe('IPv4-mapped IPv6 peers are the IPv4 addresses they stand for', () => {
  const v6 = { ipFamilies: [IpFamily.IPV6] };
  const dual = { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] };

  test('an egress allow to the mapped metadata address is refused, naming the metadata address', () => {
    expect(() => new TrafficPolicy(chartFor(Cni.calico(), v6), 'p', {
      name: 'imds', namespace: 'a', egress: [{ peers: [Peer.cidr('::ffff:169.254.169.254/128')] }],
    })).toThrow('[test/p] egress[0].peers[0].cidr: ::ffff:169.254.169.254/128 is the cloud metadata service (::ffff:169.254.169.254/128), which is never reachable');
    // A mapped form of a user-added IPv4 address too (dual stack: the cluster has both families).
    expect(() => new TrafficPolicy(chartFor(Cni.calico(), { ...dual, metadataCidrs: ['100.100.100.200/32'] }), 'p', {
      name: 'aliyun', namespace: 'a', egress: [{ peers: [Peer.cidr('::ffff:100.100.100.200/128')] }],
    })).toThrow('is the cloud metadata service');
  });

  // KEP-4858 (StrictIPCIDRValidation, beta and on by default in Kubernetes 1.36): the API server refuses
  // IPv4-mapped addresses in ipBlock.cidr and except. It used to be emitted as given (with the mapped
  // metadata addresses excepted): a policy 1.36 rejects at apply time.
  test.each(ENFORCING_CNIS)('an IPv4-mapped block in an allow that becomes a NetworkPolicy is refused, naming the IPv4 block, on %s', (_name, cni) => {
    for (const [block, ipv4] of [['::ffff:0.0.0.0/96', '0.0.0.0/0'], ['::ffff:10.1.0.0/112', '10.1.0.0/16']]) {
      expect(() => new TrafficPolicy(chartFor(cni(), v6), 'p', { name: 'mapped', namespace: 'a', egress: [{ peers: [Peer.cidr(block)] }] }))
        .toThrow(`[test/p] TrafficPolicy 'mapped': this allow intent cannot be enforced by CNI '${cni().name}': egress[0]: NetworkPolicy ipBlocks cannot `
          + `hold the IPv4-mapped IPv6 block ${block} (Kubernetes 1.36 refuses IPv4-mapped addresses in ipBlock by default, KEP-4858; earlier versions `
          + `accept them, from 1.33 with an API warning): its addresses are IPv4 on the wire, use ${ipv4}`);
    }
  });

  test('the IPv4 block it names is accepted, with the IPv4 metadata addresses excepted', () => {
    const chart = chartFor(Cni.kubernetes(), { ipFamilies: [IpFamily.IPV4] });
    new TrafficPolicy(chart, 'p', { name: 'v4', namespace: 'a', egress: [{ peers: [Peer.cidr('0.0.0.0/0')] }] });
    expect(find(synthValid(chart), 'NetworkPolicy', 'v4').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0', except: IPV4_METADATA } }]);
  });

  test.each(ENFORCING_CNIS)('dual-stack internet egress keeps the mapped metadata addresses out (over IPv4) on %s', (name, cni) => {
    const chart = chartFor(cni(), dual);
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowInternetEgress: true, internetEgressPorts: [Port.tcp(80)] });
    const objects = synthValid(chart);
    const reach = reachabilityOf(chart, CNI_OF[name]());
    reach.addProbe('web', 'acme', { app: 'web' });
    for (const ip of ['::ffff:169.254.169.254', '::ffff:169.254.170.23', 'fd00:ec2::254', 'fd00:ec2::23', '169.254.169.254']) {
      expect(reach).toDeny(ACME, Target.external(ip), Port.tcp(80));
    }
    expect(reach).toAllow(ACME, Target.external('2606:4700::1111'), Port.tcp(80));
    const policy = find(objects, 'NetworkPolicy', 'allow-internet-egress', 'acme');
    // The mapped forms are reached over IPv4, where 0.0.0.0/0 excepts them; as excepts of ::/0 the API
    // server would refuse the policy (see the next test).
    expect(policy.spec.egress[0].to[0].ipBlock).toEqual({ cidr: '0.0.0.0/0', except: [...IPV4_METADATA, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] });
    expect(policy.spec.egress[0].to[1].ipBlock).toEqual({ cidr: '::/0', except: [...IPV6_METADATA, 'fc00::/7'] });
  });

  test.each([['kubernetes', () => Cni.kubernetes()], ['calico', () => Cni.calico()]])(
    'an IPv6 block that is not IPv4-mapped never gets an IPv4-mapped except on %s (the API server and Calico refuse it)', (_name, cni) => {
      // Kubernetes: `net.IPNet.Contains` of ::/0 is false for ::ffff:a.b.c.d (Go reads it as IPv4), so
      // the except is "not a strict subset of cidr". Calico: the mapped net is version 4 next to the
      // IPv6 nets, "rule contains both IPv4 and IPv6 CIDRs".
      const chart = chartFor(cni(), v6);
      new TrafficPolicy(chart, 'p', {
        name: 'wide',
        namespace: 'a',
        precedence: cni().capabilities.ordering ? 5 : undefined,
        egress: [{ peers: [Peer.cidr('::/0'), Peer.internet()], ports: [Port.tcp(443)] }],
      });
      const objects = synthValid(chart);
      const excepts = objects.flatMap((o) => (o.spec.egress ?? []).flatMap((r: any) => [
        ...(r.to ?? []).flatMap((t: any) => t.ipBlock?.except ?? []),
        ...(r.destination?.notNets ?? []),
      ]));
      expect(excepts).toEqual([...IPV6_METADATA, ...IPV6_METADATA, 'fc00::/7']);
    });

  test('an IPv4-mapped except the user gives in a non-mapped IPv6 block is refused', () => {
    expect(() => new TrafficPolicy(chartFor(Cni.kubernetes(), v6), 'p', {
      name: 'wide', namespace: 'a', egress: [{ peers: [Peer.cidr('::/0', ['::ffff:10.0.0.0/104'])] }],
    })).toThrow('[test/p] egress[0].peers[0].except[0]: ::ffff:10.0.0.0/104 is an IPv4-mapped block, which Kubernetes and Calico refuse');
  });

  test.each(ENFORCING_CNIS)('a metadata address given in mapped form is excepted from the IPv4 internet too on %s (dual stack)', (name, cni) => {
    // `::ffff:100.100.100.200` is the IPv4 address 100.100.100.200 (Alibaba Cloud metadata), which a
    // dual-stack pod reaches over IPv4: the 0.0.0.0/0 block must except it as Peer.cidr does.
    const chart = chartFor(cni(), { ...dual, metadataCidrs: ['::ffff:100.100.100.200/128'] });
    new TrafficPolicy(chart, 'p', { name: 'internet', namespace: 'acme', podSelector: { app: 'web' }, egress: [{ peers: [Peer.internet()], ports: [Port.tcp(80)] }] });
    const objects = synthValid(chart);
    expect(find(objects, 'NetworkPolicy', 'internet', 'acme').spec.egress[0].to[0].ipBlock).toEqual({
      cidr: '0.0.0.0/0',
      except: [...IPV4_METADATA, '100.100.100.200/32', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
    });
    const reach = reachabilityOf(chart, CNI_OF[name]());
    reach.addProbe('web', 'acme', { app: 'web' });
    expect(reach).toDeny(ACME, Target.external('100.100.100.200'), Port.tcp(80));
    expect(reach).toAllow(ACME, Target.external('100.100.100.201'), Port.tcp(80));
  });

  test.each([['calico', Cni.calico], ['cilium', Cni.cilium]] as const)('%s: the namespace guard rail denies a metadata address given in mapped form over IPv4 too', (_name, cni) => {
    const chart = chartFor(cni(), { ...dual, metadataCidrs: ['::ffff:100.100.100.200/128'] });
    expect(ClusterNetwork.of(chart).metadataCidrs).toEqual(expect.arrayContaining(['::ffff:100.100.100.200/128', '100.100.100.200/32']));
    new ZeroTrustNamespace(chart, 'acme', { name: 'acme' });
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('web', 'acme', { app: 'web' });
    expect(reach).toDeny(ACME, Target.external('100.100.100.200'), Port.tcp(80));
    const guardRail = JSON.stringify(synthValid(chart).filter((o) => o.metadata.name === 'deny-cloud-metadata'));
    expect(guardRail).toContain('"100.100.100.200/32"');
  });

  test('a deny of a mapped address renders as given (denies never widen)', () => {
    const chart = chartFor(Cni.cilium(), v6);
    new TrafficPolicy(chart, 'p', { name: 'no-imds', namespace: 'a', egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('::ffff:169.254.169.254/128')] }] });
    expect(ofKind(synthValid(chart), 'CiliumNetworkPolicy')[0].spec.egressDeny).toEqual([{ toCIDRSet: [{ cidr: '::ffff:169.254.169.254/128' }] }]);
  });
});
