/**
 * Red-team audit of the patterns' public entry points: plain-JavaScript callers (and TypeScript
 * ones passing a variable, which gets no excess-property check) misspell fields, and pass `null`
 * where a field is optional. A misspelt optional field used to read as omitted, often the wider
 * intent (`port` for `ports`: every port; `actoin: DENY`: an allow; `namespce`: a cluster-wide
 * policy), and `null` used to read as the default (a null rule action: Allow). Both are now errors
 * naming the construct path and the field.
 */
import {
  Cni, EgressAllowList, LabelOperator, Peer, Port, RuleAction, TenantIsolation, ThreeTierApp, TrafficPolicy,
  ZeroTrustNamespace,
} from '../../src';
import { chartFor, find, synthValid } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

const thrown = validationErrorOf;

const any = (x: unknown) => x as any;
const APP = { host: 'shop.example.com', frontend: { image: 'web:1' }, backend: { image: 'api:1' }, database: { image: 'postgres:16.4' } };
const DEST = { peer: Peer.cidr('203.0.113.0/24'), ports: [Port.tcp(443)] };
const SUFFIX = 'a misspelt field would be silently ignored';

describe('a field the struct does not declare is an error naming it, never ignored', () => {
  test.each([
    ['TrafficRule `port` (was: every port)', (c: any) => new TrafficPolicy(c, 'p', {
      name: 'p', namespace: 'a', ingress: [any({ peers: [Peer.pods({ app: 'x' })], port: [Port.tcp(80)] })],
    }), 'test/p', 'ingress[0].port', 'peers, ports, action, http'],
    ['TrafficRule `actoin: DENY` (was: an allow)', (c: any) => new TrafficPolicy(c, 'p', {
      name: 'p', namespace: 'a', egress: [any({ peers: [Peer.cidr('198.51.100.0/24')], actoin: RuleAction.DENY })],
    }), 'test/p', 'egress[0].actoin', 'peers, ports, action, http'],
    ['TrafficPolicy `namespce` (was: a cluster-wide policy)', (c: any) => new TrafficPolicy(c, 'p', any({
      name: 'p', namespce: 'a', podSelector: { app: 'x' }, ingress: [{ peers: [Peer.allPods()] }],
    })), 'test/p', 'namespce', 'name, namespace, podSelector, namespaceSelector, isolate, ingress, egress, precedence, labels'],
    ['HttpMatch `methd` (was: any method)', (c: any) => new TrafficPolicy(c, 'p', {
      name: 'p', namespace: 'a', ingress: [{ peers: [Peer.allPods()], ports: [Port.tcp(80)], http: [any({ methd: 'GET', path: '/api' })] }],
    }), 'test/p', 'ingress[0].http[0].methd', 'method, path, headers'],
    ['ZeroTrustNamespace.addPolicy `podSelectors` (was: every pod of the namespace)', (c: any) =>
      new ZeroTrustNamespace(c, 'zt', { name: 'web' }).addPolicy('x', any({ podSelectors: { app: 'x' }, ingress: [{ peers: [Peer.allPods()] }] })),
    'test/zt', 'options.podSelectors', 'podSelector, isolate, ingress, egress, labels'],
    ['ZeroTrustNamespace props', (c: any) => new ZeroTrustNamespace(c, 'zt', any({ name: 'web', podSecurityLevel: 'privileged' })),
      'test/zt', 'podSecurityLevel', 'name, labels, podSecurity, podSecurityVersion, allowSameNamespace, monitoringPorts, '
      + 'ingressControllerPorts, createNamespace, mesh'],
    ['TenantIsolation `allowSameTenants: false` (was: allow-same-tenant emitted)', (c: any) =>
      new TenantIsolation(c, 'ti', any({ tenants: ['acme'], allowSameTenants: false })), 'test/ti', 'allowSameTenants',
    'tenants, namespaces, tenantLabel, allowSameTenant, allowInternetEgress, internetEgressPorts, guardrails, podSecurity, mesh'],
    ['EgressAllowList props', (c: any) => new EgressAllowList(c, 'list', any({ namespace: 'a', podSelector: {}, destinations: [DEST], allowDNS: false })),
      'test/list', 'allowDNS', 'namespace, podSelector, destinations, name, allowDns'],
    ['EgressAllowList destination', (c: any) => new EgressAllowList(c, 'list', {
      namespace: 'a', podSelector: {}, destinations: [any({ ...DEST, port: [Port.tcp(80)] })],
    }), 'test/list', 'destinations[0].port', 'peer, ports'],
    ['ThreeTierApp props', (c: any) => new ThreeTierApp(c, 'app', any({ ...APP, namespace: 'shop', hosts: ['shop.example.com'] })),
      'test/app', 'hosts', 'name, namespace, zeroTrustNamespace, host, frontend, backend, database, ingress, gateway, mesh, meshTierAuthorization, createNamespace, labels'],
    ['ThreeTierApp a database field on an HTTP tier', (c: any) => new ThreeTierApp(c, 'app', any({ ...APP, namespace: 'shop', frontend: { image: 'web:1', storage: 1 } })),
      'test/app', 'frontend.storage', 'image, env, envFromSecret, readOnlyRootFilesystem, port, replicas, resources, runAsUser, writablePaths, serviceAccount, podLabels, '
      + 'podAnnotations, healthCheckPath'],
    ['ThreeTierApp an HTTP field on the database tier', (c: any) => new ThreeTierApp(c, 'app', any({
      ...APP, namespace: 'shop', database: { image: 'postgres:16.4', healthCheckPath: '/healthz' },
    })), 'test/app', 'database.healthCheckPath', 'image, env, envFromSecret, readOnlyRootFilesystem, port, replicas, resources, runAsUser, '
      + 'writablePaths, serviceAccount, podLabels, podAnnotations, storage, storageClassName, dataMountPath'],
    ['ThreeTierApp ingress options', (c: any) => new ThreeTierApp(c, 'app', any({ ...APP, namespace: 'shop', ingress: { sslRedirects: false } })),
      'test/app', 'ingress.sslRedirects', 'className, clusterIssuer, tlsSecretName, sslRedirect, limitRps, allowAcmeHttp01Solver'],
    ['ZeroTrustNamespace mesh options', (c: any) => new ZeroTrustNamespace(c, 'zt', any({ name: 'web', mesh: { defaultInboundPolicy: 'deny' } })),
      'test/zt', 'mesh.defaultInboundPolicy', 'linkerdDefaultInboundPolicy'],
  ])('%s', (_what, build, path, prop, known) => {
    const e = thrown(() => build(chartFor(Cni.calico())));
    expect(e.message).toBe(`[${path}] ${prop}: unknown field (expected one of ${known}); ${SUFFIX}`);
  });

  test.each([
    ['Peer.internet options', () => Peer.internet(any({ exceptPrivateRange: false })), 'Peer.internet', 'options.exceptPrivateRange', 'exceptPrivateRanges'],
    ['Peer.namespacesMatching expression', () => Peer.namespacesMatching([any({ key: 'tenant', operator: LabelOperator.NOT_IN, value: ['acme'] })]),
      'Peer.namespacesMatching', 'expressions[0].value', 'key, operator, values'],
  ])('%s', (_what, build, path, prop, known) => {
    expect(thrown(build).message).toBe(`[${path}] ${prop}: unknown field (expected one of ${known}); ${SUFFIX}`);
  });

  test('every declared field is still accepted: a rule with all four fields and a policy with every field synthesize', () => {
    const chart = chartFor(Cni.cilium());
    new TrafficPolicy(chart, 'p', {
      name: 'p',
      namespace: 'a',
      podSelector: { app: 'web' },
      isolate: [],
      labels: { team: 'web' },
      ingress: [{ peers: [Peer.pods({ app: 'lb' })], ports: [Port.tcp(80)], action: RuleAction.ALLOW, http: [{ method: 'GET', path: '/', headers: ['X-A'] }] }],
      egress: [{ peers: [Peer.cidr('198.51.100.0/24')], action: RuleAction.DENY }],
    });
    const policy = find(synthValid(chart), 'CiliumNetworkPolicy', 'p', 'a');
    expect(policy.spec.egressDeny).toEqual([{ toCIDRSet: [{ cidr: '198.51.100.0/24' }] }]);
    expect(policy.spec.ingress[0].toPorts).toEqual([{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/', headers: ['X-A'] }] } }]);
  });
});

describe('null is no "omitted": it is an error, never the default', () => {
  test('a null rule action is refused (was: Allow)', () => {
    const e = thrown(() => new TrafficPolicy(chartFor(Cni.calico()), 'p', {
      name: 'p', namespace: 'a', egress: [{ peers: [Peer.cidr('198.51.100.0/24')], action: any(null) }],
    }));
    expect(e.message).toBe('[test/p] egress[0].action: null is not a rule action (one of Allow, Deny)');
  });

  test('a null podSecurity is refused (was: restricted)', () => {
    expect(thrown(() => new ZeroTrustNamespace(chartFor(Cni.calico()), 'zt', { name: 'web', podSecurity: any(null) })).message)
      .toBe('[test/zt] podSecurity: null is not a Pod Security level (one of restricted, baseline, privileged)');
  });

  test.each([
    ['frontend.port', { frontend: { image: 'web:1', port: null } }, 'must be a number, got null'],
    ['frontend.replicas', { frontend: { image: 'web:1', replicas: null } }, 'must be a number, got null'],
    ['backend.runAsUser', { backend: { image: 'api:1', runAsUser: null } }, 'must be a number, got null'],
    ['backend.healthCheckPath', { backend: { image: 'api:1', healthCheckPath: null } }, 'must be a string, got null'],
    ['database.dataMountPath', { database: { image: 'postgres:16.4', dataMountPath: null } }, 'must be a string, got null'],
    ['database.port', { database: { image: 'postgres:16.4', port: null } }, 'must be a number, got null'],
    ['name', { name: null }, 'must be a string, got null'],
    ['ingress.className', { ingress: { className: null } }, 'must be a string, got null'],
    ['ingress.clusterIssuer', { ingress: { clusterIssuer: null } }, 'must be a string, got null'],
    ['ingress.tlsSecretName', { ingress: { tlsSecretName: null } }, 'must be a string, got null'],
  ])('ThreeTierApp %s: null (was: the default)', (prop, props, reason) => {
    expect(thrown(() => new ThreeTierApp(chartFor(Cni.calico()), 'app', { ...APP, namespace: 'shop', ...any(props) })).message)
      .toBe(`[test/app] ${prop}: ${reason}`);
  });
});

describe('ZeroTrustNamespace.allowFlow names its policies after a string', () => {
  test.each([
    [undefined, 'must be a non-empty string, got undefined'],
    [null, 'must be a non-empty string, got null'],
    [7, 'must be a non-empty string, got the number 7'],
  ])('name %p (was: policies named `%p-egress` and `%p-ingress`)', (name, reason) => {
    const ns = new ZeroTrustNamespace(chartFor(Cni.kubernetes()), 'zt', { name: 'web' });
    expect(thrown(() => ns.allowFlow(any(name), { app: 'api' }, { app: 'db' }, [Port.tcp(5432)])).message).toBe(`[test/zt] name: ${reason}`);
    expect(ns.policy(`${name}-egress`)).toBeUndefined();
  });
});
