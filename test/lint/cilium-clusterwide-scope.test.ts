/**
 * A CiliumClusterwideNetworkPolicy that selects every pod also isolates kube-system (CoreDNS, the
 * operators): PolicyLint warns, as it does for a Calico GlobalNetworkPolicy on all().
 */
import { brief } from './support';
import { Cni, Direction, PolicyLint, TenantIsolation, TrafficPolicy } from '../../src';
import { chartFor, synthValid } from '../support/synth';

const ccnp = (spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'c' }, spec });
const finding = { rule: 'cilium-clusterwide-scope', severity: 'warning', object: 'CiliumClusterwideNetworkPolicy c', path: 'spec.endpointSelector' };
const TO_DNS = [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }];

describe('cilium-clusterwide-scope', () => {
  test('an empty endpointSelector with egress rules: default deny for egress on every pod, kube-system included', () => {
    const findings = PolicyLint.check([ccnp({ endpointSelector: {}, egress: TO_DNS })]);
    expect(brief(findings)).toEqual([finding]);
    expect(findings[0].message).toBe("the endpointSelector selects kube-system's pods (CoreDNS among them), and the policy's default deny for egress "
      + 'covers them too');
  });

  test('selecting every pod by the namespace label: the same; deny rules alone (a metadata guard rail) are not reported', () => {
    const everyPod = { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] };
    expect(brief(PolicyLint.check([ccnp({ endpointSelector: everyPod, ingress: [{ fromEntities: ['cluster'] }] })]))).toEqual([finding]);
    expect(PolicyLint.check([ccnp({
      endpointSelector: everyPod, egressDeny: [{ toCIDR: ['169.254.169.254/32'] }], enableDefaultDeny: { ingress: false, egress: false },
    })])).toEqual([]);
  });

  test('scoped away from kube-system, selecting an app, or only allowing without default deny: no finding', () => {
    const notKubeSystem = { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] };
    expect(PolicyLint.check([ccnp({ endpointSelector: notKubeSystem, egress: TO_DNS })])).toEqual([]);
    expect(PolicyLint.check([ccnp({ endpointSelector: { matchLabels: { app: 'web' } }, egress: TO_DNS })])).toEqual([]);
    expect(PolicyLint.check([ccnp({ endpointSelector: {}, egress: TO_DNS, enableDefaultDeny: { ingress: false, egress: false } })])).toEqual([]);
  });

  test('the library: a cluster-wide TrafficPolicy for every namespace is flagged; TenantIsolation guard rails are not', () => {
    const wide = chartFor(Cni.cilium());
    new TrafficPolicy(wide, 'p', { name: 'isolate-all', isolate: [Direction.EGRESS] });
    expect(brief(PolicyLint.check(synthValid(wide), { cni: Cni.cilium() })).map((f) => f.rule)).toEqual(['cilium-clusterwide-scope']);
    const tenants = chartFor(Cni.cilium());
    new TenantIsolation(tenants, 't', { tenants: ['acme', 'globex'] });
    expect(PolicyLint.check(synthValid(tenants), { cni: Cni.cilium() }).filter((f) => f.rule === 'cilium-clusterwide-scope')).toEqual([]);
  });
});
