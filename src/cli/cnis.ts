/**
 * The CNIs the command line knows, by `--cni` name: the one table the usage text, the argument
 * validation and the error messages are derived from. Keyed by {@link CniKind}, so the compiler lists
 * this table when a CNI is added.
 */
import { Cni, CniKind } from '../cluster/cni';

/** `--cni` name -> the Cni the analysis and lint use for it (default options). */
export const CLI_CNIS: Readonly<Record<CniKind, () => Cni>> = {
  [CniKind.KUBERNETES]: () => Cni.kubernetes(),
  [CniKind.CALICO]: () => Cni.calico(),
  [CniKind.CILIUM]: () => Cni.cilium(),
  [CniKind.FLANNEL]: () => Cni.flannel(),
};

/** The `--cni` names, in table order. */
export const CNI_NAMES: readonly string[] = Object.keys(CLI_CNIS);

/** The Cni named `name` (case-insensitive), or undefined. */
export function cniByName(name: string): Cni | undefined {
  const key = name.toLowerCase();
  return Object.prototype.hasOwnProperty.call(CLI_CNIS, key) ? CLI_CNIS[key as CniKind]() : undefined;
}
