import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { contributeDestinationRule } from './destination-rules';
import { MeshKind } from '../../cluster/mesh';
import { StructKeys, requireKnownKeys, requireProps } from '../../util/guards';
import { checkEnum, validateDnsLabel } from '../../util/validate';
import { integerIn, meshDuration, requireMesh } from '../mesh-context';

/** Load-balancing algorithms (DestinationRule `loadBalancer.simple`; LEAST_CONN is the deprecated alias of LEAST_REQUEST and never written). */
export enum LoadBalancerAlgorithm {
  /** Fewest outstanding requests among two random hosts (Istio's default). */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** Round robin. */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** Random. */
  RANDOM = 'RANDOM',
  /** To the original destination address, no load balancing. */
  PASSTHROUGH = 'PASSTHROUGH',
}

/** Props of {@link CircuitBreaker}. */
export interface CircuitBreakerProps {
  /** Namespace of the Service. */
  readonly namespace: string;
  /** The Service (its DestinationRule host, shared with IstioMtls and CanaryRoute). */
  readonly service: string;
  /**
   * Maximum HTTP/1.1 and TCP connections to the service (per client proxy).
   * @default 100
   */
  readonly maxConnections?: number;
  /**
   * TCP connect timeout.
   * @default - Istio's default (10s)
   */
  readonly connectTimeout?: Duration;
  /**
   * Requests queued while waiting for a connection.
   * @default 50
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Concurrent requests (HTTP/2 and, despite the name, every protocol since Istio 1.x).
   * @default 100
   */
  readonly http2MaxRequests?: number;
  /**
   * Requests per connection before it is closed (1 disables keep-alive).
   * @default - unlimited
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Retries outstanding to the service at once.
   * @default - Istio's default
   */
  readonly maxRetries?: number;
  /**
   * Idle timeout of upstream HTTP connections.
   * @default - Istio's default (1h)
   */
  readonly idleTimeout?: Duration;
  /**
   * Consecutive 5xx responses (502/503/504 included) after which a host is ejected. 0 disables it.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive gateway errors (502, 503, 504 and connection failures) after which a host is ejected.
   * @default - not set (consecutive5xxErrors covers them)
   */
  readonly consecutiveGatewayErrors?: number;
  /**
   * Time between ejection sweeps.
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time (multiplied by the number of ejections).
   * @default Duration.seconds(30)
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Most hosts that may be ejected at once, in percent.
   * @default 50
   */
  readonly maxEjectionPercent?: number;
  /**
   * Outlier detection stays on only while at least this percentage of hosts is healthy.
   * @default - Istio's default (0: always on)
   */
  readonly minHealthPercent?: number;
  /**
   * Load-balancing algorithm.
   * @default - Istio's default (LEAST_REQUEST)
   */
  readonly loadBalancer?: LoadBalancerAlgorithm;
}

const PROPS_KEYS: StructKeys<CircuitBreakerProps> = {
  namespace: true,
  service: true,
  maxConnections: true,
  connectTimeout: true,
  http1MaxPendingRequests: true,
  http2MaxRequests: true,
  maxRequestsPerConnection: true,
  maxRetries: true,
  idleTimeout: true,
  consecutive5xxErrors: true,
  consecutiveGatewayErrors: true,
  interval: true,
  baseEjectionTime: true,
  maxEjectionPercent: true,
  minHealthPercent: true,
  loadBalancer: true,
};

const INT32 = 2147483647;
const UINT32 = 4294967295;

/**
 * A circuit breaker for a Service in an Istio mesh: connection-pool limits and outlier detection in
 * the host's DestinationRule (networking.istio.io/v1, shared with IstioMtls and CanaryRoute and
 * repeated on each subset). Only current fields are written: `consecutive5xxErrors` and
 * `consecutiveGatewayErrors`, never the deprecated `consecutiveErrors`, and `LEAST_REQUEST`, never its
 * deprecated alias `LEAST_CONN`. Durations are whole milliseconds of at least 1 ms (the CRD's CEL rule),
 * counts are checked against the CRD's integer ranges, percentages against 0-100.
 *
 * Defaults follow the seeds' circuit breaker: 100 connections, 50 pending and 100 concurrent requests,
 * ejection after 5 consecutive 5xx, swept every 30 s, for 30 s, at most half of the hosts.
 */
export class CircuitBreaker extends Construct {
  /** The shared DestinationRule of the host. */
  public readonly destinationRule: ApiObject;

  constructor(scope: Construct, id: string, props: CircuitBreakerProps) {
    super(scope, id);
    requireMesh(this, 'CircuitBreaker', [MeshKind.ISTIO]);
    props = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    const namespace = validateDnsLabel(this, 'namespace', props.namespace);
    const service = validateDnsLabel(this, 'service', props.service);
    // Defaults only for absent props: null from a jsii or JSON caller is an error, not "the default".
    const count = (prop: keyof CircuitBreakerProps, value: number | undefined, min: number, max: number, fallback?: number) =>
      integerIn(this, prop, value === undefined ? fallback : value, min, max);
    const duration = (prop: keyof CircuitBreakerProps, value: Duration | undefined, fallback?: Duration) =>
      meshDuration(this, prop, value === undefined ? fallback : value);

    const tcp = compact({
      maxConnections: count('maxConnections', props.maxConnections, 1, INT32, 100),
      connectTimeout: duration('connectTimeout', props.connectTimeout),
    });
    const http = compact({
      http1MaxPendingRequests: count('http1MaxPendingRequests', props.http1MaxPendingRequests, 1, INT32, 50),
      http2MaxRequests: count('http2MaxRequests', props.http2MaxRequests, 1, INT32, 100),
      maxRequestsPerConnection: count('maxRequestsPerConnection', props.maxRequestsPerConnection, 1, INT32),
      maxRetries: count('maxRetries', props.maxRetries, 0, INT32),
      idleTimeout: duration('idleTimeout', props.idleTimeout),
    });
    const outlierDetection = compact({
      consecutive5xxErrors: count('consecutive5xxErrors', props.consecutive5xxErrors, 0, UINT32, 5),
      consecutiveGatewayErrors: count('consecutiveGatewayErrors', props.consecutiveGatewayErrors, 0, UINT32),
      interval: duration('interval', props.interval, Duration.seconds(30)),
      baseEjectionTime: duration('baseEjectionTime', props.baseEjectionTime, Duration.seconds(30)),
      maxEjectionPercent: count('maxEjectionPercent', props.maxEjectionPercent, 0, 100, 50),
      minHealthPercent: count('minHealthPercent', props.minHealthPercent, 0, 100),
    });
    const loadBalancer = props.loadBalancer === undefined ? undefined
      : { simple: checkEnum(this, 'loadBalancer', props.loadBalancer, Object.values(LoadBalancerAlgorithm), 'a load-balancing algorithm') };

    this.destinationRule = contributeDestinationRule(this, 'service', namespace, service, {
      trafficPolicy: { connectionPool: { tcp, http }, outlierDetection, loadBalancer },
    });
  }
}

function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
