/**
 * Matching one Istio AuthorizationPolicy rule against a flow (internal), per the istio.io
 * "Authorization Policy" reference: a rule matches when its `from`, `to` and `when` all match (absent
 * = any); `from` and `to` are lists of alternatives; the fields of one source or operation are ANDed,
 * the values of one field ORed, `not*` fields match when no value matches; every `when` condition
 * must hold.
 *
 * Identity fields (principals, namespaces, serviceAccounts, trustDomains and the conditions
 * source.principal / source.namespace) compare against an empty value on a plaintext connection, so
 * they never match it and their `not*` forms always do (istio.io ISTIO-SECURITY-2021-004).
 *
 * Without an HTTP request in the question the HTTP fields (methods, paths, hosts, request.headers
 * conditions) are kept as a text constraint on the requests; with one they are evaluated. Attributes
 * the analysis has no value for (request principals and `request.auth.*` from JWTs, `connection.sni`,
 * `experimental.*`) make a rule's match unknown.
 *
 * The remote address (remoteIpBlocks, remote.ip; not ipBlocks or source.ip, which read the peer) is
 * the peer's unless the request carries X-Forwarded-For: then the address that header sets, as
 * ./istio-remote-address reads it. Without a request in the question, where a client can write that
 * header, a part it can turn the way that lets it through (an ALLOW matched, a DENY missed) is
 * unknown; the other way it stays exact.
 */
import { clientCanTurn, everyAddress, RuleAction } from './istio-remote-address';
import {
  addressIn, anyMatch, istioHeaderMatch, istioHostMatch, istioMethodMatch, istioNamespaceMatch, istioPathMatch, istioPortMatch, istioStringMatch,
  withIdentity,
} from './istio-values';
import { isPlainObject } from '../../util/vocabulary';
import { isModelledPath } from '../envoy-path';
import { HttpRequestSpec } from '../http-request';
import { Endpoint } from '../model';
import { and3, MAYBE, NO, Tri, YES } from '../verdict';

/** The flow as a rule sees it. */
export interface IstioFlow {
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly port: number;
  /** Does the connection carry the source's mesh identity (mutual TLS)? */
  readonly mtls: Tri;
  /** The source's principal `<trust domain>/ns/<ns>/sa/<sa>` (when it is in the mesh). */
  readonly principal?: string;
  /** The source's namespace. */
  readonly sourceNamespace?: string;
  /** The source's service account. */
  readonly serviceAccount?: string;
  /** The mesh's trust domain. */
  readonly trustDomain: string;
  /** The destination is enforced by ztunnel (ambient), not by a sidecar. */
  readonly ztunnel?: boolean;
  /** The HTTP request, when the question names one (never on a port the sidecar serves as TCP). */
  readonly request?: HttpRequestSpec;
  /**
   * Why the destination's sidecar serves the port as TCP (./istio-tcp-rules: rules lose their
   * HTTP-only attributes); undefined when it may serve HTTP.
   */
  readonly tcpChain?: string;
  /**
   * Why the client picks the remote address (remoteIpBlocks, remote.ip) when the question names no
   * request (./istio-remote-address); undefined when it is the peer's address.
   */
  readonly clientPicksRemote?: string;
  /**
   * The remote address the request's X-Forwarded-For sets (./istio-remote-address), or why it is
   * not known; undefined when it is the peer's address.
   */
  readonly forwarded?: { readonly address: Endpoint } | { readonly unknown: string };
}

/** How a rule matched. */
export interface RuleMatch {
  /** What is evaluated (everything but the HTTP fields when there is no request). */
  readonly truth: Tri;
  /**
   * Without a request: the HTTP conditions the rule puts on requests (alternatives); undefined when
   * it puts none on the matching part.
   */
  readonly http?: string[];
  /** Conditions the analysis cannot evaluate, with their path. */
  readonly unknown: string[];
  /** Why `truth` is MAYBE. */
  readonly why: string[];
}

const HTTP_FIELDS = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];
const NO_MATCH: RuleMatch = { truth: NO, unknown: [], why: [] };

/**
 * A field's values; an empty list is no constraint at all, as istiod reads it (authz model
 * `ruleList.appendLast`/`insertFront`: a key without values and notValues adds no rule), not a
 * list nothing matches.
 */
function list(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.length > 0 ? value.map(String) : undefined;
}

/** AND of parts (http constraints joined). */
function and(parts: RuleMatch[]): RuleMatch {
  let truth: Tri = YES;
  let http: string[] | undefined;
  const unknown: string[] = [];
  const why: string[] = [];
  for (const p of parts) {
    truth = and3(truth, p.truth);
    if (p.http) http = http ? http.flatMap((a) => p.http!.map((b) => `${a}, ${b}`)) : p.http;
    unknown.push(...p.unknown);
    why.push(...p.why);
  }
  if (truth === NO) return NO_MATCH;
  return { truth, ...(http ? { http } : {}), unknown, why: truth === MAYBE ? why : [] };
}

/**
 * OR of alternatives. An alternative that surely matches without conditions wins; otherwise the
 * constrained and uncertain ones are kept (their HTTP constraints as alternatives).
 */
function or(parts: RuleMatch[]): RuleMatch {
  const live = parts.filter((p) => p.truth !== NO);
  if (live.length === 0) return NO_MATCH;
  const plain = live.find((p) => p.truth === YES && !p.http && p.unknown.length === 0);
  if (plain) return plain;
  const truth: Tri = live.some((p) => p.truth === YES) ? YES : MAYBE;
  const constrained = live.filter((p) => p.http);
  const http = constrained.length > 0 && constrained.length === live.length ? constrained.flatMap((p) => p.http!) : undefined;
  return {
    truth,
    ...(http ? { http } : {}),
    unknown: live.flatMap((p) => p.unknown),
    why: truth === MAYBE ? live.flatMap((p) => p.why) : [],
  };
}

function of(truth: Tri, why?: string): RuleMatch {
  return { truth, unknown: [], why: truth === MAYBE && why ? [why] : [] };
}

function unknownPart(what: string): RuleMatch {
  return { truth: YES, unknown: [what], why: [] };
}

/** A field of strings matched (positively or with `not`) against one value. */
function stringField(values: string[], value: string | undefined, negative: boolean, match = istioStringMatch): boolean {
  const hit = anyMatch(values, value, match);
  return negative ? !hit : hit;
}

/**
 * Principal patterns as the proxy compares them. For a sidecar, istiod (trust domain bundle,
 * ReplaceTrustDomainAliases) takes the trust domain `cluster.local` in a policy for the local trust
 * domain. ztunnel does not: istiod hands it the principals as written (ambient authorization
 * `handleRule`, `stringToMatch`) and ztunnel compares them with the peer's SPIFFE ID as they are
 * (istio/ztunnel src/rbac.rs `matches_principal`; istio/ztunnel#1260), so there `cluster.local/...`
 * names only the trust domain cluster.local.
 */
function principalPatterns(values: string[], flow: IstioFlow): string[] {
  const local = 'cluster.local/';
  if (flow.ztunnel || flow.trustDomain === 'cluster.local') return values;
  return values.map((v) => (v.startsWith(local) ? `${flow.trustDomain}/${v.slice(local.length)}` : v));
}

/** Why the remote address a request's X-Forwarded-For sets is not known, if it is not. */
function unknownForwarded(flow: IstioFlow): string | undefined {
  return flow.forwarded !== undefined && 'unknown' in flow.forwarded ? flow.forwarded.unknown : undefined;
}

/** The remote address: the one the request's X-Forwarded-For sets, else the peer's. */
function remoteOf(flow: IstioFlow): Endpoint {
  return flow.forwarded !== undefined && 'address' in flow.forwarded ? flow.forwarded.address : flow.source;
}

/** Match one `from[].source` of a policy in `policyNamespace`. */
function matchSource(source: Record<string, unknown>, path: string, flow: IstioFlow, policyNamespace: string, action: RuleAction): RuleMatch {
  const parts: RuleMatch[] = [];
  const sa = flow.sourceNamespace !== undefined && flow.serviceAccount !== undefined ? `${flow.sourceNamespace}/${flow.serviceAccount}` : undefined;
  const trustDomain = flow.principal?.split('/ns/')[0];
  const identity: Array<[string, string | undefined]> = [
    ['principals', flow.principal], ['namespaces', flow.sourceNamespace], ['serviceAccounts', sa], ['trustDomains', trustDomain],
  ];
  for (const [field, value] of identity) {
    for (const negative of [false, true]) {
      const key = negative ? `not${field[0].toUpperCase()}${field.slice(1)}` : field;
      const values = list(source[key]);
      if (values === undefined) continue;
      if (field === 'serviceAccounts' && values.some((v) => v.includes('*'))) {
        // A sidecar inserts the value into a regex, ztunnel compares it exactly: neither is a wildcard.
        parts.push(unknownPart(`${path}.${key}: '${values.find((v) => v.includes('*'))}' (a * in a service account is not a wildcard) is not evaluated`));
        continue;
      }
      // istiod reads a service account without namespace as one in the policy's namespace (authz
      // `serviceAccountRegex`, ambient `stringToServiceAccountMatch`).
      const patterns = field === 'serviceAccounts' ? values.map((v) => (v.includes('/') ? v : `${policyNamespace}/${v}`)) : values;
      const match = field === 'namespaces' ? (p: string, v: string | undefined) => istioNamespaceMatch(p, v, flow.ztunnel === true)
        : field === 'serviceAccounts' ? (p: string, v: string | undefined) => p === v : istioStringMatch;
      const read = field === 'principals' ? principalPatterns(patterns, flow) : patterns;
      parts.push(of(withIdentity(flow.mtls, (has) => stringField(read, has ? value : undefined, negative, match)),
        `${path}.${key}: whether the connection carries the source's mesh identity is not known`));
    }
  }
  for (const field of ['ipBlocks', 'remoteIpBlocks']) {
    for (const negative of [false, true]) {
      const key = negative ? `not${field[0].toUpperCase()}${field.slice(1)}` : field;
      const values = list(source[key]);
      if (values === undefined) continue;
      if (field === 'remoteIpBlocks' && unknownForwarded(flow) !== undefined) {
        parts.push(of(MAYBE, `${path}.${key}: ${unknownForwarded(flow)}`));
        continue;
      }
      const hit = addressIn(field === 'remoteIpBlocks' ? remoteOf(flow) : flow.source, values);
      const truth = negative ? (hit.truth === MAYBE ? MAYBE : hit.truth === YES ? NO : YES) : hit.truth;
      // A client that picks the address matches a block with an address in it, and misses every block
      // with one outside them (none when they hold every address).
      if (field === 'remoteIpBlocks' && flow.clientPicksRemote !== undefined
        && clientCanTurn(truth, negative ? !everyAddress(values) : true, negative ? true : !everyAddress(values), action)) {
        parts.push(of(MAYBE, `${path}.${key}: ${flow.clientPicksRemote}`));
        continue;
      }
      parts.push(of(truth, `${path}.${key}: the source's address: ${hit.why}`));
    }
  }
  for (const key of ['requestPrincipals', 'notRequestPrincipals']) {
    if (source[key] !== undefined) parts.push(unknownPart(`${path}.${key} (request principals come from JWTs, which the manifests do not carry)`));
  }
  return and(parts);
}

/** Match one `to[].operation`. */
function matchOperation(operation: Record<string, unknown>, path: string, flow: IstioFlow): RuleMatch {
  const parts: RuleMatch[] = [];
  const port = String(flow.port);
  const ports = list(operation.ports);
  if (ports !== undefined) parts.push(of(anyMatch(ports, port, istioPortMatch) ? YES : NO));
  const notPorts = list(operation.notPorts);
  if (notPorts !== undefined) parts.push(of(anyMatch(notPorts, port, istioPortMatch) ? NO : YES));
  const httpFields = HTTP_FIELDS.filter((f) => operation[f] !== undefined);
  if (httpFields.length > 0) {
    if (flow.request) {
      const r = flow.request;
      const check = (key: string, value: string | undefined, match: (p: string, v: string | undefined) => boolean, negative: boolean) => {
        const values = list(operation[key]);
        if (values === undefined) return;
        if (value === undefined) {
          parts.push(of(MAYBE, `${path}.${key}: the request's host is not given`));
          return;
        }
        parts.push(of(stringField(values, value, negative, match) ? YES : NO));
      };
      check('methods', r.method, istioMethodMatch, false);
      check('notMethods', r.method, istioMethodMatch, true);
      if ((operation.paths !== undefined || operation.notPaths !== undefined) && !isBaseNormalPath(r.path)) {
        // The sidecar matches the path after its normalization (meshConfig pathNormalization, BASE by
        // default: istio.io "Authorization Policy Normalization"), which is not known here.
        parts.push(of(MAYBE, `${path}.paths: Istio normalizes the path ${r.path} (percent-encoding, backslashes, dot segments, fragments; meshConfig `
          + 'pathNormalization) before matching, not evaluated'));
      } else {
        check('paths', r.path, istioPathMatch, false);
        check('notPaths', r.path, istioPathMatch, true);
      }
      check('hosts', r.host, istioHostMatch, false);
      check('notHosts', r.host, istioHostMatch, true);
    } else {
      const text = httpFields.map((f) => `${f} ${list(operation[f])!.join('|')}`).join(', ');
      parts.push({ truth: YES, http: [`HTTP ${text}`], unknown: [], why: [] });
    }
  }
  return and(parts);
}

/**
 * Is the path the same after Istio's normalization: no percent-encoding or backslash to decode, no
 * `.` or `..` segment to resolve (and no `//`, which MERGE_SLASHES would merge), no `#` fragment
 * (which Envoy strips or rejects before any match)? Nor a character the canonicalizer escapes or the
 * codec may refuse (outside RFC 3986 pchar: `{`, `|`, a space...), nor a `.;`/`..;` segment, which
 * Envoy's `strip_dotdot_segments_with_parameters` runtime guard turns into a dot segment (see
 * ../envoy-path).
 */
function isBaseNormalPath(p: string): boolean {
  return !/[%\\#]/.test(p) && !p.includes('//') && isModelledPath(p)
    && !p.split('/').some((seg) => seg === '.' || seg === '..' || seg.startsWith('.;') || seg.startsWith('..;'));
}

/** Match one `when` condition. */
function matchCondition(condition: Record<string, unknown>, path: string, flow: IstioFlow, policyNamespace: string, action: RuleAction): RuleMatch {
  const key = typeof condition.key === 'string' ? condition.key : '';
  const values = list(condition.values);
  const notValues = list(condition.notValues);
  const strings = (value: string | undefined, match = istioStringMatch): boolean =>
    (values === undefined || anyMatch(values, value, match)) && !(notValues !== undefined && anyMatch(notValues, value, match));
  const address = (endpoint: Endpoint, role: string): RuleMatch => {
    const pos = values === undefined ? { truth: YES as Tri } : addressIn(endpoint, values);
    const neg = notValues === undefined ? { truth: NO as Tri } : addressIn(endpoint, notValues);
    const truth = and3(pos.truth, neg.truth === MAYBE ? MAYBE : neg.truth === YES ? NO : YES);
    return of(truth, `${path} (${key}): the ${role}'s address: ${pos.why ?? neg.why}`);
  };
  switch (key) {
    case 'remote.ip': {
      if (unknownForwarded(flow) !== undefined) return of(MAYBE, `${path} (${key}): ${unknownForwarded(flow)}`);
      const peer = address(remoteOf(flow), 'source');
      const canMatch = !(notValues !== undefined && everyAddress(notValues));
      const canMiss = notValues !== undefined || !(values !== undefined && everyAddress(values));
      if (flow.clientPicksRemote !== undefined && clientCanTurn(peer.truth, canMatch, canMiss, action)) {
        return of(MAYBE, `${path} (${key}): ${flow.clientPicksRemote}`);
      }
      return peer;
    }
    case 'source.ip':
      return address(flow.source, 'source');
    case 'destination.ip':
      return address(flow.destination, 'destination');
    case 'destination.port':
      return of(strings(String(flow.port), istioPortMatch) ? YES : NO);
    case 'source.principal': {
      const pos = values === undefined ? undefined : principalPatterns(values, flow);
      const neg = notValues === undefined ? undefined : principalPatterns(notValues, flow);
      const match = (v: string | undefined) => (pos === undefined || anyMatch(pos, v)) && !(neg !== undefined && anyMatch(neg, v));
      return of(withIdentity(flow.mtls, (has) => match(has ? flow.principal : undefined)), `${path} (${key}): mTLS is not known`);
    }
    case 'source.serviceAccount': {
      // Read as the serviceAccounts field (a bare name is in the policy's namespace). What istiod hands
      // ztunnel for this key is not known here.
      if (flow.ztunnel) return unknownPart(`${path} (${key}: whether ztunnel gets this condition is not known)`);
      const sa = flow.sourceNamespace !== undefined && flow.serviceAccount !== undefined ? `${flow.sourceNamespace}/${flow.serviceAccount}` : undefined;
      const full = (v: string) => (v.includes('/') ? v : `${policyNamespace}/${v}`);
      const match = (p: string, v: string | undefined) => full(p) === v;
      return of(withIdentity(flow.mtls, (has) => strings(has ? sa : undefined, match)), `${path} (${key}): mTLS is not known`);
    }
    case 'source.namespace': {
      const match = (p: string, v: string | undefined) => istioNamespaceMatch(p, v, flow.ztunnel === true);
      return of(withIdentity(flow.mtls, (has) => strings(has ? flow.sourceNamespace : undefined, match)), `${path} (${key}): mTLS is not known`);
    }
    default:
      break;
  }
  const header = /^request\.headers\[(.+)\]$/.exec(key);
  if (header) {
    if (!flow.request) return { truth: YES, http: [`header ${header[1]} ${describeValues(values, notValues)}`], unknown: [], why: [] };
    return of(strings(flow.request.headers[header[1].toLowerCase()], istioHeaderMatch) ? YES : NO);
  }
  if (key.startsWith('request.auth.')) return unknownPart(`${path} (${key}: JWT claims are not in the manifests)`);
  if (key === 'connection.sni' || key.startsWith('experimental.') || key.startsWith('request.experimental.')) {
    return unknownPart(`${path} (${key} is not known to the analysis)`);
  }
  return unknownPart(`${path} (unknown condition key '${key}')`);
}

function describeValues(values: string[] | undefined, notValues: string[] | undefined): string {
  return [values ? `in ${values.join('|')}` : '', notValues ? `not in ${notValues.join('|')}` : ''].filter((s) => s).join(' and ');
}

/**
 * Match one rule (`spec.rules[i]`) of a policy in `policyNamespace` against the flow; `action`, the
 * policy's, says which way a client that picks its remote address would turn it.
 */
export function matchRule(rule: unknown, path: string, flow: IstioFlow, policyNamespace: string, action: RuleAction): RuleMatch {
  if (!isPlainObject(rule)) return { truth: YES, unknown: [], why: [] };
  const parts: RuleMatch[] = [];
  if (Array.isArray(rule.from) && rule.from.length > 0) {
    parts.push(or(rule.from.map((f: any, i: number) =>
      matchSource(isPlainObject(f?.source) ? f.source : {}, `${path}.from[${i}].source`, flow, policyNamespace, action))));
  }
  if (Array.isArray(rule.to) && rule.to.length > 0) {
    parts.push(or(rule.to.map((t: any, i: number) => matchOperation(isPlainObject(t?.operation) ? t.operation : {}, `${path}.to[${i}].operation`, flow))));
  }
  if (Array.isArray(rule.when)) {
    rule.when.forEach((c: any, i: number) => parts.push(matchCondition(isPlainObject(c) ? c : {}, `${path}.when[${i}]`, flow, policyNamespace, action)));
  }
  return and(parts);
}
