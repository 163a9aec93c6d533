import { brief } from './support';
import { Cni, TenantIsolation, ZeroTrustNamespace } from '../../src';
import { PolicyLint } from '../../src/lint';
import { chartFor, synthValid } from '../support/synth';

// Calico 3.32: plain names, the tier in spec.tier (default `default`). The legacy `<tier>.<name>` form
// is fine when the prefix is the tier; a prefix naming another tier is what older Calico rejected
// (libcalico-go names.ValidateTieredPolicyName) and misleads readers on every version.
const policy = (kind: string, name: string, spec: Record<string, unknown>, namespace?: string) => ({
  apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { selector: 'all()', types: ['Ingress'], ...spec },
});
const rule = (objects: any[]) => brief(PolicyLint.check(objects), 'calico-policy-name-tier');

describe('calico-policy-name-tier', () => {
  test('plain names in any tier, and legacy names whose prefix is spec.tier, pass', () => {
    expect(rule([
      policy('GlobalNetworkPolicy', 'deny-cross-tenant', { tier: 'platform-guardrails' }),
      policy('NetworkPolicy', 'deny-metadata', { tier: 'platform-guardrails' }, 'shop'),
      policy('GlobalNetworkPolicy', 'platform-guardrails.deny-cross-tenant', { tier: 'platform-guardrails' }),
      policy('GlobalNetworkPolicy', 'default.allow-dns', {}),
      policy('GlobalNetworkPolicy', 'default.allow-ntp', { tier: '' }),
      policy('StagedGlobalNetworkPolicy', 'security.preview', { tier: 'security' }),
    ])).toEqual([]);
  });

  test('a prefix naming another tier than spec.tier is an error on metadata.name', () => {
    const findings = PolicyLint.check([policy('GlobalNetworkPolicy', 'security.deny-cross-tenant', { tier: 'platform-guardrails' })])
      .filter((f) => f.rule === 'calico-policy-name-tier');
    expect(findings).toEqual([{
      rule: 'calico-policy-name-tier',
      severity: 'error',
      object: 'GlobalNetworkPolicy security.deny-cross-tenant',
      path: 'metadata.name',
      message: "the name 'security.deny-cross-tenant' says tier 'security', but the policy is in tier 'platform-guardrails': Calico takes the "
        + 'tier from spec.tier alone, and Calico versions that still read the name prefix reject the policy, so it is never created',
      fix: "name it 'deny-cross-tenant' and set spec.tier: security if it belongs to tier 'security'; otherwise drop the prefix "
        + '(Calico 3.32 names are plain, the tier is spec.tier)',
    }]);
  });

  test('a prefixed name without spec.tier is in the default tier: flagged, saying spec.tier is omitted', () => {
    const findings = PolicyLint.check([policy('NetworkPolicy', 'platform-guardrails.deny-metadata', {}, 'shop')])
      .filter((f) => f.rule === 'calico-policy-name-tier');
    expect(brief(findings)).toEqual([
      { rule: 'calico-policy-name-tier', severity: 'error', object: 'NetworkPolicy shop/platform-guardrails.deny-metadata', path: 'metadata.name' },
    ]);
    expect(findings[0].message).toContain("but the policy is in tier 'default' (spec.tier omitted)");
  });

  test('staged Calico policies and the storage group are checked; Kubernetes and staged Kubernetes policies are not', () => {
    expect(rule([
      policy('StagedNetworkPolicy', 'security.preview', { tier: 'default' }, 'shop'),
      { ...policy('GlobalNetworkPolicy', 'security.old', {}), apiVersion: 'crd.projectcalico.org/v1' },
      { ...policy('StagedKubernetesNetworkPolicy', 'security.k8s', {}, 'shop') },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'security.allow', namespace: 'shop' }, spec: { podSelector: {} } },
    ]).map((f) => f.object)).toEqual(['GlobalNetworkPolicy security.old', 'StagedNetworkPolicy shop/security.preview']);
  });

  test('odd shapes do not crash the rule', () => {
    expect(rule([
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 42 } },
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' },
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'a.b' }, spec: 'x' },
    ]).map((f) => f.object)).toEqual(['GlobalNetworkPolicy a.b']);
  });

  test('what the library synthesizes on Calico passes (plain names, tier in spec.tier)', () => {
    const chart = chartFor(Cni.calico({ guardrailTier: 'security' }));
    new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'] });
    new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
    const objects = synthValid(chart);
    const tiered = objects.filter((o) => o.apiVersion === 'projectcalico.org/v3' && o.kind.endsWith('NetworkPolicy'));
    expect(tiered.map((o) => [o.metadata.name, o.spec.tier]).sort()).toEqual([
      ['deny-cloud-metadata', 'security'],
      ['deny-cloud-metadata', 'security'],
      ['deny-cloud-metadata', 'security'],
      ['tenant-isolation-acme', 'security'],
      ['tenant-isolation-globex', 'security'],
    ]);
    expect(rule(objects)).toEqual([]);
  });
});
