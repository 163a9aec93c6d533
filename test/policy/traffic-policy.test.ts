import { Chart, Testing } from 'cdk8s';
import { ClusterNetwork, Cni, Direction, LabelOperator, Peer, Port, RuleAction, TrafficPolicy, ValidationError } from '../../src';
import { strictCidrProblem } from '../../src/util/cidr';
import { IPV4_METADATA, IPV6_METADATA } from '../support/metadata';
import { chartFor, find, synthValid, validYaml } from '../support/synth';

const DNS_PEER_K8S = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

describe('allow-only intents render as portable NetworkPolicy on every enforcing CNI', () => {
  test.each([['kubernetes', Cni.kubernetes()], ['calico', Cni.calico()], ['cilium', Cni.cilium()]])('%s', (_name, cni) => {
    const chart = chartFor(cni);
    new TrafficPolicy(chart, 'p', {
      name: 'backend-from-frontend',
      namespace: 'shop',
      podSelector: { tier: 'backend' },
      ingress: [{ peers: [Peer.pods({ tier: 'frontend' })], ports: [Port.tcp(8080)] }],
    });
    const objects = synthValid(chart);
    expect(objects).toEqual([
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'backend-from-frontend', namespace: 'shop' },
        spec: {
          podSelector: { matchLabels: { tier: 'backend' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
        },
      },
    ]);
  });
});

describe('peers', () => {
  test('pods in another namespace are ONE peer (AND), selected by kubernetes.io/metadata.name', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'p', {
      name: 'from-ingress',
      namespace: 'shop',
      ingress: [{ peers: [Peer.pods({ app: 'nginx' }, 'ingress-nginx'), Peer.namespace('monitoring')] }],
    });
    const np = find(synthValid(chart), 'NetworkPolicy', 'from-ingress');
    expect(np.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } }, podSelector: { matchLabels: { app: 'nginx' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
    expect(np.spec.ingress[0].ports).toBeUndefined();
  });

  test('DNS: kube-dns pods on UDP and TCP 53, plus the NodeLocal DNS addresses when the cluster runs it', () => {
    const chart = chartFor(Cni.kubernetes(), { nodeLocalDns: true });
    new TrafficPolicy(chart, 'p', { name: 'allow-dns', namespace: 'a', egress: [{ peers: [Peer.clusterDns()], ports: [Port.udp(53), Port.tcp(53)] }] });
    const np = find(synthValid(chart), 'NetworkPolicy', 'allow-dns');
    expect(np.spec.policyTypes).toEqual(['Egress']);
    // The link-local address, and the kube-dns ClusterIP that node-local-dns also binds in iptables mode.
    expect(np.spec.egress).toEqual([{
      to: [DNS_PEER_K8S, { ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: '10.96.0.10/32' } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test('internet excepts the metadata service and every RFC 1918 range (and IPv6 equivalents on dual stack)', () => {
    const chart = chartFor(Cni.kubernetes(), { ipFamilies: ['IPv4', 'IPv6'] as any });
    new TrafficPolicy(chart, 'p', { name: 'internet', namespace: 'a', egress: [{ peers: [Peer.internet()], ports: [Port.tcp(443)] }] });
    const np = find(synthValid(chart), 'NetworkPolicy', 'internet');
    expect(np.spec.egress[0].to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: [...IPV4_METADATA, '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
      // No IPv4-mapped excepts in ::/0: the API server refuses them (see metadata.test.ts); the IPv4 block excepts those addresses.
      { ipBlock: { cidr: '::/0', except: [...IPV6_METADATA, 'fc00::/7'] } },
    ]);
  });

  test('a CIDR egress containing the metadata service gets it excepted (fail closed)', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'p', { name: 'wide', namespace: 'a', egress: [{ peers: [Peer.cidr('169.254.0.0/16', ['169.254.1.0/24'])] }] });
    const np = find(synthValid(chart), 'NetworkPolicy', 'wide');
    expect(np.spec.egress[0].to).toEqual([{ ipBlock: { cidr: '169.254.0.0/16', except: ['169.254.1.0/24', ...IPV4_METADATA] } }]);
  });

  test('an ingress CIDR is not altered', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'p', { name: 'lb', namespace: 'a', ingress: [{ peers: [Peer.cidr('0.0.0.0/0')] }] });
    expect(find(synthValid(chart), 'NetworkPolicy', 'lb').spec.ingress[0].from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
  });

  test('CIDRs render canonical: nothing Kubernetes 1.36 strict ipBlock validation refuses (KEP-4858) reaches a NetworkPolicy', () => {
    // A zero-padded prefix length and non-canonical IPv6 text are read and written canonical; host bits
    // and zero-padded octets are refused at input (see "TrafficPolicy bad input"); IPv4-mapped blocks
    // by the renderer (render-limits.test.ts).
    const chart = chartFor(Cni.kubernetes(), { ipFamilies: ['IPv4', 'IPv6'] as any });
    new TrafficPolicy(chart, 'p', {
      name: 'canonical',
      namespace: 'a',
      ingress: [{ peers: [Peer.cidr('10.0.0.0/08', ['10.1.0.0/016']), Peer.cidr('2001:0DB8::/032', ['2001:DB8:0:0::/48'])] }],
    });
    const from = find(synthValid(chart), 'NetworkPolicy', 'canonical').spec.ingress[0].from;
    expect(from).toEqual([
      { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
      { ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8::/48'] } },
    ]);
    const blocks = from.flatMap((p: any) => [p.ipBlock.cidr, ...p.ipBlock.except]);
    expect(blocks.map(strictCidrProblem)).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('ports: range with endPort, named port, all ports of a protocol, SCTP', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'p', {
      name: 'ports',
      namespace: 'a',
      ingress: [{ peers: [Peer.sameNamespace()], ports: [Port.tcpRange(8000, 8080), Port.named('metrics'), Port.allUdp(), Port.sctp(9)] }],
    });
    expect(find(synthValid(chart), 'NetworkPolicy', 'ports').spec.ingress[0]).toEqual({
      from: [{ podSelector: {} }],
      ports: [{ protocol: 'TCP', port: 8000, endPort: 8080 }, { protocol: 'TCP', port: 'metrics' }, { protocol: 'UDP' }, { protocol: 'SCTP', port: 9 }],
    });
  });

  test('namespace expressions render as matchExpressions', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'p', {
      name: 'exp',
      namespace: 'a',
      ingress: [{ peers: [Peer.namespacesMatching([{ key: 'env', operator: LabelOperator.IN, values: ['prod', 'dev'] }])] }],
    });
    expect(find(synthValid(chart), 'NetworkPolicy', 'exp').spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'prod'] }] } },
    ]);
  });

  test('default deny: isolate both directions with no rules', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', { name: 'default-deny-all', namespace: 'a', isolate: [Direction.EGRESS, Direction.INGRESS] });
    expect(find(synthValid(chart), 'NetworkPolicy', 'default-deny-all').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });
});

describe('deny intents', () => {
  const denyMetadata = { name: 'deny-metadata', namespace: 'shop', egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('169.254.169.254/32')] }] };

  test('kubernetes: a synth error naming construct, intent and CNI', () => {
    const chart = chartFor(Cni.kubernetes());
    expect(() => new TrafficPolicy(chart, 'guard', denyMetadata)).toThrow(
      /\[test\/guard\] TrafficPolicy 'deny-metadata': the deny rule egress\[0\] cannot be enforced by CNI 'kubernetes'.*capability 'deny'/,
    );
  });

  test('calico: guard-rail tier (Pass by default) with a Deny rule; no isolation', () => {
    const chart = chartFor(Cni.calico());
    new TrafficPolicy(chart, 'guard', denyMetadata);
    const objects = synthValid(chart);
    expect(objects).toHaveLength(2);
    expect(find(objects, 'Tier', 'platform-guardrails')).toEqual({
      apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform-guardrails' }, spec: { order: 100, defaultAction: 'Pass' },
    });
    expect(find(objects, 'NetworkPolicy', 'deny-metadata', 'shop')).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-metadata', namespace: 'shop' },
      spec: {
        tier: 'platform-guardrails',
        order: 100,
        selector: 'all()',
        types: ['Egress'],
        egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }],
      },
    });
  });

  test('calico: the Tier is emitted once however many guard rails use it', () => {
    const chart = chartFor(Cni.calico());
    new TrafficPolicy(chart, 'a', denyMetadata);
    new TrafficPolicy(chart, 'b', { ...denyMetadata, namespace: 'other' });
    expect(synthValid(chart).filter((o) => o.kind === 'Tier')).toHaveLength(1);
  });

  test('cilium: egressDeny with enableDefaultDeny off in both directions', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'guard', denyMetadata);
    expect(synthValid(chart)).toEqual([{
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'deny-metadata', namespace: 'shop' },
      spec: {
        endpointSelector: {},
        egressDeny: [{ toCIDRSet: [{ cidr: '169.254.169.254/32' }] }],
        enableDefaultDeny: { ingress: false, egress: false },
      },
    }]);
  });

  test('kubernetes with ClusterNetworkPolicy: Admin-tier Deny', () => {
    const chart = chartFor(Cni.kubernetes({ clusterNetworkPolicy: true }));
    new TrafficPolicy(chart, 'guard', denyMetadata);
    expect(synthValid(chart)).toEqual([{
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'shop.deny-metadata' },
      spec: {
        tier: 'Admin',
        priority: 10,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
        egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }],
      },
    }]);
  });

  test('a mixed allow + deny intent on calico: allows stay a NetworkPolicy, denies go to the guard-rail tier', () => {
    const chart = chartFor(Cni.calico());
    new TrafficPolicy(chart, 'mixed', {
      name: 'web',
      namespace: 'shop',
      podSelector: { app: 'web' },
      egress: [
        { peers: [Peer.internet({ exceptPrivateRanges: false })], ports: [Port.tcp(443)] },
        { action: RuleAction.DENY, peers: [Peer.cidr('203.0.113.0/24')], ports: [Port.tcp(443), Port.udp(443)] },
      ],
    });
    const objects = synthValid(chart);
    // Both named as the intent: Calico 3.32 keeps the tier in spec.tier only, and the two are of different API groups.
    const inGroup = (apiVersion: string) => find(objects.filter((o) => o.apiVersion === apiVersion), 'NetworkPolicy', 'web', 'shop');
    expect(inGroup('networking.k8s.io/v1').spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: expect.any(Array) } }], ports: [{ protocol: 'TCP', port: 443 }] }]);
    expect(inGroup('projectcalico.org/v3').spec).toEqual({
      tier: 'platform-guardrails',
      order: 100,
      selector: "app == 'web'",
      types: ['Egress'],
      egress: [
        { action: 'Deny', protocol: 'TCP', destination: { nets: ['203.0.113.0/24'], ports: [443] } },
        { action: 'Deny', protocol: 'UDP', destination: { nets: ['203.0.113.0/24'], ports: [443] } },
      ],
    });
  });
});

describe('cluster-wide intents', () => {
  const guard = {
    name: 'no-cross-tenant',
    namespaceSelector: { tenant: 'acme' },
    ingress: [{
      action: RuleAction.DENY,
      peers: [Peer.namespacesMatching([{ key: 'tenant', operator: LabelOperator.EXISTS }, { key: 'tenant', operator: LabelOperator.NOT_IN, values: ['acme'] }])],
    }],
  };

  test('calico: GlobalNetworkPolicy with a Calico selector expression', () => {
    const chart = chartFor(Cni.calico());
    new TrafficPolicy(chart, 'g', guard);
    expect(find(synthValid(chart), 'GlobalNetworkPolicy', 'no-cross-tenant').spec).toEqual({
      tier: 'platform-guardrails',
      order: 100,
      selector: 'all()',
      namespaceSelector: "tenant == 'acme'",
      types: ['Ingress'],
      ingress: [{ action: 'Deny', source: { namespaceSelector: "has(tenant) && tenant not in {'acme'}" } }],
    });
  });

  test('cilium: CiliumClusterwideNetworkPolicy restricted to pods, namespace labels via io.cilium.k8s.namespace.labels', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'g', guard);
    expect(find(synthValid(chart), 'CiliumClusterwideNetworkPolicy', 'no-cross-tenant').spec).toEqual({
      endpointSelector: {
        matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.tenant': 'acme' },
        matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }],
      },
      ingressDeny: [{
        fromEndpoints: [{
          matchExpressions: [
            { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
            { key: 'k8s:io.cilium.k8s.namespace.labels.tenant', operator: 'Exists' },
            { key: 'k8s:io.cilium.k8s.namespace.labels.tenant', operator: 'NotIn', values: ['acme'] },
          ],
        }],
      }],
      enableDefaultDeny: { ingress: false, egress: false },
    });
  });

  test('calico: a namespaceSelector of negative terms only is kept to namespaces (else GlobalNetworkSets and HostEndpoints match)', () => {
    // libcalico-go prefixes a rule's namespaceSelector with `pcns.` and matches it against every
    // labelled thing: `pcns.env not in {'prod'}` and `!has(pcns.env)` hold for a GlobalNetworkSet or
    // a HostEndpoint (no namespace labels), so the allow would admit their CIDRs and node addresses.
    const chart = chartFor(Cni.calico());
    new TrafficPolicy(chart, 'g', {
      name: 'db-from-non-prod',
      namespaceSelector: { team: 'data' },
      podSelector: { app: 'db' },
      ingress: [{
        peers: [
          Peer.namespacesMatching([{ key: 'env', operator: LabelOperator.NOT_IN, values: ['prod'] }]),
          Peer.namespacesMatching([{ key: 'quarantine', operator: LabelOperator.DOES_NOT_EXIST }], { app: 'api' }),
        ],
        ports: [Port.tcp(5432)],
      }],
    });
    expect(find(synthValid(chart), 'GlobalNetworkPolicy', 'db-from-non-prod').spec.ingress).toEqual([
      { action: 'Allow', protocol: 'TCP', source: { namespaceSelector: "has(kubernetes.io/metadata.name) && env not in {'prod'}" }, destination: { ports: [5432] } },
      {
        action: 'Allow',
        protocol: 'TCP',
        source: { namespaceSelector: 'has(kubernetes.io/metadata.name) && !has(quarantine)', selector: "app == 'api'" },
        destination: { ports: [5432] },
      },
    ]);
  });

  test('kubernetes without ClusterNetworkPolicy: error', () => {
    const chart = chartFor(Cni.kubernetes());
    expect(() => new TrafficPolicy(chart, 'g', guard)).toThrow(/\[test\/g\] TrafficPolicy 'no-cross-tenant'.*CNI 'kubernetes'/);
  });

  test('a relative pod peer in a cluster-wide policy is an error', () => {
    const chart = chartFor(Cni.calico());
    expect(() => new TrafficPolicy(chart, 'g', { name: 'x', ingress: [{ peers: [Peer.pods({ a: 'b' })] }] }))
      .toThrow(/\[test\/g\] ingress\[0\]\.peers\[0\]: .*cluster-wide/);
  });
});

describe('Cilium-only intents', () => {
  test('FQDN egress adds the DNS-proxy rule that toFQDNs needs', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', { name: 'to-stripe', namespace: 'pay', egress: [{ peers: [Peer.fqdn('api.stripe.com')], ports: [Port.tcp(443)] }] });
    const cnp = find(synthValid(chart), 'CiliumNetworkPolicy', 'to-stripe', 'pay');
    expect(cnp.spec.egress).toEqual([
      {
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }], rules: { dns: [{ matchPattern: '*' }] } }],
      },
      { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
    expect(cnp.spec.enableDefaultDeny).toEqual({ ingress: false, egress: true });
  });

  test('L7 HTTP rules', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', {
      name: 'api-get',
      namespace: 'shop',
      podSelector: { tier: 'backend' },
      ingress: [{ peers: [Peer.pods({ tier: 'frontend' })], ports: [Port.tcp(8080)], http: [{ method: 'GET', path: '/api/.*' }] }],
    });
    expect(find(synthValid(chart), 'CiliumNetworkPolicy', 'api-get').spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', 'k8s:tier': 'frontend' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }],
    }]);
  });

  test.each([['kubernetes', Cni.kubernetes()], ['calico', Cni.calico()]])('FQDN on %s is an error', (name, cni) => {
    const chart = chartFor(cni);
    expect(() => new TrafficPolicy(chart, 'p', { name: 'x', namespace: 'a', egress: [{ peers: [Peer.fqdn('example.com')] }] }))
      .toThrow(new RegExp(`\\[test/p\\] egress\\[0\\]\\.peers\\[0\\]: fqdn example.com cannot be enforced by CNI '${name}'`));
  });

  test('precedence on cilium is an error (no ordering)', () => {
    const chart = chartFor(Cni.cilium());
    expect(() => new TrafficPolicy(chart, 'p', { name: 'x', namespace: 'a', precedence: 5, isolate: [Direction.INGRESS] }))
      .toThrow(/an explicit precedence cannot be enforced by CNI 'cilium'/);
  });

  test('kube-apiserver: entity on cilium, CIDRs elsewhere, error without CIDRs', () => {
    const cilium = chartFor(Cni.cilium());
    new TrafficPolicy(cilium, 'p', { name: 'api', namespace: 'a', egress: [{ peers: [Peer.kubeApiServer()], ports: [Port.tcp(6443)] }] });
    expect(find(synthValid(cilium), 'CiliumNetworkPolicy', 'api').spec.egress).toEqual([
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] },
    ]);
    const k8s = chartFor(Cni.kubernetes(), { apiServerCidrs: ['192.0.2.10/32'] });
    new TrafficPolicy(k8s, 'p', { name: 'api', namespace: 'a', egress: [{ peers: [Peer.kubeApiServer()], ports: [Port.tcp(6443)] }] });
    expect(find(synthValid(k8s), 'NetworkPolicy', 'api').spec.egress[0].to).toEqual([{ ipBlock: { cidr: '192.0.2.10/32' } }]);
    const none = chartFor(Cni.calico());
    expect(() => new TrafficPolicy(none, 'p', { name: 'api', namespace: 'a', egress: [{ peers: [Peer.kubeApiServer()] }] }))
      .toThrow(/apiServerCidrs/);
  });
});

describe('flannel', () => {
  test('any policy is an error unless acknowledged', () => {
    const chart = chartFor(Cni.flannel());
    expect(() => new TrafficPolicy(chart, 'p', { name: 'x', namespace: 'a', isolate: [Direction.INGRESS] }))
      .toThrow(/\[test\/p\] TrafficPolicy 'x': no policy cannot be enforced by CNI 'flannel': it enforces no network policy/);
  });
  test('acknowledged: portable NetworkPolicy only', () => {
    const chart = chartFor(Cni.flannel({ acknowledgeUnenforcedPolicies: true }));
    new TrafficPolicy(chart, 'p', { name: 'x', namespace: 'a', isolate: [Direction.INGRESS] });
    expect(synthValid(chart).map((o) => o.kind)).toEqual(['NetworkPolicy']);
    // A deny is not portable NetworkPolicy: still an error naming the construct, the intent and the CNI.
    expect(() => new TrafficPolicy(chart, 'd', { name: 'y', namespace: 'a', egress: [{ action: RuleAction.DENY, peers: [Peer.allPods()] }] }))
      .toThrow(/^\[test\/d\] TrafficPolicy 'y': .*cannot be enforced by CNI 'flannel'/);
  });
});

describe('TrafficPolicy bad input is a ValidationError naming the construct path and the prop', () => {
  const make = (props: any) => () => new TrafficPolicy(chartFor(Cni.calico()), 'bad', { name: 'ok', namespace: 'a', ...props });
  test.each([
    ['port above 65535', { ingress: [{ peers: [Peer.allPods()], ports: [Port.tcp(70000)] }] }, /\[test\/bad\] ingress\[0\]\.ports\[0\]: port 70000 is outside 1-65535/],
    ['port 0', { egress: [{ peers: [Peer.allPods()], ports: [Port.udp(0)] }] }, /egress\[0\]\.ports\[0\]: port 0 is outside 1-65535/],
    ['empty range', { ingress: [{ peers: [Peer.allPods()], ports: [Port.tcpRange(90, 80)] }] }, /ingress\[0\]\.ports\[0\]: range 90-80/],
    ['bad named port', { ingress: [{ peers: [Peer.allPods()], ports: [Port.named('HTTP_PORT')] }] }, /'HTTP_PORT' is not a valid port name/],
    ['invalid CIDR', { egress: [{ peers: [Peer.cidr('10.0.0.0/33')] }] }, /\[test\/bad\] egress\[0\]\.peers\[0\]\.cidr: invalid CIDR: '10\.0\.0\.0\/33'/],
    ['octet out of range', { egress: [{ peers: [Peer.cidr('999.1.1.0/24')] }] }, /egress\[0\]\.peers\[0\]\.cidr: invalid CIDR/],
    ['host bits set', { egress: [{ peers: [Peer.cidr('10.0.0.1/8')] }] }, /host bits set; did you mean 10\.0\.0\.0\/8/],
    ['zero-padded octet', { egress: [{ peers: [Peer.cidr('10.0.0.0/8', ['10.010.0.0/16'])] }] }, /peers\[0\]\.except\[0\]: invalid CIDR: '10\.010\.0\.0\/16' is not a valid CIDR \(IPv4 needs four decimal octets\)/],
    ['except outside cidr', { egress: [{ peers: [Peer.cidr('10.0.0.0/8', ['192.168.0.0/16'])] }] }, /peers\[0\]\.except\[0\]: 192\.168\.0\.0\/16 is not strictly inside 10\.0\.0\.0\/8/],
    ['egress to the metadata service', { egress: [{ peers: [Peer.cidr('169.254.169.254/32')] }] }, /is the cloud metadata service \(169.254.169.254\/32\), which is never reachable/],
    ['namespace not DNS-1123', { namespace: 'Shop_1' }, /\[test\/bad\] namespace: 'Shop_1' is not a valid DNS-1123 label/],
    ['peer namespace not DNS-1123', { ingress: [{ peers: [Peer.namespace('-x')] }] }, /ingress\[0\]\.peers\[0\]\.namespace: '-x' is not a valid DNS-1123 label/],
    ['name not DNS-1123', { name: 'Allow DNS' }, /\[test\/bad\] name: 'Allow DNS' is not a valid DNS-1123 subdomain/],
    ['bad label value', { podSelector: { app: 'a b' }, isolate: [Direction.INGRESS] }, /\[test\/bad\] podSelector: 'a b' is not a valid value for label 'app'/],
    ['no peers', { ingress: [{ peers: [] }] }, /ingress\[0\]\.peers: at least one peer is required/],
    ['no effect', {}, /has no rules and isolates nothing/],
    ['L7 on calico', { ingress: [{ peers: [Peer.allPods()], ports: [Port.tcp(80)], http: [{ method: 'GET' }] }] }, /ingress\[0\]\.http: L7 HTTP rules cannot be enforced by CNI 'calico'/],
    ['NotIn without values', { ingress: [{ peers: [Peer.namespacesMatching([{ key: 'x', operator: LabelOperator.NOT_IN }])] }] }, /expressions\[0\]\.values: operator NotIn needs at least one value/],
  ])('%s', (_what, props, message) => {
    expect(make(props)).toThrow(message);
    expect(make(props)).toThrow(ValidationError);
  });
});

describe('names and determinism', () => {
  test('two constructs emitting the same object name into one namespace is an error', () => {
    const chart = chartFor(Cni.kubernetes());
    new TrafficPolicy(chart, 'first', { name: 'allow-dns', namespace: 'a', isolate: [Direction.EGRESS] });
    new TrafficPolicy(chart, 'other-ns', { name: 'allow-dns', namespace: 'b', isolate: [Direction.EGRESS] });
    expect(() => new TrafficPolicy(chart, 'second', { name: 'allow-dns', namespace: 'a', isolate: [Direction.INGRESS] }))
      .toThrow("[test/second] metadata.name: NetworkPolicy 'allow-dns' in namespace 'a' is already emitted by 'test/first'");
  });

  test('the same program synthesizes byte-identical YAML', () => {
    const build = () => {
      const app = Testing.app();
      const chart = new Chart(app, 'c');
      new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
      new TrafficPolicy(chart, 'p', { name: 'x', namespace: 'a', podSelector: { z: '1', a: '2' }, egress: [{ peers: [Peer.internet()] }, { action: RuleAction.DENY, peers: [Peer.cidr('192.0.2.0/24')] }] });
      return app.synthYaml();
    };
    const first = build();
    expect(build()).toBe(first);
    // The allow stays a NetworkPolicy; the deny goes to the guard-rail tier (Tier + Calico NetworkPolicy).
    expect(validYaml(first).map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`).sort()).toEqual([
      'networking.k8s.io/v1 NetworkPolicy x',
      'projectcalico.org/v3 NetworkPolicy x',
      'projectcalico.org/v3 Tier platform-guardrails',
    ]);
  });
});
