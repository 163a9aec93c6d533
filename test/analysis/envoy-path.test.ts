/**
 * Envoy's request path rewriting (src/analysis/envoy-path), exact outputs. Vectors:
 * - istio/istio tests/integration/security/normalization_test.go (a real sidecar per meshConfig
 *   pathNormalization setting; its Envoy build still decoded escaped unreserved characters: the
 *   `legacy` canonicalizer);
 * - envoyproxy/envoy test/common/http/path_utility_test.cc (merge_slashes, canonicalPath);
 * - cilium/cilium pkg/envoy/xds_server.go (the L7 listener: normalize, merge, UNESCAPE_AND_REDIRECT).
 */
import {
  canonicalizePath, CILIUM_L7_PATH, describeOutcome, envoyPathOutcomes, isModelledPath, ISTIO_PATH_NORMALIZATION, mergeSlashes,
  stripDotSegmentParameters, unescapeSlashes,
} from '../../src/analysis/envoy-path';

describe('googleurl path canonicalization (normalize_path)', () => {
  // Istio's BASE column: normalize_path only.
  test.each([
    ['/', '/'],
    ['/app/', '/app/'],
    ['/app/../admin', '/admin'],
    ['/app//', '/app//'],
    ['/app/%2f', '/app/%2f'],
    ['/xyz%30..//abc', '/xyz0..//abc'],
    ['/app/%2E./admin', '/admin'],
    ['/app\\admin', '/app/admin'],
    ['/app/\\/\\/\\admin', '/app//////admin'],
    ['/%2Fapp%5cadmin%5Cabc', '/%2Fapp%5cadmin%5Cabc'],
    ['/%5Capp%2f%5c%2F%2e%2e%2fadmin%5c\\abc', '/%5Capp%2f%5c%2F..%2fadmin%5c/abc'],
    ['/app//../admin', '/app/admin'],
    ['/app//../../admin', '/admin'],
  ])('legacy %s -> %s (Istio BASE vector)', (input, output) => {
    expect(canonicalizePath(input, 'legacy')).toBe(output);
  });

  test.each([
    ['/a/b/../c', '/a/c'],
    ['/a/b/./c', '/a/b/c'],
    ['/a/b/../../../../c', '/c'],
    ['/a/..\\c', '/c'],
    ['/%c0%af', '/%c0%af'],
    ['/%5c%25', '/%5c%25'],
    ['/a/b/%2E%2E/c', '/a/c'],
    ['/a/b/%2e%2e/c', '/a/c'],
    ['/a/b/%2E./c', '/a/c'],
    ['/a/b/%2E/c', '/a/b/c'],
    ['/../a/b', '/a/b'],
    ['/./a/b', '/a/b'],
    ['/A/B/C', '/A/B/C'],
    ['/a/%2F%2f/c', '/a/%2F%2f/c'],
    // Not a dot segment: copied, an escaped dot decoded.
    ['/a/..b/.c', '/a/..b/.c'],
    ['/a%2eb', '/a.b'],
    ['/a/..', '/'],
    ['/a/b/.', '/a/b/'],
  ])('%s -> %s in both builds (Envoy path_utility_test vector)', (input, output) => {
    expect(canonicalizePath(input, 'current')).toBe(output);
    expect(canonicalizePath(input, 'legacy')).toBe(output);
  });

  test('escaped unreserved characters: the current googleurl copies them, the legacy one decoded them (and failed on %00)', () => {
    expect(canonicalizePath('/xyz%30..//abc', 'current')).toBe('/xyz%30..//abc');
    expect(canonicalizePath('/%41%7e%2D%5f%21', 'current')).toBe('/%41%7e%2D%5f%21');
    expect(canonicalizePath('/%41%7e%2D%5f%21', 'legacy')).toBe('/A~-_%21');
    expect(canonicalizePath('/admin%00', 'current')).toBe('/admin%00');
    expect(canonicalizePath('/admin%00', 'legacy')).toBeUndefined();
  });
});

describe('merge_slashes, escaped slashes, dot segments with parameters', () => {
  test.each([
    ['/a', '/a'],
    ['/a//b/c/', '/a/b/c/'],
    ['//a/b/c', '/a/b/c'],
    ['/a/b/c//', '/a/b/c/'],
    ['/a///b/c', '/a/b/c'],
    ['/a////b/c', '/a/b/c'],
  ])('mergeSlashes %s -> %s', (input, output) => {
    expect(mergeSlashes(input)).toBe(output);
  });

  test('unescapeSlashes: %2F and %5C in either case; undefined when there is none', () => {
    expect(unescapeSlashes('/a%2Fb%2fc%5Cd%5ce')).toBe('/a/b/c\\d\\e');
    expect(unescapeSlashes('/a%2Eb')).toBeUndefined();
  });

  test('stripDotSegmentParameters: only segments starting with .; or ..;', () => {
    expect(stripDotSegmentParameters('/a/..;x/b/.;y/c/a..;z')).toBe('/a/../b/./c/a..;z');
  });
});

describe('envoyPathOutcomes', () => {
  test('Cilium: dot segments resolved, backslashes and merged slashes; one outcome when the builds agree', () => {
    expect(envoyPathOutcomes('/public/../admin', CILIUM_L7_PATH)).toEqual([{ kind: 'forward', path: '/admin' }]);
    expect(envoyPathOutcomes('//public\\\\a', CILIUM_L7_PATH)).toEqual([{ kind: 'forward', path: '/public/a' }]);
    expect(envoyPathOutcomes('/public/a', CILIUM_L7_PATH)).toEqual([{ kind: 'forward', path: '/public/a' }]);
  });

  test('Cilium: an escaped slash or backslash is answered with a redirect to the unescaped, normalized path', () => {
    expect(envoyPathOutcomes('/public%2Fa', CILIUM_L7_PATH)).toEqual([{ kind: 'redirect', location: '/public/a' }]);
    expect(envoyPathOutcomes('/public%2f..%5Cadmin', CILIUM_L7_PATH)).toEqual([{ kind: 'redirect', location: '/admin' }]);
    expect(describeOutcome({ kind: 'redirect', location: '/admin' })).toBe('redirected with 307 to /admin');
  });

  test('build differences give several outcomes, sorted', () => {
    expect(envoyPathOutcomes('/searc%68', CILIUM_L7_PATH)).toEqual([{ kind: 'forward', path: '/searc%68' }, { kind: 'forward', path: '/search' }]);
    expect(envoyPathOutcomes('/a/..;x/b', CILIUM_L7_PATH)).toEqual([{ kind: 'forward', path: '/a/..;x/b' }, { kind: 'forward', path: '/b' }]);
    expect(envoyPathOutcomes('/admin%00', CILIUM_L7_PATH)).toEqual([{ kind: 'forward', path: '/admin%00' }, { kind: 'reject' }]);
  });

  test('Istio settings (meshConfig pathNormalization vectors)', () => {
    const { NONE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES } = ISTIO_PATH_NORMALIZATION;
    expect(envoyPathOutcomes('/app/../admin', NONE)).toEqual([{ kind: 'forward', path: '/app/../admin' }]);
    expect(envoyPathOutcomes('/app/\\/\\/\\admin', MERGE_SLASHES)).toEqual([{ kind: 'forward', path: '/app/admin' }]);
    expect(envoyPathOutcomes('/app/%2f', MERGE_SLASHES)).toEqual([{ kind: 'forward', path: '/app/%2f' }]);
    expect(envoyPathOutcomes('/app/%2f', DECODE_AND_MERGE_SLASHES)).toEqual([{ kind: 'forward', path: '/app/' }]);
    expect(envoyPathOutcomes('/%2Fapp%5cadmin%5Cabc', DECODE_AND_MERGE_SLASHES)).toEqual([{ kind: 'forward', path: '/app/admin/abc' }]);
    expect(envoyPathOutcomes('/%5Capp%2f%5c%2F%2e%2e%2fadmin%5c\\abc', DECODE_AND_MERGE_SLASHES)).toEqual([{ kind: 'forward', path: '/app/admin/abc' }]);
    expect(envoyPathOutcomes('/%c0%2e%c0%2e/admin', DECODE_AND_MERGE_SLASHES)).toEqual([{ kind: 'forward', path: '/%c0.%c0./admin' }]);
    expect(envoyPathOutcomes('/%c0%2fadmin', DECODE_AND_MERGE_SLASHES)).toEqual([{ kind: 'forward', path: '/%c0/admin' }]);
  });

  test('characters whose treatment is not modelled: no outcome', () => {
    for (const p of ['/a b', '/a{b}', '/a|b', '/caf\u00e9', '/a%zz', '/a%4', '/a"b']) {
      expect({ p, modelled: isModelledPath(p), outcomes: envoyPathOutcomes(p, CILIUM_L7_PATH) }).toEqual({ p, modelled: false, outcomes: undefined });
    }
    expect(isModelledPath("/a-b._~!$&'()*+,;=:@/%41\\")).toBe(true);
  });
});
