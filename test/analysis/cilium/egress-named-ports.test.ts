/*
 * Cilium resolves an egress named port over the named ports of every pod of the cluster
 * (cilium/cilium pkg/endpoint/policy.go GetNamedPort: "egress needs named ports of all the pods")
 * and applies the number to every peer the rule selects, external addresses and pods that do not
 * declare the name included.
 */
import { cnp, egress, external, np, pod, web } from './helpers';
import { ManifestObject } from '../../../src/analysis/model';
import { MAYBE, NO, YES } from '../../../src/analysis/verdict';

const srvPod: ManifestObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'srv', namespace: 'shop', labels: { app: 'srv' } },
  spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] },
};
const srv = pod('shop', 'srv', { app: 'srv' }, { namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
const plain = pod('shop', 'plain', { app: 'plain' });
const site = external('198.51.100.9');

const allowWorldByName = cnp('shop', 'out', {
  endpointSelector: { matchLabels: { app: 'web' } },
  egress: [
    { toCIDR: ['0.0.0.0/0'], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] },
    { toEndpoints: [{}], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] },
  ],
});
const denyWorldByName = cnp('shop', 'no-http-out', {
  endpointSelector: { matchLabels: { app: 'web' } },
  egress: [{ toEntities: ['all'] }],
  egressDeny: [{ toCIDR: ['0.0.0.0/0'], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
});

describe('Cilium egress named ports resolve over the pods of the cluster, not the destination', () => {
  test('to an external address, with no pod of the manifests declaring the name: indeterminate (was a confident deny)', () => {
    const v = egress([allowWorldByName], web, site, 8080);
    expect([v.outcome, v.uncertain]).toEqual([MAYBE, [
      'CiliumNetworkPolicy shop/out spec.egress[0]: egress named port http/TCP: no pod of the manifests declares it, and Cilium resolves '
        + 'an egress port name over the pods of the whole cluster and applies the number to every peer the rule selects (198.51.100.9 among them)',
    ]]);
  });

  test('an egressDeny by name to the world is not silently ignored (was a confident allow)', () => {
    const v = egress([denyWorldByName], web, site, 8080);
    expect(v.outcome).toBe(MAYBE);
    expect(v.uncertain).toEqual([
      'CiliumNetworkPolicy shop/no-http-out spec.egressDeny[0] (deny): egress named port http/TCP: no pod of the manifests declares it, and '
        + 'Cilium resolves an egress port name over the pods of the whole cluster and applies the number to every peer the rule selects '
        + '(198.51.100.9 among them)',
    ]);
  });

  test('pods of the manifests declaring the name: the other numbers are exact denials, the declared one indeterminate', () => {
    expect(egress([srvPod, allowWorldByName], web, site, 9090).outcome).toBe(NO);
    const v = egress([srvPod, allowWorldByName], web, site, 8080);
    expect([v.outcome, v.uncertain]).toEqual([MAYBE, [
      'CiliumNetworkPolicy shop/out spec.egress[0]: egress named port http/TCP: 198.51.100.9 does not declare it, but other pods declare it as '
        + '8080; Cilium 1.18 resolves an egress port name over every pod of the cluster and applies the number to every peer the rule selects, '
        + 'later versions by the selected peers',
    ]]);
    // A pod of the manifests without the name: the same.
    expect(egress([srvPod, allowWorldByName], web, plain, 8080).outcome).toBe(MAYBE);
    expect(egress([srvPod, allowWorldByName], web, plain, 9090).outcome).toBe(NO);
  });

  test('a destination declaring the name with the number is allowed, as before', () => {
    const v = egress([srvPod, allowWorldByName], web, srv, 8080);
    expect([v.outcome, v.reasons[0].message]).toEqual([YES,
      'CiliumNetworkPolicy shop/out spec.egress[1] allows egress from shop/web to shop/srv on 8080/TCP via toEndpoints[0], toPorts[0]']);
  });

  test('a NetworkPolicy egress by name, which Cilium enforces as its own rule: the same resolution', () => {
    const byName = np('shop', 'out', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 'http' }] }],
    });
    const v = egress([byName], web, site, 8080);
    expect([v.outcome, v.uncertain]).toEqual([MAYBE, [
      'NetworkPolicy shop/out spec.egress[0]: egress named port http/TCP: no pod of the manifests declares it, and Cilium resolves an egress '
        + 'port name over the pods of the whole cluster and applies the number to every peer the rule selects (198.51.100.9 among them)',
    ]]);
    expect(egress([srvPod, byName], web, site, 9090).outcome).toBe(NO);
    expect(egress([srvPod, byName], web, site, 8080).outcome).toBe(MAYBE);
    // Under Cilium an ipBlock never selects pods, whatever the port.
    expect(egress([srvPod, byName], web, srv, 8080).outcome).toBe(NO);
  });
});
