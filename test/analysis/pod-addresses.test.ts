/**
 * Pod addresses: pods have the IPs their manifests state (`status.podIP(s)`), otherwise they are
 * somewhere in the pod CIDR (ReachabilityOptions.podCidrs), otherwise anywhere. A CIDR peer that
 * contains every possible address matches, a disjoint one does not, anything else is indeterminate
 * with the reason. CIDR peers match pods by address on every CNI but Cilium.
 */
import { ApiObject, Testing } from 'cdk8s';
import { deployment, namespace, networkPolicy } from './fixtures';
import { Reachability } from '../../src/analysis/reachability';
import { ReachabilityOptions } from '../../src/analysis/reachability-options';
import { Target } from '../../src/analysis/target';
import { Verdict } from '../../src/analysis/verdict';
import { Cni } from '../../src/cluster/cni';
import { Port } from '../../src/policy/port';
import { expectValidManifests } from '../support/schema';
import { validationErrorOf } from '../support/thrown';

/** A bare Pod serving TCP 80, with the addresses its status reports. */
function pod(ns: string, name: string, labels: Record<string, string>, ips: string[] = []) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'c', image: 'agnhost', ports: [{ containerPort: 80 }] }] },
    ...(ips.length > 0 ? { status: { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } } : {}),
  };
}

/** Client x/a may only send to `to` (egress ipBlock peers of one rule). */
function egressTo(...blocks: Array<{ cidr: string; except?: string[] }>) {
  return networkPolicy('client-egress', 'x', {
    podSelector: { matchLabels: { pod: 'a' } },
    policyTypes: ['Egress'],
    egress: [{ to: blocks.map((ipBlock) => ({ ipBlock })) }],
  });
}

function verdict(manifests: any[], options: Partial<ReachabilityOptions>, to: string, cni = Cni.kubernetes()): Verdict {
  const reach = Reachability.fromManifests(manifests, { cni, ...options });
  return reach.check(Target.workload('x', 'a'), Target.workload('y', to), Port.tcp(80)).verdict;
}

const cluster = (serverIps: string[] = []) => [
  namespace('x'), namespace('y'),
  pod('x', 'a', { pod: 'a' }),
  pod('y', 'server', { pod: 'server' }, serverIps),
  pod('y', 'unknown', { pod: 'unknown' }),
];

describe('pods with status.podIP are matched by ipBlock exactly (Kubernetes e2e: ipBlock of the server /32)', () => {
  test('cidr /32 of the server pod allows it; except of its IP denies it', () => {
    const manifests = cluster(['10.244.2.7']);
    expectValidManifests(manifests);
    expect(verdict([...manifests, egressTo({ cidr: '10.244.2.7/32' })], {}, 'server')).toBe(Verdict.ALLOW);
    expect(verdict([...manifests, egressTo({ cidr: '10.244.0.0/16', except: ['10.244.2.7/32'] })], {}, 'server')).toBe(Verdict.DENY);
    expect(verdict([...manifests, egressTo({ cidr: '192.168.0.0/16' })], {}, 'server')).toBe(Verdict.DENY);
  });

  test('a dual-stack pod matches only when every one of its IPs is inside (the flow may use either)', () => {
    const manifests = cluster(['10.244.2.7', 'fd00:10:244::7']);
    expect(verdict([...manifests, egressTo({ cidr: '10.244.0.0/16' })], {}, 'server')).toBe(Verdict.INDETERMINATE);
    expect(verdict([...manifests, egressTo({ cidr: '10.244.0.0/16' }, { cidr: 'fd00:10:244::/56' })], {}, 'server')).toBe(Verdict.ALLOW);
    const reach = Reachability.fromManifests([...manifests, egressTo({ cidr: '10.244.0.0/16' })], { cni: Cni.kubernetes() });
    expect(reach.check(Target.workload('x', 'a'), Target.workload('y', 'server'), Port.tcp(80)).uncertainties).toEqual([
      "NetworkPolicy x/client-egress spec.egress[0].to[0].ipBlock: ipBlock 10.244.0.0/16 may or may not contain the destination's address: "
      + 'it has several IPs (10.244.2.7, fd00:10:244::7) and the flow may use any of them',
    ]);
  });
});

describe('pods without a known IP are somewhere in the pod CIDR', () => {
  const manifests = cluster();

  test.each([
    ['a block containing the whole pod CIDR matches', { cidr: '10.0.0.0/8' }, Verdict.ALLOW],
    ['a disjoint block does not', { cidr: '192.168.0.0/16' }, Verdict.DENY],
    ['a partial overlap is indeterminate', { cidr: '10.244.2.0/24' }, Verdict.INDETERMINATE],
    ['an except covering the pod CIDR makes it disjoint', { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }, Verdict.DENY],
    ['an except inside the pod CIDR is a partial overlap', { cidr: '0.0.0.0/0', except: ['10.244.2.0/24'] }, Verdict.INDETERMINATE],
  ])('%s', (_name, block, expected) => {
    expect(verdict([...manifests, egressTo(block)], { podCidrs: ['10.244.0.0/16'] }, 'unknown')).toBe(expected);
  });

  test('several blocks of one peer list count together', () => {
    const halves = egressTo({ cidr: '10.244.0.0/17' }, { cidr: '10.244.128.0/17' });
    expect(verdict([...manifests, halves], { podCidrs: ['10.244.0.0/16'] }, 'unknown')).toBe(Verdict.ALLOW);
  });

  test('without a pod CIDR a pod could have any address: only 0.0.0.0/0 with ::/0 surely contains it', () => {
    expect(verdict([...manifests, egressTo({ cidr: '0.0.0.0/0' }, { cidr: '::/0' })], {}, 'unknown')).toBe(Verdict.ALLOW);
    expect(verdict([...manifests, egressTo({ cidr: '0.0.0.0/0' })], {}, 'unknown')).toBe(Verdict.INDETERMINATE);
    // No pod ever has a link-local address such as the metadata service's.
    expect(verdict([...manifests, egressTo({ cidr: '169.254.169.254/32' })], {}, 'unknown')).toBe(Verdict.DENY);
    const reach = Reachability.fromManifests([...manifests, egressTo({ cidr: '10.0.0.0/8' })], { cni: Cni.kubernetes() });
    const result = reach.check(Target.workload('x', 'a'), Target.workload('y', 'unknown'), Port.tcp(80));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.explain().split('\n')[0]).toBe('INDETERMINATE: workload x/a -> workload y/unknown on TCP/80 (CNI: kubernetes)');
    expect(result.explain()).toContain('indeterminate because: NetworkPolicy x/client-egress spec.egress[0].to[0].ipBlock: ipBlock 10.0.0.0/8 '
      + "may or may not contain the destination's address: its IP is not in the manifests (no Pod status.podIP) and no pod CIDR is given "
      + '(ReachabilityOptions.podCidrs)');
  });

  test('a probe with an IP is matched exactly; without one it is in the pod CIDR', () => {
    const reach = Reachability.fromManifests([...manifests, egressTo({ cidr: '10.244.9.9/32' })], { cni: Cni.kubernetes(), podCidrs: ['10.244.0.0/16'] });
    reach.addProbe('exact', 'y', { pod: 'exact' }, { ip: '10.244.9.9', ports: [Port.tcp(80)] });
    reach.addProbe('somewhere', 'y', { pod: 'somewhere' }, { ports: [Port.tcp(80)] });
    expect(reach.check(Target.workload('x', 'a'), Target.workload('y', 'exact'), Port.tcp(80)).verdict).toBe(Verdict.ALLOW);
    expect(reach.check(Target.workload('x', 'a'), Target.workload('y', 'somewhere'), Port.tcp(80)).verdict).toBe(Verdict.INDETERMINATE);
  });

  test('ingress ipBlocks judge the source the same way', () => {
    const fromOffice = networkPolicy('server-ingress', 'y', {
      podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/24' } }] }],
    });
    const reach = Reachability.fromManifests([...cluster(['10.244.2.7']), fromOffice], { cni: Cni.kubernetes(), podCidrs: ['10.244.0.0/16'] });
    const result = reach.check(Target.workload('x', 'a'), Target.workload('y', 'server'), Port.tcp(80));
    expect(result.verdict).toBe(Verdict.INDETERMINATE);
    expect(result.ingress.uncertainties).toEqual(['NetworkPolicy y/server-ingress spec.ingress[0].from[0].ipBlock: ipBlock 10.244.0.0/24 may or may not '
      + "contain the source's address: its IP is not in the manifests, only somewhere in the pod CIDR 10.244.0.0/16"]);
  });
});

describe('per CNI: who matches pods by CIDR', () => {
  const manifests = [...cluster(['10.244.2.7']), egressTo({ cidr: '10.244.2.7/32' })];

  test('Cni.kubernetes() and Cni.calico() match the pod IP; Cilium never matches its endpoints by CIDR', () => {
    expect(verdict(manifests, {}, 'server', Cni.kubernetes())).toBe(Verdict.ALLOW);
    expect(verdict(manifests, {}, 'server', Cni.calico())).toBe(Verdict.ALLOW);
    expect(verdict(manifests, {}, 'server', Cni.cilium())).toBe(Verdict.DENY);
    // Unknown pod IPs do not matter to Cilium either: the CIDR rule never selects a pod.
    expect(verdict([...cluster(), egressTo({ cidr: '0.0.0.0/0' })], {}, 'unknown', Cni.cilium())).toBe(Verdict.DENY);
  });

  test('Calico nets and network sets match pods by IP', () => {
    const allowNets = (destination: any) => ({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'client-egress', namespace: 'x' },
      spec: { selector: "pod == 'a'", types: ['Egress'], egress: [{ action: 'Allow', destination }] },
    });
    const set = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkSet',
      metadata: { name: 'servers', labels: { role: 'servers' } },
      spec: { nets: ['10.244.2.0/24'] },
    };
    const byNets = [...cluster(['10.244.2.7']), allowNets({ nets: ['10.244.2.0/24'] })];
    const bySet = [...cluster(['10.244.2.7']), set, allowNets({ selector: "role == 'servers'", namespaceSelector: 'global()' })];
    expectValidManifests([...bySet, allowNets({ nets: ['10.244.2.0/24'] })]);
    for (const manifests2 of [byNets, bySet]) {
      expect(verdict(manifests2, { podCidrs: ['10.244.0.0/16'] }, 'server', Cni.calico())).toBe(Verdict.ALLOW);
      expect(verdict(manifests2, { podCidrs: ['10.244.0.0/16'] }, 'unknown', Cni.calico())).toBe(Verdict.INDETERMINATE);
      expect(verdict(manifests2, { podCidrs: ['10.245.0.0/16'] }, 'unknown', Cni.calico())).toBe(Verdict.DENY);
    }
  });

  test('ClusterNetworkPolicy networks match pods by IP (Calico and a Kubernetes CNI that implements it)', () => {
    const cnp = {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'deny-pod-range' },
      spec: {
        tier: 'Admin',
        priority: 10,
        subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'x' } } },
        egress: [{ name: 'pods', action: 'Deny', to: [{ networks: ['10.244.2.0/24'] }] }],
      },
    };
    expectValidManifests([cnp]);
    for (const cni of [Cni.calico(), Cni.kubernetes({ clusterNetworkPolicy: true })]) {
      expect(verdict([...cluster(['10.244.2.7']), cnp], {}, 'server', cni)).toBe(Verdict.DENY);
      expect(verdict([...cluster(['10.244.3.7']), cnp], {}, 'server', cni)).toBe(Verdict.ALLOW);
      expect(verdict([...cluster(), cnp], { podCidrs: ['10.244.0.0/16'] }, 'unknown', cni)).toBe(Verdict.INDETERMINATE);
    }
  });
});

describe('nodes and hostNetwork pods', () => {
  const agent = deployment('y', 'agent', { app: 'agent' }, { hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80 }] }] });
  const toNodes = networkPolicy('to-nodes', 'x', {
    podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '192.168.1.0/24' } }] }],
  });

  test('a hostNetwork pod has the node IP when given; otherwise the ipBlock may or may not contain it', () => {
    const manifests = [namespace('x'), namespace('y'), pod('x', 'a', { pod: 'a' }), agent, toNodes];
    expect(verdict(manifests, { nodeIp: '192.168.1.10' }, 'agent')).toBe(Verdict.ALLOW);
    // Outside the block: denied on another node, but the agent may run on a's own node, which the
    // Kubernetes model lets a reach whatever its policies say: the place decides, and it is unknown.
    expect(verdict(manifests, { nodeIp: '192.168.2.10' }, 'agent')).toBe(Verdict.INDETERMINATE);
    expect(verdict(manifests, {}, 'agent')).toBe(Verdict.INDETERMINATE);
    // The pod CIDR says nothing about node addresses.
    expect(verdict(manifests, { podCidrs: ['10.244.0.0/16'] }, 'agent')).toBe(Verdict.INDETERMINATE);
  });
});

describe('options are checked: a ValidationError naming the factory and the option', () => {

  test.each([
    [{ podCidrs: ['10.0.0.300/8'] }, "[Reachability.fromManifests] options.podCidrs[0]: '10.0.0.300/8' is not a valid CIDR"],
    [{ podCidrs: [42] }, '[Reachability.fromManifests] options.podCidrs[0]: must be a CIDR string, got the number 42'],
    [{ podCidrs: [] }, '[Reachability.fromManifests] options.podCidrs: must be a non-empty list of CIDRs, got []'],
    [{ podCidrs: '10.0.0.0/8' }, '[Reachability.fromManifests] options.podCidrs: must be a non-empty list of CIDRs, got "10.0.0.0/8"'],
    [{ nodeIp: 'node-1' }, '[Reachability.fromManifests] options.nodeIp: "node-1" is not an IPv4 or IPv6 address'],
    [{ nodeIp: null }, '[Reachability.fromManifests] options.nodeIp: null is not an IPv4 or IPv6 address'],
    // inet_aton forms (127.0.0.1, 0.0.0.1) and zones: no Kubernetes address is written so.
    [{ nodeIp: '2130706433' }, '[Reachability.fromManifests] options.nodeIp: "2130706433" is not an IPv4 or IPv6 address'],
    [{ nodeIp: '1' }, '[Reachability.fromManifests] options.nodeIp: "1" is not an IPv4 or IPv6 address'],
    [{ nodeIp: 'fe80::1%eth0' }, '[Reachability.fromManifests] options.nodeIp: "fe80::1%eth0" is not an IPv4 or IPv6 address'],
  ])('%p', (options, message) => {
    const e = validationErrorOf(() => Reachability.fromManifests([], { cni: Cni.kubernetes(), ...(options as any) }));
    expect(e.message).toBe(message);
    expect(e.path).toBe('Reachability.fromManifests');
  });

  test('a missing, wrong or hand-built cni is an error naming the choices', () => {
    const choices = 'Cni.kubernetes(), Cni.calico(), Cni.cilium(), Cni.flannel({ acknowledgeUnenforcedPolicies: true }) or Cni.custom(name, capabilities)';
    const cases: Array<[unknown, string]> = [
      [undefined, 'undefined'],
      ['calico', "the string 'calico'"],
      [{ kind: 'calico' }, 'a plain object'],
      [Object.create(Cni.prototype), 'a hand-built object'],
      [Object.assign(Object.create(Cni.prototype), Cni.calico()), 'a hand-built object'],
    ];
    for (const [cni, given] of cases) {
      const e = validationErrorOf(() => Reachability.fromManifests([], { cni } as any));
      expect(e.prop).toBe('options.cni');
      expect(e.message).toBe(`[Reachability.fromManifests] options.cni: must be a Cni made by one of its factories: ${choices}, not ${given}`);
    }
    expect(validationErrorOf(() => Reachability.fromManifests([], 'calico' as any)).message)
      .toBe("[Reachability.fromManifests] options: must be an object of options such as { cni: Cni.calico() }, got the string 'calico'");
    expect(validationErrorOf(() => Reachability.fromManifests({} as any, { cni: Cni.calico() })).message)
      .toBe('[Reachability.fromManifests] manifests: must be a list of Kubernetes objects');
  });

  test('fromManifests refuses an entry that is no manifest instead of analyzing without it', () => {
    // A skipped NetworkPolicy would make its flows "allow": every entry must be a manifest mapping.
    const chart = Testing.chart();
    const policy = new ApiObject(chart, 'deny', networkPolicy('deny', 'shop', { podSelector: {}, policyTypes: ['Ingress'] }));
    const web = deployment('shop', 'web', { app: 'web' });
    const refused = (entry: unknown) => validationErrorOf(() => Reachability.fromManifests([web, entry], { cni: Cni.kubernetes() })).message;
    const notPlain = '[Reachability.fromManifests] manifests[1]: must be a plain Kubernetes object, not a cdk8s ApiObject or construct: '
      + 'pass its toJson() (or use Reachability.fromChart / fromApp)';
    expect(refused(policy)).toBe(notPlain);
    expect(refused(chart)).toBe(notPlain);
    expect(refused(null)).toBe('[Reachability.fromManifests] manifests[1]: must be a Kubernetes object (a mapping), got null');
    expect(refused('kind: NetworkPolicy')).toBe(
      "[Reachability.fromManifests] manifests[1]: must be a Kubernetes object (a mapping), got the string 'kind: NetworkPolicy'");
    expect(refused([policy.toJson()])).toBe('[Reachability.fromManifests] manifests[1]: must be a Kubernetes object (a mapping), got an array of 1');
    // Its toJson() is analyzed: the default deny isolates shop/web.
    const reach = Reachability.fromManifests([web, policy.toJson()], { cni: Cni.kubernetes() });
    expect(reach.check(Target.workload('shop', 'web'), Target.workload('shop', 'web'), Port.tcp(80)).verdict).toBe(Verdict.DENY);
  });

  test('each factory names itself; its first argument is checked too', () => {
    expect(validationErrorOf(() => Reachability.fromChart({} as any, { cni: Cni.calico() })).message)
      .toBe('[Reachability.fromChart] chart: must be a cdk8s Chart, got a plain object');
    expect(validationErrorOf(() => Reachability.fromApp(Testing.chart() as any, { cni: Cni.calico() })).message)
      .toBe('[Reachability.fromApp] app: must be a cdk8s App, got a Chart');
    expect(validationErrorOf(() => Reachability.fromYamlFiles('manifests/' as any, { cni: Cni.calico() })).message)
      .toBe("[Reachability.fromYamlFiles] paths: must be a list, got the string 'manifests/'");
    expect(validationErrorOf(() => Reachability.fromChart(Testing.chart(), { cni: Cni.calico(), nodeIp: '10.0.0.300' })).message)
      .toBe('[Reachability.fromChart] options.nodeIp: "10.0.0.300" is not an IPv4 or IPv6 address');
  });

  test('addProbe options: a ValidationError naming addProbe and the option', () => {
    const reach = Reachability.fromManifests([], { cni: Cni.kubernetes() });
    const cases: Array<[() => void, string]> = [
      [() => reach.addProbe('p', 'ns', {}, { ip: 'x' }), '[Reachability.addProbe] options.ip: "x" is not an IPv4 or IPv6 address'],
      [() => reach.addProbe('p', 'ns', {}, { hostNetwork: 'false' as any }), "[Reachability.addProbe] options.hostNetwork: must be true or false, got the string 'false'"],
      [() => reach.addProbe('p', 'ns', {}, { ports: [8080 as any] }),
        '[Reachability.addProbe] options.ports[0]: must be a Port (Port.tcp(8080), Port.udp(53), ...), got the number 8080'],
      [() => reach.addProbe('p', 'ns', {}, { ports: [Port.tcpRange(80, 90)] }), '[Reachability.addProbe] options.ports[0]: must be a single port number, got TCP/80-90'],
      [() => reach.addProbe('p', 'ns', 'app=web' as any), "[Reachability.addProbe] labels: must be a map of strings to strings, got the string 'app=web'"],
      [() => reach.addProbe(undefined as any, 'ns', {}), '[Reachability.addProbe] name: must be a non-empty string, got undefined'],
      [() => reach.addProbe('a/b', 'ns', {}), "[Reachability.addProbe] name: 'a/b' is not a valid DNS-1123 subdomain (lower-case alphanumerics, '-' and '.', at most 253 characters)"],
      [() => reach.addProbe('a', 'Shop', {}), "[Reachability.addProbe] namespace: 'Shop' is not a valid DNS-1123 label (lower-case alphanumerics and '-', starting and ending alphanumeric, "
        + 'at most 63 characters)'],
    ];
    for (const [build, message] of cases) expect(validationErrorOf(build).message).toBe(message);
    // Nothing was added by the refused calls.
    expect(reach.endpoints).toEqual([]);
  });

  test('Target factories check their arguments: an address Kubernetes would write, a namespace, a label map', () => {
    expect(validationErrorOf(() => Target.external('0x7f000001')).message).toBe("[Target.external] ip: '0x7f000001' is not an IPv4 or IPv6 address");
    expect(validationErrorOf(() => Target.external('10.0.0.010')).message).toBe("[Target.external] ip: '10.0.0.010' is not an IPv4 or IPv6 address");
    expect(Target.external('::ffff:169.254.169.254').description).toBe('external ::ffff:169.254.169.254');
    expect(validationErrorOf(() => Target.pod(undefined as any)).message).toBe('[Target.pod] namespace: must be a non-empty string, got undefined');
    // A string where the label map belongs would have become labels { 0: 'a', 1: 'p', ... }.
    expect(validationErrorOf(() => Target.pod('shop', 'app=web' as any)).message).toBe("[Target.pod] labels: must be a map of strings to strings, got the string 'app=web'");
    expect(validationErrorOf(() => Target.workload('shop', null as any)).message).toBe('[Target.workload] name: must be a non-empty string, got null');
    // A Target not made by a factory passes instanceof, but is never read as "every node".
    const reach = Reachability.fromManifests([], { cni: Cni.kubernetes() });
    reach.addProbe('a', 'ns', { app: 'a' });
    expect(validationErrorOf(() => reach.check(Object.create(Target.prototype), Target.workload('ns', 'a'), Port.tcp(80))).message)
      .toBe('[Target] kind: undefined is not a target a Target factory makes (Target.pod(), Target.workload(), ...)');
  });

  test('check: source, destination and port must be what the factories make', () => {
    const reach = Reachability.fromManifests([], { cni: Cni.kubernetes() });
    reach.addProbe('a', 'ns', { app: 'a' });
    const a = Target.workload('ns', 'a');
    expect(validationErrorOf(() => reach.check('ns/a' as any, a, Port.tcp(80))).message)
      .toBe("[Reachability.check] source: must be a Target (Target.workload(namespace, name), Target.pod(namespace, labels), ...), got the string 'ns/a'");
    expect(validationErrorOf(() => reach.check(a, a, { protocol: 'TCP', number: 80 } as any)).message)
      .toBe("[Reachability.check] port: must be a Port (Port.tcp(443), Port.named('http'), ...), got a plain object");
    expect(validationErrorOf(() => reach.check(a, a, Port.allTcp())).prop).toBe('port');
  });
});
