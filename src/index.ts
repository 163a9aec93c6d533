// Errors
export { Errors, ValidationError } from './util/errors';

// Cluster context
export * from './cluster/cni';
export * from './cluster/cluster-network';
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
export * from './patterns/zero-trust-namespace';
export * from './patterns/tenant-isolation';
export * from './patterns/three-tier/tier-props';
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

// Analysis
export * from './analysis';
export * from './lint';
