/**
 * Requirements between Cilium 1.20 values, checked on the merged values (typed props +
 * `extraValues`), because the chart's schema checks none of them (NETWORKING-FACTS.md, Cilium).
 * Errors name the typed prop that set a value, or `extraValues.<path>` when the escape hatch did.
 */
import { IConstruct } from 'constructs';
import { chainedOnAnotherPlugin, validateChaining } from './chaining';
import { mistypedValues, unknownValueKeys } from './chart-values-keys-check';
import { CiliumAcknowledgements } from './cilium-values';
import { ClusterNetwork, IpFamily } from '../../cluster/cluster-network';
import { ipFamilyOf } from '../../cluster/ip-family-check';
import { KubeProxyMode } from '../../cluster/kube-proxy-mode';
import { apiServerHostProblem } from '../../util/api-server-host';
import { CidrError, cidrContainsCidr, parseCidr } from '../../util/cidr';
import { hasPath, valueAtPath as get } from '../../util/deep-merge';
import { propError } from '../../util/errors';
import { isDnsSubdomain } from '../../util/validate';
import { isPlainObject } from '../../util/vocabulary';

/** Where each values path came from. */
export interface ValuesOrigin {
  /** The `extraValues` escape hatch as given. */
  readonly extra: Record<string, unknown>;
  /** Values path (dotted) -> the typed prop that set it. */
  readonly typed: Record<string, string>;
}

const DEFAULT_CLIENT_RATE_LIMIT = { qps: 10, burst: 20 };
/** `ipam.mode` values of Cilium 1.20 (docs.cilium.io "IP Address Management"; the chart's schema has no enum). */
const IPAM_MODES = ['cluster-pool', 'kubernetes', 'multi-pool', 'crd', 'eni', 'azure', 'alibabacloud', 'delegated-plugin'];
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Validate the merged values; throws the first problem as a propError. */
export function validateCiliumValues(
  scope: IConstruct, values: Record<string, any>, origin: ValuesOrigin, cluster: ClusterNetwork, acknowledged: CiliumAcknowledgements,
): void {
  const prop = (path: string): string => {
    if (hasPath(origin.extra, path)) return `extraValues.${path}`;
    for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      if (origin.typed[p] !== undefined) return origin.typed[p];
    }
    return `values.${path}`;
  };
  const fail = (path: string, message: string): never => {
    throw propError(scope, prop(path), message);
  };
  const on = (path: string) => get(values, path) === true || get(values, path) === 'true';

  // Types first: a map where the chart wants a string is better said so than as unknown keys below it.
  const mistyped = mistypedValues(values)[0];
  if (mistyped) fail(mistyped.path, mistyped.message);
  const unknown = unknownValueKeys(values)[0];
  if (unknown) fail(unknown.path, unknown.message);

  // egressMasqueradeInterfaces (documented commented out in values.yaml): the chart writes it as is
  // into the agent ConfigMap (`egress-masquerade-interfaces`), so only a non-empty string is a value.
  const masqueradeInterfaces = get(values, 'egressMasqueradeInterfaces');
  if (masqueradeInterfaces !== undefined && (typeof masqueradeInterfaces !== 'string' || masqueradeInterfaces.trim() === '')) {
    fail('egressMasqueradeInterfaces', `must be a non-empty string naming the interfaces iptables masquerading applies to, got ${JSON.stringify(masqueradeInterfaces)}`);
  }

  // kube-proxy replacement (string|boolean; strict/partial/probe/disabled were removed in 1.16).
  const kpr = get(values, 'kubeProxyReplacement');
  if (kpr !== undefined && ![true, false, 'true', 'false'].includes(kpr)) {
    fail('kubeProxyReplacement', `${JSON.stringify(kpr)} is not "true" or "false" (strict/partial/probe/disabled were removed in Cilium 1.16; the agent refuses to start)`);
  }
  const replaced = kpr === true || kpr === 'true';
  const clusterReplaced = cluster.kubeProxyMode === KubeProxyMode.REPLACED;
  if (replaced !== clusterReplaced) {
    fail('kubeProxyReplacement', `${replaced ? 'replaces kube-proxy' : 'keeps kube-proxy'}, but the ClusterNetwork says kube-proxy ${clusterReplaced ? 'is replaced' : `runs in ${cluster.kubeProxyMode} mode`}: `
      + 'make Cni.cilium({ kubeProxyReplacement }) and the install agree (DNS allows depend on it)');
  }
  if (replaced) {
    const host = get(values, 'k8sServiceHost');
    const ref = get(values, 'k8sServiceHostRef.name');
    if ((host === undefined || host === '') && !ref) {
      fail('k8sServiceHost', 'kube-proxy replacement needs the API server address (k8sServiceHost, or "auto" to read the cluster-info ConfigMap): '
        + 'without kube-proxy the agent cannot reach the kubernetes Service ClusterIP');
    }
    // The chart hands it to the agents as KUBERNETES_SERVICE_HOST, joined with the port into the URL.
    const hostProblem = typeof host === 'string' && host !== 'auto' && host !== '' ? apiServerHostProblem(host, 'k8sServicePort') : undefined;
    if (hostProblem !== undefined) fail('k8sServiceHost', hostProblem);
    const port = get(values, 'k8sServicePort');
    if (host !== 'auto' && !ref && (port === undefined || port === '')) fail('k8sServicePort', 'kube-proxy replacement needs the API server port (k8sServicePort)');
    if (port !== undefined && port !== '' && !(/^[0-9]+$/.test(String(port)) && Number(port) >= 1 && Number(port) <= 65535)) {
      fail('k8sServicePort', `${JSON.stringify(port)} is not a port (1-65535): the agent could not reach the API server`);
    }
  }

  // Routing.
  const routingMode = get(values, 'routingMode') ?? '';
  if (!['', 'tunnel', 'native'].includes(routingMode)) fail('routingMode', `${JSON.stringify(routingMode)} is not 'tunnel' or 'native'`);
  const tunnelProtocol = get(values, 'tunnelProtocol') ?? '';
  if (!['', 'vxlan', 'geneve'].includes(tunnelProtocol)) fail('tunnelProtocol', `${JSON.stringify(tunnelProtocol)} is not 'vxlan' or 'geneve'`);
  if (routingMode === 'native') {
    for (const [family, key] of [[IpFamily.IPV4, 'ipv4NativeRoutingCIDR'], [IpFamily.IPV6, 'ipv6NativeRoutingCIDR']] as const) {
      if (!cluster.ipFamilies.includes(family)) continue;
      const cidr = get(values, key);
      if (typeof cidr !== 'string' || cidr === '') fail(key, `native routing on an ${family} cluster needs ${key}, the CIDR the network routes without masquerading`);
      const parsed = parseOrFail(cidr, (m) => fail(key, m));
      for (const pod of cluster.podCidrs.filter((p) => ipFamilyOf(parseCidr(p)) === family)) {
        if (!cidrContainsCidr(parsed, parseCidr(pod))) fail(key, `${cidr} does not contain the pod CIDR ${pod}: pod traffic to other nodes would be masqueraded`);
      }
    }
  } else if (tunnelProtocol === '' && routingMode === 'tunnel') {
    fail('tunnelProtocol', 'set the tunnel protocol explicitly (vxlan or geneve)');
  }

  // IP families and IPAM.
  for (const [family, key] of [[IpFamily.IPV4, 'ipv4.enabled'], [IpFamily.IPV6, 'ipv6.enabled']] as const) {
    const enabled = get(values, key);
    if (enabled !== undefined && enabled !== cluster.ipFamilies.includes(family)) {
      fail(key, `${enabled} contradicts the ClusterNetwork's ipFamilies [${cluster.ipFamilies.join(', ')}]`);
    }
  }
  const ipamMode = get(values, 'ipam.mode') ?? 'cluster-pool';
  if (!IPAM_MODES.includes(ipamMode)) fail('ipam.mode', `${JSON.stringify(ipamMode)} is not a Cilium IPAM mode (${IPAM_MODES.join(', ')}); the chart's schema does not check it`);
  if (ipamMode === 'multi-pool') {
    const pools = get(values, 'ipam.operator.autoCreateCiliumPodIPPools');
    for (const [name, pool] of Object.entries(isPlainObject(pools) ? pools : {})) {
      if (!isPlainObject(pool)) fail(`ipam.operator.autoCreateCiliumPodIPPools.${name}`, 'must be an object with ipv4 and/or ipv6 { cidrs, maskSize }');
      for (const family of ['ipv4', 'ipv6']) {
        const key = `ipam.operator.autoCreateCiliumPodIPPools.${name}.${family}.cidrs`;
        const list = get(values, key);
        if (list === undefined) continue;
        if (!Array.isArray(list)) fail(key, 'must be a list of CIDRs');
        for (const cidr of list) {
          const parsed = parseOrFail(cidr, (m) => fail(key, m));
          if (!cluster.podCidrs.some((pod) => cidrContainsCidr(parseCidr(pod), parsed))) {
            fail(key, `${cidr} is outside the ClusterNetwork's pod CIDRs [${cluster.podCidrs.join(', ')}]: policies and DNS allows are computed for those`);
          }
        }
      }
    }
  }
  // Iptables masquerading matches a node's single pod CIDR, which only cluster-pool and kubernetes
  // IPAM give; every other mode must name the interfaces to masquerade on. Since 1.19 the agent
  // refuses to start (panics) without them (cilium/cilium#42531; for multi-pool, #26397 and the
  // Multi-Pool docs since #26522). eBPF masquerading has no such limit.
  if (ipamMode !== 'cluster-pool' && ipamMode !== 'kubernetes') {
    // Masquerading of a family the cluster does not run is no masquerading (the chart's IPv4 default is on).
    const masquerading = (cluster.ipFamilies.includes(IpFamily.IPV4) && get(values, 'enableIPv4Masquerade') !== false)
      || (cluster.ipFamilies.includes(IpFamily.IPV6) && get(values, 'enableIPv6Masquerade') !== false);
    if (masquerading && !on('bpf.masquerade') && get(values, 'egressMasqueradeInterfaces') === undefined) {
      fail('ipam.mode', `${ipamMode} IPAM with iptables masquerading needs egressMasqueradeInterfaces (the interfaces to masquerade on, through extraValues; `
        + 'without them the Cilium agent refuses to start), or eBPF masquerading (bpfMasquerade: true, which needs kube-proxy replacement), or masquerading turned off');
    }
  }
  if (ipamMode === 'cluster-pool') {
    for (const [family, key] of [[IpFamily.IPV4, 'ipam.operator.clusterPoolIPv4PodCIDRList'], [IpFamily.IPV6, 'ipam.operator.clusterPoolIPv6PodCIDRList']] as const) {
      if (!cluster.ipFamilies.includes(family)) continue;
      const list = get(values, key);
      if (!Array.isArray(list) || list.length === 0) fail(key, `cluster-pool IPAM on an ${family} cluster needs the pool CIDRs (the chart's default 10.0.0.0/8 overlaps typical VPCs)`);
      for (const cidr of list) {
        const parsed = parseOrFail(cidr, (m) => fail(key, m));
        if (!cluster.podCidrs.some((pod) => cidrContainsCidr(parseCidr(pod), parsed))) {
          fail(key, `${cidr} is outside the ClusterNetwork's pod CIDRs [${cluster.podCidrs.join(', ')}]: policies and DNS allows are computed for those`);
        }
      }
    }
  }

  // Encryption (the chart defaults to ipsec, which needs a key Secret: the type is always explicit).
  if (on('encryption.enabled')) {
    const type = get(values, 'encryption.type');
    if (!['wireguard', 'ipsec', 'ztunnel'].includes(type)) fail('encryption.type', `type ${JSON.stringify(type)} is not 'wireguard', 'ipsec' or 'ztunnel' (set it: the chart defaults to ipsec, which needs a key Secret)`);
    if (type !== 'wireguard' && on('encryption.nodeEncryption')) fail('encryption.nodeEncryption', 'node encryption is a WireGuard feature');
    // docs.cilium.io "IPsec Transparent Encryption", Limitations: IPsec "is not currently supported in
    // combination with IPv6-only clusters", and host policies (the host firewall) are not supported with it.
    if (type === 'ipsec' && !cluster.ipFamilies.includes(IpFamily.IPV4)) {
      fail('encryption.type', 'IPsec encryption is not supported on IPv6-only clusters (docs.cilium.io "IPsec Transparent Encryption", limitations): '
        + 'use CiliumEncryption.wireguard()');
    }
    // The agent pods mount the key Secret by this name (the typed prop is checked too, but extraValues
    // can replace it): a name no Secret can have leaves every agent waiting for its volume.
    const ipsecSecret = get(values, 'encryption.ipsec.secretName');
    if (type === 'ipsec' && ipsecSecret !== undefined && !isDnsSubdomain(ipsecSecret)) {
      fail('encryption.ipsec.secretName', `${JSON.stringify(ipsecSecret)} is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', `
        + 'at most 253 characters): no Secret can have that name, so the Cilium agents never get their IPsec keys');
    }
    // Same page, Dependencies: with the L7 proxy, IPsec needs the DNS proxy in transparent mode; the
    // agent refuses to start otherwise ("IPSec requires DNS proxy transparent mode to be enabled"),
    // unless its dnsproxy-insecure-skip-transparent-mode-check flag is set (only through extraConfig).
    if (type === 'ipsec' && get(values, 'l7Proxy') !== false && get(values, 'dnsProxy.enableTransparentMode') === false
      && String(get(values, 'extraConfig.dnsproxy-insecure-skip-transparent-mode-check')) !== 'true') {
      fail('dnsProxy.enableTransparentMode', 'IPsec with the L7 proxy needs the DNS proxy in transparent mode: the Cilium agent refuses to start '
        + 'otherwise (docs.cilium.io "IPsec Transparent Encryption", dependencies). Leave it on, or turn the L7 proxy off (l7Proxy: false)');
    }
    if (type === 'ipsec' && on('hostFirewall.enabled')) {
      fail('hostFirewall.enabled', 'host policies (the host firewall) are not supported with IPsec encryption (docs.cilium.io "IPsec Transparent Encryption", '
        + 'limitations): use CiliumEncryption.wireguard(), or leave the host firewall off');
    }
    if (type !== 'wireguard' && on('encryption.strictMode.ingress.enabled')) fail('encryption.strictMode.ingress.enabled', 'strict ingress mode requires WireGuard');
    if (on('encryption.strictMode.ingress.enabled')) {
      const chaining = chainedOnAnotherPlugin(values);
      if (chaining !== undefined) {
        fail('encryption.strictMode.ingress.enabled', 'strict ingress mode is not supported with Cilium chained on top of another CNI plugin '
          + `(${prop(chaining)}: ${JSON.stringify(get(values, chaining))}; docs.cilium.io "Transparent Encryption", cilium/cilium#15596): it relies on `
          + 'Cilium\'s programs on every interface that carries pod traffic, and the other plugin provides the pod network. '
          + 'Turn strict ingress off, or run Cilium as the only CNI');
      }
    }
    if (on('encryption.strictMode.egress.enabled')) {
      const cidr = get(values, 'encryption.strictMode.egress.cidr');
      if (typeof cidr !== 'string' || cidr === '') fail('encryption.strictMode.egress.cidr', 'strict egress mode needs the CIDR whose traffic must be encrypted');
      // An IPv4 CIDR (the agent's option is IPv4 only) that covers the pods: traffic to pods outside it leaves unencrypted.
      const parsed = parseOrFail(cidr, (m) => fail('encryption.strictMode.egress.cidr', m));
      if (ipFamilyOf(parsed) !== IpFamily.IPV4) fail('encryption.strictMode.egress.cidr', `${cidr} is not an IPv4 CIDR (strict egress mode is IPv4 only)`);
      const v4Pods = cluster.podCidrs.filter((p) => ipFamilyOf(parseCidr(p)) === IpFamily.IPV4);
      if (v4Pods.length === 0) {
        fail('encryption.strictMode.egress.cidr', 'the cluster has no IPv4 pod CIDR and strict egress mode is IPv4 only: '
          + 'it would protect no pod traffic at all; turn strict egress off');
      }
      for (const pod of v4Pods) {
        if (!cidrContainsCidr(parsed, parseCidr(pod))) {
          fail('encryption.strictMode.egress.cidr', `${cidr} does not contain the pod CIDR ${pod}: unencrypted traffic to those pods would still be let through`);
        }
      }
      // Same docs, strict mode limitations: "IPv6 traffic is not protected by the strict mode and can
      // be leaked". The chart has no IPv6 strict CIDR, so a dual-stack cluster must accept that explicitly.
      if (cluster.ipFamilies.includes(IpFamily.IPV6) && !acknowledged.unprotectedIpv6) {
        fail('encryption.strictMode.egress.cidr', 'strict egress mode protects IPv4 only (its CIDR is IPv4 and the chart has no IPv6 one): '
          + 'on this dual-stack cluster IPv6 pod-to-pod traffic can still leave a node unencrypted (docs.cilium.io "Transparent Encryption", '
          + 'strict mode limitations). Accept that with CiliumEncryption.wireguard({ acknowledgeUnprotectedIpv6: true }) (egress policies that '
          + 'keep IPv6 pod traffic away from unknown destinations are the documented mitigation), or turn strict egress off');
      }
      // docs.cilium.io "Transparent Encryption" (1.20): only direct routing (with node and pod CIDRs
      // apart) works without dynamic remote-node lookups; in tunnel mode strict egress needs them.
      if (routingMode !== 'native' && !on('encryption.strictMode.egress.allowRemoteNodeIdentities')) {
        const set = hasPath(origin.extra, 'encryption.strictMode.egress.enabled') ? 'encryption.strictMode.egress.enabled' : 'encryption.strictMode.egress.allowRemoteNodeIdentities';
        fail(set, `strict egress mode in ${routingMode === '' ? 'the default tunnel' : 'tunnel'} routing mode `
          + 'needs allowRemoteNodeIdentities: true (only native routing with separate node and pod CIDRs works without remote node identity lookups)');
      }
    }
  } else if (on('encryption.nodeEncryption') || on('encryption.strictMode.egress.enabled') || on('encryption.strictMode.ingress.enabled')) {
    fail('encryption.enabled', 'node encryption and strict modes need encryption enabled');
  }
  if (acknowledged.unprotectedIpv6) {
    const ack = 'encryption.acknowledgeUnprotectedIpv6';
    if (!on('encryption.enabled') || !on('encryption.strictMode.egress.enabled')) throw propError(scope, ack, 'only applies to strict egress mode (strictEgressCidr)');
    if (!cluster.ipFamilies.includes(IpFamily.IPV6)) {
      throw propError(scope, ack, 'the cluster has no IPv6 pod CIDR, so strict egress mode leaves no IPv6 traffic unprotected: drop it');
    }
  }

  // Hubble.
  const hubble = get(values, 'hubble.enabled') !== false;
  if (!hubble && (on('hubble.relay.enabled') || on('hubble.ui.enabled'))) fail('hubble.enabled', 'Hubble Relay and UI need Hubble enabled');
  if (on('hubble.ui.enabled') && !on('hubble.relay.enabled')) fail('hubble.ui.enabled', 'Hubble UI reads flows through Hubble Relay: enable the relay too');
  if (hubble && get(values, 'hubble.tls.enabled') !== false && get(values, 'hubble.tls.auto.enabled') !== false) {
    const method = get(values, 'hubble.tls.auto.method');
    if (method !== 'cronJob' && method !== 'certmanager') {
      fail('hubble.tls.auto.method', `${JSON.stringify(method)}: use 'cronJob' or 'certmanager'; 'helm' (the chart's default) makes new certificates `
        + 'on every render, so GitOps tools see a diff on every sync');
    }
    if (method === 'certmanager' && !get(values, 'hubble.tls.auto.certManagerIssuerRef.name')) {
      fail('hubble.tls.auto.certManagerIssuerRef', 'the certmanager method needs the issuer (certManagerIssuerRef)');
    }
    // The issuer is looked up by this name (checked on the typed prop, but extraValues can replace it):
    // one that no object can have leaves the Hubble Certificates unissued.
    const issuerName = get(values, 'hubble.tls.auto.certManagerIssuerRef.name');
    if (method === 'certmanager' && issuerName && !isDnsSubdomain(issuerName)) {
      fail('hubble.tls.auto.certManagerIssuerRef.name', `${JSON.stringify(issuerName)} is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', `
        + 'at most 253 characters): no issuer can have that name, so the Hubble certificates are never issued');
    }
    // cert-manager's webhook refuses the Certificates the chart then emits for any other kind of its
    // own group (cert-manager validateIssuerRef: "must be one of Issuer or ClusterIssuer"); an external
    // issuer names its own group.
    const group = get(values, 'hubble.tls.auto.certManagerIssuerRef.group') ?? '';
    const kind = get(values, 'hubble.tls.auto.certManagerIssuerRef.kind') ?? '';
    if (method === 'certmanager' && (group === '' || group === 'cert-manager.io') && !['', 'Issuer', 'ClusterIssuer'].includes(kind)) {
      fail('hubble.tls.auto.certManagerIssuerRef.kind', `${JSON.stringify(kind)} is not a cert-manager.io issuer kind (Issuer or ClusterIssuer); `
        + 'cert-manager refuses the Hubble Certificates. For an external issuer, set its group too');
    }
  }

  // Features that need kube-proxy replacement or each other.
  if (on('bandwidthManager.bbr') && !on('bandwidthManager.enabled')) fail('bandwidthManager.bbr', 'BBR needs the bandwidth manager (bandwidthManager.enabled)');
  if (on('bpf.masquerade') && !replaced) {
    fail('bpf.masquerade', 'eBPF masquerading depends on the BPF NodePort feature, i.e. kube-proxy replacement (docs.cilium.io "Masquerading")');
  }
  if (on('egressGateway.enabled')) {
    if (!replaced) fail('egressGateway.enabled', 'the egress gateway needs kube-proxy replacement (docs.cilium.io "Egress Gateway")');
    if (!on('bpf.masquerade')) fail('egressGateway.enabled', 'the egress gateway needs eBPF masquerading (bpf.masquerade: true)');
  }
  if (on('gatewayAPI.enabled')) {
    if (!replaced) fail('gatewayAPI.enabled', 'Cilium\'s Gateway API needs kube-proxy replacement');
    if (get(values, 'l7Proxy') === false) fail('gatewayAPI.enabled', 'Cilium\'s Gateway API needs the L7 proxy (l7Proxy)');
  }
  if (on('l2announcements.enabled')) {
    if (!replaced) fail('l2announcements.enabled', 'L2 announcements need kube-proxy replacement (docs.cilium.io "L2 Announcements")');
    const qps = get(values, 'k8sClientRateLimit.qps');
    const burst = get(values, 'k8sClientRateLimit.burst');
    if (!(qps > DEFAULT_CLIENT_RATE_LIMIT.qps) || !(burst > DEFAULT_CLIENT_RATE_LIMIT.burst)) {
      fail('k8sClientRateLimit', 'L2 announcements renew a lease per Service through the API server: raise k8sClientRateLimit qps and burst above '
        + `the defaults (${DEFAULT_CLIENT_RATE_LIMIT.qps}/${DEFAULT_CLIENT_RATE_LIMIT.burst}), sized to the number of announced Services`);
    }
  }

  const mode = get(values, 'policyEnforcementMode');
  if (mode === 'never') {
    fail('policyEnforcementMode', '\'never\' disables every network policy, including the ones this library emits for the ClusterNetwork\'s Cni.cilium()');
  }
  if (mode !== undefined && !['default', 'always'].includes(mode)) fail('policyEnforcementMode', `${JSON.stringify(mode)} is not 'default' or 'always'`);

  validateClusterIdentity(values, fail);
  validateChaining(values, fail, prop);
}

/** `cluster.name`, `cluster.id`, `clustermesh.maxConnectedClusters` (values.yaml comments; ClusterMesh docs). */
function validateClusterIdentity(values: Record<string, any>, fail: (path: string, message: string) => never): void {
  const max = get(values, 'clustermesh.maxConnectedClusters') ?? 255;
  if (max !== 255 && max !== 511) fail('clustermesh.maxConnectedClusters', `${JSON.stringify(max)} must be 255 or 511 (and the same on every cluster of the mesh)`);
  const id = get(values, 'cluster.id') ?? 0;
  if (!Number.isInteger(id) || id < 0 || id > max) {
    fail('cluster.id', `${JSON.stringify(id)} must be 0 (no ClusterMesh) or 1-${max}${max === 255 ? ' (up to 511 with clustermesh.maxConnectedClusters: 511)' : ''}`);
  }
  const name = get(values, 'cluster.name') ?? 'default';
  if (typeof name !== 'string' || name.length > 32 || !CLUSTER_NAME.test(name)) {
    fail('cluster.name', `${JSON.stringify(name)} must be at most 32 lower-case alphanumerics and '-', starting and ending alphanumeric`);
  }
  if (name === 'default' && id !== 0) fail('cluster.name', `'default' cannot be used with a cluster id (${id}): give every ClusterMesh member its own name`);
}

function parseOrFail(cidr: string, fail: (message: string) => never) {
  try {
    return parseCidr(cidr);
  } catch (e) {
    return fail(e instanceof CidrError ? e.message : String(e));
  }
}
