/**
 * The one table of CNI choices by name: the CLI's `--cni`, the examples and the test matrices derive
 * their lists from it, and the "no CNI declared" error names its entries. Keyed by CniKind, so a new
 * kind without a factory here fails compilation. Internal (not exported from the package index:
 * jsii has no function-typed properties); import it from `cdk8s-networking/lib/cluster/cni-choices`.
 */
import { Cni, CniKind } from './cni';

/** One CNI choice. */
export interface CniChoice {
  /** The CNI with its default options. */
  readonly create: () => Cni;
  /** How a program declares it, for messages (`Cni.calico()`). */
  readonly usage: string;
}

/** Every CNI kind with its factory, by name (the CniKind value: `kubernetes`, `calico`, `cilium`, `flannel`). */
export const CNI_CHOICES: Readonly<Record<CniKind, CniChoice>> = {
  [CniKind.KUBERNETES]: { create: () => Cni.kubernetes(), usage: 'Cni.kubernetes()' },
  [CniKind.CALICO]: { create: () => Cni.calico(), usage: 'Cni.calico()' },
  [CniKind.CILIUM]: { create: () => Cni.cilium(), usage: 'Cni.cilium()' },
  [CniKind.FLANNEL]: { create: () => Cni.flannel(), usage: 'Cni.flannel({ acknowledgeUnenforcedPolicies: true })' },
};

/** The CNI names, in table order. */
export const CNI_NAMES: readonly CniKind[] = Object.keys(CNI_CHOICES) as CniKind[];

/** The CNI named `name` (case-insensitive) with default options, or undefined for an unknown name. */
export function cniByName(name: string): Cni | undefined {
  const key = typeof name === 'string' ? name.toLowerCase() : '';
  return Object.prototype.hasOwnProperty.call(CNI_CHOICES, key) ? CNI_CHOICES[key as CniKind].create() : undefined;
}

/** The choices as a program states them, for error messages: `Cni.kubernetes(), Cni.calico(), ... or Cni.custom(name, capabilities)`. */
export function cniChoicesText(): string {
  return `${CNI_NAMES.map((k) => CNI_CHOICES[k].usage).join(', ')} or Cni.custom(name, capabilities)`;
}
