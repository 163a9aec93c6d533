/**
 * `toPorts` matching and L7 rule descriptions.
 * https://docs.cilium.io/en/stable/security/policy/language/#layer-4-examples :
 * `port` is a string (a number, or a container port name resolved on the destination pod);
 * `endPort` extends a numeric port to a range and is ignored for named ports; `protocol` is TCP,
 * UDP, SCTP or ANY, and omitted means any. Ports are matched after Service DNAT.
 * Port `0` is Cilium's wildcard port (all ports of the protocol).
 * An empty `toPorts: []` is the same as an absent one: Cilium's policy resolution (pkg/policy/rule.go,
 * mergeIngress / mergeEgress) only looks at the list's length, and a rule with L3 peers, no toPorts
 * entries and no icmps entries allows all ports.
 */
import { ProxyPathConfig } from '../envoy-path';
import { ciliumHttpMatcher, L7Matcher } from '../http-request';
import { Endpoint, L4Protocol } from '../model';
import { MAYBE, NO } from '../verdict';
import { EgressNamedPorts } from './egress-named-ports';
import { describeDnsSelector, DnsSelector } from './fqdn';

/** One `toPorts[].ports[]` entry. */
export interface CiliumPortProtocol {
  readonly port?: string | number;
  readonly endPort?: number;
  readonly protocol?: string;
}

/** One `toPorts[]` entry. */
export interface CiliumPortRule {
  readonly ports?: CiliumPortProtocol[];
  readonly rules?: {
    readonly http?: Array<Record<string, any>>;
    readonly dns?: DnsSelector[];
    readonly kafka?: Array<Record<string, any>>;
    readonly l7proto?: string;
    readonly l7?: Array<Record<string, string>>;
  };
  readonly serverNames?: string[];
  /** TLS the proxy terminates (a Secret's certificate and key). */
  readonly terminatingTLS?: Record<string, any>;
  /** TLS the proxy originates towards the destination (a Secret's CA). */
  readonly originatingTLS?: Record<string, any>;
  /** A custom Envoy listener (of a CiliumEnvoyConfig) the port's traffic is redirected to. */
  readonly listener?: { readonly name?: string; readonly envoyConfig?: { readonly kind?: string; readonly name?: string } };
}

/** Does one port entry match the flow's port/protocol: true, false, or why it may (egress named ports)? */
export function portProtocolMatches(
  pp: CiliumPortProtocol,
  port: number,
  protocol: L4Protocol,
  destination: Endpoint,
  egressNames?: EgressNamedPorts,
): true | false | string {
  const proto = (pp.protocol ?? 'ANY').toUpperCase();
  if (proto !== 'ANY' && proto !== '' && proto !== protocol) return false;
  const text = String(pp.port ?? '0').trim();
  if (/^[0-9]+$/.test(text)) {
    const start = Number(text);
    if (start === 0) return true;
    const end = pp.endPort !== undefined && pp.endPort > start ? pp.endPort : start;
    return port >= start && port <= end;
  }
  // Named port. Cilium lower-cases the name (PortProtocol.sanitize); container port names are lower
  // case. Ingress: the destination pod (the subject) must declare it with this number and protocol;
  // egress: see ./egress-named-ports.
  const name = text.toLowerCase();
  if (egressNames) return egressNames.matches(name, port, protocol, destination);
  return destination.namedPorts.some((np) => np.name === name && np.port === port && np.protocol === protocol);
}

/** The `toPorts` entry a flow matches: its index (`-1` for all ports), and why it only may match. */
export interface PortMatch {
  readonly index: number;
  /** Set when the entry may match (an egress named port Cilium may resolve to the flow's port). */
  readonly maybe?: string;
}

/**
 * The first `toPorts` entry matching the flow (index `-1` when `toPorts` is absent or empty: all
 * ports), else the first that may match, or undefined. `egressNames` is given for egress rules.
 *
 * An entry whose `ports` is absent or empty matches nothing, L7 `rules` or not: Cilium's policy
 * resolution (pkg/policy/rule.go, mergeIngress / mergeEgress) creates one L4 filter per
 * `ports[]` item, so such an entry adds no filter, and since `toPorts` is non-empty the rule's
 * all-ports L3 entry is not created either. (DNS rules without ports fail validation instead, see
 * `rejectionOf` in ./policies.)
 */
export function matchingPortRule(
  toPorts: CiliumPortRule[] | undefined,
  port: number,
  protocol: L4Protocol,
  destination: Endpoint,
  egressNames?: EgressNamedPorts,
): PortMatch | undefined {
  if (toPorts === undefined || toPorts.length === 0) return { index: -1 };
  let maybe: PortMatch | undefined;
  for (let i = 0; i < toPorts.length; i++) {
    const ports = toPorts[i].ports;
    if (!Array.isArray(ports) || ports.length === 0) continue;
    for (const pp of ports) {
      const m = portProtocolMatches(pp, port, protocol, destination, egressNames);
      if (m === true) return { index: i };
      if (typeof m === 'string' && maybe === undefined) maybe = { index: i, maybe: m };
    }
  }
  return maybe;
}

/** The `toPorts` entries of one rule for a flow: those that surely match, and those that only may (with why). */
export interface PortRulesFor {
  readonly sure: CiliumPortRule[];
  readonly maybe: Array<{ readonly rule: CiliumPortRule; readonly why: string }>;
}

/**
 * Every `toPorts` entry of one rule for the flow: those that surely match it (in order), and those that
 * only may (an egress named port) with why.
 * Cilium merges all of them into the port's L4 filter for the rule's peers (pkg/policy rule.go
 * `mergeIngress` / `mergeEgress` iterate every entry and port, `addL4Filter` / `mergePortProto` merge
 * those of one port and protocol, an entry without L7 rules adding the allow-all L7 rule to one with
 * them), and a port-0 entry is another L4 filter whose rules Envoy checks next to the port's
 * (cilium/proxy cilium/network_policy.cc `PortPolicy::forRange`): the first match alone does not
 * tell whether the flow is redirected to the proxy nor which L7 rules apply.
 */
export function portRulesFor(
  toPorts: CiliumPortRule[] | undefined,
  port: number,
  protocol: L4Protocol,
  destination: Endpoint,
  egressNames?: EgressNamedPorts,
): PortRulesFor {
  const out: PortRulesFor = { sure: [], maybe: [] };
  for (const rule of toPorts ?? []) {
    if (!Array.isArray(rule.ports)) continue;
    const matches = rule.ports.map((pp) => portProtocolMatches(pp, port, protocol, destination, egressNames));
    const why = matches.find((m): m is string => typeof m === 'string');
    if (matches.includes(true)) out.sure.push(rule);
    else if (why !== undefined) out.maybe.push({ rule, why });
  }
  return out;
}

/**
 * Does a toPorts entry carry L7 rules, TLS server names, a TLS context or a listener (each turns the L4 allow into
 * a proxy redirect that passes less than the port: CRD, "If not empty, then TLS must be present and
 * one of the provided SNIs must be indicated in the TLS handshake"; a listener is a custom Envoy
 * listener)?
 */
export function hasL7Rules(rule: CiliumPortRule): boolean {
  return hasServerNames(rule) || hasListener(rule) || hasTlsContext(rule) || hasProtocolRules(rule);
}

function describeHttp(h: Record<string, any>): string {
  const parts = ['HTTP', h.method ?? 'any method', h.path ?? 'any path'];
  if (h.host) parts.push(`host ${h.host}`);
  const headers: string[] = [...(h.headers ?? [])];
  for (const m of h.headerMatches ?? []) headers.push(`${m.name}${m.value !== undefined ? `: ${m.value}` : ''}`);
  if (headers.length > 0) parts.push(`headers [${headers.join(', ')}]`);
  return parts.join(' ');
}

/**
 * Does one Cilium rule (a `spec` or `specs[i]`) hold a `toPorts[].rules` object, ingress or egress?
 * Only then can a verdict from it carry L7 constraints.
 */
export function ruleHasL7PortRules(rule: any): boolean {
  return ['ingress', 'egress'].some((dir) => Array.isArray(rule?.[dir])
    && rule[dir].some((r: any) => Array.isArray(r?.toPorts) && r.toPorts.some((p: any) => (p?.rules && typeof p.rules === 'object')
      || hasServerNames(p) || hasListener(p) || hasTlsContext(p))));
}

/** Does a toPorts entry name TLS server names? */
function hasServerNames(rule: CiliumPortRule | undefined): boolean {
  return Array.isArray(rule?.serverNames) && rule!.serverNames.length > 0;
}

/**
 * Does a toPorts entry name a TLS context? Either one alone redirects the port to Envoy's TLS proxy
 * (cilium/cilium pkg/policy l4.go `createL4Filter`: ParserTypeTLS, `addPolicyForSelector`: a redirect
 * when a terminating or originating TLS context is set), which needs the Secret to exist (`getCerts`).
 */
function hasTlsContext(rule: CiliumPortRule | undefined): boolean {
  const set = (v: unknown) => v !== undefined && v !== null;
  return set(rule?.terminatingTLS) || set(rule?.originatingTLS);
}

/** Does a toPorts entry carry L7 rules of a protocol (HTTP, DNS, Kafka, a proxylib parser)? */
function hasProtocolRules(rule: CiliumPortRule): boolean {
  const r = rule.rules;
  return !!r && ((r.http?.length ?? 0) > 0 || (r.dns?.length ?? 0) > 0 || (r.kafka?.length ?? 0) > 0 || !!r.l7proto);
}

/** Why an HTTP request through a port with TLS contexts and no L7 rules is not judged. */
const TLS_PROXY_WHY = 'the port goes through Envoy\'s TLS proxy (terminatingTLS / originatingTLS, no HTTP rules), whose handling of the '
  + 'connection (the TLS handshake, the Secret) is not evaluated';

/** Does a toPorts entry redirect to a custom Envoy listener? */
function hasListener(rule: CiliumPortRule | undefined): boolean {
  return rule?.listener !== undefined && rule?.listener !== null;
}

/** The TLS server names and listener of a toPorts entry, as constraint texts. */
function describeTls(rule: CiliumPortRule): string[] {
  const out: string[] = [];
  if (hasServerNames(rule)) out.push(`TLS SNI ${rule.serverNames!.join(', ')}`);
  if (hasListener(rule)) {
    const cec = rule.listener!.envoyConfig;
    out.push(`Envoy listener ${rule.listener!.name ?? '(unnamed)'}${cec?.name ? ` of ${cec.kind ?? 'CiliumEnvoyConfig'} ${cec.name}` : ''}`);
  }
  if (hasTlsContext(rule) && !hasProtocolRules(rule)) {
    const parts = [rule.terminatingTLS != null ? 'terminated' : '', rule.originatingTLS != null ? 'originated' : ''].filter((p) => p);
    out.push(`TLS ${parts.join(' and ')} by Envoy`);
  }
  return out;
}

/** Human-readable L7 constraints of a toPorts entry (empty when it has none). */
export function describeL7(rule: CiliumPortRule): string[] {
  const out = describeTls(rule);
  const r = rule.rules;
  if (!r) return out;
  for (const h of r.http ?? []) out.push(describeHttp(h));
  for (const d of r.dns ?? []) out.push(`DNS proxy ${describeDnsSelector(d)}`);
  for (const k of r.kafka ?? []) out.push(`Kafka ${JSON.stringify(k)}`);
  if (r.l7proto) out.push(`L7 ${r.l7proto} ${JSON.stringify(r.l7 ?? [])}`);
  return out;
}

/**
 * The L7 rules of a toPorts entry as request matchers, with the texts of {@link describeL7} plus
 * `suffix`: HTTP rules match requests (see ciliumHttpMatcher); DNS and Kafka rules send the port's
 * traffic to a proxy that speaks only that protocol, so no HTTP request passes them; a proxylib
 * `l7proto` parser is not evaluated.
 */
export function l7MatchersOf(rule: CiliumPortRule, suffix: string, paths: ProxyPathConfig): L7Matcher[] {
  const texts = describeL7(rule).map((t) => `${t}${suffix}`);
  let i = 0;
  const out: L7Matcher[] = [];
  // The TLS handshake and a custom listener's behaviour are not part of an HTTP request.
  if (hasServerNames(rule)) {
    out.push({ text: texts[i++], matches: () => ({ truth: MAYBE, why: 'the port only passes TLS connections whose SNI is one of the server names, which a request does not show' }) });
  }
  if (hasListener(rule)) {
    out.push({ text: texts[i++], matches: () => ({ truth: MAYBE, why: 'the port goes to a custom Envoy listener, which is not evaluated' }) });
  }
  if (hasTlsContext(rule) && !hasProtocolRules(rule)) out.push({ text: texts[i++], matches: () => ({ truth: MAYBE, why: TLS_PROXY_WHY }) });
  const r = rule.rules;
  if (!r) return out;
  for (const h of r.http ?? []) out.push(ciliumHttpMatcher(h, texts[i++], paths));
  const other = (text: string, protocol: string): L7Matcher => ({
    text,
    matches: () => ({ truth: NO, why: `the port's ${protocol} proxy serves no HTTP` }),
  });
  for (const _ of r.dns ?? []) out.push(other(texts[i++], 'DNS'));
  for (const _ of r.kafka ?? []) out.push(other(texts[i++], 'Kafka'));
  if (r.l7proto) {
    const text = texts[i++];
    out.push({ text, matches: () => ({ truth: MAYBE, why: `the ${r.l7proto} proxylib parser is not evaluated` }) });
  }
  return out;
}

/**
 * What the proxy a toPorts entry redirects its port to does with a request that an allow-all L7 rule
 * admits (the rule Cilium adds for the flow's plain L3/L4 allows on a redirected port, rule.go
 * `appendL7WildcardRule`: an empty HTTP rule, a `*` DNS pattern, an empty Kafka rule): Envoy forwards
 * an HTTP request after its path handling (see ciliumHttpMatcher with an empty rule); the DNS and
 * Kafka proxies serve no HTTP; TLS server names, a custom listener and a proxylib parser are not
 * evaluated. `text` names the allow-all rule.
 */
export function wildcardL7MatchersOf(rule: CiliumPortRule, text: string, paths: ProxyPathConfig): L7Matcher[] {
  const maybe = (why: string): L7Matcher[] => [{ text, matches: () => ({ truth: MAYBE, why }) }];
  if (hasServerNames(rule)) return maybe('the port only passes TLS connections whose SNI is one of the server names, which a request does not show');
  if (hasListener(rule)) return maybe('the port goes to a custom Envoy listener, which is not evaluated');
  if (hasTlsContext(rule) && !hasProtocolRules(rule)) return maybe(TLS_PROXY_WHY);
  const r = rule.rules ?? {};
  if ((r.http?.length ?? 0) > 0) return [ciliumHttpMatcher({}, text, paths)];
  for (const [list, protocol] of [[r.dns, 'DNS'], [r.kafka, 'Kafka']] as const) {
    if ((list?.length ?? 0) > 0) return [{ text, matches: () => ({ truth: NO, why: `the port's ${protocol} proxy serves no HTTP` }) }];
  }
  return maybe(`the ${r.l7proto} proxylib parser is not evaluated`);
}
