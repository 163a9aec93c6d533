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
 *
 * Matching is three-valued: peer fields the analysis cannot resolve (`toServices`, `toNodes` /
 * `fromNodes` for nodes, `toGroups` / `fromGroups` and unknown CIDR groups for external addresses,
 * an FQDN rule against an address without a DNS name) *may* match the peers they could select.
 */
import { CidrGroupIndex } from './cidr-groups';
import { entityMatches } from './entities';
import { dnsSelectorMatches, describeDnsSelector, DnsSelector } from './fqdn';
import { effectivePeerSelector, effectiveRequirementSelector, identityOf, selectorMatches, unfilteredIdentityOf } from './identity';
import { labelFilterNote } from './label-filter';
import { blockOf, blockOfCidr, matchAddresses } from '../addresses';
import { Direction, Endpoint } from '../model';
import { LabelSelector } from '../selectors';
import { MAYBE, NO, Tri, YES } from '../verdict';

/** L3 fields per direction. */
const L3_FIELDS: Record<Direction, string[]> = {
  ingress: ['fromEndpoints', 'fromEntities', 'fromCIDR', 'fromCIDRSet', 'fromNodes', 'fromGroups'],
  egress: ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toFQDNs', 'toServices', 'toNodes', 'toGroups'],
};

/** Outcome of peer matching: the field that matched, notes on approximations, and why it may match. */
export interface PeerMatch {
  readonly truth: Tri;
  /** e.g. `fromEndpoints[0]`, `toEntities (world)`, `L3 wildcard`. */
  readonly via?: string;
  readonly notes: string[];
  /** For MAYBE: what is unknown (endpoint-independent). */
  readonly why: string[];
}

/** Context for FQDN rules: does the subject have a DNS-proxy rule that would see lookups of a name? */
export type DnsProxyLookup = (name: string) => { ok: boolean; message: string };

/** What peer matching needs beyond the rule: CIDR groups and the subject's `fromRequires`/`toRequires`. */
export interface PeerContext {
  readonly dnsProxy: DnsProxyLookup;
  readonly cidrGroups: CidrGroupIndex;
  /**
   * Selectors every `fromEndpoints`/`toEndpoints` peer must also match: the `fromRequires` /
   * `toRequires` of every rule selecting the subject (Cilium adds them to each endpoint selector of
   * those rules; entities and CIDRs are not affected).
   */
  readonly requires: LabelSelector[];
}

/**
 * CIDR rules only select peers outside the cluster: by default Cilium maps pods and nodes (and
 * hostNetwork pods) to their label-based identities, never to CIDR identities
 * (https://docs.cilium.io/en/stable/security/policy/language/#ip-cidr-based, "By default,
 * CIDR-based selectors do not match in-cluster entities (pods or nodes)"; policyCIDRMatchMode=nodes
 * is not modelled). `cidrGroupRef` / `cidrGroupSelector` resolve through the CiliumCIDRGroups of
 * the manifests; a group named but not in the manifests may hold any address.
 */
function cidrMatches(entry: any, peer: Endpoint, ctx: PeerContext, why: string[]): Tri {
  if (peer.kind !== 'external') return NO;
  if (typeof entry === 'string') return matchAddresses(peer, blockOfCidr(entry));
  if (entry?.cidr !== undefined) {
    return matchAddresses(peer, blockOf(entry, [String(entry.cidr)], Array.isArray(entry.except) ? entry.except.map(String) : []));
  }
  const group = entry?.cidrGroupRef !== undefined
    ? ctx.cidrGroups.byName(String(entry.cidrGroupRef))
    : ctx.cidrGroups.bySelector(entry?.cidrGroupSelector);
  if (group.unknown) {
    why.push(group.unknown);
    return MAYBE;
  }
  return matchAddresses(peer, group.block);
}

/**
 * Does the rule carry L4 constraints: a non-empty `toPorts` or `icmps` list? An empty list is the
 * same as an absent one (see ports.ts).
 */
export function hasL4Constraints(rule: any): boolean {
  return (Array.isArray(rule?.toPorts) && rule.toPorts.length > 0) || (Array.isArray(rule?.icmps) && rule.icmps.length > 0);
}

/** Can the peer be a node (a node endpoint, or a hostNetwork pod, which policies see as its node)? */
function isNodeLike(peer: Endpoint): boolean {
  return peer.kind === 'node' || (peer.kind === 'pod' && peer.hostNetwork);
}

/** Does the rule's L3 part select `peer`? `policyNamespace` is undefined for clusterwide policies. */
export function matchPeer(
  rule: any,
  direction: Direction,
  peer: Endpoint,
  policyNamespace: string | undefined,
  ctx: PeerContext,
): PeerMatch {
  const present = L3_FIELDS[direction].filter((f) => rule?.[f] !== undefined && rule?.[f] !== null);
  if (present.length === 0) {
    if (hasL4Constraints(rule)) return { truth: YES, via: 'L3 wildcard (no peer fields)', notes: [], why: [] };
    return { truth: NO, notes: ['a rule with no peer fields and no toPorts/icmps matches nothing (Cilium default-deny idiom)'], why: [] };
  }
  const notes: string[] = [];
  const why: string[] = [];
  const identity = identityOf(peer);
  const pfx = direction === 'ingress' ? 'from' : 'to';
  let maybe = false;

  const endpoints: any[] = rule[`${pfx}Endpoints`] ?? [];
  const requiresMet = ctx.requires.every((r) => selectorMatches(r, identity));
  for (let i = 0; i < endpoints.length; i++) {
    const selector = effectivePeerSelector(endpoints[i], policyNamespace);
    if (selectorMatches(selector, identity)) {
      if (requiresMet) return { truth: YES, via: `${pfx}Endpoints[${i}]`, notes, why: [] };
      notes.push(`${pfx}Endpoints[${i}] selects ${peer.name}, but the ${pfx}Requires of the rules selecting the subject do not`);
    } else if (selectorMatches(selector, unfilteredIdentityOf(peer))) {
      notes.push(labelFilterNote(`${pfx}Endpoints[${i}]`, peer));
    }
  }
  for (const entity of rule[`${pfx}Entities`] ?? []) {
    if (entityMatches(String(entity), identity)) return { truth: YES, via: `${pfx}Entities (${entity})`, notes, why: [] };
  }
  const cidrs: any[] = rule[`${pfx}CIDR`] ?? [];
  for (const c of cidrs) {
    const t = cidrMatches(String(c), peer, ctx, why);
    if (t === YES) return { truth: YES, via: `${pfx}CIDR ${c}`, notes, why: [] };
    if (t === MAYBE) maybe = true;
  }
  const sets: any[] = rule[`${pfx}CIDRSet`] ?? [];
  for (let i = 0; i < sets.length; i++) {
    const t = cidrMatches(sets[i], peer, ctx, why);
    if (t === YES) return { truth: YES, via: `${pfx}CIDRSet[${i}]`, notes, why: [] };
    if (t === MAYBE) maybe = true;
  }
  if (direction === 'egress' && Array.isArray(rule.toFQDNs) && rule.toFQDNs.length > 0 && peer.kind === 'external') {
    const fqdns: DnsSelector[] = rule.toFQDNs;
    if (peer.dnsName) {
      const hit = fqdns.find((s) => dnsSelectorMatches(s, peer.dnsName!));
      if (hit) {
        const proxy = ctx.dnsProxy(peer.dnsName);
        if (proxy.ok) return { truth: YES, via: `toFQDNs (${describeDnsSelector(hit)}; ${proxy.message})`, notes, why: [] };
        notes.push(`toFQDNs ${describeDnsSelector(hit)} names ${peer.dnsName} but gets none of its IPs: ${proxy.message}`);
      }
    } else if (fqdns.some((s) => fqdnCouldResolve(s, ctx.dnsProxy))) {
      maybe = true;
      why.push(`toFQDNs ${fqdns.map(describeDnsSelector).join(', ')}: the destination is an address without a DNS name, which may be `
        + 'one the names resolve to (give Target.external a dnsName)');
    }
  }
  if (direction === 'egress' && Array.isArray(rule.toServices) && rule.toServices.length > 0) {
    maybe = true;
    why.push('toServices is not modelled (the Service backends are not resolved): it may select any destination');
  }
  if (Array.isArray(rule[`${pfx}Nodes`]) && rule[`${pfx}Nodes`].length > 0 && isNodeLike(peer)) {
    maybe = true;
    why.push(`${pfx}Nodes selects nodes by their labels, which the manifests do not hold`);
  }
  if (Array.isArray(rule[`${pfx}Groups`]) && rule[`${pfx}Groups`].length > 0 && peer.kind === 'external') {
    maybe = true;
    why.push(`${pfx}Groups (cloud provider security groups) is not modelled: it may select any external address`);
  }
  return { truth: maybe ? MAYBE : NO, notes, why: maybe ? why : [] };
}

/** Could an FQDN selector ever match a name the subject's DNS proxy lets it resolve? */
function fqdnCouldResolve(selector: DnsSelector, dnsProxy: DnsProxyLookup): boolean {
  // The proxy rules are patterns too; a name the selector matches is needed to ask them.
  const probe = selector.matchName ?? selector.matchPattern?.replace(/\*\*\./g, 'a.').replace(/\*/g, 'a');
  return probe !== undefined && dnsProxy(probe).ok;
}

/**
 * The `fromRequires` / `toRequires` selectors of a rule, normalized (sources made explicit) and
 * scoped like peer selectors: `policyNamespace` is undefined for clusterwide policies.
 */
export function requirementsOf(rule: any, direction: Direction, policyNamespace: string | undefined): LabelSelector[] {
  const list = rule?.[direction === 'ingress' ? 'fromRequires' : 'toRequires'];
  return Array.isArray(list) ? list.map((s: any) => effectiveRequirementSelector(s, policyNamespace)) : [];
}
