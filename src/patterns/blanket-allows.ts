import { BlanketAllow } from './blanket-allow';
import { ClusterNetwork } from '../cluster/cluster-network';
import { MeshNetworkNeeds } from '../cluster/mesh';
import { clusterDnsPeers } from '../policy/cluster-dns';
import { IntentRule, PolicyIntent, ResolvedPeer, ResolvedPort } from '../policy/intent';
import { Protocol } from '../policy/protocol';
import { Direction, RuleAction, TrafficRule } from '../policy/rule';
import { cidrContainsCidr, parseCidr } from '../util/cidr';

/**
 * The allow rules of a namespace policy that apply to every pod of the namespace: none unless the
 * policy selects all pods (`podSelector` empty). Read from the validated intent, so what counts is
 * what the policy does, never its name. `meshNeeds`: what the mesh needs, when the namespace joined
 * it. Internal.
 */
export function blanketAllowsOf(cluster: ClusterNetwork, policyName: string, intent: PolicyIntent,
  options: { readonly ingress?: TrafficRule[]; readonly egress?: TrafficRule[] }, meshNeeds?: MeshNetworkNeeds): BlanketAllow[] {
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
        meshOnly: meshNeeds !== undefined && isMeshOnly(cluster, meshNeeds, rule),
      });
    });
  }
  return out;
}

/**
 * The allow rules of a namespaced policy that apply to every pod of its namespace (`podSelector`
 * empty) beyond DNS and, with `meshNeeds`, what the mesh needs: what a ThreeTierApp's database must
 * not be under, whichever construct declared the policy. Internal.
 */
export function openBlanketRules(cluster: ClusterNetwork, intent: PolicyIntent, meshNeeds?: MeshNetworkNeeds): IntentRule[] {
  if (Object.keys(intent.podLabels).length > 0) return [];
  return intent.rules.filter((r) => r.action === RuleAction.ALLOW && !isDnsOnly(cluster, r)
    && !(meshNeeds !== undefined && isMeshOnly(cluster, meshNeeds, r)));
}

/** Egress to DNS destinations only (those `Peer.clusterDns()` resolves to), on UDP/TCP 53 only. */
function isDnsOnly(cluster: ClusterNetwork, rule: IntentRule): boolean {
  if (rule.direction !== Direction.EGRESS || rule.ports.length === 0 || rule.http.length > 0) return false;
  const dnsPort = rule.ports.every((p) => (p.protocol === Protocol.UDP || p.protocol === Protocol.TCP) && p.port === 53 && p.endPort === undefined);
  if (!dnsPort) return false;
  const dns = clusterDnsPeers(cluster).map(peerKey);
  return rule.peers.every((p) => dns.includes(peerKey(p)));
}

/**
 * One kind of traffic a mesh needs: the direction, which peers belong to it, and on which ports
 * (`undefined`: any port, as for kubelet probes, which name whatever port each container probes).
 */
interface MeshTraffic {
  readonly direction: Direction;
  readonly peer: (p: ResolvedPeer) => boolean;
  readonly tcpPorts?: readonly number[];
}

/**
 * Does the rule open only what the mesh needs (see BlanketAllow.meshOnly)? Every peer and every
 * port of the rule must fall inside one kind of mesh traffic, with no L7 rule: a peer that selects
 * a subset of the control-plane or monitoring pods, or lies inside the probe source CIDR, counts;
 * a wider selector, another namespace, a named or ranged port, or any other port does not.
 */
function isMeshOnly(cluster: ClusterNetwork, needs: MeshNetworkNeeds, rule: IntentRule): boolean {
  if (rule.http.length > 0 || rule.peers.length === 0) return false;
  const traffic: MeshTraffic[] = [];
  for (const cp of needs.controlPlane) {
    traffic.push({ direction: Direction.EGRESS, peer: podsWithin(cp.namespace, cp.podLabels), tcpPorts: cp.ports.map((p) => p.port) });
  }
  if (needs.metricsPorts.length > 0) {
    traffic.push({
      direction: Direction.INGRESS,
      peer: podsWithin(cluster.monitoring.namespace, cluster.monitoring.podLabels ?? {}),
      tcpPorts: needs.metricsPorts.map((p) => p.port),
    });
  }
  if (needs.probeSourceCidrs.length > 0) {
    const sources = needs.probeSourceCidrs.map((c) => parseCidr(c));
    traffic.push({
      direction: Direction.INGRESS,
      peer: (p) => p.type === 'cidr' && sources.some((s) => { const c = parseCidr(p.cidr); return c.family === s.family && cidrContainsCidr(s, c); }),
    });
  }
  return traffic.some((t) => t.direction === rule.direction && rule.peers.every(t.peer) && portsWithin(rule.ports, t.tcpPorts));
}

/** Pods of `namespace` that carry every label of `labels` (a subset of those pods). */
function podsWithin(namespace: string, labels: Record<string, string>): (p: ResolvedPeer) => boolean {
  return (p) => p.type === 'pods' && p.namespace === namespace && Object.entries(labels).every(([k, v]) => p.podLabels[k] === v);
}

/** Every port is one of `tcpPorts` (single TCP ports, named ports never); `tcpPorts` undefined: any. */
function portsWithin(ports: readonly ResolvedPort[], tcpPorts: readonly number[] | undefined): boolean {
  if (tcpPorts === undefined) return true;
  return ports.length > 0 && ports.every((p) => p.protocol === Protocol.TCP && p.port !== undefined && p.endPort === undefined
    && p.name === undefined && tcpPorts.includes(p.port));
}

/** A resolved peer as comparable text (label maps are sorted by the intent already; sort again to be sure). */
function peerKey(peer: ResolvedPeer): string {
  return JSON.stringify(peer, (_k, v) => (v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    : v));
}
