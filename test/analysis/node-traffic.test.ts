/**
 * Traffic between pods and nodes: the pod's own node (`Target.localNode()`), another node
 * (`Target.remoteNode()`) and both (`Target.node()`), per CNI.
 *
 * Kubernetes: https://kubernetes.io/docs/concepts/services-networking/network-policies/ (traffic to
 * and from the node a pod runs on is always allowed; other nodes only through ipBlock).
 * Cilium: https://docs.cilium.io/en/stable/security/policy/language/#access-to-from-local-host
 * (host-to-endpoint ingress always allowed; `remote-node` is any other node; CIDR rules never select
 * nodes). Calico: host-to-local-workload traffic is allowed before policy (projectcalico/calico#2797,
 * projectcalico/vpp-dataplane docs/policy_description.md); workload-to-host traffic passes the
 * workload's egress policy.
 */
import { podEndpoint } from './endpoints';
import { checkContract } from './fast-path-contract';
import { deployment, namespace, networkPolicy } from './fixtures';
import { kubernetesModel } from '../../src/analysis/kubernetes/model';
import { Endpoint } from '../../src/analysis/model';
import { Reachability } from '../../src/analysis/reachability';
import { Target } from '../../src/analysis/target';
import { NO, YES } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';

const NODE_IP = '192.168.1.10';
const K8S_DOC = 'https://kubernetes.io/docs/concepts/services-networking/network-policies/';

const cluster = [namespace('prod'), deployment('prod', 'web', { app: 'web' })];
const web = Target.workload('prod', 'web');
const kubelet = Port.tcp(8080);

const defaultDeny = networkPolicy('default-deny', 'prod', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const fromNodeNet = networkPolicy('from-node-net', 'prod', {
  podSelector: {},
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ ipBlock: { cidr: '192.168.1.0/24' } }] }],
});
const toNodeNet = networkPolicy('to-node-net', 'prod', {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [{ to: [{ ipBlock: { cidr: `${NODE_IP}/32` } }], ports: [{ protocol: 'TCP', port: 10250 }] }],
});

function cnp(name: string, tier: 'Admin' | 'Baseline', spec: any) {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name },
    spec: { tier, priority: 10, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } }, ...spec },
  };
}

function ciliumPolicy(name: string, spec: any) {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'prod' }, spec };
}

/** The analysis with `nodeIp` (null: no node IP known). */
function reach(cni: Cni, policies: any[], nodeIp: string | null = NODE_IP): Reachability {
  expectValidManifests(policies);
  return Reachability.fromManifests([...cluster, ...policies], { cni, nodeIp: nodeIp ?? undefined });
}

/** source -> allowed, per pod pair of a check. */
function pairVerdicts(r: Reachability, from: Target, to: Target, port: Port): Record<string, boolean> {
  return Object.fromEntries(r.check(from, to, port).pairs.map((p) => [`${p.source}->${p.destination}`, p.allowed]));
}

describe('node targets', () => {
  test('Target.node() asks about both nodes; localNode / remoteNode about one', () => {
    const r = reach(Cni.kubernetes(), [defaultDeny]);
    expect(r.check(Target.node(), web, kubelet).pairs.map((p) => p.source)).toEqual(['local-node', 'remote-node']);
    expect(r.check(Target.localNode(), web, kubelet).pairs.map((p) => p.source)).toEqual(['local-node']);
    expect(r.check(Target.remoteNode(), web, kubelet).pairs.map((p) => p.source)).toEqual(['remote-node']);
    expect(r.check(Target.localNode(), web, kubelet).question).toBe('local node -> workload prod/web on TCP/8080');
    expect(r.check(web, Target.remoteNode(), kubelet).question).toBe('workload prod/web -> remote node on TCP/8080');
    expect(Target.node().description).toBe('node');
  });
});

describe('Kubernetes NetworkPolicy', () => {
  const cni = Cni.kubernetes();

  test('default deny: the local node reaches the pod, citing the kubernetes.io exception', () => {
    const result = reach(cni, [defaultDeny]).check(Target.localNode(), web, kubelet);
    expect(result.allowed).toBe(true);
    expect(result.ingress.allowed).toBe(true);
    expect(result.ingress.decidingObjects).toEqual([]);
    expect(result.ingress.reasons).toHaveLength(1);
    expect(result.ingress.reasons[0]).toMatch(/^from local-node to prod\/web on TCP\/8080: local-node is the node prod\/web runs on/);
    expect(result.ingress.reasons[0]).toContain(K8S_DOC);
  });

  test('default deny: a remote node is denied by the isolating policy', () => {
    const result = reach(cni, [defaultDeny]).check(Target.remoteNode(), web, kubelet);
    expect(result.allowed).toBe(false);
    expect(result.ingress.decidingObjects).toEqual(['NetworkPolicy prod/default-deny']);
  });

  test('a remote node is allowed by an ipBlock containing the node IP, and only then', () => {
    const allowed = reach(cni, [defaultDeny, fromNodeNet]).check(Target.remoteNode(), web, kubelet);
    expect(allowed.allowed).toBe(true);
    expect(allowed.ingress.decidingObjects).toEqual(['NetworkPolicy prod/from-node-net']);
    expect(reach(cni, [defaultDeny, fromNodeNet], '10.9.9.9').check(Target.remoteNode(), web, kubelet).allowed).toBe(false);
    expect(reach(cni, [defaultDeny, fromNodeNet], null).check(Target.remoteNode(), web, kubelet).allowed).toBe(false);
  });

  test('default deny: the pod reaches its own node (egress), not another node', () => {
    const r = reach(cni, [defaultDeny]);
    const local = r.check(web, Target.localNode(), Port.tcp(10250));
    expect(local.allowed).toBe(true);
    expect(local.egress.reasons).toHaveLength(1);
    expect(local.egress.reasons[0]).toMatch(/^from prod\/web to local-node on TCP\/10250: local-node is the node prod\/web runs on/);
    expect(local.egress.reasons[0]).toContain(K8S_DOC);
    const remote = r.check(web, Target.remoteNode(), Port.tcp(10250));
    expect(remote.allowed).toBe(false);
    expect(remote.egress.decidingObjects).toEqual(['NetworkPolicy prod/default-deny']);
    expect(r.check(web, Target.remoteNode(), Port.tcp(10250)).ingress.allowed).toBe(true);
  });

  test('an egress ipBlock of the node IP opens the remote node on its port only', () => {
    const r = reach(cni, [defaultDeny, toNodeNet]);
    expect(r.check(web, Target.remoteNode(), Port.tcp(10250)).allowed).toBe(true);
    expect(r.check(web, Target.remoteNode(), Port.tcp(22)).allowed).toBe(false);
    expect(r.check(web, Target.localNode(), Port.tcp(22)).allowed).toBe(true);
  });

  test('Target.node() is allowed only when both nodes are', () => {
    expect(pairVerdicts(reach(cni, [defaultDeny]), Target.node(), web, kubelet))
      .toEqual({ 'local-node->prod/web': true, 'remote-node->prod/web': false });
    expect(reach(cni, [defaultDeny]).check(Target.node(), web, kubelet).allowed).toBe(false);
    expect(reach(cni, [defaultDeny, fromNodeNet]).check(Target.node(), web, kubelet).allowed).toBe(true);
  });

  test('without isolation both nodes are allowed by default, not by the exception', () => {
    const result = reach(cni, []).check(Target.node(), web, kubelet);
    expect(result.allowed).toBe(true);
    expect(result.ingress.reasons).toEqual(['no NetworkPolicy selects prod/web for ingress']);
  });
});

describe('Kubernetes ClusterNetworkPolicy', () => {
  const cni = Cni.kubernetes({ clusterNetworkPolicy: true });
  const denyNodeNetEgress = (tier: 'Admin' | 'Baseline') => cnp(`no-node-net-${tier.toLowerCase()}`, tier, {
    egress: [{ name: 'no-node-net', action: 'Deny', to: [{ networks: ['192.168.1.0/24'] }] }],
  });

  test('an Admin networks Deny matches the local node by IP and wins over the NetworkPolicy exception', () => {
    const result = reach(cni, [defaultDeny, denyNodeNetEgress('Admin')]).check(web, Target.localNode(), Port.tcp(10250));
    expect(result.allowed).toBe(false);
    expect(result.egress.decidingObjects).toEqual(['ClusterNetworkPolicy no-node-net-admin']);
  });

  test('Admin ingress rules select pods only, so they never deny the local node', () => {
    const denyAllPods = cnp('no-pods-in', 'Admin', { ingress: [{ name: 'no-pods', action: 'Deny', from: [{ namespaces: {} }] }] });
    const r = reach(cni, [defaultDeny, denyAllPods]);
    expect(r.check(Target.localNode(), web, kubelet).allowed).toBe(true);
    expect(r.check(Target.remoteNode(), web, kubelet).allowed).toBe(false);
    expect(r.check(Target.remoteNode(), web, kubelet).ingress.decidingObjects).toEqual(['NetworkPolicy prod/default-deny']);
  });

  test('a Baseline networks Deny decides egress to the local node unless a NetworkPolicy isolates the pod', () => {
    const alone = reach(cni, [denyNodeNetEgress('Baseline')]).check(web, Target.localNode(), Port.tcp(10250));
    expect(alone.allowed).toBe(false);
    expect(alone.egress.decidingObjects).toEqual(['ClusterNetworkPolicy no-node-net-baseline']);
    const isolated = reach(cni, [defaultDeny, denyNodeNetEgress('Baseline')]).check(web, Target.localNode(), Port.tcp(10250));
    expect(isolated.allowed).toBe(true);
    expect(isolated.egress.reasons[0]).toContain(K8S_DOC);
  });
});

describe('Cilium', () => {
  const cni = Cni.cilium();

  test('default deny: the local host reaches the pod (allow-localhost), a remote node does not', () => {
    const r = reach(cni, [defaultDeny]);
    const local = r.check(Target.localNode(), web, kubelet);
    expect(local.allowed).toBe(true);
    expect(local.ingress.reasons[0]).toContain('local-node is the local host of prod/web: Cilium always allows host-to-endpoint ingress');
    expect(r.check(Target.remoteNode(), web, kubelet).allowed).toBe(false);
    expect(pairVerdicts(r, Target.node(), web, kubelet)).toEqual({ 'local-node->prod/web': true, 'remote-node->prod/web': false });
  });

  test('a NetworkPolicy ipBlock never selects a node; fromEntities remote-node does', () => {
    expect(reach(cni, [defaultDeny, fromNodeNet]).check(Target.remoteNode(), web, kubelet).allowed).toBe(false);
    const fromRemote = ciliumPolicy('from-remote-nodes', { endpointSelector: {}, ingress: [{ fromEntities: ['remote-node'] }] });
    expect(reach(cni, [defaultDeny, fromRemote]).check(Target.remoteNode(), web, kubelet).allowed).toBe(true);
  });

  test('default deny: egress to the local host is denied with an explicit note; toEntities host allows it', () => {
    const denied = reach(cni, [defaultDeny]).check(web, Target.localNode(), Port.tcp(10250));
    expect(denied.allowed).toBe(false);
    expect(denied.egress.reasons).toContain('note: egress to the local host is subject to policy under Cilium: only host-to-endpoint '
      + 'ingress is always allowed (allow-localhost), and ipBlock peers never select nodes; allow it with toEntities: [host]');
    const toHost = ciliumPolicy('to-host', { endpointSelector: {}, egress: [{ toEntities: ['host'] }] });
    const r = reach(cni, [defaultDeny, toHost]);
    expect(r.check(web, Target.localNode(), Port.tcp(10250)).allowed).toBe(true);
    expect(r.check(web, Target.remoteNode(), Port.tcp(10250)).allowed).toBe(false);
  });
});

describe('Calico', () => {
  const cni = Cni.calico();

  test('default deny: the host reaches its local pod before any policy, a remote node does not', () => {
    const r = reach(cni, [defaultDeny]);
    const local = r.check(Target.localNode(), web, kubelet);
    expect(local.allowed).toBe(true);
    expect(local.ingress.reasons).toEqual(['local-node is the host of prod/web: Calico always allows traffic from a host to its '
      + 'local workloads (before any policy; this is how kubelet probes reach pods)']);
    expect(r.check(Target.remoteNode(), web, kubelet).allowed).toBe(false);
    expect(pairVerdicts(r, Target.node(), web, kubelet)).toEqual({ 'local-node->prod/web': true, 'remote-node->prod/web': false });
  });

  test('a Calico deny-all GlobalNetworkPolicy does not stop the local host either', () => {
    const denyAll = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'deny-all-in' },
      spec: { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny' }] },
    };
    const r = reach(cni, [denyAll]);
    expect(r.check(Target.localNode(), web, kubelet).allowed).toBe(true);
    expect(r.check(Target.remoteNode(), web, kubelet).allowed).toBe(false);
  });

  test('a remote node is matched by an ipBlock of its IP', () => {
    expect(reach(cni, [defaultDeny, fromNodeNet]).check(Target.remoteNode(), web, kubelet).allowed).toBe(true);
    expect(reach(cni, [defaultDeny, fromNodeNet], '10.9.9.9').check(Target.remoteNode(), web, kubelet).allowed).toBe(false);
  });

  test('egress to the local host passes the workload egress policy, with a note on defaultEndpointToHostAction', () => {
    const denied = reach(cni, [defaultDeny]).check(web, Target.localNode(), Port.tcp(10250));
    expect(denied.allowed).toBe(false);
    expect(denied.egress.decidingObjects).toEqual(['NetworkPolicy prod/default-deny']);
    expect(denied.egress.reasons).toContain('note: traffic from prod/web to its own host passes its egress policy, then Felix '
      + 'defaultEndpointToHostAction (FelixConfiguration), which is not modelled: assumed to accept');
    expect(reach(cni, [defaultDeny, toNodeNet]).check(web, Target.localNode(), Port.tcp(10250)).allowed).toBe(true);
    expect(reach(cni, [defaultDeny, toNodeNet]).check(web, Target.localNode(), Port.tcp(22)).allowed).toBe(false);
  });
});

describe('fast path (Kubernetes model)', () => {
  test('allows agrees with evaluate for local and remote node peers, with and without ClusterNetworkPolicies', () => {
    const namespaces = new Map([['prod', { 'kubernetes.io/metadata.name': 'prod' }], ['dev', { 'kubernetes.io/metadata.name': 'dev' }]]);
    const pod = (ns: string, name: string): Endpoint => podEndpoint(namespaces, ns, name, { app: name });
    const nodeBase = { kind: 'node' as const, labels: {}, namespaceLabels: {}, ip: NODE_IP, hostNetwork: true, namedPorts: [] };
    const local: Endpoint = { ...nodeBase, name: 'local-node', nodeLocality: 'local' };
    const remote: Endpoint = { ...nodeBase, name: 'remote-node', nodeLocality: 'remote' };
    const subjects = [pod('prod', 'web'), pod('prod', 'db'), pod('dev', 'tool')];
    const peers = [...subjects, local, remote];
    const manifests = [defaultDeny, fromNodeNet, toNodeNet,
      cnp('no-node-net-baseline', 'Baseline', { egress: [{ name: 'n', action: 'Deny', to: [{ networks: ['192.168.1.0/24'] }] }] })];
    const ports: Array<['TCP', number]> = [['TCP', 8080], ['TCP', 10250]];
    for (const clusterNetworkPolicy of [false, true]) {
      expect(() => checkContract(kubernetesModel(manifests, namespaces, { clusterNetworkPolicy }), subjects, peers, ports)).not.toThrow();
    }
    const model = kubernetesModel([defaultDeny], namespaces, { clusterNetworkPolicy: false });
    const q = (peer: Endpoint) => ({ direction: 'ingress' as const, subject: subjects[0], peer, port: 8080, protocol: 'TCP' as const, destination: subjects[0] });
    expect([model.decide(q(local)), model.decide(q(remote))]).toEqual([YES, NO]);
  });
});

describe('hostNetwork pods (node unknown) are judged alike on every CNI', () => {
  // A hostNetwork DaemonSet pod reaching web under default deny: all three models take it to run on
  // another node than web (Kubernetes and Calico: an IP peer; Cilium: remote-node), so it is denied.
  const agent = deployment('monitoring', 'agent', { app: 'agent' }, { hostNetwork: true });
  test.each([
    ['kubernetes', Cni.kubernetes()],
    ['calico', Cni.calico()],
    ['cilium', Cni.cilium()],
  ])('%s: denied', (_name, cni) => {
    const analysis = Reachability.fromManifests([...cluster, namespace('monitoring'), agent, defaultDeny], { cni });
    expect(analysis.check(Target.workload('monitoring', 'agent'), web, kubelet).allowed).toBe(false);
  });
});
