/**
 * The Kubernetes model's fast path (with ClusterNetworkPolicy tiers and the uncertainty overlay of
 * AdminNetworkPolicies and foreign Calico / Cilium objects) on seeded random clusters: `decide`
 * equals `evaluate(...).outcome` (allow, deny and indeterminate), equal subject keys and equal peer
 * keys mean equal outcomes. Pods have exact IPs, a pod-CIDR address space or none, so ipBlocks
 * and `networks` match YES, NO and MAYBE.
 */
import { podCidrSpace } from '../../../src/analysis/addresses';
import { modelFor } from '../../../src/analysis/cni-model';
import { Endpoint, L4Protocol, ManifestObject, NamedPort } from '../../../src/analysis/model';
import { Cni } from '../../../src/cluster/cni';
import { parseCidr } from '../../../src/util/cidr';
import { Prng as Rng } from '../../support/prng';
import { podEndpoint } from '../endpoints';
import { checkSeededClusters } from '../fast-path-contract';

const NAMESPACES = new Map<string, Record<string, string>>([
  ['shop', { 'kubernetes.io/metadata.name': 'shop', 'team': 'retail' }],
  ['billing', { 'kubernetes.io/metadata.name': 'billing', 'team': 'finance' }],
]);
const HTTP: NamedPort = { name: 'http', port: 8080, protocol: 'TCP' };
const PORTS: Array<[L4Protocol, number]> = [['TCP', 8080], ['TCP', 443], ['UDP', 53]];
const SPACE = podCidrSpace([parseCidr('10.244.0.0/16')]);

function randomPods(r: Rng, count: number): Endpoint[] {
  const labels: Array<Record<string, string>> = [{ app: 'web' }, { app: 'api', tier: 'be' }, { app: 'db' }, {}];
  return Array.from({ length: count }, (_, i) => {
    const e = podEndpoint(NAMESPACES, r.pick(['shop', 'billing']), `p${i}`, r.pick(labels), {
      namedPorts: r.pick([[], [HTTP]]),
      hostNetwork: r.chance(0.08),
      ip: r.pick([undefined, undefined, '10.244.1.5', '10.244.200.9', '192.168.3.3']),
    });
    return e.ip === undefined && r.chance(0.5) ? { ...e, addressSpace: SPACE } : e;
  });
}

const BLOCKS = [
  { cidr: '10.244.0.0/16' }, { cidr: '10.244.1.0/24' }, { cidr: '0.0.0.0/0', except: ['10.244.0.0/16'] },
  { cidr: '0.0.0.0/0' }, { cidr: '192.168.0.0/16' }, { cidr: '::/0' },
];

function networkPolicy(r: Rng, i: number): ManifestObject {
  const peers = () => r.pick<any[]>([
    [{ podSelector: { matchLabels: { app: 'web' } } }], [{ namespaceSelector: { matchLabels: { team: 'retail' } } }],
    [{ ipBlock: r.pick(BLOCKS) }], [{ ipBlock: r.pick(BLOCKS) }, { ipBlock: r.pick(BLOCKS) }],
  ]);
  const rule = (field: 'from' | 'to') => ({
    ...(r.chance(0.8) ? { [field]: peers() } : {}),
    ...(r.chance(0.5) ? { ports: [r.pick([{ port: 'http' }, { port: 8080 }, { protocol: 'UDP', port: 53 }])] } : {}),
  });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `np-${i}`, namespace: r.pick(['shop', 'billing']) },
    spec: {
      podSelector: r.pick([{}, { matchLabels: { app: 'web' } }, { matchLabels: { app: 'db' } }]),
      policyTypes: r.pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]),
      ingress: Array.from({ length: r.int(3) }, () => rule('from')),
      egress: Array.from({ length: r.int(3) }, () => rule('to')),
    },
  };
}

function clusterPolicy(r: Rng, i: number): ManifestObject {
  const action = () => r.pick(['Accept', 'Deny', 'Pass']);
  const peer = () => r.pick<any>([{ namespaces: {} }, { pods: { podSelector: { matchLabels: { app: 'web' } } } }]);
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: `cnp-${i}` },
    spec: {
      tier: r.pick(['Admin', 'Baseline']),
      priority: r.int(5),
      subject: { namespaces: {} },
      ingress: Array.from({ length: r.int(2) }, () => ({ action: action(), from: [peer()] })),
      egress: Array.from({ length: r.int(3) }, () => ({
        action: action(), to: [r.chance(0.5) ? { networks: [r.pick(['10.244.0.0/16', '10.244.1.0/24', '0.0.0.0/0'])] } : peer()],
      })),
    },
  };
}

function uncertainObject(r: Rng, i: number): ManifestObject {
  switch (r.int(3)) {
    case 0: {
      const kind = r.pick(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);
      return {
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind,
        // A BaselineAdminNetworkPolicy must be named default (any other name is invalid and left out).
        metadata: { name: kind === 'BaselineAdminNetworkPolicy' ? 'default' : `anp-${i}` },
        spec: { priority: 1, subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'db' } } } }, ingress: [{ action: r.pick(['Allow', 'Deny']), from: [{ namespaces: {} }] }] },
      };
    }
    case 1:
      return {
        apiVersion: 'projectcalico.org/v3',
        kind: 'NetworkPolicy',
        metadata: { name: `calico-${i}`, namespace: 'shop' },
        spec: { selector: "app == 'api'", types: ['Egress'], egress: [{ action: r.pick(['Allow', 'Deny']) }] },
      };
    default:
      return {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: `cilium-${i}`, namespace: 'billing' },
        spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{}] }] },
      };
  }
}

describe('Kubernetes fast path (decide, subjectKey, peerKey) with ClusterNetworkPolicy and uncertainties', () => {
  test('agrees with evaluate on 120 seeded random clusters, and equal keys mean equal outcomes', () => {
    let indeterminate = 0;
    const { clusters } = checkSeededClusters(120, 7919, PORTS, (r) => {
      const manifests = [
        ...Array.from({ length: 1 + r.int(4) }, (_, i) => networkPolicy(r, i)),
        ...(r.chance(0.5) ? Array.from({ length: 1 + r.int(2) }, (_, i) => clusterPolicy(r, i)) : []),
        ...(r.chance(0.4) ? [uncertainObject(r, 0)] : []),
      ];
      const pods = randomPods(r, 12);
      const model = modelFor(Cni.kubernetes({ clusterNetworkPolicy: r.chance(0.5) }), manifests, NAMESPACES);
      for (const s of pods) for (const p of pods) if (model.decide({ direction: 'egress', subject: s, peer: p, port: 8080, protocol: 'TCP', destination: p }) === 2) indeterminate++;
      return { model, subjects: pods, peers: pods };
    });
    expect(clusters).toBe(120);
    // The corpus exercises indeterminate outcomes, not only allow and deny.
    expect(indeterminate).toBeGreaterThan(100);
  });
});
