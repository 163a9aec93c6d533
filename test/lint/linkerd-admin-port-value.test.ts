/**
 * The lint reads `config.linkerd.io/admin-port` as Linkerd's proxy injector does (src/analysis/mesh/linkerd-admin-port.ts,
 * shared with the analyzer and the LinkerdAuthorization probe check): linkerd/linkerd2 pkg/inject/config_override.go
 * `applyAnnotationOverrides` parses the pod's value with strconv.ParseInt and keeps the default 4191 on a parse error (a
 * space around the number is one); the namespace's value counts only for pods without a value of their own.
 */
import { brief } from './support';
import { PolicyLint } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

const RULE = 'linkerd-admin-port-unauthorized';

const deployment = (name: string, annotations: Record<string, string>) => ({
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
const server4191 = {
  apiVersion: 'policy.linkerd.io/v1beta3',
  kind: 'Server',
  metadata: { name: 'proxy-admin', namespace: 'shop' },
  spec: { podSelector: {}, port: 4191, proxyProtocol: 'HTTP/1' },
};
const scrape = {
  apiVersion: 'policy.linkerd.io/v1alpha1',
  kind: 'AuthorizationPolicy',
  metadata: { name: 'scrape', namespace: 'shop' },
  spec: {
    targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'proxy-admin' },
    requiredAuthenticationRefs: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
  },
};

describe('linkerd-admin-port-unauthorized reads config.linkerd.io/admin-port as the proxy injector does', () => {
  test('a pod value with a space around the number is no number to ParseInt: the admin port stays 4191, which the Server covers (was 9990: a finding)', () => {
    const objects = [deployment('api', { 'config.linkerd.io/admin-port': ' 9990' }), server4191, scrape];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([]);
    // The number itself moves the port away from the Server on 4191.
    const moved = [deployment('api', { 'config.linkerd.io/admin-port': '9990' }), server4191, scrape];
    expect(brief(PolicyLint.check(moved), RULE)).toEqual([{
      rule: RULE,
      severity: 'warning',
      object: 'Deployment shop/api',
      path: 'spec.template.metadata.annotations["config.linkerd.io/default-inbound-policy"]',
    }]);
  });

  test('a pod value that is no number does not take the namespace\'s port: 4191, covered by the Server', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'config.linkerd.io/admin-port': '9990' } } };
    const objects = [ns, deployment('api', { 'config.linkerd.io/admin-port': 'admin' }), server4191, scrape];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE)).toEqual([]);
  });
});

describe('linkerd-admin-port-unauthorized leaves pods that are never created to linkerd-port-annotation-invalid', () => {
  test('an admin port no port can be (pod template or namespace): no scrape warning on 4191 for pods the API server refuses (was one)', () => {
    const pod = [deployment('api', { 'config.linkerd.io/admin-port': '0' })];
    expectValidManifests(pod);
    expect(brief(PolicyLint.check(pod), RULE, 'linkerd-port-annotation-invalid')).toEqual([
      { rule: 'linkerd-port-annotation-invalid', severity: 'error', object: 'Deployment shop/api', path: 'spec.template.metadata.annotations["config.linkerd.io/admin-port"]' },
    ]);
    const ns = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/default-inbound-policy': 'deny', 'config.linkerd.io/admin-port': '70000' } },
    };
    // Pods that take the namespace's value are not created; one with a port of its own is, and is judged on it.
    const objects = [ns, deployment('web', {}), deployment('api', { 'config.linkerd.io/admin-port': '9990' })];
    expectValidManifests(objects);
    expect(brief(PolicyLint.check(objects), RULE, 'linkerd-port-annotation-invalid')).toEqual([
      { rule: RULE, severity: 'warning', object: 'Deployment shop/api', path: 'spec.template.metadata.annotations["config.linkerd.io/default-inbound-policy"]' },
      { rule: 'linkerd-port-annotation-invalid', severity: 'error', object: 'Namespace shop', path: 'metadata.annotations["config.linkerd.io/admin-port"]' },
    ]);
  });
});
