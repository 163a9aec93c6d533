/**
 * networking.k8s.io/v1 NetworkPolicy semantics, reusable by every CNI model (Calico and Cilium
 * both enforce Kubernetes NetworkPolicies alongside their own objects).
 *
 * Semantics: https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the API
 * reference https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 *
 * Rules match three-valued (see ../verdict): an `ipBlock` against a pod whose IP the manifests do not
 * state may or may not match (see ../addresses). Policies reach these functions only after
 * validation (../validation), so they read fields without type checks beyond `?? []`.
 */
import { AddressSet } from '../../util/address-set';
import { isServedNetworkPolicy, namespaceOf as vocabularyNamespaceOf } from '../../util/vocabulary';
import { blockOf, matchAddresses, unknownAddressWhy } from '../addresses';
import { Endpoint, L4Protocol, ManifestObject, NamespaceIndex, Reason, SideQuery, describeRef, refOf, namespaceLabelsOf, isPodNetworkEndpoint } from '../model';
import { LabelSelector, matchesLabelSelector } from '../selectors';
import { MAYBE, NO, Tri, YES } from '../verdict';

/**
 * A NetworkPolicy peer no endpoint matches (its podSelector requires a label `In` no values), for views of a
 * policy with some peers neutralized (../cilium/network-policies, ../cilium/np-requirements).
 */
export const MATCH_NOTHING_PEER = { podSelector: { matchExpressions: [{ key: 'cdk8s-networking.analysis/match-nothing', operator: 'In', values: [] }] } };

/** Is this object a networking.k8s.io/v1 NetworkPolicy? */
export function isNetworkPolicy(obj: ManifestObject): boolean {
  return isServedNetworkPolicy(obj);
}

/** One `ipBlock.cidr` or `ipBlock.except[k]` value of a NetworkPolicy, with its JSON path. */
export interface IpBlockCidr {
  /** The value as written (not necessarily a string). */
  readonly cidr: unknown;
  /** `spec.egress[0].to[1].ipBlock.cidr`, `...ipBlock.except[0]`. */
  readonly path: string;
}

/** Every `ipBlock.cidr` and `except` value of a NetworkPolicy's rules, in document order (ingress, then egress). */
export function ipBlockCidrs(np: ManifestObject): IpBlockCidr[] {
  const out: IpBlockCidr[] = [];
  const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
  for (const [direction, field] of [['ingress', 'from'], ['egress', 'to']] as const) {
    list(np.spec?.[direction]).forEach((rule, i) => {
      list(rule?.[field]).forEach((peer, j) => {
        const block = peer?.ipBlock;
        if (block === null || typeof block !== 'object' || Array.isArray(block)) return;
        const at = `spec.${direction}[${i}].${field}[${j}].ipBlock`;
        out.push({ cidr: block.cidr, path: `${at}.cidr` });
        list(block.except).forEach((cidr, k) => out.push({ cidr, path: `${at}.except[${k}]` }));
      });
    });
  }
  return out;
}

/**
 * The effective policyTypes: the explicit list, or `Ingress` plus `Egress` when the spec has at
 * least one egress rule. This mirrors the API server's defaulting (kubernetes
 * pkg/apis/networking/v1/defaults.go, `SetDefaults_NetworkPolicy`): with no policyTypes, the stored
 * list is `[Ingress]`, plus `Egress` only when `len(spec.egress) != 0`, so `egress: []` (or null)
 * leaves egress unrestricted.
 */
export function effectivePolicyTypes(np: ManifestObject): Array<'Ingress' | 'Egress'> {
  const explicit = np.spec?.policyTypes;
  if (Array.isArray(explicit) && explicit.length > 0) {
    const result: Array<'Ingress' | 'Egress'> = [];
    if (explicit.includes('Ingress')) result.push('Ingress');
    if (explicit.includes('Egress')) result.push('Egress');
    return result;
  }
  // Defaulting (see above): Ingress always, Egress only with a non-empty egress list.
  const egress = np.spec?.egress;
  return Array.isArray(egress) && egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** Namespace of a namespaced manifest (`default` when absent or empty, as kubectl applies it). */
export function namespaceOf(obj: ManifestObject): string {
  return vocabularyNamespaceOf(obj);
}

/**
 * Does `np` select `endpoint` (same namespace, podSelector matches; hostNetwork pods, nodes and
 * external endpoints are never selected)?
 */
export function selectsEndpoint(np: ManifestObject, endpoint: Endpoint): boolean {
  if (!isPodNetworkEndpoint(endpoint)) return false;
  if (endpoint.namespace !== namespaceOf(np)) return false;
  // podSelector is required by the API; an empty one selects every pod of the namespace.
  return matchesLabelSelector(np.spec?.podSelector ?? {}, endpoint.labels);
}

function rulesOf(np: ManifestObject, query: SideQuery): any[] {
  const rules = query.direction === 'ingress' ? np.spec?.ingress : np.spec?.egress;
  return Array.isArray(rules) ? rules : [];
}

/** Does rule `rule` of a policy selecting the subject match the query (peer and port)? */
function ruleTruth(np: ManifestObject, rule: any, query: SideQuery, namespaces: NamespaceIndex): Tri {
  if (!portsMatch(rule?.ports, query)) return NO;
  return peersMatch(np, query.direction === 'ingress' ? rule?.from : rule?.to, query.peer, namespaces);
}

/**
 * For a policy that selects `query.subject` and isolates `query.direction`: the index of the first
 * rule in `spec.ingress` / `spec.egress` that definitely allows the query (peer + port), or undefined.
 */
export function matchingRuleIndex(np: ManifestObject, query: SideQuery, namespaces: NamespaceIndex): number | undefined {
  const rules = rulesOf(np, query);
  for (let i = 0; i < rules.length; i++) {
    if (ruleTruth(np, rules[i], query, namespaces) === YES) return i;
  }
  return undefined;
}

/** Does some rule of `np` allow the query: YES, NO, or MAYBE (a rule may match, none surely does)? */
export function policyAllows(np: ManifestObject, query: SideQuery, namespaces: NamespaceIndex): Tri {
  let result: Tri = NO;
  for (const rule of rulesOf(np, query)) {
    const t = ruleTruth(np, rule, query, namespaces);
    if (t === YES) return YES;
    if (t === MAYBE) result = MAYBE;
  }
  return result;
}

/** A rule that may match, with its JSON path and why it is not known. */
export interface MaybeRule {
  readonly path: string;
  readonly why: string;
}

/** The rules of `np` that may (not surely) allow the query, with the reason for each. */
export function maybeRules(np: ManifestObject, query: SideQuery, namespaces: NamespaceIndex): MaybeRule[] {
  const out: MaybeRule[] = [];
  const rules = rulesOf(np, query);
  const field = query.direction === 'ingress' ? 'from' : 'to';
  const who = query.direction === 'ingress' ? 'source' : 'destination';
  for (let i = 0; i < rules.length; i++) {
    if (ruleTruth(np, rules[i], query, namespaces) !== MAYBE) continue;
    const peers: any[] = Array.isArray(rules[i]?.[field]) ? rules[i][field] : [];
    const blocks = peers.map((peer, j) => ({ peer, j })).filter(({ peer }) => peer?.ipBlock);
    const text = blocks.map(({ peer }) => {
      const except = Array.isArray(peer.ipBlock.except) && peer.ipBlock.except.length > 0 ? ` except ${peer.ipBlock.except.join(', ')}` : '';
      return `${peer.ipBlock.cidr}${except}`;
    }).join(' + ');
    out.push({
      path: blocks.length === 1 ? `spec.${query.direction}[${i}].${field}[${blocks[0].j}].ipBlock` : `spec.${query.direction}[${i}].${field}`,
      why: `ipBlock ${text} may or may not contain the ${who}'s address: ${unknownAddressWhy(query.peer)}`,
    });
  }
  return out;
}

/** The outcome of all Kubernetes NetworkPolicies on one side. */
export interface NetworkPolicyOutcome {
  /** At least one policy selects the subject for the direction. */
  readonly isolated: boolean;
  /** YES allowed (not isolated, or a rule allows), NO denied, MAYBE a rule may allow. */
  readonly outcome: Tri;
  /** `outcome === YES` (kept for callers that only need the definite answer). */
  readonly allowed: boolean;
  /** The allowing rules, or the isolating policies when nothing surely allows. */
  readonly reasons: Reason[];
  /** For MAYBE: the rules that may allow, with why (endpoint-independent). */
  readonly uncertain: string[];
}

/**
 * Evaluate all Kubernetes NetworkPolicies for one side: `isolated` is true when at least one
 * policy selects the subject for that direction; allowed when not isolated or some rule allows.
 * `reasons` name the allowing rule(s), or the isolating policies when nothing surely allowed.
 */
export function evaluateNetworkPolicies(
  policies: ManifestObject[],
  query: SideQuery,
  namespaces: NamespaceIndex,
): NetworkPolicyOutcome {
  const type = query.direction === 'ingress' ? 'Ingress' : 'Egress';
  // Filtering the pre-sorted list keeps the order of sorting the filtered one (both sorts are stable).
  const selecting = preparedPolicies(policies)
    .filter((p) => selectsEndpoint(p.np, query.subject) && p.types.includes(type))
    .map((p) => p.np);
  if (selecting.length === 0) {
    return {
      isolated: false,
      outcome: YES,
      allowed: true,
      reasons: [{ effect: 'default-allow', message: `no NetworkPolicy selects ${query.subject.name} for ${query.direction}` }],
      uncertain: [],
    };
  }
  const allows: Reason[] = [];
  const uncertain: string[] = [];
  for (const np of selecting) {
    const index = matchingRuleIndex(np, query, namespaces);
    if (index === undefined) {
      for (const m of maybeRules(np, query, namespaces)) uncertain.push(`${describeRef(refOf(np))} ${m.path}: ${m.why}`);
      continue;
    }
    const rule = `spec.${query.direction}[${index}]`;
    allows.push({
      object: refOf(np),
      rule,
      effect: 'allow',
      message: `${describeRef(refOf(np))} ${rule} allows ${describeQuery(query)}`,
    });
  }
  if (allows.length > 0) return { isolated: true, outcome: YES, allowed: true, reasons: allows, uncertain: [] };
  const outcome = uncertain.length > 0 ? MAYBE : NO;
  return {
    isolated: true,
    outcome,
    allowed: false,
    reasons: selecting.map((np) => ({
      object: refOf(np),
      effect: 'isolate' as const,
      message: `${describeRef(refOf(np))} isolates ${query.subject.name} for ${query.direction}`
        + ` and no rule ${outcome === MAYBE ? 'surely ' : ''}allows ${describeQuery(query)}`,
    })),
    uncertain,
  };
}

/** A NetworkPolicy with its effective policyTypes. */
interface PreparedPolicy {
  readonly np: ManifestObject;
  readonly types: Array<'Ingress' | 'Egress'>;
}

/** The prepared list per policies array, with the elements it was built from (to detect mutation). */
const PREPARED = new WeakMap<ManifestObject[], { source: ManifestObject[]; prepared: PreparedPolicy[] }>();

/**
 * The NetworkPolicies of `policies` sorted by `kind namespace/name`, with their policyTypes: built
 * once per array instead of once per query (models pass the same per-namespace arrays millions of
 * times). The cache entry is rebuilt when the array's elements changed since.
 */
function preparedPolicies(policies: ManifestObject[]): PreparedPolicy[] {
  const cached = PREPARED.get(policies);
  if (cached && cached.source.length === policies.length && cached.source.every((p, i) => p === policies[i])) {
    return cached.prepared;
  }
  const prepared = policies
    .filter(isNetworkPolicy)
    .map((np) => ({ np, ref: describeRef(refOf(np)) }))
    .sort((a, b) => a.ref.localeCompare(b.ref))
    .map(({ np }) => ({ np, types: effectivePolicyTypes(np) }));
  PREPARED.set(policies, { source: [...policies], prepared });
  return prepared;
}

/** `from peer to port` / `to peer on port` for messages. */
function describeQuery(query: SideQuery): string {
  const port = `${query.protocol}/${query.port}`;
  return query.direction === 'ingress' ? `from ${query.peer.name} on ${port}` : `to ${query.peer.name} on ${port}`;
}

/**
 * An absent or empty `from`/`to` matches every peer; otherwise any list item (OR). The ipBlock items
 * of one list count together: `0.0.0.0/0` and `::/0` as two items contain every address, although
 * neither does alone.
 */
function peersMatch(np: ManifestObject, peers: any[] | undefined, peer: Endpoint, namespaces: NamespaceIndex): Tri {
  if (!Array.isArray(peers) || peers.length === 0) return YES;
  let result: Tri = NO;
  let blocks = false;
  for (const p of peers) {
    if (p?.ipBlock) {
      blocks = true;
      continue;
    }
    if (peerMatches(np, p ?? {}, peer, namespaces) === YES) return YES;
  }
  if (blocks) result = matchAddresses(peer, ipBlocksOf(peers));
  return result;
}

const PEER_BLOCKS = new WeakMap<object, AddressSet>();

/** The addresses the ipBlock items of one `from`/`to` list cover together (each cidr minus its excepts). */
function ipBlocksOf(peers: any[]): AddressSet {
  let set = PEER_BLOCKS.get(peers);
  if (!set) {
    set = AddressSet.EMPTY;
    for (const p of peers) {
      if (!p?.ipBlock) continue;
      const except = Array.isArray(p.ipBlock.except) ? p.ipBlock.except : [];
      set = set.union(blockOf(p.ipBlock, [String(p.ipBlock.cidr ?? '')], except));
    }
    PEER_BLOCKS.set(peers, set);
  }
  return set;
}

/**
 * One NetworkPolicyPeer. podSelector alone = pods of the policy's namespace; namespaceSelector
 * alone = all pods of the selected namespaces; both = AND. hostNetwork pods, nodes and external
 * endpoints are only matched by ipBlock (NETWORKING-FACTS.md #8); an ipBlock matches by address
 * whatever the endpoint is (pods included: the upstream e2e suite expects an ipBlock of a pod's IP
 * to select the pod).
 */
export function peerMatches(np: ManifestObject, peer: any, endpoint: Endpoint, namespaces: NamespaceIndex): Tri {
  if (peer.ipBlock) {
    const except = Array.isArray(peer.ipBlock.except) ? peer.ipBlock.except : [];
    return matchAddresses(endpoint, blockOf(peer.ipBlock, [String(peer.ipBlock.cidr ?? '')], except));
  }
  const podSelector: LabelSelector | undefined = peer.podSelector ?? undefined;
  const namespaceSelector: LabelSelector | undefined = peer.namespaceSelector ?? undefined;
  // A peer with no field is rejected by the API server (validation drops the policy); fail closed.
  if (!podSelector && !namespaceSelector) return NO;
  if (!isPodNetworkEndpoint(endpoint) || endpoint.namespace === undefined) return NO;
  if (namespaceSelector) {
    if (!matchesLabelSelector(namespaceSelector, namespaceLabelsOf(endpoint, namespaces))) return NO;
  } else if (endpoint.namespace !== namespaceOf(np)) {
    return NO;
  }
  return podSelector && !matchesLabelSelector(podSelector, endpoint.labels) ? NO : YES;
}

/** An absent or empty `ports` matches every port; otherwise any item (OR). */
function portsMatch(ports: any[] | undefined, query: SideQuery): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p) => portMatches(p ?? {}, query));
}

/**
 * One NetworkPolicyPort: protocol defaults to TCP; an absent port matches all ports of the
 * protocol; `endPort` makes an inclusive range; a named port is resolved on the destination
 * pod's container ports with the same name and protocol.
 */
function portMatches(port: any, query: SideQuery): boolean {
  const protocol: L4Protocol = (port.protocol ?? 'TCP') as L4Protocol;
  if (protocol !== query.protocol) return false;
  if (port.port === undefined || port.port === null) return true;
  if (typeof port.port === 'string') {
    if (!isPodNetworkEndpoint(query.destination)) return false;
    return query.destination.namedPorts.some(
      (np) => np.name === port.port && np.protocol === protocol && np.port === query.port,
    );
  }
  const first = Number(port.port);
  const last = port.endPort !== undefined && port.endPort !== null ? Number(port.endPort) : first;
  return query.port >= first && query.port <= last;
}

/**
 * The label-based peer clauses (`from`/`to` items with a pod or namespace selector) of a set of
 * NetworkPolicies, for peer keys: `matched(endpoint)` lists the ids of the clauses that select the
 * endpoint, so endpoints selected by the same clauses share a key. Identical clauses (the same DNS
 * peer in every namespace) get one id; podSelector-only clauses are only tried on endpoints of
 * their policy's namespace. ipBlock items depend on the address alone, which base peer keys hold.
 */
export class NetworkPolicyPeerIndex {
  private readonly sameNamespace = new Map<string, Array<{ id: number; test: (e: Endpoint) => boolean }>>();
  private readonly anyNamespace: Array<{ id: number; test: (e: Endpoint) => boolean }> = [];

  constructor(policies: ManifestObject[], namespaces: NamespaceIndex) {
    const ids = new Map<string, number>();
    for (const np of policies) {
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = np.spec?.[direction];
        for (const rule of Array.isArray(rules) ? rules : []) {
          const peers = direction === 'ingress' ? rule?.from : rule?.to;
          for (const peer of Array.isArray(peers) ? peers : []) {
            if (!peer || peer.ipBlock || (!peer.podSelector && !peer.namespaceSelector)) continue;
            const ns = peer.namespaceSelector ? undefined : namespaceOf(np);
            const key = JSON.stringify([ns ?? '', peer.podSelector ?? null, peer.namespaceSelector ?? null]);
            if (ids.has(key)) continue;
            const clause = { id: ids.size, test: (e: Endpoint) => peerMatches(np, peer, e, namespaces) === YES };
            ids.set(key, clause.id);
            if (ns === undefined) {
              this.anyNamespace.push(clause);
            } else {
              const list = this.sameNamespace.get(ns) ?? [];
              list.push(clause);
              this.sameNamespace.set(ns, list);
            }
          }
        }
      }
    }
  }

  /** Ids of the clauses selecting `endpoint`, ascending within each group. */
  matched(endpoint: Endpoint): number[] {
    if (!isPodNetworkEndpoint(endpoint)) return [];
    const out: number[] = [];
    for (const c of this.sameNamespace.get(endpoint.namespace ?? '') ?? []) if (c.test(endpoint)) out.push(c.id);
    for (const c of this.anyNamespace) if (c.test(endpoint)) out.push(c.id);
    return out;
  }
}
