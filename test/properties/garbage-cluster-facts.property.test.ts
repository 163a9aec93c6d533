/**
 * Property: the ClusterNetwork props the platform constructs read (kubeProxyMode, nodeLocalDns,
 * nodeLocalDnsIp, dns, podCidrs, serviceCidrs, ipFamilies), given JavaScript-level garbage on every
 * CNI kind, either fail with a ValidationError naming the ClusterNetwork and the prop (never a
 * TypeError, never an error that surfaces only later in CalicoInstallation, CiliumInstall or
 * NodeLocalDNS), or accept a value of the declared type only; then the cluster fact is exactly the
 * one given (or the CNI's default), and the platform constructs emit exactly what that fact says:
 * Cilium's kube-proxy replacement switch, the NodeLocal DNS variant and the addresses it binds.
 */
import { Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CalicoInstallation, CiliumInstall, ClusterNetwork, Cni, CniCapabilities, CniKind, IpFamily, KubeProxyMode, NodeLocalDNS,
} from '../../src';
import { find, ofKind } from '../support/synth';
import { runs } from './support/config';
import { expectNamedOrTyped, garbage, isPlain, isStringMap, mapOf } from './support/garbage';
import { absentOr, arrayOf, isBoolean, isString, maybe, oneOf, synthApp } from './support/garbage-cases';

const NUM_RUNS = 200;
const KPR = { k8sServiceHost: '10.0.0.1', k8sServicePort: 6443 };
const MODES = Object.values(KubeProxyMode);
const CAPABILITY_KEYS = ['enforcesNetworkPolicy', 'deny', 'ordering', 'clusterWide', 'l7', 'fqdn', 'entities', 'clusterNetworkPolicy'] as const;
/** The capabilities of a CNI that enforces plain NetworkPolicy and nothing more. */
const ENFORCES_NETWORK_POLICY_ONLY = Object.fromEntries(CAPABILITY_KEYS.map((k) => [k, k === 'enforcesNetworkPolicy'])) as unknown as CniCapabilities;

/** A CNI of one kind, and what its options say about kube-proxy (undefined: nothing). */
interface CniVariant {
  readonly label: string;
  readonly cni: () => Cni;
  readonly replaces?: boolean;
  /** The platform construct that installs this CNI, if the library has one. */
  readonly install?: (chart: Chart) => unknown;
}

/**
 * Every CNI kind with the option variants that matter for the cluster facts. Keyed by CniKind: a new
 * kind fails compilation here until it says how it is installed and what it says about kube-proxy.
 */
const VARIANTS: { readonly [K in CniKind]: readonly CniVariant[] } = {
  [CniKind.KUBERNETES]: [
    { label: 'kubernetes', cni: () => Cni.kubernetes() },
    {
      label: 'custom',
      cni: () => Cni.custom('antrea', ENFORCES_NETWORK_POLICY_ONLY),
    },
  ],
  [CniKind.CALICO]: [{ label: 'calico', cni: () => Cni.calico(), install: (chart) => new CalicoInstallation(chart, 'x', {}) }],
  [CniKind.CILIUM]: [
    { label: 'cilium kpr', cni: () => Cni.cilium(), replaces: true, install: (chart) => new CiliumInstall(chart, 'x', KPR) },
    { label: 'cilium without kpr', cni: () => Cni.cilium({ kubeProxyReplacement: false }), replaces: false, install: (chart) => new CiliumInstall(chart, 'x', {}) },
  ],
  [CniKind.FLANNEL]: [{ label: 'flannel', cni: () => Cni.flannel() }],
};
const ALL_VARIANTS: readonly CniVariant[] = Object.values(VARIANTS).flat();

/** The kube-proxy mode a typed `given` must resolve to on `variant`, or 'error' where the CNI's options contradict it. */
function expectedMode(variant: CniVariant, given: KubeProxyMode | undefined): KubeProxyMode | 'error' {
  if (variant.replaces === undefined) return given ?? KubeProxyMode.IPTABLES;
  if (given === undefined) return variant.replaces ? KubeProxyMode.REPLACED : KubeProxyMode.IPTABLES;
  return (given === KubeProxyMode.REPLACED) === variant.replaces ? given : 'error';
}

/** One ClusterNetwork prop: extra props it needs to matter, values of its type, the type. */
interface FactCase {
  readonly prop: string;
  readonly props: (v: unknown) => Record<string, unknown>;
  readonly valid: fc.Arbitrary<unknown>;
  readonly typed: (v: unknown) => boolean;
  readonly check?: (built: Built, v: unknown, variant: CniVariant) => void;
}

/** What a case built: the ClusterNetwork, the install construct (if any) and every synthesized object. */
interface Built {
  readonly cn: ClusterNetwork;
  readonly install: unknown;
  readonly objects: any[];
}

const dnsArgs = (objects: any[]) => find(objects, 'DaemonSet', 'node-local-dns', 'kube-system').spec.template.spec.containers[0].args;

const CASES: readonly FactCase[] = [
  {
    prop: 'kubeProxyMode',
    props: (v) => ({ kubeProxyMode: v, nodeLocalDns: true }),
    valid: fc.constantFrom(...MODES),
    typed: absentOr(oneOf(MODES)),
    check: ({ cn, install, objects }, v, variant) => {
      const mode = expectedMode(variant, v as KubeProxyMode | undefined);
      expect(cn.kubeProxyMode).toBe(mode);
      // Cilium's Helm values replace kube-proxy exactly when the cluster fact says so.
      if (install instanceof CiliumInstall) {
        expect([install.kubeProxyReplacement, install.values.kubeProxyReplacement])
          .toEqual(mode === KubeProxyMode.REPLACED ? [true, 'true'] : [false, 'false']);
      }
      // The cache listens exactly where the DNS allows point for that mode.
      if (mode === KubeProxyMode.IPTABLES) expect(dnsArgs(objects).slice(0, 2)).toEqual(['-localip', '169.254.20.10,10.96.0.10']);
      if (mode === KubeProxyMode.IPVS) expect(dnsArgs(objects).slice(0, 2)).toEqual(['-localip', '169.254.20.10']);
      expect(ofKind(objects, 'CiliumLocalRedirectPolicy').length).toBe(mode === KubeProxyMode.REPLACED ? 1 : 0);
    },
  },
  {
    prop: 'nodeLocalDns',
    props: (v) => ({ nodeLocalDns: v }),
    valid: fc.boolean(),
    typed: absentOr(isBoolean),
    // 'false' from a jsii caller never turns the cache (and the DNS allows it opens) on.
    check: ({ cn, objects }, v) => {
      expect(cn.nodeLocalDnsIp).toBe(v === true ? '169.254.20.10' : undefined);
      expect(ofKind(objects, 'DaemonSet').length).toBe(v === true ? 1 : 0);
    },
  },
  {
    prop: 'nodeLocalDnsIp',
    props: (v) => ({ nodeLocalDns: true, nodeLocalDnsIp: v }),
    valid: fc.constantFrom('169.254.20.10', '169.254.25.10'),
    typed: absentOr(isString),
    check: ({ cn, objects }, v) => {
      expect(cn.nodeLocalDnsIp).toBe(v ?? '169.254.20.10');
      const args = ofKind(objects, 'DaemonSet').length > 0 ? dnsArgs(objects) : undefined;
      if (args && cn.kubeProxyMode === KubeProxyMode.IPTABLES) expect(args.slice(0, 2)).toEqual(['-localip', `${v ?? '169.254.20.10'},10.96.0.10`]);
    },
  },
  {
    prop: 'dns',
    props: (v) => ({ nodeLocalDns: true, dns: v }),
    valid: fc.record({ serviceIp: maybe(fc.constant('10.96.0.53')), namespace: maybe(fc.constant('kube-system')), podLabels: maybe(mapOf(fc.constant('dns'))) }, { requiredKeys: [] }),
    typed: absentOr((v) => isPlain(v) && absentOr(isString)(v.serviceIp) && absentOr(isString)(v.namespace) && absentOr(isStringMap)(v.podLabels)),
    check: ({ cn, objects }, v: any) => {
      expect(cn.dnsServiceIp).toBe(v?.serviceIp ?? '10.96.0.10');
      if (cn.kubeProxyMode === KubeProxyMode.IPTABLES) expect(dnsArgs(objects).slice(0, 2)).toEqual(['-localip', `169.254.20.10,${cn.dnsServiceIp}`]);
    },
  },
  ...['podCidrs', 'serviceCidrs'].map((prop): FactCase => ({
    prop,
    props: (v) => ({ [prop]: v }),
    valid: fc.constant(prop === 'podCidrs' ? ['10.244.0.0/16'] : ['10.96.0.0/12']),
    typed: absentOr(arrayOf(isString)),
    check: ({ cn }, v) => expect(cn[prop as 'podCidrs' | 'serviceCidrs']).toEqual(v ?? [prop === 'podCidrs' ? '10.244.0.0/16' : '10.96.0.0/12']),
  })),
  {
    prop: 'ipFamilies',
    props: (v) => ({ ipFamilies: v }),
    valid: fc.constantFrom([IpFamily.IPV4], [IpFamily.IPV4, IpFamily.IPV6]),
    typed: absentOr(arrayOf(oneOf(Object.values(IpFamily)))),
    check: ({ cn }, v) => expect(cn.ipFamilies).toEqual([...new Set((v as IpFamily[] | undefined) ?? [IpFamily.IPV4])]),
  },
];

describe('ClusterNetwork facts the platform constructs read', () => {
  const pick = fc.tuple(fc.nat(ALL_VARIANTS.length - 1), fc.nat(CASES.length - 1))
    .chain(([vi, ci]) => fc.tuple(
      fc.constant(vi), fc.constant(ci), fc.oneof({ weight: 3, arbitrary: garbage }, { weight: 2, arbitrary: CASES[ci].valid }),
    ));

  test('garbage on every CNI kind: a named error at the ClusterNetwork, or its declared type and exactly that fact downstream', () => {
    fc.assert(fc.property(pick, ([vi, ci, value]) => {
      const variant = ALL_VARIANTS[vi];
      const c = CASES[ci];
      expectNamedOrTyped(value, ['test/cluster', 'test/x', 'test/dns'], (v) => {
        const chart = Testing.chart();
        const cn = new ClusterNetwork(chart, 'cluster', { cni: variant.cni(), ...c.props(v) } as any);
        // Garbage must be refused by the ClusterNetwork itself, never left for a later construct to trip over.
        if (!c.typed(v)) throw new Error(`${c.prop}: the ClusterNetwork accepted a value not of the declared type`);
        const install = variant.install?.(chart);
        if (cn.nodeLocalDnsIp !== undefined) new NodeLocalDNS(chart, 'dns');
        return { cn, install, objects: synthApp(chart) };
      }, c.typed, (built: Built, v) => c.check?.(built, v, variant));
    }), runs(NUM_RUNS));
  });

  test('kubeProxyMode: every typed value on every CNI variant resolves as the CNI options allow, or is a named error', () => {
    for (const variant of ALL_VARIANTS) {
      for (const given of [undefined, ...MODES]) {
        const expected = expectedMode(variant, given);
        const build = () => new ClusterNetwork(Testing.chart(), 'cluster', { cni: variant.cni(), kubeProxyMode: given });
        if (expected === 'error') {
          expect(build).toThrow(/^\[test\/cluster\] kubeProxyMode: '(iptables|ipvs|replaced)' contradicts Cni\.cilium\(\{ kubeProxyReplacement: (true|false) \}\)/);
        } else {
          expect(build().kubeProxyMode).toBe(expected);
        }
      }
    }
  });

  test('absent optional props may arrive as null from JSON only where the API says so: null kubeProxyMode is a named error', () => {
    for (const variant of ALL_VARIANTS) {
      expect(() => new ClusterNetwork(Testing.chart(), 'cluster', { cni: variant.cni(), kubeProxyMode: null } as any))
        .toThrow('[test/cluster] kubeProxyMode: null is not a KubeProxyMode (one of iptables, ipvs, replaced)');
    }
  });
});


describe('Cni construction from plain JavaScript', () => {
  const CniClass = Cni as unknown as new (...args: unknown[]) => Cni;
  const made = [Cni.kubernetes(), Cni.calico(), Cni.cilium(), Cni.flannel()];

  test('new Cni(...) with any arguments (TypeScript\'s private is erased): a named error, never a Cni', () => {
    fc.assert(fc.property(fc.array(garbage, { maxLength: 5 }), (args) => {
      expectNamedOrTyped(args, ['Cni'], (a) => new CniClass(...(a as unknown[])), () => false);
    }), runs(NUM_RUNS));
    // Not even with the arguments a factory would pass.
    const calico = Cni.calico();
    expect(() => new CniClass('calico', calico.capabilities, calico._settings, calico._facts))
      .toThrow(/^\[Cni\] constructor: a Cni is made by one of its factories/);
  });

  test('a subclass made in plain JavaScript cannot construct', () => {
    const Sub = class extends CniClass {};
    expect(() => new Sub('x')).toThrow(/^\[Cni\] constructor: /);
  });

  test('ClusterNetwork refuses look-alikes that pass instanceof: a named error, not a TypeError on the missing facts', () => {
    const lookAlikes: unknown[] = [
      Object.create(Cni.prototype),
      // A copy of every field of a real Cni, on the Cni prototype.
      ...made.map((cni) => Object.assign(Object.create(Cni.prototype), cni)),
      // A frozen real Cni wrapped in a proxy is not the object the factory made either.
      new Proxy(Cni.calico(), {}),
    ];
    for (const cni of lookAlikes) {
      expect(() => new ClusterNetwork(Testing.chart(), 'cluster', { cni } as any))
        .toThrow(/^\[test\/cluster\] cni: must be a Cni made by one of its factories: Cni\.kubernetes\(\), .* not a hand-built object$/);
    }
    // Every factory-made Cni is accepted.
    for (const cni of made) expect(new ClusterNetwork(Testing.chart(), 'cluster', { cni }).cni).toBe(cni);
  });
});
