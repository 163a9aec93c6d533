/**
 * A port Cilium redirects to Envoy for a peer carries all of that peer's traffic on the port through
 * Envoy, including requests admitted by an allow without L7 rules (cilium/cilium pkg/policy rule.go
 * `mergePortProto` appends the allow-all HTTP rule; mapstate.go `merge` prefers the redirect; l4.go
 * `toMapState` lets an L4-only redirect cover narrower keys). Envoy's path handling (http-normalize-path:
 * an escaped slash is a 307, a fragment a 400) then applies to those requests too. Ingress and egress
 * alike. L4 questions keep their verdicts and report no L7 constraints.
 */
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';
import { deployment, namespace } from '../fixtures';
import { ISTIO_SIDECAR, meshReach, namespace as meshNamespace, peerAuthentication, w, workload } from '../mesh/support';

const listen = { containers: [{ name: 'c', image: 'registry.example.com/app:1.0', ports: [{ name: 'http', containerPort: 8080 }] }] };
const pods = [
  namespace('shop'),
  deployment('shop', 'web', { app: 'web' }, listen),
  deployment('shop', 'batch', { app: 'batch' }, listen),
  deployment('shop', 'api', { app: 'api' }, listen),
];
const PORT_8080 = [{ port: '8080', protocol: 'TCP' }];
const HTTP_PUBLIC = { http: [{ method: 'GET', path: '/public/.*' }] };
const cnp = (name: string, spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const api = { matchLabels: { app: 'api' } };
const web = { matchLabels: { app: 'web' } };

/** web may GET /public/.* on api:8080 (HTTP rules). */
const httpIngress = cnp('api-http', { endpointSelector: api, ingress: [{ fromEndpoints: [web], toPorts: [{ ports: PORT_8080, rules: HTTP_PUBLIC }] }] });
/** The same peer and port without L7 rules (a second policy). */
const l4Ingress = cnp('api-l4', { endpointSelector: api, ingress: [{ fromEndpoints: [web], toPorts: [{ ports: PORT_8080 }] }] });
/** Every pod of the namespace on 8080, without L7 rules (a wider selector than the HTTP rule's). */
const l4AllIngress = cnp('api-l4-all', { endpointSelector: api, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: PORT_8080 }] }] });
/** web on every port (an L3-only rule). */
const l3Ingress = cnp('api-l3', { endpointSelector: api, ingress: [{ fromEndpoints: [web] }] });
/** A Kubernetes NetworkPolicy admitting web on 8080. */
const npIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api-from-web', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] },
};
/** web's egress to api:8080, with HTTP rules and without. */
const webEgress = cnp('web-egress', {
  endpointSelector: web,
  egress: [
    { toEndpoints: [api], toPorts: [{ ports: PORT_8080, rules: HTTP_PUBLIC }] },
    { toEndpoints: [api], toPorts: [{ ports: PORT_8080 }] },
  ],
});
const normalizeOff = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'http-normalize-path': 'false' } };

const REDIRECT_WHY = 'CiliumNetworkPolicy shop/api-http spec.ingress[0] has L7 rules on TCP/8080 for this peer, so Cilium sends all of the peer\'s '
  + 'TCP/8080 traffic through its L7 proxy (the L3/L4 allow becomes an allow-all L7 rule there)';
const ESCAPED = "Cilium's Envoy answers /public%2Fa with a 307 redirect to /public/a instead of forwarding it (an escaped / or \\ in the path; "
  + 'http-normalize-path, on by default: UNESCAPE_AND_REDIRECT)';
const FRAGMENT = 'Envoy rejects a request whose path has a # fragment (400, runtime guard envoy.reloadable_features.http_reject_path_with_fragment, on by default)';

function reach(policies: any[]): Reachability {
  return Reachability.fromManifests([...pods, ...policies], { cni: Cni.cilium() });
}
function ask(policies: any[], path: string, from = 'web', headers?: Record<string, string>) {
  return reach(policies).checkRequest(Target.workload('shop', from), Target.workload('shop', 'api'), Port.tcp(8080),
    { method: 'GET', path, ...(headers ? { headers } : {}) });
}
const last = (reasons: string[]) => reasons[reasons.length - 1];

test('the manifests are valid', () => {
  expectValidManifests([...pods, httpIngress, l4Ingress, l4AllIngress, l3Ingress, npIngress, webEgress, normalizeOff]);
});

describe('ingress: an HTTP rule and an L3/L4 allow for the same peer and port', () => {
  const both = [httpIngress, l4Ingress];

  test('a request the HTTP rule does not allow is allowed (the allow-all rule), through Envoy', () => {
    const result = ask(both, '/admin');
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(last(result.ingress.reasons)).toBe(`GET /admin passes the proxy: ${REDIRECT_WHY}, and it forwards the request`);
  });

  test('an escaped slash is answered with a 307 by Envoy: denied (allowed before)', () => {
    const result = ask(both, '/public%2Fa');
    expect(result.verdict).toBe(Verdict.DENY);
    expect(last(result.ingress.reasons)).toBe(`GET /public%2Fa does not pass the proxy: ${REDIRECT_WHY}, and ${ESCAPED}: denied`);
    expect(result.egress.verdict).toBe(Verdict.ALLOW);
  });

  test('gRPC gets the 400 instead of the redirect', () => {
    const result = ask(both, '/public%2Fa', 'web', { 'content-type': 'application/grpc' });
    expect(result.verdict).toBe(Verdict.DENY);
    expect(last(result.ingress.reasons)).toContain("Cilium's Envoy rejects the gRPC request /public%2Fa with 400 instead of forwarding it");
  });

  test('a # fragment is rejected with 400; a path Envoy\'s handling of which is not modelled is indeterminate', () => {
    const fragment = ask(both, '/admin#x');
    expect(fragment.verdict).toBe(Verdict.DENY);
    expect(last(fragment.ingress.reasons)).toBe(`GET /admin#x does not pass the proxy: ${REDIRECT_WHY}, and ${FRAGMENT}: denied`);
    const spaced = ask(both, '/admin b');
    expect(spaced.verdict).toBe(Verdict.INDETERMINATE);
    expect(spaced.uncertainties).toEqual([`${REDIRECT_WHY}; allow-all L7 rule Cilium adds on TCP/8080 (redirected by CiliumNetworkPolicy shop/api-http `
      + 'spec.ingress[0]): the path /admin b has characters whose handling by Envoy (its HTTP parser and path normalization) is not modelled']);
  });

  test('dot segments are forwarded normalized: allowed', () => {
    expect(ask(both, '/public/../admin').verdict).toBe(Verdict.ALLOW);
  });

  test('the L4 question is unchanged: allowed, no L7 constraints', () => {
    const result = reach(both).check(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080));
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.l7Constraints).toEqual([]);
  });

  test('with http-normalize-path: false the escaped slash is forwarded as sent; the fragment is still rejected', () => {
    expect(ask([...both, normalizeOff], '/public%2Fa').verdict).toBe(Verdict.ALLOW);
    expect(ask([...both, normalizeOff], '/admin#x').verdict).toBe(Verdict.DENY);
  });
});

describe('the redirect is per peer: other selectors and allows', () => {
  test('an L4 allow for every pod: web (selected by the HTTP rule) goes through Envoy, batch (not selected) does not', () => {
    const policies = [httpIngress, l4AllIngress];
    expect(ask(policies, '/public%2Fa').verdict).toBe(Verdict.DENY);
    const batch = ask(policies, '/public%2Fa', 'batch');
    expect(batch.verdict).toBe(Verdict.ALLOW);
    expect(batch.ingress.reasons).toEqual(['CiliumNetworkPolicy shop/api-l4-all spec.ingress[0] allows ingress from shop/batch to shop/api on 8080/TCP '
      + 'via fromEndpoints[0], toPorts[0]']);
  });

  test('an L3-only allow: the HTTP rule\'s port is still redirected', () => {
    const result = ask([httpIngress, l3Ingress], '/public%2Fa');
    expect(result.verdict).toBe(Verdict.DENY);
    expect(last(result.ingress.reasons)).toBe(`GET /public%2Fa does not pass the proxy: ${REDIRECT_WHY}, and ${ESCAPED}: denied`);
  });

  test('a Kubernetes NetworkPolicy allow merges the same way', () => {
    expect(ask([httpIngress, npIngress], '/public%2Fa').verdict).toBe(Verdict.DENY);
    expect(ask([httpIngress, npIngress], '/admin').verdict).toBe(Verdict.ALLOW);
  });

  test('without the HTTP rule nothing is redirected: the escaped slash is allowed', () => {
    expect(ask([l4Ingress], '/public%2Fa').verdict).toBe(Verdict.ALLOW);
  });
});

describe('egress: HTTP rules of the client send its traffic to the proxy on its own node', () => {
  test('an escaped slash is denied on the egress side, other requests pass', () => {
    const result = ask([webEgress], '/public%2Fa');
    expect(result.verdict).toBe(Verdict.DENY);
    expect(result.ingress.verdict).toBe(Verdict.ALLOW);
    expect(last(result.egress.reasons)).toBe('GET /public%2Fa does not pass the proxy: CiliumNetworkPolicy shop/web-egress spec.egress[0] has L7 rules '
      + 'on TCP/8080 for this peer, so Cilium sends all of the peer\'s TCP/8080 traffic through its L7 proxy (the L3/L4 allow becomes an allow-all L7 rule '
      + `there), and ${ESCAPED}: denied`);
    expect(ask([webEgress], '/admin').verdict).toBe(Verdict.ALLOW);
  });
});

describe('under Istio mutual TLS the proxy cannot read the redirected flow', () => {
  const meshed = [meshNamespace('istio-system'), meshNamespace('shop', { 'istio-injection': 'enabled' }), workload('shop', 'web'), workload('shop', 'api'),
    peerAuthentication('istio-system', 'default', { mtls: { mode: 'STRICT' } }), httpIngress, l4Ingress];

  test('the manifests are valid', () => {
    expectValidManifests(meshed);
  });

  test('a request the allow-all rule admits is indeterminate, not allowed', () => {
    const result = meshReach(meshed, ISTIO_SIDECAR, { cni: Cni.cilium() }).checkRequest(w('shop/web'), w('shop/api'), Port.tcp(8080), { method: 'GET', path: '/admin' });
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([`${REDIRECT_WHY}; it cannot read this flow: the source and the destination are both in the mesh and `
      + 'PeerAuthentication istio-system/default (mesh-wide) sets STRICT: Istio sends this flow over mutual TLS']);
  });
});

describe('a redirecting rule that only may match the flow', () => {
  // An egress port name no pod of the manifests declares: Cilium resolves it over the whole cluster, so it may be 8080.
  const maybeEgress = cnp('web-egress-named', {
    endpointSelector: web,
    egress: [
      { toEndpoints: [api], toPorts: [{ ports: [{ port: 'admin-http', protocol: 'TCP' }], rules: HTTP_PUBLIC }] },
      { toEndpoints: [api], toPorts: [{ ports: PORT_8080 }] },
    ],
  });

  test('the manifests are valid', () => {
    expectValidManifests([...pods, maybeEgress]);
  });

  test('what Envoy would not forward is indeterminate, what it forwards is allowed', () => {
    const escaped = ask([maybeEgress], '/public%2Fa');
    expect(escaped.verdict).toBe(Verdict.INDETERMINATE);
    expect(escaped.uncertainties).toEqual(['CiliumNetworkPolicy shop/web-egress-named spec.egress[0] may match this flow with L7 rules on TCP/8080, which '
      + `would send it through Cilium's L7 proxy, and ${ESCAPED}`]);
    expect(ask([maybeEgress], '/admin').verdict).toBe(Verdict.ALLOW);
  });
});

test('a port redirected to the Kafka proxy serves no HTTP, whatever other allow admits the peer', () => {
  const kafka = cnp('api-kafka', { endpointSelector: api, ingress: [{ fromEndpoints: [web], toPorts: [{ ports: PORT_8080, rules: { kafka: [{ topic: 'orders' }] } }] }] });
  expectValidManifests([...pods, kafka]);
  const result = ask([kafka, l4Ingress], '/admin');
  expect(result.verdict).toBe(Verdict.DENY);
  expect(last(result.ingress.reasons)).toBe('GET /admin does not pass the proxy: CiliumNetworkPolicy shop/api-kafka spec.ingress[0] has L7 rules on TCP/8080 '
    + 'for this peer, so Cilium sends all of the peer\'s TCP/8080 traffic through its L7 proxy (the L3/L4 allow becomes an allow-all L7 rule there), and '
    + 'the port\'s Kafka proxy serves no HTTP: denied');
});

test('the local host: always allowed, but an HTTP rule selecting it still sends its requests through Envoy (rule.go mergeIngress hostWildcardL7)', () => {
  const fromHost = cnp('api-from-host', { endpointSelector: api, ingress: [{ fromEntities: ['host'], toPorts: [{ ports: PORT_8080, rules: HTTP_PUBLIC }] }] });
  expectValidManifests([...pods, fromHost]);
  const request = (path: string) => reach([fromHost]).checkRequest(Target.localNode(), Target.workload('shop', 'api'), Port.tcp(8080), { method: 'GET', path });
  expect(request('/admin').verdict).toBe(Verdict.ALLOW);
  const escaped = request('/public%2Fa');
  expect(escaped.verdict).toBe(Verdict.DENY);
  expect(last(escaped.ingress.reasons)).toBe('GET /public%2Fa does not pass the proxy: CiliumNetworkPolicy shop/api-from-host spec.ingress[0] has L7 rules on '
    + 'TCP/8080 for this peer, so Cilium sends all of the peer\'s TCP/8080 traffic through its L7 proxy (the L3/L4 allow becomes an allow-all L7 rule there), '
    + `and ${ESCAPED}: denied`);
});

describe('one rule with several toPorts entries for the port: Cilium merges them for the rule\'s peers (rule.go mergePortProto)', () => {
  /** The same peers and port without L7 rules first, then with HTTP rules. */
  const l4First = cnp('api-l4-first', {
    endpointSelector: api,
    ingress: [{ fromEndpoints: [web], toPorts: [{ ports: PORT_8080 }, { ports: PORT_8080, rules: HTTP_PUBLIC }] }],
  });
  /** The HTTP rules first. */
  const l7First = cnp('api-l7-first', {
    endpointSelector: api,
    ingress: [{ fromEndpoints: [web], toPorts: [{ ports: PORT_8080, rules: HTTP_PUBLIC }, { ports: PORT_8080 }] }],
  });
  /** Every TCP port without L7 rules (port 0), and 8080 with HTTP rules: two L4 filters, Envoy checks both (network_policy.cc forRange). */
  const anyPortFirst = cnp('api-any-port', {
    endpointSelector: api,
    ingress: [{ fromEndpoints: [web], toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }] }, { ports: PORT_8080, rules: HTTP_PUBLIC }] }],
  });
  const why = (name: string) => `CiliumNetworkPolicy shop/${name} spec.ingress[0] has L7 rules on TCP/8080 for this peer, so Cilium sends all of the `
    + 'peer\'s TCP/8080 traffic through its L7 proxy (the L3/L4 allow becomes an allow-all L7 rule there)';

  test('the manifests are valid', () => {
    expectValidManifests([...pods, l4First, l7First, anyPortFirst]);
  });

  test.each([['api-l4-first', l4First], ['api-l7-first', l7First], ['api-any-port', anyPortFirst]])(
    '%s: the port is redirected (an escaped slash is a 307: denied) and the allow-all rule admits other requests', (name, policy) => {
      const escaped = ask([policy], '/public%2Fa');
      expect(escaped.verdict).toBe(Verdict.DENY);
      expect(last(escaped.ingress.reasons)).toBe(`GET /public%2Fa does not pass the proxy: ${why(name)}, and ${ESCAPED}: denied`);
      const admin = ask([policy], '/admin');
      expect(admin.verdict).toBe(Verdict.ALLOW);
      expect(last(admin.ingress.reasons)).toBe(`GET /admin passes the proxy: ${why(name)}, and it forwards the request`);
    });
});

describe('an allow that only may match the flow next to HTTP rules that surely do', () => {
  // An egress port name no pod of the manifests declares: Cilium resolves it over the whole cluster, so it may be 8080.
  const l4Maybe = cnp('web-egress-mixed', {
    endpointSelector: web,
    egress: [
      { toEndpoints: [api], toPorts: [{ ports: PORT_8080, rules: HTTP_PUBLIC }] },
      { toEndpoints: [api], toPorts: [{ ports: [{ port: 'admin-http', protocol: 'TCP' }] }] },
    ],
  });

  /** A NetworkPolicy isolating web's egress, admitting api on the same undeclared port name. */
  const npMaybe = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web-egress-named', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 'admin-http', protocol: 'TCP' }] }] },
  };
  const httpOnly = cnp('web-egress-http', { endpointSelector: web, egress: [{ toEndpoints: [api], toPorts: [{ ports: PORT_8080, rules: HTTP_PUBLIC }] }] });
  const MAY_ADMIT = 'allow-all L7 rule Cilium adds on TCP/8080 (redirected by CiliumNetworkPolicy shop/web-egress-mixed spec.egress[0]): it would admit '
    + 'the request, but applies only if an allow that may match the flow does (CiliumNetworkPolicy shop/web-egress-mixed spec.egress[1]: egress named '
    + 'port admin-http/TCP: no pod of the manifests declares it, and Cilium resolves an egress port name over the pods of the whole cluster and applies '
    + 'the number to every peer the rule selects (shop/api among them))';

  test('the manifests are valid', () => {
    expectValidManifests([...pods, l4Maybe, npMaybe, httpOnly]);
  });

  test('a request the HTTP rules do not allow is indeterminate (the other allow would add the allow-all rule), not denied', () => {
    const result = ask([l4Maybe], '/admin');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([MAY_ADMIT]);
    expect(ask([l4Maybe], '/public/a').verdict).toBe(Verdict.ALLOW);
  });

  test('what Envoy answers itself is still denied', () => {
    expect(ask([l4Maybe], '/public%2Fa').verdict).toBe(Verdict.DENY);
  });

  test('a NetworkPolicy that may admit the flow counts the same way', () => {
    expect(ask([httpOnly], '/admin').verdict).toBe(Verdict.DENY);
    const result = ask([httpOnly, npMaybe], '/admin');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toHaveLength(1);
    expect(result.uncertainties[0]).toMatch(/^allow-all L7 rule Cilium adds on TCP\/8080 \(redirected by CiliumNetworkPolicy shop\/web-egress-http spec.egress\[0\]\): it would admit the request, but applies only if an allow that may match the flow does \(NetworkPolicy shop\/web-egress-named spec.egress\[0\]: /);
    expect(ask([httpOnly, npMaybe], '/public%2Fa').verdict).toBe(Verdict.DENY);
  });

  test('the L4 question is unchanged', () => {
    const result = reach([l4Maybe]).check(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080));
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.l7Constraints).toEqual(['HTTP GET /public/.* (CiliumNetworkPolicy shop/web-egress-mixed spec.egress[0])']);
  });
});

describe('a TLS context alone redirects the port to Envoy\'s TLS proxy (l4.go createL4Filter: ParserTypeTLS)', () => {
  const tlsOnly = cnp('api-tls', {
    endpointSelector: api,
    ingress: [{ fromEndpoints: [web], toPorts: [{ ports: PORT_8080, terminatingTLS: { secret: { name: 'api-tls', namespace: 'cilium-secrets' } } }] }],
  });
  const TLS_WHY = 'the port goes through Envoy\'s TLS proxy (terminatingTLS / originatingTLS, no HTTP rules), whose handling of the connection (the '
    + 'TLS handshake, the Secret) is not evaluated';

  test('the manifests are valid', () => {
    expectValidManifests([...pods, tlsOnly, l4Ingress]);
  });

  test('a request is indeterminate (was: allowed as a plain L4 allow)', () => {
    const result = ask([tlsOnly], '/admin');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([`TLS terminated by Envoy (CiliumNetworkPolicy shop/api-tls spec.ingress[0]): ${TLS_WHY}`]);
  });

  test('the L4 question names the constraint', () => {
    const result = reach([tlsOnly]).check(Target.workload('shop', 'web'), Target.workload('shop', 'api'), Port.tcp(8080));
    expect(result.verdict).toBe(Verdict.ALLOW);
    expect(result.l7Constraints).toEqual(['TLS terminated by Envoy (CiliumNetworkPolicy shop/api-tls spec.ingress[0])']);
  });

  test('next to an L3/L4 allow the peer\'s traffic still passes the TLS proxy: indeterminate', () => {
    const result = ask([tlsOnly, l4Ingress], '/admin');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['CiliumNetworkPolicy shop/api-tls spec.ingress[0] has L7 rules on TCP/8080 for this peer, so Cilium sends all '
      + 'of the peer\'s TCP/8080 traffic through its L7 proxy (the L3/L4 allow becomes an allow-all L7 rule there); allow-all L7 rule Cilium adds on '
      + `TCP/8080 (redirected by CiliumNetworkPolicy shop/api-tls spec.ingress[0]): ${TLS_WHY}`]);
  });
});

describe('without default deny, HTTP rules that only may match restrict the flow if they do (no allow-all: docs.cilium.io policy intro, EnableDefaultDeny)', () => {
  const noDefaultDeny = cnp('web-egress-no-default-deny', {
    endpointSelector: web,
    enableDefaultDeny: { egress: false },
    egress: [{ toEndpoints: [api], toPorts: [{ ports: [{ port: 'admin-http', protocol: 'TCP' }], rules: HTTP_PUBLIC }] }],
  });

  test('the manifests are valid', () => {
    expectValidManifests([...pods, noDefaultDeny]);
  });

  test('a request the HTTP rules do not allow is indeterminate (was: allowed by the allow-all rule no other allow adds)', () => {
    const result = ask([noDefaultDeny], '/admin');
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual(['CiliumNetworkPolicy shop/web-egress-no-default-deny spec.egress[0] may match this flow with L7 rules on '
      + 'TCP/8080, which would then restrict it (no allow of this peer adds the allow-all L7 rule), and it does not forward the request']);
  });

  test('a request the HTTP rules allow is allowed either way', () => {
    expect(ask([noDefaultDeny], '/public/a').verdict).toBe(Verdict.ALLOW);
  });

  test('what Envoy would answer itself is indeterminate', () => {
    expect(ask([noDefaultDeny], '/public%2Fa').verdict).toBe(Verdict.INDETERMINATE);
  });
});

describe('one rule whose toPorts entries surely and only maybe match the flow', () => {
  // An egress port name no pod of the manifests declares: Cilium resolves it over the whole cluster, so it may be 8080.
  const ADMIN_HTTP = [{ port: 'admin-http', protocol: 'TCP' }];
  const l7Sure = cnp('web-egress-l7-sure', { endpointSelector: web, egress: [{ toEndpoints: [api], toPorts: [{ ports: PORT_8080, rules: HTTP_PUBLIC }, { ports: ADMIN_HTTP }] }] });
  const l4Sure = cnp('web-egress-l4-sure', { endpointSelector: web, egress: [{ toEndpoints: [api], toPorts: [{ ports: PORT_8080 }, { ports: ADMIN_HTTP, rules: HTTP_PUBLIC }] }] });

  test('the manifests are valid', () => {
    expectValidManifests([...pods, l7Sure, l4Sure]);
  });

  test('HTTP rules surely, an L3/L4 entry maybe: a request the HTTP rules deny is indeterminate (was: denied)', () => {
    expect(ask([l7Sure], '/admin').verdict).toBe(Verdict.INDETERMINATE);
    expect(ask([l7Sure], '/public/a').verdict).toBe(Verdict.ALLOW);
    expect(ask([l7Sure], '/public%2Fa').verdict).toBe(Verdict.DENY);
  });

  test('an L3/L4 entry surely, HTTP rules maybe: what Envoy would answer itself is indeterminate (was: allowed)', () => {
    expect(ask([l4Sure], '/public%2Fa').verdict).toBe(Verdict.INDETERMINATE);
    expect(ask([l4Sure], '/admin').verdict).toBe(Verdict.ALLOW);
  });
});
