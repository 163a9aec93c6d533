/**
 * How Calico's Dikastes matches an HTTP rule's `paths` (internal). Calico 3.32.1 carries
 * projectcalico/calico#12532 ("[release-v3.32] fix(app-policy): normalize HTTP request-target before
 * ALP path matching", backport of #12531, opened 2026-04-17 and merged into release-v3.32, which
 * v3.32.1 was tagged from on 2026-06-24; the tag's own app-policy source was not available to check), in
 * app-policy/checker: the request path Dikastes receives from Envoy's ext_authz call and every rule
 * path are normalized the same way, and a prefix matches whole segments only (`prefix: /pub` no longer
 * matches `/public`). The normalization, in order:
 * 1. cut at the first `?` or `#`;
 * 2. percent-decode once (Go `url.PathUnescape`; a malformed escape fails);
 * 3. fail when the decoded path still holds `%2e`, `%2f` or `%5c` (any case: it was double-encoded)
 *    or a NUL byte;
 * 4. backslashes become `/`; the path must start with `/`;
 * 5. `;...` parameters are cut from every segment;
 * 6. Go `path.Clean`: runs of `/` merged, `.` and `..` resolved (never above the root), no trailing `/`.
 * A request path that fails matches no `paths` entry; a rule path that fails is skipped.
 *
 * The PR's description lists step 5 before the backslash folding of step 4 (as "Strip `;...` matrix
 * parameters per segment", then "Collapse repeated slashes, fold `\` to `/`, and resolve..."); without
 * the source, which comes first is unknown, and it matters for a `;` followed by a backslash
 * (`/api;x\..\admin` is `/admin` one way, `/api` the other). Both orders are modelled
 * ({@link DikastesOrder}); a caller must agree with both.
 */

/** Which of backslash folding and parameter stripping Dikastes does first (see the module comment). */
export type DikastesOrder = 'backslashes-first' | 'parameters-first';

/** Both orders, for callers that must hold under each. */
export const DIKASTES_ORDERS: readonly DikastesOrder[] = ['backslashes-first', 'parameters-first'];

/** The bytes of a string (UTF-8) as a Latin-1 string, so percent-decoded bytes compare like Go strings. */
function bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** Go `url.PathUnescape` on a byte string: undefined for a `%` without two hex digits after it. */
function pathUnescape(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') {
      out += s[i];
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}

/** Go `path.Clean` of a rooted path. */
function clean(path: string): string {
  const kept: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') kept.pop();
    else kept.push(segment);
  }
  return `/${kept.join('/')}`;
}

/** `;...` parameters cut from every `/`-separated segment. */
const unparameterize = (p: string): string => (p.includes(';') ? p.split('/').map((s) => s.split(';')[0]).join('/') : p);

/** Dikastes' normalization of a request-target or rule path (as bytes), or undefined when it fails. */
export function dikastesNormalize(path: string, order: DikastesOrder = 'backslashes-first'): string | undefined {
  const cut = path.search(/[?#]/);
  const decoded = pathUnescape(bytes(cut < 0 ? path : path.slice(0, cut)));
  if (decoded === undefined || /%(2e|2f|5c)/i.test(decoded) || decoded.includes('\0')) return undefined;
  const fold = (p: string) => p.replace(/\\/g, '/');
  const slashed = order === 'backslashes-first' ? unparameterize(fold(decoded)) : fold(unparameterize(decoded));
  if (!slashed.startsWith('/')) return undefined;
  return clean(slashed);
}

/** Does a Calico `paths` entry (`{exact}` or `{prefix}`) match the request path as Dikastes does (in `order`)? */
export function dikastesPathMatches(entry: unknown, requestPath: string, order: DikastesOrder = 'backslashes-first'): boolean {
  const request = dikastesNormalize(requestPath, order);
  if (request === undefined || typeof entry !== 'object' || entry === null) return false;
  const { exact, prefix } = entry as { exact?: unknown; prefix?: unknown };
  if (typeof exact === 'string') return dikastesNormalize(exact, order) === request;
  if (typeof prefix === 'string') {
    const p = dikastesNormalize(prefix, order);
    if (p === undefined) return false;
    return p === '/' || request === p || request.startsWith(`${p}/`);
  }
  return false;
}
