export * from './types';
export * from './policy-lint';
