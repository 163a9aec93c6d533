/**
 * `analyze --mesh`: the flow matrix and expectations with the mesh's authorization on top of the CNI
 * (Istio AuthorizationPolicy and PeerAuthentication here; see test/analysis/mesh for the semantics).
 */
import { cli } from './support';

describe('analyze --mesh', () => {
  test('table: denials say which layer denies; the HTTP-restricted flow is allow (L7)', () => {
    const r = cli('analyze', 'mesh', '--cni', 'kubernetes', '--mesh', 'istio');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^shop\/web\s+shop\/api\s+TCP\/8080\s+allow \(L7\)$/m);
    // batch is outside the mesh: STRICT mTLS refuses its plaintext connection to api.
    expect(r.stdout).toMatch(/^shop\/batch\s+shop\/api\s+TCP\/8080\s+deny \(mesh\)$/m);
    // allow-nothing covers every meshed workload of shop; batch is outside the mesh, so nothing restricts flows to it.
    expect(r.stdout).toMatch(/^shop\/api\s+shop\/web\s+TCP\/8080\s+deny \(mesh\)$/m);
    expect(r.stdout).toMatch(/^shop\/api\s+shop\/batch\s+TCP\/8080\s+allow$/m);
    // The Istio kinds are modelled now: no "not modelled" warning for them.
    expect(r.stderr).not.toContain('AuthorizationPolicy');
  });

  test('json: the mesh, and the CNI and mesh verdicts of every flow', () => {
    const doc = JSON.parse(cli('analyze', 'mesh', '--cni', 'kubernetes', '--mesh', 'istio', '--format', 'json').stdout);
    expect(doc.mesh).toBe('Istio (sidecar)');
    expect(doc.flows.find((f: any) => f.source === 'shop/batch' && f.destination === 'shop/api')).toEqual({
      source: 'shop/batch', destination: 'shop/api', port: 'TCP/8080', verdict: 'deny', allowed: false, cniVerdict: 'allow', meshVerdict: 'deny',
    });
    expect(doc.flows.find((f: any) => f.source === 'shop/web' && f.destination === 'shop/api').l7Constraints).toEqual([
      'only HTTP methods GET|POST, paths /api/* (AuthorizationPolicy shop/web-to-api spec.rules[0] (ALLOW); a non-HTTP connection matches no HTTP rule)',
      'not HTTP paths /admin|/admin/* (AuthorizationPolicy shop/deny-admin spec.rules[0] (DENY); a non-HTTP connection to the port is denied whole)',
    ]);
  });

  test('without --mesh the same files give CNI verdicts only, and the Istio kinds are reported as not modelled', () => {
    const r = cli('analyze', 'mesh', '--cni', 'kubernetes', '--format', 'json');
    const doc = JSON.parse(r.stdout);
    expect(doc).not.toHaveProperty('mesh');
    expect(doc.summary.denied).toBe(0);
    expect(r.stderr).toMatch(/AuthorizationPolicy 'allow-nothing' \(apiVersion security\.istio\.io\/v1\): not modelled by the flow matrix/);
  });

  test('expectations can name an HTTP request: can web call api\'s POST /admin?', () => {
    const r = cli('analyze', 'mesh', '--cni', 'kubernetes', '--mesh', 'istio', '--expect', 'mesh-expectations.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l))).toEqual([
      'PASS workload shop/web -> workload shop/api on TCP/8080 (HTTP POST /api/orders): allowed',
      'PASS workload shop/web -> workload shop/api on TCP/8080 (HTTP POST /admin): denied',
      'PASS workload shop/batch -> workload shop/api on TCP/8080: denied',
    ]);
  });

  test('an unknown mesh is a usage error; lint takes --mesh too (test/cli/lint-mesh)', () => {
    expect(cli('analyze', 'mesh', '--cni', 'kubernetes', '--mesh', 'consul').stderr).toContain("analyze: unknown --mesh 'consul': expected istio, istio-ambient, linkerd or none");
    expect(cli('lint', 'mesh', '--mesh', 'istio').stderr).not.toContain('analyze option');
  });
});
