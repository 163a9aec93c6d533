/**
 * Red-team audit of the cluster, CNI install, DNS and delivery entry points: plain-JavaScript callers
 * (and TypeScript ones passing a variable, which gets no excess-property check) misspell optional
 * fields. A misspelt field used to read as omitted, a silently different install (`wireGuard` for
 * `wireguard`: no encryption; `hubbel`: Hubble with its defaults; `metadataCidr`: no extra metadata
 * deny). Every struct a caller passes now refuses a field it does not declare, naming the construct
 * path (or the factory) and the field. The free-form escape hatches (`extraValues`,
 * `installationOverrides`) are not key-checked here: the chart's keys and the CRD check them.
 */
import { App, Chart, Testing } from 'cdk8s';
import {
  CalicoCrdMode, CalicoDataplane, CalicoEncapsulation, CalicoInstallation, CalicoKubernetesProvider, CalicoNodeAddressAutodetection,
  CiliumEncryption, CiliumInstall, CiliumIpamMode, CiliumPolicyEnforcementMode, CiliumRouting, ClusterNetwork, Cni, Delivery,
  HubbleTlsMethod, IpFamily, IstioMode, KubeProxyMode, Mesh, NodeLocalDNS,
} from '../../src';
import { find, synthAppValid, synthValid } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

const any = (x: unknown) => x as any;
const SUFFIX = 'a misspelt field would be silently ignored';
const KPR = { k8sServiceHost: '10.0.0.1', k8sServicePort: 6443 };
const NO_CAPS = {
  enforcesNetworkPolicy: false,
  deny: false,
  ordering: false,
  clusterWide: false,
  l7: false,
  fqdn: false,
  entities: false,
  clusterNetworkPolicy: false,
};

/** The declared fields of each struct, as the error lists them (in declaration order). */
const KNOWN = {
  clusterNetwork: 'cni, podCidrs, serviceCidrs, ipFamilies, dns, kubeProxyMode, nodeLocalDns, nodeLocalDnsIp, ingressController, monitoring, '
    + 'metadataCidrs, apiServerCidrs, mesh, gateway',
  dns: 'namespace, podLabels, serviceIp',
  pods: 'namespace, podLabels',
  kubernetes: 'clusterNetworkPolicy',
  calico: 'guardrailTier, guardrailTierOrder, nativeV3Crds',
  cilium: 'kubeProxyReplacement',
  flannel: 'acknowledgeUnenforcedPolicies',
  custom: 'acknowledgeUnenforcedPolicies',
  capabilities: 'enforcesNetworkPolicy, deny, ordering, clusterWide, l7, fqdn, entities, clusterNetworkPolicy',
  istio: 'mode, revision, rootNamespace, controlPlaneNamespace, istiodLabels, cni, trustDomain, hostProbeSnatIp, hostProbeSnatIpv6',
  linkerd: 'cni, controlPlaneNamespace, trustDomain, clusterNetworks',
  calicoInstallation: 'delivery, version, chartRepository, crdMode, kubernetesVersion, ipPools, bgp, bgpConfiguration, dataplane, '
    + 'kubernetesServiceEndpoint, operatorManagesKubeProxy, nodeAddressAutodetectionV4, nodeAddressAutodetectionV6, mtu, nodeNetworkMtu, wireguard, goldmane, '
    + 'whisker, kubernetesProvider, registry, installationOverrides',
  ipPool: 'cidr, name, blockSize, encapsulation, natOutgoing, nodeSelector',
  bgp: 'asNumber, nodeToNodeMesh, advertiseServiceCidrs',
  endpoint: 'host, port',
  ciliumInstall: 'delivery, version, chartRepository, kubeProxyReplacement, k8sServiceHost, k8sServicePort, routing, ipam, encryption, hubble, '
    + 'bandwidthManager, bbr, bpfMasquerade, localRedirectPolicies, gatewayApi, clusterName, clusterId, maxConnectedClusters, '
    + 'policyEnforcementMode, l2Announcements, k8sClientRateLimit, egressGateway, loadBalancerIpPools, l2AnnouncementPolicies, '
    + 'egressGatewayPolicies, extraValues',
  ipam: 'mode, ipv4MaskSize, ipv6MaskSize',
  hubble: 'enabled, relay, ui, metrics, tlsMethod, certManagerIssuer',
  issuer: 'name, kind, group',
  rateLimit: 'qps, burst',
  nativeRouting: 'ipv4NativeRoutingCidr, ipv6NativeRoutingCidr, autoDirectNodeRoutes',
  wireguard: 'nodeEncryption, strictEgressCidr, allowRemoteNodeIdentities, strictIngress, acknowledgeUnprotectedIpv6',
  ipsec: 'secretName',
  lbPool: 'name, cidrs, serviceSelector',
  l2Policy: 'name, interfaces, serviceSelector, nodeSelector, loadBalancerIps, externalIps',
  egressPolicy: 'name, namespace, podSelector, destinationCidrs, excludedCidrs, gatewayNodeSelector, egressIp',
  nodeLocalDns: 'localIp, kubeDnsIp, kubeProxyMode, clusterDomain, image, resources',
  resources: 'cpuRequest, memoryRequest, memoryLimit',
  flux: 'namespace, interval, remediationRetries',
  argoCd: 'namespace, project, destinationServer, automated, retryLimit',
};

const unknown = (site: string, prop: string, known: string) => `[${site}] ${prop}: unknown field (expected one of ${known}); ${SUFFIX}`;

/** A fresh chart `p` in its own app with a ClusterNetwork `net`. */
function platform(cni: Cni, cluster: object = {}): Chart {
  const chart = new Chart(Testing.app(), 'p');
  new ClusterNetwork(chart, 'net', { cni, ...cluster });
  return chart;
}
const calicoInstall = (props: object, cluster: object = {}) => () => new CalicoInstallation(platform(Cni.calico(), cluster), 'calico', any(props));
const ciliumInstall = (props: object) => () => new CiliumInstall(platform(Cni.cilium()), 'cilium', any({ ...KPR, ...props }));
const BPF = { kubeProxyMode: KubeProxyMode.REPLACED };

describe('a field the struct does not declare is an error naming it, never ignored', () => {
  test.each([
    // src/cluster
    ['ClusterNetwork `metadataCidr` (was: no extra metadata deny)', () => new ClusterNetwork(new Chart(new App(), 'p'), 'net',
      any({ cni: Cni.calico(), metadataCidr: ['192.0.2.10/32'] })), 'p/net', 'metadataCidr', KNOWN.clusterNetwork],
    ['ClusterNetwork dns `podLabel` (was: the default CoreDNS labels)', () => new ClusterNetwork(new Chart(new App(), 'p'), 'net',
      any({ cni: Cni.calico(), dns: { podLabel: { app: 'dns' } } })), 'p/net', 'dns.podLabel', KNOWN.dns],
    ['ClusterNetwork monitoring `podSelector` (was: the whole monitoring namespace)', () => new ClusterNetwork(new Chart(new App(), 'p'), 'net',
      any({ cni: Cni.calico(), monitoring: { namespace: 'monitoring', podSelector: { app: 'prometheus' } } })), 'p/net', 'monitoring.podSelector', KNOWN.pods],
    ['ClusterNetwork gateway `labels`', () => new ClusterNetwork(new Chart(new App(), 'p'), 'net',
      any({ cni: Cni.calico(), gateway: { namespace: 'gw', labels: { app: 'envoy' } } })), 'p/net', 'gateway.labels', KNOWN.pods],
    ['Cni.kubernetes `clusterNetworkPolicies`', () => Cni.kubernetes(any({ clusterNetworkPolicies: true })), 'Cni.kubernetes', 'options.clusterNetworkPolicies', KNOWN.kubernetes],
    ['Cni.calico `guardrailsTier` (was: the default tier)', () => Cni.calico(any({ guardrailsTier: 'guards' })), 'Cni.calico', 'options.guardrailsTier', KNOWN.calico],
    ['Cni.cilium `kubeProxyReplacment` (was: replacement on)', () => Cni.cilium(any({ kubeProxyReplacment: false })), 'Cni.cilium', 'options.kubeProxyReplacment', KNOWN.cilium],
    ['Cni.flannel `acknowledgeUnenforced`', () => Cni.flannel(any({ acknowledgeUnenforced: true })), 'Cni.flannel', 'options.acknowledgeUnenforced', KNOWN.flannel],
    ['Cni.custom options', () => Cni.custom('x', NO_CAPS, any({ acknowledge: true })), 'Cni.custom', 'options.acknowledge', KNOWN.custom],
    ['Cni.custom capabilities', () => Cni.custom('x', any({ ...NO_CAPS, fqdnPolicy: true })), 'Cni.custom', 'capabilities.fqdnPolicy', KNOWN.capabilities],
    ['Mesh.istio `trustDomian`', () => Mesh.istio(any({ mode: IstioMode.SIDECAR, trustDomian: 'corp.example' })), 'Mesh.istio', 'options.trustDomian', KNOWN.istio],
    ['Mesh.linkerd `namespace`', () => Mesh.linkerd(any({ namespace: 'linkerd-cp' })), 'Mesh.linkerd', 'options.namespace', KNOWN.linkerd],
    // src/cni/calico
    ['CalicoInstallation `wireGuard` (was: no encryption)', calicoInstall({ wireGuard: true }), 'p/calico', 'wireGuard', KNOWN.calicoInstallation],
    ['CalicoInstallation ipPools[0] `natOutGoing`', calicoInstall({ ipPools: [{ cidr: '10.244.0.0/16', natOutGoing: false }] }),
      'p/calico', 'ipPools[0].natOutGoing', KNOWN.ipPool],
    ['CalicoInstallation bgpConfiguration `asn`', calicoInstall({ bgp: true, bgpConfiguration: { asn: 65010 } }), 'p/calico', 'bgpConfiguration.asn', KNOWN.bgp],
    ['CalicoInstallation kubernetesServiceEndpoint `address`', calicoInstall({
      dataplane: CalicoDataplane.BPF,
      nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.firstFound(),
      kubernetesServiceEndpoint: { host: '10.0.0.10', address: '10.0.0.11' },
    }, BPF), 'p/calico', 'kubernetesServiceEndpoint.address', KNOWN.endpoint],
    // src/cni/cilium
    ['CiliumInstall `hubbel` (was: Hubble with its defaults)', ciliumInstall({ hubbel: { enabled: false } }), 'p/cilium', 'hubbel', KNOWN.ciliumInstall],
    ['CiliumInstall ipam `maskSize`', ciliumInstall({ ipam: { maskSize: 25 } }), 'p/cilium', 'ipam.maskSize', KNOWN.ipam],
    ['CiliumInstall hubble `UI`', ciliumInstall({ hubble: { UI: true } }), 'p/cilium', 'hubble.UI', KNOWN.hubble],
    ['CiliumInstall hubble.certManagerIssuer `issuerKind`', ciliumInstall({
      hubble: { tlsMethod: HubbleTlsMethod.CERT_MANAGER, certManagerIssuer: { name: 'ca', issuerKind: 'Issuer' } },
    }), 'p/cilium', 'hubble.certManagerIssuer.issuerKind', KNOWN.issuer],
    ['CiliumInstall k8sClientRateLimit `qpss`', ciliumInstall({ k8sClientRateLimit: { qps: 50, burst: 100, qpss: 60 } }),
      'p/cilium', 'k8sClientRateLimit.qpss', KNOWN.rateLimit],
    ['CiliumInstall loadBalancerIpPools[0] `selector`', ciliumInstall({ loadBalancerIpPools: [{ name: 'a', cidrs: ['192.0.2.0/24'], selector: { x: 'y' } }] }),
      'p/cilium', 'loadBalancerIpPools[0].selector', KNOWN.lbPool],
    ['CiliumInstall l2AnnouncementPolicies[0] `interface`', ciliumInstall({
      l2Announcements: true, k8sClientRateLimit: { qps: 50, burst: 100 }, l2AnnouncementPolicies: [{ name: 'lan', interface: ['eth0'] }],
    }), 'p/cilium', 'l2AnnouncementPolicies[0].interface', KNOWN.l2Policy],
    ['CiliumInstall egressGatewayPolicies[0] `excludeCidrs` (was: no exclusion)', ciliumInstall({
      egressGateway: true,
      bpfMasquerade: true,
      egressGatewayPolicies: [{
        name: 'db', namespace: 'a', destinationCidrs: ['203.0.113.0/24'], gatewayNodeSelector: { egress: 'true' }, excludeCidrs: ['203.0.113.7/32'],
      }],
    }), 'p/cilium', 'egressGatewayPolicies[0].excludeCidrs', KNOWN.egressPolicy],
    // src/dns
    ['NodeLocalDNS `memoryLimit` at the top (was: no limit)', () => new NodeLocalDNS(platform(Cni.calico(), { nodeLocalDns: true }), 'dns',
      any({ memoryLimit: '64Mi' })), 'p/dns', 'memoryLimit', KNOWN.nodeLocalDns],
    ['NodeLocalDNS resources `cpuLimit`', () => new NodeLocalDNS(platform(Cni.calico(), { nodeLocalDns: true }), 'dns',
      any({ resources: { cpuLimit: '100m' } })), 'p/dns', 'resources.cpuLimit', KNOWN.resources],
  ])('%s', (_what, build, site, prop, known) => {
    expect(validationErrorOf(build).message).toBe(unknown(site, prop, known));
  });

  test.each([
    ['CiliumRouting.native `nativeRoutingCidr`', () => CiliumRouting.native(any({ nativeRoutingCidr: '10.244.0.0/16' })), 'CiliumRouting.native', KNOWN.nativeRouting],
    ['CiliumEncryption.wireguard `strictEgress` (was: no strict mode)', () => CiliumEncryption.wireguard(any({ strictEgress: '10.244.0.0/16' })),
      'CiliumEncryption.wireguard', KNOWN.wireguard],
    ['CiliumEncryption.ipsec `secret`', () => CiliumEncryption.ipsec(any({ secret: 'keys' })), 'CiliumEncryption.ipsec', KNOWN.ipsec],
    ['Delivery.flux `retries`', () => Delivery.flux(any({ retries: 5 })), 'Delivery.flux', KNOWN.flux],
    ['Delivery.argoCd `autoSync` (was: automated sync)', () => Delivery.argoCd(any({ autoSync: false })), 'Delivery.argoCd', KNOWN.argoCd],
  ])('%s', (_what, build, site, known) => {
    const field = /`(\w+)`/.exec(_what)![1];
    expect(validationErrorOf(build).message).toBe(unknown(site, `options.${field}`, known));
  });

  test('an empty key is still named (as \'\')', () => {
    expect(validationErrorOf(() => Delivery.flux(any({ '': 1 }))).message).toBe(unknown('Delivery.flux', "options.''", KNOWN.flux));
    expect(validationErrorOf(calicoInstall({ '': true })).message).toBe(unknown('p/calico', "''", KNOWN.calicoInstallation));
  });

  test('a null dns.podLabels is an error, never the default CoreDNS labels', () => {
    expect(validationErrorOf(() => new ClusterNetwork(new Chart(new App(), 'p'), 'net', any({ cni: Cni.calico(), dns: { podLabels: null } }))).message)
      .toBe('[p/net] dns.podLabels: must be a map of strings to strings, got null');
  });

  test('the escape hatches are not key-checked as structs: extraValues and installationOverrides take the chart\'s and the CRD\'s keys', () => {
    const cilium = ciliumInstall({ extraValues: { MTU: 1450 } })();
    expect(cilium.values.MTU).toBe(1450);
    expect(() => ciliumInstall({ extraValues: { hubbel: { enabled: false } } })()).toThrow(/\[p\/cilium\] extraValues\.hubbel: /);
    expect(() => ciliumInstall({ extraValues: { hubbel: { enabled: false } } })()).not.toThrow(/unknown field \(expected one of/);
    const calico = calicoInstall({ installationOverrides: { controlPlaneReplicas: 3 } })();
    expect(calico.installationSpec.controlPlaneReplicas).toBe(3);
  });
});

/** The keys of `value`, as the error lists would (to prove an "every field" case gives every field). */
const keysOf = (value: object) => Object.keys(value).sort();
const listed = (known: string) => known.split(', ').sort();

describe('every declared field is still accepted', () => {
  test('ClusterNetwork, its dns and pods structs, and NodeLocalDNS with its resources: every field, synthesized and valid', () => {
    const dns = { namespace: 'kube-system', podLabels: { 'k8s-app': 'coredns' }, serviceIp: '10.96.0.10' };
    const ingressController = { namespace: 'ingress', podLabels: { app: 'nginx' } };
    const props = {
      cni: Cni.calico(),
      podCidrs: ['10.244.0.0/16'],
      serviceCidrs: ['10.96.0.0/12'],
      ipFamilies: [IpFamily.IPV4],
      dns,
      kubeProxyMode: KubeProxyMode.IPVS,
      nodeLocalDns: true,
      nodeLocalDnsIp: '169.254.20.11',
      ingressController,
      monitoring: { namespace: 'monitoring', podLabels: { app: 'prometheus' } },
      metadataCidrs: ['192.0.2.10/32'],
      apiServerCidrs: ['198.51.100.10/32'],
      mesh: Mesh.linkerd(),
      gateway: { namespace: 'gateways', podLabels: { app: 'envoy' } },
    };
    expect(keysOf(props)).toEqual(listed(KNOWN.clusterNetwork));
    expect(keysOf(dns)).toEqual(listed(KNOWN.dns));
    expect(keysOf(ingressController)).toEqual(listed(KNOWN.pods));
    const chart = Testing.chart();
    const net = new ClusterNetwork(chart, 'net', props);
    expect(net.dnsPodLabels).toEqual({ 'k8s-app': 'coredns' });
    expect(net.ingressController).toEqual({ namespace: 'ingress', podLabels: { app: 'nginx' } });
    expect(net.gateway).toEqual({ namespace: 'gateways', podLabels: { app: 'envoy' } });
    expect(net.metadataCidrs).toContain('192.0.2.10/32');
    expect(net.apiServerCidrs).toEqual(['198.51.100.10/32']);
    expect(net.nodeLocalDnsIp).toBe('169.254.20.11');
    expect(net.kubeProxyMode).toBe(KubeProxyMode.IPVS);

    const resources = { cpuRequest: '50m', memoryRequest: '10Mi', memoryLimit: '64Mi' };
    const dnsProps = {
      localIp: '169.254.20.11',
      kubeDnsIp: '10.96.0.10',
      kubeProxyMode: KubeProxyMode.IPVS,
      clusterDomain: 'cluster.example',
      image: 'registry.example.com/k8s-dns-node-cache:1.26.4',
      resources,
    };
    expect(keysOf(dnsProps)).toEqual(listed(KNOWN.nodeLocalDns));
    expect(keysOf(resources)).toEqual(listed(KNOWN.resources));
    new NodeLocalDNS(chart, 'dns', dnsProps);
    const container = find(synthValid(chart), 'DaemonSet', 'node-local-dns', 'kube-system').spec.template.spec.containers[0];
    expect(container.image).toBe('registry.example.com/k8s-dns-node-cache:1.26.4');
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '10Mi' }, limits: { memory: '64Mi' } });
  });

  test('the Cni and Mesh factories with every option', () => {
    const calico = { guardrailTier: 'guards', guardrailTierOrder: 50, nativeV3Crds: true };
    expect(keysOf(calico)).toEqual(listed(KNOWN.calico));
    expect(Cni.calico(calico)).toMatchObject({ calicoGuardrailTier: 'guards', calicoGuardrailTierOrder: 50, calicoNativeV3Crds: true });
    expect(Cni.kubernetes({ clusterNetworkPolicy: true }).capabilities.clusterNetworkPolicy).toBe(true);
    expect(Cni.cilium({ kubeProxyReplacement: false }).kubeProxyReplacement).toBe(false);
    expect(Cni.flannel({ acknowledgeUnenforcedPolicies: true }).acknowledgeUnenforcedPolicies).toBe(true);
    expect(Cni.custom('x', NO_CAPS, { acknowledgeUnenforcedPolicies: true }).acknowledgeUnenforcedPolicies).toBe(true);
    expect(keysOf(NO_CAPS)).toEqual(listed(KNOWN.capabilities));

    // Ambient: the host probe addresses apply to it only.
    const istio = {
      mode: IstioMode.AMBIENT,
      revision: 'canary',
      rootNamespace: 'istio-root',
      controlPlaneNamespace: 'istio-cp',
      istiodLabels: { app: 'istiod-canary' },
      cni: true,
      trustDomain: 'corp.example',
      hostProbeSnatIp: '169.254.9.9',
      hostProbeSnatIpv6: 'fd00::7',
    };
    expect(keysOf(istio)).toEqual(listed(KNOWN.istio));
    expect(Mesh.istio(istio)).toMatchObject({
      revision: 'canary',
      rootNamespace: 'istio-root',
      controlPlaneNamespace: 'istio-cp',
      controlPlanePodLabels: { app: 'istiod-canary' },
      cniPlugin: true,
      trustDomain: 'corp.example',
      hostProbeSnatIp: '169.254.9.9',
      hostProbeSnatIpv6: 'fd00::7',
    });
    const linkerd = { cni: true, controlPlaneNamespace: 'linkerd-cp', trustDomain: 'corp.example', clusterNetworks: ['10.20.0.0/16'] };
    expect(keysOf(linkerd)).toEqual(listed(KNOWN.linkerd));
    expect(Mesh.linkerd(linkerd)).toMatchObject({ cniPlugin: true, controlPlaneNamespace: 'linkerd-cp', trustDomain: 'corp.example', clusterNetworks: ['10.20.0.0/16'] });
  });

  test('CalicoInstallation with every prop and every field of its structs (two installs: the endpoint ConfigMap and operator-managed kube-proxy exclude each other)', () => {
    const v4Pool = { cidr: '10.244.0.0/16', name: 'pods-v4', blockSize: 27, encapsulation: CalicoEncapsulation.NONE, natOutgoing: false, nodeSelector: 'all()' };
    const bgpConfiguration = { asNumber: 65010, nodeToNodeMesh: false, advertiseServiceCidrs: true };
    const kubernetesServiceEndpoint = { host: '10.0.0.10', port: 443 };
    const common = {
      delivery: Delivery.flux(),
      version: 'v3.32.1',
      chartRepository: 'https://docs.tigera.io/calico/charts',
      crdMode: CalicoCrdMode.NATIVE_V3,
      kubernetesVersion: '1.34',
      ipPools: [v4Pool, { cidr: 'fd00:10:244::/56' }],
      bgp: true,
      bgpConfiguration,
      dataplane: CalicoDataplane.BPF,
      nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.firstFound(),
      nodeAddressAutodetectionV6: CalicoNodeAddressAutodetection.firstFound(),
      mtu: 1420,
      nodeNetworkMtu: 1500,
      wireguard: true,
      goldmane: true,
      whisker: true,
      kubernetesProvider: CalicoKubernetesProvider.EKS,
      registry: 'registry.example.com/',
      installationOverrides: { controlPlaneReplicas: 3 },
    };
    const install = (extra: object) => {
      const app = Testing.app();
      const chart = new Chart(app, 'platform');
      new ClusterNetwork(chart, 'net', {
        cni: Cni.calico({ nativeV3Crds: true }), ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], kubeProxyMode: KubeProxyMode.REPLACED,
      });
      new CalicoInstallation(chart, 'calico', { ...common, ...extra });
      app.synthYaml();
      return synthAppValid(app).all;
    };
    expect(keysOf({ ...common, kubernetesServiceEndpoint, operatorManagesKubeProxy: true })).toEqual(listed(KNOWN.calicoInstallation));
    expect(keysOf(v4Pool)).toEqual(listed(KNOWN.ipPool));
    expect(keysOf(bgpConfiguration)).toEqual(listed(KNOWN.bgp));
    expect(keysOf(kubernetesServiceEndpoint)).toEqual(listed(KNOWN.endpoint));

    const withEndpoint = install({ kubernetesServiceEndpoint });
    expect(find(withEndpoint, 'ConfigMap', 'kubernetes-services-endpoint', 'tigera-operator').data)
      .toEqual({ KUBERNETES_SERVICE_HOST: '10.0.0.10', KUBERNETES_SERVICE_PORT: '443' });
    const spec = find(withEndpoint, 'Installation', 'default').spec;
    expect(spec.calicoNetwork.ipPools[0]).toEqual({
      name: 'pods-v4', cidr: '10.244.0.0/16', blockSize: 27, encapsulation: 'None', natOutgoing: 'Disabled', nodeSelector: 'all()',
    });
    expect(spec).toMatchObject({ kubernetesProvider: 'EKS', registry: 'registry.example.com/', controlPlaneReplicas: 3 });
    expect(spec.calicoNetwork).toMatchObject({ bgp: 'Enabled', linuxDataplane: 'BPF', mtu: 1420 });
    expect(find(withEndpoint, 'BGPConfiguration', 'default').spec).toEqual({
      asNumber: 65010, nodeToNodeMeshEnabled: false, serviceClusterIPs: expect.arrayContaining([{ cidr: '10.96.0.0/12' }]),
    });
    expect(find(withEndpoint, 'FelixConfiguration', 'default').spec).toEqual({ wireguardEnabled: true, wireguardEnabledV6: true });
    expect(withEndpoint.filter((o) => o.kind === 'Goldmane' || o.kind === 'Whisker').map((o) => o.kind)).toEqual(['Goldmane', 'Whisker']);

    const managed = find(install({ operatorManagesKubeProxy: true }), 'Installation', 'default').spec.calicoNetwork;
    expect(managed).toMatchObject({ bpfNetworkBootstrap: 'Enabled', kubeProxyManagement: 'Enabled' });
  });

  test('CiliumInstall with every prop and every field of its structs and factories, synthesized and valid', () => {
    const ipam = { mode: CiliumIpamMode.CLUSTER_POOL, ipv4MaskSize: 25, ipv6MaskSize: 112 };
    const certManagerIssuer = { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' };
    const hubble = { enabled: true, relay: true, ui: true, metrics: ['drop'], tlsMethod: HubbleTlsMethod.CERT_MANAGER, certManagerIssuer };
    const k8sClientRateLimit = { qps: 50, burst: 100 };
    const native = { ipv4NativeRoutingCidr: '10.244.0.0/16', ipv6NativeRoutingCidr: 'fd00:10:244::/56', autoDirectNodeRoutes: true };
    const wireguard = { nodeEncryption: true, strictEgressCidr: '10.244.0.0/16', allowRemoteNodeIdentities: true, strictIngress: true, acknowledgeUnprotectedIpv6: true };
    const lbPool = { name: 'public', cidrs: ['192.0.2.0/24'], serviceSelector: { expose: 'public' } };
    const l2Policy = {
      name: 'lan', interfaces: ['^eth[0-9]+'], serviceSelector: { expose: 'public' }, nodeSelector: { lan: 'true' }, loadBalancerIps: true, externalIps: true,
    };
    const egressPolicy = {
      name: 'db',
      namespace: 'billing',
      podSelector: { app: 'api' },
      destinationCidrs: ['203.0.113.0/24'],
      excludedCidrs: ['203.0.113.7/32'],
      gatewayNodeSelector: { egress: 'true' },
      egressIp: '198.51.100.7',
    };
    const props = {
      delivery: Delivery.flux(),
      version: '1.20.0',
      chartRepository: 'https://helm.cilium.io',
      kubeProxyReplacement: true,
      ...KPR,
      routing: CiliumRouting.native(native),
      ipam,
      encryption: CiliumEncryption.wireguard(wireguard),
      hubble,
      bandwidthManager: true,
      bbr: true,
      bpfMasquerade: true,
      localRedirectPolicies: true,
      gatewayApi: true,
      clusterName: 'eu-1',
      clusterId: 7,
      maxConnectedClusters: 511,
      policyEnforcementMode: CiliumPolicyEnforcementMode.ALWAYS,
      l2Announcements: true,
      k8sClientRateLimit,
      egressGateway: true,
      loadBalancerIpPools: [lbPool],
      l2AnnouncementPolicies: [l2Policy],
      egressGatewayPolicies: [egressPolicy],
      extraValues: { MTU: 1450 },
    };
    for (const [value, known] of [
      [props, KNOWN.ciliumInstall], [ipam, KNOWN.ipam], [hubble, KNOWN.hubble], [certManagerIssuer, KNOWN.issuer],
      [k8sClientRateLimit, KNOWN.rateLimit], [native, KNOWN.nativeRouting], [wireguard, KNOWN.wireguard], [lbPool, KNOWN.lbPool],
      [l2Policy, KNOWN.l2Policy], [egressPolicy, KNOWN.egressPolicy],
    ] as Array<[object, string]>) {
      expect(keysOf(value)).toEqual(listed(known));
    }
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ClusterNetwork(chart, 'net', { cni: Cni.cilium(), ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    new CiliumInstall(chart, 'cilium', props);
    app.synthYaml();
    const { all } = synthAppValid(app);
    const values = find(all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
    expect(values).toMatchObject({
      MTU: 1450,
      routingMode: 'native',
      ipv4NativeRoutingCIDR: '10.244.0.0/16',
      ipv6NativeRoutingCIDR: 'fd00:10:244::/56',
      autoDirectNodeRoutes: true,
      ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4MaskSize: 25, clusterPoolIPv6MaskSize: 112 } },
      encryption: {
        enabled: true,
        type: 'wireguard',
        nodeEncryption: true,
        strictMode: { egress: { enabled: true, cidr: '10.244.0.0/16', allowRemoteNodeIdentities: true }, ingress: { enabled: true } },
      },
      hubble: {
        enabled: true,
        relay: { enabled: true },
        ui: { enabled: true },
        metrics: { enabled: ['drop'] },
        tls: { auto: { method: 'certmanager', certManagerIssuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'ca' } } },
      },
      k8sClientRateLimit: { qps: 50, burst: 100 },
      cluster: { name: 'eu-1', id: 7 },
    });
    expect(find(all, 'CiliumLoadBalancerIPPool', 'public').spec.serviceSelector).toEqual({ matchLabels: { expose: 'public' } });
    expect(find(all, 'CiliumL2AnnouncementPolicy', 'lan').spec).toMatchObject({ externalIPs: true, nodeSelector: { matchLabels: { lan: 'true' } } });
    expect(find(all, 'CiliumEgressGatewayPolicy', 'db').spec).toMatchObject({ excludedCIDRs: ['203.0.113.7/32'] });
  });

  test('CiliumEncryption.ipsec and the delivery factories with every option', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    new ClusterNetwork(chart, 'net', { cni: Cni.cilium() });
    const argo = { namespace: 'gitops', project: 'platform', destinationServer: 'https://10.0.0.1:6443', automated: false, retryLimit: 2 };
    expect(keysOf(argo)).toEqual(listed(KNOWN.argoCd));
    new CiliumInstall(chart, 'cilium', { ...KPR, delivery: Delivery.argoCd(argo), encryption: CiliumEncryption.ipsec({ secretName: 'ipsec-keys' }) });
    app.synthYaml();
    const application = find(synthAppValid(app).all, 'Application', 'cilium', 'gitops');
    expect(application.spec.project).toBe('platform');
    expect(application.spec.destination.server).toBe('https://10.0.0.1:6443');
    expect(application.spec.syncPolicy.automated).toBeUndefined();
    expect(application.spec.syncPolicy.retry.limit).toBe(2);
    expect(application.spec.source.helm.valuesObject.encryption).toEqual({ enabled: true, type: 'ipsec', ipsec: { secretName: 'ipsec-keys' } });

    const flux = { namespace: 'gitops', interval: '10m', remediationRetries: 1 };
    expect(keysOf(flux)).toEqual(listed(KNOWN.flux));
    expect(Delivery.flux(flux)._flux).toEqual({ namespace: 'gitops', interval: '10m', remediationRetries: 1 });
  });
});
