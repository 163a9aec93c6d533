import { Cni, Port, TenantIsolation, ZeroTrustNamespace } from '../../src';
import { IPV4_METADATA } from '../support/metadata';
import { ENFORCING_CNIS, chartFor, find, ofKind, synthValid } from '../support/synth';

const SAME_TENANT = (tenant: string) => [{ namespaceSelector: { matchLabels: { tenant } } }];

describe.each(ENFORCING_CNIS)('TenantIsolation on %s', (cniName, cni) => {
  test('each tenant namespace: labelled, zero-trust, same-tenant traffic only', () => {
    const chart = chartFor(cni());
    new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], namespaces: { globex: ['globex-web', 'globex-data'] } });
    const objects = synthValid(chart);

    expect(ofKind(objects, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels.tenant])).toEqual([
      ['acme', 'acme'], ['globex-web', 'globex'], ['globex-data', 'globex'],
    ]);
    for (const [ns, tenant] of [['acme', 'acme'], ['globex-web', 'globex'], ['globex-data', 'globex']]) {
      expect(find(objects, 'NetworkPolicy', 'default-deny-all', ns).spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(find(objects, 'NetworkPolicy', 'allow-dns', ns).spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
      expect(find(objects, 'NetworkPolicy', 'allow-same-tenant', ns).spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: SAME_TENANT(tenant) }],
        egress: [{ to: SAME_TENANT(tenant) }],
      });
    }
    // No NetworkPolicy in a tenant namespace names another tenant or an open selector.
    for (const np of ofKind(objects, 'NetworkPolicy').filter((o) => o.apiVersion === 'networking.k8s.io/v1')) {
      const tenant = np.metadata.namespace === 'acme' ? 'acme' : 'globex';
      for (const rule of [...(np.spec.ingress ?? []), ...(np.spec.egress ?? [])]) {
        for (const peer of [...(rule.from ?? []), ...(rule.to ?? [])]) {
          if (peer.namespaceSelector?.matchLabels?.tenant) expect(peer.namespaceSelector.matchLabels.tenant).toBe(tenant);
          expect(peer.namespaceSelector).not.toEqual({});
          expect(peer.ipBlock).toBeUndefined();
        }
      }
    }
  });

  test('cluster-wide guard rail per tenant, where the CNI has one', () => {
    const chart = chartFor(cni());
    const ti = new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex', 'initech'] });
    const objects = synthValid(chart);
    const others = { key: 'tenant', notIn: (t: string) => [t] };
    if (cniName === 'kubernetes') {
      expect(Object.keys(ti.guardrails)).toEqual([]);
      expect(objects.filter((o) => o.metadata.name.startsWith('tenant-isolation'))).toEqual([]);
      return;
    }
    expect(Object.keys(ti.guardrails)).toEqual(['acme', 'globex', 'initech']);
    if (cniName === 'calico') {
      const gnp = find(objects, 'GlobalNetworkPolicy', 'platform-guardrails.tenant-isolation-globex');
      expect(gnp.spec).toEqual({
        tier: 'platform-guardrails',
        order: 100,
        selector: 'all()',
        namespaceSelector: "tenant == 'globex'",
        types: ['Ingress', 'Egress'],
        ingress: [{ action: 'Deny', source: { namespaceSelector: "has(tenant) && tenant not in {'globex'}" } }],
        egress: [{ action: 'Deny', destination: { namespaceSelector: "has(tenant) && tenant not in {'globex'}" } }],
      });
      expect(find(objects, 'Tier', 'platform-guardrails').spec).toEqual({ order: 100, defaultAction: 'Pass' });
    } else {
      const ccnp = find(objects, 'CiliumClusterwideNetworkPolicy', 'tenant-isolation-globex');
      const otherTenants = [{
        matchExpressions: [
          { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
          { key: 'k8s:io.cilium.k8s.namespace.labels.tenant', operator: 'Exists' },
          { key: 'k8s:io.cilium.k8s.namespace.labels.tenant', operator: 'NotIn', values: others.notIn('globex') },
        ],
      }];
      expect(ccnp.spec).toEqual({
        endpointSelector: {
          matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.tenant': 'globex' },
          matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }],
        },
        ingressDeny: [{ fromEndpoints: otherTenants }],
        egressDeny: [{ toEndpoints: otherTenants }],
        enableDefaultDeny: { ingress: false, egress: false },
      });
    }
  });

  test('optional internet egress: 443 to public addresses only', () => {
    const chart = chartFor(cni());
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowInternetEgress: true });
    expect(find(synthValid(chart), 'NetworkPolicy', 'allow-internet-egress', 'acme').spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...IPV4_METADATA, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    }]);
  });
});

describe('TenantIsolation', () => {
  test('guard rails are O(1) per tenant: object and rule counts do not grow with the tenant count', () => {
    const count = (n: number) => {
      const chart = chartFor(Cni.calico());
      new TenantIsolation(chart, 't', { tenants: Array.from({ length: n }, (_, i) => `t${i}`) });
      const objects = synthValid(chart);
      const rules = objects.reduce((sum, o) => sum + (o.spec?.ingress?.length ?? 0) + (o.spec?.egress?.length ?? 0), 0);
      return { objects: objects.length, rules };
    };
    const three = count(3);
    const thirty = count(30);
    // One Tier shared, the rest linear.
    expect((thirty.objects - 1) / 30).toBe((three.objects - 1) / 3);
    expect(thirty.rules / 30).toBe(three.rules / 3);
  });

  test('Cni.kubernetes({ clusterNetworkPolicy: true }): an Admin-tier ClusterNetworkPolicy guard rail per tenant', () => {
    const chart = chartFor(Cni.kubernetes({ clusterNetworkPolicy: true }));
    new TenantIsolation(chart, 't', { tenants: ['acme'] });
    const cnp = find(synthValid(chart), 'ClusterNetworkPolicy', 'tenant-isolation-acme');
    const others = { namespaces: { matchExpressions: [{ key: 'tenant', operator: 'Exists' }, { key: 'tenant', operator: 'NotIn', values: ['acme'] }] } };
    expect(cnp.spec).toEqual({
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { tenant: 'acme' } } },
      ingress: [{ action: 'Deny', from: [others] }],
      egress: [{ action: 'Deny', to: [others] }],
    });
  });

  test('guardrails: false emits none', () => {
    const chart = chartFor(Cni.cilium());
    new TenantIsolation(chart, 't', { tenants: ['acme'], guardrails: false });
    expect(ofKind(synthValid(chart), 'CiliumClusterwideNetworkPolicy')).toEqual([]);
  });

  test.each([
    ['duplicate tenant', { tenants: ['acme', 'acme'] }, /\[test\/t\] tenants\[1\]: duplicate tenant 'acme'/],
    ['tenant not DNS-1123', { tenants: ['Acme Corp'] }, /\[test\/t\] tenants\[0\]: 'Acme Corp' is not a valid DNS-1123 label/],
    ['no tenants', { tenants: [] }, /\[test\/t\] tenants: at least one tenant/],
    ['namespace shared by two tenants', { tenants: ['a', 'b'], namespaces: { a: ['shared'], b: ['shared'] } }, /namespaces\.b\[0\]: namespace 'shared' already belongs to tenant 'a'/],
    ['namespaces for an unknown tenant', { tenants: ['a'], namespaces: { zzz: ['x'] } }, /namespaces\.zzz: 'zzz' is not one of the tenants/],
    ['bad namespace', { tenants: ['a'], namespaces: { a: ['A_B'] } }, /namespaces\.a\[0\]: 'A_B' is not a valid DNS-1123 label/],
    ['a system namespace as a tenant', { tenants: ['a', 'kube-system'] }, /\[test\/t\] tenants\[1\]: 'kube-system' is a system namespace/],
    ['a system namespace in a tenant', { tenants: ['a'], namespaces: { a: ['kube-public'] } }, /namespaces\.a\[0\]: 'kube-public' is a system namespace/],
    ['the ingress controller namespace as a tenant', { tenants: ['a', 'ingress-nginx'] },
      /^\[test\/t\] tenants\[1\]: 'ingress-nginx' runs the ingress controller \(ClusterNetwork ingressController\), which every tenant relies on/],
    ['the monitoring namespace in a tenant', { tenants: ['a'], namespaces: { a: ['web', 'monitoring'] } },
      /^\[test\/t\] namespaces\.a\[1\]: 'monitoring' runs the monitoring pods \(ClusterNetwork monitoring\), which every tenant relies on/],
    ['the monitoring namespace as a tenant', { tenants: ['monitoring'] }, /^\[test\/t\] tenants\[0\]: 'monitoring' runs the monitoring pods/],
    ['a reserved tenant label', { tenants: ['a'], tenantLabel: 'kubernetes.io/metadata.name' }, /\[test\/t\] tenantLabel: 'kubernetes.io\/metadata.name' is reserved/],
    ['a Pod Security key as tenant label', { tenants: ['a'], tenantLabel: 'pod-security.kubernetes.io/enforce' }, /tenantLabel: .* is reserved/],
    ['a bad internet egress port', { tenants: ['a'], allowInternetEgress: true, internetEgressPorts: [Port.udp(70000)] }, /^\[test\/t\] internetEgressPorts\[0\]: port 70000/],
    ['ports without internet egress', { tenants: ['a'], internetEgressPorts: [Port.tcp(80)] }, /internetEgressPorts: only meaningful/],
  ])('%s', (_what, props, message) => {
    expect(() => new TenantIsolation(chartFor(Cni.calico()), 't', props as any)).toThrow(message);
  });

  test('the ingress controller and monitoring namespaces are the ones ClusterNetwork declares', () => {
    const chart = () => chartFor(Cni.calico(), { ingressController: { namespace: 'edge' }, monitoring: { namespace: 'observability' } });
    expect(() => new TenantIsolation(chart(), 't', { tenants: ['edge'] })).toThrow(
      "[test/t] tenants[0]: 'edge' runs the ingress controller (ClusterNetwork ingressController), which every tenant relies on: as a tenant "
      + "namespace it would be under default deny and labelled as one tenant, so the other tenants' guard rails would cut them off from it");
    expect(() => new TenantIsolation(chart(), 't', { tenants: ['a'], namespaces: { a: ['observability'] } })).toThrow(
      /^\[test\/t\] namespaces\.a\[0\]: 'observability' runs the monitoring pods/);
    // The default names are ordinary namespaces there.
    const c = chart();
    new TenantIsolation(c, 't', { tenants: ['ingress-nginx', 'monitoring'] });
    expect(ofKind(synthValid(c), 'Namespace').map((n) => n.metadata.name)).toEqual(['ingress-nginx', 'monitoring']);
  });

  test('allowSameTenant: false leaves tenant namespaces with the baseline only (and the guard rails)', () => {
    const chart = chartFor(Cni.calico());
    const ti = new TenantIsolation(chart, 't', { tenants: ['acme'], allowSameTenant: false });
    const objects = synthValid(chart);
    expect(objects.filter((o) => o.metadata.namespace === 'acme').map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'networking.k8s.io/v1 NetworkPolicy default-deny-all',
      'networking.k8s.io/v1 NetworkPolicy allow-dns',
      'projectcalico.org/v3 NetworkPolicy platform-guardrails.deny-cloud-metadata',
    ]);
    expect(ti.tenantNamespaces.acme[0].policy('allow-same-tenant')).toBeUndefined();
    expect(find(objects, 'GlobalNetworkPolicy', 'platform-guardrails.tenant-isolation-acme').spec.namespaceSelector).toBe("tenant == 'acme'");
  });

  test('flannel refuses without acknowledgement, naming the construct and the CNI', () => {
    expect(() => new TenantIsolation(chartFor(Cni.flannel()), 't', { tenants: ['a'] }))
      .toThrow(/^\[test\/t\/.*CNI 'flannel': it enforces no network policy/);
  });

  test('cilium with internet egress: exactly the documented objects per tenant (snapshot as second layer)', () => {
    const chart = chartFor(Cni.cilium());
    new TenantIsolation(chart, 't', { tenants: ['acme', 'globex'], allowInternetEgress: true });
    const objects = synthValid(chart);
    // README "Constructs": per tenant a zero-trust namespace (default-deny-all, allow-dns, the Cilium
    // deny-cloud-metadata guard rail), allow-same-tenant, allow-internet-egress, and one cluster-wide guard rail.
    expect(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual(
      ['acme', 'globex'].flatMap((t) => [
        `cilium.io/v2 CiliumClusterwideNetworkPolicy /tenant-isolation-${t}`,
        `cilium.io/v2 CiliumNetworkPolicy ${t}/deny-cloud-metadata`,
        `networking.k8s.io/v1 NetworkPolicy ${t}/allow-dns`,
        `networking.k8s.io/v1 NetworkPolicy ${t}/allow-internet-egress`,
        `networking.k8s.io/v1 NetworkPolicy ${t}/allow-same-tenant`,
        `networking.k8s.io/v1 NetworkPolicy ${t}/default-deny-all`,
        `v1 Namespace /${t}`,
      ]).sort());
    expect(objects).toMatchSnapshot();
  });
});

describe('TenantIsolation with names that are Object.prototype members', () => {
  test.each([
    ['without namespaces', { tenants: ['constructor'] }],
    ['with empty namespaces', { tenants: ['constructor'], namespaces: {} }],
  ])("a tenant named 'constructor' (a valid DNS label) gets its namespace and guard rail, %s", (_what, props) => {
    const chart = chartFor(Cni.calico());
    const t = new TenantIsolation(chart, 't', props);
    const objects = synthValid(chart);
    expect(ofKind(objects, 'Namespace').map((n) => [n.metadata.name, n.metadata.labels.tenant])).toEqual([['constructor', 'constructor']]);
    expect(find(objects, 'GlobalNetworkPolicy', 'platform-guardrails.tenant-isolation-constructor').spec.namespaceSelector).toBe("tenant == 'constructor'");
    const tenant: string = 'constructor';
    expect(t.tenantNamespaces[tenant].map((n) => n.name)).toEqual(['constructor']);
  });

  test("a namespace named 'constructor' inside another tenant", () => {
    const chart = chartFor(Cni.calico());
    new TenantIsolation(chart, 't', { tenants: ['a'], namespaces: { a: ['web', 'constructor'] } });
    expect(ofKind(synthValid(chart), 'Namespace').map((n) => n.metadata.name)).toEqual(['web', 'constructor']);
  });
});

describe('the tenant label belongs to TenantIsolation (a namespace cannot join a tenant from outside)', () => {
  test('a ZeroTrustNamespace labelled with the tenant label after a TenantIsolation: an error naming the label', () => {
    const chart = chartFor(Cni.calico());
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    expect(() => new ZeroTrustNamespace(chart, 'rogue', { name: 'rogue', labels: { tenant: 'acme' } })).toThrow(
      "[test/rogue] labels.tenant: 'tenant' is the tenant label of TenantIsolation test/tenants: this namespace would join a tenant "
      + "without being one of its namespaces; list it under that TenantIsolation's namespaces instead");
  });

  test('the same, the ZeroTrustNamespace first: the TenantIsolation names its tenantLabel', () => {
    const chart = chartFor(Cni.calico());
    new ZeroTrustNamespace(chart, 'rogue', { name: 'rogue', labels: { team: 'x', tenant: 'acme' } });
    expect(() => new TenantIsolation(chart, 'tenants', { tenants: ['acme'] })).toThrow(
      "[test/tenants] tenantLabel: the zero-trust namespace 'rogue' (test/rogue) already carries the label 'tenant', so it would join "
      + "a tenant without being one of this construct's namespaces: list it under namespaces instead");
  });

  test('other labels and a second TenantIsolation with the same key are fine', () => {
    const chart = chartFor(Cni.calico());
    new ZeroTrustNamespace(chart, 'shared', { name: 'shared', labels: { team: 'platform', customer: 'x', org: 'y' } });
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    new TenantIsolation(chart, 'more', { tenants: ['globex'] });
    const objects = synthValid(chart);
    expect(find(objects, 'Namespace', 'globex').metadata.labels.tenant).toBe('globex');
    expect(find(objects, 'Namespace', 'shared').metadata.labels.org).toBe('y');
  });
});

describe('one tenant label key per app, each tenant declared once', () => {
  // Each guard rail denies only namespaces carrying its own key with another value: with two keys,
  // `customer-tenant: globex` is no "other tenant" for `tenant: acme`, and one permissive allow on
  // each side opens acme <-> globex.
  test.each(ENFORCING_CNIS)('two TenantIsolations with different keys are an error naming both constructs and keys, whichever comes first, on %s', (_name, cni) => {
    const chart = chartFor(cni());
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'] });
    expect(() => new TenantIsolation(chart, 'customers', { tenants: ['globex'], tenantLabel: 'customer-tenant' })).toThrow(
      "[test/customers] tenantLabel: 'customer-tenant' differs from the tenant label 'tenant' of TenantIsolation test/tenants: guard rails "
      + "of different keys do not see each other's tenants as other tenants, so tenants of test/customers and test/tenants would not be "
      + 'isolated from each other. Use one tenant label key in the whole app');
    const reversed = chartFor(cni());
    new TenantIsolation(reversed, 'customers', { tenants: ['globex'], tenantLabel: 'customer-tenant' });
    expect(() => new TenantIsolation(reversed, 'tenants', { tenants: ['acme'] })).toThrow(
      "[test/tenants] tenantLabel: 'tenant' differs from the tenant label 'customer-tenant' of TenantIsolation test/customers");
  });

  test('the same tenant in two TenantIsolations is an error naming both (it would merge silently)', () => {
    const chart = chartFor(Cni.calico());
    new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'] });
    expect(() => new TenantIsolation(chart, 'more', { tenants: ['initech', 'globex'], namespaces: { globex: ['globex-extra'] } })).toThrow(
      "[test/more] tenants[1]: tenant 'globex' is already declared by TenantIsolation test/tenants: its namespaces would silently join "
      + 'that tenant. Declare each tenant once, listing all its namespaces under namespaces');
  });
});
