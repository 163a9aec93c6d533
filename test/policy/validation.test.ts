import { App, Chart, Testing } from 'cdk8s';
import { ClusterNetwork, Cni, Direction, LabelOperator, Peer, Port, Protocol, Target, TrafficPolicy, TrafficPolicyProps } from '../../src';
import { validatePorts } from '../../src/policy/port-validation';
import { reachabilityOf } from '../support/flows';
import { chartFor, find, synthValid } from '../support/synth';

const WEB = [Peer.pods({ app: 'web' })];
const BASE = { name: 'p', namespace: 'shop' };

function policy(cni: Cni, props: TrafficPolicyProps): Chart {
  const chart = chartFor(cni);
  new TrafficPolicy(chart, 'p', props);
  return chart;
}

describe('an empty port list is refused (it would render as "all ports")', () => {
  test('TrafficPolicy rule ports: []', () => {
    expect(() => policy(Cni.kubernetes(), { ...BASE, ingress: [{ peers: WEB, ports: [] }] }))
      .toThrow('[test/p] ingress[0].ports: must list at least one port; omit it for all ports');
    expect(() => policy(Cni.kubernetes(), { ...BASE, egress: [{ peers: WEB, ports: [] }] }))
      .toThrow('[test/p] egress[0].ports: must list at least one port; omit it for all ports');
  });

  test('omitted ports stay "all ports"', () => {
    const np = find(synthValid(policy(Cni.kubernetes(), { ...BASE, ingress: [{ peers: WEB }] })), 'NetworkPolicy', 'p');
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }]);
  });

  test('validatePorts (shared with the patterns) names their prop', () => {
    const chart = Testing.chart();
    expect(() => validatePorts(chart, 'monitoringPorts', [])).toThrow(`[${chart.node.path}] monitoringPorts: must list at least one port; omit it for all ports`);
    expect(validatePorts(chart, 'monitoringPorts', undefined)).toEqual([]);
    expect(validatePorts(chart, 'monitoringPorts', [Port.tcp(9090)])).toEqual([{ protocol: 'TCP', port: 9090, endPort: undefined }]);
  });
});

describe('HTTP matches are validated', () => {
  const http = (h: any) => policy(Cni.cilium(), { ...BASE, ingress: [{ peers: WEB, ports: [Port.tcp(80)], http: [{ method: 'GET' }, h] }] });
  test.each([
    [{}, 'ingress[0].http[1]: an HTTP match needs a method, a path or headers'],
    [{ headers: [] }, 'ingress[0].http[1]: an HTTP match needs a method, a path or headers'],
    [{ method: '' }, "ingress[0].http[1].method: '' is not an upper-case HTTP method token"],
    [{ method: 'get' }, "ingress[0].http[1].method: 'get' is not an upper-case HTTP method token"],
    [{ method: 'GET|POST' }, "ingress[0].http[1].method: 'GET|POST' is not an upper-case HTTP method token"],
    [{ method: '.*' }, "ingress[0].http[1].method: '.*' is not an upper-case HTTP method token"],
    [{ path: '' }, 'ingress[0].http[1].path: must not be empty; omit it for any path'],
    [{ path: '/api/(' }, "ingress[0].http[1].path: '/api/(' is not a valid regular expression"],
    [{ path: '/a[' }, "ingress[0].http[1].path: '/a[' is not a valid regular expression"],
    // Valid JavaScript, not RE2 (Go regexp): Cilium would reject the whole policy.
    [{ path: '/(?!admin).*' }, "ingress[0].http[1].path: '/(?!admin).*' is not a valid regular expression: invalid or unsupported Perl syntax: "
      + 'lookarounds are not supported (Cilium reads it with RE2 syntax and rejects the whole policy otherwise)'],
    [{ path: '/(a)\\1' }, "ingress[0].http[1].path: '/(a)\\1' is not a valid regular expression: invalid escape sequence \\1"],
    [{ headers: [''] }, "ingress[0].http[1].headers[0]: '' must be 'Name' or 'Name: value'"],
    [{ headers: ['X Token: a'] }, "ingress[0].http[1].headers[0]: 'X Token: a' must be 'Name' or 'Name: value'"],
    [{ headers: [': a'] }, "ingress[0].http[1].headers[0]: ': a' must be 'Name' or 'Name: value'"],
    [{ headers: [42] }, 'ingress[0].http[1].headers[0]: must be a string, got the number 42'],
  ])('%j', (h, message) => {
    expect(() => http(h)).toThrow(`[test/p] ${message}`);
  });

  test('an empty list is refused (it would mean every request)', () => {
    expect(() => policy(Cni.cilium(), { ...BASE, ingress: [{ peers: WEB, ports: [Port.tcp(80)], http: [] }] }))
      .toThrow('[test/p] ingress[0].http: must list at least one HTTP match; omit it for no L7 constraint');
  });

  test('RE2 syntax JavaScript lacks is accepted and rendered unchanged', () => {
    const chart = policy(Cni.cilium(), { ...BASE, ingress: [{ peers: WEB, ports: [Port.tcp(80)], http: [{ path: '/v/(?P<id>[[:digit:]]+)' }] }] });
    expect(find(synthValid(chart), 'CiliumNetworkPolicy', 'p').spec.ingress[0].toPorts[0].rules).toEqual({ http: [{ path: '/v/(?P<id>[[:digit:]]+)' }] });
  });

  test('valid matches render unchanged', () => {
    const chart = policy(Cni.cilium(), {
      ...BASE,
      ingress: [{ peers: WEB, ports: [Port.tcp(80)], http: [{ method: 'GET', path: '/api/v[0-9]+/.*' }, { headers: ['X-Token: abc', 'X-Debug'] }] }],
    });
    const cnp = find(synthValid(chart), 'CiliumNetworkPolicy', 'p');
    expect(cnp.spec.ingress[0].toPorts).toEqual([{
      ports: [{ port: '80', protocol: 'TCP' }],
      rules: { http: [{ method: 'GET', path: '/api/v[0-9]+/.*' }, { headers: ['X-Token: abc', 'X-Debug'] }] },
    }]);
  });
});

describe('enum props are checked at run time (jsii callers can pass any string)', () => {
  test('rule action', () => {
    expect(() => policy(Cni.calico(), { ...BASE, ingress: [{ peers: WEB, action: 'Bogus' as any }] }))
      .toThrow("[test/p] ingress[0].action: 'Bogus' is not a rule action (one of Allow, Deny)");
  });

  test('isolate entries', () => {
    expect(() => policy(Cni.kubernetes(), { ...BASE, isolate: [Direction.EGRESS, 'Both' as any] }))
      .toThrow("[test/p] isolate[1]: 'Both' is not a direction (one of Ingress, Egress)");
  });

  test('label expression operator, refused by the factory (not reported as "takes no values")', () => {
    expect(() => Peer.namespacesMatching([{ key: 'tenant', operator: 'Equals' as any, values: ['acme'] }]))
      .toThrow("[Peer.namespacesMatching] expressions[0].operator: 'Equals' is not a label operator (one of In, NotIn, Exists, DoesNotExist)");
    expect(() => policy(Cni.calico(), { ...BASE, ingress: [{ peers: [Peer.namespacesMatching([{ key: 'tenant', operator: LabelOperator.EXISTS, values: ['x'] }])] }] }))
      .toThrow('[test/p] ingress[0].peers[0].expressions[0].values: operator Exists takes no values');
  });

  test('Port.named protocol, refused by the factory', () => {
    expect(() => Port.named('http', 'ICMP' as any)).toThrow("[Port.named] protocol: 'ICMP' is not a protocol (one of TCP, UDP, SCTP)");
    const np = find(synthValid(policy(Cni.kubernetes(), { ...BASE, ingress: [{ peers: WEB, ports: [Port.named('dns', Protocol.UDP)] }] })), 'NetworkPolicy', 'p');
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'UDP', port: 'dns' }]);
  });
});

describe('Calico guard-rail Tier', () => {
  const deny = { name: 'd', namespace: 'shop', egress: [{ peers: WEB, action: 'Deny' as any }] };
  function appChart(app: App, id: string, cni: Cni): Chart {
    const chart = new Chart(app, id);
    new ClusterNetwork(chart, 'cluster', { cni });
    new TrafficPolicy(chart, 'p', { ...deny, namespace: id });
    return chart;
  }

  test('is emitted in every chart that uses it (charts may target different clusters)', () => {
    const app = Testing.app();
    const prod = appChart(app, 'prod', Cni.calico());
    const stage = appChart(app, 'stage', Cni.calico());
    new TrafficPolicy(stage, 'p2', { ...deny, namespace: 'stage', name: 'd2' });
    const tier = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform-guardrails' }, spec: { order: 100, defaultAction: 'Pass' } };
    expect(synthValid(prod).filter((o) => o.kind === 'Tier')).toEqual([tier]);
    expect(synthValid(stage).filter((o) => o.kind === 'Tier')).toEqual([tier]);
  });

  test('one tier name with two orders is an error', () => {
    const app = Testing.app();
    appChart(app, 'prod', Cni.calico({ guardrailTierOrder: 100 }));
    expect(() => appChart(app, 'stage', Cni.calico({ guardrailTierOrder: 500 })))
      .toThrow("[stage/p] calicoGuardrailTier: Calico tier 'platform-guardrails' is requested with order 500, but with order 100 by chart 'prod'");
  });
});

describe('Cilium isolation without rules', () => {
  test('cluster-wide ingress isolation renders the default-deny idiom and denies', () => {
    const chart = policy(Cni.cilium(), { name: 'iso', podSelector: { app: 'server' }, isolate: [Direction.INGRESS] });
    const ccnp = find(synthValid(chart), 'CiliumClusterwideNetworkPolicy', 'iso');
    expect(ccnp.spec.ingress).toEqual([{}]);
    expect(ccnp.spec.egress).toBeUndefined();
    expect(ccnp.spec.enableDefaultDeny).toEqual({ ingress: true, egress: false });
    const reach = reachabilityOf(chart, Cni.cilium());
    reach.addProbe('client', 'other', { app: 'client' }, { ports: [Port.tcp(80)] });
    reach.addProbe('server', 'shop', { app: 'server' }, { ports: [Port.tcp(80)] });
    expect(reach).toDeny(Target.pod('other', { app: 'client' }), Target.pod('shop', { app: 'server' }), Port.tcp(80));
    // Egress is not isolated: the server still reaches the client.
    expect(reach).toAllow(Target.pod('shop', { app: 'server' }), Target.pod('other', { app: 'client' }), Port.tcp(80));
  });

  test('namespaced isolation of both directions with a deny rule', () => {
    const chart = policy(Cni.cilium(), { ...BASE, isolate: [Direction.INGRESS], egress: [{ peers: WEB, action: 'Deny' as any }] });
    const cnp = find(synthValid(chart), 'CiliumNetworkPolicy', 'p');
    expect(cnp.spec.ingress).toEqual([{}]);
    expect(cnp.spec.egressDeny).toHaveLength(1);
    expect(cnp.spec.egress).toBeUndefined();
    const reach = reachabilityOf(chart, Cni.cilium());
    reach.addProbe('client', 'other', { app: 'client' }, { ports: [Port.tcp(80)] });
    reach.addProbe('server', 'shop', { app: 'server' }, { ports: [Port.tcp(80)] });
    expect(reach).toDeny(Target.pod('other', { app: 'client' }), Target.pod('shop', { app: 'server' }), Port.tcp(80));
  });
});

describe('FQDN peers follow the Cilium CRD patterns', () => {
  const fqdn = (peer: Peer) => policy(Cni.cilium(), { ...BASE, egress: [{ peers: [peer], ports: [Port.tcp(443)] }] });
  test.each([
    [Peer.fqdn('a..example.com'), "'a..example.com' is not a valid DNS name"],
    [Peer.fqdn('.example.com'), "'.example.com' is not a valid DNS name"],
    [Peer.fqdn('*.example.com'), "'*.example.com' is not a valid DNS name"],
    [Peer.fqdn('-a.example.com'), "'-a.example.com' is not a valid DNS name: label '-a' starts with '-'"],
    [Peer.fqdn(`${'a'.repeat(64)}.com`), `'${'a'.repeat(64)}.com' is not a valid DNS name: label '${'a'.repeat(64)}' is longer than 63 characters`],
    [Peer.fqdn(`${'a.'.repeat(128)}com`), `'${'a.'.repeat(128)}com' is not a valid DNS name: longer than 255 characters`],
    [Peer.fqdnPattern('*..example.com'), "'*..example.com' is not a valid DNS pattern"],
    [Peer.fqdnPattern('a b.com'), "'a b.com' is not a valid DNS pattern"],
  ])('%s', (peer, message) => {
    expect(() => fqdn(peer)).toThrow(`[test/p] egress[0].peers[0]: ${message}`);
  });

  test('valid names and patterns (trailing dot allowed)', () => {
    const cnp = find(synthValid(fqdn(Peer.fqdn('api.example.com.'))), 'CiliumNetworkPolicy', 'p');
    expect(cnp.spec.egress[1].toFQDNs).toEqual([{ matchName: 'api.example.com.' }]);
    const cnp2 = find(synthValid(fqdn(Peer.fqdnPattern('*.example.com'))), 'CiliumNetworkPolicy', 'p');
    expect(cnp2.spec.egress[1].toFQDNs).toEqual([{ matchPattern: '*.example.com' }]);
  });
});

describe('ClusterNetworkPolicy priority', () => {
  const cni = () => Cni.custom('antrea', { enforcesNetworkPolicy: true, deny: true, ordering: true, clusterWide: true, l7: false, fqdn: false, entities: false, clusterNetworkPolicy: true });
  const deny = (precedence: number) => policy(cni(), { ...BASE, precedence, egress: [{ peers: WEB, action: 'Deny' as any }] });
  test.each([1.5, 1001, 5000])('%p is refused', (precedence) => {
    expect(() => deny(precedence)).toThrow(`[test/p] precedence: ${precedence} must be an integer from 0 to 1000 when rendered as a ClusterNetworkPolicy`);
  });
  test.each([0, 1000])('%p is the priority', (precedence) => {
    const objects = synthValid(deny(precedence));
    expect(objects.filter((o) => o.kind === 'ClusterNetworkPolicy').map((o) => o.spec.priority)).toEqual([precedence]);
  });
});
