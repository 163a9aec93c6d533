/**
 * Issue 8.4 and "errors without a path": JavaScript and jsii callers pass what TypeScript would
 * refuse. Every such value is a ValidationError naming where (`[construct path]` or
 * `[Factory.name]`) and which prop, never a bare TypeError and never a wider peer.
 */
import { Testing } from 'cdk8s';
import {
  ClusterNetwork, Cni, LabelOperator, Peer, Port, TenantIsolation, ThreeTierApp, TrafficPolicy, ZeroTrustNamespace,
} from '../../src';
import { chartFor } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

const thrown = validationErrorOf;

const APP = { host: 'shop.example.com', frontend: { image: 'web:1' }, backend: { image: 'api:1' }, database: { image: 'postgres:16.4' } };
const any = (x: unknown) => x as any;

describe('Peer factories refuse what would widen a peer (issue 8.4)', () => {
  test.each([
    ['Peer.namespaces(undefined) (was: every pod in the cluster)', () => Peer.namespaces(any(undefined)),
      'Peer.namespaces', 'namespaceLabels', 'must be a map of strings to strings, got undefined'],
    ['Peer.namespaces(null)', () => Peer.namespaces(any(null)), 'Peer.namespaces', 'namespaceLabels', 'must be a map of strings to strings, got null'],
    ['Peer.namespaces with a string (was: index-keyed labels)', () => Peer.namespaces(any('tenant=acme')),
      'Peer.namespaces', 'namespaceLabels', "must be a map of strings to strings, got the string 'tenant=acme'"],
    ['Peer.namespaces with pod labels as an array', () => Peer.namespaces({ tenant: 'acme' }, any(['web'])),
      'Peer.namespaces', 'podLabels', 'must be a map of strings to strings, got an array of 1'],
    ['values as a string (was: split into letters, admitting acme)', () => Peer.namespacesMatching([{ key: 'tenant', operator: LabelOperator.NOT_IN, values: any('acme') }]),
      'Peer.namespacesMatching', 'expressions[0].values', "must be a list, got the string 'acme'"],
    ['namespacesMatching([]) (was: every namespace)', () => Peer.namespacesMatching([]), 'Peer.namespacesMatching', 'expressions',
      'must list at least one expression (no expression would match every namespace: say Peer.allPods() or Peer.namespaces({}) for that)'],
    ['namespacesMatching(undefined)', () => Peer.namespacesMatching(any(undefined)), 'Peer.namespacesMatching', 'expressions', 'must be a list, got undefined'],
    ['namespacesMatching([null])', () => Peer.namespacesMatching(any([null])), 'Peer.namespacesMatching', 'expressions[0]', 'must be an object, got null'],
    ['Peer.pods(undefined, ns) (was: every pod of ns)', () => Peer.pods(any(undefined), 'shop'), 'Peer.pods', 'labels', 'must be a map of strings to strings, got undefined'],
    ['Peer.pods with a null namespace', () => Peer.pods({ app: 'web' }, any(null)), 'Peer.pods', 'namespace', 'must be a string, got null'],
    ['Peer.namespace(undefined) (was: the policy\'s own namespace)', () => Peer.namespace(any(undefined)), 'Peer.namespace', 'name', 'must be a non-empty string, got undefined'],
    ['Peer.namespace(\'\')', () => Peer.namespace(''), 'Peer.namespace', 'name', "must be a non-empty string, got the string ''"],
    ['Peer.cidr(undefined)', () => Peer.cidr(any(undefined)), 'Peer.cidr', 'cidr', 'must be a string, got undefined'],
    ['Peer.cidr except as a string', () => Peer.cidr('0.0.0.0/0', any('10.0.0.0/8')), 'Peer.cidr', 'except', "must be a list, got the string '10.0.0.0/8'"],
    ['Peer.internet exceptPrivateRanges as "false"', () => Peer.internet({ exceptPrivateRanges: any('false') }),
      'Peer.internet', 'exceptPrivateRanges', "must be true or false, got the string 'false'"],
    ['Peer.fqdn(42)', () => Peer.fqdn(any(42)), 'Peer.fqdn', 'name', 'must be a string, got the number 42'],
    ['Port.tcp(\'443\')', () => Port.tcp(any('443')), 'Port.tcp', 'port', "must be a number, got the string '443'"],
    ['Port.tcpRange(1, null)', () => Port.tcpRange(1, any(null)), 'Port.tcpRange', 'to', 'must be a number, got null'],
    ['Port.named(undefined)', () => Port.named(any(undefined)), 'Port.named', 'name', 'must be a string, got undefined'],
  ])('%s', (_what, build, path, prop, reason) => {
    const e = thrown(build);
    expect([e.path, e.prop, e.reason]).toEqual([path, prop, reason]);
    expect(e.message).toBe(`[${path}] ${prop}: ${reason}`);
  });

  test('fqdnPattern(\'*\') and other all-wildcard patterns match every name: refused with the rule\'s path', () => {
    for (const pattern of ['*', '*.', '*.*', '**.*']) {
      const e = thrown(() => new TrafficPolicy(chartFor(Cni.cilium()), 'p', { name: 'p', namespace: 'a', egress: [{ peers: [Peer.fqdnPattern(pattern)] }] }));
      expect(e.message).toBe(`[test/p] egress[0].peers[0]: '${pattern}' is not a valid DNS pattern: it matches every DNS name; name the domain `
        + "(e.g. '*.example.com'), or allow Peer.internet() explicitly");
    }
  });
});

describe('constructs name the prop for the sixteen inputs that gave a bare TypeError', () => {
  test.each([
    ['monitoringPorts: [null]', (c: any) => new ZeroTrustNamespace(c, 'zt', { name: 'web', monitoringPorts: any([null]) }),
      '[test/zt] monitoringPorts[0]: must be a Port (Port.tcp(443), Port.udp(53), Port.tcpRange(...), Port.named(...), ...), got null'],
    ['ports not a list', (c: any) => new TrafficPolicy(c, 'p', { name: 'p', namespace: 'a', egress: [{ peers: [Peer.allPods()], ports: any(Port.tcp(80)) }] }),
      '[test/p] egress[0].ports: must be a list, got a Port'],
    ['peers not a list', (c: any) => new TrafficPolicy(c, 'p', { name: 'p', namespace: 'a', egress: [{ peers: any(Peer.allPods()) }] }),
      '[test/p] egress[0].peers: must be a list, got a Peer'],
    ['isolate not a list', (c: any) => new TrafficPolicy(c, 'p', { name: 'p', namespace: 'a', isolate: any('Ingress') }),
      "[test/p] isolate: must be a list, got the string 'Ingress'"],
    ['ingress not a list', (c: any) => new TrafficPolicy(c, 'p', { name: 'p', namespace: 'a', ingress: any({ peers: [Peer.allPods()] }) }),
      '[test/p] ingress: must be a list, got a plain object'],
    ['tenants not a list', (c: any) => new TenantIsolation(c, 'ti', { tenants: any('acme') }), "[test/ti] tenants: must be a list, got the string 'acme'"],
    ['namespaces of a tenant not a list', (c: any) => new TenantIsolation(c, 'ti', { tenants: ['acme'], namespaces: any({ acme: 'acme-web' }) }),
      "[test/ti] namespaces.acme: must be a list, got the string 'acme-web'"],
    ['namespaces not a map', (c: any) => new TenantIsolation(c, 'ti', { tenants: ['acme'], namespaces: any(['acme']) }),
      '[test/ti] namespaces: must be an object, got an array of 1'],
    ['peers: [null]', (c: any) => new TrafficPolicy(c, 'p', { name: 'p', namespace: 'a', egress: [{ peers: any([null]) }] }),
      '[test/p] egress[0].peers[0]: must be a Peer made by one of its factories (Peer.pods(...), Peer.internet(), ...), got null'],
    ['peers: [a fake Peer]', (c: any) => new TrafficPolicy(c, 'p', { name: 'p', namespace: 'a', egress: [{ peers: any([{ kind: 'internet' }]) }] }),
      '[test/p] egress[0].peers[0]: must be a Peer made by one of its factories (Peer.pods(...), Peer.internet(), ...), got a plain object'],
    ['peers: [a fake Peer with a spec]', (c: any) => new TrafficPolicy(c, 'p', { name: 'p', namespace: 'a', egress: [{ peers: any([{ _spec: { kind: 'internet' } }]) }] }),
      '[test/p] egress[0].peers[0]: must be a Peer made by one of its factories'],
    ['ingress: [null]', (c: any) => new TrafficPolicy(c, 'p', { name: 'p', namespace: 'a', ingress: any([null]) }), '[test/p] ingress[0]: must be an object, got null'],
    ['TrafficPolicy without props', (c: any) => new TrafficPolicy(c, 'p', any(undefined)), '[test/p] props: must be an object of props (they are required), got undefined'],
    ['ZeroTrustNamespace without props', (c: any) => new ZeroTrustNamespace(c, 'zt', any(undefined)), '[test/zt] props: must be an object of props (they are required), got undefined'],
    ['TenantIsolation without props', (c: any) => new TenantIsolation(c, 'ti', any(undefined)), '[test/ti] props: must be an object of props (they are required), got undefined'],
    ['ThreeTierApp without props', (c: any) => new ThreeTierApp(c, 'app', any(undefined)), '[test/app] props: must be an object of props (they are required), got undefined'],
    ['ThreeTierApp tier as a string', (c: any) => new ThreeTierApp(c, 'app', any({ ...APP, namespace: 'shop', backend: 'api:1' })),
      "[test/app] backend: must be an object, got the string 'api:1'"],
  ])('%s', (_what, build, message) => {
    expect(thrown(() => build(chartFor(Cni.calico()))).message).toContain(message);
  });

  test('cni as a string and ClusterNetwork without props are named errors', () => {
    expect(thrown(() => new ClusterNetwork(Testing.chart(), 'cluster', { cni: any('calico') })).message)
      .toContain('[test/cluster] cni: must be a Cni made by one of its factories: Cni.kubernetes(), Cni.calico(), Cni.cilium(), '
        + "Cni.flannel({ acknowledgeUnenforcedPolicies: true }) or Cni.custom(name, capabilities), not the string 'calico'");
    expect(thrown(() => new ClusterNetwork(Testing.chart(), 'cluster', any(undefined))).message)
      .toBe('[test/cluster] props: must be an object of props (they are required), got undefined');
  });
});

describe('truthy strings and numbers are no booleans (issue 8.4)', () => {
  test.each([
    ['allowSameTenant', { allowSameTenant: 'false' }, "must be true or false, got the string 'false'"],
    ['allowInternetEgress', { allowInternetEgress: 'false' }, "must be true or false, got the string 'false'"],
    ['guardrails', { guardrails: 0 }, 'must be true or false, got the number 0'],
  ])('TenantIsolation %s', (prop, props, reason) => {
    expect(thrown(() => new TenantIsolation(chartFor(Cni.calico()), 'ti', { tenants: ['acme'], ...any(props) })).message)
      .toBe(`[test/ti] ${prop}: ${reason}`);
  });

  test.each([
    ['allowSameNamespace', { allowSameNamespace: 'no' }],
    ['createNamespace', { createNamespace: 1 }],
  ])('ZeroTrustNamespace %s', (prop, props) => {
    expect(thrown(() => new ZeroTrustNamespace(chartFor(Cni.calico()), 'zt', { name: 'web', ...any(props) })).message)
      .toMatch(new RegExp(`^\\[test/zt\\] ${prop}: must be true or false, got the `));
  });

  test.each([
    ['frontend.readOnlyRootFilesystem', { frontend: { image: 'web:1', readOnlyRootFilesystem: 'false' } }],
    ['ingress.sslRedirect', { ingress: { sslRedirect: 'false' } }],
    ['ingress.allowAcmeHttp01Solver', { ingress: { allowAcmeHttp01Solver: 0 } }],
    ['createNamespace', { createNamespace: 'true' }],
  ])('ThreeTierApp %s', (prop, props) => {
    expect(thrown(() => new ThreeTierApp(chartFor(Cni.calico()), 'app', { ...APP, namespace: 'shop', ...any(props) })).message)
      .toMatch(new RegExp(`^\\[test/app\\] ${prop.replace('.', '\\.')}: must be true or false, got the `));
  });
});

describe('keys JavaScript and cdk8s cannot carry, and values Kubernetes rejects', () => {
  test('a label key `constructor` is refused (cdk8s cannot serialize it)', () => {
    expect(thrown(() => new ZeroTrustNamespace(chartFor(Cni.calico()), 'zt', { name: 'web', labels: { constructor: 'x' } })).message)
      .toBe("[test/zt] labels: the key 'constructor' cannot be used: JavaScript objects (and cdk8s, which serializes them) treat "
        + "'constructor' specially, so the entry would be lost or break synthesis");
    expect(thrown(() => new TrafficPolicy(chartFor(Cni.calico()), 'p', { name: 'p', namespace: 'a', podSelector: { constructor: 'x' }, isolate: any(['Ingress']) }))
      .message).toContain("[test/p] podSelector: the key 'constructor' cannot be used");
  });

  test('an env key `__proto__` is refused (a plain object drops it silently)', () => {
    const env = JSON.parse('{"__proto__": "x", "A": "1"}');
    expect(thrown(() => new ThreeTierApp(chartFor(Cni.calico()), 'app', { ...APP, namespace: 'shop', frontend: { image: 'web:1', env } })).message)
      .toContain("[test/app] frontend.env: the key '__proto__' cannot be used");
  });

  test('replicas above int32 (2 ** 40) are refused; the largest int32 is accepted', () => {
    expect(thrown(() => new ThreeTierApp(chartFor(Cni.calico()), 'app', { ...APP, namespace: 'shop', frontend: { image: 'web:1', replicas: 2 ** 40 } })).message)
      .toBe('[test/app] frontend.replicas: 1099511627776 exceeds 2147483647, the largest value Kubernetes accepts (int32)');
    const app = new ThreeTierApp(chartFor(Cni.calico()), 'app', { ...APP, namespace: 'shop', database: { image: 'postgres:16.4', replicas: 2147483647 } });
    expect(app.database.replicas).toBe(2147483647);
  });

  test('ZeroTrustNamespace methods check their arguments too', () => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.calico()), 'zt', { name: 'web' });
    expect(thrown(() => ns.allowEgress('x', any(undefined), [Peer.internet()])).message).toBe('[test/zt] podSelector: must be a map of strings to strings, got undefined');
    expect(thrown(() => ns.allowIngress('x', {}, any(Peer.allPods()))).message).toBe('[test/zt/x] ingress[0].peers: must be a list, got a Peer');
    expect(thrown(() => ns.addPolicy('x', any(undefined))).message).toBe("[test/zt] options of policy 'x': must be an object of props (they are required), got undefined");
    expect(thrown(() => ns.allowFlow('f', any('app=api'), { app: 'db' }, [Port.tcp(5432)])).message).toBe("[test/zt] from: must be a map of strings to strings, got the string 'app=api'");
    expect(thrown(() => ns.allowFlow('f', { app: 'api' }, { app: 'db' }, any(Port.tcp(5432)))).message).toBe('[test/zt] ports: must be a list, got a Port');
  });
});
