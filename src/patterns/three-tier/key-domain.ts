/**
 * Is the prefix of a label or annotation key (before `/`, lower-cased, as the API server compares
 * annotation keys) one of `domains` or a subdomain of one (`sidecar.istio.io` of `istio.io`)? A key
 * without a prefix is in no domain. Internal.
 */
export function keyInDomains(key: string, domains: readonly string[]): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const prefix = key.slice(0, slash).toLowerCase();
  return domains.some((d) => prefix === d || prefix.endsWith(`.${d}`));
}
