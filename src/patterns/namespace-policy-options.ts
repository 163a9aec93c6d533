import { Direction, TrafficRule } from '../policy/rule';

/** A policy of a ZeroTrustNamespace (`addPolicy`): a TrafficPolicy without name and namespace. */
export interface NamespacePolicyOptions {
  /**
   * Labels of the pods the policy applies to.
   * @default - every pod of the namespace
   */
  readonly podSelector?: { [key: string]: string };
  /**
   * Extra directions to isolate.
   * @default - the directions with allow rules
   */
  readonly isolate?: Direction[];
  /**
   * Ingress rules.
   * @default - none
   */
  readonly ingress?: TrafficRule[];
  /**
   * Egress rules.
   * @default - none
   */
  readonly egress?: TrafficRule[];
  /**
   * Labels of the emitted objects.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}
