/**
 * What the manifests tell of the labels workload controllers add to their pods: which keys each
 * controller adds, and, per workload, which values they take. The inventory models a workload's pods
 * from its template; with these facts it gives the endpoint the labels every pod carries (a Job's
 * name) or a representative of them (one StatefulSet pod name), so that ordinary selector matching
 * is exact wherever the answer is the same for every pod; ./controller-labels turns the other reads
 * into uncertainties.
 */
import { isKindOf, isPlainObject, isWorkload, namespaceOf, nameOf, podTemplateOf, stringMap } from '../../util/vocabulary';
import { ManifestObject, RuntimeLabel } from '../model';

const POD_NAME = 'statefulset.kubernetes.io/pod-name';
const POD_INDEX = 'apps.kubernetes.io/pod-index';
const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const JOB_NAMES = ['job-name', 'batch.kubernetes.io/job-name'];
const JOB_UIDS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

/**
 * The labels each workload controller sets on its pods (kubernetes/kubernetes; kubernetes.io
 * "Well-Known Labels, Annotations and Taints"):
 * - StatefulSet: `statefulset.kubernetes.io/pod-name` and, behind the PodIndexLabel gate (on since
 *   1.28), `apps.kubernetes.io/pod-index` (pkg/controller/statefulset/stateful_set_utils.go
 *   `updateIdentity`), `controller-revision-hash` (same file, `setPodRevision`).
 * - Deployment: `pod-template-hash`, added to the template of each ReplicaSet it creates
 *   (pkg/controller/deployment/sync.go `getNewReplicaSet`, apps/v1 `DefaultDeploymentUniqueLabelKey`).
 * - DaemonSet: `controller-revision-hash` and `pod-template-generation`
 *   (pkg/controller/daemon/util/daemonset_util.go `CreatePodTemplate`).
 * - Job (and the Jobs of a CronJob): `batch.kubernetes.io/controller-uid`, `controller-uid`,
 *   `batch.kubernetes.io/job-name`, `job-name`, which the API server adds to the Job's template
 *   unless `manualSelector` (pkg/registry/batch/job/strategy.go `generateSelectorIfNeeded`,
 *   `generateSelector`: each only where the template lacks it, and pkg/apis/batch/validation
 *   `validateGeneratedSelector` rejects a template value other than the Job's name or uid; the
 *   `batch.kubernetes.io/` forms since 1.27, kubernetes/kubernetes#114930, the oldest version the
 *   analyzer covers; batch/v1 `JobNameLabel`, `ControllerUidLabel`), and for Indexed Jobs, behind the same gate,
 *   `batch.kubernetes.io/job-completion-index` (pkg/controller/job/indexed_job_utils.go
 *   `addCompletionIndexLabel`).
 * A bare ReplicaSet or ReplicationController adds none.
 */
const JOB_LABELS = [...JOB_UIDS, ...JOB_NAMES, COMPLETION_INDEX];
export const CONTROLLER_POD_LABELS: Readonly<Record<string, readonly string[]>> = {
  StatefulSet: [POD_NAME, POD_INDEX, 'controller-revision-hash'],
  Deployment: ['pod-template-hash'],
  DaemonSet: ['controller-revision-hash', 'pod-template-generation'],
  Job: JOB_LABELS,
  CronJob: JOB_LABELS,
};

/** Every key some controller adds. */
export const CONTROLLER_LABEL_KEYS: ReadonlySet<string> = new Set(Object.values(CONTROLLER_POD_LABELS).flat());

/**
 * The labels the controller of a workload of `kind` may add to its pods (none for a bare Pod, a
 * probe, a ReplicaSet or ReplicationController).
 */
function controllerAddedLabels(kind: string): readonly string[] {
  return Object.prototype.hasOwnProperty.call(CONTROLLER_POD_LABELS, kind) ? CONTROLLER_POD_LABELS[kind] : [];
}

/**
 * Autoscalers that set the replica count of the object their `spec.scaleTargetRef` names (same
 * namespace), with the target kind when the reference omits it:
 * - HorizontalPodAutoscaler (autoscaling): `kind` and `name` required (autoscaling/v2
 *   CrossVersionObjectReference).
 * - KEDA ScaledObject (keda.sh): `apiVersion` defaults to apps/v1, `kind` to Deployment, `name`
 *   mandatory and in the ScaledObject's namespace (keda.sh/docs/latest/reference/scaledobject-spec;
 *   KEDA drives the target through an HPA it creates at runtime, which the manifests do not hold).
 * A VerticalPodAutoscaler (autoscaling.k8s.io, `spec.targetRef`) changes resource requests, not the
 * replica count (kubernetes.io/docs/concepts/workloads/autoscaling/vertical-pod-autoscale): not one.
 * Any other object with a `spec.scaleTargetRef` naming its kind and name counts too: treating an
 * unknown kind as an autoscaler only makes pod names unknown, never claims more.
 */
const AUTOSCALERS: ReadonlyArray<readonly [group: string, kind: string, defaultKind: string | undefined]> = [
  ['autoscaling', 'HorizontalPodAutoscaler', undefined],
  ['keda.sh', 'ScaledObject', 'Deployment'],
];

/**
 * The workloads an autoscaler of the manifests scales (see AUTOSCALERS), as
 * `Kind namespace/name`: their replica count is not the manifest's. The target's API group is not
 * compared (a reference to another group's StatefulSet only makes the names unknown).
 */
export function autoscaledWorkloads(manifests: ManifestObject[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const obj of manifests) {
    if (!isPlainObject(obj.spec) || !isPlainObject(obj.spec.scaleTargetRef)) continue;
    const known = AUTOSCALERS.find(([group, kind]) => isKindOf(obj, group, kind));
    const { kind = known?.[2], name } = obj.spec.scaleTargetRef;
    if (typeof kind === 'string' && typeof name === 'string') out.add(`${kind} ${namespaceOf(obj)}/${name}`);
  }
  return out;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const range = (start: number, count: number) => Array.from({ length: count }, (_, i) => String(start + i));

/**
 * A StatefulSet's ordinals: `spec.ordinals.start` (StatefulSetStartOrdinal, on by default since
 * 1.27, GA 1.31) up to start + replicas - 1. Unknown when `replicas` is absent (the API defaults it
 * to 1, but an autoscaler outside the manifests usually owns it then) or an autoscaler of the
 * manifests scales the set (an HPA, a KEDA ScaledObject: {@link autoscaledWorkloads}).
 */
function ordinals(obj: ManifestObject, autoscaled: ReadonlySet<string>): string[] | undefined {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  if (!isCount(spec.replicas) || autoscaled.has(`StatefulSet ${namespaceOf(obj)}/${nameOf(obj)}`)) return undefined;
  const start = isPlainObject(spec.ordinals) && typeof spec.ordinals.start === 'number' && Number.isInteger(spec.ordinals.start)
    ? spec.ordinals.start : 0;
  return range(start, spec.replicas);
}

/**
 * An index label behind PodIndexLabel (beta, on by default, since 1.28; absent on 1.27, which the
 * analyzer also covers): overwrites a template value where the gate is on, else the template's value
 * (or none) stays.
 */
function indexLabel(key: string, values: string[] | undefined, template: Record<string, string>): RuntimeLabel {
  if (!Object.prototype.hasOwnProperty.call(template, key)) return { key, ...(values ? { values } : {}), mayBeAbsent: true };
  return { key, ...(values ? { values: [...new Set([...values, template[key]])] } : {}) };
}

/** The labels of a Job's pods the API server and the Job controller add (see CONTROLLER_POD_LABELS). */
function jobLabels(jobSpec: Record<string, any>, jobName: { readonly known: string } | { readonly digitsAfter: string },
  template: Record<string, string>): RuntimeLabel[] {
  const out: RuntimeLabel[] = [];
  const absent = (key: string) => !Object.prototype.hasOwnProperty.call(template, key);
  // generateSelector adds each only when the template lacks it (a conflicting value is rejected).
  if (jobSpec.manualSelector !== true) {
    out.push(...JOB_UIDS.filter(absent).map((key) => ({ key })));
    out.push(...JOB_NAMES.filter(absent).map((key) => ({ key, ...('known' in jobName ? { values: [jobName.known] } : jobName) })));
  }
  if (jobSpec.completionMode === 'Indexed') {
    out.push(indexLabel(COMPLETION_INDEX, isCount(jobSpec.completions) ? range(0, jobSpec.completions) : undefined, template));
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The labels the controller of workload `obj` adds to its pods, with what the manifests tell of
 * their values. A Job's `job-name` labels are its name; a CronJob's Jobs are named
 * `<cronjob>-<scheduled time in minutes since the epoch>` (kubernetes/kubernetes
 * pkg/controller/cronjob/cronjob_controllerv2.go `getJobName`: `%s-%d` of the CronJob's name and
 * utils.go `getTimeHashInMinutes`, Unix seconds / 60): the time is unknown, the form is not, so a
 * test naming only values of another form is exact (see RuntimeLabel.digitsAfter). Jobs made by
 * hand from a CronJob (`kubectl create job --from=cronjob/...`) are not the CronJob's pods here.
 */
export function runtimeLabelsOf(obj: ManifestObject, autoscaled: ReadonlySet<string>): RuntimeLabel[] {
  if (!isWorkload(obj)) return [];
  const template = stringMap(podTemplateOf(obj)?.metadata?.labels);
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  switch (obj.kind) {
    case 'StatefulSet': {
      const known = ordinals(obj, autoscaled);
      return [
        { key: POD_NAME, ...(known ? { values: known.map((o) => `${nameOf(obj)}-${o}`) } : {}) },
        indexLabel(POD_INDEX, known, template),
        { key: 'controller-revision-hash' },
      ];
    }
    case 'Job':
      return jobLabels(spec, { known: nameOf(obj) }, template);
    case 'CronJob':
      return jobLabels(isPlainObject(spec.jobTemplate) && isPlainObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {},
        { digitsAfter: `${nameOf(obj)}-` }, template);
    default:
      return controllerAddedLabels(obj.kind!).map((key) => ({ key }));
  }
}

/**
 * A value no label and no Kubernetes selector can hold (not a valid label value), standing for a
 * label every pod carries with a value the manifests do not give: presence tests match it, and
 * a value test on it is exact only where it answers as every value the pods may hold does (a Calico
 * selector may name it: `job-name == '(set at runtime)'`), else an uncertainty (./controller-labels).
 */
const UNKNOWN_LABEL_VALUE = '(set at runtime)';

/**
 * The value the endpoint of a workload holds for the runtime label `r` every pod carries: the first
 * known one, else {@link UNKNOWN_LABEL_VALUE}. Plain selector matching reads it.
 */
export function representativeValue(r: RuntimeLabel): string {
  return r.values?.[0] ?? UNKNOWN_LABEL_VALUE;
}

/**
 * The labels of a workload's endpoint: the template's, with each runtime label every pod carries set
 * to its {@link representativeValue}, and the template's value dropped where the controller may overwrite it.
 */
export function withRuntimeLabels(template: Record<string, string>, runtime: readonly RuntimeLabel[]): Record<string, string> {
  const out = { ...template };
  for (const r of runtime) {
    delete out[r.key];
    if (!r.mayBeAbsent) out[r.key] = representativeValue(r);
  }
  return out;
}
