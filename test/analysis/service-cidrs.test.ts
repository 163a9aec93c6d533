/**
 * A ClusterIP is never what a policy sees: kube-proxy (or the CNI's replacement) translates it to one
 * of the Service's pods first. The analyzer refuses to judge an address of the Service CIDRs as an
 * outside address, and the diff's external endpoints leave those CIDRs out.
 */
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { ZeroTrustNamespace } from '../../src/patterns/zero-trust-namespace';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';
import { chartFor } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

const cni = Cni.kubernetes();
const withPort = (p: number) => ({ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: p }] }] });
// Egress from web to 10.0.0.0/8 on 443: the Service CIDR below lies inside it.
const toTenNet = networkPolicy('shop', 'web-egress', {
  podSelector: { matchLabels: { app: 'web' } },
  policyTypes: ['Egress'],
  egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
});
const manifests = [namespace('shop'), deployment('shop', 'web', { app: 'web' }, withPort(8080)), toTenNet];
const web = Target.workload('shop', 'web');
const https = Port.tcp(443);
const CLUSTER_IP_MESSAGE = (ip: string, cidr: string) => `external ${ip} is in the Service CIDR ${cidr}: traffic to a ClusterIP is translated to one `
  + "of the Service's pods before any policy applies, so ask about those pods (Target.workload(), Target.pod())";

test('the manifests are valid', () => {
  expectValidManifests(manifests);
});

describe('Target.external() of a ClusterIP', () => {
  test('refused as a destination or a source, naming the Service CIDR', () => {
    const reach = Reachability.fromManifests(manifests, { cni, serviceCidrs: ['10.100.0.0/16'] });
    const asDestination = validationErrorOf(() => reach.check(web, Target.external('10.100.3.4'), https));
    expect([asDestination.path, asDestination.prop, asDestination.reason]).toEqual(
      ['Reachability.check', 'destination', CLUSTER_IP_MESSAGE('10.100.3.4', '10.100.0.0/16')]);
    const asSource = validationErrorOf(() => reach.check(Target.external('10.100.0.1'), web, Port.tcp(8080)));
    expect([asSource.prop, asSource.reason]).toEqual(['source', CLUSTER_IP_MESSAGE('10.100.0.1', '10.100.0.0/16')]);
    // An address outside the Service CIDR is still an outside address, inside the policy's 10.0.0.0/8.
    expect(reach.check(web, Target.external('10.101.0.1'), https).verdict).toBe(Verdict.ALLOW);
  });

  test('fromChart takes the Service CIDRs of the ClusterNetwork (10.96.0.0/12 by default)', () => {
    const chart = chartFor(cni);
    new ZeroTrustNamespace(chart, 'shop', { name: 'shop' });
    const reach = Reachability.fromChart(chart, { cni });
    expect(validationErrorOf(() => reach.check(Target.external('10.96.0.10'), Target.external('10.96.0.11'), https)).reason)
      .toBe(CLUSTER_IP_MESSAGE('10.96.0.10', '10.96.0.0/12'));
  });

  test('without Service CIDRs (fromManifests) the address is not checked', () => {
    expect(Reachability.fromManifests(manifests, { cni }).check(web, Target.external('10.100.3.4'), https).verdict).toBe(Verdict.ALLOW);
  });

  test('bad serviceCidrs are named', () => {
    expect(validationErrorOf(() => Reachability.fromManifests(manifests, { cni, serviceCidrs: '10.96.0.0/12' as any })).message)
      .toBe('[Reachability.fromManifests] options.serviceCidrs: must be a non-empty list of CIDRs, got "10.96.0.0/12"');
    expect(validationErrorOf(() => Reachability.fromManifests(manifests, { cni, serviceCidrs: ['10.96.0.0/12', 7 as any] })).message)
      .toBe('[Reachability.fromManifests] options.serviceCidrs[1]: must be a CIDR string, got the number 7');
  });
});

test('the diff\'s external endpoints leave the Service CIDRs out', () => {
  const base = Reachability.fromManifests(manifests.slice(0, 2), { cni, serviceCidrs: ['10.96.0.0/12'] });
  const head = Reachability.fromManifests(manifests, { cni, serviceCidrs: ['10.96.0.0/12'] });
  const diff = base.diff(head);
  expect(diff.externalEndpoints).toContain('external 10.0.0.0/8 except 10.96.0.0/12');
  expect(diff.externalEndpoints.filter((e) => e.startsWith('external 10.96.'))).toEqual([]);
});
