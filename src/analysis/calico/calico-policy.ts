/**
 * projectcalico.org/v3 NetworkPolicy and GlobalNetworkPolicy as tier entries, per
 * https://docs.tigera.io/calico/latest/reference/resources/networkpolicy and
 * https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy .
 */
import { calicoHttpMatcher, L7Matcher } from '../http-request';
import { namespaceLabels, serviceAccountLabels, workloadLabels } from './labels';
import { CalicoDecision, MaybeAction, NO_DECISION, PolicyDecision, PolicyEntry, PolicyOutcome, policySortKey } from './policy-entry';
import {
  compileRule, CompiledRule, compileSelector, dependsOnSubject, EntityRule, globalSelectorProblem, InvalidRuleError, RuleContext, RuleScope,
  ruleMatches, ruleTruth,
} from './rules';
import { CalicoSelector, SelectorCache } from './selector';
import { calicoPolicyTier, isServedCalicoPolicy } from '../../util/vocabulary';
import { Direction, Endpoint, ManifestObject, Reason, refOf, SideQuery, isPodNetworkEndpoint } from '../model';
import { MAYBE, YES } from '../verdict';

/** Is this a projectcalico.org/v3 NetworkPolicy or GlobalNetworkPolicy (the form the analyzer evaluates)? */
export function isCalicoPolicy(obj: ManifestObject): boolean {
  return isServedCalicoPolicy(obj);
}

/**
 * The effective `types`: explicit, or (per the docs' table for an omitted `types`) Ingress when
 * there are no rules or only ingress rules, Egress when there are only egress rules, both when
 * there are both.
 */
export function calicoPolicyTypes(spec: any): Set<Direction> {
  if (Array.isArray(spec?.types) && spec.types.length > 0) {
    return new Set(spec.types.filter((t: unknown) => typeof t === 'string').map((t: string) => t.toLowerCase() as Direction));
  }
  const hasIngress = Array.isArray(spec?.ingress) && spec.ingress.length > 0;
  const hasEgress = Array.isArray(spec?.egress) && spec.egress.length > 0;
  if (hasEgress && !hasIngress) return new Set<Direction>(['egress']);
  if (hasEgress && hasIngress) return new Set<Direction>(['ingress', 'egress']);
  return new Set<Direction>(['ingress']);
}

/**
 * Whether a Calico policy can let traffic through in each direction: some rule of that direction
 * has action Allow or Pass (for uncertainties about policies the model does not evaluate).
 */
export function calicoCanAllow(spec: any): (direction: Direction) => boolean {
  const allows = (direction: Direction) => (Array.isArray(spec?.[direction]) ? spec[direction] : [])
    .some((r: any) => r?.action === 'Allow' || r?.action === 'Pass');
  const result: Record<Direction, boolean> = { ingress: allows('ingress'), egress: allows('egress') };
  return (direction) => result[direction];
}

/** Either a tier entry or the reason the policy is not applied to pods. */
export type CompiledCalicoPolicy = { entry: PolicyEntry; skipped?: undefined } | { entry?: undefined; skipped: string };

/** A projectcalico.org/v3 policy placed in its tier. */
export class CalicoPolicyEntry implements PolicyEntry {
  readonly ref;
  readonly tier: string;
  readonly order?: number;
  readonly sortKey: string;
  readonly namespace?: string;
  readonly label: string;
  readonly hasL7Rules: boolean;
  private readonly scope: RuleScope;

  constructor(
    obj: ManifestObject,
    private readonly selector: CalicoSelector,
    private readonly namespaceSelector: CalicoSelector | undefined,
    private readonly saSelector: CalicoSelector | undefined,
    private readonly types: Set<Direction>,
    private readonly rules: Record<Direction, CompiledRule[]>,
  ) {
    const global = obj.kind === 'GlobalNetworkPolicy';
    this.namespace = global ? undefined : obj.metadata?.namespace ?? 'default';
    this.ref = { ...refOf(obj), namespace: this.namespace };
    // The tier is spec.tier alone: a legacy `<tier>.` prefix of the name decides nothing (Calico 3.32 stores plain names).
    this.tier = calicoPolicyTier(obj);
    this.order = typeof obj.spec?.order === 'number' ? obj.spec.order : undefined;
    const name = obj.metadata?.name ?? '';
    this.sortKey = policySortKey(name, this.namespace, obj.kind ?? '');
    this.label = `${obj.kind} ${this.namespace ? `${this.namespace}/${name}` : name}`;
    this.scope = { namespace: this.namespace };
    // Only an ingress Allow rule reports its HTTP match (see evaluate).
    this.hasL7Rules = rules.ingress.some((r) => r.http !== undefined && r.action === 'Allow');
  }

  selects(ep: Endpoint, direction: Direction, ctx: RuleContext): boolean {
    if (!this.types.has(direction) || !isPodNetworkEndpoint(ep)) return false;
    const ns = ep.namespace ?? 'default';
    if (this.namespace !== undefined && this.namespace !== ns) return false;
    if (this.namespaceSelector && !this.namespaceSelector.matches(namespaceLabels(ns, ctx.namespaces, ep.namespaceLabels))) {
      return false;
    }
    if (this.saSelector && !this.saSelector.matches(serviceAccountLabels(ep))) return false;
    return this.selector.matches(workloadLabels(ep));
  }

  evaluate(query: SideQuery, ctx: RuleContext): PolicyOutcome {
    const logs: Reason[] = [];
    const notes: string[] = [];
    const maybe: MaybeAction[] = [];
    for (const rule of this.rules[query.direction]) {
      const m = ruleMatches(rule, query, this.scope, ctx);
      notes.push(...m.notes.map((n) => `${this.label} ${rule.path}: ${n}`));
      if (m.truth === 0) continue;
      if (rule.action === 'Log') {
        if (m.truth === YES) {
          logs.push({ object: this.ref, rule: rule.path, effect: 'log', message: `${this.describe(rule.path, 'Log')}: logged, evaluation continues` });
        }
        continue;
      }
      if (m.truth === MAYBE) {
        maybe.push({ action: rule.action, rule: rule.path, why: m.why.map((w) => `${this.label} ${rule.path} (${rule.action}): ${w}`) });
        continue;
      }
      return { action: rule.action, rule: rule.path, logs, notes, maybe, l7: this.httpConstraints(rule, query.direction, notes) };
    }
    return { logs, notes, maybe };
  }

  /**
   * The L7 constraint of a matching Allow rule with an `http` match. Calico matches HTTP methods and
   * paths on ingress only (https://docs.tigera.io/calico/latest/network-policy/istio/http-methods,
   * "HTTP match criteria: ingress traffic only"): on egress the match restricts nothing, so the rule
   * allows at L4 and says so in a note (fail open in the analysis, never a false "restricted").
   */
  private httpConstraints(rule: CompiledRule, direction: Direction, notes: string[]): L7Matcher[] | undefined {
    if (rule.action !== 'Allow' || rule.http === undefined) return undefined;
    if (direction === 'egress') {
      notes.push(`${this.label} ${rule.path}: the HTTP match is not enforced on egress (Calico matches HTTP on ingress only); the rule allows at L4`);
      return undefined;
    }
    return [calicoHttpMatcher(rule.httpMatch ?? {}, `${rule.http} (${this.label} ${rule.path})`)];
  }

  decide(query: SideQuery, ctx: RuleContext): PolicyDecision {
    let maybe: Set<CalicoDecision> | undefined;
    for (const rule of this.rules[query.direction]) {
      if (rule.action === 'Log') continue;
      const t = ruleTruth(rule, query, this.scope, ctx);
      if (t === YES) return { action: rule.action, maybe: maybe ?? NO_DECISION.maybe };
      if (t === MAYBE) (maybe ??= new Set()).add(rule.action);
    }
    return maybe ? { maybe } : NO_DECISION;
  }

  /**
   * The entities that describe the other end of a flow: `source` of ingress rules, `destination` of
   * egress rules, with the policy's scope (for peer keys).
   */
  peerEntities(): Array<{ entity: EntityRule; scope: RuleScope }> {
    return [
      ...this.rules.ingress.map((r) => ({ entity: r.source, scope: this.scope })),
      ...this.rules.egress.map((r) => ({ entity: r.destination, scope: this.scope })),
    ];
  }

  dependsOnSubject(direction: Direction): boolean {
    return this.rules[direction].some((r) => dependsOnSubject(r, direction));
  }

  /** e.g. `GlobalNetworkPolicy deny-cross-tenant spec.ingress[0] Deny (tier platform, order 10)`. */
  describe(rulePath: string, action: string): string {
    return `${this.label} ${rulePath} ${action} (tier ${this.tier}, order ${this.order ?? 'unset'})`;
  }
}

/**
 * Compile a Calico policy. Policies Calico's API validation would reject (bad selector, ports
 * without protocol, ...) and host-endpoint-only policies (`doNotTrack`, `preDNAT`) are skipped
 * with the reason. `applyOnForward` alone does not exclude workloads: it only widens host endpoint
 * policy to forwarded traffic (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy).
 */
export function compileCalicoPolicy(obj: ManifestObject, cache: SelectorCache): CompiledCalicoPolicy {
  const spec = obj.spec ?? {};
  const id = `${obj.kind} ${obj.metadata?.namespace && obj.kind === 'NetworkPolicy' ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name ?? ''}`;
  if (spec.doNotTrack || spec.preDNAT) {
    return { skipped: `${id} is ${spec.doNotTrack ? 'doNotTrack' : 'preDNAT'}: it applies to host endpoints only, not to pods` };
  }
  try {
    // Blank selectors are absent (`all()` for spec.selector below).
    const sel = (expr: unknown, path: string) => {
      const problem = globalSelectorProblem(expr, false);
      if (problem) throw new InvalidRuleError(`${path}: ${problem}`);
      return typeof expr === 'string' && expr.trim() ? compileSelector(expr, cache, path) : undefined;
    };
    // An omitted spec.selector means all() (the docs' default for the field).
    const selector = sel(spec.selector, 'spec.selector') ?? cache.get('all()');
    const namespaceSelector = obj.kind === 'GlobalNetworkPolicy' ? sel(spec.namespaceSelector, 'spec.namespaceSelector') : undefined;
    const saSelector = sel(spec.serviceAccountSelector, 'spec.serviceAccountSelector');
    const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
    const rules = {
      ingress: list(spec.ingress).map((r, i) => compileRule(r, `spec.ingress[${i}]`, cache)),
      egress: list(spec.egress).map((r, i) => compileRule(r, `spec.egress[${i}]`, cache)),
    };
    return { entry: new CalicoPolicyEntry(obj, selector, namespaceSelector, saSelector, calicoPolicyTypes(spec), rules) };
  } catch (e) {
    if (e instanceof InvalidRuleError) return { skipped: `${id} would be rejected by Calico and is not applied: ${e.message}` };
    throw e;
  }
}
