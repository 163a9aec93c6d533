/**
 * PolicyLint `linkerd-authz-refuses-admitted-source`: a NetworkPolicy admits clients of the manifests
 * to Linkerd-meshed pods on a port where Linkerd authorizes none of them (linkerd.io "Authorization
 * Policy" reference: a Server's port admits what an AuthorizationPolicy targeting it, its namespace or
 * one of its routes authorizes, else its accessPolicy, default deny; a port no Server describes gets the
 * default inbound policy), judged by the analyzer's Linkerd model.
 */
import { admitting, brief, deployment as workload, lintRule, namespaceWith, podsOf } from './support';

const RULE = 'linkerd-authz-refuses-admitted-source';
const MESHED = { 'linkerd.io/inject': 'enabled' };
const ns = (name: string, annotations: Record<string, string> = MESHED) => namespaceWith(name, 'annotations', annotations);
/** Runs as its own ServiceAccount (the Linkerd identity's first label). */
const deployment = (namespace: string, name: string) => workload(namespace, name, { ownServiceAccount: true });
const SERVER = {
  apiVersion: 'policy.linkerd.io/v1beta3',
  kind: 'Server',
  metadata: { name: 'api-http', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'api' } }, port: 8080, proxyProtocol: 'HTTP/1' },
};
const meshTls = (name: string, identities: string[]) =>
  ({ apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'MeshTLSAuthentication', metadata: { name, namespace: 'shop' }, spec: { identities } });
const policy = (name: string, targetRef: Record<string, string>, authentication: Record<string, string>) => ({
  apiVersion: 'policy.linkerd.io/v1alpha1',
  kind: 'AuthorizationPolicy',
  metadata: { name, namespace: 'shop' },
  spec: { targetRef, requiredAuthenticationRefs: [authentication] },
});
const ON_SERVER = { group: 'policy.linkerd.io', kind: 'Server', name: 'api-http' };
const CLIENTS = { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'api-clients' };
/** The Server on 8080 authorized for `identities` only. */
const allowFrom = (...identities: string[]) => [SERVER, meshTls('api-clients', identities), policy('api-authz', ON_SERVER, CLIENTS)];
const id = (sa: string, namespace = 'reports', suffix = 'linkerd.cluster.local') => `${sa}.${namespace}.serviceaccount.identity.${suffix}`;
const FROM_REPORTS = podsOf('reports', { app: 'reporter' });
const ALL_OF_REPORTS = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'reports' } } };
const netpol = (from: unknown[], ports?: unknown[]) => admitting('api-from-reporter', 'api', from, ports);
const BASE = [ns('shop'), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];
const FINDING = { rule: RULE, severity: 'warning', object: 'NetworkPolicy shop/api-from-reporter', path: 'spec.ingress[0].from[0]' };
const FIX = 'authorize the clients on the port at the destination (LinkerdAuthorization or MeshAuthorization allowFlow naming them, or an '
  + 'AuthorizationPolicy targeting the Server with a MeshTLSAuthentication of their identities; an unmeshed client needs a mesh proxy or a '
  + 'NetworkAuthentication), or remove the peer from the NetworkPolicy if they are not meant to connect';

const check = (...objects: any[]) => lintRule(RULE, objects);

describe(RULE, () => {
  test('the NetworkPolicy admits the reporter, the Server authorizes another identity: warning naming the client, its identity, the port, the Server', () => {
    const findings = check(...BASE, ...allowFrom(id('exporter')), netpol([FROM_REPORTS]));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toBe('admits Deployment reports/reporter (identity reporter.reports.serviceaccount.identity.linkerd.cluster.local) '
      + 'to Deployment shop/api port 8080, but Linkerd authorizes none of them there (Server shop/api-http), so the destination\'s proxy refuses '
      + 'every connection from them (Server shop/api-http describes port 8080 of shop/api; no AuthorizationPolicy authorizes reports/reporter -> '
      + 'shop/api TCP/8080 (as reporter.reports.serviceaccount.identity.linkerd.cluster.local), so its accessPolicy deny (the default) applies: it '
      + 'admits no client)');
    expect(findings[0].fix).toBe(FIX);
    // The Server alone (no AuthorizationPolicy): deny by default, reported the same way.
    expect(brief(check(...BASE, SERVER, netpol([FROM_REPORTS])))).toEqual([FINDING]);
  });

  test('clean: the client admitted by its identity, by *, by a *. suffix, by a ServiceAccount reference, by a NetworkAuthentication', () => {
    const np = netpol([FROM_REPORTS]);
    expect(check(...BASE, ...allowFrom(id('reporter')), np)).toEqual([]);
    expect(check(...BASE, ...allowFrom('*'), np)).toEqual([]);
    expect(check(...BASE, ...allowFrom('*.reports.serviceaccount.identity.linkerd.cluster.local'), np)).toEqual([]);
    expect(check(...BASE, SERVER, policy('api-authz', ON_SERVER, { kind: 'ServiceAccount', name: 'reporter', namespace: 'reports' }), np)).toEqual([]);
    // A pod's address is not in the manifests: whether the network admits it is not known, so nothing is claimed.
    const network = {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'NetworkAuthentication',
      metadata: { name: 'pods', namespace: 'shop' },
      spec: { networks: [{ cidr: '10.0.0.0/8' }] },
    };
    expect(check(...BASE, SERVER, network, policy('api-authz', ON_SERVER, { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'pods' }), np))
      .toEqual([]);
    // The same identities, the Server refusing the reporter: each negative above is meaningful.
    expect(brief(check(...BASE, ...allowFrom('*.shop.serviceaccount.identity.linkerd.cluster.local'), np))).toEqual([FINDING]);
  });

  test('clean: an unmeshed destination, a port its proxy skips, an undeclared client namespace, the proxy\'s own ports', () => {
    const refusing = allowFrom(id('exporter'));
    // Reported as they stand; each change below takes the finding away.
    expect(brief(check(...BASE, ...refusing, netpol([FROM_REPORTS])))).toEqual([FINDING]);
    expect(check(ns('shop', {}), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter'), ...refusing, netpol([FROM_REPORTS])))
      .toEqual([]);
    expect(check(ns('shop', { ...MESHED, 'config.linkerd.io/skip-inbound-ports': '8080' }), ns('reports'), deployment('shop', 'api'),
      deployment('reports', 'reporter'), ...refusing, netpol([FROM_REPORTS]))).toEqual([]);
    // The reports namespace is not declared: whether its pods are meshed is not known.
    expect(check(ns('shop'), deployment('shop', 'api'), deployment('reports', 'reporter'), ...refusing, netpol([FROM_REPORTS]))).toEqual([]);
    // Under a deny default every port is refused, but the proxy's ports (inbound 4143, admin 4191) are the mesh's own.
    const deny = ns('shop', { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' });
    const denied = [deny, ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];
    expect(check(...denied, netpol([FROM_REPORTS], [{ protocol: 'TCP', port: 4143 }, { protocol: 'TCP', port: 4191 }]))).toEqual([]);
    expect(brief(check(...denied, netpol([FROM_REPORTS], [{ protocol: 'TCP', port: 4191 }, { protocol: 'TCP', port: 9090 }])))).toEqual([FINDING]);
    // An inbound port moved by config.linkerd.io/inbound-port is the proxy's own too (was: judged as an application port, refused).
    const moved = [ns('shop', { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny', 'config.linkerd.io/inbound-port': '4999' }), ns('reports'),
      deployment('shop', 'api'), deployment('reports', 'reporter')];
    expect(check(...moved, netpol([FROM_REPORTS], [{ protocol: 'TCP', port: 4999 }]))).toEqual([]);
    expect(brief(check(...moved, netpol([FROM_REPORTS], [{ protocol: 'TCP', port: 4998 }])))).toEqual([FINDING]);
    // An httpGet probe on the port: Linkerd's probe route admits GET /healthz from any client, so the client is not refused outright.
    const probed = deployment('shop', 'api') as any;
    probed.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: '/healthz', port: 8080 } };
    expect(check(ns('shop'), ns('reports'), probed, deployment('reports', 'reporter'), ...refusing, netpol([FROM_REPORTS]))).toEqual([]);
    for (const peer of [{ namespaceSelector: {} }, { podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }]) {
      expect(check(...BASE, ...refusing, netpol([peer]))).toEqual([]);
    }
  });

  test('no Server on the port: the install default all-unauthenticated admits, an annotated deny refuses (reported, naming the annotation)', () => {
    expect(check(...BASE, netpol([FROM_REPORTS]))).toEqual([]);
    const deny = [ns('shop', { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' }), ns('reports'), deployment('shop', 'api'),
      deployment('reports', 'reporter')];
    const findings = check(...deny, netpol([FROM_REPORTS]));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toBe('admits Deployment reports/reporter (identity reporter.reports.serviceaccount.identity.linkerd.cluster.local) '
      + 'to Deployment shop/api port 8080, but Linkerd authorizes none of them there (the default inbound policy deny (namespace shop annotation '
      + 'config.linkerd.io/default-inbound-policy)), so the destination\'s proxy refuses every connection from them (no Server describes port 8080 '
      + 'of shop/api: the default inbound policy deny (namespace shop annotation config.linkerd.io/default-inbound-policy) applies to '
      + 'reports/reporter -> shop/api TCP/8080 (as reporter.reports.serviceaccount.identity.linkerd.cluster.local): it admits no client)');
    // A Server admitting the reporter on that port overrides the default.
    expect(check(...deny, ...allowFrom(id('reporter')), netpol([FROM_REPORTS]))).toEqual([]);
  });

  test('an unmeshed client and an all-authenticated default: refused for want of an identity; all-unauthenticated admits it', () => {
    const objects = (policyName: string) => [ns('shop', { ...MESHED, 'config.linkerd.io/default-inbound-policy': policyName }), ns('reports', {}),
      deployment('shop', 'api'), deployment('reports', 'reporter'), netpol([FROM_REPORTS])];
    const findings = check(...objects('all-authenticated'));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toMatch(/^admits Deployment reports\/reporter \(not meshed: no mesh identity\) to Deployment shop\/api port 8080, but Linkerd authorizes none of them there \(the default inbound policy all-authenticated /);
    expect(check(...objects('all-unauthenticated'))).toEqual([]);
    // On a require-identity port an annotated all-unauthenticated is all-authenticated: reported; the cluster default the manifests
    // do not show is not judged (it may be audit, which admits every client there).
    const required = (annotations: Record<string, string>) => [ns('shop', {
      ...MESHED,
      'config.linkerd.io/proxy-require-identity-inbound-ports': '8080',
      ...annotations,
    }), ns('reports', {}), deployment('shop', 'api'), deployment('reports', 'reporter'), netpol([FROM_REPORTS])];
    expect(brief(check(...required({ 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated' })))).toEqual([FINDING]);
    expect(check(...required({}))).toEqual([]);
  });

  test('route-level policies: a route admitting the client for some requests is not reported; none admitting it, "for every request of its routes"', () => {
    const route = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'api-reads', namespace: 'shop' },
      spec: { parentRefs: [ON_SERVER], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/reports' }, method: 'GET' }] }] },
    };
    const onRoute = { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'api-reads' };
    const routed = (identity: string) => [SERVER, route, meshTls('route-clients', [identity]),
      policy('reads-authz', onRoute, { ...CLIENTS, name: 'route-clients' })];
    expect(check(...BASE, ...routed(id('reporter')), netpol([FROM_REPORTS]))).toEqual([]);
    const findings = check(...BASE, ...routed(id('exporter')), netpol([FROM_REPORTS]));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toContain('but Linkerd authorizes none of them there (Server shop/api-http, for every request of its routes '
      + 'HTTPRoute shop/api-reads), so');
  });

  test('two clients admitted, one of them authorized: not reported; neither: reported naming both', () => {
    const objects = (identity: string) => [...BASE, deployment('reports', 'exporter'), ...allowFrom(identity), netpol([ALL_OF_REPORTS])];
    expect(check(...objects(id('exporter')))).toEqual([]);
    const findings = check(...objects(id('other')));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message.startsWith('admits Deployment reports/exporter (identity exporter.reports.serviceaccount.identity.linkerd.cluster.local), '
      + 'Deployment reports/reporter (identity reporter.reports.serviceaccount.identity.linkerd.cluster.local) to Deployment shop/api port 8080')).toBe(true);
  });

  test('Linkerd\'s namespace and trust domain are not in the manifests: an identity under the ones a policy names is the client\'s there', () => {
    const np = netpol([FROM_REPORTS]);
    expect(check(...BASE, ...allowFrom(id('reporter', 'reports', 'linkerd-prod.example.org')), np)).toEqual([]);
    expect(check(...BASE, ...allowFrom('*.example.org'), np)).toEqual([]);
    // Refused under every reading (the install defaults and the pair named): still reported, with the install defaults' identity.
    const findings = check(...BASE, ...allowFrom(id('exporter', 'reports', 'linkerd-prod.example.org')), np);
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toContain('(identity reporter.reports.serviceaccount.identity.linkerd.cluster.local)');
  });
});
