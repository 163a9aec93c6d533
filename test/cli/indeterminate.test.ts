/**
 * The CLI never claims more than the analyzer knows. Fixture ipblock/: the app's three workloads, and
 * web may send only to 10.0.0.0/8. The manifests give no pod IPs, so whether 10.0.0.0/8 holds a
 * destination depends on the pod CIDR: without --pod-cidrs web's flows are indeterminate; inside
 * 10.244.0.0/16 they are allowed (the CIDR contains every pod), inside 192.168.0.0/16 denied
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource:
 * ipBlock selects IP ranges, which pod IPs may fall in).
 */
import { cli, row } from './support';

const REASON = "egress: NetworkPolicy frontend/web-egress spec.egress[0].to[0].ipBlock: ipBlock 10.0.0.0/8 may or may not contain the destination's address";

describe('indeterminate flows in the outputs', () => {
  test('table: `indeterminate [n]` and the reason once below; the exit code stays 0 without --strict', () => {
    const r = cli('analyze', 'ipblock', '--cni', 'kubernetes');
    expect(r.code).toBe(0);
    for (const [to, port] of [['backend/api', 'TCP/9000'], ['data/db', 'TCP/5432'], ['frontend/web', 'TCP/8080']]) {
      expect(r.stdout).toMatch(new RegExp(`^frontend/web\\s{2,}${to.replace('/', '\\/')}\\s{2,}${port.replace('/', '\\/')}\\s{2,}indeterminate \\[1\\]$`, 'm'));
    }
    expect(r.stdout).toMatch(row('backend/api', 'data/db', 'TCP/5432', 'allow'));
    const legend = r.stdout.split('\n').filter((l) => l.startsWith('['));
    expect(legend).toHaveLength(1);
    expect(legend[0].startsWith(`[1] indeterminate: ${REASON}`)).toBe(true);
    expect(r.stderr).toBe('note: 3 flows are indeterminate; where the reason is an unknown address, --pod-cidrs '
      + '(and --node-ip) tell the analysis where pods (and nodes) are\n');
  });

  test('json: verdict and reason per flow, and the counts', () => {
    const doc = JSON.parse(cli('analyze', 'ipblock', '--cni', 'kubernetes', '--format', 'json').stdout);
    expect(doc.summary).toMatchObject({ flows: 9, allowed: 6, denied: 0, indeterminate: 3 });
    const web = doc.flows.filter((f: any) => f.source === 'frontend/web');
    expect(web.map((f: any) => [f.destination, f.verdict, f.allowed])).toEqual([
      ['backend/api', 'indeterminate', false], ['data/db', 'indeterminate', false], ['frontend/web', 'indeterminate', false],
    ]);
    expect(web[0].reason.startsWith(REASON)).toBe(true);
  });

  test('mermaid: indeterminate flows are dashed edges with `?` ports', () => {
    const r = cli('analyze', 'ipblock', '--cni', 'kubernetes', '--format', 'mermaid');
    const lines = r.stdout.split('\n');
    // Nodes in endpoint order: n0 backend/api, n1 data/db, n2 frontend/web.
    expect(lines).toContain('  n2 -.->|"? TCP/5432"| n1');
    expect(lines).toContain('  n0 -->|"TCP/5432"| n1');
    expect(lines.filter((l) => l.includes(' -.->'))).toHaveLength(3);
    expect(lines.filter((l) => l.includes(' -->'))).toHaveLength(6);
  });

  test('--pod-cidrs decides them: a CIDR inside 10.0.0.0/8 allows, a disjoint one denies', () => {
    const inside = cli('analyze', 'ipblock', '--cni', 'kubernetes', '--pod-cidrs', '10.244.0.0/16');
    expect(inside.stdout).toMatch(row('frontend/web', 'data/db', 'TCP/5432', 'allow'));
    expect(inside.stdout).not.toMatch(/indeterminate/);
    expect(inside.stderr).toBe('');
    const outside = cli('analyze', 'ipblock', '--cni', 'kubernetes', '--pod-cidrs', '192.168.0.0/16, fd00:10:244::/56');
    expect(outside.stdout).toMatch(row('frontend/web', 'data/db', 'TCP/5432', 'deny'));
  });

  test('--strict: any indeterminate flow is exit 4, with the count', () => {
    const r = cli('analyze', 'ipblock', '--cni', 'kubernetes', '--strict');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: --strict: 3 of 9 flows are indeterminate \(the manifests do not decide them\)$/m);
    expect(cli('analyze', 'ipblock', '--cni', 'kubernetes', '--strict', '--pod-cidrs', '192.168.0.0/16').code).toBe(0);
  });

  test.each([
    [['--pod-cidrs', '10.244.0.300/16'], /^error: --pod-cidrs: '10\.244\.0\.300\/16' is not a CIDR: /],
    [['--node-ip', 'nodeA'], /^error: --node-ip: 'nodeA' is not an IP address: /],
  ])('%j is a usage error', (flags, message) => {
    const r = cli('analyze', 'ipblock', '--cni', 'kubernetes', ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
  });
});

describe('--expect on indeterminate verdicts', () => {
  test('an indeterminate expectation fails as UNDECIDED with the reason: exit 4 when nothing failed outright', () => {
    const r = cli('analyze', 'ipblock', '--cni', 'kubernetes', '--expect', 'ipblock-expectations.yaml');
    expect(r.code).toBe(4);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('UNDECIDED workload frontend/web -> workload data/db on TCP/5432: expected denied, got indeterminate');
    expect(lines).toContain('  INDETERMINATE: workload frontend/web -> workload data/db on TCP/5432 (CNI: kubernetes)');
    expect(lines.some((l) => l.startsWith(`  indeterminate because: ${REASON.replace(/^egress: /, '')}`))).toBe(true);
    expect(lines).toContain('PASS workload backend/api -> workload data/db on TCP/5432: allowed');
    expect(lines).toContain('expectations: 1 passed, 0 failed, 1 undecided (indeterminate: the manifests do not decide them)');
    const doc = JSON.parse(cli('analyze', 'ipblock', '--cni', 'kubernetes', '--format', 'json', '--expect', 'ipblock-expectations.yaml').stdout);
    expect(doc.expectations[0]).toMatchObject({
      expected: false, actual: 'indeterminate', pass: false, undecided: true, allowedPairs: 0, indeterminatePairs: 1, totalPairs: 1, checks: 1,
    });
  });

  test('a definite failure wins over an undecided one: exit 1', () => {
    // Inside 10.244.0.0/16 web reaches db: "web must not reach db" fails outright.
    const r = cli('analyze', 'ipblock', '--cni', 'kubernetes', '--pod-cidrs', '10.244.0.0/16', '--expect', 'ipblock-expectations.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL workload frontend\/web -> workload data\/db on TCP\/5432: expected denied, got allowed$/m);
  });

  test('a pair that is indeterminate among allowed ones: `indeterminate for n of m pod pairs`', () => {
    // Every pod of frontend and backend to db: api's pair is allowed, web's indeterminate.
    const r = cli('analyze', 'ipblock', '--cni', 'kubernetes', '--expect', 'ipblock-partial-expectations.yaml');
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^UNDECIDED pods in every namespace labelled tier=app -> workload data\/db on TCP\/5432: expected allowed, got indeterminate for 1 of 2 pod pairs \(1 allowed\)$/m);
  });
});
