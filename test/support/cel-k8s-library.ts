/**
 * The Kubernetes CEL extension functions that the pinned CRDs' `x-kubernetes-validations` rules use, written from
 * their documented semantics (kubernetes staging/src/k8s.io/apiserver/pkg/cel/library: urls.go, cidr.go), for the
 * test-only CEL checker in ./cel.ts. Only what the pinned CRDs call is here; a rule calling anything else is
 * reported as not checked, never passed.
 *
 * - `isURL(string)` / `url(string)`: Go `net/url.ParseRequestURI` (an absolute URI or an absolute path);
 *   `url()` of an invalid string is an evaluation error. `<URL>.getScheme()` is the lower-cased scheme, `''` when absent.
 * - `isCIDR(string)`: Go `netip.ParsePrefix` (IPv4 in four decimal octets without leading zeros, no zone, prefix
 *   length in range without leading zeros, host bits allowed) and no IPv4-mapped IPv6 address.
 */
import { CelFunc, CelMap, CelScalar, celFunc, celMethod, mapType } from '@bufbuild/cel';

/** A parsed URL as the CEL value `url()` returns: a map marked with {@link URL_MARK}. */
const URL_MARK = '@kubernetes.URL';
const URL_TYPE = mapType(CelScalar.STRING, CelScalar.DYN);

/** Go `validOptionalPort`: empty, or `:` followed by digits only. */
function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** Go `shouldEscape(c, encodeHost)` for ASCII: the characters a host may not hold unescaped. */
function invalidHostChar(c: string): boolean {
  return !/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(c);
}

/** Go `unescape`: every `%` starts two hex digits; in a host only `%25` or non-ASCII escapes, no bad characters. */
function unescapeOk(s: string, host: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      if (!/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) return false;
      if (host && parseInt(s[i + 1], 16) < 8 && s.slice(i, i + 3) !== '%25') return false;
      i += 2;
    } else if (host && c.charCodeAt(0) < 0x80 && invalidHostChar(c)) {
      return false;
    }
  }
  return true;
}

/** Go `parseHost` acceptance (bracketed IPv6 literal or host with an optional numeric port). */
function hostOk(host: string): boolean {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0 || !validOptionalPort(host.slice(close + 1))) return false;
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) return false;
  }
  return unescapeOk(host, true);
}

/** Go `url.ParseRequestURI`; returns the lower-cased scheme (`''` when none) or undefined when Go rejects it. */
export function parseRequestUriScheme(raw: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (raw === '' || /[\x00-\x1f\x7f]/.test(raw)) return undefined;
  if (raw === '*') return '';
  let scheme = '';
  let rest = raw;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(raw);
  if (m) {
    scheme = m[1].toLowerCase();
    rest = raw.slice(m[0].length);
  } else if (raw.startsWith(':')) {
    return undefined; // "missing protocol scheme"
  }
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes('?')) rest = rest.slice(0, rest.indexOf('?'));
  if (!rest.startsWith('/')) return scheme !== '' ? scheme : undefined; // opaque, or "invalid URI for request"
  if (scheme !== '' && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0 && !/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(authority.slice(0, at))) return undefined;
    if (at >= 0 && !unescapeOk(authority.slice(0, at), false)) return undefined;
    if (!hostOk(authority.slice(at + 1))) return undefined;
  }
  return unescapeOk(rest, false) ? scheme : undefined;
}

const IPV4 = /^(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}$/;

function ipv4Ok(s: string): boolean {
  return IPV4.test(s) && s.split('.').every((o) => Number(o) <= 255);
}

/** Go `netip.ParseAddr` for IPv6 without a zone: the eight 16-bit groups, or undefined when Go rejects it. */
function ipv6Groups(s: string): number[] | undefined {
  let text = s;
  const lastColon = text.lastIndexOf(':');
  const v4 = text.slice(lastColon + 1);
  if (v4.includes('.')) {
    // A dotted IPv4 tail stands for the last two groups.
    if (!ipv4Ok(v4)) return undefined;
    const o = v4.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${(o[0] * 256 + o[1]).toString(16)}:${(o[2] * 256 + o[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    if (groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => parseInt(g, 16));
  };
  const head = parse(halves[0]);
  const after = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !after) return undefined;
  const explicit = head.length + after.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  return [...head, ...new Array<number>(8 - explicit).fill(0), ...after];
}

/** Kubernetes `isCIDR` (library/cidr.go): `netip.ParsePrefix` and no IPv4-mapped IPv6 address. */
export function isKubernetesCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bits)) return false;
  if (ipv4Ok(addr)) return Number(bits) <= 32;
  if (addr.includes('%')) return false;
  const groups = ipv6Groups(addr);
  if (!groups || Number(bits) > 128) return false;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  return !mapped;
}

/** The extension functions, for `celEnv({funcs})`. */
export const KUBERNETES_CEL_FUNCS: CelFunc[] = [
  celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s) => parseRequestUriScheme(s) !== undefined),
  celFunc('url', [CelScalar.STRING], URL_TYPE, (s) => {
    const scheme = parseRequestUriScheme(s);
    if (scheme === undefined) throw new Error(`URL parse error during conversion from string: ${JSON.stringify(s)}`);
    return { [URL_MARK]: true, scheme };
  }),
  celMethod('getScheme', URL_TYPE, [], CelScalar.STRING, function (this: CelMap) {
    if (this.get(URL_MARK) !== true) throw new Error('getScheme() needs a URL');
    return this.get('scheme') as string;
  }),
  celFunc('isCIDR', [CelScalar.STRING], CelScalar.BOOL, (s) => isKubernetesCidr(s)),
];
