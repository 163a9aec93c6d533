import { cnp, egress, evaluate, external, gnp, ingress, NAMESPACES, pod, tier } from './helpers';
import { calicoModel } from '../../../src/analysis/calico';
import { ManifestObject } from '../../../src/analysis/model';
import { MAYBE, NO, YES } from '../../../src/analysis/verdict';
import { expectValidManifests } from '../../support/schema';

// Expected values follow https://docs.tigera.io/calico/latest/reference/resources/tier ("How policy
// is evaluated"), .../resources/networkpolicy and .../resources/globalnetworkpolicy.
const web = pod('shop', 'web', { app: 'web' }, { ip: '10.1.0.10', namedPorts: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
const api = pod('shop', 'api', { app: 'api' }, { ip: '10.1.0.11', serviceAccount: 'api-sa' });
const invoice = pod('billing', 'invoice', { app: 'invoice' }, { ip: '10.2.0.5' });

const allowWebIngress = (name: string, order?: number) => gnp(name, {
  ...(order !== undefined ? { order } : {}),
  selector: "app == 'web'",
  types: ['Ingress'],
  ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }],
});
const denyWebIngress = (name: string, order?: number) => gnp(name, {
  ...(order !== undefined ? { order } : {}),
  selector: "app == 'web'",
  types: ['Ingress'],
  ingress: [{ action: 'Deny', source: { selector: "app == 'api'" } }],
});

describe('policy order within a tier', () => {
  test('the Deny with the lower order wins over a later Allow', () => {
    const v = evaluate([denyWebIngress('deny', 10), allowWebIngress('allow', 20)], ingress(api, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toMatchObject({ effect: 'deny', rule: 'spec.ingress[0]', object: { kind: 'GlobalNetworkPolicy', name: 'deny' } });
  });

  test('the Allow with the lower order wins over a later Deny', () => {
    const v = evaluate([denyWebIngress('deny', 20), allowWebIngress('allow', 10)], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons[0]).toMatchObject({ effect: 'allow', object: { name: 'allow' } });
  });

  test('a policy without order comes after ordered ones', () => {
    const v = evaluate([denyWebIngress('a-deny'), allowWebIngress('z-allow', 5000)], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons[0].object?.name).toBe('z-allow');
  });

  test('equal order is broken by name', () => {
    const v = evaluate([allowWebIngress('b-allow', 10), denyWebIngress('a-deny', 10)], ingress(api, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0].object?.name).toBe('a-deny');
  });

  test('Log continues to the next rule', () => {
    const p = gnp('log-then-allow', {
      selector: 'all()', ingress: [{ action: 'Log' }, { action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }],
    });
    const v = evaluate([p], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons.map((r) => [r.effect, r.rule])).toEqual([['allow', 'spec.ingress[1]'], ['log', 'spec.ingress[0]']]);
  });
});

describe('tiers', () => {
  const platformDeny = gnp('platform.deny-cross-tenant', {
    tier: 'platform',
    order: 10,
    selector: 'all()',
    types: ['Ingress'],
    ingress: [{ action: 'Deny', source: { namespaceSelector: "tenant == 'globex'" } }, { action: 'Pass' }],
  });

  test('a Deny in an earlier tier names tier and order', () => {
    const v = evaluate([tier('platform', 100), platformDeny, allowWebIngress('allow-all-web', 1)], ingress(invoice, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toEqual({
      object: { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', namespace: undefined, name: 'platform.deny-cross-tenant' },
      rule: 'spec.ingress[0]',
      effect: 'deny',
      message: 'GlobalNetworkPolicy platform.deny-cross-tenant spec.ingress[0] Deny (tier platform, order 10)',
    });
  });

  test('Pass skips to the next tier, which allows', () => {
    const v = evaluate([tier('platform', 100), platformDeny, allowWebIngress('allow-web', 1)], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons.map((r) => [r.effect, r.object?.name])).toEqual([['allow', 'allow-web'], ['pass', 'platform.deny-cross-tenant']]);
  });

  test('Pass skips to the next tier, whose end-of-tier Deny applies', () => {
    const v = evaluate([tier('platform', 100), platformDeny, allowWebIngress('allow-web', 1)], ingress(api, web, 9090));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0].effect).toBe('isolate');
    expect(v.reasons[0].message).toContain('end of tier default');
    expect(v.reasons[1].effect).toBe('pass');
  });

  test('Pass skips the remaining policies of the same tier', () => {
    const passAll = gnp('platform.pass', { tier: 'platform', order: 1, selector: 'all()', ingress: [{ action: 'Pass' }] });
    const denyLater = gnp('platform.deny', { tier: 'platform', order: 2, selector: 'all()', ingress: [{ action: 'Deny' }] });
    const v = evaluate([tier('platform', 100), passAll, denyLater], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons[0].effect).toBe('default-allow');
  });

  test('tier defaultAction Deny vs Pass when a selecting policy matches nothing', () => {
    const unmatched = gnp('sec.only-dns', {
      tier: 'sec', selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }],
    });
    const denied = evaluate([tier('sec', 50), unmatched], egress(web, external('203.0.113.7'), 443));
    expect(denied.allowed).toBe(false);
    expect(denied.reasons[0]).toMatchObject({ effect: 'isolate', object: { name: 'sec.only-dns' } });
    expect(denied.reasons[0].message).toContain('tier sec (order 50)');
    expect(denied.reasons[0].message).toContain('GlobalNetworkPolicy sec.only-dns');
    const passed = evaluate([tier('sec', 50, 'Pass'), unmatched], egress(web, external('203.0.113.7'), 443));
    expect(passed.allowed).toBe(true);
    expect(passed.reasons.map((r) => r.effect)).toEqual(['default-allow', 'pass']);
  });

  test('tiers are evaluated by order, not by declaration', () => {
    const a = gnp('late.allow', { tier: 'late', selector: 'all()', ingress: [{ action: 'Allow' }] });
    const b = gnp('early.deny', { tier: 'early', selector: 'all()', ingress: [{ action: 'Deny' }] });
    const v = evaluate([tier('late', 200), tier('early', 100), a, b], ingress(api, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0].object?.name).toBe('early.deny');
  });

  test('a policy in an undeclared tier is not applied', () => {
    const p = gnp('ghost.deny', { tier: 'ghost', selector: 'all()', ingress: [{ action: 'Deny' }] });
    const v = evaluate([p], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons.some((r) => r.message.includes("tier 'ghost', which is not declared"))).toBe(true);
  });
});

describe('selection', () => {
  test('an endpoint that no policy selects is allowed by the profile', () => {
    const v = evaluate([allowWebIngress('allow-web', 1)], ingress(web, api, 5432));
    expect(v).toEqual({
      outcome: 1,
      allowed: true,
      reasons: [{ effect: 'default-allow', message: 'no policy selects shop/api for ingress: the namespace profile allows ingress TCP/5432 from shop/web' }],
    });
  });

  test('types defaulting: egress rules only => Egress only; no rules => Ingress', () => {
    const egressOnly = gnp('egress-only', { selector: 'all()', egress: [{ action: 'Deny' }] });
    expect(evaluate([egressOnly], ingress(api, web, 8080)).allowed).toBe(true);
    expect(evaluate([egressOnly], egress(api, web, 8080)).allowed).toBe(false);
    const noRules = gnp('no-rules', { selector: "app == 'web'" });
    expect(evaluate([noRules], ingress(api, web, 8080)).allowed).toBe(false);
    expect(evaluate([noRules], egress(web, api, 8080)).allowed).toBe(true);
    const explicit = gnp('explicit', { selector: "app == 'web'", types: ['Ingress', 'Egress'], ingress: [{ action: 'Allow' }] });
    expect(evaluate([explicit], ingress(api, web, 8080)).allowed).toBe(true);
    expect(evaluate([explicit], egress(web, api, 8080)).allowed).toBe(false);
  });

  test('GlobalNetworkPolicy namespaceSelector restricts the selected endpoints', () => {
    const p = gnp('acme-isolation', { namespaceSelector: "tenant == 'acme'", selector: 'all()', ingress: [], types: ['Ingress'] });
    expect(evaluate([p], ingress(api, web, 8080)).allowed).toBe(false);
    expect(evaluate([p], ingress(api, invoice, 8080)).allowed).toBe(true);
  });

  test('a namespaced NetworkPolicy only selects endpoints of its namespace', () => {
    const p = cnp('billing', 'deny-all', { selector: 'all()', types: ['Ingress'] });
    expect(evaluate([p], ingress(api, web, 8080)).allowed).toBe(true);
    const v = evaluate([p], ingress(api, invoice, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0].object).toEqual({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', namespace: 'billing', name: 'deny-all' });
  });

  test('serviceAccountSelector selects by service account name', () => {
    const p = gnp('sa', { serviceAccountSelector: "projectcalico.org/name == 'api-sa'", selector: 'all()', types: ['Egress'] });
    expect(evaluate([p], egress(api, web, 8080)).allowed).toBe(false);
    expect(evaluate([p], egress(web, api, 8080)).allowed).toBe(true);
  });

  test('workload labels include projectcalico.org/namespace and serviceaccount', () => {
    const p = gnp('by-ns', { selector: "projectcalico.org/namespace == 'shop' && projectcalico.org/serviceaccount == 'default'", types: ['Ingress'] });
    expect(evaluate([p], ingress(api, web, 8080)).allowed).toBe(false);
    expect(evaluate([p], ingress(web, api, 8080)).allowed).toBe(true);
  });

  test('hostNetwork pods and nodes are not workload endpoints', () => {
    const p = gnp('deny-all', { selector: 'all()', types: ['Ingress'] });
    const hostPod = pod('kube-system', 'agent', { app: 'agent' }, { hostNetwork: true });
    expect(evaluate([p], ingress(web, hostPod, 9100)).allowed).toBe(true);
  });

  test('doNotTrack / preDNAT policies are ignored for pods with a note', () => {
    const p = gnp('host-fw', { selector: 'all()', doNotTrack: true, applyOnForward: true, ingress: [{ action: 'Deny' }] });
    const v = evaluate([p], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.reasons[1].message).toBe('note: GlobalNetworkPolicy host-fw is doNotTrack: it applies to host endpoints only, not to pods');
  });

  test('a policy Calico would reject (ports without protocol) is not applied', () => {
    const p = gnp('bad', { selector: 'all()', ingress: [{ action: 'Deny', destination: { ports: [80] } }] });
    const v = evaluate([p], ingress(api, web, 80));
    expect(v.allowed).toBe(true);
    expect(v.reasons[1].message).toContain('ports require protocol TCP, UDP or SCTP');
  });
});

describe('rule matching', () => {
  const isolateWeb = (rules: any[], name = 'web-in', extra: any = {}): ManifestObject =>
    cnp('shop', name, { selector: "app == 'web'", types: ['Ingress'], ingress: rules, ...extra });

  test('NetworkPolicy rule selector is implicitly its own namespace; GlobalNetworkPolicy is global', () => {
    const rule = [{ action: 'Allow', source: { selector: "app == 'invoice'" } }];
    expect(evaluate([isolateWeb(rule)], ingress(invoice, web, 8080)).allowed).toBe(false);
    const global = gnp('web-in', { selector: "app == 'web'", types: ['Ingress'], ingress: rule });
    expect(evaluate([global], ingress(invoice, web, 8080)).allowed).toBe(true);
    const withNs = [{ action: 'Allow', source: { selector: "app == 'invoice'", namespaceSelector: "tenant == 'globex'" } }];
    expect(evaluate([isolateWeb(withNs)], ingress(invoice, web, 8080)).allowed).toBe(true);
  });

  test('namespaceSelector alone matches every endpoint of the selected namespaces', () => {
    const rule = [{ action: 'Allow', source: { namespaceSelector: "kubernetes.io/metadata.name == 'billing'" } }];
    expect(evaluate([isolateWeb(rule)], ingress(invoice, web, 8080)).allowed).toBe(true);
    expect(evaluate([isolateWeb(rule)], ingress(api, web, 8080)).allowed).toBe(false);
  });

  test('nets and notNets against external endpoints; pods without IP never match nets', () => {
    const p = gnp('egress', {
      selector: "app == 'web'",
      types: ['Egress'],
      egress: [
        { action: 'Deny', destination: { nets: ['169.254.169.254/32'] } },
        { action: 'Allow', destination: { notNets: ['10.0.0.0/8', '192.168.0.0/16'] } },
      ],
    });
    expect(evaluate([p], egress(web, external('169.254.169.254'), 80)).reasons[0]).toMatchObject({ effect: 'deny', rule: 'spec.egress[0]' });
    expect(evaluate([p], egress(web, external('203.0.113.7'), 443)).reasons[0]).toMatchObject({ effect: 'allow', rule: 'spec.egress[1]' });
    expect(evaluate([p], egress(web, external('192.168.4.4'), 443)).reasons[0].effect).toBe('isolate');
    const nets = gnp('nets', { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { nets: ['10.0.0.0/8'] } }] });
    expect(evaluate([nets], ingress(api, web, 8080)).allowed).toBe(true);
    expect(evaluate([nets], ingress(pod('shop', 'noip', { app: 'x' }), web, 8080)).allowed).toBe(false);
  });

  test('GlobalNetworkSet labels are matched by a GNP rule selector, and by a NetworkPolicy only with global()', () => {
    const set: ManifestObject = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkSet',
      metadata: { name: 'partners', labels: { partner: 'true' } },
      spec: { nets: ['198.51.100.0/24'] },
    };
    const partner = external('198.51.100.20');
    const g = gnp('partners-in', { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: "partner == 'true'" } }] });
    expect(evaluate([set, g], ingress(partner, web, 8080)).allowed).toBe(true);
    expect(evaluate([set, g], ingress(external('203.0.113.9'), web, 8080)).allowed).toBe(false);
    const local = isolateWeb([{ action: 'Allow', source: { selector: "partner == 'true'" } }]);
    expect(evaluate([set, local], ingress(partner, web, 8080)).allowed).toBe(false);
    const viaGlobal = isolateWeb([{ action: 'Allow', source: { selector: "partner == 'true'", namespaceSelector: 'global()' } }]);
    expect(evaluate([set, viaGlobal], ingress(partner, web, 8080)).allowed).toBe(true);
  });

  test('a NetworkPolicy namespaceSelector of negative terms only also matches GlobalNetworkSets (no namespace labels); all() and positive terms do not', () => {
    // libcalico-go prefixes namespaceSelector labels with pcns. and rewrites all() to has(projectcalico.org/namespace)
    // (updateprocessors/rules.go getEndpointSelector): a GlobalNetworkSet has neither.
    const set: ManifestObject = {
      apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'partners', labels: { partner: 'true' } }, spec: { nets: ['198.51.100.0/24'] },
    };
    const partner = external('198.51.100.20');
    const from = (namespaceSelector: string) => isolateWeb([{ action: 'Allow', source: { namespaceSelector } }]);
    for (const selector of ["env not in {'prod'}", '!has(env)', "env != 'prod'"]) {
      expect([selector, evaluate([set, from(selector)], ingress(partner, web, 8080)).allowed]).toEqual([selector, true]);
    }
    for (const selector of ['all()', 'has(env)', "env == 'dev'", "has(kubernetes.io/metadata.name) && env not in {'prod'}"]) {
      expect([selector, evaluate([set, from(selector)], ingress(partner, web, 8080)).allowed]).toEqual([selector, false]);
    }
    // Without the set, the address matches nothing.
    expect(evaluate([from("env not in {'prod'}")], ingress(partner, web, 8080)).allowed).toBe(false);
  });

  test('a namespaced NetworkSet is matched by a NetworkPolicy of its namespace', () => {
    const set: ManifestObject = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkSet',
      metadata: { name: 'vendors', namespace: 'shop', labels: { role: 'vendor' } },
      spec: { nets: ['203.0.113.0/28'] },
    };
    const rule = [{ action: 'Allow', source: { selector: "role == 'vendor'" } }];
    expect(evaluate([set, isolateWeb(rule)], ingress(external('203.0.113.5'), web, 8080)).allowed).toBe(true);
    const elsewhere = cnp('billing', 'in', { selector: 'all()', types: ['Ingress'], ingress: rule });
    expect(evaluate([set, elsewhere], ingress(external('203.0.113.5'), invoice, 8080)).allowed).toBe(false);
  });

  test('port ranges "a:b", notPorts and named ports resolved on the destination', () => {
    const range = isolateWeb([{ action: 'Allow', protocol: 'TCP', destination: { ports: ['8000:8080'], notPorts: [8008] } }]);
    expect(evaluate([range], ingress(api, web, 8000)).allowed).toBe(true);
    expect(evaluate([range], ingress(api, web, 8080)).allowed).toBe(true);
    expect(evaluate([range], ingress(api, web, 8081)).allowed).toBe(false);
    expect(evaluate([range], ingress(api, web, 8008)).allowed).toBe(false);
    const named = isolateWeb([{ action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } }]);
    expect(evaluate([named], ingress(api, web, 8080)).allowed).toBe(true);
    expect(evaluate([named], ingress(api, web, 80)).allowed).toBe(false);
  });

  test('protocol and notProtocol must match the flow', () => {
    const udp = isolateWeb([{ action: 'Allow', protocol: 'UDP', destination: { ports: [8080] } }]);
    expect(evaluate([udp], ingress(api, web, 8080, 'TCP')).allowed).toBe(false);
    expect(evaluate([udp], ingress(api, web, 8080, 'UDP')).allowed).toBe(true);
    const numeric = isolateWeb([{ action: 'Allow', protocol: 6 }]);
    expect(evaluate([numeric], ingress(api, web, 8080, 'TCP')).allowed).toBe(true);
    const notTcp = isolateWeb([{ action: 'Allow', notProtocol: 'TCP' }]);
    expect(evaluate([notTcp], ingress(api, web, 8080, 'TCP')).allowed).toBe(false);
    expect(evaluate([notTcp], ingress(api, web, 53, 'UDP')).allowed).toBe(true);
  });

  test('serviceAccounts in a rule match the peer service account', () => {
    const p = isolateWeb([{ action: 'Allow', source: { serviceAccounts: { names: ['api-sa'] } } }]);
    expect(evaluate([p], ingress(api, web, 8080)).allowed).toBe(true);
    expect(evaluate([p], ingress(pod('shop', 'other', { app: 'other' }), web, 8080)).allowed).toBe(false);
    expect(evaluate([p], ingress(external('203.0.113.7'), web, 8080)).allowed).toBe(false);
  });

  // libcalico-go updateprocessors/rules.go (parseServiceAccounts, getEndpointSelector): an empty
  // `names` list and an empty `selector` string contribute nothing, so `serviceAccounts: {}` is the
  // same as no serviceAccounts field: no service-account constraint and no namespace scoping.
  test('serviceAccounts with no names and no selector adds no constraint', () => {
    const empty = isolateWeb([{ action: 'Allow', source: { serviceAccounts: {} } }], 'sa-empty');
    const emptyNames = isolateWeb([{ action: 'Allow', source: { serviceAccounts: { names: [] } } }], 'sa-empty-names');
    expectValidManifests([empty, emptyNames]);
    for (const p of [empty, emptyNames]) {
      // An external IP and a pod of another namespace: neither has a service account nor is in 'shop'.
      expect(evaluate([p], ingress(external('203.0.113.7'), web, 8080)).allowed).toBe(true);
      expect(evaluate([p], ingress(invoice, web, 8080)).allowed).toBe(true);
      expect(evaluate([p], ingress(api, web, 8080)).allowed).toBe(true);
    }
    // Control: a non-empty names list restricts to pods of the policy namespace with that account.
    const named = isolateWeb([{ action: 'Allow', source: { serviceAccounts: { names: ['api-sa'] } } }], 'sa-named');
    expectValidManifests([named]);
    expect(evaluate([named], ingress(external('203.0.113.7'), web, 8080)).allowed).toBe(false);
    expect(evaluate([named], ingress(invoice, web, 8080)).allowed).toBe(false);
    expect(evaluate([named], ingress(api, web, 8080)).allowed).toBe(true);
  });

  test('a service-account selector only sees service-account labels, which non-pods do not have', () => {
    // A GlobalNetworkSet gives the external IP labels, but not `pcsa.` service-account labels.
    const set = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkSet',
      metadata: { name: 'partners', labels: { role: 'partner' } },
      spec: { nets: ['203.0.113.0/24'] },
    };
    const global = (name: string, serviceAccounts: any): ManifestObject => gnp(name, {
      selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { serviceAccounts } }],
    });
    const negated = global('sa-negated', { selector: '!has(projectcalico.org/name)' });
    const positive = global('sa-positive', { selector: "projectcalico.org/name == 'api-sa'" });
    expectValidManifests([set, negated, positive]);
    const partner = external('203.0.113.7');
    // `!has(...)` holds for an endpoint without service-account labels: the network set matches.
    expect(evaluate([set, negated], ingress(partner, web, 8080)).allowed).toBe(true);
    expect(evaluate([set, negated], ingress(api, web, 8080)).allowed).toBe(false);
    expect(evaluate([set, positive], ingress(partner, web, 8080)).allowed).toBe(false);
    expect(evaluate([set, positive], ingress(api, web, 8080)).allowed).toBe(true);
    // Without a network set the IP has no labels at all, so no selector can match it.
    expect(evaluate([negated], ingress(partner, web, 8080)).allowed).toBe(false);
  });

  // https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#serviceaccountmatch :
  // `selector` matches the labels of the ServiceAccount object, which the manifests do not give
  // (only its name, as projectcalico.org/name). Unknown is indeterminate, never a quiet deny.
  test('a service-account selector on other service-account labels may match (indeterminate)', () => {
    const p = isolateWeb([{ action: 'Allow', source: { serviceAccounts: { selector: "role == 'frontend'" } } }], 'sa-role');
    expectValidManifests([p]);
    const v = evaluate([p], ingress(api, web, 8080));
    expect(v.outcome).toBe(MAYBE);
    expect(v.uncertain).toEqual(['NetworkPolicy shop/sa-role spec.ingress[0] (Allow): source.serviceAccounts.selector tests labels of service '
      + "account 'api-sa', which the manifests do not give (only projectcalico.org/name is known)"]);
    // Outside the policy namespace and for IPs without a service account the rule surely does not match.
    expect(evaluate([p], ingress(invoice, web, 8080)).outcome).toBe(NO);
    expect(evaluate([p], ingress(external('203.0.113.7'), web, 8080)).outcome).toBe(NO);
    // Names are known: a names list that excludes the account decides, whatever its labels.
    const named = isolateWeb([{ action: 'Allow', source: { serviceAccounts: { names: ['other-sa'], selector: "role == 'frontend'" } } }], 'sa-both');
    expect(evaluate([named], ingress(api, web, 8080)).outcome).toBe(NO);
  });

  test('notSelector excludes matching peers', () => {
    const p = isolateWeb([{ action: 'Allow', source: { notSelector: "app == 'api'" } }]);
    expect(evaluate([p], ingress(api, web, 8080)).allowed).toBe(false);
    expect(evaluate([p], ingress(pod('shop', 'cache', { app: 'cache' }), web, 8080)).allowed).toBe(true);
  });

  // libcalico-go updateprocessors/rules.go (getEndpointSelector): in a namespaced policy the entity's
  // endpoints are limited to the policy's namespace (or to the namespaceSelector's namespaces) as
  // soon as any selector field is used, notSelector included; nets alone match IPs, not endpoints.
  test('a namespaced NetworkPolicy notSelector-only entity is limited to its own namespace', () => {
    const rule = [{ action: 'Allow', source: { notSelector: "app == 'api'" } }];
    const p = isolateWeb(rule);
    expectValidManifests([p]);
    const cache = pod('shop', 'cache', { app: 'cache' });
    expect(evaluate([p], ingress(invoice, web, 8080)).allowed).toBe(false);
    expect(evaluate([p], ingress(external('203.0.113.7'), web, 8080)).allowed).toBe(false);
    expect(evaluate([p], ingress(cache, web, 8080)).allowed).toBe(true);
    expect(evaluate([p], ingress(api, web, 8080)).allowed).toBe(false);
    // Control: a GlobalNetworkPolicy has no namespace to add, so its notSelector alone is unscoped.
    const global = gnp('web-in', { selector: "app == 'web'", types: ['Ingress'], ingress: rule });
    expectValidManifests([global]);
    expect(evaluate([global], ingress(invoice, web, 8080)).allowed).toBe(true);
    expect(evaluate([global], ingress(external('203.0.113.7'), web, 8080)).allowed).toBe(true);
    expect(evaluate([global], ingress(api, web, 8080)).allowed).toBe(false);
    // Control: nets-only entities of a namespaced policy stay unscoped.
    const nets = isolateWeb([{ action: 'Allow', source: { nets: ['10.2.0.0/16'] } }], 'nets-in');
    expectValidManifests([nets]);
    expect(evaluate([nets], ingress(invoice, web, 8080)).allowed).toBe(true);
    // The same scoping on the destination side of an egress rule.
    const out = cnp('shop', 'web-out', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { notSelector: "app == 'api'" } }] });
    expectValidManifests([out]);
    expect(evaluate([out], egress(web, invoice, 8080)).allowed).toBe(false);
    expect(evaluate([out], egress(web, cache, 8080)).allowed).toBe(true);
  });

  // https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule (serviceAccounts)
  // and getEndpointSelector above: serviceAccounts are matched in the namespaceSelector's namespaces
  // when one is given, else in the namespaced policy's own namespace.
  test('serviceAccounts with a namespaceSelector match in the selected namespaces, not the policy namespace', () => {
    const rule = [{
      action: 'Allow',
      source: { serviceAccounts: { names: ['invoice-sa'] }, namespaceSelector: "tenant == 'globex'" },
    }];
    const p = isolateWeb(rule);
    expectValidManifests([p]);
    const billingInvoice = pod('billing', 'invoice', { app: 'invoice' }, { ip: '10.2.0.5', serviceAccount: 'invoice-sa' });
    const billingOther = pod('billing', 'other', { app: 'invoice' }, { ip: '10.2.0.6', serviceAccount: 'other-sa' });
    const shopInvoice = pod('shop', 'invoice', { app: 'invoice' }, { ip: '10.1.0.20', serviceAccount: 'invoice-sa' });
    expect(evaluate([p], ingress(billingInvoice, web, 8080)).allowed).toBe(true);
    expect(evaluate([p], ingress(billingOther, web, 8080)).allowed).toBe(false);
    expect(evaluate([p], ingress(shopInvoice, web, 8080)).allowed).toBe(false);
    // Control: without a namespaceSelector the service account only matches in the policy namespace.
    const own = isolateWeb([{ action: 'Allow', source: { serviceAccounts: { names: ['invoice-sa'] } } }], 'own-ns');
    expectValidManifests([own]);
    expect(evaluate([own], ingress(billingInvoice, web, 8080)).allowed).toBe(false);
    expect(evaluate([own], ingress(shopInvoice, web, 8080)).allowed).toBe(true);
  });
});

describe('application layer', () => {
  test('an Allow rule with an HTTP match allows at L4 and reports the L7 constraint', () => {
    const p = gnp('http-get', {
      selector: "app == 'web'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'], paths: [{ prefix: '/api' }] } }],
    });
    const v = evaluate([p], ingress(api, web, 8080));
    expect(v.allowed).toBe(true);
    expect(v.l7Constraints).toEqual(['HTTP methods GET; paths /api* (GlobalNetworkPolicy http-get spec.ingress[0])']);
  });
});

describe('ClusterNetworkPolicy (kube-admin / kube-baseline tiers)', () => {
  const cnpObj = (name: string, spec: any): ManifestObject => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec,
  });

  test('an Admin Deny beats a Calico default-tier Allow; Baseline only applies when nothing earlier decided', () => {
    const admin = cnpObj('no-globex', {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { tenant: 'acme' } } },
      ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { tenant: 'globex' } } }] }],
    });
    const v = evaluate([admin, allowWebIngress('allow-web', 1)], ingress(invoice, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0].message).toBe('ClusterNetworkPolicy no-globex spec.ingress[0] Deny (tier kube-admin, priority 10)');
    const baseline = cnpObj('baseline-deny', {
      tier: 'Baseline',
      priority: 1,
      subject: { namespaces: {} },
      ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }],
    });
    expect(evaluate([baseline, allowWebIngress('allow-web', 1)], ingress(api, web, 8080)).allowed).toBe(true);
    expect(evaluate([baseline], ingress(api, web, 8080)).allowed).toBe(false);
    expect(evaluate([baseline], egress(api, web, 8080)).allowed).toBe(true);
  });

  test('malformed rules (null rule, null peer) match nothing instead of throwing', () => {
    // Not schema-valid on purpose: the analyzer also reads hand-written YAML that no API server checked.
    const malformed = cnpObj('malformed', {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { tenant: 'acme' } } },
      ingress: [null, { action: 'Deny', from: [null, { namespaces: { matchLabels: { tenant: 'globex' } } }] }],
    });
    const v = evaluate([malformed], ingress(invoice, web, 8080));
    expect(v.allowed).toBe(false);
    expect(v.reasons[0].message).toBe('ClusterNetworkPolicy malformed spec.ingress[1] Deny (tier kube-admin, priority 10)');
    // api (acme) matches no peer: the kube-admin tier passes, and nothing else selects web.
    expect(evaluate([malformed], ingress(api, web, 8080)).allowed).toBe(true);
    // The fast path (flow matrix) walks the same rules.
    const model = calicoModel([malformed], NAMESPACES);
    expect(model.decide(ingress(invoice, web, 8080))).toBe(NO);
    expect(model.decide(ingress(api, web, 8080))).toBe(YES);
  });

  test('a matching rule with an action Calico does not map is skipped', () => {
    const unknownAction = cnpObj('unknown-action', {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { tenant: 'acme' } } },
      ingress: [
        { action: 'Reject', from: [{ namespaces: {} }] },
        { action: 'Deny', from: [{ namespaces: { matchLabels: { tenant: 'globex' } } }] },
      ],
    });
    expect(evaluate([unknownAction], ingress(invoice, web, 8080)).reasons[0].rule).toBe('spec.ingress[1]');
    expect(evaluate([unknownAction], ingress(api, web, 8080)).allowed).toBe(true);
  });
});
