/**
 * A platform team's own test of its chart, written as a user of the installed package: exact
 * fields, a snapshot, and reachability assertions with the jest matchers the package ships. The
 * team's workloads use the cdk8s-plus a fresh `cdk8s init` app ships (cdk8s-plus-33) next to
 * cdk8s-networking (whose ThreeTierApp builds on cdk8s-plus-27): one copy of cdk8s and constructs.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { ClusterNetwork, Cni, Port, Reachability, Target, ZeroTrustNamespace } from 'cdk8s-networking';
// The one-line setup the README documents: installs toAllow / toDeny and declares their types.
import 'cdk8s-networking/lib/analysis/jest-setup';

/** payments: a zero-trust namespace on Calico, and the team's api and db Deployments. */
function paymentsChart(): Chart {
  const chart = Testing.chart();
  new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
  const payments = new ZeroTrustNamespace(chart, 'payments', { name: 'payments' });
  payments.allowFlow('api-to-db', { app: 'api' }, { app: 'db' }, [Port.tcp(5432)]);
  for (const [name, port] of [['api', 8080], ['db', 5432]] as const) {
    new kplus.Deployment(chart, name, {
      metadata: { name, namespace: 'payments' },
      podMetadata: { labels: { app: name } },
      containers: [{ image: `ghcr.io/acme/${name}:1.0.0`, ports: [{ number: port }] }],
    });
  }
  return chart;
}

describe('payments', () => {
  const chart = paymentsChart();
  const manifests = Testing.synth(chart);

  test('default deny in both directions', () => {
    expect(manifests.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-all')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny-all', namespace: 'payments' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  });

  test('the synthesized manifests', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('api reaches db on 5432 and nothing else; db reaches nothing', () => {
    const reach = Reachability.fromChart(chart, { cni: Cni.calico() });
    const api = Target.workload('payments', 'api');
    const db = Target.workload('payments', 'db');
    expect(reach).toAllow(api, db, Port.tcp(5432));
    expect(reach).toDeny(api, db, Port.tcp(22));
    expect(reach).toDeny(db, api, Port.tcp(8080));
  });
});
