import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CalicoBgpConfigurationOptions, CalicoCrdMode, CalicoDataplane, CalicoEncapsulation, CalicoIpPool, CalicoKubernetesProvider,
  CalicoKubernetesServiceEndpoint, CalicoNodeAddressAutodetection,
} from './calico-options';
import { CRD_CHARTS, KubernetesMinorVersion, checkReleaseHasMode, crdChartApiVersions, crdModeOf, kubernetesVersionOf, unservedInNativeMode } from './crd-mode';
import { INSTALLATION_SHAPE_DEFS, INSTALLATION_SPEC_SHAPE } from './installation-shape';
import { SpecOrigin, validateInstallationSpec, validateWireguardMtu } from './installation-validation';
import { ClusterNetwork, IpFamily } from '../../cluster/cluster-network';
import { CniKind } from '../../cluster/cni';
import { ipFamilyOf } from '../../cluster/ip-family-check';
import { emitChartRelease } from '../../delivery/chart-release';
import { Delivery, DeliveryKind } from '../../delivery/delivery';
import { InstallStages } from '../../delivery/install-stages';
import { requireDelivery } from '../../delivery/require-delivery';
import { SyncWave } from '../../delivery/sync-waves';
import { ApiServer, Goldmane, Installation, InstallationSpec, Whisker } from '../../imports/operator.tigera.io';
import { BgpConfiguration, FelixConfiguration } from '../../imports/projectcalico.org';
import { apiServerHostProblem } from '../../util/api-server-host';
import { parseCidr } from '../../util/cidr';
import { deepMerge } from '../../util/deep-merge';
import { propError } from '../../util/errors';
import { StructKeys, requireInteger, requireKnownKeys, requireObject, requireOptionalArray, requireOptionalBoolean, requireOptionalInteger, requireOptionalObject, requireOptionalOneOf, requireOptionalString, requireProps } from '../../util/guards';
import { registerObject } from '../../util/object-registry';
import { validateDnsSubdomain } from '../../util/validate';
import { requireClusterCni, requireDisjointPodAndServiceCidrs } from '../cluster-facts';
import { typedOverridesToWire } from '../typed-overrides';

/** Calico release the charts and CRs are pinned to (tigera-operator v1.42.3). */
const CALICO_VERSION = 'v3.32.1';
/** Calico's Helm repository (charts `crd.projectcalico.org.v1`, `projectcalico.org.v3` and `tigera-operator`). */
const CALICO_CHART_REPOSITORY = 'https://docs.tigera.io/calico/charts';
const OPERATOR_NAMESPACE = 'tigera-operator';

/** Props of {@link CalicoInstallation}. */
export interface CalicoInstallationProps {
  /**
   * How the Calico CRD chart and the tigera-operator chart reach the cluster.
   * @default Delivery.manifestsOnly() - the operator is installed elsewhere; only its custom resources are emitted
   */
  readonly delivery?: Delivery;
  /**
   * Version of the CRD chart and the `tigera-operator` chart (Calico release).
   * @default 'v3.32.1' (the version this library's CRs are validated against)
   */
  readonly version?: string;
  /**
   * Helm repository of the charts (https:// or oci://).
   * @default 'https://docs.tigera.io/calico/charts'
   */
  readonly chartRepository?: string;
  /**
   * How Calico serves projectcalico.org/v3: which CRD chart is installed (Flux and Argo CD), and what
   * the app may emit. `NATIVE_V3` (tech preview) installs the `projectcalico.org.v3` chart instead of
   * `crd.projectcalico.org.v1`, needs `kubernetesVersion` (1.34 or later) and a `version` of v3.32.0
   * or later, and makes any
   * ClusterNetworkPolicy or crd.projectcalico.org object in the app a synth error (its CRDs are not
   * installed). Choose it for new clusters: an installed cluster changes mode only by Calico's
   * migration procedure. Must agree with the ClusterNetwork's `Cni.calico({ nativeV3Crds })`, which
   * the policies, the analyzer and lint go by.
   * @default - the ClusterNetwork's Cni: NATIVE_V3 with `Cni.calico({ nativeV3Crds: true })`, else API_SERVER
   */
  readonly crdMode?: CalicoCrdMode;
  /**
   * The cluster's Kubernetes version, `major.minor` or `major.minor.patch` (e.g. '1.34'). Required
   * with `crdMode: NATIVE_V3` (which needs 1.34 or later; from 1.36 Argo CD renders the CRD chart
   * with the GA admissionregistration.k8s.io/v1 MutatingAdmissionPolicy); refused otherwise.
   * @default - none (only the native v3 mode uses it, and requires it)
   */
  readonly kubernetesVersion?: string;
  /**
   * IP pools, reconciled by the operator. Each inside a pod CIDR of the ClusterNetwork.
   * @default - one pool per pod CIDR of the ClusterNetwork, VXLANCrossSubnet, blockSize 26 (IPv4) / 122 (IPv6), natOutgoing Enabled
   */
  readonly ipPools?: CalicoIpPool[];
  /**
   * Run BGP (BIRD). Needed by IPIP and unencapsulated pools; also emits BGPConfiguration `default`.
   * @default false - VXLAN pools route without BGP
   */
  readonly bgp?: boolean;
  /**
   * BGPConfiguration `default` (only with `bgp: true`).
   * @default - AS 64512, node-to-node mesh on
   */
  readonly bgpConfiguration?: CalicoBgpConfigurationOptions;
  /**
   * The Linux dataplane. BPF replaces kube-proxy: the ClusterNetwork must say `kubeProxyMode: REPLACED`,
   * and either `kubernetesServiceEndpoint` or `operatorManagesKubeProxy` plus node address
   * autodetection are required.
   * @default CalicoDataplane.IPTABLES
   */
  readonly dataplane?: CalicoDataplane;
  /**
   * BPF only: the real API server address, emitted as the `kubernetes-services-endpoint` ConfigMap
   * in `tigera-operator`. Not together with `operatorManagesKubeProxy`.
   * @default - none
   */
  readonly kubernetesServiceEndpoint?: CalicoKubernetesServiceEndpoint;
  /**
   * BPF only: the operator bootstraps API server access itself and disables kube-proxy
   * (`bpfNetworkBootstrap: Enabled` + `kubeProxyManagement: Enabled`, as Calico's
   * custom-resources-bpf.yaml does). Not together with `kubernetesServiceEndpoint`.
   * @default false
   */
  readonly operatorManagesKubeProxy?: boolean;
  /**
   * How calico/node finds the node's IPv4 address. Required with the BPF dataplane.
   * @default - the operator's default (first found)
   */
  readonly nodeAddressAutodetectionV4?: CalicoNodeAddressAutodetection;
  /**
   * How calico/node finds the node's IPv6 address. Required with the BPF dataplane on IPv6 clusters.
   * @default - the operator's default
   */
  readonly nodeAddressAutodetectionV6?: CalicoNodeAddressAutodetection;
  /**
   * Pod interface MTU (576-9216). The operator gives the IP-in-IP, VXLAN and WireGuard interfaces
   * the same MTU, so with `wireguard` it must leave room for WireGuard's header: the node network's
   * MTU minus 60 (IPv4 cluster) or minus 80 (IPv6 or dual stack), e.g. 1440 / 1420 on a 1500-byte
   * network (docs.tigera.io "Configure MTU"). With `wireguard`, an mtu equal to a common network MTU
   * (1450, 1460, 1500, 9000, 9001) is refused unless `nodeNetworkMtu` shows there is room.
   * @default - auto-detected by Calico from the nodes' interfaces and the enabled encapsulations
   */
  readonly mtu?: number;
  /**
   * The MTU of the network between the nodes (576-65535), e.g. 9216 on a jumbo-frame fabric or 1400
   * on AKS (whose 1500-byte NICs sit on a 1400-byte network). Only checks an explicit `mtu` with
   * `wireguard`: it must be at most this minus 60 (IPv4 cluster) or 80 (IPv6 or dual stack).
   * Nothing is emitted for it; refused without `wireguard` and `mtu`.
   * @default - unknown: with WireGuard, only an mtu equal to a common network MTU is refused
   */
  readonly nodeNetworkMtu?: number;
  /**
   * Encrypt pod traffic between nodes with WireGuard, for every IP family of the cluster
   * (FelixConfiguration `default`: `wireguardEnabled`, `wireguardEnabledV6`).
   * @default false
   */
  readonly wireguard?: boolean;
  /**
   * Deploy Goldmane, the flow aggregator (operator.tigera.io Goldmane `default`).
   * @default false (opt-in)
   */
  readonly goldmane?: boolean;
  /**
   * Deploy Whisker, the flow UI (operator.tigera.io Whisker `default`); needs `goldmane`.
   * @default false (opt-in)
   */
  readonly whisker?: boolean;
  /**
   * The Kubernetes distribution, when the operator must adapt to it.
   * @default - none (auto-detected by the operator)
   */
  readonly kubernetesProvider?: CalicoKubernetesProvider;
  /**
   * Image registry for every Calico image; must end with '/'.
   * @default - the operator's default registries
   */
  readonly registry?: string;
  /**
   * Any other Installation spec field, typed by the generated operator.tigera.io classes (exported
   * as the `tigera` submodule). Checked against the pinned Installation CRD's schema (fields, types,
   * enums, ranges; int-or-string fields take the generated class or a plain number or string), then
   * merged over what the typed props produce (objects key by key, lists replaced); the library's
   * checks then apply to the merged spec.
   * @default - none
   */
  readonly installationOverrides?: InstallationSpec;
}

/**
 * Calico (v3.32.1) installed and configured by the Tigera operator, ordered for GitOps:
 *
 * 1. `<id>-operator` (Flux and Argo CD only): the `tigera-operator` Namespace (Pod Security
 *    `privileged`), the eBPF `kubernetes-services-endpoint` ConfigMap when set, and the CRD chart
 *    (release `calico-crds`, chart `crd.projectcalico.org.v1`; native v3 mode: release
 *    `calico-v3-crds`, chart `projectcalico.org.v3`), then the `tigera-operator` chart (Flux
 *    `dependsOn`; Argo CD waves -30/-20, CRDs server-side applied). The operator chart's own CRs are
 *    turned off.
 * 2. `<id>-resources`: Installation and APIServer `default` (+ Goldmane, Whisker). The APIServer is
 *    emitted in both modes: it deploys the aggregated calico-apiserver in API-server mode and the
 *    admission webhooks pod in native v3 mode.
 * 3. `<id>-config`: projectcalico.org/v3 FelixConfiguration `default` (WireGuard) and
 *    BGPConfiguration `default` (BGP). In API-server mode v3 is served only once the APIServer
 *    runs; in native v3 mode the kinds are CRDs of step 1, and the order is merely conservative.
 *
 * Every other projectcalico.org/v3 object in the app (TenantIsolation's guard-rail Tier and
 * GlobalNetworkPolicies, ...) is ordered after step 3: its chart depends on it, or under Argo CD it
 * gets sync wave 10 (Tiers) or 11 (policies) with `SkipDryRunOnMissingResource=true`. Reads pod CIDRs, IP families, service
 * CIDRs and the kube-proxy mode from the ClusterNetwork, which must name `Cni.calico()`.
 *
 * Native v3 mode (`crdMode: CalicoCrdMode.NATIVE_V3`, Calico 3.32 tech preview) also differs in
 * what the app may hold: its CRD chart has no policy.networking.k8s.io ClusterNetworkPolicy and no
 * crd.projectcalico.org CRDs, so any such object in the app fails synthesis, naming its path.
 */
export class CalicoInstallation extends Construct {
  /** The delivery used. */
  public readonly delivery: Delivery;
  /** The CRD mode used. */
  public readonly crdMode: CalicoCrdMode;
  /** The operator.tigera.io/v1 Installation `default`. */
  public readonly installation: ApiObject;
  /** The operator.tigera.io/v1 APIServer `default`. */
  public readonly apiServer: ApiObject;
  /** The projectcalico.org/v3 FelixConfiguration `default`, when WireGuard is on. */
  public readonly felixConfiguration?: ApiObject;
  /** The projectcalico.org/v3 BGPConfiguration `default`, when BGP is on. */
  public readonly bgpConfiguration?: ApiObject;
  /** The merged Installation spec as emitted. */
  public readonly installationSpec: { [key: string]: any };
  /** The output charts of the install steps, in apply order. */
  public readonly stepCharts: Chart[];

  constructor(scope: Construct, id: string, props: CalicoInstallationProps = {}) {
    super(scope, id);
    requireKnownKeys(this, '', requireProps(this, props, true), PROPS_KEYS);
    const cluster = ClusterNetwork.of(this);
    requireClusterCni(this, cluster, CniKind.CALICO, 'CalicoInstallation', 'Cni.calico()');
    requireDisjointPodAndServiceCidrs(this, cluster);

    this.delivery = props.delivery === undefined ? Delivery.manifestsOnly() : requireDelivery(this, props.delivery);
    const version = (requireOptionalString(this, 'version', props.version, true) ?? CALICO_VERSION);
    if (!/^v\d+\.\d+\.\d+$/.test(version)) throw propError(this, 'version', `'${version}' is not a Calico release like 'v3.32.1'`);
    const repository = (requireOptionalString(this, 'chartRepository', props.chartRepository, true) ?? CALICO_CHART_REPOSITORY);
    if (!/^(https|oci):\/\/\S+$/.test(repository)) throw propError(this, 'chartRepository', `'${repository}' must be an https:// or oci:// URL`);
    this.crdMode = crdModeOf(this, props.crdMode, cluster.cni.calicoNativeV3Crds === true);
    checkReleaseHasMode(this, this.crdMode, version);
    const kubernetesVersion = kubernetesVersionOf(this, this.crdMode, props.kubernetesVersion);

    const bgp = requireOptionalBoolean(this, 'bgp', props.bgp, false);
    const bgpOptions = requireOptionalObject<CalicoBgpConfigurationOptions>(this, 'bgpConfiguration', props.bgpConfiguration);
    if (bgpOptions) requireKnownKeys(this, 'bgpConfiguration', bgpOptions, BGP_KEYS);
    if (bgpOptions && !bgp) throw propError(this, 'bgpConfiguration', 'only applies with bgp: true');
    const goldmane = requireOptionalBoolean(this, 'goldmane', props.goldmane, false);
    const whisker = requireOptionalBoolean(this, 'whisker', props.whisker, false);
    if (whisker && !goldmane) throw propError(this, 'whisker', 'Whisker shows the flows Goldmane aggregates: set goldmane: true too');
    const wireguard = requireOptionalBoolean(this, 'wireguard', props.wireguard, false);
    const endpoint = requireOptionalObject<CalicoKubernetesServiceEndpoint>(this, 'kubernetesServiceEndpoint', props.kubernetesServiceEndpoint);
    if (endpoint) requireKnownKeys(this, 'kubernetesServiceEndpoint', endpoint, ENDPOINT_KEYS);

    const { spec: typed, typedProps } = this.typedSpec(props, cluster, bgp);
    const overrides = typedOverridesToWire(this, 'installationOverrides', props.installationOverrides, INSTALLATION_SPEC_SHAPE, INSTALLATION_SHAPE_DEFS);
    const spec = deepMerge(typed, overrides);
    const origin: SpecOrigin = { overrides, typedProps, serviceEndpointConfigMap: endpoint !== undefined };
    validateInstallationSpec(this, spec, origin, cluster);
    const nodeNetworkMtu = (props.nodeNetworkMtu === undefined ? undefined : requireInteger(this, 'nodeNetworkMtu', props.nodeNetworkMtu, 576, 65535));
    validateWireguardMtu(this, spec, origin, cluster, wireguard, nodeNetworkMtu);
    this.installationSpec = spec;

    const stages = new InstallStages(this, this.delivery);
    if (this.delivery.kind !== DeliveryKind.MANIFESTS_ONLY) this.emitOperator(stages.chart('operator'), stages, repository, version, kubernetesVersion, endpoint);
    const resources = stages.chart('resources');
    if (this.delivery.kind === DeliveryKind.MANIFESTS_ONLY && endpoint) {
      this.emitServiceEndpoint(resources, stages, endpoint, SyncWave.OPERATOR_RESOURCES);
    }

    const crWave = (o: ApiObject) => registerObject(this, stages.place(o, SyncWave.OPERATOR_RESOURCES, true));
    // The generated classes add nothing to an already-wire-shaped spec but their GVK; emit it as is.
    this.installation = crWave(new ApiObject(resources, 'installation', { ...Installation.GVK, metadata: { name: 'default' }, spec }));
    this.apiServer = crWave(new ApiServer(resources, 'api-server', { metadata: { name: 'default' }, spec: {} }));
    if (goldmane) crWave(new Goldmane(resources, 'goldmane', { metadata: { name: 'default' } }));
    if (whisker) crWave(new Whisker(resources, 'whisker', { metadata: { name: 'default' } }));

    const apiWave = (o: ApiObject) => registerObject(this, stages.place(o, SyncWave.API_RESOURCES, true));
    if (wireguard) {
      this.felixConfiguration = apiWave(new FelixConfiguration(stages.chart('config'), 'felix-configuration', {
        metadata: { name: 'default' },
        spec: {
          wireguardEnabled: cluster.ipFamilies.includes(IpFamily.IPV4) ? true : undefined,
          wireguardEnabledV6: cluster.ipFamilies.includes(IpFamily.IPV6) ? true : undefined,
        },
      }));
    }
    if (bgp) this.bgpConfiguration = apiWave(this.bgpConfigurationObject(stages.chart('config'), bgpOptions ?? {}, cluster));

    // Pools listed in the Installation are the operator's: a projectcalico.org/v3 IPPool of the same
    // name anywhere in the app would fight it (NETWORKING-FACTS.md, Calico Installation).
    const poolNames = new Set<string>((spec.calicoNetwork?.ipPools ?? []).map((p: any) => p.name).filter((n: unknown) => typeof n === 'string'));
    this.node.addValidation({
      validate: () => this.node.root.node.findAll()
        .filter((c): c is ApiObject => c instanceof ApiObject && c.apiVersion.startsWith('projectcalico.org/') && c.kind === 'IPPool' && poolNames.has(c.name))
        .map((c) => `IPPool '${c.name}' (${c.node.path}) has the name of a pool the operator manages through the Installation: `
          + 'the two would overwrite each other; rename it or manage the pool in ipPools only'),
    });
    if (this.crdMode === CalicoCrdMode.NATIVE_V3) this.node.addValidation({ validate: () => unservedInNativeMode(this.node.root) });

    // Everything served by the Calico API server comes after the last step.
    const last = stages.stageCharts[stages.stageCharts.length - 1];
    // Tiers first: Calico refuses a policy whose tier does not exist yet.
    stages.orderApiUsers((o) => (!o.apiVersion.startsWith('projectcalico.org/') ? undefined
      : o.kind === 'Tier' ? SyncWave.API_RESOURCES : SyncWave.API_RESOURCES + 1), last);
    this.stepCharts = stages.stageCharts;
  }

  /** The Installation spec the typed props describe, and which prop set which spec path. */
  private typedSpec(
    props: CalicoInstallationProps, cluster: ClusterNetwork, bgp: boolean,
  ): { spec: Record<string, any>; typedProps: Record<string, string> } {
    const typedProps: Record<string, string> = {
      'calicoNetwork.bgp': 'bgp',
      'calicoNetwork.ipPools': 'ipPools',
      'calicoNetwork.linuxDataplane': 'dataplane',
      'calicoNetwork.bpfNetworkBootstrap': 'operatorManagesKubeProxy',
      'calicoNetwork.kubeProxyManagement': 'operatorManagesKubeProxy',
      'calicoNetwork.nodeAddressAutodetectionV4': 'nodeAddressAutodetectionV4',
      'calicoNetwork.nodeAddressAutodetectionV6': 'nodeAddressAutodetectionV6',
      'calicoNetwork.mtu': 'mtu',
      'registry': 'registry',
      'kubernetesProvider': 'kubernetesProvider',
    };
    const dataplane = requireOptionalOneOf(this, 'dataplane', props.dataplane, Object.values(CalicoDataplane), 'a CalicoDataplane', CalicoDataplane.IPTABLES);
    const manages = requireOptionalBoolean(this, 'operatorManagesKubeProxy', props.operatorManagesKubeProxy, false);
    const detection = (prop: 'nodeAddressAutodetectionV4' | 'nodeAddressAutodetectionV6') => {
      const value = props[prop];
      if (value === undefined) return undefined;
      if (!(value instanceof CalicoNodeAddressAutodetection)) throw propError(this, prop, 'must be made with a CalicoNodeAddressAutodetection factory');
      return { ...value._spec };
    };
    const network: Record<string, any> = {
      bgp: bgp ? 'Enabled' : 'Disabled',
      ipPools: this.pools(props.ipPools, cluster),
      linuxDataplane: dataplane,
      bpfNetworkBootstrap: manages ? 'Enabled' : undefined,
      kubeProxyManagement: manages ? 'Enabled' : undefined,
      nodeAddressAutodetectionV4: detection('nodeAddressAutodetectionV4'),
      nodeAddressAutodetectionV6: detection('nodeAddressAutodetectionV6'),
      mtu: (props.mtu === undefined ? undefined : requireInteger(this, 'mtu', props.mtu, 576, 9216)),
    };
    const spec: Record<string, any> = {
      calicoNetwork: dropUndefined(network),
      kubernetesProvider: props.kubernetesProvider === undefined ? undefined
        : requireOptionalOneOf(this, 'kubernetesProvider', props.kubernetesProvider, Object.values(CalicoKubernetesProvider), 'a CalicoKubernetesProvider', CalicoKubernetesProvider.EKS),
      registry: requireOptionalString(this, 'registry', props.registry, true),
    };
    return { spec: dropUndefined(spec), typedProps };
  }

  /** The pools as Installation `ipPools` entries (natOutgoing as the CRD's enum, never a boolean). */
  private pools(given: CalicoIpPool[] | undefined, cluster: ClusterNetwork): Record<string, unknown>[] {
    const pools = (requireOptionalArray<CalicoIpPool>(this, 'ipPools', given) ?? cluster.podCidrs.map((cidr): CalicoIpPool => ({ cidr })));
    if (given !== undefined && pools.length === 0) {
      throw propError(this, 'ipPools', 'must not be empty: the operator would create no pool and pods would get no address (omit it for one pool per pod CIDR)');
    }
    const perFamily = new Map<IpFamily, number>();
    return pools.map((pool, i) => {
      requireKnownKeys(this, `ipPools[${i}]`, requireObject(this, `ipPools[${i}]`, pool), IP_POOL_KEYS);
      const cidr = requireOptionalString(this, `ipPools[${i}].cidr`, pool.cidr, true);
      if (cidr === undefined) throw propError(this, `ipPools[${i}].cidr`, 'is required');
      let family: IpFamily;
      try {
        family = ipFamilyOf(parseCidr(cidr));
      } catch (e) {
        throw propError(this, `ipPools[${i}].cidr`, (e as Error).message);
      }
      const n = (perFamily.get(family) ?? 0) + 1;
      perFamily.set(family, n);
      const v = family === IpFamily.IPV4 ? 'ipv4' : 'ipv6';
      const name = pool.name === undefined ? (n === 1 ? `default-${v}-ippool` : `${v}-ippool-${n}`) : validateDnsSubdomain(this, `ipPools[${i}].name`, pool.name);
      const nodeSelector = (requireOptionalString(this, `ipPools[${i}].nodeSelector`, pool.nodeSelector, true) ?? 'all()');
      return {
        name,
        cidr,
        blockSize: requireOptionalInteger(this, `ipPools[${i}].blockSize`, pool.blockSize, family === IpFamily.IPV4 ? 26 : 122, 0, 128),
        encapsulation: requireOptionalOneOf(this, `ipPools[${i}].encapsulation`, pool.encapsulation, Object.values(CalicoEncapsulation), 'a CalicoEncapsulation', CalicoEncapsulation.VXLAN_CROSS_SUBNET),
        natOutgoing: requireOptionalBoolean(this, `ipPools[${i}].natOutgoing`, pool.natOutgoing, true) ? 'Enabled' : 'Disabled',
        nodeSelector,
      };
    });
  }

  /** Step 1: namespace, endpoint ConfigMap, the CRD chart, then the operator chart. */
  private emitOperator(chart: Chart, stages: InstallStages, repository: string, version: string,
    kubernetesVersion: KubernetesMinorVersion | undefined, endpoint?: CalicoKubernetesServiceEndpoint): void {
    // The operator runs host-networked and deploys privileged calico-node: the namespace must allow it
    // (Calico's tigera-operator.yaml labels it the same way).
    registerObject(this, stages.place(new ApiObject(chart, 'namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: OPERATOR_NAMESPACE, labels: { 'name': OPERATOR_NAMESPACE, 'pod-security.kubernetes.io/enforce': 'privileged' } },
    }), SyncWave.PREREQUISITES, false));
    if (endpoint) this.emitServiceEndpoint(chart, stages, endpoint, SyncWave.PREREQUISITES);
    const common = { repository, repositoryName: 'projectcalico', version, targetNamespace: OPERATOR_NAMESPACE };
    const crds = CRD_CHARTS[this.crdMode];
    emitChartRelease(chart, this.delivery, {
      ...common,
      name: crds.name,
      chart: crds.chart,
      releaseName: crds.name,
      wave: SyncWave.CRDS,
      serverSideApply: true,
      apiVersions: crdChartApiVersions(this.crdMode, this.delivery.kind, kubernetesVersion),
    });
    emitChartRelease(chart, this.delivery, {
      ...common,
      name: 'tigera-operator',
      chart: 'tigera-operator',
      releaseName: 'calico',
      dependsOn: [crds.name],
      wave: SyncWave.OPERATORS,
      // The chart would create its own Installation/APIServer/Goldmane/Whisker from values; this
      // construct emits validated ones instead (a later step), so the chart's are turned off.
      values: { installation: { enabled: false }, apiServer: { enabled: false }, goldmane: { enabled: false }, whisker: { enabled: false } },
    });
  }

  private emitServiceEndpoint(chart: Chart, stages: InstallStages, endpoint: CalicoKubernetesServiceEndpoint, wave: number): void {
    const host = requireOptionalString(this, 'kubernetesServiceEndpoint.host', endpoint.host, true);
    if (host === undefined) throw propError(this, 'kubernetesServiceEndpoint.host', 'is required');
    // KUBERNETES_SERVICE_HOST/PORT: the operator and calico-node join them into the API server URL.
    const hostProblem = apiServerHostProblem(host, 'kubernetesServiceEndpoint.port');
    if (hostProblem !== undefined) throw propError(this, 'kubernetesServiceEndpoint.host', hostProblem);
    const port = requireOptionalInteger(this, 'kubernetesServiceEndpoint.port', endpoint.port, 6443, 1, 65535);
    registerObject(this, stages.place(new ApiObject(chart, 'kubernetes-services-endpoint', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubernetes-services-endpoint', namespace: OPERATOR_NAMESPACE },
      data: { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: String(port) },
    }), wave, false));
  }

  private bgpConfigurationObject(chart: Chart, options: CalicoBgpConfigurationOptions, cluster: ClusterNetwork): ApiObject {
    const asNumber = requireOptionalInteger(this, 'bgpConfiguration.asNumber', options.asNumber, 64512, 1, 4294967295);
    const mesh = requireOptionalBoolean(this, 'bgpConfiguration.nodeToNodeMesh', options.nodeToNodeMesh, true);
    const advertise = requireOptionalBoolean(this, 'bgpConfiguration.advertiseServiceCidrs', options.advertiseServiceCidrs, false);
    return new BgpConfiguration(chart, 'bgp-configuration', {
      metadata: { name: 'default' },
      spec: {
        asNumber,
        nodeToNodeMeshEnabled: mesh,
        serviceClusterIPs: advertise ? cluster.serviceCidrs.map((cidr) => ({ cidr })) : undefined,
      },
    });
  }
}

/**
 * The fields of each struct, for requireKnownKeys: a misspelt optional field would be silently
 * ignored (`wireGuard` for `wireguard`: no encryption). Not `installationOverrides`: a free-form
 * spec, checked against the Installation CRD.
 */
const PROPS_KEYS: StructKeys<CalicoInstallationProps> = {
  delivery: true,
  version: true,
  chartRepository: true,
  crdMode: true,
  kubernetesVersion: true,
  ipPools: true,
  bgp: true,
  bgpConfiguration: true,
  dataplane: true,
  kubernetesServiceEndpoint: true,
  operatorManagesKubeProxy: true,
  nodeAddressAutodetectionV4: true,
  nodeAddressAutodetectionV6: true,
  mtu: true,
  nodeNetworkMtu: true,
  wireguard: true,
  goldmane: true,
  whisker: true,
  kubernetesProvider: true,
  registry: true,
  installationOverrides: true,
};
const IP_POOL_KEYS: StructKeys<CalicoIpPool> = {
  cidr: true, name: true, blockSize: true, encapsulation: true, natOutgoing: true, nodeSelector: true,
};
const BGP_KEYS: StructKeys<CalicoBgpConfigurationOptions> = { asNumber: true, nodeToNodeMesh: true, advertiseServiceCidrs: true };
const ENDPOINT_KEYS: StructKeys<CalicoKubernetesServiceEndpoint> = { host: true, port: true };

function dropUndefined(obj: Record<string, any>): Record<string, any> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
