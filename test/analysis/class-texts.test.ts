/**
 * The flow matrix and the diff evaluate pods in equivalence classes and groups (see
 * src/analysis/matrix-evaluator.ts, mesh/mesh-matrix.ts, diff-engine.ts): a reason, an uncertainty, an
 * L7 constraint or a diff decider is computed for one representative pod and shown for every pod of
 * its class or group. Such a text is only true for all of them if it names no pod: the flow says which
 * pods it is about. This guard builds clusters where several pods share a class (same namespace,
 * labels and service account; no IP, or IPs from a pod CIDR) and where classes share groups, under
 * every CNI and mesh, with policies that reach every uncertainty, note and L7 path of the CNI and mesh
 * layers, and checks through the public API (matrix flows, flowsPage, diff, check) that no flow's text
 * names a pod or a pod IP other than the flow's own source and destination. Each scenario also asserts
 * which texts it produced, so a scenario that stops reaching its paths fails instead of passing empty.
 */
import { Reachability } from '../../src/analysis/reachability';
import { ReachabilityOptions } from '../../src/analysis/reachability-options';
import { Target } from '../../src/analysis/target';
import { Cni } from '../../src/cluster/cni';
import { IstioMode, Mesh } from '../../src/cluster/mesh';
import { Port } from '../../src/policy/port';

/** A pod of the test cluster: its class (`app`), name, namespace and, in some scenarios, its IPs. */
interface PodSpec {
  readonly ns: string;
  readonly name: string;
  readonly app: string;
  readonly ips: string[];
  readonly hostNetwork?: boolean;
}

type Addresses = 'unknown' | 'pod-cidr' | 'known' | 'dual-stack';

/**
 * Two or three pods per class. Names and IPs are distinct from every object name and CIDR of the
 * policies, so a mention is unambiguous.
 */
function podSpecs(addresses: Addresses): PodSpec[] {
  const specs: Array<[string, string, string, number]> = [
    ['shop', 'web-pod-1', 'web', 11], ['shop', 'web-pod-2', 'web', 12], ['shop', 'web-pod-3', 'web', 13],
    ['shop', 'api-pod-1', 'api', 21], ['shop', 'api-pod-2', 'api', 22],
    ['ops', 'tool-pod-1', 'tool', 31], ['ops', 'tool-pod-2', 'tool', 32],
  ];
  return specs.map(([ns, name, app, n]) => ({
    ns,
    name,
    app,
    ips: addresses === 'known' ? [`10.244.7.${n}`] : addresses === 'dual-stack' ? [`10.244.7.${n}`, `fd00:10:244::${n}`] : [],
  }));
}

const NODE_IP = '192.168.50.9';

function namespaces(mesh: 'none' | 'istio' | 'ambient' | 'linkerd'): any[] {
  const labels = mesh === 'istio' ? { 'istio-injection': 'enabled' } : mesh === 'ambient' ? { 'istio.io/dataplane-mode': 'ambient' } : {};
  const annotations = mesh === 'linkerd' ? { 'linkerd.io/inject': 'enabled' } : undefined;
  return ['shop', 'ops', 'kube-system', ...(mesh === 'istio' || mesh === 'ambient' ? ['istio-system'] : [])].map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { ...labels, team: name }, ...(annotations ? { annotations } : {}) },
  }));
}

function podObject(p: PodSpec): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.ns, labels: { app: p.app } },
    spec: {
      serviceAccountName: p.app,
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      containers: [{ name: 'app', image: `example/${p.app}:1.0`, ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }],
    },
    ...(p.ips.length > 0 ? { status: { podIP: p.ips[0], podIPs: p.ips.map((ip) => ({ ip })) } } : {}),
  };
}

/** Every pod-network pod plus a class of two hostNetwork agents (whose address is the node's). */
function cluster(addresses: Addresses): PodSpec[] {
  return [
    ...podSpecs(addresses),
    { ns: 'kube-system', name: 'agent-pod-1', app: 'agent', ips: [], hostNetwork: true },
    { ns: 'kube-system', name: 'agent-pod-2', app: 'agent', ips: [], hostNetwork: true },
  ];
}

function np(ns: string, name: string, spec: any): any {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** Kubernetes NetworkPolicies whose ipBlocks partly overlap the pod CIDR and name a named port. */
const kubernetesPolicies = [
  np('shop', 'api-in', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ ipBlock: { cidr: '10.244.0.0/17', except: ['10.244.7.12/32'] } }], ports: [{ port: 'http' }] },
      { from: [{ ipBlock: { cidr: '0.0.0.0/1' } }, { ipBlock: { cidr: '192.168.0.0/16' } }] },
    ],
  }),
  np('shop', 'web-out', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '10.244.7.0/27' } }], ports: [{ port: 'http' }, { port: 53, protocol: 'UDP' }] }],
  }),
  np('ops', 'tool-in', {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'tool' } } }, { ipBlock: { cidr: '10.244.7.16/28' } }] }],
  }),
];

const clusterNetworkPolicies = [
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: 'admin-networks' },
    spec: {
      tier: 'Admin',
      priority: 10,
      subject: { namespaces: { matchLabels: { team: 'shop' } } },
      egress: [
        { name: 'deny-range', action: 'Deny', to: [{ networks: ['10.244.7.20/30'] }] },
        { name: 'pass-range', action: 'Pass', to: [{ networks: ['10.244.7.0/28'] }] },
      ],
    },
  },
];

const adminNetworkPolicies = [
  {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'BaselineAdminNetworkPolicy',
    metadata: { name: 'default' },
    spec: { subject: { namespaces: { matchLabels: { team: 'ops' } } }, egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] },
  },
];

function calico(kind: string, name: string, ns: string | undefined, spec: any): any {
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec };
}

/** Calico rules with nets, notNets, network sets, services, source ports, ipVersion and HTTP matches. */
const calicoPolicies = [
  { ...calico('GlobalNetworkSet', 'partners', undefined, { nets: ['10.244.7.8/29', '203.0.113.0/24'] }), metadata: { name: 'partners', labels: { role: 'partner' } } },
  calico('NetworkPolicy', 'api-calico', 'shop', {
    selector: 'app == "api"',
    order: 100,
    types: ['Ingress'],
    ingress: [
      { action: 'Deny', source: { nets: ['10.244.7.0/28'] } },
      { action: 'Allow', protocol: 'TCP', source: { notNets: ['10.244.7.16/28'] }, destination: { ports: ['http'] }, http: { methods: ['GET'] } },
      { action: 'Allow', source: { selector: 'app == "tool"', namespaceSelector: 'all()' } },
      { action: 'Allow', source: { selector: 'role == "partner"', namespaceSelector: 'global()' } },
      { action: 'Allow', protocol: 'TCP', source: { ports: [40000] } },
      { action: 'Allow', ipVersion: 6, protocol: 'UDP' },
      { action: 'Allow', source: { services: { name: 'frontend', namespace: 'shop' } } },
    ],
  }),
  calico('GlobalNetworkPolicy', 'web-egress', undefined, {
    selector: 'app == "web"',
    order: 200,
    types: ['Egress'],
    egress: [
      { action: 'Allow', source: { nets: ['10.244.7.8/30'] } },
      { action: 'Deny', destination: { notSelector: 'app == "api"' } },
      { action: 'Pass', destination: { nets: ['10.244.0.0/20'] } },
    ],
  }),
  calico('GlobalNetworkPolicy', 'hosts', undefined, { selector: 'all()', order: 300, applyOnForward: true, types: ['Ingress'], ingress: [{ action: 'Allow' }] }),
  calico('HostEndpoint', 'node-1-eth0', undefined, { node: 'node-1', interfaceName: 'eth0', expectedIPs: [NODE_IP] }),
];

/** A Calico HTTP match on an allow (an L7 constraint of the allowed flows into the tool pods). */
const calicoHttp = calico('NetworkPolicy', 'tool-http', 'ops', {
  selector: 'app == "tool"',
  order: 50,
  types: ['Ingress'],
  ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] }, http: { methods: ['GET'] } }],
});

function cilium(kind: string, name: string, ns: string | undefined, spec: any): any {
  return { apiVersion: 'cilium.io/v2', kind, metadata: { name, ...(ns ? { namespace: ns } : {}) }, spec };
}

/** Cilium rules with toServices, toNodes, fromRequires, toGroups, authentication, CIDR groups, FQDNs and HTTP. */
const ciliumPolicies = [
  cilium('CiliumNetworkPolicy', 'api-cilium', 'shop', {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [
      { fromEndpoints: [{ matchLabels: { app: 'web' } }], authentication: { mode: 'required' }, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
      { fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/v1/.*' }] } }] },
    ],
  }),
  // A policy of its own: fromNodes/toNodes make a whole policy depend on an agent flag
  // (enable-node-selector-labels), and where it decides, the verdict is indeterminate.
  cilium('CiliumNetworkPolicy', 'web-from-nodes', 'shop', {
    endpointSelector: { matchLabels: { app: 'web' } },
    ingress: [{ fromNodes: [{ matchLabels: { 'node-role.kubernetes.io/worker': '' } }] }],
    egress: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/worker': '' } }] }],
  }),
  cilium('CiliumNetworkPolicy', 'web-requires', 'shop', {
    endpointSelector: { matchLabels: { app: 'web' } },
    ingress: [{ fromRequires: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ops' } }], fromEndpoints: [{}] }],
  }),
  cilium('CiliumNetworkPolicy', 'web-cilium', 'shop', {
    endpointSelector: { matchLabels: { app: 'web' } },
    egress: [
      { toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
      { toServices: [{ k8sService: { serviceName: 'api', namespace: 'shop' } }] },
      { toGroups: [{ aws: { securityGroupsIds: ['sg-0123'] } }] },
      { toCIDRSet: [{ cidrGroupRef: 'not-in-the-manifests' }] },
      { toFQDNs: [{ matchPattern: '*.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      {
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
      },
    ],
  }),
  cilium('CiliumClusterwideNetworkPolicy', 'host-fw', undefined, {
    nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } },
    ingressDeny: [{ fromEntities: ['world'] }],
    ingress: [{ fromEntities: ['cluster'] }],
  }),
  cilium('CiliumLocalRedirectPolicy', 'dns-redirect', 'kube-system', {
    redirectFrontend: { addressMatcher: { ip: '169.254.20.10', toPorts: [{ port: '53', protocol: 'UDP' }] } },
    redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: [{ port: '53', protocol: 'UDP' }] },
  }),
];

function meshObject(apiVersion: string, kind: string, ns: string, name: string, spec: any): any {
  return { apiVersion, kind, metadata: { name, namespace: ns }, spec };
}

const istioPolicies = [
  meshObject('security.istio.io/v1', 'PeerAuthentication', 'shop', 'a', { mtls: { mode: 'DISABLE' } }),
  meshObject('security.istio.io/v1', 'PeerAuthentication', 'shop', 'b', { mtls: { mode: 'STRICT' } }),
  meshObject('security.istio.io/v1', 'AuthorizationPolicy', 'shop', 'api-allow', {
    selector: { matchLabels: { app: 'api' } },
    action: 'ALLOW',
    rules: [
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], to: [{ operation: { methods: ['GET'], paths: ['/v1/*'] } }] },
      { from: [{ source: { ipBlocks: ['10.244.7.0/28'] } }] },
      { from: [{ source: { remoteIpBlocks: ['10.244.7.16/28'] } }] },
      { when: [{ key: 'destination.ip', values: ['10.244.7.16/29'] }] },
      { from: [{ source: { namespaces: ['ops'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ],
  }),
  meshObject('security.istio.io/v1', 'AuthorizationPolicy', 'ops', 'tool-deny', {
    action: 'DENY',
    rules: [{ from: [{ source: { notPrincipals: ['cluster.local/ns/ops/sa/tool'] } }] }],
  }),
];

const linkerdPolicies = [
  meshObject('policy.linkerd.io/v1beta3', 'Server', 'shop', 'api-http', { podSelector: { matchLabels: { app: 'api' } }, port: 'http', accessPolicy: 'deny' }),
  meshObject('policy.linkerd.io/v1alpha1', 'NetworkAuthentication', 'shop', 'pod-range', { networks: [{ cidr: '10.244.7.0/28' }] }),
  meshObject('policy.linkerd.io/v1alpha1', 'MeshTLSAuthentication', 'shop', 'web-identity', {
    identityRefs: [{ kind: 'ServiceAccount', name: 'web' }],
  }),
  meshObject('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy', 'shop', 'api-from-range', {
    targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-http' },
    requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'pod-range' }],
  }),
  meshObject('policy.linkerd.io/v1alpha1', 'AuthorizationPolicy', 'shop', 'api-from-web', {
    targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'api-http' },
    requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'web-identity' }],
  }),
];

interface Scenario {
  readonly name: string;
  readonly cni: Cni;
  readonly mesh: 'none' | 'istio' | 'ambient' | 'linkerd';
  readonly policies: any[];
  readonly options?: Partial<ReachabilityOptions>;
  /** Texts (substrings) the scenario must produce in some flow: proof that it reaches its paths. */
  readonly reaches: string[];
}

const MESHES: Record<Scenario['mesh'], Mesh | undefined> = {
  none: undefined,
  istio: Mesh.istio({ mode: IstioMode.SIDECAR }),
  ambient: Mesh.istio({ mode: IstioMode.AMBIENT }),
  linkerd: Mesh.linkerd(),
};

const SCENARIOS: Scenario[] = [
  {
    name: 'Kubernetes NetworkPolicy ipBlocks and named ports',
    cni: Cni.kubernetes(),
    mesh: 'none',
    policies: kubernetesPolicies,
    reaches: ['NetworkPolicy shop/api-in spec.ingress[0].from[0].ipBlock', 'NetworkPolicy shop/web-out spec.egress[0].to[0].ipBlock',
      'NetworkPolicy ops/tool-in spec.ingress[0].from'],
  },
  {
    name: 'ClusterNetworkPolicy networks and (Baseline)AdminNetworkPolicy',
    cni: Cni.kubernetes({ clusterNetworkPolicy: true }),
    mesh: 'none',
    policies: [...kubernetesPolicies, ...clusterNetworkPolicies, ...adminNetworkPolicies],
    reaches: ['ClusterNetworkPolicy admin-networks spec.egress[0] (Deny)', 'ClusterNetworkPolicy admin-networks spec.egress[1] (Pass)',
      'BaselineAdminNetworkPolicy default'],
  },
  {
    name: 'Calico nets, notNets, network sets, services, source ports, ipVersion, HTTP, host endpoints, Kubernetes policies',
    cni: Cni.calico(),
    mesh: 'none',
    policies: [...kubernetesPolicies, ...calicoPolicies],
    reaches: ['source.nets', 'source.notNets', 'network set', 'source.services', 'source.ports', 'ipVersion 6',
      'GlobalNetworkPolicy hosts may select a host endpoint', 'destination.nets', 'Kubernetes NetworkPolicy shop/web-out spec.egress[0].to[0].ipBlock (Allow)'],
  },
  {
    name: 'Calico ClusterNetworkPolicy tiers, Kubernetes policies and an HTTP match',
    cni: Cni.calico(),
    mesh: 'none',
    policies: [...clusterNetworkPolicies, ...kubernetesPolicies, calicoHttp],
    reaches: ['ClusterNetworkPolicy admin-networks spec.egress[0] (Deny)', 'ClusterNetworkPolicy admin-networks spec.egress[1] (Pass)',
      'Kubernetes NetworkPolicy ops/tool-in spec.ingress[0].from[1].ipBlock (Allow)',
      '(NetworkPolicy ops/tool-http spec.ingress[0])'],
  },
  {
    name: 'Cilium toServices, toNodes, fromRequires, toGroups, authentication, CIDR groups, FQDNs, HTTP, host policies, redirects',
    cni: Cni.cilium(),
    mesh: 'none',
    policies: [...kubernetesPolicies, ...ciliumPolicies],
    reaches: ['toServices', 'toNodes', 'fromRequires', 'toGroups', 'authentication.mode required', 'cidrGroupRef not-in-the-manifests',
      'host policies', 'GET /v1/.*'],
  },
  {
    name: 'foreign policies: Calico objects under Cilium, Cilium objects under Calico',
    cni: Cni.cilium(),
    mesh: 'none',
    policies: calicoPolicies.filter((o) => o.kind !== 'GlobalNetworkSet'),
    reaches: ['is not evaluated'],
  },
  {
    name: 'foreign policies: Cilium objects under Calico',
    cni: Cni.calico(),
    mesh: 'none',
    policies: ciliumPolicies.filter((o) => o.kind === 'CiliumNetworkPolicy'),
    reaches: ['is not evaluated'],
  },
  {
    name: 'Istio sidecar AuthorizationPolicies over Kubernetes NetworkPolicy',
    cni: Cni.kubernetes(),
    mesh: 'istio',
    policies: [...kubernetesPolicies, ...istioPolicies],
    reaches: ['AuthorizationPolicy shop/api-allow', 'source.ipBlocks', 'destination.ip'],
  },
  {
    name: 'Istio ambient over Calico',
    cni: Cni.calico(),
    mesh: 'ambient',
    policies: [...calicoPolicies, ...istioPolicies],
    reaches: ['AuthorizationPolicy shop/api-allow', 'source.nets'],
  },
  {
    name: 'Istio STRICT mTLS over Cilium HTTP rules (encryption)',
    cni: Cni.cilium(),
    mesh: 'istio',
    policies: [...ciliumPolicies, meshObject('security.istio.io/v1', 'PeerAuthentication', 'istio-system', 'default', { mtls: { mode: 'STRICT' } })],
    reaches: ['its HTTP rules cannot read this flow'],
  },
  {
    name: 'Linkerd Servers, NetworkAuthentication, MeshTLSAuthentication over Kubernetes NetworkPolicy',
    cni: Cni.kubernetes(),
    mesh: 'linkerd',
    policies: [...kubernetesPolicies, ...linkerdPolicies],
    reaches: ['NetworkAuthentication shop/pod-range', 'NetworkPolicy shop/api-in'],
  },
  {
    name: 'Linkerd default inbound policy all-authenticated over Cilium',
    cni: Cni.cilium(),
    mesh: 'linkerd',
    policies: [...ciliumPolicies, ...linkerdPolicies],
    options: { linkerdDefaultInboundPolicy: 'all-authenticated' },
    reaches: ['NetworkAuthentication shop/pod-range', 'toServices'],
  },
];

/** One text a reader sees for a flow, with where it came from. */
interface Shown {
  readonly where: string;
  readonly source: string;
  readonly destination: string;
  readonly text: string;
}

/** Every text the public API shows per flow: matrix (flows and pages), diff (pods and external endpoints) and check. */
function shownTexts(head: Reachability, base: Reachability, pods: PodSpec[]): Shown[] {
  const out: Shown[] = [];
  const matrix = head.matrix({ ports: [Port.tcp(8080), Port.udp(53), Port.tcp(9090)] });
  for (const f of matrix.flows) {
    out.push({ where: 'matrix', source: f.source, destination: f.destination, text: [f.reason ?? '', ...(f.l7Constraints ?? [])].join(' | ') });
  }
  // A page starting in the middle of the matrix reads the same caches in another order.
  for (const f of matrix.flowsPage(Math.floor(matrix.summary.flows / 2), matrix.summary.flows)) {
    out.push({ where: 'page', source: f.source, destination: f.destination, text: [f.reason ?? '', ...(f.l7Constraints ?? [])].join(' | ') });
  }
  for (const [from, to] of [[base, head], [head, base]]) {
    for (const c of from.diff(to, { ports: [Port.tcp(8080), Port.udp(53)] }).changes) {
      const external = c.source.startsWith('external ') || c.destination.startsWith('external ');
      out.push({ where: external ? 'diff-external' : 'diff', source: c.source, destination: c.destination, text: [...c.decidedBefore, ...c.decidedAfter].join(' | ') });
    }
  }
  // check evaluates per pair: its texts may name the pair's pods, never another.
  const target = (p: PodSpec) => Target.workload(p.ns, p.name);
  for (const s of pods) {
    for (const d of pods) {
      const r = head.check(target(s), target(d), Port.tcp(8080));
      out.push({ where: 'check', source: `${s.ns}/${s.name}`, destination: `${d.ns}/${d.name}`, text: r.uncertainties.join(' | ') });
    }
  }
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pods (by name, `ns/name` or IP) a text names other than the flow's own source and destination. */
function foreignMentions(shown: Shown, pods: PodSpec[]): string[] {
  const found: string[] = [];
  for (const p of pods) {
    const id = `${p.ns}/${p.name}`;
    if (id === shown.source || id === shown.destination) continue;
    for (const token of [p.name, ...p.ips]) {
      if (new RegExp(`(?<![\\w.:-])${escape(token)}(?![\\w:/-]|\\.\\d)`).test(shown.text)) found.push(`${id} (${token})`);
    }
  }
  return found;
}

describe('class-cached texts name no pod but the flow\'s own', () => {
  const variants: Addresses[] = ['unknown', 'pod-cidr', 'known', 'dual-stack'];
  test.each(SCENARIOS.flatMap((s) => variants.map((a) => [s.name, a, s] as const)))('%s (pod addresses: %s)', (_name, addresses, scenario) => {
    const pods = cluster(addresses);
    const options: ReachabilityOptions = {
      cni: scenario.cni,
      nodeIp: addresses === 'unknown' ? undefined : NODE_IP,
      ...(addresses === 'pod-cidr' ? { podCidrs: ['10.244.0.0/16', 'fd00:10:244::/64'] } : {}),
      ...(MESHES[scenario.mesh] ? { mesh: MESHES[scenario.mesh] } : {}),
      ...scenario.options,
    };
    const objects = [...namespaces(scenario.mesh), ...pods.map(podObject)];
    const head = Reachability.fromManifests([...objects, ...scenario.policies], options);
    const base = Reachability.fromManifests(objects, options);
    // Every policy object is valid: none is dropped before the models run.
    expect(head.problems).toEqual([]);
    expect(head.notes.filter((n) => n.includes('is invalid'))).toEqual([]);
    const shown = shownTexts(head, base, pods);
    const foreign = shown.map((s) => ({ where: s.where, flow: `${s.source} -> ${s.destination}`, foreign: foreignMentions(s, pods) }))
      .filter((s) => s.foreign.length > 0);
    expect(foreign).toEqual([]);
    // The scenario reaches its text paths (checked on the unknown-address variant, where every address is uncertain).
    if (addresses === 'unknown') {
      const all = shown.filter((s) => s.where !== 'check').map((s) => s.text).join('\n');
      expect(scenario.reaches.filter((r) => !all.includes(r))).toEqual([]);
      expect(shown.filter((s) => s.where === 'matrix' && s.text !== '').length).toBeGreaterThan(0);
      // The diff's flows to and from external endpoints (cached per group of pods) are listed too.
      expect(shown.filter((s) => s.where === 'diff-external').length).toBeGreaterThan(0);
    }
  });

  test('the guard sees a foreign pod name and a foreign IP (so it can fail)', () => {
    const pods = cluster('known');
    const mention = (text: string) => foreignMentions({ where: 'x', source: 'shop/web-pod-1', destination: 'shop/api-pod-1', text }, pods);
    expect(mention('shop/web-pod-1 -> shop/api-pod-1: its IP 10.244.7.11')).toEqual([]);
    expect(mention('NetworkPolicy shop/api-in allows shop/web-pod-2')).toEqual(['shop/web-pod-2 (web-pod-2)']);
    expect(mention('it has several IPs (10.244.7.12, fd00::1)')).toEqual(['shop/web-pod-2 (10.244.7.12)']);
    // Prefixes of other addresses and CIDRs are not mentions.
    expect(mention('ipBlock 10.244.7.0/27 and 10.244.7.111')).toEqual([]);
  });
});
