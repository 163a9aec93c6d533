import { Chart, Testing } from 'cdk8s';
import {
  ClusterNetwork, Cni, IpFamily, IstioMode, IstioMtls, LinkerdInboundPolicy, Mesh, MeshAuthorization, MeshSource, Peer, PodSecurityLevel, Port,
  Reachability, Target, Verdict, ZeroTrustNamespace,
} from '../../src';
import { deployment, meshChart, meshReachability } from '../support/mesh';
import { ENFORCING_CNIS, find, synthValid } from '../support/synth';
import '../support/reachability-matchers';

const PSA_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/audit-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
};

const web = Target.workload('shop', 'web');
const api = Target.workload('shop', 'api');
const istiod = Target.workload('istio-system', 'istiod');
const prometheus = Target.workload('monitoring', 'prometheus');

/** A meshed `shop` namespace with web -> api:8080 allowed, and both workloads. */
function shop(cni: Cni, mesh: Mesh) {
  const chart = meshChart(cni, mesh);
  const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
  ns.allowFlow('web-to-api', { app: 'web' }, { app: 'api' }, [Port.tcp(8080)]);
  deployment(chart, 'shop', 'web', { app: 'web' });
  deployment(chart, 'shop', 'api', { app: 'api' });
  return { chart, ns };
}

describe.each(ENFORCING_CNIS)('a namespace joining Istio in sidecar mode on %s', (_name, cni) => {
  const mesh = () => Mesh.istio({ mode: IstioMode.SIDECAR, cni: true });

  test('is labelled istio-injection=enabled and allows istiod 15012 and the metrics ports, nothing else of the mesh', () => {
    const { chart } = shop(cni(), mesh());
    const objects = synthValid(chart);
    expect(find(objects, 'Namespace', 'shop').metadata).toEqual({ name: 'shop', labels: { ...PSA_LABELS, 'istio-injection': 'enabled' } });
    expect(find(objects, 'NetworkPolicy', 'allow-istio-control-plane', 'shop').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
          podSelector: { matchLabels: { app: 'istiod' } },
        }],
        ports: [{ protocol: 'TCP', port: 15012 }],
      }],
    });
    expect(find(objects, 'NetworkPolicy', 'allow-istio-metrics', 'shop').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ protocol: 'TCP', port: 15020 }, { protocol: 'TCP', port: 15090 }],
      }],
    });
    // Sidecars use the application port: no transport twin, no probe-source allow.
    expect(find(objects, 'NetworkPolicy', 'web-to-api-ingress', 'shop').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
    expect(objects.filter((o) => o.metadata.name === 'allow-istio-kubelet-probes')).toEqual([]);
  });

  test('the analyzer: istiod 15012 reachable, metrics only from monitoring, health 15021 only from the local kubelet', () => {
    const { chart } = shop(cni(), mesh());
    const reach = meshReachability(chart, cni());
    for (const pod of [web, api]) {
      expect(reach).toAllow(pod, istiod, Port.tcp(15012));
      expect(reach).toDeny(pod, istiod, Port.tcp(15010));
      // istiod's webhook port is for the API server, not for meshed pods.
      expect(reach).toDeny(pod, istiod, Port.tcp(15017));
      expect(reach).toAllow(prometheus, pod, Port.tcp(15020));
      expect(reach).toAllow(prometheus, pod, Port.tcp(15090));
      expect(reach).toDeny(prometheus, pod, Port.tcp(8080));
      expect(reach).toAllow(Target.localNode(), pod, Port.tcp(15021));
      expect(reach).toDeny(Target.remoteNode(), pod, Port.tcp(15021));
    }
    expect(reach).toAllow(web, api, Port.tcp(8080));
    expect(reach).toDeny(api, web, Port.tcp(8080));
    expect(reach).toDeny(web, api, Port.tcp(15008));
    expect(reach).toDeny(web, Target.external('169.254.169.254'), Port.tcp(80));
  });

  test('a revision labels istio.io/rev instead of istio-injection (never both) and selects that istiod', () => {
    const chart = meshChart(cni(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true, revision: '1-30-3' }));
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    const objects = synthValid(chart);
    expect(find(objects, 'Namespace', 'shop').metadata.labels).toEqual({ ...PSA_LABELS, 'istio.io/rev': '1-30-3' });
    expect(find(objects, 'NetworkPolicy', 'allow-istio-control-plane', 'shop').spec.egress[0].to[0].podSelector)
      .toEqual({ matchLabels: { 'app': 'istiod', 'istio.io/rev': '1-30-3' } });
  });
});

describe.each(ENFORCING_CNIS)('a namespace joining Istio ambient on %s', (_name, cni) => {
  const mesh = () => Mesh.istio({ mode: IstioMode.AMBIENT });

  test('is labelled for ambient; HBONE 15008 rides along every pod-to-pod allow; probes from 169.254.7.127/32', () => {
    const { chart } = shop(cni(), mesh());
    const objects = synthValid(chart);
    expect(find(objects, 'Namespace', 'shop').metadata.labels).toEqual({ ...PSA_LABELS, 'istio.io/dataplane-mode': 'ambient' });
    expect(find(objects, 'NetworkPolicy', 'web-to-api-egress', 'shop').spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      { to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 15008 }] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'web-to-api-ingress', 'shop').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 15008 }] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'allow-istio-kubelet-probes', 'shop').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '169.254.7.127/32' } }] }],
    });
    // Ambient pods do not talk to istiod (ztunnel does) and expose no sidecar metrics.
    expect(objects.filter((o) => ['allow-istio-control-plane', 'allow-istio-metrics'].includes(o.metadata.name))).toEqual([]);
  });

  test('the analyzer: HBONE only along allowed flows, probes reach every port, metadata stays blocked', () => {
    const { chart } = shop(cni(), mesh());
    const reach = meshReachability(chart, cni());
    expect(reach).toAllow(web, api, Port.tcp(15008));
    expect(reach).toAllow(web, api, Port.tcp(8080));
    expect(reach).toDeny(api, web, Port.tcp(15008));
    expect(reach).toDeny(prometheus, api, Port.tcp(15008));
    expect(reach).toDeny(web, istiod, Port.tcp(15012));
    for (const pod of [web, api]) {
      expect(reach).toAllow(Target.external('169.254.7.127'), pod, Port.tcp(8080));
      expect(reach).toDeny(Target.external('169.254.7.126'), pod, Port.tcp(8080));
      expect(reach).toDeny(pod, Target.external('169.254.169.254'), Port.tcp(80));
    }
  });

  test.each([
    ['dual-stack', [IpFamily.IPV4, IpFamily.IPV6], ['169.254.7.127/32', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128']],
    ['IPv6-first dual-stack', [IpFamily.IPV6, IpFamily.IPV4], ['169.254.7.127/32', 'fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128']],
    ['IPv6 single-stack', [IpFamily.IPV6], ['fd16:9254:7127:1337:ffff:ffff:ffff:ffff/128']],
  ])('%s: the probes of each of the cluster\'s families get in (istio-cni SNATs IPv6 probes to fd16:9254:7127:1337:ffff:ffff:ffff:ffff)', (_what, ipFamilies, cidrs) => {
    // Found by test/properties/tenant-mesh.property.test.ts: only the IPv4 address was opened, so
    // probes of IPv6 pods were dropped by the default deny.
    const chart = meshChart(cni(), mesh(), { ipFamilies });
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    deployment(chart, 'shop', 'api', { app: 'api' });
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-istio-kubelet-probes', 'shop').spec.ingress)
      .toEqual([{ from: cidrs.map((cidr) => ({ ipBlock: { cidr } })) }]);
    const reach = meshReachability(chart, cni());
    for (const cidr of cidrs) expect(reach).toAllow(Target.external(cidr.split('/')[0]), api, Port.tcp(8080));
    expect(reach).toDeny(Target.external('fd16:9254:7127:1337:ffff:ffff:ffff:fffe'), api, Port.tcp(8080));
  });

  // istio-cni's HOST_PROBE_SNAT_IP / HOST_PROBE_SNAT_IPV6 (chart value env) set other addresses: the mesh declares them.
  test.each<[string, IpFamily[], { hostProbeSnatIp?: string; hostProbeSnatIpv6?: string }, string[]]>([
    ['IPv4', [IpFamily.IPV4], { hostProbeSnatIp: '169.254.9.9' }, ['169.254.9.9/32']],
    ['dual-stack, both declared', [IpFamily.IPV4, IpFamily.IPV6], { hostProbeSnatIp: '169.254.9.9', hostProbeSnatIpv6: 'FD00::7' },
      ['169.254.9.9/32', 'fd00::7/128']],
    ['dual-stack, IPv6 only declared', [IpFamily.IPV4, IpFamily.IPV6], { hostProbeSnatIpv6: 'fd00::7' }, ['169.254.7.127/32', 'fd00::7/128']],
    ['IPv6 single-stack', [IpFamily.IPV6], { hostProbeSnatIp: '169.254.9.9', hostProbeSnatIpv6: 'fd00::7' }, ['fd00::7/128']],
  ])('declared probe addresses (%s) are the ones opened, and the defaults they replace are not', (_what, ipFamilies, addresses, cidrs) => {
    const chart = meshChart(cni(), Mesh.istio({ mode: IstioMode.AMBIENT, ...addresses }), { ipFamilies });
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    deployment(chart, 'shop', 'api', { app: 'api' });
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-istio-kubelet-probes', 'shop').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: cidrs.map((cidr) => ({ ipBlock: { cidr } })) }],
    });
    const reach = meshReachability(chart, cni());
    for (const cidr of cidrs) expect(reach).toAllow(Target.external(cidr.split('/')[0]), api, Port.tcp(8080));
    if (addresses.hostProbeSnatIp !== undefined && ipFamilies.includes(IpFamily.IPV4)) expect(reach).toDeny(Target.external('169.254.7.127'), api, Port.tcp(8080));
    if (addresses.hostProbeSnatIpv6 !== undefined) expect(reach).toDeny(Target.external('fd16:9254:7127:1337:ffff:ffff:ffff:ffff'), api, Port.tcp(8080));
  });

  test('fromChart takes the declared addresses from the ClusterNetwork: the mesh lets the declared one past ztunnel, not the default', () => {
    const chart = meshChart(cni(), Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '169.254.9.9' }));
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    deployment(chart, 'shop', 'api', { app: 'api' });
    synthValid(chart);
    const reach = Reachability.fromChart(chart, { cni: cni() });
    const declared = reach.check(Target.external('169.254.9.9'), api, Port.tcp(8080));
    expect([declared.verdict, declared.cniVerdict, declared.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    expect(declared.mesh!.reasons).toEqual(['169.254.9.9 is istio-cni\'s host probe address (HOST_PROBE_SNAT_IP, as the mesh declares it): istio-cni '
      + 'translates it to the host probe address and the pod\'s redirection rules accept TCP from that address before ztunnel, so no Istio policy applies']);
    const old = reach.check(Target.external('169.254.7.127'), api, Port.tcp(8080));
    expect([old.verdict, old.cniVerdict]).toEqual([Verdict.DENY, Verdict.DENY]);
    expect(old.mesh!.reasons.join('\n')).not.toContain('host probe address');
  });

  test('a declared probe address inside a pod or service CIDR is refused: every meshed port would open to whoever holds it', () => {
    expect(() => meshChart(cni(), Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '10.244.3.7' })))
      .toThrow('[test/cluster] mesh: the host probe address 10.244.3.7 (Mesh.istio hostProbeSnatIp) lies inside the pod CIDR 10.244.0.0/16: meshed '
        + 'namespaces admit it on every port, which would open them to whichever pod gets that address. Give istio-cni an address outside the '
        + 'cluster\'s pod, service and API server CIDRs (e.g. of 169.254.0.0/16)');
    expect(() => meshChart(cni(), Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIpv6: 'fd00:10:96::7' }), { ipFamilies: [IpFamily.IPV6] }))
      .toThrow('[test/cluster] mesh: the host probe address fd00:10:96::7 (Mesh.istio hostProbeSnatIpv6) lies inside the service CIDR');
  });

  test('a declared probe address inside an API server CIDR is refused: the blanket-allow check would call opening every port to the API server mesh-only', () => {
    expect(() => meshChart(cni(), Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '192.168.10.5' }), { apiServerCidrs: ['192.168.10.0/28'] }))
      .toThrow('[test/cluster] mesh: the host probe address 192.168.10.5 (Mesh.istio hostProbeSnatIp) lies inside the API server CIDR 192.168.10.0/28: '
        + 'meshed namespaces admit it on every port, which would open them to the API server. Give istio-cni an address outside the cluster\'s pod, '
        + 'service and API server CIDRs (e.g. of 169.254.0.0/16)');
    // Outside: accepted.
    expect(() => meshChart(cni(), Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: '192.168.10.50' }), { apiServerCidrs: ['192.168.10.0/28'] })).not.toThrow();
  });

  test('a metadata CIDR covering the whole link-local range still leaves the probe address reachable', () => {
    const chart = meshChart(cni(), mesh(), { metadataCidrs: ['169.254.0.0/16'] });
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    deployment(chart, 'shop', 'api', { app: 'api' });
    const reach = meshReachability(chart, cni());
    expect(reach).toAllow(Target.external('169.254.7.127'), api, Port.tcp(8080));
    expect(reach).toDeny(api, Target.external('169.254.7.127'), Port.tcp(8080));
    expect(reach).toDeny(api, Target.external('169.254.169.254'), Port.tcp(80));
  });
});

describe.each(ENFORCING_CNIS)('a namespace joining Linkerd on %s', (_name, cni) => {
  const mesh = () => Mesh.linkerd({ cni: true });

  test('is annotated (not labelled) linkerd.io/inject; destination 8086/8090 and identity 8080; 4143 along flows; 4191 from monitoring', () => {
    const { chart } = shop(cni(), mesh());
    const objects = synthValid(chart);
    expect(find(objects, 'Namespace', 'shop').metadata).toEqual({
      name: 'shop',
      annotations: { 'linkerd.io/inject': 'enabled' },
      labels: PSA_LABELS,
    });
    // One rule per control-plane component, each on the ports its pods serve (Linkerd 2.20 chart:
    // destination + policy controller in the `destination` pods, identity in the `identity` pods).
    const component = (name: string) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'linkerd' } },
      podSelector: { matchLabels: { 'linkerd.io/control-plane-component': name } },
    });
    expect(find(objects, 'NetworkPolicy', 'allow-linkerd-control-plane', 'shop').spec.egress).toEqual([
      { to: [component('destination')], ports: [{ protocol: 'TCP', port: 8086 }, { protocol: 'TCP', port: 8090 }] },
      { to: [component('identity')], ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'web-to-api-ingress', 'shop').spec.ingress[1])
      .toEqual({ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 4143 }] });
  });

  test('the analyzer: control plane, proxy port along flows only, admin port from monitoring only', () => {
    const { chart } = shop(cni(), mesh());
    const reach = meshReachability(chart, cni());
    const destination = Target.workload('linkerd', 'linkerd-destination');
    const identity = Target.workload('linkerd', 'linkerd-identity');
    // Any other pod of the control-plane namespace (proxy injector, viz, ...), on the control-plane ports.
    reach.addProbe('linkerd-proxy-injector', 'linkerd', { 'linkerd.io/control-plane-component': 'proxy-injector' }, { ports: [Port.tcp(8443)] });
    const injector = Target.workload('linkerd', 'linkerd-proxy-injector');
    for (const pod of [web, api]) {
      expect(reach).toAllow(pod, destination, Port.tcp(8086));
      expect(reach).toAllow(pod, destination, Port.tcp(8090));
      expect(reach).toAllow(pod, identity, Port.tcp(8080));
      // Each component on its own ports only.
      expect(reach).toDeny(pod, identity, Port.tcp(8086));
      expect(reach).toDeny(pod, identity, Port.tcp(8090));
      expect(reach).toDeny(pod, destination, Port.tcp(8080));
      expect(reach).toDeny(pod, destination, Port.tcp(8443));
      for (const port of [8080, 8086, 8090, 8443]) expect(reach).toDeny(pod, injector, Port.tcp(port));
      expect(reach).toAllow(prometheus, pod, Port.tcp(4191));
      expect(reach).toDeny(prometheus, pod, Port.tcp(4143));
    }
    expect(reach).toAllow(web, api, Port.tcp(4143));
    expect(reach).toDeny(api, web, Port.tcp(4143));
  });

  test('default inbound policy annotation', () => {
    const chart = meshChart(cni(), mesh());
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.ALL_AUTHENTICATED } });
    expect(find(synthValid(chart), 'Namespace', 'shop').metadata.annotations).toEqual({
      'config.linkerd.io/default-inbound-policy': 'all-authenticated',
      'linkerd.io/inject': 'enabled',
    });
  });
});

describe('transport twins', () => {
  test('only for allows between pods with explicit ports: not for DNS, CIDRs, deny rules or all-port rules', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {} });
    ns.allowEgress('to-partner', { app: 'api' }, [Peer.cidr('203.0.113.0/24'), Peer.pods({ app: 'db' })], [Port.tcp(443)]);
    ns.allowIngress('all-ports', { app: 'api' }, [Peer.pods({ app: 'web' })]);
    const objects = synthValid(chart);
    expect(find(objects, 'NetworkPolicy', 'to-partner', 'shop').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }, { podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ protocol: 'TCP', port: 4143 }] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'all-ports', 'shop').spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }]);
    expect(find(objects, 'NetworkPolicy', 'allow-dns', 'shop').spec.egress).toHaveLength(1);
  });

  // Upstream: meshed traffic travels on the transport port, which is all the CNI sees (istio.io
  // "Ambient and Kubernetes NetworkPolicy"; linkerd.io "Network Policy"), so the twin of a port-specific
  // allow admits the source to every port of the destination. Found by analysing a meshed namespace
  // with its mesh (the CNI-only analysis says denied); only the mesh can restrict the port.
  test.each([
    ['Istio ambient', () => Mesh.istio({ mode: IstioMode.AMBIENT })],
    ['Linkerd', () => Mesh.linkerd({ cni: true })],
  ])('%s: a port-specific allow between meshed pods admits meshed traffic to every port, unless the mesh restricts the ports', (meshName, mesh) => {
    const analyse = (restrict: boolean) => {
      const chart = meshChart(Cni.calico(), mesh());
      const ns = new ZeroTrustNamespace(chart, 'shop', {
        name: 'shop', mesh: restrict && meshName === 'Linkerd' ? { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } : {},
      });
      ns.allowFlow('web-to-api', { app: 'web' }, { app: 'api' }, [Port.tcp(8080)]);
      deployment(chart, 'shop', 'web', { app: 'web' }, 8080, 'web');
      deployment(chart, 'shop', 'api', { app: 'api' }, 8080, 'api');
      if (restrict) {
        if (meshName !== 'Linkerd') new IstioMtls(chart, 'mtls');
        new MeshAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('web-to-api', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] });
      }
      synthValid(chart);
      const reach = Reachability.fromChart(chart, { cni: Cni.calico() });
      reach.addProbe('api-admin', 'shop', { app: 'api' }, { serviceAccount: 'api', ports: [Port.tcp(8080), Port.tcp(9090)] });
      return { reach, cniOnly: Reachability.fromChart(chart, { cni: Cni.calico(), mesh: Mesh.none() }) };
    };
    const admin = Target.workload('shop', 'api-admin');
    const open = analyse(false);
    const result = open.reach.check(web, admin, Port.tcp(9090));
    expect([result.verdict, result.cniVerdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.pairs[0].cniPort).toBe(meshName === 'Linkerd' ? 'TCP/4143' : 'TCP/15008');
    open.cniOnly.addProbe('api-admin', 'shop', { app: 'api' }, { ports: [Port.tcp(8080), Port.tcp(9090)] });
    expect(open.cniOnly.check(web, admin, Port.tcp(9090)).verdict).toBe(Verdict.DENY);
    // MeshAuthorization names the port (and Linkerd's other ports fall to the deny default policy).
    const restricted = analyse(true).reach;
    expect([restricted.check(web, admin, Port.tcp(9090)).verdict, restricted.check(web, admin, Port.tcp(8080)).verdict])
      .toEqual([Verdict.DENY, Verdict.ALLOW]);
  });
});

describe('mesh membership errors', () => {
  test.each([
    ['Istio sidecar without the CNI plugin under restricted', Mesh.istio({ mode: IstioMode.SIDECAR }), undefined,
      "[test/shop] mesh: Istio (sidecar) without its CNI plugin injects istio-init, which needs NET_ADMIN and NET_RAW; Pod Security 'restricted' "
      + 'rejects it, so no pod of the namespace could start. Install the Istio CNI plugin and declare Mesh.istio({ ..., cni: true }) (recommended), '
      + 'or set podSecurity: PodSecurityLevel.PRIVILEGED'],
    ['Istio sidecar without the CNI plugin under baseline', Mesh.istio({ mode: IstioMode.SIDECAR }), PodSecurityLevel.BASELINE,
      "Pod Security 'baseline' rejects it"],
    ['Linkerd without linkerd-cni under restricted', Mesh.linkerd(), undefined,
      'Linkerd without its CNI plugin injects linkerd-init, which needs NET_ADMIN and NET_RAW'],
    ['a mesh option on a cluster without a mesh', Mesh.none(), undefined,
      '[test/shop] mesh: the ClusterNetwork declares no service mesh (Mesh.none()): declare ClusterNetwork mesh: Mesh.istio({ mode }) or Mesh.linkerd(), or remove mesh'],
  ])('%s', (_what, mesh, podSecurity, message) => {
    const chart = meshChart(Cni.calico(), mesh);
    expect(() => new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {}, podSecurity })).toThrow(message);
  });

  test('sidecars without the CNI plugin are accepted where Pod Security is privileged', () => {
    const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR }));
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: {}, podSecurity: PodSecurityLevel.PRIVILEGED });
    expect(find(synthValid(chart), 'Namespace', 'shop').metadata.labels['istio-injection']).toBe('enabled');
  });

  test.each(['istio-injection', 'istio.io/rev', 'istio.io/dataplane-mode'])('the mesh label %s by hand is refused', (key) => {
    const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
    expect(() => new ZeroTrustNamespace(chart, 'shop', { name: 'shop', labels: { [key]: 'enabled' } }))
      .toThrow(`[test/shop] labels.${key}: mesh labels are set by mesh membership, never by hand: join the mesh with \`mesh: {}\``);
  });

  test('Linkerd: a namespace its proxy injector\'s webhook never sees (linkerd-control-plane values.yaml proxyInjector.namespaceSelector: '
    + 'cert-manager, the label config.linkerd.io/admission-webhooks=disabled) cannot join: its pods would get no proxy', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    expect(() => new ZeroTrustNamespace(chart, 'certs', { name: 'cert-manager', mesh: {} }))
      .toThrow('[test/certs] mesh: Linkerd\'s proxy injector never sees namespace cert-manager (its webhook\'s namespaceSelector leaves it out), '
        + 'so no pod of the namespace would get a proxy. Run the workloads in another namespace to mesh them, or remove mesh');
    expect(() => new ZeroTrustNamespace(chart, 'shop', { name: 'shop', labels: { 'config.linkerd.io/admission-webhooks': 'disabled' }, mesh: {} }))
      .toThrow('[test/shop] labels.config.linkerd.io/admission-webhooks: Linkerd\'s proxy injector never sees namespace label '
        + 'config.linkerd.io/admission-webhooks=disabled (its webhook\'s namespaceSelector leaves it out), so no pod of the namespace would get '
        + 'a proxy. Remove the label to join the mesh, or remove mesh');
    // Unmeshed there, or meshed with the webhook on: accepted (the analyzer agrees: kube-system and such namespaces are not in the mesh).
    new ZeroTrustNamespace(chart, 'certs-plain', { name: 'cert-manager' });
    new ZeroTrustNamespace(chart, 'web', { name: 'web', labels: { 'config.linkerd.io/admission-webhooks': 'enabled' }, mesh: {} });
    expect(find(synthValid(chart), 'Namespace', 'web').metadata.annotations).toEqual({ 'linkerd.io/inject': 'enabled' });
  });

  test('a Linkerd option under Istio', () => {
    const chart = meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.AMBIENT }));
    expect(() => new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } }))
      .toThrow('[test/shop] mesh.linkerdDefaultInboundPolicy: only applies to Linkerd; the ClusterNetwork mesh is Istio (ambient)');
  });

  test('an unknown inbound policy from a jsii caller', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    expect(() => new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: { linkerdDefaultInboundPolicy: 'allow-all' as LinkerdInboundPolicy } }))
      .toThrow("[test/shop] mesh.linkerdDefaultInboundPolicy: 'allow-all' is not a Linkerd inbound policy");
  });

  test('the mesh control-plane namespace cannot be a zero-trust namespace', () => {
    const chart = meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));
    expect(() => new ZeroTrustNamespace(chart, 'linkerd', { name: 'linkerd' }))
      .toThrow("[test/linkerd] name: 'linkerd' runs the Linkerd control plane (ClusterNetwork mesh), which every workload relies on");
  });
});

describe('fromApp with declared host probe addresses', () => {
  /** An app of two charts, each with a ClusterNetwork declaring Istio ambient with `probe` as HOST_PROBE_SNAT_IP. */
  function app(first: string | undefined, second: string | undefined) {
    const a = Testing.app();
    for (const [id, probe] of [['one', first], ['two', second]] as const) {
      const chart = new Chart(a, id);
      new ClusterNetwork(chart, 'cluster', { cni: Cni.kubernetes(), mesh: Mesh.istio({ mode: IstioMode.AMBIENT, hostProbeSnatIp: probe }) });
      new ZeroTrustNamespace(chart, 'ns', { name: `shop-${id}`, mesh: {} });
      deployment(chart, `shop-${id}`, 'api', { app: 'api' });
      synthValid(chart);
    }
    return a;
  }

  test('the ClusterNetworks agree: the analysis uses their address', () => {
    const result = Reachability.fromApp(app('169.254.9.9', '169.254.9.9'), { cni: Cni.kubernetes() })
      .check(Target.external('169.254.9.9'), Target.workload('shop-two', 'api'), Port.tcp(8080));
    expect([result.verdict, result.meshVerdict]).toEqual([Verdict.ALLOW, Verdict.ALLOW]);
    expect(result.mesh!.reasons[0]).toMatch(/^169\.254\.9\.9 is istio-cni's host probe address \(HOST_PROBE_SNAT_IP, as the mesh declares it\)/);
  });

  test.each([[undefined, '169.254.7.127'], ['169.254.7.127', undefined]])(
    'one leaves istio-cni\'s default, the other declares it (%s, %s): declared, whatever the order', (first, second) => {
      const result = Reachability.fromApp(app(first, second), { cni: Cni.kubernetes() })
        .check(Target.external('169.254.7.127'), Target.workload('shop-two', 'api'), Port.tcp(8080));
      expect(result.mesh!.reasons[0]).toMatch(/^169\.254\.7\.127 is istio-cni's host probe address \(HOST_PROBE_SNAT_IP, as the mesh declares it\)/);
    });

  test('they disagree: an error, as for any other difference of the mesh', () => {
    expect(() => Reachability.fromApp(app('169.254.9.9', '169.254.9.10'), { cni: Cni.kubernetes() }))
      .toThrow('[Reachability.fromApp] options.mesh: the ClusterNetworks of this app declare different meshes; pass ReachabilityOptions.mesh');
  });
});
