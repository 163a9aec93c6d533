/**
 * An HTTP request in a reachability question ("can A call B's POST /admin?"), and how the CNI's L7
 * rules (Cilium `toPorts[].rules.http`, Calico `http` matches) judge it.
 */
import { HttpRequest } from './http-request-types';
import { Tri, MAYBE, NO, YES, or3 } from './verdict';
import { propError } from '../util/errors';
import { requireKnownKeys, StructKeys } from '../util/guards';

/** A validated request (internal): header names in lower case, path without query. */
export interface HttpRequestSpec {
  readonly method: string;
  readonly path: string;
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
      headers[k.toLowerCase()] = v;
    }
  }
  const host = str('host');
  return { method, path: path.split('?')[0], ...(host !== undefined ? { host } : {}), headers };
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
  /** YES: the rule allows the request; NO: it does not; MAYBE: it cannot be evaluated (reason in `why`). */
  matches(request: HttpRequestSpec): { truth: Tri; why?: string };
}

/**
 * Does a Cilium `rules.http[]` entry allow the request? Cilium hands these to Envoy as full-match
 * regular expressions (docs.cilium.io "Layer 7 Examples": method and path are extended POSIX regex;
 * `host` too; `headers` are `Name` (presence) or `Name: value` (exact), `headerMatches` name/value
 * pairs); every field given must match.
 */
export function ciliumHttpMatcher(rule: Record<string, any>, text: string): L7Matcher {
  return {
    text,
    matches(request) {
      const parts: Tri[] = [];
      const whys: string[] = [];
      const regex = (field: string, value: string | undefined) => {
        const pattern = rule[field];
        if (pattern === undefined || pattern === '') return;
        if (value === undefined) {
          parts.push(MAYBE);
          whys.push(`the rule matches ${field} and the request's ${field} is not given`);
          return;
        }
        let re: RegExp;
        try {
          re = new RegExp(`^(?:${String(pattern)})$`);
        } catch {
          parts.push(MAYBE);
          whys.push(`the ${field} pattern '${String(pattern)}' is not a regular expression JavaScript can evaluate`);
          return;
        }
        parts.push(re.test(value) ? YES : NO);
      };
      regex('method', request.method);
      regex('path', request.path);
      regex('host', request.host);
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
      const truth = parts.includes(NO) ? NO : parts.includes(MAYBE) ? MAYBE : YES;
      return truth === MAYBE ? { truth, why: whys.join('; ') } : { truth };
    },
  };
}

/**
 * Does a Calico rule's `http` match allow the request? `methods` are exact, `paths` entries are
 * `{exact}` or `{prefix}` (docs.tigera.io "NetworkPolicy" reference, HTTPMatch); both lists are ORed
 * inside and ANDed with each other.
 */
export function calicoHttpMatcher(http: Record<string, any>, text: string): L7Matcher {
  return {
    text,
    matches(request) {
      const methods: unknown[] = Array.isArray(http.methods) ? http.methods : [];
      const paths: any[] = Array.isArray(http.paths) ? http.paths : [];
      const methodOk = methods.length === 0 || methods.includes(request.method);
      const pathOk = paths.length === 0 || paths.some((p) => (typeof p?.exact === 'string' && p.exact === request.path)
        || (typeof p?.prefix === 'string' && request.path.startsWith(p.prefix)));
      return { truth: methodOk && pathOk ? YES : NO };
    },
  };
}

/**
 * The verdict of a side with L7 rules for one request: allowed when any rule allows it (the rules of
 * one side are alternatives), denied when none does, indeterminate otherwise.
 */
export function requestAllowedBy(matchers: readonly L7Matcher[], request: HttpRequestSpec): { truth: Tri; decidedBy: string[]; why: string[] } {
  let truth: Tri = NO;
  const decidedBy: string[] = [];
  const why: string[] = [];
  for (const m of matchers) {
    const r = m.matches(request);
    truth = or3(truth, r.truth);
    if (r.truth === YES) decidedBy.push(m.text);
    if (r.truth === MAYBE) why.push(`${m.text}: ${r.why ?? 'cannot be evaluated'}`);
  }
  return { truth, decidedBy, why };
}

/** The fields of an HttpRequest: a misspelt one (`header`) would be ignored. */
const REQUEST_KEYS: StructKeys<HttpRequest> = { method: true, path: true, host: true, headers: true };
