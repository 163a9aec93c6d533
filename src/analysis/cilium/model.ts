/**
 * The Cilium CNI model: CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and Kubernetes
 * NetworkPolicy, evaluated one side at a time as Cilium enforces them (egress at the source pod,
 * ingress at the destination pod).
 *
 * Decision order for one side (https://docs.cilium.io/en/stable/security/policy/deny/,
 * https://docs.cilium.io/en/stable/security/policy/intro/#endpoint-default-policy):
 * 1. any matching `ingressDeny`/`egressDeny` rule denies, whatever allows it (Cilium, clusterwide or
 *    Kubernetes policy);
 * 2. the endpoint is in default deny for the direction when a selecting Cilium rule asks for it
 *    (`enableDefaultDeny`, defaulting to "has rules") or a Kubernetes NetworkPolicy isolates it;
 * 3. in default deny, only traffic matched by some allow rule passes; otherwise everything passes.
 * L7 rules (HTTP, DNS, Kafka) on a matching allow restrict the allowed traffic even without default
 * deny, unless another matching allow for the same flow has no L7 rules (which adds an L7 allow-all;
 * the flow still passes the proxy, whose own handling then decides each request: ./proxy-redirect).
 * An allow that only may match the flow may add such an allow-all (or its own L7 rules): a request the
 * sure allows' L7 rules deny is then indeterminate, unless the proxy answers it itself.
 * One rule against a flow: ./rule-match; NetworkPolicies as Cilium enforces them: ./network-policies;
 * policies Cilium applies or rejects by version or agent flag: ./policy-conditions.
 */
import { ProxyPathConfig } from '../envoy-path';
import { L7Matcher } from '../http-request';
import { CidrGroupIndex } from './cidr-groups';
import { mergeAllowedL7, sameL7 } from './conditional-l7';
import { dnsProxyLookup } from './dns-proxy';
import { EgressNamedPorts } from './egress-named-ports';
import { ciliumPathConfig } from './http-normalize-path';
import { effectivePeerSelector, identityOf, selectorMatches, unfilteredIdentityOf } from './identity';
import { IdentityView, labelFilterNote } from './label-filter';
import { filteredNetworkPolicyPeerNotes, inClusterView, LOCAL_HOST_EGRESS_NOTE, networkPolicyEgressNames, viewQuery } from './network-policies';
import { ipBlockPeersOnly } from './np-requirements';
import { PeerContext, requirementsOf } from './peers';
import { CiliumPolicyIndex, CiliumRuleSet } from './policies';
import { conditionText, ConditionalPolicies, CONDITIONS } from './policy-conditions';
import { hasL7Rules, l7MatchersOf } from './ports';
import { MaybeAllow, maybeL7Matchers, ownRulesPassOf, proxyPassOf, RedirectingRule } from './proxy-redirect';
import { matchRule, PlannedRule, ruleLabel, ruleTruth } from './rule-match';
import { addressKey } from '../addresses';
import {
  effectivePolicyTypes,
  evaluateNetworkPolicies,
  isNetworkPolicy,
  namespaceOf,
  NetworkPolicyPeerIndex,
  policyAllows,
  selectsEndpoint,
} from '../kubernetes/network-policy';
import {
  AnnotatedCniModel, basePeerKey, describeRef, Direction, DirectionVerdict, Endpoint, ManifestObject, NamespaceIndex, namedPortsKey, ProxyPass,
  Reason, refOf, SideQuery, isPodNetworkEndpoint, sideVerdict,
} from '../model';
import { LabelSelector } from '../selectors';
import { MAYBE, NO, Tri, YES } from '../verdict';

interface RuleHit {
  readonly reason: Reason;
  /** L7 constraints of the matching toPorts entry; empty for a plain L3/L4 allow. */
  readonly l7: L7Matcher[];
  /** The rule's toPorts entries for the flow that redirect the port to a proxy (they have L7 rules). */
  readonly redirects: RedirectingRule[];
}

/** What decides one side for one subject, computed once per endpoint and direction (see `decide`). */
interface SidePlan {
  readonly denies: PlannedRule[];
  readonly allows: PlannedRule[];
  /** A selecting Cilium rule puts the subject into default deny. */
  readonly ciliumDefaultDeny: boolean;
  /** Positions (in the namespace's NetworkPolicy list) of the NetworkPolicies isolating the subject. */
  readonly networkPolicies: number[];
  /** Peer context for allow rules (their `fromRequires`/`toRequires`) and for deny rules (theirs). */
  readonly allowCtx: PeerContext;
  readonly denyCtx: PeerContext;
}

/** Cilium semantics over a set of manifests. */
export class CiliumModel implements AnnotatedCniModel {
  /** Caveats are reported per verdict (as `log` reasons), so there are no global notes. */
  readonly notes: string[] = [];
  private readonly index: CiliumPolicyIndex;
  private readonly networkPolicies = new Map<string, ManifestObject[]>();
  /** The same NetworkPolicies with ipBlock peers neutralized, for in-cluster peers (see inClusterView). */
  private readonly networkPoliciesInCluster = new Map<string, ManifestObject[]>();
  /** Directions in which a host policy (CCNP `nodeSelector`) may deny traffic of nodes. */
  private readonly hostPolicies: Record<Direction, string[]> = { ingress: [], egress: [] };
  private readonly selectedCache = new WeakMap<Endpoint, CiliumRuleSet[]>();
  private readonly planCache = new WeakMap<Endpoint, Partial<Record<Direction, SidePlan>>>();
  /** Stable numbers of rule sets and NetworkPolicies, for subject keys. */
  private readonly ids = new Map<object, number>();
  private readonly cidrGroups: CidrGroupIndex;
  private readonly npPeers: NetworkPolicyPeerIndex;
  /** How egress named ports resolve (see egress-named-ports.ts). */
  private readonly egressNames: EgressNamedPorts;
  /** Endpoints as Cilium identities see them, for NetworkPolicies (see label-filter.ts). */
  private readonly view: IdentityView;
  private peerSelectors?: LabelSelector[];
  /** How the L7 listener rewrites request paths (the agent's http-normalize-path). */
  private readonly paths: ProxyPathConfig;
  /**
   * Policies that Cilium applies or rejects depending on its version (fromRequires/toRequires, a CIDRSet
   * except wider than its cidr) or an
   * agent flag (fromNodes/toNodes), each with the model without them (which compares the other
   * conditions in turn): every combination must agree, or the side is indeterminate.
   */
  private readonly conditional: Array<ConditionalPolicies<CiliumModel>> = [];

  constructor(manifests: ManifestObject[], private readonly namespaces: NamespaceIndex) {
    this.index = new CiliumPolicyIndex(manifests);
    for (const { uses, condition } of CONDITIONS) {
      const objects = new Set(this.index.allRuleSets().filter((rs) => rs.rejected === undefined && uses(rs.rule)).map((rs) => rs.object));
      if (objects.size === 0) continue;
      this.conditional.push({
        objects,
        names: [...objects].map((o) => describeRef(refOf(o))).sort(),
        without: new CiliumModel(manifests.filter((o) => !objects.has(o)), namespaces),
        condition,
      });
    }
    this.cidrGroups = new CidrGroupIndex(manifests);
    this.paths = ciliumPathConfig(manifests);
    this.view = new IdentityView(namespaces);
    this.egressNames = new EgressNamedPorts(manifests);
    const nps: ManifestObject[] = [];
    for (const obj of manifests) {
      if (!isNetworkPolicy(obj)) continue;
      nps.push(obj);
      const ns = namespaceOf(obj);
      this.networkPolicies.set(ns, [...(this.networkPolicies.get(ns) ?? []), obj]);
      this.networkPoliciesInCluster.set(ns, [...(this.networkPoliciesInCluster.get(ns) ?? []), inClusterView(obj)]);
    }
    this.npPeers = new NetworkPolicyPeerIndex(nps, namespaces);
    for (const rs of this.index.hostRuleSets()) {
      for (const direction of ['ingress', 'egress'] as const) {
        const denies = rs.rule[direction === 'ingress' ? 'ingressDeny' : 'egressDeny'];
        if (rs.defaultDeny[direction] || (Array.isArray(denies) && denies.length > 0)) {
          this.hostPolicies[direction].push(`${ruleLabel(rs, rs.path)}`);
        }
      }
    }
  }

  /** Does any Cilium policy hold an L7 rule (`toPorts[].rules`)? Only then can a verdict carry L7 constraints. */
  hasL7Rules(): boolean {
    return this.index.hasL7Rules || this.conditional.some((c) => c.without.hasL7Rules());
  }

  /**
   * The outcome of {@link evaluate} without reasons, in the same order: a matching deny rule denies
   * (one that may match leaves the flow denied or indeterminate); host-to-endpoint ingress is
   * allowed; without default deny (Cilium or NetworkPolicy) everything is allowed; otherwise some
   * Cilium allow rule or isolating NetworkPolicy rule must match.
   */
  decide(q: SideQuery): Tri {
    const outcome = this.decideHere(q);
    return this.conditional.every((c) => c.without.decide(q) === outcome) ? outcome : MAYBE;
  }

  private decideHere(q: SideQuery): Tri {
    if (!isPodNetworkEndpoint(q.subject)) return this.nodeSide(q) === undefined ? YES : MAYBE;
    const plan = this.plan(q.subject, q.direction);
    let deny: Tri = NO;
    for (const r of plan.denies) {
      const t = ruleTruth(r, q, plan.denyCtx, false, this.egressNamesFor(q.direction));
      if (t === YES) return NO;
      if (t === MAYBE) deny = MAYBE;
    }
    const allow = this.allowTruth(q, plan);
    return deny === MAYBE ? (allow === NO ? NO : MAYBE) : allow;
  }

  private allowTruth(q: SideQuery, plan: SidePlan): Tri {
    // Managed pods carry only `k8s:` identity labels, so only other peers can be the local host.
    if (q.direction === 'ingress' && !isPodNetworkEndpoint(q.peer) && 'reserved:host' in identityOf(q.peer)) return YES;
    if (!plan.ciliumDefaultDeny && plan.networkPolicies.length === 0) return YES;
    let result: Tri = NO;
    for (const r of plan.allows) {
      const t = ruleTruth(r, q, plan.allowCtx, true, this.egressNamesFor(q.direction));
      if (t === YES) return YES;
      if (t === MAYBE) result = MAYBE;
    }
    if (plan.networkPolicies.length === 0) return result;
    const nps = this.networkPoliciesFor(q, plan);
    for (const i of plan.networkPolicies) {
      const t = policyAllows(nps[i], viewQuery(q, this.view), this.namespaces);
      if (t === YES) return YES;
      if (t === MAYBE) result = MAYBE;
    }
    if (result === NO
      && networkPolicyEgressNames(this.egressNames, this.view, this.namespaces, q, plan.networkPolicies.map((i) => nps[i])).length > 0) return MAYBE;
    return result;
  }

  /**
   * Node and hostNetwork subjects are policed only by host policies (CiliumClusterwideNetworkPolicy
   * with `nodeSelector`), which select nodes by labels the manifests do not hold: when one could deny
   * this flow (a deny rule that may match it, or default deny that no host allow rule surely lifts),
   * the side is indeterminate. Returns why, or undefined when no host policy can deny it.
   */
  private nodeSide(q: SideQuery): string | undefined {
    if (q.subject.kind === 'external' || this.hostPolicies[q.direction].length === 0) return undefined;
    const ctx: PeerContext = { dnsProxy: () => ({ ok: false, message: 'host policies have no DNS proxy' }), cidrGroups: this.cidrGroups, requires: [] };
    const sets = this.index.hostRuleSets();
    const rulesOf = (rs: CiliumRuleSet, field: string): PlannedRule[] =>
      (Array.isArray(rs.rule[field]) ? rs.rule[field] : []).map((rule: any) => ({ rs, rule }));
    const denyField = q.direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
    const mayDeny = sets.some((rs) => rulesOf(rs, denyField).some((r) => ruleTruth(r, q, ctx, false, this.egressNamesFor(q.direction)) !== NO));
    const surelyAllowed = sets.some((rs) => rulesOf(rs, q.direction)
      .some((r) => ruleTruth(r, q, ctx, true, this.egressNamesFor(q.direction)) === YES));
    const isolating = sets.some((rs) => rs.defaultDeny[q.direction]);
    if (!mayDeny && (!isolating || surelyAllowed)) return undefined;
    return `host policies (${this.hostPolicies[q.direction].join(', ')}) select nodes by node labels, which the manifests do not hold, `
      + `and may deny ${q.direction} of nodes and hostNetwork pods here`;
  }

  /**
   * Equal keys mean equal verdicts for every peer and port. Besides the peer and the port, a verdict
   * only depends on which Cilium rule sets select the subject (their rules, requirements, policy
   * namespace for implicit peer namespaces, and DNS proxy rules for toFQDNs), which NetworkPolicies
   * isolate it for the direction, and on the destination's named ports (ingress: the subject is the
   * destination). The subject's own labels never appear in rule matching otherwise. Without deny
   * rules and without default deny the subject is allowed whatever the peer: the empty key.
   */
  subjectKey(subject: Endpoint, direction: Direction): string {
    const key = this.subjectKeyHere(subject, direction);
    if (this.conditional.length === 0) return key;
    const others = this.conditional.map((c) => c.without.subjectKey(subject, direction));
    return key === '' && others.every((o) => o === '') ? '' : JSON.stringify([key, ...others]);
  }

  private subjectKeyHere(subject: Endpoint, direction: Direction): string {
    if (!isPodNetworkEndpoint(subject)) return '';
    const plan = this.plan(subject, direction);
    if (plan.denies.length === 0 && !plan.ciliumDefaultDeny && plan.networkPolicies.length === 0) return '';
    const nps = this.networkPolicies.get(subject.namespace ?? 'default') ?? [];
    const parts: unknown[] = [
      this.selectedRuleSets(subject).map((rs) => this.idOf(rs)),
      plan.networkPolicies.map((i) => this.idOf(nps[i])),
    ];
    if (direction === 'ingress') parts.push(namedPortsKey(subject));
    return JSON.stringify(parts);
  }

  /**
   * Equal keys mean equal outcomes as a peer: which peer selectors of every Cilium rule (endpoint
   * selectors with their implicit namespaces, requirements) and which NetworkPolicy peer clauses
   * select it, its kind, reserved labels, addresses and DNS name, and (egress) its named ports.
   */
  peerKey(peer: Endpoint, direction: Direction): string {
    const key = this.peerKeyHere(peer, direction);
    return [key, ...this.conditional.map((c) => c.without.peerKey(peer, direction))].join('|');
  }

  private peerKeyHere(peer: Endpoint, direction: Direction): string {
    const identity = identityOf(peer);
    const bits = this.allPeerSelectors().map((sel) => (selectorMatches(sel, identity) ? '1' : '0')).join('');
    const ports = direction === 'egress' ? namedPortsKey(peer).join(',') : '';
    return `${basePeerKey(peer, addressKey(peer))}|${bits}|${this.npPeers.matched(this.view.of(peer)).join(',')}|${ports}`;
  }

  /** Every distinct effective peer selector and requirement of the Cilium rules. */
  private allPeerSelectors(): LabelSelector[] {
    if (this.peerSelectors) return this.peerSelectors;
    const seen = new Map<string, LabelSelector>();
    for (const rs of this.index.allRuleSets()) {
      for (const field of ['ingress', 'ingressDeny', 'egress', 'egressDeny']) {
        const rules = Array.isArray(rs.rule[field]) ? rs.rule[field] : [];
        const direction: Direction = field.startsWith('ingress') ? 'ingress' : 'egress';
        const pfx = direction === 'ingress' ? 'from' : 'to';
        for (const rule of rules) {
          const selectors = [
            ...(Array.isArray(rule?.[`${pfx}Endpoints`]) ? rule[`${pfx}Endpoints`] : []).map((e: any) => effectivePeerSelector(e, rs.namespace)),
            ...requirementsOf(rule, direction, rs.namespace),
          ];
          for (const sel of selectors) seen.set(JSON.stringify(sel), sel);
        }
      }
    }
    return this.peerSelectors = [...seen.values()];
  }

  private idOf(obj: object): number {
    let id = this.ids.get(obj);
    if (id === undefined) this.ids.set(obj, id = this.ids.size);
    return id;
  }

  private plan(subject: Endpoint, direction: Direction): SidePlan {
    let perDirection = this.planCache.get(subject);
    if (!perDirection) this.planCache.set(subject, perDirection = {});
    let plan = perDirection[direction];
    if (!plan) {
      const selected = this.selectedRuleSets(subject);
      const rulesOf = (field: string): PlannedRule[] => selected.flatMap(
        (rs) => (Array.isArray(rs.rule[field]) ? rs.rule[field] : []).map((rule: any) => ({ rs, rule })));
      const type = direction === 'ingress' ? 'Ingress' : 'Egress';
      const networkPolicies: number[] = [];
      (this.networkPolicies.get(subject.namespace ?? 'default') ?? []).forEach((np, i) => {
        if (effectivePolicyTypes(np).includes(type) && selectsEndpoint(np, this.view.of(subject))) networkPolicies.push(i);
      });
      const denies = rulesOf(direction === 'ingress' ? 'ingressDeny' : 'egressDeny');
      const allows = rulesOf(direction);
      const dnsProxy = dnsProxyLookup(selected);
      plan = {
        denies,
        allows,
        ciliumDefaultDeny: selected.some((rs) => rs.defaultDeny[direction]),
        networkPolicies,
        allowCtx: { dnsProxy, cidrGroups: this.cidrGroups, requires: allows.flatMap((r) => requirementsOf(r.rule, direction, r.rs.namespace)) },
        denyCtx: { dnsProxy, cidrGroups: this.cidrGroups, requires: denies.flatMap((r) => requirementsOf(r.rule, direction, r.rs.namespace)) },
      };
      perDirection[direction] = plan;
    }
    return plan;
  }

  /**
   * Evaluate one side of a flow. Where policies use `fromRequires`/`toRequires` (applied by Cilium
   * 1.18, rejected by 1.19+) or `fromNodes`/`toNodes` (applied only with enable-node-selector-labels),
   * the outcomes with and without them must agree, or the side is indeterminate.
   */
  evaluate(q: SideQuery): DirectionVerdict {
    const verdict = this.evaluateHere(q);
    if (this.conditional.length === 0) return verdict;
    const all = this.conditional.map((c) => ({ c, other: c.without.evaluate(q) }));
    const others = all.filter(({ other }) => other.outcome !== verdict.outcome);
    if (others.length === 0) {
      // Allowed alike at L3/L4: requests may still be judged differently (see conditional-l7.ts).
      const differing = all.filter(({ other }) => !sameL7(verdict, other));
      if (verdict.outcome !== YES || differing.length === 0) return verdict;
      return mergeAllowedL7([verdict, ...all.map(({ other }) => other)],
        conditionText(this.selectedRuleSets(q.subject), differing.map(({ c }) => c)));
    }
    const parts = others.map(({ c }) => conditionText(this.selectedRuleSets(q.subject), [c]));
    const why = parts.length === 1
      ? `${parts[0]}: the two give different verdicts here`
      : `${parts.join('; ')}: the verdicts with and without them differ here`;
    const uncertain = [why, ...(verdict.uncertain ?? []), ...others.flatMap(({ other }) => other.uncertain ?? [])];
    return sideVerdict(MAYBE, verdict.reasons, [...new Set(uncertain)]);
  }

  private evaluateHere(q: SideQuery): DirectionVerdict {
    if (!isPodNetworkEndpoint(q.subject)) {
      const host = this.nodeSide(q);
      return sideVerdict(host ? MAYBE : YES, [{
        effect: 'default-allow',
        message: `${q.subject.name} is not a Cilium-managed pod endpoint: pod policies do not apply to its ${q.direction}`,
      }], host ? [host] : []);
    }
    const selected = this.selectedRuleSets(q.subject);
    const plan = this.plan(q.subject, q.direction);
    // Notes on rules that could not be fully evaluated: deny-rule notes matter for every verdict,
    // allow-rule notes only explain a denial.
    const denyNotes: string[] = [];
    const allowNotes: string[] = [];
    const denies: Reason[] = [];
    const maybeDenies: string[] = [];
    const allows: RuleHit[] = [];
    const maybeAllows: string[] = [];
    /** Allow rules with L7 rules that may match: the flow may go through the proxy. */
    const maybeRedirects: RedirectingRule[] = [];
    /** Allow rules that may match, with their L7 matchers: they may admit requests the sure allows' L7 rules do not. */
    const maybeHits: MaybeAllow[] = [];
    const isolators: Reason[] = [];
    // A policy Cilium rejects enforces nothing, but whoever wrote it expects it to: always say so.
    for (const rs of this.rejectedSelecting(q.subject)) {
      denyNotes.push(`${describeRef(refOf(rs.object))} selects ${q.subject.name} but Cilium rejects it (${rs.rejected}): it enforces nothing`);
    }
    denyNotes.push(...this.filteredSubjectNotes(q));

    for (const rs of selected) {
      const denyField = q.direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
      const rules: any[] = Array.isArray(rs.rule[denyField]) ? rs.rule[denyField] : [];
      rules.forEach((rule, i) => {
        const path = `${rs.path}.${denyField}[${i}]`;
        const hit = matchRule(rs, rule, q, plan.denyCtx, denyNotes, path, false, this.egressNamesFor(q.direction));
        if (hit?.truth === MAYBE) maybeDenies.push(...hit.why.map((w) => `${ruleLabel(rs, path)} (deny): ${w}`));
        if (hit?.truth === YES) {
          denies.push({
            object: refOf(rs.object),
            rule: path,
            effect: 'deny',
            message: `${ruleLabel(rs, path)} denies ${q.direction} ${this.flowText(q)} (${hit.via}); deny rules win over every allow`,
          });
        }
      });
      const allowRules: any[] = Array.isArray(rs.rule[q.direction]) ? rs.rule[q.direction] : [];
      allowRules.forEach((rule, i) => {
        const path = `${rs.path}.${q.direction}[${i}]`;
        const hit = matchRule(rs, rule, q, plan.allowCtx, allowNotes, path, true, this.egressNamesFor(q.direction));
        const label = ruleLabel(rs, path);
        // Every toPorts entry for the flow counts: Cilium merges them for the rule's peers (see portRulesFor).
        const entries = hit?.portRules ?? [];
        const redirects = entries.filter(hasL7Rules).map((portRule) => ({ label, portRule }));
        // An entry without L7 rules adds the allow-all L7 rule (an L3/L4 allow), so L7 rules restrict the flow only when every entry has them.
        const l7Only = entries.length > 0 && redirects.length === entries.length;
        const ownL7 = () => entries.flatMap((portRule) => l7MatchersOf(portRule, ` (${label})`, this.paths));
        if (hit?.truth === MAYBE) {
          maybeAllows.push(...hit.why.map((w) => `${label}: ${w}`));
          maybeRedirects.push(...redirects);
          maybeHits.push({ why: hit.why.map((w) => `${label}: ${w}`).join('; '), ...(l7Only ? { matchers: ownL7() } : {}) });
        }
        if (hit?.truth !== YES) return;
        // Entries of this rule that only may match the flow: each may add its L7 rules, or the allow-all rule, and may redirect.
        for (const { rule: portRule, why } of hit.maybePortRules ?? []) {
          const l7Entry = hasL7Rules(portRule);
          if (l7Entry) maybeRedirects.push({ label, portRule });
          maybeHits.push({ why: `${label}: ${why}`, ...(l7Entry ? { matchers: l7MatchersOf(portRule, ` (${label})`, this.paths) } : {}) });
        }
        const l7 = l7Only ? ownL7() : [];
        allows.push({
          reason: {
            object: refOf(rs.object),
            rule: path,
            effect: 'allow',
            message: `${ruleLabel(rs, path)} allows ${q.direction} ${this.flowText(q)} via ${hit.via}`,
          },
          l7,
          redirects,
        });
      });
      if (rs.defaultDeny[q.direction]) {
        const why = typeof rs.rule.enableDefaultDeny?.[q.direction] === 'boolean'
          ? `enableDefaultDeny.${q.direction}: true`
          : `it has ${q.direction} rules`;
        isolators.push({
          object: refOf(rs.object),
          rule: rs.path,
          effect: 'isolate',
          message: `${ruleLabel(rs, rs.path)} selects ${q.subject.name} and puts its ${q.direction} into default deny (${why})`,
        });
      }
    }

    const toReasons = (notes: string[]): Reason[] =>
      [...new Set(notes)].map((m) => ({ effect: 'log' as const, message: `note: ${m}` }));
    const noteReasons = toReasons(denyNotes);
    if (denies.length > 0) return sideVerdict(NO, [...denies, ...noteReasons]);

    // The allow side (what the flow gets if no deny rule matches), then may-match deny rules on top.
    // `mayAlso`: L7 matchers of allows that only may match, judged with `l7` but not shown as constraints.
    const finish = (allow: Tri, reasons: Reason[], uncertain: string[], l7?: L7Matcher[], proxy?: ProxyPass,
      mayAlso: L7Matcher[] = []): DirectionVerdict => {
      if (maybeDenies.length === 0 || allow === NO) {
        return sideVerdict(allow, reasons, allow === MAYBE ? uncertain : [], l7?.map((m) => m.text), l7 && [...l7, ...mayAlso],
          allow === YES ? proxy : undefined);
      }
      return sideVerdict(MAYBE, reasons, [...maybeDenies, ...(allow === MAYBE ? uncertain : [])]);
    };

    // "Kubernetes will automatically allow all communication from the local host of all local
    // endpoints" unless the agent runs with --allow-localhost=policy
    // (https://docs.cilium.io/en/stable/security/policy/language/#access-to-from-local-host). Deny
    // rules still win: their policy-map entries take precedence over allows.
    // A flow admitted without L7 constraints still passes the proxy when an L7 allow selects the peer
    // (see ./proxy-redirect); Cilium wildcards the host at L7 the same way (l4.go createL4IngressFilter).
    const redirects = (): ProxyPass | undefined =>
      proxyPassOf(allows.flatMap((a) => a.redirects), maybeRedirects, q, this.paths);
    if (q.direction === 'ingress' && 'reserved:host' in identityOf(q.peer)) {
      return finish(YES, [{
        effect: 'default-allow',
        message: `${q.peer.name} is the local host of ${q.subject.name}: Cilium always allows host-to-endpoint ingress `
          + '(allow-localhost; an endpoint marked reserved:remote-node is a remote node instead)',
      }, ...noteReasons], [], undefined, redirects());
    }

    const nps = this.networkPoliciesFor(q, plan);
    const np = nps.length > 0 ? evaluateNetworkPolicies(nps, viewQuery(q, this.view), this.namespaces) : undefined;
    if (np?.isolated && np.allowed) {
      for (const r of np.reasons) allows.push({ reason: r, l7: [], redirects: [] });
    }

    // An allow without L7 rules for the same flow wins over L7-restricted ones (it adds an L7 allow-all).
    const l7Constraints = allows.length > 0 && allows.every((a) => a.l7.length > 0) ? allows.flatMap((a) => a.l7) : undefined;
    // No explicit allow of the peer (default allow): nothing adds the allow-all L7 rule next to rules that may match.
    const proxy = l7Constraints !== undefined ? undefined : allows.length > 0 ? redirects() : ownRulesPassOf(maybeRedirects, q, this.paths);
    // Allows that only may match the flow (Cilium rules, isolating NetworkPolicies) may admit requests the L7 rules do not.
    const npMaybe = np?.isolated && !np.allowed
      ? [...np.uncertain, ...networkPolicyEgressNames(this.egressNames, this.view, this.namespaces, q, plan.networkPolicies.map((i) => nps[i]))] : [];
    const mayAlso = l7Constraints === undefined ? []
      : maybeL7Matchers([...maybeHits, ...npMaybe.map((why) => ({ why }))], allows.flatMap((a) => a.redirects), q, this.paths);
    const defaultDeny = isolators.length > 0 || !!np?.isolated;
    if (!defaultDeny) {
      return finish(YES, [
        ...allows.map((a) => a.reason),
        {
          effect: 'default-allow',
          message: `no Cilium or Kubernetes policy puts ${q.subject.name} into default deny for ${q.direction}`
            + `${selected.length > 0 ? ' (selecting Cilium rules have enableDefaultDeny disabled or no ' + q.direction + ' rules)' : ''}`,
        },
        ...noteReasons,
      ], [], l7Constraints, proxy, mayAlso);
    }
    if (allows.length > 0) return finish(YES, [...allows.map((a) => a.reason), ...noteReasons], [], l7Constraints, proxy, mayAlso);
    // The isolating NetworkPolicies are the plan's, as in decide (one index per subject namespace).
    const npIsolating = np?.isolated ? plan.networkPolicies.map((i) => nps[i]) : [];
    const uncertain = [...maybeAllows, ...(np?.isolated ? np.uncertain : []),
      ...networkPolicyEgressNames(this.egressNames, this.view, this.namespaces, q, npIsolating)];
    const npReasons = np?.isolated ? np.reasons : [];
    const summary: Reason = {
      effect: 'isolate',
      message: `${q.subject.name} is in default deny for ${q.direction} and no rule ${uncertain.length > 0 ? 'surely ' : ''}allows ${this.flowText(q)}`,
    };
    if (np?.isolated) allowNotes.push(...filteredNetworkPolicyPeerNotes(q, nps, this.view, this.namespaces));
    const hostNotes = q.direction === 'egress' && !isPodNetworkEndpoint(q.peer) && q.peer.kind !== 'external' && 'reserved:host' in identityOf(q.peer)
      ? [LOCAL_HOST_EGRESS_NOTE]
      : [];
    return finish(uncertain.length > 0 ? MAYBE : NO,
      [...isolators, ...npReasons, summary, ...toReasons([...denyNotes, ...allowNotes, ...hostNotes])], uncertain);
  }

  /**
   * The NetworkPolicies of the subject's namespace as they apply to the peer: ipBlock peers only match
   * external peers (see inClusterView), and a peer failing the fromRequires/toRequires of the rules
   * selecting the subject is allowed by their ipBlock peers only (see np-requirements.ts).
   */
  private networkPoliciesFor(q: SideQuery, plan: SidePlan): ManifestObject[] {
    const index = q.peer.kind === 'external' ? this.networkPolicies : this.networkPoliciesInCluster;
    const nps = index.get(q.subject.namespace ?? 'default') ?? [];
    const identity = identityOf(q.peer);
    return plan.allowCtx.requires.every((r) => selectorMatches(r, identity)) ? nps : nps.map(ipBlockPeersOnly);
  }

  /** Egress named-port resolution for egress rules; ingress names resolve on the destination. */
  private egressNamesFor(direction: Direction): EgressNamedPorts | undefined {
    return direction === 'egress' ? this.egressNames : undefined;
  }

  /**
   * Notes on the policies whose pod selector matches the subject only by labels Cilium leaves out
   * of identities: Cilium rule sets and NetworkPolicies (for this direction) that the user may
   * expect to apply.
   */
  private filteredSubjectNotes(q: SideQuery): string[] {
    const identity = identityOf(q.subject);
    const unfiltered = unfilteredIdentityOf(q.subject);
    const notes: string[] = [];
    const seen = new Set<object>();
    for (const rs of this.index.candidates(q.subject.namespace ?? 'default')) {
      if (rs.rejected !== undefined || rs.subjectSelector === undefined || seen.has(rs.object)) continue;
      if (selectorMatches(rs.subjectSelector, identity) || !selectorMatches(rs.subjectSelector, unfiltered)) continue;
      seen.add(rs.object);
      notes.push(labelFilterNote(`${describeRef(refOf(rs.object))} ${rs.path}.endpointSelector`, q.subject));
    }
    const type = q.direction === 'ingress' ? 'Ingress' : 'Egress';
    for (const np of this.networkPolicies.get(q.subject.namespace ?? 'default') ?? []) {
      if (!effectivePolicyTypes(np).includes(type) || !selectsEndpoint(np, q.subject) || selectsEndpoint(np, this.view.of(q.subject))) continue;
      notes.push(labelFilterNote(`${describeRef(refOf(np))} spec.podSelector`, q.subject));
    }
    return notes;
  }

  private flowText(q: SideQuery): string {
    const arrow = q.direction === 'ingress' ? `from ${q.peer.name} to ${q.subject.name}` : `from ${q.subject.name} to ${q.peer.name}`;
    return `${arrow} on ${q.port}/${q.protocol}`;
  }

  /**
   * Rule sets whose endpointSelector selects the pod (its namespace's CNPs and all CCNPs), leaving
   * out those of objects Cilium rejects.
   */
  private selectedRuleSets(subject: Endpoint): CiliumRuleSet[] {
    const cached = this.selectedCache.get(subject);
    if (cached) return cached;
    const result = this.selecting(subject).filter((rs) => rs.rejected === undefined);
    this.selectedCache.set(subject, result);
    return result;
  }

  /** Rule sets of rejected objects that would select the pod (one per object). */
  private rejectedSelecting(subject: Endpoint): CiliumRuleSet[] {
    const seen = new Set<object>();
    return this.selecting(subject).filter((rs) => rs.rejected !== undefined && !seen.has(rs.object) && !!seen.add(rs.object));
  }

  private selecting(subject: Endpoint): CiliumRuleSet[] {
    const identity = identityOf(subject);
    return this.index
      .candidates(subject.namespace ?? 'default')
      .filter((rs) => rs.subjectSelector !== undefined && selectorMatches(rs.subjectSelector, identity));
  }
}
