/*
 * Endpoint selection and namespace scoping, per
 * https://docs.cilium.io/en/stable/security/policy/kubernetes/ (namespaces, service accounts,
 * clusterwide policies) and Cilium's policy parser (implicit namespace of peer selectors).
 */
import { api, billingApi, billingWeb, ccnp, cnp, egress, external, ingress, node, pod, web, worker } from './helpers';

const allowWebToApi = cnp('shop', 'api-from-web', {
  endpointSelector: { matchLabels: { app: 'api' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
});

describe('CiliumNetworkPolicy endpointSelector', () => {
  test('selects only endpoints in the policy namespace', () => {
    const selected = ingress([allowWebToApi], worker, api, 8080);
    expect(selected.allowed).toBe(false);
    expect(selected.reasons[0]).toMatchObject({ effect: 'isolate', rule: 'spec', object: { name: 'api-from-web', namespace: 'shop' } });

    // billing/api has the same labels but lives in another namespace: not selected, no default deny.
    const other = ingress([allowWebToApi], pod('billing', 'worker', { app: 'worker' }), billingApi, 8080);
    expect(other.allowed).toBe(true);
    expect(other.reasons.map((r) => r.effect)).toEqual(['default-allow']);
  });

  test('a namespace match in the endpointSelector cannot escape the policy namespace', () => {
    const policy = cnp('shop', 'sneaky', {
      endpointSelector: { matchLabels: { 'app': 'api', 'k8s:io.kubernetes.pod.namespace': 'billing' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
    });
    expect(ingress([policy], billingWeb, billingApi, 80).reasons[0].effect).toBe('default-allow');
    expect(ingress([policy], worker, api, 80).allowed).toBe(false);
  });

  test('allow reason names the object and the rule path', () => {
    const v = ingress([allowWebToApi], web, api, 8080);
    expect(v.allowed).toBe(true);
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatchObject({
      effect: 'allow',
      rule: 'spec.ingress[0]',
      object: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'api-from-web' },
    });
    expect(v.reasons[0].message).toContain('fromEndpoints[0]');
  });
});

describe('fromEndpoints namespace scoping', () => {
  test('a CNP peer selector is implicitly limited to the policy namespace', () => {
    expect(ingress([allowWebToApi], web, api, 8080).allowed).toBe(true);
    expect(ingress([allowWebToApi], billingWeb, api, 8080).allowed).toBe(false);
  });

  test('k8s:io.kubernetes.pod.namespace in the peer selector selects another namespace', () => {
    const policy = cnp('shop', 'from-billing', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'billing' } }] }],
    });
    expect(ingress([policy], billingWeb, api, 8080).allowed).toBe(true);
    expect(ingress([policy], web, api, 8080).allowed).toBe(false);
  });

  test('the source-less io.kubernetes.pod.namespace key works the same (any: source)', () => {
    const policy = cnp('shop', 'from-billing', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'In', values: ['billing'] }] }] }],
    });
    expect(ingress([policy], billingWeb, api, 8080).allowed).toBe(true);
    expect(ingress([policy], web, api, 8080).allowed).toBe(false);
  });

  test('fromEndpoints [{}] in a CNP is every pod of the namespace, nothing else', () => {
    const policy = cnp('shop', 'same-ns', { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] });
    expect(ingress([policy], worker, api, 1234).allowed).toBe(true);
    expect(ingress([policy], billingWeb, api, 1234).allowed).toBe(false);
    expect(ingress([policy], node({ 'reserved:remote-node': '' }), api, 1234).allowed).toBe(false);
    expect(ingress([policy], external('198.51.100.1'), api, 1234).allowed).toBe(false);
  });

  test('namespace-label selectors in a CNP stay in the policy namespace (the parser injects it unless the pod namespace is named)', () => {
    // pkg/k8s/apis/cilium.io/utils getEndpointSelector adds k8s:io.kubernetes.pod.namespace=<policy
    // namespace> to every peer selector without a (k8s: or any:) io.kubernetes.pod.namespace key:
    // namespace labels alone do not reach other namespaces ("ignored", docs Known Pitfalls).
    const policy = cnp('shop', 'from-finance', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'finance' } }] }],
    });
    const v = ingress([policy], billingWeb, api, 80);
    expect([v.outcome, v.reasons.map((r) => r.message)]).toEqual([0, [
      'CiliumNetworkPolicy shop/from-finance spec selects shop/api and puts its ingress into default deny (it has ingress rules)',
      'shop/api is in default deny for ingress and no rule allows from billing/web to shop/api on 80/TCP',
    ]]);
    expect(ingress([policy], web, api, 80).outcome).toBe(0);
    // The same selector in billing (whose namespace is labelled team=finance) selects billing's pods.
    const inBilling = cnp('billing', 'from-finance', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'finance' } }] }],
    });
    expect(ingress([inBilling], billingWeb, billingApi, 80).outcome).toBe(1);
    expect(ingress([inBilling], web, billingApi, 80).outcome).toBe(0);
    // Naming the pod namespace too lifts the restriction.
    const named = cnp('shop', 'from-billing-finance', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'billing', 'io.cilium.k8s.namespace.labels.team': 'finance' } }] }],
    });
    expect(ingress([named], billingWeb, api, 80).outcome).toBe(1);
  });

  test('service account label selects pods by service account', () => {
    const luke = pod('shop', 'luke', { app: 'x' }, { serviceAccount: 'luke' });
    const policy = cnp('shop', 'sa', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'luke' } }] }],
    });
    expect(ingress([policy], luke, api, 80).allowed).toBe(true);
    expect(ingress([policy], worker, api, 80).allowed).toBe(false);
  });

  test('source prefixes: k8s: and any: match pod labels, reserved: only reserved identities', () => {
    const mk = (key: string): any => cnp('shop', 'p', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { [key]: 'web' } }] }],
    });
    expect(ingress([mk('k8s:app')], web, api, 80).allowed).toBe(true);
    expect(ingress([mk('any:app')], web, api, 80).allowed).toBe(true);
    expect(ingress([mk('reserved:app')], web, api, 80).allowed).toBe(false);
    const toHost = cnp('shop', 'host', {
      endpointSelector: { matchLabels: { app: 'api' } },
      egress: [{ toEndpoints: [{ matchLabels: { 'reserved:host': '' } }] }],
    });
    expect(egress([toHost], api, node(), 10250).allowed).toBe(true);
    expect(egress([toHost], api, web, 80).allowed).toBe(false);
  });
});

describe('CiliumClusterwideNetworkPolicy scope', () => {
  const clusterwide = ccnp('api-from-web', {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
  });

  test('selects subjects and peers in every namespace', () => {
    expect(ingress([clusterwide], billingWeb, api, 80).allowed).toBe(true);
    expect(ingress([clusterwide], web, billingApi, 80).allowed).toBe(true);
    expect(ingress([clusterwide], worker, billingApi, 80).allowed).toBe(false);
    expect(ingress([clusterwide], worker, billingApi, 80).reasons[0]).toMatchObject({
      effect: 'isolate',
      object: { kind: 'CiliumClusterwideNetworkPolicy', name: 'api-from-web', namespace: undefined },
    });
  });

  test('fromEndpoints [{}] in a CCNP is every pod of the cluster, but not the host or world', () => {
    const policy = ccnp('all-pods', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{}] }] });
    expect(ingress([policy], billingWeb, api, 80).allowed).toBe(true);
    expect(ingress([policy], web, billingApi, 80).allowed).toBe(true);
    expect(ingress([policy], node({ 'reserved:remote-node': '' }), api, 80).allowed).toBe(false);
    expect(ingress([policy], external('198.51.100.1'), api, 80).allowed).toBe(false);
  });

  test('namespace label selectors in a CCNP', () => {
    const policy = ccnp('from-finance', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'finance' } }] }],
    });
    expect(ingress([policy], billingWeb, api, 80).allowed).toBe(true);
    expect(ingress([policy], web, api, 80).allowed).toBe(false);
  });

  test('host policies (nodeSelector only) never select pods', () => {
    const host = ccnp('host-fw', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] });
    const v = ingress([host], external('198.51.100.1'), api, 80);
    expect(v.allowed).toBe(true);
    expect(v.reasons[0].effect).toBe('default-allow');
    // The host policy admits the whole cluster: whichever nodes it selects, web may reach them.
    expect(ingress([host], web, node(), 22).outcome).toBe(1);
    // The internet is outside `cluster`: a node the policy selects denies it, others allow it.
    const fromWorld = ingress([host], external('198.51.100.1'), node(), 22);
    expect(fromWorld.outcome).toBe(2);
    expect(fromWorld.uncertain).toEqual(['host policies (CiliumClusterwideNetworkPolicy host-fw spec) select nodes by node labels, '
      + 'which the manifests do not hold, and may deny ingress of nodes and hostNetwork pods here']);
  });
});

describe('fromRequires / toRequires get the policy namespace like peer selectors', () => {
  // getEndpointSelector (pkg/k8s/apis/cilium.io/utils) is applied to FromRequires/ToRequires too,
  // without the exception for reserved: keys: in a CNP a requirement that does not name the pod
  // namespace only admits peers of the policy namespace (in a CCNP: any pod).
  const requiring = (kind: 'cnp' | 'ccnp') => {
    const spec = {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'billing' } }, {}], fromRequires: [{ matchLabels: { app: 'web' } }] }],
    };
    return kind === 'cnp' ? cnp('shop', 'req', spec) : ccnp('req', spec);
  };

  test('CNP: a billing peer fails the requirement under 1.18, passes without it under 1.19+: indeterminate', () => {
    const v = ingress([requiring('cnp')], billingWeb, api, 80);
    expect([v.outcome, v.uncertain]).toEqual([2, ['CiliumNetworkPolicy shop/req uses fromRequires/toRequires, which Cilium 1.18 applies and 1.19+ '
      + 'rejects with the whole policy (cilium/cilium#42615): the two give different verdicts here']]);
    // A shop peer with app=web meets it under both.
    expect(ingress([requiring('cnp')], web, api, 80).outcome).toBe(1);
  });

  test('CCNP: the requirement reaches every namespace', () => {
    expect(ingress([requiring('ccnp')], billingWeb, api, 80).outcome).toBe(1);
  });
});
