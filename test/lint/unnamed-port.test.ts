/**
 * The port no manifest names (src/lint/unnamed-port): the representative of "every other port" of a pod
 * declaring no container port, for mesh-transport-port-opens-ports.
 */
import { namesPort, portNamedNowhere } from '../../src/lint/unnamed-port';

const none = () => false;

describe('portNamedNowhere', () => {
  test('the lowest port named nowhere: numbers, digit strings, ranges (endPort, a-b, a:b), comma lists, map keys under port keys', () => {
    expect(portNamedNowhere([], none)).toBe(1);
    expect(portNamedNowhere([{ spec: { ports: [{ port: 1, endPort: 3 }] } }], none)).toBe(4);
    // A Cilium port is a digit string with an integer endPort; Calico ranges are `a:b`; Linkerd's annotations `a-b` lists.
    expect(portNamedNowhere([{ toPorts: [{ ports: [{ port: '1', endPort: 9 }] }] }, { destination: { ports: ['10:19'] } },
      { metadata: { annotations: { 'config.linkerd.io/skip-inbound-ports': '20-29, 30' } } }], none)).toBe(31);
    // Istio's portLevelMtls names ports by its keys.
    expect(portNamedNowhere([{ spec: { portLevelMtls: { 1: { mode: 'STRICT' }, 2: { mode: 'DISABLE' } } } }], none)).toBe(3);
    // Numbers under other keys are no ports.
    expect(portNamedNowhere([{ spec: { replicas: 1, priority: 2 } }], none)).toBe(1);
  });

  test('excluded ports are skipped, also past a range; every port named: undefined', () => {
    expect(portNamedNowhere([{ port: 1, endPort: 5 }, { port: 7 }], (p) => p === 6)).toBe(8);
    expect(portNamedNowhere([{ port: 1, endPort: 65535 }], none)).toBeUndefined();
  });
});

test('namesPort: a port inside a named range or list, not one outside', () => {
  const ingress = [{ toPorts: [{ ports: [{ port: '15000', endPort: 15010 }] }] }];
  expect(namesPort(ingress, 15008)).toBe(true);
  expect(namesPort(ingress, 15011)).toBe(false);
  expect(namesPort([{ destination: { ports: [8080, '4143'] } }], 4143)).toBe(true);
});
