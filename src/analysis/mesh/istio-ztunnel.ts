/**
 * An AuthorizationPolicy rule as ztunnel enforces it (internal): what istiod hands ztunnel (pilot
 * ambient `convertAuthorizationPolicy` / `handleRule`) and how ztunnel matches it (ztunnel
 * `src/rbac.rs` `Authorization::matches`).
 *
 * - istiod sends ztunnel only ALLOW and DENY policies ("ztunnel does not support the CUSTOM action"):
 *   CUSTOM and AUDIT policies have no effect at ztunnel (a waypoint takes only targetRef policies:
 *   ./istio-waypoint).
 * - L7 attributes (the HTTP fields of operations; remoteIpBlocks and requestPrincipals of sources;
 *   every `when` key but source.ip, source.namespace, source.principal, destination.ip and
 *   destination.port) are left out. An ALLOW rule that uses any of them is omitted whole, so it
 *   matches no connection. A DENY rule keeps its L4 parts.
 * - Each operation, source and `when` condition becomes one match of its clause; one left empty
 *   (only L7 attributes, or none at all) never matches in ztunnel, which skips empty matches. A
 *   clause whose matches are all empty never matches, nor does its rule: a DENY rule whose `to`,
 *   `from` or some `when` is made only of L7 attributes has no effect at all (istio/istio#61126).
 * - Trust domains of sources and the condition source.serviceAccount: the istiod conversion read
 *   does not hand them over; whether 1.30 does is not known, so a rule using them is not evaluated.
 */
import { isPlainObject } from '../../util/vocabulary';

/** How ztunnel sees one rule. */
export type ZtunnelRule =
  /** It matches no connection; `why` says which part. */
  | { readonly kind: 'never'; readonly why: string }
  /** It is not evaluated; `why` says what is not known. */
  | { readonly kind: 'unknown'; readonly why: string }
  /** ztunnel evaluates `rule` (the L4 parts), without the L7 attributes in `omitted`. */
  | { readonly kind: 'l4'; readonly rule: Record<string, unknown>; readonly omitted: string[] };

const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
const L4_OPERATION_FIELDS = ['ports', 'notPorts'];
const L7_SOURCE_FIELDS = ['remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals'];
const L4_SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'ipBlocks', 'notIpBlocks'];
const TRUST_DOMAIN_FIELDS = ['trustDomains', 'notTrustDomains'];
const L4_CONDITION_KEYS = ['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port'];
/** Condition keys newer than the conversion read: whether istiod hands them to ztunnel is not known. */
const UNKNOWN_CONDITION_KEYS = ['source.serviceAccount'];

/** istiod counts a field when its list is not empty (`len() > 0`). */
function isSet(o: Record<string, unknown>, key: string): boolean {
  return Array.isArray(o[key]) && (o[key] as unknown[]).length > 0;
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => isSet(o, k)).map((k) => [k, o[k]]));
}

/** The rule at `path` of an ALLOW or DENY policy, as ztunnel enforces it. */
export function ztunnelRule(rule: unknown, action: 'ALLOW' | 'DENY', path: string): ZtunnelRule {
  if (!isPlainObject(rule)) return { kind: 'l4', rule: {}, omitted: [] };
  const to: unknown[] = Array.isArray(rule.to) ? rule.to : [];
  const from: unknown[] = Array.isArray(rule.from) ? rule.from : [];
  const when: unknown[] = Array.isArray(rule.when) ? rule.when : [];
  const operations = to.map((t) => (isPlainObject(t) && isPlainObject(t.operation) ? t.operation : {}));
  const sources = from.map((f) => (isPlainObject(f) && isPlainObject(f.source) ? f.source : {}));
  const conditions = when.map((c) => (isPlainObject(c) ? c : {}));
  const omitted = [
    ...operations.flatMap((o, j) => HTTP_OPERATION_FIELDS.filter((k) => isSet(o, k)).map((k) => `${path}.to[${j}].operation.${k}`)),
    ...sources.flatMap((s, j) => L7_SOURCE_FIELDS.filter((k) => isSet(s, k)).map((k) => `${path}.from[${j}].source.${k}`)),
    ...conditions.flatMap((c, j) => ([...L4_CONDITION_KEYS, ...UNKNOWN_CONDITION_KEYS].includes(c.key as string) ? []
      : [`${path}.when[${j}] (${String(c.key)})`])),
  ];
  if (action === 'ALLOW' && omitted.length > 0) {
    return { kind: 'never', why: `istiod leaves this ALLOW rule out of what it sends ztunnel, because it uses L7 attributes (${omitted.join(', ')}), so it matches nothing` };
  }
  const unknownKey = conditions.findIndex((c) => UNKNOWN_CONDITION_KEYS.includes(c.key as string));
  if (unknownKey >= 0) {
    return { kind: 'unknown', why: `${path}.when[${unknownKey}] (${String(conditions[unknownKey].key)}): whether istiod hands this condition to ztunnel is not known` };
  }
  const trustDomains = sources.flatMap((s, j) => TRUST_DOMAIN_FIELDS.filter((k) => isSet(s, k)).map((k) => `${path}.from[${j}].source.${k}`));
  if (trustDomains.length > 0) {
    return { kind: 'unknown', why: `${trustDomains.join(', ')}: whether istiod hands trust domains to ztunnel is not known` };
  }
  const empty = (what: string) => ({
    kind: 'never' as const,
    why: `${what} is left with no L4 attribute${omitted.length > 0 ? ` once istiod drops the L7 ones (${omitted.join(', ')})` : ''}: `
      + `an empty match, which ztunnel never matches, so this ${action} rule has no effect`,
  });
  const l4Operations = operations.map((o) => pick(o, L4_OPERATION_FIELDS)).filter((o) => Object.keys(o).length > 0);
  if (operations.length > 0 && l4Operations.length === 0) return empty(`every ${path}.to[].operation`);
  const l4Sources = sources.map((s) => pick(s, L4_SOURCE_FIELDS)).filter((s) => Object.keys(s).length > 0);
  if (sources.length > 0 && l4Sources.length === 0) return empty(`every ${path}.from[].source`);
  const emptyCondition = conditions.findIndex((c) => !L4_CONDITION_KEYS.includes(c.key as string) || (!isSet(c, 'values') && !isSet(c, 'notValues')));
  if (emptyCondition >= 0) return empty(`${path}.when[${emptyCondition}] (${String(conditions[emptyCondition].key)})`);
  return {
    kind: 'l4',
    rule: {
      ...(operations.length > 0 ? { to: l4Operations.map((operation) => ({ operation })) } : {}),
      ...(sources.length > 0 ? { from: l4Sources.map((source) => ({ source })) } : {}),
      ...(conditions.length > 0 ? { when: conditions } : {}),
    },
    omitted,
  };
}
