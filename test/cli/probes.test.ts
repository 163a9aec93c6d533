/**
 * Expectations for a repository of namespaces and policies without workloads: probes stand in for
 * pods, `namespaces:` expands a side to one target per namespace, `pairs:` chooses the namespace pairs.
 *
 * Fixture tenants/: namespaces a-web and a-data (tenant a), b (tenant b), shared (no tenant label).
 * Each tenant namespace denies everything but DNS to CoreDNS (UDP and TCP 53) and traffic from and to
 * namespaces of its own tenant (NetworkPolicy: egress of the source and ingress of the destination).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectationErrorFor } from './expectation-errors';
import { cli } from './support';

/** Run analyze on tenants/ with an expectations file holding `text`. */
function withExpectations(text: string, ...args: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-probes-'));
  try {
    fs.writeFileSync(path.join(dir, 'e.yaml'), text);
    return cli('analyze', 'tenants', '--cni', 'kubernetes', '--expect', path.join(dir, 'e.yaml'), ...args);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const PROBES = 'probes:\n  - { name: probe, namespaces: all, ports: [tcp/8080] }\n'
  + '  - { name: coredns, namespace: kube-system, labels: { k8s-app: kube-dns }, ports: [udp/53, tcp/53] }\n';

describe('probes and every-namespace expectations on namespaces and policies only', () => {
  test('tenant isolation, same-tenant traffic and DNS in one line each; the failing line lists its failed pairs', () => {
    const r = cli('analyze', 'tenants', '--cni', 'kubernetes', '--expect', 'tenant-expectations.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const verdicts = r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
    const tenants = 'workload probe in every namespace with label tenant';
    expect(verdicts).toEqual([
      `PASS ${tenants} -> ${tenants}, pairs across tenant on TCP/8080: denied`,
      `PASS ${tenants} -> ${tenants}, pairs within tenant on TCP/8080: allowed`,
      `PASS ${tenants} -> workload kube-system/coredns on UDP/53, TCP/53: allowed`,
      'FAIL workload probe in every namespace -> workload shared/probe, other namespaces on TCP/8080: expected allowed, got denied',
    ]);
    const fail = r.stdout.slice(r.stdout.indexOf('FAIL '));
    expect(fail.split('\n').slice(1, 7)).toEqual([
      '  3 of 3 checks failed:',
      '  - workload a-data/probe -> workload shared/probe on TCP/8080: denied',
      '  - workload a-web/probe -> workload shared/probe on TCP/8080: denied',
      '  - workload b/probe -> workload shared/probe on TCP/8080: denied',
      '  The first, explained:',
      '  DENIED: workload a-data/probe -> workload shared/probe on TCP/8080 (CNI: kubernetes)',
    ]);
    expect(fail).toContain('NetworkPolicy a-data/default-deny-all');
    expect(r.stdout).toMatch(/^expectations: 3 passed, 1 failed$/m);
  });

  test('the expansion: one question per namespace pair the pairs rule keeps, and port (json)', () => {
    // Under Flannel nothing is enforced: isolation fails on exactly the cross-tenant pairs.
    const r = cli('analyze', 'tenants', '--cni', 'flannel', '--format', 'json', '--expect', 'tenant-expectations.yaml');
    const [across, within, dns, shared] = JSON.parse(r.stdout).expectations;
    expect(across).toMatchObject({ pass: false, undecided: false, checks: 4, allowedPairs: 4, indeterminatePairs: 0, totalPairs: 4, actual: 'allowed' });
    expect(across.failedChecks).toEqual([
      'workload a-data/probe -> workload b/probe on TCP/8080',
      'workload a-web/probe -> workload b/probe on TCP/8080',
      'workload b/probe -> workload a-data/probe on TCP/8080',
      'workload b/probe -> workload a-web/probe on TCP/8080',
    ]);
    // a-data and a-web with each other and themselves, b with itself.
    expect(within).toMatchObject({ pass: true, checks: 5 });
    expect(within.failedChecks).toBeUndefined();
    // Three tenant namespaces, two ports.
    expect(dns).toMatchObject({ pass: true, checks: 6 });
    // Every namespace of the manifests (not kube-system, which only a probe puts there) but shared itself.
    expect(shared).toMatchObject({ pass: true, checks: 3 });
  });

  test('probes are endpoints of the matrix too', () => {
    const r = cli('analyze', 'tenants', '--cni', 'kubernetes', '--format', 'json', '--expect', 'tenant-expectations.yaml');
    expect(JSON.parse(r.stdout).endpoints).toEqual(['a-data/probe', 'a-web/probe', 'b/probe', 'kube-system/coredns', 'shared/probe']);
  });

  test('a set that matches no namespace, or pairs that exclude every pair, fail instead of passing vacuously', () => {
    const r = withExpectations(`${PROBES}expect:\n`
      + '  - { from: { namespaces: { withLabel: team }, workload: probe }, to: { namespace: b, workload: probe }, port: 8080, allowed: false }\n'
      + '  - { from: { namespaces: { labels: { tenant: b } }, workload: probe }, to: { namespace: b, workload: probe }, '
      + 'pairs: { across: tenant }, port: 8080, allowed: false }\n'
      + '  - { from: { namespaces: { labels: { tenant: b } }, workload: probe }, to: { namespaces: { labels: { tenant: b } } }, '
      + 'pairs: other-namespace, port: 8080, allowed: false }\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL workload probe in every namespace with label team -> workload b\/probe on TCP\/8080: expected denied, got an error\n {2}no namespace of the manifests is in every namespace with label team$/m);
    expect(r.stdout.match(/^ {2}no namespace pair to check: the pairs rule excludes every pair$/gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/^expectations: 0 passed, 3 failed$/m);
  });

  test('{ namespaces } without workload or labels means every pod of each namespace; labels select the probes by label', () => {
    const r = withExpectations('probes:\n  - { name: probe, namespaces: { withLabel: tenant }, labels: { role: client }, ports: [tcp/80] }\n'
      + 'expect:\n  - { from: { namespaces: { labels: { tenant: a } } }, to: { namespaces: { withLabel: tenant }, labels: { role: client } }, '
      + 'pairs: { across: tenant }, port: tcp/80, allowed: false }\n');
    expect(r.stdout).toMatch(/^PASS pods in every namespace labelled tenant=a -> pods with role=client in every namespace with label tenant, pairs across tenant on TCP\/80: denied$/m);
    expect(r.code).toBe(0);
  });

  test('a probe whose name is taken, or whose namespaces match none, is an error of the file (exit 2, with its line)', () => {
    const taken = withExpectations('probes:\n  - { name: probe, namespace: b }\n  - { name: probe, namespaces: all }\n'
      + 'expect:\n  - { from: node, to: node, port: 80, allowed: true }\n');
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/^error: \S+e\.yaml: line 3: probes\[1\]: cannot add probe b\/probe: an endpoint named b\/probe already exists\n$/);
    const none = withExpectations('probes:\n  - { name: probe, namespaces: { withLabel: team } }\nexpect: []\n');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: \S+e\.yaml: line 2: probes\[0\]: no namespace of the manifests is with label team\n$/);
  });
});


describe('probe, namespaces and pairs errors name the line and the field', () => {
  const entry = (extra: string) => `expect:\n  - from: { namespaces: all }\n    to: { namespace: b }\n    port: 80\n    allowed: true\n${extra}`;

  test.each([
    [entry('    pairs: sideways\n'), 'e.yaml: line 6: expect[0].pairs: expected all, same-namespace, other-namespace, '
      + '{ within: LABEL_KEY } or { across: LABEL_KEY }'],
    ['expect:\n  - { from: { namespace: a }, to: { namespace: b }, pairs: all, port: 80, allowed: true }\n',
      'e.yaml: line 2: expect[0].pairs: pairs choose among namespaces: give namespaces on from or to'],
    ['expect:\n  - { from: { namespaces: all }, to: node, pairs: all, port: 80, allowed: true }\n',
      'e.yaml: line 2: expect[0].pairs: pairs compare the namespaces of both sides: from and to must both be pods'],
    ['expect:\n  - from: { namespace: a, namespaces: all }\n    to: node\n    port: 80\n    allowed: true\n',
      'e.yaml: line 2: expect[0].from: give namespace or namespaces, not both'],
    ['expect:\n  - from: { namespaces: { withLabel: "" } }\n    to: node\n    port: 80\n    allowed: true\n',
      'e.yaml: line 2: expect[0].from.namespaces.withLabel: expected a label key'],
    ['expect:\n  - from: { namespaces: every }\n    to: node\n    port: 80\n    allowed: true\n',
      'e.yaml: line 2: expect[0].from.namespaces: expected all, { withLabel: LABEL_KEY } or { labels: { KEY: VALUE } }'],
    ['expect:\n  - from: node\n    to: node\n    port: [tcp/80, icmp/1]\n    allowed: true\n',
      "e.yaml: line 4: expect[0].port[1]: invalid port 'icmp/1': protocol must be tcp, udp or sctp"],
    ['expect:\n  - from: node\n    to: node\n    port: []\n    allowed: true\n',
      'e.yaml: line 4: expect[0].port: expected e.g. tcp/5432 or [udp/53, tcp/53]'],
    ['probes:\n  - name: p\n    namespace: a\n    ports: [tcp/http]\nexpect: []\n',
      'e.yaml: line 4: probes[0].ports[0]: a probe listens on port numbers, not names (TCP/http)'],
    ['probes:\n  - name: p\nexpect: []\n', 'e.yaml: line 2: probes[0]: give namespace (one) or namespaces (all | { withLabel } | { labels })'],
    ['probes:\n  - { name: P_1, namespace: a }\nexpect: []\n',
      'e.yaml: line 2: probes[0].name: expected a name (lower case letters, digits and -, like a pod name)'],
    ['probes:\n  - { name: p, namespace: a }\n  - { name: p, namespace: a }\nexpect: []\n', 'e.yaml: line 3: probes[1].name: probe a/p is declared twice'],
    ['probes: { name: p }\nexpect: []\n', 'e.yaml: line 1: probes: expected a list of probes'],
    ['expect: []\nprobe: []\n', "e.yaml: line 2: probe: unknown key 'probe': expected expect or probes"],
  ])('%#', (text, message) => {
    expect(expectationErrorFor(text)).toBe(message);
  });
});
