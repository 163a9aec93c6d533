/**
 * projectcalico.org/v3 GlobalNetworkSet and NetworkSet: labelled lists of CIDRs that rule
 * selectors can match like endpoints, so an external IP "has" the labels of every set containing it
 * (https://docs.tigera.io/calico/latest/reference/resources/globalnetworkset,
 * https://docs.tigera.io/calico/latest/reference/resources/networkset).
 */
import { cidrContainsIp, parseCidrLoose, ParsedCidr, parseIpLoose } from '../../util/cidr';
import { isCalicoNetworkSet } from '../../util/vocabulary';
import { ManifestObject, ObjectRef, refOf } from '../model';
import { Labels } from '../selectors';

/** A parsed network set. */
export interface NetworkSetEntry {
  readonly ref: ObjectRef;
  /** Namespace of a NetworkSet; undefined for a GlobalNetworkSet. */
  readonly namespace?: string;
  /** Labels as selectors see them (NetworkSets also carry `projectcalico.org/namespace`). */
  readonly labels: Labels;
  readonly nets: ParsedCidr[];
}

/** Is this a Calico network set (global or namespaced)? */
export function isNetworkSet(obj: ManifestObject): boolean {
  return isCalicoNetworkSet(obj);
}

/** Parse a network set (validation has dropped sets with CIDRs Calico rejects). */
export function toNetworkSet(obj: ManifestObject): NetworkSetEntry {
  const namespace = obj.kind === 'NetworkSet' ? obj.metadata?.namespace ?? 'default' : undefined;
  const labels: Record<string, string> = { ...(obj.metadata?.labels ?? {}) };
  if (namespace) labels['projectcalico.org/namespace'] = namespace;
  const raw: unknown = obj.spec?.nets;
  const nets = (Array.isArray(raw) ? raw : []).map((n) => parseCidrLoose(String(n))).filter((c): c is ParsedCidr => !!c);
  return { ref: { ...refOf(obj), namespace }, namespace, labels, nets };
}

/** Index answering "which network sets contain this IP?" (cached per IP). */
export class NetworkSetIndex {
  private readonly byIp = new Map<string, NetworkSetEntry[]>();

  /** Every network set. */
  readonly all: readonly NetworkSetEntry[];

  constructor(private readonly sets: NetworkSetEntry[]) {
    this.all = sets;
  }

  /** Network sets whose nets contain `ip` (none for an unknown or invalid IP). */
  containing(ip: string | undefined): NetworkSetEntry[] {
    if (!ip || this.sets.length === 0) return [];
    let hit = this.byIp.get(ip);
    if (!hit) {
      const addr = parseIpLoose(ip);
      hit = addr ? this.sets.filter((s) => s.nets.some((n) => cidrContainsIp(n, addr!))) : [];
      this.byIp.set(ip, hit);
    }
    return hit;
  }
}
