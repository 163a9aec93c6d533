/**
 * How Envoy's HTTP connection manager rewrites a request path before any HTTP filter (Cilium's
 * `cilium.l7policy`, Istio's RBAC, the ext_authz call to Calico's Dikastes) sees it (internal).
 *
 * The order is envoyproxy/envoy `ConnectionManagerUtility::maybeNormalizePath`
 * (source/common/http/conn_manager_utility.cc): a `#` fragment first (handled by the callers), then
 * `path_with_escaped_slashes_action` (`%2F`/`%5C` in either case unescaped by
 * `PathUtil::unescapeSlashes`; REDIRECT answers 307 with the final path as Location, REJECT 400),
 * then `normalize_path` (`PathUtil::canonicalPath`: Chromium's URL path canonicalizer, googleurl
 * `url_canon_path.cc`; a failure is 400), then `merge_slashes` (`PathUtil::mergeSlashes`). All of them
 * leave the query alone.
 *
 * What the canonicalizer does (googleurl `DoPartialPathInternal` in special-URL mode, as Envoy's
 * 4-argument `url::CanonicalizePath` call runs it: Istio's tests see `\` become `/`): `.` and `..`
 * segments are resolved, `%2e`/`%2E` counting as a dot (a `..` above the root stays at the root, and
 * backs up over an empty segment of `//` only); a backslash becomes `/`; a valid `%XX` escape is
 * copied as written; an invalid `%` is copied too. Two things vary with the Envoy build and cannot be read from manifests, so both forms are
 * returned and a caller must agree with all of them:
 * - googleurl before crbug.com/1509295 (Dec 2023) decoded escaped unreserved characters (`%30` -> `0`,
 *   istio/istio tests/integration/security/normalization_test.go: `/xyz%30..//abc` -> `/xyz0..//abc`)
 *   and rejected `%00`; the current table copies every escape.
 * - Envoy's runtime guard `envoy.reloadable_features.strip_dotdot_segments_with_parameters`
 *   (`PathUtil::stripParametersFromDotSegments`, newer Envoy) turns a segment starting `..;` into `..`
 *   and `.;` into `.` before canonicalizing.
 *
 * Characters whose treatment is not modelled here (anything outside RFC 3986 `pchar`, `/`, `\` and
 * `%`: spaces, quotes, `<>{}|^[]` and the backtick, controls, non-ASCII) make the result unknown: the
 * HTTP/1 codec may reject them and the canonicalizer escapes some.
 */

/** The path settings of one HTTP connection manager (names as in the HttpConnectionManager proto). */
export interface EnvoyPathSettings {
  /** `normalize_path`: RFC 3986 normalization by the URL canonicalizer. */
  readonly normalizePath: boolean;
  /** `merge_slashes`: runs of `/` become one. */
  readonly mergeSlashes: boolean;
  /** `path_with_escaped_slashes_action`. */
  readonly escapedSlashes: 'KEEP_UNCHANGED' | 'UNESCAPE_AND_FORWARD' | 'UNESCAPE_AND_REDIRECT' | 'REJECT_REQUEST';
}

/** What Envoy does with a request path: forwards it (rewritten), answers 400, or answers 307. */
export type EnvoyPathOutcome =
  | { readonly kind: 'forward'; readonly path: string }
  | { readonly kind: 'reject' }
  | { readonly kind: 'redirect'; readonly location: string };

/** The path settings a proxy may run with, and where they come from (for reasons). */
export interface ProxyPathConfig {
  /** Every setting the proxy may have; a verdict must hold under all of them. */
  readonly settings: readonly EnvoyPathSettings[];
  /** Where the settings come from, e.g. `http-normalize-path, on by default`. */
  readonly source: string;
}

/**
 * Cilium's L7 policy listener (cilium/cilium pkg/envoy/xds_server.go `getHttpFilterChainProto`):
 * with the agent flag `http-normalize-path` (default true, pkg/envoy/cell.go; no Helm value of its
 * own in chart 1.20.0, only `extraConfig`) it sets `normalize_path: true`, `merge_slashes: true` and
 * `UNESCAPE_AND_REDIRECT`.
 */
export const CILIUM_L7_PATH: EnvoyPathSettings = { normalizePath: true, mergeSlashes: true, escapedSlashes: 'UNESCAPE_AND_REDIRECT' };

/**
 * Cilium's L7 listener with `http-normalize-path: false`: the HttpConnectionManager leaves the three
 * fields unset, so Envoy's defaults apply (runtime `http_connection_manager.normalize_path` 0, no
 * merging, `path_with_escaped_slashes_action` KEEP_UNCHANGED): the path is matched as sent. Cilium's
 * bootstrap (pkg/envoy/embedded_envoy.go) sets a static runtime layer with overload keys only.
 */
export const ENVOY_DEFAULT_PATH: EnvoyPathSettings = { normalizePath: false, mergeSlashes: false, escapedSlashes: 'KEEP_UNCHANGED' };

/**
 * Istio's sidecar HTTP connection manager for each meshConfig `pathNormalization.normalization`
 * (istio/istio pilot/pkg/networking/core listener builder: KEEP_UNCHANGED unless
 * DECODE_AND_MERGE_SLASHES; BASE, and DEFAULT, set `normalize_path`). BASE is the default.
 */
export const ISTIO_PATH_NORMALIZATION: Readonly<Record<'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES', EnvoyPathSettings>> = {
  NONE: { normalizePath: false, mergeSlashes: false, escapedSlashes: 'KEEP_UNCHANGED' },
  BASE: { normalizePath: true, mergeSlashes: false, escapedSlashes: 'KEEP_UNCHANGED' },
  MERGE_SLASHES: { normalizePath: true, mergeSlashes: true, escapedSlashes: 'KEEP_UNCHANGED' },
  DECODE_AND_MERGE_SLASHES: { normalizePath: true, mergeSlashes: true, escapedSlashes: 'UNESCAPE_AND_FORWARD' },
};

/** Characters whose handling by Envoy's codec and canonicalizer is modelled: RFC 3986 pchar, `/`, `\`, `%`. */
const MODELLED = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/\\%]*$/;

/** Does the path hold only characters (and well-formed `%XX` escapes) whose treatment is modelled? */
export function isModelledPath(path: string): boolean {
  return MODELLED.test(path) && !/%(?![0-9A-Fa-f]{2})/.test(path);
}

/** The googleurl path canonicalizer: `current` copies every escape; `legacy` decodes unreserved ones. */
export type CanonicalizerVariant = 'current' | 'legacy';

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Length of the dot at `i`: 1 for `.`, 3 for `%2e`/`%2E`, 0 otherwise (googleurl `IsDot`). */
function dotAt(path: string, i: number): number {
  if (path[i] === '.') return 1;
  if (path[i] === '%' && path[i + 1] === '2' && (path[i + 2] === 'e' || path[i + 2] === 'E')) return 3;
  return 0;
}

const isSlash = (c: string | undefined) => c === '/' || c === '\\';

/** What follows a dot that starts a segment (googleurl `ClassifyAfterDot`): [kind, characters consumed]. */
function afterDot(path: string, at: number): ['file' | 'current' | 'up', number] {
  if (at === path.length) return ['current', 0];
  if (isSlash(path[at])) return ['current', 1];
  const second = dotAt(path, at);
  if (second > 0) {
    const after = at + second;
    if (after === path.length) return ['up', second];
    if (isSlash(path[after])) return ['up', second + 1];
  }
  return ['file', 0];
}

/** Unreserved characters the legacy table decoded when escaped (its UNESCAPE class; `.` goes through IsDot). */
function legacyUnescapes(code: number): boolean {
  const c = String.fromCharCode(code);
  return /^[A-Za-z0-9\-_~]$/.test(c);
}

/**
 * googleurl's path canonicalization of a modelled path (see {@link isModelledPath}) starting with `/`:
 * the canonical path, or undefined when it fails (Envoy answers 400).
 */
export function canonicalizePath(path: string, variant: CanonicalizerVariant): string | undefined {
  let out = '';
  let i = 0;
  while (i < path.length) {
    const dot = dotAt(path, i);
    if (dot > 0) {
      if (out.endsWith('/')) {
        const [kind, consumed] = afterDot(path, i + dot);
        if (kind === 'file') {
          out += '.';
          i += dot;
        } else {
          // Back up to the slash before the last segment, never above the first one.
          if (kind === 'up') out = out.length <= 1 ? out : out.slice(0, out.lastIndexOf('/', out.length - 2) + 1);
          i += dot + consumed;
        }
      } else {
        out += '.';
        i += dot;
      }
      continue;
    }
    const c = path[i];
    if (c === '\\') {
      out += '/';
    } else if (c === '%' && HEX.test(path.slice(i + 1, i + 3))) {
      const code = parseInt(path.slice(i + 1, i + 3), 16);
      if (variant === 'legacy' && code === 0) return undefined;
      out += variant === 'legacy' && legacyUnescapes(code) ? String.fromCharCode(code) : path.slice(i, i + 3);
      i += 3;
      continue;
    } else {
      out += c;
    }
    i++;
  }
  return out;
}

/** Envoy's `merge_slashes` on a path without query (`PathUtil::mergeSlashes`). */
export function mergeSlashes(path: string): string {
  if (!path.includes('//')) return path;
  const inner = path.split('/').filter((s) => s !== '').join('/');
  return `${path.startsWith('/') ? '/' : ''}${inner}${path.endsWith('/') ? '/' : ''}`;
}

/** `PathUtil::unescapeSlashes`: `%2F`/`%2f` to `/`, `%5C`/`%5c` to `\`; undefined when there is none. */
export function unescapeSlashes(path: string): string | undefined {
  const out = path.replace(/%2[Ff]/g, '/').replace(/%5[Cc]/g, '\\');
  return out === path ? undefined : out;
}

/** `PathUtil::stripParametersFromDotSegments`: a segment starting `..;` becomes `..`, `.;` becomes `.`. */
export function stripDotSegmentParameters(path: string): string {
  return path.split('/').map((s) => (s.startsWith('..;') ? '..' : s.startsWith('.;') ? '.' : s)).join('/');
}

/**
 * Every outcome Envoy with these settings may have for the path (no query, no fragment), over the
 * build differences above; undefined when the path has characters whose treatment is not modelled.
 * Sorted and without duplicates.
 */
export function envoyPathOutcomes(path: string, settings: EnvoyPathSettings): EnvoyPathOutcome[] | undefined {
  if (!isModelledPath(path)) return undefined;
  let current = path;
  let redirect = false;
  if (settings.escapedSlashes !== 'KEEP_UNCHANGED') {
    const unescaped = unescapeSlashes(path);
    if (unescaped !== undefined) {
      if (settings.escapedSlashes === 'REJECT_REQUEST') return [{ kind: 'reject' }];
      current = unescaped;
      redirect = settings.escapedSlashes === 'UNESCAPE_AND_REDIRECT';
    }
  }
  const normalized: Array<string | undefined> = [];
  if (settings.normalizePath) {
    const inputs = [...new Set([current, stripDotSegmentParameters(current)])];
    for (const input of inputs) for (const variant of ['current', 'legacy'] as const) normalized.push(canonicalizePath(input, variant));
  } else {
    normalized.push(current);
  }
  const outcomes = new Map<string, EnvoyPathOutcome>();
  for (const n of normalized) {
    if (n === undefined) {
      outcomes.set('reject', { kind: 'reject' });
      continue;
    }
    const final = settings.mergeSlashes ? mergeSlashes(n) : n;
    const outcome: EnvoyPathOutcome = redirect ? { kind: 'redirect', location: final } : { kind: 'forward', path: final };
    outcomes.set(`${outcome.kind} ${final}`, outcome);
  }
  return [...outcomes.keys()].sort().map((k) => outcomes.get(k)!);
}

/** The outcome in words, for reasons. */
export function describeOutcome(outcome: EnvoyPathOutcome): string {
  switch (outcome.kind) {
    case 'forward': return outcome.path;
    case 'reject': return 'rejected with 400';
    case 'redirect': return `redirected with 307 to ${outcome.location}`;
  }
}
