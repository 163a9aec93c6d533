/**
 * PolicyLint on Istio AuthorizationPolicies that ztunnel enforces (selector and namespace-wide
 * policies on ambient workloads, with or without a waypoint): istiod drops ALLOW rules with L7 attributes and the L7 attributes of DENY rules
 * (analysis/mesh/istio-ztunnel; istio.io "Use Layer 4 security policy").
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';

const RULES = ['istio-authz-l7-allow-under-ztunnel', 'istio-authz-l7-deny-under-ztunnel'];
const namespace = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } });
const AMBIENT_NS = namespace({ 'istio.io/dataplane-mode': 'ambient' });
const deployment = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, ...labels } }, spec: { containers: [{ name, image: `example/${name}:1`, ports: [{ containerPort: 8080 }] }] } },
  },
});
const authz = (name: string, spec: Record<string, unknown>, ns = 'shop') =>
  ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec });
const STRICT = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } };
const GET_FROM_WEB = {
  from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
  to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }],
};
const allowGet = authz('api-get', { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [GET_FROM_WEB] });

describe('istio-authz-l7-allow-under-ztunnel', () => {
  test('an ALLOW rule with methods and paths for an ambient workload without a waypoint: error, message and fix exact', () => {
    const findings = PolicyLint.check([STRICT, AMBIENT_NS, deployment('api'), allowGet]).filter((f) => RULES.includes(f.rule));
    expect(brief(findings)).toEqual([
      { rule: 'istio-authz-l7-allow-under-ztunnel', severity: 'error', object: 'AuthorizationPolicy shop/api-get', path: 'spec.rules[0]' },
    ]);
    expect(findings[0].message).toBe('it applies to shop/api, in ambient mode without a waypoint, where ztunnel enforces it: istiod leaves this '
      + 'ALLOW rule out of what it sends ztunnel, because it uses L7 attributes (spec.rules[0].to[0].operation.methods, '
      + 'spec.rules[0].to[0].operation.paths), so it matches nothing; a connection no other ALLOW rule matches is denied');
    expect(findings[0].fix).toBe('enroll the workloads in a waypoint (label the namespace or the pods istio.io/use-waypoint=<waypoint>) and '
      + 'attach the policy to it with targetRefs, so the L7 attributes are enforced, or keep to L4 attributes (ports, principals, namespaces, '
      + 'serviceAccounts, ipBlocks, and the when keys source.ip, source.namespace, source.principal, destination.ip, destination.port)');
  });

  test('requestPrincipals, remoteIpBlocks and a request header condition are L7 too; only the offending rule is reported', () => {
    const policy = authz('mixed', {
      action: 'ALLOW',
      rules: [
        { from: [{ source: { requestPrincipals: ['issuer/*'] } }] },
        { from: [{ source: { remoteIpBlocks: ['10.0.0.0/8'] } }] },
        { when: [{ key: 'request.headers[x-tenant]', values: ['acme'] }] },
        { to: [{ operation: { ports: ['8080'] } }], when: [{ key: 'source.ip', values: ['10.0.0.0/8'] }] },
      ],
    });
    expect(brief(PolicyLint.check([STRICT, AMBIENT_NS, deployment('api'), policy]), ...RULES)).toEqual([0, 1, 2].map((i) => (
      { rule: 'istio-authz-l7-allow-under-ztunnel', severity: 'error', object: 'AuthorizationPolicy shop/mixed', path: `spec.rules[${i}]` })));
  });

  // istio.io "Creating authorization policy" (ambient): a selector policy is enforced by the destination's
  // ztunnel with or without a waypoint; application-layer attributes there "will result in a DENY".
  test('behind a waypoint (namespace or pod label) a selector policy is still ztunnel\'s: reported, saying so', () => {
    for (const objs of [[namespace({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }), deployment('api')],
      [AMBIENT_NS, deployment('api', { 'istio.io/use-waypoint': 'waypoint' })]]) {
      const findings = PolicyLint.check([STRICT, allowGet, ...objs]).filter((f) => RULES.includes(f.rule));
      expect(brief(findings)).toEqual([
        { rule: 'istio-authz-l7-allow-under-ztunnel', severity: 'error', object: 'AuthorizationPolicy shop/api-get', path: 'spec.rules[0]' },
      ]);
      expect(findings[0].message.startsWith('it applies to shop/api, in ambient mode (a waypoint takes only targetRef policies, so even behind one), '
        + 'where ztunnel enforces it: istiod leaves this ALLOW rule out')).toBe(true);
    }
  });

  test('clean: sidecar or unmeshed workloads, ambient opt-out, a selector matching no ambient pod', () => {
    const clean = (...objs: unknown[]) => expect(brief(PolicyLint.check([STRICT, allowGet, ...objs]), ...RULES)).toEqual([]);
    clean(AMBIENT_NS, deployment('api', { 'istio.io/dataplane-mode': 'none' }));
    clean(namespace({ 'istio-injection': 'enabled' }), deployment('api'));
    clean(namespace({}), deployment('api'));
    clean(AMBIENT_NS, deployment('web'));
  });

  test('an ambient pod in a namespace without the label, and a root-namespace policy selecting across namespaces', () => {
    const pod = deployment('api', { 'istio.io/dataplane-mode': 'ambient' });
    expect(brief(PolicyLint.check([STRICT, namespace({}), pod, allowGet]), ...RULES)).toHaveLength(1);
    const meshWide = authz('mesh-get', { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [GET_FROM_WEB] }, 'istio-system');
    const findings = PolicyLint.check([STRICT, AMBIENT_NS, deployment('api'), meshWide]);
    expect(brief(findings, ...RULES)).toEqual([
      { rule: 'istio-authz-l7-allow-under-ztunnel', severity: 'error', object: 'AuthorizationPolicy istio-system/mesh-get', path: 'spec.rules[0]' },
    ]);
  });

  test('targetRefs, dry-run, CUSTOM and rejected policies are not reported', () => {
    const base = { action: 'ALLOW', rules: [GET_FROM_WEB] };
    const targeted = authz('waypoint', { ...base, targetRefs: [{ group: '', kind: 'Service', name: 'api' }] });
    const dryRun = { ...authz('dry', base), metadata: { name: 'dry', namespace: 'shop', annotations: { 'istio.io/dry-run': 'true' } } };
    const custom = authz('custom', { action: 'CUSTOM', provider: { name: 'ext' }, rules: [GET_FROM_WEB] });
    const rejected = authz('rejected', { action: 'ALLOW', rules: [{ ...GET_FROM_WEB, when: [{ key: 'request.time', values: ['1'] }] }] });
    expect(brief(PolicyLint.check([STRICT, AMBIENT_NS, deployment('api'), targeted, dryRun, custom, rejected]), ...RULES)).toEqual([]);
  });
});

describe('istio-authz-l7-deny-under-ztunnel', () => {
  test('a DENY whose `to` has only HTTP fields has no effect (error); one that keeps its principals denies them whole (warning)', () => {
    const policy = authz('deny', {
      action: 'DENY',
      rules: [
        { to: [{ operation: { methods: ['DELETE'] } }] },
        { from: GET_FROM_WEB.from, to: [{ operation: { ports: ['8080'], methods: ['DELETE'] } }] },
        { from: [{ source: { namespaces: ['legacy'] } }] },
      ],
    });
    const findings = PolicyLint.check([STRICT, AMBIENT_NS, deployment('api'), policy]);
    expect(brief(findings, ...RULES)).toEqual([
      { rule: 'istio-authz-l7-deny-under-ztunnel', severity: 'error', object: 'AuthorizationPolicy shop/deny', path: 'spec.rules[0]' },
      { rule: 'istio-authz-l7-deny-under-ztunnel', severity: 'warning', object: 'AuthorizationPolicy shop/deny', path: 'spec.rules[1]' },
    ]);
    const [noEffect, whole] = findings.filter((f) => RULES.includes(f.rule));
    expect(noEffect.message).toBe('it applies to shop/api, in ambient mode without a waypoint, where ztunnel enforces it: every '
      + 'spec.rules[0].to[].operation is left with no L4 attribute once istiod drops the L7 ones (spec.rules[0].to[0].operation.methods): an '
      + 'empty match, which ztunnel never matches, so this DENY rule has no effect, so what it was meant to deny is let through');
    expect(whole.message).toBe('it applies to shop/api, in ambient mode without a waypoint, where ztunnel enforces it: istiod drops its L7 '
      + 'attributes (spec.rules[1].to[0].operation.methods), so ztunnel denies every connection its L4 '
      + 'parts match, not only the requests the L7 attributes describe');
  });

  test('a DENY with a request header condition alone has no effect; more than three workloads are summarised', () => {
    const policy = authz('deny-header', { action: 'DENY', rules: [{ when: [{ key: 'request.headers[x-debug]', values: ['1'] }] }] });
    const pods = ['a', 'b', 'c', 'd', 'e'].map((n) => deployment(n));
    const findings = PolicyLint.check([STRICT, AMBIENT_NS, ...pods, policy]).filter((f) => RULES.includes(f.rule));
    expect(brief(findings)).toEqual([
      { rule: 'istio-authz-l7-deny-under-ztunnel', severity: 'error', object: 'AuthorizationPolicy shop/deny-header', path: 'spec.rules[0]' },
    ]);
    expect(findings[0].message).toMatch(/^it applies to shop\/a, shop\/b, shop\/c and 2 more, in ambient mode/);
  });
});
