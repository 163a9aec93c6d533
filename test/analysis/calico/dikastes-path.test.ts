/**
 * Calico Dikastes' path matching (src/analysis/calico/dikastes-path), as in Calico 3.32.1
 * (projectcalico/calico#12532, app-policy/checker `normalizeHTTPPath` / `segmentPrefixMatch`).
 */
import { dikastesNormalize, dikastesPathMatches } from '../../../src/analysis/calico/dikastes-path';

describe('dikastesNormalize', () => {
  test.each([
    ['/', '/'],
    ['/a/../b', '/b'],
    ['/a//b/', '/a/b'],
    ['/a/./b/.', '/a/b'],
    ['/../../a', '/a'],
    ['/a;x=1/b;y/c', '/a/b/c'],
    ['/public/..;x/admin', '/admin'],
    ['/a%2fb', '/a/b'],
    ['/a%2F..%2Fb', '/b'],
    ['/a/%2e%2e/b', '/b'],
    ['/a\\..\\b', '/b'],
    ['/%61pi', '/api'],
    ['/a?x=/../b#f', '/a'],
    ['/a#x/../b', '/a'],
    ['/a%23b', '/a#b'],
  ])('%s -> %s', (input, output) => {
    expect(dikastesNormalize(input)).toBe(output);
  });

  test('fails on malformed escapes, double-encoded separators and dots, and NUL', () => {
    for (const p of ['/a%zz', '/a%2', '/a%252fb', '/a%252E%252e', '/a%255cb', '/a%00b']) {
      expect({ p, normalized: dikastesNormalize(p) }).toEqual({ p, normalized: undefined });
    }
  });
});

describe('the order of backslash folding and parameter stripping, which #12532 does not document', () => {
  test('only a ; before a backslash tells the two orders apart', () => {
    expect(dikastesNormalize('/api;x\\..\\admin', 'backslashes-first')).toBe('/admin');
    expect(dikastesNormalize('/api;x\\..\\admin', 'parameters-first')).toBe('/api');
    for (const p of ['/a;x/../b', '/a\\..\\b', '/public/..;x/admin', '/a;x/b;y']) {
      expect({ p, other: dikastesNormalize(p, 'parameters-first') }).toEqual({ p, other: dikastesNormalize(p, 'backslashes-first') });
    }
  });
});

describe('dikastesPathMatches', () => {
  test('a prefix matches whole segments only, after both sides are normalized', () => {
    expect(dikastesPathMatches({ prefix: '/api' }, '/api')).toBe(true);
    expect(dikastesPathMatches({ prefix: '/api' }, '/api/v1')).toBe(true);
    expect(dikastesPathMatches({ prefix: '/api' }, '/apix')).toBe(false);
    expect(dikastesPathMatches({ prefix: '/api/' }, '/api')).toBe(true);
    expect(dikastesPathMatches({ prefix: '/' }, '/anything')).toBe(true);
    expect(dikastesPathMatches({ prefix: '/api' }, '/api/../admin')).toBe(false);
  });

  test('exact compares normalized forms; a rule path that cannot be normalized matches nothing', () => {
    expect(dikastesPathMatches({ exact: '/healthz' }, '/healthz/')).toBe(true);
    expect(dikastesPathMatches({ exact: '/healthz/' }, '/x/../healthz')).toBe(true);
    expect(dikastesPathMatches({ exact: '/healthz' }, '/healthz/x')).toBe(false);
    expect(dikastesPathMatches({ exact: '/a%zz' }, '/a%zz')).toBe(false);
    expect(dikastesPathMatches({ prefix: 'api' }, '/api')).toBe(false);
    expect(dikastesPathMatches({}, '/api')).toBe(false);
  });
});
