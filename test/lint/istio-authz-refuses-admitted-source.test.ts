/**
 * PolicyLint `istio-authz-refuses-admitted-source`: a NetworkPolicy admits meshed clients of the
 * manifests to Istio pods on a port where the destination's ALLOW AuthorizationPolicies match none of
 * them (istio.io "Authorization Policy" reference: with an ALLOW policy on a workload, what no ALLOW
 * rule matches is denied), judged by the analyzer's Istio model.
 */
import { admitting, brief, deployment as workload, lintRule, namespaceWith, podsOf } from './support';

const RULE = 'istio-authz-refuses-admitted-source';
const ns = (name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }) => namespaceWith(name, 'labels', labels);
/** Runs as its own ServiceAccount (the principal's `sa/` part). */
const deployment = (namespace: string, name: string) => workload(namespace, name, { ownServiceAccount: true });
const authz = (name: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: 'shop' }, spec });
const STRICT = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } };
const allowFrom = (principal: string, ports = ['8080']) => authz('api-allow', {
  selector: { matchLabels: { app: 'api' } },
  action: 'ALLOW',
  rules: [{ from: [{ source: { principals: [principal] } }], to: [{ operation: { ports } }] }],
});
const FROM_REPORTS = podsOf('reports', { app: 'reporter' });
const netpol = (from: unknown[], ports?: unknown[]) => admitting('api-from-reporter', 'api', from, ports);
const BASE = [STRICT, ns('shop'), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];
const FINDING = { rule: RULE, severity: 'warning', object: 'NetworkPolicy shop/api-from-reporter', path: 'spec.ingress[0].from[0]' };

const check = (...objects: any[]) => lintRule(RULE, objects);

describe(RULE, () => {
  test('the NetworkPolicy admits the reporter, the ALLOW policy names another ServiceAccount: warning naming both, the identity and the port', () => {
    const findings = check(...BASE, allowFrom('cluster.local/ns/reports/sa/exporter'), netpol([FROM_REPORTS]));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toBe('admits Deployment reports/reporter (ServiceAccount reporter) to Deployment shop/api port 8080, but the '
      + 'destination\'s Istio ALLOW policies (AuthorizationPolicy shop/api-allow) match none of them, so its proxy refuses every connection this '
      + 'rule opens (AuthorizationPolicy shop/api-allow selects shop/api, so only what an ALLOW rule matches is allowed, and no rule matches '
      + 'reports/reporter -> shop/api TCP/8080 (over mutual TLS as cluster.local/ns/reports/sa/reporter))');
    expect(findings[0].fix).toBe('authorize the clients\' identities on the port in an ALLOW rule of the destination (IstioAuthorization or '
      + 'MeshAuthorization allowFlow), or remove the peer from the NetworkPolicy if they are not meant to connect');
  });

  test('the identity is allowed on another port only: the admitted port is reported; an allow-nothing policy too (ambient destination)', () => {
    const ports = [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 9090 }];
    const findings = check(...BASE, allowFrom('cluster.local/ns/reports/sa/reporter', ['9090']), netpol([FROM_REPORTS], ports));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toContain('to Deployment shop/api port 8080, but');
    const ambient = [STRICT, ns('shop', { 'istio.io/dataplane-mode': 'ambient' }), ns('reports', { 'istio.io/dataplane-mode': 'ambient' }),
      deployment('shop', 'api'), deployment('reports', 'reporter')];
    expect(brief(check(...ambient, authz('allow-nothing', {}), netpol([FROM_REPORTS])))).toEqual([FINDING]);
  });

  test('clean: the identity allowed, no ALLOW policy, a DENY policy, an unmeshed client, clients the manifests do not show, wildcard peers', () => {
    const np = netpol([FROM_REPORTS]);
    expect(check(...BASE, allowFrom('cluster.local/ns/reports/sa/reporter'), np)).toEqual([]);
    expect(check(...BASE, np)).toEqual([]);
    // Refused by a DENY rule or by STRICT for a plaintext client: not this rule's finding.
    expect(check(...BASE, authz('deny-reports', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['reports'] } }] }] }), np)).toEqual([]);
    expect(check(STRICT, ns('shop'), ns('reports', {}), deployment('shop', 'api'), deployment('reports', 'reporter'),
      allowFrom('cluster.local/ns/reports/sa/exporter'), np)).toEqual([]);
    // The reports namespace is not declared: its pods' membership is unknown.
    expect(check(STRICT, ns('shop'), deployment('shop', 'api'), deployment('reports', 'reporter'), allowFrom('cluster.local/ns/reports/sa/x'), np))
      .toEqual([]);
    // A selected namespace without matching workloads, or namespaces chosen by another label, may hold clients the mesh admits.
    expect(check(...BASE, ns('batch'), allowFrom('cluster.local/ns/reports/sa/x'), netpol([{
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['reports', 'batch'] }] },
    }]))).toEqual([]);
    expect(check(...BASE, allowFrom('cluster.local/ns/reports/sa/x'), netpol([{ namespaceSelector: { matchLabels: { team: 'data' } } }]))).toEqual([]);
    // Istio's own ports (ambient HBONE 15008 carries the connections to every application port) are no application port.
    expect(check(...BASE, allowFrom('cluster.local/ns/reports/sa/x'), netpol([FROM_REPORTS], [{ protocol: 'TCP', port: 15008 }]))).toEqual([]);
    for (const peer of [{ namespaceSelector: {} }, { podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8' } }]) {
      expect(check(...BASE, allowFrom('cluster.local/ns/reports/sa/x'), netpol([peer]))).toEqual([]);
    }
  });

  test('the mesh\'s trust domain is not in the manifests: a principal of the domain a policy names is the client\'s there, not reported', () => {
    const np = netpol([FROM_REPORTS]);
    expect(check(...BASE, allowFrom('example.org/ns/reports/sa/reporter'), np)).toEqual([]);
    const byCondition = authz('api-allow', {
      selector: { matchLabels: { app: 'api' } },
      action: 'ALLOW',
      rules: [{ to: [{ operation: { ports: ['8080'] } }], when: [{ key: 'source.principal', values: ['example.org/ns/reports/sa/reporter'] }] }],
    });
    expect(check(...BASE, byCondition, np)).toEqual([]);
    // Refused under every trust domain (cluster.local and the one named): still reported, with the cluster.local reading.
    const findings = check(...BASE, allowFrom('example.org/ns/reports/sa/exporter'), np);
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toContain('(over mutual TLS as cluster.local/ns/reports/sa/reporter)');
  });

  test('two clients admitted, one of them allowed: the rule opens something the mesh lets through, not reported', () => {
    const both = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'reports' } } };
    const objects = [...BASE, deployment('reports', 'exporter'), allowFrom('cluster.local/ns/reports/sa/exporter'), netpol([both])];
    expect(check(...objects)).toEqual([]);
    const none = [...BASE, deployment('reports', 'exporter'), allowFrom('cluster.local/ns/reports/sa/other'), netpol([both])];
    const findings = check(...none);
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message.startsWith('admits Deployment reports/exporter (ServiceAccount exporter), Deployment reports/reporter (ServiceAccount '
      + 'reporter) to Deployment shop/api port 8080')).toBe(true);
  });

  test('an empty serviceAccountName: the pods run as the deprecated serviceAccount field names (the API server reads it then), judged by that principal', () => {
    const reporter = deployment('reports', 'reporter');
    reporter.spec.template.spec = { serviceAccountName: '', serviceAccount: 'reporter', containers: reporter.spec.template.spec.containers };
    const base = [STRICT, ns('shop'), ns('reports'), deployment('shop', 'api'), reporter];
    expect(check(...base, allowFrom('cluster.local/ns/reports/sa/reporter'), netpol([FROM_REPORTS]))).toEqual([]);
    const findings = check(...base, allowFrom('cluster.local/ns/reports/sa/exporter'), netpol([FROM_REPORTS]));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toContain('admits Deployment reports/reporter (ServiceAccount reporter) to Deployment shop/api port 8080');
    // Both empty: the admission plugin's `default`.
    reporter.spec.template.spec = { serviceAccountName: '', containers: reporter.spec.template.spec.containers };
    expect(check(...base, allowFrom('cluster.local/ns/reports/sa/default'), netpol([FROM_REPORTS]))).toEqual([]);
  });
});
