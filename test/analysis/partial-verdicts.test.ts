/**
 * A target may cover several pods (labels, `Target.node()`): "allowed" needs every pod pair allowed,
 * "denied" every pair denied. A partly allowed question is neither, so a "must not reach" check
 * cannot pass while one pair still leaks.
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';
import { Protocol } from '../../src/policy/protocol';
import '../support/reachability-matchers';
import { validationErrorOf } from '../support/thrown';

// data/db admits only `role: api` pods, from any namespace; shop has api (role: api) and web (no role).
const manifests = [
  namespace('shop'), namespace('data'),
  deployment('shop', 'api', { tier: 'x', role: 'api' }),
  deployment('shop', 'web', { tier: 'x' }),
  deployment('data', 'db', { app: 'db' }),
  networkPolicy('db-from-api', 'data', {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'api' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
  }),
];
const reach = Reachability.fromManifests(manifests, { cni: Cni.kubernetes() });
const tierX = Target.pod('shop', { tier: 'x' });
const db = Target.workload('data', 'db');
const postgres = Port.tcp(5432);

describe('a question covering several pod pairs', () => {
  test('partly allowed: neither allowed nor denied, and explain says how many pairs are allowed', () => {
    const result = reach.check(tierX, db, postgres);
    expect(result.pairs.map((p) => [p.source, p.allowed])).toEqual([['shop/api', true], ['shop/web', false]]);
    expect(result.allowed).toBe(false);
    expect(result.denied).toBe(false);
    expect(result.explain().split('\n')[0]).toBe(
      'PARTLY ALLOWED (1 of 2 pod pairs): pods in shop with tier=x -> workload data/db on TCP/5432 (CNI: kubernetes)');
  });

  test('toDeny fails on a partly allowed question, and so does toAllow', () => {
    expect(() => expect(reach).toDeny(tierX, db, postgres)).toThrow(/to be denied/);
    expect(() => expect(reach).toAllow(tierX, db, postgres)).toThrow(/to be allowed/);
  });

  test('all pairs denied or all allowed: denied and allowed are exact', () => {
    const web = Target.workload('shop', 'web');
    const api = Target.workload('shop', 'api');
    expect(reach.check(web, db, postgres)).toMatchObject({ allowed: false, denied: true });
    expect(reach.check(api, db, postgres)).toMatchObject({ allowed: true, denied: false });
    expect(reach).toDeny(web, db, postgres);
    expect(reach).toAllow(api, db, postgres);
  });
});

describe('named ports', () => {
  const withPorts = [
    namespace('shop'),
    deployment('shop', 'web', { app: 'web' }),
    deployment('shop', 'db', { app: 'db' }, { containers: [{ name: 'pg', image: 'postgres', ports: [{ name: 'postgres', containerPort: 5432 }] }] }),
    deployment('shop', 'cache', { app: 'cache' }),
  ];
  const analysis = Reachability.fromManifests(withPorts, { cni: Cni.kubernetes() });
  const web = Target.workload('shop', 'web');

  test('a named port no destination pod has is an error, not a vacuous denial', () => {
    const e = validationErrorOf(() => analysis.check(web, Target.workload('shop', 'db'), Port.named('postgress')));
    expect([e.path, e.prop, e.reason]).toEqual(['Reachability.check', 'port', "no pod of workload shop/db has a container port named 'postgress' (TCP)"]);
    expect(e.message).toBe("[Reachability.check] port: no pod of workload shop/db has a container port named 'postgress' (TCP)");
    // The matchers let the error through: a typo fails the test instead of passing as "denied".
    const viaMatcher = validationErrorOf(() => expect(analysis).toDeny(web, Target.workload('shop', 'db'), Port.named('postgress')));
    expect([viaMatcher.path, viaMatcher.prop]).toEqual(['Reachability.check', 'port']);
  });

  test('checkRequest names itself for a named port no destination pod has (UDP named ports are told apart from TCP)', () => {
    const e = validationErrorOf(() => analysis.checkRequest(web, Target.workload('shop', 'db'), Port.named('postgres', Protocol.UDP), { method: 'GET', path: '/' }));
    expect([e.path, e.prop, e.reason]).toEqual(['Reachability.checkRequest', 'port', "no pod of workload shop/db has a container port named 'postgres' (UDP)"]);
  });

  test('a named port some destination pods have: those pairs resolve, the others are denied', () => {
    const result = analysis.check(web, Target.pod('shop', {}), Port.named('postgres'));
    expect(result.pairs.map((p) => [p.destination, p.port, p.allowed])).toEqual([
      ['shop/cache', 'TCP/postgres', false], ['shop/db', 'TCP/5432', true], ['shop/web', 'TCP/postgres', false],
    ]);
  });
});
