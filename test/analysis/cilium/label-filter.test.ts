/*
 * Cilium policies select security identities, which leave out the labels the default label filter
 * drops (cilium/cilium pkg/labelsfilter/filter.go defaultLabelPrefixCfg; docs.cilium.io "Limiting
 * Identity-Relevant Labels"). That holds for CiliumNetworkPolicies and for the NetworkPolicies
 * Cilium enforces (cilium/cilium#18878).
 */
import { cnp, egress, ingress, np, pod, web } from './helpers';
import { expectValidManifests } from '../../support/schema';

const db0 = pod('shop', 'db-0', { 'app': 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'controller-revision-hash': 'db-7f' });
const web5d = pod('shop', 'web-5d', { 'app': 'web', 'pod-template-hash': '5d8f7c' });
const note = (what: string, name: string, dropped: string) => `note: ${what} matches ${name} only by labels Cilium's default label filter `
  + `leaves out of its security identity (${dropped}), and policies select identities: it does not select ${name} (the agent option \`labels\`, `
  + 'Helm `labels`, can change the filter)';
const DB0_DROPPED = 'pod label statefulset.kubernetes.io/pod-name (\'!statefulset\\.kubernetes\\.io/pod-name\'), '
  + 'pod label controller-revision-hash (\'!controller-revision-hash\')';
const WEB5D_DROPPED = 'pod label pod-template-hash (\'!pod-template-hash\')';

describe('Cilium label filter: selectors on dropped labels match no identity', () => {
  test('a CiliumNetworkPolicy endpointSelector on the StatefulSet pod name selects nothing: no default deny', () => {
    const policy = cnp('shop', 'db-0', {
      endpointSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }],
    });
    const v = ingress([policy], web, db0, 5432);
    expect(v.allowed).toBe(true);
    expect(v.reasons.map((r) => r.message)).toEqual([
      'no Cilium or Kubernetes policy puts shop/db-0 into default deny for ingress',
      note('CiliumNetworkPolicy shop/db-0 spec.endpointSelector', 'shop/db-0', DB0_DROPPED),
    ]);
  });

  test('a NetworkPolicy podSelector on controller-revision-hash isolates nothing under Cilium', () => {
    const policy = np('shop', 'deny-db', { podSelector: { matchLabels: { 'controller-revision-hash': 'db-7f' } }, policyTypes: ['Ingress'] });
    const v = ingress([policy], web, db0, 5432);
    expect(v.allowed).toBe(true);
    expect(v.reasons.map((r) => r.message)).toEqual([
      'no Cilium or Kubernetes policy puts shop/db-0 into default deny for ingress',
      note('NetworkPolicy shop/deny-db spec.podSelector', 'shop/db-0', DB0_DROPPED),
    ]);
  });

  test('a NetworkPolicy podSelector on the Job controller-uid labels isolates nothing under Cilium (dropped since 1.16)', () => {
    const uid = '249b1dfa-3414-4052-9abc-612c99cf0c79';
    const job = pod('shop', 'report-x7k2p', { 'app': 'report', 'batch.kubernetes.io/controller-uid': uid, 'controller-uid': uid });
    const dropped = 'pod label batch.kubernetes.io/controller-uid (\'!batch\\.kubernetes\\.io/controller-uid\'), pod label controller-uid (\'!controller-uid\')';
    for (const key of ['batch.kubernetes.io/controller-uid', 'controller-uid']) {
      const policy = np('shop', 'deny-report', { podSelector: { matchLabels: { [key]: uid } }, policyTypes: ['Ingress'] });
      expectValidManifests([policy]);
      const v = ingress([policy], web, job, 8080);
      expect(v.allowed).toBe(true);
      expect(v.reasons.map((r) => r.message)).toEqual([
        'no Cilium or Kubernetes policy puts shop/report-x7k2p into default deny for ingress',
        note('NetworkPolicy shop/deny-report spec.podSelector', 'shop/report-x7k2p', dropped),
      ]);
    }
  });

  test('an ingressDeny peer on pod-template-hash denies nothing', () => {
    const policy = cnp('shop', 'deny-old-web', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEntities: ['all'] }],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'pod-template-hash': '5d8f7c' } }] }],
    });
    const v = ingress([policy], web5d, db0, 5432);
    expect(v.allowed).toBe(true);
    expect(v.reasons.map((r) => r.message)).toEqual([
      'CiliumNetworkPolicy shop/deny-old-web spec.ingress[0] allows ingress from shop/web-5d to shop/db-0 on 5432/TCP via fromEntities (all)',
      note('CiliumNetworkPolicy shop/deny-old-web spec.ingressDeny[0]: fromEndpoints[0]', 'shop/web-5d', WEB5D_DROPPED),
    ]);
  });

  test('an allow peer on pod-template-hash allows nothing (egress)', () => {
    const policy = cnp('shop', 'web-out', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toEndpoints: [{ matchLabels: { 'app': 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' } }] }],
    });
    const v = egress([policy], web5d, db0, 5432);
    expect(v.allowed).toBe(false);
    expect(v.reasons.map((r) => r.message)).toContain(note('CiliumNetworkPolicy shop/web-out spec.egress[0]: toEndpoints[0]', 'shop/db-0', DB0_DROPPED));
  });

  test('a NetworkPolicy peer on a dropped label allows nothing, with a note', () => {
    const policy = np('shop', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { 'pod-template-hash': '5d8f7c' } } }] }],
    });
    const v = ingress([policy], web5d, db0, 5432);
    expect(v.allowed).toBe(false);
    expect(v.reasons.map((r) => r.message)).toContain(note('NetworkPolicy shop/db spec.ingress', 'shop/web-5d', WEB5D_DROPPED));
  });

  test('DoesNotExist on a dropped key matches every pod, those carrying the label included', () => {
    const policy = cnp('shop', 'db', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'pod-template-hash', operator: 'DoesNotExist' }] }] }],
    });
    expect(ingress([policy], web5d, db0, 5432).allowed).toBe(true);
  });

  test('namespace labels with beta.kubernetes.io in their key are dropped too; kubernetes.io/metadata.name is kept', () => {
    const zoned = { ...pod('shop', 'web', { app: 'web' }), namespaceLabels: { 'kubernetes.io/metadata.name': 'shop', 'topology.beta.kubernetes.io/zone': 'a' } };
    const byZone = np('shop', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'topology.beta.kubernetes.io/zone': 'a' } } }] }],
    });
    expect(ingress([byZone], zoned, db0, 5432).allowed).toBe(false);
    const byName = np('shop', 'db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }] }],
    });
    expect(ingress([byName], zoned, db0, 5432).allowed).toBe(true);
    const cnpByZone = cnp('shop', 'db', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.topology.beta.kubernetes.io/zone': 'a' } }] }],
    });
    expect(ingress([cnpByZone], zoned, db0, 5432).allowed).toBe(false);
  });

  test('app.kubernetes.io labels are kept (the include pattern is longer than the kubernetes.io ignore)', () => {
    const named = pod('shop', 'web', { 'app.kubernetes.io/name': 'web' });
    const policy = cnp('shop', 'db', {
      endpointSelector: { matchLabels: { app: 'db' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'web' } }] }],
    });
    expect(ingress([policy], named, db0, 5432).allowed).toBe(true);
    expect(ingress([policy], pod('shop', 'web', { 'kubernetes.io/name': 'web' }), db0, 5432).allowed).toBe(false);
  });
});
