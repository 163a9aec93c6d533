/*
 * toFQDNs (https://docs.cilium.io/en/stable/security/policy/language/#dns-based) and toPorts / L7
 * (https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples, #layer-7-examples).
 */
import { api, cnp, egress, external, ingress, internet, kubeDns, web, worker } from './helpers';
import { patternToRegExp } from '../../../src/analysis/cilium/fqdn';
import { expectValidManifests } from '../../support/schema';

const dnsRule = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

describe('toFQDNs', () => {
  const github = external('140.82.112.3', 'api.github.com');

  test('matchName works together with a DNS proxy rule', () => {
    const policy = cnp('shop', 'fqdn', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [dnsRule, { toFQDNs: [{ matchName: 'api.github.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
    });
    const v = egress([policy], web, github, 443);
    expect(v.allowed).toBe(true);
    expect(v.reasons[0]).toMatchObject({ effect: 'allow', rule: 'spec.egress[1]' });
    expect(v.reasons[0].message).toContain('DNS proxy rule');
    expect(egress([policy], web, github, 80).allowed).toBe(false);
    expect(egress([policy], web, external('140.82.112.4', 'github.com'), 443).allowed).toBe(false);
    // The DNS rule itself allows the lookup at kube-dns, through the DNS proxy.
    const dns = egress([policy], web, kubeDns, 53, 'UDP');
    expect(dns.allowed).toBe(true);
    expect(dns.l7Constraints).toEqual(['DNS proxy matchPattern * (CiliumNetworkPolicy shop/fqdn spec.egress[0])']);
  });

  test('without a DNS proxy rule the FQDN rule matches nothing and says why', () => {
    const policy = cnp('shop', 'fqdn-only', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toFQDNs: [{ matchName: 'api.github.com' }] }],
    });
    const v = egress([policy], web, github, 443);
    expect(v.allowed).toBe(false);
    const note = v.reasons.find((r) => r.effect === 'log');
    expect(note?.message).toContain('toPorts.rules.dns');
    expect(note?.message).toContain('spec.egress[0]');
  });

  test('a DNS proxy rule that does not allow the name blocks the FQDN rule too', () => {
    const policy = cnp('shop', 'fqdn-narrow-dns', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [
        { ...dnsRule, toPorts: [{ ports: [{ port: '53' }], rules: { dns: [{ matchPattern: '*.svc.cluster.local' }] } }] },
        { toFQDNs: [{ matchPattern: '*.github.com' }] },
      ],
    });
    const v = egress([policy], web, github, 443);
    expect(v.allowed).toBe(false);
    expect(v.reasons.some((r) => r.message.includes('do not allow lookups of api.github.com'))).toBe(true);
  });

  test('matchPattern wildcard semantics', () => {
    expect(patternToRegExp('*.cilium.io').test('sub.cilium.io')).toBe(true);
    expect(patternToRegExp('*.cilium.io').test('cilium.io')).toBe(false);
    expect(patternToRegExp('*.cilium.io').test('sub.sub.cilium.io')).toBe(false);
    expect(patternToRegExp('part*ial.com').test('part-extra-ial.com')).toBe(true);
    expect(patternToRegExp('part*ial.com').test('partial.com')).toBe(true);
    expect(patternToRegExp('**.cilium.io').test('test.app.cilium.io')).toBe(true);
    expect(patternToRegExp('**.cilium.io').test('cilium.io')).toBe(false);
    expect(patternToRegExp('*').test('anything.example')).toBe(true);
  });

  test('FQDN rules never match in-cluster endpoints', () => {
    const policy = cnp('shop', 'fqdn-pod', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [dnsRule, { toFQDNs: [{ matchPattern: '*' }] }],
    });
    expect(egress([policy], web, api, 8080).allowed).toBe(false);
    expect(egress([policy], web, external('203.0.113.9', 'example.org'), 443).allowed).toBe(true);
  });
});

describe('toPorts', () => {
  const mk = (ports: any[]): any => cnp('shop', 'ports', {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports }] }],
  });

  test('string port with TCP protocol', () => {
    const policy = mk([{ port: '8080', protocol: 'TCP' }]);
    expect(ingress([policy], web, api, 8080, 'TCP').allowed).toBe(true);
    expect(ingress([policy], web, api, 8080, 'UDP').allowed).toBe(false);
    expect(ingress([policy], web, api, 8081, 'TCP').allowed).toBe(false);
    expect(ingress([policy], worker, api, 8080, 'TCP').allowed).toBe(false);
  });

  test('endPort range', () => {
    const policy = mk([{ port: '8000', endPort: 8100, protocol: 'TCP' }]);
    expect(ingress([policy], web, api, 8000).allowed).toBe(true);
    expect(ingress([policy], web, api, 8100).allowed).toBe(true);
    expect(ingress([policy], web, api, 8101).allowed).toBe(false);
    expect(ingress([policy], web, api, 7999).allowed).toBe(false);
  });

  test('named port resolves on the destination pod', () => {
    const policy = mk([{ port: 'http', protocol: 'TCP' }]);
    expect(ingress([policy], web, api, 8080).allowed).toBe(true);
    expect(ingress([policy], web, api, 9090).allowed).toBe(false);
  });

  test('protocol omitted or ANY matches TCP, UDP and SCTP; UDP only matches UDP', () => {
    const any = mk([{ port: '53' }]);
    expect(ingress([any], web, api, 53, 'TCP').allowed).toBe(true);
    expect(ingress([any], web, api, 53, 'UDP').allowed).toBe(true);
    expect(ingress([any], web, api, 53, 'SCTP').allowed).toBe(true);
    const explicitAny = mk([{ port: '53', protocol: 'ANY' }]);
    expect(ingress([explicitAny], web, api, 53, 'UDP').allowed).toBe(true);
    const udp = mk([{ port: '53', protocol: 'UDP' }]);
    expect(ingress([udp], web, api, 53, 'TCP').allowed).toBe(false);
    expect(ingress([udp], web, api, 53, 'UDP').allowed).toBe(true);
  });
});

describe('L7 rules', () => {
  const http = cnp('shop', 'backend', {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{
      fromEndpoints: [{ matchLabels: { app: 'web' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }],
    }],
  });

  test('HTTP rules become l7Constraints of the allow', () => {
    const v = ingress([http], web, api, 8080);
    expect(v.allowed).toBe(true);
    expect(v.l7Constraints).toEqual(['HTTP GET /api/.* (CiliumNetworkPolicy shop/backend spec.ingress[0])']);
  });

  test('headers are reported', () => {
    const withHeaders = cnp('shop', 'hdr', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'POST', headers: ['X-Token: abc'] }] } }] }],
    });
    expect(ingress([withHeaders], web, api, 80).l7Constraints).toEqual([
      'HTTP POST any path headers [X-Token: abc] (CiliumNetworkPolicy shop/hdr spec.ingress[0])',
    ]);
  });

  test('an L3/L4 allow of the same flow lifts the L7 restriction', () => {
    const l4 = cnp('shop', 'l4', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080' }] }] }],
    });
    const v = ingress([http, l4], web, api, 8080);
    expect(v.allowed).toBe(true);
    expect(v.l7Constraints).toBeUndefined();
    expect(v.reasons.map((r) => r.object?.name)).toEqual(['backend', 'l4']);
  });
});

describe('rule shapes', () => {
  // `ingress: [{}]` / `egress: [{}]` is Cilium's documented default-deny idiom
  // (https://docs.cilium.io/en/stable/security/policy/language/, "Ingress/Egress Default Deny";
  // cilium-cli connectivity-test manifest deny-all-ingress.yaml): the empty rule has no L3 peer and no
  // toPorts, so it matches nothing (pkg/policy/rule.go mergeIngress: no selectors, nothing merged),
  // while the rule still puts the endpoint into default deny.
  test('an empty ingress rule {} denies every peer; other policies can still allow', () => {
    const denyAll = cnp('shop', 'all-ingress-deny', { endpointSelector: {}, ingress: [{}] });
    const allowWeb = cnp('shop', 'allow-web', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
    });
    expectValidManifests([denyAll, allowWeb]);
    expect(ingress([denyAll], external('198.51.100.1'), api, 22).allowed).toBe(false);
    expect(ingress([denyAll], worker, api, 8080, 'UDP').allowed).toBe(false);
    const v = ingress([denyAll], web, api, 8080);
    expect(v.allowed).toBe(false);
    expect(v.reasons.map((r) => r.message)).toEqual([
      'CiliumNetworkPolicy shop/all-ingress-deny spec selects shop/api and puts its ingress into default deny (it has ingress rules)',
      'shop/api is in default deny for ingress and no rule allows from shop/web to shop/api on 8080/TCP',
      'note: CiliumNetworkPolicy shop/all-ingress-deny spec.ingress[0]: a rule with no peer fields and no toPorts/icmps '
        + 'matches nothing (Cilium default-deny idiom)',
    ]);
    // Control: an explicit allow next to the default-deny policy still allows its peer, only that one.
    expect(ingress([denyAll, allowWeb], web, api, 8080).allowed).toBe(true);
    expect(ingress([denyAll, allowWeb], worker, api, 8080).allowed).toBe(false);
    // Without the policy nothing is in default deny.
    expect(ingress([], worker, api, 8080).allowed).toBe(true);
  });

  test('an empty egress rule {} denies every destination (docs deny-all-egress example)', () => {
    const denyEgress = cnp('shop', 'deny-all-egress', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{}] });
    expectValidManifests([denyEgress]);
    expect(egress([denyEgress], web, api, 8080).allowed).toBe(false);
    expect(egress([denyEgress], web, external('198.51.100.1'), 443).allowed).toBe(false);
    expect(egress([denyEgress], web, kubeDns, 53, 'UDP').allowed).toBe(false);
    // Control: endpoints the policy does not select keep their egress.
    expect(egress([denyEgress], worker, api, 8080).allowed).toBe(true);
  });

  // Only a rule with L4 constraints and no L3 field is an L3 wildcard (pkg/policy/rule.go mergeIngress
  // wildcards the peers when iterating toPorts entries); empty lists count as absent.
  test('an L3 wildcard needs a non-empty toPorts: toPorts: [] alone matches nothing', () => {
    const emptyPorts = cnp('shop', 'empty-ports', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ toPorts: [] }] });
    const l4 = cnp('shop', 'l4', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
    });
    expectValidManifests([emptyPorts, l4]);
    expect(ingress([emptyPorts], web, api, 8080).allowed).toBe(false);
    expect(ingress([emptyPorts], external('198.51.100.1'), api, 8080).allowed).toBe(false);
    expect(ingress([l4], external('198.51.100.1'), api, 8080).allowed).toBe(true);
    expect(ingress([l4], worker, api, 8080).allowed).toBe(true);
    expect(ingress([l4], worker, api, 8081).allowed).toBe(false);
  });

  // Cilium treats an empty toPorts like an absent one: a rule with L3 peers, no toPorts entries and no
  // icmps entries is an L3-only rule on all ports (pkg/policy/rule.go mergeIngress / mergeEgress,
  // "L3-only rule" when toPorts.Len() == 0 && icmp.Len() == 0).
  test('toPorts: [] next to an L3 peer allows that peer on every port', () => {
    const policy = cnp('shop', 'l3-empty-ports', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [] }],
    });
    expectValidManifests([policy]);
    expect(ingress([policy], web, api, 8080).allowed).toBe(true);
    expect(ingress([policy], web, api, 22).allowed).toBe(true);
    expect(ingress([policy], web, api, 53, 'UDP').allowed).toBe(true);
    expect(ingress([policy], web, api, 8080).reasons[0].message)
      .toBe('CiliumNetworkPolicy shop/l3-empty-ports spec.ingress[0] allows ingress from shop/web to shop/api on 8080/TCP via fromEndpoints[0]');
    // Control: the peer selector still applies.
    expect(ingress([policy], worker, api, 8080).allowed).toBe(false);
    const egressPolicy = cnp('shop', 'egress-empty-ports', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toEntities: ['world'], toPorts: [] }],
    });
    expectValidManifests([egressPolicy]);
    expect(egress([egressPolicy], web, external('198.51.100.1'), 5432).allowed).toBe(true);
    expect(egress([egressPolicy], web, api, 5432).allowed).toBe(false);
  });

  test('icmps: [] is absent too, while an ICMP rule with toPorts: [] still allows no TCP', () => {
    const emptyIcmps = cnp('shop', 'empty-icmps', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], icmps: [] }],
    });
    const icmpOnly = cnp('shop', 'icmp-only', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], icmps: [{ fields: [{ type: 8 }] }], toPorts: [] }],
    });
    expectValidManifests([emptyIcmps, icmpOnly]);
    expect(ingress([emptyIcmps], web, api, 8080).allowed).toBe(true);
    expect(ingress([emptyIcmps], worker, api, 8080).allowed).toBe(false);
    expect(ingress([icmpOnly], web, api, 8080).allowed).toBe(false);
  });

  test('an ICMP-only rule allows no TCP/UDP traffic', () => {
    const icmp = cnp('shop', 'icmp', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], icmps: [{ fields: [{ type: 8 }] }] }],
    });
    expect(ingress([icmp], web, api, 8080).allowed).toBe(false);
  });

  test('toServices is not modelled: a flow it could allow is indeterminate, one another rule allows stays allowed', () => {
    const policy = cnp('shop', 'mixed', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toEntities: ['world'] }, { toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }] }],
    });
    const ok = egress([policy], web, external('198.51.100.1'), 443);
    expect(ok.outcome).toBe(1);
    expect(ok.reasons.map((r) => r.effect)).toEqual(['allow']);
    const undecided = egress([policy], web, api, 5432);
    expect(undecided.outcome).toBe(2);
    expect(undecided.allowed).toBe(false);
    expect(undecided.uncertain).toEqual([
      'CiliumNetworkPolicy shop/mixed spec.egress[1]: toServices is not modelled (the Service backends are not resolved): it may select any destination',
    ]);
  });

  test('toServices with toPorts only concerns those ports: other ports stay denied', () => {
    const policy = cnp('shop', 'svc', {
      endpointSelector: { matchLabels: { app: 'web' } },
      egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
    });
    expect(egress([policy], web, api, 5432).outcome).toBe(2);
    expect(egress([policy], web, api, 80).outcome).toBe(0);
  });
});


/*
 * toPorts entries without ports. Cilium (pkg/policy/rule.go, mergeIngress / mergeEgress) creates one
 * L4 filter per `ports[]` item, so a portless entry contributes nothing, and a non-empty toPorts
 * keeps the rule from becoming an all-ports L3 allow. Validation (pkg/policy/api/rule_validation.go,
 * L7Rules.sanitize) rejects DNS rules without ports ("Port 53 must be specified for DNS rules"),
 * which makes Cilium drop the whole policy object (CiliumNetworkPolicy.Parse).
 */
describe('toPorts entries without ports', () => {
  const httpOnly = (name: string, entry: any): any => cnp('shop', name, {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [entry] }],
  });

  test('an HTTP rule without ports allows no port', () => {
    const absent = httpOnly('http-no-ports', { rules: { http: [{ method: 'GET' }] } });
    const empty = httpOnly('http-empty-ports', { ports: [], rules: { http: [{ method: 'GET' }] } });
    expectValidManifests([absent, empty]);
    for (const policy of [absent, empty]) {
      const v = ingress([policy], web, api, 8080);
      expect(v.allowed).toBe(false);
      expect(v.l7Constraints).toBeUndefined();
      // The policy still selects api and puts its ingress into default deny.
      expect(v.reasons[0]).toMatchObject({ effect: 'isolate', rule: 'spec' });
      expect(ingress([policy], web, api, 80).allowed).toBe(false);
    }
    // Control: the same rule with a port allows that port, through the proxy.
    const withPort = httpOnly('http-port', { ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } });
    expectValidManifests([withPort]);
    expect(ingress([withPort], web, api, 8080).l7Constraints).toEqual(['HTTP GET any path (CiliumNetworkPolicy shop/http-port spec.ingress[0])']);
    expect(ingress([withPort], web, api, 80).allowed).toBe(false);
  });

  test('a portless entry is skipped, not the entries after it', () => {
    const policy = cnp('shop', 'mixed', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { app: 'web' } }],
        toPorts: [{ rules: { http: [{ method: 'GET' }] } }, { ports: [{ port: '9090', protocol: 'TCP' }] }],
      }],
    });
    expectValidManifests([policy]);
    const v = ingress([policy], web, api, 9090);
    expect(v.allowed).toBe(true);
    expect(v.reasons[0].message).toContain('toPorts[1]');
    expect(ingress([policy], web, api, 8080).allowed).toBe(false);
  });

  test('a deny rule whose toPorts entry has no ports denies nothing', () => {
    const policy = cnp('shop', 'deny-portless', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }],
      ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{}] }],
    });
    expectValidManifests([policy]);
    expect(ingress([policy], web, api, 8080).allowed).toBe(true);
  });

  test('DNS rules without ports get the whole policy rejected, with a note', () => {
    const rejected = cnp('shop', 'dns-no-ports', undefined, {
      specs: [
        { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'api' } }] }] },
        {
          endpointSelector: { matchLabels: { app: 'web' } },
          egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ rules: { dns: [{ matchPattern: '*' }] } }] }],
        },
      ],
    });
    expectValidManifests([rejected]);
    // Neither spec applies: web is not in default deny, so even traffic specs[0] does not allow passes.
    const v = egress([rejected], web, worker, 8080);
    expect(v.allowed).toBe(true);
    expect(v.reasons.map((r) => r.effect)).toEqual(['default-allow', 'log']);
    expect(v.reasons[1].message).toBe('note: CiliumNetworkPolicy shop/dns-no-ports selects shop/web but Cilium rejects it '
      + '(specs[1].egress[0].toPorts[0]: DNS rules need ports (port 53 must be specified)): it enforces nothing');
    // Pods the policy does not select get no note.
    expect(egress([rejected], worker, web, 8080).reasons.some((r) => r.effect === 'log')).toBe(false);
    // Control: with port 53 the same policy is accepted and puts web into default deny.
    const accepted = cnp('shop', 'dns-port', undefined, {
      specs: [
        rejected.specs[0],
        { ...rejected.specs[1], egress: [{ ...rejected.specs[1].egress[0], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }] },
      ],
    });
    expectValidManifests([accepted]);
    expect(egress([accepted], web, worker, 8080).allowed).toBe(false);
    expect(egress([accepted], web, api, 8080).allowed).toBe(true);
    expect(egress([accepted], web, kubeDns, 53, 'UDP').allowed).toBe(true);
  });

  test('DNS rules on ingress get the policy rejected', () => {
    const policy = cnp('shop', 'dns-ingress', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '53' }], rules: { dns: [{ matchPattern: '*' }] } }] }],
    });
    expectValidManifests([policy]);
    const v = ingress([policy], worker, api, 8080);
    expect(v.allowed).toBe(true);
    expect(v.reasons.find((r) => r.effect === 'log')?.message).toContain('spec.ingress[0].toPorts[0]: DNS rules are not allowed on ingress');
  });
});

describe('named ports are case-insensitive', () => {
  // PortProtocol.sanitize lower-cases a port name ("Normalize for case insensitive comparison"), and
  // container port names are lower case (IANA_SVC_NAME).
  test('port HTTP selects the container port named http', () => {
    const policy = cnp('shop', 'upper', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: 'HTTP', protocol: 'TCP' }] }] }],
    });
    const v = ingress([policy], web, api, 8080);
    expect([v.outcome, v.reasons[0].message]).toEqual([1, 'CiliumNetworkPolicy shop/upper spec.ingress[0] allows ingress from shop/web to shop/api on 8080/TCP via fromEndpoints[0], toPorts[0]']);
    expect(ingress([policy], web, api, 9090).outcome).toBe(0);
  });
});

describe('serverNames and listener restrict a port beyond L4', () => {
  // CRD: "ServerNames ... If not empty, then TLS must be present and one of the provided SNIs must be
  // indicated in the TLS handshake"; `listener` redirects the port to a custom Envoy listener.
  const egressTo = (name: string, entry: any) => cnp('shop', name, {
    endpointSelector: { matchLabels: { app: 'web' } },
    egress: [{ toCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], ...entry }] }],
  });

  test('an allow with serverNames carries the SNI as an L7 constraint (not a plain allow)', () => {
    const policy = egressTo('sni', { serverNames: ['api.example.com'] });
    expectValidManifests([policy]);
    const v = egress([policy], web, internet, 443);
    expect([v.outcome, v.l7Constraints]).toEqual([1, ['TLS SNI api.example.com (CiliumNetworkPolicy shop/sni spec.egress[0])']]);
  });

  test('an allow with a listener carries the listener as an L7 constraint', () => {
    const policy = egressTo('lsn', { listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'cec' }, name: 'l1' } });
    expectValidManifests([policy]);
    expect(egress([policy], web, internet, 443).l7Constraints).toEqual(['Envoy listener l1 of CiliumEnvoyConfig cec (CiliumNetworkPolicy shop/lsn spec.egress[0])']);
  });

  test('serverNames with HTTP rules and no terminatingTLS, a listener on ingress or with L7 rules: rejected', () => {
    const both = egressTo('sni-http', { serverNames: ['api.example.com'], rules: { http: [{ method: 'GET' }] } });
    expect(egress([both], web, worker, 8080).reasons[1].message).toContain('(spec.egress[0].toPorts[0]: serverNames need terminatingTLS when the entry has L7 rules)');
    const lsnIn = cnp('shop', 'lsn-in', {
      endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'cec' }, name: 'l1' } }] }],
    });
    expect(ingress([lsnIn], worker, web, 8080).reasons[1].message).toContain('(spec.ingress[0].toPorts[0]: a listener is not allowed on ingress)');
    const lsnL7 = egressTo('lsn-l7', { listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'cec' }, name: 'l1' }, rules: { http: [{ method: 'GET' }] } });
    expect(egress([lsnL7], web, worker, 8080).reasons[1].message).toContain('(spec.egress[0].toPorts[0]: a listener cannot be combined with L7 rules)');
  });
});
