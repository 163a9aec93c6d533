/**
 * HTTPRoute RegularExpression path values asserted by what they admit, the way Linkerd's proxy
 * matches them: its leftmost-first match must span the whole path (linkerd2-proxy `MatchPath::Regex`).
 */

/** Does the proxy's match of `regex` take all of `path`? */
export function admitsPath(regex: string, path: string): boolean {
  const m = new RegExp(regex).exec(path);
  return m !== null && m.index === 0 && m[0].length === path.length;
}

/** Jest asymmetric matcher: a regex value that admits every path of `admitted` and none of `refused`. */
export function regexAdmitting(admitted: readonly string[], refused: readonly string[]): any {
  return {
    asymmetricMatch: (value: unknown) => typeof value === 'string'
      && admitted.every((p) => admitsPath(value, p)) && refused.every((p) => !admitsPath(value, p)),
    toAsymmetricMatcher: () => `a regex admitting ${JSON.stringify(admitted)} and refusing ${JSON.stringify(refused)}`,
  };
}
