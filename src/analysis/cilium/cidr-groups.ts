/**
 * cilium.io CiliumCIDRGroup objects, which `fromCIDRSet` / `toCIDRSet` entries reference by name
 * (`cidrGroupRef`) or by labels (`cidrGroupSelector`); each holds `spec.externalCIDRs`
 * (https://docs.cilium.io/en/stable/security/policy/language/#ip-cidr-based).
 */
import { AddressSet } from '../../util/address-set';
import { ParsedCidr, parseCidrLoose } from '../../util/cidr';
import { isCiliumCidrGroup, isPlainObject, nameOf } from '../../util/vocabulary';
import { ManifestObject } from '../model';
import { LabelSelector, matchesLabelSelector } from '../selectors';

/** The addresses of the groups a reference resolves to, or why they are unknown. */
export interface ResolvedGroups {
  readonly block: AddressSet;
  /** Set when the groups are not in the manifests (their addresses are unknown). */
  readonly unknown?: string;
}

interface Group {
  readonly labels: Record<string, string>;
  readonly block: AddressSet;
}

/** The CiliumCIDRGroups of a manifest set. */
export class CidrGroupIndex {
  private readonly groups = new Map<string, Group>();
  private readonly selected = new WeakMap<object, ResolvedGroups>();

  constructor(manifests: ManifestObject[]) {
    for (const obj of manifests) {
      if (!isCiliumCidrGroup(obj)) continue;
      const cidrs: unknown = obj.spec?.externalCIDRs;
      const parsed = (Array.isArray(cidrs) ? cidrs : []).map((c) => parseCidrLoose(String(c))).filter((c): c is ParsedCidr => !!c);
      const labels = isPlainObject(obj.metadata?.labels) ? obj.metadata!.labels as Record<string, string> : {};
      this.groups.set(nameOf(obj), { labels, block: AddressSet.fromCidrs(parsed) });
    }
  }

  /** The group named `name`; a name not in the manifests may hold any address. */
  byName(name: string): ResolvedGroups {
    const group = this.groups.get(name);
    if (group) return { block: group.block };
    return { block: AddressSet.EMPTY, unknown: `cidrGroupRef ${name}: no CiliumCIDRGroup of that name in the manifests, so its CIDRs are unknown` };
  }

  /**
   * The union of the groups whose labels `selector` matches (the groups of the manifests). A selector
   * that matches no group of the manifests selects groups kept elsewhere, if any: their addresses are
   * unknown, as for a `cidrGroupRef` to a missing group (never a quiet "matches nothing").
   */
  bySelector(selector: unknown): ResolvedGroups {
    if (!isPlainObject(selector)) return { block: AddressSet.EMPTY };
    let found = this.selected.get(selector);
    if (!found) {
      let block = AddressSet.EMPTY;
      let matched = false;
      for (const g of this.groups.values()) {
        if (!matchesLabelSelector(selector as LabelSelector, g.labels)) continue;
        matched = true;
        block = block.union(g.block);
      }
      found = matched ? { block } : {
        block,
        unknown: `cidrGroupSelector ${JSON.stringify(selector)}: no CiliumCIDRGroup in the manifests matches it, so the CIDRs it selects are unknown`,
      };
      this.selected.set(selector, found);
    }
    return found;
  }
}
