/**
 * An Admin-tier ClusterNetworkPolicy that selects every pod and denies a whole direction towards
 * every pod cuts DNS and the control plane's pods off, beyond any NetworkPolicy's reach
 * (https://network-policy-api.sigs.k8s.io/: Admin tier before NetworkPolicy, first matching rule
 * decides). Only the certain case is reported.
 */
import { brief } from './support';
import { IpFamily } from '../../src/cluster/cluster-network';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

const cnp = (name: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec });
const ALL = { namespaces: {} };
const EVERY_POD = { pods: { namespaceSelector: {}, podSelector: {} } };
const lockdown = (spec: Record<string, unknown> = {}) => cnp('lockdown', { tier: 'Admin', priority: 10, subject: ALL, ...spec });
const DENY_IN = { ingress: [{ action: 'Deny', from: [ALL] }] };
const FIX = 'scope the subject, e.g. namespaces: { matchExpressions: [{ key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system, ...] }] }, '
  + 'accept DNS and the platform in a policy with a lower priority, or put a cluster-wide default deny in the Baseline tier, which NetworkPolicies can override';
const finding = (denials: string) => ({
  rule: 'cluster-network-policy-deny-all',
  severity: 'warning',
  object: 'ClusterNetworkPolicy lockdown',
  path: 'spec.subject',
  message: `the subject selects every pod of every namespace (kube-system included) and ${denials}: DNS served by pods (CoreDNS; a node-local cache on the `
    + 'host network is no pod) and every other pod-to-pod connection of the cluster are cut, and no NetworkPolicy can allow them back (the Admin tier goes first)',
  fix: FIX,
});
const exact = (objects: any[], options: Parameters<typeof PolicyLint.check>[1] = {}) => {
  expectValidManifests(objects);
  return PolicyLint.check(objects, options)
    .map((f) => ({ rule: f.rule, severity: f.severity, object: f.object, path: f.path, message: f.message, fix: f.fix }));
};

describe('cluster-network-policy-deny-all', () => {
  test('every pod as subject, Deny from every pod: one warning on spec.subject; both directions in one finding', () => {
    expect(exact([lockdown(DENY_IN)])).toEqual([finding('spec.ingress[0] denies its ingress from every pod')]);
    const both = lockdown({
      ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { tenant: 'acme' } } }] }, { action: 'Deny', from: [EVERY_POD] }],
      egress: [{ action: 'Deny', to: [{ namespaces: { matchExpressions: [] } }] }],
    });
    expect(exact([both])).toEqual([finding('spec.ingress[1] denies its ingress from every pod, and spec.egress[0] denies its egress to every pod')]);
    // A pods subject with empty selectors (namespaceSelector omitted = every namespace) is every pod too.
    expect(brief(PolicyLint.check([lockdown({ subject: { pods: { podSelector: {} } }, ...DENY_IN })]))).toEqual([
      { rule: 'cluster-network-policy-deny-all', severity: 'warning', object: 'ClusterNetworkPolicy lockdown', path: 'spec.subject' },
    ]);
  });

  test('egress networks count when they hold the whole address space of every family of the cluster (both when not told)', () => {
    const world = (networks: string[]) => lockdown({ egress: [{ action: 'Deny', to: [{ networks }] }] });
    const egress = finding('spec.egress[0] denies its egress to every pod');
    expect(exact([world(['0.0.0.0/0', '::/0'])])).toEqual([egress]);
    expect(exact([world(['0.0.0.0/0'])])).toEqual([]);
    expect(exact([world(['0.0.0.0/0'])], { ipFamilies: [IpFamily.IPV4] })).toEqual([egress]);
    expect(exact([world(['0.0.0.0/0', '10.0.0.0/8'])], { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] })).toEqual([]);
  });

  test('not certain, not reported: a scoped subject or peer, ports, an Accept or Pass first, the Baseline tier', () => {
    const scoped = { namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }] } };
    expect(exact([lockdown({ subject: scoped, ...DENY_IN })])).toEqual([]);
    expect(exact([lockdown({ subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } }, ...DENY_IN })])).toEqual([]);
    expect(exact([lockdown({ ingress: [{ action: 'Deny', from: [scoped] }] })])).toEqual([]);
    expect(exact([lockdown({ ingress: [{ action: 'Deny', from: [ALL], protocols: [{ tcp: { destinationPort: { number: 22 } } }] }] })])).toEqual([]);
    expect(exact([lockdown({
      ingress: [{ action: 'Pass', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] },
        { action: 'Deny', from: [ALL] }],
    })])).toEqual([]);
    expect(exact([cnp('lockdown', { tier: 'Baseline', priority: 10, subject: ALL, ...DENY_IN })])).toEqual([]);
  });

  test('another Admin policy that goes first or ties and accepts or passes in that direction makes it uncertain; one that goes after does not', () => {
    const dns = (priority: number) => cnp('allow-dns', {
      tier: 'Admin',
      priority,
      subject: ALL,
      ingress: [{ action: 'Accept', from: [ALL], protocols: [{ udp: { destinationPort: { number: 53 } } }] }],
    });
    expect(exact([lockdown(DENY_IN), dns(5)])).toEqual([]);
    expect(exact([lockdown(DENY_IN), dns(10)])).toEqual([]);
    expect(exact([lockdown(DENY_IN), dns(20)])).toEqual([finding('spec.ingress[0] denies its ingress from every pod')]);
    // Its Accept is on ingress: the egress deny stays certain.
    const egress = lockdown({ egress: [{ action: 'Deny', to: [ALL] }] });
    expect(exact([egress, dns(5)])).toEqual([finding('spec.egress[0] denies its egress to every pod')]);
  });
});
