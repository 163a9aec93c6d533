/**
 * The external endpoints of Reachability.diff are evaluated once per group of pods (the flow
 * matrix's groups) and listed for every pod of the group. This suite checks the result against a
 * reference that asks every pod, endpoint, direction and port one by one (`_externalPair`): the
 * changes, their order, their deciders and every rendering must be the same, byte for byte.
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { changeOf, decidersOf } from '../../src/analysis/diff-engine';
import { EXTERNAL_NAMESPACE, externalRegions } from '../../src/analysis/external-endpoints';
import { L4Protocol } from '../../src/analysis/model';
import { Reachability } from '../../src/analysis/reachability';
import { FlowChange, FlowDiffEntry, NamespacePairDiff, ReachabilityDiff } from '../../src/analysis/reachability-diff';
import { Cni } from '../../src/cluster/cni';
import { IstioMode, Mesh } from '../../src/cluster/mesh';
import { expectValidManifests } from '../support/schema';

const POD_CIDRS = ['10.244.0.0/16'];

function ports(...list: Array<[string, number]>) {
  return { containers: [{ name: 'c', image: 'x', ports: list.map(([name, containerPort]) => ({ name, containerPort, protocol: 'TCP' })) }] };
}

/**
 * Several pods per class (web-1..3, db-1..2), pods of different classes in one group (web-canary's
 * extra label selects nothing), a pod only before (legacy) and one only after (batch).
 */
function cluster(after: boolean): any[] {
  const web = { app: 'web', tier: 'frontend' };
  return [
    namespace('shop', { 'tenant': 'acme', 'istio-injection': 'enabled' }), namespace('data', { tenant: 'acme' }),
    ...['web-1', 'web-2', 'web-3'].map((n) => deployment('shop', n, web, ports(['http', 8080]))),
    // The canary also serves 9443, unnamed: its ports differ from its group's.
    deployment('shop', 'web-canary', { ...web, track: 'canary' }, {
      containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { containerPort: 9443, protocol: 'TCP' }] }],
    }),
    deployment('shop', 'api-1', { app: 'api', tier: 'backend' }, ports(['http', 8080], ['metrics', 9090])),
    deployment('shop', 'api-2', { app: 'api', tier: 'backend' }, ports(['http', 8080], ['metrics', 9090])),
    ...['db-1', 'db-2'].map((n) => deployment('data', n, { app: 'db' }, ports(['postgres', 5432]))),
    deployment('data', 'cache', { app: 'cache' }, ports(['redis', 6379])),
    after ? deployment('data', 'batch', { app: 'batch' }) : deployment('data', 'legacy', { app: 'legacy' }, ports(['http', 8080])),
  ];
}

/** Policies: the head widens the api's egress range, opens web to the internet, closes the VPN into db and adds cache egress. */
function policies(after: boolean): any[] {
  const deny = (ns: string) => networkPolicy('default-deny', ns, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  return [
    deny('shop'), deny('data'),
    networkPolicy('api-egress', 'shop', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Egress'],
      egress: [after
        ? { to: [{ ipBlock: { cidr: '203.0.112.0/22', except: ['203.0.113.128/25'] } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8443 }] }
        : { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    }),
    networkPolicy('web-ingress', 'shop', {
      podSelector: { matchLabels: { tier: 'frontend' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ ipBlock: after ? { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } : { cidr: '192.168.10.0/24' } }],
        ports: [{ protocol: 'TCP', port: 'http' }, ...(after ? [{ protocol: 'TCP', port: 9443 }] : [])],
      }],
    }),
    ...(after ? [] : [networkPolicy('vpn', 'data', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16'] } }] }],
    })]),
    ...(after ? [networkPolicy('cache-egress', 'data', {
      podSelector: { matchLabels: { app: 'cache' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 6379 }] }],
    })] : []),
  ];
}

/** CNI-specific CIDR rules: Calico nets (and a deny) and Cilium toCIDRSet plus toFQDNs (indeterminate). */
function cniPolicies(cni: string, after: boolean): any[] {
  if (cni === 'calico') {
    return [{
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'db-backup', namespace: 'data' },
      spec: {
        selector: "app == 'db'",
        types: ['Egress'],
        egress: after
          ? [{ action: 'Deny', destination: { nets: ['192.0.2.128/25'] } },
            { action: 'Allow', protocol: 'TCP', destination: { nets: ['192.0.2.0/24'], ports: [22] } }]
          : [{ action: 'Allow', protocol: 'TCP', destination: { nets: ['192.0.2.0/24'], ports: [22] } }],
      },
    }];
  }
  if (cni === 'cilium') {
    return [{
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'db-backup', namespace: 'data' },
      spec: {
        endpointSelector: { matchLabels: { app: 'db' } },
        egress: [
          { toCIDRSet: [{ cidr: '192.0.2.0/24', ...(after ? { except: ['192.0.2.128/25'] } : {}) }], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] },
          ...(after ? [
            { toFQDNs: [{ matchName: 'backup.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
            // The DNS proxy rule toFQDNs needs to learn the name's addresses.
            {
              toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
              toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
            },
          ] : []),
        ],
      },
    }];
  }
  return [];
}

const comparePorts = (x: string, y: string) => {
  const [px, nx] = x.split('/');
  const [py, ny] = y.split('/');
  return px < py ? -1 : px > py ? 1 : Number(nx) - Number(ny);
};

/** The destination ports of each pod of one side (as the matrix resolves them). */
function portsByPod(reach: Reachability): Map<string, string[]> {
  const data = reach.matrix()._data;
  return new Map(data.pods.map((p, i) => [p.endpoint.name, data.classes[data.classOf[i]].ports.map((k) => k.key)]));
}

/** The diff with every pod's external flows asked one pair at a time. */
function perPairDiff(base: Reachability, head: Reachability): ReachabilityDiff {
  const podsOnly = base.diff(head, { externalEndpoints: false });
  const facts = [base._externalFacts(), head._externalFacts()];
  const regions = externalRegions(facts);
  const egressPorts = [...new Set(['TCP/443', ...facts.flatMap((f) => f.ports)])].sort(comparePorts);
  const sides = [{ reach: base, ports: portsByPod(base) }, { reach: head, ports: portsByPod(head) }];
  const names = [...new Set([...base.endpoints, ...head.endpoints])].sort((a, b) => a.localeCompare(b));
  const groups = new Map<string, FlowDiffEntry[]>();
  for (const pod of names) {
    const podPorts = [...new Set(sides.flatMap((s) => s.ports.get(pod) ?? []))].sort(comparePorts);
    for (const region of regions) {
      const flows = [
        ...egressPorts.map((port) => ({ podIsSource: true, port })),
        ...(region.metadata ? [] : podPorts.map((port) => ({ podIsSource: false, port }))),
      ];
      for (const { podIsSource, port } of flows) {
        const [b, a] = sides.map(({ reach, ports: ofPod }) => {
          const own = ofPod.get(pod);
          if (own === undefined || (!podIsSource && !own.includes(port))) return undefined;
          const [protocol, number] = port.split('/');
          return reach._externalPair(pod, region, podIsSource, protocol as L4Protocol, Number(number));
        });
        const change = changeOf(b?.verdict, a?.verdict);
        if (change === undefined) continue;
        const ns = pod.split('/')[0];
        const key = podIsSource ? `${ns}\n${EXTERNAL_NAMESPACE}` : `${EXTERNAL_NAMESPACE}\n${ns}`;
        groups.set(key, [...(groups.get(key) ?? []), {
          source: podIsSource ? pod : region.name,
          destination: podIsSource ? region.name : pod,
          port,
          change,
          ...(b ? { before: b.verdict } : {}),
          ...(a ? { after: a.verdict } : {}),
          decidedBefore: b ? decidersOf(b) : [],
          decidedAfter: a ? decidersOf(a) : [],
        }]);
      }
    }
  }
  const regionIndex = new Map(regions.map((r, i) => [r.name, i]));
  const byName = (x: string, y: string) => {
    const i = regionIndex.get(x);
    const j = regionIndex.get(y);
    return i !== undefined && j !== undefined ? i - j : x.localeCompare(y);
  };
  const external: NamespacePairDiff[] = [...groups.keys()].sort().map((key) => {
    const [sourceNamespace, destinationNamespace] = key.split('\n');
    const changes = groups.get(key)!
      .sort((x, y) => byName(x.source, y.source) || byName(x.destination, y.destination) || comparePorts(x.port, y.port));
    return { sourceNamespace, destinationNamespace, changes };
  });
  return ReachabilityDiff._create([...podsOnly.groups, ...external], podsOnly.notes, regions.map((r) => r.name));
}

const CASES: Array<[string, () => Cni, Mesh | undefined]> = [
  ['kubernetes', () => Cni.kubernetes(), undefined],
  ['calico', () => Cni.calico(), undefined],
  ['cilium', () => Cni.cilium(), undefined],
  ['kubernetes with Istio (grouped per pod class)', () => Cni.kubernetes(), Mesh.istio({ mode: IstioMode.SIDECAR })],
];

describe.each(CASES)('external endpoints per group of pods equal the per-pair evaluation: %s', (name, cniOf, mesh) => {
  const cni = cniOf();
  const side = (after: boolean) => {
    const manifests = [...cluster(after), ...policies(after), ...cniPolicies(name, after)];
    expectValidManifests(manifests);
    return Reachability.fromManifests(manifests, { cni, podCidrs: POD_CIDRS, ...(mesh ? { mesh } : {}) });
  };
  const base = side(false);
  const head = side(true);
  const diff = base.diff(head);
  const reference = perPairDiff(base, head);

  test('the same changes, in the same order, with the same deciders', () => {
    expect(diff.changes).toEqual(reference.changes);
    expect(diff.groups.map((g) => [g.sourceNamespace, g.destinationNamespace]))
      .toEqual(reference.groups.map((g) => [g.sourceNamespace, g.destinationNamespace]));
  });

  test('the same JSON, table and Markdown, byte for byte', () => {
    expect(diff.toJson()).toBe(reference.toJson());
    expect(diff.toTable()).toBe(reference.toTable());
    expect(diff.toMarkdown()).toBe(reference.toMarkdown());
  });

  test('the case is not vacuous: external flows open and close, for every pod of a shared group', () => {
    const external = diff.changes.filter((c) => c.source.startsWith('external ') || c.destination.startsWith('external '));
    const kinds = new Set(external.map((c) => c.change));
    expect(kinds.has(FlowChange.OPENED)).toBe(true);
    expect(kinds.has(FlowChange.CLOSED)).toBe(true);
    // The internet into web on 8080 opens for each web pod, canary included (another class, the same policies).
    const internetIntoWeb = external.filter((c) => c.source.startsWith('external 0.0.0.0/0') && c.port === 'TCP/8080' && c.destination.startsWith('shop/web'));
    expect(internetIntoWeb.map((c) => [c.destination, c.change])).toEqual(
      ['shop/web-1', 'shop/web-2', 'shop/web-3', 'shop/web-canary'].map((p) => [p, FlowChange.OPENED]));
    // 9443 opens from every public region, into the canary alone.
    expect([...new Set(external.filter((c) => c.port === 'TCP/9443' && c.change === FlowChange.OPENED).map((c) => c.destination))]).toEqual(['shop/web-canary']);
    // The pod gone after the change closes; the new one has nothing into it (no ports) and is isolated.
    expect(external.some((c) => c.destination === 'data/legacy' && c.change === FlowChange.CLOSED && c.after === undefined)).toBe(true);
    if (name === 'cilium') expect(kinds.has(FlowChange.UNCERTAIN)).toBe(true);
  });
});
