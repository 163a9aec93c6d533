/**
 * Property: every construct of the cluster context, the policy model and the patterns
 * (ClusterNetwork, TrafficPolicy, ZeroTrustNamespace and its methods, TenantIsolation,
 * ThreeTierApp), given JavaScript-level garbage for one prop (or the whole props), either fails with
 * a ValidationError naming the construct path and the prop, or accepts a value of the declared type
 * only (absent optional props may arrive as null from JSON), synthesizes schema-valid objects, and
 * emits no more than that typed value asks for (exact objects and, for the tenant booleans, flows).
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  ClusterNetwork, Cni, Direction, EgressAllowList, IpFamily, IstioMode, Mesh, MeshKind, Peer, PodSecurityLevel, Port, RuleAction, Target,
  TenantIsolation, ThreeTierApp, TierServiceAccount, TrafficPolicy, ZeroTrustNamespace,
} from '../../src';
import { reachabilityOf } from '../support/flows';
import { IPV4_METADATA } from '../support/metadata';
import '../support/reachability-matchers';
import { chartFor, synthValid } from '../support/synth';
import { runs } from './support/config';
import { expectNamedOrTyped, garbage, isPlain, isStringMap, mapOf, optional } from './support/garbage';
import { Case, arrayOf, garbageProperty as runCases, isBoolean, isNumber, isString, named, pickCase } from './support/garbage-cases';

const NUM_RUNS = 150;

const isPort = (v: unknown) => v instanceof Port;
const isPeer = (v: unknown) => v instanceof Peer;

/** Run every case against garbage in a fresh chart with a ClusterNetwork for `cni`. */
function garbageProperty(cni: () => Cni, cases: readonly Case[], numRuns = NUM_RUNS): void {
  runCases(() => chartFor(cni()), cases, numRuns);
}

describe('ClusterNetwork', () => {
  const build = (props: unknown) => (chart: Chart) => {
    const cn = new ClusterNetwork(chart, 'cluster', props as any);
    new TenantIsolation(chart, 'tenants', { tenants: ['acme'], allowInternetEgress: true });
    return [cn, ...synthValid(chart)];
  };
  const field = (prop: string, valid: fc.Arbitrary<unknown>, typed: (v: unknown) => boolean): Case => ({
    prop,
    valid,
    typed,
    build: (chart, v) => build({ cni: Cni.calico(), [prop]: v })(chart),
    // Whatever was accepted, the well-known metadata addresses stay excepted and denied.
    check: ([cn]) => expect(cn.metadataCidrs.slice(0, 3)).toEqual(IPV4_METADATA),
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant({ cni: Cni.cilium() }), typed: (v) => isPlain(v) && v.cni instanceof Cni, build: (chart, v) => build(v)(chart) },
    field('cni', fc.constant(Cni.kubernetes()), (v) => v instanceof Cni),
    ...['podCidrs', 'serviceCidrs', 'apiServerCidrs'].map((p) => field(p, fc.constant(['100.64.0.0/16']), optional(arrayOf(isString)))),
    field('metadataCidrs', fc.constant(['100.100.100.200/32']), (v) => v === undefined || arrayOf(isString)(v)),
    field('ipFamilies', fc.constant([IpFamily.IPV4]), optional(arrayOf((f) => f === 'IPv4' || f === 'IPv6'))),
    field('dns', fc.constant({ namespace: 'kube-system' }), (v) => v === undefined || (isPlain(v) && optional(isString)(v.namespace)
      && optional(isStringMap)(v.podLabels) && optional(isString)(v.serviceIp))),
    field('nodeLocalDns', fc.boolean(), (v) => v === undefined || isBoolean(v)),
    field('ingressController', fc.constant({ namespace: 'traefik' }), (v) => v === undefined || (isPlain(v) && isString(v.namespace) && optional(isStringMap)(v.podLabels))),
    field('monitoring', fc.constant({ namespace: 'prometheus', podLabels: { app: 'prometheus' } }),
      (v) => v === undefined || (isPlain(v) && isString(v.namespace) && optional(isStringMap)(v.podLabels))),
    {
      ...field('mesh', fc.constantFrom(Mesh.none(), Mesh.linkerd({ cni: true }), Mesh.istio({ mode: IstioMode.AMBIENT })), (v) => v === undefined || v instanceof Mesh),
      lookAlikes: fc.constantFrom({ kind: 'istio' }, { kind: 'none', networkNeeds: () => ({ metricsPorts: [], probeSourceCidrs: [] }) }),
      // An accepted mesh is that Mesh, and none when omitted.
      check: ([cn], v) => {
        if (v !== undefined) expect(cn.mesh).toBe(v);
        expect(cn.mesh.kind).toBe((v as Mesh | undefined)?.kind ?? MeshKind.NONE);
      },
    },
    field('gateway', fc.constant({ namespace: 'gateways', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } }),
      (v) => v === undefined || (isPlain(v) && isString(v.namespace) && optional(isStringMap)(v.podLabels))),
  ];
  test('every prop: a named error, or its declared type, and the metadata addresses always stay', () => {
    const pick = pickCase(cases);
    fc.assert(fc.property(pick, ([i, value]) => {
      const c = cases[i];
      expectNamedOrTyped(value, ['test/cluster'], (v) => c.build(Testing.chart(), v), c.typed, c.check);
    }), runs(NUM_RUNS));
  });
});

describe('TrafficPolicy', () => {
  const base = { name: 'p', namespace: 'a', egress: [{ peers: [Peer.internet()], ports: [Port.tcp(443)] }] };
  const policy = (props: Record<string, unknown>) => (chart: Chart) => {
    new TrafficPolicy(chart, 'x', { ...base, ...props } as any);
    return synthValid(chart);
  };
  const rule = (field: string, valid: fc.Arbitrary<unknown>, typed: (v: unknown) => boolean): Case => ({
    prop: `egress[0].${field}`, valid, typed, build: (chart, v) => policy({ egress: [{ peers: [Peer.internet()], ports: [Port.tcp(443)], [field]: v }] })(chart),
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant(base), typed: (v) => isPlain(v) && isString(v.name), build: (chart, v) => { new TrafficPolicy(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'name', valid: fc.constant('allow-x'), typed: isString, build: (chart, v) => policy({ name: v })(chart) },
    { prop: 'namespace', valid: fc.constant('shop'), typed: (v) => v === undefined || isString(v), build: (chart, v) => policy({ namespace: v })(chart) },
    {
      prop: 'podSelector',
      valid: mapOf(fc.constantFrom('web', 'x')),
      typed: optional(isStringMap),
      build: (chart, v) => policy({ podSelector: v })(chart),
      // Exactly the typed labels: never index-keyed labels from a string, never a dropped key.
      check: (objects, v: any) => expect(objects[0].spec.podSelector).toEqual(v && Object.keys(v).length ? { matchLabels: v } : {}),
    },
    { prop: 'labels', valid: fc.constant({ team: 'x' }), typed: optional(isStringMap), build: (chart, v) => policy({ labels: v })(chart) },
    {
      prop: 'isolate',
      valid: fc.subarray([Direction.INGRESS, Direction.EGRESS]),
      typed: optional(arrayOf((d) => d === 'Ingress' || d === 'Egress')),
      build: (chart, v) => policy({ isolate: v })(chart),
      check: (objects, v: any) => expect(objects[0].spec.policyTypes).toEqual(['Ingress', 'Egress'].filter((d) => d === 'Egress' || (v ?? []).includes(d))),
    },
    { prop: 'ingress', valid: fc.constant([{ peers: [Peer.allPods()] }]), typed: optional(arrayOf((r) => isPlain(r) && arrayOf(isPeer)(r.peers))), build: (chart, v) => policy({ ingress: v })(chart) },
    { prop: 'egress', valid: fc.constant([{ peers: [Peer.clusterDns()], ports: [Port.udp(53)] }]), typed: optional(arrayOf((r) => isPlain(r) && arrayOf(isPeer)(r.peers))), build: (chart, v) => policy({ egress: v })(chart) },
    rule('peers', fc.constant([Peer.allPods()]), (v) => arrayOf(isPeer)(v) && (v as unknown[]).length > 0),
    rule('ports', fc.constant([Port.tcp(80)]), optional(arrayOf(isPort))),
    {
      ...rule('action', fc.constantFrom(RuleAction.ALLOW, RuleAction.DENY), optional((a) => a === 'Allow' || a === 'Deny')),
      check: (objects, v) => expect(objects.some((o) => o.metadata.name.endsWith('p') && o.apiVersion === 'projectcalico.org/v3')).toBe(v === 'Deny'),
    },
    rule('http', fc.constant(undefined), optional(arrayOf(isPlain))),
  ];
  test('every prop and rule field: a named error, or its declared type with exactly that meaning', () => garbageProperty(() => Cni.calico(), cases));
});

describe('ZeroTrustNamespace and its methods', () => {
  const zt = (props: Record<string, unknown>) => (chart: Chart) => {
    new ZeroTrustNamespace(chart, 'x', { name: 'web', ...props } as any);
    return synthValid(chart);
  };
  const method = (prop: string, valid: fc.Arbitrary<unknown>, typed: (v: unknown) => boolean,
    call: (ns: ZeroTrustNamespace, v: any) => void): Case => ({
    prop,
    valid,
    typed,
    build: (chart, v) => {
      call(new ZeroTrustNamespace(chart, 'x', { name: 'web' }), v);
      return synthValid(chart);
    },
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant({ name: 'ok' }), typed: (v) => isPlain(v) && isString(v.name), build: (chart, v) => { new ZeroTrustNamespace(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'name', valid: fc.constant('ok'), typed: isString, build: (chart, v) => zt({ name: v })(chart) },
    { prop: 'labels', valid: mapOf(fc.constantFrom('x', 'y')), typed: optional(isStringMap), build: (chart, v) => zt({ labels: v })(chart) },
    { prop: 'podSecurity', valid: fc.constantFrom(...Object.values(PodSecurityLevel)), typed: optional((v) => (Object.values(PodSecurityLevel) as unknown[]).includes(v)), build: (chart, v) => zt({ podSecurity: v })(chart) },
    { prop: 'podSecurityVersion', valid: fc.constantFrom('latest', 'v1.30'), typed: optional(isString), build: (chart, v) => zt({ podSecurityVersion: v })(chart) },
    {
      prop: 'allowSameNamespace',
      valid: fc.boolean(),
      typed: (v) => v === undefined || isBoolean(v),
      build: (chart, v) => zt({ allowSameNamespace: v })(chart),
      check: (objects, v) => expect(named(objects, 'allow-same-namespace').length > 0).toBe(v === true),
    },
    {
      prop: 'monitoringPorts',
      valid: fc.constant([Port.tcp(9090)]),
      typed: optional(arrayOf(isPort)),
      build: (chart, v) => zt({ monitoringPorts: v })(chart),
      check: (objects, v: any) => expect(named(objects, 'allow-monitoring').length).toBe(v?.length ? 1 : 0),
    },
    { prop: 'ingressControllerPorts', valid: fc.constant([Port.tcp(8080)]), typed: optional(arrayOf(isPort)), build: (chart, v) => zt({ ingressControllerPorts: v })(chart) },
    {
      prop: 'createNamespace',
      valid: fc.boolean(),
      typed: (v) => v === undefined || isBoolean(v),
      build: (chart, v) => zt({ createNamespace: v })(chart),
      check: (objects, v) => expect(objects.some((o) => o.kind === 'Namespace')).toBe(v !== false),
    },
    method('addPolicy.name', fc.constant('extra'), isString, (ns, v) => ns.addPolicy(v, { isolate: [Direction.INGRESS] })),
    method('addPolicy.options', fc.constant({ isolate: [Direction.INGRESS] }), isPlain, (ns, v) => ns.addPolicy('extra', v)),
    method('allowEgress.podSelector', fc.constant({ app: 'api' }), isStringMap, (ns, v) => ns.allowEgress('extra', v, [Peer.internet()], [Port.tcp(443)])),
    method('allowEgress.peers', fc.constant([Peer.internet()]), (v) => arrayOf(isPeer)(v) && (v as unknown[]).length > 0, (ns, v) => ns.allowEgress('extra', { app: 'api' }, v)),
    method('allowIngress.ports', fc.constant([Port.tcp(80)]), optional(arrayOf(isPort)), (ns, v) => ns.allowIngress('extra', { app: 'api' }, [Peer.allPods()], v)),
    method('allowFlow.from', fc.constant({ app: 'api' }), isStringMap, (ns, v) => ns.allowFlow('flow', v, { app: 'db' }, [Port.tcp(5432)])),
    method('allowFlow.ports', fc.constant([Port.tcp(5432)]), arrayOf(isPort), (ns, v) => ns.allowFlow('flow', { app: 'api' }, { app: 'db' }, v)),
  ];
  test('every prop and method argument: a named error, or its declared type with exactly that meaning', () => garbageProperty(() => Cni.cilium(), cases));
});

describe('TenantIsolation', () => {
  const ti = (props: Record<string, unknown>) => (chart: Chart) => {
    new TenantIsolation(chart, 'x', { tenants: ['acme', 'globex'], ...props } as any);
    return synthValid(chart);
  };
  const flag = (prop: string, policy: string, present: (v: unknown) => boolean): Case => ({
    prop,
    valid: fc.boolean(),
    typed: (v) => v === undefined || isBoolean(v),
    build: (chart, v) => ti({ [prop]: v })(chart),
    check: (objects, v) => expect(named(objects, policy).length > 0).toBe(present(v)),
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant({ tenants: ['a1'] }), typed: (v) => isPlain(v) && arrayOf(isString)(v.tenants), build: (chart, v) => { new TenantIsolation(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'tenants', valid: fc.constant(['a1', 'b2']), typed: arrayOf(isString), build: (chart, v) => ti({ tenants: v })(chart) },
    {
      prop: 'namespaces',
      valid: fc.constant({ acme: ['acme-web'] }),
      typed: (v) => v === undefined || (isPlain(v) && Object.values(v).every(arrayOf(isString))),
      build: (chart, v) => ti({ namespaces: v })(chart),
    },
    { prop: 'tenantLabel', valid: fc.constantFrom('tenant', 'example.com/tenant'), typed: (v) => v === undefined || isString(v), build: (chart, v) => ti({ tenantLabel: v })(chart) },
    flag('allowSameTenant', 'allow-same-tenant', (v) => v !== false),
    flag('allowInternetEgress', 'allow-internet-egress', (v) => v === true),
    flag('guardrails', 'tenant-isolation-acme', (v) => v !== false),
    {
      prop: 'internetEgressPorts',
      valid: fc.constant([Port.tcp(80)]),
      typed: optional(arrayOf(isPort)),
      build: (chart, v) => ti({ allowInternetEgress: true, internetEgressPorts: v })(chart),
    },
    { prop: 'podSecurity', valid: fc.constant(PodSecurityLevel.BASELINE), typed: optional((v) => (Object.values(PodSecurityLevel) as unknown[]).includes(v)), build: (chart, v) => ti({ podSecurity: v })(chart) },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => garbageProperty(() => Cni.calico(), cases));

  test('whatever boolean-ish garbage is given, an accepted program never lets tenants reach each other or the metadata service (flows)', () => {
    const flagValue = fc.oneof(garbage, fc.boolean());
    const flags = fc.record({ allowSameTenant: flagValue, allowInternetEgress: flagValue, guardrails: flagValue });
    fc.assert(fc.property(fc.constantFrom('kubernetes', 'calico', 'cilium'), flags, (cniName, props) => {
      const cni = () => (cniName === 'calico' ? Cni.calico() : cniName === 'cilium' ? Cni.cilium() : Cni.kubernetes());
      let chart: Chart;
      expectNamedOrTyped(props, ['test/x'], (p: any) => {
        chart = chartFor(cni());
        new TenantIsolation(chart, 'x', { tenants: ['acme', 'globex'], ...p });
        return reachabilityOf(chart, cni());
      }, (p: any) => [p.allowSameTenant, p.allowInternetEgress, p.guardrails].every((v) => v === undefined || isBoolean(v)), (reach, p: any) => {
        reach.addProbe('a', 'acme', { app: 'a' }, { ports: [Port.tcp(443)] });
        reach.addProbe('g', 'globex', { app: 'g' }, { ports: [Port.tcp(443)] });
        const [a, g] = [Target.workload('acme', 'a'), Target.workload('globex', 'g')];
        expect(reach).toDeny(a, g, Port.tcp(443));
        expect(reach).toDeny(g, a, Port.tcp(443));
        expect(reach).toDeny(a, Target.external('169.254.169.254'), Port.tcp(443));
        expect(reach.check(a, Target.external('93.184.216.34'), Port.tcp(443)).allowed).toBe(p.allowInternetEgress === true);
      });
    }), runs(30));
  });
});

describe('EgressAllowList', () => {
  const destination = { peer: Peer.cidr('203.0.113.0/24'), ports: [Port.tcp(443)] };
  const list = (props: Record<string, unknown>) => (chart: Chart) => {
    new EgressAllowList(chart, 'x', { namespace: 'payments', podSelector: { app: 'api' }, destinations: [destination], ...props } as any);
    return synthValid(chart);
  };
  const egressOf = (objects: any[]) => objects[0].spec.egress as any[];
  const cases: Case[] = [
    {
      prop: 'props',
      valid: fc.constant({ namespace: 'payments', podSelector: {}, destinations: [destination] }),
      typed: (v) => isPlain(v) && isString(v.namespace) && isStringMap(v.podSelector) && Array.isArray(v.destinations),
      build: (chart, v) => { new EgressAllowList(chart, 'x', v as any); return synthValid(chart); },
    },
    { prop: 'namespace', valid: fc.constant('payments'), typed: isString, build: (chart, v) => list({ namespace: v })(chart) },
    { prop: 'podSelector', valid: fc.constant({ app: 'api' }), typed: isStringMap, build: (chart, v) => list({ podSelector: v })(chart) },
    {
      prop: 'destinations',
      valid: fc.constant([destination]),
      typed: arrayOf((d) => isPlain(d) && isPeer(d.peer) && arrayOf(isPort)(d.ports)),
      build: (chart, v) => list({ destinations: v })(chart),
      // Exactly the destination given, and DNS: never a peer nobody asked for.
      check: (objects) => expect(egressOf(objects).map((r) => r.to[0].ipBlock?.cidr ?? 'dns')).toEqual(['203.0.113.0/24', 'dns']),
    },
    { prop: 'name', valid: fc.constant('api-egress'), typed: (v) => v === undefined || isString(v), build: (chart, v) => list({ name: v })(chart) },
    {
      prop: 'allowDns',
      valid: fc.boolean(),
      typed: (v) => v === undefined || isBoolean(v),
      build: (chart, v) => list({ allowDns: v })(chart),
      check: (objects, v) => expect(egressOf(objects)).toHaveLength(v === false ? 1 : 2),
    },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => garbageProperty(() => Cni.calico(), cases));
});

describe('ThreeTierApp', () => {
  const BASE = { namespace: 'shop', host: 'shop.example.com', frontend: { image: 'web:1' }, backend: { image: 'api:1' }, database: { image: 'postgres:16.4' } };
  const app = (props: Record<string, unknown>) => (chart: Chart) => {
    new ThreeTierApp(chart, 'x', { ...BASE, ...props } as any);
    return synthValid(chart);
  };
  const tier = (t: 'frontend' | 'database', field: string, valid: fc.Arbitrary<unknown>, typed: (v: unknown) => boolean): Case => ({
    prop: `${t}.${field}`, valid, typed, build: (chart, v) => app({ [t]: { image: t === 'database' ? 'postgres:16.4' : 'web:1', [field]: v } })(chart),
  });
  const ingress = (field: string, valid: fc.Arbitrary<unknown>, typed: (v: unknown) => boolean): Case => ({
    prop: `ingress.${field}`, valid, typed, build: (chart, v) => app({ ingress: { [field]: v } })(chart),
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant(BASE), typed: isPlain, build: (chart, v) => { new ThreeTierApp(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'name', valid: fc.constant('blog'), typed: optional(isString), build: (chart, v) => app({ name: v })(chart) },
    { prop: 'host', valid: fc.constant('blog.example.com'), typed: isString, build: (chart, v) => app({ host: v })(chart) },
    { prop: 'labels', valid: fc.constant({ team: 'x' }), typed: optional(isStringMap), build: (chart, v) => app({ labels: v })(chart) },
    { prop: 'createNamespace', valid: fc.boolean(), typed: (v) => v === undefined || isBoolean(v), build: (chart, v) => app({ createNamespace: v })(chart) },
    { prop: 'zeroTrustNamespace', valid: fc.constant(undefined), typed: (v) => v === undefined, build: (chart, v) => app({ namespace: undefined, zeroTrustNamespace: v })(chart) },
    { prop: 'backend', valid: fc.constant({ image: 'api:2' }), typed: (v) => isPlain(v) && isString(v.image), build: (chart, v) => app({ backend: v })(chart) },
    tier('frontend', 'image', fc.constant('web:2'), isString),
    tier('frontend', 'port', fc.integer({ min: 1024, max: 65535 }), optional(isNumber)),
    tier('frontend', 'replicas', fc.integer({ min: 1, max: 5 }), optional(isNumber)),
    tier('frontend', 'env', mapOf(fc.constantFrom('1', 'x')), optional(isStringMap)),
    tier('frontend', 'envFromSecret', fc.constant('web-env'), optional(isString)),
    tier('frontend', 'readOnlyRootFilesystem', fc.boolean(), (v) => v === undefined || isBoolean(v)),
    tier('frontend', 'resources', fc.constant({}), (v) => v === undefined || isPlain(v)),
    tier('frontend', 'healthCheckPath', fc.constant('/ready'), optional(isString)),
    tier('frontend', 'runAsUser', fc.integer({ min: 1, max: 65535 }), optional(isNumber)),
    tier('frontend', 'writablePaths', fc.constant(['/cache']), (v) => v === undefined || arrayOf(isString)(v)),
    tier('frontend', 'serviceAccount', fc.constantFrom(TierServiceAccount.create(), TierServiceAccount.existing('web')),
      (v) => v === undefined || TierServiceAccount._isMade(v)),
    // The factories' arguments are checked by the app, whose errors name the tier's prop.
    {
      prop: 'frontend.serviceAccount.existing',
      valid: fc.constant('web'),
      typed: isString,
      build: (chart, v) => app({ frontend: { image: 'web:1', serviceAccount: TierServiceAccount.existing(v as any) } })(chart),
    },
    {
      prop: 'frontend.serviceAccount.create',
      valid: fc.constant({ annotations: { a: 'b' }, labels: { team: 'x' }, imagePullSecrets: ['regcred'] }),
      typed: (v) => v === undefined || isPlain(v),
      build: (chart, v) => app({ frontend: { image: 'web:1', serviceAccount: TierServiceAccount.create(v as any) } })(chart),
    },
    tier('database', 'storage', fc.constant(undefined), (v) => v === undefined),
    tier('database', 'storageClassName', fc.constant('fast'), optional(isString)),
    tier('database', 'dataMountPath', fc.constant('/data'), optional(isString)),
    { prop: 'ingress', valid: fc.constant({}), typed: (v) => v === undefined || isPlain(v), build: (chart, v) => app({ ingress: v })(chart) },
    ingress('className', fc.constant('traefik'), optional(isString)),
    ingress('clusterIssuer', fc.constant('staging'), optional(isString)),
    ingress('tlsSecretName', fc.constant('tls'), optional(isString)),
    ingress('sslRedirect', fc.boolean(), (v) => v === undefined || isBoolean(v)),
    ingress('limitRps', fc.integer({ min: 1, max: 100 }), optional(isNumber)),
    ingress('allowAcmeHttp01Solver', fc.boolean(), (v) => v === undefined || isBoolean(v)),
  ];
  test('every prop and tier field: a named error, or its declared type, and schema-valid objects', () => garbageProperty(() => Cni.kubernetes(), cases, 200));
});
