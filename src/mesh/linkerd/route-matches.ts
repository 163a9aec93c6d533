import { IConstruct } from 'constructs';
import { propError } from '../../util/errors';
import { leftmostMatchSpans } from '../../util/leftmost-match';

/**
 * The HTTP methods an HTTPRoute match may name (policy.linkerd.io HTTPRoute v1beta3 CRD enum, the
 * Gateway API's): a method outside this list cannot be matched by a route.
 */
export const LINKERD_HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
/** CRD limits: at most 8 matches per rule and 16 rules per HTTPRoute. */
const MATCHES_PER_RULE = 8;
const MAX_RULES = 16;
/** CRD limit on a match's `path.value`, which a RegularExpression's escapes and `.*` lengthen. */
const MAX_PATH_VALUE = 1024;

/** The requests of a route-level flow (internal): validated methods (empty: any) and mesh paths (empty: any). */
export interface RouteRequests {
  readonly methods: readonly string[];
  readonly paths: readonly string[];
}

type PathKind = { kind: 'any' } | { kind: 'exact' | 'prefix' | 'suffix'; value: string };

/** A mesh path (`/x` exact, `/x/*` prefix, `*.png` suffix, `*` any), as validated by `validateFlow`. */
function pathKind(p: string): PathKind {
  if (p === '*' || p === '/*') return { kind: 'any' };
  if (p.startsWith('*')) return { kind: 'suffix', value: p.slice(1) };
  if (p.endsWith('*')) return { kind: 'prefix', value: p.slice(0, -1) };
  return { kind: 'exact', value: p };
}

/**
 * Escape a literal for a regular expression: the characters special outside a class in Rust's regex
 * crate (Linkerd) and in JavaScript alike (`-`, `#`, `&`, `~` are not, and stay readable).
 */
function escapeRegex(literal: string): string {
  return literal.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

/**
 * One character of a path segment the proxy may let through under a prefix or suffix route: not
 * `/`, not a backslash, and no percent-escape of `.`, `/` or `\` (`%2e`, `%2f`, `%5c`, any case).
 * Istio decodes and resolves those before it matches a path; Linkerd matches the raw path, and an
 * application that resolves them itself would serve `/admin` for `/api/%2e%2e/admin`.
 */
const SEGMENT_CHAR = String.raw`(?:[^/%\\]|%[^25/\\]|%2[^eEfF/\\]|%5[^cC/\\])`;
/** {@link SEGMENT_CHAR} without a literal dot. */
const SEGMENT_CHAR_NO_DOT = String.raw`(?:[^/%\\.]|%[^25/\\]|%2[^eEfF/\\]|%5[^cC/\\])`;
/**
 * Any run of path segments none of which is `.` or `..` (RFC 3986 dot segments): slashes, and
 * segments that start with a character other than a dot, with one dot and then such a character,
 * or with two dots and at least one more character. Every alternative takes its segment to the end
 * (greedy), so the proxy's leftmost-first match spans every path this admits.
 */
const NO_DOT_SEGMENTS = `(?:/|${SEGMENT_CHAR_NO_DOT}${SEGMENT_CHAR}*|\\.${SEGMENT_CHAR_NO_DOT}${SEGMENT_CHAR}*|\\.\\.${SEGMENT_CHAR}+)*`;

/**
 * The HTTPRoute path match of a mesh path, with the mesh's (Istio's) string semantics: exact paths are
 * `Exact`; `*` (and `/*`) is `PathPrefix /` (every path); a prefix `/api/*` or a suffix `*.png` is a
 * `RegularExpression`, which Linkerd matches against the whole path. A `PathPrefix` would not do:
 * Linkerd matches it segment by segment, so `/api/` would also match `/api`.
 *
 * What the wildcard stands for admits no dot segment and no escaped dot, slash or backslash: Istio
 * normalizes a path before it matches it (`/api/../admin` is `/admin`, which `/api/*` does not
 * admit), Linkerd does not, so `/api/.*` would let `/api/../admin` through to an application that
 * resolves it. Such requests are refused (narrower than Istio, which would admit `/api/./x`).
 */
export function linkerdPathMatch(p: string | undefined): { type: string; value: string } {
  const k = p === undefined ? { kind: 'any' as const } : pathKind(p);
  switch (k.kind) {
    case 'any': return { type: 'PathPrefix', value: '/' };
    case 'exact': return { type: 'Exact', value: k.value };
    case 'prefix': return { type: 'RegularExpression', value: `${escapeRegex(k.value)}${NO_DOT_SEGMENTS}` };
    case 'suffix': return { type: 'RegularExpression', value: `${NO_DOT_SEGMENTS}${escapeRegex(k.value)}` };
  }
}

/**
 * Why a mesh path cannot be rendered for Linkerd without letting traversal through, or undefined:
 * dot segments, backslashes and percent-escapes in the path itself (Istio would normalize them
 * first; Linkerd would compare them raw).
 */
function unsafePathReason(p: string): string | undefined {
  const k = pathKind(p);
  if (k.kind === 'any') return undefined;
  if (/[\\%]/.test(k.value)) return 'holds a backslash or a percent-escape, which Istio decodes before matching and Linkerd does not';
  const segments = k.value.split('/');
  // The last segment of a prefix and the first of a suffix continue into the wildcard; a whole
  // segment `.` or `..` anywhere else is a dot segment.
  const whole = k.kind === 'prefix' ? segments.slice(0, -1) : k.kind === 'suffix' ? segments.slice(1) : segments;
  const partial = k.kind === 'prefix' ? segments[segments.length - 1] : k.kind === 'suffix' ? segments[0] : undefined;
  // A partial `.` or `..` is a dot segment when the wildcard adds nothing to it.
  if ([...whole, partial].some((s) => s === '.' || s === '..')) {
    return 'holds a dot segment (`.` or `..`), which Istio resolves before matching and Linkerd does not';
  }
  return undefined;
}

/**
 * Why the request path `path` (the path of a request, not a mesh pattern) cannot be authorized by a
 * route-level flow naming it exactly, or undefined: a mesh path with a `*` or whitespace is no exact
 * path, and one the dot-segment check refuses cannot be a flow path at all.
 */
export function exactPathProblem(path: string): string | undefined {
  if (/[*\s]/.test(path)) return 'holds a `*` or whitespace, which a mesh path cannot name exactly';
  return unsafePathReason(path);
}

/**
 * Check what Linkerd adds to the mesh flow checks for route-level flows, naming `<prop>.methods[i]` or
 * `<prop>.paths[i]`: methods from the CRD's list, paths without a query or fragment (Linkerd matches
 * the path alone), no match as general as the Server's catch-all route (Linkerd would pick one of
 * the two), at most 128 (path, method) pairs and path values of at most 1024 characters as rendered
 * (CRD limits).
 */
export function validateRouteRequests(scope: IConstruct, prop: string, r: RouteRequests): void {
  r.methods.forEach((m, i) => {
    if (!LINKERD_HTTP_METHODS.includes(m)) {
      throw propError(scope, `${prop}.methods[${i}]`, `'${m}' is not a method an HTTPRoute can match (${LINKERD_HTTP_METHODS.join(', ')})`);
    }
  });
  r.paths.forEach((p, i) => {
    if (/[?#]/.test(p)) throw propError(scope, `${prop}.paths[${i}]`, `'${p}': Linkerd matches the request path alone, without query or fragment`);
    const unsafe = unsafePathReason(p);
    if (unsafe) throw propError(scope, `${prop}.paths[${i}]`, `'${p}' ${unsafe}: write the path as it is after normalization`);
    const rendered = linkerdPathMatch(p);
    if (rendered.value.length > MAX_PATH_VALUE) {
      throw propError(scope, `${prop}.paths[${i}]`, `renders as the HTTPRoute ${rendered.type} path '${rendered.value.slice(0, 40)}...' of `
        + `${rendered.value.length} characters; the HTTPRoute CRD allows ${MAX_PATH_VALUE}`);
    }
  });
  if (r.methods.length === 0) {
    const i = r.paths.findIndex((p) => { const k = pathKind(p); return k.kind === 'any' || (k.kind !== 'prefix' && k.value === '/') || (k.kind === 'suffix' && '/'.endsWith(k.value)); });
    if (i >= 0) {
      throw propError(scope, `${prop}.paths[${i}]`, `'${r.paths[i]}' without methods matches the path / as generally as the Server's catch-all `
        + 'HTTPRoute, and Linkerd would route such a request to either of them: name the methods, or omit paths to authorize the whole port');
    }
  }
  const pairs = Math.max(1, r.methods.length) * Math.max(1, r.paths.length);
  if (pairs > MATCHES_PER_RULE * MAX_RULES) {
    throw propError(scope, prop, `${r.methods.length} methods times ${r.paths.length} paths are ${pairs} HTTPRoute matches; `
      + `an HTTPRoute holds at most ${MATCHES_PER_RULE * MAX_RULES} (${MAX_RULES} rules of ${MATCHES_PER_RULE}): split the flow`);
  }
}

/** The HTTPRoute `rules` of a route-level flow: every (path, method) pair is one match, 8 matches per rule. */
export function linkerdRouteRules(r: RouteRequests): Array<{ matches: Array<Record<string, unknown>> }> {
  const paths = r.paths.length > 0 ? r.paths : [undefined];
  const methods = r.methods.length > 0 ? r.methods : [undefined];
  const matches = paths.flatMap((p) => methods.map((m) => ({ path: linkerdPathMatch(p), ...(m !== undefined ? { method: m } : {}) })));
  const rules: Array<{ matches: Array<Record<string, unknown>> }> = [];
  for (let i = 0; i < matches.length; i += MATCHES_PER_RULE) rules.push({ matches: matches.slice(i, i + MATCHES_PER_RULE) });
  return rules;
}

/** Can one path match both mesh paths? */
function pathsOverlap(a: PathKind, b: PathKind): boolean {
  if (a.kind === 'any' || b.kind === 'any') return true;
  if (a.kind === 'exact' && b.kind === 'exact') return a.value === b.value;
  if (a.kind === 'exact' || b.kind === 'exact') {
    const [e, o] = a.kind === 'exact' ? [a.value, b as { kind: string; value: string }] : [b.value, a as { kind: string; value: string }];
    return o.kind === 'prefix' ? e.startsWith(o.value) : e.endsWith(o.value);
  }
  if (a.kind === 'prefix' && b.kind === 'prefix') return a.value.startsWith(b.value) || b.value.startsWith(a.value);
  if (a.kind === 'suffix' && b.kind === 'suffix') return a.value.endsWith(b.value) || b.value.endsWith(a.value);
  // A prefix and a suffix: `<prefix><suffix>` matches both.
  return true;
}

/** A request both flows match, as text (`GET /api/x`), or undefined when they are disjoint. */
function overlappingRequest(a: RouteRequests, b: RouteRequests): string | undefined {
  const methods = a.methods.length === 0 ? b.methods : b.methods.length === 0 ? a.methods : a.methods.filter((m) => b.methods.includes(m));
  if (a.methods.length > 0 && b.methods.length > 0 && methods.length === 0) return undefined;
  const pa = a.paths.length > 0 ? a.paths : ['*'];
  const pb = b.paths.length > 0 ? b.paths : ['*'];
  for (const x of pa) {
    for (const y of pb) {
      const [kx, ky] = [pathKind(x), pathKind(y)];
      if (pathsOverlap(kx, ky)) return `${methods[0] ?? 'any method'} ${samplePath(kx, ky)}`;
    }
  }
  return undefined;
}

/**
 * The error text when `flow`'s requests overlap those of a route-level flow already on the Linkerd
 * Server `where` (its name and port), or undefined when they overlap none: Linkerd routes a request
 * to one HTTPRoute only.
 */
export function routeOverlapProblem(
  flow: RouteRequests, routed: Iterable<RouteRequests & { readonly flow: string }>, where: string,
): string | undefined {
  for (const other of routed) {
    const example = overlappingRequest(flow, other);
    if (example === undefined) continue;
    return `its requests (${describeRouteRequests(flow)}) overlap those of flow '${other.flow}' (${describeRouteRequests(other)}) `
      + `on ${where}, e.g. ${example}: Linkerd routes a request to one HTTPRoute only, so one flow's `
      + 'clients would be refused there. Make the requests disjoint, or authorize the shared ones in one flow';
  }
  return undefined;
}

/** A path two overlapping mesh paths both match. */
function samplePath(a: PathKind, b: PathKind): string {
  const one = (k: PathKind) => (k.kind === 'any' ? '/' : k.kind === 'suffix' && !k.value.startsWith('/') ? `/${k.value}` : k.value);
  if (a.kind === 'any') return one(b);
  if (b.kind === 'any' || a.kind === 'exact') return one(a);
  if (b.kind === 'exact') return one(b);
  if (a.kind === b.kind) return a.value.length >= b.value.length ? one(a) : one(b);
  // A prefix and a suffix.
  return a.kind === 'prefix' ? a.value + b.value : b.value + a.value;
}

/**
 * Does a route-level flow's requests include this request (method, path without query), with the
 * meaning its HTTPRoute gives them: no methods match every method, no paths every path; otherwise
 * the path matches one of the rendered path matches as the proxy matches them (`/api/*` every path
 * starting `/api/` with no dot segment after it, `*.png` likewise every path ending `.png`).
 */
export function requestsInclude(r: RouteRequests, method: string, path: string): boolean {
  if (r.methods.length > 0 && !r.methods.includes(method)) return false;
  if (r.paths.length === 0) return true;
  return r.paths.some((p) => {
    const match = linkerdPathMatch(p);
    switch (match.type) {
      case 'PathPrefix': return true; // only `/`: every path
      case 'Exact': return path === match.value;
      default: return leftmostMatchSpans(match.value, path);
    }
  });
}

/** `GET, POST /api/* or /healthz` for messages. */
export function describeRouteRequests(r: RouteRequests): string {
  return `${r.methods.length > 0 ? r.methods.join(', ') : 'any method'} ${r.paths.length > 0 ? r.paths.join(' or ') : 'any path'}`;
}
