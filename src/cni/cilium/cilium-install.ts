import * as fs from 'fs';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { withChainingDefaults } from './chaining';
import { CILIUM_CHART_VERSION } from './chart-values-keys';
import {
  CiliumClientRateLimit, CiliumEgressGatewayPolicyOptions, CiliumEncryption, CiliumHubbleOptions, CiliumIpamOptions,
  CiliumL2AnnouncementPolicyOptions, CiliumLoadBalancerIpPoolOptions, CiliumPolicyEnforcementMode, CiliumRouting,
} from './cilium-options';
import { typedCiliumValues } from './cilium-values';
import { egressGatewayPolicies, l2AnnouncementPolicies, loadBalancerIpPools } from './companions';
import { extraValues } from './extra-values';
import { validateCiliumValues } from './values-validation';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { CniKind } from '../../cluster/cni';
import { KubeProxyMode } from '../../cluster/kube-proxy-mode';
import { nodeLocalDnsVariant } from '../../cluster/node-local-dns-variant';
import { emitChartRelease } from '../../delivery/chart-release';
import { Delivery, DeliveryKind } from '../../delivery/delivery';
import { InstallStages } from '../../delivery/install-stages';
import { requireDelivery } from '../../delivery/require-delivery';
import { SyncWave } from '../../delivery/sync-waves';
import { clone, deepMerge, hasPath } from '../../util/deep-merge';
import { propError } from '../../util/errors';
import { StructKeys, requireKnownKeys, requireOptionalArray, requireOptionalBoolean, requireOptionalString, requireProps } from '../../util/guards';
import { registerObject } from '../../util/object-registry';
import { requireClusterCni, requireDisjointPodAndServiceCidrs } from '../cluster-facts';

const CILIUM_CHART_REPOSITORY = 'https://helm.cilium.io';
const CILIUM_NAMESPACE = 'kube-system';

/** Props of {@link CiliumInstall}. */
export interface CiliumInstallProps {
  /**
   * How the Cilium chart reaches the cluster.
   * @default Delivery.manifestsOnly() - Cilium is installed elsewhere (e.g. `cilium install --values` with `valuesYaml()`)
   */
  readonly delivery?: Delivery;
  /**
   * Chart version. Key names are checked against the pinned 1.20.0 values.yaml whatever the version.
   * @default '1.20.0'
   */
  readonly version?: string;
  /**
   * Helm repository of the chart (https:// or oci://).
   * @default 'https://helm.cilium.io'
   */
  readonly chartRepository?: string;
  /**
   * Replace kube-proxy (`kubeProxyReplacement: "true"`). Must agree with the ClusterNetwork
   * (`Cni.cilium({ kubeProxyReplacement })` / `kubeProxyMode`); needs `k8sServiceHost` and `k8sServicePort`.
   * @default - what the ClusterNetwork says (Cni.cilium() defaults to true)
   */
  readonly kubeProxyReplacement?: boolean;
  /**
   * The API server's address as the nodes reach it without kube-proxy; 'auto' reads the cluster-info
   * ConfigMap in kube-public when Helm renders the chart against the cluster (Flux, `helm install`,
   * `cilium install`), and is refused with Argo CD, which renders without cluster access.
   * @default - none (required with kube-proxy replacement)
   */
  readonly k8sServiceHost?: string;
  /**
   * The API server's port.
   * @default - none (required with kube-proxy replacement unless k8sServiceHost is 'auto')
   */
  readonly k8sServicePort?: number;
  /**
   * Routing between nodes.
   * @default CiliumRouting.tunnel(CiliumTunnelProtocol.VXLAN)
   */
  readonly routing?: CiliumRouting;
  /**
   * IPAM.
   * @default - cluster-pool with the ClusterNetwork's pod CIDRs, /24 (IPv4) and /120 (IPv6) per node
   */
  readonly ipam?: CiliumIpamOptions;
  /**
   * Transparent encryption of pod traffic. With Cilium chained on top of another CNI plugin
   * (`cni.chainingMode` / `cni.chainingTarget` in `extraValues`), IPsec is refused (docs.cilium.io:
   * not supported with chaining) and WireGuard also sets `cni.enableRouteMTUForCNIChaining: true`
   * unless `extraValues` sets it (docs.cilium.io: without it encrypted pod traffic is fragmented).
   * @default CiliumEncryption.wireguard() (the seeds' practice; no key Secret to manage)
   */
  readonly encryption?: CiliumEncryption;
  /**
   * Hubble.
   * @default - Hubble and Hubble Relay on, UI and metrics off, TLS by CronJob
   */
  readonly hubble?: CiliumHubbleOptions;
  /**
   * The bandwidth manager (EDT rate limiting by the `kubernetes.io/egress-bandwidth` annotation).
   * @default false
   */
  readonly bandwidthManager?: boolean;
  /**
   * BBR congestion control for pods; needs `bandwidthManager`.
   * @default false
   */
  readonly bbr?: boolean;
  /**
   * eBPF masquerading (`bpf.masquerade`); needs kube-proxy replacement.
   * @default false
   */
  readonly bpfMasquerade?: boolean;
  /**
   * CiliumLocalRedirectPolicy support (`localRedirectPolicies.enabled`), which NodeLocal DNS needs
   * under kube-proxy replacement.
   * @default - true when the ClusterNetwork declares NodeLocal DNS and kube-proxy is replaced, else false
   */
  readonly localRedirectPolicies?: boolean;
  /**
   * Cilium's Gateway API implementation (`gatewayAPI.enabled`); needs kube-proxy replacement and
   * the Gateway API CRDs (Cilium 1.20 supports v1.5.1) installed first.
   * @default false
   */
  readonly gatewayApi?: boolean;
  /**
   * Cluster name for ClusterMesh (`cluster.name`): at most 32 lower-case alphanumerics and '-';
   * not 'default' when `clusterId` is set.
   * @default - the chart's 'default'
   */
  readonly clusterName?: string;
  /**
   * Cluster id for ClusterMesh (`cluster.id`): 1-255, or up to 511 with `maxConnectedClusters: 511`.
   * @default - the chart's 0 (no ClusterMesh)
   */
  readonly clusterId?: number;
  /**
   * `clustermesh.maxConnectedClusters`: 255 or 511, the same on every cluster of the mesh.
   * @default - the chart's 255
   */
  readonly maxConnectedClusters?: number;
  /**
   * `policyEnforcementMode` ('never' is refused: it would switch off the policies this library emits).
   * @default - the chart's 'default'
   */
  readonly policyEnforcementMode?: CiliumPolicyEnforcementMode;
  /**
   * L2 announcements (`l2announcements.enabled`); needs kube-proxy replacement and `k8sClientRateLimit`.
   * @default false
   */
  readonly l2Announcements?: boolean;
  /**
   * The agent's API rate limit (`k8sClientRateLimit`), to raise for L2 announcements.
   * @default - the chart's 10 qps / 20 burst
   */
  readonly k8sClientRateLimit?: CiliumClientRateLimit;
  /**
   * The egress gateway (`egressGateway.enabled`); needs kube-proxy replacement and `bpfMasquerade`.
   * @default false
   */
  readonly egressGateway?: boolean;
  /**
   * CiliumLoadBalancerIPPools to emit.
   * @default - none
   */
  readonly loadBalancerIpPools?: CiliumLoadBalancerIpPoolOptions[];
  /**
   * CiliumL2AnnouncementPolicies to emit; need `l2Announcements`.
   * @default - none
   */
  readonly l2AnnouncementPolicies?: CiliumL2AnnouncementPolicyOptions[];
  /**
   * CiliumEgressGatewayPolicies to emit; need `egressGateway`.
   * @default - none
   */
  readonly egressGatewayPolicies?: CiliumEgressGatewayPolicyOptions[];
  /**
   * Any other chart value. Merged over the typed values (maps key by key, lists replaced); every key
   * path must exist in the pinned chart's values.yaml, and the checks apply to the merged values.
   * A null where the chart has a default (Helm's way to delete one) is refused: cdk8s drops nulls
   * from the manifests it writes, so the default would stay.
   * @default - none
   */
  readonly extraValues?: { [key: string]: any };
}

/**
 * Cilium (chart 1.20.0) with typed, checked Helm values, delivered by Flux, Argo CD or by hand:
 *
 * 1. `<id>-install` (Flux and Argo CD only): HelmRepository/OCIRepository + HelmRelease `cilium`, or
 *    the Application `cilium` (sync wave -20), into kube-system.
 * 2. `<id>-resources` (when any): CiliumLoadBalancerIPPools, CiliumL2AnnouncementPolicies,
 *    CiliumEgressGatewayPolicies: their CRDs exist once the Cilium operator runs.
 *
 * Every other cilium.io object in the app (CiliumNetworkPolicies, the NodeLocal DNS redirect) is
 * ordered after the install: its chart depends on it, or under Argo CD it gets sync wave 10 with
 * `SkipDryRunOnMissingResource=true`. The values are also available as `values` and
 * `valuesYaml()` / `writeValuesFile()` for `cilium install --values` or your own Helm.
 */
export class CiliumInstall extends Construct {
  /** The delivery used. */
  public readonly delivery: Delivery;
  /** The chart version. */
  public readonly version: string;
  /** kube-proxy replacement is on. */
  public readonly kubeProxyReplacement: boolean;
  /** CiliumLocalRedirectPolicy support is on. */
  public readonly localRedirectPolicies: boolean;
  /** The output charts of the install steps, in apply order. */
  public readonly stepCharts: Chart[];
  private readonly merged: Record<string, any>;

  constructor(scope: Construct, id: string, props: CiliumInstallProps = {}) {
    super(scope, id);
    requireKnownKeys(this, '', requireProps(this, props, true), PROPS_KEYS);
    const cluster = ClusterNetwork.of(this);
    requireClusterCni(this, cluster, CniKind.CILIUM, 'CiliumInstall', 'Cni.cilium()');
    requireDisjointPodAndServiceCidrs(this, cluster);

    this.delivery = props.delivery === undefined ? Delivery.manifestsOnly() : requireDelivery(this, props.delivery);
    this.version = (requireOptionalString(this, 'version', props.version, true) ?? CILIUM_CHART_VERSION);
    if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(this.version)) throw propError(this, 'version', `'${this.version}' is not a chart version like '1.20.0'`);
    const repository = (requireOptionalString(this, 'chartRepository', props.chartRepository, true) ?? CILIUM_CHART_REPOSITORY);
    if (!/^(https|oci):\/\/\S+$/.test(repository)) throw propError(this, 'chartRepository', `'${repository}' must be an https:// or oci:// URL`);

    const clusterReplaced = cluster.kubeProxyMode === KubeProxyMode.REPLACED;
    this.kubeProxyReplacement = requireOptionalBoolean(this, 'kubeProxyReplacement', props.kubeProxyReplacement, clusterReplaced);
    this.localRedirectPolicies = requireOptionalBoolean(this, 'localRedirectPolicies', props.localRedirectPolicies, clusterReplaced && cluster.nodeLocalDnsIp !== undefined);

    const inputs = { ...props, kubeProxyReplacement: this.kubeProxyReplacement, localRedirectPolicies: this.localRedirectPolicies };
    const { values: typed, typed: typedPaths, acknowledged } = typedCiliumValues(this, inputs, cluster);
    const extra = extraValues(this, props.extraValues);
    this.merged = withChainingDefaults(deepMerge(typed, extra), extra);
    validateCiliumValues(this, this.merged, { extra, typed: typedPaths }, cluster, acknowledged);
    // 'auto' is resolved by the chart's own templates, with Helm's `lookup` of the kube-public/cluster-info
    // ConfigMap at render time (chart templates/_helpers.tpl "k8sServiceHost"). Argo CD renders with
    // `helm template`, where lookup finds nothing (NETWORKING-FACTS.md, GitOps delivery): the render
    // fails, or the agent is handed the literal 'auto' as the API server host.
    if (this.delivery.kind === DeliveryKind.ARGO_CD && this.merged.k8sServiceHost === 'auto') {
      throw propError(this, hasPath(extra, 'k8sServiceHost') ? 'extraValues.k8sServiceHost' : 'k8sServiceHost', '\'auto\' is resolved by the chart with Helm\'s '
        + 'lookup of the cluster-info ConfigMap at render time, which Argo CD (helm template) cannot do: the agents would get no API server address. '
        + 'Give the API server host and port, or (through extraValues, without k8sServiceHost) k8sServiceHostRef naming a ConfigMap that holds it '
        + '(cilium/cilium#35094)');
    }
    // The effective switches, whichever way they were set.
    this.localRedirectPolicies = this.merged.localRedirectPolicies?.enabled === true;
    this.kubeProxyReplacement = this.merged.kubeProxyReplacement === 'true' || this.merged.kubeProxyReplacement === true;
    if (cluster.nodeLocalDnsIp !== undefined && nodeLocalDnsVariant(cluster) === 'cilium-local-redirect' && !this.localRedirectPolicies) {
      throw propError(this, 'localRedirectPolicies', 'the ClusterNetwork declares NodeLocal DNS under kube-proxy replacement, which reaches the cache '
        + 'through a CiliumLocalRedirectPolicy (and DNS allows open the node-local-dns pods, not an address): local redirect policies must be on');
    }

    const stages = new InstallStages(this, this.delivery);
    if (this.delivery.kind !== DeliveryKind.MANIFESTS_ONLY) {
      emitChartRelease(stages.chart('install'), this.delivery, {
        name: 'cilium',
        repository,
        repositoryName: 'cilium',
        chart: 'cilium',
        version: this.version,
        releaseName: 'cilium',
        targetNamespace: CILIUM_NAMESPACE,
        values: this.values,
        wave: SyncWave.OPERATORS,
      });
    }
    this.emitCompanions(stages, props, cluster);
    const last = stages.stageCharts[stages.stageCharts.length - 1];
    if (last) stages.orderApiUsers((o) => (o.apiVersion.startsWith('cilium.io/') ? SyncWave.API_RESOURCES : undefined), last);
    this.stepCharts = stages.stageCharts;
  }

  /** The Helm values (a copy: plain JSON, keys sorted). */
  public get values(): { [key: string]: any } {
    return clone(this.merged);
  }

  /** The Helm values as a values.yaml document, for `cilium install --values` or `helm install -f`. */
  public valuesYaml(): string {
    return `# Cilium ${this.version} values synthesized by cdk8s-networking (keys checked against the chart's values.yaml)\n`
      + stringify(this.merged, { sortMapEntries: true, lineWidth: 0 });
  }

  /**
   * Write `valuesYaml()` to a file.
   * @param filePath where to write it
   */
  public writeValuesFile(filePath: string): void {
    fs.writeFileSync(filePath, this.valuesYaml());
  }

  private emitCompanions(stages: InstallStages, props: CiliumInstallProps, cluster: ClusterNetwork): void {
    // Lists first: a map or a string given as a list must be an error, never "no objects".
    const pools = requireOptionalArray(this, 'loadBalancerIpPools', props.loadBalancerIpPools) ?? [];
    const l2 = requireOptionalArray(this, 'l2AnnouncementPolicies', props.l2AnnouncementPolicies) ?? [];
    const egress = requireOptionalArray(this, 'egressGatewayPolicies', props.egressGatewayPolicies) ?? [];
    if (pools.length + l2.length + egress.length === 0) return;
    if (l2.length > 0 && this.merged.l2announcements?.enabled !== true) {
      throw propError(this, 'l2AnnouncementPolicies', 'need L2 announcements (l2Announcements: true)');
    }
    if (egress.length > 0 && this.merged.egressGateway?.enabled !== true) {
      throw propError(this, 'egressGatewayPolicies', 'need the egress gateway (egressGateway: true)');
    }
    const chart = stages.chart('resources');
    const objects: ApiObject[] = [
      ...loadBalancerIpPools(this, chart, pools, cluster),
      ...l2AnnouncementPolicies(this, chart, l2),
      ...egressGatewayPolicies(this, chart, egress),
    ];
    for (const o of objects) registerObject(this, stages.place(o, SyncWave.API_RESOURCES, true));
  }
}

/**
 * The props, for requireKnownKeys: a misspelt optional prop would be silently ignored (`hubbel`:
 * Hubble with its defaults). `extraValues` itself is free-form, checked against the chart's keys.
 */
const PROPS_KEYS: StructKeys<CiliumInstallProps> = {
  delivery: true,
  version: true,
  chartRepository: true,
  kubeProxyReplacement: true,
  k8sServiceHost: true,
  k8sServicePort: true,
  routing: true,
  ipam: true,
  encryption: true,
  hubble: true,
  bandwidthManager: true,
  bbr: true,
  bpfMasquerade: true,
  localRedirectPolicies: true,
  gatewayApi: true,
  clusterName: true,
  clusterId: true,
  maxConnectedClusters: true,
  policyEnforcementMode: true,
  l2Announcements: true,
  k8sClientRateLimit: true,
  egressGateway: true,
  loadBalancerIpPools: true,
  l2AnnouncementPolicies: true,
  egressGatewayPolicies: true,
  extraValues: true,
};
