/**
 * Journey: the gateway-canary example (a ThreeTierApp behind a Gateway, Linkerd with namespace policy
 * cluster-unauthenticated, a backend canary annotated deny itself, a mesh HTTPRoute canary) judged
 * with both layers, through the API and through the CLI on the synthesized YAML, with the cluster's
 * networks declared (cluster-unauthenticated admits clients in Linkerd's clusterNetworks only; not
 * declared, the analyzer answers indeterminate rather than guess).
 *
 * The examples test judges the CNI layer and lints; this pins that the mesh layer agrees: the promised
 * flows allowed, the other ports of the tiers and of the canary refused by the mesh although the CNI
 * admits the pair on 4143, and the CLI reporting the same verdicts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { EXAMPLE_CNIS } from '../../examples/cni';
import { EXAMPLES } from '../../examples/synth-all';
import { LintSeverity, Mesh, PolicyLint, Port, Reachability, Target, Verdict } from '../../src';
import { cli } from '../cli/support';

const POD_CIDRS = '10.244.0.0/16';
const CLUSTER_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12'];
const fe = Target.workload('storefront', 'storefront-frontend');
const be = Target.workload('storefront', 'storefront-backend');
const db = Target.workload('storefront', 'storefront-database');
const canary = Target.workload('storefront', 'storefront-backend-canary');
const gateway = Target.workload('gateways', 'public-gateway');
const prometheus = Target.workload('monitoring', 'prometheus');
const { ALLOW, DENY } = Verdict;

/** [source, destination, port, verdict, CNI verdict, mesh verdict] */
const FLOWS: Array<[Target, Target, Port, Verdict, Verdict, Verdict]> = [
  [gateway, fe, Port.tcp(8080), ALLOW, ALLOW, ALLOW],
  [fe, be, Port.tcp(8080), ALLOW, ALLOW, ALLOW],
  [fe, canary, Port.tcp(8080), ALLOW, ALLOW, ALLOW],
  [be, db, Port.tcp(5432), ALLOW, ALLOW, ALLOW],
  // The canary runs as the backend's ServiceAccount, the identity the database's Server admits (as another one it is refused at synth).
  [canary, db, Port.tcp(5432), ALLOW, ALLOW, ALLOW],
  [prometheus, be, Port.tcp(4191), ALLOW, ALLOW, ALLOW],
  [prometheus, canary, Port.tcp(4191), ALLOW, ALLOW, ALLOW],
  // The pair is open on 4143 (CNI); the app's deny default (and the canary's own) refuses every other port in the mesh.
  [fe, be, Port.tcp(9090), DENY, ALLOW, DENY],
  [fe, canary, Port.tcp(9090), DENY, ALLOW, DENY],
  [be, db, Port.tcp(8080), DENY, ALLOW, DENY],
  [canary, db, Port.tcp(8080), DENY, ALLOW, DENY],
  // The Gateway's (unmeshed) pods admitted by the namespace's policy in the mesh, refused by the NetworkPolicies.
  [gateway, be, Port.tcp(8080), DENY, DENY, ALLOW],
];

describe.each(Object.keys(EXAMPLE_CNIS))('gateway-canary on %s, both layers', (cniName) => {
  const cni = EXAMPLE_CNIS[cniName];
  const app = new App();
  const objects = EXAMPLES['gateway-canary'](app, cni()).toJson();

  test('PolicyLint: no error or warning', () => {
    expect(PolicyLint.check(objects, { cni: cni() }).filter((f) => f.severity !== LintSeverity.INFO)).toEqual([]);
  });

  test('the analyzer: the promised flows allowed in both layers, the other ports refused by the mesh', () => {
    const reach = Reachability.fromManifests(objects, {
      cni: cni(), mesh: Mesh.linkerd({ cni: true }), nodeIp: '172.31.0.10', podCidrs: [POD_CIDRS], linkerdClusterNetworks: CLUSTER_NETWORKS,
    });
    reach.addProbe('prometheus', 'monitoring', { app: 'prometheus' });
    reach.addProbe('public-gateway', 'gateways', { 'gateway.networking.k8s.io/gateway-name': 'public' });
    const got = FLOWS.map(([s, d, p]) => {
      const r = reach.check(s, d, p);
      return [`${s} -> ${d} ${p}`, r.verdict, r.cniVerdict, r.meshVerdict];
    });
    expect(got).toEqual(FLOWS.map(([s, d, p, v, c, m]) => [`${s} -> ${d} ${p}`, v, c, m]));
  });

  test('without the cluster networks, cluster-unauthenticated leaves the meshed hops indeterminate, never a guess', () => {
    const reach = Reachability.fromManifests(objects, { cni: cni(), mesh: Mesh.linkerd({ cni: true }), nodeIp: '172.31.0.10' });
    reach.addProbe('public-gateway', 'gateways', { 'gateway.networking.k8s.io/gateway-name': 'public' });
    // The frontend's port is left to the namespace's policy: whether the (unmeshed) gateway is in the cluster networks is not known.
    // The backend's tier port no longer depends on it: its Server admits the frontend's identity (before: the policy, indeterminate).
    const pairs: Array<[Target, Target, number]> = [[gateway, fe, 8080], [fe, be, 8080], [fe, be, 9090]];
    expect(pairs.map(([s, d, p]) => reach.check(s, d, Port.tcp(p)).verdict)).toEqual([Verdict.INDETERMINATE, ALLOW, DENY]);
  });
});

test('the CLI on the synthesized YAML reports the same verdicts (expectations file)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-journey-'));
  try {
    const app = new App();
    EXAMPLES['gateway-canary'](app, EXAMPLE_CNIS.calico());
    fs.writeFileSync(path.join(dir, 'storefront.yaml'), app.synthYaml());
    const side = (t: Target) => {
      const [ns, name] = String(t).replace(/^workload /, '').split('/');
      return `{ namespace: ${ns}, workload: ${name} }`;
    };
    const expectations = 'probes:\n'
      + '  - { name: prometheus, namespace: monitoring, labels: { app: prometheus } }\n'
      + "  - { name: public-gateway, namespace: gateways, labels: { 'gateway.networking.k8s.io/gateway-name': public } }\n"
      + 'expect:\n'
      + FLOWS.map(([s, d, p, v]) => `  - from: ${side(s)}\n    to: ${side(d)}\n    port: ${String(p).toLowerCase()}\n    allowed: ${v === ALLOW}\n`).join('');
    fs.writeFileSync(path.join(dir, 'expect.yaml'), expectations);
    const r = cli('analyze', path.join(dir, 'storefront.yaml'), '--cni', 'calico', '--mesh', 'linkerd', '--node-ip', '172.31.0.10',
      '--pod-cidrs', POD_CIDRS, '--linkerd-cluster-networks', CLUSTER_NETWORKS.join(','), '--expect', path.join(dir, 'expect.yaml'));
    // The north-south Gateway plays no part in Linkerd's authorization; the mesh HTTPRoutes are read (no warning for them).
    expect(r.stderr.split('\n').filter((l) => l !== '').map((l) => l.replace(/^.*storefront\.yaml: line \d+: /, ''))).toEqual([
      "unknown kind Gateway 'public' (apiVersion gateway.networking.k8s.io/v1), ignored",
    ]);
    const lines = r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(lines).toHaveLength(FLOWS.length);
    expect(r.code).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
