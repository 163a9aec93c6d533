/**
 * PolicyLint on Istio AuthorizationPolicy rules with HTTP-only attributes on a port the selected
 * sidecars serve as TCP (src/lint/rules/istio-authz-tcp-port.ts; analysis/mesh/istio-tcp-rules): istiod
 * skips such an ALLOW rule on the TCP filter chain and drops the HTTP-only attributes of a DENY rule
 * (istio/istio pilot/pkg/security/authz/model/model.go `checkError`, generator.go "is HTTP only").
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

const RULES = ['istio-authz-http-allow-on-tcp-port', 'istio-authz-http-deny-on-tcp-port'];
const namespace = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } });
const SIDECAR_NS = namespace({ 'istio-injection': 'enabled' });
const deployment = (name: string): any => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example/${name}:1`, ports: [{ containerPort: 9000 }] }] } },
  },
});
const svc = (name: string, port: Record<string, unknown>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { selector: { app: 'api' }, ports: [{ port: 9000, ...port }] },
});
const authz = (name: string, action: string, rule: Record<string, unknown>) => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name, namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'api' } }, action, rules: [rule] },
});
const TCP = svc('api', { name: 'tcp-api' });
const GET_9000 = authz('get', 'ALLOW', { to: [{ operation: { ports: ['9000'], methods: ['GET'] } }] });
const NO_ADMIN_9000 = authz('no-admin', 'DENY', { to: [{ operation: { ports: ['9000'], paths: ['/admin'] } }] });
const WHERE = "port 9000 of shop/api is served as TCP by the sidecar (Service shop/api port 9000 (port name 'tcp-api': TCP)), whose RBAC network "
  + 'filter sees no HTTP request';

function lint(...objects: any[]) {
  expectValidManifests(objects);
  return PolicyLint.check(objects).filter((f) => RULES.includes(f.rule));
}

describe('istio-authz-http-*-on-tcp-port', () => {
  test('ALLOW with methods on a tcp- port: warning, the rule matches no connection there', () => {
    const findings = lint(SIDECAR_NS, deployment('api'), TCP, GET_9000);
    expect(brief(findings)).toEqual([{ rule: 'istio-authz-http-allow-on-tcp-port', severity: 'warning', object: 'AuthorizationPolicy shop/get', path: 'spec.rules[0]' }]);
    expect(findings[0].message).toBe(`${WHERE}: istiod skips this ALLOW rule there because it uses HTTP-only attributes `
      + '(spec.rules[0].to[0].operation.methods), so it matches no connection to those ports');
  });

  test('ALLOW with methods on a port a Sidecar ingress listener declares TCP (Service port http-*): warning naming the Sidecar', () => {
    const sidecar = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { workloadSelector: { labels: { app: 'api' } }, ingress: [{ port: { number: 9000, protocol: 'TCP', name: 'tcp' } }] },
    };
    const findings = lint(SIDECAR_NS, deployment('api'), svc('api', { name: 'http-api' }), sidecar, GET_9000);
    expect(brief(findings)).toEqual([{ rule: 'istio-authz-http-allow-on-tcp-port', severity: 'warning', object: 'AuthorizationPolicy shop/get', path: 'spec.rules[0]' }]);
    expect(findings[0].message).toBe("port 9000 of shop/api is served as TCP by the sidecar (Sidecar shop/api ingress[0] port 9000 (protocol 'TCP': TCP)), "
      + 'whose RBAC network filter sees no HTTP request: istiod skips this ALLOW rule there because it uses HTTP-only attributes '
      + '(spec.rules[0].to[0].operation.methods), so it matches no connection to those ports');
  });

  test('DENY with paths on a port declared by appProtocol mysql: warning, the whole connection is denied', () => {
    const findings = lint(SIDECAR_NS, deployment('api'), svc('api', { name: 'db', appProtocol: 'mysql' }), NO_ADMIN_9000);
    expect(brief(findings)).toEqual([{ rule: 'istio-authz-http-deny-on-tcp-port', severity: 'warning', object: 'AuthorizationPolicy shop/no-admin', path: 'spec.rules[0]' }]);
    expect(findings[0].message).toBe('port 9000 of shop/api is served as TCP by the sidecar (Service shop/api port 9000 (appProtocol mysql: TCP)), whose '
      + 'RBAC network filter sees no HTTP request: istiod drops the HTTP-only attributes of this DENY rule there (spec.rules[0].to[0].operation.paths), so '
      + 'it denies every connection to those ports that its other attributes match, not only the requests they describe');
  });

  test('appProtocol kubernetes.io/wss is HTTPS to istiod (a TCP chain): reported; kubernetes.io/ws and h2c are HTTP: not reported', () => {
    const findings = lint(SIDECAR_NS, deployment('api'), svc('api', { name: 'web', appProtocol: 'kubernetes.io/wss' }), GET_9000);
    expect(brief(findings)).toEqual([{ rule: 'istio-authz-http-allow-on-tcp-port', severity: 'warning', object: 'AuthorizationPolicy shop/get', path: 'spec.rules[0]' }]);
    expect(findings[0].message).toContain('(Service shop/api port 9000 (appProtocol kubernetes.io/wss: TCP))');
    for (const appProtocol of ['kubernetes.io/ws', 'kubernetes.io/h2c']) {
      expect(lint(SIDECAR_NS, deployment('api'), svc('api', { name: 'tcp-web', appProtocol }), GET_9000, NO_ADMIN_9000)).toEqual([]);
    }
  });

  test('not reported on a port the sidecar does not capture (excludeInboundPorts): no RBAC filter enforces the rule there', () => {
    const uncaptured = deployment('api');
    uncaptured.spec.template.metadata.annotations = { 'traffic.sidecar.istio.io/excludeInboundPorts': '9000' };
    expect(lint(SIDECAR_NS, uncaptured, TCP, GET_9000, NO_ADMIN_9000)).toEqual([]);
    // Capturing another port changes nothing for 9000.
    const other = deployment('api');
    other.spec.template.metadata.annotations = { 'traffic.sidecar.istio.io/excludeInboundPorts': '9001' };
    expect(lint(SIDECAR_NS, other, TCP, GET_9000).map((f) => f.rule)).toEqual(['istio-authz-http-allow-on-tcp-port']);
  });

  test('not reported where it is not exact or not TCP: http- or detected port, no Service, Services disagreeing, no ports named, no sidecar', () => {
    expect(lint(SIDECAR_NS, deployment('api'), svc('api', { name: 'http-api' }), GET_9000, NO_ADMIN_9000)).toEqual([]);
    expect(lint(SIDECAR_NS, deployment('api'), svc('api', { name: 'api' }), GET_9000, NO_ADMIN_9000)).toEqual([]);
    expect(lint(SIDECAR_NS, deployment('api'), GET_9000, NO_ADMIN_9000)).toEqual([]);
    expect(lint(SIDECAR_NS, deployment('api'), TCP, svc('api-http', { name: 'http' }), GET_9000, NO_ADMIN_9000)).toEqual([]);
    expect(lint(SIDECAR_NS, deployment('api'), TCP, authz('get', 'ALLOW', { to: [{ operation: { methods: ['GET'] } }] }))).toEqual([]);
    expect(lint(namespace({}), deployment('api'), TCP, GET_9000, NO_ADMIN_9000)).toEqual([]);
    // An L4-only rule on the TCP port is fine.
    expect(lint(SIDECAR_NS, deployment('api'), TCP, authz('p', 'ALLOW', { to: [{ operation: { ports: ['9000'] } }] }))).toEqual([]);
  });
});

describe('istio-authz-http-*-on-tcp-port on a selector reading a StatefulSet pod name', () => {
  const statefulSet = (replicas: number) => {
    const d = deployment('api');
    return { ...d, kind: 'StatefulSet', spec: { ...d.spec, serviceName: 'api', replicas } };
  };
  const byPodName = (pod: string) => ({ ...GET_9000, spec: { ...GET_9000.spec, selector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': pod } } } });

  test('a policy selecting the second pod (api-1) of two is about that pod: warning (the endpoint holds api-0 as its sample)', () => {
    expect(brief(lint(SIDECAR_NS, statefulSet(2), TCP, byPodName('api-1')))).toEqual([
      { rule: 'istio-authz-http-allow-on-tcp-port', severity: 'warning', object: 'AuthorizationPolicy shop/get', path: 'spec.rules[0]' },
    ]);
  });

  test('a pod name the set has no pod for selects nothing: no finding', () => {
    expect(lint(SIDECAR_NS, statefulSet(2), TCP, byPodName('api-2'))).toEqual([]);
  });
});
