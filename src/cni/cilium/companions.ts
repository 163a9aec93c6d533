/**
 * The Cilium custom resources a CiliumInstall can emit next to its values: LB IPAM pools, L2
 * announcement policies and egress gateway policies (cilium.io; CRDs registered by the Cilium
 * operator at start, hence their own install step).
 */
import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as ipaddr from 'ipaddr.js';
import { CiliumEgressGatewayPolicyOptions, CiliumL2AnnouncementPolicyOptions, CiliumLoadBalancerIpPoolOptions } from './cilium-options';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { CiliumEgressGatewayPolicy, CiliumL2AnnouncementPolicy, CiliumLoadBalancerIpPool } from '../../imports/cilium.io';
import { CidrError, cidrsOverlap, parseCidr } from '../../util/cidr';
import { propError } from '../../util/errors';
import { StructKeys, requireKnownKeys, requireObject, requireOptionalArray, requireOptionalBoolean, requireOptionalObject, requireOptionalString } from '../../util/guards';
import { validateDnsLabel, validateDnsSubdomain, validateLabels } from '../../util/validate';

function cidrs(scope: IConstruct, prop: string, given: string[] | undefined, required: boolean): string[] {
  const list = (requireOptionalArray<string>(scope, prop, given) ?? []);
  if (required && list.length === 0) throw propError(scope, prop, 'give at least one CIDR');
  return list.map((c, i) => {
    try {
      return parseCidr(c).text;
    } catch (e) {
      throw propError(scope, `${prop}[${i}]`, e instanceof CidrError ? e.message : String(e));
    }
  });
}

function uniqueName(scope: IConstruct, prop: string, name: unknown, seen: Set<string>): string {
  const valid = validateDnsSubdomain(scope, prop, name as string);
  if (seen.has(valid)) throw propError(scope, prop, `'${valid}' is used twice`);
  seen.add(valid);
  return valid;
}

/** CiliumLoadBalancerIPPool v2: its CIDRs must not collide with pod or service addresses. */
export function loadBalancerIpPools(
  scope: IConstruct, chart: Chart, given: CiliumLoadBalancerIpPoolOptions[] | undefined, cluster: ClusterNetwork,
): ApiObject[] {
  const seen = new Set<string>();
  return (requireOptionalArray<CiliumLoadBalancerIpPoolOptions>(scope, 'loadBalancerIpPools', given) ?? []).map((pool, i) => {
    const at = `loadBalancerIpPools[${i}]`;
    requireKnownKeys(scope, at, requireObject(scope, at, pool), LB_POOL_KEYS);
    const name = uniqueName(scope, `${at}.name`, pool.name, seen);
    const blocks = cidrs(scope, `${at}.cidrs`, pool.cidrs, true);
    for (const block of blocks) {
      const clash = [...cluster.podCidrs, ...cluster.serviceCidrs].find((c) => cidrsOverlap(parseCidr(c), parseCidr(block)));
      if (clash) throw propError(scope, `${at}.cidrs`, `${block} overlaps the cluster's pod or service CIDR ${clash}`);
    }
    const selector = pool.serviceSelector === undefined ? undefined : { matchLabels: validateLabels(scope, `${at}.serviceSelector`, pool.serviceSelector) };
    return new CiliumLoadBalancerIpPool(chart, `lb-ip-pool-${name}`, {
      metadata: { name },
      spec: { blocks: blocks.map((cidr) => ({ cidr })), serviceSelector: selector },
    });
  });
}

/** CiliumL2AnnouncementPolicy v2alpha1 (the only served version). */
export function l2AnnouncementPolicies(scope: IConstruct, chart: Chart, given: CiliumL2AnnouncementPolicyOptions[] | undefined): ApiObject[] {
  const seen = new Set<string>();
  return (requireOptionalArray<CiliumL2AnnouncementPolicyOptions>(scope, 'l2AnnouncementPolicies', given) ?? []).map((policy, i) => {
    const at = `l2AnnouncementPolicies[${i}]`;
    requireKnownKeys(scope, at, requireObject(scope, at, policy), L2_POLICY_KEYS);
    const name = uniqueName(scope, `${at}.name`, policy.name, seen);
    const interfaces = (requireOptionalArray<string>(scope, `${at}.interfaces`, policy.interfaces) ?? []);
    interfaces.forEach((re, j) => requireOptionalString(scope, `${at}.interfaces[${j}]`, re, true));
    const loadBalancerIps = requireOptionalBoolean(scope, `${at}.loadBalancerIps`, policy.loadBalancerIps, true);
    const externalIps = requireOptionalBoolean(scope, `${at}.externalIps`, policy.externalIps, false);
    if (!loadBalancerIps && !externalIps) throw propError(scope, at, 'announces neither LoadBalancer nor external IPs');
    return new CiliumL2AnnouncementPolicy(chart, `l2-announcement-policy-${name}`, {
      metadata: { name },
      spec: {
        interfaces: interfaces.length > 0 ? [...interfaces] : undefined,
        serviceSelector: policy.serviceSelector === undefined ? undefined : { matchLabels: validateLabels(scope, `${at}.serviceSelector`, policy.serviceSelector) },
        nodeSelector: policy.nodeSelector === undefined ? undefined : { matchLabels: validateLabels(scope, `${at}.nodeSelector`, policy.nodeSelector) },
        loadBalancerIPs: loadBalancerIps,
        externalIPs: externalIps,
      },
    });
  });
}

/** CiliumEgressGatewayPolicy v2 (cluster-scoped; selects pods by namespace and labels). */
export function egressGatewayPolicies(scope: IConstruct, chart: Chart, given: CiliumEgressGatewayPolicyOptions[] | undefined): ApiObject[] {
  const seen = new Set<string>();
  return (requireOptionalArray<CiliumEgressGatewayPolicyOptions>(scope, 'egressGatewayPolicies', given) ?? []).map((policy, i) => {
    const at = `egressGatewayPolicies[${i}]`;
    requireKnownKeys(scope, at, requireObject(scope, at, policy), EGRESS_POLICY_KEYS);
    const name = uniqueName(scope, `${at}.name`, policy.name, seen);
    const namespace = validateDnsLabel(scope, `${at}.namespace`, policy.namespace);
    const gateway = validateLabels(scope, `${at}.gatewayNodeSelector`, requireOptionalObject(scope, `${at}.gatewayNodeSelector`, policy.gatewayNodeSelector));
    if (Object.keys(gateway).length === 0) throw propError(scope, `${at}.gatewayNodeSelector`, 'must select the gateway node(s) by at least one label');
    const egressIp = requireOptionalString(scope, `${at}.egressIp`, policy.egressIp, true);
    // Four decimal octets of 0-255 without leading zeros: Cilium parses the field with Go's
    // netip.ParseAddr, which refuses `010.0.0.1` (and a shape check alone let `999.1.1.1` through).
    if (egressIp !== undefined && !ipaddr.IPv4.isValidFourPartDecimal(egressIp)) {
      throw propError(scope, `${at}.egressIp`, `'${egressIp}' is not an IPv4 address in four decimal octets (0-255, no leading zeros)`);
    }
    return new CiliumEgressGatewayPolicy(chart, `egress-gateway-policy-${name}`, {
      metadata: { name },
      spec: {
        selectors: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          podSelector: policy.podSelector === undefined ? undefined : { matchLabels: validateLabels(scope, `${at}.podSelector`, policy.podSelector) },
        }],
        destinationCidRs: cidrs(scope, `${at}.destinationCidrs`, policy.destinationCidrs, true),
        excludedCidRs: policy.excludedCidrs === undefined ? undefined : cidrs(scope, `${at}.excludedCidrs`, policy.excludedCidrs, true),
        egressGateway: { nodeSelector: { matchLabels: gateway }, egressIp },
      },
    });
  });
}

/** The fields of each companion object's options, for requireKnownKeys: a misspelt optional field would be silently ignored. */
const LB_POOL_KEYS: StructKeys<CiliumLoadBalancerIpPoolOptions> = { name: true, cidrs: true, serviceSelector: true };
const L2_POLICY_KEYS: StructKeys<CiliumL2AnnouncementPolicyOptions> = {
  name: true, interfaces: true, serviceSelector: true, nodeSelector: true, loadBalancerIps: true, externalIps: true,
};
const EGRESS_POLICY_KEYS: StructKeys<CiliumEgressGatewayPolicyOptions> = {
  name: true, namespace: true, podSelector: true, destinationCidrs: true, excludedCidrs: true, gatewayNodeSelector: true, egressIp: true,
};
