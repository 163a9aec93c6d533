/**
 * Policies Cilium's rule validation rejects (pkg/policy/api/rule_validation.go, `Rule.Sanitize` on
 * the `ingress` and `egress` rules) enforce nothing: the agent drops the whole object
 * (CiliumNetworkPolicy.Parse). Each case here is accepted by the CRD schema and used to be applied
 * as written.
 */
import { api, billingApi, cnp, egress, external, ingress, internet, web, worker } from './helpers';
import { ManifestObject } from '../../../src/analysis/model';
import { expectValidManifests } from '../../support/schema';

/** The verdict and reasons of a side, reasons as `effect: message`. */
function summary(v: { allowed: boolean; outcome: unknown; reasons: Array<{ effect: string; message: string }> }): unknown {
  return [v.outcome, v.reasons.map((r) => `${r.effect}: ${r.message}`)];
}

const FROM_WEB = { fromEndpoints: [{ matchLabels: { app: 'web' } }] };

function apiIngress(name: string, rules: any[]): ManifestObject {
  return cnp('shop', name, { endpointSelector: { matchLabels: { app: 'api' } }, ingress: rules });
}

const rejectedNote = (name: string, why: string): string =>
  `log: note: CiliumNetworkPolicy shop/${name} selects shop/api but Cilium rejects it (${why}): it enforces nothing`;

describe('rules Cilium rejects are not applied', () => {
  test('two kinds of peer in one rule ("Combining FromEndpoints and FromEntities is not supported yet")', () => {
    const policy = apiIngress('mixed-peers', [{ ...FROM_WEB, fromEntities: ['world'] }]);
    expectValidManifests([policy]);
    expect(summary(ingress([policy], worker, api, 8080))).toEqual([1, [
      'default-allow: no Cilium or Kubernetes policy puts shop/api into default deny for ingress',
      rejectedNote('mixed-peers', 'spec.ingress[0]: combines fromEndpoints and fromEntities; Cilium does not support several kinds of peer in one rule (use one rule each)'),
    ]]);
    // Control: one kind of peer per rule is accepted and isolates api.
    const split = apiIngress('split-peers', [FROM_WEB, { fromEntities: ['world'] }]);
    expect(ingress([split], worker, api, 8080).outcome).toBe(0);
    expect(ingress([split], web, api, 8080).outcome).toBe(1);
    expect(ingress([split], internet, api, 8080).outcome).toBe(1);
    // Empty lists do not count as a kind of peer.
    expect(ingress([apiIngress('empty-entities', [{ ...FROM_WEB, fromEntities: [] }])], worker, api, 8080).outcome).toBe(0);
  });

  test('egress: toEndpoints with toCIDR', () => {
    const mixed = cnp('shop', 'out-mixed', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toEndpoints: [{ matchLabels: { app: 'api' } }], toCIDR: ['203.0.113.0/24'] }],
    });
    expect(egress([mixed], web, billingApi, 8080).outcome).toBe(1);
    expect(egress([mixed], web, billingApi, 8080).reasons[1].message).toBe('note: CiliumNetworkPolicy shop/out-mixed selects shop/web but Cilium '
      + 'rejects it (spec.egress[0]: combines toCIDR and toEndpoints; Cilium does not support several kinds of peer in one rule (use one rule each)): '
      + 'it enforces nothing');
    expectValidManifests([mixed]);
  });

  test('icmps and toPorts in one rule', () => {
    const policy = apiIngress('icmp-ports', [{ ...FROM_WEB, icmps: [{ fields: [{ type: 8 }] }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);
    expectValidManifests([policy]);
    expect(summary(ingress([policy], worker, api, 8080))).toEqual([1, [
      'default-allow: no Cilium or Kubernetes policy puts shop/api into default deny for ingress',
      rejectedNote('icmp-ports', 'spec.ingress[0]: icmps may only be present without toPorts (use a separate rule)'),
    ]]);
  });

  test('HTTP rules on a port without protocol TCP ("L7 rules can only apply to TCP (not ANY)")', () => {
    const http = { http: [{ method: 'GET' }] };
    const omitted = apiIngress('http-any', [{ ...FROM_WEB, toPorts: [{ ports: [{ port: '8080' }], rules: http }] }]);
    const udp = apiIngress('http-udp', [{ ...FROM_WEB, toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }, { port: '8081', protocol: 'UDP' }], rules: http }] }]);
    const zero = apiIngress('http-zero', [{ ...FROM_WEB, toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }], rules: http }] }]);
    expectValidManifests([omitted, udp, zero]);
    expect(summary(ingress([omitted], worker, api, 8080))).toEqual([1, [
      'default-allow: no Cilium or Kubernetes policy puts shop/api into default deny for ingress',
      rejectedNote('http-any', 'spec.ingress[0].toPorts[0].ports[0]: L7 rules only apply to protocol TCP (got ANY; an omitted protocol is ANY), except DNS rules'),
    ]]);
    // Nothing restricts web's requests either: no L7 constraints.
    expect(ingress([omitted], web, api, 8080).l7Constraints).toBeUndefined();
    expect(ingress([udp], worker, api, 8080).reasons[1].message).toContain('(spec.ingress[0].toPorts[0].ports[1]: L7 rules only apply to protocol TCP (got UDP;');
    expect(ingress([zero], worker, api, 8080).reasons[1].message).toContain('(spec.ingress[0].toPorts[0]: L7 rules cannot be used with port 0 (all ports))');
    // Control: protocol TCP is accepted, and DNS rules may use ANY.
    const tcp = apiIngress('http-tcp', [{ ...FROM_WEB, toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: http }] }]);
    expect(ingress([tcp], worker, api, 8080).outcome).toBe(0);
    expect(ingress([tcp], web, api, 8080).l7Constraints).toEqual(['HTTP GET any path (CiliumNetworkPolicy shop/http-tcp spec.ingress[0])']);
  });

  // PortRuleHTTP.Sanitize (pkg/policy/api/http.go) compiles path and method with Go regexp, which has no
  // lookarounds or backreferences; JavaScript would evaluate them and apply the rule.
  test('an HTTP path or method Go regexp cannot compile (a lookahead, a backreference)', () => {
    const lookahead = apiIngress('http-lookahead', [{ ...FROM_WEB, toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ path: '/(?!admin).*' }] } }] }]);
    const backref = apiIngress('http-backref', [{ ...FROM_WEB, toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/a' }, { method: '(G)\\1' }] } }] }]);
    expectValidManifests([lookahead, backref]);
    expect(summary(ingress([lookahead], worker, api, 8080))).toEqual([1, [
      'default-allow: no Cilium or Kubernetes policy puts shop/api into default deny for ingress',
      rejectedNote('http-lookahead', "spec.ingress[0].toPorts[0]: rules.http[0].path: '/(?!admin).*' is not a Go regular expression "
        + '(invalid or unsupported Perl syntax: lookarounds are not supported)'),
    ]]);
    expect(ingress([lookahead], web, api, 8080).l7Constraints).toBeUndefined();
    expect(ingress([backref], worker, api, 8080).reasons[1].message).toContain("(spec.ingress[0].toPorts[0]: rules.http[1].method: '(G)\\1' is not "
      + 'a Go regular expression (invalid escape sequence \\1 (backreferences are not supported))): it enforces nothing');
    // Control: an RE2 pattern is accepted.
    const re2 = apiIngress('http-re2', [{ ...FROM_WEB, toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ path: '/v[[:digit:]]+' }] } }] }]);
    expect(ingress([re2], worker, api, 8080).outcome).toBe(0);
  });

  test('deny rules are not sanitized: a deny rule with two kinds of peer applies', () => {
    const policy = cnp('shop', 'deny-mixed', {
      endpointSelector: { matchLabels: { app: 'api' } },
      enableDefaultDeny: { ingress: false },
      ingressDeny: [{ ...FROM_WEB, fromEntities: ['world'] }],
    });
    expect(ingress([policy], web, api, 8080).outcome).toBe(0);
    expect(ingress([policy], internet, api, 8080).outcome).toBe(0);
    expect(ingress([policy], worker, api, 8080).outcome).toBe(1);
  });
});

describe('CIDRSet except outside its cidr', () => {
  // CIDRRule.sanitize: "allow CIDR prefix ... does not contain exclude CIDR prefix ..." (the except's
  // address must lie in the cidr, same address family).
  const fromSet = (name: string, set: any) => apiIngress(name, [{ fromCIDRSet: [set] }]);

  test('an except outside the cidr gets the policy rejected', () => {
    const outside = fromSet('except-outside', { cidr: '203.0.113.0/24', except: ['198.51.100.0/24'] });
    const family = fromSet('except-v6', { cidr: '203.0.113.0/24', except: ['::ffff:203.0.113.7/128'] });
    expectValidManifests([outside, family]);
    expect(summary(ingress([outside], worker, api, 8080))).toEqual([1, [
      'default-allow: no Cilium or Kubernetes policy puts shop/api into default deny for ingress',
      rejectedNote('except-outside', 'spec.ingress[0].fromCIDRSet[0]: except 198.51.100.0/24 is not inside cidr 203.0.113.0/24'),
    ]]);
    expect(ingress([family], worker, api, 8080).outcome).toBe(1);
  });

  test('control: an except inside the cidr (by its address) is accepted', () => {
    const inside = fromSet('except-inside', { cidr: '203.0.113.0/24', except: ['203.0.113.7/32'] });
    expect(ingress([inside], worker, api, 8080).outcome).toBe(0);
    expect(ingress([inside], internet, api, 8080).outcome).toBe(0);
    expect(ingress([inside], external('203.0.113.9'), api, 8080).outcome).toBe(1);
  });
});

describe('CIDRSet except with a shorter prefix than its cidr', () => {
  // CIDRRule.sanitize compares the prefix lengths too only since cilium/cilium#44637 (for 1.20); 1.19 accepts
  // such a rule (cilium/cilium#44614) and its except then removes the whole cidr. The version is not in the manifests.
  // The except's address lies in the cidr (as in the report: cidr 10.0.0.0/24, except 10.0.0.0/16), so older versions pass it.
  const wider = apiIngress('except-wider', [FROM_WEB, { fromCIDRSet: [{ cidr: '203.0.0.0/24', except: ['203.0.0.0/16'] }] }]);
  const why = 'CiliumNetworkPolicy shop/except-wider uses a CIDRSet except with a shorter prefix than its cidr, which Cilium 1.20 rejects with '
    + 'the whole policy (cilium/cilium#44637) and 1.18/1.19 apply (cilium/cilium#44614): the two give different verdicts here';

  test('a flow the policy would deny is indeterminate; one allowed either way stays allowed', () => {
    expectValidManifests([wider]);
    // 1.18/1.19: api is isolated and the set selects nothing (the except covers the cidr); 1.20: no policy, default allow.
    const v = ingress([wider], external('203.0.0.9'), api, 8080);
    expect([v.outcome, v.uncertain]).toEqual([2, [why]]);
    expect(ingress([wider], worker, api, 8080).outcome).toBe(2);
    expect(ingress([wider], web, api, 8080).outcome).toBe(1);
  });

  test('control: an except as long as its cidr or longer is not version-dependent', () => {
    const same = apiIngress('except-same', [FROM_WEB, { fromCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.0/24', '203.0.113.128/25'] }] }]);
    expectValidManifests([same]);
    const v = ingress([same], external('203.0.113.9'), api, 8080);
    expect([v.outcome, v.uncertain]).toEqual([0, undefined]);
    expect(ingress([same], worker, api, 8080).outcome).toBe(0);
  });
});

describe('fromNodes / toNodes need the agent flag enable-node-selector-labels', () => {
  // Ingress/EgressRule.sanitize fail a rule with fromNodes/toNodes unless the agent runs with
  // enable-node-selector-labels (Helm nodeSelectorLabels, default false): the whole policy is then
  // rejected. Whether the flag is set is not in the manifests.
  const withNodes = apiIngress('from-nodes', [FROM_WEB, { fromNodes: [{ matchLabels: { role: 'infra' } }] }]);
  const why = 'CiliumNetworkPolicy shop/from-nodes uses fromNodes/toNodes, which Cilium applies only when the agent runs with '
    + 'enable-node-selector-labels (Helm nodeSelectorLabels, default false) and rejects with the whole policy otherwise: the two give different verdicts here';

  test('a pod flow the policy would deny is indeterminate; one it allows stays allowed', () => {
    expectValidManifests([withNodes]);
    const v = ingress([withNodes], worker, api, 8080);
    expect([v.outcome, v.uncertain]).toEqual([2, [why]]);
    expect(ingress([withNodes], web, api, 8080).outcome).toBe(1);
    // Pods the policy does not select are not concerned.
    expect(ingress([withNodes], worker, web, 8080).outcome).toBe(1);
  });

  test('with fromRequires in another policy both conditions are compared', () => {
    const requiring = cnp('shop', 'req', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'worker' } }], fromRequires: [{ matchLabels: { tier: 'x' } }] }],
    });
    // worker -> api: from-nodes denies it, req (1.18) requires tier=x (worker lacks it), req (1.19+) is dropped.
    const v = ingress([withNodes, requiring], worker, api, 8080);
    expect(v.outcome).toBe(2);
    expect(v.uncertain![0]).toBe('CiliumNetworkPolicy shop/req uses fromRequires/toRequires, which Cilium 1.18 applies and 1.19+ rejects with the whole '
      + 'policy (cilium/cilium#42615); CiliumNetworkPolicy shop/from-nodes uses fromNodes/toNodes, which Cilium applies only when the agent runs with '
      + 'enable-node-selector-labels (Helm nodeSelectorLabels, default false) and rejects with the whole policy otherwise: the verdicts with and '
      + 'without them differ here');
  });
});
