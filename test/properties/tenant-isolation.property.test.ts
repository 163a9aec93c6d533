/**
 * Property: TenantIsolation keeps random tenant topologies apart on every enforcing CNI, and gives
 * every tenant pod DNS, never the metadata service, and the internet only when asked (only to
 * public addresses). Ground truth: NETWORKING-FACTS.md §NetworkPolicy 3 and 6.
 */
import { ApiObject, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { Cni, IpFamily, Port, Reachability, TenantIsolation, Target } from '../../src';
import { runs } from './support/config';
import { Topology, l4Port, namespacesProp, topology } from './support/topology';
import { assertFlow, assertMatrix, privateIpv4, publicIpv4, publicIpv6, ulaIpv6 } from './support/verdicts';
import { DNS, INTERNET, METADATA, reachabilityOf } from '../support/flows';
import { ENFORCING_CNIS, chartFor } from '../support/synth';

const NUM_RUNS = 60;
const GUARDRAIL_RUNS = 40;
const COREDNS = 'kube-system/coredns';
const portSet = fc.uniqueArray(l4Port, { minLength: 1, maxLength: 3, selector: (p) => p.toString() });

/** The CNIs with a cluster-wide guard rail (deny that wins over any namespaced allow). */
const GUARDED_CNIS: Array<[string, () => Cni]> = [
  ['calico', () => Cni.calico()],
  ['cilium', () => Cni.cilium()],
  ['kubernetes with ClusterNetworkPolicy', () => Cni.kubernetes({ clusterNetworkPolicy: true })],
];

/** Cluster-level randomness of the main property: IP families and the internet egress ports. */
interface Extras {
  readonly dualStack: boolean;
  /** undefined: the default, TCP 443. */
  readonly internetEgressPorts?: Port[];
}

/** Synthesize (schema-validated) a TenantIsolation for `topo`, load it, and add its probe pods. */
function analyze(topo: Topology, cni: () => Cni, extra?: (chart: Chart) => void, extras: Extras = { dualStack: false }) {
  const chart = chartFor(cni(), extras.dualStack ? { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] } : {});
  new TenantIsolation(chart, 'tenants', {
    tenants: topo.tenants.map((t) => t.name),
    namespaces: namespacesProp(topo),
    allowInternetEgress: topo.allowInternetEgress,
    internetEgressPorts: topo.allowInternetEgress ? extras.internetEgressPorts : undefined,
  });
  extra?.(chart);
  // reachabilityOf validates every synthesized object against the pinned schemas.
  const reach: Reachability = reachabilityOf(chart, cni());
  const tenantOf = new Map<string, string>();
  const pods: Target[] = [];
  for (const t of topo.tenants) {
    for (const ns of t.namespaces) {
      for (const w of topo.workloads[ns]) {
        reach.addProbe(w.name, ns, w.labels, { ports: w.ports });
        tenantOf.set(`${ns}/${w.name}`, t.name);
        pods.push(Target.workload(ns, w.name));
      }
    }
  }
  return { reach, tenantOf, pods };
}

describe.each(ENFORCING_CNIS)('TenantIsolation properties on %s', (_name, cni) => {
  test('random topologies: isolated across tenants, open within, DNS yes, metadata never, internet iff asked', () => {
    fc.assert(
      fc.property(
        topology(),
        portSet,
        fc.array(privateIpv4, { minLength: 1, maxLength: 3 }),
        fc.record({
          dualStack: fc.boolean(),
          internetEgressPorts: fc.option(portSet, { nil: undefined }),
        }),
        fc.tuple(publicIpv4, publicIpv6, ulaIpv6),
        (topo: Topology, metadataPorts: Port[], privateIps: string[], extras: Extras, addresses: [string, string, string]) => {
          const [v4, v6, ula] = addresses;
          const { reach, tenantOf, pods } = analyze(topo, cni, undefined, extras);
          const internetPorts = extras.internetEgressPorts ?? [Port.tcp(443)];
          const probePorts = [...internetPorts, Port.tcp(443), Port.tcp(80), ...metadataPorts];
          const open = (p: Port) => topo.allowInternetEgress && internetPorts.some((q) => q.toString() === p.toString());

          // Every pod x pod x declared port: allowed exactly within a tenant, plus tenant pods to
          // CoreDNS (which only listens on 53) and CoreDNS to itself (kube-system has no policy).
          assertMatrix(reach, (source, destination) => {
            if (destination === COREDNS) return true;
            const from = tenantOf.get(source);
            const to = tenantOf.get(destination);
            return from !== undefined && from === to;
          });

          for (const pod of pods) {
            assertFlow(reach, pod, DNS, Port.udp(53), true);
            assertFlow(reach, pod, DNS, Port.tcp(53), true);
            for (const p of [Port.tcp(80), Port.tcp(443), ...metadataPorts]) assertFlow(reach, pod, METADATA, p, false);
            assertFlow(reach, pod, INTERNET, Port.tcp(443), open(Port.tcp(443)));
            for (const p of probePorts) {
              assertFlow(reach, pod, Target.external(v4), p, open(p));
              // IPv6 internet only exists on dual-stack clusters; the IPv6 metadata address and ULAs never.
              assertFlow(reach, pod, Target.external(v6), p, extras.dualStack && open(p));
              assertFlow(reach, pod, Target.external('fd00:ec2::254'), p, false);
              assertFlow(reach, pod, Target.external(ula), p, false);
              for (const ip of privateIps) assertFlow(reach, pod, Target.external(ip), p, false);
            }
          }
        },
      ),
      runs(NUM_RUNS),
    );
  });
});

describe.each(GUARDED_CNIS)('TenantIsolation guard rails on %s', (_name, cni) => {
  test('tenants that all add an allow-everything NetworkPolicy still cannot reach each other, nor the metadata service', () => {
    fc.assert(
      fc.property(topology(), (topo: Topology) => {
        const { reach, tenantOf, pods } = analyze(topo, cni, (chart) => {
          for (const ns of topo.tenants.flatMap((t) => t.namespaces)) {
            new ApiObject(chart, `rogue-${ns}`, {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'NetworkPolicy',
              metadata: { name: 'allow-everything', namespace: ns },
              spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
            });
          }
        });
        // Tenant pods now reach everything that is not another tenant (CoreDNS on any port included);
        // CoreDNS reaches every tenant pod (the rogue policies admit it); tenants never reach each other.
        assertMatrix(reach, (source, destination) => {
          const from = tenantOf.get(source);
          const to = tenantOf.get(destination);
          return from === undefined || to === undefined || from === to;
        });
        // deny-cloud-metadata is a deny rule, so it wins over the rogue allow on every guarded CNI.
        for (const pod of pods) assertFlow(reach, pod, METADATA, Port.tcp(80), false);
      }),
      runs(GUARDRAIL_RUNS),
    );
  });
});
