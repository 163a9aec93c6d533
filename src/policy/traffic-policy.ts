import { isDeepStrictEqual } from 'util';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { isIpv4Mapped, validateCidrPeer } from './cidr-validation';
import { clusterDnsPeers } from './cluster-dns';
import { validateHttpMatches } from './http-validation';
import { IntentRule, PolicyIntent, ResolvedPeer, directionsIn, labelsOrShared, listOrShared } from './intent';
import { LabelExpression, LabelOperator } from './label-expression';
import { Peer } from './peer';
import { validatePorts } from './port-validation';
import { Protocol } from './protocol';
import { renderIntent } from './render/render';
import { Direction, RuleAction, TrafficRule } from './rule';
import { ClusterNetwork } from '../cluster/cluster-network';
import { ParsedCidr, cidrContainsCidr, cidrInFamily, parseCidr } from '../util/cidr';
import { assertNever, propError } from '../util/errors';
import {
  StructKeys, orDefault, requireArray, requireInstance,
  requireKnownKeys, requireObject, requireOptionalArray, requireOptionalStringArray, requireProps,
  requireString,
} from '../util/guards';
import { checkEnum, validateDnsLabel, validateDnsSubdomain, validateLabels } from '../util/validate';

/** Props of {@link TrafficPolicy}. */
export interface TrafficPolicyProps {
  /** `metadata.name` of the emitted object(s): stable and human-readable (e.g. `allow-dns`). */
  readonly name: string;
  /**
   * Namespace of the policy. Omit for a cluster-wide policy (needs a CNI with cluster-wide
   * policies: Calico, Cilium, or ClusterNetworkPolicy for denies).
   * @default - cluster-wide
   */
  readonly namespace?: string;
  /**
   * Labels of the pods the policy applies to.
   * @default - every pod (of the namespace, or of the selected namespaces when cluster-wide)
   */
  readonly podSelector?: { [key: string]: string };
  /**
   * Cluster-wide policies only: labels of the namespaces whose pods the policy applies to.
   * @default - every namespace
   */
  readonly namespaceSelector?: { [key: string]: string };
  /**
   * Directions to put into default deny for the selected pods, in addition to every direction
   * that has allow rules (an allow rule always isolates its direction, as in Kubernetes).
   * `[Direction.INGRESS, Direction.EGRESS]` with no rules is a default-deny-all policy.
   * @default - only the directions that have allow rules
   */
  readonly isolate?: Direction[];
  /**
   * Rules for traffic into the selected pods.
   * @default - none
   */
  readonly ingress?: TrafficRule[];
  /**
   * Rules for traffic out of the selected pods.
   * @default - none
   */
  readonly egress?: TrafficRule[];
  /**
   * Explicit precedence among policies (lower first). Needs a CNI with ordered policies (Calico).
   * @default - no explicit order: denies always win and allows add up
   */
  readonly precedence?: number;
  /**
   * Labels added to every emitted object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A CNI-neutral statement of which traffic the selected pods may send and receive.
 *
 * The policy states intent; the `ClusterNetwork`'s CNI decides the objects: a plain
 * networking.k8s.io/v1 NetworkPolicy wherever that is exact (the most portable form), and
 * projectcalico.org/v3, cilium.io/v2 or ClusterNetworkPolicy objects only where the intent needs
 * them (deny rules, cluster-wide scope, order, L7, FQDN, entities). An intent the CNI cannot
 * enforce is a synth error, never a silently weaker manifest.
 *
 * Semantics on every CNI: pods are in default deny for each isolated direction; allow rules add
 * up; a matching deny rule wins over every allow. Egress to CIDRs never includes the cloud
 * metadata service: its addresses are added to `except` automatically. A policy that allows DNS
 * names also denies the metadata addresses on every port, since a name can resolve to them.
 */
export class TrafficPolicy extends Construct {
  /** The objects emitted for this policy (escape hatch: `addJsonPatch` on them). */
  public readonly apiObjects: ApiObject[];
  /** The validated intent (internal). @internal */
  public readonly _intent: PolicyIntent;

  constructor(scope: Construct, id: string, props: TrafficPolicyProps) {
    super(scope, id);
    const p = requireKnownKeys(this, '', requireProps(this, props, false), POLICY_KEYS);
    const cluster = ClusterNetwork.of(this);
    this._intent = this.buildIntent(cluster, p);
    // A copy of exactly its length: the writers build the list with push(), and V8 gives a pushed-to
    // array room for 17 elements, kept for as long as the policy lives (see directionsIn in intent.ts).
    this.apiObjects = renderIntent(this, cluster, this._intent).slice();
  }

  private buildIntent(cluster: ClusterNetwork, props: TrafficPolicyProps): PolicyIntent {
    const name = validateDnsSubdomain(this, 'name', props.name);
    // A null namespace is a mistake, never "cluster-wide".
    const namespace = props.namespace === undefined ? undefined : validateDnsLabel(this, 'namespace', requireString(this, 'namespace', props.namespace));
    if (namespace !== undefined && props.namespaceSelector !== undefined) {
      throw propError(this, 'namespaceSelector', 'only applies to cluster-wide policies (omit namespace)');
    }
    const rules: IntentRule[] = [];
    const resolved: ResolvedPeers = { byPeer: new Map(), lists: [] };
    for (const direction of [Direction.INGRESS, Direction.EGRESS]) {
      const field = direction === Direction.INGRESS ? 'ingress' : 'egress';
      const list = requireOptionalArray(this, field, direction === Direction.INGRESS ? props.ingress : props.egress) ?? [];
      list.forEach((rule, i) => rules.push(this.buildRule(cluster, direction, rule, ruleOrigin(field, i), resolved, namespace)));
    }
    const metadataGuard = this.metadataDenyForNames(cluster, rules);
    if (metadataGuard !== undefined) rules.push(metadataGuard);
    const isolated = requireOptionalArray(this, 'isolate', props.isolate) ?? [];
    isolated.forEach((d, i) => checkEnum(this, `isolate[${i}]`, d, DIRECTIONS, 'a direction'));
    const isolate = new Set<Direction>(isolated);
    for (const r of rules) if (r.action === RuleAction.ALLOW) isolate.add(r.direction);
    if (rules.length === 0 && isolate.size === 0) {
      throw propError(this, 'ingress/egress/isolate', `policy '${name}' has no rules and isolates nothing: it would have no effect`);
    }
    if (props.precedence !== undefined && (typeof props.precedence !== 'number' || !Number.isFinite(props.precedence) || props.precedence < 0)) {
      throw propError(this, 'precedence', `${props.precedence} must be a non-negative number`);
    }
    return {
      name,
      namespace,
      podLabels: labelsOrShared(validateLabels(this, 'podSelector', props.podSelector)),
      namespaceLabels: labelsOrShared(validateLabels(this, 'namespaceSelector', props.namespaceSelector)),
      isolate: directionsIn((d) => isolate.has(d)),
      precedence: props.precedence,
      rules: rules.slice(),
      labels: labelsOrShared(validateLabels(this, 'labels', props.labels)),
    };
  }

  /**
   * A DNS name allows whatever addresses its answers hold, and whoever controls a record under an
   * allowed name or pattern can answer 169.254.169.254 (or a resolver can be made to): the metadata
   * service would be one lookup away. An intent with a name allow therefore also denies the
   * metadata CIDRs on every port (a deny wins over the name's allow), unless its own deny rules
   * already cover every one of them. The policy keeps the service out by itself, whether or not a
   * ZeroTrustNamespace's `deny-cloud-metadata` also selects its pods.
   */
  private metadataDenyForNames(cluster: ClusterNetwork, rules: IntentRule[]): IntentRule | undefined {
    const byName = rules.find((r) => r.direction === Direction.EGRESS && r.action === RuleAction.ALLOW && r.peers.some((p) => p.type === 'fqdn'));
    if (byName === undefined) return undefined;
    const denied = rules
      .filter((r) => r.direction === Direction.EGRESS && r.action === RuleAction.DENY && r.ports.length === 0)
      .flatMap((r) => r.peers)
      .flatMap((p) => (p.type === 'cidr' ? [{ block: parseCidr(p.cidr), except: p.except.map((e) => parseCidr(e)) }] : []));
    const covered = (m: ParsedCidr) => denied.some((d) => d.block.family === m.family && cidrContainsCidr(d.block, m)
      && !d.except.some((e) => e.family === m.family && (cidrContainsCidr(e, m) || cidrContainsCidr(m, e))));
    if (cluster.metadataCidrs.every((c) => covered(parseCidr(c)))) return undefined;
    // Every CNI that enforces names has denies (Cilium); were one without them added, rendering this
    // rule would fail on the missing capability: closed, never a name allow without the deny.
    return {
      direction: Direction.EGRESS,
      action: RuleAction.DENY,
      peers: cluster.metadataCidrs.map((cidr) => ({ type: 'cidr' as const, cidr, except: listOrShared<string>([]) })),
      ports: listOrShared([]),
      http: listOrShared([]),
      origin: 'egress (the metadata deny of DNS-name allows)',
    };
  }

  private buildRule(cluster: ClusterNetwork, direction: Direction, given: TrafficRule, origin: string, resolved: ResolvedPeers,
    namespace?: string): IntentRule {
    const rule = requireKnownKeys(this, origin, requireObject(this, origin, given), RULE_KEYS);
    const action = checkEnum(this, `${origin}.action`, orDefault(rule.action, RuleAction.ALLOW), ACTIONS, 'a rule action');
    const givenPeers = rule.peers === undefined ? [] : requireArray(this, `${origin}.peers`, rule.peers);
    if (givenPeers.length === 0) {
      throw propError(this, `${origin}.peers`, 'at least one peer is required (say Peer.allPods() or Peer.internet() explicitly for "anyone")');
    }
    const ports = validatePorts(this, `${origin}.ports`, rule.ports);
    const peers = givenPeers.flatMap((p, i) => {
      // A pods or namespaces peer resolves the same whatever the rule's direction and action (the
      // same checks, the same result): a peer given in several rules of the policy (a same-tenant
      // allow's ingress and egress, a guard rail's two denies) is resolved once, and its rules share
      // the result. Other kinds depend on direction or action (CIDR excepts, FQDN checks).
      const kind = p instanceof Peer ? p._spec.kind : undefined;
      if (kind !== 'pods' && kind !== 'namespaces') return this.resolvePeer(cluster, p, `${origin}.peers[${i}]`, direction, action, namespace);
      let list = resolved.byPeer.get(p);
      if (list === undefined) resolved.byPeer.set(p, list = this.resolvePeer(cluster, p, `${origin}.peers[${i}]`, direction, action, namespace));
      return list;
    });
    const http = validateHttpMatches(this, `${origin}.http`, rule.http);
    if (http.length > 0) {
      if (action === RuleAction.DENY) throw propError(this, `${origin}.http`, 'L7 rules cannot deny; deny at L3/L4 or allow only the HTTP requests you want');
      if (ports.length === 0) throw propError(this, `${origin}.http`, 'L7 rules need the ports they apply to');
      // rule.ports maps one to one onto the validated `ports`, protocols included.
      const notTcp = rule.ports!.find((p) => p.protocol !== Protocol.TCP);
      if (notTcp) {
        // Cilium rejects the policy: "L7 rules can only apply to TCP ... except for DNS rules"
        // (pkg/policy/api/rule_validation.go, PortRule.sanitize).
        throw propError(this, `${origin}.http`, `HTTP rules need TCP ports, got ${notTcp}`);
      }
      // Cilium applies `rules.http` to single ports, not to ranges (NETWORKING-FACTS, Cilium):
      // a range, or every port, would not get the L7 filtering the rule states.
      const range = rule.ports!.find((p) => p.endPort !== undefined || (p.number === undefined && p.name === undefined));
      if (range) throw propError(this, `${origin}.http`, `HTTP rules need single ports or named ports, not a range, got ${range}`);
      if (!cluster.cni.capabilities.l7) {
        throw propError(this, `${origin}.http`, `L7 HTTP rules cannot be enforced by CNI '${cluster.cni.name}' (capability 'l7' missing)`);
      }
    }
    // flatMap leaves room for 17 peers: kept with the intent, so copied to its length (directionsIn),
    // or the list of an earlier rule of the policy with the same peers.
    const same = resolved.lists.find((l) => l.length === peers.length && l.every((x, i) => x === peers[i]));
    const kept = same ?? peers.slice();
    if (same === undefined) resolved.lists.push(kept);
    return sharedRule(given, { direction, action, peers: kept, ports: listOrShared(ports), http: listOrShared(http), origin });
  }

  private buildExpression(e: LabelExpression, prop: string): LabelExpression {
    requireKnownKeys(this, prop, requireObject(this, prop, e), EXPRESSION_KEYS);
    validateLabels(this, `${prop}.key`, { [requireString(this, `${prop}.key`, e.key)]: '' });
    checkEnum(this, `${prop}.operator`, e.operator, OPERATORS, 'a label operator');
    const values = requireOptionalStringArray(this, `${prop}.values`, e.values) ?? [];
    const needsValues = e.operator === LabelOperator.IN || e.operator === LabelOperator.NOT_IN;
    if (needsValues && values.length === 0) throw propError(this, `${prop}.values`, `operator ${e.operator} needs at least one value`);
    if (!needsValues && values.length > 0) throw propError(this, `${prop}.values`, `operator ${e.operator} takes no values`);
    values.forEach((v, i) => validateLabels(this, `${prop}.values[${i}]`, { [e.key]: v }));
    return { key: e.key, operator: e.operator, values: [...values].sort() };
  }

  private resolvePeer(
    cluster: ClusterNetwork,
    peer: Peer,
    prop: string,
    direction: Direction,
    action: RuleAction,
    policyNamespace?: string,
  ): ResolvedPeer[] {
    // A look-alike object ({ kind: 'internet' }) would skip every check the factories make.
    const s = requireInstance(this, prop, peer, Peer, 'a Peer made by one of its factories (Peer.pods(...), Peer.internet(), ...)')._spec;
    switch (s.kind) {
      case 'pods': {
        const namespace = s.namespace === undefined ? policyNamespace : validateDnsLabel(this, `${prop}.namespace`, s.namespace);
        if (namespace === undefined) {
          throw propError(this, prop, `${peer} is relative to the policy's namespace, but this policy is cluster-wide: name the namespace or use Peer.namespaces()`);
        }
        return [{ type: 'pods', namespace, podLabels: labelsOrShared(validateLabels(this, `${prop}.labels`, s.podLabels)) }];
      }
      case 'namespaces':
        return [{
          type: 'podsInNamespaces',
          namespaceLabels: labelsOrShared(validateLabels(this, `${prop}.namespaceLabels`, s.namespaceLabels)),
          // Sorted (the expressions are ANDed, so order carries no meaning) so that reordering them
          // in the program does not change the output: GitOps diffs stay minimal.
          namespaceExpressions: listOrShared(sortExpressions((s.namespaceExpressions ?? []).map((e, i) => this.buildExpression(e, `${prop}.expressions[${i}]`)))),
          podLabels: labelsOrShared(validateLabels(this, `${prop}.podLabels`, s.podLabels)),
        }];
      case 'dns':
        return clusterDnsPeers(cluster);
      case 'gateway':
        if (cluster.gateway === undefined) {
          throw propError(this, prop, 'Peer.gateway() needs the gateway pods: declare ClusterNetwork gateway ({ namespace, podLabels })');
        }
        return [{ type: 'pods', namespace: cluster.gateway.namespace, podLabels: { ...(cluster.gateway.podLabels ?? {}) } }];
      case 'ingressController':
      case 'monitoring': {
        const pods = s.kind === 'monitoring' ? cluster.monitoring : cluster.ingressController;
        return [{ type: 'pods', namespace: pods.namespace, podLabels: { ...(pods.podLabels ?? {}) } }];
      }
      case 'internet':
        return this.resolveInternet(cluster, s.exceptPrivateRanges ?? true);
      case 'cidr':
        return [this.resolveCidr(cluster, s.cidr as string, s.except ?? [], prop, direction, action)];
      case 'kubeApiServer':
        if (cluster.cni.capabilities.entities) return [{ type: 'entity', entity: 'kube-apiserver' }];
        if (cluster.apiServerCidrs.length === 0) {
          throw propError(this, prop, `Peer.kubeApiServer() needs ClusterNetwork apiServerCidrs on CNI '${cluster.cni.name}' (it has no kube-apiserver entity)`);
        }
        return cluster.apiServerCidrs.map((cidr) => ({ type: 'cidr' as const, cidr, except: [] }));
      case 'fqdn': {
        if (direction !== Direction.EGRESS) throw propError(this, prop, 'FQDN peers only exist for egress');
        if (action === RuleAction.DENY) throw propError(this, prop, 'FQDN peers cannot be denied (Cilium has no FQDN deny)');
        if (!cluster.cni.capabilities.fqdn) {
          throw propError(this, prop, `${peer} cannot be enforced by CNI '${cluster.cni.name}' (capability 'fqdn' missing); use Cni.cilium() or a CIDR`);
        }
        const value = validateFqdn(this, prop, (s.fqdnName ?? s.fqdnPattern) as string, s.fqdnName === undefined);
        return [s.fqdnName !== undefined ? { type: 'fqdn', matchName: value } : { type: 'fqdn', matchPattern: value }];
      }
      default:
        return assertNever(s.kind, 'peer kind');
    }
  }

  /**
   * "The internet": every address of the cluster's IP families minus the metadata service, the
   * private ranges (unless asked otherwise) and the cluster's own pod and service CIDRs. Clusters
   * often use non-RFC 1918 ranges for pods or Services (100.64.0.0/10 on EKS custom networking or
   * GKE, or public ranges), and an ipBlock may match pod IPs on some CNIs (NETWORKING-FACTS
   * NetworkPolicy 6), so "internet" would otherwise open the cluster itself. CIDRs inside an
   * existing except (the RFC 1918 defaults) add nothing.
   */
  private resolveInternet(cluster: ClusterNetwork, exceptPrivateRanges: boolean): ResolvedPeer[] {
    // Worked out once per cluster and set of ranges (every tenant namespace asks for the same), keyed
    // by the ranges themselves: ClusterNetwork's arrays are public and could still change.
    const key = [exceptPrivateRanges, cluster.anyAddressCidrs, cluster.metadataCidrs, exceptPrivateRanges ? cluster.privateCidrs : [],
      cluster.podCidrs, cluster.serviceCidrs].join('|');
    let known = INTERNET.get(cluster);
    if (known === undefined) INTERNET.set(cluster, known = new Map());
    let peers = known.get(key);
    if (peers === undefined) known.set(key, peers = internetPeers(cluster, exceptPrivateRanges));
    return peers.map((p) => ({ type: 'cidr' as const, cidr: p.cidr, except: p.except }));
  }

  /**
   * Validate a CIDR peer (a CIDR of a family the cluster does not run can never match: a typo or a
   * wrong peer); for egress allows, add the metadata-service addresses it contains to
   * `except` (fail closed), and refuse a peer that is nothing but the metadata service.
   */
  private resolveCidr(cluster: ClusterNetwork, cidr: string, except: string[], prop: string, direction: Direction, action: RuleAction): ResolvedPeer {
    const { block, excepts } = validateCidrPeer(this, prop, cidr, except, cluster.ipFamilies);
    if (direction === Direction.EGRESS && action === RuleAction.ALLOW) {
      // ClusterNetwork validated its metadataCidrs already. Each is compared in the block's family:
      // `::ffff:169.254.169.254/128` is the IPv4 metadata address, reached over IPv4.
      for (const metadata of cluster.metadataCidrs.map((c) => parseCidr(c))) {
        const m = cidrInFamily(metadata, block.family);
        // An IPv4-mapped except is only valid inside an IPv4-mapped block (see isIpv4Mapped).
        if (m === undefined || (isIpv4Mapped(m) && !isIpv4Mapped(block))) continue;
        if (cidrContainsCidr(m, block)) {
          throw propError(this, `${prop}.cidr`, `${block.text} is the cloud metadata service (${metadata.text}), which is never reachable (credential theft)`);
        }
        if (cidrContainsCidr(block, m) && !excepts.some((e) => cidrContainsCidr(e, m))) excepts.push(m);
      }
    }
    return { type: 'cidr', cidr: block.text, except: excepts.map((e) => e.text) };
  }
}

/**
 * `ingress[2]`: where a rule came from (kept in its intent, for messages). The first few are one
 * string each for every policy, not one per rule (about 32 bytes each, kept as long as the app).
 */
function ruleOrigin(field: 'ingress' | 'egress', index: number): string {
  if (index >= ORIGINS_KEPT) return `${field}[${index}]`;
  const known = ORIGINS[field];
  return known[index] ??= `${field}[${index}]`;
}

const ORIGINS_KEPT = 16;
const ORIGINS: { readonly [field: string]: string[] } = { ingress: [], egress: [] };

/** The peers resolved so far while one policy's intent is built (see buildRule). */
interface ResolvedPeers {
  /** Pods and namespaces peers, by the given Peer. */
  readonly byPeer: Map<Peer, ResolvedPeer[]>;
  /** The rules' peer lists so far. */
  readonly lists: ResolvedPeer[][];
}

/** "The internet" on this cluster (see TrafficPolicy's resolveInternet). */
function internetPeers(cluster: ClusterNetwork, exceptPrivateRanges: boolean): Array<{ readonly cidr: string; readonly except: string[] }> {
  const fixed = [...cluster.metadataCidrs, ...(exceptPrivateRanges ? cluster.privateCidrs : [])].map((c) => parseCidr(c));
  const ownRanges = [...cluster.podCidrs, ...cluster.serviceCidrs].map((c) => parseCidr(c));
  return cluster.anyAddressCidrs.map((text) => {
    const whole = parseCidr(text);
    // `::/0` never gets an IPv4-mapped except (see isIpv4Mapped): those addresses are IPv4 on the
    // wire, excepted from 0.0.0.0/0.
    const except: ParsedCidr[] = fixed.filter((e) => e.family === whole.family && !isIpv4Mapped(e));
    for (const own of ownRanges) {
      if (own.family !== whole.family || own.prefix === 0) continue;
      if (!except.some((e) => cidrContainsCidr(e, own))) except.push(own);
    }
    return { cidr: whole.text, except: Object.freeze(except.map((e) => e.text)) as string[] };
  });
}


/** Per cluster: the internet peers by the ranges they were worked out from. */
const INTERNET = new WeakMap<ClusterNetwork, Map<string, Array<{ readonly cidr: string; readonly except: string[] }>>>();

/**
 * The rule built from a frozen given rule (the library's shared rules: the patterns' DNS allow, the
 * `deny-cloud-metadata` rule, a TenantIsolation's internet egress), as one object for every policy
 * it gives the same result in: `built` itself, or the equal rule an earlier policy built from the
 * same given rule. Built for every tenant namespace, the same DNS, metadata and internet rules were
 * about 0.3-0.4 KB of heap each per namespace, kept as long as the app. Intents are never changed
 * once built, so equal rules can be one object. Only frozen rules are remembered (one entry each):
 * a caller's own rule objects, often one per policy, would cost an entry for nothing.
 */
function sharedRule(given: TrafficRule, built: IntentRule): IntentRule {
  if (!Object.isFrozen(given)) return built;
  const last = SHARED_RULES.get(given);
  if (last !== undefined && isDeepStrictEqual(last, built)) return last;
  // Frozen: renderers share what they render from a frozen rule too (render/shared-rendering.ts).
  SHARED_RULES.set(given, Object.freeze(built));
  return built;
}

/** Per frozen given rule: the last intent rule built from it (see sharedRule). */
const SHARED_RULES = new WeakMap<TrafficRule, IntentRule>();

/** Label expressions in a canonical order: by key, then operator, then values. */
function sortExpressions(expressions: LabelExpression[]): LabelExpression[] {
  const keyOf = (e: LabelExpression) => [e.key, e.operator, ...(e.values ?? [])].join('\u0000');
  return [...expressions].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

const DIRECTIONS: string[] = Object.values(Direction);
const POLICY_KEYS: StructKeys<TrafficPolicyProps> = {
  name: true, namespace: true, podSelector: true, namespaceSelector: true, isolate: true, ingress: true, egress: true, precedence: true, labels: true,
};
const RULE_KEYS: StructKeys<TrafficRule> = { peers: true, ports: true, action: true, http: true };
const EXPRESSION_KEYS: StructKeys<LabelExpression> = { key: true, operator: true, values: true };
const ACTIONS: string[] = Object.values(RuleAction);
const OPERATORS: string[] = Object.values(LabelOperator);

/**
 * A Cilium `toFQDNs` matchName / matchPattern. The CRD patterns are `^([-a-zA-Z0-9_]+[.]?)+$`
 * (matchName) and `^([-a-zA-Z0-9_*]+[.]?)+$` (matchPattern), at most 255 characters (a trailing
 * "." is added by Cilium when missing); on top of that each label is at most 63 characters and
 * does not start with '-' (RFC 1123).
 */
function validateFqdn(scope: Construct, prop: string, value: string, pattern: boolean): string {
  const what = pattern ? 'DNS pattern' : 'DNS name';
  const crd = pattern ? /^([-a-zA-Z0-9_*]+[.]?)+$/ : /^([-a-zA-Z0-9_]+[.]?)+$/;
  requireString(scope, prop, value);
  const bad = (why: string) => propError(scope, prop, `'${value}' is not a valid ${what}: ${why}`);
  if (value.length === 0) throw bad('empty');
  if (value.length > 255) throw bad('longer than 255 characters');
  if (!crd.test(value)) throw bad(`only letters, digits, '-', '_'${pattern ? ", '*'" : ''} and non-empty labels separated by '.'`);
  // '*', '*.', '*.*' ... match every name (Cilium: '*' alone allows all domains): name the domain.
  if (pattern && /^[*.]+$/.test(value)) throw bad("it matches every DNS name; name the domain (e.g. '*.example.com'), or allow Peer.internet() explicitly");
  const labels = (value.endsWith('.') ? value.slice(0, -1) : value).split('.');
  for (const label of labels) {
    if (label.length > 63) throw bad(`label '${label}' is longer than 63 characters`);
    if (label.startsWith('-')) throw bad(`label '${label}' starts with '-'`);
  }
  return value;
}
