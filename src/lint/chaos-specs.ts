/**
 * The NetworkChaos specs in manifests (internal to the lint): a chaos-mesh.org NetworkChaos's `spec`,
 * a Schedule's `spec.networkChaos` when its `type` is NetworkChaos, and the NetworkChaos templates of a
 * Workflow (`spec.templates[i].networkChaos` for `templateType: NetworkChaos`, or
 * `spec.templates[i].schedule.networkChaos` for a `Schedule` template of type NetworkChaos), also of a
 * Schedule of type Workflow (`spec.workflow.templates[i]...`), with the JSON path of each.
 */
import { LintDocument, asArray, isObject, jsonPath } from './document';
import { CHAOS_MESH_GROUP, isKindOf } from '../util/vocabulary';

/** One NetworkChaos spec and where it is. */
export interface NetworkChaosSpecAt {
  readonly doc: LintDocument;
  readonly spec: Record<string, any>;
  /** `spec`, `spec.networkChaos`, `spec.templates[2].networkChaos`, ... */
  readonly path: string;
  /** The spec is a Schedule's (each run is a NetworkChaos made from it), a Workflow's Schedule template's included. */
  readonly scheduled: boolean;
  /**
   * The Workflow chaos template the spec belongs to (`templateType: NetworkChaos`): its path and `deadline`.
   * Chaos Mesh bounds such a fault by the template's `deadline` (the workflow node's chaos object is deleted
   * once the node finishes: pkg/workflow/controllers chaos_node_reconciler.go, deadline_reconciler.go) and
   * refuses a `duration` in the embedded chaos (api/v1alpha1 workflow_webhook.go
   * shouldNotSetupDurationInTheChaos: "use Template#Deadline instead").
   * @default undefined (a NetworkChaos or a Schedule's spec: its own `duration` bounds it)
   */
  readonly template?: { readonly path: string; readonly deadline?: string };
}

/** Every NetworkChaos spec of the documents, in document order (a Workflow's in template order). */
export function networkChaosSpecs(documents: readonly LintDocument[]): NetworkChaosSpecAt[] {
  const out: NetworkChaosSpecAt[] = [];
  for (const doc of documents) {
    const obj = doc.obj;
    if (!isObject(obj.spec)) continue;
    if (isKindOf(obj, CHAOS_MESH_GROUP, 'NetworkChaos')) {
      out.push({ doc, spec: obj.spec, path: 'spec', scheduled: false });
    } else if (isKindOf(obj, CHAOS_MESH_GROUP, 'Schedule')) {
      out.push(...scheduleSpecs(doc, obj.spec, 'spec'));
      if (obj.spec.type === 'Workflow' && isObject(obj.spec.workflow)) out.push(...workflowSpecs(doc, obj.spec.workflow, 'spec.workflow'));
    } else if (isKindOf(obj, CHAOS_MESH_GROUP, 'Workflow')) {
      out.push(...workflowSpecs(doc, obj.spec, 'spec'));
    }
  }
  return out;
}

/** The NetworkChaos spec of a Schedule spec at `at` of type NetworkChaos. */
function scheduleSpecs(doc: LintDocument, schedule: Record<string, any>, at: string): NetworkChaosSpecAt[] {
  if (schedule.type !== 'NetworkChaos' || !isObject(schedule.networkChaos)) return [];
  return [{ doc, spec: schedule.networkChaos, path: jsonPath(at, 'networkChaos'), scheduled: true }];
}

/** The NetworkChaos specs of the templates of a Workflow spec at `at`. */
function workflowSpecs(doc: LintDocument, workflow: Record<string, any>, at: string): NetworkChaosSpecAt[] {
  const out: NetworkChaosSpecAt[] = [];
  asArray(workflow.templates).forEach((template, i) => {
    if (!isObject(template)) return;
    const path = jsonPath(at, 'templates', i);
    if (template.templateType === 'NetworkChaos' && isObject(template.networkChaos)) {
      const deadline = typeof template.deadline === 'string' && template.deadline.trim() !== '' ? template.deadline : undefined;
      out.push({ doc, spec: template.networkChaos, path: jsonPath(path, 'networkChaos'), scheduled: false, template: { path, deadline } });
    } else if (template.templateType === 'Schedule' && isObject(template.schedule)) {
      out.push(...scheduleSpecs(doc, template.schedule, jsonPath(path, 'schedule')));
    }
  });
  return out;
}
