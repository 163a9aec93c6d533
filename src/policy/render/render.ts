import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { calicoPolicyManifest, calicoTierManifest } from './calico';
import { ciliumPolicyManifest } from './cilium';
import { clusterNetworkPolicyLimitation, clusterNetworkPolicyManifest } from './cluster-network-policy';
import { isExpressibleAsNetworkPolicy, networkPolicyManifest } from './kubernetes';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { CniCapabilities, CniKind } from '../../cluster/cni';
import { propError } from '../../util/errors';
import { registerObject } from '../../util/object-registry';
import { PlainApiObject } from '../../util/plain-api-object';
import { clusterDnsPeers } from '../cluster-dns';
import { PolicyIntent, hasDeny } from '../intent';
import { RuleAction } from '../rule';

/**
 * Turn an intent into the fewest, most portable objects that express it exactly on the cluster's
 * CNI, or fail with an error that names the construct, the intent and the CNI.
 */
export function renderIntent(owner: Construct, cluster: ClusterNetwork, intent: PolicyIntent): ApiObject[] {
  const cni = cluster.cni;
  const fail = (what: string, why: string) =>
    new Error(`[${owner.node.path}] TrafficPolicy '${intent.name}': ${what} cannot be enforced by CNI '${cni.name}': ${why}`);

  if (!cni.capabilities.enforcesNetworkPolicy) {
    if (!cni.acknowledgeUnenforcedPolicies) {
      const acknowledge = cni.kind === CniKind.FLANNEL
        ? 'Cni.flannel({ acknowledgeUnenforcedPolicies: true })'
        : `Cni.custom('${cni.name}', capabilities, { acknowledgeUnenforcedPolicies: true })`;
      throw fail('no policy', 'it enforces no network policy at all, so emitting one is security theatre. Use a CNI that enforces '
        + `policy (Calico, Canal, Cilium), or pass ${acknowledge} if these manifests also target clusters that do`);
    }
    if (!isExpressibleAsNetworkPolicy(intent)) throw fail('this intent', 'only portable NetworkPolicy may be emitted for an unenforcing CNI');
    return [emit(owner, 'Resource', networkPolicyManifest(intent))];
  }

  checkCapabilities(intent, cni.capabilities, fail);
  const deny = hasDeny(intent);
  const allowPart: PolicyIntent = { ...intent, rules: intent.rules.filter((r) => r.action === RuleAction.ALLOW) };
  const denyPart: PolicyIntent = { ...intent, isolate: [], rules: intent.rules.filter((r) => r.action === RuleAction.DENY) };
  const hasAllowPart = allowPart.rules.length > 0 || allowPart.isolate.length > 0;
  const out: ApiObject[] = [];

  switch (cni.kind) {
    case CniKind.CALICO: {
      if (deny) {
        const tier = cni.calicoGuardrailTier as string;
        const tierObject = ensureCalicoTier(owner, tier, cni.calicoGuardrailTierOrder as number);
        const guardrail = emit(owner, 'Guardrail', calicoPolicyManifest(denyPart, { tier, order: intent.precedence ?? 100, actions: [RuleAction.DENY], isolating: false }, owner));
        // Calico refuses a policy whose tier does not exist yet, and `kubectl apply -f` goes through a
        // file in order: the Tier must come first in the synthesized manifest.
        guardrail.addDependency(tierObject);
        out.push(guardrail);
      }
      if (hasAllowPart) {
        out.push(isExpressibleAsNetworkPolicy(allowPart)
          ? emit(owner, 'Resource', networkPolicyManifest(allowPart))
          : emit(owner, 'Calico', calicoPolicyManifest(allowPart, { order: intent.precedence ?? 1000, actions: [RuleAction.ALLOW], isolating: true }, owner)));
      }
      return out;
    }
    case CniKind.CILIUM:
      if (!deny && isExpressibleAsNetworkPolicy(intent)) return [emit(owner, 'Resource', networkPolicyManifest(intent))];
      return [emit(owner, 'Cilium', ciliumPolicyManifest(intent, { dnsPeers: clusterDnsPeers(cluster) }))];
    default: {
      if (hasAllowPart) {
        if (!isExpressibleAsNetworkPolicy(allowPart)) {
          throw fail(intent.namespace === undefined ? 'a cluster-wide allow' : 'this allow intent', 'NetworkPolicy can only express namespaced L3/L4 allows');
        }
        out.push(emit(owner, 'Resource', networkPolicyManifest(allowPart)));
      }
      if (deny) {
        const limitation = clusterNetworkPolicyLimitation(denyPart);
        if (limitation) throw fail('this deny intent', limitation);
        checkClusterNetworkPolicyPriority(owner, intent.precedence);
        out.push(emit(owner, 'Guardrail', clusterNetworkPolicyManifest(denyPart, intent.precedence ?? 10, owner)));
      }
      return out;
    }
  }
}

function checkCapabilities(intent: PolicyIntent, caps: CniCapabilities, fail: (what: string, why: string) => Error): void {
  const denyRule = intent.rules.find((r) => r.action === RuleAction.DENY);
  if (denyRule && !caps.deny) {
    throw fail(`the deny rule ${denyRule.origin}`, "capability 'deny' missing (NetworkPolicy has no deny). Use Cni.calico(), Cni.cilium() or ClusterNetworkPolicy, or rewrite the intent as allows");
  }
  if (intent.namespace === undefined && !caps.clusterWide) {
    throw fail('a cluster-wide policy', "capability 'clusterWide' missing. Give the policy a namespace, or use Cni.calico() / Cni.cilium()");
  }
  if (intent.precedence !== undefined && !caps.ordering) {
    throw fail('an explicit precedence', "capability 'ordering' missing (policies are unordered there; deny always wins)");
  }
  for (const rule of intent.rules) {
    const entity = rule.peers.find((p) => p.type === 'entity');
    if (entity && !caps.entities) throw fail(`the entity peer in ${rule.origin}`, "capability 'entities' missing");
  }
}

/**
 * The renderers build plain JSON: a PlainApiObject renders it as cdk8s would, without cdk8s's
 * per-value token resolution (half of `toJson()`'s cost; see PlainApiObject).
 */
function emit(owner: Construct, id: string, manifest: any): ApiObject {
  return registerObject(owner, new PlainApiObject(owner, id, manifest));
}

/**
 * ClusterNetworkPolicy `spec.priority` is an integer 0..1000 (policy.networking.k8s.io/v1alpha2 CRD:
 * minimum 0, maximum 1000, int32).
 */
function checkClusterNetworkPolicyPriority(owner: Construct, precedence: number | undefined): void {
  if (precedence === undefined) return;
  if (!Number.isInteger(precedence) || precedence < 0 || precedence > 1000) {
    throw propError(owner, 'precedence', `${precedence} must be an integer from 0 to 1000 when rendered as a ClusterNetworkPolicy (its priority)`);
  }
}

/** Tier orders requested per app (name -> order and the chart that first asked), to detect conflicts. */
const TIER_ORDERS = new WeakMap<IConstruct, Map<string, { order: number; chart: string }>>();
/** Tiers already emitted per chart, by name. */
const TIERS = new WeakMap<IConstruct, Map<string, ApiObject>>();

/**
 * The guard-rail Tier, emitted once per chart that needs it: charts may be applied to different
 * clusters, so each one carries its own Tier. One tier name with two orders in one app is an
 * error: the same Tier object would differ between manifests.
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
