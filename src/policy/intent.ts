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
