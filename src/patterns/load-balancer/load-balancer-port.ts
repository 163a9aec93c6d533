import { Protocol } from '../../policy/protocol';

/** One port a {@link LoadBalancerService} publishes: where clients connect, and where the pods listen. */
export interface LoadBalancerPort {
  /** The port clients connect to on the load balancer (the Service port). */
  readonly port: number;
  /**
   * The container port the traffic goes to (a number).
   * @default - `targetPortName` if given, else the same number as `port` (as Kubernetes defaults it)
   */
  readonly targetPort?: number;
  /**
   * The name of the container port the traffic goes to (IANA_SVC_NAME, e.g. `http`), resolved on each
   * pod, by the Service and by the NetworkPolicy alike. Not together with `targetPort`.
   * @default - `targetPort`
   */
  readonly targetPortName?: string;
  /**
   * The L4 protocol.
   * @default Protocol.TCP
   */
  readonly protocol?: Protocol;
  /**
   * The name of the Service port (a DNS-1123 label). Kubernetes requires a name on every port of a
   * Service that has more than one.
   * @default - none with a single port; required with several
   */
  readonly name?: string;
}
