import { evaluate, gnp, ingress, knp, pod, tier } from './helpers';

// Calico 3.32 stores plain policy names with the tier in spec.tier (default `default`); manifests
// written for older Calico may carry the legacy `<tier>.<name>` form. The analyzer takes the tier
// from spec.tier in both cases and never from the name (NETWORKING-FACTS.md, Calico).
const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10' });
const invoice = pod('billing', 'invoice', { app: 'invoice' }, { ip: '10.2.0.5' });
const allowAllToWeb = knp('shop', 'allow-all', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] });
const denyOtherTenants = (name: string, tierName?: string) => gnp(name, {
  ...(tierName !== undefined ? { tier: tierName } : {}),
  order: 10,
  selector: 'all()',
  types: ['Ingress'],
  ingress: [{ action: 'Deny', source: { namespaceSelector: "tenant != 'acme'" } }],
});

describe('Calico policy names: the tier is spec.tier, in either name form', () => {
  test.each([
    ['plain (Calico 3.32)', 'deny-cross-tenant'],
    ['legacy <tier>.<name>', 'platform-guardrails.deny-cross-tenant'],
  ])('%s name in the guard-rail tier: evaluated in that tier, before the default tier', (_form, name) => {
    const v = evaluate([tier('platform-guardrails', 100, 'Pass'), denyOtherTenants(name, 'platform-guardrails'), allowAllToWeb], ingress(invoice, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0].message).toBe(`GlobalNetworkPolicy ${name} spec.ingress[0] Deny (tier platform-guardrails, order 10)`);
  });

  test('a prefixed name without spec.tier is in the default tier, not in the tier its name says', () => {
    const v = evaluate([tier('platform-guardrails', 100, 'Pass'), denyOtherTenants('platform-guardrails.deny-cross-tenant'), allowAllToWeb], ingress(invoice, web, 8080));
    expect(v.reasons[0].message).toBe('GlobalNetworkPolicy platform-guardrails.deny-cross-tenant spec.ingress[0] Deny (tier default, order 10)');
  });

  test('a prefix naming an undeclared tier does not make the policy skipped: spec.tier (default) decides', () => {
    const v = evaluate([denyOtherTenants('ghost.deny-cross-tenant'), allowAllToWeb], ingress(invoice, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0].message).toBe('GlobalNetworkPolicy ghost.deny-cross-tenant spec.ingress[0] Deny (tier default, order 10)');
  });

  test('a plain name in an undeclared spec.tier is not applied (Calico rejects it), with a note naming the tier', () => {
    const v = evaluate([denyOtherTenants('deny-cross-tenant', 'ghost'), allowAllToWeb], ingress(invoice, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons.some((r) => r.message.includes("GlobalNetworkPolicy deny-cross-tenant references tier 'ghost', which is not declared"))).toBe(true);
  });
});
