/**
 * An AuthorizationPolicy rule as a sidecar enforces it on a port it serves as TCP (internal): the
 * inbound filter chain has no HTTP connection manager, so istiod builds the rule into Envoy's RBAC
 * network filter, which sees no request (istio/istio pilot/pkg/security/authz/builder/builder.go
 * `BuildTCP`; model/model.go `Generate` with forTCP, `checkError`; model/generator.go).
 *
 * - HTTP-only attributes: the operation fields hosts, methods, paths (and their `not` forms), the
 *   source fields requestPrincipals / notRequestPrincipals, and the `when` keys request.headers[...],
 *   request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[...]
 *   (their generators fail "is HTTP only" on TCP). Everything else (ports, principals, namespaces,
 *   ipBlocks, remoteIpBlocks, source.ip, remote.ip, destination.*, connection.sni) is kept; the remote
 *   address is the peer's there (./istio-remote-address).
 * - ALLOW: the error drops the whole rule ("skipped rule ... on TCP filter chain"), so it matches no
 *   connection (istio.io "Authorization Policy" reference; task "Authorization for TCP traffic").
 * - DENY (and AUDIT): the error is ignored and the value left out, so the rule matches more
 *   ("effectively resulting in a wider deny"); an operation, source or list left with nothing matches
 *   anything (`permissionAny` / `principalAny`): a DENY rule made only of HTTP fields denies every
 *   connection. Unlike ztunnel, which never matches an empty clause (./istio-ztunnel).
 * - CUSTOM: istiod builds its rules the DENY way, then on a TCP chain only a gRPC ext_authz provider
 *   gets a network filter; an HTTP provider (envoyExtAuthzHttp) is left out of the TCP chain
 *   ("ignored CUSTOM action with HTTP provider on TCP filter chain"). The provider's kind is in
 *   meshConfig, not in the manifests.
 */
import { isPlainObject } from '../../util/vocabulary';

/** How the TCP filter sees one rule. */
export type TcpChainRule =
  /** It matches no connection; `why` says which fields. */
  | { readonly kind: 'never'; readonly why: string }
  /** The filter evaluates `rule`, without the HTTP-only attributes in `omitted`. */
  | { readonly kind: 'l4'; readonly rule: Record<string, unknown>; readonly omitted: string[] };

const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];

/** A `when` key whose generator is HTTP only. */
export function isHttpOnlyConditionKey(key: unknown): boolean {
  return typeof key === 'string' && (key.startsWith('request.headers') || key.startsWith('request.auth.'));
}

/** istiod adds a field only when its values or notValues are not empty (`insertFront`/`appendLast`). */
function isSet(o: Record<string, unknown>, key: string): boolean {
  return Array.isArray(o[key]) && (o[key] as unknown[]).length > 0;
}

function hasValues(c: Record<string, unknown>): boolean {
  return isSet(c, 'values') || isSet(c, 'notValues');
}

function without(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** The HTTP-only attributes a rule at `path` uses (with values), as paths. */
export function httpOnlyAttributes(rule: unknown, path: string): string[] {
  if (!isPlainObject(rule)) return [];
  const to: unknown[] = Array.isArray(rule.to) ? rule.to : [];
  const from: unknown[] = Array.isArray(rule.from) ? rule.from : [];
  const when: unknown[] = Array.isArray(rule.when) ? rule.when : [];
  return [
    ...to.flatMap((t, j) => {
      const o = isPlainObject(t) && isPlainObject(t.operation) ? t.operation : {};
      return HTTP_OPERATION_FIELDS.filter((k) => isSet(o, k)).map((k) => `${path}.to[${j}].operation.${k}`);
    }),
    ...from.flatMap((f, j) => {
      const s = isPlainObject(f) && isPlainObject(f.source) ? f.source : {};
      return HTTP_SOURCE_FIELDS.filter((k) => isSet(s, k)).map((k) => `${path}.from[${j}].source.${k}`);
    }),
    ...when.flatMap((c, j) => (isPlainObject(c) && isHttpOnlyConditionKey(c.key) && hasValues(c) ? [`${path}.when[${j}] (${String(c.key)})`] : [])),
  ];
}

/** The rule at `path` of a policy with `action`, as the RBAC network filter of a TCP port enforces it. */
export function tcpChainRule(rule: unknown, action: 'ALLOW' | 'DENY' | 'CUSTOM', path: string): TcpChainRule {
  const omitted = httpOnlyAttributes(rule, path);
  if (omitted.length === 0 || !isPlainObject(rule)) return { kind: 'l4', rule: isPlainObject(rule) ? rule : {}, omitted: [] };
  if (action === 'ALLOW') {
    return {
      kind: 'never',
      why: `istiod skips this ALLOW rule on the TCP filter chain because it uses HTTP-only attributes (${omitted.join(', ')}): it matches no connection`,
    };
  }
  const reduced: Record<string, unknown> = { ...rule };
  if (Array.isArray(rule.to)) {
    reduced.to = rule.to.map((t: unknown) => (isPlainObject(t) && isPlainObject(t.operation)
      ? { ...t, operation: without(t.operation, HTTP_OPERATION_FIELDS) } : t));
  }
  if (Array.isArray(rule.from)) {
    reduced.from = rule.from.map((f: unknown) => (isPlainObject(f) && isPlainObject(f.source)
      ? { ...f, source: without(f.source, HTTP_SOURCE_FIELDS) } : f));
  }
  if (Array.isArray(rule.when)) reduced.when = rule.when.filter((c: unknown) => !(isPlainObject(c) && isHttpOnlyConditionKey(c.key)));
  return { kind: 'l4', rule: reduced, omitted };
}
