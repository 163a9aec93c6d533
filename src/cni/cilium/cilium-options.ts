import { StructKeys, requireKnownKeys, requireOneOf, requireProps } from '../../util/guards';

/**
 * Typed options of CiliumInstall (chart 1.20.0). Each maps onto keys of the pinned chart's
 * values.yaml; the spellings and value lists are NETWORKING-FACTS.md's "Helm values, chart 1.20.0".
 */

/** Tunnel encapsulation (`tunnelProtocol`). */
export enum CiliumTunnelProtocol {
  /** VXLAN (UDP 8472), the chart's default. */
  VXLAN = 'vxlan',
  /** Geneve (UDP 6081). */
  GENEVE = 'geneve',
}

/** Options of {@link CiliumRouting.native}. */
export interface CiliumNativeRoutingOptions {
  /**
   * The IPv4 CIDR that is routable without masquerading (`ipv4NativeRoutingCIDR`); must contain
   * the ClusterNetwork's IPv4 pod CIDRs. Required on IPv4 clusters.
   * @default - none
   */
  readonly ipv4NativeRoutingCidr?: string;
  /**
   * The IPv6 CIDR routable without masquerading (`ipv6NativeRoutingCIDR`); must contain the IPv6
   * pod CIDRs. Required on IPv6 clusters.
   * @default - none
   */
  readonly ipv6NativeRoutingCidr?: string;
  /**
   * Install routes to the other nodes' pod CIDRs directly (`autoDirectNodeRoutes`): only when all
   * nodes share one L2 network.
   * @default false
   */
  readonly autoDirectNodeRoutes?: boolean;
}

/** How pod traffic crosses nodes (`routingMode`). */
export class CiliumRouting {
  /**
   * Encapsulate between nodes (`routingMode: tunnel`). The protocol is always emitted, never left
   * to the chart's empty default.
   * @param protocol VXLAN or Geneve
   */
  public static tunnel(protocol: CiliumTunnelProtocol = CiliumTunnelProtocol.VXLAN): CiliumRouting {
    requireOneOf('CiliumRouting.tunnel', 'protocol', protocol, Object.values(CiliumTunnelProtocol), 'a CiliumTunnelProtocol');
    return new CiliumRouting('tunnel', protocol, {});
  }

  /**
   * Route pod traffic natively (`routingMode: native`): the network must route the pod CIDRs.
   * @param options the native routing CIDRs (required per IP family of the cluster)
   */
  public static native(options: CiliumNativeRoutingOptions): CiliumRouting {
    const site = 'CiliumRouting.native';
    return new CiliumRouting('native', undefined, { ...requireKnownKeys(site, 'options', requireProps(site, options, false, 'options'), NATIVE_ROUTING_KEYS) });
  }

  /** `tunnel` or `native`. */
  public readonly mode: string;
  /** The tunnel protocol (tunnel mode only). */
  public readonly tunnelProtocol?: CiliumTunnelProtocol;
  /** @internal */
  public readonly _native: CiliumNativeRoutingOptions;

  private constructor(mode: string, tunnelProtocol: CiliumTunnelProtocol | undefined, native: CiliumNativeRoutingOptions) {
    this.mode = mode;
    this.tunnelProtocol = tunnelProtocol;
    this._native = native;
  }
}

/** Options of {@link CiliumEncryption.wireguard}. */
export interface CiliumWireguardOptions {
  /**
   * Also encrypt node-to-node traffic (`encryption.nodeEncryption`).
   * @default false
   */
  readonly nodeEncryption?: boolean;
  /**
   * Strict egress mode: drop unencrypted pod-to-pod traffic to this IPv4 CIDR
   * (`encryption.strictMode.egress.{enabled,cidr}`); must contain the IPv4 pod CIDRs.
   * @default - strict egress mode off
   */
  readonly strictEgressCidr?: string;
  /**
   * Strict egress mode: look up remote node identities dynamically (needed with tunnelling, or when
   * node and pod CIDRs overlap) (`encryption.strictMode.egress.allowRemoteNodeIdentities`).
   * Strict egress without it is an error unless the routing is native.
   * @default false
   */
  readonly allowRemoteNodeIdentities?: boolean;
  /**
   * Strict ingress mode: drop unencrypted pod-to-pod ingress (`encryption.strictMode.ingress.enabled`).
   * @default false
   */
  readonly strictIngress?: boolean;
  /**
   * Accept that strict egress mode leaves IPv6 unprotected on a dual-stack cluster. Its CIDR is IPv4
   * only and the chart has no IPv6 one, so IPv6 pod-to-pod traffic can still leave a node
   * unencrypted (docs.cilium.io "Transparent Encryption", strict mode limitations). Not a chart
   * value: only this library's check reads it. Refused where it acknowledges nothing (no strict
   * egress, or no IPv6 pod CIDR).
   * @default false - strict egress mode on a dual-stack cluster is an error
   */
  readonly acknowledgeUnprotectedIpv6?: boolean;
}

/** Options of {@link CiliumEncryption.ipsec}. */
export interface CiliumIpsecOptions {
  /**
   * The Secret (in the install namespace) holding the IPsec keys. It is never synthesized: create
   * it out of band (`kubectl create secret generic cilium-ipsec-keys --from-literal=keys=...`,
   * External Secrets, Sealed Secrets), it must not be committed to Git.
   * @default 'cilium-ipsec-keys'
   */
  readonly secretName?: string;
}

/** Transparent encryption of pod traffic (`encryption.*`); the type is always emitted (the chart defaults to ipsec). */
export class CiliumEncryption {
  /**
   * WireGuard (`encryption.type: wireguard`): keys are generated and rotated by the agents.
   * @param options node encryption and strict modes
   */
  public static wireguard(options: CiliumWireguardOptions = {}): CiliumEncryption {
    const site = 'CiliumEncryption.wireguard';
    return new CiliumEncryption('wireguard', { ...requireKnownKeys(site, 'options', requireProps(site, options, true, 'options'), WIREGUARD_KEYS) }, {});
  }

  /**
   * IPsec (`encryption.type: ipsec`) with a key Secret created out of band.
   * @param options the key Secret's name
   */
  public static ipsec(options: CiliumIpsecOptions = {}): CiliumEncryption {
    const site = 'CiliumEncryption.ipsec';
    return new CiliumEncryption('ipsec', {}, { ...requireKnownKeys(site, 'options', requireProps(site, options, true, 'options'), IPSEC_KEYS) });
  }

  /** No transparent encryption (`encryption.enabled: false`). */
  public static none(): CiliumEncryption {
    return new CiliumEncryption('none', {}, {});
  }

  /** `wireguard`, `ipsec` or `none`. */
  public readonly type: string;
  /** @internal */
  public readonly _wireguard: CiliumWireguardOptions;
  /** @internal */
  public readonly _ipsec: CiliumIpsecOptions;

  private constructor(type: string, wireguard: CiliumWireguardOptions, ipsec: CiliumIpsecOptions) {
    this.type = type;
    this._wireguard = wireguard;
    this._ipsec = ipsec;
  }
}

/** IPAM mode (`ipam.mode`). */
export enum CiliumIpamMode {
  /** Cilium's operator hands out per-node CIDRs from `clusterPoolIPv4PodCIDRList` (the chart's default). */
  CLUSTER_POOL = 'cluster-pool',
  /** Use the node's `spec.podCIDR` from kube-controller-manager (`--cluster-cidr` = the ClusterNetwork pod CIDRs). */
  KUBERNETES = 'kubernetes',
  /**
   * Multi-pool (docs.cilium.io "Multi-Pool"): the operator creates the pool `default` from the
   * ClusterNetwork's pod CIDRs (`ipam.operator.autoCreateCiliumPodIPPools`); more pools are
   * CiliumPodIPPool objects. Needs eBPF masquerading (`bpfMasquerade`), or iptables masquerading
   * limited to interfaces (`egressMasqueradeInterfaces` in `extraValues`, cilium/cilium#26397), or
   * masquerading off. The same holds for the modes only `extraValues` can set (eni, azure, crd, ...):
   * since 1.19 the agent does not start with iptables masquerading and no interfaces
   * (cilium/cilium#42531).
   */
  MULTI_POOL = 'multi-pool',
}

/** IPAM options. */
export interface CiliumIpamOptions {
  /**
   * IPAM mode. In cluster-pool mode the pool (in multi-pool mode the pool `default`) is the
   * ClusterNetwork's pod CIDRs (the chart's own default, 10.0.0.0/8, overlaps typical VPCs).
   * @default CiliumIpamMode.CLUSTER_POOL
   */
  readonly mode?: CiliumIpamMode;
  /**
   * Per-node IPv4 block size in cluster-pool mode (`ipam.operator.clusterPoolIPv4MaskSize`) or of
   * the multi-pool `default` pool (`maskSize`).
   * @default 24
   */
  readonly ipv4MaskSize?: number;
  /**
   * Per-node IPv6 block size in cluster-pool mode (`ipam.operator.clusterPoolIPv6MaskSize`) or of
   * the multi-pool `default` pool (`maskSize`).
   * @default 120
   */
  readonly ipv6MaskSize?: number;
}

/** How Hubble's TLS certificates are made (`hubble.tls.auto.method`). */
export enum HubbleTlsMethod {
  /** A CronJob generates and rotates them in the cluster: nothing in the rendered output changes between runs. */
  CRON_JOB = 'cronJob',
  /** cert-manager issues them (needs `certManagerIssuer`). */
  CERT_MANAGER = 'certmanager',
}

/** A cert-manager issuer reference. */
export interface CertManagerIssuerRef {
  /** Issuer name. */
  readonly name: string;
  /**
   * `Issuer` or `ClusterIssuer`.
   * @default 'ClusterIssuer'
   */
  readonly kind?: string;
  /**
   * API group of the issuer.
   * @default 'cert-manager.io'
   */
  readonly group?: string;
}

/** Hubble options. */
export interface CiliumHubbleOptions {
  /**
   * Hubble in the agents (`hubble.enabled`).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Hubble Relay, the cluster-wide flow API (`hubble.relay.enabled`).
   * @default true (the seeds' practice)
   */
  readonly relay?: boolean;
  /**
   * Hubble UI (`hubble.ui.enabled`); needs the relay.
   * @default false
   */
  readonly ui?: boolean;
  /**
   * Metrics to export (`hubble.metrics.enabled`), e.g. `['dns:query;ignoreAAAA', 'drop', 'tcp', 'flow', 'icmp', 'http']`.
   * @default - none (metrics off)
   */
  readonly metrics?: string[];
  /**
   * TLS certificate method. Never the chart's default `helm`, which makes new certificates on every
   * render: GitOps would see a diff on every sync and snapshots would never be stable.
   * @default HubbleTlsMethod.CRON_JOB
   */
  readonly tlsMethod?: HubbleTlsMethod;
  /**
   * The cert-manager issuer (with `HubbleTlsMethod.CERT_MANAGER` only).
   * @default - none
   */
  readonly certManagerIssuer?: CertManagerIssuerRef;
}

/** `policyEnforcementMode`. */
export enum CiliumPolicyEnforcementMode {
  /** Endpoints without a selecting policy allow everything (the chart's default). */
  DEFAULT = 'default',
  /** Every endpoint denies what no policy allows, including endpoints no policy selects. */
  ALWAYS = 'always',
}

/** Client-side rate limit of the agent towards the API server (`k8sClientRateLimit`). */
export interface CiliumClientRateLimit {
  /** Sustained requests per second (chart default 10). */
  readonly qps: number;
  /** Burst (chart default 20); at least `qps`. */
  readonly burst: number;
}

/** A CiliumLoadBalancerIPPool (cilium.io/v2). */
export interface CiliumLoadBalancerIpPoolOptions {
  /** Object name. */
  readonly name: string;
  /** CIDRs LoadBalancer Services get their IPs from (`spec.blocks[].cidr`). */
  readonly cidrs: string[];
  /**
   * Services this pool serves (`spec.serviceSelector.matchLabels`).
   * @default - every LoadBalancer Service
   */
  readonly serviceSelector?: { [key: string]: string };
}

/** A CiliumL2AnnouncementPolicy (cilium.io/v2alpha1). */
export interface CiliumL2AnnouncementPolicyOptions {
  /** Object name. */
  readonly name: string;
  /**
   * Regular expressions of the node interfaces to answer ARP on.
   * @default - every interface
   */
  readonly interfaces?: string[];
  /**
   * Services to announce (`spec.serviceSelector.matchLabels`).
   * @default - every Service
   */
  readonly serviceSelector?: { [key: string]: string };
  /**
   * Nodes that may announce (`spec.nodeSelector.matchLabels`).
   * @default - every node
   */
  readonly nodeSelector?: { [key: string]: string };
  /**
   * Announce LoadBalancer IPs.
   * @default true
   */
  readonly loadBalancerIps?: boolean;
  /**
   * Announce external IPs.
   * @default false
   */
  readonly externalIps?: boolean;
}

/** A CiliumEgressGatewayPolicy (cilium.io/v2). */
export interface CiliumEgressGatewayPolicyOptions {
  /** Object name. */
  readonly name: string;
  /** Namespace of the source pods. */
  readonly namespace: string;
  /**
   * Labels of the source pods.
   * @default - every pod of the namespace
   */
  readonly podSelector?: { [key: string]: string };
  /** Destinations whose traffic leaves through the gateway (`destinationCIDRs`). */
  readonly destinationCidrs: string[];
  /**
   * Destinations excluded again (`excludedCIDRs`).
   * @default - none
   */
  readonly excludedCidrs?: string[];
  /** Labels of the gateway node(s) (`egressGateway.nodeSelector.matchLabels`). */
  readonly gatewayNodeSelector: { [key: string]: string };
  /**
   * The IPv4 source address traffic is SNATed to (`egressGateway.egressIP`).
   * @default - the first IPv4 address of the gateway's default-route interface
   */
  readonly egressIp?: string;
}

/** The fields of each factory's options, for requireKnownKeys: a misspelt option would be silently ignored. */
const NATIVE_ROUTING_KEYS: StructKeys<CiliumNativeRoutingOptions> = {
  ipv4NativeRoutingCidr: true, ipv6NativeRoutingCidr: true, autoDirectNodeRoutes: true,
};
const WIREGUARD_KEYS: StructKeys<CiliumWireguardOptions> = {
  nodeEncryption: true, strictEgressCidr: true, allowRemoteNodeIdentities: true, strictIngress: true, acknowledgeUnprotectedIpv6: true,
};
const IPSEC_KEYS: StructKeys<CiliumIpsecOptions> = { secretName: true };
