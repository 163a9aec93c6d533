/**
 * Property: CiliumInstall and the CiliumRouting / CiliumEncryption factories, given JavaScript-level
 * garbage for one prop or argument, either fail with a ValidationError naming the construct path (or
 * the factory) and the prop, or accept a value of the declared type only and emit exactly the Helm
 * values and companion objects that value asks for: never a policy switched off, a pool or CIDR
 * wider than given, or a key the pinned chart does not have.
 */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CiliumEncryption, CiliumInstall, CiliumIpamMode, CiliumPolicyEnforcementMode, CiliumRouting, CiliumTunnelProtocol, Cni, Delivery,
  HubbleTlsMethod,
} from '../../src';
import { unknownValueKeys } from '../../src/cni/cilium/chart-values-keys-check';
import { cidrContainsCidr, parseCidr } from '../../src/util/cidr';
import { chartFor, find, ofKind } from '../support/synth';
import { runs } from './support/config';
import { expectNamedOrTyped, garbage, isPlain, isStringMap, mapOf, scalarGarbage } from './support/garbage';
import {
  Case, absentOr, arrayOf, garbageProperty, isBoolean, isInteger, isJsonValue, isNumber, isString, maybe, oneOf, synthApp,
} from './support/garbage-cases';

const NUM_RUNS = 150;
const POD_CIDR = '10.244.0.0/16';
const KPR = { k8sServiceHost: '10.0.0.1', k8sServicePort: 6443 };
const kpr = () => chartFor(Cni.cilium());

/** Build a CiliumInstall with `props` over kube-proxy replacement; returns its Helm values (checked against the chart) and the objects. */
function cilium(props: Record<string, unknown>, chart: Chart = kpr()): { values: any; objects: any[] } {
  const install = new CiliumInstall(chart, 'x', { ...KPR, ...props } as any);
  const objects = synthApp(chart);
  const values = install.values;
  // Whatever was accepted: every key path exists in the pinned chart, and policies stay enforced.
  expect(unknownValueKeys(values)).toEqual([]);
  expect(values.policyEnforcementMode ?? 'default').not.toBe('never');
  return { values, objects };
}
const valuesOf = (props: Record<string, unknown>) => (chart: Chart) => [cilium(props, chart).values];
const objectsOf = (props: Record<string, unknown>) => (chart: Chart) => cilium(props, chart).objects;

describe('CiliumInstall', () => {
  const flag = (prop: string, path: string, extra: Record<string, unknown> = {}): Case => ({
    prop,
    valid: fc.boolean(),
    typed: absentOr(isBoolean),
    build: (chart, v) => valuesOf({ ...extra, [prop]: v })(chart),
    // 'false' from a jsii caller never turns a feature on.
    check: ([values], v) => expect(path.split('.').reduce((o: any, k) => o?.[k], values) === true).toBe(v === true),
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant(KPR), typed: (v) => v === undefined || isPlain(v), build: (chart, v) => { new CiliumInstall(chart, 'x', v as any); return synthApp(chart); } },
    {
      prop: 'delivery',
      valid: fc.constantFrom(Delivery.flux(), Delivery.argoCd(), Delivery.manifestsOnly()),
      typed: absentOr((v) => v instanceof Delivery),
      build: (chart, v) => objectsOf({ delivery: v })(chart),
      check: (objects, v: any) => expect([...ofKind(objects, 'HelmRelease'), ...ofKind(objects, 'Application')].map((o) => o.metadata.name))
        .toEqual(v === undefined || v.kind === 'manifests-only' ? [] : ['cilium']),
      lookAlikes: fc.constantFrom({ kind: 'argo-cd', _argoCd: { namespace: 'argocd' } }, { kind: 'manifests-only' }),
    },
    {
      prop: 'version',
      valid: fc.constantFrom('1.20.0', '1.19.4'),
      typed: absentOr(isString),
      build: (chart, v) => objectsOf({ delivery: Delivery.flux(), version: v })(chart),
      check: (objects, v) => expect(find(objects, 'HelmRelease', 'cilium').spec.chart.spec.version).toBe(v ?? '1.20.0'),
    },
    {
      prop: 'chartRepository',
      valid: fc.constantFrom('https://charts.example.com/cilium', 'oci://registry.example.com/charts'),
      typed: absentOr(isString),
      build: (chart, v) => objectsOf({ delivery: Delivery.flux(), chartRepository: v })(chart),
      check: (objects, v: any) => expect([...ofKind(objects, 'HelmRepository'), ...ofKind(objects, 'OCIRepository')].map((r) => r.spec.url)[0])
        .toMatch(new RegExp(`^${(v ?? 'https://helm.cilium.io').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`)),
    },
    {
      prop: 'kubeProxyReplacement',
      valid: fc.boolean(),
      typed: absentOr(isBoolean),
      build: (chart, v) => valuesOf({ kubeProxyReplacement: v })(chart),
      check: ([values]) => expect(values.kubeProxyReplacement).toBe('true'),
    },
    {
      prop: 'k8sServiceHost',
      valid: fc.constantFrom('10.0.0.1', 'api.example.com', 'auto'),
      typed: absentOr(isString),
      build: (chart, v) => valuesOf({ k8sServiceHost: v })(chart),
      check: ([values], v) => expect(values.k8sServiceHost).toBe(v),
    },
    {
      prop: 'k8sServicePort',
      valid: fc.integer({ min: 1, max: 65535 }),
      typed: absentOr(isNumber),
      build: (chart, v) => valuesOf({ k8sServicePort: v })(chart),
      check: ([values], v) => expect(values.k8sServicePort).toBe(v),
    },
    {
      prop: 'routing',
      valid: fc.constantFrom(CiliumRouting.tunnel(), CiliumRouting.tunnel(CiliumTunnelProtocol.GENEVE), CiliumRouting.native({ ipv4NativeRoutingCidr: '10.0.0.0/8' })),
      typed: absentOr((v) => v instanceof CiliumRouting),
      build: (chart, v) => valuesOf({ routing: v })(chart),
      check: ([values], v: any) => expect(values.routingMode).toBe(v?.mode ?? 'tunnel'),
      lookAlikes: fc.constantFrom({ mode: 'native', _native: {} }, { mode: 'tunnel', tunnelProtocol: 'vxlan' }),
    },
    {
      prop: 'ipam',
      valid: fc.constantFrom({}, { mode: CiliumIpamMode.KUBERNETES }, { ipv4MaskSize: 25 }),
      typed: absentOr((v) => isPlain(v) && absentOr(oneOf(Object.values(CiliumIpamMode)))(v.mode) && absentOr(isNumber)(v.ipv4MaskSize)
        && absentOr(isNumber)(v.ipv6MaskSize)),
      build: (chart, v) => valuesOf({ ipam: v })(chart),
      // The pool is the ClusterNetwork's pod CIDR, never the chart's 10.0.0.0/8.
      check: ([values], v: any) => {
        expect(values.ipam.mode).toBe(v?.mode ?? 'cluster-pool');
        if (values.ipam.mode === 'cluster-pool') {
          expect(values.ipam.operator).toEqual({ clusterPoolIPv4PodCIDRList: [POD_CIDR], clusterPoolIPv4MaskSize: v?.ipv4MaskSize ?? 24 });
        }
      },
      lookAlikes: fc.record(
        { mode: maybe(fc.constantFrom(...Object.values(CiliumIpamMode))), ipv4MaskSize: maybe(fc.integer({ min: 17, max: 28 })) },
        { requiredKeys: [] }),
    },
    {
      prop: 'encryption',
      valid: fc.constantFrom(
        CiliumEncryption.wireguard(), CiliumEncryption.wireguard({ nodeEncryption: true }), CiliumEncryption.ipsec(), CiliumEncryption.none()),
      typed: absentOr((v) => v instanceof CiliumEncryption),
      build: (chart, v) => valuesOf({ encryption: v })(chart),
      check: ([values], v: any) => expect(values.encryption.enabled ? values.encryption.type : 'none').toBe(v?.type ?? 'wireguard'),
      lookAlikes: fc.constantFrom({ type: 'none' }, { type: 'wireguard', _wireguard: {}, _ipsec: {} }),
    },
    {
      prop: 'hubble',
      valid: fc.constantFrom({}, { ui: true }, { enabled: false }, { metrics: ['drop', 'dns:query;ignoreAAAA'] },
        { tlsMethod: HubbleTlsMethod.CERT_MANAGER, certManagerIssuer: { name: 'ca' } }),
      typed: absentOr((v) => isPlain(v) && absentOr(isBoolean)(v.enabled) && absentOr(isBoolean)(v.relay) && absentOr(isBoolean)(v.ui)
        && absentOr(arrayOf(isString))(v.metrics) && absentOr(oneOf(Object.values(HubbleTlsMethod)))(v.tlsMethod)
        && absentOr((i) => isPlain(i) && isString(i.name) && absentOr(isString)(i.kind) && absentOr(isString)(i.group))(v.certManagerIssuer)),
      build: (chart, v) => valuesOf({ hubble: v })(chart),
      // Never the chart's `helm` TLS method (new certificates on every render).
      check: ([values], v: any) => {
        expect(values.hubble.enabled).toBe(v?.enabled ?? true);
        if (values.hubble.enabled) {
          expect([values.hubble.relay.enabled, values.hubble.ui.enabled]).toEqual([v?.relay ?? true, v?.ui ?? false]);
          expect(values.hubble.tls.auto.method).toBe(v?.tlsMethod ?? 'cronJob');
          expect(values.hubble.metrics?.enabled).toEqual(v?.metrics?.length ? v.metrics : undefined);
        }
      },
      lookAlikes: fc.oneof(fc.constantFrom({ enabled: false, relay: null }, { enabled: false, tlsMethod: 'helm' }, { enabled: false, ui: 'false' }), fc.record({
        enabled: maybe(fc.boolean()),
        relay: maybe(fc.boolean()),
        ui: maybe(fc.boolean()),
        metrics: maybe(fc.constant(['drop'])),
        tlsMethod: maybe(fc.constantFrom(...Object.values(HubbleTlsMethod))),
        certManagerIssuer: maybe(fc.record({ name: maybe(fc.constant('ca')) })),
      }, { requiredKeys: [] })),
    },
    flag('bandwidthManager', 'bandwidthManager.enabled'),
    flag('bbr', 'bandwidthManager.bbr', { bandwidthManager: true }),
    flag('bpfMasquerade', 'bpf.masquerade'),
    flag('localRedirectPolicies', 'localRedirectPolicies.enabled'),
    flag('gatewayApi', 'gatewayAPI.enabled'),
    flag('l2Announcements', 'l2announcements.enabled', { k8sClientRateLimit: { qps: 50, burst: 100 } }),
    flag('egressGateway', 'egressGateway.enabled', { bpfMasquerade: true }),
    {
      prop: 'clusterName',
      valid: fc.constantFrom('east', 'west-1'),
      typed: absentOr(isString),
      build: (chart, v) => valuesOf({ clusterName: v, clusterId: 1 })(chart),
      check: ([values], v) => expect(values.cluster).toEqual({ name: v, id: 1 }),
    },
    {
      prop: 'clusterId',
      valid: fc.integer({ min: 0, max: 255 }),
      typed: absentOr(isInteger),
      build: (chart, v) => valuesOf({ clusterName: 'east', clusterId: v })(chart),
      check: ([values], v) => expect(values.cluster).toEqual({ name: 'east', id: v ?? 0 }),
    },
    {
      prop: 'maxConnectedClusters',
      valid: fc.constantFrom(255, 511),
      typed: absentOr(isNumber),
      build: (chart, v) => valuesOf({ maxConnectedClusters: v })(chart),
      check: ([values], v) => expect(values.clustermesh?.maxConnectedClusters).toBe(v),
    },
    {
      prop: 'policyEnforcementMode',
      valid: fc.constantFrom(...Object.values(CiliumPolicyEnforcementMode)),
      typed: absentOr(oneOf(Object.values(CiliumPolicyEnforcementMode))),
      build: (chart, v) => valuesOf({ policyEnforcementMode: v })(chart),
      check: ([values], v) => expect(values.policyEnforcementMode).toBe(v),
    },
    {
      prop: 'k8sClientRateLimit',
      valid: fc.constantFrom({ qps: 50, burst: 100 }, { qps: 10, burst: 10 }),
      typed: absentOr((v) => isPlain(v) && isNumber(v.qps) && isNumber(v.burst)),
      build: (chart, v) => valuesOf({ k8sClientRateLimit: v })(chart),
      check: ([values], v: any) => expect(values.k8sClientRateLimit).toEqual(v === undefined ? undefined : { qps: v.qps, burst: v.burst }),
      lookAlikes: fc.record({ qps: maybe(fc.constant(50)), burst: maybe(fc.constant(100)) }, { requiredKeys: [] }),
    },
    {
      prop: 'extraValues',
      valid: fc.constantFrom({}, { debug: { enabled: true } }, { podLabels: { team: 'net' } }, { operator: { replicas: 1 } }),
      typed: absentOr((v) => isPlain(v) && isJsonValue(v)),
      build: (chart, v) => valuesOf({ extraValues: v })(chart),
      // What the escape hatch sets is in the values as set (the values were checked against the chart above);
      // a null is accepted only where it changes nothing, and dropped as cdk8s drops it.
      check: ([values], v: any) => expect(values).toMatchObject(JSON.parse(JSON.stringify(v ?? {}, (_k, x) => (x === null ? undefined : x)))),
      lookAlikes: fc.oneof(
        fc.record({ podLabels: mapOf(fc.oneof(scalarGarbage, fc.constant('net'))) }),
        fc.constantFrom<unknown>(
          JSON.parse('{"__proto__": {"policyEnforcementMode": "never"}}'), JSON.parse('{"debug": {"__proto__": {"enabled": true}}}'),
          { podLabels: { constructor: 'x' } }, { debug: { enabled: new Date(0) } }, { debug: { verbose: NaN } }, { hubble: 'off' },
        ),
      ),
    },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => garbageProperty(kpr, cases, 400));

  const companionCases: Case[] = [
    {
      prop: 'loadBalancerIpPools',
      valid: fc.constantFrom([{ name: 'pool', cidrs: ['192.0.2.0/24'] }], [{ name: 'a', cidrs: ['192.0.2.0/25'], serviceSelector: { app: 'web' } }]),
      typed: absentOr(arrayOf((p) => isPlain(p) && isString(p.name) && arrayOf(isString)(p.cidrs) && absentOr(isStringMap)(p.serviceSelector))),
      build: (chart, v) => objectsOf({ loadBalancerIpPools: v })(chart),
      // Exactly the blocks given.
      check: (objects, v: any) => expect(ofKind(objects, 'CiliumLoadBalancerIPPool').map((p) => p.spec.blocks.map((b: any) => b.cidr)))
        .toEqual((v ?? []).map((p: any) => p.cidrs)),
      lookAlikes: fc.oneof(fc.array(garbage, { minLength: 1, maxLength: 2 }), fc.constantFrom([undefined], [null], ['x']),
        fc.array(fc.record({ name: maybe(fc.constant('pool')), cidrs: maybe(fc.constant(['192.0.2.0/24'])), serviceSelector: maybe(fc.constant({ app: 'web' })) }), { maxLength: 2 })),
    },
    {
      prop: 'l2AnnouncementPolicies',
      valid: fc.constantFrom([{ name: 'l2' }], [{ name: 'l2', interfaces: ['^eth[0-9]+'], serviceSelector: { app: 'web' } }]),
      typed: absentOr(arrayOf((p) => isPlain(p) && isString(p.name) && absentOr(arrayOf(isString))(p.interfaces)
        && absentOr(isStringMap)(p.serviceSelector)
        && absentOr(isStringMap)(p.nodeSelector) && absentOr(isBoolean)(p.loadBalancerIps) && absentOr(isBoolean)(p.externalIps))),
      build: (chart, v) => objectsOf({ l2Announcements: true, k8sClientRateLimit: { qps: 50, burst: 100 }, l2AnnouncementPolicies: v })(chart),
      // Services selected exactly as given (none given: every Service, as the CRD says).
      check: (objects, v: any) => expect(ofKind(objects, 'CiliumL2AnnouncementPolicy').map((p) => p.spec.serviceSelector))
        .toEqual((v ?? []).map((p: any) => (p.serviceSelector === undefined ? undefined : { matchLabels: p.serviceSelector }))),
      lookAlikes: fc.oneof(fc.array(garbage, { minLength: 1, maxLength: 2 }), fc.constantFrom([undefined], [null], ['x']),
        fc.array(fc.record({ name: maybe(fc.constant('l2')), interfaces: maybe(fc.constant(['eth0'])), loadBalancerIps: maybe(fc.boolean()), nodeSelector: maybe(fc.constant({ role: 'edge' })) }), { maxLength: 2 })),
    },
    {
      prop: 'egressGatewayPolicies',
      valid: fc.constant([{ name: 'egress', namespace: 'shop', destinationCidrs: ['0.0.0.0/0'], gatewayNodeSelector: { role: 'egress' } }]),
      typed: absentOr(arrayOf((p) => isPlain(p) && isString(p.name) && isString(p.namespace) && absentOr(isStringMap)(p.podSelector)
        && arrayOf(isString)(p.destinationCidrs) && absentOr(arrayOf(isString))(p.excludedCidrs) && isStringMap(p.gatewayNodeSelector)
        && absentOr(isString)(p.egressIp))),
      build: (chart, v) => objectsOf({ bpfMasquerade: true, egressGateway: true, egressGatewayPolicies: v })(chart),
      // The pods of exactly that namespace (and labels), to exactly those destinations.
      check: (objects, v: any) => expect(ofKind(objects, 'CiliumEgressGatewayPolicy').map((p) => [p.spec.selectors, p.spec.destinationCIDRs]))
        .toEqual((v ?? []).map((p: any) => [[{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
          ...(p.podSelector === undefined ? {} : { podSelector: { matchLabels: p.podSelector } }),
        }], p.destinationCidrs])),
      lookAlikes: fc.oneof(fc.array(garbage, { minLength: 1, maxLength: 2 }), fc.constantFrom([undefined], [null], ['x']), fc.array(fc.record({
        name: maybe(fc.constant('egress')),
        namespace: maybe(fc.constant('shop')),
        destinationCidrs: maybe(fc.constant(['0.0.0.0/0'])),
        gatewayNodeSelector: maybe(fc.constant({ role: 'egress' })),
        podSelector: maybe(fc.constant({ app: 'web' })),
        egressIp: maybe(fc.constant('192.0.2.10')),
      }), { maxLength: 2 })),
    },
  ];
  test('companion objects: a named error, or exactly the pools and policies given', () => garbageProperty(kpr, companionCases, 200));
});

describe('CiliumRouting and CiliumEncryption factories', () => {
  test('CiliumRouting.tunnel(protocol): a named error, or exactly that tunnel protocol', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.constantFrom(...Object.values(CiliumTunnelProtocol))), (p) => {
      expectNamedOrTyped(p, ['CiliumRouting.tunnel'], (x: any) => cilium({ routing: CiliumRouting.tunnel(x) }).values,
        absentOr(oneOf(Object.values(CiliumTunnelProtocol))),
        (values, x) => expect([values.routingMode, values.tunnelProtocol]).toEqual(['tunnel', x ?? 'vxlan']));
    }), runs(NUM_RUNS));
  });

  test('CiliumRouting.native(options): a named error, or exactly that routable CIDR (containing the pod CIDR)', () => {
    const options = fc.oneof(garbage, fc.record({
      ipv4NativeRoutingCidr: maybe(fc.constantFrom('10.0.0.0/8', '10.244.0.0/16', '192.168.0.0/16')),
      autoDirectNodeRoutes: maybe(fc.boolean()),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['CiliumRouting.native', 'test/x'], (x: any) => cilium({ routing: CiliumRouting.native(x) }).values,
        (x) => isPlain(x) && absentOr(isString)(x.ipv4NativeRoutingCidr) && absentOr(isString)(x.ipv6NativeRoutingCidr)
          && absentOr(isBoolean)(x.autoDirectNodeRoutes),
        (values, x: any) => {
          expect(values.ipv4NativeRoutingCIDR).toBe(x.ipv4NativeRoutingCidr);
          expect(cidrContainsCidr(parseCidr(values.ipv4NativeRoutingCIDR), parseCidr(POD_CIDR))).toBe(true);
          expect(values.autoDirectNodeRoutes).toBe(x.autoDirectNodeRoutes === true);
        });
    }), runs(NUM_RUNS));
  });

  test('CiliumEncryption.wireguard(options): a named error, or exactly those strict modes (the strict CIDR contains the pod CIDR)', () => {
    const options = fc.oneof(garbage, fc.record({
      nodeEncryption: maybe(fc.boolean()),
      strictEgressCidr: maybe(fc.constantFrom('10.0.0.0/8', '10.244.0.0/16', '192.168.0.0/16')),
      allowRemoteNodeIdentities: maybe(fc.boolean()),
      strictIngress: maybe(fc.boolean()),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['CiliumEncryption.wireguard', 'test/x'], (x: any) => cilium({ encryption: CiliumEncryption.wireguard(x) }).values,
        (x) => x === undefined || (isPlain(x) && absentOr(isBoolean)(x.nodeEncryption) && absentOr(isString)(x.strictEgressCidr)
          && absentOr(isBoolean)(x.allowRemoteNodeIdentities) && absentOr(isBoolean)(x.strictIngress)),
        (values, x: any) => {
          const e = values.encryption;
          expect([e.enabled, e.type, e.nodeEncryption === true]).toEqual([true, 'wireguard', x?.nodeEncryption === true]);
          expect(e.strictMode?.egress?.cidr).toBe(x?.strictEgressCidr);
          if (x?.strictEgressCidr !== undefined) expect(cidrContainsCidr(parseCidr(e.strictMode.egress.cidr), parseCidr(POD_CIDR))).toBe(true);
          expect(e.strictMode?.ingress?.enabled === true).toBe(x?.strictIngress === true);
        });
    }), runs(NUM_RUNS));
  });

  test('CiliumEncryption.ipsec(options): a named error, or exactly that key Secret (never created here)', () => {
    const options = fc.oneof(garbage, fc.record({ secretName: maybe(fc.constantFrom('cilium-ipsec-keys', 'ipsec')) }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['CiliumEncryption.ipsec', 'test/x'], (x: any) => cilium({ encryption: CiliumEncryption.ipsec(x) }),
        (x) => x === undefined || (isPlain(x) && absentOr(isString)(x.secretName)),
        ({ values, objects }, x: any) => {
          expect(values.encryption).toEqual({ enabled: true, type: 'ipsec', ipsec: { secretName: x?.secretName ?? 'cilium-ipsec-keys' } });
          expect(ofKind(objects, 'Secret')).toEqual([]);
        });
    }), runs(NUM_RUNS));
  });
});
