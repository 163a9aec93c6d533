/**
 * `analyze --mesh linkerd` with the `--linkerd-*` flags: the Linkerd installation's cluster-wide Helm
 * values (proxy.defaultInboundPolicy, clusterNetworks, policyController.probeNetworks,
 * proxy.opaquePorts) instead of the install defaults (see test/analysis/mesh/linkerd-install-values
 * for the semantics).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { cli, FIXTURES } from './support';
import { parseCommandLine } from '../../src/cli/args';
import { expectValidManifests } from '../support/schema';

const LINKERD = ['--cni', 'kubernetes', '--mesh', 'linkerd'];
const row = (from: string, to: string, port: string, verdict: string) =>
  new RegExp(`^${from.replace('/', '\\/')}\\s+${to.replace('/', '\\/')}\\s+${port.replace('/', '\\/')}\\s+${verdict.replace(/[()]/g, '\\$&')}$`, 'm');

describe('--linkerd-* flags', () => {
  test('the fixture is valid', () => {
    expectValidManifests(parseAllDocuments(fs.readFileSync(path.join(FIXTURES, 'linkerd', 'shop.yaml'), 'utf-8')).map((d) => d.toJS()));
  });

  test('are parsed into the Linkerd values, for analyze and analyze --diff', () => {
    const flags = ['--linkerd-default-inbound-policy', 'deny', '--linkerd-cluster-networks', '10.244.0.0/16, fd00:10:244::/56',
      '--linkerd-probe-networks', '', '--linkerd-opaque-ports', '25,4000-4100'];
    const linkerd = { defaultInboundPolicy: 'deny', clusterNetworks: ['10.244.0.0/16', 'fd00:10:244::/56'], probeNetworks: [], opaquePorts: '25,4000-4100' };
    expect(parseCommandLine(['analyze', 'a', ...LINKERD, ...flags])).toMatchObject({ command: 'analyze', mesh: 'linkerd', linkerd });
    expect(parseCommandLine(['analyze', '--diff', 'a', 'b', ...LINKERD, ...flags])).toMatchObject({ command: 'diff', mesh: 'linkerd', linkerd });
    expect(parseCommandLine(['analyze', 'a', ...LINKERD])).not.toHaveProperty('linkerd');
  });

  test('--linkerd-probe-networks: a pod outside them gets no probe route; not given, every client does', () => {
    expect(cli('analyze', 'linkerd', ...LINKERD).stdout).toMatch(row('legacy/client', 'shop/api', 'TCP/8080', 'allow (L7)'));
    const narrowed = cli('analyze', 'linkerd', ...LINKERD, '--linkerd-probe-networks', '192.168.10.0/24', '--pod-cidrs', '10.244.0.0/16');
    expect(narrowed.code).toBe(0);
    expect(narrowed.stdout).toMatch(row('legacy/client', 'shop/api', 'TCP/8080', 'deny (mesh)'));
  });

  test('--linkerd-opaque-ports: a declared port in the list is opaque, so its default server has no probe route', () => {
    expect(cli('analyze', 'linkerd', ...LINKERD, '--linkerd-opaque-ports', '8080').stdout).toMatch(row('legacy/client', 'shop/api', 'TCP/8080', 'deny (mesh)'));
  });

  test('--linkerd-default-inbound-policy and --linkerd-cluster-networks decide the ports no Server describes', () => {
    expect(cli('analyze', 'linkerd', ...LINKERD).stdout).toMatch(row('legacy/client', 'store/db', 'TCP/5432', 'allow'));
    expect(cli('analyze', 'linkerd', ...LINKERD, '--linkerd-default-inbound-policy', 'all-authenticated').stdout)
      .toMatch(row('legacy/client', 'store/db', 'TCP/5432', 'deny (mesh)'));
    const cluster = ['--linkerd-default-inbound-policy', 'cluster-unauthenticated', '--pod-cidrs', '10.244.0.0/16'];
    expect(cli('analyze', 'linkerd', ...LINKERD, ...cluster).stdout).toMatch(row('legacy/client', 'store/db', 'TCP/5432', 'allow'));
    expect(cli('analyze', 'linkerd', ...LINKERD, ...cluster, '--linkerd-cluster-networks', '10.96.0.0/12').stdout)
      .toMatch(row('legacy/client', 'store/db', 'TCP/5432', 'deny (mesh)'));
  });

  test.each([
    [['--cni', 'kubernetes', '--linkerd-probe-networks', '10.0.0.0/8'], 'error: --linkerd-probe-networks describes a Linkerd installation: give --mesh linkerd'],
    [['--cni', 'kubernetes', '--mesh', 'istio', '--linkerd-opaque-ports', '25'], 'error: --linkerd-opaque-ports describes a Linkerd installation: give --mesh linkerd'],
    [[...LINKERD, '--linkerd-cluster-networks', ''], 'error: --linkerd-cluster-networks: expected CIDRs, e.g. 10.244.0.0/16'],
    [[...LINKERD, '--linkerd-cluster-networks', '10.0.0.1/8'],
      'error: --linkerd-cluster-networks: \'10.0.0.1/8\' is not a CIDR: \'10.0.0.1/8\' has host bits set; did you mean 10.0.0.0/8?'],
    // The analyzer's own refusal of a mapped block: a usage error, not an internal error (exit 3).
    [[...LINKERD, '--linkerd-probe-networks', '10.0.0.0/24,::ffff:192.168.0.0/112'], 'error: --linkerd-probe-networks: \'::ffff:192.168.0.0/112\' is an '
      + 'IPv4-mapped IPv6 block, which matches no IPv4 client in Linkerd: write 192.168.0.0/16'],
    [[...LINKERD, '--linkerd-probe-networks', 'nodes'],
      'error: --linkerd-probe-networks: \'nodes\' is not a CIDR: \'nodes\' is not a CIDR (expected address/prefix, e.g. 10.0.0.0/8)'],
    [[...LINKERD, '--linkerd-opaque-ports', '25,mysql'], 'error: --linkerd-opaque-ports: \'25,mysql\' is not a Linkerd port list (comma-separated ports '
      + 'and ranges a-b, e.g. 25,3306,4000-4100): \'mysql\' is not a port (1-65535)'],
    [[...LINKERD, '--linkerd-default-inbound-policy', 'allow'], 'error: --linkerd-default-inbound-policy: unknown policy \'allow\': expected '
      + 'all-unauthenticated, all-authenticated, cluster-authenticated, cluster-unauthenticated, deny, audit'],
  ])('%j is a usage error', (flags, message) => {
    const r = cli('analyze', 'linkerd', ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });

  test('lint takes them too, with --mesh linkerd (test/cli/lint-mesh)', () => {
    expect(cli('lint', 'linkerd', '--linkerd-opaque-ports', '25').stderr.split('\n')[0])
      .toBe('error: --linkerd-opaque-ports describes a Linkerd installation: give --mesh linkerd');
  });
});
