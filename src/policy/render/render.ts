import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { writeCalico } from './calico-writer';
import { writeCilium } from './cilium-writer';
import { writeKubernetes, writeUnenforced } from './kubernetes-writer';
import { CniWriter, WriteContext } from './writer';
import { ClusterNetwork } from '../../cluster/cluster-network';
import { CniCapabilities, CniKind } from '../../cluster/cni';
import { ValidationError } from '../../util/errors';
import { registerObject } from '../../util/object-registry';
import { PlainApiObject } from '../../util/plain-api-object';
import { PolicyIntent } from '../intent';
import { RuleAction } from '../rule';

/**
 * The rendering strategy of each CNI kind. A `Record` over every kind, so a new CniKind fails
 * compilation here until it has a writer (it never silently renders as plain Kubernetes). Flannel
 * enforces nothing: its intents never get past the acknowledgement check, and an acknowledged one
 * is portable NetworkPolicy.
 */
const WRITERS: { readonly [K in CniKind]: CniWriter<K> } = {
  [CniKind.KUBERNETES]: writeKubernetes,
  [CniKind.CALICO]: writeCalico,
  [CniKind.CILIUM]: writeCilium,
  [CniKind.FLANNEL]: writeUnenforced,
};

/** Dispatch on the settings' kind (the writer gets its own kind's settings, typed). */
function write<K extends CniKind>(ctx: WriteContext<K>, kind: K): ApiObject[] {
  const writer: CniWriter<K> = WRITERS[kind];
  return writer(ctx);
}

/**
 * Turn an intent into the fewest, most portable objects that express it exactly on the cluster's
 * CNI, or fail with an error that names the construct, the intent and the CNI.
 */
export function renderIntent(owner: Construct, cluster: ClusterNetwork, intent: PolicyIntent): ApiObject[] {
  const cni = cluster.cni;
  const fail = (what: string, why: string) =>
    new ValidationError(owner.node.path, `TrafficPolicy '${intent.name}'`, `${what} cannot be enforced by CNI '${cni.name}': ${why}`);
  const allowPart: PolicyIntent = { ...intent, rules: intent.rules.filter((r) => r.action === RuleAction.ALLOW) };
  const denyPart: PolicyIntent = { ...intent, isolate: [], rules: intent.rules.filter((r) => r.action === RuleAction.DENY) };
  const ctx: WriteContext = {
    owner,
    cluster,
    settings: cni._settings,
    intent,
    allowPart: allowPart.rules.length > 0 || allowPart.isolate.length > 0 ? allowPart : undefined,
    denyPart: denyPart.rules.length > 0 ? denyPart : undefined,
    emit: (id, manifest) => emit(owner, id, manifest),
    fail,
  };

  if (!cni.capabilities.enforcesNetworkPolicy) {
    if (!cni.acknowledgeUnenforcedPolicies) {
      throw fail('no policy', 'it enforces no network policy at all, so emitting one is security theatre. Use a CNI that enforces '
        + `policy (Calico, Canal, Cilium), or pass ${cni._facts.acknowledgeUnenforced} if these manifests also target clusters that do`);
    }
    return writeUnenforced(ctx);
  }
  checkCapabilities(intent, cni.capabilities, fail);
  return write(ctx, ctx.settings.kind);
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
 * per-value token resolution (about two thirds of `toJson()`'s cost; see PlainApiObject).
 */
function emit(owner: Construct, id: string, manifest: any): ApiObject {
  return registerObject(owner, new PlainApiObject(owner, id, manifest));
}
