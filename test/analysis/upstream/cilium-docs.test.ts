/**
 * Cilium policy semantics from the Cilium documentation (docs.cilium.io, "Network Policy" section)
 * and its example policies, as truth tables run under Cilium semantics. Sources are the files of
 * github.com/cilium/cilium the documentation is built from, at the commit given: the prose in
 * Documentation/security/policy/*.rst and the YAML in examples/policies/. Where the prose and the
 * example (the code a user applies) disagree, the case follows the example and says so.
 * Pinned versions: CRD schemas 1.18.2, chart 1.20.0.
 */
import {
  UpstreamCase, ciliumClusterwideNetworkPolicy, ciliumNetworkPolicy, describeCaseData, describeCases, namespace, networkPolicy, pod, service, tt,
} from './support';

let nextIp = 10;
/** A pod with the next free IP of 10.244.6.0/24. */
const p = (ns: string, name: string, labels: Record<string, string>) => pod(ns, name, labels, { ip: `10.244.6.${nextIp++}` });
const CILIUM: ['cilium'] = ['cilium'];

// Documentation/security/policy/deny.rst @669f18e3e0474760a42e86a2e5637e350384393d: the table of
// allow and deny ingress policies deployed to a server pod and the result for a client. One case per
// column; the allow set is one policy with the four allow rules of the table, the deny rules are a
// second policy. (The table's ping row is ICMP, which the analyzer does not model.)
const server = p('default', 'server', { app: 'server' });
const client = p('default', 'client', { app: 'client' });
const clientPeer = [{ matchLabels: { app: 'client' } }];
const tcp = (port: string) => [{ ports: [{ port, protocol: 'TCP' }] }];
const allowAll = ciliumNetworkPolicy('default', 'server-allow', {
  spec: {
    endpointSelector: { matchLabels: { app: 'server' } },
    ingress: [
      { fromEndpoints: clientPeer, toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/' }] } }] },
      { toPorts: tcp('80') },
      { toPorts: tcp('81') },
      { fromEndpoints: clientPeer },
    ],
  },
});
const denyPolicy = (rules: any[]) => ciliumNetworkPolicy('default', 'server-deny', {
  spec: { endpointSelector: { matchLabels: { app: 'server' } }, ingressDeny: rules },
});
const denyL4 = { toPorts: tcp('80') };
const denyL3 = { fromEndpoints: clientPeer };
const denyColumn = (column: number, manifests: any[], on81: string, on80: string): UpstreamCase => ({
  name: `deny precedence table, column ${column}`,
  manifests: [server, client, ...manifests],
  tables: [tt('TCP/81', null, `default/client > default/server: ${on81}`), tt('TCP/80', null, `default/client > default/server: ${on80}`)],
  cnis: CILIUM,
});

export const CILIUM_CASES: UpstreamCase[] = [
  denyColumn(1, [allowAll], 'allow', 'allow ±l7'),
  denyColumn(2, [allowAll, denyPolicy([denyL4])], 'allow', 'deny'),
  denyColumn(3, [allowAll, denyPolicy([denyL3])], 'deny', 'deny'),
  denyColumn(4, [allowAll, denyPolicy([denyL4, denyL3])], 'deny', 'deny'),
  // Column 5: a deny-only policy still selects the pod, which puts it into default deny.
  denyColumn(5, [denyPolicy([denyL4])], 'deny', 'deny'),
  // deny.rst (same commit): "Deny policies take precedence over allow policies, regardless of whether
  // they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes
  // Network Policy": a Kubernetes allow-all and a Cilium deny.
  {
    name: 'a CiliumNetworkPolicy deny wins over a Kubernetes NetworkPolicy allow',
    manifests: [
      server, client, p('default', 'attacker', { role: 'attacker' }),
      networkPolicy('default', 'server-allow-all', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [{}] }),
      ciliumNetworkPolicy('default', 'server-deny-attacker', {
        spec: { endpointSelector: { matchLabels: { app: 'server' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { role: 'attacker' } }] }] },
      }),
    ],
    tables: [tt('TCP/80', 'allow', 'default/attacker > default/server: deny')],
    cnis: CILIUM,
  },
  // examples/policies/l3/entities/from_world_deny.yaml @e0cc421a538bca20fe30f4e1fc8f04951a536993
  // (deny.rst): deny ingress from world, allow from all.
  {
    name: 'external-lockdown: ingressDeny world next to an allow from all',
    manifests: [
      namespace('kube-system'),
      p('default', 'a', { app: 'a' }), p('default', 'b', { app: 'b' }), p('kube-system', 'agent', { app: 'agent' }),
      ciliumClusterwideNetworkPolicy('external-lockdown', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }], ingress: [{ fromEntities: ['all'] }] }),
    ],
    tables: [
      tt('TCP/80', 'allow'),
      tt('TCP/80', null, 'ext:203.0.113.50 > default/a: deny', 'node:remote > default/a: allow', 'node:local > default/a: allow'),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l3/egress-default-deny/egress-default-deny.yaml @e0cc421a538bca20fe30f4e1fc8f04951a536993
  // (language.rst "Ingress/Egress Default Deny"): `egress: [{}]` puts the pod into egress default deny.
  {
    name: 'egress: [{}] puts the selected pod into egress default deny',
    manifests: [
      p('default', 'restricted', { role: 'restricted' }), p('default', 'web', { app: 'web' }), p('default', 'client', { app: 'client' }),
      ciliumNetworkPolicy('default', 'deny-all-egress', { spec: { endpointSelector: { matchLabels: { role: 'restricted' } }, egress: [{}] } }),
    ],
    tables: [tt('TCP/80', 'allow', 'default/restricted > *: deny'), tt('UDP/53', null, 'default/restricted > ext:8.8.8.8: deny')],
    cnis: CILIUM,
  },
  // The JSON form of the same example (egress-default-deny.json @08649f131abf94c691e4a930152fbbf18824fcbf)
  // has `"egress": []`. The prose says the example enables default deny, but the rule type
  // (language.rst @012a3bf2928a03344812e18cb799eee4e04676a4, `Rule.Egress`: "If omitted or empty,
  // this rule does not apply at egress") makes an empty list inert. Following the code: no effect.
  {
    name: 'egress: [] (the JSON example) does not apply at egress',
    manifests: [
      p('default', 'restricted', { role: 'restricted' }), p('default', 'web', { app: 'web' }),
      ciliumNetworkPolicy('default', 'deny-all-egress', { spec: { endpointSelector: { matchLabels: { role: 'restricted' } }, egress: [] } }),
    ],
    tables: [tt('TCP/80', 'allow'), tt('UDP/53', null, 'default/restricted > ext:8.8.8.8: allow')],
    cnis: CILIUM,
  },
  // Documentation/security/policy/intro.rst @1ba78805d4da81b63ebfa6d086767e8b37c009fb, "Endpoint
  // default policy": the intercept-all-dns CCNP with enableDefaultDeny false intercepts DNS but
  // blocks nothing, even as the only policy selecting a pod.
  {
    name: 'enableDefaultDeny false: a DNS-intercepting policy does not put pods into default deny',
    manifests: [
      namespace('kube-system'),
      p('default', 'app', { app: 'app' }), p('default', 'web', { app: 'web' }), p('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }),
      ciliumClusterwideNetworkPolicy('intercept-all-dns', {
        endpointSelector: {
          matchExpressions: [
            { key: 'io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] },
            { key: 'k8s-app', operator: 'NotIn', values: ['kube-dns'] },
          ],
        },
        enableDefaultDeny: { egress: false, ingress: false },
        egress: [{
          toEndpoints: [{ matchLabels: { 'io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
        }],
      }),
    ],
    tables: [
      tt('UDP/53', null, 'default/app > kube-system/coredns: allow ±l7'),
      tt('TCP/80', 'allow'),
      tt('TCP/443', null, 'default/app > ext:203.0.113.80: allow'),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l3/requires/requires.yaml @0b47e8714c5bb6396cc79c8eaf59fc94fe4094c2 and
  // endpoints.yaml @e77c14171b92d782246c3db487e18e89fc23e634 (language.rst "Additional Label
  // Requirements"), both in the `specs:` form. (requires.yaml puts `description` at the top level of
  // the object, which the CRD schema does not allow; here it moves into the spec.) fromRequires is
  // deprecated since 1.17 and its support was removed in 1.19 (cilium/cilium#42615; the 1.19+ CRD
  // keeps the field with maxItems 0, cilium/cilium#43167, so the requires policy is rejected).
  // 1.18 denies a frontend without env=prod, 1.19+ allows it: across the pinned versions the
  // verdict is indeterminate. Flows both versions agree on are exact.
  {
    name: 'fromRequires (specs form): only flows every pinned Cilium version agrees on are exact',
    manifests: [
      p('default', 'prod-frontend', { env: 'prod', role: 'frontend' }),
      p('default', 'dev-frontend', { env: 'dev', role: 'frontend' }),
      p('default', 'prod-db', { env: 'prod', app: 'db' }),
      p('default', 'other', { app: 'other' }),
      ciliumNetworkPolicy('default', 'requires-rule', {
        specs: [{
          description: 'For endpoints with env=prod, only allow if source also has label env=prod',
          endpointSelector: { matchLabels: { env: 'prod' } },
          ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }],
        }],
      }),
      ciliumNetworkPolicy('default', 'l3-rule', {
        specs: [{
          description: 'For endpoints with env=prod, allow if source also has label role=frontend',
          endpointSelector: { matchLabels: { env: 'prod' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }] }],
        }],
      }),
    ],
    tables: [tt('TCP/80', 'allow',
      '* > default/prod-db: deny',
      '* > default/prod-frontend: deny',
      'default/prod-frontend > default/prod-db: allow',
      'default/dev-frontend > default/prod-db: indeterminate',
      'default/dev-frontend > default/prod-frontend: indeterminate',
    )],
    cnis: CILIUM,
  },
  // examples/policies/l3/entities/world.yaml @94b67c8507c1a6add0155aadd961293755f3c480
  {
    name: 'fromEntities world admits outside addresses only',
    manifests: [
      p('default', 'public', { role: 'public' }), p('default', 'client', { app: 'client' }),
      ciliumNetworkPolicy('default', 'from-world-to-role-public', { spec: { endpointSelector: { matchLabels: { role: 'public' } }, ingress: [{ fromEntities: ['world'] }] } }),
    ],
    tables: [
      tt('TCP/80', 'allow', 'default/client > default/public: deny'),
      tt('TCP/80', null, 'ext:203.0.113.60 > default/public: allow', 'ext:203.0.113.60 > default/client: allow'),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l3/entities/nodes.yaml @e25e64056ffd3c34e643049adac93fbd53fdbe9c
  {
    name: 'fromEntities host and remote-node admit the nodes, not pods',
    manifests: [
      p('default', 'dev', { env: 'dev' }), p('default', 'client', { app: 'client' }),
      ciliumNetworkPolicy('default', 'to-dev-from-nodes-in-cluster', {
        spec: { endpointSelector: { matchLabels: { env: 'dev' } }, ingress: [{ fromEntities: ['host', 'remote-node'] }] },
      }),
    ],
    tables: [
      tt('TCP/80', 'allow', 'default/client > default/dev: deny'),
      tt('TCP/80', null, 'node:local > default/dev: allow', 'node:remote > default/dev: allow', 'ext:203.0.113.61 > default/dev: deny'),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l3/cidr/cidr.yaml @25972d8e8c67dd3a4d74c2dbea54461fa7f20707 (language.rst
  // "IP/CIDR based" @012a3bf2: CIDR rules never match Cilium-managed pods or cluster nodes).
  {
    name: 'toCIDR and toCIDRSet with except; a pod inside the CIDR is not matched',
    manifests: [
      p('default', 'my-service', { app: 'myService' }),
      pod('default', 'in-range', { app: 'in-range' }, { ip: '10.12.0.5' }),
      ciliumNetworkPolicy('default', 'cidr-rule', {
        spec: {
          endpointSelector: { matchLabels: { app: 'myService' } },
          egress: [{ toCIDR: ['20.1.1.1/32'] }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }],
        },
      }),
    ],
    tables: [
      tt('TCP/443', null,
        'default/my-service > ext:20.1.1.1: allow',
        'default/my-service > ext:20.1.1.2: deny',
        'default/my-service > ext:10.1.2.3: allow',
        'default/my-service > ext:10.96.0.10: deny',
        'default/my-service > ext:10.111.255.1: deny',
        'default/my-service > ext:10.112.0.1: allow',
        'default/my-service > default/in-range: deny',
      ),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l3/service/service.yaml @21d690e1b2e70ec1f2ce60c4de01a251e60eea37 (language.rst
  // "Services based": toServices selects the backends of a Service without selector, which live in
  // its manually managed endpoints). The analyzer does not evaluate toServices: every egress flow of
  // the selected pod depends on those unknown backends and is indeterminate; other pods are unaffected.
  {
    name: 'toServices: the selected pod\'s egress is indeterminate',
    manifests: [
      p('default', 'app2', { id: 'app2' }), p('default', 'web', { app: 'web' }), p('default', 'client', { app: 'client' }),
      service('default', 'myservice', 80),
      ciliumNetworkPolicy('default', 'service-rule', {
        spec: { endpointSelector: { matchLabels: { id: 'app2' } }, egress: [{ toServices: [{ k8sService: { serviceName: 'myservice', namespace: 'default' } }] }] },
      }),
    ],
    tables: [
      tt('TCP/80', 'allow', 'default/app2 > *: indeterminate'),
      tt('TCP/80', null, 'default/app2 > ext:192.0.2.50: indeterminate', 'default/client > ext:192.0.2.50: allow'),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l7/http/simple/l7.yaml @08649f131abf94c691e4a930152fbbf18824fcbf and
  // Documentation/security/policy/layer7.rst @2df56ae1afd457d065cb240e41feb475b3049e00 ("Allow GET
  // /public"). The prose says env=prod may only GET /public and other ports are dropped; the YAML has
  // two ingress rules: an L3 rule admitting env=prod on every port, and an L7 rule on 80/TCP for any
  // peer. Following the YAML: env=prod reaches every port; others reach 80 under the HTTP constraint.
  {
    name: 'L7 HTTP rule: allowed at L4 with the HTTP constraint reported; the separate L3 rule opens every port',
    manifests: [
      p('default', 'service', { app: 'service' }), p('default', 'prod-client', { env: 'prod' }), p('default', 'dev-client', { env: 'dev' }),
      ciliumNetworkPolicy('default', 'rule1', {
        spec: {
          endpointSelector: { matchLabels: { app: 'service' } },
          ingress: [
            { fromEndpoints: [{ matchLabels: { env: 'prod' } }] },
            { toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public' }] } }] },
          ],
        },
      }),
    ],
    tables: [
      tt('TCP/80', null, 'default/dev-client > default/service: allow +l7', 'default/prod-client > default/service: allow ±l7'),
      tt('TCP/8080', null, 'default/dev-client > default/service: deny', 'default/prod-client > default/service: allow'),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l4/l3_l4_combined.yaml @0b47e8714c5bb6396cc79c8eaf59fc94fe4094c2
  {
    name: 'labels-dependent layer 4 rule',
    manifests: [
      p('default', 'backend', { role: 'backend' }), p('default', 'frontend', { role: 'frontend' }), p('default', 'other', { role: 'other' }),
      ciliumNetworkPolicy('default', 'l4-rule', {
        spec: {
          endpointSelector: { matchLabels: { role: 'backend' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
        },
      }),
    ],
    tables: [
      tt('TCP/80', 'allow', '* > default/backend: deny', 'default/frontend > default/backend: allow'),
      tt('TCP/8080', null, 'default/frontend > default/backend: deny'),
      tt('UDP/80', null, 'default/frontend > default/backend: deny'),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l4/l4_port_range.yaml @5954beaa7b0ee0ef63b2341fc62b670a92317905
  {
    name: 'egress port range 80-444/TCP to any destination',
    manifests: [
      p('default', 'my-service', { app: 'myService' }), p('default', 'web', { app: 'web' }),
      ciliumNetworkPolicy('default', 'l4-port-range-rule', {
        spec: { endpointSelector: { matchLabels: { app: 'myService' } }, egress: [{ toPorts: [{ ports: [{ port: '80', endPort: 444, protocol: 'TCP' }] }] }] },
      }),
    ],
    tables: [
      tt('TCP/79', null, 'default/my-service > ext:1.1.1.1: deny'),
      tt('TCP/80', null, 'default/my-service > ext:1.1.1.1: allow', 'default/my-service > default/web: allow'),
      tt('TCP/444', null, 'default/my-service > ext:1.1.1.1: allow'),
      tt('TCP/445', null, 'default/my-service > ext:1.1.1.1: deny'),
      tt('UDP/443', null, 'default/my-service > ext:1.1.1.1: deny'),
    ],
    cnis: CILIUM,
  },
  // examples/policies/l3/egress-allow-all/egress-allow-all.yaml @e0cc421a538bca20fe30f4e1fc8f04951a536993
  // (language.rst "Egress Allow All Endpoints": the empty selector means every endpoint of the
  // policy's namespace).
  {
    name: 'toEndpoints [{}] means every pod of the policy namespace',
    manifests: [
      namespace('other'),
      p('default', 'frontend', { role: 'frontend' }), p('default', 'web', { app: 'web' }), p('other', 'web', { app: 'web' }),
      ciliumNetworkPolicy('default', 'allow-all-from-frontend', { spec: { endpointSelector: { matchLabels: { role: 'frontend' } }, egress: [{ toEndpoints: [{}] }] } }),
    ],
    tables: [tt('TCP/80', 'allow', 'default/frontend > other/web: deny'), tt('TCP/80', null, 'default/frontend > ext:203.0.113.70: deny')],
    cnis: CILIUM,
  },
];

describeCaseData(CILIUM_CASES);
describeCases('cilium', CILIUM_CASES);
