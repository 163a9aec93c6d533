import { createHash } from 'crypto';
import { IConstruct } from 'constructs';
import { propError } from '../../util/errors';
import { isDnsSubdomain } from '../../util/validate';

/** Longest generated name: a DNS-1123 label, though Kubernetes and Linkerd's targetRef accept 253. */
const MAX_LENGTH = 63;
/** Hex digits of the selector hash (40 bits). */
const HASH_LENGTH = 10;
/** What a hash-suffixed name ends with before its port; a readable name never ends so. */
const HASH_TAIL = new RegExp(`-[0-9a-f]{${HASH_LENGTH}}$`);
/** A plain name: lower-case alphanumerics, '-' and '.', alphanumeric at both ends of every dot part. */
const PLAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The `metadata.name` of the Linkerd Server for pods with labels `selector` (sorted by key, validated
 * label keys and values) and one port, injective over (keys and values, port) within a namespace:
 *
 * - `{app: <value>}` alone: `<value>-<port>` (the name of earlier releases, kept), when that is a
 *   DNS-1123 subdomain of at most 63 characters and `<value>` does not end like a hash suffix.
 * - any other selector: `<values>-<hash>-<port>`, where `<values>` are the label values in key order,
 *   lower-cased, joined by '-' (every run of characters other than [a-z0-9] becomes one '-'), truncated so the name
 *   fits 63 characters (`server` if nothing is left), and `<hash>` is the first 10 hex digits of
 *   the SHA-256 of the selector's `key=value` pairs in key order, joined by ','.
 *
 * The two forms cannot produce the same name (a plain value never ends in `-<10 hex>`); two
 * selectors of the second form share a name only on a 40-bit hash collision, which the object
 * registry turns into an error, never into one Server.
 */
export function linkerdServerName(selector: Record<string, string>, port: number): string {
  const keys = Object.keys(selector).sort();
  const value = selector.app;
  if (keys.length === 1 && keys[0] === 'app' && !HASH_TAIL.test(value)) {
    const plain = `${value}-${port}`;
    if (plain.length <= MAX_LENGTH && PLAIN.test(plain)) return plain;
  }
  // Keys and values cannot contain '=' or ',' (Kubernetes label syntax): the string is one per selector.
  const canonical = keys.map((k) => `${k}=${selector[k]}`).join(',');
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, HASH_LENGTH);
  const suffix = `-${hash}-${port}`;
  const readable = keys.map((k) => selector[k]).join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_LENGTH - suffix.length).replace(/^-+|-+$/g, '');
  return `${readable || 'server'}${suffix}`;
}

/**
 * Check that the per-port objects of a Linkerd flow can be named `<flow>-<port>` (its AuthorizationPolicies and
 * HTTPRoutes): a DNS-1123 subdomain of at most 253 characters, which a flow name of up to 253 need not leave room
 * for. The API server would refuse the objects at apply; MeshAuthorization asks it under Istio too, so that an
 * intent renders for both meshes.
 */
export function checkLinkerdFlowNames(scope: IConstruct, prop: string, name: string, ports: readonly number[]): void {
  for (const port of ports) {
    if (isDnsSubdomain(`${name}-${port}`)) continue;
    throw propError(scope, prop, `Linkerd names the flow's per-port AuthorizationPolicy (and HTTPRoute) '<flow>-<port>', and '${name.slice(0, 40)}...-${port}' `
      + `(${name.length + 1 + String(port).length} characters) is longer than the 253 an object name may have: shorten the flow name`);
  }
}
