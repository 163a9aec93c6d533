/**
 * Parsing and indexing of CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy objects into rule
 * sets (one per `spec` and per `specs[i]`; each is an independent rule,
 * https://docs.cilium.io/en/stable/network/kubernetes/policy/#ciliumnetworkpolicy).
 */
import { Direction, ManifestObject } from '../model';
import { LabelSelector } from '../selectors';
import { effectiveSubjectSelector } from './identity';

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
}

/** Is this a cilium.io/v2 CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy? */
export function isCiliumPolicy(obj: ManifestObject): boolean {
  return obj.apiVersion === 'cilium.io/v2' && (obj.kind === 'CiliumNetworkPolicy' || obj.kind === 'CiliumClusterwideNetworkPolicy');
}

function nonEmpty(list: unknown): boolean {
  return Array.isArray(list) && list.length > 0;
}

/**
 * Default-deny per direction. From the CRD's `enableDefaultDeny` description: an explicit value wins;
 * otherwise it is true for each direction that has rules (allow or deny), false otherwise. "Has
 * rules" means a non-empty list: the CRD says an omitted or empty `ingress`/`egress` list does not
 * apply to that direction.
 */
export function defaultDenyOf(rule: any): Record<Direction, boolean> {
  const edd = rule?.enableDefaultDeny ?? {};
  return {
    ingress: typeof edd.ingress === 'boolean' ? edd.ingress : nonEmpty(rule?.ingress) || nonEmpty(rule?.ingressDeny),
    egress: typeof edd.egress === 'boolean' ? edd.egress : nonEmpty(rule?.egress) || nonEmpty(rule?.egressDeny),
  };
}

/** Split a Cilium policy object into its rule sets. */
export function ruleSetsOf(obj: ManifestObject): CiliumRuleSet[] {
  const namespace = obj.kind === 'CiliumNetworkPolicy' ? obj.metadata?.namespace ?? 'default' : undefined;
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
    });
  };
  add(obj.spec, 'spec');
  const specs = (obj as any).specs;
  if (Array.isArray(specs)) specs.forEach((r: any, i: number) => add(r, `specs[${i}]`));
  return out;
}

/** Cilium rule sets indexed by namespace (CNP) plus the clusterwide ones (CCNP). */
export class CiliumPolicyIndex {
  private readonly byNamespace = new Map<string, CiliumRuleSet[]>();
  private readonly clusterwide: CiliumRuleSet[] = [];

  constructor(manifests: ManifestObject[]) {
    for (const obj of manifests) {
      if (!isCiliumPolicy(obj)) continue;
      for (const rs of ruleSetsOf(obj)) {
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

  /** Rule sets that may select an endpoint of `namespace` (its CNPs, then all CCNPs). */
  candidates(namespace: string): CiliumRuleSet[] {
    return [...(this.byNamespace.get(namespace) ?? []), ...this.clusterwide];
  }
}
