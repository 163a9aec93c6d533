/**
 * PolicyLint's mesh pitfalls: PERMISSIVE left on, identity-based authorization without STRICT mTLS,
 * DestinationRule subsets nobody routes to (and routes to subsets nobody defines, mirrors included),
 * and Linkerd Servers without authorization. Split from/to/when rules and a missing `action` are
 * covered in istio-misc-rules.test.ts.
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

const pa = (ns: string, name: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns }, spec });
const authz = (ns: string, name: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec });
const fromWeb = authz('shop', 'api-from-web', {
  selector: { matchLabels: { app: 'api' } },
  action: 'ALLOW',
  rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { ports: ['8080'] } }] }],
});

describe('istio-authz-missing-action (https://istio.io/latest/docs/reference/config/security/authorization-policy/)', () => {
  test('spec: {} relies on the ALLOW default to be allow-nothing: the warning says so', () => {
    const findings = PolicyLint.check([authz('shop', 'allow-nothing', {})]);
    expect(brief(findings)).toEqual([{ rule: 'istio-authz-missing-action', severity: 'warning', object: 'AuthorizationPolicy shop/allow-nothing', path: 'spec' }]);
    expect(findings[0].message).toBe('action is omitted and defaults to ALLOW: without rules this policy allows nothing (spec: {} is the allow-nothing baseline)');
  });
});

describe('istio-mtls-permissive (https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/)', () => {
  test('mesh-wide and namespace-wide PERMISSIVE are warnings; mesh-wide UNSET is PERMISSIVE too', () => {
    const findings = PolicyLint.check([pa('istio-system', 'default', { mtls: { mode: 'PERMISSIVE' } }), pa('shop', 'default', { mtls: { mode: 'PERMISSIVE' } })]);
    expect(brief(findings, 'istio-mtls-permissive')).toEqual([
      { rule: 'istio-mtls-permissive', severity: 'warning', object: 'PeerAuthentication istio-system/default', path: 'spec.mtls.mode' },
      { rule: 'istio-mtls-permissive', severity: 'warning', object: 'PeerAuthentication shop/default', path: 'spec.mtls.mode' },
    ]);
    expect(findings.find((f) => f.object === 'PeerAuthentication istio-system/default')!.message).toMatch(/^mesh-wide mutual TLS is PERMISSIVE: plaintext/);
    expect(findings[0].fix).toContain('set mtls.mode: STRICT');
    expect(brief(PolicyLint.check([pa('istio-system', 'default', {})]), 'istio-mtls-permissive')).toEqual([
      { rule: 'istio-mtls-permissive', severity: 'warning', object: 'PeerAuthentication istio-system/default', path: 'spec' },
    ]);
  });

  // istio.io PeerAuthentication reference: DISABLE = "Connection is not tunneled", no mutual TLS at all.
  test('namespace-wide DISABLE is flagged too: mutual TLS is off even between sidecars', () => {
    const findings = PolicyLint.check([pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }), pa('shop', 'default', { mtls: { mode: 'DISABLE' } })]);
    expect(brief(findings)).toEqual([
      { rule: 'istio-mtls-permissive', severity: 'warning', object: 'PeerAuthentication shop/default', path: 'spec.mtls.mode' },
    ]);
    expect(findings[0].message).toBe('namespace-wide (namespace shop) mutual TLS is DISABLE: every connection it covers is plaintext, even between '
      + 'sidecars, and carries no identity, so identity-based authorization matches nothing');
  });

  test('STRICT, and workload-level exceptions (explicit, with a selector), are clean', () => {
    const findings = PolicyLint.check([
      pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }),
      pa('shop', 'scrape', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } } }),
    ]);
    expect(findings).toEqual([]);
  });
});

describe('istio-authz-identity-without-strict (https://istio.io/latest/news/security/istio-security-2021-004/)', () => {
  test('principals with the mesh on PERMISSIVE: an error naming the field and the PeerAuthentication', () => {
    const findings = PolicyLint.check([pa('istio-system', 'default', { mtls: { mode: 'PERMISSIVE' } }), fromWeb]);
    expect(brief(findings, 'istio-authz-identity-without-strict')).toEqual([
      { rule: 'istio-authz-identity-without-strict', severity: 'error', object: 'AuthorizationPolicy shop/api-from-web', path: 'spec.rules[0].from[0].source.principals' },
    ]);
    expect(findings.find((f) => f.rule === 'istio-authz-identity-without-strict')!.message).toBe('matches on peer identity (principals), but mutual TLS '
      + 'is not STRICT for the selected workloads in shop on port 8080 (PeerAuthentication istio-system/default (mesh-wide) sets PERMISSIVE): a '
      + "plaintext peer's principal and namespace are empty, so ALLOW rules never match it and DENY or not* rules let it through");
  });

  test('no PeerAuthentication in the manifests: a warning (Istio defaults to PERMISSIVE unless one exists elsewhere)', () => {
    expect(brief(PolicyLint.check([fromWeb]), 'istio-authz-identity-without-strict')).toEqual([
      { rule: 'istio-authz-identity-without-strict', severity: 'warning', object: 'AuthorizationPolicy shop/api-from-web', path: 'spec.rules[0].from[0].source.principals' },
    ]);
  });

  test('STRICT mesh-wide, namespace-wide or for the selected workload: clean', () => {
    expect(PolicyLint.check([pa('istio-system', 'default', { mtls: { mode: 'STRICT' } }), fromWeb])).toEqual([]);
    expect(PolicyLint.check([pa('shop', 'default', { mtls: { mode: 'STRICT' } }), fromWeb])).toEqual([]);
    expect(PolicyLint.check([pa('shop', 'api', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' } }), fromWeb])).toEqual([]);
  });

  test('a PERMISSIVE port exception on the rule\'s port is flagged; source.namespace conditions and notNamespaces count as identity', () => {
    const exception = pa('shop', 'api', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } });
    expect(brief(PolicyLint.check([exception, fromWeb]), 'istio-authz-identity-without-strict')).toHaveLength(1);
    const deny = authz('shop', 'deny-others', {
      selector: { matchLabels: { app: 'api' } }, action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }, { when: [{ key: 'source.namespace', values: ['ops'] }] }],
    });
    expect(brief(PolicyLint.check([pa('shop', 'default', { mtls: { mode: 'PERMISSIVE' } }), deny]), 'istio-authz-identity-without-strict')).toEqual([
      { rule: 'istio-authz-identity-without-strict', severity: 'error', object: 'AuthorizationPolicy shop/deny-others', path: 'spec.rules[0].from[0].source.notNamespaces' },
      { rule: 'istio-authz-identity-without-strict', severity: 'error', object: 'AuthorizationPolicy shop/deny-others', path: 'spec.rules[1].when[0]' },
    ]);
  });

  test('sources by IP block need no mTLS: clean', () => {
    const byIp = authz('shop', 'by-ip', { action: 'ALLOW', rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }] });
    expect(brief(PolicyLint.check([byIp]), 'istio-authz-identity-without-strict')).toEqual([]);
  });
});

describe('DestinationRule and VirtualService subsets (https://istio.io/latest/docs/reference/config/networking/destination-rule/)', () => {
  const dr = (subsets: string[]) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { host: 'api.shop.svc.cluster.local', subsets: subsets.map((name) => ({ name, labels: { version: name } })) },
  });
  const vs = (http: unknown) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'api', namespace: 'shop' }, spec: { hosts: ['api'], http } });

  test('a subset no route uses: warning on the subset', () => {
    const findings = PolicyLint.check([dr(['v1', 'v2', 'v3']), vs([{ route: [{ destination: { host: 'api', subset: 'v1' }, weight: 90 }, { destination: { host: 'api', subset: 'v2' }, weight: 10 }] }])]);
    expect(brief(findings)).toEqual([{ rule: 'destinationrule-unused-subset', severity: 'warning', object: 'DestinationRule shop/api', path: 'spec.subsets[2]' }]);
    expect(findings[0].message).toBe("subset 'v3' of host 'api.shop.svc.cluster.local' is not used by any VirtualService route to that host");
  });

  test('no VirtualService routes to the host at all: every subset is reported as unused here', () => {
    expect(PolicyLint.check([dr(['v1'])]).map((f) => f.message)).toEqual([
      "subset 'v1' of host 'api.shop.svc.cluster.local' is not used: no VirtualService in these manifests routes to that host",
    ]);
  });

  test('a mirror counts as a use; a mirror to an undefined subset is the reverse finding', () => {
    const mirrored = vs([{ route: [{ destination: { host: 'api', subset: 'v1' } }], mirror: { host: 'api', subset: 'v2' } }]);
    expect(PolicyLint.check([dr(['v1', 'v2']), mirrored])).toEqual([]);
    expect(brief(PolicyLint.check([dr(['v1']), mirrored]))).toEqual([
      { rule: 'virtualservice-undefined-subset', severity: 'warning', object: 'VirtualService shop/api', path: 'spec.http[0].mirror.subset' },
    ]);
  });
});

describe('linkerd-server-without-authorization (https://linkerd.io/2/reference/authorization-policy/)', () => {
  const server = (spec: Record<string, unknown> = {}) => ({
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name: 'api-8080', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, port: 8080, ...spec },
  });
  const policy = (targetRef: Record<string, string>) => ({
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { targetRef, requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'web' }] },
  });

  test('a deny Server (explicit or by default) no AuthorizationPolicy targets: warning', () => {
    expect(brief(PolicyLint.check([server()]))).toEqual([
      { rule: 'linkerd-server-without-authorization', severity: 'warning', object: 'Server shop/api-8080', path: 'spec' },
    ]);
    const findings = PolicyLint.check([server({ accessPolicy: 'deny' })]);
    expect(brief(findings)).toEqual([{ rule: 'linkerd-server-without-authorization', severity: 'warning', object: 'Server shop/api-8080', path: 'spec.accessPolicy' }]);
    expect(findings[0].message).toBe("no AuthorizationPolicy in these manifests targets Server 'api-8080' or namespace shop, and its accessPolicy is deny: "
      + 'every connection to port 8080 of the pods it selects is refused');
  });

  test('a policy targeting the Server or its namespace, or an open accessPolicy: clean', () => {
    expect(PolicyLint.check([server(), policy({ group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' })])).toEqual([]);
    expect(PolicyLint.check([server(), policy({ group: '', kind: 'Namespace', name: 'shop' })])).toEqual([]);
    // linkerd2 reads a Namespace targetRef as the policy's own namespace and never reads its name.
    expect(PolicyLint.check([server(), policy({ group: '', kind: 'Namespace', name: 'elsewhere' })])).toEqual([]);
    expect(PolicyLint.check([server({ accessPolicy: 'all-authenticated' })])).toEqual([]);
    expect(brief(PolicyLint.check([server(), policy({ group: 'policy.linkerd.io', kind: 'Server', name: 'other' })]))).toHaveLength(1);
  });

  test('a policy linkerd2 refuses for its requiredAuthenticationRefs does not count (unsupported kind, two identity sources, two networks)', () => {
    const target = { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' };
    const refused = (refs: unknown[]) => ({ ...policy(target), spec: { targetRef: target, requiredAuthenticationRefs: refs } });
    const warned = [{ rule: 'linkerd-server-without-authorization', severity: 'warning', object: 'Server shop/api-8080', path: 'spec' }];
    expect(brief(PolicyLint.check([server(), refused([{ kind: 'Secret', name: 'x' }])]))).toEqual(warned);
    expect(brief(PolicyLint.check([server(), refused([{ kind: 'ServiceAccount', name: 'a' }, { kind: 'ServiceAccount', name: 'b' }])]))).toEqual(warned);
    expect(brief(PolicyLint.check([server(), refused([{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'a' },
      { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'b' }])]))).toEqual(warned);
    expect(PolicyLint.check([server(), refused([{ kind: 'ServiceAccount', name: 'a' },
      { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'b' }])])).toEqual([]);
  });

  test('a policy targeting an HTTPRoute attached to the Server authorizes (some) requests to it: clean; a route without one does not count', () => {
    const route = (group: string) => ({
      apiVersion: `${group}/${group === 'policy.linkerd.io' ? 'v1beta3' : 'v1'}`,
      kind: 'HTTPRoute',
      metadata: { name: 'api-get', namespace: 'shop' },
      spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' }], rules: [{ matches: [{ method: 'GET' }] }] },
    });
    expect(PolicyLint.check([server(), route('policy.linkerd.io'), policy({ group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'api-get' })])).toEqual([]);
    expect(PolicyLint.check([server(), route('gateway.networking.k8s.io'), policy({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'api-get' })]))
      .toEqual([]);
    // The policy names the other API group's route, or no policy names the route at all.
    expect(brief(PolicyLint.check([server(), route('policy.linkerd.io'), policy({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'api-get' })])))
      .toHaveLength(1);
    expect(brief(PolicyLint.check([server(), route('policy.linkerd.io')]))).toHaveLength(1);
  });

  test('targetRef and parentRefs name the API group as Linkerd resolves it: a look-alike group or another namespace authorizes nothing', () => {
    const warned = [{ rule: 'linkerd-server-without-authorization', severity: 'warning', object: 'Server shop/api-8080', path: 'spec' }];
    // A Server or Namespace of another API group, or a Server without a group, is not the Linkerd Server or the namespace.
    expect(brief(PolicyLint.check([server(), policy({ group: 'example.com', kind: 'Server', name: 'api-8080' })]))).toEqual(warned);
    expect(brief(PolicyLint.check([server(), policy({ kind: 'Server', name: 'api-8080' })]))).toEqual(warned);
    expect(brief(PolicyLint.check([server(), policy({ group: 'example.com', kind: 'Namespace', name: 'shop' })]))).toEqual(warned);
    expect(PolicyLint.check([server(), policy({ group: 'core', kind: 'Namespace', name: 'shop' })])).toEqual([]);
    // Kinds and groups are compared ignoring case, as linkerd2's policy controller does (targets_kind).
    expect(PolicyLint.check([server(), policy({ group: 'Policy.Linkerd.IO', kind: 'server', name: 'api-8080' })])).toEqual([]);
    expect(PolicyLint.check([server(), policy({ group: 'Core', kind: 'NAMESPACE', name: 'shop' })])).toEqual([]);
    const route = (parent: Record<string, string>) => ({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'api-get', namespace: 'shop' },
      spec: { parentRefs: [{ kind: 'Server', name: 'api-8080', ...parent }], rules: [{ matches: [{ method: 'GET' }] }] },
    });
    const onRoute = policy({ group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'api-get' });
    // The route's parent is a Server of another group, or of another namespace: not this Server.
    expect(brief(PolicyLint.check([server(), route({ group: 'example.com' }), onRoute]))).toEqual(warned);
    expect(brief(PolicyLint.check([server(), route({ group: 'policy.linkerd.io', namespace: 'other' }), onRoute]))).toEqual(warned);
    // policy.linkerd.io named, or omitted (its default), and the route's own namespace named: this Server.
    expect(PolicyLint.check([server(), route({ group: 'policy.linkerd.io' }), onRoute])).toEqual([]);
    expect(PolicyLint.check([server(), route({}), onRoute])).toEqual([]);
    expect(PolicyLint.check([server(), route({ namespace: 'shop' }), onRoute])).toEqual([]);
  });

  test('parentRefs as linkerd2 reads them: kind ignoring case, a missing group defaulted by the route\'s CRD, a Server elsewhere refuses the route', () => {
    const warned = [{ rule: 'linkerd-server-without-authorization', severity: 'warning', object: 'Server shop/api-8080', path: 'spec' }];
    const route = (apiVersion: string, namespace: string, parent: Record<string, string>) => ({
      apiVersion,
      kind: 'HTTPRoute',
      metadata: { name: 'api-get', namespace },
      spec: { parentRefs: [{ name: 'api-8080', ...parent }], rules: [{ matches: [{ method: 'GET' }] }] },
    });
    const onRoute = (group: string, namespace = 'shop') => ({ ...policy({ group, kind: 'HTTPRoute', name: 'api-get' }), metadata: { name: 'web', namespace } });
    // linkerd2 (targets_kind) compares kinds ignoring case: a `server` parent is this Server.
    expect(PolicyLint.check([server(), route('policy.linkerd.io/v1beta3', 'shop', { kind: 'server' }), onRoute('policy.linkerd.io')])).toEqual([]);
    // Gateway API's CRD defaults a parentRef's group to gateway.networking.k8s.io: no Server.
    expect(brief(PolicyLint.check([server(), route('gateway.networking.k8s.io/v1', 'shop', { kind: 'Server' }), onRoute('gateway.networking.k8s.io')])))
      .toEqual(warned);
    expect(PolicyLint.check([server(), route('gateway.networking.k8s.io/v1', 'shop', { group: 'policy.linkerd.io', kind: 'Server' }),
      onRoute('gateway.networking.k8s.io')])).toEqual([]);
    // A route in another namespace naming this Server is refused by Linkerd: it authorizes nothing here.
    expect(brief(PolicyLint.check([server(), route('policy.linkerd.io/v1beta3', 'legacy', { kind: 'Server', namespace: 'shop' }),
      onRoute('policy.linkerd.io', 'legacy')]))).toEqual(warned);
  });

  test('a route naming its Server parent by port or section name is refused by Linkerd: its policy authorizes nothing', () => {
    // linkerd2 policy-controller/k8s/index/src/inbound/routes.rs (SpecifiesPort, SpecifiesSection): the index ignores the whole route.
    const route = (parents: Record<string, unknown>[]) => ({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'api-get', namespace: 'shop' },
      spec: { parentRefs: parents, rules: [{ matches: [{ method: 'GET' }] }] },
    });
    const onRoute = policy({ group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'api-get' });
    const plain = { group: 'policy.linkerd.io', kind: 'Server', name: 'api-8080' };
    const inputs = [route([{ ...plain, port: 8080 }]), route([{ ...plain, sectionName: 'http' }]), route([plain, { ...plain, name: 'api-admin', port: 4191 }])];
    expectValidManifests(inputs);
    for (const input of inputs) {
      const findings = PolicyLint.check([server(), input, onRoute]);
      expect(brief(findings)).toEqual([{ rule: 'linkerd-server-without-authorization', severity: 'warning', object: 'Server shop/api-8080', path: 'spec' }]);
    }
    expect(PolicyLint.check([server(), route([plain]), onRoute])).toEqual([]);
  });
});
