import { IntentRule } from '../intent';

/** One renderer's last rendering of each shared intent rule (see {@link renderShared}). */
export type SharedRenderings<T> = WeakMap<IntentRule, { readonly namespace?: string; readonly out: T }>;

/**
 * `render()` of a rule, or the equal rendering an earlier policy got from the same rule. Intent rules
 * that are frozen are shared by many policies (TrafficPolicy's sharedRule: the patterns' DNS allow,
 * `deny-cloud-metadata`, a TenantIsolation's internet egress, once per tenant namespace), and so is
 * what they render to: the same rule objects and lists in every tenant's manifest, not a copy each.
 * Manifests are never changed once built (`toJson()` copies them), so they may share parts.
 *
 * A rendering depends on the rule and on whether each pods peer is in the policy's own namespace (a
 * peer there is rendered without a namespace selector): the last rendering is reused only when that
 * holds for the same peers. Rules that are not frozen (each policy's own) are rendered every time and
 * never remembered.
 */
export function renderShared<T>(cache: SharedRenderings<T>, rule: IntentRule, namespace: string | undefined, render: () => T): T {
  if (!Object.isFrozen(rule)) return render();
  const last = cache.get(rule);
  if (last !== undefined && rule.peers.every((p) => p.type !== 'pods' || (p.namespace === namespace) === (p.namespace === last.namespace))) {
    return last.out;
  }
  const out = render();
  cache.set(rule, { namespace, out });
  return out;
}

/**
 * `render()` once per key within one manifest: a peer (or list of peers) given in several rules of a
 * policy (a same-tenant allow's ingress and egress, a guard rail's two denies) is resolved to the
 * same objects (TrafficPolicy's buildRule), and rendered to one object, not a copy per rule.
 */
export function renderedOnce<K extends object, T>(seen: Map<K, T>, key: K, render: () => T): T {
  let out = seen.get(key);
  if (out === undefined) seen.set(key, out = render());
  return out;
}
