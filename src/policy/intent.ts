import { LabelExpression } from './label-expression';
import { Protocol } from './protocol';
import { Direction, HttpMatch, RuleAction } from './rule';

/**
 * The validated, CNI-neutral form of a TrafficPolicy that renderers consume. Peers are already
 * resolved against the ClusterNetwork (DNS, ingress controller, internet ranges, metadata
 * exceptions), so renderers only translate shapes.
 */
export interface PolicyIntent {
  /** metadata.name of the emitted object(s). */
  readonly name: string;
  /** Namespace; undefined for a cluster-wide policy. */
  readonly namespace?: string;
  /** Labels of the selected pods ({} = all). */
  readonly podLabels: Record<string, string>;
  /** Cluster-wide only: labels of the namespaces whose pods are selected ({} = all namespaces). */
  readonly namespaceLabels: Record<string, string>;
  /** Directions in default deny for the selected pods. */
  readonly isolate: Direction[];
  /** Explicit precedence (Calico order). */
  readonly precedence?: number;
  readonly rules: IntentRule[];
  /** Extra labels for the emitted objects. */
  readonly labels: Record<string, string>;
}

/** One rule with resolved peers. */
export interface IntentRule {
  readonly direction: Direction;
  readonly action: RuleAction;
  readonly peers: ResolvedPeer[];
  /** Empty = every port and protocol. */
  readonly ports: ResolvedPort[];
  readonly http: HttpMatch[];
  /** Where the rule came from, for messages: `egress[2]`. */
  readonly origin: string;
}

/** A peer after resolution against the cluster context. */
export type ResolvedPeer =
  | { readonly type: 'pods'; readonly namespace: string; readonly podLabels: Record<string, string> }
  | {
    readonly type: 'podsInNamespaces';
    readonly namespaceLabels: Record<string, string>;
    /** Extra set-based namespace requirements (ANDed with namespaceLabels). */
    readonly namespaceExpressions: LabelExpression[];
    readonly podLabels: Record<string, string>;
  }
  | { readonly type: 'cidr'; readonly cidr: string; readonly except: string[] }
  | { readonly type: 'entity'; readonly entity: 'kube-apiserver' | 'host' }
  | { readonly type: 'fqdn'; readonly matchName?: string; readonly matchPattern?: string };

/** A port after validation. `port` undefined = all ports of the protocol. */
export interface ResolvedPort {
  readonly protocol: Protocol;
  readonly port?: number;
  readonly endPort?: number;
  readonly name?: string;
}

/** Does the intent contain deny rules? */
export function hasDeny(intent: PolicyIntent): boolean {
  return intent.rules.some((r) => r.action === RuleAction.DENY);
}

/** Sorted copy of a label map (stable output for GitOps diffs). */
export function sortedLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k];
  return out;
}

/** Rules of one direction and action. */
export function rulesOf(intent: PolicyIntent, direction: Direction, action: RuleAction): IntentRule[] {
  return intent.rules.filter((r) => r.direction === direction && r.action === action);
}

/**
 * The directions `isIn` holds for, ingress first: one of four shared frozen arrays (intents and
 * manifests are never changed once built). Arrays kept for the life of the app (intents, manifests)
 * are built at their final length: one built with push() or filter() keeps room for 17 elements
 * (about 130 bytes more per array), which at thousands of policies is a measurable part of the heap,
 * and of the garbage collector's work while the tree is built (every surviving object is copied as
 * it is promoted); and the few that are the same in every policy are one object.
 */
export function directionsIn(isIn: (d: Direction) => boolean): Direction[] {
  const ingress = isIn(Direction.INGRESS);
  const egress = isIn(Direction.EGRESS);
  if (ingress && egress) return BOTH_DIRECTIONS;
  if (ingress) return INGRESS_ONLY;
  return egress ? EGRESS_ONLY : NOTHING as unknown as Direction[];
}

const BOTH_DIRECTIONS = Object.freeze([Direction.INGRESS, Direction.EGRESS]) as Direction[];
const INGRESS_ONLY = Object.freeze([Direction.INGRESS]) as Direction[];
const EGRESS_ONLY = Object.freeze([Direction.EGRESS]) as Direction[];

/** The empty label map and list every intent shares (frozen: intents are never changed once built). */
const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NOTHING: readonly never[] = Object.freeze([]);

/**
 * `labels`, or the shared empty map when it has no keys. Intents live as long as the app, and most
 * of their label maps are empty (an empty object literal takes 56 bytes of heap): at thousands of
 * policies the copies are a measurable part of the heap, and of the garbage collector's work.
 */
export function labelsOrShared(labels: Record<string, string>): Record<string, string> {
  return Object.keys(labels).length === 0 ? NO_LABELS : labels;
}

/** `list`, or the shared empty list when it is empty (see labelsOrShared). */
export function listOrShared<T>(list: T[]): T[] {
  return list.length === 0 ? NOTHING as unknown as T[] : list;
}
