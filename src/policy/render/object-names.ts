import { IConstruct } from 'constructs';
import { ValidationError, propError } from '../../util/errors';

/** Kubernetes (and Calico) object names: DNS-1123 subdomains of at most 253 characters. */
export const MAX_OBJECT_NAME = 253;

/**
 * The TrafficPolicy `name` cannot become a valid object name: a synth error naming the construct
 * path when the caller passes the owner, else the policy name.
 */
export function nameError(owner: IConstruct | undefined, name: string, message: string): ValidationError {
  return propError(owner ?? `TrafficPolicy '${name}'`, 'name', message);
}
