import * as fs from 'fs';
import * as path from 'path';
import { cli } from './support';
import { parseCommandLine } from '../../src/cli/args';
import { parsePort, parsePortList } from '../../src/cli/ports';
import { IpFamily } from '../../src/cluster/cluster-network';

describe('usage', () => {
  test('--help and -h print the usage and exit 0', () => {
    for (const flag of ['--help', '-h']) {
      const r = cli(flag);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').slice(0, 2)).toEqual([
        'Usage:',
        '  cdk8s-networking analyze <dir|file...> --cni kubernetes|calico|cilium|flannel',
      ]);
      expect(r.stderr).toBe('');
    }
  });

  test('--version prints the package version', () => {
    const r = cli('--version');
    expect(r.code).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  test.each([
    [['analyze', 'app'], 'error: analyze: --cni is required (kubernetes, calico, cilium, flannel)'],
    [['analyze', 'app', '--cni', 'weave'], 'error: unknown --cni \'weave\': expected kubernetes, calico, cilium, flannel'],
    [['analyze', 'app', '--cni', 'kubernetes', '--format', 'text'],
      'error: analyze: unknown --format \'text\': expected table, json, mermaid'],
    [['lint', 'app', '--format', 'table'], 'error: lint: unknown --format \'table\': expected text, json'],
    [['lint', 'app', '--lint'], 'error: lint: --lint is an analyze option'],
    [['analyze', '--cni', 'kubernetes'], 'error: analyze: give at least one file or directory'],
    [['frobnicate', 'app'], 'error: unknown command \'frobnicate\''],
    [[], 'error: missing command: analyze or lint'],
    [['analyze', 'app', '--cni', 'kubernetes', '--ports', 'icmp/8'],
      'error: --ports: invalid port \'icmp/8\': protocol must be tcp, udp or sctp'],
    [['lint', 'app', '--ip-families', 'ipv4,ipx'], 'error: --ip-families: unknown family \'ipx\': expected ipv4, ipv6 or ipv4,ipv6'],
    [['lint', 'app', '--ip-families', 'IPv6,ipv6'], 'error: --ip-families: \'IPv6,ipv6\' names a family twice'],
  ])('usage error for %j: exit 2 with the message and the usage', (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(message);
    expect(r.stderr).toContain('Usage:');
  });

  test('unknown flags are usage errors', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--verbose');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('error: Unknown option \'--verbose\'');
  });

  test('--cni is case-insensitive and --ports may repeat', () => {
    const c = parseCommandLine(['analyze', 'a', 'b', '--cni', 'Cilium', '--ports', 'udp/53', '--ports', 'tcp/80,tcp/http']);
    expect(c.command).toBe('analyze');
    if (c.command !== 'analyze') return;
    expect(c.paths).toEqual(['a', 'b']);
    expect(c.cni.name).toBe('cilium');
    expect(c.ports.map((p) => p.toString())).toEqual(['UDP/53', 'TCP/80', 'TCP/http']);
    expect(c.format).toBe('table');
    expect(c.lint).toBe(false);
  });

  test('--ip-families is a case-insensitive list, on lint and analyze; absent means unknown', () => {
    const lint = parseCommandLine(['lint', 'a', '--ip-families', 'IPv4, ipv6']);
    expect(lint.command === 'lint' && lint.ipFamilies).toEqual([IpFamily.IPV4, IpFamily.IPV6]);
    const analyze = parseCommandLine(['analyze', 'a', '--cni', 'calico', '--lint', '--ip-families', 'ipv6']);
    expect(analyze.command === 'analyze' && analyze.ipFamilies).toEqual([IpFamily.IPV6]);
    const none = parseCommandLine(['lint', 'a']);
    expect(none.command === 'lint' && none.ipFamilies).toBeUndefined();
  });
});

describe('port notation', () => {
  test('proto/number, proto/name and bare numbers', () => {
    expect(parsePort('tcp/8080').toString()).toBe('TCP/8080');
    expect(parsePort('UDP/53').toString()).toBe('UDP/53');
    expect(parsePort('sctp/9').toString()).toBe('SCTP/9');
    expect(parsePort('443').toString()).toBe('TCP/443');
    expect(parsePort('udp/dns').toString()).toBe('UDP/dns');
    expect(parsePortList(' tcp/1, ,udp/2 ').map((p) => p.toString())).toEqual(['TCP/1', 'UDP/2']);
  });

  test('rejects out-of-range numbers, ranges and invalid names', () => {
    expect(() => parsePort('tcp/0')).toThrow('port must be 1-65535');
    expect(() => parsePort('tcp/65536')).toThrow('port must be 1-65535');
    expect(() => parsePort('tcp/1000-2000')).toThrow(/expected proto\/number/);
    // IANA_SVC_NAME: at most 15 characters, at least one letter, no leading '-'.
    expect(() => parsePort('tcp/a-very-long-port-name')).toThrow(/expected proto\/number/);
    expect(() => parsePort('tcp/-http')).toThrow(/expected proto\/number/);
  });
});
