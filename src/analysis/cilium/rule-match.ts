/**
 * Matching one CiliumNetworkPolicy allow or deny rule (peers and ports) against one side of a flow
 * (internal):
 *
 * - a rule with `icmps` entries and no `toPorts` entries matches no TCP/UDP/SCTP traffic (Cilium
 *   pkg/policy/rule.go mergeIngress / mergeEgress);
 * - the peer by ./peers, the port by ./ports (every toPorts entry for the flow counts);
 * - an allow rule with `authentication.mode` required (or test-always-fail) only may apply: mutual
 *   authentication depends on the cluster's SPIRE setup, not on the manifests.
 */
import { EgressNamedPorts } from './egress-named-ports';
import { matchPeer, PeerContext } from './peers';
import { CiliumRuleSet } from './policies';
import { CiliumPortRule, matchingPortRule, portRulesFor, PortRulesFor } from './ports';
import { describeRef, refOf, SideQuery } from '../model';
import { MAYBE, NO, Tri, YES } from '../verdict';

/** One allow or deny rule of a selecting rule set. */
export interface PlannedRule {
  readonly rs: CiliumRuleSet;
  readonly rule: any;
}

/** `Kind ns/name <path>` of one rule of a rule set. */
export function ruleLabel(rs: CiliumRuleSet, path: string): string {
  return `${describeRef(refOf(rs.object))} ${path}`;
}

/**
 * A rule with `icmps` entries and no `toPorts` entries matches no TCP/UDP/SCTP traffic; empty lists
 * count as absent (Cilium pkg/policy/rule.go mergeIngress / mergeEgress: the all-ports L3 entry
 * exists only when both lists are empty).
 */
function isIcmpOnly(rule: any): boolean {
  return Array.isArray(rule?.icmps) && rule.icmps.length > 0 && !(Array.isArray(rule?.toPorts) && rule.toPorts.length > 0);
}

/**
 * A rule with `authentication.mode: required` (or `test-always-fail`) only admits peers that pass
 * Cilium's mutual authentication, which depends on the cluster's SPIRE setup, not on the manifests.
 */
function needsAuthentication(rule: any): boolean {
  const mode = rule?.authentication?.mode;
  return mode === 'required' || mode === 'test-always-fail';
}

/**
 * Why an allow rule with authentication only may apply: `required` passes where the cluster's
 * mutual authentication (SPIRE) admits the peer; `test-always-fail` is Cilium's test handler that
 * denies every authentication request, so the allow applies at most where the agent does not
 * enforce it. Neither is in the manifests.
 */
function authenticationWhy(mode: string): string {
  return mode === 'test-always-fail'
    ? 'authentication.mode test-always-fail: the allow needs Cilium\'s test authentication, which fails every request; whether the agent '
      + 'enforces it is not in the manifests'
    : `authentication.mode ${mode}: the allow needs Cilium mutual authentication, which depends on the cluster's SPIRE setup`;
}

/** `matchRule` without notes or descriptions. `egressNames`: egress named-port resolution (egress rules only). */
export function ruleTruth({ rs, rule }: PlannedRule, q: SideQuery, ctx: PeerContext, allow: boolean, egressNames: EgressNamedPorts | undefined): Tri {
  if (isIcmpOnly(rule)) return NO;
  const toPorts: CiliumPortRule[] | undefined = Array.isArray(rule.toPorts) ? rule.toPorts : undefined;
  const ports = matchingPortRule(toPorts, q.port, q.protocol, q.destination, egressNames);
  if (ports === undefined) return NO;
  const peer = matchPeer(rule, q.direction, q.peer, rs.namespace, ctx).truth;
  if (peer === YES && ports.maybe !== undefined) return MAYBE;
  return allow && peer === YES && needsAuthentication(rule) ? MAYBE : peer;
}

/** Match one allow/deny rule (peer + port); returns what matched or may match, or undefined. */
export function matchRule(
  rs: CiliumRuleSet,
  rule: any,
  q: SideQuery,
  ctx: PeerContext,
  notes: string[],
  path: string,
  allow: boolean,
  egressNames: EgressNamedPorts | undefined,
): { truth: Tri; via?: string; why: string[]; portRules?: CiliumPortRule[]; maybePortRules?: PortRulesFor['maybe'] } | undefined {
  if (isIcmpOnly(rule)) return undefined;
  const toPorts: CiliumPortRule[] | undefined = Array.isArray(rule.toPorts) ? rule.toPorts : undefined;
  const ports = matchingPortRule(toPorts, q.port, q.protocol, q.destination, egressNames);
  if (ports === undefined) return undefined;
  const idx = ports.index;
  const peer = matchPeer(rule, q.direction, q.peer, rs.namespace, ctx);
  for (const n of peer.notes) notes.push(`${ruleLabel(rs, path)}: ${n}`);
  if (peer.truth === NO) return undefined;
  // The entries for the flow: the surely matching ones, else the one that may match; none for all ports (no toPorts).
  const all = idx < 0 || ports.maybe !== undefined ? undefined
    : portRulesFor(toPorts, q.port, q.protocol, q.destination, egressNames);
  const portRules = idx < 0 ? [] : all ? all.sure : [toPorts![idx]];
  if (ports.maybe !== undefined) return { truth: MAYBE, why: [...(peer.truth === MAYBE ? peer.why : []), ports.maybe], portRules };
  if (allow && peer.truth === YES && needsAuthentication(rule)) {
    return { truth: MAYBE, why: [authenticationWhy(String(rule.authentication.mode))], portRules };
  }
  return {
    truth: peer.truth,
    via: peer.via ? `${peer.via}${idx >= 0 ? `, toPorts[${idx}]` : ''}` : undefined,
    why: peer.why,
    portRules,
    ...(all && all.maybe.length > 0 ? { maybePortRules: all.maybe } : {}),
  };
}
