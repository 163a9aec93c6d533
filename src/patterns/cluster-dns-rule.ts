import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { TrafficRule } from '../policy/rule';

/**
 * The explicit DNS allow of the patterns: the cluster DNS (`Peer.clusterDns()`, NodeLocal DNS
 * included where the cluster runs it) on UDP and TCP 53. Frozen and shared by every policy that
 * uses it (ZeroTrustNamespace's `allow-dns`, EgressAllowList's DNS rule). Internal.
 */
export const CLUSTER_DNS_RULE: TrafficRule = Object.freeze({
  peers: Object.freeze([Peer.clusterDns()]) as Peer[],
  ports: Object.freeze([Port.udp(53), Port.tcp(53)]) as Port[],
});
