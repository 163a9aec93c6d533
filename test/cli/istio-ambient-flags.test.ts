/**
 * `analyze --mesh istio-ambient` with `--istio-host-probe-snat-ip` / `--istio-host-probe-snat-ipv6`:
 * istio-cni's HOST_PROBE_SNAT_IP / HOST_PROBE_SNAT_IPV6 (its node agent's environment, the istio-cni
 * chart's env value) instead of its defaults. See test/analysis/mesh/istio-host-probe for the semantics.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { cli, FIXTURES } from './support';
import { parseCommandLine } from '../../src/cli/args';
import { expectValidManifests } from '../support/schema';

const AMBIENT = ['--cni', 'kubernetes', '--mesh', 'istio-ambient'];
const EXPECT = ['--expect', 'ambient-probe-expectations.yaml'];
const lines = (stdout: string) => stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));

describe('--istio-host-probe-snat-* flags', () => {
  test('the fixture is valid', () => {
    expectValidManifests(parseAllDocuments(fs.readFileSync(path.join(FIXTURES, 'ambient', 'shop.yaml'), 'utf-8')).map((d) => d.toJS()));
  });

  test('are parsed, canonical, for analyze and analyze --diff', () => {
    const flags = ['--istio-host-probe-snat-ip', ' 169.254.9.9 ', '--istio-host-probe-snat-ipv6', 'FD00:0::7'];
    const istio = { hostProbeSnatIp: '169.254.9.9', hostProbeSnatIpv6: 'fd00::7' };
    expect(parseCommandLine(['analyze', 'a', ...AMBIENT, ...flags])).toMatchObject({ command: 'analyze', mesh: 'istio-ambient', istio });
    expect(parseCommandLine(['analyze', '--diff', 'a', 'b', ...AMBIENT, ...flags])).toMatchObject({ command: 'diff', mesh: 'istio-ambient', istio });
    expect(parseCommandLine(['analyze', 'a', ...AMBIENT])).not.toHaveProperty('istio');
  });

  test('the declared address passes ztunnel by, the default it replaces is a plaintext client STRICT refuses', () => {
    const declared = cli('analyze', 'ambient', ...AMBIENT, ...EXPECT, '--istio-host-probe-snat-ip', '169.254.9.9');
    expect(declared.code).toBe(0);
    expect(lines(declared.stdout)).toEqual([
      'PASS external 169.254.9.9 -> workload shop/api on TCP/8080: allowed',
      'PASS external 169.254.7.127 -> workload shop/api on TCP/8080: denied',
    ]);
    // Without the flag istio-cni's default is assumed: both expectations fail.
    const assumed = cli('analyze', 'ambient', ...AMBIENT, ...EXPECT);
    expect(assumed.code).toBe(1);
    expect(lines(assumed.stdout).map((l) => l.slice(0, 4))).toEqual(['FAIL', 'FAIL']);
  });

  test.each([
    [['--cni', 'kubernetes', '--istio-host-probe-snat-ip', '169.254.9.9'],
      'error: --istio-host-probe-snat-ip describes istio-cni in ambient mode (its host probe SNAT address): give --mesh istio-ambient'],
    [['--cni', 'kubernetes', '--mesh', 'istio', '--istio-host-probe-snat-ipv6', 'fd00::7'],
      'error: --istio-host-probe-snat-ipv6 describes istio-cni in ambient mode (its host probe SNAT address): give --mesh istio-ambient'],
    [[...AMBIENT, '--istio-host-probe-snat-ip', '169.254.9.0/24'], 'error: --istio-host-probe-snat-ip: \'169.254.9.0/24\' is a CIDR: istio-cni reads '
      + 'HOST_PROBE_SNAT_IP as a single IP address (e.g. 169.254.7.127), without a prefix'],
    [[...AMBIENT, '--istio-host-probe-snat-ip', 'fd00::7'], 'error: --istio-host-probe-snat-ip: \'fd00::7\' is an IPv6 address, but '
      + '--istio-host-probe-snat-ip is istio-cni\'s HOST_PROBE_SNAT_IP, the address of IPv4 probes; set it in --istio-host-probe-snat-ipv6'],
    [[...AMBIENT, '--istio-host-probe-snat-ipv6', 'node'], 'error: --istio-host-probe-snat-ipv6: \'node\' is not an IP address istio-cni accepts in '
      + 'HOST_PROBE_SNAT_IPV6 (e.g. fd16:9254:7127:1337:ffff:ffff:ffff:ffff)'],
  ])('%j is a usage error', (flags, message) => {
    const r = cli('analyze', 'ambient', ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
  });

  test('lint takes them too, with --mesh istio-ambient', () => {
    expect(cli('lint', 'ambient', '--istio-host-probe-snat-ip', '169.254.9.9').stderr.split('\n')[0])
      .toBe('error: --istio-host-probe-snat-ip describes istio-cni in ambient mode (its host probe SNAT address): give --mesh istio-ambient');
  });
});
