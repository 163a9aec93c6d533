import { cnp, evaluate, gnp, ingress, knp, pod, tier } from './helpers';

// Calico places Kubernetes NetworkPolicies in the default tier with order 1000, Allow rules only,
// and applies the default tier's end-of-tier Deny to endpoints they select
// (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy).
const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10' });
const api = pod('shop', 'api', { app: 'api' }, { ip: '10.1.0.11' });
const frontend = pod('shop', 'frontend', { app: 'frontend' }, { ip: '10.1.0.12' });
const invoice = pod('billing', 'invoice', { app: 'invoice' }, { ip: '10.2.0.5' });

const allowFrontendToWeb = knp('shop', 'allow-frontend', {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
});
const allowAllToWeb = knp('shop', 'allow-all', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] });

describe('Kubernetes NetworkPolicy inside Calico tiers', () => {
  test('a platform-tier Deny with order beats a Kubernetes NetworkPolicy allow', () => {
    const guard = gnp('platform-guardrails.deny-cross-tenant', {
      tier: 'platform-guardrails',
      order: 10,
      selector: 'all()',
      types: ['Ingress'],
      ingress: [
        { action: 'Deny', source: { namespaceSelector: "tenant != 'acme'" } },
        { action: 'Pass' },
      ],
    });
    const manifests = [tier('platform-guardrails', 100), guard, allowAllToWeb];
    const denied = evaluate(manifests, ingress(invoice, web, 8080));
    expect(denied.allowed).toBe(false);
    expect(denied.reasons[0].message).toBe(
      'GlobalNetworkPolicy platform-guardrails.deny-cross-tenant spec.ingress[0] Deny (tier platform-guardrails, order 10)');
    const passed = evaluate(manifests, ingress(api, web, 8080));
    expect(passed.allowed).toBe(true);
    expect(passed.reasons[0]).toEqual({
      object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-all' },
      rule: 'spec.ingress[0]',
      effect: 'allow',
      message: 'Kubernetes NetworkPolicy shop/allow-all spec.ingress[0] Allow (tier default, order 1000 as knp.default.allow-all)',
    });
    expect(passed.reasons[1]).toMatchObject({ effect: 'pass', rule: 'spec.ingress[1]' });
  });

  test('a Calico Allow in the default tier with order 100 beats the Kubernetes NetworkPolicy isolation', () => {
    const calicoAllow = cnp('shop', 'allow-api', {
      order: 100,
      selector: "app == 'web'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'api'" }, destination: { ports: [8080] } }],
    });
    const v = evaluate([allowFrontendToWeb, calicoAllow], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons[0].message).toBe('NetworkPolicy shop/allow-api spec.ingress[0] Allow (tier default, order 100)');
    expect(evaluate([allowFrontendToWeb], ingress(api, web, 8080)).allowed).toBe(false);
  });

  test('a Kubernetes NetworkPolicy allow (order 1000) comes before a Calico Deny with order 2000', () => {
    const lateDeny = cnp('shop', 'deny-late', { order: 2000, selector: "app == 'web'", ingress: [{ action: 'Deny' }] });
    const v = evaluate([allowFrontendToWeb, lateDeny], ingress(frontend, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons[0].object?.name).toBe('allow-frontend');
    const other = evaluate([allowFrontendToWeb, lateDeny], ingress(api, web, 8080));
    expect(other.reasons[0]).toMatchObject({ effect: 'deny', object: { name: 'deny-late' } });
  });

  test('a selected endpoint that no Kubernetes rule allows is denied at the end of the default tier', () => {
    const v = evaluate([allowFrontendToWeb], ingress(api, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons).toEqual([{
      object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'shop', name: 'allow-frontend' },
      effect: 'isolate',
      message: 'end of tier default (order 1000000): shop/web is selected for ingress by Kubernetes NetworkPolicy '
        + 'shop/allow-frontend and no rule matched ingress TCP/8080 from shop/api; tier defaultAction Deny',
    }]);
    // The frontend is allowed by the rule; a pod the policy does not select stays open.
    expect(evaluate([allowFrontendToWeb], ingress(frontend, web, 8080)).allowed).toBe(true);
    expect(evaluate([allowFrontendToWeb], ingress(web, api, 8080)).allowed).toBe(true);
  });

  test('a Pass from an earlier tier still meets the default tier end-of-tier Deny of a Kubernetes policy', () => {
    const passAll = gnp('platform.pass', { tier: 'platform', order: 1, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Pass' }] });
    const v = evaluate([tier('platform', 100), passAll, allowFrontendToWeb], ingress(invoice, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons.map((r) => r.effect)).toEqual(['isolate', 'pass']);
  });
});
