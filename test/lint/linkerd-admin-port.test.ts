/**
 * linkerd-admin-port-unauthorized: a meshed namespace or workload whose annotated default inbound
 * policy refuses Prometheus's GET /metrics on the Linkerd proxy's admin port 4191 (linkerd2
 * policy-controller `defaults.rs`: deny authorizes nobody, *-authenticated only mesh identities;
 * linkerd/linkerd2#9150, #10691), with no authorized Server on that port. The proxy's own probes
 * keep Linkerd's default probe route (`default_inbound_http_routes`), so the message says they pass.
 */
import { brief } from './support';
import { LinkerdAuthorization, LinkerdInboundPolicy, Mesh, MeshSource, Cni, ZeroTrustNamespace } from '../../src';
import { PolicyLint } from '../../src/lint';
import { deployment, meshChart } from '../support/mesh';
import { expectValidManifests } from '../support/schema';
import { synthValid } from '../support/synth';

const RULE = 'linkerd-admin-port-unauthorized';
const linkerd = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));

/** A ZeroTrustNamespace `shop` in the Linkerd mesh with `policy`, and (optionally) Deployments web and api. */
function shop(policy: LinkerdInboundPolicy | undefined, workloads = false) {
  const chart = linkerd();
  new ZeroTrustNamespace(chart, 'shop', { name: 'shop', mesh: policy === undefined ? {} : { linkerdDefaultInboundPolicy: policy } });
  if (workloads) {
    deployment(chart, 'shop', 'web', { app: 'web' }, 8080, 'web');
    deployment(chart, 'shop', 'api', { app: 'api' }, 8080, 'api');
  }
  return chart;
}

/** Linkerd's probe-route sentence every finding ends with. */
const PROBES = "The proxy's own kubelet probes (GET /live and /ready on 4191) still pass: Linkerd's default probe route admits them "
  + 'from policyController.probeNetworks (every address unless installed otherwise)';

describe('linkerd-admin-port-unauthorized (linkerd2 policy-controller default inbound server; linkerd/linkerd2#9150)', () => {
  test('ZeroTrustNamespace with linkerdDefaultInboundPolicy deny: the namespace is flagged, every scrape refused, probes pass', () => {
    const objects = synthValid(shop(LinkerdInboundPolicy.DENY));
    // The construct opens 4191 to monitoring at the NetworkPolicy level, which Linkerd's policy overrides.
    expect(objects.find((o) => o.metadata.name === 'allow-linkerd-metrics').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 4191 }]);
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{
      rule: RULE, severity: 'warning', object: 'Namespace shop', path: 'metadata.annotations["config.linkerd.io/default-inbound-policy"]',
    }]);
    expect(findings[0].message).toBe('the default inbound policy deny (annotated on namespace shop) refuses every client, meshed or not, on the '
      + "Linkerd proxy's admin port 4191 of the namespace's pods that set no policy of their own, and no Server in these manifests selecting them "
      + "on that port (4191 or linkerd-admin) is authorized: Prometheus's GET /metrics scrapes of the Linkerd proxy are refused (HTTP 403) "
      + `whatever the NetworkPolicies allow. ${PROBES}`);
    expect(findings[0].fix).toMatch(/^add a Server \(policy\.linkerd\.io\/v1beta3\) in shop selecting its meshed pods \(an empty podSelector selects them all\) with port: linkerd-admin and proxyProtocol: HTTP\/1, and an AuthorizationPolicy targeting it that admits your scraper: /);
    expect(findings[0].fix).toContain('give GET /live and /ready a route authorized for the kubelet\'s network too');
  });

  test.each([
    [LinkerdInboundPolicy.ALL_AUTHENTICATED, 'meshed clients only (mutual TLS with a Linkerd identity)'],
    [LinkerdInboundPolicy.CLUSTER_AUTHENTICATED, 'meshed clients only (mutual TLS with a Linkerd identity, from the Helm value clusterNetworks)'],
  ])('%s: refuses unmeshed scrapers, phrased "if your scraper is not meshed"', (policy, admits) => {
    const findings = PolicyLint.check(synthValid(shop(policy))).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{
      rule: RULE, severity: 'warning', object: 'Namespace shop', path: 'metadata.annotations["config.linkerd.io/default-inbound-policy"]',
    }]);
    expect(findings[0].message).toBe(`the default inbound policy ${policy} (annotated on namespace shop) admits ${admits} on the Linkerd proxy's `
      + "admin port 4191 of the namespace's pods that set no policy of their own, and no Server in these manifests selecting them on that port "
      + '(4191 or linkerd-admin) is authorized: if your scraper (Prometheus) is not meshed, its GET /metrics scrapes of the Linkerd proxy are refused '
      + `(HTTP 403) whatever the NetworkPolicies allow. ${PROBES}`);
  });

  test.each([
    ['the cluster default (no annotation)', undefined],
    ['all-unauthenticated', LinkerdInboundPolicy.ALL_UNAUTHENTICATED],
    ['cluster-unauthenticated (in-cluster scrapers)', LinkerdInboundPolicy.CLUSTER_UNAUTHENTICATED],
    ['audit', LinkerdInboundPolicy.AUDIT],
  ])('%s: no finding', (_name, policy) => {
    expect(brief(PolicyLint.check(synthValid(shop(policy, true))), RULE)).toEqual([]);
  });

  test('deny with the workloads in the manifests: one namespace finding, not one per workload', () => {
    expect(brief(PolicyLint.check(synthValid(shop(LinkerdInboundPolicy.DENY, true))), RULE)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Namespace shop', path: 'metadata.annotations["config.linkerd.io/default-inbound-policy"]' },
    ]);
  });

  test('an authorized Server on the admin port (LinkerdAuthorization) clears the pods it selects; the others are flagged', () => {
    const chart = shop(LinkerdInboundPolicy.DENY, true);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('scrape-api', { from: [MeshSource.serviceAccount('prometheus', 'monitoring')], to: { app: 'api' }, ports: [4191] });
    const objects = synthValid(chart);
    expect(objects.find((o) => o.kind === 'Server').spec).toEqual({ podSelector: { matchLabels: { app: 'api' } }, port: 4191, accessPolicy: 'deny' });
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    // The namespace no longer lacks every admin Server; web, which no Server selects, still refuses scrapes.
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/web' }]);
    expect(findings[0].message).toMatch(/^the default inbound policy deny \(annotated on namespace shop\) refuses every client, meshed or not, on the Linkerd proxy's admin port 4191 of these pods, and no Server/);
    expect(PolicyLint.check(objects).filter((f) => f.rule === 'linkerd-server-without-authorization')).toEqual([]);
  });

  // An AuthorizationPolicy's requiredAuthenticationRefs must all match (linkerd.io "Authorization Policy" reference): a
  // MeshTLSAuthentication of identity * admits any meshed client and no unmeshed one, as the all-authenticated default does.
  test('a Server on the admin port authorized for any meshed identity only (MeshSource.anyMeshWorkload): flagged like the pods without a Server, naming it', () => {
    const chart = shop(LinkerdInboundPolicy.DENY, true);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('scrape', { from: [MeshSource.anyMeshWorkload()], to: { app: 'api' }, ports: [4191] });
    const objects = synthValid(chart);
    expect(objects.find((o) => o.kind === 'MeshTLSAuthentication').spec).toEqual({ identities: ['*'] });
    const findings = PolicyLint.check(objects).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/api' },
      { rule: RULE, severity: 'warning', object: 'Deployment shop/web' },
    ]);
    expect(findings[0].message).toBe("Server 'api-4191' selects these pods on the Linkerd proxy's admin port 4191, and its AuthorizationPolicies admit "
      + 'meshed clients only (MeshTLSAuthentication shop/scrape (identities *)): if your scraper (Prometheus) is not meshed, its GET /metrics scrapes '
      + `of the Linkerd proxy are refused (HTTP 403) whatever the NetworkPolicies allow. ${PROBES}`);
    expect(findings[0].fix).toMatch(/^add an AuthorizationPolicy targeting Server 'api-4191' that admits your scraper: if it is not meshed, a NetworkAuthentication /);
    // The Server is authorized: not linkerd-server-without-authorization's finding.
    expect(brief(PolicyLint.check(objects), 'linkerd-server-without-authorization')).toEqual([]);
    // A second policy on the Server with a NetworkAuthentication (here ::/0 and 0.0.0.0/0) may admit the scraper: api is clear.
    const network = {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'NetworkAuthentication',
      metadata: { name: 'everyone', namespace: 'shop' },
      spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
    };
    const open = {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'scrape-unmeshed', namespace: 'shop' },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-4191' },
        requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'everyone' }],
      },
    };
    expectValidManifests([network, open]);
    expect(brief(PolicyLint.check([...objects, network, open]), RULE)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/web' }]);
    // A MeshTLSAuthentication naming identities (the scraper's, meshed) is not judged: no finding for api.
    const named = objects.map((o) => (o.kind === 'MeshTLSAuthentication'
      ? { ...o, spec: { identities: ['prometheus.monitoring.serviceaccount.identity.linkerd.cluster.local'] } } : o));
    expectValidManifests(named);
    expect(brief(PolicyLint.check(named), RULE)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/web' }]);
  });

  test('a meshed-only policy targeting the namespace or an HTTPRoute on the admin Server counts as on the Server; allow-scrapes-like ServiceAccount does not', () => {
    const objects = synthValid(shop(LinkerdInboundPolicy.DENY, true));
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'proxy-admin', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, port: 'linkerd-admin', proxyProtocol: 'HTTP/1' },
    };
    const anyMeshed = { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'MeshTLSAuthentication', metadata: { name: 'meshed', namespace: 'shop' }, spec: { identities: ['*'] } };
    const route = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'metrics', namespace: 'shop' },
      spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] },
    };
    const policy = (targetRef: Record<string, string>, ref: Record<string, string>) => ({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'scrape', namespace: 'shop' },
      spec: { targetRef, requiredAuthenticationRefs: [ref] },
    });
    const meshedRef = { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'meshed' };
    const byNamespace = [server, anyMeshed, policy({ group: '', kind: 'Namespace', name: 'shop' }, meshedRef)];
    const byRoute = [server, anyMeshed, route, policy({ group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'metrics' }, meshedRef)];
    const bySa = [server, route, policy({ group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'metrics' }, { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' })];
    expectValidManifests([...byNamespace, ...byRoute.slice(2), bySa[2]]);
    for (const extra of [byNamespace, byRoute]) {
      const findings = PolicyLint.check([...objects, ...extra]).filter((f) => f.rule === RULE);
      expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/api' }, { rule: RULE, severity: 'warning', object: 'Deployment shop/web' }]);
      expect(findings[0].message).toContain("Server 'proxy-admin' selects these pods on the Linkerd proxy's admin port 4191, and its AuthorizationPolicies admit "
        + 'meshed clients only (MeshTLSAuthentication shop/meshed (identities *))');
    }
    expect(brief(PolicyLint.check([...objects, ...bySa]), RULE)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/web' }]);
  });

  test('a Server on the admin port authorized by a NetworkAuthentication (MeshSource.anyone, 0.0.0.0/0): no finding for the pods it selects', () => {
    const chart = shop(LinkerdInboundPolicy.DENY, true);
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' }).allowFlow('scrape', { from: [MeshSource.anyone()], to: { app: 'api' }, ports: [4191] });
    const objects = synthValid(chart);
    expect(objects.find((o) => o.kind === 'NetworkAuthentication').spec).toEqual({ networks: [{ cidr: '0.0.0.0/0' }] });
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/web' }]);
  });

  test('an empty-podSelector Server on linkerd-admin with an AuthorizationPolicy, a Namespace-targeted policy, or a legacy ServerAuthorization: no finding', () => {
    const objects = synthValid(shop(LinkerdInboundPolicy.DENY, true));
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'proxy-admin', namespace: 'shop', labels: { role: 'admin' } },
      spec: { podSelector: {}, port: 'linkerd-admin', proxyProtocol: 'HTTP/1' },
    };
    const policy = (targetRef: Record<string, string>) => ({
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'scrape', namespace: 'shop' },
      spec: { targetRef, requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }] },
    });
    const legacy = (selection: Record<string, unknown>) => ({
      apiVersion: 'policy.linkerd.io/v1beta1',
      kind: 'ServerAuthorization',
      metadata: { name: 'scrape', namespace: 'shop' },
      spec: { server: selection, client: { unauthenticated: true } },
    });
    for (const extra of [
      [policy({ group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' })],
      [policy({ group: '', kind: 'Namespace', name: 'shop' })],
      [legacy({ name: 'proxy-admin' })],
      [legacy({ selector: { matchLabels: { role: 'admin' } } })],
    ]) {
      expectValidManifests([server, ...extra]);
      expect(brief(PolicyLint.check([...objects, server, ...extra]), RULE)).toEqual([]);
    }
    // The Server alone (deny, nothing authorizing it) is linkerd-server-without-authorization's finding, not this one.
    expect(brief(PolicyLint.check([...objects, server]), RULE, 'linkerd-server-without-authorization')).toEqual([
      { rule: 'linkerd-server-without-authorization', severity: 'warning', object: 'Server shop/proxy-admin', path: 'spec' },
    ]);
  });

  // linkerd2 viz/cmd/allow-scrapes.go: the Server selects `linkerd.io/control-plane-ns` Exists, a label the proxy injector adds to
  // every meshed pod (pkg/k8s ControllerNSLabel), which the pod templates in the manifests do not carry.
  test('the linkerd viz allow-scrapes output in a deny namespace: its Server selects the meshed pods by the injected label, no finding', () => {
    const objects = synthValid(shop(LinkerdInboundPolicy.DENY, true));
    const meta = (name: string) => ({ name, namespace: 'shop', labels: { 'linkerd.io/extension': 'viz' } });
    const parentRefs = [{ name: 'proxy-admin', kind: 'Server', group: 'policy.linkerd.io' }];
    const scrapes = [
      {
        apiVersion: 'policy.linkerd.io/v1beta1',
        kind: 'Server',
        metadata: meta('proxy-admin'),
        spec: { podSelector: { matchExpressions: [{ key: 'linkerd.io/control-plane-ns', operator: 'Exists' }] }, port: 'linkerd-admin', proxyProtocol: 'HTTP/1' },
      },
      { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'HTTPRoute', metadata: meta('proxy-metrics'), spec: { parentRefs, rules: [{ matches: [{ path: { value: '/metrics' } }] }] } },
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'HTTPRoute',
        metadata: meta('proxy-probes'),
        spec: { parentRefs, rules: [{ matches: [{ path: { value: '/live' } }, { path: { value: '/ready' } }] }] },
      },
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'AuthorizationPolicy',
        metadata: meta('prometheus-scrape'),
        spec: {
          targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'proxy-metrics' },
          requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'linkerd-viz' }],
        },
      },
      {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'AuthorizationPolicy',
        metadata: meta('proxy-probes'),
        spec: {
          targetRef: { group: 'policy.linkerd.io', kind: 'HTTPRoute', name: 'proxy-probes' },
          requiredAuthenticationRefs: [{ kind: 'NetworkAuthentication', group: 'policy.linkerd.io', name: 'kubelet', namespace: 'linkerd-viz' }],
        },
      },
    ];
    expectValidManifests(scrapes);
    expect(brief(PolicyLint.check([...objects, ...scrapes]), RULE, 'linkerd-admin-server-refuses-proxy-probes')).toEqual([]);
    // A Server selecting by an injected label with another value (the owner label of another Deployment) does not cover web.
    const apiOnly = { ...scrapes[0], spec: { ...scrapes[0].spec, podSelector: { matchLabels: { 'linkerd.io/proxy-deployment': 'api' } } } };
    expect(brief(PolicyLint.check([...objects, apiOnly, ...scrapes.slice(1)]), RULE)).toEqual([{ rule: RULE, severity: 'warning', object: 'Deployment shop/web' }]);
  });

  test('an AuthorizationPolicy Linkerd refuses (two identity sources) authorizes nothing: web is flagged here, the unauthorized Server of api by linkerd-server-without-authorization', () => {
    const objects = synthValid(shop(LinkerdInboundPolicy.DENY, true));
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'proxy-admin', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, port: 4191 },
    };
    const refused = {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'scrape', namespace: 'shop' },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' },
        requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'a' }, { kind: 'ServiceAccount', name: 'b' }],
      },
    };
    expectValidManifests([server, refused]);
    // api's Server decides for api (and is linkerd-server-without-authorization's finding); web has no Server.
    expect(brief(PolicyLint.check([...objects, server, refused]), RULE, 'linkerd-server-without-authorization')).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/web' },
      { rule: 'linkerd-server-without-authorization', severity: 'warning', object: 'Server shop/proxy-admin', path: 'spec' },
    ]);
  });

  test('a workload annotating its own policy, and require-identity on 4191 narrowing all-unauthenticated', () => {
    const pod = (annotations: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' }, annotations: { 'linkerd.io/inject': 'enabled', ...annotations } },
          spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] },
        },
      },
    });
    const own = pod({ 'config.linkerd.io/default-inbound-policy': 'deny' });
    const narrowed = pod({ 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated', 'config.linkerd.io/proxy-require-identity-inbound-ports': '4000-4200' });
    const elsewhere = pod({ 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated', 'config.linkerd.io/proxy-require-identity-inbound-ports': '8080' });
    expectValidManifests([own, narrowed, elsewhere]);
    expect(brief(PolicyLint.check([own]), RULE)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/api', path: 'spec.template.metadata.annotations["config.linkerd.io/default-inbound-policy"]' },
    ]);
    const findings = PolicyLint.check([narrowed]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/api', path: 'spec.template.metadata.annotations["config.linkerd.io/proxy-require-identity-inbound-ports"]' },
    ]);
    expect(findings[0].message).toMatch(/^the default inbound policy all-unauthenticated \(annotated on the pod template\), narrowed on port 4191 by config\.linkerd\.io\/proxy-require-identity-inbound-ports \(on the pod template\), admits meshed clients only .* if your scraper \(Prometheus\) is not meshed, /);
    expect(brief(PolicyLint.check([elsewhere]), RULE)).toEqual([]);
    // Not injected: no proxy, no admin port.
    expect(brief(PolicyLint.check([pod({ 'linkerd.io/inject': 'disabled', 'config.linkerd.io/default-inbound-policy': 'deny' })]), RULE)).toEqual([]);
    // linkerd.io/inject as the proxy injector reads it (src/util/linkerd-injection, linkerd2 pkg/inject/report.go): an empty pod value
    // leaves the namespace's enabled in force (was: not injected, no finding); a namespace value it does not know injects nothing,
    // even a pod annotated enabled (was: a finding).
    const ns = (inject: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'linkerd.io/inject': inject } } });
    const empty = pod({ 'linkerd.io/inject': '', 'config.linkerd.io/default-inbound-policy': 'deny' });
    expectValidManifests([ns('enabled'), ns('true'), empty]);
    expect(brief(PolicyLint.check([ns('enabled'), empty]), RULE)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/api', path: 'spec.template.metadata.annotations["config.linkerd.io/default-inbound-policy"]' },
    ]);
    expect(brief(PolicyLint.check([ns('true'), own]), RULE)).toEqual([]);
    // Pods the injector's webhook never sees (linkerd-control-plane values.yaml proxyInjector.namespaceSelector): no proxy (were findings).
    const inSystem = { ...own, metadata: { ...own.metadata, namespace: 'kube-system' } };
    const webhooksOff = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'config.linkerd.io/admission-webhooks': 'disabled' } } };
    expectValidManifests([inSystem, webhooksOff]);
    expect(brief(PolicyLint.check([inSystem]), RULE)).toEqual([]);
    expect(brief(PolicyLint.check([webhooksOff, own]), RULE)).toEqual([]);
  });

  // config.linkerd.io/admin-port moves the proxy's admin listener (and its container port linkerd-admin); a Server on the number
  // 4191 then describes another port of those pods, so it neither clears them nor is the port the finding names.
  test('an admin port moved by config.linkerd.io/admin-port: a Server on 4191 does not cover those pods, one on linkerd-admin does', () => {
    const pod = (name: string, annotations: Record<string, string>) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name }, annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'deny', ...annotations } },
          spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] },
        },
      },
    });
    const server = (port: number | string) => ({
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'proxy-admin', namespace: 'shop' },
      spec: { podSelector: {}, port, proxyProtocol: 'HTTP/1' },
    });
    const scrape = {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'scrape', namespace: 'shop' },
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' },
        requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
      },
    };
    const objects = [pod('web', {}), pod('api', { 'config.linkerd.io/admin-port': '9990' })];
    expectValidManifests([...objects, server(4191), server('linkerd-admin'), scrape]);
    const findings = PolicyLint.check([...objects, server(4191), scrape]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/api', path: 'spec.template.metadata.annotations["config.linkerd.io/default-inbound-policy"]' },
    ]);
    expect(findings[0].message).toBe('the default inbound policy deny (annotated on the pod template) refuses every client, meshed or not, on the '
      + "Linkerd proxy's admin port 9990 of these pods, and no Server in these manifests selecting them on that port (9990 or linkerd-admin) is authorized: "
      + "Prometheus's GET /metrics scrapes of the Linkerd proxy are refused (HTTP 403) whatever the NetworkPolicies allow. "
      + "The proxy's own kubelet probes (GET /live and /ready on 9990) still pass: Linkerd's default probe route admits them "
      + 'from policyController.probeNetworks (every address unless installed otherwise)');
    expect(findings[0].fix).toContain('(LinkerdAuthorization.allowFlow with ports [9990] emits both)');
    expect(brief(PolicyLint.check([...objects, server('linkerd-admin'), scrape]), RULE)).toEqual([]);
  });

  test('a Server on the admin port with accessPolicy all-authenticated and nothing authorizing it: if your scraper is not meshed', () => {
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'proxy-admin', namespace: 'shop' },
      spec: { podSelector: {}, port: 'linkerd-admin', accessPolicy: 'all-authenticated' },
    };
    expectValidManifests([server]);
    const findings = PolicyLint.check([server]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Server shop/proxy-admin', path: 'spec.accessPolicy' }]);
    expect(findings[0].message).toBe("Server 'proxy-admin' with accessPolicy all-authenticated admits meshed clients only (mutual TLS with a Linkerd identity) "
      + "on the Linkerd proxy's admin port 4191 of the pods it selects, and no AuthorizationPolicy or ServerAuthorization in these manifests authorizes it: "
      + `if your scraper (Prometheus) is not meshed, its GET /metrics scrapes of the Linkerd proxy are refused (HTTP 403) whatever the NetworkPolicies allow. ${PROBES}`);
    expect(brief(PolicyLint.check([{ ...server, spec: { ...server.spec, accessPolicy: 'all-unauthenticated' } }]), RULE)).toEqual([]);
  });

  // linkerd2 policy-controller http_routes: the default routes, probe route included, only on a Server no HTTPRoute has as parent.
  test('the same Server with an HTTPRoute (no policy on it): the message does not claim the proxy probes still pass', () => {
    const server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 'proxy-admin', namespace: 'shop' },
      spec: { podSelector: {}, port: 'linkerd-admin', proxyProtocol: 'HTTP/1', accessPolicy: 'all-authenticated' },
    };
    const route = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'proxy-metrics', namespace: 'shop' },
      spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' }], rules: [{ matches: [{ path: { type: 'Exact', value: '/metrics' } }] }] },
    };
    expectValidManifests([server, route]);
    const findings = PolicyLint.check([server, route]).filter((f) => f.rule === RULE);
    expect(brief(findings)).toEqual([{ rule: RULE, severity: 'warning', object: 'Server shop/proxy-admin', path: 'spec.accessPolicy' }]);
    expect(findings[0].message).toBe("Server 'proxy-admin' with accessPolicy all-authenticated admits meshed clients only (mutual TLS with a Linkerd identity) "
      + "on the Linkerd proxy's admin port 4191 of the pods it selects, and no AuthorizationPolicy or ServerAuthorization in these manifests authorizes it: "
      + 'if your scraper (Prometheus) is not meshed, its GET /metrics scrapes of the Linkerd proxy are refused (HTTP 403) whatever the NetworkPolicies allow. '
      + "The proxy's own kubelet probes (GET /live and /ready on 4191) have no default probe route here, as HTTPRoutes have the Server as parent: "
      + 'they pass only if a route matches them and admits the kubelet (see linkerd-admin-server-refuses-proxy-probes)');
    expect(brief(PolicyLint.check([server, route]), 'linkerd-admin-server-refuses-proxy-probes')).toEqual([
      { rule: 'linkerd-admin-server-refuses-proxy-probes', severity: 'error', object: 'Server shop/proxy-admin', path: 'spec.port' },
    ]);
  });
});
