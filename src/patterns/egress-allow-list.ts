import { Construct } from 'constructs';
import { CLUSTER_DNS_RULE } from './cluster-dns-rule';
import { podCidrExcepts } from './pod-cidr-excepts';
import { ClusterNetwork } from '../cluster/cluster-network';
import { validateCidrPeer } from '../policy/cidr-validation';
import { Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { validatePorts } from '../policy/port-validation';
import { TrafficRule } from '../policy/rule';
import { TrafficPolicy } from '../policy/traffic-policy';
import { propError } from '../util/errors';
import {
  StructKeys, requireArrayOf, requireInstance, requireKnownKeys,
  requireObject, requireOptionalBoolean, requireOptionalString, requireProps, requireString,
  requireStringMap,
} from '../util/guards';

/** One destination of an {@link EgressAllowList}: where to, and on which ports. */
export interface EgressDestination {
  /**
   * Where to: an address range (`Peer.cidr()`, without the cluster's pod CIDRs, which are excepted;
   * `Peer.internet()`), a DNS name (`Peer.fqdn()`,
   * `Peer.fqdnPattern()`; Cilium only) or the Kubernetes API server (`Peer.kubeApiServer()`).
   * Pods are not destinations of an allow list: use `ZeroTrustNamespace.allowFlow()` or a
   * TrafficPolicy for them.
   */
  readonly peer: Peer;
  /** The ports allowed to that destination (at least one: an allow list names its ports). */
  readonly ports: Port[];
}

/** Props of {@link EgressAllowList}. */
export interface EgressAllowListProps {
  /** The namespace of the pods whose egress the list allows. */
  readonly namespace: string;
  /** Labels of those pods; `{}` is every pod of the namespace (said explicitly). */
  readonly podSelector: { [key: string]: string };
  /** The destinations allowed (at least one). Everything else the pods send out is denied. */
  readonly destinations: EgressDestination[];
  /**
   * `metadata.name` of the policy (a DNS-1123 subdomain, stable and human-readable).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Also allow DNS to the cluster DNS (UDP and TCP 53, and NodeLocal DNS where the cluster runs
   * it): the list puts the pods' egress into default deny, and pods that cannot resolve names reach
   * nothing by name. Turn it off where another policy already allows DNS (a ZeroTrustNamespace
   * does). With a DNS-name destination the DNS rule is the one Cilium's DNS proxy needs, which is
   * always emitted.
   * @default true
   */
  readonly allowDns?: boolean;
}

/** The fields of the props and of a destination. */
const PROPS_KEYS: StructKeys<EgressAllowListProps> = { namespace: true, podSelector: true, destinations: true, name: true, allowDns: true };
const DESTINATION_KEYS: StructKeys<EgressDestination> = { peer: true, ports: true };

/** The kinds of peer an allow list takes: destinations outside the pod network. */
const DESTINATION_KINDS: ReadonlySet<string> = new Set(['cidr', 'internet', 'fqdn', 'kubeApiServer']);

/**
 * The outside destinations some pods may reach, and nothing else: one policy that puts the pods'
 * egress into default deny and allows each destination on its ports, plus DNS. Address ranges never
 * include the cloud metadata service (its addresses are excepted, as in every TrafficPolicy); DNS
 * names need a CNI that enforces them (Cilium `toFQDNs`, with the DNS-proxy rule it needs), and a
 * list with names also denies the metadata service explicitly, since a name can resolve to it; an
 * intent the cluster's CNI cannot enforce is a synth error.
 *
 * Other policies that select the same pods still add their allows (policies add up): the list
 * narrows nothing that another policy opens.
 */
export class EgressAllowList extends Construct {
  /** The policy the list is (escape hatch: its `apiObjects`). */
  public readonly policy: TrafficPolicy;

  constructor(scope: Construct, id: string, props: EgressAllowListProps) {
    super(scope, id);
    const p = requireKnownKeys(this, '', requireProps(this, props, false), PROPS_KEYS);
    const destinations = requireArrayOf(this, 'destinations', p.destinations, (d, prop) => this.destination(d, prop));
    if (destinations.length === 0) throw propError(this, 'destinations', 'at least one destination is required (an empty allow list allows only DNS)');
    const byName = destinations.some((d) => d.peers[0]._spec.kind === 'fqdn');
    const allowDns = requireOptionalBoolean(this, 'allowDns', p.allowDns, true);
    // A list with DNS names also denies the metadata service: every TrafficPolicy that allows names does.
    this.policy = new TrafficPolicy(this, 'Policy', {
      name: requireOptionalString(this, 'name', p.name) ?? id,
      namespace: requireString(this, 'namespace', p.namespace),
      podSelector: requireStringMap(this, 'podSelector', p.podSelector),
      egress: allowDns && !byName ? [...destinations, CLUSTER_DNS_RULE] : destinations,
    });
  }

  private destination(given: EgressDestination, prop: string): TrafficRule {
    const d = requireKnownKeys(this, prop, requireObject(this, prop, given), DESTINATION_KEYS);
    const peer = requireInstance(this, `${prop}.peer`, d.peer, Peer, 'a Peer made by one of its factories (Peer.cidr(...), Peer.internet(), Peer.fqdn(...), ...)');
    if (!DESTINATION_KINDS.has(peer._spec.kind)) {
      throw propError(this, `${prop}.peer`, `${peer} is not an outside destination (Peer.cidr, Peer.internet, Peer.fqdn, Peer.fqdnPattern or `
        + 'Peer.kubeApiServer); allow pods with ZeroTrustNamespace.allowFlow() or a TrafficPolicy');
    }
    const ports = requireArrayOf(this, `${prop}.ports`, d.ports, (port) => port);
    if (ports.length === 0) throw propError(this, `${prop}.ports`, `at least one port is required for ${peer} (an allow list names its ports)`);
    // What the policy would refuse, refused here under the prop the caller wrote (not the policy's egress[i]).
    validatePorts(this, `${prop}.ports`, ports);
    const cluster = ClusterNetwork.of(this);
    const cni = cluster.cni;
    if (peer._spec.kind === 'fqdn' && !cni.capabilities.fqdn) {
      throw propError(this, `${prop}.peer`, `${peer} cannot be enforced by CNI '${cni.name}' (capability 'fqdn' missing); use Cni.cilium() or Peer.cidr()`);
    }
    if (peer._spec.kind === 'kubeApiServer' && !cni.capabilities.entities && cluster.apiServerCidrs.length === 0) {
      throw propError(this, `${prop}.peer`, `Peer.kubeApiServer() needs ClusterNetwork apiServerCidrs on CNI '${cni.name}' (it has no kube-apiserver entity)`);
    }
    return { peers: [peer._spec.kind === 'cidr' ? this.outsidePods(peer, `${prop}.peer`) : peer], ports };
  }

  /**
   * An address range without the cluster's pod CIDRs. Calico and most plugins match pod IPs with
   * ipBlock while Cilium never does (NETWORKING-FACTS.md NetworkPolicy 6): `10.0.0.0/8` would open
   * every pod on the listed ports on some CNIs only. Pod CIDRs inside the range are excepted; a
   * range inside a pod CIDR is nothing but pods and is refused.
   */
  private outsidePods(peer: Peer, prop: string): Peer {
    const s = peer._spec;
    // What the policy would refuse, refused here under the prop the caller wrote (not the policy's egress[i].peers[0]).
    const { block, excepts } = validateCidrPeer(this, prop, s.cidr as string, s.except ?? [], ClusterNetwork.of(this).ipFamilies);
    const added = podCidrExcepts(this, prop, block, excepts, ClusterNetwork.of(this).podCidrs,
      (pods) => `${peer} is inside the pod CIDR ${pods}: pods are not outside destinations; allow them with ZeroTrustNamespace.allowFlow() or a TrafficPolicy`);
    return added.length === 0 ? peer : Peer.cidr(s.cidr as string, [...(s.except ?? []), ...added]);
  }
}
