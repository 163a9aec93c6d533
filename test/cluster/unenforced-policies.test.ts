/**
 * A policy the CNI cannot enforce is a synth error, on every CNI kind: a TrafficPolicy intent
 * (deny, cluster-wide, precedence, entity, FQDN, L7 on a CNI without them; anything on Flannel
 * unless acknowledged), and a policy object the program adds itself (a raw ApiObject or an Include)
 * in an API group the CNI does not read. The expectations are written by hand per variant from what
 * each CNI documents, not derived from the library's capability table.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Include, Testing } from 'cdk8s';
import { ClusterNetwork, Cni, CniCapabilities, CniKind, Peer, Port, RuleAction, TrafficPolicy } from '../../src';
import { chartFor, expectValidTree, synthValid } from '../support/synth';

type Feature = 'allow' | 'deny' | 'clusterWideAllow' | 'clusterWideDeny' | 'precedence' | 'entity' | 'fqdn' | 'l7';
const FEATURES: readonly Feature[] = ['allow', 'deny', 'clusterWideAllow', 'clusterWideDeny', 'precedence', 'entity', 'fqdn', 'l7'];

const K8S = 'networking.k8s.io';
const CNP = 'policy.networking.k8s.io';
const CALICO = 'projectcalico.org';
/** Calico's storage group: read by Calico where its CRDs are installed (not in native v3 CRD mode). */
const CALICO_STORAGE = 'crd.projectcalico.org';
const CILIUM = 'cilium.io';

/** A CNI variant, the intents it enforces and the policy API groups it reads (by hand, from each CNI's docs). */
interface Variant {
  readonly label: string;
  readonly cni: () => Cni;
  readonly enforces: readonly Feature[];
  /** API groups of policy objects it enforces (an acknowledged unenforcing CNI: what it may carry for other clusters). */
  readonly reads: readonly string[];
}

const CAPABILITY_KEYS = ['enforcesNetworkPolicy', 'deny', 'ordering', 'clusterWide', 'l7', 'fqdn', 'entities', 'clusterNetworkPolicy'] as const;
const caps = (value: boolean) => Object.fromEntries(CAPABILITY_KEYS.map((k) => [k, value])) as unknown as CniCapabilities;
const ALL_CAPS = caps(true);
const NO_CAPS = caps(false);

/** Keyed by CniKind: a new kind fails compilation here until its rows are written. */
const VARIANTS: { readonly [K in CniKind]: readonly Variant[] } = {
  [CniKind.KUBERNETES]: [
    { label: 'Cni.kubernetes()', cni: () => Cni.kubernetes(), enforces: ['allow'], reads: [K8S] },
    // Admin-tier ClusterNetworkPolicy adds denies (namespaced or cluster-wide), never cluster-wide allows.
    {
      label: 'Cni.kubernetes({ clusterNetworkPolicy: true })',
      cni: () => Cni.kubernetes({ clusterNetworkPolicy: true }),
      enforces: ['allow', 'deny', 'clusterWideDeny'],
      reads: [K8S, CNP],
    },
    // A custom CNI claiming everything still only gets what NetworkPolicy and ClusterNetworkPolicy express.
    { label: "Cni.custom('antrea', all)", cni: () => Cni.custom('antrea', ALL_CAPS), enforces: ['allow', 'deny', 'clusterWideDeny'], reads: [K8S, CNP] },
    { label: "Cni.custom('weave', none)", cni: () => Cni.custom('weave', NO_CAPS), enforces: [], reads: [] },
    {
      label: "Cni.custom('weave', none, acknowledged)",
      cni: () => Cni.custom('weave', NO_CAPS, { acknowledgeUnenforcedPolicies: true }),
      enforces: ['allow'],
      reads: [K8S, CNP, CALICO, CALICO_STORAGE, CILIUM],
    },
  ],
  [CniKind.CALICO]: [
    { label: 'Cni.calico()', cni: () => Cni.calico(), enforces: ['allow', 'deny', 'clusterWideAllow', 'clusterWideDeny', 'precedence'], reads: [K8S, CNP, CALICO, CALICO_STORAGE] },
    // Native v3 CRD mode: no ClusterNetworkPolicy CRD (NETWORKING-FACTS.md, Calico); Calico's own policies render the same.
    {
      label: 'Cni.calico({ nativeV3Crds: true })',
      cni: () => Cni.calico({ nativeV3Crds: true }),
      enforces: ['allow', 'deny', 'clusterWideAllow', 'clusterWideDeny', 'precedence'],
      reads: [K8S, CALICO],
    },
  ],
  [CniKind.CILIUM]: [
    { label: 'Cni.cilium()', cni: () => Cni.cilium(), enforces: ['allow', 'deny', 'clusterWideAllow', 'clusterWideDeny', 'entity', 'fqdn', 'l7'], reads: [K8S, CILIUM] },
    {
      label: 'Cni.cilium({ kubeProxyReplacement: false })',
      cni: () => Cni.cilium({ kubeProxyReplacement: false }),
      enforces: ['allow', 'deny', 'clusterWideAllow', 'clusterWideDeny', 'entity', 'fqdn', 'l7'],
      reads: [K8S, CILIUM],
    },
  ],
  [CniKind.FLANNEL]: [
    { label: 'Cni.flannel()', cni: () => Cni.flannel(), enforces: [], reads: [] },
    // Acknowledged: portable NetworkPolicy for the other clusters the manifests target, and nothing it would have to drop.
    {
      label: 'Cni.flannel({ acknowledgeUnenforcedPolicies: true })',
      cni: () => Cni.flannel({ acknowledgeUnenforcedPolicies: true }),
      enforces: ['allow'],
      reads: [K8S, CNP, CALICO, CALICO_STORAGE, CILIUM],
    },
  ],
};
const ALL: readonly Variant[] = Object.values(VARIANTS).flat();

const egressTo = (peer: Peer, extra: Record<string, unknown> = {}) => ({ peers: [peer], ports: [Port.tcp(443)], ...extra });
const CIDR = Peer.cidr('10.1.0.0/16');

/** The TrafficPolicy props of each feature. */
const INTENTS: Record<Feature, () => Record<string, unknown>> = {
  allow: () => ({ name: 'p', namespace: 'shop', egress: [egressTo(CIDR)] }),
  deny: () => ({ name: 'p', namespace: 'shop', egress: [egressTo(CIDR, { action: RuleAction.DENY })] }),
  clusterWideAllow: () => ({ name: 'p', egress: [egressTo(CIDR)] }),
  clusterWideDeny: () => ({ name: 'p', egress: [egressTo(CIDR, { action: RuleAction.DENY })] }),
  precedence: () => ({ name: 'p', namespace: 'shop', precedence: 10, egress: [egressTo(CIDR)] }),
  entity: () => ({ name: 'p', namespace: 'shop', egress: [egressTo(Peer.kubeApiServer())] }),
  fqdn: () => ({ name: 'p', namespace: 'shop', egress: [egressTo(Peer.fqdn('api.example.com'))] }),
  l7: () => ({ name: 'p', namespace: 'shop', ingress: [{ peers: [Peer.allPods()], ports: [Port.tcp(8080)], http: [{ method: 'GET', path: '/' }] }] }),
};

const groupOf = (o: any) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '');
const isPolicy = (o: any) => /NetworkPolicy$/.test(o.kind);

describe('TrafficPolicy intents a CNI cannot enforce are synth errors, on every CNI kind', () => {
  for (const variant of ALL) {
    describe(variant.label, () => {
      for (const feature of FEATURES) {
        const enforced = variant.enforces.includes(feature);
        test(`${feature}: ${enforced ? 'enforced, in an API the CNI reads' : 'a named error'}`, () => {
          const chart = chartFor(variant.cni());
          const build = () => new TrafficPolicy(chart, 'p', INTENTS[feature]() as any);
          if (!enforced) {
            expect(build).toThrow(/^\[test\/p\] (TrafficPolicy 'p'|egress\[0\]\.peers\[0\]|ingress\[0\]\.http): .*(cannot be enforced by CNI|needs ClusterNetwork apiServerCidrs on CNI)/);
            return;
          }
          build();
          const policies = synthValid(chart).filter(isPolicy);
          expect(policies.length).toBeGreaterThan(0);
          for (const p of policies) expect(variant.reads).toContain(groupOf(p));
        });
      }
    });
  }

  test('Flannel names the acknowledgement in the error, and so does an unenforcing custom CNI', () => {
    expect(() => new TrafficPolicy(chartFor(Cni.flannel()), 'p', INTENTS.allow() as any))
      .toThrow("[test/p] TrafficPolicy 'p': no policy cannot be enforced by CNI 'flannel': it enforces no network policy at all, so emitting one is "
        + 'security theatre. Use a CNI that enforces policy (Calico, Canal, Cilium), or pass Cni.flannel({ acknowledgeUnenforcedPolicies: true }) '
        + 'if these manifests also target clusters that do');
    expect(() => new TrafficPolicy(chartFor(Cni.custom('weave', NO_CAPS)), 'p', INTENTS.allow() as any))
      .toThrow(/pass Cni\.custom\('weave', capabilities, \{ acknowledgeUnenforcedPolicies: true \}\)/);
  });
});

/** Minimal policy objects of every API group, as a program might add them by hand. */
const RAW: ReadonlyArray<{ group: string; manifest: Record<string, unknown> }> = [
  { group: K8S, manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'shop' }, spec: { podSelector: {} } } },
  { group: CILIUM, manifest: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'cnp', namespace: 'shop' }, spec: { endpointSelector: {} } } },
  { group: CILIUM, manifest: { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'ccnp' }, spec: { endpointSelector: {} } } },
  { group: CALICO, manifest: { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'cal', namespace: 'shop' }, spec: { selector: 'all()' } } },
  { group: CALICO, manifest: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'gnp' }, spec: { selector: 'all()' } } },
  // Calico's storage group is what the API server stores; objects written there are read by Calico too.
  { group: CALICO_STORAGE, manifest: { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'stored' }, spec: {} } },
  { group: CNP, manifest: { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'cnp-admin' }, spec: {} } },
];
/** Objects of those groups that are no policies: never an error, on any CNI. */
const NOT_POLICIES: ReadonlyArray<Record<string, unknown>> = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop' } },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumLocalRedirectPolicy', metadata: { name: 'lrp', namespace: 'kube-system' }, spec: {} },
  { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'pool' }, spec: { cidr: '10.244.0.0/16' } },
];

describe('policy objects the program adds itself are a synth error when the CNI does not read them, on every CNI kind', () => {
  for (const variant of ALL) {
    for (const { group, manifest } of RAW) {
      const enforced = variant.reads.includes(group);
      test(`${variant.label}: ${manifest.apiVersion} ${manifest.kind} is ${enforced ? 'accepted' : 'an error naming the object'}`, () => {
        const chart = chartFor(variant.cni());
        new ApiObject(chart, 'raw', manifest as any);
        if (enforced) {
          expect(() => expectValidTree(chart)).not.toThrow();
          return;
        }
        expect(() => expectValidTree(chart)).toThrow(`[test/cluster] cni: the ${manifest.apiVersion} ${manifest.kind} '${(manifest.metadata as any).name}' `
          + 'at \'test/raw\' is not enforced: ');
      });
    }
    test(`${variant.label}: objects that are no policies are never an error`, () => {
      const chart = chartFor(variant.cni());
      NOT_POLICIES.forEach((m, i) => new ApiObject(chart, `obj${i}`, m as any));
      expect(() => expectValidTree(chart)).not.toThrow();
    });
  }

  test('the message says why and how to fix it', () => {
    const chart = chartFor(Cni.calico());
    new ApiObject(chart, 'raw', RAW[1].manifest as any);
    expect(() => expectValidTree(chart)).toThrow("[test/cluster] cni: the cilium.io/v2 CiliumNetworkPolicy 'cnp' at 'test/raw' is not enforced: "
      + "cilium.io policies are enforced only by cilium, not by 'calico', so it is accepted by the API server but restricts nothing. "
      + "Express the policy in an API that 'calico' enforces (networking.k8s.io/v1 NetworkPolicy where possible)");
    const flannel = chartFor(Cni.flannel());
    new ApiObject(flannel, 'raw', RAW[0].manifest as any);
    expect(() => expectValidTree(flannel)).toThrow(/CNI 'flannel' enforces no network policy at all, .* acknowledge it with Cni\.flannel\(\{ acknowledgeUnenforcedPolicies: true \}\)$/);
  });

  test('Calico in native v3 CRD mode: a ClusterNetworkPolicy or crd.projectcalico.org object is refused by the API server (its CRD is not installed)', () => {
    const chart = chartFor(Cni.calico({ nativeV3Crds: true }));
    new ApiObject(chart, 'stored', RAW[5].manifest as any);
    expect(() => expectValidTree(chart)).toThrow("[test/cluster] cni: the crd.projectcalico.org/v1 GlobalNetworkPolicy 'stored' at 'test/stored' is not enforced: "
      + 'Calico in native v3 CRD mode installs no crd.projectcalico.org CRDs (projectcalico.org/v3 objects are stored as themselves), '
      + 'so the API server refuses it (no such CRD). ');
    const cnp = chartFor(Cni.calico({ nativeV3Crds: true }));
    new ApiObject(cnp, 'cnp', RAW[6].manifest as any);
    expect(() => expectValidTree(cnp)).toThrow(/'cnp-admin' at 'test\/cnp' is not enforced: Calico in native v3 CRD mode serves no policy\.networking\.k8s\.io ClusterNetworkPolicy \(its CRD chart has no such CRD\), so the API server refuses it \(no such CRD\)\. /);
  });

  test('app.synth() fails the same way (cdk8s runs the validations)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.flannel() });
    new ApiObject(chart, 'raw', RAW[0].manifest as any);
    expect(() => app.synth()).toThrow(/\[c\/cluster\] cni: the networking\.k8s\.io\/v1 NetworkPolicy 'np' at 'c\/raw' is not enforced/);
  });

  test('an included file is checked like a raw object', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'unenforced-')), 'policies.yaml');
    fs.writeFileSync(file, 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: from-git\n  namespace: shop\nspec:\n  endpointSelector: {}\n');
    const chart = chartFor(Cni.kubernetes());
    new Include(chart, 'inc', { url: file });
    expect(() => expectValidTree(chart)).toThrow(/\[test\/cluster\] cni: the cilium\.io\/v2 CiliumNetworkPolicy 'from-git' at 'test\/inc\/.*' is not enforced: cilium\.io policies are enforced only by cilium, not by 'kubernetes'/);
  });

  test('each object is judged by the ClusterNetwork that governs it (the nearest), once', () => {
    const app = new App();
    new ClusterNetwork(app, 'cluster', { cni: Cni.calico() });
    const calicoChart = new Chart(app, 'calico');
    const ciliumChart = new Chart(app, 'cilium');
    new ClusterNetwork(ciliumChart, 'cluster', { cni: Cni.cilium() });
    const cnp = RAW[1].manifest;
    new ApiObject(ciliumChart, 'raw', cnp as any);
    new ApiObject(calicoChart, 'raw', cnp as any);
    const problems = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
    expect(problems).toEqual([expect.stringMatching(/^\[cluster\] cni: the cilium\.io\/v2 CiliumNetworkPolicy 'cnp' at 'calico\/raw' is not enforced: /)]);
  });
});
