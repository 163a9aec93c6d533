/**
 * A meshed ThreeTierApp's mesh authorization tells a source tier (frontend, backend) by its
 * ServiceAccount alone (./three-tier-authorization): the Istio principal
 * `<trust domain>/ns/<ns>/sa/<account>` (istio.io "Authorization Policy" reference, `principals`), the
 * Linkerd identity `<account>.<ns>.serviceaccount.identity.<control plane namespace>.<trust domain>`
 * (linkerd.io "Authorization Policy" reference, MeshTLSAuthentication). Every pod of the namespace
 * that runs as that account carries the same identity (ztunnel authorizes the client workload's
 * identity, its ServiceAccount: https://istio.io/latest/docs/ambient/usage/l4-policy/; Linkerd's proxy
 * identity is the pod's ServiceAccount: https://linkerd.io/2-edge/features/automatic-mtls/), so the
 * authorization written for the tier hop applies to it too, while the NetworkPolicies tell it apart
 * by its labels:
 *
 * - Istio ambient: the app's DENY (the source tier's principal on every port of the next tier but the
 *   tier port) refuses it those ports, so ztunnel silently refuses what a NetworkPolicy allows it
 *   there (an allow to another port of the next tier, which also opens HBONE 15008 to it);
 * - Linkerd: the app's Server on the next tier's port admits it, and a NetworkPolicy allow to any
 *   port of the next tier opens the proxy's port 4143, which carries every port, so it reaches the
 *   tier port beyond what the NetworkPolicies give it (fail-open).
 *
 * Whether a NetworkPolicy gives such a workload anything towards the next tier is not decided here
 * (the user's policies may be raw NetworkPolicies, Calico or Cilium objects): a workload of the app's
 * namespace (in the construct tree: cdk8s-plus workloads and ApiObjects with pod templates, ../util/app-objects)
 * that runs as a source tier's account without that tier's labels is refused at synth, conservatively,
 * whatever its mesh membership. Other controllers' objects embed a pod template too and run its pods in
 * their namespace (an Argo Rollout's `spec.template`, https://argo-rollouts.readthedocs.io/en/stable/features/specification/;
 * a Knative Service's `spec.template`, https://knative.dev/docs/serving/reference/serving-api/; a KEDA
 * ScaledJob's `spec.jobTargetRef.template`; an OpenKruise CloneSet's `spec.template`): any object of an
 * API group this library does not know (not Kubernetes' own, the meshes', the CNIs' or Gateway API's)
 * whose `spec` holds a pod template (an object whose `spec.containers` is a list) is read the same way,
 * its embedded templates' own labels and account deciding. A workload carrying the tier's labels is one of the tier's pods for the
 * NetworkPolicies too (a canary: ./three-tier-linkerd-sources checks its identity). Workloads applied
 * outside the app cannot be seen.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshTierPods } from '../patterns/three-tier/mesh-tier-hops';
import { AppObjects } from '../util/app-objects';
import {
  CALICO_GROUP, CALICO_STORAGE_GROUP, CILIUM_GROUP, NETWORKING_GROUP, POLICY_API_GROUP,
  hasLabels, isPlainObject, podServiceAccountOf, podTemplateOf, stringMap,
} from '../util/vocabulary';

/** One hop of the app with what the mesh does to the source tier's identity there, for the message. */
export interface SharedAccountHop {
  /** The source tier, whose ServiceAccount is the identity the hop's authorization admits. */
  readonly from: MeshTierPods;
  /** The destination tier. */
  readonly to: MeshTierPods;
  /**
   * What the app's authorization of the hop does to any pod running as the source tier's account, and
   * what that breaks: `the app's DENY policy 'x' refuses that identity ...`.
   */
  readonly consequence: string;
}

/**
 * Problems: the workloads of the app (`objects`: ../util/app-objects) in `namespace` (and the objects of other
 * controllers there with a pod template, found among `all`, the constructs of the tree) that run as the
 * account of a hop's source tier but do not carry that tier's labels, one per pod template and hop: the
 * workloads in construct-tree order, then those objects.
 */
export function sharedSourceAccountProblems(
  all: readonly IConstruct[], objects: AppObjects, namespace: string, hops: readonly SharedAccountHop[],
): string[] {
  const problems: string[] = [];
  const templates: PodTemplateOwner[] = [];
  for (const object of objects.workloads) {
    const template = podTemplateOf(object.json);
    if (template && object.namespace === namespace) templates.push({ object, template });
  }
  templates.push(...embeddedPodTemplates(all, objects).filter((t) => t.namespace === namespace));
  for (const { object, template, field } of templates) {
    // The pod's identity is its ServiceAccount.
    const account = podServiceAccountOf(template);
    const labels = stringMap(isPlainObject(template.metadata) ? template.metadata.labels : undefined);
    for (const { from, consequence } of hops) {
      if (account !== from.serviceAccount || hasLabels(labels, from.podLabels)) continue;
      problems.push(`meshTierAuthorization: the ${object.kind} ${namespace}/${object.json.metadata?.name} (${object.construct.node.path}${field ? `, ${field}` : ''}) runs as `
        + `the ServiceAccount '${from.serviceAccount}', the ${from.tier} tier's mesh identity, without the ${from.tier} pods' labels `
        + `(${Object.entries(from.podLabels).map(([k, v]) => `${k}=${v}`).join(', ')}): the mesh cannot tell it from the ${from.tier}, and ${consequence}. `
        + `Run it as a ServiceAccount of its own (serviceAccountName), give the ${from.tier} tier an account no other workload uses `
        + '(its serviceAccount: TierServiceAccount.create() or TierServiceAccount.existing(name)), or set meshTierAuthorization: false');
    }
  }
  return problems;
}

/** An object of the app and one pod template it runs pods from. */
interface PodTemplateOwner {
  readonly object: { readonly kind: string; readonly construct: ApiObject; readonly json: any };
  readonly template: Record<string, any>;
  /**
   * Where another controller's object holds the template (`spec.jobTargetRef.template`), for the
   * message: such an object may hold several (a Kubeflow job's replica specs).
   * @default - a workload's own template, which its kind places
   */
  readonly field?: string;
}

/** A pod template embedded in another controller's object, with that object's namespace. */
interface EmbeddedPodTemplate extends PodTemplateOwner {
  /** `metadata.namespace` of the object, else `default`. */
  readonly namespace: string;
}

/**
 * API groups whose objects run no pods but through the workload kinds (`WORKLOAD_TEMPLATES`): Kubernetes'
 * own groups, Gateway API, the meshes' and the CNIs' policy groups, and the monitoring, certificate and Flux
 * source groups (ServiceMonitors, PrometheusRules and the like are common in large charts; the Prometheus
 * operator's own server kinds keep their containers directly under `spec`, which the search never reads as
 * a pod template anyway). Objects of any other group are searched.
 */
const PODLESS_GROUPS = new Set([
  '', 'apps', 'batch', 'policy', 'rbac.authorization.k8s.io', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'autoscaling',
  'coordination.k8s.io', 'discovery.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', NETWORKING_GROUP, POLICY_API_GROUP,
  'gateway.networking.k8s.io', 'security.istio.io', 'networking.istio.io', 'telemetry.istio.io', 'policy.linkerd.io',
  CALICO_GROUP, CALICO_STORAGE_GROUP, CILIUM_GROUP, 'monitoring.coreos.com', 'cert-manager.io', 'acme.cert-manager.io',
  'source.toolkit.fluxcd.io',
]);
/** How deep below `spec` a pod template is looked for (KEDA's `spec.jobTargetRef.template` is at depth 2). */
const MAX_TEMPLATE_DEPTH = 6;

/**
 * The embedded pod templates found for one inventory of the app (../util/app-objects keeps an inventory for
 * the length of one validation walk, and reads the tree afresh outside one): every ThreeTierApp's check
 * in a walk reads them, and synthesizing and searching every object of another controller once per app
 * cost seconds on charts of a thousand objects.
 */
const embeddedCache = new WeakMap<AppObjects, readonly EmbeddedPodTemplate[]>();

/**
 * The pod templates embedded in the `spec` of the objects among `all` (the app's constructs, which
 * `objects` was read from) of other controllers' API groups (see the module comment), in every
 * namespace: each object whose `spec.containers` is a list, not searched below it, in construct-tree
 * order. Read once per inventory.
 */
function embeddedPodTemplates(all: readonly IConstruct[], objects: AppObjects): readonly EmbeddedPodTemplate[] {
  const cached = embeddedCache.get(objects);
  if (cached) return cached;
  const out: EmbeddedPodTemplate[] = [];
  for (const c of all) {
    if (!ApiObject.isApiObject(c)) continue;
    const group = c.apiVersion.includes('/') ? c.apiVersion.slice(0, c.apiVersion.indexOf('/')) : '';
    if (PODLESS_GROUPS.has(group)) continue;
    const json = c.toJson();
    const namespace: string = json.metadata?.namespace ?? 'default';
    const visit = (node: unknown, depth: number, field: string): void => {
      if (Array.isArray(node)) {
        node.forEach((n, i) => visit(n, depth, `${field}[${i}]`));
        return;
      }
      if (!isPlainObject(node) || depth > MAX_TEMPLATE_DEPTH) return;
      if (isPlainObject(node.spec) && Array.isArray(node.spec.containers)) {
        out.push({ object: { kind: c.kind, construct: c, json }, template: node, namespace, field });
        return;
      }
      for (const [key, value] of Object.entries(node)) visit(value, depth + 1, `${field}.${key}`);
    };
    visit(json.spec, 0, 'spec');
  }
  embeddedCache.set(objects, out);
  return out;
}
