/**
 * The CLI flags that describe the CNI beyond its name: `--calico-native-v3-crds` (Calico serving
 * projectcalico.org/v3 as native CRDs, whose chart has no ClusterNetworkPolicy CRD;
 * NETWORKING-FACTS.md, Calico) and `--cluster-network-policy` (a Kubernetes CNI implementing it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { cli } from './support';
import { parseCommandLine } from '../../src/cli/args';

/** Two namespaces with a pod each, and an Admin ClusterNetworkPolicy denying dev -> prod. */
const MANIFESTS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'prod' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { env: 'dev' } } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'prod', labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16.4' }] } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'tool', namespace: 'dev', labels: { app: 'tool' } }, spec: { containers: [{ name: 'tool', image: 'busybox:1.36' }] } },
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'deny-dev' },
    spec: {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { env: 'prod' } } },
      ingress: [{ name: 'no-dev', action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }],
    },
  },
];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-cni-flags-'));
  fs.writeFileSync(path.join(dir, 'cluster.yaml'), MANIFESTS.map((m) => stringify(m)).join('---\n'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The verdict of dev/tool -> prod/db on TCP 5432 in the JSON matrix. */
function toolToDb(stdout: string): string {
  const doc = JSON.parse(stdout);
  return doc.flows.find((f: any) => f.source === 'dev/tool' && f.destination === 'prod/db' && f.port === 'TCP/5432').verdict;
}

describe('--calico-native-v3-crds', () => {
  test('the Cni has no ClusterNetworkPolicy; without the flag Calico has it', () => {
    const native = parseCommandLine(['analyze', 'a', '--cni', 'calico', '--calico-native-v3-crds']);
    const plain = parseCommandLine(['analyze', 'a', '--cni', 'calico']);
    expect(native.command === 'analyze' && [native.cni.calicoNativeV3Crds, native.cni.capabilities.clusterNetworkPolicy]).toEqual([true, false]);
    expect(plain.command === 'analyze' && [plain.cni.calicoNativeV3Crds, plain.cni.capabilities.clusterNetworkPolicy]).toEqual([false, true]);
  });

  test('analyze: the ClusterNetworkPolicy is ignored with a note (it cannot exist on such a cluster); by default it denies', () => {
    const native = cli('analyze', dir, '--cni', 'calico', '--calico-native-v3-crds', '--format', 'json', '--ports', 'tcp/5432');
    expect(native.code).toBe(0);
    expect(toolToDb(native.stdout)).toBe('allow');
    expect(native.stderr).toContain('1 ClusterNetworkPolicy object(s) ignored: this Calico cluster serves no ClusterNetworkPolicy');
    const plain = cli('analyze', dir, '--cni', 'calico', '--format', 'json', '--ports', 'tcp/5432');
    expect(toolToDb(plain.stdout)).toBe('deny');
  });

  test('lint: the ClusterNetworkPolicy is an error on such a cluster, and not on Calico\'s default', () => {
    const native = cli('lint', dir, '--cni', 'calico', '--calico-native-v3-crds', '--format', 'json');
    expect(native.code).toBe(1);
    const flagged = JSON.parse(native.stdout).findings.filter((f: any) => f.rule === 'policy-on-unenforcing-cni');
    expect(flagged.map((f: any) => [f.severity, f.object])).toEqual([['error', 'ClusterNetworkPolicy deny-dev']]);
    const plain = cli('lint', dir, '--cni', 'calico', '--format', 'json');
    expect(JSON.parse(plain.stdout).findings.filter((f: any) => f.rule === 'policy-on-unenforcing-cni')).toEqual([]);
  });
});

describe('--cluster-network-policy', () => {
  test('a kubernetes CNI that implements ClusterNetworkPolicy: the Admin Deny decides', () => {
    expect(toolToDb(cli('analyze', dir, '--cni', 'kubernetes', '--cluster-network-policy', '--format', 'json', '--ports', 'tcp/5432').stdout)).toBe('deny');
    expect(toolToDb(cli('analyze', dir, '--cni', 'kubernetes', '--format', 'json', '--ports', 'tcp/5432').stdout)).toBe('allow');
  });
});

test.each([
  [['analyze', 'app', '--cni', 'cilium', '--calico-native-v3-crds'], 'error: --calico-native-v3-crds describes a Calico cluster, not --cni cilium'],
  [['analyze', 'app', '--cni', 'calico', '--cluster-network-policy'],
    'error: --cluster-network-policy describes a kubernetes CNI (the others say themselves whether they implement it), not --cni calico'],
  [['lint', 'app', '--calico-native-v3-crds'], 'error: --calico-native-v3-crds describes the CNI: give --cni too'],
])('usage error for %j', (args, message) => {
  const r = cli(...args);
  expect(r.code).toBe(2);
  expect(r.stderr.split('\n')[0]).toBe(message);
});
