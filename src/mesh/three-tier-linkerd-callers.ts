/**
 * Whom the user's own Linkerd AuthorizationPolicies on one of a meshed ThreeTierApp's tier-port
 * Servers admit (internal), for the checks of the source tier's pods (./three-tier-linkerd-sources).
 *
 * An AuthorizationPolicy targeting the Server (or `kind: Namespace`: every Server of its namespace;
 * ../util/linkerd-policy-target, the reading patterns/ shares) admits a client every one of its
 * `requiredAuthenticationRefs` authenticates (linkerd.io "Authorization Policy" reference): a
 * MeshTLSAuthentication by the client's identity (`identities`: exact, `*`, or `*.<suffix>`;
 * `identityRefs`: ServiceAccounts, or every account of a Namespace), a NetworkAuthentication by its
 * address (with or without an identity: not known here, counted as admitted). An authentication the
 * tree does not show, or a reference of another kind, counts as admitting everyone: the checks never
 * refuse what they cannot read.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { linkerdIdentity } from './mesh-identity';
import { linkerdPolicyTargetsServer } from '../util/linkerd-policy-target';
import { isPlainObject } from '../util/vocabulary';

/** Whom the user's policies on a Server admit. */
export interface NamedCallers {
  /** Does some policy admit a client with the Linkerd identity `identity` (a meshed client)? */
  readonly admitsIdentity: (identity: string) => boolean;
  /** Does some policy admit a client without a Linkerd identity (no MeshTLSAuthentication among its references)? */
  readonly admitsUnauthenticated: boolean;
}

/** Does a MeshTLSAuthentication's `identities` entry match `identity` (linkerd2 policy-controller IdentityMatch: exact or `*`-suffix)? */
function identityMatches(pattern: string, identity: string): boolean {
  if (pattern === '*') return true;
  return pattern.startsWith('*.') ? identity.endsWith(pattern.slice(1)) : pattern === identity;
}

/**
 * The policy.linkerd.io objects of the app, among `all` (the constructs of the tree, walked once per check), read by
 * {@link namedCallers} for each Server.
 */
export function linkerdPolicyObjects(all: readonly IConstruct[]): ApiObject[] {
  return all.filter((c): c is ApiObject => c instanceof ApiObject && c.apiVersion.split('/')[0] === 'policy.linkerd.io');
}

/**
 * The callers the user's AuthorizationPolicies (not in `own`) on the Server `server` of `namespace`
 * (or on the namespace) admit. `objects`: {@link linkerdPolicyObjects}. `suffix`: the identities'
 * suffix after `<account>.<namespace>.`.
 */
export function namedCallers(objects: readonly ApiObject[], namespace: string, server: string, own: ReadonlySet<ApiObject>,
  suffix: string): NamedCallers {
  const authentication = (kind: unknown, name: unknown, ns: unknown) => objects.find((o) => o.kind === kind && o.name === name
    && o.metadata.namespace === (typeof ns === 'string' ? ns : namespace));
  /** Per policy, per reference: identity -> admitted?, and whether it admits unauthenticated clients. */
  const policies: Array<Array<{ readonly identity: (id: string) => boolean; readonly unauthenticated: boolean }>> = [];
  for (const c of objects) {
    if (own.has(c) || !linkerdPolicyTargetsServer(c, namespace, server)) continue;
    const spec = c.toJson().spec ?? {};
    const refs: unknown[] = Array.isArray(spec.requiredAuthenticationRefs) ? spec.requiredAuthenticationRefs : [];
    policies.push(refs.map((ref) => {
      const r = isPlainObject(ref) ? ref : {};
      const auth = r.kind === 'MeshTLSAuthentication' || r.kind === 'NetworkAuthentication' ? authentication(r.kind, r.name, r.namespace) : undefined;
      if (r.kind === 'ServiceAccount') {
        const ns = typeof r.namespace === 'string' ? r.namespace : namespace;
        return { identity: (id: string) => id === linkerdIdentity(String(r.name), ns, suffix), unauthenticated: false };
      }
      if (!auth) return { identity: () => true, unauthenticated: true };
      const authSpec = auth.toJson().spec ?? {};
      if (auth.kind === 'NetworkAuthentication') return { identity: () => true, unauthenticated: true };
      const ids: unknown[] = Array.isArray(authSpec.identities) ? authSpec.identities : [];
      const idRefs: unknown[] = Array.isArray(authSpec.identityRefs) ? authSpec.identityRefs : [];
      const authNs = auth.metadata.namespace ?? namespace;
      return {
        identity: (id: string) => ids.some((p) => typeof p === 'string' && identityMatches(p, id)) || idRefs.some((i) => {
          if (!isPlainObject(i)) return false;
          const ns = typeof i.namespace === 'string' ? i.namespace : authNs;
          if (i.kind === 'ServiceAccount') return id === linkerdIdentity(String(i.name), ns, suffix);
          if (i.kind === 'Namespace') return id.endsWith(`.${String(i.name)}.${suffix}`);
          return true;
        }),
        unauthenticated: false,
      };
    }));
  }
  return {
    admitsIdentity: (id) => policies.some((refs) => refs.every((r) => r.identity(id))),
    admitsUnauthenticated: policies.some((refs) => refs.every((r) => r.unauthenticated)),
  };
}
