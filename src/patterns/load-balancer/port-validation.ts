import { IConstruct } from 'constructs';
import { LoadBalancerPort } from './load-balancer-port';
import { Port } from '../../policy/port';
import { Protocol } from '../../policy/protocol';
import { propError } from '../../util/errors';
import {
  StructKeys, requireArrayOf, requireKnownKeys, requireObject, requireOptionalString, requireOneOf,
} from '../../util/guards';
import { validateDnsLabel, validatePortName, validatePortNumber } from '../../util/validate';

/** A validated port: the Service port entry and the pod port the policy opens. */
export interface ResolvedLoadBalancerPort {
  /** The `spec.ports[]` entry of the Service. */
  readonly servicePort: { name?: string; port: number; targetPort: number | string; protocol: Protocol };
  /** The pod port after DNAT, as the NetworkPolicy sees it. */
  readonly podPort: Port;
}

const PORT_KEYS: StructKeys<LoadBalancerPort> = { port: true, targetPort: true, targetPortName: true, protocol: true, name: true };
const PROTOCOLS: Protocol[] = Object.values(Protocol);

/**
 * Validate the ports of a load balancer Service under `prop[i]`: at least one; numbers 1-65535;
 * `targetPort` or `targetPortName`, not both; names on every port once there are several, unique;
 * no port+protocol twice (the API server refuses duplicate ports and names).
 */
export function resolveLoadBalancerPorts(scope: IConstruct, prop: string, given: LoadBalancerPort[]): ResolvedLoadBalancerPort[] {
  const ports = requireArrayOf(scope, prop, given, (p, at) => resolvePort(scope, at, p));
  if (ports.length === 0) throw propError(scope, prop, 'at least one port is required (a load balancer publishes ports)');
  const names = new Map<string, number>();
  const numbers = new Map<string, number>();
  ports.forEach(({ servicePort: s }, i) => {
    if (ports.length > 1 && s.name === undefined) {
      throw propError(scope, `${prop}[${i}].name`, `the Service has ${ports.length} ports: Kubernetes requires a name on each`);
    }
    if (s.name !== undefined) {
      const first = names.get(s.name);
      if (first !== undefined) throw propError(scope, `${prop}[${i}].name`, `'${s.name}' is already the name of ${prop}[${first}]`);
      names.set(s.name, i);
    }
    const key = `${s.protocol}/${s.port}`;
    const first = numbers.get(key);
    if (first !== undefined) throw propError(scope, `${prop}[${i}].port`, `${key} is already published by ${prop}[${first}]`);
    numbers.set(key, i);
  });
  return ports;
}

function resolvePort(scope: IConstruct, prop: string, given: LoadBalancerPort): ResolvedLoadBalancerPort {
  const p = requireKnownKeys(scope, prop, requireObject(scope, prop, given), PORT_KEYS);
  const port = validatePortNumber(scope, `${prop}.port`, p.port);
  const protocol = p.protocol === undefined ? Protocol.TCP : requireOneOf(scope, `${prop}.protocol`, p.protocol, PROTOCOLS, 'a Protocol');
  const name = requireOptionalString(scope, `${prop}.name`, p.name);
  if (name !== undefined) validateDnsLabel(scope, `${prop}.name`, name);
  if (p.targetPort !== undefined && p.targetPortName !== undefined) {
    throw propError(scope, `${prop}.targetPortName`, 'give targetPort or targetPortName, not both');
  }
  if (p.targetPortName !== undefined) {
    const target = validatePortName(scope, `${prop}.targetPortName`, p.targetPortName);
    return { servicePort: { name, port, targetPort: target, protocol }, podPort: Port.named(target, protocol) };
  }
  const target = p.targetPort === undefined ? port : validatePortNumber(scope, `${prop}.targetPort`, p.targetPort);
  return { servicePort: { name, port, targetPort: target, protocol }, podPort: numbered(protocol, target) };
}

/** The pod port `number` of `protocol`. */
function numbered(protocol: Protocol, number: number): Port {
  switch (protocol) {
    case Protocol.TCP: return Port.tcp(number);
    case Protocol.UDP: return Port.udp(number);
    case Protocol.SCTP: return Port.sctp(number);
  }
}
