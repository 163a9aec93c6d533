/**
 * How Istio AuthorizationPolicy matches one value against a list (internal), per the istio.io
 * "Authorization Policy" reference: strings match exactly, by prefix (`abc*`), by suffix (`*abc`) or
 * by presence (`*`: any non-empty value); `paths` also take the path templates `{*}` (one segment)
 * and `{**}` (any remaining segments); `hosts` compare case-insensitively; `methods` take the same
 * wildcards (case-sensitive); `namespaces` take `*` anywhere for sidecars; ports are numbers;
 * `ipBlocks` hold addresses or CIDRs.
 */
import { blockOf, matchAddresses, unknownAddressWhy } from '../addresses';
import { Endpoint } from '../model';
import { MAYBE, NO, Tri, YES, or3 } from '../verdict';

/**
 * Does `pattern` match `value` (absent = the attribute is empty, which no pattern matches)? A leading
 * `*` is checked before a trailing one, as istiod builds the matcher (authz matcher
 * `StringMatcherWithPrefix`, `HeaderMatcher`, ambient `stringToMatch`): `*abc*` is the suffix `abc*`.
 */
export function istioStringMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

/**
 * Namespace match (`namespaces`, `source.namespace`). A sidecar gets a regex over the peer principal
 * with every `*` of the value read as `.*` (authz `srcNamespaceGenerator`), so `*` also works in the
 * middle (`team-*-prod`); ztunnel gets the plain prefix/suffix/exact match (ambient `stringToMatch`),
 * where a `*` in the middle is a literal no namespace name contains.
 */
export function istioNamespaceMatch(pattern: string, value: string | undefined, ztunnel: boolean): boolean {
  if (ztunnel || !pattern.includes('*')) return istioStringMatch(pattern, value);
  if (value === undefined || value === '') return false;
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
}

/** Port match: istiod parses the value as a decimal number (`08080` is 8080). */
export function istioPortMatch(pattern: string, port: string | undefined): boolean {
  return port !== undefined && /^\d+$/.test(pattern) && Number(pattern) === Number(port);
}

/** Does any pattern match? */
export function anyMatch(patterns: readonly string[], value: string | undefined, match = istioStringMatch): boolean {
  return patterns.some((p) => match(p, value));
}

/** Path match: exact / prefix / suffix / presence, or a path template with `{*}` and `{**}`. */
export function istioPathMatch(pattern: string, path: string | undefined): boolean {
  if (path === undefined) return false;
  if (pattern.includes('{*}') || pattern.includes('{**}')) {
    const regex = pattern.split('/').map((segment) => {
      if (segment === '{**}') return '.*';
      if (segment === '{*}') return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }).join('/');
    return new RegExp(`^${regex}$`).test(path);
  }
  return istioStringMatch(pattern, path);
}

/** Method match: a header match on `:method` (authz `methodGenerator`), so `*`, prefix and suffix work; case-sensitive. */
export function istioMethodMatch(pattern: string, method: string | undefined): boolean {
  return istioStringMatch(pattern, method);
}

/**
 * Header match (`request.headers[...]` conditions; authz `HeaderMatcher`): `*` is Envoy's present
 * match, which a header sent with an empty value passes too; other values are string matches. Envoy
 * matches a header sent several times as its values joined by `,` (HeaderUtility
 * getAllOfHeaderAsString), which is the one value a request in the question gives.
 */
export function istioHeaderMatch(pattern: string, value: string | undefined): boolean {
  return pattern === '*' ? value !== undefined : istioStringMatch(pattern, value);
}

/** Host match: like strings, case-insensitive (the Host header is). */
export function istioHostMatch(pattern: string, host: string | undefined): boolean {
  return istioStringMatch(pattern.toLowerCase(), host?.toLowerCase());
}

/** Addresses and CIDRs of an `ipBlocks`-like list as CIDRs (a bare address is a host route). */
function asCidrs(values: readonly string[]): string[] {
  return values.map((v) => (v.includes('/') ? v : v.includes(':') ? `${v}/128` : `${v}/32`));
}

const BLOCK_OWNERS = new Map<string, object>();

/**
 * Is the endpoint's address in any of the blocks: YES, NO, or MAYBE (its address is not known well
 * enough; `why` says why)?
 */
export function addressIn(endpoint: Endpoint, values: readonly string[]): { truth: Tri; why?: string } {
  if (values.length === 0) return { truth: NO };
  const key = values.join(',');
  let owner = BLOCK_OWNERS.get(key);
  if (!owner) {
    if (BLOCK_OWNERS.size > 10_000) BLOCK_OWNERS.clear();
    BLOCK_OWNERS.set(key, owner = {});
  }
  const truth = matchAddresses(endpoint, blockOf(owner, asCidrs(values)));
  return truth === MAYBE ? { truth, why: unknownAddressWhy(endpoint) } : { truth };
}

/**
 * Evaluate a predicate of the peer identity when whether the connection carries one is itself
 * three-valued: with mTLS the identity is known, without it every identity attribute is empty.
 */
export function withIdentity(mtls: Tri, test: (hasIdentity: boolean) => boolean): Tri {
  if (mtls === YES) return test(true) ? YES : NO;
  if (mtls === NO) return test(false) ? YES : NO;
  const a = test(true);
  return a === test(false) ? (a ? YES : NO) : MAYBE;
}

/** Kleene OR over a list (NO for an empty list). */
export function anyOf(values: readonly Tri[]): Tri {
  return values.reduce<Tri>((acc, v) => or3(acc, v), NO);
}
