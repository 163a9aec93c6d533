/**
 * Host-side Calico enforcement the analyzer does not model must not give confident verdicts:
 * declared host endpoints (HostEndpoint objects, automatic host endpoints) make traffic to and from
 * nodes indeterminate, and together with applyOnForward / preDNAT / doNotTrack GlobalNetworkPolicies
 * also traffic to and from pods (docs.tigera.io reference/host-endpoints/forwarded, pre-dnat,
 * connectivity). Host -> local pod traffic bypasses pod policy on iptables and nftables
 * (felix/rules/static.go filterOutputChain); on another dataplane (eBPF: felix/bpf/polprog runs the
 * workload tiers for host traffic too) a denying pod policy makes it indeterminate.
 */
import { external, knp, NAMESPACES, pod } from './helpers';
import { Cni, Port } from '../../../src';
import { calicoModel } from '../../../src/analysis/calico';
import { Endpoint } from '../../../src/analysis/model';
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { expectValidManifests } from '../../support/schema';
import { checkContract } from '../fast-path-contract';
import { deployment, namespace, networkPolicy, w } from '../fixtures';

const web = deployment('shop', 'web', { app: 'web' }, { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] });
const workloads = [namespace('shop'), web];
const hostEndpoint = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'HostEndpoint',
  metadata: { name: 'node1-eth0', labels: { 'host-endpoint': 'ingress' } },
  spec: { node: 'node1', interfaceName: 'eth0', expectedIPs: ['10.0.0.1'] },
};
const autoHostEndpoints = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'KubeControllersConfiguration',
  metadata: { name: 'default' },
  spec: { controllers: { node: { hostEndpoint: { autoCreate: 'Enabled' } } } },
};
const preDnatDeny = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'block-bad-net' },
  spec: {
    selector: 'has(host-endpoint)',
    order: 10,
    preDNAT: true,
    applyOnForward: true,
    types: ['Ingress'],
    ingress: [{ action: 'Deny', source: { nets: ['203.0.113.0/24'] } }],
  },
};
const webDenyAll = networkPolicy('web-deny-all', 'shop', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
const installation = (linuxDataplane: string) => ({
  apiVersion: 'operator.tigera.io/v1', kind: 'Installation', metadata: { name: 'default' }, spec: { calicoNetwork: { linuxDataplane } },
});

function check(manifests: any[], from: Target, to: Target) {
  expectValidManifests(manifests);
  return Reachability.fromManifests(manifests, { cni: Cni.calico() }).check(from, to, Port.tcp(8080));
}

describe('host endpoints (uncertainty overlay)', () => {
  test('an explicit HostEndpoint denies what nothing allows on its node: traffic to a node is indeterminate even without policy', () => {
    expect(check(workloads, w('shop/web'), Target.remoteNode()).verdict).toBe(Verdict.ALLOW);
    const r = check([...workloads, hostEndpoint], w('shop/web'), Target.remoteNode());
    expect(r.verdict).toBe(Verdict.INDETERMINATE);
    expect(r.uncertainties).toContain('HostEndpoint node1-eth0 may deny traffic of a node on the path (a host endpoint denies what nothing allows; not evaluated)');
    // A host and its own pods talk without host endpoint policy (felix/rules/static.go).
    expect(check([...workloads, hostEndpoint], Target.localNode(), w('shop/web')).verdict).toBe(Verdict.ALLOW);
    expect(check([...workloads, hostEndpoint], w('shop/web'), Target.localNode()).verdict).toBe(Verdict.ALLOW);
  });

  test('automatic host endpoints (profile projectcalico-default-allow) or an explicit one with that profile deny nothing by themselves', () => {
    const withProfile = { ...hostEndpoint, spec: { ...hostEndpoint.spec, profiles: ['projectcalico-default-allow'] } };
    for (const hep of [autoHostEndpoints, withProfile]) {
      expect(check([...workloads, hep], w('shop/web'), Target.remoteNode()).verdict).toBe(Verdict.ALLOW);
    }
  });

  test('a preDNAT policy changes nothing without host endpoints; with one, traffic from outside to a pod is indeterminate', () => {
    const outside = Target.external('203.0.113.9');
    expect(check([...workloads, preDnatDeny], outside, w('shop/web')).verdict).toBe(Verdict.ALLOW);
    expect(check([...workloads, preDnatDeny, hostEndpoint], outside, w('shop/web')).verdict).toBe(Verdict.INDETERMINATE);
  });
});

describe('host -> local pod by dataplane', () => {
  test.each(['Iptables', 'Nftables'])('%s: always allowed, even against a default-deny', (dataplane) => {
    expect(check([...workloads, webDenyAll, installation(dataplane)], Target.localNode(), w('shop/web')).verdict).toBe(Verdict.ALLOW);
  });

  test('BPF: a denying pod policy makes it indeterminate; an allowing one stays allowed', () => {
    const r = check([...workloads, webDenyAll, installation('BPF')], Target.localNode(), w('shop/web'));
    expect(r.verdict).toBe(Verdict.INDETERMINATE);
    expect(r.uncertainties.join('\n')).toContain("the Installation's linuxDataplane is BPF");
    expect(check([...workloads, installation('BPF')], Target.localNode(), w('shop/web')).verdict).toBe(Verdict.ALLOW);
  });

  test('a manifest install (no Installation) switching to eBPF with FelixConfiguration bpfEnabled: as indeterminate as BPF', () => {
    const bpf = { apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { bpfEnabled: true } };
    const r = check([...workloads, webDenyAll, bpf], Target.localNode(), w('shop/web'));
    expect(r.verdict).toBe(Verdict.INDETERMINATE);
    expect(r.uncertainties.join('\n')).toContain('FelixConfiguration default sets bpfEnabled (the eBPF dataplane)');
    // With an Installation the operator sets the dataplane from linuxDataplane (default Iptables).
    expect(check([...workloads, webDenyAll, bpf, installation('Iptables')], Target.localNode(), w('shop/web')).verdict).toBe(Verdict.ALLOW);
    expect(check([...workloads, webDenyAll, { ...bpf, spec: { bpfEnabled: false } }], Target.localNode(), w('shop/web')).verdict).toBe(Verdict.ALLOW);
  });
});

describe('pod -> own host: defaultEndpointToHostAction', () => {
  const felix = (action: string) => ({
    apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { defaultEndpointToHostAction: action },
  });

  test('Drop or Return in FelixConfiguration default: indeterminate (calico-node\'s environment may override it); Accept: allowed', () => {
    for (const action of ['Drop', 'Return']) {
      const r = check([...workloads, felix(action)], w('shop/web'), Target.localNode());
      expect(r.verdict).toBe(Verdict.INDETERMINATE);
      expect(r.uncertainties.join('\n')).toContain(`FelixConfiguration default sets defaultEndpointToHostAction ${action}`);
    }
    expect(check([...workloads, felix('Accept')], w('shop/web'), Target.localNode()).verdict).toBe(Verdict.ALLOW);
    expect(check([...workloads, felix('Drop')], w('shop/web'), Target.remoteNode()).verdict).toBe(Verdict.ALLOW);
  });
});

describe('fast path (decide, subjectKey, peerKey) agrees with evaluate', () => {
  const node = (name: string, nodeLocality: 'local' | 'remote'): Endpoint => ({
    kind: 'node', name, nodeLocality, labels: {}, namespaceLabels: {}, hostNetwork: true, namedPorts: [],
  });
  const subjects = [
    pod('shop', 'web', { app: 'web' }), pod('shop', 'other', { app: 'other' }), pod('shop', 'agent', { app: 'agent' }, { hostNetwork: true }),
    node('local-node', 'local'), node('remote-node', 'remote'),
  ];
  const peers = [...subjects, external('203.0.113.9')];
  const deny = knp('shop', 'web-deny-all', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
  test.each([
    ['the eBPF dataplane', [installation('BPF'), deny]],
    ['defaultEndpointToHostAction Drop', [{ apiVersion: 'projectcalico.org/v3', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { defaultEndpointToHostAction: 'Drop' } }, deny]],
  ])('%s', (_what, manifests) => {
    checkContract(calicoModel(manifests as any[], NAMESPACES), subjects, peers, [['TCP', 8080]]);
  });
});
