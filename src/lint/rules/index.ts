import { LintRule } from '../rule';
import { apiVersions } from './api-versions';
import { calicoDenyAllScope } from './calico-deny-all-scope';
import { calicoNatOutgoingEnum } from './calico-nat-outgoing-enum';
import { calicoPolicyNameTier } from './calico-policy-name-tier';
import { chaosControlPlaneTarget } from './chaos-control-plane-target';
import { chaosPartitionWithoutPeer } from './chaos-partition-without-peer';
import { chaosUnbounded } from './chaos-unbounded';
import { ciliumClusterwideScope } from './cilium-clusterwide-scope';
import { ciliumDeprecatedValues } from './cilium-deprecated-values';
import { ciliumPolicyShape } from './cilium-policy-shape';
import { clusterNetworkPolicyDenyAll } from './cluster-network-policy-deny-all';
import { destinationRuleSubsets } from './destination-rule-subsets';
import { dnsUdpOnly } from './dns-udp-only';
import { egressWorld } from './egress-world';
import { ingressHygiene } from './ingress';
import { invalidObject } from './invalid-object';
import { ipBlockStrictValidation } from './ipblock-strict-validation';
import { istioAuthz } from './istio-authz';
import { istioAuthzRefusesAdmittedSource } from './istio-authz-refuses-admitted-source';
import { istioAuthzTcpPort } from './istio-authz-tcp-port';
import { istioAuthzZtunnel } from './istio-authz-ztunnel';
import { istioConsecutiveErrors } from './istio-consecutive-errors';
import { istioMtls } from './istio-mtls';
import { istioPeerAuthentication } from './istio-peer-authentication';
import { istioStrictMtlsUnmeshedSource } from './istio-strict-mtls-unmeshed-source';
import { linkerdAdminPort } from './linkerd-admin-port';
import { linkerdAdminProbes } from './linkerd-admin-probes';
import { linkerdAuthzRefusesAdmittedSource } from './linkerd-authz-refuses-admitted-source';
import { linkerdOpaquePorts } from './linkerd-opaque-ports';
import { linkerdPortAnnotation } from './linkerd-port-annotation';
import { linkerdProxyPortCollision } from './linkerd-proxy-port-collision';
import { linkerdServer } from './linkerd-server';
import { loadBalancerClientIpHidden } from './load-balancer-client-ip-hidden';
import { loadBalancerClusterPolicySnat } from './load-balancer-cluster-policy-snat';
import { loadBalancerSourceRanges } from './load-balancer-source-ranges';
import { meshTransportPortOpensPorts } from './mesh-transport-port-opens-ports';
import { namespaceSelectorNameLabel } from './namespace-selector-name-label';
import { namespaceWithoutDefaultDeny } from './namespace-without-default-deny';
import { peerAndOrConfusion } from './peer-and-or-confusion';
import { policyOnUnenforcingCni } from './policy-on-unenforcing-cni';
import { policyTypes } from './policy-types';
import { templatePlaceholders } from './template-placeholders';
import { virtualService } from './virtual-service';

/** Every rule PolicyLint runs. Adding a rule = one module + one line here. */
export const RULES: readonly LintRule[] = [
  namespaceSelectorNameLabel,
  policyTypes,
  dnsUdpOnly,
  egressWorld,
  namespaceWithoutDefaultDeny,
  peerAndOrConfusion,
  istioAuthz,
  istioAuthzZtunnel,
  istioAuthzTcpPort,
  ciliumDeprecatedValues,
  istioConsecutiveErrors,
  calicoNatOutgoingEnum,
  policyOnUnenforcingCni,
  calicoDenyAllScope,
  ciliumClusterwideScope,
  clusterNetworkPolicyDenyAll,
  calicoPolicyNameTier,
  apiVersions,
  ingressHygiene,
  virtualService,
  ciliumPolicyShape,
  istioPeerAuthentication,
  istioMtls,
  istioStrictMtlsUnmeshedSource,
  istioAuthzRefusesAdmittedSource,
  destinationRuleSubsets,
  linkerdServer,
  linkerdPortAnnotation,
  linkerdProxyPortCollision,
  linkerdAdminPort,
  linkerdAdminProbes,
  linkerdOpaquePorts,
  linkerdAuthzRefusesAdmittedSource,
  meshTransportPortOpensPorts,
  ipBlockStrictValidation,
  loadBalancerSourceRanges,
  loadBalancerClusterPolicySnat,
  loadBalancerClientIpHidden,
  chaosUnbounded,
  chaosControlPlaneTarget,
  chaosPartitionWithoutPeer,
  invalidObject,
  templatePlaceholders,
];
