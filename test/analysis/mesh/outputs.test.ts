/**
 * The mesh layer in every output: the flow matrix (flows, summary, table, JSON, reasons of
 * indeterminate flows), explanations and the reachability diff (deciding rules per layer).
 */
import { authorizationPolicy, ISTIO_SIDECAR, meshReach, namespace, peerAuthentication, w, workload } from './support';
import { FlowChange } from '../../../src/analysis/reachability-diff';
import { Verdict } from '../../../src/analysis/verdict';
import { Port } from '../../../src/policy/port';

const base = [
  namespace('istio-system'),
  namespace('shop', { 'istio-injection': 'enabled' }),
  workload('shop', 'web'),
  workload('shop', 'api'),
  workload('shop', 'worker'),
  peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
];
const webOnly = authorizationPolicy('shop', 'api-from-web', {
  selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }],
});
const claims = authorizationPolicy('shop', 'worker-claims', {
  selector: { matchLabels: { app: 'worker' } }, action: 'ALLOW', rules: [{ when: [{ key: 'request.auth.claims[role]', values: ['batch'] }] }],
});

describe('flow matrix', () => {
  const matrix = meshReach([...base, webOnly, claims], ISTIO_SIDECAR).matrix();
  const flow = (s: string, d: string) => matrix.flows.find((f) => f.source === s && f.destination === d)!;

  test('every flow has the CNI and the mesh verdict; the verdict needs both', () => {
    expect(flow('shop/web', 'shop/api')).toEqual({
      source: 'shop/web', destination: 'shop/api', port: 'TCP/8080', verdict: Verdict.ALLOW, allowed: true, cniVerdict: Verdict.ALLOW, meshVerdict: Verdict.ALLOW,
    });
    expect(flow('shop/worker', 'shop/api')).toEqual({
      source: 'shop/worker', destination: 'shop/api', port: 'TCP/8080', verdict: Verdict.DENY, allowed: false, cniVerdict: Verdict.ALLOW, meshVerdict: Verdict.DENY,
    });
  });

  test('indeterminate flows carry the mesh\'s reason', () => {
    expect(flow('shop/web', 'shop/worker')).toEqual({
      source: 'shop/web',
      destination: 'shop/worker',
      port: 'TCP/8080',
      verdict: Verdict.INDETERMINATE,
      allowed: false,
      reason: 'mesh: AuthorizationPolicy shop/worker-claims spec.rules[0] (ALLOW): spec.rules[0].when[0] (request.auth.claims[role]: JWT claims are not in the manifests)',
      cniVerdict: Verdict.ALLOW,
      meshVerdict: Verdict.INDETERMINATE,
    });
  });

  test('the summary counts the combined verdicts; the table and JSON say which layer denies', () => {
    // 3 pods x 3 pods on 8080: to api only web (1 allowed, 2 denied); to worker all 3 indeterminate; to web all 3 allowed.
    expect(matrix.summary).toEqual({ endpoints: 3, classes: 3, flows: 9, allowed: 4, denied: 2, indeterminate: 3 });
    expect(matrix.toTable()).toMatch(/^shop\/worker\s+shop\/api\s+TCP\/8080\s+deny \(mesh\)$/m);
    expect(matrix.toTable()).toMatch(/^\[1\] indeterminate: mesh: AuthorizationPolicy shop\/worker-claims/m);
    const json = JSON.parse(matrix.toJson());
    expect(json.mesh).toBe('Istio (sidecar)');
    expect(json.flows).toEqual(matrix.flows.map((f) => JSON.parse(JSON.stringify(f))));
    expect(matrix.meshName).toBe('Istio (sidecar)');
  });

  test('the matrix agrees with check() on every flow', () => {
    const r = meshReach([...base, webOnly, claims], ISTIO_SIDECAR);
    for (const f of matrix.flows) {
      const pair = r.check(w(f.source), w(f.destination), Port.tcp(8080)).pairs[0];
      expect([f.source, f.destination, pair.verdict, pair.cniVerdict, pair.mesh!.verdict])
        .toEqual([f.source, f.destination, f.verdict, f.cniVerdict, f.meshVerdict]);
    }
  });
});

describe('explain', () => {
  test('both layers, with the mesh\'s deciding objects among the deciding objects', () => {
    const text = meshReach([...base, webOnly], ISTIO_SIDECAR).explain(w('shop/worker'), w('shop/api'), Port.tcp(8080));
    expect(text.split('\n')).toEqual([
      'DENIED: workload shop/worker -> workload shop/api on TCP/8080 (CNI: kubernetes; mesh: Istio (sidecar))',
      'shop/worker -> shop/api TCP/8080: denied (CNI: allowed; mesh: denied)',
      '  egress at shop/worker: allowed',
      '    - no NetworkPolicy selects shop/worker for egress',
      '  ingress at shop/api: allowed',
      '    - no NetworkPolicy selects shop/api for ingress',
      '  mesh authorization at shop/api: denied',
      '    - AuthorizationPolicy shop/api-from-web selects shop/api, so only what an ALLOW rule matches is allowed, and no rule matches '
        + 'shop/worker -> shop/api TCP/8080 (over mutual TLS as cluster.local/ns/shop/sa/worker)',
      'deciding objects: AuthorizationPolicy shop/api-from-web',
    ]);
  });
});

describe('diff', () => {
  test('an AuthorizationPolicy closes flows, and the change names the mesh rule that decides after', () => {
    const before = meshReach(base, ISTIO_SIDECAR);
    const after = meshReach([...base, webOnly], ISTIO_SIDECAR);
    const diff = before.diff(after);
    expect(diff.summary).toBe('0 flows opened, 2 closed, 0 uncertain');
    expect(diff.changes.map((c) => [c.change, c.source, c.destination, c.decidedAfter])).toEqual([
      [FlowChange.CLOSED, 'shop/api', 'shop/api', ['mesh: AuthorizationPolicy shop/api-from-web (isolate)']],
      [FlowChange.CLOSED, 'shop/worker', 'shop/api', ['mesh: AuthorizationPolicy shop/api-from-web (isolate)']],
    ]);
  });
});
