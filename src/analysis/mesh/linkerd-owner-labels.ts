/**
 * The owner label Linkerd's proxy injector adds to a meshed pod (internal), which a Server's
 * podSelector may select by. At admission the injector asks for the pod's owner (linkerd2
 * controller/k8s/api.go `GetOwnerKindAndName`): no owner reference, or several, is the pod itself;
 * one owner reference of kind Job or ReplicaSet is replaced by that object's own owner when it has
 * exactly one (a Deployment's ReplicaSet gives the Deployment, a CronJob's Job the CronJob), for a
 * ReplicaSet only when that owner is a Deployment, StatefulSet, DaemonSet or Job (controller/k8s/k8s.go
 * `isValidRSParent`, used by metadata_api.go and api.go: an Argo Rollout's ReplicaSet stays); any other
 * owner is taken as it is. It then labels the pod (pkg/inject/inject.go, `*corev1.Pod` case) for
 * these owner kinds only: `linkerd.io/proxy-deployment`, `-replicationcontroller`, `-replicaset`,
 * `-job`, `-daemonset`, `-statefulset` = the owner's name (pkg/k8s/labels.go). A CronJob's pods
 * (and a bare pod's, or an Argo Rollout's) get none: `linkerd.io/proxy-cronjob` is written only by
 * `linkerd inject` on a CronJob manifest, never at admission.
 */
import { isPlainObject, isWorkload, nameOf, namespaceOf } from '../../util/vocabulary';

/** Owner kind (lower case, as the injector compares it) -> the label naming the owner. */
export const LINKERD_OWNER_LABELS: Readonly<Record<string, string>> = {
  deployment: 'linkerd.io/proxy-deployment',
  replicationcontroller: 'linkerd.io/proxy-replicationcontroller',
  replicaset: 'linkerd.io/proxy-replicaset',
  job: 'linkerd.io/proxy-job',
  daemonset: 'linkerd.io/proxy-daemonset',
  statefulset: 'linkerd.io/proxy-statefulset',
};

/** The owner kinds a ReplicaSet's pods are labelled by (linkerd2 controller/k8s/k8s.go `isValidRSParent`). */
const RS_PARENT_KINDS: readonly string[] = ['job', 'statefulset', 'daemonset', 'deployment'];

/** The owner labels of a workload's meshed pods, or why they are not known from the manifests. */
export type OwnerLabels = { readonly labels: Readonly<Record<string, string>> } | { readonly unknown: string };

function ownerRefs(obj: Record<string, any>): Array<{ kind?: unknown; name?: unknown }> {
  const refs = isPlainObject(obj.metadata) ? obj.metadata.ownerReferences : undefined;
  return Array.isArray(refs) ? refs.filter(isPlainObject) : [];
}

function labelFor(kind: unknown, name: unknown): Readonly<Record<string, string>> {
  const label = typeof kind === 'string' ? LINKERD_OWNER_LABELS[kind.toLowerCase()] : undefined;
  return label !== undefined && typeof name === 'string' && name !== '' ? { [label]: name } : {};
}

/** The owner labels the proxy injector adds to the pods of `workload` (a Pod, Deployment, ..., CronJob manifest). */
export function linkerdOwnerLabels(workload: unknown): OwnerLabels {
  if (!isWorkload(workload)) return { labels: {} };
  const obj = workload as Record<string, any>;
  const own = ownerRefs(obj);
  switch (obj.kind) {
    case 'Pod': {
      if (own.length !== 1) return { labels: {} };
      const parent = own[0];
      if (parent.kind === 'Job' || parent.kind === 'ReplicaSet') {
        return { unknown: `the pod's owner ${String(parent.kind)} ${String(parent.name)} may itself have an owner, which would name the pod's owner label instead` };
      }
      return { labels: labelFor(parent.kind, parent.name) };
    }
    case 'Deployment': return { labels: labelFor('deployment', nameOf(obj)) };
    // The Job's one owner, the CronJob, is the pod's owner: not a kind the injector labels.
    case 'CronJob': return { labels: {} };
    case 'Job':
      // The pods' parent is this object: its one owner, if it has exactly one, is their owner.
      return { labels: own.length === 1 ? labelFor(own[0].kind, own[0].name) : labelFor(obj.kind, nameOf(obj)) };
    case 'ReplicaSet': {
      // Only when that one owner is a Deployment, StatefulSet, DaemonSet or Job (`isValidRSParent`): a
      // ReplicaSet of an Argo Rollout or another controller names the pods' owner itself.
      const parent = own.length === 1 && typeof own[0].kind === 'string' && RS_PARENT_KINDS.includes(own[0].kind.toLowerCase()) ? own[0] : undefined;
      return { labels: parent ? labelFor(parent.kind, parent.name) : labelFor(obj.kind, nameOf(obj)) };
    }
    default: return { labels: labelFor(obj.kind, nameOf(obj)) };
  }
}

/** Endpoint name (`namespace/workload`) -> the owner labels of its pods, for every workload of `manifests`. */
export function linkerdOwnerLabelsByWorkload(manifests: readonly unknown[]): Map<string, OwnerLabels> {
  const out = new Map<string, OwnerLabels>();
  for (const obj of manifests) if (isWorkload(obj)) out.set(`${namespaceOf(obj)}/${nameOf(obj)}`, linkerdOwnerLabels(obj));
  return out;
}
