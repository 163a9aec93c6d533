import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshTierPods } from './mesh-tier-hops';
import { MeshKind } from '../../cluster/mesh';
import { IntentRule, PolicyIntent, ResolvedPeer, ResolvedPort } from '../../policy/intent';
import { Protocol } from '../../policy/protocol';
import { Direction, RuleAction } from '../../policy/rule';
import { TrafficPolicy } from '../../policy/traffic-policy';
import { linkerdPolicyTargetsServer } from '../../util/linkerd-policy-target';
import { hasLabels } from '../../util/vocabulary';

/** A tier's pods as the app emits them: the labels its pod templates carry. */
export interface EmittedTier extends MeshTierPods {
  /** Every label of the tier's pod template (the tier labels and the user's extra labels). */
  readonly templateLabels: Record<string, string>;
}

/** What the conflict check needs to know of the app (internal). */
export interface MeshTierConflictContext {
  readonly namespace: string;
  /** The namespace's labels as far as the app knows them (for cluster-wide policies). */
  readonly namespaceLabels: Record<string, string>;
  readonly meshKind: MeshKind;
  readonly meshName: string;
  /** The transport port (a twin rule on it comes with a rule judged on its own). */
  readonly transportPort: number;
  /** Linkerd: the admin ports the app keeps open to anyone. */
  readonly adminPorts: number[];
  readonly hops: ReadonlyArray<{ readonly from: EmittedTier; readonly to: EmittedTier }>;
  /** The app's own tier policies (they are what the authorization implements). */
  readonly own: ReadonlySet<TrafficPolicy>;
  /**
   * Linkerd: the namespace's default policy admits only clients in the cluster networks, which the
   * app's admin-port Servers do not know: a rule from an address block (or an entity) is refused even
   * on the kept ports.
   */
  readonly clusterNetworksOnly?: boolean;
  /** Linkerd: per destination tier, the app's Server on the tier port (it admits the source tier's identity only). */
  readonly tierServers?: Record<string, string>;
  /** The app's own mesh objects (its AuthorizationPolicies on those Servers). */
  readonly ownMeshObjects?: ReadonlySet<ApiObject>;
}

/** Does a namespaced policy of `namespace`, or a cluster-wide one whose namespace selector its labels satisfy, apply there? */
export function appliesToNamespace(intent: PolicyIntent, namespace: string, namespaceLabels: Record<string, string>): boolean {
  return intent.namespace === undefined
    ? hasLabels(namespaceLabels, intent.namespaceLabels)
    : intent.namespace === namespace;
}

/** Could the peer be a pod of `tier` (in `namespace`)? Set-based namespace requirements count as "could". */
function mayBeTier(peer: ResolvedPeer, tier: EmittedTier, namespace: string, namespaceLabels: Record<string, string>): boolean {
  switch (peer.type) {
    case 'pods': return peer.namespace === namespace && hasLabels(tier.templateLabels, peer.podLabels);
    case 'podsInNamespaces': return hasLabels(namespaceLabels, peer.namespaceLabels) && hasLabels(tier.templateLabels, peer.podLabels);
    default: return false;
  }
}

/**
 * Linkerd: the numeric ports on which a Server in the namespace (the app's own on the kept ports, or
 * a LinkerdAuthorization or MeshAuthorization flow's, or one written by hand) selects every pod of `tier`
 * (`matchLabels` only, no `matchExpressions`). Linkerd's default inbound policy applies only to ports
 * no Server describes (linkerd.io "Authorization Policy" reference, default policies), so the app's
 * `deny` does not refuse them: whom such a port admits is that Server's authorization, the user's.
 */
function describedPorts(root: IConstruct, namespace: string, tier: EmittedTier): number[] {
  const ports: number[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject) || c.kind !== 'Server' || c.metadata.namespace !== namespace
      || c.apiVersion.split('/')[0] !== 'policy.linkerd.io') continue;
    const spec = c.toJson().spec ?? {};
    const selector = spec.podSelector;
    if (typeof spec.port !== 'number' || typeof selector !== 'object' || selector === null || selector.matchExpressions !== undefined) continue;
    if (hasLabels(tier.templateLabels, selector.matchLabels ?? {})) ports.push(spec.port);
  }
  return ports;
}

/** Is the peer surely a pod of `tier` (every pod it selects carries the tier's labels, in `namespace`)? */
function isTier(peer: ResolvedPeer, tier: EmittedTier, namespace: string): boolean {
  return peer.type === 'pods' && peer.namespace === namespace && hasLabels(peer.podLabels, tier.podLabels);
}

/**
 * Linkerd: does a port-level AuthorizationPolicy other than the app's (a LinkerdAuthorization or
 * MeshAuthorization flow of the user's, or one written by hand) target the app's Server `server`, or
 * the namespace (`kind: Namespace`: every Server of the policy's namespace, linkerd.io "Authorization
 * Policy" reference)? Then the user names, in the mesh, who besides the source tier may reach the
 * tier port: the checks leave the NetworkPolicy allows of that port to that decision (the identities
 * are not matched to the allows' peers).
 */
function namedOnServer(root: IConstruct, namespace: string, server: string, own: ReadonlySet<ApiObject>): boolean {
  return root.node.findAll().some((c) => c instanceof ApiObject && !own.has(c) && linkerdPolicyTargetsServer(c, namespace, server));
}

/**
 * The TCP ports of a rule outside `kept` (what the mesh authorization refuses), as text; empty when
 * every TCP port of the rule is kept. Every port (no `ports`) or a TCP range is never kept. UDP and
 * SCTP pass by both meshes' proxies, which carry TCP only.
 */
function refusedPorts(rule: IntentRule, kept: number[]): string[] {
  if (rule.ports.length === 0) return ['every port'];
  const tcp = (p: ResolvedPort) => p.protocol === Protocol.TCP;
  return rule.ports.filter((p) => tcp(p) && (p.port === undefined || (p.endPort !== undefined && p.endPort !== p.port) || !kept.includes(p.port)))
    .map((p) => {
      if (p.port === undefined) return p.name !== undefined ? `TCP/${p.name}` : 'TCP (every port)';
      return p.endPort !== undefined && p.endPort !== p.port ? `TCP/${p.port}-${p.endPort}` : `TCP/${p.port}`;
    });
}

/**
 * The allows of the namespace that the app's mesh tier authorization would silently break: ingress
 * rules (of any TrafficPolicy but the app's own, in any chart of the app) to the pods of a destination
 * tier that the mesh now refuses. Under Linkerd (default inbound policy `deny` on the destination
 * tiers, a Server on the tier port admitting the source tier's identity only, Servers on the admin
 * ports): any rule opening another TCP port that no Server of someone else describes on the tier's
 * pods; any rule opening the tier port to peers not surely the source tier's pods, unless a flow of
 * the user's names callers on the app's Server (linkerdTierPortProblem); and, where the namespace's
 * policy is a `cluster-*` one, any rule from an address block to the admin ports.
 * Under Istio ambient (a DENY of the source tier's identity on the other ports): a rule whose
 * peers may be the source tier's pods, on a TCP port other than the tier port. Named ports count as
 * refused (the check does not resolve them).
 */
export function meshTierConflicts(root: IConstruct, c: MeshTierConflictContext): string[] {
  const problems: string[] = [];
  // Linkerd: the ports Servers describe on each destination tier, read once per tier (not once per policy and rule).
  const described = new Map<string, number[]>();
  const describedOf = (tier: EmittedTier): number[] => {
    const known = described.get(tier.tier);
    if (known) return known;
    const ports = describedPorts(root, c.namespace, tier);
    described.set(tier.tier, ports);
    return ports;
  };
  // Linkerd: whether a policy of the user's names callers on each of the app's Servers, read once per Server (not once per policy and rule).
  const named = new Map<string, boolean>();
  const namedOn = (server: string): boolean => {
    const known = named.get(server);
    if (known !== undefined) return known;
    const found = namedOnServer(root, c.namespace, server, c.ownMeshObjects ?? new Set());
    named.set(server, found);
    return found;
  };
  for (const construct of root.node.findAll()) {
    if (!(construct instanceof TrafficPolicy) || c.own.has(construct)) continue;
    const intent = construct._intent;
    if (!appliesToNamespace(intent, c.namespace, c.namespaceLabels)) continue;
    const rules = intent.rules.filter((r) => r.direction === Direction.INGRESS && r.action === RuleAction.ALLOW);
    for (const to of [...new Map(c.hops.map((h) => [h.to.tier, h.to])).values()]) {
      if (!hasLabels(to.templateLabels, intent.podLabels)) continue;
      for (const rule of rules) {
        let refused: string[] = [];
        let why = '';
        if (c.meshKind === MeshKind.LINKERD) {
          const tierPortProblem = linkerdTierPortProblem(c, construct, rule, to, namedOn);
          if (tierPortProblem) problems.push(tierPortProblem);
          const addressPeer = c.clusterNetworksOnly === true && rule.peers.some((p) => p.type === 'cidr' || p.type === 'entity');
          // The tier port from an address is the tier-port problem's; the admin ports' Servers drop the cluster-network condition.
          refused = addressPeer ? refusedPorts(rule, [to.port]) : refusedPorts(rule, [to.port, ...c.adminPorts, c.transportPort,
            ...describedOf(to)]);
          why = addressPeer
            ? `the ${to.tier} pods' admin-port Servers admit whom the namespace's default inbound policy admits without its cluster-network condition `
              + '(the cluster networks are not known here), so addresses outside them that the namespace refused would be admitted in the mesh'
            : `the ${to.tier} pods refuse, in the mesh, every port but ${to.port} and the proxy admin port (Linkerd default inbound policy deny), `
              + 'so the flow would be refused silently';
        } else {
          const sources = c.hops.filter((h) => h.to.tier === to.tier && rule.peers.some((p) => mayBeTier(p, h.from, c.namespace, c.namespaceLabels)));
          if (sources.length > 0) refused = refusedPorts(rule, [to.port, c.transportPort]);
          why = `the ${to.tier} pods refuse the ${sources.map((h) => h.from.tier).join(' and ')} identity every port but ${to.port} (an Istio DENY `
            + 'policy), so the flow would be refused silently';
        }
        if (refused.length === 0) continue;
        problems.push(`the policy '${intent.name}' (${construct.node.path}) allows ${rule.origin} to the ${to.tier} pods on ${refused.join(', ')}, but `
          + `under ${c.meshName} ${why}. Set meshTierAuthorization: false and authorize the tiers in the mesh yourself (MeshAuthorization flows `
          + 'with ports), or remove the allow');
      }
    }
  }
  return problems;
}

/**
 * Linkerd: the problem of a rule admitting others than the source tier to the tier port (an exact
 * TCP port: every port, ranges and named ports are refused as other ports). The app's Server there
 * admits the source tier's identity only, so the mesh would refuse them silently, unless the user
 * names callers on that Server with a port-level flow of their own (see namedOnServer).
 */
function linkerdTierPortProblem(c: MeshTierConflictContext, construct: TrafficPolicy, rule: IntentRule, to: EmittedTier,
  namedOn: (server: string) => boolean): string | undefined {
  const server = c.tierServers?.[to.tier];
  if (server === undefined) return undefined;
  const exact = (p: ResolvedPort) => p.protocol === Protocol.TCP && p.port === to.port && (p.endPort === undefined || p.endPort === p.port);
  if (!rule.ports.some(exact)) return undefined;
  const sources = c.hops.filter((h) => h.to.tier === to.tier).map((h) => h.from);
  if (rule.peers.every((p) => sources.some((from) => isTier(p, from, c.namespace)))) return undefined;
  if (namedOn(server)) return undefined;
  const tiers = sources.map((f) => f.tier).join(' and ');
  return `the policy '${construct._intent.name}' (${construct.node.path}) allows ${rule.origin} to the ${to.tier} pods on TCP/${to.port} from others `
    + `than the ${tiers} pods, but under ${c.meshName} the app's Server '${server}' on that port admits the ${tiers} identity only `
    + `(${sources.map((f) => f.serviceAccount).join(', ')}), so the mesh would refuse them silently. Name their mesh identities with a port-level `
    + `flow to the ${to.tier} pods on ${to.port} (LinkerdAuthorization or MeshAuthorization allowFlow(name, { from: [MeshSource.serviceAccount(...)], `
    + `to: app.podLabels(AppTier.${to.tier.toUpperCase()}), ports: [${to.port}] }): it joins the app's Server), set meshTierAuthorization: false and `
    + 'authorize the tiers in the mesh yourself, or remove the allow';
}
