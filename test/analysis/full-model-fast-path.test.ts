/**
 * The fast-path contract (see ./fast-path-contract.ts) on the FULL model the analyzer uses,
 * `modelFor(cni, validManifests, namespaces)`, not only on the inner CNI models: the layers on top
 * (duplicate policy documents, hostNetwork placement, Cilium named ports resolved to one number,
 * Calico service-account selectors on unknown labels, Cilium cidrGroupSelectors that match no group)
 * must only make outcomes depend on what the subject and peer keys capture, or the flow matrix
 * copies a class's verdict onto pods that should get another one.
 *
 * Seeded random manifests (Namespaces, Deployments, policies) are shared by the three CNIs; the
 * endpoints come from the manifests' inventory, as in `Reachability`.
 */
import { externalEndpoint } from './endpoints';
import { checkContract } from './fast-path-contract';
import { podCidrSpace } from '../../src/analysis/addresses';
import { modelFor } from '../../src/analysis/cni-model';
import { buildInventory } from '../../src/analysis/inventory';
import { Endpoint, L4Protocol, ManifestObject } from '../../src/analysis/model';
import { skippedInputUncertainties } from '../../src/analysis/uncertainty/skipped-input';
import { partitionManifests } from '../../src/analysis/validation';
import { Cni } from '../../src/cluster/cni';
import { parseCidr } from '../../src/util/cidr';
import { Prng as Rng } from '../support/prng';

const PORTS: Array<[L4Protocol, number]> = [['TCP', 8080], ['TCP', 9090], ['TCP', 9100], ['TCP', 443], ['UDP', 53]];
const NAMESPACE_NAMES = ['shop', 'billing'];
const APPS = ['web', 'api', 'db'];
const NODE_IP = '10.0.0.10';
const SPACE = podCidrSpace([parseCidr('10.244.0.0/16')]);

/** Container port lists: one name with two numbers in two containers, one name per app with its own number, none. */
function containers(r: Rng, app: string): any[] {
  const own = { web: 8080, api: 9090, db: 9100 }[app] ?? 8080;
  switch (r.int(5)) {
    case 0:
      return [
        { name: 'main', image: 'example/app:1', ports: [{ name: 'http', containerPort: 8080 }] },
        { name: 'side', image: 'example/side:1', ports: [{ name: 'http', containerPort: 9090 }] },
      ];
    case 1:
    case 2:
      return [{ name: 'main', image: 'example/app:1', ports: [{ name: 'http', containerPort: own }, { name: 'metrics', containerPort: 9100 }] }];
    case 3:
      return [{ name: 'main', image: 'example/app:1', ports: [{ name: 'metrics', containerPort: r.pick([9100, 9090]) }] }];
    default:
      return [{ name: 'main', image: 'example/app:1' }];
  }
}

function deployment(r: Rng, i: number): ManifestObject {
  const app = r.pick(APPS);
  const labels: Record<string, string> = { app, ...(r.chance(0.4) ? { tier: r.pick(['fe', 'be']) } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${app}-${i}`, namespace: r.pick(NAMESPACE_NAMES) },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...(r.chance(0.15) ? { hostNetwork: true } : {}),
          ...(r.chance(0.5) ? { serviceAccountName: r.pick(['sa1', 'sa2']) } : {}),
          containers: containers(r, app),
        },
      },
    },
  };
}

const K8S_PORTS: any[] = [{ port: 'http' }, { port: 'metrics' }, { port: 8080 }, { protocol: 'UDP', port: 53 }];

function networkPolicy(r: Rng, name: string, namespace: string): ManifestObject {
  const peers = [{ podSelector: { matchLabels: { app: r.pick(APPS) } } }, { namespaceSelector: { matchLabels: { team: 'retail' } } },
    { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '203.0.113.0/24' } }];
  const rule = (field: 'from' | 'to') => ({
    ...(r.chance(0.6) ? { [field]: [r.pick(peers)] } : {}),
    ...(r.chance(0.7) ? { ports: [r.pick(K8S_PORTS)] } : {}),
  });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: {
      podSelector: r.pick([{}, { matchLabels: { app: r.pick(APPS) } }, { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }]),
      policyTypes: r.pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]),
      ingress: Array.from({ length: r.int(3) }, () => rule('from')),
      egress: Array.from({ length: r.int(3) }, () => rule('to')),
    },
  };
}

const CILIUM_PORTS: any[] = [
  [{ ports: [{ port: 'http', protocol: 'TCP' }] }],
  [{ ports: [{ port: 'metrics' }] }],
  [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
  [{ ports: [{ port: '53', protocol: 'UDP' }] }],
];

function ciliumRule(r: Rng, pfx: 'from' | 'to'): any {
  const rule: any = {};
  switch (r.int(5)) {
    case 0: rule[`${pfx}Endpoints`] = [r.pick([{}, { matchLabels: { app: r.pick(APPS) } }])]; break;
    case 1: rule[`${pfx}CIDRSet`] = [{ cidrGroupSelector: { matchLabels: { kind: r.pick(['partner', 'vendor']) } } }]; break;
    case 2: rule[`${pfx}Entities`] = [r.pick(['world', 'cluster', 'host'])]; break;
    case 3: rule[`${pfx}CIDR`] = ['203.0.113.0/24']; break;
    default: break;
  }
  if (r.chance(0.6) || Object.keys(rule).length === 0) rule.toPorts = r.pick(CILIUM_PORTS);
  return rule;
}

function ciliumPolicy(r: Rng, name: string, namespace: string): ManifestObject {
  const spec: any = { endpointSelector: r.pick([{}, { matchLabels: { app: r.pick(APPS) } }]) };
  for (const [field, pfx] of [['ingress', 'from'], ['egress', 'to'], ['ingressDeny', 'from'], ['egressDeny', 'to']] as const) {
    if (r.chance(field.endsWith('Deny') ? 0.2 : 0.6)) spec[field] = Array.from({ length: 1 + r.int(2) }, () => ciliumRule(r, pfx));
  }
  if (r.chance(0.3)) spec.enableDefaultDeny = { ingress: r.chance(0.5), egress: r.chance(0.5) };
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}

function calicoPolicy(r: Rng, name: string, namespace: string): ManifestObject {
  const rule = () => {
    const ports = r.chance(0.4);
    return {
      action: r.pick(['Allow', 'Deny', 'Pass']),
      // Calico asks for a protocol on rules with ports.
      ...(ports || r.chance(0.3) ? { protocol: 'TCP' } : {}),
      ...(r.chance(0.5) ? { source: { selector: `app == '${r.pick(APPS)}'` } } : {}),
      ...(ports ? { destination: { ports: [r.pick([8080, 'http', 9100])] } } : {}),
    };
  };
  const types = r.pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
  const spec: any = {
    selector: r.pick(['all()', `app == '${r.pick(APPS)}'`, 'has(tier)']),
    types,
    ...(types.includes('Ingress') ? { ingress: Array.from({ length: 1 + r.int(2) }, rule) } : {}),
    ...(types.includes('Egress') ? { egress: Array.from({ length: 1 + r.int(2) }, rule) } : {}),
  };
  if (r.chance(0.6)) {
    spec.serviceAccountSelector = r.pick(["role == 'frontend'", "projectcalico.org/name == 'sa1'", "has(role) && projectcalico.org/name == 'sa2'"]);
  }
  if (r.chance(0.3)) spec.order = r.int(3) * 100;
  return { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

function randomManifests(r: Rng): ManifestObject[] {
  const out: ManifestObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'retail' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'billing', labels: { team: 'finance' } } },
  ];
  if (r.chance(0.5)) {
    out.push({ apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'vendors', labels: { kind: 'vendor' } }, spec: { externalCIDRs: ['198.51.100.0/24'] } });
  }
  out.push(...Array.from({ length: 6 + r.int(5) }, (_, i) => deployment(r, i)));
  const policies: ManifestObject[] = [];
  const count = 2 + r.int(4);
  for (let i = 0; i < count; i++) {
    const namespace = r.pick(NAMESPACE_NAMES);
    const make = r.pick([networkPolicy, ciliumPolicy, calicoPolicy]);
    const policy = make(r, `p-${i}`, namespace);
    policies.push(policy);
    // A second document for the same object, with other contents (or, now and then, the same).
    if (r.chance(0.25)) policies.push(r.chance(0.8) ? make(r, `p-${i}`, namespace) : policy);
  }
  return [...out, ...policies];
}

/** Endpoints as Reachability makes them: hostNetwork pods at the node IP, the others in the pod CIDRs or anywhere. */
function endpointsOf(r: Rng, manifests: ManifestObject[]): Endpoint[] {
  return buildInventory(manifests).pods.map(({ endpoint: e }) => {
    if (e.hostNetwork) return { ...e, ip: NODE_IP };
    return r.chance(0.5) ? { ...e, addressSpace: SPACE } : e;
  });
}

const NODE = { kind: 'node' as const, labels: {}, namespaceLabels: {}, hostNetwork: true, namedPorts: [], ip: NODE_IP };
const EXTRA_PEERS: Endpoint[] = [
  externalEndpoint('203.0.113.7'), externalEndpoint('198.51.100.9'), externalEndpoint('192.0.2.1'),
  { ...NODE, name: 'local-node', nodeLocality: 'local' }, { ...NODE, name: 'remote-node', nodeLocality: 'remote' },
];

const CNIS: Array<[string, () => Cni, number]> = [
  ['Kubernetes', () => Cni.kubernetes(), 7907],
  ['Calico', () => Cni.calico(), 7919],
  ['Cilium', () => Cni.cilium(), 7927],
];

describe.each(CNIS)('%s: the full model (modelFor, with every uncertainty) keeps the fast-path contract', (_name, cni, factor) => {
  test('on 350 seeded random clusters with duplicates, hostNetwork pods, conflicting named ports, SA selectors and CIDR groups', () => {
    let indeterminate = 0;
    for (let seed = 1; seed <= 350; seed++) {
      const r = new Rng(seed * factor);
      const manifests = randomManifests(r);
      const { valid, invalid } = partitionManifests(manifests);
      expect(invalid.map((i) => [i.object.metadata?.name, i.rejection.problems])).toEqual([]);
      const pods = endpointsOf(r, valid);
      const model = modelFor(cni(), valid, buildInventory(valid).namespaces);
      checkContract(model, pods, [...pods, ...EXTRA_PEERS], PORTS);
      for (const s of pods) {
        for (const p of pods) if (model.decide({ direction: 'ingress', subject: s, peer: p, port: 8080, protocol: 'TCP', destination: s }) === 2) indeterminate++;
      }
    }
    // The corpus reaches indeterminate outcomes, not only allow and deny.
    expect(indeterminate).toBeGreaterThan(50);
  });
});

describe.each(CNIS)('%s: with input that could not be read (fromYamlFiles, the CLI), every pod and node side is indeterminate', (_name, cni, factor) => {
  test('on 60 seeded random clusters, external addresses (no policy subject) keep their own sides', () => {
    const skipped = skippedInputUncertainties([{ file: 'policies.yaml', line: 3, error: 'bad indentation' }, { file: 'gone.yaml', error: 'EACCES' }]);
    for (let seed = 1; seed <= 60; seed++) {
      const r = new Rng(seed * factor + 1);
      const { valid } = partitionManifests(randomManifests(r));
      const pods = endpointsOf(r, valid);
      const model = modelFor(cni(), valid, buildInventory(valid).namespaces, skipped);
      const everyone = [...pods, ...EXTRA_PEERS];
      checkContract(model, everyone, everyone, PORTS);
      for (const subject of everyone) {
        for (const direction of ['ingress', 'egress'] as const) {
          const outcomes = new Set(everyone.map((peer) => model.decide({
            direction, subject, peer, port: 8080, protocol: 'TCP', destination: direction === 'ingress' ? subject : peer,
          })));
          if (subject.kind !== 'external') expect([subject.name, direction, [...outcomes]]).toEqual([subject.name, direction, [2]]);
        }
      }
    }
  });
});

describe('Cilium named ports on a subject without default deny', () => {
  const web = (name: string, ports: number[]): ManifestObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: 'web' } },
    spec: { containers: ports.map((port, i) => ({ name: `c${i}`, image: 'example/app:1', ports: [{ name: 'http', containerPort: port }] })) },
  });
  const policy = (field: 'ingress' | 'ingressDeny'): ManifestObject => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'http-in', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'web' } },
      enableDefaultDeny: { ingress: false },
      [field]: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }],
    },
  });
  const setup = (manifests: ManifestObject[]) => {
    const [once, twice] = buildInventory(manifests).pods.map((p) => p.endpoint);
    const model = modelFor(Cni.cilium(), manifests, buildInventory(manifests).namespaces);
    const ask = (subject: Endpoint) => model.decide({ direction: 'ingress', subject, peer: once, port: 8080, protocol: 'TCP', destination: subject });
    return { once, twice, model, ask };
  };

  test('a deny rule by name: the pod declaring it twice and the one declaring it once get different ingress keys, as their verdicts differ', () => {
    const { once, twice, model, ask } = setup([web('twice', [8080, 9090]), web('once', [8080]), policy('ingressDeny')]);
    // Cilium resolves `http` of `twice` to one of its two numbers; `once` has only 8080.
    expect(ask(twice)).toBe(2);
    expect(ask(once)).toBe(0);
    expect(model.subjectKey(twice, 'ingress')).not.toBe(model.subjectKey(once, 'ingress'));
  });

  test('an allow rule by name: Cilium allows both whatever the name resolves to, with equal keys', () => {
    const { once, twice, model, ask } = setup([web('twice', [8080, 9090]), web('once', [8080]), policy('ingress')]);
    expect([ask(twice), ask(once)]).toEqual([1, 1]);
    expect(model.subjectKey(twice, 'ingress')).toBe(model.subjectKey(once, 'ingress'));
  });
});
