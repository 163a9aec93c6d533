/**
 * PolicyLint `istio-strict-mtls-unmeshed-source`: a NetworkPolicy admits, to Istio-meshed pods whose
 * port requires STRICT mutual TLS, a client the manifests show outside the mesh (istio.io
 * "PeerAuthentication" reference: STRICT accepts mutual TLS only; in ambient, istiod turns STRICT into a
 * ztunnel DENY of connections without a peer principal, istio/istio architecture/ambient/peer-authentication.md).
 */
import { admitting, brief, deployment as workload, lintRule, namespaceWith, podsOf } from './support';
import { Cni } from '../../src/cluster/cni';

const RULE = 'istio-strict-mtls-unmeshed-source';
const ns = (name: string, labels: Record<string, string> = {}) => namespaceWith(name, 'labels', labels);
/** Runs as the namespace's default ServiceAccount, ports named `p<port>`. */
const deployment = (namespace: string, name: string, labels: Record<string, string> = {}, ports?: number[]) =>
  workload(namespace, name, { labels, ports, namedPorts: true });
const peerAuth = (name: string, namespace: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace }, spec });
const MESH_STRICT = peerAuth('default', 'istio-system', { mtls: { mode: 'STRICT' } });
const CONTROLLER = { 'app.kubernetes.io/name': 'ingress-nginx' };
const FROM_NGINX = podsOf('ingress-nginx', CONTROLLER);
const netpol = (from: unknown[], ports?: unknown[]) => admitting('web-from-ingress', 'web', from, ports);
const SHOP = ns('shop', { 'istio-injection': 'enabled' });
const WEB = deployment('shop', 'web');
const FINDING = { rule: RULE, severity: 'warning', object: 'NetworkPolicy shop/web-from-ingress', path: 'spec.ingress[0].from[0]' };

const check = (...objects: any[]) => lintRule(RULE, objects);
const checkOn = (cni: Cni, ...objects: any[]) => lintRule(RULE, objects, { cni });

const calicoPolicy = (source: Record<string, unknown>) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'NetworkPolicy',
  metadata: { name: 'web-from-ingress', namespace: 'shop' },
  spec: { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source, destination: { ports: [8080] } }] },
});
const ciliumPolicy = (rule: Record<string, unknown>) => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'web-from-ingress', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ ...rule, toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] },
});
const CONTROLLER_DEPLOYMENT = deployment('ingress-nginx', 'controller', CONTROLLER);

describe(RULE, () => {
  test('mesh-wide STRICT, the ingress controller\'s namespace declared without injection label (pods not in the manifests): warning, exact text', () => {
    const findings = check(MESH_STRICT, SHOP, ns('ingress-nginx'), WEB, netpol([FROM_NGINX]));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toBe('admits the pods of namespace ingress-nginx labelled app.kubernetes.io/name=ingress-nginx (namespace ingress-nginx '
      + 'is declared without an Istio injection label (istio-injection=enabled, istio.io/rev or istio.io/dataplane-mode=ambient) and none of its pods '
      + 'is in these manifests, so they are outside the mesh unless their pod templates opt in) to Deployment shop/web on port 8080, which require '
      + 'STRICT mutual TLS (PeerAuthentication istio-system/default (mesh-wide) sets STRICT): the client is outside the mesh and connects in '
      + 'plaintext, which the destination\'s Istio proxy (sidecar or ztunnel) refuses, so the connection this rule opens never works');
    expect(findings[0].fix).toBe('mesh the client (label namespace ingress-nginx istio-injection=enabled or istio.io/dataplane-mode=ambient, then '
      + 'restart its pods), or set PERMISSIVE for port 8080 in the portLevelMtls of a PeerAuthentication selecting shop/web, or let the traffic '
      + 'in through an Istio Gateway that runs in the mesh');
  });

  test('the controller in the manifests: the finding names its Deployment and why it is outside the mesh', () => {
    const findings = check(MESH_STRICT, SHOP, ns('ingress-nginx'), WEB, deployment('ingress-nginx', 'controller', CONTROLLER), netpol([FROM_NGINX]));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message.startsWith('admits Deployment ingress-nginx/controller (ingress-nginx/controller is not in the mesh (no injection '
      + 'label on namespace ingress-nginx or the pod template)) to Deployment shop/web on port 8080')).toBe(true);
  });

  test('namespace-wide and workload STRICT, ambient destinations, all ports of the rule (no ports = every declared TCP port)', () => {
    const nsStrict = peerAuth('default', 'shop', { mtls: { mode: 'STRICT' } });
    const workloadStrict = peerAuth('web', 'shop', { selector: { matchLabels: { app: 'web' } }, mtls: { mode: 'STRICT' } });
    for (const strict of [nsStrict, workloadStrict]) {
      expect(brief(check(strict, SHOP, ns('ingress-nginx'), WEB, netpol([FROM_NGINX])))).toEqual([FINDING]);
    }
    const findings = check(MESH_STRICT, ns('shop', { 'istio.io/dataplane-mode': 'ambient' }), ns('ingress-nginx'), WEB, netpol([FROM_NGINX], []));
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toContain('to Deployment shop/web on ports 8080, 9090, which require STRICT');
  });

  test('portLevelMtls PERMISSIVE on the admitted port: clean; only the other STRICT port is reported', () => {
    const permissive8080 = peerAuth('web', 'shop', { selector: { matchLabels: { app: 'web' } }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } });
    expect(check(MESH_STRICT, permissive8080, SHOP, ns('ingress-nginx'), WEB, netpol([FROM_NGINX]))).toEqual([]);
    const both = netpol([FROM_NGINX], [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 'p9090' }]);
    const findings = check(MESH_STRICT, permissive8080, SHOP, ns('ingress-nginx'), WEB, both);
    expect(brief(findings)).toEqual([FINDING]);
    expect(findings[0].message).toContain('to Deployment shop/web on port 9090, which require STRICT mutual TLS (PeerAuthentication '
      + 'istio-system/default (mesh-wide) sets STRICT)');
  });

  test('a client opted out by its own labels is reported even in a namespace the manifests do not declare', () => {
    const job = deployment('batch', 'loader', { 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none' });
    const fromBatch = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'batch' } }, podSelector: { matchLabels: { app: 'loader' } } };
    expect(brief(check(MESH_STRICT, SHOP, WEB, job, netpol([fromBatch])))).toEqual([FINDING]);
  });

  test('clean: meshed clients (namespace label, pod opt-in, ambient), PERMISSIVE or no PeerAuthentication, unknown namespace, unmeshed destination', () => {
    const base = [SHOP, WEB, netpol([FROM_NGINX])];
    expect(check(MESH_STRICT, ...base, ns('ingress-nginx', { 'istio-injection': 'enabled' }))).toEqual([]);
    expect(check(MESH_STRICT, ...base, ns('ingress-nginx', { 'istio.io/dataplane-mode': 'ambient' }))).toEqual([]);
    expect(check(MESH_STRICT, ...base, ns('ingress-nginx', { 'istio.io/rev': 'stable' }))).toEqual([]);
    expect(check(MESH_STRICT, ...base, ns('ingress-nginx'), deployment('ingress-nginx', 'controller', { ...CONTROLLER, 'sidecar.istio.io/inject': 'true' })))
      .toEqual([]);
    expect(check(peerAuth('default', 'istio-system', { mtls: { mode: 'PERMISSIVE' } }), ...base, ns('ingress-nginx'))).toEqual([]);
    expect(check(...base, ns('ingress-nginx'))).toEqual([]);
    // The namespace is not declared: its labels (and so its pods' membership) are unknown.
    expect(check(MESH_STRICT, ...base)).toEqual([]);
    expect(check(MESH_STRICT, ...base, deployment('ingress-nginx', 'controller', CONTROLLER))).toEqual([]);
    // Istio's own ports (HBONE 15008, health 15021, ...) are no application port.
    expect(check(MESH_STRICT, SHOP, WEB, ns('ingress-nginx'), netpol([FROM_NGINX], [{ protocol: 'TCP', port: 15008 }, { protocol: 'TCP', port: 15021 }])))
      .toEqual([]);
    // The destination is outside the mesh: no proxy enforces the mode.
    expect(check(MESH_STRICT, ns('shop'), WEB, netpol([FROM_NGINX]), ns('ingress-nginx'))).toEqual([]);
  });

  test('clean: peers admitting everyone and ipBlock peers make no statement about one client', () => {
    const clean = (peer: unknown) => expect(check(MESH_STRICT, SHOP, ns('ingress-nginx'), WEB, deployment('ingress-nginx', 'controller', CONTROLLER),
      netpol([peer]))).toEqual([]);
    clean({ namespaceSelector: {} });
    clean({ namespaceSelector: {}, podSelector: {} });
    clean({ podSelector: {} });
    clean({ ipBlock: { cidr: '10.0.0.0/8' } });
  });

  test('clean: Istio gateways, as clients (their own proxy connects with mutual TLS whatever their injection labels) and as destinations (Gateway TLS, not PeerAuthentication)', () => {
    const gatewayApi = { 'gateway.networking.k8s.io/gateway-name': 'public' };
    const fromGateways = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateways' } }, podSelector: { matchLabels: gatewayApi } };
    // Gateway API pods istiod deploys for a Gateway (not in the manifests), in a namespace without injection label.
    expect(check(MESH_STRICT, SHOP, ns('gateways'), WEB, netpol([fromGateways]))).toEqual([]);
    // istioctl's istio-ingressgateway in the manifests: labelled sidecar.istio.io/inject=false, as it is a proxy itself.
    const ingressGateway = { 'istio': 'ingressgateway', 'sidecar.istio.io/inject': 'false' };
    const fromIstioSystem = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { istio: 'ingressgateway' } } };
    expect(check(MESH_STRICT, SHOP, ns('istio-system'), WEB, deployment('istio-system', 'istio-ingressgateway', ingressGateway), netpol([fromIstioSystem])))
      .toEqual([]);
    // The whole namespace of a Gateway API Gateway (istiod deploys its pods there) admitted, its pods not in the manifests.
    const gateway = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'public', namespace: 'gateways' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    };
    const wholeGateways = netpol([{ namespaceSelector: fromGateways.namespaceSelector }]);
    expect(check(MESH_STRICT, SHOP, ns('gateways'), WEB, gateway, wholeGateways)).toEqual([]);
    expect(brief(check(MESH_STRICT, SHOP, ns('gateways'), WEB, wholeGateways))).toEqual([FINDING]);
    // The same gateway not in the manifests, or the whole root namespace (where the gateways run by default) admitted.
    expect(check(MESH_STRICT, SHOP, ns('istio-system'), WEB, netpol([fromIstioSystem]))).toEqual([]);
    expect(check(MESH_STRICT, SHOP, ns('istio-system'), WEB, netpol([{ namespaceSelector: fromIstioSystem.namespaceSelector }]))).toEqual([]);
    // Opted out of both data planes by its labels, in an undeclared namespace: still a gateway.
    const fromEdge = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } }, podSelector: { matchLabels: { app: 'edge-gw' } } };
    expect(check(MESH_STRICT, SHOP, WEB, deployment('edge', 'edge-gw', { ...ingressGateway, 'istio.io/dataplane-mode': 'none' }), netpol([fromEdge])))
      .toEqual([]);
    // An Istio gateway as the destination: its listeners follow its Gateway's TLS settings, plaintext from outside the mesh is its job.
    const gatewayPods = deployment('edge', 'public-gw', { ...gatewayApi, 'sidecar.istio.io/inject': 'true' });
    const toGateway = {
      ...netpol([FROM_NGINX]),
      metadata: { name: 'gw-from-ingress', namespace: 'edge' },
      spec: { podSelector: { matchLabels: gatewayApi }, policyTypes: ['Ingress'], ingress: [{ from: [FROM_NGINX], ports: [{ protocol: 'TCP', port: 8080 }] }] },
    };
    expect(check(MESH_STRICT, ns('edge', { 'istio-injection': 'enabled' }), ns('ingress-nginx'), gatewayPods, toGateway)).toEqual([]);
    expect(checkOn(Cni.calico(), MESH_STRICT, ns('edge', { 'istio-injection': 'enabled' }), ns('ingress-nginx'), gatewayPods, CONTROLLER_DEPLOYMENT, {
      ...calicoPolicy({ selector: "app.kubernetes.io/name == 'ingress-nginx'", namespaceSelector: "kubernetes.io/metadata.name == 'ingress-nginx'" }),
      metadata: { name: 'gw-from-ingress', namespace: 'edge' },
    })).toEqual([]);
    // An ordinary workload of the gateways' namespace is still reported.
    const fromJob = { namespaceSelector: fromGateways.namespaceSelector, podSelector: { matchLabels: { app: 'job' } } };
    expect(brief(check(MESH_STRICT, SHOP, ns('gateways'), WEB, deployment('gateways', 'job'), netpol([fromJob])))).toEqual([FINDING]);
  });

  test('Calico and Cilium policies, through the model of the lint\'s CNI: the admitting rule is reported for a client of the manifests', () => {
    const base = [MESH_STRICT, SHOP, ns('ingress-nginx'), WEB, CONTROLLER_DEPLOYMENT];
    const calico = calicoPolicy({ namespaceSelector: "kubernetes.io/metadata.name == 'ingress-nginx'", selector: "app.kubernetes.io/name == 'ingress-nginx'" });
    const found = checkOn(Cni.calico(), ...base, calico);
    expect(brief(found)).toEqual([{ rule: RULE, severity: 'warning', object: 'NetworkPolicy shop/web-from-ingress', path: 'spec.ingress[0]' }]);
    expect(found[0].message.startsWith('admits Deployment ingress-nginx/controller (ingress-nginx/controller is not in the mesh (no injection label on '
      + 'namespace ingress-nginx or the pod template)) to Deployment shop/web on port 8080, which require STRICT')).toBe(true);
    const cilium = ciliumPolicy({ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ingress-nginx', ...CONTROLLER } }] });
    expect(brief(checkOn(Cni.cilium(), ...base, cilium))).toEqual([
      { rule: RULE, severity: 'warning', object: 'CiliumNetworkPolicy shop/web-from-ingress', path: 'spec.ingress[0]' },
    ]);
    // Clean: a rule admitting every source, entities, the client meshed, no CNI given (the policy's semantics are the CNI's).
    expect(checkOn(Cni.calico(), ...base, calicoPolicy({}))).toEqual([]);
    expect(checkOn(Cni.calico(), ...base, calicoPolicy({ namespaceSelector: 'all()' }))).toEqual([]);
    expect(checkOn(Cni.cilium(), ...base, ciliumPolicy({ fromEntities: ['cluster'] }))).toEqual([]);
    expect(checkOn(Cni.cilium(), ...base, ciliumPolicy({ fromEndpoints: [{}] }))).toEqual([]);
    expect(checkOn(Cni.calico(), MESH_STRICT, SHOP, ns('ingress-nginx', { 'istio-injection': 'enabled' }), WEB, CONTROLLER_DEPLOYMENT, calico)).toEqual([]);
    expect(check(...base, calico)).toEqual([]);
  });
});
