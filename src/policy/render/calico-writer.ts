import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { calicoPolicyManifest, calicoTierManifest } from './calico';
import { isExpressibleAsNetworkPolicy } from './kubernetes';
import { emitNetworkPolicy } from './kubernetes-writer';
import { WriteContext } from './writer';
import { CniKind } from '../../cluster/cni';
import { propError } from '../../util/errors';
import { registerObject } from '../../util/object-registry';
import { PlainApiObject } from '../../util/plain-api-object';
import { RuleAction } from '../rule';

/**
 * Calico: denies as a projectcalico.org/v3 policy in the guard-rail Tier (evaluated before the
 * default tier, `defaultAction: Pass`), after the Tier itself; allows as a plain NetworkPolicy where
 * it is exact, otherwise as a projectcalico.org/v3 policy in the default tier.
 *
 * Names are plain (Calico 3.32 keeps the tier in `spec.tier` only), so one kind and namespace holds
 * one name across all tiers: the deny part keeps the intent's name, and an allow part that is a
 * Calico policy too is `<name>-allow` (a NetworkPolicy allow is another API group and keeps the name).
 */
export function writeCalico(ctx: WriteContext<CniKind.CALICO>): ApiObject[] {
  const { intent, allowPart, denyPart, settings } = ctx;
  const out: ApiObject[] = [];
  if (denyPart) {
    const tier = settings.guardrailTier;
    const tierObject = ensureCalicoTier(ctx.owner, tier, settings.guardrailTierOrder);
    const guardrail = ctx.emit('Guardrail', calicoPolicyManifest(denyPart, { tier, order: intent.precedence ?? 100, actions: [RuleAction.DENY], isolating: false }, ctx.owner));
    // Calico refuses a policy whose tier does not exist yet, and `kubectl apply -f` goes through a
    // file in order: the Tier must come first in the synthesized manifest.
    guardrail.addDependency(tierObject);
    out.push(guardrail);
  }
  if (allowPart) {
    const nameSuffix = denyPart ? ALLOW_SUFFIX : '';
    out.push(isExpressibleAsNetworkPolicy(allowPart)
      ? emitNetworkPolicy(ctx, allowPart)
      : ctx.emit('Calico', calicoPolicyManifest(allowPart, { order: intent.precedence ?? 1000, actions: [RuleAction.ALLOW], isolating: true, nameSuffix }, ctx.owner)));
  }
  return out;
}

/** Name suffix of the Calico-native allow part of an intent that also has a deny part. */
const ALLOW_SUFFIX = '-allow';

/** Tier orders requested per app (name -> order and the chart that first asked), to detect conflicts. */
const TIER_ORDERS = new WeakMap<IConstruct, Map<string, { order: number; chart: string }>>();
/** Tiers already emitted per chart, by name. */
const TIERS = new WeakMap<IConstruct, Map<string, ApiObject>>();

/**
 * The guard-rail Tier, emitted once per chart that needs it: charts may be applied to different
 * clusters, so each one carries its own Tier. One tier name with two orders in one app is an
 * error: the same Tier object would differ between manifests.
 *
 * The check runs at construction, not in a synth-time validation: it is symmetric (whichever chart
 * asks second fails, naming the first), the per-app map is O(1) per policy, and the error then
 * points at the line that asked for the conflicting order.
 */
function ensureCalicoTier(owner: Construct, name: string, order: number): ApiObject {
  const chart = Chart.of(owner);
  const orders = TIER_ORDERS.get(owner.node.root) ?? new Map<string, { order: number; chart: string }>();
  TIER_ORDERS.set(owner.node.root, orders);
  const seen = orders.get(name);
  if (seen !== undefined && seen.order !== order) {
    throw propError(owner, 'calicoGuardrailTier', `Calico tier '${name}' is requested with order ${order}, but with order ${seen.order} by chart '${seen.chart}': give one of them another tier name or the same order`);
  }
  // The chart's path only for the first request: building a path walks the tree, once per guard rail otherwise.
  if (seen === undefined) orders.set(name, { order, chart: chart.node.path || chart.node.id });
  const done = TIERS.get(chart) ?? new Map<string, ApiObject>();
  TIERS.set(chart, done);
  const emitted = done.get(name);
  if (emitted !== undefined) return emitted;
  const tier = new PlainApiObject(chart, `calico-tier-${name}`, calicoTierManifest(name, order));
  done.set(name, tier);
  // The copies in later charts are the same object (same order, checked above): only the first is
  // registered, so another construct emitting a Tier of that name is still caught.
  if (seen === undefined) registerObject(chart, tier);
  return tier;
}
