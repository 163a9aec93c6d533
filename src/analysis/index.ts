// Public API of the reachability analyzer (jsii): internal models and helpers stay unexported.
export * from './verdict-public';
export * from './reachability';
export * from './reachability-options';
export * from './linkerd-installation-options';
export * from './reachability-result';
export * from './reachability-diff';
export * from './target';
export * from './flow-types';
export * from './flow-matrix';
export * from './http-request-types';
export * from './jest-matchers';
