/**
 * networking.k8s.io/v1 NetworkPolicy semantics, reusable by every CNI model (Calico and Cilium
 * both enforce Kubernetes NetworkPolicies alongside their own objects).
 *
 * Semantics: https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the API
 * reference https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
 *
 * CONTRACT (signatures are fixed; other models import them):
 */
import { cidrContainsIp, parseCidrLoose, parseIpLoose } from '../../util/cidr';
import { Endpoint, L4Protocol, ManifestObject, NamespaceIndex, Reason, SideQuery, describeRef, refOf, namespaceLabelsOf, isPodNetworkEndpoint } from '../model';
import { LabelSelector, matchesLabelSelector } from '../selectors';

/** Is this object a networking.k8s.io/v1 NetworkPolicy? */
export function isNetworkPolicy(obj: ManifestObject): boolean {
  return obj.apiVersion === 'networking.k8s.io/v1' && obj.kind === 'NetworkPolicy';
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

/** Namespace of a namespaced manifest (`default` when absent, as kubectl applies it). */
export function namespaceOf(obj: ManifestObject): string {
  return obj.metadata?.namespace ?? 'default';
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

/**
 * For a policy that selects `query.subject` and isolates `query.direction`: the index of the first
 * rule in `spec.ingress` / `spec.egress` that allows the query (peer + port), or undefined.
 */
export function matchingRuleIndex(np: ManifestObject, query: SideQuery, namespaces: NamespaceIndex): number | undefined {
  const rules: any[] = (query.direction === 'ingress' ? np.spec?.ingress : np.spec?.egress) ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] ?? {};
    const peers: any[] | undefined = query.direction === 'ingress' ? rule.from : rule.to;
    if (!peersMatch(np, peers, query.peer, namespaces)) continue;
    if (!portsMatch(rule.ports, query)) continue;
    return i;
  }
  return undefined;
}

/**
 * Evaluate all Kubernetes NetworkPolicies for one side: `isolated` is true when at least one
 * policy selects the subject for that direction; `allowed` when not isolated or some rule allows.
 * `reasons` name the allowing rule(s), or the isolating policies when nothing allowed.
 */
export function evaluateNetworkPolicies(
  policies: ManifestObject[],
  query: SideQuery,
  namespaces: NamespaceIndex,
): { isolated: boolean; allowed: boolean; reasons: Reason[] } {
  const type = query.direction === 'ingress' ? 'Ingress' : 'Egress';
  // Filtering the pre-sorted list keeps the order of sorting the filtered one (both sorts are stable).
  const selecting = preparedPolicies(policies)
    .filter((p) => selectsEndpoint(p.np, query.subject) && p.types.includes(type))
    .map((p) => p.np);
  if (selecting.length === 0) {
    return {
      isolated: false,
      allowed: true,
      reasons: [{ effect: 'default-allow', message: `no NetworkPolicy selects ${query.subject.name} for ${query.direction}` }],
    };
  }
  const allows: Reason[] = [];
  for (const np of selecting) {
    const index = matchingRuleIndex(np, query, namespaces);
    if (index === undefined) continue;
    const rule = `spec.${query.direction}[${index}]`;
    allows.push({
      object: refOf(np),
      rule,
      effect: 'allow',
      message: `${describeRef(refOf(np))} ${rule} allows ${describeQuery(query)}`,
    });
  }
  if (allows.length > 0) return { isolated: true, allowed: true, reasons: allows };
  return {
    isolated: true,
    allowed: false,
    reasons: selecting.map((np) => ({
      object: refOf(np),
      effect: 'isolate' as const,
      message: `${describeRef(refOf(np))} isolates ${query.subject.name} for ${query.direction}`
        + ` and no rule allows ${describeQuery(query)}`,
    })),
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

/** An absent or empty `from`/`to` matches every peer; otherwise any list item (OR). */
function peersMatch(np: ManifestObject, peers: any[] | undefined, peer: Endpoint, namespaces: NamespaceIndex): boolean {
  if (peers === undefined || peers === null || peers.length === 0) return true;
  return peers.some((p) => peerMatches(np, p ?? {}, peer, namespaces));
}

/**
 * One NetworkPolicyPeer. podSelector alone = pods of the policy's namespace; namespaceSelector
 * alone = all pods of the selected namespaces; both = AND. hostNetwork pods, nodes and external
 * endpoints are only matched by ipBlock (NETWORKING-FACTS.md #8).
 */
function peerMatches(np: ManifestObject, peer: any, endpoint: Endpoint, namespaces: NamespaceIndex): boolean {
  if (peer.ipBlock) return ipBlockMatches(peer.ipBlock, endpoint);
  const podSelector: LabelSelector | undefined = peer.podSelector ?? undefined;
  const namespaceSelector: LabelSelector | undefined = peer.namespaceSelector ?? undefined;
  // A peer with no field is rejected by the API server; fail closed.
  if (!podSelector && !namespaceSelector) return false;
  if (!isPodNetworkEndpoint(endpoint) || endpoint.namespace === undefined) return false;
  if (namespaceSelector) {
    if (!matchesLabelSelector(namespaceSelector, namespaceLabelsOf(endpoint, namespaces))) return false;
  } else if (endpoint.namespace !== namespaceOf(np)) {
    return false;
  }
  return podSelector ? matchesLabelSelector(podSelector, endpoint.labels) : true;
}

/** ipBlock: the endpoint's IP is inside `cidr` and outside every `except`; no IP never matches. */
function ipBlockMatches(ipBlock: any, endpoint: Endpoint): boolean {
  if (!endpoint.ip) return false;
  const cidr = parseCidrLoose(String(ipBlock.cidr ?? ''));
  if (!cidr) return false;
  const ip = parseIpLoose(endpoint.ip);
  if (!ip) return false;
  if (!cidrContainsIp(cidr, ip)) return false;
  for (const text of ipBlock.except ?? []) {
    const except = parseCidrLoose(String(text));
    if (except && cidrContainsIp(except, ip)) return false;
  }
  return true;
}

/** An absent or empty `ports` matches every port; otherwise any item (OR). */
function portsMatch(ports: any[] | undefined, query: SideQuery): boolean {
  if (ports === undefined || ports === null || ports.length === 0) return true;
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
