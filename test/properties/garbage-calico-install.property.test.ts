/**
 * Property: CalicoInstallation and the CalicoNodeAddressAutodetection factories, given
 * JavaScript-level garbage for one prop or argument, either fail with a ValidationError naming the
 * construct path (or the factory) and the prop, or accept a value of the declared type only and emit
 * exactly what that value asks for (pools, switches, addresses: never another or a wider one).
 *
 * `installationOverrides` is typed by the generated operator.tigera.io classes: what is "of the
 * declared type" is decided independently of the library, by the pinned Installation CRD schema
 * (test/support/schema.ts, strict).
 */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CalicoCrdMode, CalicoDataplane, CalicoEncapsulation, CalicoInstallation, CalicoKubernetesProvider, CalicoNodeAddressAutodetection, Cni, Delivery,
  IpFamily, KubeProxyMode,
} from '../../src';
import { cidrContainsCidr, parseCidr, parseIpLoose } from '../../src/util/cidr';
import { validateManifests } from '../support/schema';
import { chartFor, find, ofKind } from '../support/synth';
import { runs } from './support/config';
import { expectNamedOrTyped, garbage, isPlain, mapOf, scalarGarbage } from './support/garbage';
import {
  Case, absentOr, arrayOf, garbageProperty, isBoolean, isInteger, isJsonValue, isNumber, isString, maybe, oneOf, synthApp,
} from './support/garbage-cases';

const NUM_RUNS = 150;
const POD_CIDR = '10.244.0.0/16';

const iptables = () => chartFor(Cni.calico());
/** A cluster whose Calico serves projectcalico.org/v3 as native CRDs. */
const native = () => chartFor(Cni.calico({ nativeV3Crds: true }));
/** kube-proxy replaced: the eBPF dataplane's cluster. */
const replaced = () => chartFor(Cni.calico(), { kubeProxyMode: KubeProxyMode.REPLACED });

const calico = (props: Record<string, unknown>) => (chart: Chart) => {
  new CalicoInstallation(chart, 'x', props as any);
  return synthApp(chart);
};
const installation = (objects: any[]) => find(objects, 'Installation', 'default').spec;
const network = (objects: any[]) => installation(objects).calicoNetwork;

const ENCAPSULATIONS = Object.values(CalicoEncapsulation);
const autodetections = fc.constantFrom(
  CalicoNodeAddressAutodetection.firstFound(), CalicoNodeAddressAutodetection.kubernetesInternalIp(),
  CalicoNodeAddressAutodetection.interfaceName('eth0'), CalicoNodeAddressAutodetection.canReach('8.8.8.8'),
  CalicoNodeAddressAutodetection.cidrs(['10.0.0.0/8']),
);
/** Look-alikes of a CalicoNodeAddressAutodetection (what a plain-JS caller might build by hand). */
const autodetectionLookAlikes = fc.constantFrom({ _spec: { firstFound: true }, method: 'firstFound' }, { firstFound: true }, { kubernetes: 'NodeInternalIP' });

const pool = fc.record({
  cidr: maybe(fc.constantFrom(POD_CIDR, '10.244.0.0/17', '10.244.128.0/17')),
  name: maybe(fc.constantFrom('pool-a', 'pool-b')),
  blockSize: maybe(fc.integer({ min: 24, max: 28 })),
  encapsulation: maybe(fc.constantFrom(...ENCAPSULATIONS)),
  natOutgoing: maybe(fc.boolean()),
  nodeSelector: maybe(fc.constantFrom('all()', "zone == 'a'")),
}, { requiredKeys: [] });
const isPool = (p: unknown) => isPlain(p) && isString(p.cidr) && absentOr(isString)(p.name) && absentOr(isNumber)(p.blockSize)
  && absentOr(oneOf(ENCAPSULATIONS))(p.encapsulation) && absentOr(isBoolean)(p.natOutgoing) && absentOr(isString)(p.nodeSelector);

/** The Installation CRD (pinned, strict) says whether `spec` is an InstallationSpec: the oracle for the overrides. */
const isInstallationSpec = (spec: unknown) => spec === undefined || (isPlain(spec) && isJsonValue(spec)
  && validateManifests([{ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec }]).length === 0);
/** Overrides near the shape of an InstallationSpec: real fields with garbage, valid or absent values. */
const overrideLookAlikes: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ calicoNetwork: garbage }),
  fc.record({
    calicoNetwork: fc.record({
      mtu: maybe(fc.integer({ min: 1200, max: 9000 })),
      bgp: maybe(fc.constantFrom('Enabled', 'Disabled')),
      ipPools: maybe(fc.array(
        fc.record({ cidr: maybe(fc.constant(POD_CIDR)), encapsulation: maybe(fc.constantFrom(...ENCAPSULATIONS)) }, { requiredKeys: [] }),
        { maxLength: 2 })),
      hostPorts: maybe(fc.constantFrom('Enabled', 'Disabled')),
    }, { requiredKeys: [] }),
  }),
  fc.record({ registry: maybe(fc.constant('quay.io/')) }),
  fc.record({ variant: maybe(fc.constantFrom('Calico', 'TigeraSecureEnterprise')) }),
  fc.record({ controlPlaneReplicas: maybe(fc.integer({ min: 1, max: 3 })) }),
  fc.record({ controlPlaneNodeSelector: mapOf(fc.oneof(scalarGarbage, fc.constant('true'))) }),
  fc.record({ nodeUpdateStrategy: fc.record({ rollingUpdate: fc.record({ maxUnavailable: maybe(fc.constantFrom(1, '10%')) }) }) }),
);

describe('CalicoInstallation', () => {
  const delivery = fc.constantFrom(Delivery.flux(), Delivery.argoCd(), Delivery.manifestsOnly());
  const releases = (objects: any[]) => [...ofKind(objects, 'HelmRelease'), ...ofKind(objects, 'Application')].map((o) => o.metadata.name).sort();
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant({}), typed: (v) => v === undefined || isPlain(v), build: (chart, v) => { new CalicoInstallation(chart, 'x', v as any); return synthApp(chart); } },
    {
      prop: 'delivery',
      valid: delivery,
      typed: absentOr((v) => v instanceof Delivery),
      build: (chart, v) => calico({ delivery: v })(chart),
      // The CRD chart and the operator chart exactly when a chart delivery was given.
      check: (objects, v: any) => expect(releases(objects)).toEqual(v === undefined || v.kind === 'manifests-only' ? [] : ['calico-crds', 'tigera-operator']),
      lookAlikes: fc.constantFrom({ kind: 'flux', _flux: { namespace: 'flux-system', interval: '1h', remediationRetries: 3 } }, { kind: 'manifests-only' }),
    },
    {
      prop: 'version',
      valid: fc.constantFrom('v3.32.1', 'v3.31.3'),
      typed: absentOr(isString),
      build: (chart, v) => calico({ delivery: Delivery.flux(), version: v })(chart),
      check: (objects, v) => expect(ofKind(objects, 'HelmRelease').map((r) => r.spec.chart.spec.version)).toEqual([v ?? 'v3.32.1', v ?? 'v3.32.1']),
    },
    {
      prop: 'chartRepository',
      valid: fc.constantFrom('https://charts.example.com/calico', 'oci://registry.example.com/charts'),
      typed: absentOr(isString),
      build: (chart, v) => calico({ delivery: Delivery.flux(), chartRepository: v })(chart),
      check: (objects, v: any) => {
        const urls = [...ofKind(objects, 'HelmRepository'), ...ofKind(objects, 'OCIRepository')].map((r) => r.spec.url);
        expect(urls.every((u: string) => u.startsWith(v ?? 'https://docs.tigera.io/calico/charts'))).toBe(true);
      },
    },
    {
      prop: 'crdMode',
      valid: fc.constantFrom(...Object.values(CalicoCrdMode)),
      typed: absentOr(oneOf(Object.values(CalicoCrdMode))),
      // The native mode on a Cni that says so (the two must agree).
      build: (chart, v) => calico({ delivery: Delivery.argoCd(), crdMode: v, kubernetesVersion: v === CalicoCrdMode.NATIVE_V3 ? '1.36' : undefined })(
        v === CalicoCrdMode.NATIVE_V3 ? native() : chart),
      // Exactly one CRD chart: the v3 one only when NATIVE_V3 itself was given (NETWORKING-FACTS.md, never both).
      check: (objects, v) => expect(ofKind(objects, 'Application').map((a) => a.spec.source.chart))
        .toEqual([v === CalicoCrdMode.NATIVE_V3 ? 'projectcalico.org.v3' : 'crd.projectcalico.org.v1', 'tigera-operator']),
    },
    {
      prop: 'kubernetesVersion',
      valid: fc.constantFrom('1.34', '1.35.2', '1.36', 'v1.37.1'),
      typed: isString,
      build: (_chart, v) => calico({ delivery: Delivery.argoCd(), crdMode: CalicoCrdMode.NATIVE_V3, kubernetesVersion: v })(native()),
      // Accepted only from 1.34; the v1 MutatingAdmissionPolicy capability exactly from 1.36 (GA).
      check: (objects, v: any) => {
        const [major, minor] = /^v?(\d+)\.(\d+)/.exec(v)!.slice(1).map(Number);
        expect(major > 1 || (major === 1 && minor >= 34)).toBe(true);
        expect(find(objects, 'Application', 'calico-v3-crds').spec.source.helm.apiVersions)
          .toEqual(major > 1 || minor >= 36 ? ['admissionregistration.k8s.io/v1/MutatingAdmissionPolicy'] : undefined);
      },
    },
    {
      prop: 'ipPools',
      valid: fc.constantFrom([{ cidr: POD_CIDR }], [{ cidr: '10.244.0.0/17', natOutgoing: false }, { cidr: '10.244.128.0/17', encapsulation: CalicoEncapsulation.VXLAN }]),
      typed: absentOr(arrayOf(isPool)),
      build: (chart, v) => calico({ ipPools: v })(chart),
      // Exactly the pools given (or one per pod CIDR), natOutgoing the CRD's enum, each inside the pod CIDR.
      check: (objects, v: any) => {
        const pools = network(objects).ipPools;
        expect(pools.map((p: any) => p.cidr)).toEqual(v === undefined ? [POD_CIDR] : v.map((p: any) => p.cidr));
        expect(pools.map((p: any) => p.natOutgoing)).toEqual((v ?? [{}]).map((p: any) => (p.natOutgoing === false ? 'Disabled' : 'Enabled')));
        for (const p of pools) expect(cidrContainsCidr(parseCidr(POD_CIDR), parseCidr(p.cidr))).toBe(true);
      },
      lookAlikes: fc.oneof(
        fc.array(pool, { maxLength: 2 }), fc.array(garbage, { minLength: 1, maxLength: 2 }), fc.constantFrom([undefined], [null], [POD_CIDR])),
    },
    {
      prop: 'bgp',
      valid: fc.boolean(),
      typed: absentOr(isBoolean),
      build: (chart, v) => calico({ bgp: v })(chart),
      // 'false' from a jsii caller never turns BGP (and its BGPConfiguration) on.
      check: (objects, v) => {
        expect(network(objects).bgp).toBe(v === true ? 'Enabled' : 'Disabled');
        expect(ofKind(objects, 'BGPConfiguration')).toHaveLength(v === true ? 1 : 0);
      },
    },
    {
      prop: 'bgpConfiguration',
      valid: fc.constantFrom({}, { asNumber: 65000, nodeToNodeMesh: false, advertiseServiceCidrs: true }),
      typed: absentOr((v) => isPlain(v) && absentOr(isNumber)(v.asNumber) && absentOr(isBoolean)(v.nodeToNodeMesh)
        && absentOr(isBoolean)(v.advertiseServiceCidrs)),
      build: (chart, v) => calico({ bgp: true, bgpConfiguration: v })(chart),
      check: (objects, v: any) => expect(find(objects, 'BGPConfiguration', 'default').spec).toEqual({
        asNumber: v?.asNumber ?? 64512,
        nodeToNodeMeshEnabled: v?.nodeToNodeMesh ?? true,
        ...(v?.advertiseServiceCidrs === true ? { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] } : {}),
      }),
      lookAlikes: fc.record(
        { asNumber: maybe(fc.constant(65000)), nodeToNodeMesh: maybe(fc.boolean()), advertiseServiceCidrs: maybe(fc.boolean()) },
        { requiredKeys: [] }),
    },
    {
      prop: 'dataplane',
      valid: fc.constantFrom(...Object.values(CalicoDataplane)),
      typed: absentOr(oneOf(Object.values(CalicoDataplane))),
      build: (chart, v) => calico({ dataplane: v })(chart),
      check: (objects, v) => expect(network(objects).linuxDataplane).toBe(v ?? 'Iptables'),
    },
    {
      prop: 'mtu',
      valid: fc.integer({ min: 576, max: 9216 }),
      typed: absentOr(isInteger),
      build: (chart, v) => calico({ mtu: v })(chart),
      check: (objects, v) => expect(network(objects).mtu).toBe(v),
    },
    ...(['wireguard', 'goldmane'] as const).map((prop): Case => ({
      prop,
      valid: fc.boolean(),
      typed: absentOr(isBoolean),
      build: (chart, v) => calico({ [prop]: v })(chart),
      check: (objects, v) => expect(ofKind(objects, prop === 'wireguard' ? 'FelixConfiguration' : 'Goldmane')).toHaveLength(v === true ? 1 : 0),
    })),
    {
      prop: 'whisker',
      valid: fc.boolean(),
      typed: absentOr(isBoolean),
      build: (chart, v) => calico({ goldmane: true, whisker: v })(chart),
      check: (objects, v) => expect(ofKind(objects, 'Whisker')).toHaveLength(v === true ? 1 : 0),
    },
    {
      prop: 'kubernetesProvider',
      valid: fc.constantFrom(...Object.values(CalicoKubernetesProvider)),
      typed: absentOr(oneOf(Object.values(CalicoKubernetesProvider))),
      build: (chart, v) => calico({ kubernetesProvider: v })(chart),
      check: (objects, v) => expect(installation(objects).kubernetesProvider).toBe(v),
    },
    {
      prop: 'registry',
      valid: fc.constantFrom('quay.io/', 'registry.example.com/mirror/'),
      typed: absentOr(isString),
      build: (chart, v) => calico({ registry: v })(chart),
      check: (objects, v) => expect(installation(objects).registry).toBe(v),
    },
    {
      prop: 'installationOverrides',
      valid: fc.constantFrom({ calicoNetwork: { mtu: 1400 } }, { controlPlaneReplicas: 2 }, { calicoNetwork: { hostPorts: 'Disabled' } }),
      typed: isInstallationSpec,
      build: (chart, v) => calico({ installationOverrides: v })(chart),
      // What the overrides set is emitted as set; the pools stay the ClusterNetwork's unless overridden.
      check: (objects, v: any) => {
        const spec = installation(objects);
        if (v?.calicoNetwork?.mtu !== undefined) expect(spec.calicoNetwork.mtu).toBe(v.calicoNetwork.mtu);
        if (v?.registry !== undefined) expect(spec.registry).toBe(v.registry);
        if (v?.variant !== undefined) expect(spec.variant).toBe(v.variant);
        if (v?.calicoNetwork?.ipPools === undefined) expect(spec.calicoNetwork.ipPools.map((p: any) => p.cidr)).toEqual([POD_CIDR]);
      },
      lookAlikes: overrideLookAlikes,
    },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => garbageProperty(iptables, cases, 600));

  const bpf = { dataplane: CalicoDataplane.BPF, nodeAddressAutodetectionV4: CalicoNodeAddressAutodetection.kubernetesInternalIp() };
  const bpfCases: Case[] = [
    {
      prop: 'kubernetesServiceEndpoint',
      valid: fc.constantFrom({ host: '10.0.0.1' }, { host: 'api.example.com', port: 443 }),
      typed: absentOr((v) => isPlain(v) && isString(v.host) && absentOr(isNumber)(v.port)),
      build: (chart, v) => calico({ ...bpf, kubernetesServiceEndpoint: v })(chart),
      // The real API server address, exactly as given.
      check: (objects, v: any) => expect(find(objects, 'ConfigMap', 'kubernetes-services-endpoint').data)
        .toEqual({ KUBERNETES_SERVICE_HOST: v.host, KUBERNETES_SERVICE_PORT: String(v.port ?? 6443) }),
      lookAlikes: fc.record({ host: maybe(fc.constant('10.0.0.1')), port: maybe(fc.constant(6443)) }, { requiredKeys: [] }),
    },
    {
      prop: 'operatorManagesKubeProxy',
      valid: fc.boolean(),
      typed: absentOr(isBoolean),
      build: (chart, v) => calico({ ...bpf, operatorManagesKubeProxy: v })(chart),
      check: (objects, v) => {
        expect(v).toBe(true);
        expect([network(objects).bpfNetworkBootstrap, network(objects).kubeProxyManagement]).toEqual(['Enabled', 'Enabled']);
      },
    },
    {
      prop: 'nodeAddressAutodetectionV4',
      valid: autodetections,
      typed: absentOr((v) => v instanceof CalicoNodeAddressAutodetection),
      build: (chart, v) => calico({ ...bpf, operatorManagesKubeProxy: true, nodeAddressAutodetectionV4: v })(chart),
      check: (objects, v: any) => expect(network(objects).nodeAddressAutodetectionV4).toEqual(v._spec),
      lookAlikes: autodetectionLookAlikes,
    },
  ];
  test('eBPF props: a named error, or its declared type with exactly that meaning', () => garbageProperty(replaced, bpfCases, NUM_RUNS));

  const dualStack = () => chartFor(Cni.calico(), {
    ipFamilies: [IpFamily.IPV4, IpFamily.IPV6], podCidrs: [POD_CIDR, 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'],
  });
  const v6: Case = {
    prop: 'nodeAddressAutodetectionV6',
    valid: fc.constantFrom(CalicoNodeAddressAutodetection.firstFound(), CalicoNodeAddressAutodetection.cidrs(['fd00:10::/64'])),
    typed: absentOr((v) => v instanceof CalicoNodeAddressAutodetection),
    build: (chart, v) => calico({ nodeAddressAutodetectionV6: v })(chart),
    check: (objects, v: any) => expect(network(objects).nodeAddressAutodetectionV6).toEqual(v?._spec),
    lookAlikes: autodetectionLookAlikes,
  };
  test('nodeAddressAutodetectionV6 (dual stack): a named error, or exactly that method', () => garbageProperty(dualStack, [v6], 80));
});

describe('CalicoNodeAddressAutodetection factories', () => {
  /** The method in an Installation (the iptables dataplane takes any autodetection too). */
  const emitted = (detection: CalicoNodeAddressAutodetection) =>
    network(calico({ nodeAddressAutodetectionV4: detection })(iptables())).nodeAddressAutodetectionV4;
  const regex = fc.oneof(garbage, fc.constantFrom('eth0', 'ens.*', 'eth[0-9]+', '(?i)ETH0', '*', 'eth('));

  test('interfaceName(regex) and skipInterfaceName(regex): a named error, or exactly that regular expression', () => {
    fc.assert(fc.property(regex, fc.boolean(), (r, skip) => {
      const factory = skip ? 'skipInterfaceName' : 'interfaceName';
      expectNamedOrTyped(r, [`CalicoNodeAddressAutodetection.${factory}`], (x: any) => emitted(CalicoNodeAddressAutodetection[factory](x)), isString,
        (spec, x) => {
          expect(spec).toEqual({ [skip ? 'skipInterface' : 'interface']: x });
          // A regular expression: what JavaScript compiles once a leading RE2 flag group such as (?i) is set aside.
          expect(() => new RegExp((x as string).replace(/^\(\?[imsU]+\)/, ''))).not.toThrow();
        });
    }), runs(NUM_RUNS));
  });

  test('canReach(destination): a named error, or exactly that IP address or host name', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.constantFrom('8.8.8.8', 'www.example.com', '2001:db8::1')), (d) => {
      expectNamedOrTyped(d, ['CalicoNodeAddressAutodetection.canReach'], (x: any) => emitted(CalicoNodeAddressAutodetection.canReach(x)), isString,
        (spec, x: any) => {
          expect(spec).toEqual({ canReach: x });
          expect(!!parseIpLoose(x) || /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(x)).toBe(true);
        });
    }), runs(NUM_RUNS));
  });

  test('cidrs(cidrs): a named error, or exactly those CIDRs (each a CIDR)', () => {
    const cidrs = fc.oneof(garbage, fc.array(fc.oneof(garbage, fc.constantFrom('10.0.0.0/8', '192.168.1.0/24', 'fd00::/64')), { maxLength: 3 }));
    fc.assert(fc.property(cidrs, (c) => {
      expectNamedOrTyped(c, ['CalicoNodeAddressAutodetection.cidrs'], (x: any) => emitted(CalicoNodeAddressAutodetection.cidrs(x)),
        (x) => arrayOf(isString)(x) && (x as unknown[]).length > 0,
        (spec, x: any) => {
          expect(spec).toEqual({ cidrs: x });
          for (const cidr of spec.cidrs) expect(() => parseCidr(cidr)).not.toThrow();
        });
    }), runs(NUM_RUNS));
  });
});
