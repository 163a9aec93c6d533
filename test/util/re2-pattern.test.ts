/**
 * RE2 / Go regexp syntax as Cilium's HTTP rules use it (src/util/re2-pattern): Go `regexp.Compile`
 * validates path and method (cilium/cilium pkg/policy/api/http.go `PortRuleHTTP.Sanitize`), Envoy
 * matches with RE2 `FullMatch` (envoyproxy/envoy source/common/common/regex.h). Expected results
 * follow RE2's syntax page (github.com/google/re2/wiki/Syntax) and Go's regexp/syntax package docs.
 */
import { re2FullMatch } from '../../src/util/re2-pattern';

/** Does RE2's full match accept `value`? Throws when the pattern is not translated. */
function fullMatch(pattern: string, value: string): boolean {
  const r = re2FullMatch(pattern);
  if (r.kind !== 'ok') throw new Error(`${pattern}: ${r.kind} (${r.why})`);
  return r.regex.test(value);
}

describe('re2FullMatch', () => {
  test('constructs JavaScript reads differently without failing are translated as RE2 reads them', () => {
    // POSIX classes inside a bracket expression (JavaScript: a class of `[:digt` then a literal `]`).
    expect(fullMatch('/v[[:digit:]]+', '/v12')).toBe(true);
    expect(fullMatch('/v[[:digit:]]+', '/v:]')).toBe(false);
    expect(fullMatch('[[:upper:][:digit:]_]+', 'A_9')).toBe(true);
    expect(fullMatch('[[:punct:]]', '/')).toBe(true);
    expect(fullMatch('[[:punct:]]', 'a')).toBe(false);
    // \Q...\E quotes (JavaScript: the letters Q and E).
    expect(fullMatch('\\Q/a.b\\E', '/a.b')).toBe(true);
    expect(fullMatch('\\Q/a.b\\E', '/axb')).toBe(false);
    expect(fullMatch('\\Q/a+', '/a+')).toBe(true);
    // \A and \z anchor (JavaScript: the letters A and z).
    expect(fullMatch('\\A/api/.*\\z', '/api/x')).toBe(true);
    // A `]` first in a class is a literal (JavaScript: `[]` matches nothing).
    expect(fullMatch('/[]a]', '/]')).toBe(true);
    expect(fullMatch('/[^]a]', '/b')).toBe(true);
    expect(fullMatch('/[^]a]', '/]')).toBe(false);
    // \s is ASCII space, \t, \n, \f, \r: not \v.
    expect(fullMatch('a\\sb', 'a\x0bb')).toBe(false);
    expect(fullMatch('a\\sb', 'a b')).toBe(true);
    // `.` is anything but \n (JavaScript's also excludes \r).
    expect(fullMatch('a.b', 'a\rb')).toBe(true);
    expect(fullMatch('a.b', 'a\nb')).toBe(false);
  });

  test('the common forms match as before', () => {
    expect(fullMatch('/public/.*', '/public/a?q=1')).toBe(true);
    expect(fullMatch('GET|HEAD', 'HEAD')).toBe(true);
    expect(fullMatch('GET|HEAD', 'GETX')).toBe(false);
    expect(fullMatch('/api/v[0-9]{1,3}/(?P<id>[a-z]+)', '/api/v12/abc')).toBe(true);
    expect(fullMatch('/a{,2}', '/a{,2}')).toBe(true);
    expect(fullMatch('/x\\.y', '/x.y')).toBe(true);
  });

  test('a leading (?i) folds case for the whole pattern', () => {
    expect(fullMatch('(?i)get|head', 'GET')).toBe(true);
    expect(fullMatch('(?i)get|head', 'Head')).toBe(true);
    expect(fullMatch('(?i)/API/[[:lower:]]+', '/api/ABC')).toBe(true);
    expect(fullMatch('get', 'GET')).toBe(false);
  });

  test('what Go regexp and RE2 refuse is invalid, with the reason', () => {
    expect(re2FullMatch('/(?!admin).*')).toEqual({ kind: 'invalid', why: 'invalid or unsupported Perl syntax: lookarounds are not supported' });
    expect(re2FullMatch('/(?<=a)b')).toEqual({ kind: 'invalid', why: 'invalid or unsupported Perl syntax: lookarounds are not supported' });
    expect(re2FullMatch('/(a)\\1')).toEqual({ kind: 'invalid', why: 'invalid escape sequence \\1 (backreferences are not supported)' });
    expect(re2FullMatch('/a\\e')).toEqual({ kind: 'invalid', why: 'invalid escape sequence \\e' });
    expect(re2FullMatch('/[[:foo:]]')).toEqual({ kind: 'invalid', why: 'invalid character class range [:foo:]' });
    expect(re2FullMatch('/a{1001}')).toEqual({ kind: 'invalid', why: 'invalid repeat count {1001} (at most 1000)' });
    expect(re2FullMatch('/[]')).toEqual({ kind: 'invalid', why: 'missing closing ]' });
    expect(re2FullMatch('/(?>a)')).toEqual({ kind: 'invalid', why: 'invalid or unsupported Perl syntax (?>' });
  });

  test('what is valid but not translated is unmodelled', () => {
    for (const p of ['(?s).*', 'a(?i)b', '(?i:get)', '/\\pL+', '/[[:^digit:]]', '/\\x{41}', '/\u00e9', '/[a-\\d]']) {
      expect({ p, kind: re2FullMatch(p).kind }).toEqual({ p, kind: 'unmodelled' });
    }
  });
});
