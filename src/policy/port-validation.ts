import { IConstruct } from 'constructs';
import { ResolvedPort } from './intent';
import { Port } from './port';
import { Protocol } from './protocol';
import { propError } from '../util/errors';
import { requireInstance, requireOptionalArray } from '../util/guards';
import { checkEnum, validatePortName, validatePortNumber } from '../util/validate';

/**
 * Validate a Port for `scope`, naming `prop` in errors: numbers in 1-65535, ranges with an end
 * above their start, IANA_SVC_NAME port names. Patterns call it on their own props first, so the
 * error names what the user set rather than an inner policy.
 */
export function resolvePort(scope: IConstruct, prop: string, port: Port): ResolvedPort {
  requireInstance(scope, prop, port, Port, 'a Port (Port.tcp(443), Port.udp(53), Port.tcpRange(...), Port.named(...), ...)');
  checkEnum(scope, `${prop}.protocol`, port.protocol, PROTOCOLS, 'a protocol');
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

/**
 * Validate a list of ports, naming `prop[i]`. An omitted list means "all ports"; an empty one is
 * refused, because every renderer would also emit it without ports (= all ports), which is the
 * opposite of what `[]` ("no port") reads as: fail closed.
 */
export function validatePorts(scope: IConstruct, prop: string, given: Port[] | undefined): ResolvedPort[] {
  const ports = requireOptionalArray(scope, prop, given);
  if (ports === undefined) return [];
  if (ports.length === 0) throw propError(scope, prop, 'must list at least one port; omit it for all ports');
  return ports.map((p, i) => resolvePort(scope, `${prop}[${i}]`, p));
}

const PROTOCOLS: string[] = Object.values(Protocol);
