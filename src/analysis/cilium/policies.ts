/**
 * Parsing and indexing of CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy objects into rule
 * sets (one per `spec` and per `specs[i]`; each is an independent rule,
 * https://docs.cilium.io/en/stable/network/kubernetes/policy/#ciliumnetworkpolicy).
 */
import { Direction, ManifestObject } from '../model';
import { LabelSelector } from '../selectors';
import { effectiveSubjectSelector } from './identity';
import { ruleHasL7PortRules } from './ports';
import { parseCidrLoose } from '../../util/cidr';
import { re2FullMatch } from '../../util/re2-pattern';
import { isServedCiliumPolicy, namespaceOf } from '../../util/vocabulary';

/** One Cilium rule (a `spec` or one `specs[i]`) with its effective subject selector. */
export interface CiliumRuleSet {
  readonly object: ManifestObject;
  /** Policy namespace; undefined for a CiliumClusterwideNetworkPolicy. */
  readonly namespace: string | undefined;
  /** JSON path of the rule, `spec` or `specs[1]`. */
  readonly path: string;
  readonly rule: any;
  /** Effective endpointSelector; undefined for host policies (`nodeSelector`), which never select pods. */
  readonly subjectSelector: LabelSelector | undefined;
  /** Does this rule put selected endpoints into default deny, per direction? */
  readonly defaultDeny: Readonly<Record<Direction, boolean>>;
  /**
   * Why Cilium's validation rejects the whole policy object (see {@link rejectionOf}); undefined
   * when it is accepted. A rejected object enforces nothing.
   */
  readonly rejected?: string;
}

/** Is this a cilium.io/v2 CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy (the form the analyzer evaluates)? */
export function isCiliumPolicy(obj: ManifestObject): boolean {
  return isServedCiliumPolicy(obj);
}

function nonEmpty(list: unknown): boolean {
  return Array.isArray(list) && list.length > 0;
}

/**
 * Default-deny per direction: only a rule with rules for the direction (a non-empty allow or deny
 * list; the CRD says an omitted or empty list does not apply to that direction) can put it into
 * default deny, and it does unless `enableDefaultDeny` turns it off. An `enableDefaultDeny: true`
 * for a direction without rules does nothing: Cilium's policy resolution only reads the flag of
 * rules that have rules for the direction (pkg/policy/repository.go
 * computePolicyEnforcementAndRules: `len(r.Ingress) > 0 || len(r.IngressDeny) > 0` before
 * `*r.EnableDefaultDeny.Ingress`; from 1.18 pkg/policy/utils RulesToPolicyEntries carries the flag
 * on the entries made from those rules only).
 */
export function defaultDenyOf(rule: any): Record<Direction, boolean> {
  const edd = rule?.enableDefaultDeny ?? {};
  const of = (flag: unknown, has: boolean): boolean => has && (typeof flag === 'boolean' ? flag : true);
  return {
    ingress: of(edd.ingress, nonEmpty(rule?.ingress) || nonEmpty(rule?.ingressDeny)),
    egress: of(edd.egress, nonEmpty(rule?.egress) || nonEmpty(rule?.egressDeny)),
  };
}

/** Peer fields Cilium's rule validation refuses to combine in one allow rule, per direction. */
const L3_MEMBERS: Record<Direction, string[]> = {
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups'],
  egress: ['toCIDR', 'toCIDRSet', 'toEndpoints', 'toEntities', 'toServices', 'toFQDNs', 'toGroups', 'toNodes'],
};

/** Why validation rejects one toPorts entry of an allow rule, or undefined. */
function portRuleRejection(pr: any, direction: Direction): string | undefined {
  const hasDns = Array.isArray(pr?.rules?.dns) && pr.rules.dns.length > 0;
  if (direction === 'ingress' && hasDns) return 'DNS rules are not allowed on ingress';
  const r = pr?.rules;
  const hasL7 = !!r && typeof r === 'object' && (nonEmpty(r.http) || nonEmpty(r.kafka) || nonEmpty(r.dns) || !!r.l7proto);
  if (Array.isArray(pr?.serverNames) && pr.serverNames.length > 0 && hasL7 && (pr.terminatingTLS === undefined || pr.terminatingTLS === null)) {
    return 'serverNames need terminatingTLS when the entry has L7 rules';
  }
  const ports: any[] = Array.isArray(pr?.ports) ? pr.ports : [];
  if (hasL7 && !hasDns) {
    for (let k = 0; k < ports.length; k++) {
      const protocol = String(ports[k]?.protocol ?? '').toUpperCase() || 'ANY';
      if (protocol !== 'TCP') return `ports[${k}]: L7 rules only apply to protocol TCP (got ${protocol}; an omitted protocol is ANY), except DNS rules`;
    }
  }
  if (pr?.listener !== undefined && pr?.listener !== null) {
    if (direction === 'ingress') return 'a listener is not allowed on ingress';
    if (hasL7) return 'a listener cannot be combined with L7 rules';
  }
  if (hasL7 && ports.some((pp) => /^\s*0+\s*$/.test(String(pp?.port ?? '')))) return 'L7 rules cannot be used with port 0 (all ports)';
  if (hasDns && ports.length === 0) return 'DNS rules need ports (port 53 must be specified)';
  const http: unknown = r?.http;
  if (Array.isArray(http)) {
    for (let k = 0; k < http.length; k++) {
      for (const field of ['path', 'method'] as const) {
        const pattern: unknown = http[k]?.[field];
        if (typeof pattern !== 'string' || pattern === '') continue;
        const compiled = re2FullMatch(pattern);
        if (compiled.kind === 'invalid') return `rules.http[${k}].${field}: '${pattern}' is not a Go regular expression (${compiled.why})`;
      }
    }
  }
  return undefined;
}

/**
 * Why validation rejects one CIDRSet entry: an `except` whose address is not inside `cidr` (or of
 * another address family). Unparsable values are left to the schema checks.
 */
function cidrRuleRejection(entry: any): string | undefined {
  if (typeof entry?.cidr !== 'string' || !entry.cidr.includes('/') || !Array.isArray(entry.except)) return undefined;
  const outer = parseCidrLoose(entry.cidr);
  if (!outer) return undefined;
  for (const text of entry.except) {
    const inner = typeof text === 'string' && text.includes('/') ? parseCidrLoose(text) : undefined;
    if (!inner) continue;
    if (inner.address.kind() !== outer.address.kind() || !(inner.address as any).match(outer.address, outer.prefix)) {
      return `except ${text} is not inside cidr ${entry.cidr}`;
    }
  }
  return undefined;
}

/**
 * Does one CIDRSet entry have an `except` inside its `cidr` by address but with a shorter prefix
 * (`cidr: 10.0.0.0/24`, `except: [10.0.0.0/16]`)? CIDRRule.sanitize checks the prefix length only
 * since cilium/cilium#44637 (merged 2026-03, for 1.20; the bug report cilium/cilium#44614 shows 1.19
 * accepting it), which then rejects the whole policy.
 */
function hasWiderExcept(entry: any): boolean {
  if (typeof entry?.cidr !== 'string' || !entry.cidr.includes('/') || !Array.isArray(entry.except)) return false;
  const outer = parseCidrLoose(entry.cidr);
  if (!outer) return false;
  return entry.except.some((text: unknown) => {
    const inner = typeof text === 'string' && text.includes('/') ? parseCidrLoose(text) : undefined;
    return inner !== undefined && inner.address.kind() === outer.address.kind() && inner.prefix < outer.prefix;
  });
}

/** Does a rule use an `except` wider than its `cidr` in an allow rule's CIDRSet (see hasWiderExcept)? */
export function usesWiderExcept(rule: any): boolean {
  return (['ingress', 'egress'] as const).some((direction) => Array.isArray(rule?.[direction]) && rule[direction].some((r: any) => {
    const sets: unknown = r?.[direction === 'ingress' ? 'fromCIDRSet' : 'toCIDRSet'];
    return Array.isArray(sets) && sets.some(hasWiderExcept);
  }));
}

/** Why validation rejects one `ingress`/`egress` rule, with the path below the rule, or undefined. */
function allowRuleRejection(rule: any, direction: Direction): string | undefined {
  const present = L3_MEMBERS[direction].filter((f) => nonEmpty(rule?.[f]));
  if (present.length > 1) return `: combines ${present.join(' and ')}; Cilium does not support several kinds of peer in one rule (use one rule each)`;
  if (nonEmpty(rule?.icmps) && nonEmpty(rule?.toPorts)) return ': icmps may only be present without toPorts (use a separate rule)';
  const setField = direction === 'ingress' ? 'fromCIDRSet' : 'toCIDRSet';
  const sets: unknown = rule?.[setField];
  if (Array.isArray(sets)) {
    for (let k = 0; k < sets.length; k++) {
      const why = cidrRuleRejection(sets[k]);
      if (why !== undefined) return `.${setField}[${k}]: ${why}`;
    }
  }
  const toPorts: unknown = rule?.toPorts;
  if (!Array.isArray(toPorts)) return undefined;
  for (let j = 0; j < toPorts.length; j++) {
    const why = portRuleRejection(toPorts[j], direction);
    if (why !== undefined) return `.toPorts[${j}]${why.startsWith('ports[') ? `.${why}` : `: ${why}`}`;
  }
  return undefined;
}

/**
 * The reason Cilium's rule validation rejects one rule (`spec` or `specs[i]`), for the shapes the
 * model knows. pkg/policy/api/rule_validation.go (`Rule.Sanitize`, which checks the `ingress` and
 * `egress` allow rules, not the deny rules):
 * - IngressRule/EgressRule.sanitize: one rule may not combine two kinds of peer ("Combining
 *   FromEndpoints and FromCIDR is not supported yet"; still so in 2025 releases) and `icmps` may
 *   not share a rule with `toPorts` (toServices with toPorts is accepted since 1.17, cilium/cilium#35506);
 * - CIDRRule.sanitize: each `except` of a CIDRSet entry must lie inside its `cidr` (its address,
 *   same family; its prefix length too since 1.20, a version-dependent rejection: see usesWiderExcept);
 * - PortRule.sanitize: DNS rules are not allowed on ingress; serverNames with L7 rules need
 *   terminatingTLS; a listener is not allowed on ingress nor with L7 rules; L7 rules other than DNS only apply to
 *   TCP ("L7 rules can only apply to TCP (not ANY) except for DNS rules"; an omitted protocol
 *   parses as ANY); L7 rules cannot be used when a port is 0;
 * - L7Rules.sanitize: DNS rules need ports ("Port 53 must be specified for DNS rules"); every HTTP
 *   rule's `path` and `method` must compile with Go `regexp.Compile` (pkg/policy/api/http.go
 *   `PortRuleHTTP.Sanitize`; `host` is not checked there), judged by ../../util/re2-pattern.
 * Other portless L7 rules (HTTP, Kafka, l7proto) pass validation; see `matchingPortRule` for what
 * they do.
 */
export function rejectionOf(rule: any, path: string): string | undefined {
  for (const direction of ['ingress', 'egress'] as const) {
    const rules: unknown = rule?.[direction];
    if (!Array.isArray(rules)) continue;
    for (let i = 0; i < rules.length; i++) {
      const why = allowRuleRejection(rules[i], direction);
      if (why !== undefined) return `${path}.${direction}[${i}]${why}`;
    }
  }
  return undefined;
}

/**
 * Split a Cilium policy object into its rule sets. Cilium parses `spec` and every `specs[i]` of an
 * object together and drops the whole object when one of them fails validation
 * (pkg/k8s/apis/cilium.io/v2 CiliumNetworkPolicy.Parse / CiliumClusterwideNetworkPolicy.Parse), so
 * a rejection of one rule marks every rule set of the object.
 */
export function ruleSetsOf(obj: ManifestObject): CiliumRuleSet[] {
  const namespace = obj.kind === 'CiliumNetworkPolicy' ? namespaceOf(obj) : undefined;
  const specs = (obj as any).specs;
  const rejected = rejectionOf(obj.spec, 'spec')
    ?? (Array.isArray(specs) ? specs.map((r: any, i: number) => rejectionOf(r, `specs[${i}]`)).find((m) => m !== undefined) : undefined);
  const out: CiliumRuleSet[] = [];
  const add = (rule: any, path: string): void => {
    if (!rule || typeof rule !== 'object') return;
    const hasEndpointSelector = rule.endpointSelector !== undefined && rule.endpointSelector !== null;
    out.push({
      object: obj,
      namespace,
      path,
      rule,
      subjectSelector: hasEndpointSelector ? effectiveSubjectSelector(rule.endpointSelector, namespace) : undefined,
      defaultDeny: defaultDenyOf(rule),
      ...(rejected !== undefined ? { rejected } : {}),
    });
  };
  add(obj.spec, 'spec');
  if (Array.isArray(specs)) specs.forEach((r: any, i: number) => add(r, `specs[${i}]`));
  return out;
}

/** Cilium rule sets indexed by namespace (CNP) plus the clusterwide ones (CCNP). */
export class CiliumPolicyIndex {
  private readonly byNamespace = new Map<string, CiliumRuleSet[]>();
  private readonly clusterwide: CiliumRuleSet[] = [];
  /** Some rule set holds L7 rules (`toPorts[].rules`): only then can a verdict carry L7 constraints. */
  readonly hasL7Rules: boolean = false;

  constructor(manifests: ManifestObject[]) {
    for (const obj of manifests) {
      if (!isCiliumPolicy(obj)) continue;
      for (const rs of ruleSetsOf(obj)) {
        if (ruleHasL7PortRules(rs.rule)) this.hasL7Rules = true;
        if (rs.namespace === undefined) {
          this.clusterwide.push(rs);
        } else {
          const list = this.byNamespace.get(rs.namespace) ?? [];
          list.push(rs);
          this.byNamespace.set(rs.namespace, list);
        }
      }
    }
  }

  /** Every rule set (namespaced, then clusterwide), rejected ones included. */
  allRuleSets(): CiliumRuleSet[] {
    return [...[...this.byNamespace.values()].flat(), ...this.clusterwide];
  }

  /** Host policies: clusterwide rule sets with a `nodeSelector`, of objects Cilium accepts. */
  hostRuleSets(): CiliumRuleSet[] {
    return this.clusterwide.filter((rs) => rs.rejected === undefined && rs.rule?.nodeSelector !== undefined && rs.rule?.nodeSelector !== null);
  }

  /** Rule sets that may select an endpoint of `namespace` (its CNPs, then all CCNPs). */
  candidates(namespace: string): CiliumRuleSet[] {
    return [...(this.byNamespace.get(namespace) ?? []), ...this.clusterwide];
  }
}
