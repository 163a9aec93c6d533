import { cnp, evaluate, gnp, ingress, knp, pod } from './helpers';

// Felix sorts the policies of a tier by order, then by the string `<name>/<namespace>/<kind>` of
// each policy key (felix/calc/policy_sorter.go PolKVLess; libcalico-go model.PolicyKey has Name,
// Namespace and Kind, and a Kubernetes NetworkPolicy is keyed `knp.default.<name>` with kind
// KubernetesNetworkPolicy at order 1000). The name decides before the namespace.
const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10' });
const invoice = pod('billing', 'invoice', { app: 'invoice' }, { ip: '10.2.0.5' });
const denyInvoice = (name: string, order: number) => gnp(name, {
  order, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny', source: { namespaceSelector: "tenant == 'globex'" } }],
});

describe('policies of equal order in one tier: Felix tie-break by name, then namespace, then kind', () => {
  test('a NetworkPolicy shop/a runs before a GlobalNetworkPolicy b (the name decides, not the namespace)', () => {
    const allowAll = cnp('shop', 'a', { order: 10, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow' }] });
    const v = evaluate([denyInvoice('b', 10), allowAll], ingress(invoice, web, 8080));
    expect([v.allowed, v.reasons[0].message]).toEqual([true, 'NetworkPolicy shop/a spec.ingress[0] Allow (tier default, order 10)']);
  });

  test('a GlobalNetworkPolicy b runs before a NetworkPolicy shop/c', () => {
    const allowAll = cnp('shop', 'c', { order: 10, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow' }] });
    const v = evaluate([denyInvoice('b', 10), allowAll], ingress(invoice, web, 8080));
    expect([v.allowed, v.reasons[0].message]).toEqual([false, 'GlobalNetworkPolicy b spec.ingress[0] Deny (tier default, order 10)']);
  });

  test('a Kubernetes NetworkPolicy (knp.default.<name>, order 1000) runs before a GlobalNetworkPolicy p of order 1000', () => {
    const allowAll = knp('shop', 'allow-all', { podSelector: {}, ingress: [{}] });
    const v = evaluate([denyInvoice('p', 1000), allowAll], ingress(invoice, web, 8080));
    expect([v.allowed, v.reasons[0].message]).toEqual([true,
      'Kubernetes NetworkPolicy shop/allow-all spec.ingress[0] Allow (tier default, order 1000 as knp.default.allow-all)']);
  });

  test('a GlobalNetworkPolicy named before knp.default.* (e.g. guard) runs before the Kubernetes NetworkPolicy', () => {
    const allowAll = knp('shop', 'allow-all', { podSelector: {}, ingress: [{}] });
    const v = evaluate([denyInvoice('guard', 1000), allowAll], ingress(invoice, web, 8080));
    expect([v.allowed, v.reasons[0].message]).toEqual([false, 'GlobalNetworkPolicy guard spec.ingress[0] Deny (tier default, order 1000)']);
  });
});
