/**
 * How TrafficPolicy peers depend on the ClusterNetwork facts: NodeLocal DNS (and the kube-dns
 * ClusterIP it binds in iptables mode), the DNS-proxy rule of Cilium FQDN policies, the cluster's own
 * pod and Service CIDRs in "internet", and the cluster's IP families.
 * Ground truth: NETWORKING-FACTS.md "NodeLocal DNSCache" and NetworkPolicy 4 and 6.
 */
import { Cni, IpFamily, KubeProxyMode, Peer, Port, RuleAction, Target, TrafficPolicy } from '../../src';
import { INTERNET, reachabilityOf } from '../support/flows';
import { IPV4_METADATA, IPV6_METADATA } from '../support/metadata';
import { chartFor, find, synthValid } from '../support/synth';

const DNS_PORTS = [Port.udp(53), Port.tcp(53)];
const dnsPolicy = { name: 'allow-dns', namespace: 'a', egress: [{ peers: [Peer.clusterDns()], ports: DNS_PORTS }] };
const KUBE_DNS_NP = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const NP_DNS_PORTS = [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }];
const CILIUM_DNS_PORTS = [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }];
const KUBE_DNS_CILIUM = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } };
const NODE_LOCAL_DNS_CILIUM = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'node-local-dns' } };
const POD = Target.pod('a', { app: 'client' });
// The kube-dns ClusterIP, with its DNS name: an address without one could be an address of any name a
// toFQDNs rule allows, which makes a flow to it indeterminate.
const KUBE_DNS_IP = Target.external('10.96.0.10', 'kube-dns.kube-system.svc.cluster.local');
const NODE_LOCAL_IP = Target.external('169.254.20.10');

describe('NodeLocal DNS: the kube-dns ClusterIP is a DNS destination too (iptables mode binds it on every node)', () => {
  test('kubernetes: ipBlock for the link-local address and the ClusterIP; reachable on UDP and TCP 53 only', () => {
    const chart = chartFor(Cni.kubernetes(), { nodeLocalDns: true });
    new TrafficPolicy(chart, 'p', dnsPolicy);
    const reach = reachabilityOf(chart, Cni.kubernetes());
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress).toEqual([{
      to: [KUBE_DNS_NP, { ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: '10.96.0.10/32' } }],
      ports: NP_DNS_PORTS,
    }]);
    reach.addProbe('client', 'a', { app: 'client' });
    expect(reach).toAllow(POD, KUBE_DNS_IP, Port.udp(53));
    expect(reach).toAllow(POD, KUBE_DNS_IP, Port.tcp(53));
    expect(reach).toAllow(POD, NODE_LOCAL_IP, Port.udp(53));
    expect(reach).toDeny(POD, KUBE_DNS_IP, Port.tcp(80));
  });

  test('kubernetes without NodeLocal DNS: the kube-dns pods only, the ClusterIP is not an allowed destination', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'p', dnsPolicy);
    const reach = reachabilityOf(chart, Cni.kubernetes());
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress).toEqual([{ to: [KUBE_DNS_NP], ports: NP_DNS_PORTS }]);
    reach.addProbe('client', 'a', { app: 'client' });
    expect(reach).toDeny(POD, KUBE_DNS_IP, Port.udp(53));
  });

  test('the ClusterIP comes from ClusterNetwork dns.serviceIp', () => {
    const chart = chartFor(Cni.kubernetes(), { nodeLocalDns: true, nodeLocalDnsIp: '169.254.25.10', dns: { serviceIp: '10.100.0.10' } });
    new TrafficPolicy(chart, 'p', dnsPolicy);
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress[0].to).toEqual([
      KUBE_DNS_NP, { ipBlock: { cidr: '169.254.25.10/32' } }, { ipBlock: { cidr: '10.100.0.10/32' } },
    ]);
  });

  test('IPv6-only cluster: /128 host routes', () => {
    const chart = chartFor(Cni.kubernetes(), {
      ipFamilies: [IpFamily.IPV6],
      podCidrs: ['fd00:10:244::/56'],
      serviceCidrs: ['fd00:10:96::/112'],
      nodeLocalDns: true,
      nodeLocalDnsIp: 'fd00::10',
      dns: { serviceIp: 'fd00:10:96::a' },
    });
    new TrafficPolicy(chart, 'p', dnsPolicy);
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress[0].to).toEqual([
      KUBE_DNS_NP, { ipBlock: { cidr: 'fd00::10/128' } }, { ipBlock: { cidr: 'fd00:10:96::a/128' } },
    ]);
  });

  test('calico: the ClusterIP as nets, one rule per protocol, when the intent needs a Calico policy', () => {
    const chart = chartFor(Cni.calico(), { nodeLocalDns: true });
    new TrafficPolicy(chart, 'p', { ...dnsPolicy, precedence: 500 });
    const reach = reachabilityOf(chart, Cni.calico());
    const policy = find(synthValid(chart), 'NetworkPolicy', 'allow-dns', 'a');
    expect(policy.apiVersion).toBe('projectcalico.org/v3');
    const kubeDns = { selector: "k8s-app == 'kube-dns'", namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'" };
    expect(policy.spec.egress).toEqual([
      { action: 'Allow', protocol: 'UDP', destination: { ...kubeDns, ports: [53] } },
      { action: 'Allow', protocol: 'TCP', destination: { ...kubeDns, ports: [53] } },
      { action: 'Allow', protocol: 'UDP', destination: { nets: ['169.254.20.10/32'], ports: [53] } },
      { action: 'Allow', protocol: 'TCP', destination: { nets: ['169.254.20.10/32'], ports: [53] } },
      { action: 'Allow', protocol: 'UDP', destination: { nets: ['10.96.0.10/32'], ports: [53] } },
      { action: 'Allow', protocol: 'TCP', destination: { nets: ['10.96.0.10/32'], ports: [53] } },
    ]);
    reach.addProbe('client', 'a', { app: 'client' });
    expect(reach).toAllow(POD, KUBE_DNS_IP, Port.udp(53));
    expect(reach).toDeny(POD, KUBE_DNS_IP, Port.udp(54));
  });

  test('cilium with kube-proxy: toCIDRSet for both addresses, and the host entity on 53', () => {
    const cni = () => Cni.cilium({ kubeProxyReplacement: false });
    const chart = chartFor(cni(), { nodeLocalDns: true });
    // Cluster-wide, so that it needs a CiliumClusterwideNetworkPolicy rather than a NetworkPolicy.
    new TrafficPolicy(chart, 'p', { name: 'allow-dns', egress: [{ peers: [Peer.clusterDns()], ports: DNS_PORTS }] });
    const reach = reachabilityOf(chart, cni());
    // The agent classifies the host-network node-local-dns addresses as `host` or `world` depending
    // on whether their interface existed at its start (cilium/cilium#18644, #33144): allow both.
    expect(find(synthValid(chart), 'CiliumClusterwideNetworkPolicy', 'allow-dns').spec.egress).toEqual([
      { toEndpoints: [KUBE_DNS_CILIUM], toPorts: [{ ports: CILIUM_DNS_PORTS }] },
      { toCIDRSet: [{ cidr: '169.254.20.10/32' }, { cidr: '10.96.0.10/32' }], toPorts: [{ ports: CILIUM_DNS_PORTS }] },
      { toEntities: ['host'], toPorts: [{ ports: CILIUM_DNS_PORTS }] },
    ]);
    reach.addProbe('client', 'a', { app: 'client' });
    expect(reach).toAllow(POD, KUBE_DNS_IP, Port.tcp(53));
    expect(reach).toDeny(POD, KUBE_DNS_IP, Port.tcp(443));
    expect(reach).toAllow(POD, Target.localNode(), Port.udp(53));
    expect(reach).toDeny(POD, Target.localNode(), Port.tcp(10250));
    expect(reach).toDeny(POD, Target.remoteNode(), Port.udp(53));
  });

  test('cilium with kube-proxy replacement: node-local-dns runs as pods behind a local redirect; neither address is allowed', () => {
    const chart = chartFor(Cni.cilium(), { nodeLocalDns: true });
    new TrafficPolicy(chart, 'p', { name: 'allow-dns', egress: [{ peers: [Peer.clusterDns()], ports: DNS_PORTS }] });
    const reach = reachabilityOf(chart, Cni.cilium());
    // The LRP redirects the kube-dns Service to the node-local-dns pod of the node: policy sees that pod.
    expect(find(synthValid(chart), 'CiliumClusterwideNetworkPolicy', 'allow-dns').spec.egress).toEqual([
      { toEndpoints: [KUBE_DNS_CILIUM, NODE_LOCAL_DNS_CILIUM], toPorts: [{ ports: CILIUM_DNS_PORTS }] },
    ]);
    reach.addProbe('client', 'a', { app: 'client' });
    reach.addProbe('node-local-dns', 'kube-system', { 'k8s-app': 'node-local-dns' }, { ports: DNS_PORTS });
    expect(reach).toAllow(POD, Target.pod('kube-system', { 'k8s-app': 'node-local-dns' }), Port.udp(53));
    expect(reach).toDeny(POD, KUBE_DNS_IP, Port.udp(53));
    expect(reach).toDeny(POD, NODE_LOCAL_IP, Port.udp(53));
  });

  test('IPVS: the link-local address only (kube-ipvs0 owns the ClusterIP, kubelet --cluster-dns points at the cache)', () => {
    const chart = chartFor(Cni.kubernetes(), { nodeLocalDns: true, kubeProxyMode: KubeProxyMode.IPVS });
    new TrafficPolicy(chart, 'p', dnsPolicy);
    const reach = reachabilityOf(chart, Cni.kubernetes());
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress).toEqual([{
      to: [KUBE_DNS_NP, { ipBlock: { cidr: '169.254.20.10/32' } }],
      ports: NP_DNS_PORTS,
    }]);
    reach.addProbe('client', 'a', { app: 'client' });
    expect(reach).toAllow(POD, NODE_LOCAL_IP, Port.udp(53));
    expect(reach).toAllow(POD, NODE_LOCAL_IP, Port.tcp(53));
    expect(reach).toAllow(POD, Target.pod('kube-system', { 'k8s-app': 'kube-dns' }), Port.udp(53));
    expect(reach).toDeny(POD, KUBE_DNS_IP, Port.udp(53));
  });

  test('cilium without kube-proxy replacement in IPVS mode: the link-local address and the host entity', () => {
    const cni = () => Cni.cilium({ kubeProxyReplacement: false });
    const chart = chartFor(cni(), { nodeLocalDns: true, kubeProxyMode: KubeProxyMode.IPVS });
    new TrafficPolicy(chart, 'p', { name: 'allow-dns', egress: [{ peers: [Peer.clusterDns()], ports: DNS_PORTS }] });
    expect(find(synthValid(chart), 'CiliumClusterwideNetworkPolicy', 'allow-dns').spec.egress).toEqual([
      { toEndpoints: [KUBE_DNS_CILIUM], toPorts: [{ ports: CILIUM_DNS_PORTS }] },
      { toCIDRSet: [{ cidr: '169.254.20.10/32' }], toPorts: [{ ports: CILIUM_DNS_PORTS }] },
      { toEntities: ['host'], toPorts: [{ ports: CILIUM_DNS_PORTS }] },
    ]);
  });

  test('kube-proxy replaced by a CNI other than Cilium (Calico eBPF): both addresses stay allowed', () => {
    const chart = chartFor(Cni.calico(), { nodeLocalDns: true, kubeProxyMode: KubeProxyMode.REPLACED });
    new TrafficPolicy(chart, 'p', dnsPolicy);
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-dns').spec.egress[0].to).toEqual([
      KUBE_DNS_NP, { ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: '10.96.0.10/32' } },
    ]);
  });
});

describe('Cilium toFQDNs: the DNS-proxy rule covers every DNS destination', () => {
  const fqdnPolicy = { name: 'to-github', namespace: 'a', podSelector: { app: 'client' }, egress: [{ peers: [Peer.fqdn('api.github.com')], ports: [Port.tcp(443)] }] };
  const proxied = { ports: CILIUM_DNS_PORTS, rules: { dns: [{ matchPattern: '*' }] } };
  const github = Target.external('140.82.112.6', 'api.github.com');

  test('kube-proxy replacement: kube-dns and node-local-dns pods (local redirect)', () => {
    const chart = chartFor(Cni.cilium(), { nodeLocalDns: true });
    new TrafficPolicy(chart, 'p', fqdnPolicy);
    const reach = reachabilityOf(chart, Cni.cilium());
    expect(find(synthValid(chart), 'CiliumNetworkPolicy', 'to-github', 'a').spec.egress).toEqual([
      { toEndpoints: [KUBE_DNS_CILIUM, NODE_LOCAL_DNS_CILIUM], toPorts: [proxied] },
      { toFQDNs: [{ matchName: 'api.github.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    reach.addProbe('client', 'a', { app: 'client' });
    reach.addProbe('node-local-dns', 'kube-system', { 'k8s-app': 'node-local-dns' }, { ports: DNS_PORTS });
    expect(reach).toAllow(POD, github, Port.tcp(443));
    expect(reach).toDeny(POD, NODE_LOCAL_IP, Port.udp(53));
    expect(reach).toAllow(POD, Target.pod('kube-system', { 'k8s-app': 'node-local-dns' }), Port.tcp(53));
    expect(reach).toDeny(POD, Target.external('140.82.112.7', 'example.com'), Port.tcp(443));
  });

  test('kube-proxy (iptables): kube-dns pods, the link-local address and the kube-dns ClusterIP', () => {
    const cni = () => Cni.cilium({ kubeProxyReplacement: false });
    const chart = chartFor(cni(), { nodeLocalDns: true });
    new TrafficPolicy(chart, 'p', fqdnPolicy);
    const reach = reachabilityOf(chart, cni());
    expect(find(synthValid(chart), 'CiliumNetworkPolicy', 'to-github', 'a').spec.egress).toEqual([
      { toEndpoints: [KUBE_DNS_CILIUM], toPorts: [proxied] },
      { toCIDRSet: [{ cidr: '169.254.20.10/32' }, { cidr: '10.96.0.10/32' }], toPorts: [proxied] },
      { toEntities: ['host'], toPorts: [proxied] },
      { toFQDNs: [{ matchName: 'api.github.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    reach.addProbe('client', 'a', { app: 'client' });
    expect(reach).toAllow(POD, github, Port.tcp(443));
    expect(reach).toAllow(POD, KUBE_DNS_IP, Port.udp(53));
    expect(reach).toDeny(POD, KUBE_DNS_IP, Port.tcp(443));
  });
});

describe('internet excepts the cluster\'s own pod and Service CIDRs', () => {
  const internetPolicy = (exceptPrivateRanges = true) => ({
    name: 'internet', namespace: 'a', egress: [{ peers: [Peer.internet({ exceptPrivateRanges })], ports: [Port.tcp(443)] }],
  });

  test('ranges outside RFC 1918 are added once; ranges inside an existing except add nothing', () => {
    const chart = chartFor(Cni.kubernetes(), { podCidrs: ['100.64.0.0/16', '10.244.0.0/16'], serviceCidrs: ['100.65.0.0/16', '100.64.128.0/24'] });
    new TrafficPolicy(chart, 'p', internetPolicy());
    const reach = reachabilityOf(chart, Cni.kubernetes());
    expect(find(synthValid(chart), 'NetworkPolicy', 'internet').spec.egress[0].to).toEqual([{
      ipBlock: {
        cidr: '0.0.0.0/0',
        except: [...IPV4_METADATA, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/16', '100.65.0.0/16'],
      },
    }]);
    reach.addProbe('client', 'a', { app: 'client' });
    expect(reach).toAllow(POD, INTERNET, Port.tcp(443));
    expect(reach).toDeny(POD, Target.external('100.64.3.4'), Port.tcp(443));
    expect(reach).toDeny(POD, Target.external('100.65.200.1'), Port.tcp(443));
    expect(reach).toAllow(POD, Target.external('100.66.0.1'), Port.tcp(443));
  });

  test('default cluster ranges are inside RFC 1918: output unchanged', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'p', internetPolicy());
    expect(find(synthValid(chart), 'NetworkPolicy', 'internet').spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: [...IPV4_METADATA, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
    ]);
  });

  test('without the private-range exceptions the cluster ranges are still excepted', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'p', internetPolicy(false));
    const reach = reachabilityOf(chart, Cni.kubernetes());
    expect(find(synthValid(chart), 'NetworkPolicy', 'internet').spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: [...IPV4_METADATA, '10.244.0.0/16', '10.96.0.0/12'] } },
    ]);
    reach.addProbe('client', 'a', { app: 'client' });
    expect(reach).toAllow(POD, Target.external('10.20.30.40'), Port.tcp(443));
    expect(reach).toDeny(POD, Target.external('10.244.1.5'), Port.tcp(443));
  });

  test('dual stack: each CIDR goes to the block of its family', () => {
    const chart = chartFor(Cni.kubernetes(), {
      ipFamilies: [IpFamily.IPV4, IpFamily.IPV6],
      podCidrs: ['100.64.0.0/16', '2001:db8:42::/56'],
      serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'],
    });
    new TrafficPolicy(chart, 'p', internetPolicy());
    expect(find(synthValid(chart), 'NetworkPolicy', 'internet').spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: [...IPV4_METADATA, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/16'] } },
      { ipBlock: { cidr: '::/0', except: [...IPV6_METADATA, 'fc00::/7', '2001:db8:42::/56'] } },
    ]);
  });

  test('cilium and calico native policies carry the same exceptions', () => {
    const props = { podCidrs: ['100.64.0.0/16'] };
    const cilium = chartFor(Cni.cilium(), props);
    new TrafficPolicy(cilium, 'p', { ...internetPolicy(), namespace: undefined, name: 'internet' });
    expect(find(synthValid(cilium), 'CiliumClusterwideNetworkPolicy', 'internet').spec.egress[0].toCIDRSet).toEqual([
      { cidr: '0.0.0.0/0', except: [...IPV4_METADATA, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/16'] },
    ]);
    const calico = chartFor(Cni.calico(), props);
    new TrafficPolicy(calico, 'p', { ...internetPolicy(), precedence: 10 });
    expect(find(synthValid(calico), 'NetworkPolicy', 'internet', 'a').spec.egress).toEqual([{
      action: 'Allow',
      protocol: 'TCP',
      destination: { nets: ['0.0.0.0/0'], notNets: [...IPV4_METADATA, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/16'], ports: [443] },
    }]);
  });
});

describe('CIDR peers must be of an IP family the cluster has', () => {
  const make = (props: any, cluster: any = {}) => () => new TrafficPolicy(chartFor(Cni.calico(), cluster), 'bad', { name: 'ok', namespace: 'a', ...props });
  const v6Only = { ipFamilies: [IpFamily.IPV6], podCidrs: ['fd00:10:244::/56'], serviceCidrs: ['fd00:10:96::/112'] };

  test.each([
    ['IPv6 egress peer on an IPv4 cluster', { egress: [{ peers: [Peer.cidr('2001:db8::/32')] }] }, {},
      "[test/bad] egress[0].peers[0].cidr: '2001:db8::/32' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv6 ingress peer on an IPv4 cluster', { ingress: [{ peers: [Peer.allPods(), Peer.cidr('::/0')] }] }, {},
      "[test/bad] ingress[0].peers[1].cidr: '::/0' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv6 deny peer on an IPv4 cluster', { egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('2001:db8::/32')] }] }, {},
      "[test/bad] egress[0].peers[0].cidr: '2001:db8::/32' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv4 peer on an IPv6-only cluster', { egress: [{ peers: [Peer.cidr('203.0.113.0/24')] }] }, v6Only,
      "[test/bad] egress[0].peers[0].cidr: '203.0.113.0/24' is IPv4, but the cluster's ipFamilies are [IPv6]"],
    ['IPv6 except entry on an IPv4 cluster', { egress: [{ peers: [Peer.cidr('10.0.0.0/8', ['10.1.0.0/16', 'fd00::/8'])] }] }, {},
      "[test/bad] egress[0].peers[0].except[1]: 'fd00::/8' is IPv6, but the cluster's ipFamilies are [IPv4]"],
  ])('%s', (_what, props, cluster, message) => {
    expect(make(props, cluster)).toThrow(message);
  });

  test('dual stack accepts both families', () => {
    const chart = chartFor(Cni.kubernetes(), { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    new TrafficPolicy(chart, 'p', { name: 'x', namespace: 'a', egress: [{ peers: [Peer.cidr('203.0.113.0/24'), Peer.cidr('2001:db8::/32')] }] });
    expect(find(synthValid(chart), 'NetworkPolicy', 'x').spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '203.0.113.0/24' } }, { ipBlock: { cidr: '2001:db8::/32' } },
    ]);
  });
});

describe('L7 HTTP rules need TCP ports (Cilium rejects L7 rules on other protocols)', () => {
  const make = (ports: Port[]) => () => new TrafficPolicy(chartFor(Cni.cilium()), 'bad', {
    name: 'ok', namespace: 'a', egress: [{ peers: [Peer.allPods()], ports, http: [{ method: 'GET' }] }],
  });

  test.each([
    ['UDP port', [Port.udp(53)], '[test/bad] egress[0].http: HTTP rules need TCP ports, got UDP/53'],
    ['UDP range after a TCP port', [Port.tcp(80), Port.udpRange(1000, 2000)], '[test/bad] egress[0].http: HTTP rules need TCP ports, got UDP/1000-2000'],
    ['every SCTP port', [Port.sctp(9)], '[test/bad] egress[0].http: HTTP rules need TCP ports, got SCTP/9'],
    ['every UDP port', [Port.allUdp()], '[test/bad] egress[0].http: HTTP rules need TCP ports, got UDP/*'],
    // Cilium's rules.http apply to single ports, not to port ranges (NETWORKING-FACTS.md, Cilium).
    ['a TCP range', [Port.tcp(80), Port.tcpRange(8000, 8080)], '[test/bad] egress[0].http: HTTP rules need single ports or named ports, not a range, got TCP/8000-8080'],
    ['every TCP port', [Port.allTcp()], '[test/bad] egress[0].http: HTTP rules need single ports or named ports, not a range, got TCP/*'],
  ])('%s', (_what, ports, message) => {
    expect(make(ports)).toThrow(message);
  });

  test('TCP ports are accepted', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', { name: 'ok', namespace: 'a', egress: [{ peers: [Peer.allPods()], ports: [Port.tcp(80), Port.named('http')], http: [{ method: 'GET' }] }] });
    expect(find(synthValid(chart), 'CiliumNetworkPolicy', 'ok').spec.egress[0].toPorts).toEqual([{
      ports: [{ port: '80', protocol: 'TCP' }, { port: 'http', protocol: 'TCP' }],
      rules: { http: [{ method: 'GET' }] },
    }]);
  });
});
