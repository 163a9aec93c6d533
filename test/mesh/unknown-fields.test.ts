/**
 * Red-team audit of the mesh and Gateway API entry points: plain-JavaScript callers (and TypeScript
 * ones passing a variable, which gets no excess-property check) misspell fields. A misspelt optional
 * field used to read as omitted, often the wider intent (`port` for `ports` on a flow: every port;
 * `value` for `values` on a condition; `section` for `sectionName`: every listener of the Gateway).
 * Now an error naming the construct path (or factory) and the field.
 */
import { Duration } from 'cdk8s';
import {
  AllowedRoutes, CanaryRoute, CanaryRouteProps, CircuitBreaker, Cni, GatewayParent, HttpsGateway, IstioAuthorization, IstioMode, IstioMtls,
  LinkerdAuthorization, LoadBalancerAlgorithm, Mesh, MeshAuthorization, MeshRouteApi, MeshSource, MtlsMode, MtlsPortMode, ProgressiveRollout,
  RouteProtocol, RouteTarget,
} from '../../src';
import { meshChart } from '../support/mesh';
import { find, synthValid } from '../support/synth';
import { validationErrorOf } from '../support/thrown';

const any = (x: unknown) => x as any;
const SUFFIX = 'a misspelt field would be silently ignored';
const istio = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));
const linkerd = () => meshChart(Cni.calico(), Mesh.linkerd({ cni: true }));

const FLOW_FIELDS = 'from, to, ports, methods, paths, when';
const FLOW = { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080] };
const CANARY = (target: RouteTarget): CanaryRouteProps => ({
  namespace: 'shop',
  service: 'api',
  port: 8080,
  stable: { name: 'v1', labels: { version: 'v1' } },
  canary: { name: 'v2', labels: { version: 'v2' } },
  stablePercent: 90,
  canaryPercent: 10,
  target,
  servicesOutsideApp: true,
});
const CANARY_FIELDS = 'namespace, service, port, stable, canary, stablePercent, canaryPercent, headerPin, target, protocol, name, servicesOutsideApp';
const GATEWAY = { name: 'public', namespace: 'edge', gatewayClassName: 'istio', hostname: 'shop.example.com' };

describe('a field a mesh or Gateway API struct does not declare is an error naming it, never ignored', () => {
  test.each([
    ['IstioMtls props `modes` (was: STRICT silently kept while PERMISSIVE was meant, or the reverse)', istio,
      (c: any) => new IstioMtls(c, 'mtls', any({ namespace: 'shop', modes: MtlsMode.PERMISSIVE })),
      'test/mtls', 'modes', 'namespace, selector, mode, portExceptions, name, destinationRuleHosts'],
    ['IstioMtls port exception `ports`', istio, (c: any) => new IstioMtls(c, 'mtls', {
      namespace: 'shop', selector: { app: 'api' }, name: 'api', portExceptions: [any({ ports: 9090, mode: MtlsPortMode.PERMISSIVE })],
    }), 'test/mtls', 'portExceptions[0].ports', 'port, mode'],
    ['IstioAuthorization props `allownothing`', istio, (c: any) => new IstioAuthorization(c, 'authz', any({ namespace: 'shop', allownothing: false })),
      'test/authz', 'allownothing', 'namespace, allowNothing'],
    ['IstioAuthorization flow `port` (was: every port)', istio,
      (c: any) => new IstioAuthorization(c, 'authz', { namespace: 'shop' }).allowFlow('web', any({ from: FLOW.from, to: FLOW.to, port: [8080] })),
      'test/authz', "flow 'web'.port", FLOW_FIELDS],
    ['IstioAuthorization deny flow `method` (was: the deny applied to every method)', istio,
      (c: any) => new IstioAuthorization(c, 'authz', { namespace: 'shop' }).denyFlow('web', any({ ...FLOW, method: ['DELETE'] })),
      'test/authz', "flow 'web'.method", FLOW_FIELDS],
    ['MeshCondition `value` (was: a condition without values)', istio,
      (c: any) => new IstioAuthorization(c, 'authz', { namespace: 'shop' }).allowFlow('web', {
        ...FLOW, when: [any({ key: 'request.headers[x-tenant]', values: ['acme'], notValue: ['beta'] })],
      }), 'test/authz', "flow 'web'.when[0].notValue", 'key, values, notValues'],
    ['LinkerdAuthorization props', linkerd, (c: any) => new LinkerdAuthorization(c, 'authz', any({ namespace: 'shop', allowNothing: true })),
      'test/authz', 'allowNothing', 'namespace'],
    ['LinkerdAuthorization flow `path` (was: every path)', linkerd,
      (c: any) => new LinkerdAuthorization(c, 'authz', { namespace: 'shop' }).allowFlow('web', any({ ...FLOW, methods: ['GET'], path: ['/api/*'] })),
      'test/authz', "flow 'web'.path", FLOW_FIELDS],
    ['MeshAuthorization props', istio, (c: any) => new MeshAuthorization(c, 'authz', any({ namespace: 'shop', mode: 'strict' })),
      'test/authz', 'mode', 'namespace'],
    ['MeshAuthorization flow `port` under Istio (was: every port)', istio,
      (c: any) => new MeshAuthorization(c, 'authz', { namespace: 'shop' }).allowFlow('web', any({ from: FLOW.from, to: FLOW.to, port: [8080], ports: [8080] })),
      'test/authz', "flow 'web'.port", FLOW_FIELDS],
    ['MeshAuthorization flow `method` under Linkerd', linkerd,
      (c: any) => new MeshAuthorization(c, 'authz', { namespace: 'shop' }).allowFlow('web', any({ ...FLOW, method: ['GET'] })),
      'test/authz', "flow 'web'.method", FLOW_FIELDS],
    ['CircuitBreaker `maxConnection` (was: 100 connections)', istio,
      (c: any) => new CircuitBreaker(c, 'breaker', any({ namespace: 'shop', service: 'api', maxConnection: 10 })),
      'test/breaker', 'maxConnection', 'namespace, service, maxConnections, connectTimeout, http1MaxPendingRequests, http2MaxRequests, '
      + 'maxRequestsPerConnection, maxRetries, idleTimeout, consecutive5xxErrors, consecutiveGatewayErrors, interval, baseEjectionTime, '
      + 'maxEjectionPercent, minHealthPercent, loadBalancer'],
    ['CanaryRoute props `headerPins` (was: no pin)', istio,
      (c: any) => new CanaryRoute(c, 'canary', any({ ...CANARY(RouteTarget.istio()), headerPins: { name: 'canary', value: 'true' } })),
      'test/canary', 'headerPins', CANARY_FIELDS],
    ['CanaryVersion `service` (was: the default <service>-<name>)', istio,
      (c: any) => new CanaryRoute(c, 'canary', { ...CANARY(RouteTarget.istio()), canary: any({ name: 'v2', labels: { version: 'v2' }, service: 'api-next' }) }),
      'test/canary', 'canary.service', 'name, labels, serviceName'],
    ['HeaderPin `values`', istio,
      (c: any) => new CanaryRoute(c, 'canary', { ...CANARY(RouteTarget.istio()), headerPin: any({ name: 'canary', value: 'true', values: ['yes'] }) }),
      'test/canary', 'headerPin.values', 'name, value'],
    ['HttpsGateway props `allowedRoute` (was: routes of the gateway namespace only)', istio,
      (c: any) => new HttpsGateway(c, 'gw', any({ ...GATEWAY, allowedRoute: AllowedRoutes.allNamespaces() })),
      'test/gw', 'allowedRoute', 'name, namespace, gatewayClassName, hostname, clusterIssuer, tlsSecretName, allowedRoutes'],
  ])('%s', (_what, chart, build, path, prop, known) => {
    const c = chart();
    const e = validationErrorOf(() => build(c));
    expect(e.message).toBe(`[${path}] ${prop}: unknown field (expected one of ${known}); ${SUFFIX}`);
  });

  test.each([
    ['RouteTarget.meshRoute options `API`', () => RouteTarget.meshRoute(any({ API: MeshRouteApi.LINKERD_POLICY })),
      'RouteTarget.meshRoute', 'options.API', 'api'],
    ['RouteTarget.gateway options `hostname` (was: every host name of the listener)',
      () => RouteTarget.gateway(GatewayParent.existing({ name: 'public', namespace: 'edge' }), any({ hostname: 'shop.example.com' })),
      'RouteTarget.gateway', 'options.hostname', 'hostnames, routeNamespace'],
    ['GatewayParent.existing options `section` (was: every listener of the Gateway)',
      () => GatewayParent.existing(any({ name: 'public', namespace: 'edge', section: 'https' })),
      'GatewayParent.existing', 'options.section', 'name, namespace, sectionName'],
    ['ProgressiveRollout props `percentages` (was: 10, 25, 50, 100)', () => new ProgressiveRollout(any({ percentages: [50, 100] })),
      'ProgressiveRollout', 'percentages', 'canaryPercentages'],
    ['ProgressiveRollout props with the empty key (named quoted, never a nameless prop)', () => new ProgressiveRollout(any({ '': [50, 100] })),
      'ProgressiveRollout', "''", 'canaryPercentages'],
  ])('%s', (_what, build, site, prop, known) => {
    expect(validationErrorOf(build).message).toBe(`[${site}] ${prop}: unknown field (expected one of ${known}); ${SUFFIX}`);
  });
});

describe('every declared field is still accepted', () => {
  test('Istio: IstioMtls (and a port exception), IstioAuthorization, a flow with a condition, MeshAuthorization, CircuitBreaker and '
    + 'CanaryRoute with every field synthesize, and each field shows', () => {
    const chart = istio();
    new IstioMtls(chart, 'mtls-shop', { namespace: 'shop' });
    new IstioMtls(chart, 'mtls-api', {
      namespace: 'shop',
      selector: { app: 'api' },
      mode: MtlsMode.STRICT,
      portExceptions: [{ port: 9090, mode: MtlsPortMode.PERMISSIVE }],
      name: 'api',
      destinationRuleHosts: ['api'],
    });
    const authz = new IstioAuthorization(chart, 'authz', { namespace: 'shop', allowNothing: true });
    authz.allowFlow('web-to-api', {
      from: [MeshSource.serviceAccount('web')],
      to: { app: 'api' },
      ports: [8080],
      methods: ['GET'],
      paths: ['/api/*'],
      when: [{ key: 'request.headers[x-tenant]', values: ['acme'], notValues: ['beta'] }],
    });
    new IstioMtls(chart, 'mtls-pay', { namespace: 'pay' });
    new MeshAuthorization(chart, 'mesh-authz', { namespace: 'pay' })
      .allowFlow('web-to-pay', { from: [MeshSource.serviceAccount('web', 'shop')], to: { app: 'pay' }, ports: [8443], methods: ['POST'], paths: ['/charge'] });
    new CircuitBreaker(chart, 'breaker', {
      namespace: 'shop',
      service: 'api',
      maxConnections: 10,
      connectTimeout: Duration.seconds(2),
      http1MaxPendingRequests: 5,
      http2MaxRequests: 20,
      maxRequestsPerConnection: 1,
      maxRetries: 3,
      idleTimeout: Duration.minutes(5),
      consecutive5xxErrors: 4,
      consecutiveGatewayErrors: 2,
      interval: Duration.seconds(10),
      baseEjectionTime: Duration.seconds(60),
      maxEjectionPercent: 20,
      minHealthPercent: 40,
      loadBalancer: LoadBalancerAlgorithm.ROUND_ROBIN,
    });
    new CanaryRoute(chart, 'canary', {
      ...CANARY(RouteTarget.istio()),
      stable: { name: 'v1', labels: { version: 'v1' }, serviceName: 'api-stable' },
      canary: { name: 'v2', labels: { version: 'v2' }, serviceName: 'api-canary' },
      headerPin: { name: 'canary', value: 'true' },
      protocol: RouteProtocol.HTTP,
      name: 'api-split',
    });
    const objects = synthValid(chart);

    expect(find(objects, 'PeerAuthentication', 'api', 'shop').spec).toEqual({
      selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 9090: { mode: 'PERMISSIVE' } },
    });
    expect(find(objects, 'AuthorizationPolicy', 'allow-nothing', 'shop').spec).toEqual({ action: 'ALLOW' });
    expect(find(objects, 'AuthorizationPolicy', 'web-to-api', 'shop').spec).toEqual({
      selector: { matchLabels: { app: 'api' } },
      action: 'ALLOW',
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
        to: [{ operation: { ports: ['8080'], methods: ['GET'], paths: ['/api/*'] } }],
        when: [{ key: 'request.headers[x-tenant]', values: ['acme'], notValues: ['beta'] }],
      }],
    });
    expect(find(objects, 'AuthorizationPolicy', 'web-to-pay', 'pay').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
      to: [{ operation: { ports: ['8443'], methods: ['POST'], paths: ['/charge'] } }],
    }]);
    const policy = {
      loadBalancer: { simple: 'ROUND_ROBIN' },
      connectionPool: {
        tcp: { maxConnections: 10, connectTimeout: '2s' },
        http: { http1MaxPendingRequests: 5, http2MaxRequests: 20, maxRequestsPerConnection: 1, maxRetries: 3, idleTimeout: '300s' },
      },
      outlierDetection: {
        consecutive5xxErrors: 4, consecutiveGatewayErrors: 2, interval: '10s', baseEjectionTime: '60s', maxEjectionPercent: 20, minHealthPercent: 40,
      },
      tls: { mode: 'ISTIO_MUTUAL' },
    };
    expect(find(objects, 'DestinationRule', 'api', 'shop').spec).toEqual({
      host: 'api',
      trafficPolicy: policy,
      subsets: [
        { name: 'v1', labels: { version: 'v1' }, trafficPolicy: policy },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: policy },
      ],
    });
    const vs = find(objects, 'VirtualService', 'api-split', 'shop');
    expect(vs.spec.http[0]).toEqual({
      name: 'header-pin', match: [{ headers: { canary: { exact: 'true' } }, port: 8080 }], route: [{ destination: { host: 'api', subset: 'v2', port: { number: 8080 } } }],
    });
  });

  test('Linkerd and the Gateway API: LinkerdAuthorization, a routed flow, HttpsGateway, GatewayParent.existing, both RouteTargets '
    + 'with their options and ProgressiveRollout with every field', () => {
    const chart = linkerd();
    new LinkerdAuthorization(chart, 'authz', { namespace: 'shop' })
      .allowFlow('web-to-api', { from: [MeshSource.serviceAccount('web')], to: { app: 'api' }, ports: [8080], methods: ['GET'], paths: ['/orders'] });
    const gw = new HttpsGateway(chart, 'gw', {
      ...GATEWAY, clusterIssuer: 'letsencrypt-staging', tlsSecretName: 'public-cert', allowedRoutes: AllowedRoutes.namespaces(['routes']),
    });
    new CanaryRoute(chart, 'north-south', {
      ...CANARY(RouteTarget.gateway(gw.parent(), { hostnames: ['shop.example.com'], routeNamespace: 'routes' })), name: 'api-public',
    });
    new CanaryRoute(chart, 'existing', {
      ...CANARY(RouteTarget.gateway(GatewayParent.existing({ name: 'internal', namespace: 'edge', sectionName: 'http' }))), name: 'api-internal',
    });
    new CanaryRoute(chart, 'east-west', { ...CANARY(RouteTarget.meshRoute({ api: MeshRouteApi.LINKERD_POLICY })), name: 'api-mesh' });
    const objects = synthValid(chart);

    expect(find(objects, 'HTTPRoute', 'web-to-api-8080', 'shop').spec.rules).toEqual([{
      matches: [{ path: { type: 'Exact', value: '/orders' }, method: 'GET' }],
    }]);
    const gateway = find(objects, 'Gateway', 'public', 'edge');
    expect(gateway.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt-staging' });
    expect(gateway.spec.listeners[0].tls.certificateRefs).toEqual([{ kind: 'Secret', name: 'public-cert' }]);
    expect(gateway.spec.listeners[0].allowedRoutes.namespaces.from).toBe('Selector');
    const publicRoute = find(objects, 'HTTPRoute', 'api-public', 'routes');
    expect(publicRoute.spec.parentRefs).toEqual([{ name: 'public', namespace: 'edge', sectionName: 'https' }]);
    expect(publicRoute.spec.hostnames).toEqual(['shop.example.com']);
    expect(find(objects, 'HTTPRoute', 'api-internal', 'shop').spec.parentRefs).toEqual([{ name: 'internal', namespace: 'edge', sectionName: 'http' }]);
    expect(find(objects, 'HTTPRoute', 'api-mesh', 'shop').apiVersion).toBe('policy.linkerd.io/v1beta3');

    expect(new ProgressiveRollout({ canaryPercentages: [50, 100] }).stages.map((s) => s.name)).toEqual(['stage-1-canary-50', 'stage-2-canary-100']);
  });
});

describe('null is no "omitted" in the mesh and Gateway API structs: an error, never the default', () => {
  test.each([
    ['IstioMtls mode (default STRICT)', istio, (c: any) => new IstioMtls(c, 'x', { namespace: 'shop', mode: any(null) }),
      '[test/x] mode: null is not an mTLS mode (one of STRICT, PERMISSIVE)'],
    ['IstioAuthorization allowNothing (default true)', istio, (c: any) => new IstioAuthorization(c, 'x', { namespace: 'shop', allowNothing: any(null) }),
      '[test/x] allowNothing: must be true or false, got null'],
    ['a flow\'s ports (default every port)', istio,
      (c: any) => new IstioAuthorization(c, 'x', { namespace: 'shop' }).allowFlow('web', { ...FLOW, ports: any(null) }),
      "[test/x] flow 'web'.ports: must be a list, got null"],
    ['CanaryRoute name (default the Service name)', istio, (c: any) => new CanaryRoute(c, 'x', { ...CANARY(RouteTarget.istio()), name: any(null) }),
      '[test/x] name: must be a string, got null'],
    ['HttpsGateway clusterIssuer (default letsencrypt-prod)', istio, (c: any) => new HttpsGateway(c, 'x', { ...GATEWAY, clusterIssuer: any(null) }),
      '[test/x] clusterIssuer: must be a string, got null'],
    ['HttpsGateway allowedRoutes (default same namespace)', istio, (c: any) => new HttpsGateway(c, 'x', { ...GATEWAY, allowedRoutes: any(null) }),
      '[test/x] allowedRoutes: must be an AllowedRoutes (AllowedRoutes.sameNamespace(), .namespaces([...]) or .allNamespaces()), got null'],
  ])('%s', (_what, chart, build, message) => {
    const c = chart();
    expect(validationErrorOf(() => build(c)).message).toBe(message);
  });
});
