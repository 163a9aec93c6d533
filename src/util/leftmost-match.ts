/**
 * Does the regular expression `regex` match all of `path` as Linkerd's proxy matches an HTTPRoute
 * `RegularExpression` path? The proxy takes the regex crate's leftmost-first match (the match a
 * backtracking engine such as JavaScript's reports first, unanchored) and requires it to span the
 * whole path, so a path the expression could match entirely is not matched when the preferred match
 * is shorter (`/api/.*?`, `/a*(ab)?`, `/api|/api/x`). Throws a SyntaxError for a syntax JavaScript
 * refuses.
 */
export function leftmostMatchSpans(regex: string, path: string): boolean {
  const m = new RegExp(regex, 'u').exec(path);
  return m !== null && m.index === 0 && m[0].length === path.length;
}
