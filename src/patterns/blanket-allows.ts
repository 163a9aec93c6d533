import { BlanketAllow } from './blanket-allow';
import { ClusterNetwork } from '../cluster/cluster-network';
import { clusterDnsPeers } from '../policy/cluster-dns';
import { IntentRule, PolicyIntent, ResolvedPeer } from '../policy/intent';
import { Protocol } from '../policy/protocol';
import { Direction, RuleAction, TrafficRule } from '../policy/rule';

/**
 * The allow rules of a namespace policy that apply to every pod of the namespace: none unless the
 * policy selects all pods (`podSelector` empty). Read from the validated intent, so what counts is
 * what the policy does, never its name. Internal.
 */
export function blanketAllowsOf(cluster: ClusterNetwork, policyName: string, intent: PolicyIntent,
  options: { readonly ingress?: TrafficRule[]; readonly egress?: TrafficRule[] }): BlanketAllow[] {
  if (Object.keys(intent.podLabels).length > 0) return [];
  const out: BlanketAllow[] = [];
  for (const direction of [Direction.INGRESS, Direction.EGRESS]) {
    // The intent's rules of a direction are the options' rules of that direction, in order.
    const rules = intent.rules.filter((r) => r.direction === direction);
    const given = (direction === Direction.INGRESS ? options.ingress : options.egress) ?? [];
    rules.forEach((rule, i) => {
      if (rule.action !== RuleAction.ALLOW) return;
      out.push({
        policyName,
        direction,
        peers: given[i].peers.map((p) => p.toString()),
        ports: (given[i].ports ?? []).map((p) => p.toString()),
        dnsOnly: isDnsOnly(cluster, rule),
      });
    });
  }
  return out;
}

/** Egress to DNS destinations only (those `Peer.clusterDns()` resolves to), on UDP/TCP 53 only. */
function isDnsOnly(cluster: ClusterNetwork, rule: IntentRule): boolean {
  if (rule.direction !== Direction.EGRESS || rule.ports.length === 0 || rule.http.length > 0) return false;
  const dnsPort = rule.ports.every((p) => (p.protocol === Protocol.UDP || p.protocol === Protocol.TCP) && p.port === 53 && p.endPort === undefined);
  if (!dnsPort) return false;
  const dns = clusterDnsPeers(cluster).map(peerKey);
  return rule.peers.every((p) => dns.includes(peerKey(p)));
}

/** A resolved peer as comparable text (label maps are sorted by the intent already; sort again to be sure). */
function peerKey(peer: ResolvedPeer): string {
  return JSON.stringify(peer, (_k, v) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v));
}
