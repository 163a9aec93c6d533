import { JsonPatch } from 'cdk8s';
import { Direction, Peer, Port, TenantIsolation, ZeroTrustNamespace } from '../../src';
import { PlainApiObject } from '../../src/util/plain-api-object';
import { ENFORCING_CNIS, chartFor, find, synthValid } from '../support/synth';

/**
 * What every tenant's policies have in common is kept once, not once per tenant (#13: retained heap
 * per tenant): the intent rules built from the library's frozen rules (DNS allow, deny-cloud-metadata,
 * internet egress) and what they render to, and a peer given in several rules of one policy. Sharing
 * must never show in the output: every object's `toJson()` is a copy of its own.
 */
describe.each(ENFORCING_CNIS)('TenantIsolation shares the parts its tenants have in common on %s', (_name, cni) => {
  function platform() {
    const chart = chartFor(cni());
    const isolation = new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], allowInternetEgress: true });
    const [acme, globex] = [isolation.tenantNamespaces.acme[0], isolation.tenantNamespaces.globex[0]];
    return { chart, isolation, acme, globex };
  }

  test('the DNS, metadata and internet rules are one intent rule for every tenant', () => {
    const { acme, globex } = platform();
    for (const name of ['allow-dns', 'allow-internet-egress', ...(acme.policy('deny-cloud-metadata') ? ['deny-cloud-metadata'] : [])]) {
      const [a, b] = [acme.policy(name)!._intent, globex.policy(name)!._intent];
      expect(a.namespace).toBe('acme');
      expect(b.namespace).toBe('globex');
      expect(b.rules).toHaveLength(1);
      expect(b.rules[0]).toBe(a.rules[0]);
      expect(Object.isFrozen(a.rules[0])).toBe(true);
    }
  });

  test('a tenant\'s same-tenant peer is resolved once for its ingress and egress rule, and differs per tenant', () => {
    const { acme, globex } = platform();
    const a = acme.policy('allow-same-tenant')!._intent;
    const b = globex.policy('allow-same-tenant')!._intent;
    expect(a.rules.map((r) => r.direction)).toEqual([Direction.INGRESS, Direction.EGRESS]);
    expect(a.rules[1].peers).toBe(a.rules[0].peers);
    expect(a.rules[0].peers).toEqual([{ type: 'podsInNamespaces', namespaceLabels: { tenant: 'acme' }, namespaceExpressions: [], podLabels: {} }]);
    expect(b.rules[0].peers).toEqual([{ type: 'podsInNamespaces', namespaceLabels: { tenant: 'globex' }, namespaceExpressions: [], podLabels: {} }]);
    expect(Object.isFrozen(a.rules[0])).toBe(false);
  });

  test('the synthesized objects are copies: equal parts, never the same objects', () => {
    const { chart, acme, globex } = platform();
    const objects = synthValid(chart);
    const kind = (zt: ZeroTrustNamespace) => (zt.policy('allow-dns')!.apiObjects[0] as PlainApiObject).kind;
    const a = find(objects, kind(acme), 'allow-dns', 'acme');
    const b = find(objects, kind(globex), 'allow-dns', 'globex');
    expect(b.spec).toEqual(a.spec);
    expect(b.spec).not.toBe(a.spec);
    const [x, y] = [acme, globex].map((zt) => zt.policy('allow-internet-egress')!.apiObjects[0].toJson());
    expect(y.spec.egress).toEqual(x.spec.egress);
    expect(y.spec.egress).not.toBe(x.spec.egress);
    // A JSON patch on one tenant's object changes that object alone.
    globex.policy('allow-internet-egress')!.apiObjects[0].addJsonPatch(JsonPatch.replace('/spec/egress/0/ports/0/port', 8443));
    const after = [acme, globex].map((zt) => zt.policy('allow-internet-egress')!.apiObjects[0].toJson());
    expect(after[0]).toEqual(x);
    expect(after[1].spec.egress[0].ports[0].port).toBe(8443);
  });

  test('a namespace-relative peer in a frozen rule is not shared across namespaces', () => {
    const chart = chartFor(cni());
    const rule = Object.freeze({ peers: Object.freeze([Peer.sameNamespace()]) as Peer[], ports: Object.freeze([Port.tcp(80)]) as Port[] });
    const [a, b] = ['one', 'two'].map((name) => new ZeroTrustNamespace(chart, name, { name }).addPolicy('web', { ingress: [rule] }));
    expect(a._intent.rules[0].peers).toEqual([{ type: 'pods', namespace: 'one', podLabels: {} }]);
    expect(b._intent.rules[0].peers).toEqual([{ type: 'pods', namespace: 'two', podLabels: {} }]);
    synthValid(chart);
  });
});
