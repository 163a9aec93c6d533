/*
 * Deny precedence, default-deny mode and combination with Kubernetes NetworkPolicy, per
 * https://docs.cilium.io/en/stable/security/policy/deny/ and
 * https://docs.cilium.io/en/stable/security/policy/intro/#endpoint-default-policy plus the CRD
 * description of enableDefaultDeny.
 */
import { api, ccnp, cnp, egress, external, ingress, internet, node, np, web, worker } from './helpers';

const allowWeb = cnp('shop', 'allow-web', {
  endpointSelector: { matchLabels: { app: 'api' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
});

describe('deny rules', () => {
  test('ingressDeny wins over a CNP allow in another policy', () => {
    const deny = cnp('shop', 'deny-web-8443', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] }],
    });
    const denied = ingress([allowWeb, deny], web, api, 8443);
    expect(denied.allowed).toBe(false);
    expect(denied.reasons[0]).toMatchObject({ effect: 'deny', rule: 'spec.ingressDeny[0]', object: { name: 'deny-web-8443' } });
    // Other ports stay allowed by the allow rule.
    expect(ingress([allowWeb, deny], web, api, 8080).allowed).toBe(true);
  });

  test('egressDeny in a CCNP wins over a Kubernetes NetworkPolicy allow', () => {
    const k8sAllow = np('shop', 'web-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    const metadataDeny = ccnp('no-metadata', {
      endpointSelector: {},
      enableDefaultDeny: { egress: false, ingress: false },
      egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
    });
    const metadata = external('169.254.169.254');
    const v = egress([k8sAllow, metadataDeny], web, metadata, 80);
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toMatchObject({ effect: 'deny', rule: 'spec.egressDeny[0]', object: { kind: 'CiliumClusterwideNetworkPolicy' } });
    const ok = egress([k8sAllow, metadataDeny], web, internet, 443);
    expect(ok.allowed).toBe(true);
    expect(ok.reasons[0]).toMatchObject({ effect: 'allow', object: { kind: 'NetworkPolicy', name: 'web-egress' }, rule: 'spec.egress[0]' });
  });
});

describe('default deny', () => {
  test('enableDefaultDeny false on a deny-only guard rail leaves other traffic allowed', () => {
    const guard = ccnp('guard', {
      endpointSelector: {},
      enableDefaultDeny: { egress: false },
      egressDeny: [{ toCIDR: ['169.254.169.254/32'] }],
    });
    const v = egress([guard], web, internet, 443);
    expect(v.allowed).toBe(true);
    expect(v.reasons.map((r) => r.effect)).toEqual(['default-allow']);
    expect(egress([guard], web, external('169.254.169.254'), 80).allowed).toBe(false);
  });

  test('a deny-only policy without enableDefaultDeny puts the direction into default deny', () => {
    // "If not specified, the default is true for each traffic direction that has rules" (CRD).
    const denyOnly = cnp('shop', 'deny-only', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'worker' } }] }],
    });
    const v = ingress([denyOnly], web, api, 8080);
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toMatchObject({ effect: 'isolate', rule: 'spec', object: { name: 'deny-only' } });
    expect(ingress([denyOnly], worker, api, 8080).reasons[0].effect).toBe('deny');
    // Egress has no rules: not in default deny.
    expect(egress([denyOnly], api, internet, 443).allowed).toBe(true);
  });

  test('an empty ingress list does not apply at ingress', () => {
    const empty = cnp('shop', 'empty', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [] });
    expect(ingress([empty], web, api, 80).allowed).toBe(true);
  });

  test('enableDefaultDeny ingress true with no ingress rules does not isolate (Cilium reads the flag only of rules with ingress rules)', () => {
    // pkg/policy/repository.go computePolicyEnforcementAndRules / pkg/policy/utils RulesToPolicyEntries.
    const edd = cnp('shop', 'edd', {
      endpointSelector: { matchLabels: { app: 'api' } },
      enableDefaultDeny: { ingress: true },
      egress: [{ toEntities: ['world'] }],
    });
    const v = ingress([edd], web, api, 80);
    expect(v.allowed).toBe(true);
    expect(v.reasons.map((r) => r.message)).toEqual([
      'no Cilium or Kubernetes policy puts shop/api into default deny for ingress (selecting Cilium rules have enableDefaultDeny disabled or no ingress rules)',
    ]);
    // With an ingress rule the explicit flag isolates, and says so.
    const withRule = cnp('shop', 'edd', { ...edd.spec, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'worker' } }] }] });
    const denied = ingress([withRule], web, api, 80);
    expect(denied.allowed).toBe(false);
    expect(denied.reasons[0].message).toContain('enableDefaultDeny.ingress: true');
  });

  test('an egress policy does not restrict ingress (per-direction default deny)', () => {
    const egressOnly = cnp('shop', 'egress-only', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{ toEntities: ['world'] }] });
    expect(ingress([egressOnly], worker, api, 80).allowed).toBe(true);
    expect(egress([egressOnly], api, worker, 80).allowed).toBe(false);
  });
});

describe('combining policies', () => {
  test('multiple policies union their allows', () => {
    const allowWorker = cnp('shop', 'allow-worker', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'worker' } }], toPorts: [{ ports: [{ port: '9090' }] }] }],
    });
    expect(ingress([allowWeb, allowWorker], web, api, 8080).allowed).toBe(true);
    expect(ingress([allowWeb, allowWorker], worker, api, 9090).allowed).toBe(true);
    expect(ingress([allowWeb, allowWorker], worker, api, 8080).allowed).toBe(false);
    expect(ingress([allowWeb, allowWorker], internet, api, 8080).allowed).toBe(false);
  });

  test('Kubernetes NetworkPolicy and CNP: both allow, both isolate', () => {
    const k8s = np('shop', 'api-from-worker', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'worker' } } }], ports: [{ port: 9090, protocol: 'TCP' }] }],
    });
    const viaNp = ingress([allowWeb, k8s], worker, api, 9090);
    expect(viaNp.allowed).toBe(true);
    expect(viaNp.reasons[0]).toMatchObject({ effect: 'allow', object: { kind: 'NetworkPolicy', name: 'api-from-worker' } });
    expect(ingress([allowWeb, k8s], web, api, 8080).allowed).toBe(true);
    const denied = ingress([allowWeb, k8s], internet, api, 9090);
    expect(denied.allowed).toBe(false);
    expect(denied.reasons.filter((r) => r.effect === 'isolate').map((r) => r.object?.kind)).toEqual([
      'CiliumNetworkPolicy',
      'NetworkPolicy',
    ]);
  });

  test('a NetworkPolicy ipBlock matches external peers only, never pods or nodes', () => {
    const k8s = np('shop', 'web-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }],
    });
    expect(egress([k8s], web, external('10.20.0.5'), 443).allowed).toBe(true);
    expect(egress([k8s], web, { ...api, ip: '10.1.2.3' }, 8080).allowed).toBe(false);
    expect(egress([k8s], web, node(), 10250).allowed).toBe(false);
  });

  test('a Kubernetes NetworkPolicy alone puts the pod into default deny', () => {
    const k8s = np('shop', 'isolate-api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] });
    expect(ingress([k8s], web, api, 80).allowed).toBe(false);
    expect(ingress([k8s], web, worker, 80).allowed).toBe(true);
  });

  test('specs array: each rule is evaluated, with its own path', () => {
    const multi = cnp('shop', 'multi', undefined, {
      specs: [
        { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['world'] }] },
        { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
      ],
    });
    const v = ingress([multi], web, api, 80);
    expect(v.allowed).toBe(true);
    expect(v.reasons[0]).toMatchObject({ effect: 'allow', rule: 'specs[1].ingress[0]' });
    expect(egress([multi], web, internet, 443).reasons[0].rule).toBe('specs[0].egress[0]');
    expect(egress([multi], web, api, 80).allowed).toBe(false);
    expect(ingress([multi], worker, api, 80).reasons[0]).toMatchObject({ effect: 'isolate', rule: 'specs[1]' });
  });

  test('external and node subjects are not subject to pod policies', () => {
    const all = ccnp('all', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] });
    const v = egress([all], internet, api, 80);
    expect(v.allowed).toBe(true);
    expect(v.reasons[0].effect).toBe('default-allow');
  });
});
