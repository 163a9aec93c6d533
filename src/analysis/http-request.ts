/**
 * An HTTP request in a reachability question ("can A call B's POST /admin?"), and how the CNI's L7
 * rules (Cilium `toPorts[].rules.http`, Calico `http` matches) judge it.
 */
import { DIKASTES_ORDERS, DikastesOrder, dikastesPathMatches } from './calico/dikastes-path';
import { describeOutcome, EnvoyPathOutcome, envoyPathOutcomes, ISTIO_PATH_NORMALIZATION, isModelledPath, ProxyPathConfig } from './envoy-path';
import { HttpRequest } from './http-request-types';
import { Tri, MAYBE, NO, YES, and3, or3 } from './verdict';
import { propError } from '../util/errors';
import { requireKnownKeys, StructKeys } from '../util/guards';
import { re2FullMatch, Re2Pattern } from '../util/re2-pattern';

/** A validated request (internal): header names in lower case, path without query (a `#` fragment kept). */
export interface HttpRequestSpec {
  readonly method: string;
  readonly path: string;
  /** The query after `?` (without it; empty for a bare `?`), when the request has one. */
  readonly query?: string;
  readonly host?: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Check and normalize a request given by any caller (jsii, plain JavaScript). Bad input is a
 * ValidationError naming `site` and the field (`[Reachability.checkRequest] request.path: ...`).
 */
export function httpRequestSpec(value: unknown, site: string): HttpRequestSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw propError(site, 'request', "must be an object like { method: 'POST', path: '/admin' }");
  }
  const r = requireKnownKeys(site, 'request', value as HttpRequest, REQUEST_KEYS) as Record<string, unknown>;
  const str = (key: string, fallback?: string): string | undefined => {
    const v = r[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || v === '') throw propError(site, `request.${key}`, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const method = str('method', 'GET')!;
  if (!/^[A-Za-z]+$/.test(method)) throw propError(site, 'request.method', `'${method}' is not an HTTP method`);
  const path = str('path', '/')!;
  if (!path.startsWith('/')) throw propError(site, 'request.path', `'${path}' must start with /`);
  const headers: Record<string, string> = {};
  if (r.headers !== undefined) {
    if (typeof r.headers !== 'object' || r.headers === null || Array.isArray(r.headers)) {
      throw propError(site, 'request.headers', 'must be a map of header names to values');
    }
    for (const [k, v] of Object.entries(r.headers)) {
      if (typeof v !== 'string') throw propError(site, `request.headers.${k}`, `must be a string, got ${JSON.stringify(v)}`);
      const name = k.toLowerCase();
      if (Object.prototype.hasOwnProperty.call(headers, name)) {
        // Header names are case-insensitive: `X-Forwarded-For` and `x-forwarded-for` are one header,
        // and which value wins would be the map's key order.
        throw propError(site, `request.headers.${k}`, `the header ${name} is given twice (names are case-insensitive): give it once, repeated values joined with ','`);
      }
      headers[name] = v;
    }
  }
  const host = str('host');
  // The query ends at a `#` (RFC 3986): `/a?q#f` keeps its fragment, which the proxies treat apart.
  const hash = path.indexOf('#');
  const target = hash < 0 ? path : path.slice(0, hash);
  const question = target.indexOf('?');
  const bare = (question < 0 ? target : target.slice(0, question)) + (hash < 0 ? '' : path.slice(hash));
  const query = question < 0 ? undefined : target.slice(question + 1);
  return { method, path: bare, ...(query !== undefined ? { query } : {}), ...(host !== undefined ? { host } : {}), headers };
}

/** `POST /admin` (with the host when given), for messages. */
export function describeRequest(request: HttpRequestSpec): string {
  return `${request.method} ${request.path}${request.host !== undefined ? ` (host ${request.host})` : ''}`;
}

/**
 * An L7 allow rule of a CNI policy in a form a request can be matched against: the rule's text (as
 * in `l7Constraints`) and whether a request matches it.
 */
export interface L7Matcher {
  /** The constraint as shown in `l7Constraints`. */
  readonly text: string;
  /**
   * YES: the rule allows the request; NO: it does not (`why` set when the reason is not the rule's
   * text, e.g. the proxy rejects the request); MAYBE: it cannot be evaluated (reason in `why`).
   */
  matches(request: HttpRequestSpec): { truth: Tri; why?: string };
}

/**
 * Envoy (which enforces both Cilium's and Calico's HTTP rules) rejects a request whose path has a
 * `#` fragment with 400 by default since 1.16.5/1.17.4/1.18.4/1.19.1 (runtime guard
 * `envoy.reloadable_features.http_reject_path_with_fragment`, still on by default); when the guard
 * is off it strips the fragment instead, or keeps it with
 * `envoy.reloadable_features.http_strip_fragment_from_path_unsafe_if_disabled` off.
 */
const ENVOY_FRAGMENT = 'Envoy rejects a request whose path has a # fragment (400, runtime guard envoy.reloadable_features.http_reject_path_with_fragment, on by default)';

/** Does the request path carry a `#` fragment? */
function hasFragment(request: HttpRequestSpec): boolean {
  return request.path.includes('#');
}

/** The same truth for every alternative, or MAYBE. */
function agreed(truths: readonly Tri[]): Tri {
  return truths.every((t) => t === truths[0]) ? truths[0] : MAYBE;
}

/** Outcomes without duplicates, in a stable order. */
function sortedOutcomes(outcomes: readonly EnvoyPathOutcome[]): EnvoyPathOutcome[] {
  const byText = new Map(outcomes.map((o) => [describeOutcome(o), o]));
  return [...byText.keys()].sort().map((k) => byText.get(k)!);
}

/** The distinct outcomes, for reasons: `/a or /b`. */
function describeOutcomes(outcomes: readonly EnvoyPathOutcome[]): string {
  return outcomes.map(describeOutcome).join(' or ');
}

/**
 * Does a Cilium `rules.http[]` entry allow the request? Cilium hands these to Envoy as full-match
 * regular expressions (docs.cilium.io "Layer 7 Examples" calls them extended POSIX regex; they are
 * Envoy `safe_regex`, RE2 with a full match, and Go `regexp` validates path and method: read with RE2's
 * syntax by ../util/re2-pattern, not JavaScript's); `host` too; `headers` are `Name` (presence) or `Name: value` (exact), `headerMatches` name/value
 * pairs); every field given must match. A path with a `#` fragment never gets that far: Cilium's
 * Envoy keeps Envoy's default (its bootstrap, cilium/cilium pkg/envoy/embedded_envoy.go and the
 * cilium-envoy chart's bootstrap-config.json, sets no fragment runtime key), which rejects it.
 *
 * The path regex is matched against the whole `:path` header, query included (cilium/cilium
 * pkg/envoy `getHTTPRule`: a `:path` HeaderMatcher with a safe_regex, which Envoy matches in full),
 * after the L7 listener's path normalization (`paths`; by default the agent's `http-normalize-path:
 * true`, see ./cilium/http-normalize-path): dot segments resolved, backslashes turned to `/`, slashes
 * merged, and a path with an escaped `/` or `\` answered with a 307 redirect instead of being forwarded.
 */
export function ciliumHttpMatcher(rule: Record<string, any>, text: string, paths: ProxyPathConfig): L7Matcher {
  // Each pattern is translated and compiled once per rule, not per request (the RegExp has no `g` flag: no state between tests).
  const compiledOf = (field: string): Re2Pattern | undefined => {
    const pattern = rule[field];
    return pattern === undefined || pattern === '' ? undefined : re2FullMatch(String(pattern));
  };
  const compiled = { method: compiledOf('method'), host: compiledOf('host'), path: compiledOf('path') };
  return {
    text,
    matches(request) {
      if (hasFragment(request)) return { truth: NO, why: ENVOY_FRAGMENT };
      const query = request.query === undefined ? '' : `?${request.query}`;
      const perSetting = paths.settings.map((settings) => envoyPathOutcomes(request.path, settings));
      const outcomes = perSetting.includes(undefined) ? undefined : sortedOutcomes(perSetting.flat() as EnvoyPathOutcome[]);
      if (outcomes === undefined || !isModelledPath(query.slice(1).replace(/\?/g, ''))) {
        return {
          truth: MAYBE,
          why: `the path ${request.path}${query} has characters whose handling by Envoy (its HTTP parser and path normalization) is not modelled`,
        };
      }
      const parts: Tri[] = [];
      const whys: string[] = [];
      // A full-match test of one field, or undefined when the rule does not constrain it.
      const matcherOf = (field: keyof typeof compiled): ((value: string | undefined) => Tri) | undefined => {
        const c = compiled[field];
        if (c === undefined) return undefined;
        if (c.kind !== 'ok') {
          const pattern = String(rule[field]);
          whys.push(c.kind === 'invalid'
            ? `the ${field} pattern '${pattern}' is not valid RE2 (${c.why}), so Cilium does not apply it as written`
            : `the ${field} pattern '${pattern}' uses RE2 syntax the analysis does not evaluate (${c.why})`);
          return () => MAYBE;
        }
        const re = c.regex;
        return (value) => {
          if (value !== undefined) return re.test(value) ? YES : NO;
          whys.push(`the rule matches ${field} and the request's ${field} is not given`);
          return MAYBE;
        };
      };
      for (const [field, value] of [['method', request.method], ['host', request.host]] as const) {
        const test = matcherOf(field);
        if (test) parts.push(test(value));
      }
      for (const h of Array.isArray(rule.headers) ? rule.headers : []) {
        const [name, ...rest] = String(h).split(':');
        const value = request.headers[name.trim().toLowerCase()];
        parts.push(rest.length === 0 ? (value !== undefined ? YES : NO) : (value === rest.join(':').trim() ? YES : NO));
      }
      for (const m of Array.isArray(rule.headerMatches) ? rule.headerMatches : []) {
        if (typeof m?.name !== 'string') continue;
        const value = request.headers[m.name.toLowerCase()];
        if (m.secret !== undefined) {
          parts.push(MAYBE);
          whys.push(`header ${m.name} is matched against a secret`);
        } else {parts.push(m.value === undefined ? (value !== undefined ? YES : NO) : (value === m.value ? YES : NO));}
      }
      const rest = parts.includes(NO) ? NO : parts.includes(MAYBE) ? MAYBE : YES;
      const pathTest = matcherOf('path');
      // Only a forwarded request reaches the rule; a redirect or a 400 is not allowed through.
      const truths = outcomes.map((o) => (o.kind === 'forward' ? and3(rest, pathTest ? pathTest(`${o.path}${query}`) : YES) : NO));
      const truth = agreed(truths);
      const raw = `${request.path}${query}`;
      if (truth === MAYBE && new Set(truths).size > 1) {
        whys.push(`Cilium's Envoy (${paths.source}) turns the path ${raw} into ${describeOutcomes(outcomes)} depending on its `
          + `${paths.settings.length > 1 ? 'settings and ' : ''}build, and the rule matches only some of them`);
      }
      if (truth === MAYBE) return { truth, why: whys.join('; ') };
      if (truth === NO && outcomes.length === 1 && outcomes[0].kind === 'redirect') {
        // Envoy answers a gRPC request 400 instead, gRPC clients following no redirects (ConnectionManagerImpl).
        // gRPC is content-type `application/grpc` or `application/grpc+...`, not grpc-web (Grpc::Common::hasGrpcContentType).
        const contentType = request.headers['content-type'] ?? '';
        const grpc = contentType === 'application/grpc' || contentType.startsWith('application/grpc+');
        const answer = grpc ? 'rejects the gRPC request' : 'answers';
        const why = `Cilium's Envoy ${answer} ${raw} with ${answer === 'answers' ? `a 307 redirect to ${outcomes[0].location}` : '400'} instead of `
          + `forwarding it (an escaped / or \\ in the path; ${paths.source}: UNESCAPE_AND_REDIRECT)`;
        return { truth, why };
      }
      if (truth === NO && outcomes.every((o) => o.kind === 'reject')) return { truth, why: `Cilium's Envoy rejects the path ${raw} with 400 (path normalization fails)` };
      const only = outcomes.length === 1 && outcomes[0].kind === 'forward' ? outcomes[0].path : undefined;
      if (truth === NO && only !== undefined && rest !== NO && pathTest) {
        if (only !== request.path) return { truth, why: `Cilium's Envoy matches the path as ${only}${query} (${paths.source})` };
        if (query !== '') return { truth, why: `Cilium matches the path pattern against ${raw}, query included` };
      }
      return { truth };
    },
  };
}

/** Every Istio pathNormalization setting, BASE (the default) first. */
const ISTIO_SETTINGS = Object.values(ISTIO_PATH_NORMALIZATION);

/**
 * Does a Calico rule's `http` match allow the request? `methods` are exact (`*` is every method), `paths` entries are
 * `{exact}` or `{prefix}` (docs.tigera.io "NetworkPolicy" reference, HTTPMatch); both lists are ORed
 * inside and ANDed with each other. Calico enforces them in the Istio sidecar's Envoy, whose ext_authz
 * call asks Dikastes; Dikastes normalizes the path it is handed and matches prefixes by whole segments
 * ({@link dikastesPathMatches}).
 *
 * The path Dikastes is handed has first been through the sidecar's own normalization, which depends on
 * meshConfig `pathNormalization` ({@link ISTIO_PATH_NORMALIZATION}; BASE by default), not shown in the
 * manifests: the request is allowed or denied only when it is under every setting. A `#` fragment is
 * one more unknown: Istio turns Envoy's fragment rejection off (pilot-agent bootstrap:
 * `http_reject_path_with_fragment` false, so the fragment is stripped; kept with
 * HTTP_STRIP_FRAGMENT_FROM_PATH_UNSAFE_IF_DISABLED=false, then escaped to `%23` by path normalization)
 * while plain Envoy rejects the request.
 */
export function calicoHttpMatcher(http: Record<string, any>, text: string): L7Matcher {
  return {
    text,
    matches(request) {
      const methods: unknown[] = Array.isArray(http.methods) ? http.methods : [];
      const paths: unknown[] = Array.isArray(http.paths) ? http.paths : [];
      // Dikastes: a `*` entry matches every method (projectcalico/calico app-policy/checker/match.go matchHTTPMethods).
      if (methods.length > 0 && !methods.includes('*') && !methods.includes(request.method)) return { truth: NO };
      const p = request.path;
      const hash = p.indexOf('#');
      // Rejected, stripped, or kept (and percent-encoded by path normalization).
      const inputs = hash < 0 ? [p] : [p.slice(0, hash), `${p.slice(0, hash)}%23${p.slice(hash + 1)}`];
      const outcomes: EnvoyPathOutcome[] = hash < 0 ? [] : [{ kind: 'reject' }];
      for (const input of inputs) {
        for (const settings of ISTIO_SETTINGS) {
          const o = envoyPathOutcomes(input, settings);
          if (o === undefined) {
            return { truth: MAYBE, why: `the path ${p} has characters whose handling by the Istio sidecar's Envoy (its HTTP parser and path normalization) is not modelled` };
          }
          outcomes.push(...o);
        }
      }
      // One truth per outcome and Dikastes order (see ./calico/dikastes-path DIKASTES_ORDERS).
      const matchesIn = (o: EnvoyPathOutcome, order: DikastesOrder): Tri =>
        (o.kind === 'forward' && (paths.length === 0 || paths.some((e) => dikastesPathMatches(e, o.path, order))) ? YES : NO);
      const truths = outcomes.flatMap((o) => DIKASTES_ORDERS.map((order) => matchesIn(o, order)));
      const truth = agreed(truths);
      if (truth !== MAYBE) return { truth };
      const whys: string[] = [];
      if (outcomes.some((o) => new Set(DIKASTES_ORDERS.map((order) => matchesIn(o, order))).size > 1)) {
        whys.push(`Calico's Dikastes makes ${p} match or not depending on whether it strips ;-parameters before or after turning \\ into / `
          + '(an order projectcalico/calico#12532 does not document)');
      }
      if (hash >= 0) {
        whys.push(`the path ${p} has a # fragment, which the Envoy enforcing Calico's HTTP match rejects, strips or keeps `
          + 'depending on its runtime flags (Istio strips it by default; plain Envoy rejects it), not evaluated');
      } else if (DIKASTES_ORDERS.some((order) => new Set(outcomes.map((o) => matchesIn(o, order))).size > 1)) {
        const forms = [...new Set(outcomes.map(describeOutcome))].join(' or ');
        whys.push(`the Istio sidecar hands Calico's Dikastes the path ${p} as ${forms} depending on meshConfig pathNormalization `
          + '(BASE by default) and its Envoy build, and the HTTP match allows only some of them');
      }
      return { truth, why: whys.join('; ') };
    },
  };
}

/** How the L7 rules of one side judge a request (internal). */
export interface RequestJudgement {
  readonly truth: Tri;
  /** The rules that allow the request. */
  readonly decidedBy: string[];
  /** Why rules cannot be evaluated (MAYBE). */
  readonly why: string[];
  /** Reasons, other than the rules' own text, that rules do not allow it (e.g. the proxy rejects it). */
  readonly denied: string[];
}

/**
 * The verdict of a side with L7 rules for one request: allowed when any rule allows it (the rules of
 * one side are alternatives), denied when none does, indeterminate otherwise.
 */
export function requestAllowedBy(matchers: readonly L7Matcher[], request: HttpRequestSpec): RequestJudgement {
  let truth: Tri = NO;
  const decidedBy: string[] = [];
  const why: string[] = [];
  const denied = new Set<string>();
  for (const m of matchers) {
    const r = m.matches(request);
    truth = or3(truth, r.truth);
    if (r.truth === YES) decidedBy.push(m.text);
    if (r.truth === MAYBE) why.push(`${m.text}: ${r.why ?? 'cannot be evaluated'}`);
    if (r.truth === NO && r.why !== undefined) denied.add(r.why);
  }
  return { truth, decidedBy, why, denied: [...denied] };
}

/** The fields of an HttpRequest: a misspelt one (`header`) would be ignored. */
const REQUEST_KEYS: StructKeys<HttpRequest> = { method: true, path: true, host: true, headers: true };
