/**
 * Property: whatever `tenantLabel` a user picks, TenantIsolation either rejects it (an Error naming
 * `[test/tenants] tenantLabel`) or isolates the tenants. A namespace label the cluster or the
 * library itself writes cannot carry the tenant: Kubernetes sets `kubernetes.io/metadata.name` to
 * the namespace name (https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name),
 * and ZeroTrustNamespace writes the `pod-security.kubernetes.io/*` labels
 * (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
 *
 * Found by this property and fixed: reserved label keys (kubernetes.io / k8s.io domains) are now
 * rejected as tenantLabel; the counterexamples below guard the fix.
 */
import * as fc from 'fast-check';
import { Cni, Port, TenantIsolation, TenantIsolationProps, Target } from '../../src';
import { runs } from './support/config';
import { Topology, namespacesProp, topology } from './support/topology';
import { reachabilityOf } from '../support/flows';
import { ENFORCING_CNIS, chartFor } from '../support/synth';

const NUM_RUNS = 30;

/** Label keys a user might choose: ordinary ones, and ones Kubernetes or the library write themselves. */
const tenantLabel = fc.constantFrom(
  'tenant',
  'example.com/tenant',
  'team',
  'kubernetes.io/metadata.name',
  'pod-security.kubernetes.io/enforce',
  'pod-security.kubernetes.io/audit',
  'pod-security.kubernetes.io/warn-version',
);

/**
 * Build the tenants with `tenantLabel`; return every flow between their namespaces that is wrong
 * (cross-tenant allowed or same-tenant denied), or [] when the construct rejected the label with an
 * Error naming it, or isolation holds.
 */
function brokenFlows(cni: () => Cni, props: TenantIsolationProps): string[] {
  const chart = chartFor(cni());
  try {
    new TenantIsolation(chart, 'tenants', props);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('[test/tenants] tenantLabel: ')) return [];
    throw e;
  }
  const reach = reachabilityOf(chart, cni());
  const owner = new Map<string, string>();
  for (const tenant of props.tenants) {
    for (const ns of props.namespaces?.[tenant] ?? [tenant]) {
      reach.addProbe('app', ns, { app: 'app' }, { ports: [Port.tcp(8080)] });
      owner.set(ns, tenant);
    }
  }
  const broken: string[] = [];
  for (const [a, ta] of owner) {
    for (const [b, tb] of owner) {
      const allowed = reach.check(Target.workload(a, 'app'), Target.workload(b, 'app'), Port.tcp(8080)).allowed;
      if (allowed !== (ta === tb)) broken.push(`${a} (tenant ${ta}) -> ${b} (tenant ${tb}) ${allowed ? 'allowed' : 'denied'}`);
    }
  }
  return broken;
}

describe.each(ENFORCING_CNIS)('TenantIsolation tenantLabel on %s', (_name, cni) => {
  test('any tenantLabel: rejected with an Error naming tenantLabel, or tenants isolated and open within', () => {
    fc.assert(
      fc.property(topology(4), tenantLabel, (topo: Topology, label: string) => {
        const broken = brokenFlows(cni, {
          tenants: topo.tenants.map((t) => t.name),
          namespaces: namespacesProp(topo),
          tenantLabel: label,
        });
        if (broken.length > 0) throw new Error(`tenantLabel '${label}' accepted, but:\n${broken.join('\n')}`);
      }),
      runs(NUM_RUNS),
    );
  });
});

describe('TenantIsolation tenantLabel: minimal counterexamples', () => {
  // Kubernetes overwrites the label with the namespace name, so tenant 'a' selects namespace 'a', not its own 'b'.
  test.each(ENFORCING_CNIS)('kubernetes.io/metadata.name: a namespace not named like its tenant is cut off (%s)', (_name, cni) => {
    const props = { tenants: ['a'], namespaces: { a: ['b'] }, tenantLabel: 'kubernetes.io/metadata.name' };
    expect(brokenFlows(cni, props)).toEqual([]);
  });

  // Each tenant's allow-same-tenant selects the *other* tenant's namespace: cross-tenant traffic is open both ways.
  test('kubernetes.io/metadata.name on Cni.kubernetes(): tenants owning namespaces named after each other are open', () => {
    const broken = brokenFlows(() => Cni.kubernetes(), {
      tenants: ['acme', 'globex'],
      namespaces: { acme: ['globex'], globex: ['acme'] },
      tenantLabel: 'kubernetes.io/metadata.name',
    });
    expect(broken.filter((f) => f.endsWith('allowed'))).toEqual([]);
  });

  // ZeroTrustNamespace writes the Pod Security labels after the extra labels: the tenant value becomes 'restricted'.
  test.each(ENFORCING_CNIS)('pod-security.kubernetes.io/enforce: the tenant value is overwritten (%s)', (_name, cni) => {
    expect(brokenFlows(cni, { tenants: ['a'], tenantLabel: 'pod-security.kubernetes.io/enforce' })).toEqual([]);
  });
});
