/**
 * Property: NodeLocalDNS and the Delivery factories, given JavaScript-level garbage for one prop or
 * argument, either fail with a ValidationError naming the construct path (or the factory) and the
 * prop, or accept a value of the declared type only and emit exactly what that value asks for: the
 * cache listens where the ClusterNetwork's DNS allows point, and the delivery objects carry exactly
 * the namespace, interval, project, server and retries given.
 */
import * as fc from 'fast-check';
import { CalicoInstallation, Cni, Delivery, KubeProxyMode, NodeLocalDNS } from '../../src';
import { chartFor, find, ofKind } from '../support/synth';
import { runs } from './support/config';
import { expectNamedOrTyped, garbage, isPlain } from './support/garbage';
import { Case, absentOr, garbageProperty, isNumber, isString, maybe, oneOf, synthApp } from './support/garbage-cases';

const NUM_RUNS = 150;
const LOCAL_IP = '169.254.20.10';
const KUBE_DNS_IP = '10.96.0.10';

describe('NodeLocalDNS', () => {
  const chart = () => chartFor(Cni.calico(), { nodeLocalDns: true });
  const dns = (props: Record<string, unknown>) => (c: any) => {
    new NodeLocalDNS(c, 'x', props as any);
    return synthApp(c);
  };
  const container = (objects: any[]) => find(objects, 'DaemonSet', 'node-local-dns', 'kube-system').spec.template.spec.containers[0];
  /** iptables mode: the cache binds exactly the local IP and the kube-dns ClusterIP the DNS allows open, nothing else. */
  const listens = (objects: any[]) => expect(container(objects).args.slice(0, 2)).toEqual(['-localip', `${LOCAL_IP},${KUBE_DNS_IP}`]);
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant({}), typed: (v) => v === undefined || isPlain(v), build: (c, v) => { new NodeLocalDNS(c, 'x', v as any); return synthApp(c); }, check: listens },
    { prop: 'localIp', valid: fc.constantFrom(LOCAL_IP, '169.254.020.010'), typed: absentOr(isString), build: (c, v) => dns({ localIp: v })(c), check: listens },
    { prop: 'kubeDnsIp', valid: fc.constant(KUBE_DNS_IP), typed: absentOr(isString), build: (c, v) => dns({ kubeDnsIp: v })(c), check: listens },
    {
      prop: 'kubeProxyMode',
      valid: fc.constantFrom(...Object.values(KubeProxyMode)),
      typed: absentOr(oneOf(Object.values(KubeProxyMode))),
      build: (c, v) => dns({ kubeProxyMode: v })(c),
      check: listens,
    },
    {
      prop: 'clusterDomain',
      valid: fc.constantFrom('cluster.local', 'k8s.example.org'),
      typed: absentOr(isString),
      build: (c, v) => dns({ clusterDomain: v })(c),
      check: (objects, v) => expect(find(objects, 'ConfigMap', 'node-local-dns', 'kube-system').data.Corefile.split('\n')[0]).toBe(`${v ?? 'cluster.local'}:53 {`),
    },
    {
      prop: 'image',
      valid: fc.constantFrom('registry.k8s.io/dns/k8s-dns-node-cache:1.26.4', 'mirror.example.com/dns/node-cache:1.26.4'),
      typed: absentOr(isString),
      build: (c, v) => dns({ image: v })(c),
      check: (objects, v) => expect(container(objects).image).toBe(v ?? 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4'),
    },
    {
      prop: 'resources',
      valid: fc.constantFrom({}, { cpuRequest: '50m', memoryRequest: '16Mi', memoryLimit: '64Mi' }),
      typed: absentOr((v) => isPlain(v) && absentOr(isString)(v.cpuRequest) && absentOr(isString)(v.memoryRequest)
        && absentOr(isString)(v.memoryLimit)),
      build: (c, v) => dns({ resources: v })(c),
      check: (objects, v: any) => expect(container(objects).resources).toEqual({
        requests: { cpu: v?.cpuRequest ?? '25m', memory: v?.memoryRequest ?? '5Mi' },
        ...(v?.memoryLimit !== undefined ? { limits: { memory: v.memoryLimit } } : {}),
      }),
      lookAlikes: fc.record({ cpuRequest: maybe(fc.constant('50m')), memoryRequest: maybe(fc.constant('16Mi')), memoryLimit: maybe(fc.constant('64Mi')) }, { requiredKeys: [] }),
    },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => garbageProperty(chart, cases, 250));
});

describe('Delivery factories', () => {
  /** The objects of a CalicoInstallation delivered by `delivery` (the operator step holds the delivery objects). */
  const delivered = (delivery: Delivery) => {
    const chart = chartFor(Cni.calico());
    new CalicoInstallation(chart, 'x', { delivery });
    return synthApp(chart);
  };

  test('Delivery.flux(options): a named error, or releases in exactly that namespace, interval and retries', () => {
    const options = fc.oneof(garbage, fc.constantFrom({ namespace: { toString: 0 } }, { interval: null }, { remediationRetries: null }), fc.record({
      namespace: maybe(fc.constantFrom('flux-system', 'gitops')),
      interval: maybe(fc.constantFrom('10m', '1h', '1h30m')),
      remediationRetries: maybe(fc.integer({ min: 0, max: 10 })),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['Delivery.flux'], (x: any) => delivered(Delivery.flux(x)),
        (x) => x === undefined || (isPlain(x) && absentOr(isString)(x.namespace) && absentOr(isString)(x.interval)
          && absentOr(isNumber)(x.remediationRetries)),
        (objects, x: any) => {
          const releases = ofKind(objects, 'HelmRelease');
          expect(releases.map((r) => r.metadata.name)).toEqual(['calico-crds', 'tigera-operator']);
          for (const r of releases) {
            expect(r.metadata.namespace).toBe(x?.namespace ?? 'flux-system');
            expect(r.spec.interval).toBe(x?.interval ?? '1h');
            // A failed CNI install is retried as often as asked, never endlessly.
            expect(r.spec.install.remediation).toEqual({ retries: x?.remediationRetries ?? 3 });
          }
        });
    }), runs(NUM_RUNS));
  });

  test('Delivery.argoCd(options): a named error, or Applications with exactly that namespace, project, server, sync policy and retries', () => {
    const options = fc.oneof(garbage, fc.constantFrom({ automated: null }, { automated: 'false' }, { namespace: { toString: 0 } }), fc.record({
      namespace: maybe(fc.constantFrom('argocd', 'gitops')),
      project: maybe(fc.constantFrom('default', 'platform')),
      destinationServer: maybe(fc.constantFrom('https://kubernetes.default.svc', 'https://10.0.0.1:6443')),
      automated: maybe(fc.boolean()),
      retryLimit: maybe(fc.integer({ min: 0, max: 10 })),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['Delivery.argoCd'], (x: any) => delivered(Delivery.argoCd(x)),
        (x) => x === undefined || (isPlain(x) && absentOr(isString)(x.namespace) && absentOr(isString)(x.project)
          && absentOr(isString)(x.destinationServer)
          && absentOr((a) => typeof a === 'boolean')(x.automated) && absentOr(isNumber)(x.retryLimit)),
        (objects, x: any) => {
          const apps = ofKind(objects, 'Application');
          expect(apps.map((a) => a.metadata.name)).toEqual(['calico-crds', 'tigera-operator']);
          for (const a of apps) {
            expect(a.metadata.namespace).toBe(x?.namespace ?? 'argocd');
            expect([a.spec.project, a.spec.destination.server]).toEqual([x?.project ?? 'default', x?.destinationServer ?? 'https://kubernetes.default.svc']);
            // 'false' from a jsii caller never turns on automated prune.
            expect(a.spec.syncPolicy.automated).toEqual(x?.automated === false ? undefined : { prune: true, selfHeal: true });
            expect(a.spec.syncPolicy.retry?.limit).toBe((x?.retryLimit ?? 5) === 0 ? undefined : x?.retryLimit ?? 5);
          }
        });
    }), runs(NUM_RUNS));
  });

  test('Delivery.manifestsOnly(): no delivery objects, whatever it is called with', () => {
    fc.assert(fc.property(garbage, (x) => {
      const objects = delivered((Delivery.manifestsOnly as (...a: unknown[]) => Delivery)(x));
      expect([...ofKind(objects, 'HelmRelease'), ...ofKind(objects, 'Application'), ...ofKind(objects, 'HelmRepository')]).toEqual([]);
    }), runs(50));
  });
});
