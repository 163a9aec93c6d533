// Errors
export { Errors, ValidationError } from './util/errors';

// Synthesis: cdk8s's App, writing the same files faster
export * from './synth/fast-synth-app';

// Cluster context
export * from './cluster/cni';
export * from './cluster/cluster-network';
export * from './cluster/mesh';
export * from './cluster/kube-proxy-mode';

// Policy model
export * from './policy/protocol';
export * from './policy/port';
export * from './policy/peer';
export * from './policy/rule';
export * from './policy/label-expression';
export * from './policy/traffic-policy';

// Patterns
export * from './patterns/blanket-allow';
export * from './patterns/pod-security';
export * from './patterns/namespace-policy-options';
export * from './patterns/zero-trust-namespace';
export * from './patterns/mesh-options';
export * from './patterns/tenant-isolation';
export * from './patterns/egress-allow-list';
export * from './patterns/load-balancer/aws-health-check-options';
export * from './patterns/load-balancer/load-balancer-cloud';
export * from './patterns/load-balancer/load-balancer-port';
export * from './patterns/load-balancer/load-balancer-service';
export * from './patterns/three-tier/tier-props';
export * from './patterns/three-tier/service-account';
export * from './patterns/three-tier-app';
export * from './patterns/three-tier/resources';

// Platform: CNI installs, NodeLocal DNS and their delivery
export * from './delivery/delivery';
export * from './cni/calico/calico-options';
export * from './cni/calico/calico-installation';
/** Typed operator.tigera.io/v1 classes (Installation spec etc.), for CalicoInstallation's escape hatch. */
export * as tigera from './imports/operator.tigera.io';
export * from './cni/cilium/cilium-options';
export * from './cni/cilium/cilium-install';
export * from './dns/node-local-dns';

// Observability
export * from './observability/network-alert-options';
export * from './observability/network-alerts';
// Chaos Mesh network experiments
export * from './chaos/chaos-mode';
export * from './chaos/chaos-action';
export * from './chaos/chaos-pods';
export * from './chaos/chaos-schedule';
export * from './chaos/network-chaos-experiment';

// Service mesh
export * from './mesh/mesh-source';
export * from './mesh/mesh-flow-options';
export * from './mesh/mesh-authorization';
export * from './mesh/istio/istio-mtls';
export * from './mesh/istio/istio-authorization';
export * from './mesh/istio/circuit-breaker';
export * from './mesh/linkerd/linkerd-authorization';
// Loaded for its effect: plugs ThreeTierApp's mesh tier authorization into patterns/ (below mesh/).
import './mesh/three-tier-authorization';

export * from './mesh/canary/route-target';
export * from './mesh/canary/canary-route';
export * from './mesh/canary/progressive-rollout';

// Gateway API
export * from './gateway/gateway-parent';
export * from './gateway/https-gateway';

// Analysis
export * from './analysis';
export * from './lint';
