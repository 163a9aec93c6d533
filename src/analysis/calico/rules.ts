/**
 * Calico rules (`spec.ingress[]` / `spec.egress[]` of NetworkPolicy and GlobalNetworkPolicy),
 * per https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule and
 * #entityrule : every field present in a rule must match (AND); `source` describes the packet's
 * sender and `destination` its receiver in both directions, so an ingress rule's `source` is the
 * peer and its `destination` the selected endpoint.
 */
import * as ipaddr from 'ipaddr.js';
import { namespaceLabels, workloadLabels } from './labels';
import { NetworkSetEntry, NetworkSetIndex } from './network-sets';
import { CalicoSelector, SelectorCache } from './selector';
import { AddressSet } from '../../util/address-set';
import { formatAddress, parseCidrLoose, ParsedCidr } from '../../util/cidr';
import { matchAddresses, possibleAddresses, unknownAddressWhy } from '../addresses';
import { Endpoint, L4Protocol, NamespaceIndex, SideQuery, isPodNetworkEndpoint } from '../model';
import { and3, MAYBE, NO, not3, Tri, YES } from '../verdict';

/** Calico rule actions. */
export type CalicoAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

/**
 * Protocol names Calico accepts, exactly as written (libcalico-go validator.go `protocolRegex`
 * `^(TCP|UDP|ICMP|ICMPv6|SCTP|UDPLite)$`: case matters, `tcp` is rejected), as IANA numbers.
 */
const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, SCTP: 132, ICMP: 1, ICMPv6: 58, UDPLite: 136 };
/**
 * Protocols on which `ports` are allowed: TCP, UDP, SCTP (libcalico-go Protocol.SupportsPorts;
 * Calico validation rejects ports with any other protocol, UDPLite included).
 */
export const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132]);

type PortMatcher = { readonly from: number; readonly to: number } | { readonly name: string };

/** A compiled entity rule (`source` or `destination`). */
export interface EntityRule {
  readonly nets?: ParsedCidr[];
  readonly notNets?: ParsedCidr[];
  /** `nets` as one address set. */
  readonly netsBlock?: AddressSet;
  /** `notNets` as one address set. */
  readonly notNetsBlock?: AddressSet;
  readonly selector?: CalicoSelector;
  readonly notSelector?: CalicoSelector;
  readonly namespaceSelector?: CalicoSelector;
  readonly ports?: PortMatcher[];
  readonly notPorts?: PortMatcher[];
  readonly saNames?: Set<string>;
  readonly saSelector?: CalicoSelector;
  readonly hasServiceAccounts: boolean;
  readonly hasServices: boolean;
}

/** A compiled rule. */
export interface CompiledRule {
  readonly path: string;
  readonly action: CalicoAction;
  readonly protocol?: number;
  readonly notProtocol?: number;
  readonly ipVersion?: number;
  /** The rule's ICMP type matches that are set (`icmp`, `notICMP`), see {@link ruleTruth}. */
  readonly icmpFields?: ReadonlyArray<'icmp' | 'notICMP'>;
  readonly source: EntityRule;
  readonly destination: EntityRule;
  /** Readable HTTP match of an Allow rule (enforced only with Calico's application layer policy). */
  readonly http?: string;
  /** The raw `http` match, for matching HTTP requests. */
  readonly httpMatch?: Record<string, any>;
}

/** Where the policy lives: namespaced policies scope rule selectors to their own namespace. */
export interface RuleScope {
  /** Namespace of a projectcalico.org/v3 NetworkPolicy; undefined for a GlobalNetworkPolicy. */
  readonly namespace?: string;
}

/** Shared lookup state for rule evaluation. */
export interface RuleContext {
  readonly namespaces: NamespaceIndex;
  readonly networkSets: NetworkSetIndex;
}

/** Thrown while compiling a rule that Calico's API validation would reject. */
export class InvalidRuleError extends Error {}

/** A rule's `protocol` / `notProtocol` as Calico reads it: the IANA number, or why it is rejected. */
export type CalicoProtocol = { readonly number: number; readonly problem?: undefined } | { readonly number?: undefined; readonly problem: string };

/**
 * Read a `protocol` / `notProtocol` value as libcalico-go does (numorstring.Protocol, a
 * Uint8OrString, and validator.go validateProtocol): a JSON number or a decimal string that parses
 * as a uint8 is a number and must not be 0 (a string like `"6"` is protocol 6); any other string
 * must be one of the names in {@link PROTOCOL_NUMBERS}, with that exact case. Numbers outside
 * 0-255 or with a fraction do not decode at all.
 */
export function calicoProtocol(value: unknown): CalicoProtocol {
  const numeric = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  if (numeric !== undefined && Number.isInteger(numeric) && numeric >= 0 && numeric <= 255) {
    return numeric === 0 ? { problem: 'protocol number 0 is invalid (1-255)' } : { number: numeric };
  }
  if (typeof value === 'number') return { problem: `protocol number ${value} is not an integer 1-255` };
  if (typeof value !== 'string') return { problem: `must be a protocol name or number, got ${JSON.stringify(value)}` };
  const n = Object.prototype.hasOwnProperty.call(PROTOCOL_NUMBERS, value) ? PROTOCOL_NUMBERS[value] : undefined;
  if (n !== undefined) return { number: n };
  const named = Object.keys(PROTOCOL_NUMBERS).find((k) => k.toLowerCase() === value.toLowerCase());
  return {
    problem: named
      ? `'${value}' is not a protocol name Calico accepts: names are case-sensitive, write '${named}'`
      : `'${value}' is not a protocol Calico knows (${Object.keys(PROTOCOL_NUMBERS).join(', ')} or a number 1-255)`,
  };
}

function protocolNumber(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const p = calicoProtocol(value);
  if (p.problem !== undefined) throw new InvalidRuleError(`${path}: ${p.problem}`);
  return p.number;
}

function compilePorts(list: unknown, path: string): PortMatcher[] | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw new InvalidRuleError(`${path}: must be a list`);
  return list.map((p) => {
    if (typeof p === 'number') return { from: p, to: p };
    const text = String(p);
    const range = /^(\d+):(\d+)$/.exec(text);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from > to) throw new InvalidRuleError(`${path}: port range '${text}' has start > end`);
      return { from, to };
    }
    if (/^\d+$/.test(text)) return { from: Number(text), to: Number(text) };
    if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(text)) return { name: text };
    throw new InvalidRuleError(`${path}: invalid port '${text}'`);
  });
}

function nonBlank(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function compileNets(list: unknown, path: string): ParsedCidr[] | undefined {
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) throw new InvalidRuleError(`${path}: must be a list of CIDRs`);
  return list.map((n) => {
    const c = parseCidrLoose(String(n));
    if (!c) throw new InvalidRuleError(`${path}: invalid CIDR '${n}'`);
    return c;
  });
}

/** A problem Calico's validation finds in a rule: the JSON path and what is wrong. */
export interface RuleProblem {
  readonly path: string;
  readonly message: string;
}

/** The network address of a parsed CIDR (host bits cleared), as text. */
function networkText(c: ParsedCidr): string {
  const text = `${c.address.toString()}/${c.prefix}`;
  const network = c.family === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
  return `${formatAddress(network)}/${c.prefix}`;
}

/**
 * What libcalico-go's validateRule (lib/validator/v3/validator.go) rejects in a rule's IP fields.
 * The `net` validation tag of EntityRule nets/notNets takes a bare IP but not a CIDR with host bits
 * set, and validateRule then parses every entry with ParseCIDR, which needs a prefix length; it
 * collects the IP families of source nets, source notNets, destination nets and destination notNets
 * in that order, and rejects the field that brings a second family into the rule and any field
 * whose family differs from `ipVersion`. A rule with protocol or notProtocol ICMP needs ipVersion 4
 * (or none), ICMPv6 needs 6. Entries that are not strings or not addresses are left to the type checks.
 */
export function calicoRuleIpProblems(raw: any, path: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const ipVersion = raw?.ipVersion === 4 || raw?.ipVersion === 6 ? raw.ipVersion : undefined;
  for (const [field, name] of [['protocol', 'protocol'], ['notProtocol', 'notProtocol']] as const) {
    const proto = raw?.[field];
    if (proto === 'ICMP' && ipVersion !== undefined && ipVersion !== 4) problems.push({ path: `${path}.ipVersion`, message: `must be 4 with ${name} ICMP` });
    if (proto === 'ICMPv6' && ipVersion !== undefined && ipVersion !== 6) problems.push({ path: `${path}.ipVersion`, message: `must be 6 with ${name} ICMPv6` });
  }
  const seen = new Set<4 | 6>();
  for (const side of ['source', 'destination']) {
    for (const field of ['nets', 'notNets']) {
      const list: unknown = raw?.[side]?.[field];
      if (!Array.isArray(list)) continue;
      const where = `${path}.${side}.${field}`;
      const found = new Set<4 | 6>();
      list.forEach((n, i) => {
        if (typeof n !== 'string') return;
        const c = parseCidrLoose(n);
        if (!c) return;
        if (!n.includes('/')) {
          problems.push({ path: `${where}[${i}]`, message: `'${n}' has no prefix length: a rule's nets and notNets must be CIDRs` });
          return;
        }
        const network = networkText(c);
        if (network !== `${formatAddress(c.address)}/${c.prefix}`) {
          problems.push({ path: `${where}[${i}]`, message: `'${n}' has host bits set (the network is '${network}')` });
        }
        found.add(c.family === 'ipv4' ? 4 : 6);
      });
      for (const f of found) {
        if (ipVersion !== undefined && f !== ipVersion) problems.push({ path: where, message: `IPv${f} CIDRs do not match ipVersion ${ipVersion}` });
      }
      if (found.size > 1 || [...found].some((f) => seen.size > 0 && !seen.has(f))) {
        problems.push({ path: where, message: 'the rule mixes IPv4 and IPv6 CIDRs' });
      }
      found.forEach((f) => seen.add(f));
    }
  }
  return problems;
}

/**
 * Where libcalico-go's validator refuses `global()` (lib/validator/v3/validator.go): anywhere in a
 * policy's `selector`, `serviceAccountSelector` or GlobalNetworkPolicy `namespaceSelector`, or a
 * rule's `selector` (a plain substring test for `global()`), and in a rule's `namespaceSelector`
 * next to anything else. A rule's `notSelector` and `serviceAccounts.selector` are not checked:
 * there global() evaluates to true. `ruleNamespaceSelector`: `text` is a rule's namespaceSelector.
 */
export function globalSelectorProblem(text: unknown, ruleNamespaceSelector: boolean): string | undefined {
  if (typeof text !== 'string') return undefined;
  if (ruleNamespaceSelector) {
    return text.includes('global(') && text.replace(/[ \t]/g, '') !== 'global()' ? 'global() cannot be combined with other selectors' : undefined;
  }
  return text.includes('global()') ? "global() can only be used in a rule's namespaceSelector" : undefined;
}

/** Compile a selector through the cache; a syntax error becomes an InvalidRuleError naming `path`. */
export function compileSelector(expr: unknown, cache: SelectorCache, path: string): CalicoSelector | undefined {
  if (expr === undefined || expr === null) return undefined;
  try {
    return cache.get(String(expr));
  } catch (e) {
    throw new InvalidRuleError(`${path}: ${(e as Error).message}`);
  }
}

/**
 * `serviceAccounts` as libcalico-go converts it (updateprocessors/rules.go, parseServiceAccounts and
 * getEndpointSelector): `names` becomes `projectcalico.org/serviceaccount in {...}` only when the
 * list is non-empty, `selector` becomes a `pcsa.`-prefixed selector only when it is a non-empty
 * string (a blank one parses as `all()`), and the two are ANDed. When both parts are empty (e.g.
 * `serviceAccounts: {}`) the match adds no constraint at all: the entity behaves as if the field
 * were omitted, including for namespace scoping.
 */
function compileServiceAccounts(
  raw: any, cache: SelectorCache, path: string,
): Pick<EntityRule, 'saNames' | 'saSelector' | 'hasServiceAccounts'> {
  const names: unknown = raw?.names;
  const saNames = Array.isArray(names) && names.length > 0 ? new Set<string>(names.map(String)) : undefined;
  const text: unknown = raw?.selector;
  const saSelector = typeof text === 'string' && text !== ''
    ? compileSelector(text.trim() === '' ? 'all()' : text, cache, `${path}.selector`)
    : undefined;
  return { saNames, saSelector, hasServiceAccounts: saNames !== undefined || saSelector !== undefined };
}

function compileEntity(raw: any, cache: SelectorCache, path: string): EntityRule {
  const e = raw ?? {};
  for (const [field, inNamespaceSelector] of [['selector', false], ['namespaceSelector', true]] as const) {
    const problem = globalSelectorProblem(e[field], inNamespaceSelector);
    if (problem) throw new InvalidRuleError(`${path}.${field}: ${problem}`);
  }
  const nets = compileNets(e.nets, `${path}.nets`);
  const notNets = compileNets(e.notNets, `${path}.notNets`);
  return {
    nets,
    notNets,
    netsBlock: nets ? AddressSet.fromCidrs(nets) : undefined,
    notNetsBlock: notNets ? AddressSet.fromCidrs(notNets) : undefined,
    // An empty selector string is the same as an omitted one (no constraint).
    selector: nonBlank(e.selector) ? compileSelector(e.selector, cache, `${path}.selector`) : undefined,
    notSelector: nonBlank(e.notSelector) ? compileSelector(e.notSelector, cache, `${path}.notSelector`) : undefined,
    namespaceSelector: nonBlank(e.namespaceSelector)
      ? compileSelector(e.namespaceSelector, cache, `${path}.namespaceSelector`)
      : undefined,
    ports: compilePorts(e.ports, `${path}.ports`),
    notPorts: compilePorts(e.notPorts, `${path}.notPorts`),
    ...compileServiceAccounts(e.serviceAccounts, cache, `${path}.serviceAccounts`),
    hasServices: !!e.services,
  };
}

/** Compile one rule; throws {@link InvalidRuleError} for rules Calico's validation rejects. */
export function compileRule(raw: any, path: string, cache: SelectorCache): CompiledRule {
  const action = raw?.action;
  if (!['Allow', 'Deny', 'Pass', 'Log'].includes(action)) throw new InvalidRuleError(`${path}: invalid action '${action}'`);
  const ipProblem = calicoRuleIpProblems(raw, path)[0];
  if (ipProblem) throw new InvalidRuleError(`${ipProblem.path}: ${ipProblem.message}`);
  const protocol = protocolNumber(raw.protocol, `${path}.protocol`);
  const notProtocol = protocolNumber(raw.notProtocol, `${path}.notProtocol`);
  const source = compileEntity(raw.source, cache, `${path}.source`);
  const destination = compileEntity(raw.destination, cache, `${path}.destination`);
  // https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#ports : ports are only
  // valid with a protocol that has ports, and the API server rejects the policy otherwise.
  const hasPorts = [source, destination].some((e) => e.ports?.length || e.notPorts?.length);
  if (hasPorts && (protocol === undefined || !PORT_PROTOCOLS.has(protocol))) {
    throw new InvalidRuleError(`${path}: ports require protocol TCP, UDP or SCTP`);
  }
  let http: string | undefined;
  if (raw.http) {
    const parts: string[] = [];
    if (raw.http.methods?.length) parts.push(`methods ${raw.http.methods.join(',')}`);
    if (raw.http.paths?.length) {
      parts.push(`paths ${raw.http.paths.map((p: any) => (p.exact ? `=${p.exact}` : `${p.prefix}*`)).join(',')}`);
    }
    http = `HTTP ${parts.join('; ') || 'any'}`;
  }
  const icmp = (['icmp', 'notICMP'] as const).filter((f) => raw[f] !== undefined && raw[f] !== null);
  const extra = { ...(icmp.length > 0 ? { icmpFields: icmp } : {}), ...(http ? { httpMatch: raw.http } : {}) };
  return { path, action, protocol, notProtocol, ipVersion: raw.ipVersion, source, destination, http, ...extra };
}

const QUERY_PROTOCOL: Record<L4Protocol, number> = { TCP: 6, UDP: 17, SCTP: 132 };

/**
 * Collects, while a rule is matched, the approximations made (`notes`) and why a part is unknown
 * (`why`). The fast path passes none.
 */
export interface MatchLog {
  readonly notes: string[];
  readonly why: string[];
}

function portMatches(m: PortMatcher, port: number, protocol: L4Protocol, owner: Endpoint): boolean {
  if ('name' in m) {
    // Named ports resolve on the endpoint that owns the port (the destination for destination ports).
    return owner.namedPorts.some((np) => np.name === m.name && np.protocol === protocol && np.port === port);
  }
  return port >= m.from && port <= m.to;
}

/**
 * Does a network set fall in the rule's selector scope? `namespaceSelector: global()` reaches
 * GlobalNetworkSets; an omitted namespaceSelector reaches the policy's own namespace for a
 * NetworkPolicy and everything for a GlobalNetworkPolicy
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule).
 */
function setInScope(set: NetworkSetEntry, e: EntityRule, scope: RuleScope, ctx: RuleContext): boolean {
  if (e.namespaceSelector) {
    // A GlobalNetworkSet has no namespace labels: `global()` and negative-only terms match it, `all()` does not.
    if (!set.namespace) return e.namespaceSelector.matches({}, { global: true });
    return e.namespaceSelector.matches(namespaceLabels(set.namespace, ctx.namespaces), { global: false });
  }
  if (scope.namespace !== undefined) return set.namespace === scope.namespace;
  return true;
}

/**
 * Is the entity limited to labelled endpoints (and network sets) of some namespaces? This mirrors
 * libcalico-go's conversion of entity rules (updateprocessors/rules.go, getEndpointSelector): the
 * computed endpoint selector is `namespaceSelector`'s namespaces (else, for a namespaced policy, its
 * own namespace) ANDed with `selector` and `serviceAccounts`, and the namespace part is added as soon
 * as any selector field is used (selector, notSelector, namespaceSelector, serviceAccounts). So a
 * namespaced policy's `notSelector`-only entity still only matches its own namespace, and a
 * `serviceAccounts` entity with a `namespaceSelector` matches the selected namespaces
 * (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule). A
 * GlobalNetworkPolicy's `notSelector` alone selects nothing positively, and a nets-only entity
 * matches IPs, not endpoints.
 */
function isScoped(e: EntityRule, scope: RuleScope): boolean {
  return !!(e.selector || e.namespaceSelector || e.hasServiceAccounts || (e.notSelector && scope.namespace !== undefined));
}

/** The one service account label the analyzer knows: Calico gives each service account its name as a label. */
const SA_NAME_LABEL = 'projectcalico.org/name';

/**
 * Does a `serviceAccounts.selector` test labels of the service account other than its name? Those
 * labels live on ServiceAccount objects the analysis does not read, so the match is unknown.
 */
function saLabelsUnknown(selector: CalicoSelector): boolean {
  return [...selector.labelKeys].some((k) => k !== SA_NAME_LABEL);
}

/** Addresses of the network sets a selector reaches (positive: in scope and selected; negative: notSelector). */
const SET_BLOCKS = new WeakMap<EntityRule, Map<string, AddressSet>>();

function networkSetBlock(e: EntityRule, scope: RuleScope, ctx: RuleContext, negative: boolean): AddressSet {
  let perScope = SET_BLOCKS.get(e);
  if (!perScope) SET_BLOCKS.set(e, perScope = new Map());
  const key = `${negative ? '-' : '+'}${scope.namespace ?? ''}`;
  let block = perScope.get(key);
  if (!block) {
    const sets = ctx.networkSets.all.filter((s) => negative
      ? e.notSelector!.matches(s.labels)
      : setInScope(s, e, scope, ctx) && (!e.selector || e.selector.matches(s.labels)));
    block = AddressSet.fromCidrs(sets.flatMap((s) => s.nets));
    perScope.set(key, block);
  }
  return block;
}

/**
 * Does the endpoint satisfy the entity's selector/namespaceSelector/notSelector/serviceAccounts?
 * Calico turns a selector into the set of addresses of the endpoints it selects plus the CIDRs of the
 * network sets it selects (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkset),
 * so a pod also matches through a network set that contains its IP (MAYBE when its IP is unknown).
 */
function identityMatches(
  e: EntityRule, ep: Endpoint, scope: RuleScope, ctx: RuleContext, log: MatchLog | undefined, side: 'source' | 'destination' = 'source',
): Tri {
  const scoped = isScoped(e, scope);
  const hasSets = ctx.networkSets.all.length > 0;
  const why = (field: 'selector' | 'notSelector') => log?.why.push(
    `${side}.${field}: the network sets it reaches may or may not contain the ${side}'s address: ${unknownAddressWhy(ep)}`);
  if (isPodNetworkEndpoint(ep)) {
    const labels = workloadLabels(ep);
    const ns = ep.namespace ?? 'default';
    let positive: Tri = YES;
    if (scoped) {
      const inScope = e.namespaceSelector
        ? e.namespaceSelector.matches(namespaceLabels(ns, ctx.namespaces, ep.namespaceLabels), { global: false })
        : scope.namespace === undefined || scope.namespace === ns;
      let byLabels = inScope && (!e.selector || e.selector.matches(labels));
      if (byLabels && e.hasServiceAccounts) {
        // The namespace part was checked above (scoped is true with serviceAccounts).
        const sa = (labels['projectcalico.org/serviceaccount'] as string);
        if (e.saNames && !e.saNames.has(sa)) byLabels = false;
        if (e.saSelector && !e.saSelector.matches({ 'projectcalico.org/name': sa })) byLabels = false;
      }
      positive = byLabels ? YES : NO;
      if (positive === NO && e.saSelector && saLabelsUnknown(e.saSelector) && inScope && (!e.selector || e.selector.matches(labels))
        && (!e.saNames || e.saNames.has(labels['projectcalico.org/serviceaccount'] as string))) {
        // Only the service account's own labels could decide, and the manifests do not give them.
        positive = MAYBE;
        log?.why.push(`${side}.serviceAccounts.selector tests labels of service account '${labels['projectcalico.org/serviceaccount']}', `
          + `which the manifests do not give (only ${SA_NAME_LABEL} is known)`);
      }
      if (!byLabels && hasSets && !e.hasServiceAccounts) {
        positive = matchAddresses(ep, networkSetBlock(e, scope, ctx, false));
        if (positive === MAYBE) why('selector');
      }
    }
    if (positive === NO || !e.notSelector) return positive;
    if (e.notSelector.matches(labels)) return NO;
    if (!hasSets) return positive;
    const excluded = matchAddresses(ep, networkSetBlock(e, scope, ctx, true));
    if (excluded === MAYBE) why('notSelector');
    return and3(positive, not3(excluded));
  }
  // Nodes, hostNetwork pods and external IPs: only network sets containing the IP give them labels
  // (host endpoints are not modeled). They have no service account: a `names` list never matches
  // them, and the `pcsa.`-prefixed service-account selector sees no labels on them.
  if (e.saNames) return NO;
  if (e.saSelector && !e.saSelector.matches({})) return NO;
  let result: Tri = YES;
  if (scoped) {
    result = hasSets ? matchAddresses(ep, networkSetBlock(e, scope, ctx, false)) : NO;
    if (result === MAYBE) why('selector');
    if (result === NO) return NO;
  }
  if (e.notSelector && hasSets) {
    const excluded = matchAddresses(ep, networkSetBlock(e, scope, ctx, true));
    if (excluded === MAYBE) why('notSelector');
    result = and3(result, not3(excluded));
  }
  if (result !== NO && ep.kind !== 'external' && (scoped || e.notSelector)) {
    log?.notes.push(`${ep.name} is a ${ep.hostNetwork ? 'hostNetwork pod' : 'node'}: Calico HostEndpoints are not modeled, `
      + 'so selectors see it only through network sets');
  }
  return result;
}

/**
 * The label part of an entity (selectors, namespace scope, service accounts, network sets) for an
 * endpoint, without notes: peer keys are built from it.
 */
export function entityIdentityTruth(e: EntityRule, ep: Endpoint, scope: RuleScope, ctx: RuleContext): Tri {
  return identityMatches(e, ep, scope, ctx, undefined);
}

/** A stable text of an entity's label part (selectors, service accounts) for deduplication. */
export function entityIdentityKey(e: EntityRule, scope: RuleScope): string {
  return JSON.stringify([
    scope.namespace ?? '', e.selector?.expression ?? '', e.notSelector?.expression ?? '', e.namespaceSelector?.expression ?? '',
    e.saNames ? [...e.saNames].sort() : null, e.saSelector?.expression ?? '', e.hasServiceAccounts,
  ]);
}

function entityMatches(
  e: EntityRule, ep: Endpoint, isSource: boolean, query: SideQuery, scope: RuleScope, ctx: RuleContext, log: MatchLog | undefined,
): Tri {
  let result: Tri = YES;
  const side = isSource ? 'source' : 'destination';
  if (e.nets) {
    result = matchAddresses(ep, e.netsBlock!);
    if (result === NO) return NO;
    if (result === MAYBE) log?.why.push(`${side}.nets may or may not contain the ${side}'s address: ${unknownAddressWhy(ep)}`);
  }
  if (e.notNets) {
    const hit = matchAddresses(ep, e.notNetsBlock!);
    if (hit === YES) return NO;
    if (hit === MAYBE) {
      log?.why.push(`${side}.notNets may or may not contain the ${side}'s address: ${unknownAddressWhy(ep)}`);
      result = MAYBE;
    }
  }
  if (isSource) {
    // Source ports are ephemeral and unknown to the analyzer.
    if (e.ports || e.notPorts) {
      log?.why.push(`source.${e.ports ? 'ports' : 'notPorts'}: the source port of a connection is ephemeral, unknown to the analysis`);
      result = and3(result, MAYBE);
    }
  } else {
    const owner = query.destination;
    if (e.ports && !e.ports.some((m) => portMatches(m, query.port, query.protocol, owner))) return NO;
    if (e.notPorts && e.notPorts.some((m) => portMatches(m, query.port, query.protocol, owner))) return NO;
  }
  if (e.hasServices) {
    log?.why.push(`${side}.services: the Service's endpoints are not resolved by the analysis`);
    result = and3(result, MAYBE);
  }
  return and3(result, identityMatches(e, ep, scope, ctx, log, side));
}

function families(ep: Endpoint): Set<4 | 6> {
  const set = possibleAddresses(ep).set;
  const out = new Set<4 | 6>();
  if (set.hasFamily(4)) out.add(4);
  if (set.hasFamily(6)) out.add(6);
  return out;
}

/** Does the flow use IP version `version`: YES, NO, or MAYBE when the addresses allow both families? */
function ipVersionTruth(version: number, query: SideQuery): Tri {
  const peer = families(query.peer);
  const subject = families(query.subject);
  const both = [...peer].filter((f) => subject.has(f));
  const possible = both.length > 0 ? both : [...peer];
  if (!possible.includes(version as 4 | 6)) return NO;
  return possible.length === 1 ? YES : MAYBE;
}

/**
 * Can the rule's outcome depend on the selected endpoint itself (its labels, namespace, service
 * account or IP)? The endpoint is the `source` of an egress rule and the `destination` of an
 * ingress rule; `ipVersion` also looks at the endpoint's addresses. Named ports of the destination
 * are not counted here (callers key on them separately).
 */
export function dependsOnSubject(rule: CompiledRule, direction: 'ingress' | 'egress'): boolean {
  const e = direction === 'egress' ? rule.source : rule.destination;
  return rule.ipVersion !== undefined
    || !!(e.nets || e.notNets || e.selector || e.notSelector || e.namespaceSelector || e.hasServiceAccounts);
}

/**
 * Does `rule` match the flow described by `query`: YES, NO or MAYBE? With `log`, notes on
 * approximations and the reasons for MAYBE are collected.
 */
export function ruleTruth(rule: CompiledRule, query: SideQuery, scope: RuleScope, ctx: RuleContext, log?: MatchLog): Tri {
  const proto = QUERY_PROTOCOL[query.protocol];
  if (rule.protocol !== undefined && rule.protocol !== proto) return NO;
  if (rule.notProtocol !== undefined && rule.notProtocol === proto) return NO;
  let result: Tri = YES;
  if (rule.icmpFields) {
    // The query is TCP, UDP or SCTP, which the protocol check above let through. Felix renders
    // `icmp` / `notICMP` as an ICMP type(/code) match with no protocol check of its own (iptables
    // `-m icmp [!] --icmp-type`, which the kernel only loads with `-p icmp`; nftables `icmp type [!=]`,
    // which implies ICMP; eBPF: a compare of the ICMP-type byte of its packet state), so whether
    // the rule matches non-ICMP traffic depends on the dataplane.
    result = MAYBE;
    for (const field of rule.icmpFields) {
      log?.why.push(`${field}: Felix matches the ICMP type without checking the protocol, and whether that matches ${query.protocol} `
        + 'traffic depends on the dataplane (iptables, nftables or eBPF)');
    }
  }
  if (rule.ipVersion !== undefined) {
    const version = ipVersionTruth(rule.ipVersion, query);
    if (version === NO) return NO;
    if (version === MAYBE) log?.why.push(`ipVersion ${rule.ipVersion}: the flow may use either IP family`);
    result = and3(result, version);
  }
  const src = query.direction === 'ingress' ? query.peer : query.subject;
  const dst = query.direction === 'ingress' ? query.subject : query.peer;
  result = and3(result, entityMatches(rule.source, src, true, query, scope, ctx, log));
  if (result === NO) return NO;
  return and3(result, entityMatches(rule.destination, dst, false, query, scope, ctx, log));
}

/** Result of matching one rule: its truth, plus notes on approximations and why it may match. */
export interface RuleMatch {
  readonly truth: Tri;
  readonly notes: string[];
  readonly why: string[];
}

/** {@link ruleTruth} with its notes and reasons. */
export function ruleMatches(rule: CompiledRule, query: SideQuery, scope: RuleScope, ctx: RuleContext): RuleMatch {
  const log: MatchLog = { notes: [], why: [] };
  const truth = ruleTruth(rule, query, scope, ctx, log);
  return { truth, notes: truth === NO ? log.notes.filter((n) => !n.includes('HostEndpoints')) : log.notes, why: truth === MAYBE ? log.why : [] };
}
