/**
 * Property: every public entry point of the service-mesh and Gateway API code (Mesh.*, MeshSource.*,
 * AllowedRoutes.*, GatewayParent.*, RouteTarget.*, IstioMtls, IstioAuthorization and its flows,
 * CircuitBreaker, LinkerdAuthorization, MeshAuthorization, CanaryRoute, HttpsGateway,
 * ProgressiveRollout, and the `mesh` / `gateway` props of ZeroTrustNamespace, TenantIsolation and
 * ThreeTierApp), given JavaScript-level garbage for one prop or argument, either fails with a
 * ValidationError naming the construct path (or the factory) and the prop, or accepts a value of the
 * declared type only and emits exactly what that value asks for (selectors, principals, ports,
 * weights, labels: never a wider one).
 */
import { Chart, Duration } from 'cdk8s';
import * as fc from 'fast-check';
import {
  AllowedRoutes, CanaryRoute, CircuitBreaker, Cni, GatewayParent, HttpsGateway, IstioAuthorization, IstioMode, IstioMtls, LinkerdAuthorization,
  LinkerdInboundPolicy, LoadBalancerAlgorithm, Mesh, MeshAuthorization, MeshRouteApi, MeshSource, MtlsMode, MtlsPortMode, ProgressiveRollout,
  RouteProtocol, RouteTarget, TenantIsolation, ThreeTierApp, ZeroTrustNamespace,
} from '../../src';
import { meshChart } from '../support/mesh';
import { regexAdmitting } from '../support/route-regex';
import { find, ofKind, synthValid } from '../support/synth';
import { runs } from './support/config';
import { expectNamedOrTyped, garbage, isPlain, isStringMap } from './support/garbage';
import { Case, absentOr, arrayOf, garbageProperty, isBoolean, isNumber, isString, maybe, named, oneOf } from './support/garbage-cases';

const NUM_RUNS = 120;

const sidecar = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
const linkerd = () => meshChart(Cni.cilium(), Mesh.linkerd({ cni: true }));

describe('Mesh factories', () => {
  test('Mesh.istio(options): a named error, or exactly the labels, control-plane pods and trust domain asked for', () => {
    const options = fc.oneof(garbage, fc.record({
      mode: fc.oneof(garbage, fc.constantFrom(IstioMode.SIDECAR, IstioMode.AMBIENT)),
      revision: maybe(fc.constant('canary')),
      rootNamespace: maybe(fc.constant('istio-config')),
      cni: maybe(fc.boolean()),
      istiodLabels: maybe(fc.constantFrom({ 'app': 'istiod', 'istio.io/rev': 'canary' }, { app: 'istiod' })),
      trustDomain: maybe(fc.constant('prod.example')),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['Mesh.istio'], (x: any) => Mesh.istio(x),
        (x) => isPlain(x) && oneOf(Object.values(IstioMode))(x.mode) && absentOr(isString)(x.revision) && absentOr(isString)(x.rootNamespace)
          && absentOr(isBoolean)(x.cni) && absentOr(isStringMap)(x.istiodLabels) && absentOr(isString)(x.trustDomain),
        (mesh, x: any) => {
          const ambient = x.mode === IstioMode.AMBIENT;
          expect(mesh.namespaceLabels()).toEqual(ambient ? { 'istio.io/dataplane-mode': 'ambient' }
            : x.revision ? { 'istio.io/rev': x.revision } : { 'istio-injection': 'enabled' });
          expect(mesh.cniPlugin).toBe(x.cni ?? ambient);
          expect(mesh.trustDomain).toBe(x.trustDomain ?? 'cluster.local');
          // Sidecars dial exactly the istiod pods given: never every pod of the control-plane namespace.
          const cp = mesh.networkNeeds().controlPlane;
          if (!ambient) {
            expect(cp).toHaveLength(1);
            expect(cp[0]).toEqual(expect.objectContaining({
              namespace: x.rootNamespace ?? 'istio-system',
              podLabels: x.istiodLabels ?? { app: 'istiod', ...(x.revision ? { 'istio.io/rev': x.revision } : {}) },
            }));
          } else {expect(cp).toEqual([]);}
        });
    }), runs(NUM_RUNS));
  });

  test('Mesh.linkerd(options): a named error, or exactly that control-plane namespace and CNI plugin', () => {
    const options = fc.oneof(garbage, fc.record({
      cni: maybe(fc.boolean()), controlPlaneNamespace: maybe(fc.constant('linkerd-edge')), trustDomain: maybe(fc.constant('prod.example')),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['Mesh.linkerd'], (x: any) => Mesh.linkerd(x),
        (x) => x === undefined || (isPlain(x) && absentOr(isBoolean)(x.cni) && absentOr(isString)(x.controlPlaneNamespace)
          && absentOr(isString)(x.trustDomain)),
        (mesh, x: any) => {
          expect(mesh.cniPlugin).toBe(x?.cni === true);
          // Each control-plane component by its label, in exactly that namespace (never the whole namespace).
          expect(mesh.networkNeeds().controlPlane.map((cp) => [cp.namespace, cp.podLabels])).toEqual(['destination', 'identity'].map((c) =>
            [x?.controlPlaneNamespace ?? 'linkerd', { 'linkerd.io/control-plane-component': c }]));
          expect(mesh.namespaceAnnotations()).toEqual({ 'linkerd.io/inject': 'enabled' });
        });
    }), runs(NUM_RUNS));
  });
});

/** The `from` of a one-source ALLOW flow to `app: api` in `shop` (STRICT mTLS declared for it). */
function istioFrom(source: () => MeshSource): any[] {
  const chart = sidecar();
  new IstioMtls(chart, 'mtls', { namespace: 'shop' });
  new IstioAuthorization(chart, 'p', { namespace: 'shop', allowNothing: false }).allowFlow('f', { from: [source()], to: { app: 'api' } });
  return find(synthValid(chart), 'AuthorizationPolicy', 'f', 'shop').spec.rules[0].from;
}

describe('MeshSource factories', () => {
  const name = fc.oneof(garbage, fc.constantFrom('web', 'batch', 'cluster.local/ns/shop/sa/web'));

  test('MeshSource.serviceAccount(name, namespace): a named error, or exactly that principal', () => {
    fc.assert(fc.property(name, fc.oneof(garbage, fc.constantFrom('ops', undefined)), (n, ns) => {
      expectNamedOrTyped([n, ns], ['MeshSource.serviceAccount'], ([a, b]: any) => istioFrom(() => MeshSource.serviceAccount(a, b)),
        ([a, b]: any) => isString(a) && absentOr(isString)(b),
        (from, [a, b]: any) => expect(from).toEqual([{ source: { principals: [`cluster.local/ns/${b ?? 'shop'}/sa/${a}`] } }]));
    }), runs(NUM_RUNS));
  });

  test('MeshSource.namespace(name) and .principal(p): a named error, or exactly that namespace or principal', () => {
    fc.assert(fc.property(name, fc.boolean(), (n, principal) => {
      expectNamedOrTyped(n, [principal ? 'MeshSource.principal' : 'MeshSource.namespace'],
        (a: any) => istioFrom(() => (principal ? MeshSource.principal(a) : MeshSource.namespace(a))), isString,
        (from, a) => expect(from).toEqual([{ source: principal ? { principals: [a] } : { namespaces: [a] } }]));
    }), runs(NUM_RUNS));
  });

  test('MeshSource.workload(workload): a look-alike is a named error, never a service account', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.constant({ serviceAccount: { name: 'web' }, metadata: { namespace: 'shop' }, node: { path: 'x' } })), (w) => {
      expectNamedOrTyped(w, ['MeshSource.workload'], (a: any) => MeshSource.workload(a), () => false);
    }), runs(NUM_RUNS));
  });
});

describe('Gateway API and route factories', () => {
  test('AllowedRoutes.namespaces(names): a named error, or exactly those namespaces', () => {
    fc.assert(fc.property(fc.oneof(garbage, fc.array(fc.oneof(garbage, fc.constantFrom('shop', 'blog')), { maxLength: 3 })), (names) => {
      expectNamedOrTyped(names, ['AllowedRoutes.namespaces'], (a: any) => AllowedRoutes.namespaces(a),
        (a) => arrayOf(isString)(a) && (a as unknown[]).length > 0,
        (routes, a: any) => expect(routes._toSpec()).toEqual({
          namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...new Set(a)].sort() }] } },
          kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
        }));
    }), runs(NUM_RUNS));
  });

  test('GatewayParent.existing(options): a named error, or exactly that Gateway and listener', () => {
    const options = fc.oneof(garbage, fc.record({
      name: fc.oneof(garbage, fc.constant('public')), namespace: fc.oneof(garbage, fc.constant('gateways')), sectionName: maybe(fc.constant('https')),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['GatewayParent.existing'], (x: any) => GatewayParent.existing(x),
        (x) => isPlain(x) && isString(x.name) && isString(x.namespace) && absentOr(isString)(x.sectionName),
        (parent, x: any) => expect(parent.toString()).toBe(`${x.namespace}/${x.name}${x.sectionName ? `/${x.sectionName}` : ''}`));
    }), runs(NUM_RUNS));
  });

  /** A canary of `api` in `shop` routed by `target` (Services outside the app), and its route. */
  const routeOf = (target: () => RouteTarget) => {
    const chart = sidecar();
    new CanaryRoute(chart, 'c', {
      namespace: 'shop',
      service: 'api',
      port: 8080,
      stable: { name: 'v1', labels: { version: 'v1' } },
      canary: { name: 'v2', labels: { version: 'v2' } },
      stablePercent: 90,
      canaryPercent: 10,
      target: target(),
      servicesOutsideApp: true,
    });
    return ofKind(synthValid(chart), 'HTTPRoute')[0];
  };
  const parent = () => GatewayParent.existing({ name: 'public', namespace: 'gateways', sectionName: 'https' });

  test('RouteTarget.gateway(parent, options): a named error, or that parent, host names and route namespace', () => {
    const options = fc.oneof(garbage, fc.record({
      hostnames: maybe(fc.constant(['shop.example.com'])), routeNamespace: maybe(fc.constant('routes')),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(fc.oneof(garbage, fc.constant('parent')), options, (p, o) => {
      const args: [unknown, unknown] = [p === 'parent' ? parent() : p, o];
      expectNamedOrTyped(args, ['RouteTarget.gateway', 'test/c'], ([a, b]: any) => routeOf(() => RouteTarget.gateway(a, b)),
        ([a, b]: any) => a instanceof GatewayParent && (b === undefined || (isPlain(b) && absentOr(arrayOf(isString))(b.hostnames)
          && absentOr(isString)(b.routeNamespace))),
        (route, [, b]: any) => {
          expect(route.metadata.namespace).toBe(b?.routeNamespace ?? 'shop');
          expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateways', sectionName: 'https' }]);
          expect(route.spec.hostnames).toEqual(b?.hostnames?.length ? b.hostnames : undefined);
        });
    }), runs(NUM_RUNS));
  });

  test('RouteTarget.meshRoute(options): a named error, or a route of exactly that API with the Service as parent', () => {
    const options = fc.oneof(garbage, fc.record({ api: maybe(fc.constantFrom(...Object.values(MeshRouteApi))) }, { requiredKeys: [] }));
    fc.assert(fc.property(options, (o) => {
      expectNamedOrTyped(o, ['RouteTarget.meshRoute', 'test/c'], (x: any) => routeOf(() => RouteTarget.meshRoute(x)),
        (x) => x === undefined || (isPlain(x) && absentOr(oneOf(Object.values(MeshRouteApi)))(x.api)),
        (route, x: any) => {
          // Istio reads only the Gateway API route; Linkerd's own API under Istio is refused.
          expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
          expect(x?.api ?? MeshRouteApi.GATEWAY_API).toBe(MeshRouteApi.GATEWAY_API);
          expect(route.spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'api', port: 8080 }]);
        });
    }), runs(NUM_RUNS));
  });

  test('ProgressiveRollout(props): a named error, or exactly those stages', () => {
    const props = fc.oneof(garbage, fc.record({
      canaryPercentages: maybe(fc.oneof(fc.constant([10, 50, 100]), fc.array(fc.oneof(garbage, fc.integer({ min: 1, max: 100 })), { maxLength: 3 }))),
    }, { requiredKeys: [] }));
    fc.assert(fc.property(props, (p) => {
      expectNamedOrTyped(p, ['ProgressiveRollout'], (x: any) => new ProgressiveRollout(x),
        (x) => x === undefined || (isPlain(x) && absentOr(arrayOf(isNumber))(x.canaryPercentages)),
        (rollout, x: any) => expect(rollout.stages.map((s) => s.canaryPercent)).toEqual(x?.canaryPercentages ?? [10, 25, 50, 100]));
    }), runs(NUM_RUNS));
  });
});

describe('IstioMtls', () => {
  const mtls = (props: Record<string, unknown>) => (chart: Chart) => {
    new IstioMtls(chart, 'x', props as any);
    return synthValid(chart);
  };
  const workload = { namespace: 'shop', name: 'db', selector: { app: 'db' } };
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant({ namespace: 'shop' }), typed: (v) => v === undefined || isPlain(v), build: (chart, v) => mtls(v as any)(chart) },
    {
      prop: 'namespace',
      valid: fc.constant('shop'),
      typed: absentOr(isString),
      build: (chart, v) => mtls({ namespace: v })(chart),
      check: (objects, v) => expect(ofKind(objects, 'PeerAuthentication')[0].metadata).toEqual({ name: 'default', namespace: v ?? 'istio-system' }),
    },
    {
      prop: 'mode',
      valid: fc.constantFrom(...Object.values(MtlsMode)),
      typed: absentOr(oneOf(Object.values(MtlsMode))),
      build: (chart, v) => mtls({ namespace: 'shop', mode: v })(chart),
      check: (objects, v) => expect(ofKind(objects, 'PeerAuthentication')[0].spec.mtls).toEqual({ mode: v ?? 'STRICT' }),
    },
    {
      prop: 'selector',
      valid: fc.constantFrom({ app: 'db' }, { app: 'db', tier: 'data' }),
      typed: absentOr(isStringMap),
      build: (chart, v) => mtls({ ...workload, selector: v })(chart),
      // Exactly the workload asked for: never the whole namespace from a selector that went missing.
      check: (objects, v: any) => expect(ofKind(objects, 'PeerAuthentication')[0].spec.selector).toEqual(v === undefined ? undefined : { matchLabels: v }),
    },
    {
      prop: 'portExceptions',
      valid: fc.constant([{ port: 9187, mode: MtlsPortMode.PERMISSIVE }]),
      typed: absentOr(arrayOf((e) => isPlain(e) && isNumber(e.port) && oneOf(Object.values(MtlsPortMode))(e.mode))),
      build: (chart, v) => mtls({ ...workload, portExceptions: v })(chart),
      check: (objects, v: any) => expect(Object.keys(ofKind(objects, 'PeerAuthentication')[0].spec.portLevelMtls ?? {}).map(Number))
        .toEqual((v ?? []).map((e: any) => e.port)),
    },
    { prop: 'name', valid: fc.constant('db'), typed: absentOr(isString), build: (chart, v) => mtls({ ...workload, name: v })(chart) },
    {
      prop: 'destinationRuleHosts',
      valid: fc.constant(['api']),
      typed: absentOr(arrayOf(isString)),
      build: (chart, v) => mtls({ namespace: 'shop', destinationRuleHosts: v })(chart),
      check: (objects, v: any) => expect(ofKind(objects, 'DestinationRule').map((d) => d.spec.host)).toEqual(v ?? []),
    },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => garbageProperty(sidecar, cases, NUM_RUNS));
});

describe('IstioAuthorization and its flows', () => {
  const FLOW = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' } };
  const authz = (props: Record<string, unknown>, flow?: Record<string, unknown>, ...flowName: unknown[]) => (chart: Chart) => {
    new IstioMtls(chart, 'mtls', { namespace: 'shop' });
    const a = new IstioAuthorization(chart, 'x', { namespace: 'shop', ...props } as any);
    if (flow) a.allowFlow((flowName.length > 0 ? flowName[0] : 'f') as any, { ...FLOW, ...flow } as any);
    return synthValid(chart);
  };
  const rule = (objects: any[]) => find(objects, 'AuthorizationPolicy', 'f', 'shop').spec;
  const flow = (field: string, valid: fc.Arbitrary<unknown>, typed: (v: unknown) => boolean, check?: Case['check']): Case => ({
    prop: `flow.${field}`, valid, typed, build: (chart, v) => authz({}, { [field]: v })(chart), check,
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant({ namespace: 'shop' }), typed: (v) => isPlain(v) && isString(v.namespace), build: (chart, v) => { new IstioAuthorization(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'namespace', valid: fc.constant('shop'), typed: isString, build: (chart, v) => { new IstioAuthorization(chart, 'x', { namespace: v as any }); return synthValid(chart); } },
    {
      prop: 'allowNothing',
      valid: fc.boolean(),
      typed: absentOr(isBoolean),
      build: (chart, v) => authz({ allowNothing: v })(chart),
      // 'false' from a jsii caller must never drop (nor a truthy string keep) the baseline by accident.
      check: (objects, v) => expect(named(objects, 'allow-nothing').length).toBe(v === false ? 0 : 1),
    },
    { prop: 'allowFlow.name', valid: fc.constant('f'), typed: isString, build: (chart, v) => authz({}, {}, v)(chart) },
    {
      prop: 'allowFlow.options',
      valid: fc.constant(FLOW),
      typed: isPlain,
      build: (chart, v) => {
        new IstioMtls(chart, 'mtls', { namespace: 'shop' });
        new IstioAuthorization(chart, 'x', { namespace: 'shop' }).allowFlow('f', v as any);
        return synthValid(chart);
      },
    },
    {
      ...flow('from', fc.constant([MeshSource.namespace('batch')]), (v) => arrayOf((s) => s instanceof MeshSource)(v) && (v as unknown[]).length > 0),
      lookAlikes: fc.constantFrom([{ _spec: { kind: 'anyone' } }], [{ _spec: { kind: 'serviceAccount', name: 'web' } }]),
    },
    flow('to', fc.constantFrom({ app: 'api' }, {}, { app: 'api', version: 'v2' }), isStringMap,
      // Exactly the pods named; `{}` (every workload) only when said, never from undefined or a string.
      (objects, v: any) => expect(rule(objects).selector).toEqual(Object.keys(v).length ? { matchLabels: v } : undefined)),
    flow('ports', fc.constant([8080, 9090]), absentOr(arrayOf(isNumber)),
      (objects, v: any) => expect(rule(objects).rules[0].to?.[0].operation.ports).toEqual(v?.map(String))),
    flow('methods', fc.constant(['GET']), absentOr(arrayOf(isString))),
    flow('paths', fc.constant(['/api/*']), absentOr(arrayOf(isString))),
    flow('when', fc.constant([{ key: 'request.headers[x-tenant]', values: ['acme'] }]),
      absentOr(arrayOf((c) => isPlain(c) && isString(c.key) && absentOr(arrayOf(isString))(c.values) && absentOr(arrayOf(isString))(c.notValues))),
      // One rule always: from, to and when ANDed.
      (objects) => expect(rule(objects).rules).toHaveLength(1)),
  ];
  test('every prop and flow field: a named error, or its declared type with exactly that meaning', () => garbageProperty(sidecar, cases, 200));
});

describe('CircuitBreaker', () => {
  const breaker = (props: Record<string, unknown>) => (chart: Chart) => {
    new CircuitBreaker(chart, 'x', { namespace: 'shop', service: 'api', ...props } as any);
    return synthValid(chart);
  };
  const policy = (objects: any[]) => find(objects, 'DestinationRule', 'api', 'shop').spec.trafficPolicy;
  const count = (prop: string, read: (p: any) => unknown, fallback: number | undefined): Case => ({
    prop,
    valid: fc.integer({ min: 1, max: 100 }),
    typed: absentOr(isNumber),
    build: (chart, v) => breaker({ [prop]: v })(chart),
    // `+ 0` turns -0 (accepted: an integer) into the 0 that JSON carries.
    check: (objects, v) => expect(read(policy(objects))).toBe(v === undefined ? fallback : (v as number) + 0),
  });
  const duration = (prop: string, read: (p: any) => unknown, fallback: string | undefined): Case => ({
    prop,
    valid: fc.constantFrom(Duration.seconds(10), Duration.millis(250)),
    typed: absentOr((v) => v instanceof Duration),
    build: (chart, v) => breaker({ [prop]: v })(chart),
    check: (objects, v: any) => expect(read(policy(objects))).toBe(v === undefined ? fallback : v.toMilliseconds() % 1000 ? `${v.toMilliseconds()}ms` : `${v.toSeconds()}s`),
    lookAlikes: fc.constantFrom({ toMilliseconds: () => 0 }, { amount: 30, unit: { label: 'seconds' } }),
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant({ namespace: 'shop', service: 'api' }), typed: (v) => isPlain(v) && isString(v.namespace) && isString(v.service), build: (chart, v) => { new CircuitBreaker(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'service', valid: fc.constant('api'), typed: isString, build: (chart, v) => breaker({ service: v })(chart) },
    count('maxConnections', (p) => p.connectionPool.tcp.maxConnections, 100),
    count('http2MaxRequests', (p) => p.connectionPool.http.http2MaxRequests, 100),
    count('consecutive5xxErrors', (p) => p.outlierDetection.consecutive5xxErrors, 5),
    count('maxEjectionPercent', (p) => p.outlierDetection.maxEjectionPercent, 50),
    duration('interval', (p) => p.outlierDetection.interval, '30s'),
    duration('connectTimeout', (p) => p.connectionPool.tcp.connectTimeout, undefined),
    {
      prop: 'loadBalancer',
      valid: fc.constantFrom(...Object.values(LoadBalancerAlgorithm)),
      typed: absentOr(oneOf(Object.values(LoadBalancerAlgorithm))),
      build: (chart, v) => breaker({ loadBalancer: v })(chart),
      check: (objects, v) => expect(policy(objects).loadBalancer).toEqual(v === undefined ? undefined : { simple: v }),
    },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => garbageProperty(sidecar, cases, NUM_RUNS));
});

describe('LinkerdAuthorization and MeshAuthorization', () => {
  const FLOW = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] };
  const identities = (objects: any[]) => ofKind(objects, 'MeshTLSAuthentication')[0]?.spec.identities;
  const cases: Case[] = [
    { prop: 'LinkerdAuthorization.props', valid: fc.constant({ namespace: 'shop' }), typed: (v) => isPlain(v) && isString(v.namespace), build: (chart, v) => { new LinkerdAuthorization(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'MeshAuthorization.props', valid: fc.constant({ namespace: 'shop' }), typed: (v) => isPlain(v) && isString(v.namespace), build: (chart, v) => { new MeshAuthorization(chart, 'x', v as any); return synthValid(chart); } },
    ...(['LinkerdAuthorization', 'MeshAuthorization'] as const).flatMap((kind): Case[] => {
      const withFlow = (flow: Record<string, unknown>) => (chart: Chart) => {
        const a = kind === 'LinkerdAuthorization' ? new LinkerdAuthorization(chart, 'x', { namespace: 'shop' }) : new MeshAuthorization(chart, 'x', { namespace: 'shop' });
        a.allowFlow('f', { ...FLOW, ...flow } as any);
        return synthValid(chart);
      };
      return [
        {
          prop: `${kind}.allowFlow.from`,
          valid: fc.constantFrom([MeshSource.serviceAccount('web')], [MeshSource.namespace('batch')]),
          typed: (v) => arrayOf((s) => s instanceof MeshSource)(v) && (v as unknown[]).length > 0,
          build: (chart, v) => withFlow({ from: v })(chart),
          check: (objects, v: any) => expect(identities(objects)).toEqual(v.map((s: MeshSource) => (s._spec.kind === 'namespace'
            ? `*.${s._spec.namespace}.serviceaccount.identity.linkerd.cluster.local` : `${s._spec.name}.shop.serviceaccount.identity.linkerd.cluster.local`))),
          lookAlikes: fc.constant([{ _spec: { kind: 'anyMeshWorkload' } }]),
        },
        {
          prop: `${kind}.allowFlow.to`,
          valid: fc.constantFrom({ app: 'api' }, { app: 'api', tier: 'web' }),
          typed: isStringMap,
          build: (chart, v) => withFlow({ to: v })(chart),
          check: (objects, v) => expect(ofKind(objects, 'Server')[0].spec.podSelector).toEqual({ matchLabels: v }),
        },
        {
          prop: `${kind}.allowFlow.ports`,
          valid: fc.constantFrom([8080], [8080, 9090]),
          typed: arrayOf(isNumber),
          build: (chart, v) => withFlow({ ports: v })(chart),
          check: (objects, v) => expect(ofKind(objects, 'Server').map((s) => s.spec.port)).toEqual(v),
        },
      ];
    }),
    // Route-level flows (LinkerdAuthorization only): exactly the methods and paths asked for, on the flow's HTTPRoute.
    {
      prop: 'LinkerdAuthorization.allowFlow.methods',
      valid: fc.constantFrom(['GET'], ['GET', 'POST']),
      typed: absentOr(arrayOf(isString)),
      build: (chart, v) => {
        new LinkerdAuthorization(chart, 'x', { namespace: 'shop' }).allowFlow('f', { ...FLOW, methods: v } as any);
        return synthValid(chart);
      },
      check: (objects, v: any) => expect(v === undefined ? ofKind(objects, 'HTTPRoute') : find(objects, 'HTTPRoute', 'f-8080').spec.rules[0].matches)
        .toEqual(v === undefined ? [] : v.map((method: string) => ({ path: { type: 'PathPrefix', value: '/' }, method }))),
    },
    {
      prop: 'LinkerdAuthorization.allowFlow.paths',
      valid: fc.constantFrom(['/api/*'], ['/healthz', '*.png']),
      typed: absentOr(arrayOf(isString)),
      build: (chart, v) => {
        new LinkerdAuthorization(chart, 'x', { namespace: 'shop' }).allowFlow('f', { ...FLOW, methods: ['GET'], paths: v } as any);
        return synthValid(chart);
      },
      check: (objects, v: any) => {
        const expected: Record<string, unknown> = {
          // The prefix and the suffix on the raw path, never past a dot segment.
          '/api/*': { type: 'RegularExpression', value: regexAdmitting(['/api/x', '/api/'], ['/api', '/api/../admin']) },
          '/healthz': { type: 'Exact', value: '/healthz' },
          '*.png': { type: 'RegularExpression', value: regexAdmitting(['/a.png', '/b/a.png'], ['/a.pngx', '/../a.png']) },
        };
        expect(find(objects, 'HTTPRoute', 'f-8080').spec.rules[0].matches)
          .toEqual((v ?? [undefined]).map((p: string | undefined) => ({ path: p === undefined ? { type: 'PathPrefix', value: '/' } : expected[p], method: 'GET' })));
      },
    },
  ];
  test('every prop and flow field: a named error, or its declared type with exactly that meaning', () => garbageProperty(linkerd, cases, 150));
});

describe('CanaryRoute', () => {
  const BASE = {
    namespace: 'shop',
    service: 'api',
    port: 8080,
    stable: { name: 'v1', labels: { version: 'v1' } },
    canary: { name: 'v2', labels: { version: 'v2' } },
    stablePercent: 90,
    canaryPercent: 10,
    target: RouteTarget.istio(),
    servicesOutsideApp: true,
  };
  const canary = (props: Record<string, unknown>) => (chart: Chart) => {
    new CanaryRoute(chart, 'x', { ...BASE, ...props } as any);
    return synthValid(chart);
  };
  const weighted = (objects: any[]) => find(objects, 'VirtualService', 'api', 'shop').spec.http.find((h: any) => h.name === 'weighted').route;
  const percent = (prop: 'stablePercent' | 'canaryPercent'): Case => ({
    prop,
    valid: fc.constant(prop === 'stablePercent' ? 90 : 10),
    typed: isNumber,
    build: (chart, v) => canary({ [prop]: v })(chart),
    check: (objects) => expect(weighted(objects).map((r: any) => r.weight)).toEqual([90, 10]),
  });
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant(BASE), typed: isPlain, build: (chart, v) => { new CanaryRoute(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'namespace', valid: fc.constant('shop'), typed: isString, build: (chart, v) => canary({ namespace: v })(chart) },
    { prop: 'service', valid: fc.constant('api'), typed: isString, build: (chart, v) => canary({ service: v, name: 'r' })(chart) },
    { prop: 'port', valid: fc.integer({ min: 1, max: 65535 }), typed: isNumber, build: (chart, v) => canary({ port: v })(chart) },
    percent('stablePercent'),
    percent('canaryPercent'),
    {
      prop: 'stable',
      valid: fc.constant({ name: 'v1', labels: { version: 'v1', track: 'stable' } }),
      typed: (v) => isPlain(v) && isString(v.name) && isStringMap(v.labels) && absentOr(isString)(v.serviceName),
      build: (chart, v) => canary({ stable: v })(chart),
      // The subset selects exactly the labels given: never every pod of the Service.
      check: (objects, v: any) => expect(find(objects, 'DestinationRule', 'api', 'shop').spec.subsets[0].labels).toEqual(v.labels),
    },
    { prop: 'canary.labels', valid: fc.constant({ version: 'v3' }), typed: isStringMap, build: (chart, v) => canary({ canary: { name: 'v2', labels: v } })(chart) },
    {
      prop: 'headerPin',
      valid: fc.constant({ name: 'canary', value: 'true' }),
      typed: absentOr((v) => isPlain(v) && isString(v.name) && isString(v.value)),
      build: (chart, v) => canary({ headerPin: v })(chart),
      check: (objects, v: any) => expect(find(objects, 'VirtualService', 'api', 'shop').spec.http.map((h: any) => h.name))
        .toEqual(v === undefined ? ['weighted'] : ['header-pin', 'weighted']),
    },
    {
      prop: 'target',
      valid: fc.constant(RouteTarget.istio()),
      typed: (v) => v instanceof RouteTarget,
      build: (chart, v) => canary({ target: v })(chart),
      lookAlikes: fc.constantFrom({ _kind: 'istio' }, { _kind: 'gateway', _gateway: {}, _parent: { _ref: { gatewayName: 'x', gatewayNamespace: 'y' } } }),
    },
    { prop: 'protocol', valid: fc.constant(RouteProtocol.HTTP), typed: absentOr(oneOf(Object.values(RouteProtocol))), build: (chart, v) => canary({ protocol: v })(chart) },
    { prop: 'name', valid: fc.constant('api-canary'), typed: absentOr(isString), build: (chart, v) => canary({ name: v })(chart) },
    {
      prop: 'servicesOutsideApp',
      valid: fc.boolean(),
      typed: absentOr(isBoolean),
      // The app defines nothing: only an explicit true skips the check that the Service exists.
      build: (chart, v) => canary({ servicesOutsideApp: v })(chart),
      check: (_objects, v) => expect(v).toBe(true),
    },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => {
    // With servicesOutsideApp other than true, the missing Service is a synth-time (cdk8s validation) error, named too.
    const run = (v: unknown, c: Case) => {
      try {
        return c.build(sidecar(), v);
      } catch (e) {
        if (c.prop === 'servicesOutsideApp' && /\[test\/x\] service: missing Service 'api'/.test((e as Error).message) && v !== true && absentOr(isBoolean)(v)) {
          return 'validated';
        }
        throw e;
      }
    };
    const tolerant = cases.map((c) => ({ ...c, build: (_chart: Chart, v: unknown) => run(v, c) as any, check: (o: any, v: unknown) => (o === 'validated' ? undefined : c.check?.(o, v)) }));
    garbageProperty(sidecar, tolerant, 200);
  });
});

describe('HttpsGateway', () => {
  const BASE = { name: 'public', namespace: 'gateways', gatewayClassName: 'istio', hostname: '*.example.com' };
  const gw = (props: Record<string, unknown>) => (chart: Chart) => {
    new HttpsGateway(chart, 'x', { ...BASE, ...props } as any);
    return synthValid(chart);
  };
  const listener = (objects: any[]) => find(objects, 'Gateway', 'public', 'gateways').spec.listeners[0];
  const cases: Case[] = [
    { prop: 'props', valid: fc.constant(BASE), typed: isPlain, build: (chart, v) => { new HttpsGateway(chart, 'x', v as any); return synthValid(chart); } },
    { prop: 'gatewayClassName', valid: fc.constant('eg'), typed: isString, build: (chart, v) => gw({ gatewayClassName: v })(chart) },
    { prop: 'hostname', valid: fc.constant('shop.example.com'), typed: isString, build: (chart, v) => gw({ hostname: v })(chart), check: (objects, v) => expect(listener(objects).hostname).toBe(v) },
    { prop: 'clusterIssuer', valid: fc.constant('staging'), typed: absentOr(isString), build: (chart, v) => gw({ clusterIssuer: v })(chart) },
    { prop: 'tlsSecretName', valid: fc.constant('public-cert'), typed: absentOr(isString), build: (chart, v) => gw({ tlsSecretName: v })(chart) },
    {
      prop: 'allowedRoutes',
      valid: fc.constantFrom(AllowedRoutes.allNamespaces(), AllowedRoutes.namespaces(['shop'])),
      typed: absentOr((v) => v instanceof AllowedRoutes),
      build: (chart, v) => gw({ allowedRoutes: v })(chart),
      check: (objects, v: any) => expect(listener(objects).allowedRoutes.namespaces.from).toBe(v?.from ?? 'Same'),
      lookAlikes: fc.constant({ from: 'All', _toSpec: () => ({ namespaces: { from: 'All' } }), _admits: () => true }),
    },
  ];
  test('every prop: a named error, or its declared type with exactly that meaning', () => garbageProperty(sidecar, cases, NUM_RUNS));
});

describe('mesh and gateway props of the patterns', () => {
  const TIERS = { host: 'shop.example.com', frontend: { image: 'web:1' }, backend: { image: 'api:1' }, database: { image: 'postgres:16.4' } };
  const meshOptions = fc.constantFrom({}, { linkerdDefaultInboundPolicy: LinkerdInboundPolicy.DENY });
  const typedMesh = absentOr((v) => isPlain(v) && absentOr(oneOf(Object.values(LinkerdInboundPolicy)))(v.linkerdDefaultInboundPolicy));
  /** Joined exactly when mesh options were given: the namespace annotated, its policies there. */
  const joined = (namespace: string) => (objects: any[], v: unknown) => {
    expect(find(objects, 'Namespace', namespace).metadata.annotations?.['linkerd.io/inject']).toBe(v === undefined ? undefined : 'enabled');
    expect(objects.some((o) => o.metadata.namespace === namespace && o.metadata.name === 'allow-linkerd-control-plane')).toBe(v !== undefined);
  };
  const cases: Case[] = [
    {
      prop: 'ZeroTrustNamespace.mesh',
      valid: meshOptions,
      typed: typedMesh,
      build: (chart, v) => { new ZeroTrustNamespace(chart, 'x', { name: 'shop', mesh: v as any }); return synthValid(chart); },
      check: joined('shop'),
    },
    {
      prop: 'TenantIsolation.mesh',
      valid: meshOptions,
      typed: typedMesh,
      build: (chart, v) => { new TenantIsolation(chart, 'x', { tenants: ['acme'], mesh: v as any }); return synthValid(chart); },
      check: joined('acme'),
    },
    {
      prop: 'ThreeTierApp.mesh',
      valid: meshOptions,
      typed: typedMesh,
      build: (chart, v) => { new ThreeTierApp(chart, 'x', { namespace: 'shop', ...TIERS, mesh: v as any }); return synthValid(chart); },
      check: joined('shop'),
    },
    {
      prop: 'ThreeTierApp.gateway',
      valid: fc.constant({ parent: GatewayParent.existing({ name: 'public', namespace: 'gateways', sectionName: 'https' }) }),
      typed: absentOr((v) => isPlain(v) && v.parent instanceof GatewayParent),
      build: (chart, v) => { new ThreeTierApp(chart, 'x', { namespace: 'shop', ...TIERS, gateway: v as any }); return synthValid(chart); },
      // An HTTPRoute and the gateway pods' allow exactly when a gateway was given; the Ingress otherwise.
      check: (objects, v) => {
        expect([ofKind(objects, 'HTTPRoute').length, ofKind(objects, 'Ingress').length]).toEqual(v === undefined ? [0, 1] : [1, 0]);
        expect(named(objects, 'x-frontend-allow-gateway').length).toBe(v === undefined ? 0 : 1);
      },
      lookAlikes: fc.constant({ parent: { _ref: { gatewayName: 'public', gatewayNamespace: 'gateways' } } }),
    },
  ];
  const chart = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }), {
    gateway: { namespace: 'gateways', podLabels: { 'gateway.networking.k8s.io/gateway-name': 'public' } },
  });
  test('mesh and gateway: a named error, or joined / routed exactly when an object was given (never from \'false\')', () => garbageProperty(chart, cases, 150));
});
