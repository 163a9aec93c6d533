import { brief } from './support';
import { PolicyLint } from '../../src/lint';

const authz = (spec: Record<string, unknown>, apiVersion = 'security.istio.io/v1') =>
  ({ apiVersion, kind: 'AuthorizationPolicy', metadata: { name: 'authz', namespace: 'shop' }, spec });
const FROM = { from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }] };
const TO = { to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }] };
const WHEN = { when: [{ key: 'source.ip', values: ['10.0.0.0/8'] }] };
/** Mesh-wide STRICT mutual TLS, so that identity-based sources mean something (see test/lint/mesh-rules.test.ts). */
const STRICT = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } };

describe('Istio AuthorizationPolicy', () => {
  test('from/to/when as three rules (the seed): split-rules error; v1beta1 also flagged for action and version', () => {
    expect(brief(PolicyLint.check([STRICT, authz({ selector: { matchLabels: { app: 'api' } }, rules: [FROM, TO, WHEN] }, 'security.istio.io/v1beta1')]))).toEqual([
      { rule: 'deprecated-api-version', severity: 'info', object: 'AuthorizationPolicy shop/authz', path: 'apiVersion' },
      { rule: 'istio-authz-missing-action', severity: 'warning', object: 'AuthorizationPolicy shop/authz', path: 'spec' },
      { rule: 'istio-authz-split-rules', severity: 'error', object: 'AuthorizationPolicy shop/authz', path: 'spec.rules' },
    ]);
  });

  test('one rule with from+to+when, or several rules each with from+to: clean', () => {
    expect(PolicyLint.check([STRICT, authz({ action: 'ALLOW', rules: [{ ...FROM, ...TO, ...WHEN }] })])).toEqual([]);
    const other = { from: [{ source: { principals: ['cluster.local/ns/shop/sa/admin'] } }], to: [{ operation: { methods: ['DELETE'] } }] };
    expect(PolicyLint.check([STRICT, authz({ action: 'ALLOW', rules: [{ ...FROM, ...TO }, other] })])).toEqual([]);
  });

  test('allow-nothing (spec with action and no rules) is a legitimate baseline', () => {
    expect(PolicyLint.check([authz({ action: 'ALLOW' })])).toEqual([]);
  });
});

describe('Istio DestinationRule and PeerAuthentication', () => {
  const dr = (trafficPolicy: unknown, subsets?: unknown) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'dr', namespace: 'shop' },
    spec: { host: 'api', trafficPolicy, ...(subsets ? { subsets } : {}) },
  });

  test('consecutiveErrors at top level and in a subset', () => {
    const findings = PolicyLint.check([dr({ outlierDetection: { consecutiveErrors: 5 } }, [{ name: 'v1', labels: { v: '1' }, trafficPolicy: { outlierDetection: { consecutiveErrors: 3 } } }])]);
    expect(brief(findings, 'istio-consecutive-errors')).toEqual([
      { rule: 'istio-consecutive-errors', severity: 'error', object: 'DestinationRule shop/dr', path: 'spec.subsets[0].trafficPolicy.outlierDetection.consecutiveErrors' },
      { rule: 'istio-consecutive-errors', severity: 'error', object: 'DestinationRule shop/dr', path: 'spec.trafficPolicy.outlierDetection.consecutiveErrors' },
    ]);
    expect(findings.filter((f) => f.rule === 'istio-consecutive-errors')[1].fix).toContain('consecutive5xxErrors: 5');
  });

  test('consecutive5xxErrors is clean', () => {
    expect(PolicyLint.check([dr({ tls: { mode: 'ISTIO_MUTUAL' }, outlierDetection: { consecutive5xxErrors: 5 } })])).toEqual([]);
  });

  test('portLevelMtls needs a selector', () => {
    const pa = (spec: unknown) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec });
    expect(brief(PolicyLint.check([pa({ mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } })]))).toEqual([
      { rule: 'istio-port-level-mtls-without-selector', severity: 'error', object: 'PeerAuthentication shop/default', path: 'spec.portLevelMtls' },
    ]);
    expect(PolicyLint.check([pa({ selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } })])).toEqual([]);
  });

  // CRD CEL (istio 1.30.3): portLevelMtls needs a non-empty selector.matchLabels; istiod reads an empty one as no selector.
  test('portLevelMtls with a selector naming no label is flagged too', () => {
    const pa = (selector: unknown) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'shop' },
      spec: { selector, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } },
    });
    for (const selector of [{}, { matchLabels: {} }]) {
      const findings = PolicyLint.check([pa(selector)]);
      expect(brief(findings)).toEqual([
        { rule: 'istio-port-level-mtls-without-selector', severity: 'error', object: 'PeerAuthentication shop/default', path: 'spec.portLevelMtls' },
      ]);
      expect(findings[0].message).toContain('the CRD rejects it (portLevelMtls requires selector)');
    }
  });

  // istiod ComposePeerAuthentication: a root-namespace policy with a selector is skipped.
  test('a PeerAuthentication with a selector in the root namespace is ignored by Istio: flagged', () => {
    const pa = (namespace: string) => ({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'gw', namespace },
      spec: { selector: { matchLabels: { app: 'gw' } }, mtls: { mode: 'STRICT' } },
    });
    expect(brief(PolicyLint.check([STRICT, pa('istio-system')]))).toEqual([
      { rule: 'istio-peer-authentication-selector-in-root-namespace', severity: 'error', object: 'PeerAuthentication istio-system/gw', path: 'spec.selector' },
    ]);
    expect(PolicyLint.check([STRICT, pa('shop')])).toEqual([]);
  });
});

describe('Istio VirtualService', () => {
  const vs = (http: unknown) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'web', namespace: 'shop' }, spec: { hosts: ['web'], http } });
  const drWeb = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { host: 'web.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
  };
  const split = (a: number, b: number) => [{
    route: [{ destination: { host: 'web', subset: 'v1' }, weight: a }, { destination: { host: 'web', subset: 'v2' }, weight: b }],
  }];

  test('weights 90+20: error', () => {
    const findings = PolicyLint.check([vs(split(90, 20)), drWeb]);
    expect(brief(findings)).toEqual([{ rule: 'virtualservice-weights', severity: 'error', object: 'VirtualService shop/web', path: 'spec.http[0].route' }]);
    expect(findings[0].message).toBe('route weights sum to 110, not 100');
  });

  test('weights 90+10 with the subsets defined (short host vs FQDN): clean', () => {
    expect(PolicyLint.check([vs(split(90, 10)), drWeb])).toEqual([]);
  });

  test('a subset no DestinationRule defines: warning', () => {
    const route = [{ route: [{ destination: { host: 'web', subset: 'v3' } }] }];
    expect(brief(PolicyLint.check([vs(route), drWeb]), 'virtualservice-undefined-subset')).toEqual([
      { rule: 'virtualservice-undefined-subset', severity: 'warning', object: 'VirtualService shop/web', path: 'spec.http[0].route[0].destination.subset' },
    ]);
  });
});

describe('API versions and Ingress', () => {
  test('removed Kubernetes APIs are errors', () => {
    const pdb = { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb', namespace: 'shop' }, spec: {} };
    const ing = { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'old', namespace: 'shop' }, spec: {} };
    expect(brief(PolicyLint.check([pdb, ing]))).toEqual([
      { rule: 'removed-api-version', severity: 'error', object: 'Ingress shop/old', path: 'apiVersion' },
      { rule: 'removed-api-version', severity: 'error', object: 'PodDisruptionBudget shop/pdb', path: 'apiVersion' },
    ]);
    expect(PolicyLint.check([{ ...pdb, apiVersion: 'policy/v1' }])).toEqual([]);
  });

  test('Ingress without TLS and with an unauthenticated wildcard host', () => {
    const ingress = (spec: unknown, annotations?: Record<string, string>) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'shop', ...(annotations ? { annotations } : {}) },
      spec,
    });
    const rule = (host: string) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } });
    expect(brief(PolicyLint.check([ingress({ ingressClassName: 'nginx', rules: [rule('*.example.com')] })]))).toEqual([
      { rule: 'ingress-without-tls', severity: 'warning', object: 'Ingress shop/web', path: 'spec' },
      { rule: 'ingress-wildcard-host', severity: 'warning', object: 'Ingress shop/web', path: 'spec.rules[0].host' },
    ]);
    const tls = ingress({ ingressClassName: 'nginx', tls: [{ hosts: ['*.example.com'], secretName: 'web-tls' }], rules: [rule('*.example.com')] },
      { 'nginx.ingress.kubernetes.io/auth-url': 'https://auth.example.com/oauth2/auth' });
    expect(PolicyLint.check([tls])).toEqual([]);
  });
});

// istiod's validating webhook (ValidateAuthorizationPolicy, ValidateAttribute) rejects these.
describe('istio-authz-rejected', () => {
  test('an unknown when key and an empty operation are errors with their paths', () => {
    const findings = PolicyLint.check([authz({
      action: 'ALLOW',
      rules: [{ from: [{ source: { namespaces: ['ops'] } }], to: [{ operation: {} }], when: [{ key: 'request.time', values: ['09:00'] }] }],
    })]);
    expect(brief(findings, 'istio-authz-rejected')).toEqual([
      { rule: 'istio-authz-rejected', severity: 'error', object: 'AuthorizationPolicy shop/authz', path: 'spec.rules[0].to[0].operation' },
      { rule: 'istio-authz-rejected', severity: 'error', object: 'AuthorizationPolicy shop/authz', path: 'spec.rules[0].when[0].key' },
    ]);
    expect(findings.find((f) => f.path === 'spec.rules[0].when[0].key')!.message).toBe("spec.rules[0].when[0].key: unknown attribute 'request.time': istiod's validating webhook rejects the AuthorizationPolicy, "
      + 'so none of it takes effect');
  });

  test('a DENY or CUSTOM policy without rules, and a CUSTOM one without provider', () => {
    expect(brief(PolicyLint.check([authz({ action: 'DENY' }), authz({ action: 'CUSTOM', rules: [{}] })]))).toEqual([
      { rule: 'istio-authz-rejected', severity: 'error', object: 'AuthorizationPolicy shop/authz', path: 'spec.provider.name' },
      { rule: 'istio-authz-rejected', severity: 'error', object: 'AuthorizationPolicy shop/authz', path: 'spec.rules' },
    ]);
    expect(PolicyLint.check([authz({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }] })])).toEqual([]);
  });
});

// Pinned CRD (istio 1.30.3): mode enums, port keys 1-65535; istiod ValidatePeerAuthentication: an empty portLevelMtls.
describe('istio-peer-authentication-rejected', () => {
  const pa = (spec: unknown) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'api', namespace: 'shop' }, spec });
  test('a lowercase mode and a port key 0 are errors; a valid workload policy is clean', () => {
    const findings = PolicyLint.check([pa({ selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'strict' }, portLevelMtls: { 0: { mode: 'DISABLE' } } })]);
    expect(brief(findings, 'istio-peer-authentication-rejected')).toEqual([
      { rule: 'istio-peer-authentication-rejected', severity: 'error', object: 'PeerAuthentication shop/api', path: 'spec.mtls.mode' },
      { rule: 'istio-peer-authentication-rejected', severity: 'error', object: 'PeerAuthentication shop/api', path: 'spec.portLevelMtls.0' },
    ]);
    expect(findings.find((f) => f.path === 'spec.mtls.mode')!.message)
      .toBe("spec.mtls.mode 'strict' is not UNSET, DISABLE, PERMISSIVE or STRICT: the API server rejects the PeerAuthentication, so none of it takes effect");
    expect(brief(PolicyLint.check([pa({ selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'DISABLE' } } })]),
      'istio-peer-authentication-rejected')).toEqual([]);
  });

  test('portLevelMtls without a selector is reported once, as rejected (not as ignored)', () => {
    const findings = PolicyLint.check([pa({ mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } })]);
    expect(brief(findings)).toEqual([
      { rule: 'istio-port-level-mtls-without-selector', severity: 'error', object: 'PeerAuthentication shop/api', path: 'spec.portLevelMtls' },
    ]);
    expect(findings[0].message).toBe('portLevelMtls without a selector: the CRD rejects it (portLevelMtls requires selector), so none of the policy takes effect');
  });
});

// istiod checkDryRunAnnotation: a boolean, only on AuthorizationPolicy, and only with ALLOW or DENY.
describe('istio.io/dry-run annotations istiod rejects', () => {
  const annotated = (kind: string, spec: unknown, value = 'true') =>
    ({ apiVersion: 'security.istio.io/v1', kind, metadata: { name: 'p', namespace: 'shop', annotations: { 'istio.io/dry-run': value } }, spec });
  test('on an AUDIT policy, with a non-boolean value, and on a PeerAuthentication', () => {
    const findings = PolicyLint.check([annotated('AuthorizationPolicy', { action: 'AUDIT', rules: [{}] }),
      annotated('AuthorizationPolicy', { action: 'DENY', rules: [{}] }, 'yes'), annotated('PeerAuthentication', { mtls: { mode: 'STRICT' } })]);
    expect(findings.filter((f) => f.rule.endsWith('-rejected')).map((f) => [f.rule, f.path, f.message.split(':')[0]])).toEqual([
      ['istio-authz-rejected', 'metadata.annotations.istio.io/dry-run', 'the annotation istio.io/dry-run is not a boolean'],
      ['istio-authz-rejected', 'metadata.annotations.istio.io/dry-run', 'the annotation istio.io/dry-run only supports action ALLOW or DENY, not AUDIT'],
      ['istio-peer-authentication-rejected', 'metadata.annotations.istio.io/dry-run', 'the annotation istio.io/dry-run is only supported on AuthorizationPolicy'],
    ]);
    expect(PolicyLint.check([annotated('AuthorizationPolicy', { action: 'DENY', rules: [{}] })]).filter((f) => f.rule.endsWith('-rejected'))).toEqual([]);
  });
});

// A rejected object never reaches the mesh: its rejection is the one finding about it, and a rejected
// PeerAuthentication sets no mode for the identity check.
describe('no further findings on rejected Istio policies', () => {
  const pa = (name: string, namespace: string, spec: unknown) =>
    ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace }, spec });
  test('a rejected AuthorizationPolicy gets neither split-rules, missing-action nor identity-without-strict', () => {
    // The seed's split rules, no action, identity sources without STRICT, and a `when` key istiod rejects.
    const rejected = authz({ rules: [FROM, TO, { when: [{ key: 'request.time', values: ['09:00'] }] }] });
    expect(brief(PolicyLint.check([rejected]))).toEqual([
      { rule: 'istio-authz-rejected', severity: 'error', object: 'AuthorizationPolicy shop/authz', path: 'spec.rules[2].when[0].key' },
    ]);
    // The same policy with an accepted key gets all three.
    expect(brief(PolicyLint.check([authz({ rules: [FROM, TO, WHEN] })])).map((f) => f.rule)).toEqual([
      'istio-authz-missing-action', 'istio-authz-split-rules', 'istio-authz-identity-without-strict',
    ]);
  });

  test('an AuthorizationPolicy of an unserved version is reported by api-versions only', () => {
    const findings = PolicyLint.check([authz({ rules: [FROM, TO] }, 'security.istio.io/v1alpha1')]);
    expect(findings.map((f) => f.rule).filter((r) => r.startsWith('istio-'))).toEqual([]);
  });

  test('a rejected PeerAuthentication is neither PERMISSIVE mesh-wide nor an ignored root selector, and sets no STRICT', () => {
    // Rejected: port key 0. Accepted, it would be reported as a root-namespace selector.
    const rootSelector = pa('api', 'istio-system', { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 0: { mode: 'DISABLE' } } });
    expect(brief(PolicyLint.check([rootSelector]))).toEqual([
      { rule: 'istio-peer-authentication-rejected', severity: 'error', object: 'PeerAuthentication istio-system/api', path: 'spec.portLevelMtls.0' },
    ]);
    // A mesh-wide PERMISSIVE policy istiod rejects (dry-run is only supported on AuthorizationPolicy).
    const permissive = { ...pa('default', 'istio-system', { mtls: { mode: 'PERMISSIVE' } }), metadata: { name: 'default', namespace: 'istio-system', annotations: { 'istio.io/dry-run': 'true' } } };
    expect(brief(PolicyLint.check([permissive]))).toEqual([
      { rule: 'istio-peer-authentication-rejected', severity: 'error', object: 'PeerAuthentication istio-system/default', path: 'metadata.annotations.istio.io/dry-run' },
    ]);
    // A rejected STRICT namespace policy does not make identity rules safe; the finding says no PeerAuthentication is in effect (warning).
    const strictRejected = pa('default', 'shop', { mtls: { mode: 'strict' } });
    expect(brief(PolicyLint.check([strictRejected, authz({ action: 'ALLOW', rules: [FROM] })]), 'istio-authz-identity-without-strict')).toEqual([
      { rule: 'istio-authz-identity-without-strict', severity: 'warning', object: 'AuthorizationPolicy shop/authz', path: 'spec.rules[0].from[0].source.principals' },
    ]);
  });
});

describe('istio-authz-identity-without-strict on conditions', () => {
  test('a when on source.serviceAccount is identity-based, like source.principal', () => {
    const rule = { when: [{ key: 'source.serviceAccount', values: ['shop/frontend'] }] };
    expect(brief(PolicyLint.check([authz({ action: 'ALLOW', rules: [rule] })]))).toEqual([
      { rule: 'istio-authz-identity-without-strict', severity: 'warning', object: 'AuthorizationPolicy shop/authz', path: 'spec.rules[0].when[0]' },
    ]);
    expect(PolicyLint.check([STRICT, authz({ action: 'ALLOW', rules: [rule] })])).toEqual([]);
  });
});

describe('istio-authz-identity-without-strict: a DENY of ambient workloads\' principals holds without STRICT', () => {
  const ns = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } });
  const frontend = (podLabels: Record<string, string> = {}, serviceAccountName = 'frontend') => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', ...podLabels } },
        spec: { serviceAccountName, containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }] },
      },
    },
  });
  const deny = authz({ action: 'DENY', rules: [FROM] });
  const found = (objects: any[]) => brief(PolicyLint.check(objects), 'istio-authz-identity-without-strict').map((f) => f.path);

  test('the principal\'s only workload runs in ambient (namespace label): no finding; an ALLOW naming it still gets one', () => {
    // A ztunnel-captured client reaches meshed pods over HBONE only, with its identity: it cannot slip past the DENY in plaintext.
    expect(found([ns({ 'istio.io/dataplane-mode': 'ambient' }), frontend(), deny])).toEqual([]);
    expect(found([ns({ 'istio.io/dataplane-mode': 'ambient' }), frontend(), authz({ action: 'ALLOW', rules: [FROM] })]))
      .toEqual(['spec.rules[0].from[0].source.principals']);
  });

  test('still reported: the workload opts out, has a sidecar, is not in these manifests, or the rule matches more than principals', () => {
    const finding = ['spec.rules[0].from[0].source.principals'];
    expect(found([ns({ 'istio.io/dataplane-mode': 'ambient' }), frontend({ 'istio.io/dataplane-mode': 'none' }), deny])).toEqual(finding);
    expect(found([ns({ 'istio-injection': 'enabled' }), frontend({ 'istio.io/dataplane-mode': 'ambient' }), deny])).toEqual(finding);
    expect(found([ns({ 'istio.io/dataplane-mode': 'ambient' }), frontend({}, 'other'), deny])).toEqual(finding);
    expect(found([ns({ 'istio.io/dataplane-mode': 'ambient' }), frontend(), authz({
      action: 'DENY',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'], namespaces: ['shop'] } }] },
      ],
    })])).toEqual(finding);
    expect(found([ns({ 'istio.io/dataplane-mode': 'ambient' }), frontend(), authz({
      action: 'DENY',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/*'] } }] },
      ],
    })])).toEqual(finding);
  });

  test('still reported where the destination\'s mTLS may be DISABLE: ztunnel sends a sidecar or unmeshed destination plaintext then', () => {
    // The ambient client reaches a destination outside ambient (here a sidecar namespace) in plaintext when its PeerAuthentication
    // is DISABLE, so the principal is empty there and the DENY lets it through; HBONE is only ztunnel to ztunnel.
    const api = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'api', labels: { 'istio-injection': 'enabled' } } };
    const disable = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'api' }, spec: { mtls: { mode: 'DISABLE' } } };
    const denyInApi = { ...deny, metadata: { name: 'authz', namespace: 'api' } };
    expect(found([ns({ 'istio.io/dataplane-mode': 'ambient' }), frontend(), api, disable, denyInApi])).toEqual(['spec.rules[0].from[0].source.principals']);
    // PERMISSIVE there: the ambient client still connects over mutual TLS with its identity.
    const permissive = { ...disable, spec: { mtls: { mode: 'PERMISSIVE' } } };
    expect(found([ns({ 'istio.io/dataplane-mode': 'ambient' }), frontend(), api, permissive, denyInApi])).toEqual([]);
  });
});
