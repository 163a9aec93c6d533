import { IConstruct } from 'constructs';

/**
 * Build a synth-time error that names the construct path and the offending prop, so a platform
 * engineer reading CI output knows exactly which line of their program to fix.
 */
export function propError(scope: IConstruct, prop: string, message: string): Error {
  return new Error(`[${scope.node.path}] ${prop}: ${message}`);
}
