import { IConstruct } from 'constructs';
import { HttpMatch } from './rule';
import { propError } from '../util/errors';
import { StructKeys, requireKnownKeys, requireObject, requireOptionalArray, requireString } from '../util/guards';
import { re2FullMatch } from '../util/re2-pattern';

/**
 * RFC 9110 section 5.6.2 (formerly RFC 7230 section 3.2.6) `token`: the grammar of header field
 * names. Method names are tokens too; we accept upper-case ones only (every registered method is).
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD = /^[A-Z][A-Z0-9_-]*$/;

/**
 * Validate L7 HTTP matches, naming `prop[i].field` in errors. Cilium matches `method` and `path`
 * as (anchored) RE2 regular expressions (https://docs.cilium.io/en/stable/security/policy/language/,
 * "Layer 7 Examples"), so both must compile as RE2; an empty match would allow every request.
 */
export function validateHttpMatches(scope: IConstruct, prop: string, given: HttpMatch[] | undefined): HttpMatch[] {
  const matches = requireOptionalArray(scope, prop, given);
  if (matches === undefined) return [];
  // `[]` reads as "no request", but would render as no L7 constraint (every request): fail closed.
  if (matches.length === 0) throw propError(scope, prop, 'must list at least one HTTP match; omit it for no L7 constraint');
  return matches.map((m, i) => validateHttpMatch(scope, `${prop}[${i}]`, m));
}

const MATCH_KEYS: StructKeys<HttpMatch> = { method: true, path: true, headers: true };

function validateHttpMatch(scope: IConstruct, prop: string, m: HttpMatch): HttpMatch {
  requireKnownKeys(scope, prop, requireObject(scope, prop, m), MATCH_KEYS);
  if (m.headers !== undefined && !Array.isArray(m.headers)) throw propError(scope, `${prop}.headers`, 'must be a list of header strings');
  if (m.method === undefined && m.path === undefined && (m.headers === undefined || m.headers.length === 0)) {
    throw propError(scope, prop, 'an HTTP match needs a method, a path or headers (an empty match allows every request)');
  }
  if (m.method !== undefined) {
    requireString(scope, `${prop}.method`, m.method);
    if (!METHOD.test(m.method)) {
      throw propError(scope, `${prop}.method`, `'${m.method}' is not an upper-case HTTP method token (e.g. GET)`);
    }
    compiles(scope, `${prop}.method`, m.method);
  }
  if (m.path !== undefined) {
    requireString(scope, `${prop}.path`, m.path);
    if (m.path.length === 0) throw propError(scope, `${prop}.path`, 'must not be empty; omit it for any path');
    compiles(scope, `${prop}.path`, m.path);
  }
  const headers = m.headers === undefined ? undefined : m.headers.map((h, j) => validateHeader(scope, `${prop}.headers[${j}]`, h));
  return {
    ...(m.method !== undefined ? { method: m.method } : {}),
    ...(m.path !== undefined ? { path: m.path } : {}),
    ...(headers !== undefined && headers.length > 0 ? { headers } : {}),
  };
}

/** `Name` or `Name: value`, Name a token. */
function validateHeader(scope: IConstruct, prop: string, header: string): string {
  requireString(scope, prop, header);
  const colon = header.indexOf(':');
  const name = colon < 0 ? header : header.slice(0, colon);
  if (!TOKEN.test(name)) {
    throw propError(scope, prop, `'${header}' must be 'Name' or 'Name: value' with a header name made of token characters (RFC 9110 5.6.2)`);
  }
  return header;
}

/**
 * Cilium compiles `method` and `path` with Go `regexp` (RE2 syntax) and rejects the whole policy when
 * that fails (cilium/cilium pkg/policy/api/http.go `PortRuleHTTP.Sanitize`): a lookahead or a
 * backreference, which JavaScript accepts, must fail here; RE2-only syntax such as `(?P<name>...)` or
 * `[[:digit:]]` must pass.
 */
function compiles(scope: IConstruct, prop: string, pattern: string): void {
  const compiled = re2FullMatch(pattern);
  if (compiled.kind === 'invalid') {
    throw propError(scope, prop, `'${pattern}' is not a valid regular expression: ${compiled.why} (Cilium reads it with RE2 syntax and rejects the whole policy otherwise)`);
  }
  if (compiled.kind === 'unmodelled' && compiled.syntaxError !== undefined) {
    throw propError(scope, prop, `'${pattern}' is not a valid regular expression: ${compiled.syntaxError}`);
  }
}
