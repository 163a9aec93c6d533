import { IConstruct } from 'constructs';
import { TenantIsolation, TrafficPolicy, ZeroTrustNamespace } from '../../src';
import { ENFORCING_CNIS, chartFor, synthValid } from '../support/synth';

/**
 * The construct tree of a TenantIsolation must not give each tenant's constructs a first child id of
 * their own: V8 keeps one hidden-class transition per distinct first key of the `{}` that holds a
 * node's children, at most 1,536 of them, and once that table is full every object literal built
 * later with a new first key gets a class of its own (YAML serialization became 4x slower per
 * document at 5,000 tenants; see the comment in TenantIsolation). Not a timing test: it checks the
 * tree property the slowdown depended on.
 */
function firstChildIds(scope: IConstruct): Set<string> {
  return new Set(scope.node.findAll().flatMap((c) => (c.node.children.length > 0 ? [c.node.children[0].node.id] : [])));
}

function tenants(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `tenant-${i}`);
}

describe.each(ENFORCING_CNIS)('TenantIsolation construct tree on %s', (_name, cni) => {
  test('the distinct first-child ids do not grow with the number of tenants', () => {
    const idsFor = (n: number, multi: boolean) => {
      const chart = chartFor(cni());
      const names = tenants(n);
      const namespaces = multi ? Object.fromEntries(names.map((t) => [t, [`${t}-web`, `${t}-data`]])) : undefined;
      new TenantIsolation(chart, 'tenants', { tenants: names, namespaces, allowInternetEgress: true });
      return firstChildIds(chart);
    };
    for (const multi of [false, true]) {
      const small = idsFor(5, multi);
      const large = idsFor(40, multi);
      expect([...large].sort()).toEqual([...small].sort());
      // Only the first tenant's first namespace is a first child named after a user value.
      expect([...large].filter((id) => id.startsWith('tenant-'))).toEqual([multi ? 'tenant-0-web' : 'tenant-0']);
    }
  });

  test('namespaces and guard rails are children of the TenantIsolation, in tenant order', () => {
    const chart = chartFor(cni());
    const ti = new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], namespaces: { globex: ['globex-web', 'globex-data'] } });
    const children = ti.node.children.map((c) => c.node.id);
    const hasGuardrails = Object.keys(ti.guardrails).length > 0;
    expect(children).toEqual(hasGuardrails
      ? ['acme', 'Guardrail-acme', 'globex-web', 'globex-data', 'Guardrail-globex']
      : ['acme', 'globex-web', 'globex-data']);
    expect(ti.node.findChild('globex-data')).toBe(ti.tenantNamespaces.globex[1]);
    expect(ti.tenantNamespaces.acme[0]).toBeInstanceOf(ZeroTrustNamespace);
    if (hasGuardrails) {
      expect(ti.node.findChild('Guardrail-globex')).toBe(ti.guardrails.globex);
      expect(ti.guardrails.globex).toBeInstanceOf(TrafficPolicy);
    }
    // The synthesized file keeps each tenant's objects together: its namespaces' objects, then its guard rail.
    const objects = synthValid(chart).filter((o) => o.kind !== 'Tier');
    const tenantOf = (o: any) => (JSON.stringify(o.metadata).includes('globex') ? 'globex' : 'acme');
    expect(objects.map(tenantOf)).toEqual([...objects.map(tenantOf)].sort());
    const guardrails = objects.filter((o) => o.metadata.name.includes('tenant-isolation-'));
    expect(guardrails.map(tenantOf)).toEqual(hasGuardrails ? ['acme', 'globex'] : []);
    if (hasGuardrails) expect(objects.indexOf(guardrails[0])).toBe(objects.filter((o) => tenantOf(o) === 'acme').length - 1);
  });
});
