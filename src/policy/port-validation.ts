import { IConstruct } from 'constructs';
import { ResolvedPort } from './intent';
import { Port } from './port';
import { propError } from '../util/errors';
import { validatePortName, validatePortNumber } from '../util/validate';

/**
 * Validate a Port for `scope`, naming `prop` in errors: numbers in 1-65535, ranges with an end
 * above their start, IANA_SVC_NAME port names. Patterns call it on their own props first, so the
 * error names what the user set rather than an inner policy.
 */
export function resolvePort(scope: IConstruct, prop: string, port: Port): ResolvedPort {
  if (port.name !== undefined) return { protocol: port.protocol, name: validatePortName(scope, prop, port.name) };
  if (port.number === undefined) return { protocol: port.protocol };
  validatePortNumber(scope, prop, port.number);
  if (port.endPort !== undefined) {
    validatePortNumber(scope, `${prop}.endPort`, port.endPort);
    if (port.endPort <= port.number) {
      throw propError(scope, prop, `range ${port.number}-${port.endPort} is empty or a single port: end must be greater than start`);
    }
  }
  return { protocol: port.protocol, port: port.number, endPort: port.endPort };
}

/** Validate a list of ports, naming `prop[i]`. */
export function validatePorts(scope: IConstruct, prop: string, ports: Port[] | undefined): void {
  (ports ?? []).forEach((p, i) => resolvePort(scope, `${prop}[${i}]`, p));
}
