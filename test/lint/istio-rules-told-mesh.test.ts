/**
 * PolicyLintOptions.mesh for the Istio rules that assumed ambient mode and Istio's default root
 * namespace: istio-authz-l7-*-under-ztunnel (./istio-ztunnel-rules.test.ts) and the ambient exemption of
 * istio-authz-identity-without-strict (./istio-misc-rules.test.ts). Untold, as before (first line of each case).
 */
import { brief } from './support';
import { IstioMode, Mesh } from '../../src/cluster/mesh';
import { PolicyLint, PolicyLintOptions } from '../../src/lint';
import { expectValidManifests } from '../support/schema';

const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const AMBIENT_NS = namespace('shop', { 'istio.io/dataplane-mode': 'ambient' });
const deployment = (name: string, serviceAccountName = name) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { serviceAccountName, containers: [{ name, image: `example/${name}:1`, ports: [{ containerPort: 8080 }] }] } },
  },
});
const authz = (name: string, ns: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec });
const peerAuth = (ns: string, mode: string) =>
  ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns }, spec: { mtls: { mode } } });
const GET_FROM_WEB = { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { methods: ['GET'] } }] };

function lint(rules: string[], objects: any[], options: PolicyLintOptions = {}) {
  expectValidManifests(objects);
  return brief(PolicyLint.check(objects, options), ...rules);
}

describe('istio-authz-l7-allow-under-ztunnel told the mesh', () => {
  const RULES = ['istio-authz-l7-allow-under-ztunnel', 'istio-authz-l7-deny-under-ztunnel'];
  const FINDING = { rule: 'istio-authz-l7-allow-under-ztunnel', severity: 'error', object: 'AuthorizationPolicy shop/api-get', path: 'spec.rules[0]' };
  const objects = [peerAuth('istio-system', 'STRICT'), AMBIENT_NS, deployment('api'),
    authz('api-get', 'shop', { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [GET_FROM_WEB] })];

  test('ambient mode: reported as untold; sidecar mode: the ambient label meshes nothing, no ztunnel enforces the policy (no finding)', () => {
    expect(lint(RULES, objects)).toEqual([FINDING]);
    expect(lint(RULES, objects, { mesh: Mesh.istio({ mode: IstioMode.AMBIENT }) })).toEqual([FINDING]);
    expect(lint(RULES, objects, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR }) })).toEqual([]);
  });

  test('under Linkerd, or no mesh, the rules do not apply', () => {
    for (const mesh of [Mesh.linkerd(), Mesh.none()]) expect(lint(RULES, objects, { mesh })).toEqual([]);
  });

  test('the root namespace, given: a policy there applies to ambient workloads of every namespace', () => {
    const meshWide = [peerAuth('istio-config', 'STRICT'), AMBIENT_NS, deployment('api'),
      authz('api-get', 'istio-config', { selector: { matchLabels: { app: 'api' } }, action: 'ALLOW', rules: [GET_FROM_WEB] })];
    // Untold, istio-config is an ordinary namespace with no ambient pod of its own.
    expect(lint(RULES, meshWide)).toEqual([]);
    expect(lint(RULES, meshWide, { mesh: Mesh.istio({ mode: IstioMode.AMBIENT, rootNamespace: 'istio-config' }) }))
      .toEqual([{ ...FINDING, object: 'AuthorizationPolicy istio-config/api-get' }]);
  });
});

describe('istio-authz-identity-without-strict told the mesh', () => {
  const RULE = 'istio-authz-identity-without-strict';
  const deny = authz('deny-web', 'shop', { action: 'DENY', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }] });
  const objects = [AMBIENT_NS, deployment('web'), deny];
  const FINDING = { rule: RULE, severity: 'warning', object: 'AuthorizationPolicy shop/deny-web', path: 'spec.rules[0].from[0].source.principals' };

  test('a DENY naming an ambient workload: exempt under ambient (untold or told); in sidecar mode the workload is outside the mesh, reported', () => {
    expect(lint([RULE], objects)).toEqual([]);
    expect(lint([RULE], objects, { mesh: Mesh.istio({ mode: IstioMode.AMBIENT }) })).toEqual([]);
    expect(lint([RULE], objects, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR }) })).toEqual([FINDING]);
  });

  test('the root namespace, given: its PERMISSIVE PeerAuthentication is mesh-wide', () => {
    const permissive = [peerAuth('istio-config', 'PERMISSIVE')];
    expect(lint(['istio-mtls-permissive'], permissive)).toEqual([
      { rule: 'istio-mtls-permissive', severity: 'warning', object: 'PeerAuthentication istio-config/default', path: 'spec.mtls.mode' },
    ]);
    const told = PolicyLint.check(permissive, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR, rootNamespace: 'istio-config' }) });
    expect(told.map((f) => f.message)).toEqual(['mesh-wide mutual TLS is PERMISSIVE: plaintext connections stay accepted and carry no identity, so '
      + 'identity-based authorization does not hold for them']);
  });
});
