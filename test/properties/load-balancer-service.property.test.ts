/**
 * Property: LoadBalancerService, given JavaScript-level garbage for one prop (or the whole props),
 * fails with a ValidationError naming the construct path and the prop, or accepts a value of the
 * declared type only, synthesizes schema-valid objects, and admits no more than that value says
 * (exact source ranges and ports on the Service and in the policy).
 */
import { Chart } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AwsNlbTargetType, Cni, ExternalTrafficPolicy, KubeProxyMode, LoadBalancerCloud, LoadBalancerService, Protocol, ServiceIpFamilyPolicy,
} from '../../src';
import { chartFor, synthValid } from '../support/synth';
import { isPlain, isStringMap } from './support/garbage';
import { Case, absentOr, arrayOf, garbageProperty, isBoolean, isString, oneOf } from './support/garbage-cases';

const BASE = { namespace: 'shop', podSelector: { app: 'web' }, ports: [{ port: 443, targetPort: 8443 }], allowedSourceRanges: ['203.0.113.0/24'] };
const lb = (props: Record<string, unknown>) => (chart: Chart) => {
  new LoadBalancerService(chart, 'x', { ...BASE, ...props } as any);
  return synthValid(chart);
};
const isPortStruct = (v: unknown) => isPlain(v) && Number.isInteger(v.port);

const cases: Case[] = [
  {
    prop: 'props',
    valid: fc.constant(BASE),
    typed: (v) => isPlain(v) && isString(v.namespace) && isStringMap(v.podSelector) && Array.isArray(v.ports),
    build: (chart, v) => { new LoadBalancerService(chart, 'x', v as any); return synthValid(chart); },
  },
  { prop: 'namespace', valid: fc.constant('shop'), typed: isString, build: (chart, v) => lb({ namespace: v })(chart) },
  { prop: 'podSelector', valid: fc.constant({ app: 'web' }), typed: isStringMap, build: (chart, v) => lb({ podSelector: v })(chart) },
  {
    prop: 'ports',
    valid: fc.constantFrom([{ port: 80 }], [{ name: 'a', port: 80, targetPortName: 'http' }, { name: 'b', port: 53, protocol: Protocol.UDP }]),
    typed: arrayOf(isPortStruct),
    build: (chart, v) => lb({ ports: v })(chart),
    // Exactly the Service ports given, and the policy opens their target ports only.
    check: (objects, v) => {
      const given = v as any[];
      expect(objects[0].spec.ports.map((p: any) => p.port)).toEqual(given.map((p) => p.port));
      expect(objects[1].spec.ingress[0].ports.map((p: any) => p.port).sort())
        .toEqual([...new Set(given.map((p) => p.targetPortName ?? p.targetPort ?? p.port))].sort());
    },
  },
  {
    prop: 'allowedSourceRanges',
    valid: fc.constantFrom(['203.0.113.0/24'], ['198.51.100.0/24', '192.0.2.7/32']),
    typed: arrayOf(isString),
    build: (chart, v) => lb({ allowedSourceRanges: v })(chart),
    // Never a range nobody asked for.
    check: (objects, v) => {
      expect(objects[0].spec.loadBalancerSourceRanges).toEqual(v);
      expect(objects[1].spec.ingress[0].from.map((f: any) => f.ipBlock.cidr)).toEqual(v);
    },
  },
  {
    prop: 'allowFromAnywhere',
    valid: fc.constant(true),
    typed: (v) => v === true,
    build: (chart, v) => lb({ allowedSourceRanges: undefined, allowFromAnywhere: v })(chart),
  },
  {
    prop: 'externalTrafficPolicy',
    valid: fc.constant(ExternalTrafficPolicy.LOCAL),
    typed: absentOr(oneOf([ExternalTrafficPolicy.LOCAL])),
    build: (chart, v) => lb({ externalTrafficPolicy: v })(chart),
  },
  {
    prop: 'clientAddressPreservedWithCluster',
    valid: fc.boolean(),
    typed: absentOr(isBoolean),
    build: (chart, v) => lb({ externalTrafficPolicy: ExternalTrafficPolicy.CLUSTER, clientAddressPreservedWithCluster: v })(chart),
  },
  {
    prop: 'internal',
    valid: fc.boolean(),
    typed: absentOr(isBoolean),
    build: (chart, v) => lb({ internal: v, cloud: LoadBalancerCloud.gke() })(chart),
    check: (objects, v) => expect(objects[0].metadata.annotations).toEqual(v === true ? { 'networking.gke.io/load-balancer-type': 'Internal' } : undefined),
  },
  {
    prop: 'cloud',
    valid: fc.constantFrom(LoadBalancerCloud.aws(), LoadBalancerCloud.aws({ targetType: AwsNlbTargetType.IP, healthCheck: { subnetCidrs: ['10.0.1.0/24'] } }), LoadBalancerCloud.azure()),
    typed: (v) => v === undefined || v instanceof LoadBalancerCloud,
    build: (chart, v) => lb({ cloud: v })(chart),
    lookAlikes: fc.constant({ _kind: 'aws', _awsTargetType: 'ip', _annotations: () => ({}) }),
  },
  { prop: 'loadBalancerClass', valid: fc.constant('service.k8s.aws/nlb'), typed: absentOr(isString), build: (chart, v) => lb({ loadBalancerClass: v })(chart) },
  {
    prop: 'ipFamilyPolicy',
    valid: fc.constantFrom(ServiceIpFamilyPolicy.SINGLE_STACK, ServiceIpFamilyPolicy.PREFER_DUAL_STACK),
    typed: absentOr(oneOf(Object.values(ServiceIpFamilyPolicy))),
    build: (chart, v) => lb({ ipFamilyPolicy: v })(chart),
  },
  { prop: 'name', valid: fc.constant('web'), typed: absentOr(isString), build: (chart, v) => lb({ name: v })(chart) },
  { prop: 'annotations', valid: fc.constant({ 'example.com/team': 'shop' }), typed: absentOr(isStringMap), build: (chart, v) => lb({ annotations: v })(chart) },
];

test('LoadBalancerService, every prop: a named error, or its declared type with exactly that meaning', () => {
  // Calico with kube-proxy replaced (eBPF), where clientAddressPreservedWithCluster can be true.
  garbageProperty(() => chartFor(Cni.calico(), { kubeProxyMode: KubeProxyMode.REPLACED }), cases, 200);
});
