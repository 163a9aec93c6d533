/*
 * Entities and CIDR rules, per https://docs.cilium.io/en/stable/security/policy/language/
 * (Entities based; IP/CIDR based: "By default, CIDR-based selectors do not match in-cluster
 * entities (pods or nodes)").
 */
import { api, billingApi, ccnp, cnp, egress, external, ingress, internet, node, pod, web } from './helpers';

describe('entities', () => {
  test('fromEntities world: only endpoints outside the cluster', () => {
    const policy = cnp('shop', 'public', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEntities: ['world'] }] });
    expect(ingress([policy], internet, web, 443).allowed).toBe(true);
    expect(ingress([policy], api, web, 443).allowed).toBe(false);
    expect(ingress([policy], node({ 'reserved:remote-node': '' }), web, 443).allowed).toBe(false);
  });

  test('toEntities cluster: pods of any namespace and nodes, not the internet', () => {
    const policy = cnp('shop', 'in-cluster', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['cluster'] }] });
    expect(egress([policy], web, billingApi, 80).allowed).toBe(true);
    expect(egress([policy], web, node(), 10250).allowed).toBe(true);
    expect(egress([policy], web, internet, 443).allowed).toBe(false);
  });

  test('toEntities host: the local node, not ordinary pods; hostNetwork pods (node unknown) count as remote-node', () => {
    const policy = cnp('shop', 'to-host', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{ toEntities: ['host'] }] });
    const hostNetPod = pod('kube-system', 'node-exporter', { app: 'ne' }, { hostNetwork: true });
    expect(egress([policy], api, node(), 10250).allowed).toBe(true);
    expect(egress([policy], api, web, 8080).allowed).toBe(false);
    // As in the Kubernetes and Calico models, a hostNetwork pod is taken to run on another node.
    expect(egress([policy], api, hostNetPod, 9100).allowed).toBe(false);
    const toNodes = cnp('shop', 'to-nodes', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{ toEntities: ['remote-node'] }] });
    expect(egress([toNodes], api, hostNetPod, 9100).allowed).toBe(true);
  });

  test('ingress from the local host is always allowed (allow-localhost), unless a deny rule matches', () => {
    const strict = cnp('shop', 'strict', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEntities: ['world'] }] });
    const v = ingress([strict], node(), api, 8080);
    expect(v.allowed).toBe(true);
    expect(v.reasons[0].effect).toBe('default-allow');
    expect(v.reasons[0].message).toContain('allow-localhost');
    // A hostNetwork pod on another node is not the local host: the policy decides (and denies).
    const hostNetPod = pod('kube-system', 'node-exporter', { app: 'ne' }, { hostNetwork: true });
    expect(ingress([strict], hostNetPod, api, 8080).allowed).toBe(false);
    const denyHost = cnp('shop', 'deny-host', { endpointSelector: { matchLabels: { app: 'api' } }, ingressDeny: [{ fromEntities: ['host'] }] });
    expect(ingress([denyHost], node(), api, 8080).reasons[0]).toMatchObject({ effect: 'deny', rule: 'spec.ingressDeny[0]' });
  });

  test('toEntities all: everything', () => {
    const policy = cnp('shop', 'all', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }] });
    expect(egress([policy], web, internet, 443).allowed).toBe(true);
    expect(egress([policy], web, billingApi, 5432).allowed).toBe(true);
    expect(egress([policy], web, node(), 22).allowed).toBe(true);
  });

  test('remote-node matches only an endpoint marked reserved:remote-node; the default node is the local host', () => {
    const policy = cnp('shop', 'nodes', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{ toEntities: ['remote-node'] }] });
    expect(egress([policy], api, node(), 80).allowed).toBe(false);
    expect(egress([policy], api, node({ 'reserved:remote-node': '' }), 80).allowed).toBe(true);
    const fromRemote = cnp('shop', 'from-nodes', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEntities: ['remote-node'] }] });
    expect(ingress([fromRemote], node({ 'reserved:remote-node': '' }), api, 80).allowed).toBe(true);
    expect(ingress([fromRemote], web, api, 80).allowed).toBe(false);
  });

  test('kube-apiserver matches an endpoint labelled reserved:kube-apiserver, which is also in cluster', () => {
    const apiserver = external('192.0.2.10', undefined, { 'reserved:kube-apiserver': '' });
    const policy = cnp('shop', 'apiserver', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['kube-apiserver'] }] });
    expect(egress([policy], web, apiserver, 443).allowed).toBe(true);
    expect(egress([policy], web, external('192.0.2.11'), 443).allowed).toBe(false);
    const cluster = cnp('shop', 'cluster', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['cluster'] }] });
    expect(egress([cluster], web, apiserver, 443).allowed).toBe(true);
  });

  test('an empty fromEntities list selects nothing, while an L4-only rule selects every peer', () => {
    const none = cnp('shop', 'none', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEntities: [] }] });
    expect(ingress([none], web, api, 80).allowed).toBe(false);
    const l4only = cnp('shop', 'l4', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
    });
    expect(ingress([l4only], internet, api, 80).allowed).toBe(true);
    expect(ingress([l4only], web, api, 80).allowed).toBe(true);
    expect(ingress([l4only], web, api, 81).allowed).toBe(false);
  });
});

describe('CIDR rules', () => {
  const internetOnly = cnp('shop', 'internet', {
    endpointSelector: { matchLabels: { app: 'web' } },
    egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] }] }],
  });

  test('toCIDRSet with except', () => {
    expect(egress([internetOnly], web, internet, 443).allowed).toBe(true);
    const v = egress([internetOnly], web, internet, 443);
    expect(v.reasons[0]).toMatchObject({ effect: 'allow', rule: 'spec.egress[0]' });
    expect(v.reasons[0].message).toContain('toCIDRSet[0]');
    expect(egress([internetOnly], web, external('10.1.2.3'), 443).allowed).toBe(false);
    expect(egress([internetOnly], web, external('169.254.169.254'), 80).allowed).toBe(false);
  });

  test('CIDR rules never match pods or nodes, even when their IP is in range', () => {
    const policy = cnp('shop', 'tens', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toCIDR: ['10.0.0.0/8'] }] });
    const podWithIp = { ...api, ip: '10.1.2.3' };
    expect(egress([policy], web, podWithIp, 8080).allowed).toBe(false);
    expect(egress([policy], web, node(), 10250).allowed).toBe(false);
    expect(egress([policy], web, external('10.9.9.9'), 5432).allowed).toBe(true);
  });

  test('fromCIDR on ingress', () => {
    const policy = ccnp('office', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromCIDR: ['198.51.100.0/24'] }] });
    expect(ingress([policy], external('198.51.100.20'), web, 443).allowed).toBe(true);
    expect(ingress([policy], internet, web, 443).allowed).toBe(false);
  });

  test('cidrGroupRef to a CiliumCIDRGroup that is not in the manifests: external flows are indeterminate, pods still denied', () => {
    const policy = cnp('shop', 'group', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toCIDRSet: [{ cidrGroupRef: 'partners' }] }] });
    const v = egress([policy], web, internet, 443);
    expect(v.outcome).toBe(2);
    expect(v.uncertain).toEqual([
      'CiliumNetworkPolicy shop/group spec.egress[0]: cidrGroupRef partners: no CiliumCIDRGroup of that name in the manifests, so its CIDRs are unknown',
    ]);
    // CIDR rules never select in-cluster endpoints.
    expect(egress([policy], web, api, 443).outcome).toBe(0);
  });

  test('a cidrGroupSelector that matches no CiliumCIDRGroup of the manifests: external flows are indeterminate (as for a missing cidrGroupRef)', () => {
    const policy = cnp('shop', 'by-sel', {
      endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { kind: 'partner' } } }] }],
    });
    const other = {
      apiVersion: 'cilium.io/v2', kind: 'CiliumCIDRGroup', metadata: { name: 'vendors', labels: { kind: 'vendor' } }, spec: { externalCIDRs: ['203.0.113.0/24'] },
    };
    for (const manifests of [[policy], [policy, other]]) {
      const v = egress(manifests, web, internet, 443);
      expect(v.outcome).toBe(2);
      expect(v.uncertain).toEqual([
        'CiliumNetworkPolicy shop/by-sel spec.egress[0]: cidrGroupSelector {"matchLabels":{"kind":"partner"}}: no CiliumCIDRGroup in the manifests '
        + 'matches it, so the CIDRs it selects are unknown',
      ]);
      expect(egress(manifests, web, api, 443).outcome).toBe(0);
    }
  });

  test('cidrGroupRef and cidrGroupSelector resolve through the CiliumCIDRGroups of the manifests', () => {
    const group = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumCIDRGroup',
      metadata: { name: 'partners', labels: { kind: 'partner' } },
      spec: { externalCIDRs: ['198.51.100.0/24'] },
    };
    const byRef = cnp('shop', 'by-ref', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toCIDRSet: [{ cidrGroupRef: 'partners' }] }] });
    const bySelector = cnp('shop', 'by-sel', {
      endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { kind: 'partner' } } }] }],
    });
    for (const policy of [byRef, bySelector]) {
      expect(egress([policy, group], web, external('198.51.100.20'), 443).outcome).toBe(1);
      expect(egress([policy, group], web, internet, 443).outcome).toBe(0);
    }
  });
});
