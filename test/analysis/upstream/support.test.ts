/**
 * The truth-table language and the verdict adapter of the upstream suites: a table that silently
 * covered nothing, or an adapter that ignored the three-valued verdict, would let those suites pass
 * without checking anything.
 */
import { UpstreamCase, evaluateCase, expandTable, expectedRows, networkPolicy, pod, tt, verdictOf } from './support';
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';

const pods = ['x/a', 'x/b', 'y/a'];

describe('expandTable', () => {
  test('a base verdict covers every ordered pair of distinct pods; rules apply in order', () => {
    const rows = expandTable(tt('TCP/80', 'allow', '* > x/*: deny', 'y/a > x/b: allow'), pods);
    expect(rows.map((r) => `${r.from} > ${r.to}: ${r.expected}`)).toEqual([
      'x/a > x/b: deny',
      'x/a > y/a: allow',
      'x/b > x/a: deny',
      'x/b > y/a: allow',
      'y/a > x/a: deny',
      'y/a > x/b: allow',
    ]);
  });

  test('a null base lists only the named pairs, non-pod ends included', () => {
    const rows = expandTable(tt('UDP/53', null, 'x/a > ext:8.8.8.8: allow', 'node:remote > x/b: deny'), pods);
    expect(rows).toEqual([
      { from: 'x/a', to: 'ext:8.8.8.8', port: 'UDP/53', expected: 'allow' },
      { from: 'node:remote', to: 'x/b', port: 'UDP/53', expected: 'deny' },
    ]);
  });

  test.each([
    ['a rule naming a pod the case does not have', 'x/c > x/a: deny', /no pod x\/c/],
    ['a wildcard that matches nothing', 'z/* > x/a: deny', /matches no pod pair/],
    ['a wildcard towards a non-pod end', '* > ext:1.1.1.1: deny', /wildcards only between pods/],
    ['an unknown verdict', 'x/a > x/b: allowed', /bad truth-table rule/],
  ])('rejects %s', (_what, rule, error) => {
    expect(() => expandTable(tt('TCP/80', 'allow', rule), pods)).toThrow(error);
  });

  test('an override for a port no table has is an error', () => {
    const c: UpstreamCase = { name: 'c', manifests: [pod('x', 'a', {})], tables: [tt('TCP/80', 'allow')], cnis: ['cilium'], overrides: { cilium: { 'TCP/81': [] } } };
    expect(() => expectedRows(c, 'cilium')).toThrow(/override for cilium on TCP\/81/);
  });
});

describe('verdictOf', () => {
  const reach = Reachability.fromManifests([
    pod('x', 'a', { app: 'a' }),
    pod('x', 'b', { app: 'b' }),
    networkPolicy('x', 'deny-b', { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'] }),
  ], { cni: Cni.kubernetes() });
  const a = Target.workload('x', 'a');
  const b = Target.workload('x', 'b');

  test('maps the two booleans when the result has no three-valued verdict', () => {
    expect(verdictOf(reach.check(b, a, Port.tcp(80)))).toBe('allow');
    expect(verdictOf(reach.check(a, b, Port.tcp(80)))).toBe('deny');
  });

  test('reads the three-valued verdict when the result carries one', () => {
    const result = reach.check(a, b, Port.tcp(80));
    expect(verdictOf(Object.assign(Object.create(result), { verdict: 'indeterminate' }))).toBe('indeterminate');
    expect(verdictOf(Object.assign(Object.create(result), { verdict: 'allow' }))).toBe('allow');
    expect(verdictOf(Object.assign(Object.create(result), { verdict: 'DENIED' }))).toBe('deny');
    expect(verdictOf(Object.assign(Object.create(result), { verdict: { name: 'INDETERMINATE' } }))).toBe('indeterminate');
    expect(verdictOf(Object.assign(Object.create(result), { verdict: undefined, indeterminate: true }))).toBe('indeterminate');
    expect(() => verdictOf(Object.assign(Object.create(result), { verdict: 'maybe' }))).toThrow(/unknown verdict 'maybe'/);
  });
});

describe('evaluateCase', () => {
  test('reports a disagreeing row with the analyzer\'s answer next to the expected one', () => {
    const c: UpstreamCase = {
      name: 'deliberately wrong expectation',
      manifests: [pod('x', 'a', {}), pod('x', 'b', {}), networkPolicy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
      tables: [tt('TCP/80', 'allow')],
      cnis: ['kubernetes'],
    };
    expect(evaluateCase(c, 'kubernetes')).toEqual({
      expected: ['x/a > x/b TCP/80: allow', 'x/b > x/a TCP/80: allow'],
      actual: ['x/a > x/b TCP/80: deny', 'x/b > x/a TCP/80: deny'],
    });
  });

  test('a check that throws is reported as an error row, not a crash', () => {
    const c: UpstreamCase = {
      name: 'named port nobody has',
      manifests: [pod('x', 'a', {}), pod('x', 'b', {})],
      tables: [tt('TCP/metrics', null, 'x/a > x/b: allow')],
      cnis: ['kubernetes'],
    };
    expect(evaluateCase(c, 'kubernetes').actual[0]).toMatch(/^x\/a > x\/b TCP\/metrics: error: \[Reachability\.check\] port: no pod of workload x\/b has a container port named 'metrics' \(TCP\)$/);
  });
});
