import { Size } from 'cdk8s';

/**
 * CPU request and limit of a container, as Kubernetes CPU quantities: millicores (`'250m'`) or
 * cores with at most three decimals (`'1'`, `'1.5'`), as in a pod spec.
 */
export interface TierCpu {
  /**
   * CPU the scheduler reserves for the container.
   * @default - the tier's default request
   */
  readonly request?: string;
  /**
   * CPU the container is throttled at.
   * @default - the tier's default limit
   */
  readonly limit?: string;
}

/** Memory or ephemeral-storage request and limit of a container. */
export interface TierSize {
  /**
   * Amount the scheduler reserves for the container.
   * @default - the tier's default request (ephemeral storage: none)
   */
  readonly request?: Size;
  /**
   * Amount beyond which the container is killed (memory) or evicted (ephemeral storage).
   * @default - the tier's default limit (ephemeral storage: none)
   */
  readonly limit?: Size;
}

/**
 * Requests and limits of a {@link ThreeTierApp} tier's container. Plain data (CPU as quantity
 * strings, sizes as cdk8s `Size`), so an app that uses another cdk8s-plus version than this
 * library's cdk8s-plus-27 passes them without mixing the two packages' types.
 */
export interface TierResources {
  /**
   * CPU request and limit.
   * @default - the tier's defaults
   */
  readonly cpu?: TierCpu;
  /**
   * Memory request and limit.
   * @default - the tier's defaults
   */
  readonly memory?: TierSize;
  /**
   * Ephemeral storage request and limit.
   * @default - none
   */
  readonly ephemeralStorage?: TierSize;
}
