import { IConstruct } from 'constructs';
import {
  CertManagerIssuerRef, CiliumClientRateLimit, CiliumEncryption, CiliumHubbleOptions, CiliumIpamMode, CiliumIpamOptions,
  CiliumPolicyEnforcementMode, CiliumRouting, CiliumWireguardOptions, HubbleTlsMethod,
} from './cilium-options';
import { ClusterNetwork, IpFamily } from '../../cluster/cluster-network';
import { ipFamilyOf } from '../../cluster/ip-family-check';
import { parseCidr } from '../../util/cidr';
import { propError } from '../../util/errors';
import { StructKeys, describeValue, requireInstance, requireKnownKeys, requireInteger, requireOptionalArray, requireOptionalBoolean, requireOptionalInteger, requireOptionalObject, requireOptionalOneOf, requireOptionalString } from '../../util/guards';
import { validateDnsSubdomain } from '../../util/validate';

/** The typed inputs of the values (a subset of CiliumInstallProps). */
export interface CiliumValueInputs {
  readonly kubeProxyReplacement: boolean;
  readonly k8sServiceHost?: string;
  readonly k8sServicePort?: number;
  readonly routing?: CiliumRouting;
  readonly ipam?: CiliumIpamOptions;
  readonly encryption?: CiliumEncryption;
  readonly hubble?: CiliumHubbleOptions;
  readonly bandwidthManager?: boolean;
  readonly bbr?: boolean;
  readonly bpfMasquerade?: boolean;
  readonly localRedirectPolicies: boolean;
  readonly gatewayApi?: boolean;
  readonly clusterName?: string;
  readonly clusterId?: number;
  readonly maxConnectedClusters?: number;
  readonly policyEnforcementMode?: CiliumPolicyEnforcementMode;
  readonly l2Announcements?: boolean;
  readonly k8sClientRateLimit?: CiliumClientRateLimit;
  readonly egressGateway?: boolean;
}

/** Values from the typed props, and which prop set which values path (for error messages). */
export interface TypedValues {
  readonly values: Record<string, any>;
  readonly typed: Record<string, string>;
  /** What the user accepted that the checks would otherwise refuse (no chart values). */
  readonly acknowledged: CiliumAcknowledgements;
}

/** Acknowledgements the value checks read (see validateCiliumValues). */
export interface CiliumAcknowledgements {
  /** `encryption.acknowledgeUnprotectedIpv6`: strict egress mode on a dual-stack cluster leaves IPv6 unprotected. */
  readonly unprotectedIpv6: boolean;
}

/**
 * The chart values the typed props describe. Always explicit where the chart's default is a trap
 * (NETWORKING-FACTS.md): `kubeProxyReplacement` as the string the chart expects, the routing mode and
 * tunnel protocol, `encryption.type` (the default ipsec needs a key Secret), `hubble.tls.auto.method`
 * (the default helm re-renders certificates on every run), and the IPAM pool (the default 10.0.0.0/8
 * overlaps typical VPCs).
 */
export function typedCiliumValues(scope: IConstruct, p: CiliumValueInputs, cluster: ClusterNetwork): TypedValues {
  const typed: Record<string, string> = {
    'kubeProxyReplacement': 'kubeProxyReplacement',
    'k8sServiceHost': 'k8sServiceHost',
    'k8sServicePort': 'k8sServicePort',
    'routingMode': 'routing',
    'tunnelProtocol': 'routing',
    'ipv4NativeRoutingCIDR': 'routing.ipv4NativeRoutingCidr',
    'ipv6NativeRoutingCIDR': 'routing.ipv6NativeRoutingCidr',
    'autoDirectNodeRoutes': 'routing.autoDirectNodeRoutes',
    'ipam': 'ipam',
    'encryption': 'encryption',
    'encryption.nodeEncryption': 'encryption.nodeEncryption',
    'encryption.strictMode.egress.cidr': 'encryption.strictEgressCidr',
    'encryption.strictMode.egress.allowRemoteNodeIdentities': 'encryption.allowRemoteNodeIdentities',
    'encryption.strictMode.ingress.enabled': 'encryption.strictIngress',
    'hubble': 'hubble',
    'hubble.relay.enabled': 'hubble.relay',
    'hubble.ui.enabled': 'hubble.ui',
    'hubble.tls.auto.method': 'hubble.tlsMethod',
    'hubble.tls.auto.certManagerIssuerRef': 'hubble.certManagerIssuer',
    'bandwidthManager.enabled': 'bandwidthManager',
    'bandwidthManager.bbr': 'bbr',
    'bpf.masquerade': 'bpfMasquerade',
    'localRedirectPolicies.enabled': 'localRedirectPolicies',
    'gatewayAPI.enabled': 'gatewayApi',
    'cluster.name': 'clusterName',
    'cluster.id': 'clusterId',
    'clustermesh.maxConnectedClusters': 'maxConnectedClusters',
    'policyEnforcementMode': 'policyEnforcementMode',
    'l2announcements.enabled': 'l2Announcements',
    'k8sClientRateLimit': 'k8sClientRateLimit',
    'egressGateway.enabled': 'egressGateway',
  };
  const v: Record<string, any> = {
    kubeProxyReplacement: p.kubeProxyReplacement ? 'true' : 'false',
    k8sServiceHost: requireOptionalString(scope, 'k8sServiceHost', p.k8sServiceHost, true),
    k8sServicePort: (p.k8sServicePort === undefined ? undefined : requireInteger(scope, 'k8sServicePort', p.k8sServicePort, 1, 65535)),
    ipv4: { enabled: cluster.ipFamilies.includes(IpFamily.IPV4) },
    ipv6: { enabled: cluster.ipFamilies.includes(IpFamily.IPV6) },
    ...routingValues(scope, p.routing),
    ipam: ipamValues(scope, p.ipam, cluster),
    encryption: encryptionValues(scope, p.encryption),
    hubble: hubbleValues(scope, p.hubble),
  };
  const bandwidthManager = requireOptionalBoolean(scope, 'bandwidthManager', p.bandwidthManager, false);
  const bbr = requireOptionalBoolean(scope, 'bbr', p.bbr, false);
  if (bandwidthManager || bbr) v.bandwidthManager = { enabled: bandwidthManager, bbr };
  if (requireOptionalBoolean(scope, 'bpfMasquerade', p.bpfMasquerade, false)) v.bpf = { masquerade: true };
  if (p.localRedirectPolicies) v.localRedirectPolicies = { enabled: true };
  if (requireOptionalBoolean(scope, 'gatewayApi', p.gatewayApi, false)) v.gatewayAPI = { enabled: true };
  const name = requireOptionalString(scope, 'clusterName', p.clusterName, true);
  const id = (p.clusterId === undefined ? undefined : requireInteger(scope, 'clusterId', p.clusterId, 0, 511));
  if (name !== undefined || id !== undefined) v.cluster = { name: name ?? 'default', id: id ?? 0 };
  const max = (p.maxConnectedClusters === undefined ? undefined : requireInteger(scope, 'maxConnectedClusters', p.maxConnectedClusters, 1, 511));
  if (max !== undefined) v.clustermesh = { maxConnectedClusters: max };
  if (p.policyEnforcementMode !== undefined) {
    v.policyEnforcementMode = requireOptionalOneOf(scope, 'policyEnforcementMode', p.policyEnforcementMode, [...Object.values(CiliumPolicyEnforcementMode), 'never' as CiliumPolicyEnforcementMode], 'a CiliumPolicyEnforcementMode', CiliumPolicyEnforcementMode.DEFAULT);
  }
  if (requireOptionalBoolean(scope, 'l2Announcements', p.l2Announcements, false)) v.l2announcements = { enabled: true };
  const limit = requireOptionalObject<CiliumClientRateLimit>(scope, 'k8sClientRateLimit', p.k8sClientRateLimit);
  if (limit) {
    requireKnownKeys(scope, 'k8sClientRateLimit', limit, RATE_LIMIT_KEYS);
    const qps = (limit.qps === undefined ? undefined : requireInteger(scope, 'k8sClientRateLimit.qps', limit.qps, 1, 100000));
    const burst = (limit.burst === undefined ? undefined : requireInteger(scope, 'k8sClientRateLimit.burst', limit.burst, 1, 100000));
    if (qps === undefined || burst === undefined) throw propError(scope, 'k8sClientRateLimit', 'give both qps and burst');
    if (burst < qps) throw propError(scope, 'k8sClientRateLimit.burst', `${burst} is below qps ${qps}`);
    v.k8sClientRateLimit = { qps, burst };
  }
  if (requireOptionalBoolean(scope, 'egressGateway', p.egressGateway, false)) v.egressGateway = { enabled: true };
  // After encryptionValues, which checked that the encryption is a CiliumEncryption.
  const wireguard: CiliumWireguardOptions = p.encryption === undefined ? {} : p.encryption._wireguard;
  const acknowledged = {
    unprotectedIpv6: requireOptionalBoolean(scope, 'encryption.acknowledgeUnprotectedIpv6', wireguard.acknowledgeUnprotectedIpv6, false),
  };
  return { values: dropUndefined(v), typed, acknowledged };
}

function routingValues(scope: IConstruct, routing: CiliumRouting | undefined): Record<string, unknown> {
  const r = routing === undefined ? CiliumRouting.tunnel()
    : requireInstance(scope, 'routing', routing, CiliumRouting, 'made with CiliumRouting.tunnel() or CiliumRouting.native()');
  if (r.mode === 'tunnel') return { routingMode: 'tunnel', tunnelProtocol: r.tunnelProtocol };
  return {
    routingMode: 'native',
    ipv4NativeRoutingCIDR: requireOptionalString(scope, 'routing.ipv4NativeRoutingCidr', r._native.ipv4NativeRoutingCidr, true),
    ipv6NativeRoutingCIDR: requireOptionalString(scope, 'routing.ipv6NativeRoutingCidr', r._native.ipv6NativeRoutingCidr, true),
    autoDirectNodeRoutes: requireOptionalBoolean(scope, 'routing.autoDirectNodeRoutes', r._native.autoDirectNodeRoutes, false),
  };
}

function ipamValues(scope: IConstruct, given: CiliumIpamOptions | undefined, cluster: ClusterNetwork): Record<string, unknown> {
  const ipam = requireKnownKeys(scope, 'ipam', requireOptionalObject<CiliumIpamOptions>(scope, 'ipam', given) ?? {}, IPAM_KEYS);
  const mode = requireOptionalOneOf(scope, 'ipam.mode', ipam.mode, Object.values(CiliumIpamMode), 'a CiliumIpamMode', CiliumIpamMode.CLUSTER_POOL);
  if (mode === CiliumIpamMode.KUBERNETES) {
    if (ipam.ipv4MaskSize !== undefined || ipam.ipv6MaskSize !== undefined) {
      throw propError(scope, 'ipam', 'mask sizes only apply to cluster-pool and multi-pool IPAM (in kubernetes mode kube-controller-manager sizes the node CIDRs)');
    }
    return { mode };
  }
  const of = (family: IpFamily) => cluster.podCidrs.filter((c) => ipFamilyOf(parseCidr(c)) === family);
  const v4 = of(IpFamily.IPV4);
  const v6 = of(IpFamily.IPV6);
  const mask = (prop: 'ipv4MaskSize' | 'ipv6MaskSize', cidrs: string[], fallback: number, max: number) => {
    if (cidrs.length === 0) {
      if (ipam[prop] !== undefined) throw propError(scope, `ipam.${prop}`, 'the cluster has no pod CIDR of this family');
      return undefined;
    }
    const size = requireOptionalInteger(scope, `ipam.${prop}`, ipam[prop], fallback, 1, max);
    for (const c of cidrs) {
      if (size <= parseCidr(c).prefix) throw propError(scope, `ipam.${prop}`, `/${size} node blocks do not fit more than once in the pod CIDR ${c}`);
    }
    return size;
  };
  const v4Mask = mask('ipv4MaskSize', v4, 24, 30);
  const v6Mask = mask('ipv6MaskSize', v6, 120, 126);
  if (mode === CiliumIpamMode.MULTI_POOL) {
    const pool = dropUndefined({
      ipv4: v4.length > 0 ? { cidrs: v4, maskSize: v4Mask } : undefined,
      ipv6: v6.length > 0 ? { cidrs: v6, maskSize: v6Mask } : undefined,
    });
    return { mode, operator: { autoCreateCiliumPodIPPools: { default: pool } } };
  }
  return {
    mode,
    operator: dropUndefined({
      clusterPoolIPv4PodCIDRList: v4.length > 0 ? v4 : undefined,
      clusterPoolIPv4MaskSize: v4Mask,
      clusterPoolIPv6PodCIDRList: v6.length > 0 ? v6 : undefined,
      clusterPoolIPv6MaskSize: v6Mask,
    }),
  };
}

function encryptionValues(scope: IConstruct, given: CiliumEncryption | undefined): Record<string, unknown> {
  const e = given === undefined ? CiliumEncryption.wireguard()
    : requireInstance(scope, 'encryption', given, CiliumEncryption, 'made with CiliumEncryption.wireguard(), .ipsec() or .none()');
  if (e.type === 'none') return { enabled: false };
  if (e.type === 'ipsec') {
    // The agent pods mount the Secret by this name: one that no Secret can have (object names are
    // DNS-1123 subdomains) leaves them stuck in ContainerCreating.
    const secretName = requireOptionalString(scope, 'encryption.secretName', e._ipsec.secretName, true);
    return { enabled: true, type: 'ipsec', ipsec: { secretName: secretName === undefined ? 'cilium-ipsec-keys' : validateDnsSubdomain(scope, 'encryption.secretName', secretName) } };
  }
  const w = e._wireguard;
  const strictCidr = requireOptionalString(scope, 'encryption.strictEgressCidr', w.strictEgressCidr, true);
  const remote = requireOptionalBoolean(scope, 'encryption.allowRemoteNodeIdentities', w.allowRemoteNodeIdentities, false);
  if (remote && strictCidr === undefined) throw propError(scope, 'encryption.allowRemoteNodeIdentities', 'only applies to strict egress mode (strictEgressCidr)');
  const strictIngress = requireOptionalBoolean(scope, 'encryption.strictIngress', w.strictIngress, false);
  const strictMode: Record<string, unknown> = {};
  if (strictCidr !== undefined) strictMode.egress = { enabled: true, cidr: strictCidr, allowRemoteNodeIdentities: remote };
  if (strictIngress) strictMode.ingress = { enabled: true };
  return dropUndefined({
    enabled: true,
    type: 'wireguard',
    nodeEncryption: requireOptionalBoolean(scope, 'encryption.nodeEncryption', w.nodeEncryption, false) ? true : undefined,
    strictMode: Object.keys(strictMode).length > 0 ? strictMode : undefined,
  });
}

function hubbleValues(scope: IConstruct, given: CiliumHubbleOptions | undefined): Record<string, unknown> {
  const h = requireKnownKeys(scope, 'hubble', requireOptionalObject<CiliumHubbleOptions>(scope, 'hubble', given) ?? {}, HUBBLE_KEYS);
  const enabled = requireOptionalBoolean(scope, 'hubble.enabled', h.enabled, true);
  // Every field is checked whether Hubble is on or not: a null or 'true' is an error either way.
  const relay = requireOptionalBoolean(scope, 'hubble.relay', h.relay, enabled);
  const ui = requireOptionalBoolean(scope, 'hubble.ui', h.ui, false);
  const metrics = (requireOptionalArray<string>(scope, 'hubble.metrics', h.metrics) ?? []);
  metrics.forEach((m, i) => {
    if (typeof m !== 'string' || !/^[a-zA-Z0-9-]+(:[^\s]*)?$/.test(m)) throw propError(scope, `hubble.metrics[${i}]`, `${JSON.stringify(m) ?? describeValue(m)} is not a metric like 'dns:query;ignoreAAAA' or 'drop'`);
  });
  const method = requireOptionalOneOf(scope, 'hubble.tlsMethod', h.tlsMethod, Object.values(HubbleTlsMethod), 'a HubbleTlsMethod', HubbleTlsMethod.CRON_JOB);
  const issuer = requireOptionalObject<CertManagerIssuerRef>(scope, 'hubble.certManagerIssuer', h.certManagerIssuer);
  if (issuer) requireKnownKeys(scope, 'hubble.certManagerIssuer', issuer, ISSUER_KEYS);
  if (issuer && method !== HubbleTlsMethod.CERT_MANAGER) throw propError(scope, 'hubble.certManagerIssuer', 'only applies with tlsMethod: HubbleTlsMethod.CERT_MANAGER');
  const auto: Record<string, unknown> = { method };
  if (issuer) {
    const group = (requireOptionalString(scope, 'hubble.certManagerIssuer.group', issuer.group, true) ?? 'cert-manager.io');
    const kind = (requireOptionalString(scope, 'hubble.certManagerIssuer.kind', issuer.kind, true) ?? 'ClusterIssuer');
    const name = requireOptionalString(scope, 'hubble.certManagerIssuer.name', issuer.name, true);
    auto.certManagerIssuerRef = { group, kind, name: name === undefined ? undefined : validateDnsSubdomain(scope, 'hubble.certManagerIssuer.name', name) };
  }
  if (!enabled) {
    if (relay || ui || h.metrics !== undefined || h.tlsMethod !== undefined || issuer) {
      throw propError(scope, 'hubble.enabled', 'false, but relay, ui, metrics or TLS settings are set');
    }
    return { enabled: false };
  }
  return dropUndefined({
    enabled: true,
    relay: { enabled: relay },
    ui: { enabled: ui },
    metrics: metrics.length > 0 ? { enabled: [...metrics] } : undefined,
    tls: { auto },
  });
}

/** The fields of each option struct, for requireKnownKeys: a misspelt optional field would be silently ignored. */
const IPAM_KEYS: StructKeys<CiliumIpamOptions> = { mode: true, ipv4MaskSize: true, ipv6MaskSize: true };
const HUBBLE_KEYS: StructKeys<CiliumHubbleOptions> = {
  enabled: true, relay: true, ui: true, metrics: true, tlsMethod: true, certManagerIssuer: true,
};
const ISSUER_KEYS: StructKeys<CertManagerIssuerRef> = { name: true, kind: true, group: true };
const RATE_LIMIT_KEYS: StructKeys<CiliumClientRateLimit> = { qps: true, burst: true };

function dropUndefined(obj: Record<string, any>): Record<string, any> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
