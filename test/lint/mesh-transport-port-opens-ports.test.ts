/**
 * PolicyLint `mesh-transport-port-opens-ports`: a NetworkPolicy ingress rule admits meshed clients on the
 * mesh's transport port (Istio ambient HBONE 15008, Linkerd inbound 4143), the only port the CNI sees of
 * meshed traffic (istio.io "Ambient and Kubernetes NetworkPolicy"; linkerd.io "Network Policy"), so
 * they reach destination ports no policy admits unless the mesh restricts them; judged by the analyzer.
 */
import { Chart } from 'cdk8s';
import { brief, deployment as workload, lintRule, namespaceWith, netpol, podsOf } from './support';
import { IstioMtls, LinkerdInboundPolicy, MeshAuthorization, MeshSource, Peer, ZeroTrustNamespace } from '../../src';
import { Reachability, Target } from '../../src/analysis';
import * as networkPolicy from '../../src/analysis/kubernetes/network-policy';
import { Cni } from '../../src/cluster/cni';
import { IstioMode, Mesh } from '../../src/cluster/mesh';
import * as admissions from '../../src/lint/cni-policy-admissions';
import { lintMeshOf } from '../../src/lint/lint-mesh';
import { meshTransportPortOpensPorts } from '../../src/lint/rules/mesh-transport-port-opens-ports';
import { Port } from '../../src/policy/port';
import { deploymentWith, meshChart } from '../support/mesh';
import { expectValidManifests } from '../support/schema';
import { synthValid } from '../support/synth';

const RULE = 'mesh-transport-port-opens-ports';
const AMBIENT = Mesh.istio({ mode: IstioMode.AMBIENT });
const LINKERD = Mesh.linkerd();
/** Runs as its own ServiceAccount (the mesh identity); container ports 8080 and 9090 unless given. */
const deployment = (namespace: string, name: string, ports?: number[]) => workload(namespace, name, { ownServiceAccount: true, ports });
const FROM_REPORTS = podsOf('reports', { app: 'reporter' });
const tcp = (port: number) => ({ protocol: 'TCP', port });
/** api admits the reporter on 8080 and, in a twin rule as ZeroTrustNamespace.addPolicy writes it, on the transport port. */
const twin = (transport: number, from: unknown[] = [FROM_REPORTS]) => netpol('api-from-reporter', 'shop', {
  podSelector: { matchLabels: { app: 'api' } },
  policyTypes: ['Ingress'],
  ingress: [{ from, ports: [tcp(8080)] }, { from, ports: [tcp(transport)] }],
});
/** The analyzer's verdicts (overall, CNI, mesh) of reporter -> api on TCP `port`: what the rule reads. */
const layers = (objects: any[], mesh: Mesh, port: number) => {
  const r = Reachability.fromManifests(objects, { cni: Cni.kubernetes(), mesh })
    .check(Target.workload('reports', 'reporter'), Target.workload('shop', 'api'), Port.tcp(port));
  return [r.verdict, r.cniVerdict, r.meshVerdict];
};
/** What a finding says the clients reach (between the rule's text and the closing verdict note). */
const reached = (f: { message: string }) => f.message.split(': ').slice(1).join(': ').split(' (allowed by')[0];
const FINDING = { rule: RULE, severity: 'warning', object: 'NetworkPolicy shop/api-from-reporter', path: 'spec.ingress[1]' };

describe('Istio ambient', () => {
  const ns = (name: string, labels: Record<string, string> = { 'istio.io/dataplane-mode': 'ambient' }) => namespaceWith(name, 'labels', labels);
  const BASE = [ns('shop'), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];
  const FIX = 'restrict the ports in the mesh: a ztunnel-enforced AuthorizationPolicy on the destination pods (MeshAuthorization or IstioAuthorization '
    + 'flows with `ports`: ALLOW the clients on the intended ports, or DENY them the others), or drop the transport port from the rule if these '
    + 'clients need not reach the destination through the mesh';
  /** A ztunnel ALLOW policy on api: the reporter's identity on `ports` only. */
  const allowOn = (...ports: string[]) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'api-allow', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'api' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/reports/sa/reporter'] } }], to: [{ operation: { ports } }] }],
    },
  });

  test('a twin rule on 15008: the meshed reporter reaches api\'s other declared port 9090 and every undeclared one (warning on the twin rule)', () => {
    const findings = lintRule(RULE, [...BASE, twin(15008)], { mesh: AMBIENT });
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toBe('admits meshed clients on TCP/15008, Istio ambient\'s HBONE tunnel port, the only port the CNI sees of meshed '
      + 'traffic, so the mesh carries them to ports no policy admits them to: Deployment reports/reporter reaches Deployment shop/api on port 9090 '
      + 'and on every port no manifest names (judged on port 1) (allowed by Istio (ambient) on the transport port; the CNI alone would deny these '
      + 'ports)');
    expect(findings[0].fix).toBe(FIX);
    // The same on a told CNI (Calico's model judges the NetworkPolicy alike).
    expect(brief(lintRule(RULE, [...BASE, twin(15008)], { mesh: AMBIENT, cni: Cni.calico() }))).toEqual([FINDING]);
  });

  test('an ambient destination has no Envoy: its ports 15000, 15020, 15090 are reached like any other (was: left out as Envoy\'s)', () => {
    const envoyish = [ns('shop'), ns('reports'), deployment('shop', 'api', [8080, 9090, 15000, 15020, 15090]), deployment('reports', 'reporter')];
    const findings = lintRule(RULE, [...envoyish, twin(15008)], { mesh: AMBIENT });
    expect(brief(findings)).toEqual([FINDING]);
    expect(reached(findings[0])).toBe('Deployment reports/reporter reaches Deployment shop/api on ports 9090, 15000, 15020, 15090 and on every port no '
      + 'manifest names (judged on port 1)');
    // What the rule reads: ztunnel carries 15020 like any port, past a CNI that admits only 8080 and 15008 (the CNI alone denies it).
    expect(layers([...envoyish, twin(15008)], AMBIENT, 15020)).toEqual(['allow', 'allow', 'allow']);
  });

  test('one rule naming 8080 and 15008, and a destination declaring no port: every port no manifest names (judged on one)', () => {
    const oneRule = netpol('api-from-reporter', 'shop', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [FROM_REPORTS], ports: [tcp(8080), tcp(15008)] }],
    });
    const findings = lintRule(RULE, [ns('shop'), ns('reports'), deployment('shop', 'api', []), deployment('reports', 'reporter'), oneRule],
      { mesh: AMBIENT });
    expect(brief(findings)).toEqual([{ ...FINDING, path: 'spec.ingress[0]' }]);
    expect(findings[0].message).toBe('admits meshed clients on TCP/15008, Istio ambient\'s HBONE tunnel port, the only port the CNI sees of meshed '
      + 'traffic, so the mesh carries them to ports no policy admits them to: Deployment reports/reporter reaches Deployment shop/api on every port '
      + 'no manifest names (judged on port 1) (allowed by Istio (ambient) on the transport port; the CNI alone would deny these ports)');
  });

  test('none: a ztunnel ALLOW policy restricts the reporter to 8080 (allowing it 9090 too brings back the finding on 9090)', () => {
    expect(lintRule(RULE, [...BASE, allowOn('8080'), twin(15008)], { mesh: AMBIENT })).toEqual([]);
    expect(lintRule(RULE, [...BASE, allowOn('8080', '9090'), twin(15008)], { mesh: AMBIENT }).map(reached))
      .toEqual(['Deployment reports/reporter reaches Deployment shop/api on port 9090']);
  });

  test('the CNI admits every declared port to the reporter (another rule names 9090): only the ports no manifest names are reported', () => {
    const both = twin(15008);
    both.spec.ingress[0].ports.push(tcp(9090));
    expect(lintRule(RULE, [...BASE, both], { mesh: AMBIENT }).map(reached))
      .toEqual(['Deployment reports/reporter reaches Deployment shop/api on every port no manifest names (judged on port 1)']);
    // A policy naming ports 1-9 elsewhere moves the representative port past them.
    const other = netpol('other', 'shop', { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Ingress'], ingress: [{ ports: [{ ...tcp(1), endPort: 9 }] }] });
    expect(lintRule(RULE, [...BASE, both, other], { mesh: AMBIENT }).map(reached))
      .toEqual(['Deployment reports/reporter reaches Deployment shop/api on every port no manifest names (judged on port 10)']);
  });

  test('none: without the mesh option, under Mesh.none(), and under Istio in sidecar mode (no transport port)', () => {
    expect(lintRule(RULE, [...BASE, twin(15008)])).toEqual([]);
    expect(lintRule(RULE, [...BASE, twin(15008)], { mesh: Mesh.none() })).toEqual([]);
    const sidecar = [ns('shop', { 'istio-injection': 'enabled' }), ns('reports', { 'istio-injection': 'enabled' }), deployment('shop', 'api'),
      deployment('reports', 'reporter'), twin(15008)];
    expect(lintRule(RULE, sidecar, { mesh: Mesh.istio({ mode: IstioMode.SIDECAR }) })).toEqual([]);
    // Sidecar pods under an ambient installation: their traffic keeps the application port too.
    expect(lintRule(RULE, sidecar, { mesh: AMBIENT })).toEqual([]);
  });

  test('none: the reporter is not meshed (the twin rule carries nothing for it)', () => {
    expect(lintRule(RULE, [ns('shop'), ns('reports', {}), deployment('shop', 'api'), deployment('reports', 'reporter'), twin(15008)],
      { mesh: AMBIENT })).toEqual([]);
  });

  test('none: the mesh verdict on the port is indeterminate (an ALLOW by source ipBlocks, pod addresses unknown)', () => {
    const byAddress = allowOn('8080');
    byAddress.spec.rules = [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } as any }], to: [{ operation: { ports: ['9090'] } }] }];
    expect(lintRule(RULE, [...BASE, byAddress, twin(15008)], { mesh: AMBIENT })).toEqual([]);
    expect(layers([...BASE, byAddress, twin(15008)], AMBIENT, 9090)).toEqual(['indeterminate', 'allow', 'indeterminate']);
  });
});

describe('Linkerd', () => {
  const MESHED = { 'linkerd.io/inject': 'enabled' };
  const ns = (name: string, annotations: Record<string, string> = MESHED) => namespaceWith(name, 'annotations', annotations);
  const BASE = [ns('shop'), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];
  const DENY = [ns('shop', { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' }), ns('reports'), deployment('shop', 'api'),
    deployment('reports', 'reporter')];
  const server = (name: string, port: number) => ({
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name, namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, port, proxyProtocol: 'HTTP/1' },
  });
  const authorize = (serverName: string, authentication: Record<string, string>) => ({
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    metadata: { name: `${serverName}-authz`, namespace: 'shop' },
    spec: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: serverName }, requiredAuthenticationRefs: [authentication] },
  });
  const REPORTER = [
    {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: { name: 'reporter', namespace: 'shop' },
      spec: { identities: ['reporter.reports.serviceaccount.identity.linkerd.cluster.local'] },
    },
  ];
  const BY_REPORTER = { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'reporter' };
  const FIX = 'restrict the ports in the mesh: Servers on the intended ports of the destination pods with AuthorizationPolicies for the clients '
    + '(LinkerdAuthorization or MeshAuthorization flows with `ports`), and the default inbound policy `deny` (config.linkerd.io/default-inbound-policy) '
    + 'for the ports no Server describes (an authenticated default still admits meshed clients), or drop the transport port from the rule if these '
    + 'clients need not reach the destination through the mesh';

  test('a twin rule on 4143 under the default all-unauthenticated: the reporter reaches 9090 and every undeclared port (warning)', () => {
    const findings = lintRule(RULE, [...BASE, twin(4143)], { mesh: LINKERD });
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toBe('admits meshed clients on TCP/4143, Linkerd\'s inbound proxy port, the only port the CNI sees of meshed traffic, '
      + 'so the mesh carries them to ports no policy admits them to: Deployment reports/reporter reaches Deployment shop/api on port 9090 and on '
      + 'every port no manifest names (judged on port 1) (allowed by Linkerd on the transport port; the CNI alone would deny these ports)');
    expect(findings[0].fix).toBe(FIX);
    // The reporter is meshed and authenticated: an authenticated default admits it as well.
    const authenticated = [ns('shop', { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'all-authenticated' }), ns('reports'),
      deployment('shop', 'api'), deployment('reports', 'reporter'), twin(4143)];
    expect(brief(lintRule(RULE, authenticated, { mesh: LINKERD }))).toEqual([FINDING]);
  });

  test('none: a deny default and a Server on 8080 only, authorizing the reporter (a Server on 9090 for it brings the finding back)', () => {
    const restricted = [...DENY, server('api-http', 8080), ...REPORTER, authorize('api-http', BY_REPORTER), twin(4143)];
    expect(lintRule(RULE, restricted, { mesh: LINKERD })).toEqual([]);
    expect(lintRule(RULE, [...restricted, server('api-admin', 9090), authorize('api-admin', BY_REPORTER)], { mesh: LINKERD }).map(reached))
      .toEqual(['Deployment reports/reporter reaches Deployment shop/api on port 9090']);
  });

  test('none: the reporter is not meshed, or the mesh option says Istio', () => {
    expect(lintRule(RULE, [ns('shop'), ns('reports', {}), deployment('shop', 'api'), deployment('reports', 'reporter'), twin(4143)],
      { mesh: LINKERD })).toEqual([]);
    expect(lintRule(RULE, [...BASE, twin(4143)], { mesh: AMBIENT })).toEqual([]);
    expect(lintRule(RULE, [...BASE, twin(4143)])).toEqual([]);
  });

  test('none: under a deny default, the mesh verdict on 9090 is indeterminate (a Server authorizing a network, pod addresses unknown)', () => {
    const network = {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'NetworkAuthentication',
      metadata: { name: 'pods', namespace: 'shop' },
      spec: { networks: [{ cidr: '10.0.0.0/8' }] },
    };
    const byNetwork = [server('api-admin', 9090), network, authorize('api-admin', { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'pods' })];
    expect(lintRule(RULE, [...DENY, ...byNetwork, twin(4143)], { mesh: LINKERD })).toEqual([]);
    expect(layers([...DENY, ...byNetwork, twin(4143)], LINKERD, 9090)).toEqual(['indeterminate', 'allow', 'indeterminate']);
    // Under the default all-unauthenticated the undeclared ports are open: reported, 9090 still not claimed.
    expect(lintRule(RULE, [...BASE, ...byNetwork, twin(4143)], { mesh: LINKERD }).map(reached))
      .toEqual(['Deployment reports/reporter reaches Deployment shop/api on every port no manifest names (judged on port 1)']);
    // The same Server refusing the reporter outright (authorizing another identity): denied by the mesh, still nothing to report.
    const other = [{ ...REPORTER[0], spec: { identities: ['exporter.reports.serviceaccount.identity.linkerd.cluster.local'] } }];
    const refusing = [...DENY, server('api-admin', 9090), ...other, authorize('api-admin', BY_REPORTER), twin(4143)];
    expect(lintRule(RULE, refusing, { mesh: LINKERD })).toEqual([]);
    expect(layers(refusing, LINKERD, 9090)).toEqual(['deny', 'allow', 'deny']);
  });

  test('none: the mesh allows the reporter some requests only (Linkerd\'s probe route on a port whose Server refuses it)', () => {
    const probed = deployment('shop', 'api');
    probed.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: '/healthz', port: 9090 } };
    const other = [{ ...REPORTER[0], spec: { identities: ['exporter.reports.serviceaccount.identity.linkerd.cluster.local'] } }];
    const objects = [ns('shop', { ...MESHED, 'config.linkerd.io/default-inbound-policy': 'deny' }), ns('reports'), probed,
      deployment('reports', 'reporter'), server('api-admin', 9090), ...other, authorize('api-admin', BY_REPORTER), twin(4143)];
    expect(lintRule(RULE, objects, { mesh: LINKERD })).toEqual([]);
    // Allowed on both layers, for GET /healthz only: the mesh restricts the port already.
    expect(layers(objects, LINKERD, 9090)).toEqual(['allow', 'allow', 'allow']);
    expect(Reachability.fromManifests(objects, { cni: Cni.kubernetes(), mesh: LINKERD })
      .check(Target.workload('reports', 'reporter'), Target.workload('shop', 'api'), Port.tcp(9090)).l7Constraints)
      .toEqual(['only GET /healthz (the pod\'s probe paths; other requests and non-HTTP connections are refused)']);
  });

  test('a destination whose inbound proxy port is moved (config.linkerd.io/inbound-port, template or namespace) is judged on that port '
    + '(was: skipped)', () => {
    const moved = (annotations: Record<string, string>) => {
      const api = deployment('shop', 'api');
      api.spec.template.metadata.annotations = annotations;
      return api;
    };
    const MOVED = 'admits meshed clients on TCP/4999, Linkerd\'s inbound proxy port (config.linkerd.io/inbound-port moves it off 4143), the only port the '
      + 'CNI sees of meshed traffic, so the mesh carries them to ports no policy admits them to: Deployment reports/reporter reaches Deployment shop/api '
      + 'on port 9090 and on every port no manifest names (judged on port 1) (allowed by Linkerd on the transport port; the CNI alone would deny these ports)';
    const onTemplate = [ns('shop'), ns('reports'), moved({ 'config.linkerd.io/inbound-port': '4999' }), deployment('reports', 'reporter')];
    const findings = lintRule(RULE, [...onTemplate, twin(4999)], { mesh: LINKERD });
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toBe(MOVED);
    expect(layers([...onTemplate, twin(4999)], LINKERD, 9090)).toEqual(['allow', 'allow', 'allow']);
    // The twin on 4143 carries nothing to api: meshed traffic arrives on 4999, which that rule does not admit.
    expect(lintRule(RULE, [...onTemplate, twin(4143)], { mesh: LINKERD })).toEqual([]);
    const onNamespace = [ns('shop', { ...MESHED, 'config.linkerd.io/inbound-port': '4999' }), ns('reports'), deployment('shop', 'api'),
      deployment('reports', 'reporter')];
    expect(lintRule(RULE, [...onNamespace, twin(4999)], { mesh: LINKERD }).map((f) => f.message)).toEqual([MOVED]);
    expect(lintRule(RULE, [...onNamespace, twin(4143)], { mesh: LINKERD })).toEqual([]);
    // An inbound port not known (no port: the pods are refused): the analyzer says indeterminate, nothing is reported.
    const unknown = [ns('shop'), ns('reports'), moved({ 'config.linkerd.io/inbound-port': '70000' }), deployment('reports', 'reporter')];
    expect(lintRule(RULE, [...unknown, twin(4143)], { mesh: LINKERD })).toEqual([]);
    expect(layers([...unknown, twin(4143)], LINKERD, 9090)).toEqual(['indeterminate', 'indeterminate', 'indeterminate']);
  });

  test('a rule naming the port linkerd-proxy (the injected proxy\'s inbound container port) is a twin rule on the inbound port (was: none)', () => {
    const named = netpol('api-from-reporter', 'shop', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [FROM_REPORTS], ports: [tcp(8080)] }, { from: [FROM_REPORTS], ports: [{ protocol: 'TCP', port: 'linkerd-proxy' }] }],
    });
    const findings = lintRule(RULE, [...BASE, named], { mesh: LINKERD });
    expect(brief(findings)).toEqual([FINDING]);
    expect(reached(findings[0])).toBe('Deployment reports/reporter reaches Deployment shop/api on port 9090 and on every port no manifest names (judged on port 1)');
  });

  test('a peer admitting the whole namespace, and no from at all: each meshed workload shown is reported', () => {
    const anyone = twin(4143, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'reports' } } }]);
    const objects = [...BASE, deployment('reports', 'exporter', [8080]), anyone];
    const findings = lintRule(RULE, objects, { mesh: LINKERD });
    expect(brief(findings)).toEqual([FINDING]);
    expect(reached(findings[0])).toBe('Deployment reports/exporter reaches Deployment shop/api on port 9090 and on every port no manifest names '
      + '(judged on port 1); Deployment reports/reporter reaches Deployment shop/api on port 9090 and on every port no manifest names (judged on port 1)');
    const everyone = netpol('api-from-reporter', 'shop', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [tcp(8080), tcp(4143)] }],
    });
    const every = 'Deployment shop/api on port 9090 and on every port no manifest names (judged on port 1)';
    expect(lintRule(RULE, [...BASE, everyone], { mesh: LINKERD }).map((f) => [f.path, reached(f)])).toEqual([
      ['spec.ingress[0]', `Deployment reports/reporter reaches ${every}; Deployment shop/api reaches ${every}`],
    ]);
  });
});

describe('ZeroTrustNamespace\'s twin rules (the documented fail-open of a meshed namespace)', () => {
  /**
   * web -> api on 8080 in a meshed ZeroTrustNamespace; api also listens on 9090. `restrict`: MeshAuthorization admits web on 8080 only,
   * as README's meshed-namespace section says (Istio: STRICT mTLS, for the identity; Linkerd: the namespace's default inbound policy deny).
   */
  const shop = (mesh: Mesh, restrict: boolean): Chart => {
    const chart = meshChart(Cni.kubernetes(), mesh);
    const linkerd = mesh.displayName.startsWith('Linkerd');
    const zt = new ZeroTrustNamespace(chart, 'shop', {
      name: 'shop', mesh: restrict && linkerd ? { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY } : {},
    });
    deploymentWith(chart, 'shop', 'web', { app: 'web' }, {}, { serviceAccountName: 'web' });
    deploymentWith(chart, 'shop', 'api', { app: 'api' }, { ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }, { serviceAccountName: 'api' });
    zt.allowIngress('api-from-web', { app: 'api' }, [Peer.pods({ app: 'web' })], [Port.tcp(8080)]);
    zt.allowEgress('web-to-api', { app: 'web' }, [Peer.pods({ app: 'api' })], [Port.tcp(8080)]);
    if (restrict) {
      if (!linkerd) new IstioMtls(chart, 'mtls', { namespace: 'shop' });
      new MeshAuthorization(chart, 'authz', { namespace: 'shop' })
        .allowFlow('web-to-api', { from: [MeshSource.serviceAccount('web', 'shop')], to: { app: 'api' }, ports: [8080] });
    }
    return chart;
  };

  test.each([['Istio ambient', AMBIENT, 15008], ['Linkerd', Mesh.linkerd({ cni: true }), 4143]])('%s: web reaches api\'s 9090 through the twin; MeshAuthorization '
    + 'with ports closes it', (_name, mesh, transport) => {
    const objects = synthValid(shop(mesh, false));
    const twinRule = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'api-from-web').spec.ingress
      .findIndex((r: any) => r.ports.some((p: any) => p.port === transport));
    expect(twinRule).toBeGreaterThanOrEqual(0);
    const findings = lintRule(RULE, objects, { mesh });
    expect(findings.map((f) => [f.object, f.path, reached(f)])).toEqual([
      ['NetworkPolicy shop/api-from-web', `spec.ingress[${twinRule}]`,
        'Deployment shop/web reaches Deployment shop/api on port 9090 and on every port no manifest names (judged on port 1)'],
    ]);
    expect(lintRule(RULE, synthValid(shop(mesh, true)), { mesh })).toEqual([]);
  });
});

describe('Calico and Cilium rules naming the transport port (told the CNI)', () => {
  const ns = (name: string) => namespaceWith(name, 'labels', { 'istio.io/dataplane-mode': 'ambient' });
  const BASE = [ns('shop'), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];
  const calico = (ports: number[]) => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'api-from-reporter', namespace: 'shop' },
    spec: {
      selector: "app == 'api'",
      types: ['Ingress'],
      ingress: [{
        action: 'Allow',
        protocol: 'TCP',
        source: { namespaceSelector: "kubernetes.io/metadata.name == 'reports'", selector: "app == 'reporter'" },
        destination: { ports },
      }],
    },
  });
  const cilium = (ports: number[]) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'api-from-reporter', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { 'app': 'reporter', 'k8s:io.kubernetes.pod.namespace': 'reports' } }],
        toPorts: [{ ports: ports.map((port) => ({ port: String(port), protocol: 'TCP' })) }],
      }],
    },
  });
  const MESSAGE = 'admits meshed clients on TCP/15008, Istio ambient\'s HBONE tunnel port, the only port the CNI sees of meshed traffic, so the '
    + 'mesh carries them to ports no policy admits them to: Deployment reports/reporter reaches Deployment shop/api on port 9090 and on every port '
    + 'no manifest names (judged on port 1) (allowed by Istio (ambient) on the transport port; the CNI alone would deny these ports)';

  test.each([
    // The finding's object label is the kind (the path and the source tell the groups apart).
    ['Calico', Cni.calico(), calico, 'NetworkPolicy shop/api-from-reporter'],
    ['Cilium', Cni.cilium(), cilium, 'CiliumNetworkPolicy shop/api-from-reporter'],
  ])('%s: a rule admitting the reporter on 8080 and 15008 is reported on that rule; restricted in the mesh, or untold the CNI, not', (_name, cni,
    policy, object) => {
    const findings = lintRule(RULE, [...BASE, policy([8080, 15008])], { mesh: AMBIENT, cni });
    expect(findings.map((f) => [f.severity, f.object, f.path, f.message])).toEqual([['warning', object, 'spec.ingress[0]', MESSAGE]]);
    // The rule admitting 9090 too: only the undeclared ports; ztunnel allowing the reporter 8080 and 9090 only: nothing.
    expect(lintRule(RULE, [...BASE, policy([8080, 9090, 15008])], { mesh: AMBIENT, cni }).map(reached))
      .toEqual(['Deployment reports/reporter reaches Deployment shop/api on every port no manifest names (judged on port 1)']);
    const ztunnel = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'api-allow', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/reports/sa/reporter'] } }], to: [{ operation: { ports: ['8080', '9090'] } }] }],
      },
    };
    expect(lintRule(RULE, [...BASE, ztunnel, policy([8080, 9090, 15008])], { mesh: AMBIENT, cni })).toEqual([]);
    expect(lintRule(RULE, [...BASE, policy([8080, 15008])], { mesh: AMBIENT })).toEqual([]);
  });
});

describe('Calico and Cilium rules admitting every source on the transport port (told the CNI)', () => {
  const ns = (name: string) => namespaceWith(name, 'labels', { 'istio.io/dataplane-mode': 'ambient' });
  const BASE = [ns('shop'), ns('reports'), deployment('shop', 'api'), deployment('reports', 'reporter')];
  const PORTS = [8080, 15008];
  const calico = (source?: Record<string, string>) => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'api-from-anyone', namespace: 'shop' },
    spec: { selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', ...(source ? { source } : {}), destination: { ports: PORTS } }] },
  });
  const cilium = (peers: Record<string, unknown>) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'api-from-anyone', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ...peers, toPorts: [{ ports: PORTS.map((port) => ({ port: String(port), protocol: 'TCP' })) }] }],
    },
  });
  const every = 'Deployment shop/api on port 9090 and on every port no manifest names (judged on port 1)';
  const BOTH = `Deployment reports/reporter reaches ${every}; Deployment shop/api reaches ${every}`;

  test.each([
    ['Calico, no source', Cni.calico(), calico(), 'NetworkPolicy', BOTH],
    ['Calico, all() in all() namespaces', Cni.calico(), calico({ selector: 'all()', namespaceSelector: 'all()' }), 'NetworkPolicy', BOTH],
    ['Cilium, no peer field', Cni.cilium(), cilium({}), 'CiliumNetworkPolicy', BOTH],
    ['Cilium, the cluster entity', Cni.cilium(), cilium({ fromEntities: ['cluster'] }), 'CiliumNetworkPolicy', BOTH],
    // An empty endpoint selector of a namespaced policy: every pod of its namespace (api's replicas reach each other).
    ['Cilium, an empty endpoint selector', Cni.cilium(), cilium({ fromEndpoints: [{}] }), 'CiliumNetworkPolicy', `Deployment shop/api reaches ${every}`],
  ])('%s: every meshed client it admits is reported on the rule, as for a NetworkPolicy rule without from', (_name, cni, policy, kind, text) => {
    const findings = lintRule(RULE, [...BASE, policy], { mesh: AMBIENT, cni });
    expect(findings.map((f) => [f.severity, f.object, f.path, reached(f)])).toEqual([['warning', `${kind} shop/api-from-anyone`, 'spec.ingress[0]', text]]);
  });
});

describe('Calico and Cilium rules: which pairs are asked about (cost on large directories)', () => {
  const NAMESPACES = ['a', 'b', 'c'];
  const ns = (name: string) => namespaceWith(name, 'labels', { 'istio.io/dataplane-mode': 'ambient' });
  /** web and api in each namespace; api admits web on 8080 and 15008 through `policy`. */
  const objects = (policy: (namespace: string) => any) => NAMESPACES.flatMap((n) => [ns(n), deployment(n, 'web', [8080]), deployment(n, 'api'), policy(n)]);
  const calico = (namespace: string, source: Record<string, string> = { selector: "app == 'web'" }) => ({
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'api-from-web', namespace },
    spec: {
      selector: "app == 'api'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', protocol: 'TCP', source, destination: { ports: [8080, 15008] } }],
    },
  });
  const cilium = (namespace: string, from: Record<string, string> = { app: 'web' }) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'api-from-web', namespace },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{ fromEndpoints: [{ matchLabels: from }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }, { port: '15008', protocol: 'TCP' }] }] }],
    },
  });
  const each = (n: string) => [`Deployment ${n}/web reaches Deployment ${n}/api on port 9090 and on every port no manifest names (judged on port 1)`];
  afterEach(() => jest.restoreAllMocks());

  test.each([['Calico', Cni.calico(), calico, 'NetworkPolicy'], ['Cilium', Cni.cilium(), cilium, 'CiliumNetworkPolicy']])('%s: a policy admitting its '
    + 'own namespace\'s pods only is asked about the meshed clients of that namespace only, with the same findings', (_name, cni, policy, kind) => {
    const asked = jest.spyOn(admissions, 'cniAdmission');
    const findings = lintRule(RULE, objects((n) => policy(n)), { mesh: AMBIENT, cni });
    expect(findings.map((f) => [f.object, f.path, reached(f)])).toEqual(NAMESPACES.map((n) => [`${kind} ${n}/api-from-web`, 'spec.ingress[0]', each(n)[0]]));
    // Two tunnelled destinations (web, api) by two meshed clients in each of the three namespaces: 12 questions, not 6 x 6.
    expect(asked).toHaveBeenCalledTimes(12);
    expect(asked.mock.calls.every(([, , client, destination]) => client.namespace === destination.namespace)).toBe(true);
  });

  test.each([
    ['Calico namespaceSelector', Cni.calico(), (n: string) => calico(n, n === 'a' ? { selector: "app == 'web'", namespaceSelector: "kubernetes.io/metadata.name == 'b'" } : undefined)],
    ['Cilium namespace label', Cni.cilium(), (n: string) => cilium(n, n === 'a' ? { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'b' } : undefined)],
  ])('%s: a policy admitting another namespace\'s clients is asked about every meshed client, and reports them', (_name, cni, policy) => {
    const asked = jest.spyOn(admissions, 'cniAdmission');
    const findings = lintRule(RULE, objects(policy), { mesh: AMBIENT, cni });
    expect(findings.map(reached)).toEqual([
      'Deployment b/web reaches Deployment a/api on port 9090 and on every port no manifest names (judged on port 1)', ...each('b'), ...each('c'),
    ]);
    // a's two destinations by the six meshed clients, then b's and c's by their own two each.
    expect(asked).toHaveBeenCalledTimes(12 + 4 + 4);
  });
});

describe('NetworkPolicy rules: which pods are asked about (cost on large directories)', () => {
  afterEach(() => jest.restoreAllMocks());

  test('a policy is asked about the pods of its namespace, and a rule whose peers name no namespace about that namespace\'s clients only', () => {
    const NAMESPACES = ['a', 'b', 'c'];
    const ambient = (name: string) => namespaceWith(name, 'labels', { 'istio.io/dataplane-mode': 'ambient' });
    const FROM_WEB = [{ podSelector: { matchLabels: { app: 'web' } } }];
    const objects = NAMESPACES.flatMap((n) => [ambient(n), deployment(n, 'web', [8080]), deployment(n, 'api'), netpol('api-from-web', n, {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: FROM_WEB, ports: [tcp(8080)] }, { from: FROM_WEB, ports: [tcp(15008)] }],
    })]);
    expectValidManifests(objects);
    const selects = jest.spyOn(networkPolicy, 'selectsEndpoint');
    const matches = jest.spyOn(networkPolicy, 'peerMatches');
    const findings = meshTransportPortOpensPorts.check({ documents: objects.map((obj, i) => ({ obj, index: i + 1 })), mesh: lintMeshOf('test', { mesh: AMBIENT }) });
    expect(findings.map((f) => [f.path, reached(f)])).toEqual(NAMESPACES.map((n) => ['spec.ingress[1]',
      `Deployment ${n}/web reaches Deployment ${n}/api on port 9090 and on every port no manifest names (judged on port 1)`]));
    // Each policy: its namespace's two pods as destinations and, for the twin rule, as clients; not the six pods of the manifests.
    expect(selects.mock.calls.filter(([policy]) => policy.metadata?.name === 'api-from-web')).toHaveLength(6);
    expect(matches.mock.calls.filter(([policy]) => policy.metadata?.name === 'api-from-web')).toHaveLength(6);
  });
});
