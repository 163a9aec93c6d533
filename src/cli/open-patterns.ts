/**
 * `--fail-on-open` patterns of `analyze --diff`: which opened flows fail a pull request. A pattern is
 * `SOURCE -> DESTINATION`, each side a glob over endpoint names (`namespace/name`; `*` matches any
 * characters, `/` included), optionally negated with `!`: `'!acme/* -> acme/*'` is "anything into
 * namespace acme from outside it", `'* -> *'` any opened flow.
 */

/** One parsed pattern. */
export interface OpenPattern {
  /** The pattern as given. */
  readonly text: string;
  /** Does a flow from `source` to `destination` match? */
  matches(source: string, destination: string): boolean;
}

/** A side: a glob, or `!glob` for everything it does not match. */
function side(text: string): (name: string) => boolean {
  const negated = text.startsWith('!');
  const glob = negated ? text.slice(1).trim() : text;
  const re = new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return negated ? (name) => !re.test(name) : (name) => re.test(name);
}

/**
 * Parse `SOURCE -> DESTINATION`.
 * @throws Error with a readable message when the text is not of that form
 */
export function parseOpenPattern(text: string): OpenPattern {
  const parts = text.split('->').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p === '' || p === '!')) {
    throw new Error(`'${text}' is not SOURCE -> DESTINATION (globs over namespace/name, e.g. '!acme/* -> acme/*')`);
  }
  const [from, to] = parts.map(side);
  return { text, matches: (source, destination) => from(source) && to(destination) };
}
