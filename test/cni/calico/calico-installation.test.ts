/**
 * CalicoInstallation: the exact operator.tigera.io/v1 and projectcalico.org/v3 objects, the GitOps
 * steps they land in, and every invalid combination as a named error.
 * Ground truth: NETWORKING-FACTS.md "Calico (tigera-operator, v3.32.1)" and "GitOps delivery".
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import {
  CalicoCrdMode, CalicoDataplane, CalicoEncapsulation, CalicoInstallation, CalicoKubernetesProvider, CalicoInstallationProps,
  CalicoNodeAddressAutodetection, ClusterNetwork, ClusterNetworkProps, Cni, Delivery, IpFamily, KubeProxyMode, Peer, RuleAction, TenantIsolation,
  TrafficPolicy, tigera,
} from '../../../src';
import { find, ofKind, synthAppValid } from '../../support/synth';

const WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

function build(props: CalicoInstallationProps = {}, cluster: Omit<ClusterNetworkProps, 'cni'> = {}, cni = Cni.calico()) {
  const app = Testing.app();
  const chart = new Chart(app, 'platform');
  new ClusterNetwork(chart, 'cluster', { cni, ...cluster });
  const calico = new CalicoInstallation(chart, 'calico', props);
  return { app, chart, calico };
}

const DEFAULT_POOL = {
  name: 'default-ipv4-ippool', cidr: '10.244.0.0/16', blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()',
};

describe('CalicoInstallation objects', () => {
  test('zero-config (manifests only): Installation and APIServer default in one step; a pool per pod CIDR with the seeds\' defaults', () => {
    const { app, calico } = build();
    const { byChart } = synthAppValid(app);
    expect(Object.keys(byChart)).toEqual(['calico-resources', 'platform']);
    expect(byChart['calico-resources']).toEqual([
      {
        apiVersion: 'operator.tigera.io/v1',
        kind: 'Installation',
        metadata: { name: 'default' },
        spec: { calicoNetwork: { bgp: 'Disabled', ipPools: [DEFAULT_POOL], linuxDataplane: 'Iptables' } },
      },
      { apiVersion: 'operator.tigera.io/v1', kind: 'APIServer', metadata: { name: 'default' }, spec: {} },
    ]);
    expect(byChart.platform).toEqual([]);
    expect(calico.felixConfiguration).toBeUndefined();
    expect(calico.stepCharts.map((c) => c.node.id)).toEqual(['calico-resources']);
  });

  test('natOutgoing is the CRD enum, never the seed\'s boolean', () => {
    const { app } = build({ ipPools: [{ cidr: '10.244.0.0/17', natOutgoing: false }, { cidr: '10.244.128.0/17' }] });
    const pools = find(synthAppValid(app).all, 'Installation', 'default').spec.calicoNetwork.ipPools;
    expect(pools.map((p: any) => [p.name, p.natOutgoing])).toEqual([['default-ipv4-ippool', 'Disabled'], ['ipv4-ippool-2', 'Enabled']]);
  });

  test('dual stack, WireGuard, Goldmane and Whisker: a pool per family, FelixConfiguration for both families after the APIServer', () => {
    const { app } = build({ wireguard: true, goldmane: true, whisker: true },
      { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] });
    const { byChart } = synthAppValid(app);
    expect(Object.keys(byChart)).toEqual(['calico-resources', 'calico-config', 'platform']);
    expect(byChart['calico-resources'].map((o) => o.kind)).toEqual(['Installation', 'APIServer', 'Goldmane', 'Whisker']);
    expect(find(byChart['calico-resources'], 'Installation', 'default').spec.calicoNetwork.ipPools).toEqual([
      DEFAULT_POOL,
      { name: 'default-ipv6-ippool', cidr: 'fd00:10:244::/56', blockSize: 122, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' },
    ]);
    expect(byChart['calico-config']).toEqual([{
      apiVersion: 'projectcalico.org/v3',
      kind: 'FelixConfiguration',
      metadata: { name: 'default' },
      spec: { wireguardEnabled: true, wireguardEnabledV6: true },
    }]);
  });

  test('BGP: IPIP pools allowed, BGPConfiguration default with AS, mesh and advertised service CIDRs', () => {
    const { app, calico } = build({
      bgp: true,
      ipPools: [{ cidr: '10.244.0.0/16', encapsulation: CalicoEncapsulation.IPIP_CROSS_SUBNET, blockSize: 24 }],
      bgpConfiguration: { asNumber: 65010, nodeToNodeMesh: false, advertiseServiceCidrs: true },
    });
    const { byChart } = synthAppValid(app);
    expect(calico.installationSpec.calicoNetwork.bgp).toBe('Enabled');
    expect(byChart['calico-config']).toEqual([{
      apiVersion: 'projectcalico.org/v3',
      kind: 'BGPConfiguration',
      metadata: { name: 'default' },
      spec: { asNumber: 65010, nodeToNodeMeshEnabled: false, serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] },
    }]);
  });

  test('eBPF with the operator bootstrapping API access and managing kube-proxy (custom-resources-bpf.yaml)', () => {
    const { app } = build({
      dataplane: CalicoDataplane.BPF,
      operatorManagesKubeProxy: true,
      nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.kubernetesInternalIp(),
      mtu: 1450,
    }, { kubeProxyMode: KubeProxyMode.REPLACED });
    expect(find(synthAppValid(app).all, 'Installation', 'default').spec.calicoNetwork).toEqual({
      bgp: 'Disabled',
      ipPools: [DEFAULT_POOL],
      linuxDataplane: 'BPF',
      bpfNetworkBootstrap: 'Enabled',
      kubeProxyManagement: 'Enabled',
      nodeAddressAutodetectionV4: { kubernetes: 'NodeInternalIP' },
      mtu: 1450,
    });
  });

  test('eBPF with the kubernetes-services-endpoint ConfigMap (manifests only: with the operator\'s resources)', () => {
    const { app } = build({
      dataplane: CalicoDataplane.BPF,
      kubernetesServiceEndpoint: { host: '10.0.0.10' },
      nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.interfaceName('ens.*'),
    }, { kubeProxyMode: KubeProxyMode.REPLACED });
    const { byChart } = synthAppValid(app);
    expect(find(byChart['calico-resources'], 'ConfigMap', 'kubernetes-services-endpoint', 'tigera-operator').data)
      .toEqual({ KUBERNETES_SERVICE_HOST: '10.0.0.10', KUBERNETES_SERVICE_PORT: '6443' });
    const network = find(byChart['calico-resources'], 'Installation', 'default').spec.calicoNetwork;
    expect(network.bpfNetworkBootstrap).toBeUndefined();
    expect(network.nodeAddressAutodetectionV4).toEqual({ interface: 'ens.*' });
  });

  test('installationOverrides: typed upstream fields merge over the typed props and are emitted', () => {
    const { app } = build({
      installationOverrides: {
        calicoNetwork: {
          hostPorts: tigera.InstallationSpecCalicoNetworkHostPorts.DISABLED,
          containerIpForwarding: tigera.InstallationSpecCalicoNetworkContainerIpForwarding.ENABLED,
        },
        controlPlaneReplicas: 3,
      },
    });
    const spec = find(synthAppValid(app).all, 'Installation', 'default').spec;
    expect(spec).toEqual({
      calicoNetwork: { bgp: 'Disabled', containerIPForwarding: 'Enabled', hostPorts: 'Disabled', ipPools: [DEFAULT_POOL], linuxDataplane: 'Iptables' },
      controlPlaneReplicas: 3,
    });
  });
});

describe('CalicoInstallation GitOps steps', () => {
  test('Flux: CRD chart, then the operator chart (dependsOn), then its CRs, then the v3 config, then the charts using the Calico API', () => {
    const { app, chart } = build({ delivery: Delivery.flux(), wireguard: true });
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    const { byChart } = synthAppValid(app);
    expect(Object.keys(byChart)).toEqual(['calico-operator', 'calico-resources', 'calico-config', 'platform']);
    const operator = byChart['calico-operator'];
    expect(operator.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/tigera-operator', 'HelmRepository/projectcalico', 'HelmRelease/calico-crds', 'HelmRelease/tigera-operator',
    ]);
    expect(find(operator, 'Namespace', 'tigera-operator').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(find(operator, 'HelmRepository', 'projectcalico', 'flux-system').spec).toEqual({ url: 'https://docs.tigera.io/calico/charts', interval: '1h' });
    const crds = find(operator, 'HelmRelease', 'calico-crds', 'flux-system');
    expect(crds.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
    expect(crds.spec).toEqual({
      interval: '1h',
      releaseName: 'calico-crds',
      targetNamespace: 'tigera-operator',
      chart: { spec: { chart: 'crd.projectcalico.org.v1', version: 'v3.32.1', interval: '1h', sourceRef: { kind: 'HelmRepository', name: 'projectcalico', namespace: 'flux-system' } } },
      install: { crds: 'CreateReplace', remediation: { retries: 3 } },
      upgrade: { crds: 'CreateReplace', remediation: { retries: 3 } },
    });
    const op = find(operator, 'HelmRelease', 'tigera-operator', 'flux-system');
    expect(op.spec.dependsOn).toEqual([{ name: 'calico-crds' }]);
    expect(op.spec.releaseName).toBe('calico');
    const off = { enabled: false };
    expect(op.spec.values).toEqual({ installation: off, apiServer: off, goldmane: off, whisker: off });
    expect(byChart['calico-resources'].map((o) => o.kind)).toEqual(['Installation', 'APIServer']);
    expect(byChart['calico-config'].map((o) => o.kind)).toEqual(['FelixConfiguration']);
    // The guard rails TenantIsolation emits come in the last file, after the Calico API server exists.
    expect(byChart.platform.filter((o) => o.apiVersion === 'projectcalico.org/v3').map((o) => o.kind)).toEqual(['Tier', 'NetworkPolicy', 'GlobalNetworkPolicy']);
  });

  test('Flux: a sibling chart with Calico policies, declared before the install, is ordered after it too', () => {
    const app = Testing.app();
    const tenants = new Chart(app, 'tenants');
    new ClusterNetwork(app, 'cluster', { cni: Cni.calico() });
    new TenantIsolation(tenants, 'tenants', { tenants: ['acme'] });
    const platform = new Chart(app, 'platform');
    new CalicoInstallation(platform, 'calico', { delivery: Delivery.flux() });
    app.synthYaml();
    expect(app.charts.map((c) => c.node.id)).toEqual(['calico-operator', 'calico-resources', 'tenants', 'platform']);
  });

  test('Argo CD: sync waves order namespace < CRD chart < operator chart < operator CRs < Tiers < Calico policies; CRDs applied server-side', () => {
    const { app, chart } = build({ delivery: Delivery.argoCd(), wireguard: true });
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    const { all } = synthAppValid(app);
    const wave = (kind: string, name: string) => Number(find(all, kind, name).metadata.annotations[WAVE]);
    expect([
      wave('Namespace', 'tigera-operator'), wave('Application', 'calico-crds'), wave('Application', 'tigera-operator'), wave('Installation', 'default'),
      wave('APIServer', 'default'), wave('FelixConfiguration', 'default'), wave('Tier', 'platform-guardrails'),
      wave('GlobalNetworkPolicy', 'tenant-isolation-acme'),
    ]).toEqual([-40, -30, -20, -10, -10, 10, 10, 11]);
    // Objects of an API that does not exist at dry-run time are not dry-run; core objects are.
    for (const o of all) {
      const skip = (o.metadata.annotations?.[SYNC_OPTIONS] ?? '').includes('SkipDryRunOnMissingResource=true');
      expect([o.kind, skip]).toEqual([o.kind, o.apiVersion.startsWith('projectcalico.org/') || o.apiVersion.startsWith('operator.tigera.io/')]);
    }
    expect(find(all, 'Namespace', 'acme').metadata.annotations).toBeUndefined();
    const crds = find(all, 'Application', 'calico-crds', 'argocd');
    expect(crds.spec).toEqual({
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'tigera-operator' },
      source: { repoURL: 'https://docs.tigera.io/calico/charts', chart: 'crd.projectcalico.org.v1', targetRevision: 'v3.32.1', helm: { releaseName: 'calico-crds' } },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    });
    expect(find(all, 'Application', 'tigera-operator', 'argocd').spec.source.helm.valuesObject.installation).toEqual({ enabled: false });
  });

  test('Argo CD: a wave the user set on a Calico object is kept, other sync options are kept', () => {
    const { app, chart } = build({ delivery: Delivery.argoCd() });
    const tenants = new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    void tenants;
    const tier = chart.node.findAll().find((c: any) => c.kind === 'Tier') as any;
    tier.metadata.addAnnotation(WAVE, '5');
    tier.metadata.addAnnotation(SYNC_OPTIONS, 'Prune=false');
    const found = find(synthAppValid(app).all, 'Tier', 'platform-guardrails');
    expect(found.metadata.annotations).toEqual({ [WAVE]: '5', [SYNC_OPTIONS]: 'Prune=false,SkipDryRunOnMissingResource=true' });
  });

  test('the chart version and repository are overridable; Flux OCI repositories use an OCIRepository + chartRef', () => {
    const { app } = build({ delivery: Delivery.flux({ namespace: 'flux', interval: '10m' }), version: 'v3.32.2', chartRepository: 'oci://quay.io/tigera/charts' });
    const operator = synthAppValid(app).byChart['calico-operator'];
    expect(find(operator, 'OCIRepository', 'calico-crds', 'flux').spec).toEqual({ url: 'oci://quay.io/tigera/charts/crd.projectcalico.org.v1', interval: '10m', ref: { tag: 'v3.32.2' } });
    expect(find(operator, 'HelmRelease', 'calico-crds', 'flux').spec.chartRef).toEqual({ kind: 'OCIRepository', name: 'calico-crds', namespace: 'flux' });
    expect(operator.filter((o) => o.kind === 'HelmRepository')).toEqual([]);
  });

  test('Argo CD with an OCI registry: the native OCI source (repoURL oci://<registry>/<chart>, path ., no chart), values and waves unchanged', () => {
    const { app } = build({ delivery: Delivery.argoCd(), chartRepository: 'oci://quay.io/tigera/charts/' });
    const operator = synthAppValid(app).byChart['calico-operator'];
    expect(find(operator, 'Application', 'calico-crds', 'argocd').spec.source).toEqual({
      repoURL: 'oci://quay.io/tigera/charts/crd.projectcalico.org.v1', path: '.', targetRevision: 'v3.32.1', helm: { releaseName: 'calico-crds' },
    });
    const op = find(operator, 'Application', 'tigera-operator', 'argocd');
    expect(op.spec.source).toEqual({
      repoURL: 'oci://quay.io/tigera/charts/tigera-operator',
      path: '.',
      targetRevision: 'v3.32.1',
      helm: { releaseName: 'calico', valuesObject: { installation: { enabled: false }, apiServer: { enabled: false }, goldmane: { enabled: false }, whisker: { enabled: false } } },
    });
    expect(op.metadata.annotations[WAVE]).toBe('-20');
  });

  test('byte-identical synth, twice', () => {
    const yaml = () => {
      const { app, chart } = build({ delivery: Delivery.argoCd(), wireguard: true, bgp: true });
      new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'] });
      return app.synthYaml();
    };
    expect(yaml()).toBe(yaml());
  });
});

describe('CalicoInstallation named errors', () => {
  const dual = { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] };
  test.each<[string, CalicoInstallationProps, Omit<ClusterNetworkProps, 'cni'>, RegExp]>([
    ['pod/service CIDR overlap', {}, { podCidrs: ['10.96.0.0/16'], serviceCidrs: ['10.96.0.0/12'] }, /\[platform\/calico\] ClusterNetwork\.podCidrs: pod CIDR 10\.96\.0\.0\/16 overlaps the service CIDR 10\.96\.0\.0\/12/],
    ['overlapping pools', { ipPools: [{ cidr: '10.244.0.0/17' }, { cidr: '10.244.64.0/18' }] }, {}, /ipPools\[1\]\.cidr: '10\.244\.64\.0\/18' overlaps ipPools\[0\]/],
    ['pool outside the pod CIDRs', { ipPools: [{ cidr: '192.168.0.0/16' }] }, {}, /ipPools\[0\]\.cidr: '192\.168\.0\.0\/16' is outside the cluster's pod CIDRs \[10\.244\.0\.0\/16\]/],
    ['IPIP without BGP', { ipPools: [{ cidr: '10.244.0.0/16', encapsulation: CalicoEncapsulation.IPIP }] }, {}, /ipPools\[0\]\.encapsulation: IPIP needs BGP to distribute routes, but BGP is disabled/],
    ['None without BGP', { ipPools: [{ cidr: '10.244.0.0/16', encapsulation: CalicoEncapsulation.NONE }] }, {}, /ipPools\[0\]\.encapsulation: None needs BGP/],
    ['IPIP on IPv6', { bgp: true, ipPools: [{ cidr: '10.244.0.0/16' }, { cidr: 'fd00:10:244::/56', encapsulation: CalicoEncapsulation.IPIP }] }, dual, /ipPools\[1\]\.encapsulation: IPIP is not supported on IPv6 pools/],
    ['IPv4 blockSize out of range', { ipPools: [{ cidr: '10.244.0.0/16', blockSize: 33 }] }, {}, /ipPools\[0\]\.blockSize: 33 is outside 20-32/],
    ['IPv4 blockSize below 20', { ipPools: [{ cidr: '10.0.0.0/8', blockSize: 19 }] }, { podCidrs: ['10.0.0.0/8'], serviceCidrs: ['172.20.0.0/16'] }, /ipPools\[0\]\.blockSize: 19 is outside 20-32/],
    ['IPv6 blockSize out of range', { ipPools: [{ cidr: '10.244.0.0/16' }, { cidr: 'fd00:10:244::/56', blockSize: 112 }] }, dual, /ipPools\[1\]\.blockSize: 112 is outside 116-128/],
    ['blocks larger than the pool', { ipPools: [{ cidr: '10.244.0.0/27', blockSize: 26 }] }, {}, /ipPools\[0\]\.blockSize: \/26 blocks do not fit in the \/27 pool/],
    ['IPv6 pool on an IPv4-only cluster', { ipPools: [{ cidr: '10.244.0.0/16' }, { cidr: 'fd00:10:244::/56' }] }, {}, /ipPools\[1\]\.cidr: 'fd00:10:244::\/56' is IPv6, but the cluster's ipFamilies are \[IPv4\]/],
    ['no pool for a cluster family', { ipPools: [{ cidr: '10.244.0.0/16' }] }, dual, /ipPools: no IPv6 pool, but the cluster's ipFamilies include IPv6/],
    ['empty pool list', { ipPools: [] }, {}, /ipPools: must not be empty/],
    ['empty pool list through the overrides (no pool, no pod addresses)', { installationOverrides: { calicoNetwork: { ipPools: [] } } }, {},
      /\[[^\]]*\] installationOverrides\.calicoNetwork\.ipPools: must not be empty: the operator would create no pool/],
    ['BPF without API server access', { dataplane: CalicoDataplane.BPF, nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.firstFound() }, { kubeProxyMode: KubeProxyMode.REPLACED },
      /dataplane: the BPF dataplane replaces kube-proxy, so the operator needs another way to reach the API server/],
    ['BPF with both ConfigMap and bootstrap', {
      dataplane: CalicoDataplane.BPF, operatorManagesKubeProxy: true, kubernetesServiceEndpoint: { host: '10.0.0.10' }, nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.firstFound(),
    }, { kubeProxyMode: KubeProxyMode.REPLACED }, /kubernetesServiceEndpoint: the kubernetes-services-endpoint ConfigMap and bpfNetworkBootstrap: Enabled are mutually exclusive/],
    ['BPF without node address autodetection', { dataplane: CalicoDataplane.BPF, operatorManagesKubeProxy: true }, { kubeProxyMode: KubeProxyMode.REPLACED },
      /nodeAddressAutodetectionV4: the BPF dataplane needs an explicit IPv4 node address autodetection/],
    ['BPF on a cluster that says kube-proxy runs', { dataplane: CalicoDataplane.BPF, operatorManagesKubeProxy: true, nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.firstFound() }, {},
      /dataplane: the BPF dataplane replaces kube-proxy, but the ClusterNetwork says kube-proxy runs in iptables mode/],
    ['kube-proxy replaced without BPF', {}, { kubeProxyMode: KubeProxyMode.REPLACED }, /dataplane: the ClusterNetwork says kube-proxy is replaced, but only Calico's BPF dataplane replaces it/],
    ['ConfigMap without BPF', { kubernetesServiceEndpoint: { host: '10.0.0.10' } }, {}, /kubernetesServiceEndpoint: only applies to the BPF dataplane, not Iptables/],
    ['Whisker without Goldmane', { whisker: true }, {}, /whisker: Whisker shows the flows Goldmane aggregates: set goldmane: true too/],
    ['BGP configuration without BGP', { bgpConfiguration: { asNumber: 65000 } }, {}, /bgpConfiguration: only applies with bgp: true/],
    ['AS number out of range', { bgp: true, bgpConfiguration: { asNumber: 0 } }, {}, /bgpConfiguration\.asNumber: must be an integer from 1 to 4294967295, got the number 0/],
    ['registry without a trailing slash', { registry: 'registry.example.com' }, {}, /registry: 'registry\.example\.com' must end with '\/'/],
    ['MTU out of range', { mtu: 100 }, {}, /mtu: must be an integer from 576 to 9216, got the number 100/],
    ['version not a release', { version: '3.32.1' }, {}, /version: '3\.32\.1' is not a Calico release like 'v3\.32\.1'/],
    ['a string for a boolean (untyped caller)', { wireguard: 'yes' as any }, {}, /\[platform\/calico\] wireguard: must be true or false, got the string 'yes'/],
    ['an unknown encapsulation (untyped caller)', { ipPools: [{ cidr: '10.244.0.0/16', encapsulation: 'vxlan' as any }] }, {}, /ipPools\[0\]\.encapsulation: 'vxlan' is not a CalicoEncapsulation \(one of VXLANCrossSubnet, VXLAN, IPIP, IPIPCrossSubnet, None\)/],
    ['natOutgoing: true in the overrides (the seeds\' mistake)', { installationOverrides: { calicoNetwork: { ipPools: [{ cidr: '10.244.0.0/16', encapsulation: tigera.InstallationSpecCalicoNetworkIpPoolsEncapsulation.VXLAN, natOutgoing: true as any }] } } }, {},
      /installationOverrides\.calicoNetwork\.ipPools\[0\]\.natOutgoing: true must be 'Enabled' or 'Disabled'/],
    ['an unknown override field', { installationOverrides: { calicoNetwork: { ipPool: [] } as any } }, {}, /installationOverrides\.calicoNetwork\.ipPool: is not a field of the pinned CRD schema/],
    ['an override that breaks a rule the typed props kept', { installationOverrides: { calicoNetwork: { linuxDataplane: tigera.InstallationSpecCalicoNetworkLinuxDataplane.BPF } } }, { kubeProxyMode: KubeProxyMode.REPLACED },
      /installationOverrides\.calicoNetwork\.linuxDataplane: the BPF dataplane replaces kube-proxy, so the operator needs another way/],
    ['two autodetection methods in the overrides', { installationOverrides: { calicoNetwork: { nodeAddressAutodetectionV4: { firstFound: true, canReach: '8.8.8.8' } } } }, {},
      /installationOverrides\.calicoNetwork\.nodeAddressAutodetectionV4: sets firstFound and canReach: the operator accepts at most one/],
    // Found by the garbage properties (test/properties/garbage-calico-install.property.test.ts): each crashed or was accepted.
    ['null for delivery (it silently became manifests only)', { delivery: null as any }, {}, /\[platform\/calico\] delivery: must be made with Delivery\.flux\(\), Delivery\.argoCd\(\) or Delivery\.manifestsOnly\(\), got null/],
    ['an undefined pool in ipPools (a TypeError)', { ipPools: [undefined as any] }, {}, /\[platform\/calico\] ipPools\[0\]: must be an object, got undefined/],
    ['a number for an override string (emitted as given)', { installationOverrides: { variant: 5 as any } }, {}, /installationOverrides\.variant: 5 must be 'Calico' or 'TigeraSecureEnterprise'/],
    ['a string for an override object (silently dropped)', { installationOverrides: { calicoNetwork: 'x' as any } }, {}, /installationOverrides\.calicoNetwork: must be an object, got the string 'x'/],
    ['a string for an override list (a TypeError in the generated converter)', { installationOverrides: { calicoNetwork: { ipPools: 'x' as any } } }, {},
      /installationOverrides\.calicoNetwork\.ipPools: must be a list, got the string 'x'/],
    ['a fraction for an override integer (emitted as given)', { installationOverrides: { controlPlaneReplicas: 0.5 } }, {}, /installationOverrides\.controlPlaneReplicas: must be an integer \(int32\), got the number 0\.5/],
    ['a constructor key in an override map (breaks serialization)', { installationOverrides: { controlPlaneNodeSelector: { constructor: 'x' } as any } }, {},
      /installationOverrides\.controlPlaneNodeSelector\.constructor: the key 'constructor' cannot be used/],
  ])('%s', (_name, props, cluster, message) => {
    expect(() => build(props, cluster)).toThrow(message);
  });

  test('a pool nodeSelector that is no Calico selector is refused, typed or through installationOverrides (Calico validates the IPPool\'s selector)', () => {
    expect(() => build({ ipPools: [{ cidr: '10.244.0.0/16', nodeSelector: 'zone' }] })).toThrow('[platform/calico] ipPools[0].nodeSelector: invalid Calico selector '
      + "'zone': expected an operator after label 'zone' (a bare key is not a selector; did you mean has(zone)?) at position 4; Calico refuses the IPPool the operator creates from it");
    expect(() => build({ installationOverrides: { calicoNetwork: { ipPools: [{ cidr: '10.244.0.0/16', encapsulation: tigera.InstallationSpecCalicoNetworkIpPoolsEncapsulation.VXLAN, nodeSelector: "zone == 'a' &&" }] } } }))
      .toThrow("[platform/calico] installationOverrides.calicoNetwork.ipPools[0].nodeSelector: invalid Calico selector 'zone == 'a' &&': unexpected end of selector");
  });

  test('valid pool node selectors are emitted as given', () => {
    const selectors = ['all()', "kubernetes.io/os == 'linux'", "topology.kubernetes.io/zone in {'a', 'b'} && !has(spot)"];
    const { app } = build({ ipPools: selectors.map((nodeSelector, i) => ({ cidr: `10.244.${i * 64}.0/18`, nodeSelector })) });
    const pools = find(synthAppValid(app).all, 'Installation', 'default').spec.calicoNetwork.ipPools;
    expect(pools.map((p: any) => p.nodeSelector)).toEqual(selectors);
  });

  describe('IP pools tigera/operator validates beyond the CRD (ValidatePools)', () => {
    const ZONED = 'has(topology.kubernetes.io/zone)';
    const lbPool = (nodeSelector?: string, allowedUses = ['LoadBalancer']) => ({
      cidr: '192.0.2.0/24', encapsulation: tigera.InstallationSpecCalicoNetworkIpPoolsEncapsulation.NONE, allowedUses, nodeSelector,
    });
    const podPool = { cidr: '10.244.0.0/16', encapsulation: tigera.InstallationSpecCalicoNetworkIpPoolsEncapsulation.VXLAN };
    const withPools = (ipPools: any[]) => build({ bgp: true, installationOverrides: { calicoNetwork: { ipPools } } });

    test('a LoadBalancer pool holds Service addresses: outside the pod CIDRs, alone in its pool, not a pod pool, node selector exactly all()', () => {
      const { app } = withPools([podPool, lbPool()]);
      expect(find(synthAppValid(app).all, 'Installation', 'default').spec.calicoNetwork.ipPools[1])
        .toEqual({ cidr: '192.0.2.0/24', encapsulation: 'None', allowedUses: ['LoadBalancer'] });
      expect(() => withPools([podPool, lbPool('all( )')])).toThrow('[platform/calico] installationOverrides.calicoNetwork.ipPools[1].nodeSelector: "all( )" '
        + 'must be exactly \'all()\' on a LoadBalancer pool (allowedUses): tigera/operator refuses any other node selector there');
      expect(() => withPools([lbPool(undefined, ['LoadBalancer', 'Workload'])])).toThrow('[platform/calico] installationOverrides.calicoNetwork.ipPools[0].allowedUses: '
        + '["LoadBalancer","Workload"]: LoadBalancer cannot be combined with Workload or Tunnel');
      expect(() => withPools([podPool, { ...lbPool(), encapsulation: tigera.InstallationSpecCalicoNetworkIpPoolsEncapsulation.VXLAN }])).toThrow(
        '[platform/calico] installationOverrides.calicoNetwork.ipPools[1].encapsulation: "VXLAN": a LoadBalancer pool must not be encapsulated (tigera/operator): use None');
      expect(() => withPools([podPool, { ...lbPool(), disableBGPExport: true }])).toThrow('[platform/calico] installationOverrides.calicoNetwork.ipPools[1].disableBGPExport: '
        + 'a LoadBalancer pool is announced over BGP: tigera/operator refuses disableBGPExport: true on it');
      expect(() => withPools([lbPool()]))
        .toThrow('[platform/calico] installationOverrides.calicoNetwork.ipPools: no IPv4 pool, but the cluster\'s ipFamilies include IPv4');
    });

    test('the operator\'s pool defaults are what is checked: None encapsulation for IPv6 pools, IPIP (not allowed) for an IPv4 LoadBalancer pool, all() for an empty node selector', () => {
      const v6Pool = { cidr: 'fd00:10:244::/56' };
      const { app } = build({ bgp: true, installationOverrides: { calicoNetwork: { ipPools: [podPool, v6Pool] } } }, dual);
      expect(find(synthAppValid(app).all, 'Installation', 'default').spec.calicoNetwork.ipPools[1]).toEqual(v6Pool);
      expect(() => withPools([podPool, { ...lbPool(), encapsulation: undefined }])).toThrow('[platform/calico] installationOverrides.calicoNetwork.ipPools[1].encapsulation: '
        + '"IPIP" (the operator\'s default here): a LoadBalancer pool must not be encapsulated (tigera/operator): use None');
      for (const nodeSelector of ['', '  ']) {
        const { app: emitted } = withPools([{ ...podPool, nodeSelector }, lbPool(nodeSelector === '' ? '' : undefined)]);
        expect(find(synthAppValid(emitted).all, 'Installation', 'default').spec.calicoNetwork.ipPools[0].nodeSelector).toBe(nodeSelector);
      }
      expect(() => withPools([{ ...podPool, nodeSelector: 7 }]))
        .toThrow('[platform/calico] installationOverrides.calicoNetwork.ipPools[0].nodeSelector: must be a string, got the number 7');
    });

    test('with a CNI plugin other than Calico (cni.type, or the provider\'s default) every pool node selector must be exactly all()', () => {
      expect(() => build({ kubernetesProvider: CalicoKubernetesProvider.EKS, ipPools: [{ cidr: '10.244.0.0/16', nodeSelector: ZONED }] }))
        .toThrow(`[platform/calico] ipPools[0].nodeSelector: "${ZONED}" must be exactly 'all()' with the AmazonVPC CNI plugin (the default cni.type for `
          + 'kubernetesProvider EKS): tigera/operator refuses any other node selector when Calico is not the CNI plugin');
      const azure = { cni: { type: tigera.InstallationSpecCniType.AZURE_VNET } };
      expect(() => build({ ipPools: [{ cidr: '10.244.0.0/16', nodeSelector: ZONED }], installationOverrides: azure }))
        .toThrow(`[platform/calico] ipPools[0].nodeSelector: "${ZONED}" must be exactly 'all()' with the AzureVNET CNI plugin (cni.type)`);
      // The cloud routes pod traffic there: unencapsulated pools need no BGP (the operator checks BGP for Calico IPAM only).
      const unencapsulated = { cidr: '10.244.0.0/16', encapsulation: tigera.InstallationSpecCalicoNetworkIpPoolsEncapsulation.NONE };
      const overrides = { calicoNetwork: { ipPools: [unencapsulated] } };
      const { app: eks } = build({ kubernetesProvider: CalicoKubernetesProvider.EKS, installationOverrides: overrides });
      const eksNetwork = find(synthAppValid(eks).all, 'Installation', 'default').spec.calicoNetwork;
      expect([eksNetwork.bgp, eksNetwork.ipPools]).toEqual(['Disabled', [{ cidr: '10.244.0.0/16', encapsulation: 'None' }]]);
      expect(() => build({ installationOverrides: { calicoNetwork: { ipPools: [unencapsulated] } } }))
        .toThrow('[platform/calico] installationOverrides.calicoNetwork.ipPools[0].encapsulation: None needs BGP to distribute routes, but BGP is disabled');
      // Calico as the CNI (explicit on EKS, or by default) keeps any valid selector.
      const calicoCni = { cni: { type: tigera.InstallationSpecCniType.CALICO } };
      const calicoOnEks = { kubernetesProvider: CalicoKubernetesProvider.EKS, installationOverrides: calicoCni };
      for (const props of [calicoOnEks, { kubernetesProvider: CalicoKubernetesProvider.RKE2 }]) {
        const { app } = build({ ...props, ipPools: [{ cidr: '10.244.0.0/16', nodeSelector: ZONED }] });
        expect(find(synthAppValid(app).all, 'Installation', 'default').spec.calicoNetwork.ipPools[0].nodeSelector).toBe(ZONED);
      }
    });
  });

  test('the kubernetes-services-endpoint host is a host name or IP only: a URL or host:port would leave the operator without an API server', () => {
    const bpf = (host: string) => build({
      dataplane: CalicoDataplane.BPF, kubernetesServiceEndpoint: { host }, nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.firstFound(),
    }, { kubeProxyMode: KubeProxyMode.REPLACED });
    for (const host of ['https://api.example.com', '10.0.0.10:6443', 'api.example.com/', 'api .example.com']) {
      expect(() => bpf(host)).toThrow(`[platform/calico] kubernetesServiceEndpoint.host: '${host}' must be a host name or IP address only `
        + '(no scheme, no port: the port is kubernetesServiceEndpoint.port)');
    }
    for (const host of ['10.0.0.256', '10.1', '010.0.0.10', '167772170']) {
      expect(() => bpf(host)).toThrow(`[platform/calico] kubernetesServiceEndpoint.host: '${host}' is not an IPv4 address (four decimal octets 0-255 `
        + 'without leading zeros) and, being all digits, no host name either');
    }
    // RFC 1035 2.3.4: a label over 63 characters never resolves (Go's resolver refuses it without querying DNS).
    const long = `${'a'.repeat(64)}.example.com`;
    expect(() => bpf(long)).toThrow(`[platform/calico] kubernetesServiceEndpoint.host: '${long}' is no DNS name: its label '${'a'.repeat(64)}' has 64 `
      + 'characters, and DNS carries at most 63 (RFC 1035 2.3.4)');
    for (const host of ['10.0.0.10', 'API.example.com', 'fd00::10', '1password.example.com', 'api.k8s.example.com']) {
      const { app } = bpf(host);
      expect(find(synthAppValid(app).all, 'ConfigMap', 'kubernetes-services-endpoint', 'tigera-operator').data).toEqual({ KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: '6443' });
    }
  });

  test('a ClusterNetwork naming another CNI is an error, whatever the CNI', () => {
    expect(() => build({}, {}, Cni.cilium())).toThrow(
      "[platform/calico] ClusterNetwork.cni: the ClusterNetwork 'platform/cluster' names the CNI 'cilium', but a CalicoInstallation installs calico");
    expect(() => build({}, {}, Cni.kubernetes())).toThrow(/names the CNI 'kubernetes'/);
  });

  test('two installations in one app: the second Installation default is a duplicate', () => {
    const app = new App();
    new ClusterNetwork(app, 'cluster', { cni: Cni.calico() });
    new CalicoInstallation(new Chart(app, 'a'), 'calico-a');
    expect(() => new CalicoInstallation(new Chart(app, 'b'), 'calico-b')).toThrow(/Installation 'default' in the cluster scope is already emitted by 'a\/calico-a'/);
  });

});

describe('an explicit MTU with WireGuard (docs.tigera.io "Configure MTU": network MTU minus 60 for IPv4 WireGuard, minus 80 for IPv6)', () => {
  const DUAL = { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'] };
  const commonMtu = (prop: string, mtu: number, overhead: number) => `[platform/calico] ${prop}: ${mtu} is a common node network MTU `
    + '(1450, 1460, 1500, 9000 and 9001 in docs.tigera.io "Configure MTU"), and the operator gives the WireGuard interface the pod MTU too: '
    + `WireGuard adds a ${overhead}-byte header and sets Don't Fragment, so full-size pod packets would be dropped on a ${mtu}-byte network. `
    + `Use the network MTU minus ${overhead} (${mtu - overhead} on a ${mtu}-byte network), omit mtu for auto-detection, `
    + 'or state the node network\'s MTU with nodeNetworkMtu if it is larger';
  const tooLarge = (mtu: number, overhead: number, network: number) => `[platform/calico] mtu: ${mtu} leaves no room for WireGuard's ${overhead}-byte header `
    + `on the ${network}-byte node network (nodeNetworkMtu): at most ${network - overhead} (WireGuard sets Don't Fragment, so larger pod packets would be dropped)`;
  const mtuOf = (app: App) => find(synthAppValid(app).all, 'Installation', 'default').spec.calicoNetwork.mtu;

  test.each<[string, CalicoInstallationProps, Omit<ClusterNetworkProps, 'cni'>, string]>([
    ['the NIC MTU copied (IPv4)', { wireguard: true, mtu: 1500 }, {}, commonMtu('mtu', 1500, 60)],
    ['the VXLAN value of a 1500-byte network kept after turning WireGuard on', { wireguard: true, mtu: 1450 }, {}, commonMtu('mtu', 1450, 60)],
    ['a jumbo NIC MTU on a dual-stack cluster (IPv6 WireGuard: 80 bytes)', { wireguard: true, mtu: 9000 }, DUAL, commonMtu('mtu', 9000, 80)],
    ['the NIC MTU through the overrides', { wireguard: true, installationOverrides: { calicoNetwork: { mtu: 1500 } } }, {},
      commonMtu('installationOverrides.calicoNetwork.mtu', 1500, 60)],
    ['above the stated network MTU minus 60 (IPv4)', { wireguard: true, mtu: 1450, nodeNetworkMtu: 1500 }, {}, tooLarge(1450, 60, 1500)],
    ['above the stated network MTU minus 80 (dual stack)', { wireguard: true, mtu: 1440, nodeNetworkMtu: 1500 }, DUAL, tooLarge(1440, 80, 1500)],
    ['AKS: a 1400-byte path under a 1500-byte NIC', { wireguard: true, mtu: 1400, nodeNetworkMtu: 1400 }, {}, tooLarge(1400, 60, 1400)],
    ['nodeNetworkMtu without an explicit mtu', { wireguard: true, nodeNetworkMtu: 1500 }, {},
      '[platform/calico] nodeNetworkMtu: only applies with wireguard: true and an explicit mtu (it checks that mtu against WireGuard\'s header; '
      + 'without mtu the operator auto-detects from the node\'s interfaces)'],
    ['nodeNetworkMtu without WireGuard', { mtu: 1450, nodeNetworkMtu: 1500 }, {},
      '[platform/calico] nodeNetworkMtu: only applies with wireguard: true and an explicit mtu (it checks that mtu against WireGuard\'s header; '
      + 'without mtu the operator auto-detects from the node\'s interfaces)'],
    ['nodeNetworkMtu out of range', { wireguard: true, mtu: 1440, nodeNetworkMtu: 100 }, {}, '[platform/calico] nodeNetworkMtu: must be an integer from 576 to 65535, got the number 100'],
    ['a string for nodeNetworkMtu (untyped caller)', { wireguard: true, mtu: 1440, nodeNetworkMtu: '1500' as any }, {},
      "[platform/calico] nodeNetworkMtu: must be an integer from 576 to 65535, got the string '1500'"],
  ])('refused: %s', (_name, props, cluster, message) => {
    expect(() => build(props, cluster)).toThrow(message);
  });

  test.each<[string, CalicoInstallationProps, Omit<ClusterNetworkProps, 'cni'>, number | undefined]>([
    ['auto-detection (no mtu)', { wireguard: true }, {}, undefined],
    ['the documented IPv4 WireGuard value for a 1500-byte network', { wireguard: true, mtu: 1440 }, {}, 1440],
    ['the documented IPv6 WireGuard value for a 1500-byte network, dual stack', { wireguard: true, mtu: 1420 }, DUAL, 1420],
    ['jumbo frames: 9000 minus 60', { wireguard: true, mtu: 8940 }, {}, 8940],
    ['a 9000-byte pod MTU on a stated 9216-byte network', { wireguard: true, mtu: 9000, nodeNetworkMtu: 9216 }, {}, 9000],
    ['exactly the stated network MTU minus 80 (dual stack)', { wireguard: true, mtu: 1420, nodeNetworkMtu: 1500 }, DUAL, 1420],
    ['the NIC MTU without WireGuard (no WireGuard header)', { mtu: 1500 }, {}, 1500],
  ])('accepted: %s', (_name, props, cluster, mtu) => {
    expect(mtuOf(build(props, cluster).app)).toBe(mtu);
  });
});

describe('CalicoNodeAddressAutodetection factories refuse what the operator cannot use', () => {
  // Found by the garbage properties: each was emitted as given.
  test.each<[string, () => unknown, string]>([
    ['a canReach destination that is neither an IP nor a DNS name', () => CalicoNodeAddressAutodetection.canReach('!'),
      "[CalicoNodeAddressAutodetection.canReach] destination: '!' is not an IP address or a DNS name"],
    ['a cidrs entry that is no CIDR', () => CalicoNodeAddressAutodetection.cidrs(['10.0.0.0/8', 'nodes']),
      "[CalicoNodeAddressAutodetection.cidrs] cidrs[1]: invalid CIDR: 'nodes' is not a CIDR"],
    ['an interface regex that does not compile', () => CalicoNodeAddressAutodetection.interfaceName('*'),
      "[CalicoNodeAddressAutodetection.interfaceName] regex: '*' is not a regular expression"],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  test('valid values pass, including an RE2 flag group and an IPv6 destination', () => {
    expect(CalicoNodeAddressAutodetection.skipInterfaceName('(?i)^DOCKER.*')._spec).toEqual({ skipInterface: '(?i)^DOCKER.*' });
    expect(CalicoNodeAddressAutodetection.canReach('2001:db8::1')._spec).toEqual({ canReach: '2001:db8::1' });
    expect(CalicoNodeAddressAutodetection.canReach('gateway.example.com')._spec).toEqual({ canReach: 'gateway.example.com' });
  });
});

test('installationOverrides: an int-or-string field takes the generated class or a plain number or string (JSON callers)', () => {
  const spec = (overrides: any) => find(synthAppValid(build({ installationOverrides: overrides }).app).all, 'Installation', 'default').spec;
  expect(spec({ nodeUpdateStrategy: { rollingUpdate: { maxUnavailable: tigera.InstallationSpecNodeUpdateStrategyRollingUpdateMaxUnavailable.fromString('10%') } } })
    .nodeUpdateStrategy).toEqual({ rollingUpdate: { maxUnavailable: '10%' } });
  expect(spec({ nodeUpdateStrategy: { rollingUpdate: { maxUnavailable: 2 } } }).nodeUpdateStrategy).toEqual({ rollingUpdate: { maxUnavailable: 2 } });
});

test('installationOverrides replace lists whole: a pool list without encapsulation falls back to the operator default IPIP, which needs BGP', () => {
  expect(() => build({ installationOverrides: { calicoNetwork: { ipPools: [{ cidr: '10.244.0.0/16' }] } } })).toThrow(
    /installationOverrides\.calicoNetwork\.ipPools\[0\]\.encapsulation: IPIP needs BGP/);
});

test('a projectcalico.org/v3 IPPool named like an operator-managed pool is an error at synth', () => {
  const { app, chart } = build();
  new ApiObject(chart, 'pool', { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' }, spec: { cidr: '10.244.0.0/16' } });
  expect(() => app.synthYaml()).toThrow(/\[platform\/calico\] IPPool 'default-ipv4-ippool' \(platform\/pool\) has the name of a pool the operator manages/);
});

/**
 * Native v3 CRD mode (Calico 3.32 tech preview). Ground truth: NETWORKING-FACTS.md, Calico "How
 * projectcalico.org/v3 is served in 3.32" (chart `projectcalico.org.v3` instead of
 * `crd.projectcalico.org.v1`, never both; APIServer CR still needed; Kubernetes >= 1.34; on 1.36 the
 * chart is rendered with the v1 MutatingAdmissionPolicy API version) and the ClusterNetworkPolicy
 * row (not shipped in v3_projectcalico_org.yaml); "GitOps delivery" (Argo CD `source.helm.apiVersions`).
 */
describe('CalicoInstallation native v3 CRD mode', () => {
  const MAP_V1 = 'admissionregistration.k8s.io/v1/MutatingAdmissionPolicy';
  const native = (kubernetesVersion: string, props: CalicoInstallationProps = {}) =>
    build({ crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion, ...props }, {}, Cni.calico({ nativeV3Crds: true }));
  /** Synthesize with the synth-time validations (app.synthYaml runs them), then every object strictly validated. */
  const synth = (app: App) => {
    app.synthYaml();
    return synthAppValid(app);
  };
  const charts = (all: any[]) => [...ofKind(all, 'HelmRelease').map((r) => r.spec.chart.spec.chart), ...ofKind(all, 'Application').map((a) => a.spec.source.chart)];

  test('the default mode is the API server mode: crd.projectcalico.org.v1 chart, no kubernetesVersion needed', () => {
    const { app, calico } = build({ delivery: Delivery.flux() });
    expect(calico.crdMode).toBe(CalicoCrdMode.API_SERVER);
    expect(charts(synth(app).all)).toEqual(['crd.projectcalico.org.v1', 'tigera-operator']);
    const explicit = build({ delivery: Delivery.flux(), crdMode: CalicoCrdMode.API_SERVER });
    expect(explicit.app.synthYaml()).toBe(build({ delivery: Delivery.flux() }).app.synthYaml());
  });

  test('Flux: the projectcalico.org.v3 chart (own release) instead of crd.projectcalico.org.v1, the operator depends on it; APIServer still emitted', () => {
    const { app, calico } = native('1.36', { delivery: Delivery.flux(), wireguard: true });
    const { byChart, all } = synth(app);
    expect(calico.crdMode).toBe(CalicoCrdMode.NATIVE_V3);
    expect(Object.keys(byChart)).toEqual(['calico-operator', 'calico-resources', 'calico-config', 'platform']);
    const operator = byChart['calico-operator'];
    expect(operator.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/tigera-operator', 'HelmRepository/projectcalico', 'HelmRelease/calico-v3-crds', 'HelmRelease/tigera-operator',
    ]);
    expect(find(operator, 'HelmRelease', 'calico-v3-crds', 'flux-system').spec).toEqual({
      interval: '1h',
      releaseName: 'calico-v3-crds',
      targetNamespace: 'tigera-operator',
      chart: { spec: { chart: 'projectcalico.org.v3', version: 'v3.32.1', interval: '1h', sourceRef: { kind: 'HelmRepository', name: 'projectcalico', namespace: 'flux-system' } } },
      install: { crds: 'CreateReplace', remediation: { retries: 3 } },
      upgrade: { crds: 'CreateReplace', remediation: { retries: 3 } },
    });
    const op = find(operator, 'HelmRelease', 'tigera-operator', 'flux-system');
    expect(op.spec.dependsOn).toEqual([{ name: 'calico-v3-crds' }]);
    expect(op.spec.chart.spec.chart).toBe('tigera-operator');
    // Never both CRD charts; Flux renders against the cluster, so no API versions are pinned anywhere.
    expect(charts(all)).toEqual(['projectcalico.org.v3', 'tigera-operator']);
    expect(JSON.stringify(all)).not.toContain('MutatingAdmissionPolicy');
    expect(byChart['calico-resources']).toEqual([
      { apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { calicoNetwork: { bgp: 'Disabled', ipPools: [DEFAULT_POOL], linuxDataplane: 'Iptables' } } },
      { apiVersion: 'operator.tigera.io/v1', kind: 'APIServer', metadata: { name: 'default' }, spec: {} },
    ]);
    expect(byChart['calico-config'].map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(['projectcalico.org/v3 FelixConfiguration']);
  });

  test('Argo CD on Kubernetes 1.36: the CRD Application renders with the v1 MutatingAdmissionPolicy API version, waves unchanged', () => {
    const { app, chart } = native('1.36', { delivery: Delivery.argoCd() });
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    const { all } = synth(app);
    const crds = find(all, 'Application', 'calico-v3-crds', 'argocd');
    expect(crds.metadata.annotations).toEqual({ [WAVE]: '-30' });
    expect(crds.spec).toEqual({
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'tigera-operator' },
      source: {
        repoURL: 'https://docs.tigera.io/calico/charts',
        chart: 'projectcalico.org.v3',
        targetRevision: 'v3.32.1',
        helm: { releaseName: 'calico-v3-crds', apiVersions: [MAP_V1] },
      },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['ServerSideApply=true'],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    });
    const op = find(all, 'Application', 'tigera-operator', 'argocd');
    expect(op.metadata.annotations[WAVE]).toBe('-20');
    expect(op.spec.source.helm).toEqual({
      releaseName: 'calico', valuesObject: { installation: { enabled: false }, apiServer: { enabled: false }, goldmane: { enabled: false }, whisker: { enabled: false } },
    });
    expect(charts(all)).toEqual(['projectcalico.org.v3', 'tigera-operator']);
    const wave = (kind: string, name: string) => find(all, kind, name).metadata.annotations[WAVE];
    expect([wave('APIServer', 'default'), wave('Tier', 'platform-guardrails'), wave('GlobalNetworkPolicy', 'tenant-isolation-acme')]).toEqual(['-10', '10', '11']);
  });

  test.each<[string, string[] | undefined]>([
    ['1.34', undefined],
    ['1.35.3', undefined],
    ['v1.36', [MAP_V1]],
    ['1.36.0', [MAP_V1]],
    ['1.37', [MAP_V1]],
  ])('Argo CD on Kubernetes %s: helm apiVersions %j (MutatingAdmissionPolicy is GA from 1.36)', (version, apiVersions) => {
    const { app } = native(version, { delivery: Delivery.argoCd() });
    const helm = find(synth(app).all, 'Application', 'calico-v3-crds', 'argocd').spec.source.helm;
    expect(helm).toEqual(apiVersions === undefined ? { releaseName: 'calico-v3-crds' } : { releaseName: 'calico-v3-crds', apiVersions });
  });

  test('native v3 mode with the first releases that have it: v3.32.0 and later', () => {
    for (const version of ['v3.32.0', 'v3.33.1', 'v4.0.0']) {
      const { app } = native('1.34', { delivery: Delivery.flux(), version });
      expect(find(synth(app).all, 'HelmRelease', 'calico-v3-crds', 'flux-system').spec.chart.spec).toMatchObject({ chart: 'projectcalico.org.v3', version });
    }
  });

  test('Argo CD with an OCI registry: the native chart as the OCI source, with its API versions', () => {
    const { app } = native('1.36', { delivery: Delivery.argoCd(), chartRepository: 'oci://quay.io/tigera/charts' });
    expect(find(synth(app).all, 'Application', 'calico-v3-crds', 'argocd').spec.source).toEqual({
      repoURL: 'oci://quay.io/tigera/charts/projectcalico.org.v3', path: '.', targetRevision: 'v3.32.1', helm: { releaseName: 'calico-v3-crds', apiVersions: [MAP_V1] },
    });
  });

  test('manifests only: no chart, Installation and APIServer as in the API server mode', () => {
    const { app } = native('1.34');
    const { byChart } = synth(app);
    expect(Object.keys(byChart)).toEqual(['calico-resources', 'platform']);
    expect(byChart['calico-resources'].map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Installation/default', 'APIServer/default']);
  });

  test('the library\'s Calico rendering emits no ClusterNetworkPolicy: a cluster-wide deny TrafficPolicy and TenantIsolation synthesize in native mode', () => {
    const { app, chart } = native('1.36', { delivery: Delivery.flux() });
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    new TrafficPolicy(chart, 'deny-metadata', {
      name: 'deny-metadata',
      egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('169.254.169.254/32')] }],
    });
    const { all } = synth(app);
    expect(all.filter((o) => o.kind === 'ClusterNetworkPolicy')).toEqual([]);
    expect(find(all, 'GlobalNetworkPolicy', 'deny-metadata').apiVersion).toBe('projectcalico.org/v3');
  });

  test('a ClusterNetworkPolicy anywhere in the app fails synthesis in native mode, naming the object and its path', () => {
    const { app, chart } = native('1.36', { delivery: Delivery.flux() });
    new ApiObject(chart, 'cnp', {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'deny-metadata' },
      spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, egress: [{ name: 'deny', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] },
    });
    const other = new Chart(app, 'guardrails');
    new ApiObject(other, 'baseline', { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'baseline' }, spec: {} });
    let message = '';
    try {
      app.synthYaml();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("[platform/calico] crdMode: ClusterNetworkPolicy 'deny-metadata' (platform/cnp) cannot be applied: the native v3 CRD chart "
      + '(projectcalico.org.v3) does not ship the policy.networking.k8s.io ClusterNetworkPolicy CRD');
    expect(message).toContain("[platform/calico] crdMode: ClusterNetworkPolicy 'baseline' (guardrails/baseline) cannot be applied");
  });

  test('the same ClusterNetworkPolicy synthesizes (and validates) in the API server mode, whose CRD chart ships it', () => {
    const { app, chart } = build({ delivery: Delivery.flux() });
    new ApiObject(chart, 'cnp', {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'deny-metadata' },
      spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, egress: [{ name: 'deny', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] },
    });
    expect(find(synth(app).all, 'ClusterNetworkPolicy', 'deny-metadata').spec.tier).toBe('Admin');
  });

  test('a crd.projectcalico.org object fails synthesis in native mode (its CRDs are not installed)', () => {
    const { app, chart } = native('1.34');
    new ApiObject(chart, 'set', { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkSet', metadata: { name: 'blocked' }, spec: { nets: ['192.0.2.0/24'] } });
    expect(() => app.synthYaml()).toThrow(/\[platform\/calico\] crdMode: GlobalNetworkSet 'blocked' \(platform\/set\) is a crd\.projectcalico\.org object, but native v3 mode installs no crd\.projectcalico\.org CRDs/);
  });

  test.each<[string, CalicoInstallationProps, string]>([
    ['no kubernetesVersion', { crdMode: CalicoCrdMode.NATIVE_V3 },
      "[platform/calico] kubernetesVersion: is required with crdMode: CalicoCrdMode.NATIVE_V3 (native v3 CRDs need Kubernetes 1.34 or later); give the cluster's version, e.g. '1.34'"],
    ['Kubernetes 1.33', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '1.33' },
      "[platform/calico] kubernetesVersion: '1.33': native v3 CRDs need Kubernetes 1.34 or later (MutatingAdmissionPolicy); keep crdMode: CalicoCrdMode.API_SERVER on this cluster"],
    ['Kubernetes 1.33.9', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '1.33.9' }, "[platform/calico] kubernetesVersion: '1.33.9': native v3 CRDs need Kubernetes 1.34 or later"],
    ['Kubernetes 0.40', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '0.40' }, "[platform/calico] kubernetesVersion: '0.40': native v3 CRDs need Kubernetes 1.34 or later"],
    ['a malformed version', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '1.x' }, "[platform/calico] kubernetesVersion: '1.x' is not a Kubernetes version like '1.34' or '1.34.2'"],
    ['a version with a suffix', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '1.34-eks' }, "[platform/calico] kubernetesVersion: '1.34-eks' is not a Kubernetes version"],
    ['a leading zero', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '1.034' }, "[platform/calico] kubernetesVersion: '1.034' is not a Kubernetes version"],
    ['a number for the version (untyped caller)', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: 1.34 as any },
      '[platform/calico] kubernetesVersion: must be a non-empty string, got the number 1.34'],
    ['an empty version', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '' }, '[platform/calico] kubernetesVersion: must be a non-empty string'],
    ['null for the version', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: null as any }, '[platform/calico] kubernetesVersion: must be a non-empty string, got null'],
    ['a version in the API server mode', { kubernetesVersion: '1.36' }, '[platform/calico] kubernetesVersion: only applies with crdMode: CalicoCrdMode.NATIVE_V3'],
    ['a string that is not a mode (untyped caller)', { crdMode: 'native' as any, kubernetesVersion: '1.36' },
      "[platform/calico] crdMode: 'native' is not a CalicoCrdMode (one of ApiServer, NativeV3)"],
    ['the enum key instead of its value (untyped caller)', { crdMode: 'NATIVE_V3' as any, kubernetesVersion: '1.36' }, "[platform/calico] crdMode: 'NATIVE_V3' is not a CalicoCrdMode"],
    ['a boolean for the mode (untyped caller)', { crdMode: true as any }, '[platform/calico] crdMode: the boolean true is not a CalicoCrdMode'],
    ['null for the mode (untyped caller)', { crdMode: null as any }, '[platform/calico] crdMode: null is not a CalicoCrdMode'],
    // Native v3 CRDs (chart projectcalico.org.v3) are new in Calico 3.32.0 (NETWORKING-FACTS.md, Calico).
    ['a Calico release before 3.32', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '1.34', version: 'v3.31.3' },
      "[platform/calico] version: 'v3.31.3' has no native v3 CRDs (new in Calico v3.32.0, chart projectcalico.org.v3)"],
    ['Calico 2.x', { crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: '1.34', version: 'v2.40.0' }, "[platform/calico] version: 'v2.40.0' has no native v3 CRDs"],
  ])('%s', (_name, props, message) => {
    expect(() => build(props, {}, props.crdMode === CalicoCrdMode.NATIVE_V3 ? Cni.calico({ nativeV3Crds: true }) : Cni.calico())).toThrow(message);
  });

  test('the mode comes from the ClusterNetwork\'s Cni when not given', () => {
    const { calico } = build({ kubernetesVersion: '1.34', delivery: Delivery.flux() }, {}, Cni.calico({ nativeV3Crds: true }));
    expect(calico.crdMode).toBe(CalicoCrdMode.NATIVE_V3);
    expect(build({}, {}, Cni.calico({ nativeV3Crds: false })).calico.crdMode).toBe(CalicoCrdMode.API_SERVER);
  });

  test.each([
    ['native mode on a Cni that says the API server', CalicoCrdMode.NATIVE_V3, Cni.calico(), 'NativeV3 differs from the ClusterNetwork\'s Cni.calico({ nativeV3Crds: false })'],
    ['the API server mode on a Cni that says native', CalicoCrdMode.API_SERVER, Cni.calico({ nativeV3Crds: true }), 'ApiServer differs from the ClusterNetwork\'s Cni.calico({ nativeV3Crds: true })'],
  ])('%s: an error (policies, the analyzer and lint go by the Cni)', (_name, crdMode, cni, message) => {
    expect(() => build({ crdMode, kubernetesVersion: crdMode === CalicoCrdMode.NATIVE_V3 ? '1.34' : undefined }, {}, cni))
      .toThrow(`[platform/calico] crdMode: ${message}`);
  });
});
