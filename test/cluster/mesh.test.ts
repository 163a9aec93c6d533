import { ClusterNetwork, Cni, Errors, IstioMode, Mesh, MeshKind, Peer, TrafficPolicy } from '../../src';
import { meshChart } from '../support/mesh';
import { chartFor, find, synthValid } from '../support/synth';

/** The error `make` throws. */
function captured(make: () => unknown): unknown {
  try {
    make();
  } catch (e) {
    return e;
  }
  throw new Error('no error thrown');
}

describe('Mesh factories', () => {
  test.each([
    ['no mode', () => Mesh.istio({} as any), '[Mesh.istio] mode: is required: IstioMode.SIDECAR or IstioMode.AMBIENT, chosen explicitly'],
    ['an unknown mode', () => Mesh.istio({ mode: 'Sidecar' as any }), "[Mesh.istio] mode: 'Sidecar' is not an Istio mode (one of sidecar, ambient)"],
    ['no options at all (jsii callers)', () => Mesh.istio(undefined as any), '[Mesh.istio] options: must be an object of props (they are required), got undefined'],
    ['options that are not an object', () => Mesh.linkerd('cni' as any), "[Mesh.linkerd] options: must be an object of options (or omitted), got the string 'cni'"],
    ['ambient without the CNI agent', () => Mesh.istio({ mode: IstioMode.AMBIENT, cni: false }), '[Mesh.istio] cni: ambient mode always runs on the Istio CNI node agent'],
    ['a revision that is no DNS label', () => Mesh.istio({ mode: IstioMode.SIDECAR, revision: 'Canary_1' }), "[Mesh.istio] revision: 'Canary_1' is not a valid DNS-1123 label"],
    ['the default revision by name', () => Mesh.istio({ mode: IstioMode.SIDECAR, revision: 'default' }), "[Mesh.istio] revision: 'default' is the default revision"],
    ['a string for a boolean', () => Mesh.istio({ mode: IstioMode.SIDECAR, cni: 'yes' as any }), "[Mesh.istio] cni: must be true or false, got the string 'yes'"],
    ['istiod labels as a string', () => Mesh.istio({ mode: IstioMode.SIDECAR, istiodLabels: 'app=istiod' as any }),
      "[Mesh.istio] istiodLabels: must be a map of strings to strings, got the string 'app=istiod'"],
    ['a namespace that is not a string', () => Mesh.linkerd({ controlPlaneNamespace: null as any }), '[Mesh.linkerd] controlPlaneNamespace: must be a string, got null'],
    ['no istiod labels', () => Mesh.istio({ mode: IstioMode.SIDECAR, istiodLabels: {} }), '[Mesh.istio] istiodLabels: must name at least one label'],
    ['a bad trust domain', () => Mesh.linkerd({ trustDomain: 'Cluster Local' }), "[Mesh.linkerd] trustDomain: 'Cluster Local' is not a valid DNS-1123 subdomain"],
    // The host probe SNAT addresses: istio-cni parses each with Go's netip.MustParseAddr (one address, no prefix, IPv4 in four
    // decimal octets without leading zeros) and SNATs IPv4 probes to HOST_PROBE_SNAT_IP, IPv6 ones to HOST_PROBE_SNAT_IPV6.
    ['a probe address as a CIDR', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.7.0/24' }),
      "[Mesh.istio] hostProbeSnatIp: '169.254.7.0/24' is a CIDR: istio-cni reads HOST_PROBE_SNAT_IP as a single IP address (e.g. 169.254.7.127), without a prefix"],
    ['an IPv6 probe address as a /128', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIpv6: 'fd00::1/128' }),
      "[Mesh.istio] hostProbeSnatIpv6: 'fd00::1/128' is a CIDR: istio-cni reads HOST_PROBE_SNAT_IPV6 as a single IP address "
      + '(e.g. fd16:9254:7127:1337:ffff:ffff:ffff:ffff), without a prefix'],
    ['a probe address that is no address', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.7.300' }),
      "[Mesh.istio] hostProbeSnatIp: '169.254.7.300' is not an IP address istio-cni accepts in HOST_PROBE_SNAT_IP (e.g. 169.254.7.127)"],
    ['leading zeros (Go\'s netip refuses them)', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.007.127' }),
      "[Mesh.istio] hostProbeSnatIp: '169.254.007.127' is not an IP address istio-cni accepts in HOST_PROBE_SNAT_IP (e.g. 169.254.7.127)"],
    ['an IPv6 zone', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIpv6: 'fe80::1%eth0' }),
      "[Mesh.istio] hostProbeSnatIpv6: 'fe80::1%eth0' is not an IP address istio-cni accepts in HOST_PROBE_SNAT_IPV6 (e.g. fd16:9254:7127:1337:ffff:ffff:ffff:ffff)"],
    ['an IPv6 address for the IPv4 probes', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: 'fd00::7' }),
      "[Mesh.istio] hostProbeSnatIp: 'fd00::7' is an IPv6 address, but hostProbeSnatIp is istio-cni's HOST_PROBE_SNAT_IP, the address of IPv4 probes; "
      + 'set it in hostProbeSnatIpv6'],
    ['an IPv4 address for the IPv6 probes', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIpv6: '169.254.7.1' }),
      "[Mesh.istio] hostProbeSnatIpv6: '169.254.7.1' is an IPv4 address, but hostProbeSnatIpv6 is istio-cni's HOST_PROBE_SNAT_IPV6, the address of IPv6 probes; "
      + 'set it in hostProbeSnatIp'],
    ['an IPv4-mapped IPv6 address', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIpv6: '::ffff:169.254.7.1' }),
      "[Mesh.istio] hostProbeSnatIpv6: '::ffff:169.254.7.1' is an IPv4-mapped IPv6 address: istio-cni SNATs IPv6 probes to HOST_PROBE_SNAT_IPV6; "
      + 'give an IPv6 address (e.g. fd16:9254:7127:1337:ffff:ffff:ffff:ffff), and the IPv4 one in hostProbeSnatIp'],
    ['an IPv4-mapped IPv6 address for the IPv4 probes (netip keeps it mapped, which the IPv4 SNAT rule cannot take)',
      () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '::ffff:169.254.7.1' }),
      "[Mesh.istio] hostProbeSnatIp: '::ffff:169.254.7.1' is an IPv4-mapped IPv6 address, not the IPv4 address HOST_PROBE_SNAT_IP needs: write it as 169.254.7.1"],
    ['the unspecified address', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '0.0.0.0' }),
      "[Mesh.istio] hostProbeSnatIp: '0.0.0.0' is the unspecified address, which no connection can come from: istio-cni would SNAT kubelet probes to it"],
    ['a loopback address', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIpv6: '::1' }),
      "[Mesh.istio] hostProbeSnatIpv6: '::1' is a loopback address, which no connection can come from: istio-cni would SNAT kubelet probes to it"],
    ['a probe address that is not a string', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: 0xa9fe077f as any }),
      '[Mesh.istio] hostProbeSnatIp: must be a string, got the number 2851997567'],
    ['a probe address in sidecar mode', () => Mesh.istio({ mode: IstioMode.SIDECAR, hostProbeSnatIpv6: 'fd00::7' }),
      '[Mesh.istio] hostProbeSnatIpv6: applies to ambient mode only (istio-cni SNATs kubelet probes to ambient pods); sidecar mode does not use it: '
      + 'omit it, or set mode: IstioMode.AMBIENT'],
    ['a misspelt option', () => Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIP: '169.254.9.9' } as any), '[Mesh.istio] options.hostProbeSnatIP: unknown field (expected one of mode, revision, rootNamespace, controlPlaneNamespace, istiodLabels, cni, '
      + 'trustDomain, hostProbeSnatIp, hostProbeSnatIpv6); a misspelt field would be silently ignored'],
    // Linkerd's clusterNetworks: the networks of the cluster-* default inbound policies (LoadBalancerService reads them).
    ['no cluster network', () => Mesh.linkerd({ clusterNetworks: [] }),
      '[Mesh.linkerd] clusterNetworks: needs at least one CIDR: the cluster-* default policies of Linkerd admit clients of these networks only, and the '
      + 'proxy refuses them without any (omit it for Linkerd\'s default 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, fd00::/8)'],
    ['cluster networks as one comma-separated string (the Helm value\'s form)', () => Mesh.linkerd({ clusterNetworks: '10.0.0.0/8,fd00::/8' as any }),
      "[Mesh.linkerd] clusterNetworks: must be a list, got the string '10.0.0.0/8,fd00::/8'"],
    ['a cluster network that is no CIDR', () => Mesh.linkerd({ clusterNetworks: ['10.0.0.0/8', '10.1.0.0'] }),
      "[Mesh.linkerd] clusterNetworks[1]: invalid CIDR: '10.1.0.0' is not a CIDR (expected address/prefix, e.g. 10.0.0.0/8)"],
    ['a cluster network with host bits', () => Mesh.linkerd({ clusterNetworks: ['10.0.0.1/8'] }),
      "[Mesh.linkerd] clusterNetworks[0]: invalid CIDR: '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?"],
    ['an IPv4-mapped cluster network', () => Mesh.linkerd({ clusterNetworks: ['::ffff:10.0.0.0/104'] }),
      "[Mesh.linkerd] clusterNetworks[0]: '::ffff:10.0.0.0/104' is an IPv4-mapped IPv6 block, which matches no IPv4 client in Linkerd: write 10.0.0.0/8"],
  ])('%s', (_what, make, message) => {
    expect(make).toThrow(message);
    expect(Errors.isValidationError(captured(make))).toBe(true);
  });

  test('defaults', () => {
    const sidecar = Mesh.istio({ mode: IstioMode.SIDECAR });
    expect([sidecar.rootNamespace, sidecar.controlPlaneNamespace, sidecar.cniPlugin, sidecar.trustDomain, sidecar.needsPrivilegedInit])
      .toEqual(['istio-system', 'istio-system', false, 'cluster.local', true]);
    const ambient = Mesh.istio({ mode: IstioMode.AMBIENT });
    expect([ambient.cniPlugin, ambient.needsPrivilegedInit]).toEqual([true, false]);
    expect(Mesh.linkerd().controlPlaneNamespace).toBe('linkerd');
    expect(Mesh.none().networkNeeds()).toEqual({ controlPlane: [], metricsPorts: [], probeSourceCidrs: [] });
    expect([ambient.hostProbeSnatIp, ambient.hostProbeSnatIpv6]).toEqual(['169.254.7.127', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff']);
    expect([sidecar.hostProbeSnatIp, sidecar.hostProbeSnatIpv6, Mesh.linkerd().hostProbeSnatIp]).toEqual([undefined, undefined, undefined]);
  });

  test('which installation values were declared, not defaulted (internal: the lint hedges over the others)', () => {
    const none = { trustDomain: false, rootNamespace: false, controlPlaneNamespace: false, clusterNetworks: false };
    expect(Mesh.none()._declared).toEqual(none);
    expect(Mesh.istio({ mode: IstioMode.SIDECAR })._declared).toEqual(none);
    expect(Mesh.linkerd()._declared).toEqual(none);
    // Declaring the default value is a declaration: cluster.local is then known.
    expect(Mesh.istio({ mode: IstioMode.AMBIENT, trustDomain: 'cluster.local' })._declared).toEqual({ ...none, trustDomain: true });
    // The control plane namespace defaults to the root namespace: declaring the root namespace declares both.
    expect(Mesh.istio({ mode: IstioMode.SIDECAR, rootNamespace: 'mesh-root' })._declared).toEqual({ ...none, rootNamespace: true, controlPlaneNamespace: true });
    expect(Mesh.istio({ mode: IstioMode.SIDECAR, controlPlaneNamespace: 'istiod' })._declared).toEqual({ ...none, controlPlaneNamespace: true });
    expect(Mesh.linkerd({ trustDomain: 'example.org', controlPlaneNamespace: 'linkerd-prod' })._declared)
      .toEqual({ trustDomain: true, rootNamespace: false, controlPlaneNamespace: true, clusterNetworks: false });
    expect(Mesh.linkerd({ clusterNetworks: ['10.0.0.0/8'] })._declared).toEqual({ ...none, clusterNetworks: true });
    expect(Object.isFrozen(Mesh.linkerd()._declared)).toBe(true);
  });

  test('Linkerd\'s clusterNetworks: the install default, or the declared CIDRs in canonical form; none for other meshes', () => {
    expect(Mesh.linkerd().clusterNetworks).toEqual(['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8']);
    const declared = Mesh.linkerd({ clusterNetworks: ['10.20.0.0/16', 'FD00:0:0::/48'] });
    expect(declared.clusterNetworks).toEqual(['10.20.0.0/16', 'fd00::/48']);
    expect(Object.isFrozen(declared.clusterNetworks)).toBe(true);
    expect([Mesh.none().clusterNetworks, Mesh.istio({ mode: IstioMode.SIDECAR }).clusterNetworks]).toEqual([undefined, undefined]);
    expect(() => Mesh.linkerd({ clusterNetwork: ['10.0.0.0/8'] } as any)).toThrow('[Mesh.linkerd] options.clusterNetwork: unknown field (expected one of '
      + 'cni, controlPlaneNamespace, trustDomain, clusterNetworks)');
  });

  test('declared host probe addresses are kept in canonical form, each family on its own', () => {
    const both = Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.9.9', hostProbeSnatIpv6: 'FD00:0:0::0:7' });
    expect([both.hostProbeSnatIp, both.hostProbeSnatIpv6]).toEqual(['169.254.9.9', 'fd00::7']);
    expect(both.networkNeeds().probeSourceCidrs).toEqual(['169.254.9.9/32', 'fd00::7/128']);
    const v6 = Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIpv6: 'fd00::7' });
    expect(v6.networkNeeds().probeSourceCidrs).toEqual(['169.254.7.127/32', 'fd00::7/128']);
  });
});

describe('ClusterNetwork mesh and gateway facts', () => {
  test('no mesh unless declared', () => {
    const chart = chartFor(Cni.calico());
    expect(ClusterNetwork.of(chart).mesh.kind).toBe(MeshKind.NONE);
    expect(ClusterNetwork.of(chart).gateway).toBeUndefined();
  });

  test('a mesh that is not a Mesh (jsii callers): a string, null or a look-alike object', () => {
    for (const [mesh, got] of [['istio', "the string 'istio'"], [null, 'null'], [{ kind: 'istio', networkNeeds: () => ({}) }, 'a plain object']] as const) {
      expect(() => chartFor(Cni.calico(), { mesh: mesh as any }))
        .toThrow(`[test/cluster] mesh: must be a Mesh made by one of its factories: Mesh.none(), Mesh.istio({ mode }) or Mesh.linkerd(), not ${got}`);
    }
  });

  test('a hand-built Mesh that passes instanceof is refused: Object.create(Mesh.prototype), a copy of a real one, a proxy', () => {
    const sidecar = Mesh.istio({ mode: IstioMode.SIDECAR });
    const lookAlikes: unknown[] = [
      Object.create(Mesh.prototype),
      // Every field of a real Mesh on the Mesh prototype, but with the fail-open choice no factory allows: no istiod labels.
      Object.assign(Object.create(Mesh.prototype), sidecar, { controlPlanePodLabels: {} }),
      Object.assign(Object.create(Mesh.prototype), Mesh.linkerd()),
      new Proxy(sidecar, {}),
    ];
    for (const mesh of lookAlikes) {
      const e = captured(() => chartFor(Cni.calico(), { mesh: mesh as Mesh }));
      expect(Errors.isValidationError(e)).toBe(true);
      expect((e as Error).message).toBe('[test/cluster] mesh: must be a Mesh made by one of its factories: Mesh.none(), Mesh.istio({ mode }) '
        + 'or Mesh.linkerd(), not a hand-built object');
    }
    // Every factory-made Mesh is accepted, as that very object.
    for (const mesh of [Mesh.none(), sidecar, Mesh.istio({ mode: IstioMode.AMBIENT }), Mesh.linkerd()]) {
      expect(ClusterNetwork.of(chartFor(Cni.calico(), { mesh })).mesh).toBe(mesh);
    }
  });

  test('new Mesh(...) from plain JavaScript (TypeScript\'s private is erased) is a named error, also with the factories\' arguments', () => {
    const MeshClass = Mesh as unknown as new (...args: unknown[]) => Mesh;
    for (const args of [[], [MeshKind.ISTIO, { istioMode: IstioMode.SIDECAR, controlPlanePodLabels: {} }], [Symbol('Mesh factory'), MeshKind.LINKERD, {}]]) {
      const e = captured(() => new MeshClass(...args));
      expect(Errors.isValidationError(e)).toBe(true);
      expect((e as Error).message).toBe('[Mesh] constructor: a Mesh is made by one of its factories: Mesh.none(), Mesh.istio({ mode }) or Mesh.linkerd(), '
        + 'never with new');
    }
    expect(() => new (class extends MeshClass {})(MeshKind.NONE, {})).toThrow(/^\[Mesh\] constructor: /);
  });

  test('gateway pods are validated like the ingress controller', () => {
    expect(() => chartFor(Cni.calico(), { gateway: { namespace: 'Gateways' } }))
      .toThrow("[test/cluster] gateway.namespace: 'Gateways' is not a valid DNS-1123 label");
  });

  test('Peer.gateway() selects the declared gateway pods, and is an error without them', () => {
    const chart = meshChart(Cni.kubernetes(), Mesh.none(), { gateway: { namespace: 'gateways', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } } });
    new TrafficPolicy(chart, 'p', { name: 'from-gateway', namespace: 'shop', ingress: [{ peers: [Peer.gateway()] }] });
    expect(find(synthValid(chart), 'NetworkPolicy', 'from-gateway').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } },
        podSelector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } },
      }],
    }]);
    const bare = chartFor(Cni.kubernetes());
    expect(() => new TrafficPolicy(bare, 'p', { name: 'from-gateway', namespace: 'shop', ingress: [{ peers: [Peer.gateway()] }] }))
      .toThrow('[test/p] ingress[0].peers[0]: Peer.gateway() needs the gateway pods: declare ClusterNetwork gateway ({ namespace, podLabels })');
  });

  test('the mesh tables: what each mesh needs from the network', () => {
    const sidecarCp = Mesh.istio({ mode: IstioMode.SIDECAR }).networkNeeds().controlPlane;
    expect(sidecarCp.map((c) => [c.namespace, c.podLabels, c.ports.map((p) => p.port)])).toEqual([['istio-system', { app: 'istiod' }, [15012]]]);
    expect(Mesh.istio({ mode: IstioMode.AMBIENT }).networkNeeds().controlPlane).toEqual([]);
    expect(Mesh.istio({ mode: IstioMode.AMBIENT }).networkNeeds().transportPort?.port).toBe(15008);
    // Linkerd 2.20 (linkerd-control-plane chart): the `destination` pods serve 8086 (destination) and
    // 8090 (policy controller, same pod); the `identity` pods serve 8080. Each component on its own
    // ports, never the whole control-plane namespace.
    const linkerdCp = Mesh.linkerd({ controlPlaneNamespace: 'linkerd-edge' }).networkNeeds().controlPlane;
    expect(linkerdCp.map((c) => [c.component, c.namespace, c.podLabels, c.ports.map((p) => p.port)])).toEqual([
      ['destination', 'linkerd-edge', { 'linkerd.io/control-plane-component': 'destination' }, [8086, 8090]],
      ['identity', 'linkerd-edge', { 'linkerd.io/control-plane-component': 'identity' }, [8080]],
    ]);
    expect(Mesh.linkerd().networkNeeds().transportPort?.port).toBe(4143);
    expect(Mesh.linkerd().namespaceAnnotations()).toEqual({ 'linkerd.io/inject': 'enabled' });
    expect(Mesh.linkerd().namespaceLabels()).toEqual({});
  });
});
