import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import * as fc from 'fast-check';
import { EXAMPLE_CNIS } from '../../examples/cni';
import { EXAMPLES } from '../../examples/synth-all';
import { ClusterNetwork, Cni, Peer, Port, RuleAction, TenantIsolation, TrafficPolicy, ZeroTrustNamespace } from '../../src';
import { PlainApiObject } from '../../src/util/plain-api-object';
import { runs } from '../properties/support/config';
import { dnsLabel } from '../properties/support/dns';
import { validYaml } from '../support/synth';

/**
 * PlainApiObject renders without cdk8s's token resolution: its output must be byte-identical to
 * cdk8s's own path. An app with a resolver of its own (one that changes nothing) takes cdk8s's path
 * for every object, so the two apps of each pair below differ only in the rendering path.
 */
const noopResolver: IResolver = { resolve: (_context: ResolutionContext) => undefined };

function appPair(outdirs = ['dist-unused', 'dist-unused']): { fast: App; plain: App } {
  return { fast: new App({ outdir: outdirs[0] }), plain: new App({ outdir: outdirs[1], resolvers: [noopResolver] }) };
}

/** `app.synth()` as `cdk8s synth` runs it; the files it wrote, by name. */
function synthFiles(app: App): Map<string, string> {
  app.synth();
  return new Map(readdirSync(app.outdir).sort().map((f) => [f, readFileSync(join(app.outdir, f), 'utf8')]));
}

/** How often cdk8s's own ApiObject.toJson runs while `fn` does. */
function objectsThroughCdk8sToJson<T>(fn: () => T): { objects: number; value: T } {
  const spy = jest.spyOn(ApiObject.prototype, 'toJson');
  try {
    const value = fn();
    // Objects, not calls: synth-time checks read some objects during validation too (the mesh
    // checks' app inventory reads Namespaces and workloads once per validation walk), once more
    // through cdk8s's own toJson in the app without the fast path.
    return { objects: new Set(spy.mock.contexts).size, value };
  } finally {
    spy.mockRestore();
  }
}

/** The objects this library emitted (`instanceof` would not tell: cdk8s's Symbol.hasInstance says yes for every ApiObject). */
function plainObjects(scope: Chart): PlainApiObject[] {
  return scope.node.findAll().filter((c): c is PlainApiObject => c.constructor === PlainApiObject);
}

/** Every kind of policy the renderers emit on `cni` (deny, cluster-wide, precedence, L7 and FQDN where supported). */
function policyZoo(chart: Chart, cni: Cni): void {
  const ns = new ZeroTrustNamespace(chart, 'shop', {
    name: 'shop',
    labels: { team: 'shop' },
    allowSameNamespace: true,
    monitoringPorts: [Port.tcp(9090)],
    ingressControllerPorts: [Port.tcp(8080)],
  });
  ns.allowFlow('api-to-db', { app: 'api' }, { app: 'db' }, [Port.tcp(5432), Port.tcpRange(9000, 9100)]);
  ns.allowEgress('to-partner', { app: 'api' }, [Peer.cidr('203.0.113.0/24', ['203.0.113.128/25'])], [Port.tcp(443)]);
  if (cni.capabilities.deny && cni.capabilities.clusterWide) {
    new TrafficPolicy(chart, 'deny-legacy', {
      name: 'deny-legacy',
      namespaceSelector: { legacy: 'true' },
      egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('198.51.100.0/24')], ports: [Port.udp(53)] }],
      precedence: cni.capabilities.ordering ? 50 : undefined,
    });
  }
  if (cni.capabilities.fqdn) ns.allowEgress('to-api-host', { app: 'api' }, [Peer.fqdn('api.example.com')], [Port.tcp(443)]);
  if (cni.capabilities.l7) {
    ns.addPolicy('l7', { podSelector: { app: 'db' }, ingress: [{ peers: [Peer.pods({ app: 'api' })], ports: [Port.tcp(8080)], http: [{ method: 'GET', path: '/health' }] }] });
  }
}

const CNIS: Array<[string, () => Cni]> = [
  ...Object.entries(EXAMPLE_CNIS),
  ['kubernetes + ClusterNetworkPolicy', () => Cni.kubernetes({ clusterNetworkPolicy: true })],
  ['flannel (acknowledged)', () => Cni.flannel({ acknowledgeUnenforcedPolicies: true })],
];

describe('PlainApiObject renders exactly what cdk8s renders', () => {
  test.each(Object.entries(EXAMPLES).flatMap(([example, build]) =>
    Object.entries(EXAMPLE_CNIS).map(([cniName, cni]) => [example, cniName, build, cni] as const)))(
    'example %s on %s: the synthesized files are byte-identical', (_example, _cni, build, cni) => {
      const dirs = [mkdtempSync(join(tmpdir(), 'plain-fast-')), mkdtempSync(join(tmpdir(), 'plain-cdk8s-'))];
      const { fast, plain } = appPair(dirs);
      try {
        build(fast, cni());
        build(plain, cni());
        // The fast app runs cdk8s's own toJson on one of its objects (the first is checked both ways), the other app on every one.
        const fastRun = objectsThroughCdk8sToJson(() => synthFiles(fast));
        const plainRun = objectsThroughCdk8sToJson(() => synthFiles(plain));
        expect(fastRun.value).toEqual(plainRun.value);
        expect([...fastRun.value.values()].join('')).toBe([...plainRun.value.values()].join(''));
        const ours = fast.charts.flatMap(plainObjects).length;
        expect(ours).toBeGreaterThanOrEqual(3);
        expect(plainRun.objects - fastRun.objects).toBe(ours - 1);
        for (const file of fastRun.value.values()) validYaml(file);
      } finally {
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      }
    });

  test.each(CNIS)('every object of every renderer on %s, one by one', (_name, cni) => {
    const app = new App();
    const chart = new Chart(app, 'zoo');
    new ClusterNetwork(chart, 'cluster', { cni: cni(), nodeLocalDns: true });
    policyZoo(chart, cni());
    new TenantIsolation(chart, 'tenants', { tenants: ['acme', 'globex'], namespaces: { globex: ['globex-a', 'globex-b'] }, allowInternetEgress: true });
    const objects = plainObjects(chart);
    expect(objects.length).toBeGreaterThan(12);
    app.synthYaml(); // the app's first object checked both ways
    for (const obj of objects) {
      const { objects: calls, value } = objectsThroughCdk8sToJson(() => obj.toJson());
      expect(calls).toBe(0);
      expect(JSON.stringify(value)).toBe(JSON.stringify(ApiObject.prototype.toJson.call(obj)));
    }
  });

  test('escape hatches: JSON patches and metadata additions render as cdk8s renders them', () => {
    const render = (app: App) => {
      const chart = new Chart(app, 'c', { labels: { owner: 'platform' } });
      new ClusterNetwork(chart, 'cluster', { cni: Cni.calico() });
      const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
      const policy = ns.policy('allow-dns')!.apiObjects[0];
      policy.addJsonPatch(JsonPatch.add('/spec/egress/0/ports/-', { protocol: 'TCP', port: 5353 }));
      const deny = ns.policy('deny-cloud-metadata')!.apiObjects[0];
      deny.metadata.addLabel('z-last', 'yes');
      deny.metadata.addLabel('a-first', 'yes');
      deny.metadata.addAnnotation('example.com/owner', 'platform');
      deny.metadata.addFinalizers('example.com/keep');
      deny.metadata.add('generateName', 'deny-');
      ns.namespaceObject!.metadata.addOwnerReference({ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: '1' });
      ns.namespaceObject!.metadata.addLabel('lazy', Lazy.any({ produce: () => 'resolved' }) as any);
      return { yaml: app.synthYaml(), policy, deny, namespace: ns.namespaceObject! };
    };
    const { fast, plain } = appPair();
    const a = render(fast);
    const b = render(plain);
    expect(a.yaml).toBe(b.yaml);
    // The patch, the added metadata and the Lazy label are in the output.
    expect(a.policy.toJson().spec.egress[0].ports).toEqual([{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { protocol: 'TCP', port: 5353 }]);
    const deny = a.deny.toJson();
    expect(Object.keys(deny.metadata.labels)).toEqual(['a-first', 'owner', 'z-last']);
    expect(deny.metadata).toMatchObject({ annotations: { 'example.com/owner': 'platform' }, finalizers: ['example.com/keep'], generateName: 'deny-' });
    expect(a.namespace.toJson().metadata.labels.lazy).toBe('resolved');
    expect(a.namespace.toJson().metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: '1' }]);
    // Metadata additions keep the fast path; the patched object and the Lazy label take cdk8s's.
    expect(objectsThroughCdk8sToJson(() => a.deny.toJson()).objects).toBe(0);
    expect(objectsThroughCdk8sToJson(() => a.policy.toJson()).objects).toBe(1);
    expect(objectsThroughCdk8sToJson(() => a.namespace.toJson()).objects).toBe(1);
  });

  test('CDK8S_DISABLE_SORT takes cdk8s path', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.cilium() });
    const ns = new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
    app.synthYaml();
    const obj = ns.policy('allow-dns')!.apiObjects[0];
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const { objects: calls, value } = objectsThroughCdk8sToJson(() => obj.toJson());
      expect(calls).toBe(1);
      // Unsorted: the renderer's own key order.
      expect(Object.keys(value.spec)).toEqual(Object.keys((obj as any).manifest.spec));
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('an app whose first object renders differently through cdk8s takes cdk8s path for every object', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new ClusterNetwork(chart, 'cluster', { cni: Cni.kubernetes() });
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
    const original = ApiObject.prototype.toJson;
    // A cdk8s release that renders differently from what PlainApiObject replicates.
    const spy = jest.spyOn(ApiObject.prototype, 'toJson').mockImplementation(function (this: ApiObject) {
      return { ...original.call(this), rendered: 'by-cdk8s' };
    });
    try {
      const objects = plainObjects(chart).map((o) => o.toJson());
      expect(objects.length).toBe(3);
      for (const o of objects) expect(o.rendered).toBe('by-cdk8s');
      expect(spy).toHaveBeenCalledTimes(3);
    } finally {
      spy.mockRestore();
    }
  });

  test('random tenant platforms: byte-identical YAML on every CNI', () => {
    const program = fc.record({
      cni: fc.nat(CNIS.length - 1),
      tenants: fc.uniqueArray(dnsLabel(8), { minLength: 1, maxLength: 5 }),
      internet: fc.boolean(),
      ports: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
      label: fc.option(dnsLabel(6), { nil: undefined }),
    });
    fc.assert(fc.property(program, (p) => {
      const yaml = (app: App) => {
        const chart = new Chart(app, 'p', { labels: p.label ? { 'example.com/label': p.label } : undefined });
        new ClusterNetwork(chart, 'cluster', { cni: CNIS[p.cni][1]() });
        new TenantIsolation(chart, 'tenants', {
          tenants: p.tenants.map((t) => `t-${t}`),
          allowInternetEgress: p.internet,
          internetEgressPorts: p.internet ? p.ports.map((n) => Port.tcp(n)) : undefined,
        });
        return app.synthYaml();
      };
      const { fast, plain } = appPair();
      expect(yaml(fast)).toBe(yaml(plain));
    }), runs(40));
  });
});
