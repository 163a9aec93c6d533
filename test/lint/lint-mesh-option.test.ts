/**
 * PolicyLintOptions.mesh (and the Linkerd installation values): the mesh rules judge with the mesh's
 * installation values instead of guessing them (Istio's trust domain, root namespace and mode; Linkerd's
 * control plane namespace, trust domain and cluster-wide default inbound policy), and a rule of another
 * mesh does not apply. Without `mesh` every rule keeps its hedged reading (the first half of each case).
 */
import { admitting, brief, deployment as workload, lintRule as lint, namespaceWith, podsOf } from './support';
import { IstioMode, Mesh } from '../../src/cluster/mesh';
import { PolicyLint } from '../../src/lint';

/** One container port, 8080; runs as its own ServiceAccount (which the mesh identity names). */
const deployment = (namespace: string, name: string) => workload(namespace, name, { ownServiceAccount: true, ports: [8080] });
const FROM_REPORTS = podsOf('reports', { app: 'reporter' });
const SIDECAR = Mesh.istio({ mode: IstioMode.SIDECAR });
const AMBIENT = Mesh.istio({ mode: IstioMode.AMBIENT });

describe('Linkerd rules told the mesh', () => {
  const RULE = 'linkerd-authz-refuses-admitted-source';
  const MESHED = { 'linkerd.io/inject': 'enabled' };
  const ns = (name: string, annotations: Record<string, string> = MESHED) => namespaceWith(name, 'annotations', annotations);
  const BASE = [ns('shop'), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];
  const NP = admitting('api-from-reporter', 'api', [FROM_REPORTS]);
  const FINDING = { rule: RULE, severity: 'warning', object: 'NetworkPolicy shop/api-from-reporter', path: 'spec.ingress[0].from[0]' };
  const SERVER = {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name: 'api-http', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, port: 8080, proxyProtocol: 'HTTP/1' },
  };
  const allowFrom = (identity: string) => [SERVER,
    { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'MeshTLSAuthentication', metadata: { name: 'api-clients', namespace: 'shop' }, spec: { identities: [identity] } },
    {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'api-authz', namespace: 'shop' },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-http' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'api-clients' }],
      },
    }];

  test('the cluster default inbound policy deny, given: a port no Server describes is reported; unknown (or not given), silent as before', () => {
    expect(lint(RULE, [...BASE, NP])).toEqual([]);
    expect(lint(RULE, [...BASE, NP], { mesh: Mesh.linkerd() })).toEqual([]);
    const findings = lint(RULE, [...BASE, NP], { mesh: Mesh.linkerd(), linkerdDefaultInboundPolicy: 'deny' });
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toBe('admits Deployment reports/reporter (identity reporter.reports.serviceaccount.identity.linkerd.cluster.local) '
      + 'to Deployment shop/api port 8080, but Linkerd authorizes none of them there (the default inbound policy deny (the cluster default)), so '
      + 'the destination\'s proxy refuses every connection from them (no Server describes port 8080 of shop/api: the default inbound policy deny '
      + '(the cluster default) applies to reports/reporter -> shop/api TCP/8080 (as reporter.reports.serviceaccount.identity.linkerd.cluster.local): '
      + 'it admits no client)');
    // all-unauthenticated admits the reporter: nothing to report.
    expect(lint(RULE, [...BASE, NP], { mesh: Mesh.linkerd(), linkerdDefaultInboundPolicy: 'all-unauthenticated' })).toEqual([]);
  });

  test('the trust domain and control plane namespace, declared: no hedging over the ones the identities name', () => {
    const exampleOrg = allowFrom('reporter.reports.serviceaccount.identity.linkerd.example.org');
    // Unknown: example.org may be the mesh's trust domain, so the refusal under cluster.local is not claimed.
    expect(lint(RULE, [...BASE, ...exampleOrg, NP])).toEqual([]);
    // Mesh.linkerd() declares no trust domain (cluster.local is only its default): still unknown, still not claimed.
    expect(lint(RULE, [...BASE, ...exampleOrg, NP], { mesh: Mesh.linkerd() })).toEqual([]);
    expect(lint(RULE, [...BASE, ...exampleOrg, NP], { mesh: Mesh.linkerd({ controlPlaneNamespace: 'linkerd' }) })).toEqual([]);
    const findings = lint(RULE, [...BASE, ...exampleOrg, NP], { mesh: Mesh.linkerd({ trustDomain: 'cluster.local' }) });
    expect(brief(findings)).toEqual([FINDING]);
    expect(lint(RULE, [...BASE, ...exampleOrg, NP], { mesh: Mesh.linkerd({ trustDomain: 'example.org' }) })).toEqual([]);
    // The converse: the mesh's trust domain example.org refuses an identity in cluster.local, which the lint alone took for allowed.
    const clusterLocal = allowFrom('reporter.reports.serviceaccount.identity.linkerd.cluster.local');
    expect(lint(RULE, [...BASE, ...clusterLocal, NP])).toEqual([]);
    const refused = lint(RULE, [...BASE, ...clusterLocal, NP], { mesh: Mesh.linkerd({ trustDomain: 'example.org', controlPlaneNamespace: 'linkerd-prod' }) });
    expect(brief(refused)).toEqual([FINDING]);
    expect(refused[0].message).toBe('admits Deployment reports/reporter (identity reporter.reports.serviceaccount.identity.linkerd-prod.example.org) '
      + 'to Deployment shop/api port 8080, but Linkerd authorizes none of them there (Server shop/api-http), so the destination\'s proxy refuses '
      + 'every connection from them (Server shop/api-http describes port 8080 of shop/api; no AuthorizationPolicy authorizes reports/reporter -> '
      + 'shop/api TCP/8080 (as reporter.reports.serviceaccount.identity.linkerd-prod.example.org), so its accessPolicy deny (the default) applies: '
      + 'it admits no client)');
  });

  test('only the control plane namespace, or only the trust domain, declared: the other is hedged over as untold', () => {
    // The identity names Linkerd in linkerd-prod, trust domain cluster.local.
    const prod = allowFrom('reporter.reports.serviceaccount.identity.linkerd-prod.cluster.local');
    expect(lint(RULE, [...BASE, ...prod, NP])).toEqual([]);
    expect(lint(RULE, [...BASE, ...prod, NP], { mesh: Mesh.linkerd() })).toEqual([]);
    // The trust domain declared alone: the namespace may be linkerd-prod, so the refusal is not claimed.
    expect(lint(RULE, [...BASE, ...prod, NP], { mesh: Mesh.linkerd({ trustDomain: 'cluster.local' }) })).toEqual([]);
    // The namespace declared (linkerd): the identity is not the reporter's in any trust domain the policies name.
    expect(brief(lint(RULE, [...BASE, ...prod, NP], { mesh: Mesh.linkerd({ controlPlaneNamespace: 'linkerd' }) }))).toEqual([FINDING]);
    // The namespace declared linkerd-prod: the trust domain may still be cluster.local, which the identity names: allowed.
    expect(lint(RULE, [...BASE, ...prod, NP], { mesh: Mesh.linkerd({ controlPlaneNamespace: 'linkerd-prod' }) })).toEqual([]);
    // Both declared, the trust domain another: refused.
    const refused = lint(RULE, [...BASE, ...prod, NP], { mesh: Mesh.linkerd({ controlPlaneNamespace: 'linkerd-prod', trustDomain: 'example.org' }) });
    expect(brief(refused)).toEqual([FINDING]);
    expect(refused[0].message).toMatch(/^admits Deployment reports\/reporter \(identity reporter\.reports\.serviceaccount\.identity\.linkerd-prod\.example\.org\)/);
  });

  test('linkerd-admin-port-unauthorized: a meshed namespace without Server on 4191 under a cluster default deny', () => {
    const ADMIN = 'linkerd-admin-port-unauthorized';
    expect(lint(ADMIN, BASE)).toEqual([]);
    expect(lint(ADMIN, BASE, { mesh: Mesh.linkerd() })).toEqual([]);
    const findings = lint(ADMIN, BASE, { mesh: Mesh.linkerd(), linkerdDefaultInboundPolicy: 'deny' });
    expect(brief(findings)).toEqual([
      { rule: ADMIN, severity: 'warning', object: 'Namespace reports' },
      { rule: ADMIN, severity: 'warning', object: 'Namespace shop' },
    ]);
    expect(findings[1].message).toBe('the default inbound policy deny (the cluster default proxy.defaultInboundPolicy) refuses every client, meshed '
      + 'or not, on the Linkerd proxy\'s admin port 4191 of the namespace\'s pods that set no policy of their own, and no Server in these manifests '
      + 'selecting them on that port (4191 or linkerd-admin) is authorized: Prometheus\'s GET /metrics scrapes of the Linkerd proxy are refused '
      + '(HTTP 403) whatever the NetworkPolicies allow. The proxy\'s own kubelet probes (GET /live and /ready on 4191) still pass: Linkerd\'s '
      + 'default probe route admits them from policyController.probeNetworks (every address unless installed otherwise)');
    // all-authenticated refuses unmeshed scrapers only; all-unauthenticated admits them.
    expect(lint(ADMIN, BASE, { mesh: Mesh.linkerd(), linkerdDefaultInboundPolicy: 'all-authenticated' })[1].message)
      .toMatch(/^the default inbound policy all-authenticated \(the cluster default proxy\.defaultInboundPolicy\) admits meshed clients only /);
    expect(lint(ADMIN, BASE, { mesh: Mesh.linkerd(), linkerdDefaultInboundPolicy: 'all-unauthenticated' })).toEqual([]);
  });

  test('under another mesh, or none, the Linkerd rules do not apply', () => {
    const denied = [ns('shop', { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' }), ns('reports'), deployment('shop', 'api'),
      deployment('reports', 'reporter'), NP];
    expect(brief(lint(RULE, denied))).toEqual([FINDING]);
    expect(brief(lint('linkerd-admin-port-unauthorized', denied))).toHaveLength(1);
    for (const mesh of [SIDECAR, Mesh.none()]) {
      expect(lint(RULE, denied, { mesh })).toEqual([]);
      expect(lint('linkerd-admin-port-unauthorized', denied, { mesh })).toEqual([]);
    }
  });
});

describe('Istio rules told the mesh', () => {
  const ns = (name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }) => namespaceWith(name, 'labels', labels);
  const peerAuth = (namespace: string) =>
    ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace }, spec: { mtls: { mode: 'STRICT' } } });
  const STRICT = peerAuth('istio-system');

  describe('istio-authz-refuses-admitted-source', () => {
    const RULE = 'istio-authz-refuses-admitted-source';
    const FINDING = { rule: RULE, severity: 'warning', object: 'NetworkPolicy shop/api-from-reporter', path: 'spec.ingress[0].from[0]' };
    const allowFrom = (principal: string) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'api-allow', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [principal] } }] }] },
    });
    const NP = admitting('api-from-reporter', 'api', [FROM_REPORTS]);
    const BASE = [STRICT, ns('shop'), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];

    test('the trust domain, declared: a principal of another domain refuses the client (sidecar)', () => {
      const objects = [...BASE, allowFrom('example.org/ns/reports/sa/reporter'), NP];
      expect(lint(RULE, objects)).toEqual([]);
      // Mesh.istio() without trustDomain does not declare it (cluster.local is only its default): example.org may be the
      // mesh's own, so the refusal is not claimed, as untold.
      expect(lint(RULE, objects, { mesh: SIDECAR })).toEqual([]);
      expect(lint(RULE, objects, { mesh: AMBIENT })).toEqual([]);
      const findings = lint(RULE, objects, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR, trustDomain: 'cluster.local' }) });
      expect(brief(findings)).toEqual([FINDING]);
      expect(findings[0].message).toBe('admits Deployment reports/reporter (ServiceAccount reporter) to Deployment shop/api port 8080, but the '
        + 'destination\'s Istio ALLOW policies (AuthorizationPolicy shop/api-allow) match none of them, so its proxy refuses every connection this '
        + 'rule opens (AuthorizationPolicy shop/api-allow selects shop/api, so only what an ALLOW rule matches is allowed, and no rule matches '
        + 'reports/reporter -> shop/api TCP/8080 (over mutual TLS as cluster.local/ns/reports/sa/reporter))');
      expect(lint(RULE, objects, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR, trustDomain: 'example.org' }) })).toEqual([]);
    });

    test('trust domain example.org under ambient: ztunnel takes cluster.local/... literally, so it refuses; a sidecar reads it as the local domain', () => {
      const ambient = [STRICT, ns('shop', { 'istio.io/dataplane-mode': 'ambient' }), ns('reports', { 'istio.io/dataplane-mode': 'ambient' }),
        deployment('shop', 'api'), deployment('reports', 'reporter'), allowFrom('cluster.local/ns/reports/sa/reporter'), NP];
      expect(lint(RULE, ambient)).toEqual([]);
      const findings = lint(RULE, ambient, { mesh: Mesh.istio({ mode: IstioMode.AMBIENT, trustDomain: 'example.org' }) });
      expect(brief(findings)).toEqual([FINDING]);
      expect(findings[0].message).toMatch(/no rule matches reports\/reporter -> shop\/api TCP\/8080 \(over mutual TLS as example\.org\/ns\/reports\/sa\/reporter\)\)$/);
      expect(lint(RULE, [...BASE, allowFrom('cluster.local/ns/reports/sa/reporter'), NP],
        { mesh: Mesh.istio({ mode: IstioMode.SIDECAR, trustDomain: 'example.org' }) })).toEqual([]);
    });

    test('under Linkerd, or no mesh, the rule does not apply', () => {
      const objects = [...BASE, allowFrom('cluster.local/ns/reports/sa/exporter'), NP];
      expect(brief(lint(RULE, objects))).toEqual([FINDING]);
      expect(brief(lint(RULE, objects, { mesh: SIDECAR }))).toEqual([FINDING]);
      expect(lint(RULE, objects, { mesh: Mesh.linkerd() })).toEqual([]);
      expect(lint(RULE, objects, { mesh: Mesh.none() })).toEqual([]);
    });
  });

  describe('istio-strict-mtls-unmeshed-source', () => {
    const RULE = 'istio-strict-mtls-unmeshed-source';
    const FINDING = { rule: RULE, severity: 'warning', object: 'NetworkPolicy shop/web-from-reports', path: 'spec.ingress[0].from[0]' };
    const NP = admitting('web-from-reports', 'web', [FROM_REPORTS]);

    test('a destination labelled ambient in a sidecar-mode mesh is not in the mesh: no STRICT to refuse plaintext (false positive removed)', () => {
      const objects = [STRICT, ns('shop', { 'istio.io/dataplane-mode': 'ambient' }), ns('reports', {}), deployment('shop', 'web'),
        deployment('reports', 'reporter'), NP];
      expect(brief(lint(RULE, objects))).toEqual([FINDING]);
      expect(brief(lint(RULE, objects, { mesh: AMBIENT }))).toEqual([FINDING]);
      expect(lint(RULE, objects, { mesh: SIDECAR })).toEqual([]);
    });

    test('a client labelled ambient in a sidecar-mode mesh is outside it: reported, saying why', () => {
      const objects = [STRICT, ns('shop'), ns('reports', { 'istio.io/dataplane-mode': 'ambient' }), deployment('shop', 'web'),
        deployment('reports', 'reporter'), NP];
      expect(lint(RULE, objects)).toEqual([]);
      expect(lint(RULE, objects, { mesh: AMBIENT })).toEqual([]);
      const findings = lint(RULE, objects, { mesh: SIDECAR });
      expect(brief(findings)).toEqual([FINDING]);
      expect(findings[0].message).toBe('admits Deployment reports/reporter (reports/reporter is not in the mesh (no injection label on namespace '
        + 'reports or the pod template; it is labelled istio.io/dataplane-mode=ambient, but the mesh is not in ambient mode)) to Deployment shop/web '
        + 'on port 8080, which require STRICT mutual TLS (PeerAuthentication istio-system/default (mesh-wide) sets STRICT): the client is outside '
        + 'the mesh and connects in plaintext, which the destination\'s Istio proxy (sidecar or ztunnel) refuses, so the connection this rule opens '
        + 'never works');
      expect(findings[0].fix).toBe('mesh the client (label namespace reports istio-injection=enabled, then restart its pods), or set PERMISSIVE '
        + 'for port 8080 in the portLevelMtls of a PeerAuthentication selecting shop/web, or let the traffic in through an Istio Gateway that runs '
        + 'in the mesh');
      // The same namespace with no pod in the manifests: judged by its labels, and the reason says the ambient label meshes nothing here.
      const nsOnly = lint(RULE, [STRICT, ns('shop'), ns('reports', { 'istio.io/dataplane-mode': 'ambient' }), deployment('shop', 'web'), NP],
        { mesh: SIDECAR });
      expect(brief(nsOnly)).toEqual([FINDING]);
      expect(nsOnly[0].message).toMatch(/^admits the pods of namespace reports labelled app=reporter \(namespace reports is declared without an Istio injection label \(istio-injection=enabled or istio\.io\/rev; the mesh is in sidecar mode, so istio\.io\/dataplane-mode=ambient meshes nothing\) and none of its pods is in these manifests, /);
    });

    test('the root namespace, given: its PeerAuthentication is mesh-wide', () => {
      const objects = [peerAuth('istio-config'), ns('istio-config', {}), ns('shop'), ns('reports', {}), deployment('shop', 'web'),
        deployment('reports', 'reporter'), NP];
      expect(lint(RULE, objects)).toEqual([]);
      const findings = lint(RULE, objects, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR, rootNamespace: 'istio-config' }) });
      expect(brief(findings)).toEqual([FINDING]);
      expect(findings[0].message).toMatch(/ to Deployment shop\/web on port 8080, which require STRICT mutual TLS \(PeerAuthentication istio-config\/default \(mesh-wide\) sets STRICT\): /);
    });

    test('under Linkerd, or no mesh, the rule does not apply', () => {
      const objects = [STRICT, ns('shop'), ns('reports', {}), deployment('shop', 'web'), deployment('reports', 'reporter'), NP];
      expect(brief(lint(RULE, objects))).toEqual([FINDING]);
      expect(lint(RULE, objects, { mesh: Mesh.linkerd() })).toEqual([]);
      expect(lint(RULE, objects, { mesh: Mesh.none() })).toEqual([]);
    });
  });
});

describe('PolicyLintOptions.mesh is checked', () => {
  test.each([
    ['istio', 'a string'],
    [{ kind: 'istio' }, 'a plain object'],
  ])('mesh %j: an error naming PolicyLint and options.mesh', (mesh, what) => {
    const message = (site: string) => `[${site}] options.mesh: must be a Mesh made by one of its factories: Mesh.none(), Mesh.istio({ mode }) or `
      + `Mesh.linkerd(), not ${what === 'a string' ? "the string 'istio'" : what}`;
    expect(() => PolicyLint.check([], { mesh: mesh as any })).toThrow(message('PolicyLint.check'));
    expect(() => PolicyLint.checkYaml('', 'a.yaml', { mesh: mesh as any })).toThrow(message('PolicyLint.checkYaml'));
    expect(() => PolicyLint.checkMarkdown('', 'a.md', { mesh: mesh as any })).toThrow(message('PolicyLint.checkMarkdown'));
  });

  test('the Linkerd values need a Linkerd mesh, and valid values', () => {
    expect(() => PolicyLint.check([], { linkerdDefaultInboundPolicy: 'deny' })).toThrow('[PolicyLint.check] options.linkerdDefaultInboundPolicy: '
      + 'applies to a Linkerd mesh only, but options.mesh is not given: drop it, or lint with mesh: Mesh.linkerd()');
    expect(() => PolicyLint.check([], { mesh: SIDECAR, linkerdOpaquePorts: '25' })).toThrow('[PolicyLint.check] options.linkerdOpaquePorts: '
      + 'applies to a Linkerd mesh only, but options.mesh is Istio (sidecar): drop it, or lint with mesh: Mesh.linkerd()');
    expect(() => PolicyLint.check([], { mesh: Mesh.linkerd(), linkerdDefaultInboundPolicy: 'allow' })).toThrow('[PolicyLint.check] '
      + 'options.linkerdDefaultInboundPolicy: must be one of all-unauthenticated, all-authenticated, cluster-authenticated, cluster-unauthenticated, '
      + 'deny, audit, got "allow"');
    // A misspelt option is refused, not ignored.
    expect(() => PolicyLint.check([], { meshes: SIDECAR } as any)).toThrow(/^\[PolicyLint.check\] options.meshes: unknown field /);
  });
});
