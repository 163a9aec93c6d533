/**
 * Pods without a stated IP are in Calico's IP pools when the manifests give them (Installation with
 * Calico CNI and IPAM and explicit calicoNetwork.ipPools, plus IPPool objects): a cluster-wide
 * policy on Peer.internet() (nets 0.0.0.0/0, notNets the private ranges and the pod CIDR) is then
 * exact for pod peers, without ReachabilityOptions.podCidrs (as the CLI reads a directory of YAML).
 */
import { App, Chart, Testing } from 'cdk8s';
import { evaluate, gnp, ingress, pod } from './helpers';
import { CalicoInstallation, ClusterNetwork, Cni, Peer, Port, RuleAction, TrafficPolicy } from '../../../src';
import { calicoPodAddressSpace } from '../../../src/analysis/calico/ip-pools';
import { Reachability } from '../../../src/analysis/reachability';
import { MAYBE, NO, Verdict, YES } from '../../../src/analysis/verdict';
import { synthAppValid } from '../../support/synth';
import { deployment, namespace, w } from '../fixtures';

/** The library's Calico install and a cluster-wide "no ingress from the internet" policy, as synthesized YAML. */
function platformObjects(exceptPrivateRanges: boolean): any[] {
  const app: App = Testing.app();
  const chart = new Chart(app, 'platform');
  new ClusterNetwork(chart, 'cluster', { cni: Cni.calico(), podCidrs: ['100.64.0.0/16'] });
  new CalicoInstallation(chart, 'calico', {});
  new TrafficPolicy(chart, 'no-internet', { name: 'deny-internet-ingress', ingress: [{ peers: [Peer.internet({ exceptPrivateRanges })], action: RuleAction.DENY }] });
  return synthAppValid(app).all;
}

const workloads = [
  namespace('shop'),
  deployment('shop', 'web', { app: 'web' }, { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] }),
  deployment('shop', 'client', { app: 'client' }),
];

describe('Peer.internet() in a GlobalNetworkPolicy, analysed from manifests without podCidrs', () => {
  test.each([true, false])('exceptPrivateRanges %s: a pod peer is outside "the internet" (the Calico pool 100.64.0.0/16 is in notNets)', (except) => {
    const reach = Reachability.fromManifests([...platformObjects(except), ...workloads], { cni: Cni.calico() });
    const policy = platformObjects(except).find((o) => o.kind === 'GlobalNetworkPolicy');
    expect(policy.spec.ingress[0].source.notNets).toContain('100.64.0.0/16');
    // Without the pools the client could have any address, inside "the internet" or not: indeterminate.
    expect(reach.check(w('shop/client'), w('shop/web'), Port.tcp(8080)).verdict).toBe(Verdict.ALLOW);
  });
});

describe('calicoPodAddressSpace', () => {
  const installation = (spec: any) => ({ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec });
  const ipPool = (cidr: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: cidr.replace(/[./]/g, '-') }, spec: { cidr } });
  const pools = { calicoNetwork: { ipPools: [{ cidr: '10.244.0.0/16' }] } };

  test('the Installation pools plus every IPPool object', () => {
    expect(calicoPodAddressSpace([installation(pools), ipPool('10.245.0.0/16')])?.description)
      .toBe('somewhere in the Calico IP pools 10.244.0.0/16, 10.245.0.0/16 (Calico IPAM)');
  });

  test.each([
    ['no Installation (IP pools are also used with host-local IPAM)', [ipPool('10.244.0.0/16')]],
    ['ipPools omitted (the operator picks 192.168.0.0/16 or the kubeadm pod subnet)', [installation({})]],
    ['another CNI', [installation({ ...pools, cni: { type: 'AmazonVPC' } })]],
    ['EKS without cni (AmazonVPC is the default there)', [installation({ ...pools, kubernetesProvider: 'EKS' })]],
    ['host-local IPAM', [installation({ ...pools, cni: { type: 'Calico', ipam: { type: 'HostLocal' } } })]],
    ['an unparsable pool', [installation({ calicoNetwork: { ipPools: [{ cidr: 'x' }] } })]],
    ['two Installations', [installation(pools), installation(pools)]],
  ])('unknown with %s', (_why, manifests) => {
    expect(calicoPodAddressSpace(manifests as any[])).toBeUndefined();
  });

  test('the model places pods without an IP in the pools: nets covering them match, a pod with a known IP stays exact', () => {
    const web = pod('shop', 'web', { app: 'web' });
    const client = pod('shop', 'client', { app: 'client' });
    const outside = pod('shop', 'odd', { app: 'odd' }, { ip: '192.0.2.7' });
    const policy = gnp('from-pods', { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { nets: ['10.244.0.0/16'] } }] });
    expect(evaluate([policy], ingress(client, web, 8080)).outcome).toBe(MAYBE);
    const withPools = [installation(pools), policy];
    const v = evaluate(withPools, ingress(client, web, 8080));
    expect([v.outcome, v.reasons[0].message]).toEqual([YES, 'GlobalNetworkPolicy from-pods spec.ingress[0] Allow (tier default, order unset)']);
    expect(evaluate(withPools, ingress(outside, web, 8080)).outcome).toBe(NO);
  });
});
