/**
 * RE2 / Go regexp syntax, read the way Cilium reads an HTTP rule's `path`, `method` and `host`
 * (internal). Cilium's rule validation compiles `path` and `method` with Go `regexp.Compile` and
 * drops the policy when that fails (cilium/cilium pkg/policy/api/http.go `PortRuleHTTP.Sanitize`,
 * called from `L7Rules.sanitize`); Envoy then matches all three as `safe_regex` header matchers,
 * which is RE2 with `FullMatch` (envoyproxy/envoy source/common/common/regex.h
 * `CompiledGoogleReMatcher::match`). Go's syntax and RE2's are the same for everything translated here.
 *
 * A JavaScript `RegExp` built from the same text reads several constructs differently, without
 * failing: `[[:digit:]]` (a POSIX class in RE2, a one-`[`-class followed by `]` in JavaScript),
 * `\Q...\E`, `\A`, `\z`, `\pN` and an unknown escape such as `\e` (identity escapes in
 * JavaScript), a `]` first in a class (literal in RE2, an empty class in JavaScript), `\s`
 * (ASCII whitespace only in RE2), lookarounds and backreferences (errors in Go and RE2).
 * {@link re2FullMatch} translates what it can prove equivalent on ASCII text and says which
 * patterns Go rejects; everything else is `unmodelled`.
 */

/** What the pattern is to Cilium, as far as the translation knows. */
export type Re2Pattern =
  /** A JavaScript regular expression that accepts exactly the ASCII strings RE2's full match accepts. */
  | { readonly kind: 'ok'; readonly regex: RegExp }
  /** Go's regexp (and RE2) refuse the pattern: `why` is Go's reason in words. */
  | { readonly kind: 'invalid'; readonly why: string }
  /**
   * Possibly valid, but its meaning is not translated here. `syntaxError` is JavaScript's complaint
   * about the translation (an unbalanced parenthesis, nothing to repeat...), which Go nearly always shares.
   */
  | { readonly kind: 'unmodelled'; readonly why: string; readonly syntaxError?: string };

/** ASCII classes of RE2 (`[[:name:]]`), as JavaScript class contents. */
const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '\\x21-\\x7E',
  lower: 'a-z',
  print: '\\x20-\\x7E',
  punct: '\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** RE2's `\s`: space, \t, \n, \f, \r (not \v, unlike JavaScript's). */
const SPACE = '\\t\\n\\f\\r ';

/** Escapes that mean the same in RE2 and JavaScript (outside a class). */
const SAME_ESCAPES = new Set(['d', 'D', 'w', 'W', 'b', 'B', 'f', 'n', 'r', 't', 'v']);

class Stop extends Error {
  constructor(readonly result: Re2Pattern) {
    super(result.kind);
  }
}

const invalid = (why: string): never => {
  throw new Stop({ kind: 'invalid', why });
};
const unmodelled = (why: string): never => {
  throw new Stop({ kind: 'unmodelled', why });
};

const isPunct = (c: string): boolean => /^[\x21-\x2F\x3A-\x40\x5B-\x60\x7B-\x7E]$/.test(c);

/** A literal character as JavaScript regex source. */
const literal = (c: string): string => (isPunct(c) ? `\\${c}` : c);

/**
 * An escape other than the class shorthands, as Go's parseEscape reads it: [JavaScript source, length
 * after the backslash].
 */
function plainEscape(p: string, i: number): [string, number] {
  const c = p[i];
  if (c === undefined) return invalid('trailing backslash at end of expression');
  if (isPunct(c)) return [`\\${c}`, 1];
  if ('fnrtv'.includes(c)) return [`\\${c}`, 1];
  if (c === 'a') return ['\\x07', 1];
  if (c === 'x') {
    const two = /^[0-9A-Fa-f]{2}/.exec(p.slice(i + 1));
    if (two) return [`\\x${two[0]}`, 3];
    return unmodelled('\\x{...} escapes are not translated');
  }
  if (/[0-9]/.test(c)) {
    if (/[1-9]/.test(c) && !/^[0-7]/.test(p.slice(i + 1))) return invalid(`invalid escape sequence \\${c} (backreferences are not supported)`);
    return unmodelled('octal escapes are not translated');
  }
  if (c === 'p' || c === 'P') return unmodelled('Unicode classes (\\p, \\P) are not translated');
  return invalid(`invalid escape sequence \\${c}`);
}

/** Translate a class starting after its `[`: [JavaScript source, index after the closing `]`]. */
function charClass(p: string, start: number): [string, number] {
  let i = start;
  let out = '[';
  if (p[i] === '^') {
    out += '^';
    i++;
  }
  // A `]` right after `[` or `[^` is a literal in RE2 (an empty class in JavaScript).
  if (p[i] === ']') {
    out += '\\]';
    i++;
  }
  const first = i;
  let lastWasSet = false;
  // A class shorthand or POSIX class as the end of a range: Go rejects it, JavaScript reads a literal `-`.
  const rangeTo = () => i - 1 > first && p[i - 1] === '-';
  while (i < p.length && p[i] !== ']') {
    const c = p[i];
    if (c === '-' && lastWasSet && p[i + 1] !== ']') return unmodelled('a range next to a class shorthand is not translated');
    lastWasSet = false;
    if (c === '[' && p[i + 1] === ':') {
      const end = p.indexOf(':]', i + 2);
      if (end >= 0) {
        const name = p.slice(i + 2, end);
        if (name.startsWith('^')) return unmodelled('negated POSIX classes are not translated');
        const body = POSIX[name];
        if (body === undefined) return invalid(`invalid character class range [:${name}:]`);
        if (rangeTo()) return unmodelled('a range next to a class shorthand is not translated');
        out += body;
        i = end + 2;
        lastWasSet = true;
        continue;
      }
    }
    if (c === '[') {
      out += '\\[';
      i++;
      continue;
    }
    if (c === '\\') {
      const e = p[i + 1];
      if ('dwDWsS'.includes(e ?? 'x') && rangeTo()) return unmodelled('a range next to a class shorthand is not translated');
      if (e === 'd' || e === 'w' || e === 'D' || e === 'W') {
        out += `\\${e}`;
        i += 2;
        lastWasSet = true;
        continue;
      }
      if (e === 's') {
        out += SPACE;
        i += 2;
        lastWasSet = true;
        continue;
      }
      if (e === 'S') return unmodelled('\\S inside a class is not translated');
      if (e === 'Q' || e === 'E' || e === 'b') return invalid(`invalid escape sequence \\${e}`);
      const [src, len] = plainEscape(p, i + 1);
      out += src;
      i += 1 + len;
      continue;
    }
    out += c;
    i++;
  }
  if (i >= p.length) return invalid('missing closing ]');
  return [`${out}]`, i + 1];
}

/** Translate the whole pattern to JavaScript regex source (not anchored). */
function translate(p: string): string {
  let out = '';
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      const e = p[i + 1];
      if (e === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const text = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
        // A quantifier after \Q...\E applies to its last character, as in RE2.
        out += [...text].map(literal).join('');
        i = end < 0 ? p.length : end + 2;
        continue;
      }
      if (e === 'A') {
        out += '^';
        i += 2;
        continue;
      }
      if (e === 'z') {
        out += '$';
        i += 2;
        continue;
      }
      if (e === 's') {
        out += `[${SPACE}]`;
        i += 2;
        continue;
      }
      if (e === 'S') {
        out += `[^${SPACE}]`;
        i += 2;
        continue;
      }
      if (e === 'C') return invalid('invalid escape sequence \\C');
      if (e !== undefined && SAME_ESCAPES.has(e)) {
        out += `\\${e}`;
        i += 2;
        continue;
      }
      const [src, len] = plainEscape(p, i + 1);
      out += src;
      i += 1 + len;
      continue;
    }
    if (c === '[') {
      const [src, next] = charClass(p, i + 1);
      out += src;
      i = next;
      continue;
    }
    if (c === '(') {
      if (p[i + 1] !== '?') {
        out += '(?:';
        i++;
        continue;
      }
      if (p[i + 2] === ':') {
        out += '(?:';
        i += 3;
        continue;
      }
      const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(p.slice(i));
      if (named) {
        out += '(?:';
        i += named[0].length;
        continue;
      }
      if (/^\(\?(=|!|<=|<!)/.test(p.slice(i))) return invalid('invalid or unsupported Perl syntax: lookarounds are not supported');
      if (/^\(\?[imsU-]+[:)]/.test(p.slice(i))) return unmodelled('flag groups other than a leading (?i) are not translated');
      return invalid(`invalid or unsupported Perl syntax ${p.slice(i, i + 3)}`);
    }
    if (c === '{') {
      const repeat = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
      if (repeat) {
        const counts = [repeat[1], repeat[3]].filter((n) => n !== undefined && n !== '').map(Number);
        if (counts.some((n) => n > 1000)) return invalid(`invalid repeat count ${repeat[0]} (at most 1000)`);
        out += repeat[0];
        i += repeat[0].length;
        continue;
      }
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}' || c === ']') {
      out += `\\${c}`;
      i++;
      continue;
    }
    if (c === '.') {
      out += '[^\\n]';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/**
 * The pattern as RE2's full match reads it on ASCII text (see the module comment). Patterns with
 * non-ASCII characters are `unmodelled` (Envoy switched RE2 from UTF-8 to Latin-1 mode, a runtime
 * guard `envoy.reloadable_features.re2_use_latin1_mode`).
 */
export function re2FullMatch(pattern: string): Re2Pattern {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7F]*$/.test(pattern)) return { kind: 'unmodelled', why: 'non-ASCII patterns are not translated' };
  // A leading (?i) folds case for the whole pattern, as JavaScript's i flag does on ASCII text.
  const fold = pattern.startsWith('(?i)');
  let source: string;
  try {
    source = translate(fold ? pattern.slice(4) : pattern);
  } catch (e) {
    if (e instanceof Stop) return e.result;
    throw e;
  }
  try {
    return { kind: 'ok', regex: new RegExp(`^(?:${source})$`, fold ? 'i' : '') };
  } catch (e) {
    return { kind: 'unmodelled', why: 'JavaScript cannot evaluate its translation', syntaxError: e instanceof Error ? e.message : String(e) };
  }
}
