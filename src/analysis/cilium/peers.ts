/**
 * L3 peer matching of one ingress/egress (allow or deny) rule.
 * https://docs.cilium.io/en/stable/security/policy/language/#layer-3-examples
 *
 * A rule without any L3 field selects every peer only when it has L4 constraints (a non-empty
 * `toPorts`, or `icmps`): it is an L3 wildcard restricted to those ports. A rule with neither L3
 * peers nor ports, such as `{}`, matches nothing: `ingress: [{}]` / `egress: [{}]` is Cilium's
 * documented default-deny idiom (https://docs.cilium.io/en/stable/security/policy/language/,
 * "Ingress/Egress Default Deny"; cilium-cli's connectivity-test manifest deny-all-ingress.yaml), which
 * only puts the endpoint into default deny (pkg/policy/rule.go mergeIngress / mergeEgress wildcard
 * the peers only while iterating toPorts / icmps entries). A present but empty list
 * (`fromEntities: []`) selects nothing. Several L3 fields in one rule are ORed.
 */
import { entityMatches } from './entities';
import { dnsSelectorMatches, describeDnsSelector, DnsSelector } from './fqdn';
import { effectivePeerSelector, identityOf, selectorMatches } from './identity';
import { cidrContainsIp, parseCidrLoose, parseIpLoose } from '../../util/cidr';
import { Direction, Endpoint } from '../model';

/** L3 fields per direction; the ones after the supported ones are reported as not modelled. */
const L3_FIELDS: Record<Direction, string[]> = {
  ingress: ['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromNodes', 'fromGroups'],
  egress: ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toFQDNs', 'toServices', 'toNodes', 'toGroups'],
};

/** Outcome of peer matching: the field that matched, plus notes on what could not be evaluated. */
export interface PeerMatch {
  readonly matched: boolean;
  /** e.g. `fromEndpoints[0]`, `toEntities (world)`, `L3 wildcard`. */
  readonly via?: string;
  readonly notes: string[];
}

/** Context for FQDN rules: does the subject have a DNS-proxy rule that would see lookups of a name? */
export type DnsProxyLookup = (name: string) => { ok: boolean; message: string };

/**
 * CIDR rules only select peers outside the cluster: by default Cilium maps pods and nodes (and
 * hostNetwork pods) to their label-based identities, never to CIDR identities
 * (https://docs.cilium.io/en/stable/security/policy/language/#ip-cidr-based, "By default,
 * CIDR-based selectors do not match in-cluster entities (pods or nodes)"; policyCIDRMatchMode=nodes
 * is not modelled).
 */
function cidrMatches(entry: any, peer: Endpoint): { matched: boolean; note?: string } {
  if (peer.kind !== 'external' || !peer.ip) return { matched: false };
  const ip = parseIpLoose(peer.ip);
  if (!ip) return { matched: false };
  if (typeof entry === 'string') {
    const c = parseCidrLoose(entry);
    return { matched: !!c && cidrContainsIp(c, ip) };
  }
  if (entry?.cidr === undefined) {
    const what = entry?.cidrGroupRef !== undefined ? `cidrGroupRef ${entry.cidrGroupRef}` : 'cidrGroupSelector';
    return { matched: false, note: `${what} (CiliumCIDRGroup) is not modelled: treated as matching nothing` };
  }
  const c = parseCidrLoose(entry.cidr);
  if (!c || !cidrContainsIp(c, ip)) return { matched: false };
  for (const ex of entry.except ?? []) {
    const e = parseCidrLoose(ex);
    if (e && cidrContainsIp(e, ip)) return { matched: false };
  }
  return { matched: true };
}

/**
 * Does the rule carry L4 constraints: a non-empty `toPorts` or `icmps` list? An empty list is the
 * same as an absent one (see ports.ts).
 */
export function hasL4Constraints(rule: any): boolean {
  return (Array.isArray(rule?.toPorts) && rule.toPorts.length > 0) || (Array.isArray(rule?.icmps) && rule.icmps.length > 0);
}

/** Does the rule's L3 part select `peer`? `policyNamespace` is undefined for clusterwide policies. */
export function matchPeer(
  rule: any,
  direction: Direction,
  peer: Endpoint,
  policyNamespace: string | undefined,
  dnsProxy: DnsProxyLookup,
): PeerMatch {
  const present = L3_FIELDS[direction].filter((f) => rule?.[f] !== undefined && rule?.[f] !== null);
  if (present.length === 0) {
    if (hasL4Constraints(rule)) return { matched: true, via: 'L3 wildcard (no peer fields)', notes: [] };
    return { matched: false, notes: ['a rule with no peer fields and no toPorts/icmps matches nothing (Cilium default-deny idiom)'] };
  }
  const notes: string[] = [];
  const identity = identityOf(peer);
  const pfx = direction === 'ingress' ? 'from' : 'to';

  const endpoints: any[] = rule[`${pfx}Endpoints`] ?? [];
  for (let i = 0; i < endpoints.length; i++) {
    if (selectorMatches(effectivePeerSelector(endpoints[i], policyNamespace), identity)) {
      return { matched: true, via: `${pfx}Endpoints[${i}]`, notes };
    }
  }
  for (const entity of rule[`${pfx}Entities`] ?? []) {
    if (entityMatches(String(entity), identity)) return { matched: true, via: `${pfx}Entities (${entity})`, notes };
  }
  for (const c of rule[`${pfx}CIDR`] ?? []) {
    if (cidrMatches(c, peer).matched) return { matched: true, via: `${pfx}CIDR ${c}`, notes };
  }
  const sets: any[] = rule[`${pfx}CIDRSet`] ?? [];
  for (let i = 0; i < sets.length; i++) {
    const m = cidrMatches(sets[i], peer);
    if (m.note) notes.push(m.note);
    if (m.matched) return { matched: true, via: `${pfx}CIDRSet[${i}]`, notes };
  }
  if (direction === 'egress') {
    const fqdns: DnsSelector[] = rule.toFQDNs ?? [];
    const hit = peer.kind === 'external' && peer.dnsName ? fqdns.find((s) => dnsSelectorMatches(s, peer.dnsName!)) : undefined;
    if (hit) {
      const proxy = dnsProxy(peer.dnsName!);
      if (proxy.ok) return { matched: true, via: `toFQDNs (${describeDnsSelector(hit)}; ${proxy.message})`, notes };
      notes.push(`toFQDNs ${describeDnsSelector(hit)} names ${peer.dnsName} but gets none of its IPs: ${proxy.message}`);
    }
    if (rule.toServices !== undefined) notes.push('toServices is not modelled: treated as matching nothing');
  }
  if (rule[`${pfx}Nodes`] !== undefined) {
    notes.push(`${pfx}Nodes is not modelled (needs enable-node-selector-labels): treated as matching nothing`);
  }
  if (rule[`${pfx}Groups`] !== undefined) notes.push(`${pfx}Groups (cloud security groups) is not modelled`);
  return { matched: false, notes };
}

/** Does the rule carry a `fromRequires` / `toRequires` constraint (deprecated, not modelled)? */
export function requiresNote(rule: any, direction: Direction): string | undefined {
  const f = direction === 'ingress' ? 'fromRequires' : 'toRequires';
  return rule?.[f] !== undefined ? `${f} is not modelled (deprecated in Cilium 1.17)` : undefined;
}
