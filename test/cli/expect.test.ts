import { cli } from './support';

describe('analyze --expect', () => {
  test('prints PASS/FAIL per expectation and exits 1 when one fails', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'expectations.yaml');
    expect(r.code).toBe(1);
    const verdicts = r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
    expect(verdicts).toEqual([
      'PASS workload frontend/web -> pods in backend with app=api on TCP/9000: allowed',
      'PASS workload backend/api -> workload data/db on TCP/postgres: allowed',
      'PASS workload frontend/web -> workload data/db on TCP/5432: denied',
      'FAIL workload backend/api -> external 203.0.113.7 on TCP/443: expected allowed, got denied',
      'FAIL workload backend/api -> workload data/db on TCP/22: expected allowed, got denied',
    ]);
    expect(r.stdout).toMatch(/^expectations: 3 passed, 2 failed$/m);
  });

  test('failures carry the explanation with the deciding objects', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'expectations.yaml');
    const lines = r.stdout.split('\n');
    const fail = lines.findIndex((l) => l.startsWith('FAIL workload backend/api -> workload data/db on TCP/22'));
    const block = lines.slice(fail + 1, lines.findIndex((l, i) => i > fail && !l.startsWith('  '))).join('\n');
    // Egress is closed by backend's policies, ingress by data's: both sides are named.
    expect(block).toContain('  DENIED: workload backend/api -> workload data/db on TCP/22 (CNI: kubernetes)');
    expect(block).toContain('NetworkPolicy backend/default-deny-all');
    expect(block).toContain('NetworkPolicy data/db-from-api');
  });

  test('under Flannel nothing is enforced, so the "denied" expectation fails instead', () => {
    const r = cli('analyze', 'app', '--cni', 'flannel', '--expect', 'expectations.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL workload frontend\/web -> workload data\/db on TCP\/5432: expected denied, got allowed$/m);
    expect(r.stdout).toMatch(/^expectations: 4 passed, 1 failed$/m);
  });

  test('all passing expectations exit 0', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'passing-expectations.yaml');
    expect(r.stdout).toMatch(/^PASS pods in frontend with app=web -> workload backend\/api on TCP\/9000: allowed$/m);
    expect(r.stdout).toMatch(/^PASS workload data\/db -> external 198\.51\.100\.10 on TCP\/443: denied$/m);
    expect(r.stdout).toMatch(/^expectations: 2 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  test('the node target is accepted (Flannel: nothing enforced, the node reaches db)', () => {
    const r = cli('analyze', 'app', '--cni', 'flannel', '--expect', 'node-expectations.yaml');
    expect(r.stdout).toMatch(/^PASS node -> workload data\/db on TCP\/5432: allowed$/m);
    expect(r.code).toBe(0);
  });

  test('local-node and remote-node targets (kubernetes: own node always allowed, other nodes denied)', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'node-locality-expectations.yaml');
    expect(r.stdout).toMatch(/^PASS local node -> workload data\/db on TCP\/5432: allowed$/m);
    expect(r.stdout).toMatch(/^PASS remote node -> workload data\/db on TCP\/5432: denied$/m);
    expect(r.stdout).toMatch(/^expectations: 2 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  test('allowed: false fails when only some of the covered pod pairs are denied', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'partial-expectations.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL node -> workload data\/db on TCP\/5432: expected denied, got allowed for 1 of 2 pod pairs$/m);
    expect(r.stdout).toMatch(/^ {2}PARTLY ALLOWED \(1 of 2 pod pairs\): node -> workload data\/db on TCP\/5432/m);
  });

  test('a named port no destination has fails (a typo), even with allowed: false', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'named-port-typo-expectations.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL workload frontend\/web -> workload data\/db on TCP\/postgress: expected denied, got an error$/m);
    expect(r.stdout).toMatch(/^ {2}\[Reachability\.check\] port: no pod of workload data\/db has a container port named 'postgress' \(TCP\)$/m);
  });

  test('a target matching no pod fails with the reason', () => {
    const r = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'missing-target-expectations.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL workload shop\/ghost -> workload data\/db on TCP\/5432: expected allowed, got an error$/m);
    expect(r.stdout).toMatch(/^ {2}\[Reachability\.check\] source: workload shop\/ghost matches no endpoint \(known: backend\/api, data\/db, frontend\/web\)$/m);
  });

  test('a malformed or missing expectations file is exit 2 and nothing is analyzed', () => {
    const bad = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'bad-expectations.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('error: bad-expectations.yaml: line 4: expect[0].port: invalid port \'tcp/99999\': port must be 1-65535\n');
    const missing = cli('analyze', 'app', '--cni', 'kubernetes', '--expect', 'nope.yaml');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: cannot read expectations file nope\.yaml/);
  });
});
