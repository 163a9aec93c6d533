import { calicoModel } from '../../../src/analysis/calico';
import { ciliumModel } from '../../../src/analysis/cilium';
import { kubernetesModel } from '../../../src/analysis/kubernetes/model';
import {
  effectivePolicyTypes,
  evaluateNetworkPolicies,
  isNetworkPolicy,
  matchingRuleIndex,
  selectsEndpoint,
} from '../../../src/analysis/kubernetes/network-policy';
import { Endpoint, NamespaceIndex, SideQuery } from '../../../src/analysis/model';
import { expectValidManifests } from '../../support/schema';
import { externalEndpoint } from '../endpoints';

function pod(namespace: string, labels: Record<string, string>, extra: Partial<Endpoint> = {}): Endpoint {
  return {
    kind: 'pod',
    name: `${namespace}/${labels.app ?? 'pod'}`,
    namespace,
    labels,
    namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
    hostNetwork: false,
    namedPorts: [],
    ...extra,
  };
}

const external = externalEndpoint;

function np(name: string, namespace: string, spec: any) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function ingress(subject: Endpoint, peer: Endpoint, port: number, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP'): SideQuery {
  return { direction: 'ingress', subject, peer, port, protocol, destination: subject };
}

function egress(subject: Endpoint, peer: Endpoint, port: number, protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP'): SideQuery {
  return { direction: 'egress', subject, peer, port, protocol, destination: peer };
}

const namespaces: NamespaceIndex = new Map<string, Record<string, string>>([
  ['default', { 'kubernetes.io/metadata.name': 'default' }],
  ['other', { 'kubernetes.io/metadata.name': 'other', 'team': 'x' }],
]);

describe('NetworkPolicy contract functions', () => {
  test('isNetworkPolicy only accepts networking.k8s.io/v1 NetworkPolicy', () => {
    expect(isNetworkPolicy(np('a', 'default', {}))).toBe(true);
    expect(isNetworkPolicy({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' })).toBe(false);
  });

  // kubernetes pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy: without policyTypes,
  // Egress is added only when len(spec.egress) != 0, so an empty egress list does not add it.
  test('effectivePolicyTypes defaults to Ingress, plus Egress only with a non-empty egress list', () => {
    expect(effectivePolicyTypes(np('a', 'default', { podSelector: {} }))).toEqual(['Ingress']);
    expect(effectivePolicyTypes(np('a', 'default', { podSelector: {}, egress: [] }))).toEqual(['Ingress']);
    expect(effectivePolicyTypes(np('a', 'default', { podSelector: {}, egress: [{}] }))).toEqual(['Ingress', 'Egress']);
    expect(effectivePolicyTypes(np('a', 'default', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [] })))
      .toEqual(['Ingress', 'Egress']);
    expect(effectivePolicyTypes(np('a', 'default', { podSelector: {}, policyTypes: ['Egress'] }))).toEqual(['Egress']);
  });

  test('selectsEndpoint: same namespace and podSelector; never hostNetwork, nodes or externals', () => {
    const p = np('a', 'default', { podSelector: { matchLabels: { app: 'web' } } });
    expect(selectsEndpoint(p, pod('default', { app: 'web' }))).toBe(true);
    expect(selectsEndpoint(p, pod('other', { app: 'web' }))).toBe(false);
    expect(selectsEndpoint(p, pod('default', { app: 'db' }))).toBe(false);
    expect(selectsEndpoint(p, pod('default', { app: 'web' }, { hostNetwork: true }))).toBe(false);
    expect(selectsEndpoint(p, external('1.2.3.4'))).toBe(false);
  });

  test('matchingRuleIndex returns the first matching rule', () => {
    const web = pod('default', { app: 'web' });
    const p = np('a', 'default', {
      podSelector: {},
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'x' } } }] }, { ports: [{ port: 80 }] }, {}],
    });
    expect(matchingRuleIndex(p, ingress(web, pod('default', { app: 'c' }), 80), namespaces)).toBe(1);
    expect(matchingRuleIndex(p, ingress(web, pod('default', { app: 'c' }), 81), namespaces)).toBe(2);
    const none = np('b', 'default', { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'UDP' }] }] });
    expect(matchingRuleIndex(none, ingress(web, pod('default', { app: 'c' }), 80), namespaces)).toBeUndefined();
  });

  test('evaluateNetworkPolicies: not isolated allows by default', () => {
    const web = pod('default', { app: 'web' });
    const r = evaluateNetworkPolicies([], ingress(web, pod('default', { app: 'c' }), 80), namespaces);
    expect(r).toEqual({
      isolated: false,
      outcome: 1,
      allowed: true,
      reasons: [{ effect: 'default-allow', message: 'no NetworkPolicy selects default/web for ingress' }],
      uncertain: [],
    });
  });

  test('evaluateNetworkPolicies: isolated with no matching rule names the isolating policy', () => {
    const web = pod('default', { app: 'web' });
    const r = evaluateNetworkPolicies([np('deny', 'default', { podSelector: {} })], ingress(web, pod('default', { app: 'c' }), 80), namespaces);
    expect(r.isolated).toBe(true);
    expect(r.allowed).toBe(false);
    expect(r.reasons.map((x) => [x.effect, x.object?.name])).toEqual([['isolate', 'deny']]);
  });

  test('evaluateNetworkPolicies: an allowing rule is reported with its path', () => {
    const web = pod('default', { app: 'web' });
    const r = evaluateNetworkPolicies(
      [np('deny', 'default', { podSelector: {} }), np('allow', 'default', { podSelector: {}, ingress: [{}] })],
      ingress(web, pod('other', { app: 'c' }), 80),
      namespaces,
    );
    expect(r.allowed).toBe(true);
    expect(r.reasons.map((x) => [x.effect, x.object?.name, x.rule])).toEqual([['allow', 'allow', 'spec.ingress[0]']]);
  });

  test('egress isolation needs Egress in policyTypes', () => {
    const web = pod('default', { app: 'web' });
    const ingressOnly = np('a', 'default', { podSelector: {}, ingress: [] });
    expect(evaluateNetworkPolicies([ingressOnly], egress(web, external('8.8.8.8'), 53, 'UDP'), namespaces).isolated).toBe(false);
    const egressDeny = np('b', 'default', { podSelector: {}, policyTypes: ['Egress'] });
    expect(evaluateNetworkPolicies([egressDeny], egress(web, external('8.8.8.8'), 53, 'UDP'), namespaces).allowed).toBe(false);
  });

  test('named port resolves on the destination with the same protocol', () => {
    const server = pod('default', { app: 'web' }, { namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
    const client = pod('default', { app: 'c' });
    const p = np('a', 'default', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] });
    expect(matchingRuleIndex(p, egress(client, server, 8080), namespaces)).toBe(0);
    expect(matchingRuleIndex(p, egress(client, server, 80), namespaces)).toBeUndefined();
    expect(matchingRuleIndex(p, egress(client, server, 8080, 'UDP'), namespaces)).toBeUndefined();
  });

  test('ipBlock with except on an external endpoint', () => {
    const web = pod('default', { app: 'web' });
    const p = np('a', 'default', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }],
    });
    expect(matchingRuleIndex(p, egress(web, external('10.2.3.4'), 443), namespaces)).toBe(0);
    expect(matchingRuleIndex(p, egress(web, external('10.1.3.4'), 443), namespaces)).toBeUndefined();
    // A pod without a known IP is never matched by ipBlock.
    expect(matchingRuleIndex(p, egress(web, pod('default', { app: 'x' }), 443), namespaces)).toBeUndefined();
  });
});

// kubernetes pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy: without policyTypes the API
// server stores [Ingress], plus Egress only when len(spec.egress) != 0. `egress: []` therefore leaves
// egress open while ingress is isolated; every CNI model shares this defaulting.
describe('egress: [] without policyTypes', () => {
  const web = pod('default', { app: 'web' });
  const client = pod('default', { app: 'client' });
  const emptyEgress = np('empty-egress', 'default', { podSelector: { matchLabels: { app: 'web' } }, ingress: [], egress: [] });
  const withEgress = np('with-egress', 'default', {
    podSelector: { matchLabels: { app: 'web' } },
    egress: [{ to: [{ podSelector: { matchLabels: { app: 'client' } } }] }],
  });
  const models = {
    kubernetes: (m: any[]) => kubernetesModel(m, namespaces, { clusterNetworkPolicy: false }),
    calico: (m: any[]) => calicoModel(m, namespaces),
    cilium: (m: any[]) => ciliumModel(m, namespaces),
  };

  test('the manifests are valid', () => {
    expectValidManifests([emptyEgress, withEgress]);
  });

  test.each(Object.entries(models))('%s: ingress isolated, egress open', (_name, model) => {
    const m = model([emptyEgress]);
    expect(m.evaluate(egress(web, external('8.8.8.8'), 443)).allowed).toBe(true);
    expect(m.evaluate(egress(web, client, 80)).allowed).toBe(true);
    expect(m.evaluate(ingress(web, client, 80)).allowed).toBe(false);
  });

  test.each(Object.entries(models))('%s: a non-empty egress list isolates egress', (_name, model) => {
    const m = model([withEgress]);
    expect(m.evaluate(egress(web, external('8.8.8.8'), 443)).allowed).toBe(false);
    expect(m.evaluate(egress(web, client, 80)).allowed).toBe(true);
    // The policy also isolates ingress (Ingress is always defaulted in), with no ingress rule.
    expect(m.evaluate(ingress(web, client, 80)).allowed).toBe(false);
  });
});
