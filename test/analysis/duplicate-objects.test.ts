/**
 * A policy declared twice (same group, kind, namespace and name) with different contents: the cluster
 * holds one of them (kubectl apply keeps the last applied; Argo CD and Flux refuse the duplicate), so
 * the analyzer evaluates neither and the flows they could change are indeterminate. Before, both
 * copies were evaluated as two policies, and their union was reported as the verdict.
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';

const ports = { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] };
const base = [
  namespace('shop'),
  deployment('shop', 'web', { app: 'web' }, ports),
  deployment('shop', 'db', { app: 'db' }, ports),
];
const web = Target.workload('shop', 'web');
const db = Target.workload('shop', 'db');
const p8080 = Port.tcp(8080);
// Two versions of shop/db-ingress: one lets web into db, the other lets nothing in.
const allowWeb = networkPolicy('db-ingress', 'shop', {
  podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
});
const denyAll = networkPolicy('db-ingress', 'shop', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });

describe('duplicated policy objects', () => {
  test.each([['kubernetes', Cni.kubernetes()], ['calico', Cni.calico()], ['cilium', Cni.cilium()]] as const)('two different NetworkPolicies of one name: indeterminate where they differ (%s)', (_name, cni) => {
    const manifests = [...base, allowWeb, denyAll];
    expectValidManifests(manifests);
    const reach = Reachability.fromManifests(manifests, { cni });
    const result = reach.check(web, db, p8080);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.ingress.uncertainties).toEqual([
      'NetworkPolicy shop/db-ingress may select the destination and is not evaluated (the manifests declare it more than once '
      + 'with different contents, and the cluster keeps only one of them)',
    ]);
    expect(reach.notes).toContain('NetworkPolicy shop/db-ingress (networking.k8s.io/v1) is not evaluated: the manifests declare it more than '
      + 'once with different contents, and the cluster keeps only one of them; flows of the pods it selects are indeterminate where it could change them');
    // Neither copy selects web: its ingress keeps its verdict.
    expect(reach.check(db, web, p8080).verdict).toBe(Verdict.ALLOW);
  });

  test('in either order', () => {
    const reach = Reachability.fromManifests([...base, denyAll, allowWeb], { cni: Cni.kubernetes() });
    expect(reach.check(web, db, p8080).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('another NetworkPolicy that already isolates and allows decides: the copies can only add allows', () => {
    const other = networkPolicy('web-to-db', 'shop', {
      podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    const reach = Reachability.fromManifests([...base, allowWeb, denyAll, other], { cni: Cni.kubernetes() });
    expect(reach.check(web, db, p8080).verdict).toBe(Verdict.ALLOW);
  });

  test('identical copies are one object: no note, exact verdicts', () => {
    const reach = Reachability.fromManifests([...base, denyAll, JSON.parse(JSON.stringify(denyAll))], { cni: Cni.kubernetes() });
    expect(reach.check(web, db, p8080).verdict).toBe(Verdict.DENY);
    expect(reach.notes).toEqual([]);
  });

  test('same name in another namespace or of another kind is no duplicate', () => {
    const elsewhere = networkPolicy('db-ingress', 'other', { podSelector: {}, policyTypes: ['Ingress'] });
    const reach = Reachability.fromManifests([...base, namespace('other'), allowWeb, elsewhere], { cni: Cni.kubernetes() });
    expect(reach.check(web, db, p8080).verdict).toBe(Verdict.ALLOW);
    expect(reach.notes).toEqual([]);
  });

  test('Calico and Cilium policies of one name with different rules', () => {
    const calico = (action: string) => ({
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'db' },
      spec: { order: 10, selector: "app == 'db'", types: ['Ingress'], ingress: [{ action }] },
    });
    const calicoReach = Reachability.fromManifests([...base, calico('Allow'), calico('Deny')], { cni: Cni.calico() });
    expect(calicoReach.check(web, db, p8080).verdict).toBe(Verdict.INDETERMINATE);
    expect(calicoReach.check(db, web, p8080).verdict).toBe(Verdict.ALLOW);
    const cilium = (rule: any) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'db' } }, ...rule },
    });
    const manifests = [...base, cilium({ ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] }), cilium({ ingressDeny: [{ fromEndpoints: [{}] }] })];
    expectValidManifests(manifests);
    const ciliumReach = Reachability.fromManifests(manifests, { cni: Cni.cilium() });
    expect(ciliumReach.check(web, db, p8080).verdict).toBe(Verdict.INDETERMINATE);
    expect(ciliumReach.check(db, web, p8080).verdict).toBe(Verdict.ALLOW);
  });
});
