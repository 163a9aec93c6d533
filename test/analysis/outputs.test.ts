/**
 * Inventory, loading (manifests, charts, apps, YAML files), explanations, the flow matrix in its
 * three renderings, and the jest matchers.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import '../support/reachability-matchers';
import { deployment, e2eReach, namespace, networkPolicy, w } from './fixtures';
import { buildInventory } from '../../src/analysis/inventory';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';
import { validationErrorOf } from '../support/thrown';

const cni = Cni.kubernetes();

describe('inventory', () => {
  const template = (labels: Record<string, string>, spec: any = {}) => ({ metadata: { labels }, spec: { containers: [{ name: 'c' }], ...spec } });

  test('one endpoint per workload of every kind, with defaults', () => {
    const inv = buildInventory([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n1' }, spec: { template: template({ k: 'd' }) } },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: 'n1' }, spec: { template: template({ k: 's' }, { serviceAccountName: 'sa1' }) } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'n2' }, spec: { template: template({ k: 'ds' }, { hostNetwork: true }) } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'n2' }, spec: { template: template({ k: 'rs' }) } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'n2' }, spec: { template: template({ k: 'j' }) } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'n2' }, spec: { jobTemplate: { spec: { template: template({ k: 'cj' }) } } } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', labels: { k: 'p' } },
        spec: { containers: [{ name: 'c', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { containerPort: 8080 }] }] },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'n3' }, spec: {} },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n1', labels: { team: 'a' } } },
    ]);
    expect(inv.pods.map((p) => [p.endpoint.name, p.workloadKind, p.endpoint.labels.k, p.endpoint.serviceAccount, p.endpoint.hostNetwork])).toEqual([
      ['default/p', 'Pod', 'p', 'default', false],
      ['n1/d', 'Deployment', 'd', 'default', false],
      ['n1/s', 'StatefulSet', 's', 'sa1', false],
      ['n2/cj', 'CronJob', 'cj', 'default', false],
      ['n2/ds', 'DaemonSet', 'ds', 'default', true],
      ['n2/j', 'Job', 'j', 'default', false],
      ['n2/rs', 'ReplicaSet', 'rs', 'default', false],
    ]);
    const pod = inv.pods[0];
    expect(pod.endpoint.namedPorts).toEqual([{ name: 'dns', port: 53, protocol: 'UDP' }]);
    expect(pod.ports).toEqual([{ name: 'dns', port: 53, protocol: 'UDP' }, { name: undefined, port: 8080, protocol: 'TCP' }]);
    expect(Object.fromEntries(inv.namespaces)).toEqual({
      n1: { 'team': 'a', 'kubernetes.io/metadata.name': 'n1' },
      n2: { 'kubernetes.io/metadata.name': 'n2' },
      n3: { 'kubernetes.io/metadata.name': 'n3' },
      default: { 'kubernetes.io/metadata.name': 'default' },
    });
    expect(inv.pods[1].endpoint.namespaceLabels).toEqual({ 'team': 'a', 'kubernetes.io/metadata.name': 'n1' });
  });

  test('Target.pod matches every pod of the namespace whose labels include the given ones', () => {
    const reach = Reachability.fromManifests([
      deployment('n', 'a', { app: 'x', tier: 'web' }), deployment('n', 'b', { app: 'x' }), deployment('m', 'c', { app: 'x' }),
    ], { cni });
    const result = reach.check(Target.pod('n', { app: 'x' }), Target.pod('m', {}), Port.tcp(80));
    expect(result.pairs.map((p) => `${p.source}->${p.destination}`)).toEqual(['n/a->m/c', 'n/b->m/c']);
  });

  test('a target matching no endpoint is an error naming the method, the side and the known endpoints', () => {
    const reach = Reachability.fromManifests([deployment('n', 'a', { app: 'x' }), deployment('n', 'b', { app: 'x' })], { cni });
    const source = validationErrorOf(() => reach.check(Target.workload('n', 'nope'), Target.workload('n', 'a'), Port.tcp(80)));
    expect([source.path, source.prop, source.reason]).toEqual(['Reachability.check', 'source', 'workload n/nope matches no endpoint (known: n/a, n/b)']);
    expect(source.message).toBe('[Reachability.check] source: workload n/nope matches no endpoint (known: n/a, n/b)');
    const destination = validationErrorOf(() => reach.check(Target.workload('n', 'a'), Target.pod('n', { app: 'y' }), Port.tcp(80)));
    expect([destination.path, destination.prop, destination.reason])
      .toEqual(['Reachability.check', 'destination', 'pods in n with app=y matches no endpoint (known: n/a, n/b)']);
    const request = validationErrorOf(() => reach.checkRequest(Target.workload('n', 'a'), Target.workload('m', 'a'), Port.tcp(80), { path: '/' }));
    expect([request.path, request.prop, request.reason])
      .toEqual(['Reachability.checkRequest', 'destination', 'workload m/a matches no endpoint (known: n/a, n/b)']);
    const empty = validationErrorOf(() => Reachability.fromManifests([], { cni }).check(Target.workload('n', 'a'), Target.workload('n', 'a'), Port.tcp(80)));
    expect([empty.prop, empty.reason]).toEqual(['source', 'workload n/a matches no endpoint (known: none)']);
  });

  test('the known endpoints of that error: the first 20, then how many more (one readable line at thousands of pods)', () => {
    const names = Array.from({ length: 23 }, (_, i) => `w${String(i).padStart(2, '0')}`);
    const reach = Reachability.fromManifests(names.map((n) => deployment('n', n, { app: n })), { cni });
    const e = validationErrorOf(() => reach.check(Target.workload('n', 'nope'), Target.workload('n', 'w00'), Port.tcp(80)));
    expect(e.reason).toBe(`workload n/nope matches no endpoint (known: ${names.slice(0, 20).map((n) => `n/${n}`).join(', ')} and 3 more)`);
  });

  test('check() rejects port ranges and "all ports"', () => {
    const reach = Reachability.fromManifests([deployment('n', 'a', { app: 'x' })], { cni });
    expect(() => reach.check(Target.workload('n', 'a'), Target.workload('n', 'a'), Port.tcpRange(1, 2))).toThrow('single port');
  });

  test('matrix and diff options: ports single or named Ports, includeDeclaredPorts a boolean (a ValidationError naming the option)', () => {
    const reach = Reachability.fromManifests([deployment('n', 'a', { app: 'x' })], { cni });
    const cases: Array<[() => unknown, string]> = [
      [() => reach.matrix({ ports: 'TCP/80' as any }), "[Reachability.matrix] options.ports: must be a list, got the string 'TCP/80'"],
      [() => reach.matrix({ ports: [80 as any] }), "[Reachability.matrix] options.ports[0]: must be a Port (Port.tcp(443), Port.named('http'), ...), got the number 80"],
      [() => reach.matrix({ ports: [Port.tcp(80), Port.tcpRange(1, 2)] }), '[Reachability.matrix] options.ports[1]: must be a single or named port, got TCP/1-2'],
      // 'false' would have been read as true: the declared ports evaluated after all.
      [() => reach.matrix({ includeDeclaredPorts: 'false' as any }), "[Reachability.matrix] options.includeDeclaredPorts: must be true or false, got the string 'false'"],
      [() => reach.diff(reach, { ports: [Port.allTcp()] }), '[Reachability.diff] options.ports[0]: must be a single or named port, got TCP/*'],
      [() => reach.matrix(null as any), '[Reachability.matrix] options: must be an object of options (or omitted), got null'],
    ];
    for (const [build, message] of cases) expect(build).toThrow(message);
    expect(reach.matrix({ ports: [Port.udp(53)], includeDeclaredPorts: false }).flows.map((f) => f.port)).toEqual(['UDP/53']);
  });

  test('probes are pods in their namespace, with the automatic namespace label', () => {
    const reach = Reachability.fromManifests([
      deployment('prod', 'db', { app: 'db' }),
      networkPolicy('p', 'prod', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }] }] }),
    ], { cni });
    reach.addProbe('debug', 'ops', { run: 'debug' });
    reach.addProbe('intruder', 'prod', { run: 'x' });
    expect(reach.endpoints).toEqual(['ops/debug', 'prod/db', 'prod/intruder']);
    expect(reach.check(Target.workload('ops', 'debug'), Target.workload('prod', 'db'), Port.tcp(5432)).allowed).toBe(true);
    expect(reach.check(Target.pod('prod', { run: 'x' }), Target.workload('prod', 'db'), Port.tcp(5432)).allowed).toBe(false);
    expect(() => reach.addProbe('debug', 'ops', {})).toThrow('an endpoint named ops/debug already exists');
  });
});

describe('loading', () => {
  test('fromChart and fromApp read synthesized objects', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'one', { namespace: 'shop' });
    new ApiObject(chart, 'web', deployment('shop', 'web', { app: 'web' }));
    const other = new Chart(app, 'two');
    new ApiObject(other, 'deny', networkPolicy('deny', 'shop', { podSelector: {} }));
    new ApiObject(other, 'client', deployment('shop', 'client', { app: 'client' }));
    expectValidManifests([...Testing.synth(chart), ...Testing.synth(other)]);
    const web = Target.workload('shop', 'web');
    const client = Target.workload('shop', 'client');
    expect(() => Reachability.fromChart(chart, { cni }).check(client, web, Port.tcp(80)))
      .toThrow('[Reachability.check] source: workload shop/client matches no endpoint (known: shop/web)');
    expect(Reachability.fromApp(app as App, { cni }).check(client, web, Port.tcp(80)).allowed).toBe(false);
  });

  test('fromYamlFiles reads files and directories recursively, multi-document, collecting problems', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reach-'));
    fs.mkdirSync(path.join(dir, 'nested'));
    fs.writeFileSync(path.join(dir, 'apps.yaml'), [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {template: {metadata: {labels: {app: web}}, spec: {containers: []}}}',
      'apiVersion: example.com/v1\nkind: Unknown\nmetadata: {name: x}',
      '',
    ].join('\n---\n'));
    fs.writeFileSync(path.join(dir, 'nested', 'policy.yml'),
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n');
    fs.writeFileSync(path.join(dir, 'nested', 'broken.yaml'), 'a: [unclosed\n');
    fs.writeFileSync(path.join(dir, 'README.md'), 'not yaml: [');
    const reach = Reachability.fromYamlFiles([dir, path.join(dir, 'missing.yaml')], { cni });
    expect(reach.problems).toHaveLength(2);
    expect(reach.problems[0]).toMatch(/nested\/broken\.yaml: document 1: invalid YAML/);
    expect(reach.problems[1]).toMatch(/missing\.yaml: cannot read/);
    expect(reach.endpoints).toEqual(['shop/web']);
    expect(reach.check(Target.external('198.51.100.1'), Target.workload('shop', 'web'), Port.tcp(80)).allowed).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('explain', () => {
  const reach = Reachability.fromManifests([
    deployment('shop', 'web', { app: 'web' }),
    deployment('shop', 'db', { app: 'db' }),
    networkPolicy('db-ingress', 'shop', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }],
    }),
  ], { cni });
  const web = Target.workload('shop', 'web');
  const db = Target.workload('shop', 'db');

  test('an allowed flow names the allowing rule', () => {
    expect(reach.explain(web, db, Port.tcp(5432))).toBe([
      'ALLOWED: workload shop/web -> workload shop/db on TCP/5432 (CNI: kubernetes)',
      'shop/web -> shop/db TCP/5432: allowed',
      '  egress at shop/web: allowed',
      '    - no NetworkPolicy selects shop/web for egress',
      '  ingress at shop/db: allowed',
      '    - NetworkPolicy shop/db-ingress spec.ingress[0] allows from shop/web on TCP/5432',
      'deciding objects: NetworkPolicy shop/db-ingress',
    ].join('\n'));
  });

  test('a denied flow names the isolating policy', () => {
    const result = reach.check(db, db, Port.tcp(22));
    expect(result.allowed).toBe(false);
    expect(result.explain()).toContain('    - NetworkPolicy shop/db-ingress isolates shop/db for ingress and no rule allows from shop/db on TCP/22');
    expect(result.explain().split('\n')[0]).toBe('DENIED: workload shop/db -> workload shop/db on TCP/22 (CNI: kubernetes)');
  });
});

describe('flow matrix on two pods', () => {
  const reach = Reachability.fromManifests([
    deployment('demo', 'client', { app: 'client' }),
    deployment('demo', 'server', { app: 'server' }, { containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] }),
    networkPolicy('server', 'demo', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'http' }] }],
    }),
  ], { cni });
  const matrix = reach.matrix({ ports: [Port.udp(53)] });

  test('flows: declared ports of each destination plus extra ports', () => {
    expect(matrix.flows).toEqual([
      { source: 'demo/client', destination: 'demo/client', port: 'UDP/53', verdict: Verdict.ALLOW, allowed: true },
      { source: 'demo/client', destination: 'demo/server', port: 'TCP/8080', verdict: Verdict.ALLOW, allowed: true },
      { source: 'demo/client', destination: 'demo/server', port: 'UDP/53', verdict: Verdict.DENY, allowed: false },
      { source: 'demo/server', destination: 'demo/client', port: 'UDP/53', verdict: Verdict.ALLOW, allowed: true },
      { source: 'demo/server', destination: 'demo/server', port: 'TCP/8080', verdict: Verdict.DENY, allowed: false },
      { source: 'demo/server', destination: 'demo/server', port: 'UDP/53', verdict: Verdict.DENY, allowed: false },
    ]);
    expect(matrix.flowCount).toBe(6);
    expect(matrix.summary).toEqual({ endpoints: 2, classes: 2, flows: 6, allowed: 3, denied: 3, indeterminate: 0 });
    expect(matrix.flowsPage(2, 3)).toEqual(matrix.flows.slice(2, 5));
    expect(matrix.flowsPage(5, 10)).toEqual(matrix.flows.slice(5));
    expect(matrix.flowsPage(6, 10)).toEqual([]);
  });

  test('toTable', () => {
    expect(matrix.toTable()).toBe([
      'FROM         TO           PORT      VERDICT',
      'demo/client  demo/client  UDP/53    allow',
      'demo/client  demo/server  TCP/8080  allow',
      'demo/client  demo/server  UDP/53    deny',
      'demo/server  demo/client  UDP/53    allow',
      'demo/server  demo/server  TCP/8080  deny',
      'demo/server  demo/server  UDP/53    deny',
      '',
    ].join('\n'));
  });

  test('toJson', () => {
    expect(JSON.parse(matrix.toJson())).toEqual({
      cni: 'kubernetes', endpoints: ['demo/client', 'demo/server'], summary: matrix.summary, flows: matrix.flows,
    });
    // Streamed, formatted exactly as JSON.stringify(doc, null, 2) would.
    const doc = { cni: 'kubernetes', endpoints: ['demo/client', 'demo/server'], summary: matrix.summary, flows: matrix.flows };
    expect(matrix.toJson()).toBe(JSON.stringify(doc, null, 2) + '\n');
    expect(matrix.toJson().startsWith('{\n  "cni": "kubernetes",\n  "endpoints": [\n    "demo/client",')).toBe(true);
  });

  test('toMermaid', () => {
    expect(matrix.toMermaid()).toBe([
      'flowchart LR',
      '  n0["demo/client"]',
      '  n1["demo/server"]',
      '  n0 -->|"UDP/53"| n0',
      '  n0 -->|"TCP/8080"| n1',
      '  n1 -->|"UDP/53"| n0',
      '',
    ].join('\n'));
  });

  test('equivalent pods get the same verdicts', () => {
    const big = Reachability.fromManifests([
      ...['a', 'b', 'c'].map((n) => deployment('demo', n, { app: 'same' }, { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] })),
      networkPolicy('deny', 'demo', { podSelector: {} }),
    ], { cni });
    expect(big.matrix().flows.every((f) => !f.allowed)).toBe(true);
    expect(big.matrix().flows).toHaveLength(9);
    expect(big.matrix({ includeDeclaredPorts: false }).flows).toHaveLength(0);
  });
});

describe('jest matchers', () => {
  const reach = Reachability.fromManifests([
    namespace('shop'),
    deployment('shop', 'web', { app: 'web' }),
    deployment('shop', 'db', { app: 'db' }),
    networkPolicy('deny', 'shop', { podSelector: { matchLabels: { app: 'db' } } }),
  ], { cni });
  const web = Target.workload('shop', 'web');
  const db = Target.workload('shop', 'db');

  test('toAllow / toDeny pass', () => {
    expect(reach).toAllow(db, web, Port.tcp(80));
    expect(reach).toDeny(web, db, Port.tcp(5432));
    expect(reach).not.toAllow(web, db, Port.tcp(5432));
  });

  test('failure messages carry the explanation', () => {
    expect(() => expect(reach).toAllow(web, db, Port.tcp(5432))).toThrow(
      /expected workload shop\/web -> workload shop\/db on TCP\/5432 to be allowed[\s\S]*NetworkPolicy shop\/deny isolates shop\/db/,
    );
    expect(() => expect(reach).toDeny(db, web, Port.tcp(80))).toThrow(/to be denied[\s\S]*no NetworkPolicy selects shop\/web for ingress/);
  });
});

describe('matrix agrees with check()', () => {
  const policies = [
    networkPolicy('deny-x', 'x', { podSelector: {}, policyTypes: ['Ingress'] }),
    networkPolicy('allow-b-81', 'x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 'serve-81-tcp' }] }] }),
    networkPolicy('egress-y', 'y', { podSelector: { matchLabels: { pod: 'c' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'deny-z-udp' },
      spec: { tier: 'Baseline', priority: 1, subject: { namespaces: { matchLabels: { ns: 'z' } } }, ingress: [{ action: 'Deny', from: [{ namespaces: {} }], protocols: [{ udp: {} }] }] },
    },
  ];

  test.each([['kubernetes', Cni.kubernetes({ clusterNetworkPolicy: true })], ['flannel', Cni.flannel()]])('%s', (_, cniUnderTest) => {
    const reach = e2eReach(policies, { cni: cniUnderTest });
    const matrix = reach.matrix();
    expect(matrix.flows).toHaveLength(9 * 9 * 6);
    for (const flow of matrix.flows) {
      const [protocol, port] = flow.port.split('/');
      const p = protocol === 'TCP' ? Port.tcp(Number(port)) : protocol === 'UDP' ? Port.udp(Number(port)) : Port.sctp(Number(port));
      expect(`${flow.source}->${flow.destination} ${flow.port} ${reach.check(w(flow.source), w(flow.destination), p).allowed}`)
        .toBe(`${flow.source}->${flow.destination} ${flow.port} ${flow.allowed}`);
    }
    expect(matrix.flows.some((f) => f.allowed)).toBe(true);
    if (cniUnderTest.kind === 'kubernetes') expect(matrix.flows.some((f) => !f.allowed)).toBe(true);
  });
});
