/**
 * Whether a Linkerd policy admits a client (internal), per the linkerd.io "Authorization Policy"
 * reference (edge-26.8 / 2.20 CRDs) and linkerd2's policy controller:
 *
 * - A default inbound policy or a Server's `accessPolicy` by name: `all-unauthenticated` (and `audit`)
 *   admit every client, `deny` none, `all-authenticated` meshed clients, `cluster-*` clients in the
 *   Helm value `clusterNetworks` (authenticated ones only for `cluster-authenticated`).
 * - An AuthorizationPolicy admits when ALL its `requiredAuthenticationRefs` match: MeshTLSAuthentication
 *   (`identities`: exact, `*`, or `*.suffix`; `identityRefs`: ServiceAccount, or Namespace),
 *   NetworkAuthentication (`networks[].cidr` minus `except`, against the client address) or a
 *   ServiceAccount directly. A policy or MeshTLSAuthentication Linkerd refuses (./linkerd-refs)
 *   authorizes nobody. Clients outside the mesh have no identity.
 */
import { LINKERD_DEFAULT_POLICIES, MeshFacts } from './facts';
import { addressIn } from './istio-values';
import { isLinkerdGroup, isLinkerdKind, refusedAuthentications } from './linkerd-refs';
import { isPlainObject, namespaceOf } from '../../util/vocabulary';
import { Endpoint, ManifestObject } from '../model';
import { and3, MAYBE, NO, Tri, YES } from '../verdict';

/** The client of a flow as Linkerd's inbound proxy sees it. */
export interface Client {
  readonly endpoint: Endpoint;
  /** The client's identity when it connects through its Linkerd proxy. */
  readonly identity?: string;
  /** `as web.shop.serviceaccount...` or `without a mesh identity (...)`. */
  readonly text: string;
}

/** Whether an authentication or policy admits the client, and why. */
export interface Judgement {
  readonly truth: Tri;
  readonly why: string;
}

/** A default inbound policy or Server accessPolicy for this client. */
export function policyJudgement(policy: string, client: Client, facts: MeshFacts): Judgement {
  const inCluster = () => addressIn(client.endpoint, facts.clusterNetworks);
  switch (policy) {
    case 'all-unauthenticated':
    case 'audit':
      return { truth: YES, why: 'it admits every client' };
    case 'deny':
      return { truth: NO, why: 'it admits no client' };
    case 'all-authenticated':
      return client.identity ? { truth: YES, why: 'it admits meshed clients' } : { truth: NO, why: `it admits meshed clients only, and ${client.endpoint.name} connects ${client.text}` };
    case 'cluster-authenticated':
    case 'cluster-unauthenticated': {
      if (policy === 'cluster-authenticated' && !client.identity) {
        return { truth: NO, why: `it admits meshed clients of the cluster only, and ${client.endpoint.name} connects ${client.text}` };
      }
      const hit = inCluster();
      const networks = `the cluster networks ${facts.clusterNetworks.join(', ')}`
        + `${facts.linkerdClusterNetworksGiven ? '' : ' (clusterNetworks, assumed to be Linkerd\'s install default)'}`;
      if (hit.truth === YES) return { truth: YES, why: `the client is in ${networks}` };
      if (hit.truth === NO) return { truth: NO, why: `the client is not in ${networks}` };
      return { truth: MAYBE, why: `whether the client is in ${networks} is not known: ${hit.why}` };
    }
    default:
      return { truth: MAYBE, why: `'${policy}' is not a Linkerd policy (${LINKERD_DEFAULT_POLICIES.join(', ')})` };
  }
}

/** ALL of the policy's required authentications must match the client. */
export function requiredAuthentications(policy: ManifestObject, client: Client, authentications: ReadonlyMap<string, ManifestObject>,
  identitySuffix: string): Judgement {
  const refs: unknown[] = Array.isArray(policy.spec?.requiredAuthenticationRefs) ? policy.spec.requiredAuthenticationRefs : [];
  if (refs.length === 0) return { truth: YES, why: 'it requires no authentication' };
  const refused = refusedAuthentications(refs);
  if (refused) return { truth: NO, why: `Linkerd's policy controller refuses the policy: ${refused}` };
  let truth: Tri = YES;
  const whys: string[] = [];
  refs.forEach((ref, i) => {
    const j = authentication(ref, namespaceOf(policy), client, `spec.requiredAuthenticationRefs[${i}]`, authentications, identitySuffix);
    truth = and3(truth, j.truth);
    whys.push(j.why);
  });
  return { truth, why: whys.join('; ') };
}

function authentication(ref: unknown, policyNamespace: string, client: Client, path: string, authentications: ReadonlyMap<string, ManifestObject>,
  identitySuffix: string): Judgement {
  if (!isPlainObject(ref)) return { truth: MAYBE, why: `${path} is not a reference` };
  // The canonical spelling of a kind Linkerd reads (it ignores case), else the kind as given.
  const kind = ['ServiceAccount', 'MeshTLSAuthentication', 'NetworkAuthentication'].find((k) => isLinkerdKind(ref.kind, k)) ?? String(ref.kind);
  const ns = typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : policyNamespace;
  const name = String(ref.name);
  if (kind === 'ServiceAccount') {
    const id = `${name}.${ns}.${identitySuffix}`;
    return client.identity === id ? { truth: YES, why: `the client is ServiceAccount ${ns}/${name}` }
      : { truth: NO, why: `it requires ServiceAccount ${ns}/${name}, and the client connects ${client.text}` };
  }
  const obj = authentications.get(`${kind}|${ns}|${name}`);
  const label = `${kind} ${ns}/${name}`;
  if (!obj) return { truth: MAYBE, why: `${label} is not in the manifests (without it Linkerd ignores the policy)` };
  if (kind === 'NetworkAuthentication') {
    const networks: any[] = Array.isArray(obj.spec?.networks) ? obj.spec.networks : [];
    let truth: Tri = NO;
    let unknown: string | undefined;
    for (const n of networks) {
      const inside = addressIn(client.endpoint, [String(n?.cidr)]);
      const excepted = Array.isArray(n?.except) && n.except.length > 0 ? addressIn(client.endpoint, n.except.map(String)) : { truth: NO as Tri };
      const t = and3(inside.truth, excepted.truth === YES ? NO : excepted.truth === NO ? YES : MAYBE);
      if (t === YES) return { truth: YES, why: `${label} admits the client's address (${String(n?.cidr)})` };
      if (t === MAYBE) {
        truth = MAYBE;
        unknown = inside.why ?? (excepted as { why?: string }).why;
      }
    }
    return truth === MAYBE ? { truth, why: `${label}: whether the client's address is in its networks is not known: ${unknown}` }
      : { truth: NO, why: `${label} does not admit the client's address` };
  }
  const identities: string[] = Array.isArray(obj.spec?.identities) ? obj.spec.identities.map(String) : [];
  const identityRefs: any[] = Array.isArray(obj.spec?.identityRefs) ? obj.spec.identityRefs : [];
  // linkerd2's policy controller refuses a MeshTLSAuthentication with an identityRefs kind other than
  // ServiceAccount or Namespace, or without any identity; a policy requiring it is then ignored.
  const badRef = identityRefs.find((r) => !isLinkerdGroup(r?.group, '') || (!isLinkerdKind(r?.kind, 'ServiceAccount') && !isLinkerdKind(r?.kind, 'Namespace')));
  if (badRef !== undefined || identities.length + identityRefs.length === 0) {
    return {
      truth: NO,
      why: `Linkerd's policy controller refuses ${label} (${badRef !== undefined ? `identityRefs kind ${String(badRef?.kind)}${isLinkerdGroup(badRef?.group, '') ? '' : ` of group ${String(badRef?.group)}`} is not supported`
        : 'it names no identity'}), and ignores the policies requiring it`,
    };
  }
  if (!client.identity) return { truth: NO, why: `${label} requires a mesh identity, and the client connects ${client.text}` };
  if (identities.some((p) => identityMatches(p, client.identity!))) {
    return { truth: YES, why: `${label} admits ${client.identity}` };
  }
  let unsure: string | undefined;
  for (const r of identityRefs) {
    const refNs = typeof r?.namespace === 'string' && r.namespace !== '' ? r.namespace : namespaceOf(obj);
    const isServiceAccount = isLinkerdKind(r?.kind, 'ServiceAccount');
    const isNamespace = isLinkerdKind(r?.kind, 'Namespace');
    if (isServiceAccount && r.name === undefined) {
      // The CRD reads a missing name as "every ServiceAccount of the namespace", but linkerd2's policy
      // controller builds the identity from the name, which it requires.
      unsure ??= `${label}: an identityRefs ServiceAccount without name is not evaluated (the CRD reads it as every ServiceAccount of `
        + `namespace ${refNs}; Linkerd's policy controller needs a name)`;
    } else if (isServiceAccount && r.name === client.endpoint.serviceAccount && refNs === client.endpoint.namespace) {
      return { truth: YES, why: `${label} admits ServiceAccount ${refNs}/${r.name}` };
    }
    if (isNamespace && r.name === client.endpoint.namespace) return { truth: YES, why: `${label} admits namespace ${r.name}` };
  }
  return unsure ? { truth: MAYBE, why: unsure } : { truth: NO, why: `${label} does not admit ${client.identity}` };
}

/** MeshTLSAuthentication `identities`: `*` is any meshed client, a `*.` prefix matches a domain, anything else exactly. */
function identityMatches(pattern: string, identity: string): boolean {
  if (pattern === '*') return true;
  return pattern.startsWith('*.') ? identity.endsWith(pattern.slice(1)) : pattern === identity;
}
