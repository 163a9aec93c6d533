/**
 * The cdk8s validation plugin (`cdk8s synth` runs it from cdk8s.yaml `validations:`). Not part of
 * the jsii API: cdk8s-cli loads `lib/plugin` of the installed package by path.
 */
export * from './networking-validation';
export * from './contract';
