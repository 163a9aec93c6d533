import * as cdk8s from 'cdk8s';
import * as lib from '../../src';
import { CNI_CHOICES, CNI_NAMES } from '../../src/cluster/cni-choices';

type Lib = typeof lib;

/**
 * Scenarios that reuse, in one process, the frozen rules and renderings the library shares across
 * tenants (TrafficPolicy's sharedRule, render/shared-rendering.ts, deny-cloud-metadata options):
 * each app's output must be what a fresh process gives for that app alone.
 */
function scenario(l: Lib, c: typeof cdk8s, cniName: string, variant: number, freeze = true): string {
  const app = new c.App();
  const chart = new c.Chart(app, 'c');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cni = require('../../src/cluster/cni-choices').CNI_CHOICES[cniName].create();
  new l.ClusterNetwork(chart, 'cluster', {
    cni,
    ...(variant % 2 === 1 ? { metadataCidrs: ['169.254.169.254/32'], podCidrs: ['10.0.0.0/16'], nodeLocalDns: true } : {}),
  });
  new l.TenantIsolation(chart, 'tenants', {
    tenants: variant % 2 === 1 ? ['one', 'two'] : ['two', 'one'],
    allowInternetEgress: true,
    ...(variant % 2 === 1 ? { internetEgressPorts: [l.Port.tcp(8443)] } : {}),
  });
  const rule = freeze ? FROZEN.get(l)! : { peers: [...FROZEN.get(l)!.peers], ports: [...FROZEN.get(l)!.ports!] };
  const extra = ['one', 'two', 'three'].map((name) => new l.ZeroTrustNamespace(chart, `zt-${name}`, { name: `zt-${name}` }));
  // One after another (TrafficPolicy remembers the last intent rule built from each frozen rule).
  for (const zt of extra) new l.TrafficPolicy(zt, 'once', { name: 'once', namespace: zt.name, ingress: [rule] });
  for (const zt of extra) {
    zt.addPolicy('frozen', { ingress: [rule, rule], egress: [rule] });
    // TrafficPolicy itself (ZeroTrustNamespace's addPolicy copies the caller's rules, never frozen): the
    // rule given once is one intent rule in every namespace; given several times, one per place.
    new l.TrafficPolicy(zt, 'thrice', { name: 'thrice', namespace: zt.name, ingress: [rule], egress: [rule, rule] });
    zt.allowEgress('twice', { app: 'web' }, [l.Peer.pods({ app: 'db' }, 'zt-one'), l.Peer.pods({ app: 'db' }, 'zt-one')]);
  }
  return app.synthYaml();
}

/** A frozen rule naming namespace zt-one: rendered without a namespace selector there only. */
const FROZEN = new Map<Lib, lib.TrafficRule>();
function frozenRule(l: Lib): lib.TrafficRule {
  return Object.freeze({
    peers: Object.freeze([l.Peer.pods({ app: 'x' }, 'zt-one'), l.Peer.namespaces({ team: 'a' })]) as lib.Peer[],
    ports: Object.freeze([l.Port.tcp(80)]) as lib.Port[],
  });
}

function fresh(cniName: string, variant: number): string {
  let out = '';
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const l: Lib = require('../../src');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const c: typeof cdk8s = require('cdk8s');
    FROZEN.set(l, frozenRule(l));
    out = scenario(l, c, cniName, variant, false);
  });
  return out;
}

const CNIS = CNI_NAMES.filter((n) => CNI_CHOICES[n].create().capabilities.enforcesNetworkPolicy);

test('apps built one after another in one process give what each gives alone, with rules not frozen (nothing shared)', () => {
  FROZEN.set(lib, frozenRule(lib));
  const order: Array<[string, number]> = [];
  for (const variant of [0, 1, 2]) for (const n of CNIS) order.push([n, variant]);
  for (const [n, variant] of order) {
    expect(scenario(lib, cdk8s, n, variant)).toEqual(fresh(n, variant));
  }
});

test('a label added after construction, and a second toJson(), change one tenant\'s object alone', () => {
  const app = new cdk8s.App();
  const chart = new cdk8s.Chart(app, 'c');
  new lib.ClusterNetwork(chart, 'cluster', { cni: lib.Cni.calico() });
  const isolation = new lib.TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], allowInternetEgress: true });
  const [acme, globex] = [isolation.tenantNamespaces.acme[0], isolation.tenantNamespaces.globex[0]];
  const before = acme.policy('allow-dns')!.apiObjects[0].toJson();
  globex.policy('allow-dns')!.apiObjects[0].metadata.addLabel('extra', 'yes');
  const second = globex.policy('allow-dns')!.apiObjects[0].toJson();
  second.spec.egress[0].action = 'Deny';
  expect(acme.policy('allow-dns')!.apiObjects[0].toJson()).toEqual(before);
  const again = globex.policy('allow-dns')!.apiObjects[0].toJson();
  expect(again.metadata.labels).toEqual({ ...(before.metadata.labels ?? {}), extra: 'yes' });
  expect(again.spec).toEqual(before.spec);
});
