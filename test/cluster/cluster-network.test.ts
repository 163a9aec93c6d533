import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterNetwork, Cni, CniKind, IpFamily, ZeroTrustNamespace } from '../../src';

describe('ClusterNetwork', () => {
  test('defaults when absent: kubernetes CNI, CoreDNS in kube-system, ingress-nginx, metadata 169.254.169.254', () => {
    const chart = Testing.chart();
    const found = ClusterNetwork.of(new Construct(chart, 'x'));
    expect(found.cni.kind).toBe(CniKind.KUBERNETES);
    expect(found.dnsNamespace).toBe('kube-system');
    expect(found.dnsPodLabels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(found.nodeLocalDnsIp).toBeUndefined();
    expect(found.ingressController).toEqual({ namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } });
    expect(found.metadataCidrs).toEqual(['169.254.169.254/32']);
    expect(found.podCidrs).toEqual(['10.244.0.0/16']);
    expect(found.serviceCidrs).toEqual(['10.96.0.0/12']);
    // The same default is returned again, not a second one.
    expect(ClusterNetwork.of(chart)).toBe(found);
  });

  test('found from nested constructs, in the chart or on the app', () => {
    const app = new App();
    const onApp = new ClusterNetwork(app, 'cluster', { cni: Cni.cilium() });
    const chart = new Chart(app, 'c');
    const deep = new Construct(new Construct(chart, 'a'), 'b');
    expect(ClusterNetwork.of(deep)).toBe(onApp);
    const chart2 = new Chart(app, 'c2');
    const local = new ClusterNetwork(chart2, 'cluster', { cni: Cni.calico() });
    expect(ClusterNetwork.of(new Construct(chart2, 'z'))).toBe(local);
  });

  test('declaring a ClusterNetwork after a construct used the default is an error', () => {
    const chart = Testing.chart();
    new ZeroTrustNamespace(chart, 'ns', { name: 'a' });
    expect(() => new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() })).toThrow(/declare the ClusterNetwork first/);
  });

  test('two in one scope is an error', () => {
    const chart = Testing.chart();
    new ClusterNetwork(chart, 'one');
    expect(() => new ClusterNetwork(chart, 'two')).toThrow("[test/two] ClusterNetwork: only one per scope: 'test/one' is already declared in the same scope");
  });

  test('NodeLocal DNS and IPv6', () => {
    const chart = Testing.chart();
    const cn = new ClusterNetwork(chart, 'c', { nodeLocalDns: true, ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    expect(cn.nodeLocalDnsIp).toBe('169.254.20.10');
    expect(cn.metadataCidrs).toEqual(['169.254.169.254/32', 'fd00:ec2::254/128']);
    expect(cn.anyAddressCidrs).toEqual(['0.0.0.0/0', '::/0']);
    expect(cn.privateCidrs).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
  });

  test.each([
    ['pod CIDR', { podCidrs: ['10.244.0.0/33'] }, /\[test\/c\] podCidrs\[0\]: invalid CIDR/],
    ['service CIDR host bits', { serviceCidrs: ['10.96.0.1/12'] }, /serviceCidrs\[0\]: invalid CIDR: '10.96.0.1\/12' has host bits set/],
    ['dns namespace', { dns: { namespace: 'Kube_System' } }, /dns\.namespace: 'Kube_System'/],
    ['empty dns labels', { dns: { podLabels: {} } }, /dns\.podLabels: must not be empty/],
    ['nodeLocalDnsIp without nodeLocalDns', { nodeLocalDnsIp: '169.254.20.11' }, /nodeLocalDnsIp: is only meaningful with nodeLocalDns/],
    ['nodeLocalDnsIp not an address', { nodeLocalDns: true, nodeLocalDnsIp: '169.254.20.0/24' }, /nodeLocalDnsIp: '169.254.20.0\/24' must be a single IP address/],
    ['metadata CIDR', { metadataCidrs: ['169.254.169.254'] }, /metadataCidrs\[0\]: invalid CIDR/],
    ['ingress namespace', { ingressController: { namespace: 'Ingress' } }, /ingressController\.namespace/],
  ])('bad %s', (_what, props, message) => {
    expect(() => new ClusterNetwork(Testing.chart(), 'c', props as any)).toThrow(message);
  });

  test('the capability table', () => {
    expect(Cni.kubernetes().capabilities).toEqual({
      enforcesNetworkPolicy: true,
      deny: false,
      ordering: false,
      clusterWide: false,
      l7: false,
      fqdn: false,
      entities: false,
      clusterNetworkPolicy: false,
    });
    expect(Cni.calico().capabilities).toMatchObject({
      deny: true, ordering: true, clusterWide: true, l7: false, fqdn: false, clusterNetworkPolicy: true,
    });
    expect(Cni.cilium().capabilities).toMatchObject({
      deny: true, ordering: false, clusterWide: true, l7: true, fqdn: true, entities: true, clusterNetworkPolicy: false,
    });
    expect(Cni.flannel().capabilities.enforcesNetworkPolicy).toBe(false);
    const antrea = Cni.custom('antrea', { ...Cni.calico().capabilities, l7: true });
    expect(antrea.name).toBe('antrea');
    expect(antrea.capabilities.l7).toBe(false); // no native renderer: only what ClusterNetworkPolicy/NetworkPolicy express
    expect(antrea.capabilities.deny).toBe(true);
  });
});
