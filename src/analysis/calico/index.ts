/** Calico policy semantics for the reachability analyzer. */
export { calicoModel } from './model';
export { parseCalicoSelector, SelectorCache } from './selector';
export type { CalicoSelector, SelectorScope } from './selector';
export { calicoPolicyTypes } from './calico-policy';
