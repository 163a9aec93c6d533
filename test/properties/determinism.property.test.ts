/**
 * Property: synthesis is a pure function of the program. The same random topology, built twice in
 * two fresh Apps, gives byte-identical YAML (GitOps diffs must only ever show real changes).
 */
import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { ClusterNetwork, Cni, Port, TenantIsolation, ZeroTrustNamespace } from '../../src';
import { runs } from './support/config';
import { validYaml } from '../support/synth';
import { dnsLabel } from './support/dns';
import { Topology, l4Port, namespacesProp, topology } from './support/topology';

const NUM_RUNS = 90;

const cnis: Array<() => Cni> = [
  () => Cni.kubernetes(),
  () => Cni.kubernetes({ clusterNetworkPolicy: true }),
  () => Cni.calico(),
  () => Cni.cilium(),
];

interface Program {
  readonly cni: number;
  readonly nodeLocalDns: boolean;
  readonly topo: Topology;
  readonly zt: { name: string; allowSameNamespace: boolean; monitoringPorts?: Port[] };
}

const program: fc.Arbitrary<Program> = fc.record({
  cni: fc.nat(cnis.length - 1),
  nodeLocalDns: fc.boolean(),
  topo: topology(4),
  zt: fc.record({
    // 'zt-' prefix: never one of the tenant namespaces.
    name: dnsLabel(8).map((n) => `zt-${n}`),
    allowSameNamespace: fc.boolean(),
    monitoringPorts: fc.option(fc.uniqueArray(l4Port, { minLength: 1, maxLength: 3, selector: (p) => p.toString() }), { nil: undefined }),
  }),
}).filter((p) => !p.topo.tenants.some((t) => t.namespaces.includes(p.zt.name)));

/** Build the program in a fresh App and return its YAML. */
function synthYaml(p: Program): string {
  const app = new App();
  const chart = new Chart(app, 'test');
  new ClusterNetwork(chart, 'cluster', { cni: cnis[p.cni](), nodeLocalDns: p.nodeLocalDns });
  new TenantIsolation(chart, 'tenants', {
    tenants: p.topo.tenants.map((t) => t.name),
    namespaces: namespacesProp(p.topo),
    allowInternetEgress: p.topo.allowInternetEgress,
  });
  new ZeroTrustNamespace(chart, 'zt', p.zt);
  return app.synthYaml();
}

test('synthesizing the same random program twice gives byte-identical YAML', () => {
  fc.assert(
    fc.property(program, (p) => {
      const first = synthYaml(p);
      const second = synthYaml(p);
      // Every emitted object validates strictly (throws otherwise), and there is at least one.
      validYaml(first);
      if (first !== second) {
        const at = [...first].findIndex((c, i) => c !== second[i]);
        const around = (yaml: string) => yaml.slice(Math.max(0, at - 200), at + 200);
        throw new Error(`YAML differs at offset ${at}:\n${around(first)}\n---\n${around(second)}`);
      }
    }),
    runs(NUM_RUNS),
  );
});
