/**
 * Examples from https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the
 * edge cases of the NetworkPolicy semantics (hostNetwork, nodes, policyTypes defaulting, ...).
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';

const cni = Cni.kubernetes();

describe('the test-network-policy example', () => {
  const policy = networkPolicy('test-network-policy', 'default', {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{
      from: [
        { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
        { namespaceSelector: { matchLabels: { project: 'myproject' } } },
        { podSelector: { matchLabels: { role: 'frontend' } } },
      ],
      ports: [{ protocol: 'TCP', port: 6379 }],
    }],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
  });
  const reach = Reachability.fromManifests([
    namespace('myproject', { project: 'myproject' }),
    deployment('default', 'db', { role: 'db' }),
    deployment('default', 'frontend', { role: 'frontend' }),
    deployment('default', 'other', { role: 'other' }),
    deployment('myproject', 'anything', { app: 'x' }),
    deployment('elsewhere', 'frontend', { role: 'frontend' }),
    policy,
  ], { cni });
  const db = Target.workload('default', 'db');

  test('frontend pods in the policy namespace reach db on 6379 only', () => {
    expect(reach.check(Target.workload('default', 'frontend'), db, Port.tcp(6379)).allowed).toBe(true);
    expect(reach.check(Target.workload('default', 'frontend'), db, Port.tcp(6380)).allowed).toBe(false);
    expect(reach.check(Target.workload('default', 'other'), db, Port.tcp(6379)).allowed).toBe(false);
  });

  test('any pod of a namespace labelled project=myproject reaches db; frontend pods elsewhere do not', () => {
    expect(reach.check(Target.workload('myproject', 'anything'), db, Port.tcp(6379)).allowed).toBe(true);
    expect(reach.check(Target.workload('elsewhere', 'frontend'), db, Port.tcp(6379)).allowed).toBe(false);
  });

  test('ipBlock 172.17.0.0/16 except 172.17.1.0/24', () => {
    expect(reach.check(Target.external('172.17.2.5'), db, Port.tcp(6379)).allowed).toBe(true);
    expect(reach.check(Target.external('172.17.1.5'), db, Port.tcp(6379)).allowed).toBe(false);
    expect(reach.check(Target.external('172.18.0.1'), db, Port.tcp(6379)).allowed).toBe(false);
  });

  test('egress of db only to 10.0.0.0/24 on TCP 5978', () => {
    expect(reach.check(db, Target.external('10.0.0.5'), Port.tcp(5978)).allowed).toBe(true);
    expect(reach.check(db, Target.external('10.0.1.5'), Port.tcp(5978)).allowed).toBe(false);
    expect(reach.check(db, Target.external('10.0.0.5'), Port.udp(5978)).allowed).toBe(false);
    expect(reach.check(db, Target.workload('default', 'frontend'), Port.tcp(5978)).allowed).toBe(false);
  });

  test('pods not selected by the policy are unaffected', () => {
    expect(reach.check(Target.workload('default', 'other'), Target.workload('default', 'frontend'), Port.tcp(1)).allowed).toBe(true);
  });
});

describe('namespaceSelector and podSelector: AND versus OR', () => {
  const cluster = [
    namespace('alice-ns', { user: 'alice' }),
    namespace('bob-ns', { user: 'bob' }),
    deployment('alice-ns', 'client', { role: 'client' }),
    deployment('alice-ns', 'web', { role: 'web' }),
    deployment('bob-ns', 'client', { role: 'client' }),
    deployment('default', 'server', { app: 'server' }),
  ];
  const server = Target.workload('default', 'server');

  test('one peer with both selectors: client pods in alice namespaces only', () => {
    const reach = Reachability.fromManifests([...cluster, networkPolicy('and', 'default', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } }, podSelector: { matchLabels: { role: 'client' } } }] }],
    })], { cni });
    expect(reach.check(Target.workload('alice-ns', 'client'), server, Port.tcp(80)).allowed).toBe(true);
    expect(reach.check(Target.workload('alice-ns', 'web'), server, Port.tcp(80)).allowed).toBe(false);
    expect(reach.check(Target.workload('bob-ns', 'client'), server, Port.tcp(80)).allowed).toBe(false);
  });

  test('two peers: any pod in alice namespaces OR client pods in the policy namespace', () => {
    const reach = Reachability.fromManifests([...cluster, deployment('default', 'client', { role: 'client' }), networkPolicy('or', 'default', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { user: 'alice' } } }, { podSelector: { matchLabels: { role: 'client' } } }] }],
    })], { cni });
    expect(reach.check(Target.workload('alice-ns', 'web'), server, Port.tcp(80)).allowed).toBe(true);
    expect(reach.check(Target.workload('default', 'client'), server, Port.tcp(80)).allowed).toBe(true);
    expect(reach.check(Target.workload('bob-ns', 'client'), server, Port.tcp(80)).allowed).toBe(false);
  });

  test('namespaceSelector {} selects every namespace', () => {
    const reach = Reachability.fromManifests([...cluster, networkPolicy('all-ns', 'default', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: {} }] }],
    })], { cni });
    expect(reach.check(Target.workload('bob-ns', 'client'), server, Port.tcp(80)).allowed).toBe(true);
    expect(reach.check(Target.external('192.0.2.1'), server, Port.tcp(80)).allowed).toBe(false);
  });
});

describe('default policies', () => {
  const cluster = [deployment('prod', 'a', { app: 'a' }), deployment('prod', 'b', { app: 'b' })];
  const a = Target.workload('prod', 'a');
  const b = Target.workload('prod', 'b');
  const reachWith = (spec: any) => Reachability.fromManifests([...cluster, networkPolicy('p', 'prod', spec)], { cni });

  test('default-deny ingress leaves egress alone', () => {
    const reach = reachWith({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(reach.check(a, b, Port.tcp(80)).allowed).toBe(false);
    expect(reach.check(a, Target.external('1.1.1.1'), Port.tcp(443)).allowed).toBe(true);
  });

  test('allow-all ingress', () => {
    const reach = reachWith({ podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] });
    expect(reach.check(Target.external('1.1.1.1'), b, Port.tcp(80)).allowed).toBe(true);
  });

  test('default-deny egress leaves ingress alone', () => {
    const reach = reachWith({ podSelector: {}, policyTypes: ['Egress'] });
    expect(reach.check(a, Target.external('1.1.1.1'), Port.tcp(443)).allowed).toBe(false);
    expect(reach.check(Target.external('1.1.1.1'), b, Port.tcp(80)).allowed).toBe(true);
  });

  test('allow-all egress', () => {
    const reach = reachWith({ podSelector: {}, egress: [{}], policyTypes: ['Egress'] });
    expect(reach.check(a, Target.external('1.1.1.1'), Port.udp(53)).allowed).toBe(true);
  });

  test('default-deny all', () => {
    const reach = reachWith({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const result = reach.check(a, b, Port.tcp(80));
    expect([result.allowed, result.egress.allowed, result.ingress.allowed]).toEqual([false, false, false]);
  });

  test('policyTypes omitted: an egress section makes the policy isolate egress too', () => {
    const reach = reachWith({ podSelector: { matchLabels: { app: 'a' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] });
    expect(reach.check(a, Target.external('1.1.1.1'), Port.udp(53)).allowed).toBe(true);
    expect(reach.check(a, Target.external('1.1.1.1'), Port.tcp(443)).allowed).toBe(false);
    // ...and ingress (always in the default), with no ingress rules.
    expect(reach.check(b, a, Port.tcp(80)).allowed).toBe(false);
  });

  test('policyTypes [Ingress] with an egress section does not restrict egress', () => {
    const reach = reachWith({ podSelector: {}, policyTypes: ['Ingress'], egress: [] });
    expect(reach.check(a, Target.external('1.1.1.1'), Port.tcp(443)).allowed).toBe(true);
  });

  test('an empty ingress rule list allows nothing', () => {
    const reach = reachWith({ podSelector: {}, ingress: [] });
    expect(reach.check(a, b, Port.tcp(80)).allowed).toBe(false);
  });

  test('a policy in another namespace does not select the pods', () => {
    const reach = Reachability.fromManifests([...cluster, networkPolicy('p', 'other', { podSelector: {} })], { cni });
    expect(reach.check(a, b, Port.tcp(80)).allowed).toBe(true);
  });
});

describe('endPort example', () => {
  const reach = Reachability.fromManifests([
    deployment('default', 'db', { role: 'db' }),
    networkPolicy('multi-port-egress', 'default', {
      podSelector: { matchLabels: { role: 'db' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }],
    }),
  ], { cni });
  const db = Target.workload('default', 'db');
  const ext = Target.external('10.0.0.9');

  test.each([
    [31999, false],
    [32000, true],
    [32400, true],
    [32768, true],
    [32769, false],
  ])('TCP %i -> %s', (port, allowed) => {
    expect(reach.check(db, ext, Port.tcp(port)).allowed).toBe(allowed);
  });
});

describe('hostNetwork pods and nodes', () => {
  const cluster = [
    deployment('kube-system', 'node-agent', { app: 'agent' }, { hostNetwork: true }),
    deployment('prod', 'web', { app: 'web' }),
  ];
  const agent = Target.workload('kube-system', 'node-agent');
  const web = Target.workload('prod', 'web');

  test('a hostNetwork pod is never selected by a policy podSelector', () => {
    const reach = Reachability.fromManifests([...cluster, networkPolicy('deny', 'kube-system', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })], { cni });
    expect(reach.check(web, agent, Port.tcp(80)).allowed).toBe(true);
    expect(reach.check(agent, web, Port.tcp(80)).allowed).toBe(true);
  });

  test('as a peer a hostNetwork pod is only matched by an ipBlock of its node IP', () => {
    const bySelector = networkPolicy('from-all-pods', 'prod', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: {} }] }] });
    const byIp = networkPolicy('from-node', 'prod', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '192.168.1.0/24' } }] }] });
    expect(Reachability.fromManifests([...cluster, bySelector], { cni, nodeIp: '192.168.1.10' }).check(agent, web, Port.tcp(80)).allowed).toBe(false);
    expect(Reachability.fromManifests([...cluster, byIp], { cni, nodeIp: '192.168.1.10' }).check(agent, web, Port.tcp(80)).allowed).toBe(true);
    // Without nodeIp the node address is unknown: the ipBlock may or may not contain it.
    const unknown = Reachability.fromManifests([...cluster, byIp], { cni }).check(agent, web, Port.tcp(80));
    expect(unknown.verdict).toBe(Verdict.INDETERMINATE);
    expect(unknown.uncertainties).toEqual([
      "NetworkPolicy prod/from-node spec.ingress[0].from[0].ipBlock: ipBlock 192.168.1.0/24 may or may not contain the source's address: "
      + 'it is a node or hostNetwork pod whose IP is not given (ReachabilityOptions.nodeIp)',
    ]);
  });

  test('a remote node is matched by ipBlock only, the local node always passes, and nodes are never subjects', () => {
    const byIp = networkPolicy('from-node', 'prod', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ ipBlock: { cidr: '192.168.1.10/32' } }] }] });
    const reach = Reachability.fromManifests([...cluster, byIp], { cni, nodeIp: '192.168.1.10' });
    // Target.node() = the local node and a remote node: both must be allowed.
    expect(reach.check(Target.node(), web, Port.tcp(10250)).allowed).toBe(true);
    const result = reach.check(web, Target.node(), Port.tcp(10250));
    expect(result.allowed).toBe(false);
    expect(result.pairs.map((p) => [p.destination, p.allowed])).toEqual([['local-node', true], ['remote-node', false]]);
    expect(result.ingress).toEqual({
      verdict: Verdict.ALLOW,
      allowed: true,
      reasons: ['local-node (node) is not a pod: no policy selects it', 'remote-node (node) is not a pod: no policy selects it'],
      decidingObjects: [],
      decidingRules: [],
      uncertainties: [],
    });
  });
});

describe('named ports in check()', () => {
  const cluster = [
    deployment('prod', 'api', { app: 'api' }, { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] }),
    deployment('prod', 'legacy', { app: 'legacy' }, { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 9090 }] }] }),
    deployment('prod', 'plain', { app: 'plain' }),
    deployment('prod', 'client', { role: 'client' }),
  ];

  test('a named Port resolves on each destination pod', () => {
    const reach = Reachability.fromManifests([...cluster, networkPolicy('p', 'prod', {
      podSelector: {}, ingress: [{ ports: [{ port: 8080 }] }],
    })], { cni });
    const result = reach.check(Target.workload('prod', 'client'), Target.pod('prod', {}), Port.named('http'));
    expect(result.pairs.map((p) => [p.destination, p.port, p.allowed])).toEqual([
      ['prod/api', 'TCP/8080', true],
      ['prod/client', 'TCP/http', false],
      ['prod/legacy', 'TCP/9090', false],
      ['prod/plain', 'TCP/http', false],
    ]);
    expect(result.allowed).toBe(false);
    expect(result.pairs[1].ingress.reasons).toEqual(["prod/client has no container port named 'http' (TCP)"]);
  });

  test('a named port in a policy matches only the destination whose port has that name', () => {
    const reach = Reachability.fromManifests([...cluster, networkPolicy('p', 'prod', {
      podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }],
    })], { cni });
    const client = Target.workload('prod', 'client');
    expect(reach.check(client, Target.workload('prod', 'api'), Port.tcp(8080)).allowed).toBe(true);
    expect(reach.check(client, Target.workload('prod', 'api'), Port.tcp(9090)).allowed).toBe(false);
    expect(reach.check(client, Target.workload('prod', 'legacy'), Port.tcp(9090)).allowed).toBe(true);
  });
});
