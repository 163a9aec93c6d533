/**
 * `analyze --lint --mesh none` tells the lint the cluster runs no mesh, as `lint --mesh none` does
 * (usage: "lint (and analyze --lint)"); without `--mesh` the lint keeps guessing. The analysis itself
 * is the same with `--mesh none` as without.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from './support';
import { parseCommandLine } from '../../src/cli/args';
import { expectValidManifests } from '../support/schema';

// A Linkerd-meshed namespace whose annotated default policy refuses Prometheus's scrapes of the proxy's admin port.
const NAMESPACE = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'meshed', annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'deny' } },
};
const rules = (stdout: string) => [...stdout.matchAll(/(?:warning|error|info) \[([a-z0-9-]+)\]/g)].map((m) => m[1]);

let dir: string;
beforeAll(() => {
  expectValidManifests([NAMESPACE]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-networking-mesh-none-'));
  fs.writeFileSync(path.join(dir, 'ns.yaml'), JSON.stringify(NAMESPACE));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('lint and analyze --lint: without --mesh the Linkerd rule applies; with --mesh none it does not, in both commands', () => {
  const file = path.join(dir, 'ns.yaml');
  expect(rules(cli('lint', file).stdout)).toEqual(['namespace-without-default-deny', 'linkerd-admin-port-unauthorized']);
  expect(rules(cli('lint', file, '--mesh', 'none').stdout)).toEqual(['namespace-without-default-deny']);
  expect(rules(cli('analyze', file, '--cni', 'kubernetes', '--lint').stdout)).toEqual(['namespace-without-default-deny', 'linkerd-admin-port-unauthorized']);
  expect(rules(cli('analyze', file, '--cni', 'kubernetes', '--lint', '--mesh', 'none').stdout)).toEqual(['namespace-without-default-deny']);
});

test('analyze --mesh none: no mesh layer (no mesh in the facts), and the fact kept for the lint', () => {
  const parsed = parseCommandLine(['analyze', 'a', '--cni', 'kubernetes', '--mesh', 'none']);
  expect(parsed).toMatchObject({ command: 'analyze', meshNone: true });
  expect((parsed as any).mesh).toBeUndefined();
  expect((parseCommandLine(['analyze', 'a', '--cni', 'kubernetes']) as any).meshNone).toBeUndefined();
  // The mesh name in any case, as the CNI name.
  expect(parseCommandLine(['analyze', 'a', '--cni', 'Kubernetes', '--mesh', 'None'])).toMatchObject({ command: 'analyze', meshNone: true });
  expect(parseCommandLine(['analyze', 'a', '--cni', 'kubernetes', '--mesh', 'Linkerd'])).toMatchObject({ command: 'analyze', mesh: 'linkerd' });
});
