/**
 * CiliumLocalRedirectPolicy and CiliumEgressGatewayPolicy move traffic instead of allowing or
 * denying it, and no model evaluates them: flows to a local-redirect frontend address are
 * indeterminate (Cilium enforces the sender's egress policy against the node-local backend pod, not
 * the address: docs.cilium.io "Local Redirect Policy"), an egress gateway changes no verdict but is
 * noted (docs.cilium.io "Egress Gateway"). Never a claimed deny (or allow) the analyzer cannot back.
 */
import { external, NAMESPACES, pod } from './helpers';
import { modelFor } from '../../../src/analysis/cni-model';
import { Reachability } from '../../../src/analysis/reachability';
import { Target } from '../../../src/analysis/target';
import { Verdict } from '../../../src/analysis/verdict';
import { Cni } from '../../../src/cluster/cni';
import { Port } from '../../../src/policy/port';
import { expectValidManifests } from '../../support/schema';
import { checkContract } from '../fast-path-contract';
import { deployment, namespace } from '../fixtures';

const LOCAL_IP = '169.254.20.10';
const KUBE_DNS_IP = '10.96.0.10';
const base = [
  namespace('shop'), namespace('kube-system'),
  deployment('shop', 'web', { app: 'web' }),
  deployment('kube-system', 'node-local-dns', { 'k8s-app': 'node-local-dns' }),
];
/** web may send DNS to the local address and the kube-dns ClusterIP by CIDR, and nowhere else. */
const webEgress = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'web-dns', namespace: 'shop' },
  spec: {
    endpointSelector: { matchLabels: { app: 'web' } },
    egress: [{ toCIDR: [`${LOCAL_IP}/32`, `${KUBE_DNS_IP}/32`], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
  },
};
const addressLrp = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumLocalRedirectPolicy',
  metadata: { name: 'dns-address', namespace: 'kube-system' },
  spec: {
    redirectFrontend: { addressMatcher: { ip: LOCAL_IP, toPorts: [{ port: '53', protocol: 'UDP' }] } },
    redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: [{ port: '53', protocol: 'UDP' }] },
  },
};
const serviceLrp = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumLocalRedirectPolicy',
  metadata: { name: 'nodelocaldns', namespace: 'kube-system' },
  spec: {
    redirectFrontend: { serviceMatcher: { serviceName: 'kube-dns', namespace: 'kube-system' } },
    redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: [{ port: '53', name: 'dns', protocol: 'UDP' }] },
  },
};
const kubeDnsService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'kube-dns', namespace: 'kube-system' },
  spec: { clusterIP: KUBE_DNS_IP, selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
};
const egressGateway = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumEgressGatewayPolicy',
  metadata: { name: 'shop-egress' },
  spec: {
    selectors: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }],
    destinationCIDRs: ['0.0.0.0/0'],
    egressGateway: { nodeSelector: { matchLabels: { egress: 'true' } } },
  },
};

const web = Target.workload('shop', 'web');
const dns = Port.udp(53);

function reach(objects: any[], cni: Cni = Cni.cilium()): Reachability {
  const all = [...base, webEgress, ...objects];
  expectValidManifests(all);
  return Reachability.fromManifests(all, { cni });
}

test('without a redirect the CIDR rules decide: allowed to the two addresses, denied elsewhere', () => {
  const r = reach([]);
  expect(r.check(web, Target.external(LOCAL_IP), dns).verdict).toBe(Verdict.ALLOW);
  expect(r.check(web, Target.external(KUBE_DNS_IP), dns).verdict).toBe(Verdict.ALLOW);
  expect(r.check(web, Target.external('8.8.8.8'), dns).verdict).toBe(Verdict.DENY);
  expect(r.notes).toEqual([]);
});

describe('CiliumLocalRedirectPolicy', () => {
  test('an address frontend: flows to the address are indeterminate with the reason, other destinations keep their verdicts', () => {
    const r = reach([addressLrp]);
    const result = r.check(web, Target.external(LOCAL_IP), dns);
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.uncertainties).toEqual([
      'CiliumLocalRedirectPolicy kube-system/dns-address redirects traffic to 169.254.20.10 to a node-local pod (local redirect is not evaluated)',
    ]);
    expect(r.check(web, Target.external(KUBE_DNS_IP), dns).verdict).toBe(Verdict.ALLOW);
    expect(r.check(web, Target.external('8.8.8.8'), dns).verdict).toBe(Verdict.DENY);
    expect(r.notes).toEqual([
      'CiliumLocalRedirectPolicy kube-system/dns-address redirects traffic to 169.254.20.10 (UDP/53) to pods on the sender\'s node, '
      + 'which the analyzer does not model: flows to 169.254.20.10 are indeterminate',
    ]);
  });

  test('a flow the CIDR rules deny is not claimed denied either (the backend pod may be allowed)', () => {
    const r = reach([addressLrp]);
    expect(r.check(web, Target.external(LOCAL_IP), Port.tcp(53)).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('a Service frontend whose ClusterIP the manifests state: flows to that ClusterIP are indeterminate', () => {
    const r = reach([serviceLrp, kubeDnsService]);
    expect(r.check(web, Target.external(KUBE_DNS_IP), dns).verdict).toBe(Verdict.INDETERMINATE);
    expect(r.check(web, Target.external(LOCAL_IP), dns).verdict).toBe(Verdict.ALLOW);
    expect(r.notes).toEqual([
      'CiliumLocalRedirectPolicy kube-system/nodelocaldns redirects traffic to the Service kube-system/kube-dns to pods on the sender\'s node, '
      + 'which the analyzer does not model: flows to 10.96.0.10 are indeterminate',
    ]);
  });

  test('a Service frontend whose ClusterIP is unknown (NodeLocalDNS\'s kube-dns): a note, verdicts unchanged', () => {
    const r = reach([serviceLrp]);
    expect(r.check(web, Target.external(KUBE_DNS_IP), dns).verdict).toBe(Verdict.ALLOW);
    expect(r.notes).toEqual([
      'CiliumLocalRedirectPolicy kube-system/nodelocaldns redirects traffic to the Service kube-system/kube-dns to pods on the sender\'s node; '
      + 'its ClusterIP is not in the manifests, so flows to that address are not modelled (ask about the backend pods instead)',
    ]);
  });

  test('also under Cni.kubernetes() (any implementation, Cilium included): a NetworkPolicy ipBlock allow becomes indeterminate', () => {
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web-dns', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${LOCAL_IP}/32` } }], ports: [{ port: 53, protocol: 'UDP' }] }] },
    };
    const all = [...base, np];
    expect(Reachability.fromManifests(all, { cni: Cni.kubernetes() }).check(web, Target.external(LOCAL_IP), dns).verdict).toBe(Verdict.ALLOW);
    expect(Reachability.fromManifests([...all, addressLrp], { cni: Cni.kubernetes() }).check(web, Target.external(LOCAL_IP), dns).verdict)
      .toBe(Verdict.INDETERMINATE);
  });

  test('the fast path agrees with the full evaluation (peers keyed by the redirected address)', () => {
    const model = modelFor(Cni.cilium(), [...base, webEgress, addressLrp], NAMESPACES);
    const subjects = [pod('shop', 'web', { app: 'web' }), pod('shop', 'other', { app: 'other' })];
    const peers = [external(LOCAL_IP), external(KUBE_DNS_IP), external('8.8.8.8'), pod('kube-system', 'nld', { 'k8s-app': 'node-local-dns' })];
    checkContract(model, subjects, peers, [['UDP', 53], ['TCP', 53]]);
    expect(model.decide({ direction: 'egress', subject: subjects[0], peer: peers[0], port: 53, protocol: 'UDP', destination: peers[0] })).toBe(2);
    expect(model.decide({ direction: 'egress', subject: subjects[0], peer: peers[2], port: 53, protocol: 'UDP', destination: peers[2] })).toBe(0);
  });
});

test('CiliumEgressGatewayPolicy: no verdict changes, a note says the source address is not modelled', () => {
  const r = reach([egressGateway]);
  expect(r.check(web, Target.external(LOCAL_IP), dns).verdict).toBe(Verdict.ALLOW);
  expect(r.check(web, Target.external('8.8.8.8'), dns).verdict).toBe(Verdict.DENY);
  expect(r.notes).toEqual([
    'CiliumEgressGatewayPolicy shop-egress sends matching traffic to 0.0.0.0/0 out through a gateway node with its egress IP: '
    + 'the pods\' policy verdicts are unchanged, but the source address the destination sees is not modelled',
  ]);
});
