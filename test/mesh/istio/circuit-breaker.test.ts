import { Duration } from 'cdk8s';
import { CircuitBreaker, Cni, IstioMode, IstioMtls, LoadBalancerAlgorithm, Mesh, PolicyLint } from '../../../src';
import { meshChart } from '../../support/mesh';
import { find, ofKind, synthValid } from '../../support/synth';

const sidecar = () => meshChart(Cni.calico(), Mesh.istio({ mode: IstioMode.SIDECAR, cni: true }));

describe('CircuitBreaker', () => {
  test('every field, current names only', () => {
    const chart = sidecar();
    new CircuitBreaker(chart, 'cb', {
      namespace: 'shop',
      service: 'api',
      maxConnections: 200,
      connectTimeout: Duration.millis(250),
      http1MaxPendingRequests: 20,
      http2MaxRequests: 300,
      maxRequestsPerConnection: 10,
      maxRetries: 3,
      idleTimeout: Duration.minutes(5),
      consecutive5xxErrors: 7,
      consecutiveGatewayErrors: 3,
      interval: Duration.seconds(10),
      baseEjectionTime: Duration.millis(1500),
      maxEjectionPercent: 30,
      minHealthPercent: 40,
      loadBalancer: LoadBalancerAlgorithm.LEAST_REQUEST,
    });
    const objects = synthValid(chart);
    expect(find(objects, 'DestinationRule', 'api', 'shop').spec).toEqual({
      host: 'api',
      trafficPolicy: {
        loadBalancer: { simple: 'LEAST_REQUEST' },
        connectionPool: {
          tcp: { maxConnections: 200, connectTimeout: '250ms' },
          http: { http1MaxPendingRequests: 20, http2MaxRequests: 300, maxRequestsPerConnection: 10, maxRetries: 3, idleTimeout: '300s' },
        },
        outlierDetection: {
          consecutive5xxErrors: 7, consecutiveGatewayErrors: 3, interval: '10s', baseEjectionTime: '1500ms', maxEjectionPercent: 30, minHealthPercent: 40,
        },
      },
    });
    const text = JSON.stringify(objects);
    expect(text).not.toContain('consecutiveErrors');
    expect(text).not.toContain('LEAST_CONN');
    expect(PolicyLint.check(objects, { cni: Cni.calico() })).toEqual([]);
  });

  test.each([
    ['a duration below 1 ms (CEL: >= 1ms)', { interval: Duration.millis(0) }, "[test/cb] interval: 0 ms is below 1 ms, the minimum the CRD accepts (CEL: duration(self) >= duration('1ms'))"],
    ['a fractional millisecond', { baseEjectionTime: Duration.millis(1.5) }, '[test/cb] baseEjectionTime: 1.5 ms is not a whole number of milliseconds'],
    ['a number instead of a Duration', { connectTimeout: 30 as any }, '[test/cb] connectTimeout: must be a Duration (e.g. Duration.seconds(30))'],
    ['maxEjectionPercent above 100', { maxEjectionPercent: 101 }, '[test/cb] maxEjectionPercent: 101 must be an integer in 0-100'],
    ['zero connections', { maxConnections: 0 }, '[test/cb] maxConnections: 0 must be an integer in 1-2147483647'],
    ['a negative error count', { consecutive5xxErrors: -1 }, '[test/cb] consecutive5xxErrors: -1 must be an integer in 0-4294967295'],
    ['a fractional count', { http2MaxRequests: 1.5 }, '[test/cb] http2MaxRequests: 1.5 must be an integer in 1-2147483647'],
    ['the deprecated LEAST_CONN', { loadBalancer: 'LEAST_CONN' as LoadBalancerAlgorithm }, "[test/cb] loadBalancer: 'LEAST_CONN' is not a load-balancing algorithm"],
    ['a bad service name', { service: 'API' }, "[test/cb] service: 'API' is not a valid DNS-1123 label"],
  ])('%s', (_what, props, message) => {
    expect(() => new CircuitBreaker(sidecar(), 'cb', { namespace: 'shop', service: 'api', ...props })).toThrow(message);
  });

  test('two circuit breakers with different settings on one host: a named conflict', () => {
    const chart = sidecar();
    new CircuitBreaker(chart, 'a', { namespace: 'shop', service: 'api' });
    expect(() => new CircuitBreaker(chart, 'b', { namespace: 'shop', service: 'api', maxConnections: 10 }))
      .toThrow("[test/b] service: conflicts with test/a (service) on the DestinationRule of host 'api' in namespace 'shop': both set "
        + 'trafficPolicy.connectionPool');
  });

  test('identical settings from two constructs agree; other hosts get their own DestinationRule', () => {
    const chart = sidecar();
    new CircuitBreaker(chart, 'a', { namespace: 'shop', service: 'api' });
    new CircuitBreaker(chart, 'b', { namespace: 'shop', service: 'api' });
    new CircuitBreaker(chart, 'c', { namespace: 'shop', service: 'web' });
    new IstioMtls(chart, 'mtls', { namespace: 'shop', destinationRuleHosts: ['web'] });
    expect(ofKind(synthValid(chart), 'DestinationRule').map((o) => o.metadata.name)).toEqual(['api', 'web']);
  });

  test('without Istio: an error', () => {
    expect(() => new CircuitBreaker(meshChart(Cni.calico(), Mesh.none()), 'cb', { namespace: 'shop', service: 'api' }))
      .toThrow('[test/cb] mesh: CircuitBreaker needs a ClusterNetwork with mesh Mesh.istio({ mode })');
  });
});
