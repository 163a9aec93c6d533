/**
 * ClusterNetworkPolicies of equal priority under Calico 3.32: Felix orders equal-order policies by
 * `<name>/<namespace>/<kind>` (felix/calc/policy_sorter.go PolKVLess; the converted policy has kind
 * KubernetesClusterNetworkPolicy, libcalico-go conversion/clusternetworkpolicy.go), so between two
 * ClusterNetworkPolicies `a-b` runs before `a`. Against a Calico policy in the same tier with the
 * same order the tie-break is not established: both orders are possible, so the verdict is
 * indeterminate when they disagree.
 */
import { evaluate, gnp, ingress, pod } from './helpers';
import { MAYBE, NO, YES } from '../../../src/analysis/verdict';
import { expectValidManifests } from '../../support/schema';

const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10' });
const invoice = pod('billing', 'invoice', { app: 'invoice' }, { ip: '10.2.0.5' });

function clusterPolicy(name: string, action: 'Accept' | 'Deny', priority = 10) {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: {
      tier: 'Admin',
      priority,
      subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
      ingress: [{ action, from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'billing' } } }] }],
    },
  };
}

describe('equal priority between ClusterNetworkPolicies: name followed by "/", bytewise', () => {
  test('`a-b` (Accept) runs before `a` (Deny): allowed', () => {
    const manifests = [clusterPolicy('a', 'Deny'), clusterPolicy('a-b', 'Accept')];
    expectValidManifests(manifests);
    const v = evaluate(manifests, ingress(invoice, web, 8080));
    expect([v.outcome, v.reasons[0].message]).toEqual([YES, 'ClusterNetworkPolicy a-b spec.ingress[0] Accept (tier kube-admin, priority 10)']);
  });

  test('names that are not prefixes of each other keep plain name order: `a` before `b`', () => {
    const manifests = [clusterPolicy('b', 'Accept'), clusterPolicy('a', 'Deny')];
    expect(evaluate(manifests, ingress(invoice, web, 8080)).outcome).toBe(NO);
  });
});

describe('equal order between a ClusterNetworkPolicy and a Calico policy in kube-admin: both orders', () => {
  const calicoAllow = gnp('allow-billing', {
    tier: 'kube-admin',
    order: 10,
    selector: 'all()',
    types: ['Ingress'],
    ingress: [{ action: 'Allow', source: { namespaceSelector: "kubernetes.io/metadata.name == 'billing'" } }],
  });

  test('a Deny ClusterNetworkPolicy and an Allow GlobalNetworkPolicy of the same order: indeterminate, with the reason', () => {
    const manifests = [clusterPolicy('deny-billing', 'Deny'), calicoAllow];
    expectValidManifests(manifests);
    const v = evaluate(manifests, ingress(invoice, web, 8080));
    expect(v.outcome).toBe(MAYBE);
    expect((v.uncertain ?? []).join('\n')).toContain('a ClusterNetworkPolicy and another policy of the same tier have the same order');
  });

  test('different orders are not ties; the same action either way is not uncertain', () => {
    expect(evaluate([clusterPolicy('deny-billing', 'Deny', 9), calicoAllow], ingress(invoice, web, 8080)).outcome).toBe(NO);
    expect(evaluate([clusterPolicy('accept-billing', 'Accept'), calicoAllow], ingress(invoice, web, 8080)).outcome).toBe(YES);
  });
});
