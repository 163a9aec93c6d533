/**
 * policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy as Calico 3.32 enforces it: `tier: Admin`
 * policies live in Calico's `kube-admin` tier (order 1,000, default action Pass) and `tier:
 * Baseline` in `kube-baseline` (order 10,000,000, default action Pass), with `priority` as the
 * policy order and Accept/Deny/Pass as Allow/Deny/Pass
 * (https://docs.tigera.io/calico/latest/network-policy/policy-tiers/tiered-policy,
 * https://network-policy-api.sigs.k8s.io/api-overview/). A policy only affects a direction it has
 * rules for.
 */
import { cidrContainsIp, parseCidrLoose, parseIp } from '../../util/cidr';
import { Direction, Endpoint, ManifestObject, NamespaceIndex, refOf, SideQuery } from '../model';
import { LabelSelector, matchesLabelSelector } from '../selectors';
import { isWorkload, namespaceLabels } from './labels';
import { PolicyEntry, PolicyOutcome } from './policy-entry';

/** Calico tier that holds Admin-tier ClusterNetworkPolicies. */
export const KUBE_ADMIN_TIER = 'kube-admin';
/** Calico tier that holds Baseline-tier ClusterNetworkPolicies. */
export const KUBE_BASELINE_TIER = 'kube-baseline';

/** Is this a ClusterNetworkPolicy? */
export function isClusterNetworkPolicy(obj: ManifestObject): boolean {
  return obj.apiVersion === 'policy.networking.k8s.io/v1alpha2' && obj.kind === 'ClusterNetworkPolicy';
}

const ACTIONS: Record<string, 'Allow' | 'Deny' | 'Pass'> = { Accept: 'Allow', Deny: 'Deny', Pass: 'Pass' };

/** A ClusterNetworkPolicy placed in kube-admin or kube-baseline. */
export class ClusterNetworkPolicyEntry implements PolicyEntry {
  readonly ref;
  readonly tier: string;
  readonly order?: number;
  readonly sortKey: string;
  readonly namespace = undefined;
  readonly label: string;

  constructor(private readonly obj: ManifestObject, private readonly namespaces: NamespaceIndex) {
    this.ref = refOf(obj);
    this.tier = obj.spec?.tier === 'Baseline' ? KUBE_BASELINE_TIER : KUBE_ADMIN_TIER;
    this.order = typeof obj.spec?.priority === 'number' ? obj.spec.priority : undefined;
    this.sortKey = obj.metadata?.name ?? '';
    this.label = `ClusterNetworkPolicy ${this.sortKey}`;
  }

  private nsLabels(ep: Endpoint) {
    return namespaceLabels(ep.namespace ?? 'default', this.namespaces, ep.namespaceLabels);
  }

  /** Namespaces / pods peer (and subject) matching; host-networked pods are never included. */
  private podPeer(peer: { namespaces?: LabelSelector; pods?: { namespaceSelector?: LabelSelector; podSelector?: LabelSelector } }, ep: Endpoint) {
    if (!isWorkload(ep)) return false;
    if (peer.namespaces) return matchesLabelSelector(peer.namespaces, this.nsLabels(ep));
    if (peer.pods) {
      return matchesLabelSelector(peer.pods.namespaceSelector ?? {}, this.nsLabels(ep))
        && matchesLabelSelector(peer.pods.podSelector ?? {}, ep.labels);
    }
    return false;
  }

  selects(ep: Endpoint, direction: Direction): boolean {
    const rules = this.obj.spec?.[direction];
    return Array.isArray(rules) && rules.length > 0 && this.podPeer(this.obj.spec?.subject ?? {}, ep);
  }

  private peerMatches(peer: any, ep: Endpoint): boolean {
    if (peer.networks) {
      if (!ep.ip) return false;
      let addr;
      try {
        addr = parseIp(ep.ip);
      } catch {
        return false;
      }
      return (peer.networks as string[]).some((n) => {
        const c = parseCidrLoose(n);
        return !!c && cidrContainsIp(c, addr);
      });
    }
    return this.podPeer(peer, ep);
  }

  private protocolMatches(protocols: any[] | undefined, query: SideQuery): boolean {
    if (!protocols || protocols.length === 0) return true;
    return protocols.some((p) => {
      if (p.destinationNamedPort) {
        return query.destination.namedPorts.some((np) => np.name === p.destinationNamedPort
          && np.protocol === query.protocol && np.port === query.port);
      }
      const l4 = p[query.protocol.toLowerCase()];
      if (!l4) return false;
      const dp = l4.destinationPort;
      if (!dp) return true;
      if (typeof dp.number === 'number') return dp.number === query.port;
      if (dp.range) return query.port >= dp.range.start && query.port <= dp.range.end;
      return false;
    });
  }

  evaluate(query: SideQuery): PolicyOutcome {
    const rules: any[] = this.obj.spec?.[query.direction] ?? [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      const peers: any[] = (query.direction === 'ingress' ? rule.from : rule.to) ?? [];
      if (!peers.some((p) => this.peerMatches(p, query.peer))) continue;
      if (!this.protocolMatches(rule.protocols, query)) continue;
      const action = ACTIONS[rule.action];
      if (action) return { action, rule: `spec.${query.direction}[${i}]`, logs: [], notes: [] };
    }
    return { logs: [], notes: [] };
  }

  describe(rulePath: string, action: string): string {
    const original = action === 'Allow' ? 'Accept' : action;
    return `${this.label} ${rulePath} ${original} (tier ${this.tier}, priority ${this.order ?? 'unset'})`;
  }
}
