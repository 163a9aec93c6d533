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

  test('a ClusterNetwork declared only in a sibling chart is an error, not a silent default', () => {
    const app = new App();
    new ClusterNetwork(new Chart(app, 'platform'), 'cluster', { cni: Cni.calico() });
    const tenants = new Chart(app, 'tenants');
    // Falling back to Cni.kubernetes() here would drop the Calico guard rails without a word.
    expect(() => new ZeroTrustNamespace(tenants, 'ns', { name: 'a' })).toThrow(
      "[tenants/ns] ClusterNetwork.of: no ClusterNetwork is declared in this construct's scope or its ancestors, "
      + "but 'platform/cluster' is declared in another branch of the app. Declare the ClusterNetwork on the App so that "
      + 'every chart shares it, or declare one in each chart');
    // Declared in that chart too: fine, and that one is used.
    const local = new ClusterNetwork(tenants, 'cluster', { cni: Cni.calico() });
    const ns2 = new ZeroTrustNamespace(tenants, 'ns2', { name: 'b' });
    expect(ClusterNetwork.of(ns2)).toBe(local);
  });

  test('IPv6-only clusters get IPv6 defaults', () => {
    const cn = new ClusterNetwork(Testing.chart(), 'c', { nodeLocalDns: true, ipFamilies: [IpFamily.IPV6] });
    expect(cn.podCidrs).toEqual(['fd00:10:244::/56']);
    expect(cn.serviceCidrs).toEqual(['fd00:10:96::/112']);
    expect(cn.dnsServiceIp).toBe('fd00:10:96::a');
    expect(cn.nodeLocalDnsIp).toBe('fd00::10');
    expect(cn.metadataCidrs).toEqual(['fd00:ec2::254/128']);
    expect(cn.anyAddressCidrs).toEqual(['::/0']);
  });

  test('the kube-dns ClusterIP defaults to the 10th address of the service CIDR (kubeadm), and must lie inside it', () => {
    // EKS-style service CIDR: kube-dns is 172.20.0.10, not the kubeadm default 10.96.0.10.
    expect(new ClusterNetwork(Testing.chart(), 'c', { serviceCidrs: ['172.20.0.0/16'] }).dnsServiceIp).toBe('172.20.0.10');
    const v6First = new ClusterNetwork(Testing.chart(), 'c', {
      ipFamilies: [IpFamily.IPV6, IpFamily.IPV4], serviceCidrs: ['10.100.0.0/16', 'fd00:aa::/108'],
    });
    expect(v6First.dnsServiceIp).toBe('fd00:aa::a');
    expect(() => new ClusterNetwork(Testing.chart(), 'c', { serviceCidrs: ['172.20.0.0/16'], dns: { serviceIp: '10.96.0.10' } }))
      .toThrow("[test/c] dns.serviceIp: '10.96.0.10' is outside the service CIDRs [172.20.0.0/16]");
    expect(() => new ClusterNetwork(Testing.chart(), 'c', { serviceCidrs: ['10.96.0.0/29'] }))
      .toThrow("[test/c] serviceCidrs: '10.96.0.0/29' has no address at offset 10: too small for the kube-dns ClusterIP; set dns.serviceIp");
  });

  test('dual stack: defaults for both families, the DNS addresses of the first', () => {
    const cn = new ClusterNetwork(Testing.chart(), 'c', { nodeLocalDns: true, ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    expect(cn.podCidrs).toEqual(['10.244.0.0/16', 'fd00:10:244::/56']);
    expect(cn.serviceCidrs).toEqual(['10.96.0.0/12', 'fd00:10:96::/112']);
    expect(cn.dnsServiceIp).toBe('10.96.0.10');
  });

  test.each([
    ['IPv6 pod CIDR on IPv4', {}, { podCidrs: ['fd00::/48'] }, "podCidrs[0]: 'fd00::/48' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv6 metadata on IPv4', {}, { metadataCidrs: ['169.254.169.254/32', 'fd00:ec2::254/128'] },
      "metadataCidrs[1]: 'fd00:ec2::254/128' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv4 service CIDR on IPv6', { ipFamilies: [IpFamily.IPV6] }, { serviceCidrs: ['10.96.0.0/12'] },
      "serviceCidrs[0]: '10.96.0.0/12' is IPv4, but the cluster's ipFamilies are [IPv6]"],
    ['IPv4 DNS service IP on IPv6', { ipFamilies: [IpFamily.IPV6] }, { dns: { serviceIp: '10.96.0.10' } },
      "dns.serviceIp: '10.96.0.10' is IPv4, but the cluster's ipFamilies are [IPv6]"],
    ['IPv6 NodeLocal DNS IP on IPv4', {}, { nodeLocalDns: true, nodeLocalDnsIp: 'fd00::10' },
      "nodeLocalDnsIp: 'fd00::10' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv6 API server on IPv4', {}, { apiServerCidrs: ['2001:db8::1/128'] },
      "apiServerCidrs[0]: '2001:db8::1/128' is IPv6, but the cluster's ipFamilies are [IPv4]"],
  ])('an address of a family the cluster does not run is an error: %s', (_name, base, props, message) => {
    expect(() => new ClusterNetwork(Testing.chart(), 'c', { ...base, ...props } as any)).toThrow(`[test/c] ${message}`);
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

  test('dual stack with NodeLocal DNS: the IPv4 NodeLocal address; metadata, any-address and private ranges of both families', () => {
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
  ])('bad %s: an error naming the construct path and the prop', (_what, props, message) => {
    expect(() => new ClusterNetwork(Testing.chart(), 'c', props as any)).toThrow(message);
  });

  test('the capability table of each built-in CNI; Cni.custom gets only what NetworkPolicy/ClusterNetworkPolicy express', () => {
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

describe('ClusterNetwork prop validation', () => {
  const make = (props: any) => () => new ClusterNetwork(Testing.chart(), 'cluster', props);

  test.each(['podCidrs', 'serviceCidrs'])('empty %s is an error naming the prop', (prop) => {
    expect(make({ [prop]: [] })).toThrow(`[test/cluster] ${prop}: must not be empty: at least one CIDR is required`);
  });

  test('empty metadataCidrs is an error: it would silently disable metadata protection', () => {
    expect(make({ metadataCidrs: [] })).toThrow(
      '[test/cluster] metadataCidrs: must not be empty: without them nothing blocks the cloud metadata service (credential theft)');
  });

  test('an ipFamilies value outside the IpFamily enum (jsii callers pass strings) names the prop', () => {
    expect(make({ ipFamilies: ['IPv5'] })).toThrow("[test/cluster] ipFamilies[0]: 'IPv5' is not an IP family (one of IPv4, IPv6)");
    expect(make({ ipFamilies: [IpFamily.IPV4, 'ipv6'] })).toThrow("[test/cluster] ipFamilies[1]: 'ipv6' is not an IP family (one of IPv4, IPv6)");
  });

  test('a NodeLocal DNS address inside the metadata CIDRs is an error (port 53 to the metadata service)', () => {
    expect(make({ nodeLocalDns: true, nodeLocalDnsIp: '169.254.169.254' })).toThrow(
      "[test/cluster] nodeLocalDnsIp: '169.254.169.254' lies inside the metadata CIDR 169.254.169.254/32: DNS allows would open the metadata service on port 53");
    expect(make({ nodeLocalDns: true, nodeLocalDnsIp: '169.254.0.7', metadataCidrs: ['169.254.0.0/16'] })).toThrow(
      "[test/cluster] nodeLocalDnsIp: '169.254.0.7' lies inside the metadata CIDR 169.254.0.0/16");
    expect(make({ nodeLocalDns: true, ipFamilies: [IpFamily.IPV6], nodeLocalDnsIp: 'fd00:ec2::254' })).toThrow(
      "[test/cluster] nodeLocalDnsIp: 'fd00:ec2::254' lies inside the metadata CIDR fd00:ec2::254/128");
  });

  test('an unspecified NodeLocal DNS address (0.0.0.0 or ::) is an error', () => {
    expect(make({ nodeLocalDns: true, nodeLocalDnsIp: '0.0.0.0' })).toThrow(
      "[test/cluster] nodeLocalDnsIp: '0.0.0.0' is the unspecified address, not a listen address");
    expect(make({ nodeLocalDns: true, ipFamilies: [IpFamily.IPV6], nodeLocalDnsIp: '::' })).toThrow(
      "[test/cluster] nodeLocalDnsIp: '::' is the unspecified address, not a listen address");
  });

  test('a NodeLocal DNS address next to (not inside) the metadata CIDR is accepted', () => {
    expect(new ClusterNetwork(Testing.chart(), 'cluster', { nodeLocalDns: true, nodeLocalDnsIp: '169.254.169.253' }).nodeLocalDnsIp)
      .toBe('169.254.169.253');
  });

  test('dns.serviceIp equal to the network address of its service CIDR is an error', () => {
    expect(make({ dns: { serviceIp: '10.96.0.0' } })).toThrow(
      "[test/cluster] dns.serviceIp: '10.96.0.0' is the network address of the service CIDR 10.96.0.0/12, never a ClusterIP");
    expect(make({ ipFamilies: [IpFamily.IPV6], dns: { serviceIp: 'fd00:10:96::' } })).toThrow(
      "[test/cluster] dns.serviceIp: 'fd00:10:96::' is the network address of the service CIDR fd00:10:96::/112, never a ClusterIP");
    expect(new ClusterNetwork(Testing.chart(), 'cluster', { dns: { serviceIp: '10.96.0.1' } }).dnsServiceIp).toBe('10.96.0.1');
  });
});
