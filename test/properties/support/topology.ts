/**
 * Random tenant topologies: tenants, their namespaces, and probe workloads with labels and ports.
 */
import * as fc from 'fast-check';
import { dnsLabel } from './dns';
import { Port } from '../../../src';

/** A workload to add as a probe pod. */
export interface WorkloadSpec {
  readonly name: string;
  readonly labels: { [key: string]: string };
  readonly ports: Port[];
}

/** One tenant: its name, whether it relies on the default namespace (named after it), and namespaces. */
export interface TenantSpec {
  readonly name: string;
  /** true: `namespaces` is not passed for this tenant, so its single namespace is its name. */
  readonly defaultNamespace: boolean;
  readonly namespaces: string[];
}

/** A whole TenantIsolation input plus the workloads per namespace. */
export interface Topology {
  readonly tenants: TenantSpec[];
  readonly allowInternetEgress: boolean;
  readonly workloads: { [namespace: string]: WorkloadSpec[] };
}

/** A TCP or UDP port 1-65535. */
export const l4Port: fc.Arbitrary<Port> = fc
  .tuple(fc.boolean(), fc.integer({ min: 1, max: 65535 }))
  .map(([udp, n]) => (udp ? Port.udp(n) : Port.tcp(n)));

const labelKey = fc.constantFrom('app', 'tier', 'role', 'app.kubernetes.io/name', 'team');

/** Pod labels: 0-3 random keys with DNS-label values. */
export const podLabels: fc.Arbitrary<{ [key: string]: string }> = fc.dictionary(labelKey, dnsLabel(10), { maxKeys: 3 });

/** 1-2 workloads with 1-3 distinct ports each. */
export const workloads: fc.Arbitrary<WorkloadSpec[]> = fc
  .array(fc.tuple(podLabels, fc.uniqueArray(l4Port, { minLength: 1, maxLength: 3, selector: (p) => p.toString() })), {
    minLength: 1,
    maxLength: 2,
  })
  .map((ws) => ws.map(([labels, ports], i) => ({ name: `w${i}`, labels, ports })));

/** 1-`maxTenants` tenants with 1-3 namespaces each; tenant and namespace names unique across the topology. */
export function topology(maxTenants = 6): fc.Arbitrary<Topology> {
  return fc
    .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: maxTenants })
    .chain((shape) => {
      // Every tenant needs a name plus one name per explicit namespace; draw them all from one unique pool.
      const needed = shape.reduce((n, [dflt, count]) => n + 1 + (dflt ? 0 : count), 0);
      const namespaceCount = shape.reduce((n, [dflt, count]) => n + (dflt ? 1 : count), 0);
      return fc.tuple(
        fc.uniqueArray(dnsLabel(), { minLength: needed, maxLength: needed }),
        fc.boolean(),
        fc.array(workloads, { minLength: namespaceCount, maxLength: namespaceCount }),
      ).map(([names, allowInternetEgress, ws]) => {
        let next = 0;
        const tenants: TenantSpec[] = shape.map(([dflt, count]) => {
          const name = names[next++];
          const namespaces = dflt ? [name] : names.slice(next, (next += count));
          return { name, defaultNamespace: dflt, namespaces };
        });
        const byNamespace: { [namespace: string]: WorkloadSpec[] } = {};
        tenants.flatMap((t) => t.namespaces).forEach((ns, i) => (byNamespace[ns] = ws[i]));
        return { tenants, allowInternetEgress, workloads: byNamespace };
      });
    });
}

/** The `namespaces` prop of TenantIsolation for a topology (only tenants that do not use the default). */
export function namespacesProp(t: Topology): { [tenant: string]: string[] } {
  return Object.fromEntries(t.tenants.filter((s) => !s.defaultNamespace).map((s) => [s.name, s.namespaces]));
}
