// Errors
export { Errors, ValidationError } from './util/errors';

// Cluster context
export * from './cluster/cni';
export * from './cluster/cluster-network';

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

// Analysis
export * from './analysis';
export * from './lint';
