/**
 * CiliumInstall: exact Helm values for chart 1.20.0, every emitted key path present in the pinned
 * values.yaml, the delivery objects and steps, companion objects, and each requirement between
 * options as a named error. Ground truth: NETWORKING-FACTS.md "Cilium" (Helm values, chart 1.20.0).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  CiliumEncryption, CiliumInstall, CiliumInstallProps, CiliumIpamMode, CiliumPolicyEnforcementMode, CiliumRouting, CiliumTunnelProtocol,
  ClusterNetwork, ClusterNetworkProps, Cni, Delivery, HubbleTlsMethod, IpFamily, KubeProxyMode, Peer, Port, ZeroTrustNamespace,
} from '../../../src';
import { find, synthAppValid } from '../../support/synth';

const VALUES_YAML = path.resolve(__dirname, '../../../../shared/crds/cilium/1.20.0/chart/values.yaml');
const CHART_VALUES = parse(fs.readFileSync(VALUES_YAML, 'utf8'));
const KPR = { k8sServiceHost: '10.0.0.1', k8sServicePort: 6443 };

function build(props: CiliumInstallProps = KPR, cluster: Omit<ClusterNetworkProps, 'cni'> = {}, cni = Cni.cilium()) {
  const app = Testing.app();
  const chart = new Chart(app, 'platform');
  new ClusterNetwork(chart, 'cluster', { cni, ...cluster });
  const cilium = new CiliumInstall(chart, 'cilium', props);
  return { app, chart, cilium };
}

/**
 * Every key path of `values` that does not exist in the chart's values.yaml. Walked against the YAML
 * itself (not the library's generated key list): maps whose chart default is empty or keyed by label
 * names hold free-form keys.
 */
function keysMissingFromChart(values: any, chart: any = CHART_VALUES, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const p = prefix ? `${prefix}.${key}` : key;
    if (chart === null || typeof chart !== 'object' || !(key in chart)) {
      out.push(p);
      continue;
    }
    const def = chart[key];
    const freeForm = def !== null && typeof def === 'object' && !Array.isArray(def) && (Object.keys(def).length === 0 || Object.keys(def).some((k) => /[./]/.test(k)));
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !freeForm) out.push(...keysMissingFromChart(value, def, p));
  }
  return out;
}

const EVERYTHING: CiliumInstallProps = {
  ...KPR,
  delivery: Delivery.flux(),
  routing: CiliumRouting.native({ ipv4NativeRoutingCidr: '10.244.0.0/16', autoDirectNodeRoutes: true }),
  encryption: CiliumEncryption.wireguard({ nodeEncryption: true, strictEgressCidr: '10.244.0.0/16', allowRemoteNodeIdentities: true, strictIngress: true }),
  hubble: { ui: true, metrics: ['dns:query;ignoreAAAA', 'drop', 'tcp', 'flow', 'icmp', 'http'], tlsMethod: HubbleTlsMethod.CERT_MANAGER, certManagerIssuer: { name: 'ca' } },
  bandwidthManager: true,
  bbr: true,
  bpfMasquerade: true,
  localRedirectPolicies: true,
  gatewayApi: true,
  clusterName: 'eu-1',
  clusterId: 300,
  maxConnectedClusters: 511,
  policyEnforcementMode: CiliumPolicyEnforcementMode.ALWAYS,
  l2Announcements: true,
  k8sClientRateLimit: { qps: 50, burst: 100 },
  egressGateway: true,
  ipam: { ipv4MaskSize: 25 },
};

describe('CiliumInstall values', () => {
  test('defaults: kube-proxy replacement from the ClusterNetwork, VXLAN, WireGuard, Hubble with relay and CronJob TLS, pool = pod CIDRs', () => {
    const { cilium } = build();
    expect(cilium.values).toEqual({
      kubeProxyReplacement: 'true',
      k8sServiceHost: '10.0.0.1',
      k8sServicePort: 6443,
      ipv4: { enabled: true },
      ipv6: { enabled: false },
      routingMode: 'tunnel',
      tunnelProtocol: 'vxlan',
      ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.244.0.0/16'], clusterPoolIPv4MaskSize: 24 } },
      encryption: { enabled: true, type: 'wireguard' },
      hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: false }, tls: { auto: { method: 'cronJob' } } },
    });
  });

  test('every option at once: exact values, and every emitted key path exists in the pinned values.yaml', () => {
    const { cilium } = build(EVERYTHING);
    const values = cilium.values;
    expect(values).toEqual({
      kubeProxyReplacement: 'true',
      k8sServiceHost: '10.0.0.1',
      k8sServicePort: 6443,
      ipv4: { enabled: true },
      ipv6: { enabled: false },
      routingMode: 'native',
      ipv4NativeRoutingCIDR: '10.244.0.0/16',
      autoDirectNodeRoutes: true,
      ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: ['10.244.0.0/16'], clusterPoolIPv4MaskSize: 25 } },
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
        metrics: { enabled: ['dns:query;ignoreAAAA', 'drop', 'tcp', 'flow', 'icmp', 'http'] },
        tls: { auto: { method: 'certmanager', certManagerIssuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'ca' } } },
      },
      bandwidthManager: { enabled: true, bbr: true },
      bpf: { masquerade: true },
      localRedirectPolicies: { enabled: true },
      gatewayAPI: { enabled: true },
      cluster: { name: 'eu-1', id: 300 },
      clustermesh: { maxConnectedClusters: 511 },
      policyEnforcementMode: 'always',
      l2announcements: { enabled: true },
      k8sClientRateLimit: { qps: 50, burst: 100 },
      egressGateway: { enabled: true },
    });
    expect(keysMissingFromChart(values)).toEqual([]);
  });

  test.each<[string, CiliumInstallProps, Omit<ClusterNetworkProps, 'cni'>]>([
    ['defaults', KPR, {}],
    ['IPsec, Geneve, kubernetes IPAM, no Hubble', {
      ...KPR,
      encryption: CiliumEncryption.ipsec(),
      routing: CiliumRouting.tunnel(CiliumTunnelProtocol.GENEVE),
      ipam: { mode: CiliumIpamMode.KUBERNETES },
      hubble: { enabled: false },
    }, {}],
    ['dual stack native routing', { ...KPR, routing: CiliumRouting.native({ ipv4NativeRoutingCidr: '10.0.0.0/8', ipv6NativeRoutingCidr: 'fd00:10::/32' }) },
      { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] }],
    ['kube-proxy kept, no encryption', { encryption: CiliumEncryption.none() }, { kubeProxyMode: KubeProxyMode.IPTABLES }],
    ['multi-pool IPAM with eBPF masquerading', { ...KPR, bpfMasquerade: true, ipam: { mode: CiliumIpamMode.MULTI_POOL } }, {}],
    ['Azure IPAM without masquerading', { ...KPR, extraValues: { ipam: { mode: 'azure' }, enableIPv4Masquerade: false } }, {}],
  ])('%s: every key path exists in the chart', (_name, props, cluster) => {
    const kpr = cluster.kubeProxyMode === KubeProxyMode.IPTABLES ? Cni.cilium({ kubeProxyReplacement: false }) : Cni.cilium();
    const { cilium } = build(props, cluster, kpr);
    expect(keysMissingFromChart(cilium.values)).toEqual([]);
  });

  test('multi-pool IPAM: the operator\'s pool `default` is the ClusterNetwork\'s pod CIDRs per family, with the mask sizes', () => {
    const dual = { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] };
    const props = { ...KPR, bpfMasquerade: true, delivery: Delivery.flux(), ipam: { mode: CiliumIpamMode.MULTI_POOL, ipv4MaskSize: 26 } };
    const { app, cilium } = build(props, dual);
    const expected = {
      mode: 'multi-pool',
      operator: {
        autoCreateCiliumPodIPPools: { default: { ipv4: { cidrs: ['10.244.0.0/16'], maskSize: 26 }, ipv6: { cidrs: ['fd00:10:244::/56'], maskSize: 120 } } },
      },
    };
    expect(cilium.values.ipam).toEqual(expected);
    expect(find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values.ipam).toEqual(expected);
  });

  test('options the chart documents commented out are accepted and land in the HelmRelease values as given', () => {
    // values.yaml: `# egressMasqueradeInterfaces: ""` (top level), `# hostNamespaceOnly: false` under
    // socketLB (the facts file's Istio setting), `# logOptions:` with a `format: json` example (a map).
    const extra = { egressMasqueradeInterfaces: 'eth0', socketLB: { hostNamespaceOnly: true }, logOptions: { format: 'json' }, maglev: { tableSize: 16381 } };
    const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), extraValues: extra });
    const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
    for (const v of [cilium.values, released]) {
      expect(v.egressMasqueradeInterfaces).toBe('eth0');
      expect(v.socketLB).toEqual({ hostNamespaceOnly: true });
      expect(v.logOptions).toEqual({ format: 'json' });
      expect(v.maglev).toEqual({ tableSize: 16381 });
    }
  });

  test('multi-pool IPAM with iptables masquerading limited to egressMasqueradeInterfaces (cilium/cilium#26397)', () => {
    const props = { ...KPR, delivery: Delivery.flux(), ipam: { mode: CiliumIpamMode.MULTI_POOL }, extraValues: { egressMasqueradeInterfaces: 'eth0' } };
    const { app, cilium } = build(props);
    expect(cilium.values.bpf?.masquerade).toBeUndefined();
    const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
    expect(released.ipam.mode).toBe('multi-pool');
    expect(released.egressMasqueradeInterfaces).toBe('eth0');
  });

  test('ENI IPAM with iptables masquerading on the named interfaces (cilium/cilium#42531)', () => {
    const props = { ...KPR, delivery: Delivery.flux(), extraValues: { ipam: { mode: 'eni' }, egressMasqueradeInterfaces: 'eth+' } };
    const { app } = build(props);
    const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
    expect(released.ipam.mode).toBe('eni');
    expect(released.egressMasqueradeInterfaces).toBe('eth+');
  });

  test('IPv6-only multi-pool with IPv6 masquerading off: no masquerading at all (the chart\'s IPv4 default does not count)', () => {
    const v6 = { ipFamilies: [IpFamily.IPV6], podCidrs: ['fd00:10:244::/56'], serviceCidrs: ['fd00:10:96::/112'] };
    const { cilium } = build({ ...KPR, ipam: { mode: CiliumIpamMode.MULTI_POOL }, extraValues: { enableIPv6Masquerade: false } }, v6);
    expect(cilium.values.ipam.mode).toBe('multi-pool');
    expect(() => build({ ...KPR, ipam: { mode: CiliumIpamMode.MULTI_POOL } }, v6))
      .toThrow('[platform/cilium] ipam: multi-pool IPAM with iptables masquerading needs egressMasqueradeInterfaces');
  });

  test('kubernetes IPAM with iptables masquerading needs no interfaces (the node\'s pod CIDR is matched)', () => {
    const { cilium } = build({ ...KPR, ipam: { mode: CiliumIpamMode.KUBERNETES } });
    expect(cilium.values.ipam.mode).toBe('kubernetes');
    expect(cilium.values.egressMasqueradeInterfaces).toBeUndefined();
  });

  test('IPsec: the key Secret is referenced by name and never emitted', () => {
    const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), encryption: CiliumEncryption.ipsec({ secretName: 'ipsec-keys' }) });
    expect(cilium.values.encryption).toEqual({ enabled: true, type: 'ipsec', ipsec: { secretName: 'ipsec-keys' } });
    expect(synthAppValid(app).all.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('without kube-proxy replacement: "false", and no API server address needed', () => {
    const { cilium } = build({}, {}, Cni.cilium({ kubeProxyReplacement: false }));
    expect(cilium.values.kubeProxyReplacement).toBe('false');
    expect(cilium.values.k8sServiceHost).toBeUndefined();
    expect(cilium.kubeProxyReplacement).toBe(false);
  });

  test('local redirect policies default on when the ClusterNetwork declares NodeLocal DNS under kube-proxy replacement', () => {
    expect(build(KPR, { nodeLocalDns: true }).cilium.values.localRedirectPolicies).toEqual({ enabled: true });
    expect(build(KPR, {}).cilium.values.localRedirectPolicies).toBeUndefined();
    expect(build({ ...KPR, localRedirectPolicies: false }, {}).cilium.localRedirectPolicies).toBe(false);
    // Turning them off while the ClusterNetwork says the LRP variant is in use is an error, however it is spelled.
    expect(() => build({ ...KPR, localRedirectPolicies: false }, { nodeLocalDns: true }))
      .toThrow(/localRedirectPolicies: the ClusterNetwork declares NodeLocal DNS under kube-proxy replacement/);
    expect(() => build({ ...KPR, extraValues: { localRedirectPolicies: { enabled: false } } }, { nodeLocalDns: true }))
      .toThrow(/localRedirectPolicies: the ClusterNetwork declares/);
    // Without kube-proxy replacement NodeLocal DNS uses the iptables variant: no LRP needed.
    const iptables = build({}, { nodeLocalDns: true, kubeProxyMode: KubeProxyMode.IPTABLES }, Cni.cilium({ kubeProxyReplacement: false }));
    expect(iptables.cilium.localRedirectPolicies).toBe(false);
  });

  test('a null that changes nothing is accepted and dropped: a null default, a key under an empty default map', () => {
    // values.yaml 1.20.0: bpf.masquerade defaults to null; podAnnotations to {}.
    const { cilium } = build({ ...KPR, extraValues: { bpf: { masquerade: null }, podAnnotations: { team: null, owner: 'net' } } });
    expect(cilium.values.bpf ?? {}).not.toHaveProperty('masquerade');
    expect(cilium.values.podAnnotations).toEqual({ owner: 'net' });
  });

  test('extraValues merge over the typed values and are key-checked', () => {
    const { cilium } = build({ ...KPR, extraValues: { operator: { replicas: 1 }, hubble: { relay: { replicas: 2 } }, podLabels: { team: 'net' } } });
    expect(cilium.values.operator).toEqual({ replicas: 1 });
    expect(cilium.values.hubble.relay).toEqual({ enabled: true, replicas: 2 });
    expect(cilium.values.podLabels).toEqual({ team: 'net' });
  });

  test('values.yaml for `cilium install --values`: the same values, deterministic', () => {
    const { cilium } = build(EVERYTHING);
    const yaml = cilium.valuesYaml();
    expect(parse(yaml)).toEqual(cilium.values);
    expect(build(EVERYTHING).cilium.valuesYaml()).toBe(yaml);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-values-'));
    try {
      cilium.writeValuesFile(path.join(dir, 'values.yaml'));
      expect(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')).toBe(yaml);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the values object is a copy', () => {
    const { cilium } = build();
    cilium.values.encryption.enabled = false;
    expect(cilium.values.encryption.enabled).toBe(true);
  });
});

describe('CiliumInstall delivery and steps', () => {
  test('Flux: HelmRepository + HelmRelease cilium into kube-system, then the companions, then the charts with Cilium policies', () => {
    const { app, chart } = build({
      ...KPR,
      delivery: Delivery.flux(),
      l2Announcements: true,
      k8sClientRateLimit: { qps: 50, burst: 100 },
      loadBalancerIpPools: [{ name: 'public', cidrs: ['192.0.2.0/24'], serviceSelector: { expose: 'public' } }],
      l2AnnouncementPolicies: [{ name: 'lan', interfaces: ['^eth[0-9]+'], nodeSelector: { 'node-role.kubernetes.io/worker': '' } }],
    });
    const ns = new ZeroTrustNamespace(chart, 'web', { name: 'web' });
    ns.allowEgress('to-api', { app: 'web' }, [Peer.kubeApiServer()], [Port.tcp(443)]);
    const { byChart } = synthAppValid(app);
    expect(Object.keys(byChart)).toEqual(['cilium-install', 'cilium-resources', 'platform']);
    const release = find(byChart['cilium-install'], 'HelmRelease', 'cilium', 'flux-system');
    expect(release.spec.chart.spec).toEqual({ chart: 'cilium', version: '1.20.0', interval: '1h', sourceRef: { kind: 'HelmRepository', name: 'cilium', namespace: 'flux-system' } });
    expect(release.spec.targetNamespace).toBe('kube-system');
    expect(release.spec.upgrade.crds).toBe('CreateReplace');
    expect(keysMissingFromChart(release.spec.values)).toEqual([]);
    expect(find(byChart['cilium-install'], 'HelmRepository', 'cilium', 'flux-system').spec.url).toBe('https://helm.cilium.io');
    expect(byChart['cilium-resources']).toEqual([
      { apiVersion: 'cilium.io/v2', kind: 'CiliumLoadBalancerIPPool', metadata: { name: 'public' }, spec: { blocks: [{ cidr: '192.0.2.0/24' }], serviceSelector: { matchLabels: { expose: 'public' } } } },
      {
        apiVersion: 'cilium.io/v2alpha1',
        kind: 'CiliumL2AnnouncementPolicy',
        metadata: { name: 'lan' },
        spec: { interfaces: ['^eth[0-9]+'], nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } }, loadBalancerIPs: true, externalIPs: false },
      },
    ]);
    expect(byChart.platform.some((o) => o.kind === 'CiliumNetworkPolicy')).toBe(true);
  });

  test('Argo CD: the Application in wave -20 with valuesObject; every cilium.io object of the app in wave 10, not dry-run', () => {
    const { app, chart } = build({
      ...KPR,
      delivery: Delivery.argoCd({ project: 'platform' }),
      egressGateway: true,
      bpfMasquerade: true,
      egressGatewayPolicies: [{ name: 'legacy-db', namespace: 'billing', podSelector: { app: 'api' }, destinationCidrs: ['203.0.113.0/24'], gatewayNodeSelector: { egress: 'true' }, egressIp: '198.51.100.7' }],
    });
    const ns = new ZeroTrustNamespace(chart, 'web', { name: 'web' });
    ns.allowEgress('to-api', { app: 'web' }, [Peer.kubeApiServer()], [Port.tcp(443)]);
    const { all } = synthAppValid(app);
    const application = find(all, 'Application', 'cilium', 'argocd');
    expect(application.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-20' });
    expect(application.spec.project).toBe('platform');
    expect(application.spec.source).toEqual({
      repoURL: 'https://helm.cilium.io', chart: 'cilium', targetRevision: '1.20.0', helm: { releaseName: 'cilium', valuesObject: application.spec.source.helm.valuesObject },
    });
    expect(application.spec.source.helm.valuesObject.egressGateway).toEqual({ enabled: true });
    expect(application.spec.source.helm.values).toBeUndefined();
    const egress = find(all, 'CiliumEgressGatewayPolicy', 'legacy-db');
    expect(egress.spec).toEqual({
      selectors: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'billing' } }, podSelector: { matchLabels: { app: 'api' } } }],
      destinationCIDRs: ['203.0.113.0/24'],
      egressGateway: { nodeSelector: { matchLabels: { egress: 'true' } }, egressIP: '198.51.100.7' },
    });
    for (const o of all.filter((x) => x.apiVersion.startsWith('cilium.io/'))) {
      expect([o.kind, o.metadata.annotations]).toEqual([o.kind, { 'argocd.argoproj.io/sync-wave': '10', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' }]);
    }
    expect(find(all, 'Namespace', 'web').metadata.annotations).toBeUndefined();
  });

  test('manifests only: nothing but the user\'s charts (Cilium installed with the values file)', () => {
    const { app, cilium } = build();
    expect(Object.keys(synthAppValid(app).byChart)).toEqual(['platform']);
    expect(cilium.stepCharts).toEqual([]);
  });
});

describe('CiliumInstall named errors', () => {
  test.each<[string, CiliumInstallProps, Omit<ClusterNetworkProps, 'cni'>, RegExp]>([
    ['KPR without k8sServiceHost', { k8sServicePort: 6443 }, {}, /\[platform\/cilium\] k8sServiceHost: kube-proxy replacement needs the API server address/],
    ['k8sServiceHost with a scheme', { k8sServiceHost: 'https://10.0.0.1:6443', k8sServicePort: 6443 }, {}, /k8sServiceHost: 'https:\/\/10\.0\.0\.1:6443' must be a host name or IP address only/],
    // A mistyped IPv4 address passed as a host name (DNS finds no API server); so did malformed IPv6 and labels ending in '-'.
    ['k8sServiceHost a mistyped IPv4 address', { k8sServiceHost: '10.0.0.256', k8sServicePort: 6443 }, {},
      /^\[platform\/cilium\] k8sServiceHost: '10\.0\.0\.256' is not an IPv4 address \(four decimal octets 0-255 without leading zeros\) and, being all digits, no host name either$/],
    ['k8sServiceHost a malformed IPv6 address', { k8sServiceHost: 'fd00:::1', k8sServicePort: 6443 }, {}, /k8sServiceHost: 'fd00:::1' must be a host name or IP address only/],
    ['k8sServiceHost longer than DNS carries', { k8sServiceHost: `${Array(5).fill('a'.repeat(60)).join('.')}.example`, k8sServicePort: 6443 }, {},
      /^\[platform\/cilium\] k8sServiceHost: '(a{60}\.){5}example' is no DNS name: it has 312 characters, and DNS carries at most 253 \(RFC 1035 2\.3\.4\)/],
    ['k8sServiceHost with an empty label', { ...KPR, extraValues: { k8sServiceHost: 'api..example.com' } }, {}, /extraValues\.k8sServiceHost: 'api\.\.example\.com' must be a host name/],
    ['KPR without k8sServicePort', { k8sServiceHost: '10.0.0.1' }, {}, /k8sServicePort: kube-proxy replacement needs the API server port/],
    ['k8sServicePort 0 through extraValues', { k8sServiceHost: '10.0.0.1', extraValues: { k8sServicePort: 0 } }, {}, /extraValues\.k8sServicePort: 0 is not a port \(1-65535\)/],
    ['KPR contradicting the ClusterNetwork', { kubeProxyReplacement: false }, {}, /kubeProxyReplacement: keeps kube-proxy, but the ClusterNetwork says kube-proxy is replaced/],
    ['native routing without the native routing CIDR', { ...KPR, routing: CiliumRouting.native({}) }, {}, /routing\.ipv4NativeRoutingCidr: native routing on an IPv4 cluster needs ipv4NativeRoutingCIDR/],
    ['native routing CIDR not covering the pods', { ...KPR, routing: CiliumRouting.native({ ipv4NativeRoutingCidr: '10.0.0.0/16' }) }, {},
      /routing\.ipv4NativeRoutingCidr: 10\.0\.0\.0\/16 does not contain the pod CIDR 10\.244\.0\.0\/16/],
    ['egress gateway without BPF masquerade', { ...KPR, egressGateway: true }, {}, /egressGateway: the egress gateway needs eBPF masquerading/],
    ['BBR without the bandwidth manager', { ...KPR, bbr: true }, {}, /bbr: BBR needs the bandwidth manager/],
    ['Hubble UI without relay', { ...KPR, hubble: { relay: false, ui: true } }, {}, /hubble\.ui: Hubble UI reads flows through Hubble Relay/],
    ['cert-manager TLS without an issuer', { ...KPR, hubble: { tlsMethod: HubbleTlsMethod.CERT_MANAGER } }, {}, /hubble\.certManagerIssuer: the certmanager method needs the issuer/],
    ['Hubble TLS by helm through extraValues', { ...KPR, extraValues: { hubble: { tls: { auto: { method: 'helm' } } } } }, {},
      /extraValues\.hubble\.tls\.auto\.method: "helm": use 'cronJob' or 'certmanager'/],
    ['cluster id above 255', { ...KPR, clusterName: 'eu-1', clusterId: 256 }, {}, /clusterId: 256 must be 0 \(no ClusterMesh\) or 1-255 \(up to 511 with clustermesh\.maxConnectedClusters: 511\)/],
    ['cluster id above 511', { ...KPR, clusterName: 'eu-1', clusterId: 512, maxConnectedClusters: 511 }, {}, /clusterId: must be an integer from 0 to 511, got the number 512/],
    ['maxConnectedClusters not 255 or 511', { ...KPR, maxConnectedClusters: 300 }, {}, /maxConnectedClusters: 300 must be 255 or 511/],
    ['cluster name default with an id', { ...KPR, clusterId: 3 }, {}, /clusterName: 'default' cannot be used with a cluster id \(3\)/],
    ['cluster name too long', { ...KPR, clusterName: 'a'.repeat(33) }, {}, /clusterName: "a{33}" must be at most 32/],
    ['L2 announcements without a raised rate limit', { ...KPR, l2Announcements: true }, {}, /k8sClientRateLimit: L2 announcements renew a lease per Service/],
    ['L2 announcements without KPR', { l2Announcements: true, k8sClientRateLimit: { qps: 50, burst: 100 } }, { kubeProxyMode: KubeProxyMode.IPTABLES },
      /l2Announcements: L2 announcements need kube-proxy replacement/],
    ['Gateway API without KPR', { gatewayApi: true }, { kubeProxyMode: KubeProxyMode.IPTABLES }, /gatewayApi: Cilium's Gateway API needs kube-proxy replacement/],
    ['Gateway API without the L7 proxy', { ...KPR, gatewayApi: true, extraValues: { l7Proxy: false } }, {}, /gatewayApi: Cilium's Gateway API needs the L7 proxy/],
    ['BPF masquerade without KPR', { bpfMasquerade: true }, { kubeProxyMode: KubeProxyMode.IPTABLES }, /bpfMasquerade: eBPF masquerading depends on the BPF NodePort feature/],
    ['policy enforcement never', { ...KPR, policyEnforcementMode: 'never' as CiliumPolicyEnforcementMode }, {}, /policyEnforcementMode: 'never' disables every network policy/],
    ['IPAM pool outside the pod CIDRs', { ...KPR, extraValues: { ipam: { operator: { clusterPoolIPv4PodCIDRList: ['10.0.0.0/8'] } } } }, {},
      /extraValues\.ipam\.operator\.clusterPoolIPv4PodCIDRList: 10\.0\.0\.0\/8 is outside the ClusterNetwork's pod CIDRs/],
    ['an IPAM mode Cilium does not have (extraValues)', { ...KPR, extraValues: { ipam: { mode: 'clusterpool' } } }, {},
      /extraValues\.ipam\.mode: "clusterpool" is not a Cilium IPAM mode \(cluster-pool, kubernetes, multi-pool, crd, eni, azure, alibabacloud, delegated-plugin\)/],
    ['multi-pool with iptables masquerading', { ...KPR, ipam: { mode: CiliumIpamMode.MULTI_POOL } }, {},
      /\[platform\/cilium\] ipam: multi-pool IPAM with iptables masquerading needs egressMasqueradeInterfaces \(the interfaces to masquerade on, through extraValues; without them the Cilium agent refuses to start\), or eBPF masquerading/],
    // cilium/cilium#42531 (1.19): iptables masquerading without interfaces panics the agent for every
    // IPAM mode but cluster-pool and kubernetes.
    ['ENI IPAM with iptables masquerading (extraValues)', { ...KPR, extraValues: { ipam: { mode: 'eni' } } }, {},
      /\[platform\/cilium\] extraValues\.ipam\.mode: eni IPAM with iptables masquerading needs egressMasqueradeInterfaces/],
    ['CRD IPAM with IPv6 iptables masquerading on a dual-stack cluster', {
      ...KPR, routing: CiliumRouting.native({ ipv4NativeRoutingCidr: '10.0.0.0/8', ipv6NativeRoutingCidr: 'fd00:10::/32' }), extraValues: { ipam: { mode: 'crd' }, enableIPv4Masquerade: false },
    }, { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] },
    /extraValues\.ipam\.mode: crd IPAM with iptables masquerading needs egressMasqueradeInterfaces/],
    ['an empty egressMasqueradeInterfaces (the chart\'s commented-out example value)', { ...KPR, ipam: { mode: CiliumIpamMode.MULTI_POOL }, extraValues: { egressMasqueradeInterfaces: '' } }, {},
      /\[platform\/cilium\] extraValues\.egressMasqueradeInterfaces: must be a non-empty string naming the interfaces iptables masquerading applies to, got ""/],
    ['a list for egressMasqueradeInterfaces (the chart writes it as is)', { ...KPR, extraValues: { egressMasqueradeInterfaces: ['eth0'] } }, {},
      /extraValues\.egressMasqueradeInterfaces: must be a non-empty string naming the interfaces iptables masquerading applies to, got \["eth0"\]/],
    ['a near-miss of a commented-out option', { ...KPR, extraValues: { egressMasqueradeInterface: 'eth0' } }, {},
      /\[platform\/cilium\] extraValues\.egressMasqueradeInterface: is not a key of the Cilium 1\.20\.0 chart's values\.yaml \(misspelled, or from another version\?\)/],
    ['a word of a description comment (`# nodes: Count of nodes ...` under ciliumEndpointSlice)', { ...KPR, extraValues: { ciliumEndpointSlice: { nodes: 3 } } }, {},
      /extraValues\.ciliumEndpointSlice\.nodes: is not a key of the Cilium 1\.20\.0 chart's values\.yaml/],
    ['maglev\'s commented-out tableSize at the top level, where the chart does not read it', { ...KPR, extraValues: { tableSize: 16381 } }, {},
      /extraValues\.tableSize: is not a key of the Cilium 1\.20\.0 chart's values\.yaml/],
    ['a multi-pool pool outside the pod CIDRs (extraValues)', {
      ...KPR,
      bpfMasquerade: true,
      ipam: { mode: CiliumIpamMode.MULTI_POOL },
      extraValues: { ipam: { operator: { autoCreateCiliumPodIPPools: { blue: { ipv4: { cidrs: ['10.50.0.0/16'], maskSize: 24 } } } } } },
    }, {}, /extraValues\.ipam\.operator\.autoCreateCiliumPodIPPools\.blue\.ipv4\.cidrs: 10\.50\.0\.0\/16 is outside the ClusterNetwork's pod CIDRs/],
    ['mask sizes with kubernetes IPAM', { ...KPR, ipam: { mode: CiliumIpamMode.KUBERNETES, ipv4MaskSize: 24 } }, {}, /ipam: mask sizes only apply to cluster-pool and multi-pool IPAM/],
    ['IPAM mask size not fitting the pod CIDR', { ...KPR, ipam: { ipv4MaskSize: 16 } }, {}, /ipam\.ipv4MaskSize: \/16 node blocks do not fit more than once in the pod CIDR 10\.244\.0\.0\/16/],
    ['removed key: tunnel', { ...KPR, extraValues: { tunnel: 'vxlan' } }, {}, /extraValues\.tunnel: removed in Cilium 1\.15/],
    ['removed value: kubeProxyReplacement strict', { ...KPR, extraValues: { kubeProxyReplacement: 'strict' } }, {}, /extraValues\.kubeProxyReplacement: "strict" is not "true" or "false"/],
    ['removed key: flat encryption.strictMode.enabled', { ...KPR, extraValues: { encryption: { strictMode: { enabled: true } } } }, {},
      /extraValues\.encryption\.strictMode\.enabled: moved to encryption\.strictMode\.egress\.enabled in 1\.20/],
    ['deprecated key: localRedirectPolicy', { ...KPR, extraValues: { localRedirectPolicy: true } }, {}, /extraValues\.localRedirectPolicy: deprecated: use localRedirectPolicies\.enabled/],
    ['misspelled key', { ...KPR, extraValues: { hubble: { relay: { enable: true } } } }, {}, /extraValues\.hubble\.relay\.enable: is not a key of the Cilium 1\.20\.0 chart's values\.yaml/],
    ['encryption enabled without a type', { ...KPR, encryption: CiliumEncryption.none(), extraValues: { encryption: { enabled: true } } }, {},
      /\] encryption: type undefined is not 'wireguard', 'ipsec' or 'ztunnel' \(set it: the chart defaults to ipsec/],
    ['L2 policies without L2 announcements', { ...KPR, l2AnnouncementPolicies: [{ name: 'lan' }] }, {}, /l2AnnouncementPolicies: need L2 announcements/],
    ['egress policies without the egress gateway', {
      ...KPR, egressGatewayPolicies: [{ name: 'x', namespace: 'a', destinationCidrs: ['203.0.113.0/24'], gatewayNodeSelector: { egress: 'true' } }],
    }, {}, /egressGatewayPolicies: need the egress gateway/],
    // Cilium reads egressIP with Go's netip.ParseAddr: an octet over 255 or with a leading zero is refused there.
    ...['999.1.1.1', '010.0.0.1', '198.51.100.07', '2001:db8::1'].map((ip): [string, CiliumInstallProps, Omit<ClusterNetworkProps, 'cni'>, RegExp] => [
      `egress gateway IP ${ip}`, {
        ...KPR,
        egressGateway: true,
        bpfMasquerade: true,
        egressGatewayPolicies: [{ name: 'x', namespace: 'a', destinationCidrs: ['203.0.113.0/24'], gatewayNodeSelector: { egress: 'true' }, egressIp: ip }],
      }, {}, new RegExp(`\\[platform/cilium\\] egressGatewayPolicies\\[0\\]\\.egressIp: '${ip.replace(/\./g, '\\.')}' is not an IPv4 address in four decimal octets \\(0-255, no leading zeros\\)`),
    ]),
    ['LB pool overlapping the service CIDR', { ...KPR, loadBalancerIpPools: [{ name: 'x', cidrs: ['10.96.0.0/24'] }] }, {}, /loadBalancerIpPools\[0\]\.cidrs: 10\.96\.0\.0\/24 overlaps the cluster's pod or service CIDR 10\.96\.0\.0\/12/],
    ['ipv6 enabled on an IPv4 cluster', { ...KPR, extraValues: { ipv6: { enabled: true } } }, {}, /extraValues\.ipv6\.enabled: true contradicts the ClusterNetwork's ipFamilies \[IPv4\]/],
    ['a string for a boolean (untyped caller)', { ...KPR, bandwidthManager: 'yes' as any }, {}, /bandwidthManager: must be true or false, got the string 'yes'/],
    // Found by the garbage properties (test/properties/garbage-cilium-install.property.test.ts): each was accepted or crashed.
    ['null routing (it silently became the VXLAN tunnel)', { ...KPR, routing: null as any }, {}, /\[platform\/cilium\] routing: must be made with CiliumRouting\.tunnel\(\) or CiliumRouting\.native\(\), got null/],
    ['null encryption (it silently became WireGuard)', { ...KPR, encryption: null as any }, {}, /\[platform\/cilium\] encryption: must be made with CiliumEncryption\.wireguard\(\), \.ipsec\(\) or \.none\(\), got null/],
    ['a map for a list of companions (silently no objects)', { ...KPR, loadBalancerIpPools: {} as any }, {}, /\[platform\/cilium\] loadBalancerIpPools: must be a list, got a plain object/],
    ['an undefined companion (a TypeError)', { ...KPR, loadBalancerIpPools: [undefined as any] }, {}, /\[platform\/cilium\] loadBalancerIpPools\[0\]: must be an object, got undefined/],
    ['a __proto__ key in extraValues (it replaced the values\' prototype)', { ...KPR, extraValues: JSON.parse('{"__proto__": {"policyEnforcementMode": "never"}}') }, {},
      /extraValues\.__proto__: the key '__proto__' cannot be used/],
    ['a Date in extraValues', { ...KPR, extraValues: { debug: { enabled: new Date(0) } } }, {}, /extraValues\.debug\.enabled: must be JSON/],
    // A null meant to delete a chart default (helm.sh "Deleting a default key") was dropped by cdk8s's
    // sanitizer: the default stayed, silently (and Flux drops nulls added later, fluxcd/kustomize-controller#372).
    ['a null in extraValues meant to delete a chart default', { ...KPR, extraValues: { operator: { replicas: 1, nodeSelector: { 'kubernetes.io/os': null } } } }, {},
      /\[platform\/cilium\] extraValues\.operator\.nodeSelector\.kubernetes\.io\/os: null cannot be delivered: cdk8s drops null values/],
    ['a null list item in extraValues', { ...KPR, extraValues: { hubble: { metrics: { enabled: ['dns', null] } } } }, {},
      /extraValues\.hubble\.metrics\.enabled\[1\]: null cannot be delivered/],
    ['a null for a chart default list', { ...KPR, extraValues: { operator: { tolerations: null } } }, {}, /extraValues\.operator\.tolerations: null cannot be delivered/],
    ['a null for a whole section', { ...KPR, extraValues: { hubble: null } }, {}, /extraValues\.hubble: null cannot be delivered/],
    ['Hubble off with a null relay (accepted)', { ...KPR, hubble: { enabled: false, relay: null as any } }, {}, /hubble\.relay: must be true or false, got null/],
    ['Hubble off with TLS settings (ignored)', { ...KPR, hubble: { enabled: false, tlsMethod: HubbleTlsMethod.CRON_JOB } }, {}, /hubble\.enabled: false, but relay, ui, metrics or TLS settings are set/],
    ['a strict egress CIDR that is no CIDR (emitted as given)', { ...KPR, encryption: CiliumEncryption.wireguard({ strictEgressCidr: 'pods' }) }, {}, /encryption\.strictEgressCidr: .*pods/],
    ['a strict egress CIDR not covering the pods (their traffic left unencrypted)', { ...KPR, encryption: CiliumEncryption.wireguard({ strictEgressCidr: '192.168.0.0/16' }) }, {},
      /encryption\.strictEgressCidr: 192\.168\.0\.0\/16 does not contain the pod CIDR 10\.244\.0\.0\/16/],
    // docs.cilium.io "Transparent Encryption" (1.20): without direct routing, strict egress needs remote node identity lookups.
    ['strict egress in (default) tunnel mode without remote node identities', { ...KPR, encryption: CiliumEncryption.wireguard({ strictEgressCidr: '10.244.0.0/16' }) }, {},
      /\[platform\/cilium\] encryption\.allowRemoteNodeIdentities: strict egress mode in tunnel routing mode needs allowRemoteNodeIdentities: true/],
    ['strict egress through extraValues on the chart\'s default routing', {
      ...KPR,
      routing: CiliumRouting.native({ ipv4NativeRoutingCidr: '10.244.0.0/16' }),
      extraValues: { routingMode: '', encryption: { strictMode: { egress: { enabled: true, cidr: '10.244.0.0/16' } } } },
    }, {}, /extraValues\.encryption\.strictMode\.egress\.enabled: strict egress mode in the default tunnel routing mode needs allowRemoteNodeIdentities: true/],
  ])('%s', (_name, props, cluster, message) => {
    const cni = cluster.kubeProxyMode === KubeProxyMode.IPTABLES ? Cni.cilium({ kubeProxyReplacement: false }) : Cni.cilium();
    expect(() => build(props, cluster, cni)).toThrow(message);
  });

  test('strict egress without remote node identities is accepted with native routing only', () => {
    const { app, cilium } = build({
      ...KPR,
      routing: CiliumRouting.native({ ipv4NativeRoutingCidr: '10.244.0.0/16' }),
      encryption: CiliumEncryption.wireguard({ strictEgressCidr: '10.244.0.0/16' }),
    });
    synthAppValid(app);
    expect(cilium.values.encryption).toEqual({
      enabled: true, type: 'wireguard', strictMode: { egress: { enabled: true, cidr: '10.244.0.0/16', allowRemoteNodeIdentities: false } },
    });
    const tunnel = build({ ...KPR, encryption: CiliumEncryption.wireguard({ strictEgressCidr: '10.244.0.0/16', allowRemoteNodeIdentities: true }) });
    synthAppValid(tunnel.app);
    expect(tunnel.cilium.values.encryption.strictMode.egress).toEqual({ enabled: true, cidr: '10.244.0.0/16', allowRemoteNodeIdentities: true });
  });

  describe('strict egress mode is IPv4 only (docs.cilium.io "Transparent Encryption": IPv6 traffic is not protected and can be leaked)', () => {
    const DUAL = { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] };
    const V6 = { ipFamilies: [IpFamily.IPV6], podCidrs: ['fd00:10:244::/56'], serviceCidrs: ['fd00:10:96::/112'] };
    const STRICT = { strictEgressCidr: '10.244.0.0/16', allowRemoteNodeIdentities: true };
    const UNPROTECTED = 'strict egress mode protects IPv4 only (its CIDR is IPv4 and the chart has no IPv6 one): on this dual-stack cluster IPv6 pod-to-pod '
      + 'traffic can still leave a node unencrypted (docs.cilium.io "Transparent Encryption", strict mode limitations). Accept that with '
      + 'CiliumEncryption.wireguard({ acknowledgeUnprotectedIpv6: true }) (egress policies that keep IPv6 pod traffic away from unknown '
      + 'destinations are the documented mitigation), or turn strict egress off';

    test('on a dual-stack cluster it is refused without an acknowledgement, naming the prop that set it', () => {
      expect(() => build({ ...KPR, encryption: CiliumEncryption.wireguard(STRICT) }, DUAL))
        .toThrow(`[platform/cilium] encryption.strictEgressCidr: ${UNPROTECTED}`);
      const egress = { enabled: true, cidr: '10.244.0.0/16', allowRemoteNodeIdentities: true };
      expect(() => build({ ...KPR, extraValues: { encryption: { strictMode: { egress } } } }, DUAL))
        .toThrow(`[platform/cilium] extraValues.encryption.strictMode.egress.cidr: ${UNPROTECTED}`);
    });

    test('acknowledged on a dual-stack cluster: the IPv4 strict mode is emitted, the acknowledgement itself is no chart value', () => {
      const encryption = CiliumEncryption.wireguard({ ...STRICT, acknowledgeUnprotectedIpv6: true });
      const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), encryption }, DUAL);
      const expected = { enabled: true, type: 'wireguard', strictMode: { egress: { enabled: true, cidr: '10.244.0.0/16', allowRemoteNodeIdentities: true } } };
      expect(cilium.values.encryption).toEqual(expected);
      expect(find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values.encryption).toEqual(expected);
    });

    test('on an IPv6-only cluster it protects nothing: refused, acknowledged or not', () => {
      const nothing = '[platform/cilium] encryption.strictEgressCidr: the cluster has no IPv4 pod CIDR and strict egress mode is IPv4 only: '
        + 'it would protect no pod traffic at all; turn strict egress off';
      expect(() => build({ ...KPR, encryption: CiliumEncryption.wireguard(STRICT) }, V6)).toThrow(nothing);
      expect(() => build({ ...KPR, encryption: CiliumEncryption.wireguard({ ...STRICT, acknowledgeUnprotectedIpv6: true }) }, V6)).toThrow(nothing);
    });

    test('an acknowledgement that acknowledges nothing is an error', () => {
      expect(() => build({ ...KPR, encryption: CiliumEncryption.wireguard({ acknowledgeUnprotectedIpv6: true }) }, DUAL))
        .toThrow('[platform/cilium] encryption.acknowledgeUnprotectedIpv6: only applies to strict egress mode (strictEgressCidr)');
      expect(() => build({ ...KPR, encryption: CiliumEncryption.wireguard({ ...STRICT, acknowledgeUnprotectedIpv6: true }) }))
        .toThrow('[platform/cilium] encryption.acknowledgeUnprotectedIpv6: the cluster has no IPv6 pod CIDR, so strict egress mode leaves no IPv6 traffic unprotected: drop it');
      expect(() => CiliumEncryption.wireguard({ acknowledgeUnprotectedIpv6: 'yes' as any })).not.toThrow();
      expect(() => build({ ...KPR, encryption: CiliumEncryption.wireguard({ ...STRICT, acknowledgeUnprotectedIpv6: 'yes' as any }) }, DUAL))
        .toThrow("[platform/cilium] encryption.acknowledgeUnprotectedIpv6: must be true or false, got the string 'yes'");
    });
  });

  describe('strict ingress mode with CNI chaining (docs.cilium.io "Transparent Encryption": not supported on top of other CNI plugins, cilium/cilium#15596)', () => {
    const INGRESS = CiliumEncryption.wireguard({ strictIngress: true });
    const refused = (prop: string, chaining: string) => `[platform/cilium] ${prop}: strict ingress mode is not supported with Cilium chained on top of `
      + `another CNI plugin (${chaining}; docs.cilium.io "Transparent Encryption", cilium/cilium#15596): it relies on Cilium's programs on every `
      + 'interface that carries pod traffic, and the other plugin provides the pod network. Turn strict ingress off, or run Cilium as the only CNI';

    test.each(['aws-cni', 'flannel', 'generic-veth'])('chainingMode %s is refused', (mode) => {
      expect(() => build({ ...KPR, encryption: INGRESS, extraValues: { cni: { chainingMode: mode } } }))
        .toThrow(refused('encryption.strictIngress', `extraValues.cni.chainingMode: "${mode}"`));
    });

    test('a chainingTarget (it implies generic-veth) is refused, and so is strict ingress set through extraValues', () => {
      expect(() => build({ ...KPR, encryption: INGRESS, extraValues: { cni: { chainingTarget: 'aws-cni' } } }))
        .toThrow(refused('encryption.strictIngress', 'extraValues.cni.chainingTarget: "aws-cni"'));
      expect(() => build({ ...KPR, extraValues: { cni: { chainingMode: 'aws-cni' }, encryption: { strictMode: { ingress: { enabled: true } } } } }))
        .toThrow(refused('extraValues.encryption.strictMode.ingress.enabled', 'extraValues.cni.chainingMode: "aws-cni"'));
    });

    test('Cilium as the primary plugin is accepted: no chaining, "none", and portmap (chained after Cilium for hostPort)', () => {
      for (const cni of [{}, { chainingMode: 'none' }, { chainingMode: 'portmap' }]) {
        const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), encryption: INGRESS, extraValues: { cni } });
        const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
        for (const v of [cilium.values, released]) {
          expect(v.encryption).toEqual({ enabled: true, type: 'wireguard', strictMode: { ingress: { enabled: true } } });
          expect(v.cni).toEqual(cni);
        }
      }
    });

    test('chaining without strict ingress is left alone (WireGuard with chaining is documented, with cni.enableRouteMTUForCNIChaining)', () => {
      const { cilium } = build({ ...KPR, extraValues: { cni: { chainingMode: 'aws-cni', enableRouteMTUForCNIChaining: true } } });
      expect(cilium.values.cni).toEqual({ chainingMode: 'aws-cni', enableRouteMTUForCNIChaining: true });
    });
  });

  describe('CNI chaining: what upstream says does not work with Cilium on top of another plugin, and nothing else', () => {
    const IPSEC_REFUSED = (via: string) => `[platform/cilium] encryption: IPsec encryption is not supported with Cilium chained on top of another CNI plugin (${via}; `
      + 'docs.cilium.io "IPsec Transparent Encryption", limitations; cilium/cilium#15596): use CiliumEncryption.wireguard(), or run Cilium as the only CNI';

    test.each(['aws-cni', 'flannel', 'generic-veth', 'azure'])('IPsec with chainingMode %s is refused', (mode) => {
      const cni = mode === 'aws-cni' || mode === 'flannel' ? { chainingMode: mode } : { chainingMode: mode, customConf: true, configMap: 'cni-configuration' };
      expect(() => build({ ...KPR, encryption: CiliumEncryption.ipsec(), extraValues: { cni } }))
        .toThrow(IPSEC_REFUSED(`extraValues.cni.chainingMode: "${mode}"`));
    });

    test('IPsec with a chainingTarget is refused, and so is IPsec set through extraValues', () => {
      expect(() => build({ ...KPR, encryption: CiliumEncryption.ipsec(), extraValues: { cni: { chainingTarget: 'k8s-pod-network' } } }))
        .toThrow(IPSEC_REFUSED('extraValues.cni.chainingTarget: "k8s-pod-network"'));
      expect(() => build({ ...KPR, extraValues: { cni: { chainingMode: 'aws-cni' }, encryption: { type: 'ipsec' } } }))
        .toThrow('[platform/cilium] extraValues.encryption.type: IPsec encryption is not supported with Cilium chained on top of another CNI plugin '
          + '(extraValues.cni.chainingMode: "aws-cni"; ');
    });

    test('IPsec with Cilium as the primary plugin (none, portmap) is accepted', () => {
      for (const cni of [{ chainingMode: 'none' }, { chainingMode: 'portmap' }]) {
        const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), encryption: CiliumEncryption.ipsec(), extraValues: { cni } });
        const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
        for (const v of [cilium.values, released]) {
          expect(v.encryption).toEqual({ enabled: true, type: 'ipsec', ipsec: { secretName: 'cilium-ipsec-keys' } });
          expect(v.cni).toEqual(cni);
        }
      }
    });

    test('WireGuard (the default) with chaining sets cni.enableRouteMTUForCNIChaining (docs.cilium.io WireGuard: else fragmentation), in the release too', () => {
      const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), extraValues: { cni: { chainingMode: 'aws-cni', exclusive: false } } });
      const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
      for (const v of [cilium.values, released]) {
        expect(v.cni).toEqual({ chainingMode: 'aws-cni', enableRouteMTUForCNIChaining: true, exclusive: false });
        expect(v.encryption).toEqual({ enabled: true, type: 'wireguard' });
      }
      expect(cilium.valuesYaml()).toContain('enableRouteMTUForCNIChaining: true');
    });

    test('the route MTU setting is left to the user when given, and not added without chaining or without WireGuard', () => {
      expect(build({ ...KPR, extraValues: { cni: { chainingMode: 'aws-cni', enableRouteMTUForCNIChaining: false } } }).cilium.values.cni)
        .toEqual({ chainingMode: 'aws-cni', enableRouteMTUForCNIChaining: false });
      expect(build({ ...KPR, extraValues: { cni: { chainingMode: 'portmap' } } }).cilium.values.cni).toEqual({ chainingMode: 'portmap' });
      expect(build({ ...KPR, encryption: CiliumEncryption.none(), extraValues: { cni: { chainingMode: 'aws-cni' } } }).cilium.values.cni)
        .toEqual({ chainingMode: 'aws-cni' });
      expect(build().cilium.values.cni).toBeUndefined();
    });

    test('a mode the agent writes no CNI configuration for needs a chainingTarget or a supplied configuration (agent: "invalid CNI chaining mode")', () => {
      const refused = (mode: string) => `[platform/cilium] extraValues.cni.chainingMode: "${mode}": the Cilium agent writes a CNI configuration itself only for `
        + 'none, flannel, portmap and aws-cni (and for a cni.chainingTarget network it injects itself into); for any other mode it fails with '
        + '"invalid CNI chaining mode" and pods get no network.';
      for (const mode of ['generic-veth', 'azure', 'terway', 'generic-device']) {
        expect(() => build({ ...KPR, extraValues: { cni: { chainingMode: mode } } })).toThrow(refused(mode));
      }
    });

    test('an empty chainingMode is refused: the chart reads it as chained (it compares with "none"), the agent as none', () => {
      expect(() => build({ ...KPR, extraValues: { cni: { chainingMode: '' } } })).toThrow('[platform/cilium] extraValues.cni.chainingMode: \'\' is not a chaining mode: '
        + 'the chart then configures the agent as chained (no local node route, no endpoint health checking) while the agent runs as the only CNI plugin. '
        + 'Omit it, or say \'none\'');
      expect(build({ ...KPR, extraValues: { cni: { chainingMode: 'none' } } }).cilium.values.cni).toEqual({ chainingMode: 'none' });
    });

    test('an empty chainingTarget still chains: the chart tests it for null and runs the agent in generic-veth mode, which has no configuration of its own', () => {
      expect(() => build({ ...KPR, extraValues: { cni: { chainingTarget: '' } } })).toThrow('[platform/cilium] extraValues.cni.chainingTarget: "generic-veth" '
        + '(the chart\'s mode for a cni.chainingTarget of "", which names no network): the Cilium agent writes a CNI configuration itself only for none, '
        + 'flannel, portmap and aws-cni');
      expect(() => build({ ...KPR, encryption: CiliumEncryption.ipsec(), extraValues: { cni: { chainingTarget: '', customConf: true, configMap: 'cni-configuration' } } }))
        .toThrow(IPSEC_REFUSED('extraValues.cni.chainingTarget: ""'));
      // An explicit mode wins over the target in the chart: none and portmap keep Cilium the primary plugin.
      expect(build({ ...KPR, encryption: CiliumEncryption.ipsec(), extraValues: { cni: { chainingMode: 'portmap', chainingTarget: '' } } }).cilium.values.cni)
        .toEqual({ chainingMode: 'portmap', chainingTarget: '' });
    });

    test('unknown and unlisted modes are not refused as such: with a target or a supplied configuration they pass through as given', () => {
      for (const cni of [
        { chainingMode: 'generic-veth', customConf: true, configMap: 'cni-configuration' },
        { chainingMode: 'terway', chainingTarget: 'terway' },
        { chainingMode: 'generic-device', readCniConf: '/host/etc/cni/net.d/05-sample.conflist.input' },
        { chainingTarget: 'k8s-pod-network' },
      ]) {
        const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), encryption: CiliumEncryption.none(), extraValues: { cni } });
        const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
        expect(cilium.values.cni).toEqual(cni);
        expect(released.cni).toEqual(cni);
      }
    });
  });

  describe('IPsec limitations (docs.cilium.io "IPsec Transparent Encryption")', () => {
    const V6 = { ipFamilies: [IpFamily.IPV6], podCidrs: ['fd00:10:244::/56'], serviceCidrs: ['fd00:10:96::/112'] };
    const DUAL = { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] };

    test('on an IPv6-only cluster IPsec is refused, typed or through extraValues', () => {
      expect(() => build({ ...KPR, encryption: CiliumEncryption.ipsec() }, V6)).toThrow('[platform/cilium] encryption: IPsec encryption is not supported on '
        + 'IPv6-only clusters (docs.cilium.io "IPsec Transparent Encryption", limitations): use CiliumEncryption.wireguard()');
      expect(() => build({ ...KPR, extraValues: { encryption: { type: 'ipsec' } } }, V6)).toThrow('[platform/cilium] extraValues.encryption.type: IPsec encryption is not supported on IPv6-only');
    });

    test('dual-stack and IPv4 clusters keep IPsec; WireGuard on IPv6-only is accepted', () => {
      for (const cluster of [DUAL, {}]) {
        const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), encryption: CiliumEncryption.ipsec() }, cluster);
        const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
        for (const v of [cilium.values, released]) expect(v.encryption).toEqual({ enabled: true, type: 'ipsec', ipsec: { secretName: 'cilium-ipsec-keys' } });
      }
      expect(build({ ...KPR }, V6).cilium.values.encryption).toEqual({ enabled: true, type: 'wireguard' });
    });

    test('IPsec with the L7 proxy and the DNS proxy out of transparent mode is refused (the agent will not start); without the L7 proxy it is accepted', () => {
      expect(() => build({ ...KPR, encryption: CiliumEncryption.ipsec(), extraValues: { dnsProxy: { enableTransparentMode: false } } })).toThrow(
        '[platform/cilium] extraValues.dnsProxy.enableTransparentMode: IPsec with the L7 proxy needs the DNS proxy in transparent mode: the Cilium agent '
        + 'refuses to start otherwise (docs.cilium.io "IPsec Transparent Encryption", dependencies). Leave it on, or turn the L7 proxy off (l7Proxy: false)');
      for (const extraValues of [
        { dnsProxy: { enableTransparentMode: false }, l7Proxy: false },
        { dnsProxy: { enableTransparentMode: false }, extraConfig: { 'dnsproxy-insecure-skip-transparent-mode-check': 'true' } },
        { dnsProxy: { enableTransparentMode: true } },
      ]) {
        const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), encryption: CiliumEncryption.ipsec(), extraValues });
        const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
        for (const v of [cilium.values, released]) expect(v.dnsProxy).toEqual(extraValues.dnsProxy);
      }
      const opaque = { dnsProxy: { enableTransparentMode: false } };
      expect(build({ ...KPR, extraValues: opaque }).cilium.values.dnsProxy).toEqual({ enableTransparentMode: false });
    });

    test('the host firewall with IPsec is refused (host policies are not supported with IPsec); with WireGuard it is accepted', () => {
      expect(() => build({ ...KPR, encryption: CiliumEncryption.ipsec(), extraValues: { hostFirewall: { enabled: true } } })).toThrow(
        '[platform/cilium] extraValues.hostFirewall.enabled: host policies (the host firewall) are not supported with IPsec encryption '
        + '(docs.cilium.io "IPsec Transparent Encryption", limitations): use CiliumEncryption.wireguard(), or leave the host firewall off');
      expect(build({ ...KPR, extraValues: { hostFirewall: { enabled: true } } }).cilium.values.hostFirewall).toEqual({ enabled: true });
    });
  });

  test('an IPsec key Secret name no Secret can have is refused (the agents would wait for the volume forever)', () => {
    expect(() => build({ ...KPR, encryption: CiliumEncryption.ipsec({ secretName: 'IPsec_Keys' }) })).toThrow(
      "[platform/cilium] encryption.secretName: 'IPsec_Keys' is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', at most 253 characters)");
    expect(build({ ...KPR, encryption: CiliumEncryption.ipsec({ secretName: 'ipsec.keys-2' }) }).cilium.values.encryption.ipsec).toEqual({ secretName: 'ipsec.keys-2' });
  });

  test('the IPsec key Secret name and the Hubble issuer name are checked on the merged values: extraValues cannot bring back a name no object can have', () => {
    for (const secretName of ['IPsec_Keys', '']) {
      expect(() => build({ ...KPR, encryption: CiliumEncryption.ipsec(), extraValues: { encryption: { ipsec: { secretName } } } })).toThrow(
        `[platform/cilium] extraValues.encryption.ipsec.secretName: ${JSON.stringify(secretName)} is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', `
        + 'at most 253 characters): no Secret can have that name, so the Cilium agents never get their IPsec keys');
    }
    expect(() => build({ ...KPR, extraValues: { encryption: { type: 'ipsec', ipsec: { secretName: 'Keys' } } } }))
      .toThrow('[platform/cilium] extraValues.encryption.ipsec.secretName: "Keys" is not a valid DNS-1123 subdomain');
    const hubble = { tlsMethod: HubbleTlsMethod.CERT_MANAGER, certManagerIssuer: { name: 'ca' } };
    expect(() => build({ ...KPR, hubble, extraValues: { hubble: { tls: { auto: { certManagerIssuerRef: { name: 'My CA' } } } } } })).toThrow(
      '[platform/cilium] extraValues.hubble.tls.auto.certManagerIssuerRef.name: "My CA" is not a valid DNS-1123 subdomain (lower-case alphanumerics, \'-\' and \'.\', '
      + 'at most 253 characters): no issuer can have that name, so the Hubble certificates are never issued');
    const extraValues = { encryption: { ipsec: { secretName: 'ipsec-keys.v2' } }, hubble: { tls: { auto: { certManagerIssuerRef: { name: 'cluster-ca.v2' } } } } };
    const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), encryption: CiliumEncryption.ipsec(), hubble, extraValues });
    const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
    for (const v of [cilium.values, released]) {
      expect(v.encryption).toEqual({ enabled: true, type: 'ipsec', ipsec: { secretName: 'ipsec-keys.v2' } });
      expect(v.hubble.tls.auto.certManagerIssuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'cluster-ca.v2' });
    }
  });

  test('with Argo CD the API server address can come from k8sServiceHostRef instead of auto (chart: mutually exclusive with k8sServiceHost)', () => {
    expect(() => build({ k8sServiceHost: 'auto', delivery: Delivery.argoCd() })).toThrow('Give the API server host and port, or (through extraValues, without '
      + 'k8sServiceHost) k8sServiceHostRef naming a ConfigMap that holds it (cilium/cilium#35094)');
    const ref = { name: 'kube-apiserver-endpoint', key: 'host' };
    const { app } = build({ delivery: Delivery.argoCd(), extraValues: { k8sServiceHostRef: ref } });
    const values = find(synthAppValid(app).all, 'Application', 'cilium', 'argocd').spec.source.helm.valuesObject;
    expect([values.k8sServiceHost, values.k8sServiceHostRef]).toEqual([undefined, ref]);
  });

  test('a Hubble cert-manager issuer of the cert-manager.io group must be an Issuer or ClusterIssuer with a valid name; external issuers keep their kind', () => {
    const hubble = (certManagerIssuer: any) => ({ tlsMethod: HubbleTlsMethod.CERT_MANAGER, certManagerIssuer });
    expect(() => build({ ...KPR, hubble: hubble({ name: 'ca', kind: 'CertificateAuthority' }) })).toThrow('[platform/cilium] hubble.certManagerIssuer: '
      + '"CertificateAuthority" is not a cert-manager.io issuer kind (Issuer or ClusterIssuer); cert-manager refuses the Hubble Certificates. For an external issuer, set its group too');
    expect(() => build({ ...KPR, hubble: hubble({ name: 'ca' }), extraValues: { hubble: { tls: { auto: { certManagerIssuerRef: { kind: 'AWSPCAClusterIssuer' } } } } } }))
      .toThrow('[platform/cilium] extraValues.hubble.tls.auto.certManagerIssuerRef.kind: "AWSPCAClusterIssuer" is not a cert-manager.io issuer kind');
    expect(() => build({ ...KPR, hubble: hubble({ name: 'My CA' }) })).toThrow("[platform/cilium] hubble.certManagerIssuer.name: 'My CA' is not a valid DNS-1123 subdomain");
    const { app, cilium } = build({ ...KPR, delivery: Delivery.flux(), hubble: hubble({ name: 'pca', kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' }) });
    const released = find(synthAppValid(app).all, 'HelmRelease', 'cilium', 'flux-system').spec.values;
    for (const v of [cilium.values, released]) {
      expect(v.hubble.tls.auto).toEqual({ method: 'certmanager', certManagerIssuerRef: { group: 'awspca.cert-manager.io', kind: 'AWSPCAClusterIssuer', name: 'pca' } });
    }
    expect(build({ ...KPR, hubble: hubble({ name: 'ca', kind: 'Issuer' }) }).cilium.values.hubble.tls.auto.certManagerIssuerRef)
      .toEqual({ group: 'cert-manager.io', kind: 'Issuer', name: 'ca' });
  });

  test('k8sServiceHost auto with Argo CD is refused (the chart resolves it with Helm lookup, which helm template cannot do); Flux and manifests only keep it', () => {
    const refused = "'auto' is resolved by the chart with Helm's lookup of the cluster-info ConfigMap at render time, which Argo CD (helm template) cannot do: "
      + 'the agents would get no API server address. Give the API server host and port';
    expect(() => build({ k8sServiceHost: 'auto', delivery: Delivery.argoCd() })).toThrow(`[platform/cilium] k8sServiceHost: ${refused}`);
    expect(() => build({ ...KPR, delivery: Delivery.argoCd(), extraValues: { k8sServiceHost: 'auto' } })).toThrow(`[platform/cilium] extraValues.k8sServiceHost: ${refused}`);
    for (const delivery of [Delivery.flux(), Delivery.manifestsOnly()]) {
      const { app, cilium } = build({ k8sServiceHost: 'auto', delivery });
      synthAppValid(app);
      expect([cilium.values.k8sServiceHost, cilium.values.k8sServicePort]).toEqual(['auto', undefined]);
    }
    const { app } = build({ ...KPR, delivery: Delivery.argoCd() });
    expect(find(synthAppValid(app).all, 'Application', 'cilium', 'argocd').spec.source.helm.valuesObject.k8sServiceHost).toBe('10.0.0.1');
  });

  test('the encryption factories refuse options that are not an object', () => {
    expect(() => CiliumEncryption.wireguard('strict' as any)).toThrow("[CiliumEncryption.wireguard] options: must be an object of options (or omitted), got the string 'strict'");
    expect(() => CiliumEncryption.ipsec([] as any)).toThrow('[CiliumEncryption.ipsec] options: must be an object of options (or omitted), got an array of 0');
  });

  test('a ClusterNetwork naming another CNI is an error', () => {
    expect(() => build(KPR, {}, Cni.calico())).toThrow(
      "[platform/cilium] ClusterNetwork.cni: the ClusterNetwork 'platform/cluster' names the CNI 'calico', but a CiliumInstall installs cilium: declare Cni.cilium()");
  });
});
