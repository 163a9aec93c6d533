/**
 * Limits of the target APIs the renderers must respect, and output that must not depend on the
 * order the program lists equivalent things in.
 *
 * - ClusterNetworkPolicy (pinned policy.networking.k8s.io/v1alpha2 CRD): at most 25 rules per
 *   direction and 25 protocols per rule; `destinationNamedPort` has no protocol and no meaning for a
 *   `networks` peer, so named ports are refused.
 * - Cilium (pinned cilium.io/v2 CRD): `toPorts[].ports` holds at most 40 ports; several PortRules
 *   are ORed, so more ports are split, each part keeping the L7 rules.
 */
import { Chart } from 'cdk8s';
import { Cni, IpFamily, LabelOperator, Peer, Port, Reachability, RuleAction, Target, TrafficPolicy } from '../../src';
import { chartFor, find, synthValid } from '../support/synth';
import '../support/reachability-matchers';

const external = (i: number) => Peer.cidr(`203.0.113.${i}/32`);
const ports = (count: number, from: number) => Array.from({ length: count }, (_, i) => Port.tcp(from + i));

describe('ClusterNetworkPolicy limits are synth errors, not objects the API server rejects', () => {
  const deny = (egress: any[]) => () => new TrafficPolicy(chartFor(Cni.kubernetes({ clusterNetworkPolicy: true })), 'p',
    { name: 'deny', namespace: 'web', egress });
  const prefix = "[test/p] TrafficPolicy 'deny': this deny intent cannot be enforced by CNI 'kubernetes': ";

  test('26 deny rules in one direction (25 is the maximum, and renders)', () => {
    const rules = (n: number) => Array.from({ length: n }, (_, i) => ({ action: RuleAction.DENY, peers: [external(i)] }));
    expect(deny(rules(26))).toThrow(`${prefix}26 egress deny rules: ClusterNetworkPolicy allows at most 25 per direction`);
    const chart = chartFor(Cni.kubernetes({ clusterNetworkPolicy: true }));
    new TrafficPolicy(chart, 'p', { name: 'deny', namespace: 'web', egress: rules(25) });
    expect(find(synthValid(chart), 'ClusterNetworkPolicy', 'web.deny').spec.egress).toHaveLength(25);
  });

  test('26 ports in one deny rule', () => {
    expect(deny([{ action: RuleAction.DENY, peers: [external(1)], ports: ports(26, 1000) }]))
      .toThrow(`${prefix}egress[0]: 26 ports, ClusterNetworkPolicy allows at most 25 per rule`);
  });

  test('a named port, with a CIDR peer or a pod peer', () => {
    const message = `${prefix}egress[0]: ClusterNetworkPolicy named ports have no protocol (and cannot apply to CIDR peers), `
      + 'so they would not match what NetworkPolicy matches: use port numbers';
    expect(deny([{ action: RuleAction.DENY, peers: [external(1)], ports: [Port.named('metrics')] }])).toThrow(message);
    expect(deny([{ action: RuleAction.DENY, peers: [Peer.namespace('db')], ports: [Port.named('metrics')] }])).toThrow(message);
  });

  // The CRD's `networks` items carry the CEL rule `isCIDR(self)`, and Kubernetes' CEL CIDR parser refuses
  // IPv4-mapped IPv6 prefixes ("IPv4-mapped IPv6 address ... is not allowed"): the API server would reject the object.
  test('an IPv4-mapped IPv6 block (the API server refuses it as a network); the IPv4 block renders', () => {
    const dualStack = () => chartFor(Cni.kubernetes({ clusterNetworkPolicy: true }), { ipFamilies: [IpFamily.IPV4, IpFamily.IPV6] });
    const denyTo = (cidr: string) => () => new TrafficPolicy(dualStack(), 'p',
      { name: 'deny', namespace: 'web', egress: [{ action: RuleAction.DENY, peers: [Peer.cidr(cidr)] }] });
    expect(denyTo('::ffff:169.254.169.254/128')).toThrow(`${prefix}egress[0]: ClusterNetworkPolicy networks cannot hold the IPv4-mapped `
      + 'IPv6 block ::ffff:169.254.169.254/128 (the API server refuses IPv4-mapped addresses in a CIDR): deny 169.254.169.254/32 instead');
    expect(denyTo('::ffff:0:0/96')).toThrow(`${prefix}egress[0]: ClusterNetworkPolicy networks cannot hold the IPv4-mapped `
      + 'IPv6 block ::ffff:0.0.0.0/96 (the API server refuses IPv4-mapped addresses in a CIDR): deny 0.0.0.0/0 instead');
    const chart = dualStack();
    new TrafficPolicy(chart, 'p', { name: 'deny', namespace: 'web', egress: [{ action: RuleAction.DENY, peers: [Peer.cidr('169.254.169.254/32'), Peer.cidr('fd00::/8')] }] });
    expect(find(synthValid(chart), 'ClusterNetworkPolicy', 'web.deny').spec.egress)
      .toEqual([{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }, { networks: ['fd00::/8'] }] }]);
  });
});

describe('Cilium: more than 40 ports become several PortRules with the same L7 rules', () => {
  const chart = chartFor(Cni.cilium());
  new TrafficPolicy(chart, 'p', {
    name: 'api',
    namespace: 'shop',
    podSelector: { app: 'api' },
    ingress: [{ peers: [Peer.pods({ app: 'web' })], ports: ports(41, 8000), http: [{ method: 'GET' }] }],
  });
  const objects = synthValid(chart);

  test('40 + 1 ports, each PortRule with the HTTP rule', () => {
    const toPorts = find(objects, 'CiliumNetworkPolicy', 'api', 'shop').spec.ingress[0].toPorts;
    expect(toPorts.map((p: any) => p.ports.length)).toEqual([40, 1]);
    expect(toPorts[1]).toEqual({ ports: [{ port: '8040', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } });
    expect(toPorts.every((p: any) => p.rules.http[0].method === 'GET')).toBe(true);
  });

  test('the split changes nothing: the 1st, 40th and 41st ports are allowed, the 42nd is not', () => {
    const reach = Reachability.fromManifests(objects, { cni: Cni.cilium() });
    reach.addProbe('web', 'shop', { app: 'web' });
    reach.addProbe('api', 'shop', { app: 'api' });
    const [web, api] = [Target.workload('shop', 'web'), Target.workload('shop', 'api')];
    for (const port of [8000, 8039, 8040]) expect(reach).toAllow(web, api, Port.tcp(port));
    expect(reach).toDeny(web, api, Port.tcp(8041));
  });
});

describe('namespace expressions are emitted in a canonical order', () => {
  const program = (cni: Cni, reversed: boolean): any[] => {
    const chart: Chart = chartFor(cni);
    const expressions = [
      { key: 'team', operator: LabelOperator.IN, values: ['b', 'a'] },
      { key: 'env', operator: LabelOperator.EXISTS },
    ];
    new TrafficPolicy(chart, 'p', {
      name: 'from-teams',
      namespace: 'web',
      ingress: [{ peers: [Peer.namespacesMatching(reversed ? [...expressions].reverse() : expressions)], action: RuleAction.DENY }],
    });
    return synthValid(chart);
  };

  test.each([
    ['kubernetes + ClusterNetworkPolicy', () => Cni.kubernetes({ clusterNetworkPolicy: true })],
    ['calico', () => Cni.calico()],
    ['cilium', () => Cni.cilium()],
  ])('%s: reordering the expressions changes nothing', (_name, cni) => {
    expect(program(cni(), true)).toEqual(program(cni(), false));
  });

  test('calico selector: sorted by key, values sorted', () => {
    const gnp = program(Cni.calico(), false).find((o) => o.kind === 'NetworkPolicy' && o.apiVersion === 'projectcalico.org/v3');
    expect(gnp.spec.ingress[0].source.namespaceSelector).toBe("has(env) && team in {'a', 'b'}");
  });
});
