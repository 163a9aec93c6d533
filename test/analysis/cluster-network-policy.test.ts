/**
 * policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy tiers (Admin -> NetworkPolicy -> Baseline
 * -> default allow) and flannel (nothing enforced).
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { validateManifest } from '../../src/analysis/validation';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';

function cnp(name: string, tier: 'Admin' | 'Baseline', priority: number, spec: any) {
  return { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier, priority, ...spec } };
}

const cluster = [
  namespace('prod', { env: 'prod' }),
  namespace('dev', { env: 'dev' }),
  deployment('prod', 'db', { app: 'db' }),
  deployment('dev', 'tool', { app: 'tool' }),
  deployment('prod', 'api', { app: 'api' }),
];
const db = Target.workload('prod', 'db');
const tool = Target.workload('dev', 'tool');
const api = Target.workload('prod', 'api');
const withCnp = Cni.kubernetes({ clusterNetworkPolicy: true });
const subjectProd = { namespaces: { matchLabels: { env: 'prod' } } };
const fromDev = [{ namespaces: { matchLabels: { env: 'dev' } } }];
const npAllowAll = networkPolicy('allow-all', 'prod', { podSelector: {}, ingress: [{}] });
const npDenyAll = networkPolicy('deny-all', 'prod', { podSelector: {}, policyTypes: ['Ingress'] });

describe('ClusterNetworkPolicy', () => {
  test('Admin Deny beats a NetworkPolicy allow', () => {
    const reach = Reachability.fromManifests([...cluster, npAllowAll,
      cnp('deny-dev', 'Admin', 10, { subject: subjectProd, ingress: [{ name: 'no-dev', action: 'Deny', from: fromDev }] })], { cni: withCnp });
    const result = reach.check(tool, db, Port.tcp(5432));
    expect(result.allowed).toBe(false);
    expect(result.ingress.decidingObjects).toEqual(['ClusterNetworkPolicy deny-dev']);
    expect(result.ingress.reasons).toEqual(['ClusterNetworkPolicy deny-dev (Admin tier, priority 10) spec.ingress[0] (no-dev): Deny']);
    expect(reach.check(api, db, Port.tcp(5432)).allowed).toBe(true);
  });

  test('Admin Accept beats a NetworkPolicy default deny', () => {
    const reach = Reachability.fromManifests([...cluster, npDenyAll,
      cnp('accept-dev', 'Admin', 10, { subject: subjectProd, ingress: [{ action: 'Accept', from: fromDev }] })], { cni: withCnp });
    expect(reach.check(tool, db, Port.tcp(5432)).allowed).toBe(true);
    expect(reach.check(api, db, Port.tcp(5432)).allowed).toBe(false);
  });

  test('Admin Pass defers to the NetworkPolicy tier', () => {
    const pass = cnp('pass-dev', 'Admin', 10, { subject: subjectProd, ingress: [{ action: 'Pass', from: fromDev }] });
    const deny = cnp('deny-dev', 'Admin', 20, { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] });
    expect(Reachability.fromManifests([...cluster, pass, deny, npAllowAll], { cni: withCnp }).check(tool, db, Port.tcp(1)).allowed).toBe(true);
    expect(Reachability.fromManifests([...cluster, pass, deny, npDenyAll], { cni: withCnp }).check(tool, db, Port.tcp(1)).allowed).toBe(false);
    // Without the Pass the later Admin Deny decides.
    expect(Reachability.fromManifests([...cluster, deny, npAllowAll], { cni: withCnp }).check(tool, db, Port.tcp(1)).allowed).toBe(false);
  });

  test('Baseline Deny applies only when no NetworkPolicy isolates the pod', () => {
    const baseline = cnp('baseline-deny', 'Baseline', 10, { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] });
    expect(Reachability.fromManifests([...cluster, baseline], { cni: withCnp }).check(tool, db, Port.tcp(1)).allowed).toBe(false);
    expect(Reachability.fromManifests([...cluster, baseline, npAllowAll], { cni: withCnp }).check(tool, db, Port.tcp(1)).allowed).toBe(true);
  });

  // The CRD's action doc: Pass "skips all further ClusterNetworkPolicy rules in the current tier ... and
  // passes evaluation to the next tier"; after Baseline comes the default (allow).
  test('Baseline Pass skips the rest of the Baseline tier: the default allow decides, not a later Baseline Deny', () => {
    const pass = cnp('baseline-pass', 'Baseline', 10, { subject: subjectProd, ingress: [{ action: 'Pass', from: fromDev }] });
    const deny = cnp('baseline-deny', 'Baseline', 20, { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] });
    const passed = Reachability.fromManifests([...cluster, pass, deny], { cni: withCnp }).check(tool, db, Port.tcp(1));
    expect(passed.verdict).toBe('allow');
    // Without the Pass the Baseline Deny decides; a Pass does not bypass a NetworkPolicy that isolates the pod.
    expect(Reachability.fromManifests([...cluster, deny], { cni: withCnp }).check(tool, db, Port.tcp(1)).verdict).toBe('deny');
    expect(Reachability.fromManifests([...cluster, pass, deny, npDenyAll], { cni: withCnp }).check(tool, db, Port.tcp(1)).verdict).toBe('deny');
  });

  test('lower priority is evaluated first within a tier', () => {
    const accept = (p: number) => cnp('accept', 'Admin', p, { subject: subjectProd, ingress: [{ action: 'Accept', from: fromDev }] });
    const deny = (p: number) => cnp('deny', 'Admin', p, { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] });
    expect(Reachability.fromManifests([...cluster, deny(20), accept(10)], { cni: withCnp }).check(tool, db, Port.tcp(1)).allowed).toBe(true);
    expect(Reachability.fromManifests([...cluster, deny(5), accept(10)], { cni: withCnp }).check(tool, db, Port.tcp(1)).allowed).toBe(false);
  });

  // v1alpha2 `priority`: "If two (or more) policies in the same tier with the same priority could match a
  // connection, then the implementation can apply any of the matching policies to the connection".
  test('two policies of one priority that match with different actions: indeterminate, naming both; agreeing ones decide', () => {
    const accept = cnp('accept', 'Admin', 10, { subject: subjectProd, ingress: [{ action: 'Accept', from: fromDev }] });
    const deny = cnp('deny', 'Admin', 10, { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] });
    const reach = Reachability.fromManifests([...cluster, npDenyAll, accept, deny], { cni: withCnp });
    const tied = reach.check(tool, db, Port.tcp(1));
    expect(tied.verdict).toBe('indeterminate');
    expect(tied.ingress.uncertainties).toEqual(['ClusterNetworkPolicy deny has the same priority (10) as ClusterNetworkPolicy accept and may match too: '
      + 'the implementation may apply either (ClusterNetworkPolicy priority)']);
    // The flow matrix agrees with check (its fast path uses the same tier decision).
    expect(reach.matrix({ ports: [Port.tcp(1)] }).flows.filter((f) => f.source === 'dev/tool' && f.destination === 'prod/db').map((f) => f.verdict))
      .toEqual(['indeterminate']);
    // Flows neither policy matches stay exact, and so do two policies that agree.
    expect(reach.check(api, db, Port.tcp(1)).verdict).toBe('deny');
    const deny2 = cnp('deny-too', 'Admin', 10, { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] });
    expect(Reachability.fromManifests([...cluster, npAllowAll, deny, deny2], { cni: withCnp }).check(tool, db, Port.tcp(1)).verdict).toBe('deny');
  });

  test('egress networks and port ranges', () => {
    const policy = cnp('egress', 'Admin', 1, {
      subject: { pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { app: 'api' } } } },
      egress: [{ action: 'Deny', to: [{ networks: ['203.0.113.0/24'] }], protocols: [{ tcp: { destinationPort: { range: { start: 8000, end: 8100 } } } }] }],
    });
    const reach = Reachability.fromManifests([...cluster, policy], { cni: withCnp });
    expect(reach.check(api, Target.external('203.0.113.9'), Port.tcp(8050)).allowed).toBe(false);
    expect(reach.check(api, Target.external('203.0.113.9'), Port.tcp(8101)).allowed).toBe(true);
    expect(reach.check(api, Target.external('203.0.113.9'), Port.udp(8050)).allowed).toBe(true);
    expect(reach.check(api, Target.external('198.51.100.1'), Port.tcp(8050)).allowed).toBe(true);
    // The subject selects app=api only.
    expect(reach.check(db, Target.external('203.0.113.9'), Port.tcp(8050)).allowed).toBe(true);
  });

  test('pods peers (namespace AND pod selector) and destinationNamedPort', () => {
    const withPorts = [
      ...cluster.filter((o: any) => o.metadata.name !== 'db'),
      deployment('prod', 'db', { app: 'db' }, { containers: [{ name: 'c', ports: [{ name: 'pg', containerPort: 5432 }] }] }),
    ];
    const policy = cnp('accept-api-pg', 'Admin', 1, {
      subject: subjectProd,
      ingress: [
        {
          action: 'Accept',
          from: [{ pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchLabels: { app: 'api' } } } }],
          protocols: [{ destinationNamedPort: 'pg' }],
        },
        { action: 'Deny', from: [{ namespaces: {} }] },
      ],
    });
    const reach = Reachability.fromManifests([...withPorts, policy], { cni: withCnp });
    expect(reach.check(api, db, Port.tcp(5432)).allowed).toBe(true);
    expect(reach.check(api, db, Port.named('pg')).allowed).toBe(true);
    expect(reach.check(api, db, Port.tcp(5433)).allowed).toBe(false);
    expect(reach.check(tool, db, Port.tcp(5432)).allowed).toBe(false);
  });

  test('a host-networked pod is neither subject nor pods peer', () => {
    const agent = deployment('prod', 'agent', { app: 'agent' }, { hostNetwork: true });
    const denyAll = cnp('deny-all', 'Admin', 1, { subject: subjectProd, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] });
    const reach = Reachability.fromManifests([...cluster, agent, denyAll], { cni: withCnp });
    expect(reach.check(api, Target.workload('prod', 'agent'), Port.tcp(1)).allowed).toBe(true);
    expect(reach.check(Target.workload('prod', 'agent'), db, Port.tcp(1)).allowed).toBe(true);
    expect(reach.check(api, db, Port.tcp(1)).allowed).toBe(false);
  });

  test('ignored with a note when the CNI does not implement ClusterNetworkPolicy', () => {
    const deny = cnp('deny-dev', 'Admin', 10, { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] });
    const reach = Reachability.fromManifests([...cluster, deny], { cni: Cni.kubernetes() });
    const result = reach.check(tool, db, Port.tcp(1));
    expect(result.allowed).toBe(true);
    expect(reach.notes).toEqual(['1 ClusterNetworkPolicy object(s) ignored: the CNI does not implement ClusterNetworkPolicy']);
    expect(result.explain()).toContain('note: 1 ClusterNetworkPolicy object(s) ignored');
  });
});

describe('Calico in native v3 CRD mode', () => {
  // Its CRD chart ships no ClusterNetworkPolicy CRD (NETWORKING-FACTS.md, Calico): none is in force.
  const deny = cnp('deny-dev', 'Admin', 10, { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] });

  test('a ClusterNetworkPolicy is ignored, with a note, where Calico serves projectcalico.org/v3 natively', () => {
    const reach = Reachability.fromManifests([...cluster, deny], { cni: Cni.calico({ nativeV3Crds: true }) });
    const result = reach.check(tool, db, Port.tcp(1));
    expect(result.allowed).toBe(true);
    expect(result.explain()).toContain('1 ClusterNetworkPolicy object(s) ignored: this Calico cluster serves no ClusterNetworkPolicy');
  });

  test('with the aggregated API server (Calico\'s default) it is in force', () => {
    const reach = Reachability.fromManifests([...cluster, deny], { cni: Cni.calico() });
    expect(reach.check(tool, db, Port.tcp(1)).allowed).toBe(false);
  });
});

describe('flannel', () => {
  test('every flow is allowed, whatever the policies say', () => {
    const reach = Reachability.fromManifests([...cluster, npDenyAll], { cni: Cni.flannel() });
    const result = reach.check(tool, db, Port.tcp(5432));
    expect(result.allowed).toBe(true);
    expect(result.ingress.reasons).toEqual(['flannel enforces no NetworkPolicy']);
    expect(result.egress.reasons).toEqual(['flannel enforces no NetworkPolicy']);
    expect(reach.notes).toEqual(['1 policy object(s) ignored: flannel enforces no NetworkPolicy']);
  });
});

// The pinned CRD (calico/v3.32.1/operator-crds.yaml, policy.networking.k8s.io_clusternetworkpolicies): a subject,
// a peer, a protocol and a destinationPort are unions (minProperties 1, maxProperties 1); `tcp`/`udp`/`sctp` need
// minProperties 1; `protocols` and `networks` have minItems 1 and maxItems 25, `to`/`from` maxItems 25; `pods`
// requires podSelector; rule names are at most 100 characters; a networks item is at most 43 characters and passes
// the CEL `isCIDR(self)` (Kubernetes' CIDR parser refuses IPv4-mapped IPv6 prefixes); a range needs `start < end`.
describe('ClusterNetworkPolicy objects the API server rejects', () => {
  const valid = { subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev }] };
  const problems = (spec: any) => validateManifest(cnp('bad', 'Admin', 10, spec))?.problems;

  test('a one-port range (start = end) is rejected, so the Deny never takes effect', () => {
    const bad = cnp('one-port-range', 'Admin', 10, {
      subject: subjectProd, ingress: [{ action: 'Deny', from: fromDev, protocols: [{ tcp: { destinationPort: { range: { start: 5432, end: 5432 } } } }] }],
    });
    expect(validateManifest(bad)).toEqual({
      rejectedBy: 'the API server',
      problems: [{ path: 'spec.ingress[0].protocols[0].tcp.destinationPort.range', message: 'start 5432 must be less than end 5432' }],
    });
    const reach = Reachability.fromManifests([...cluster, bad], { cni: withCnp });
    expect(reach.check(tool, db, Port.tcp(5432)).allowed).toBe(true);
    expect(reach.notes).toEqual(['ClusterNetworkPolicy one-port-range is invalid and left out of the analysis (the API server rejects it, so it '
      + 'never takes effect): spec.ingress[0].protocols[0].tcp.destinationPort.range: start 5432 must be less than end 5432']);
  });

  test('a subject with both namespaces and pods is rejected (the analyzer read only namespaces)', () => {
    const both = { namespaces: { matchLabels: { env: 'prod' } }, pods: { podSelector: { matchLabels: { app: 'db' } } } };
    expect(problems({ ...valid, subject: both })).toEqual([{ path: 'spec.subject', message: 'must set exactly one of namespaces, pods (got namespaces, pods)' }]);
    const reach = Reachability.fromManifests([...cluster, cnp('two-subjects', 'Admin', 10, { ...valid, subject: both })], { cni: withCnp });
    expect(reach.check(tool, api, Port.tcp(1)).allowed).toBe(true);
  });

  test('unions with several members, empty members and empty lists', () => {
    expect(problems({
      subject: { pods: { namespaceSelector: {} } },
      egress: [
        { action: 'Deny', to: [{ namespaces: {}, networks: ['10.0.0.0/8'] }, { networks: [] }], protocols: [] },
        { action: 'Deny', to: [{ pods: { podSelector: {} } }], protocols: [{ tcp: {} }, {}, { tcp: { destinationPort: { number: 80 } }, udp: { destinationPort: { number: 80 } } }] },
        { action: 'Deny', to: fromDev, protocols: [{ tcp: { destinationPort: {} } }, { udp: { destinationPort: { number: 53, range: { start: 53, end: 54 } } } }] },
      ],
    })).toEqual([
      { path: 'spec.subject.pods.podSelector', message: 'is required' },
      { path: 'spec.egress[0].to[0]', message: 'must set exactly one of namespaces, pods, networks (got namespaces, networks)' },
      { path: 'spec.egress[0].to[1].networks', message: 'must list at least one CIDR' },
      { path: 'spec.egress[0].protocols', message: 'must list at least one protocol (omit it to match every protocol and port)' },
      { path: 'spec.egress[1].protocols[0].tcp', message: 'must set destinationPort' },
      { path: 'spec.egress[1].protocols[1]', message: 'must set exactly one of tcp, udp, sctp, destinationNamedPort (got none)' },
      { path: 'spec.egress[1].protocols[2]', message: 'must set exactly one of tcp, udp, sctp, destinationNamedPort (got tcp, udp)' },
      { path: 'spec.egress[2].protocols[0].tcp.destinationPort', message: 'must set exactly one of number, range (got none)' },
      { path: 'spec.egress[2].protocols[1].udp.destinationPort', message: 'must set exactly one of number, range (got number, range)' },
    ]);
  });

  test('list and string limits, and IPv4-mapped networks', () => {
    const cidrs = Array.from({ length: 26 }, (_, i) => `192.0.2.${i}/32`);
    expect(problems({
      subject: subjectProd,
      egress: [
        { name: 'n'.repeat(101), action: 'Deny', to: Array.from({ length: 26 }, () => ({ namespaces: {} })) },
        { action: 'Deny', to: [{ networks: cidrs }], protocols: Array.from({ length: 26 }, (_, i) => ({ tcp: { destinationPort: { number: i + 1 } } })) },
        { action: 'Deny', to: [{ networks: ['::ffff:169.254.169.254/128', '0000:0000:0000:0000:0000:0000:255.255.255.255/128', '::ffff:0:0/96', '169.254.169.254/32'] }] },
      ],
    })).toEqual([
      { path: 'spec.egress[0].name', message: 'is 101 characters, at most 100 are allowed' },
      { path: 'spec.egress[0].to', message: 'has 26 peers, at most 25 are allowed' },
      { path: 'spec.egress[1].to[0].networks', message: 'has 26 CIDRs, at most 25 are allowed' },
      { path: 'spec.egress[1].protocols', message: 'has 26 protocols, at most 25 are allowed' },
      { path: 'spec.egress[2].to[0].networks[0]', message: "'::ffff:169.254.169.254/128' is an IPv4-mapped IPv6 prefix, which isCIDR refuses: use 169.254.169.254/32" },
      { path: 'spec.egress[2].to[0].networks[1]', message: 'is 49 characters, at most 43 are allowed' },
      { path: 'spec.egress[2].to[0].networks[2]', message: "'::ffff:0:0/96' is an IPv4-mapped IPv6 prefix, which isCIDR refuses: use 0.0.0.0/0" },
    ]);
    expect(problems(valid)).toBeUndefined();
  });
});
