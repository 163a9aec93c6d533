/**
 * Property: a topology that puts a tenant (or zero-trust) namespace on the cluster DNS namespace
 * (`kube-system`, where CoreDNS runs) is either rejected with an Error naming the construct path and
 * the prop, or every tenant pod still resolves names (UDP and TCP 53 to CoreDNS). Default deny in
 * the DNS namespace isolates CoreDNS itself: DNS then breaks for the whole cluster
 * (NETWORKING-FACTS.md §NetworkPolicy 3).
 *
 * Found by this property and fixed: TenantIsolation and ZeroTrustNamespace now reject the DNS
 * namespace (and kube-* namespaces for tenants); the counterexamples below guard the fix.
 */
import * as fc from 'fast-check';
import { Cni, Port, Reachability, TenantIsolation, TenantIsolationProps, Target, ZeroTrustNamespace } from '../../src';
import { runs } from './support/config';
import { Topology, namespacesProp, topology } from './support/topology';
import { DNS, reachabilityOf } from '../support/flows';
import { ENFORCING_CNIS, chartFor } from '../support/synth';

const NUM_RUNS = 20;
const DNS_NAMESPACE = 'kube-system';

/** Pods (one per namespace outside kube-system) that cannot reach DNS; [] when rejected properly or when DNS works. */
function podsWithoutDns(cni: () => Cni, props: TenantIsolationProps): string[] {
  const chart = chartFor(cni());
  try {
    new TenantIsolation(chart, 'tenants', props);
  } catch (e) {
    const namesProp = /^\[test\/tenants\] (tenants\[\d+\]|namespaces\.[a-z0-9-]+\[\d+\]): .*kube-system/;
    if (e instanceof Error && namesProp.test(e.message)) return [];
    throw e;
  }
  const reach: Reachability = reachabilityOf(chart, cni());
  const namespaces = props.tenants.flatMap((t) => props.namespaces?.[t] ?? [t]).filter((ns) => ns !== DNS_NAMESPACE);
  for (const ns of namespaces) reach.addProbe('app', ns, { app: 'app' });
  const resolves = (ns: string) =>
    [Port.udp(53), Port.tcp(53)].every((p) => reach.check(Target.workload(ns, 'app'), DNS, p).allowed);
  return namespaces.filter((ns) => !resolves(ns));
}

describe.each(ENFORCING_CNIS)('the DNS namespace as a tenant namespace on %s', (_name, cni) => {
  test('rejected, or every other tenant pod still reaches CoreDNS on UDP and TCP 53', () => {
    fc.assert(
      fc.property(topology(4).filter((t) => t.tenants.length >= 2), fc.nat(), (topo: Topology, pick: number) => {
        // Hand one namespace of a random tenant over to kube-system.
        const tenant = topo.tenants[pick % topo.tenants.length];
        const namespaces = namespacesProp(topo);
        namespaces[tenant.name] = [...tenant.namespaces.slice(0, -1), DNS_NAMESPACE];
        const broken = podsWithoutDns(cni, { tenants: topo.tenants.map((t) => t.name), namespaces });
        if (broken.length > 0) {
          throw new Error(`kube-system accepted as a namespace of tenant ${tenant.name}; no DNS in: ${broken.join(', ')}`);
        }
      }),
      runs(NUM_RUNS),
    );
  });

  test('minimal counterexample: tenants [a, kube-system]', () => {
    expect(podsWithoutDns(cni, { tenants: ['a', DNS_NAMESPACE] })).toEqual([]);
  });

  test('minimal counterexample: ZeroTrustNamespace kube-system is rejected naming the construct and name; web next to it resolves', () => {
    const chart = chartFor(cni());
    // The fix: the DNS namespace is refused (default deny there would isolate CoreDNS itself).
    expect(() => new ZeroTrustNamespace(chart, 'dns', { name: DNS_NAMESPACE })).toThrow(/^\[test\/dns\] name: 'kube-system'/);
    new ZeroTrustNamespace(chart, 'web', { name: 'web' });
    const reach = reachabilityOf(chart, cni());
    reach.addProbe('app', 'web', { app: 'app' });
    expect(reach).toAllow(Target.workload('web', 'app'), DNS, Port.udp(53));
    expect(reach).toAllow(Target.workload('web', 'app'), DNS, Port.tcp(53));
  });
});
