import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterNetwork, ClusterNetworkProps, Cni, CniKind, IpFamily, ValidationError, ZeroTrustNamespace } from '../../src';

/** The well-known IPv4 metadata and credential endpoints, always excepted and denied. */
const IPV4_METADATA = ['169.254.169.254/32', '169.254.170.2/32', '169.254.170.23/32'];
/** The IPv6 ones, then the IPv4-mapped forms of the IPv4 ones. */
const IPV6_METADATA = ['fd00:ec2::254/128', 'fd00:ec2::23/128'];
const MAPPED_METADATA = ['::ffff:169.254.169.254/128', '::ffff:169.254.170.2/128', '::ffff:169.254.170.23/128'];

/** A ClusterNetwork with the given props and a CNI (plain Kubernetes unless given). */
function network(props: Omit<ClusterNetworkProps, 'cni'> & { cni?: Cni } = {}, id = 'c'): ClusterNetwork {
  return new ClusterNetwork(Testing.chart(), id, { cni: Cni.kubernetes(), ...props });
}

/** The ValidationError thrown by `build`. */
function validationError(build: () => unknown): ValidationError {
  try {
    build();
  } catch (e) {
    if (ValidationError.isValidationError(e)) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

describe('fail closed: the cluster context and its CNI are required', () => {
  const choices = 'Cni.kubernetes(), Cni.calico(), Cni.cilium(), Cni.flannel({ acknowledgeUnenforcedPolicies: true }) or Cni.custom(name, capabilities)';

  test('an app without a ClusterNetwork is an error naming the CNI choices, not plain Kubernetes', () => {
    const chart = Testing.chart();
    const e = validationError(() => new ZeroTrustNamespace(chart, 'ns', { name: 'a' }));
    expect(e.path).toBe('test/ns');
    expect(e.prop).toBe('ClusterNetwork');
    expect(e.message).toContain(`[test/ns] ClusterNetwork: none is declared: declare the cluster context before this construct, on the App or in its chart, with the CNI the cluster runs: new ClusterNetwork(chart, 'cluster', { cni }) with cni one of ${choices}.`);
    expect(() => ClusterNetwork.of(new Construct(chart, 'x'))).toThrow('[test/x] ClusterNetwork: none is declared');
  });

  test('a ClusterNetwork without cni (or without props) is an error naming the choices', () => {
    for (const props of [{}, undefined, { cni: undefined }, { cni: null }]) {
      const e = validationError(() => new ClusterNetwork(Testing.chart(), 'cluster', props as any));
      expect(e.message).toContain(props === undefined
        ? '[test/cluster] props: must be an object of props (they are required), got undefined'
        : `[test/cluster] cni: is required: the CNI the cluster runs, one of ${choices}. There is no default`);
    }
  });

  test('a cni that is not a Cni (a name, a look-alike object) is an error naming the factories', () => {
    expect(() => network({ cni: 'calico' as any })).toThrow(
      `[test/c] cni: must be a Cni made by one of its factories: ${choices}, not the string 'calico'`);
    expect(() => network({ cni: { kind: 'calico', capabilities: Cni.calico().capabilities } as any })).toThrow(
      `[test/c] cni: must be a Cni made by one of its factories: ${choices}, not a plain object`);
  });
});

describe('ClusterNetwork', () => {
  test('defaults besides the CNI: CoreDNS in kube-system, ingress-nginx, the well-known metadata addresses', () => {
    const chart = Testing.chart();
    const declared = new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
    const found = ClusterNetwork.of(new Construct(chart, 'x'));
    expect(found).toBe(declared);
    expect(found.cni.kind).toBe(CniKind.CALICO);
    expect(found.dnsNamespace).toBe('kube-system');
    expect(found.dnsPodLabels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(found.nodeLocalDnsIp).toBeUndefined();
    expect(found.ingressController).toEqual({ namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } });
    expect(found.metadataCidrs).toEqual(IPV4_METADATA);
    expect(found.podCidrs).toEqual(['10.244.0.0/16']);
    expect(found.serviceCidrs).toEqual(['10.96.0.0/12']);
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
      "[tenants/ns] ClusterNetwork: none is declared in this construct's scope or its ancestors, "
      + "but 'platform/cluster' is declared in another branch of the app. Declare the ClusterNetwork on the App so that "
      + 'every chart shares it, or declare one in each chart');
    // Declared in that chart too: fine, and that one is used.
    const local = new ClusterNetwork(tenants, 'cluster', { cni: Cni.calico() });
    const ns2 = new ZeroTrustNamespace(tenants, 'ns2', { name: 'b' });
    expect(ClusterNetwork.of(ns2)).toBe(local);
  });

  test('IPv6-only clusters get IPv6 defaults', () => {
    const cn = network({ nodeLocalDns: true, ipFamilies: [IpFamily.IPV6] });
    expect(cn.podCidrs).toEqual(['fd00:10:244::/56']);
    expect(cn.serviceCidrs).toEqual(['fd00:10:96::/112']);
    expect(cn.dnsServiceIp).toBe('fd00:10:96::a');
    expect(cn.nodeLocalDnsIp).toBe('fd00::10');
    // IPv6 endpoints, and the IPv4-mapped forms of the IPv4 ones (a dual-stack socket reaches them over IPv4).
    expect(cn.metadataCidrs).toEqual([...IPV6_METADATA, ...MAPPED_METADATA]);
    expect(cn.anyAddressCidrs).toEqual(['::/0']);
  });

  test('the kube-dns ClusterIP defaults to the 10th address of the service CIDR (kubeadm), and must lie inside it', () => {
    // EKS-style service CIDR: kube-dns is 172.20.0.10, not the kubeadm default 10.96.0.10.
    expect(network({ serviceCidrs: ['172.20.0.0/16'] }).dnsServiceIp).toBe('172.20.0.10');
    const v6First = network({ ipFamilies: [IpFamily.IPV6, IpFamily.IPV4], serviceCidrs: ['10.100.0.0/16', 'fd00:aa::/108'] });
    expect(v6First.dnsServiceIp).toBe('fd00:aa::a');
    expect(() => network({ serviceCidrs: ['172.20.0.0/16'], dns: { serviceIp: '10.96.0.10' } }))
      .toThrow("[test/c] dns.serviceIp: '10.96.0.10' is outside the service CIDRs [172.20.0.0/16]");
    expect(() => network({ serviceCidrs: ['10.96.0.0/29'] }))
      .toThrow("[test/c] serviceCidrs: '10.96.0.0/29' has no address at offset 10: too small for the kube-dns ClusterIP; set dns.serviceIp");
  });

  test('dual stack: defaults for both families, the DNS addresses of the first', () => {
    const cn = network({ nodeLocalDns: true, ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    expect(cn.podCidrs).toEqual(['10.244.0.0/16', 'fd00:10:244::/56']);
    expect(cn.serviceCidrs).toEqual(['10.96.0.0/12', 'fd00:10:96::/112']);
    expect(cn.dnsServiceIp).toBe('10.96.0.10');
  });

  test.each([
    ['IPv6 pod CIDR on IPv4', {}, { podCidrs: ['fd00::/48'] }, "podCidrs[0]: 'fd00::/48' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv6 metadata on IPv4', {}, { metadataCidrs: ['100.100.100.200/32', 'fd00:ec2::254/128'] },
      "metadataCidrs[1]: 'fd00:ec2::254/128' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv4 metadata on IPv6', { ipFamilies: [IpFamily.IPV6] }, { metadataCidrs: ['100.100.100.200/32'] },
      "metadataCidrs[0]: '100.100.100.200/32' is IPv4, but the cluster's ipFamilies are [IPv6]"],
    ['IPv4 service CIDR on IPv6', { ipFamilies: [IpFamily.IPV6] }, { serviceCidrs: ['10.96.0.0/12'] },
      "serviceCidrs[0]: '10.96.0.0/12' is IPv4, but the cluster's ipFamilies are [IPv6]"],
    ['IPv4 DNS service IP on IPv6', { ipFamilies: [IpFamily.IPV6] }, { dns: { serviceIp: '10.96.0.10' } },
      "dns.serviceIp: '10.96.0.10' is IPv4, but the cluster's ipFamilies are [IPv6]"],
    ['IPv6 NodeLocal DNS IP on IPv4', {}, { nodeLocalDns: true, nodeLocalDnsIp: 'fd00::10' },
      "nodeLocalDnsIp: 'fd00::10' is IPv6, but the cluster's ipFamilies are [IPv4]"],
    ['IPv6 API server on IPv4', {}, { apiServerCidrs: ['2001:db8::1/128'] },
      "apiServerCidrs[0]: '2001:db8::1/128' is IPv6, but the cluster's ipFamilies are [IPv4]"],
  ])('an address of a family the cluster does not run is an error: %s', (_name, base, props, message) => {
    expect(() => network({ ...base, ...props } as any)).toThrow(`[test/c] ${message}`);
  });

  test('a construct declared before the ClusterNetwork fails; declared after it, the same program works', () => {
    const chart = Testing.chart();
    expect(() => new ZeroTrustNamespace(chart, 'ns', { name: 'a' })).toThrow('[test/ns] ClusterNetwork: none is declared');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
    expect(ClusterNetwork.of(new ZeroTrustNamespace(chart, 'ns2', { name: 'a' })).cni.kind).toBe(CniKind.CALICO);
  });

  test('two in one scope is an error', () => {
    const chart = Testing.chart();
    new ClusterNetwork(chart, 'one', { cni: Cni.calico() });
    expect(() => new ClusterNetwork(chart, 'two', { cni: Cni.calico() }))
      .toThrow("[test/two] ClusterNetwork: only one per scope: 'test/one' is already declared in the same scope");
  });

  test('dual stack with NodeLocal DNS: the IPv4 NodeLocal address; metadata, any-address and private ranges of both families', () => {
    const cn = network({ nodeLocalDns: true, ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    expect(cn.nodeLocalDnsIp).toBe('169.254.20.10');
    expect(cn.metadataCidrs).toEqual([...IPV4_METADATA, ...IPV6_METADATA, ...MAPPED_METADATA]);
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
    expect(() => network(props as any)).toThrow(message);
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
  const make = (props: any) => () => network(props, 'cluster');

  test.each(['podCidrs', 'serviceCidrs'])('empty %s is an error naming the prop', (prop) => {
    expect(make({ [prop]: [] })).toThrow(`[test/cluster] ${prop}: must not be empty: at least one CIDR is required`);
  });

  test('empty metadataCidrs adds nothing and removes nothing: the well-known addresses stay', () => {
    expect(network({ metadataCidrs: [] }).metadataCidrs).toEqual(IPV4_METADATA);
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
    expect(make({ nodeLocalDns: true, nodeLocalDnsIp: '169.254.170.23' })).toThrow(
      "[test/cluster] nodeLocalDnsIp: '169.254.170.23' lies inside the metadata CIDR 169.254.170.23/32");
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
    expect(network({ nodeLocalDns: true, nodeLocalDnsIp: '169.254.169.253' }).nodeLocalDnsIp)
      .toBe('169.254.169.253');
  });

  test('dns.serviceIp equal to the network address of its service CIDR is an error', () => {
    expect(make({ dns: { serviceIp: '10.96.0.0' } })).toThrow(
      "[test/cluster] dns.serviceIp: '10.96.0.0' is the network address of the service CIDR 10.96.0.0/12, never a ClusterIP");
    expect(make({ ipFamilies: [IpFamily.IPV6], dns: { serviceIp: 'fd00:10:96::' } })).toThrow(
      "[test/cluster] dns.serviceIp: 'fd00:10:96::' is the network address of the service CIDR fd00:10:96::/112, never a ClusterIP");
    expect(network({ dns: { serviceIp: '10.96.0.1' } }).dnsServiceIp).toBe('10.96.0.1');
  });
});

describe('metadataCidrs add to the well-known metadata addresses, never replace them', () => {
  test('a user-given address comes on top of the IPv4 defaults', () => {
    expect(network({ metadataCidrs: ['100.100.100.200/32'] }).metadataCidrs).toEqual([...IPV4_METADATA, '100.100.100.200/32']);
  });

  test('repeating a default adds nothing; the whole link-local range is never a default (NodeLocal DNS lives there)', () => {
    const cn = network({ metadataCidrs: ['169.254.169.254/32'], nodeLocalDns: true });
    expect(cn.metadataCidrs).toEqual(IPV4_METADATA);
    expect(cn.nodeLocalDnsIp).toBe('169.254.20.10');
    expect(network({ nodeLocalDns: true, nodeLocalDnsIp: '169.254.7.127' }).nodeLocalDnsIp).toBe('169.254.7.127');
  });

  test('dual stack: user IPv4 addresses also get their IPv4-mapped IPv6 form, IPv6 ones stay as given', () => {
    const cn = network({ ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], metadataCidrs: ['100.100.100.200/32', 'fd00:abcd::1/128'] });
    expect(cn.metadataCidrs).toEqual([
      ...IPV4_METADATA, ...IPV6_METADATA, '100.100.100.200/32', 'fd00:abcd::1/128', ...MAPPED_METADATA, '::ffff:100.100.100.200/128',
    ]);
  });

  test('IPv6 only: the IPv4-mapped forms of the IPv4 endpoints, written in mixed notation', () => {
    expect(network({ ipFamilies: [IpFamily.IPV6], metadataCidrs: ['fd00:abcd::1/128'] }).metadataCidrs)
      .toEqual([...IPV6_METADATA, 'fd00:abcd::1/128', ...MAPPED_METADATA]);
  });
});

describe('a NodeLocal DNS address inside the pod or service CIDRs is an error (DNS allows would open a pod or Service)', () => {
  test('inside the pod CIDR', () => {
    expect(() => network({ nodeLocalDns: true, nodeLocalDnsIp: '10.244.3.7' })).toThrow(
      "[test/c] nodeLocalDnsIp: '10.244.3.7' lies inside the pod CIDR 10.244.0.0/16: every DNS allow would open port 53 of whichever pod gets that address");
    expect(() => network({ nodeLocalDns: true, ipFamilies: [IpFamily.IPV6], nodeLocalDnsIp: 'fd00:10:244::53' })).toThrow(
      "[test/c] nodeLocalDnsIp: 'fd00:10:244::53' lies inside the pod CIDR fd00:10:244::/56");
  });

  test('inside the service CIDR, unless it is the kube-dns ClusterIP itself', () => {
    expect(() => network({ nodeLocalDns: true, nodeLocalDnsIp: '10.96.0.53' })).toThrow(
      "[test/c] nodeLocalDnsIp: '10.96.0.53' lies inside the service CIDR 10.96.0.0/12 but is not the kube-dns ClusterIP 10.96.0.10");
    expect(network({ nodeLocalDns: true, nodeLocalDnsIp: '10.96.0.10' }).nodeLocalDnsIp).toBe('10.96.0.10');
  });
});

describe('ClusterNetwork runtime types (jsii and JavaScript callers)', () => {
  test.each([
    ['podCidrs as a string', { podCidrs: '10.244.0.0/16' }, "podCidrs: must be a list, got the string '10.244.0.0/16'"],
    ['a null CIDR', { serviceCidrs: [null] }, 'serviceCidrs[0]: must be a string, got null'],
    ['metadataCidrs as a string', { metadataCidrs: '100.100.100.200/32' }, "metadataCidrs: must be a list, got the string '100.100.100.200/32'"],
    ['ipFamilies as a string', { ipFamilies: 'IPv4' }, "ipFamilies: must be a list, got the string 'IPv4'"],
    ['nodeLocalDns as a string', { nodeLocalDns: 'false' }, "nodeLocalDns: must be true or false, got the string 'false'"],
    ['dns as a string', { dns: 'kube-system' }, "dns: must be an object, got the string 'kube-system'"],
    ['dns labels as a string', { dns: { podLabels: 'k8s-app=kube-dns' } }, "dns.podLabels: must be a map of strings to strings, got the string 'k8s-app=kube-dns'"],
    ['dns labels as an array', { dns: { podLabels: ['kube-dns'] } }, 'dns.podLabels: must be a map of strings to strings, got an array of 1'],
    ['a non-string label value', { dns: { podLabels: { app: 1 } } }, 'dns.podLabels.app: must be a string, got the number 1'],
    ['ingressController without namespace', { ingressController: {} }, 'ingressController.namespace: must be a string, got undefined'],
    ['monitoring as null', { monitoring: null }, 'monitoring: must be an object, got null'],
    ['the label key constructor', { monitoring: { namespace: 'mon', podLabels: { constructor: 'x' } } },
      "monitoring.podLabels: the key 'constructor' cannot be used"],
  ])('%s is a named error', (_what, props, message) => {
    const e = validationError(() => network(props as any));
    expect(e.message).toContain(`[test/c] ${message}`);
  });
});
