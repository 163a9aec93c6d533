/**
 * Chaos Mesh partitions in the manifests: a NetworkChaos with `action: partition` (or a Schedule of
 * them) drops the packets between its selected pods and its target with iptables rules inside the
 * pods while the experiment is active (chaos-mesh.org docs "Simulate Network Faults"). Policies do
 * not change, so no verdict does; a note says which flows the experiment cuts and when, so that an
 * "allowed" is never read as "works during the experiment". The other actions (delay, loss, ...)
 * degrade traffic without deciding it: no note. Vocabulary only (the construct that emits these
 * objects is not imported: the analyzer reads any manifest).
 */
import { ManifestObject, describeRef, refOf } from './model';
import { printable } from '../util/printable';
import { CHAOS_MESH_GROUP, isKindOf, isPlainObject, stringMap } from '../util/vocabulary';

/** Selector fields that narrow the pods further and are not described here. */
const UNMODELLED_SELECTORS = ['annotationSelectors', 'fieldSelectors', 'nodeSelectors', 'nodes', 'podPhaseSelectors'];

/**
 * How many of the selected pods a Chaos Mesh `mode` / `value` affects (chaos-mesh pkg/selector
 * generic FilterObjectsByMode): undefined for `all`, a prefix such as `one of the` otherwise.
 */
function share(mode: unknown, value: unknown): string | undefined {
  const v = typeof value === 'string' ? value : '?';
  switch (mode) {
    case 'all': return undefined;
    case 'one': return 'one of the';
    case 'fixed': return `${v} of the`;
    case 'fixed-percent': return `${v}% of the`;
    case 'random-max-percent': return `up to ${v}% of the`;
    default: return `some (mode ${String(mode)}) of the`;
  }
}

/**
 * `one of the pods in shop, payments with app=backend and tier In (a, b)`, from a Chaos Mesh
 * selector and its mode. A `pods` map names the pods and replaces the other selectors (chaos-mesh
 * pkg/selector/pod SelectPods); selectors not described here are named, never dropped silently.
 */
function selection(selector: unknown, mode: unknown, value: unknown): string {
  const who = share(mode, value);
  const pods = who === undefined ? 'pods' : `${who} pods`;
  if (!isPlainObject(selector)) return `${pods} in the experiment's namespace`;
  if (isPlainObject(selector.pods) && Object.keys(selector.pods).length > 0) {
    const named = Object.entries(selector.pods).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .flatMap(([ns, names]) => (Array.isArray(names) ? names.map((n) => `${ns}/${String(n)}`) : []));
    return `${pods} ${named.join(', ')}`;
  }
  const namespaces = Array.isArray(selector.namespaces) ? selector.namespaces.filter((n): n is string => typeof n === 'string') : [];
  const tests = [
    ...Object.entries(stringMap(selector.labelSelectors)).map(([k, v]) => `${k}=${v}`),
    ...(Array.isArray(selector.expressionSelectors) ? selector.expressionSelectors.filter(isPlainObject)
      .map((e) => `${e.key} ${e.operator}${Array.isArray(e.values) ? ` (${e.values.join(', ')})` : ''}`) : []),
  ];
  const unmodelled = UNMODELLED_SELECTORS.filter((k) => selector[k] !== undefined && selector[k] !== null);
  // Chaos Mesh's webhook reads a selector without namespaces as the experiment's own namespace.
  const where = namespaces.length > 0 ? `in ${namespaces.join(', ')}` : 'in the experiment\'s namespace';
  return `${pods} ${where}${tests.length > 0 ? ` with ${tests.join(' and ')}` : ''}`
    + `${unmodelled.length > 0 ? ` (narrowed further by ${unmodelled.join(', ')}, not modelled here)` : ''}`;
}

/**
 * The note of one partition spec, or undefined for other actions. `bound` replaces the spec's own
 * `duration` (a Workflow template's `deadline`).
 */
function partitionNote(id: string, spec: unknown, when: string, bound?: string): string | undefined {
  if (!isPlainObject(spec) || spec.action !== 'partition') return undefined;
  const direction = typeof spec.direction === 'string' ? spec.direction : 'to';
  const peers = [
    ...(isPlainObject(spec.target) ? [selection(spec.target.selector, spec.target.mode, spec.target.value)] : []),
    ...(Array.isArray(spec.externalTargets) ? spec.externalTargets.filter((t): t is string => typeof t === 'string') : []),
  ];
  const between = peers.length > 0 ? `between ${selection(spec.selector, spec.mode, spec.value)} and ${peers.join(', ')}` : `of ${selection(spec.selector, spec.mode, spec.value)} with every peer`;
  const duration = bound ?? (typeof spec.duration === 'string' ? `for ${spec.duration}` : 'until it is deleted');
  return printable(`${id} partitions the traffic ${between} (direction ${direction}, ${when} ${duration}): while it is active those packets `
    + 'are dropped whatever the policies allow; the verdicts here are the policies\' alone');
}

/** The note of a Schedule spec of type NetworkChaos; `prefix` says where the Schedule is (a Workflow template). */
function scheduleNote(id: string, schedule: unknown, prefix = ''): string | undefined {
  if (!isPlainObject(schedule) || schedule.type !== 'NetworkChaos') return undefined;
  return partitionNote(id, schedule.networkChaos, `${prefix}on the schedule '${String(schedule.schedule)}', each run`);
}

/**
 * The notes of a Workflow spec's templates: a `NetworkChaos` template lasts until its `deadline` (the node's
 * NetworkChaos is deleted when the node finishes: chaos-mesh pkg/workflow/controllers chaos_node_reconciler.go;
 * a `duration` in the embedded chaos is refused by api/v1alpha1 workflow_webhook.go), else until the
 * Workflow is deleted; a `Schedule` template is noted like a Schedule. `prefix` says when the Workflow runs.
 */
function workflowNotes(id: string, workflow: unknown, prefix = ''): string[] {
  if (!isPlainObject(workflow) || !Array.isArray(workflow.templates)) return [];
  const out: Array<string | undefined> = [];
  for (const t of workflow.templates.filter(isPlainObject)) {
    const when = `${prefix}when its template '${String(t.name)}' runs,`;
    if (t.templateType === 'NetworkChaos') {
      const bound = typeof t.deadline === 'string' && t.deadline.trim() !== '' ? `for its deadline ${t.deadline}` : 'until the Workflow is deleted';
      out.push(partitionNote(id, t.networkChaos, when, bound));
    } else if (t.templateType === 'Schedule') {
      out.push(scheduleNote(id, t.schedule, `${when} `));
    }
  }
  return out.filter((n): n is string => n !== undefined);
}

/**
 * A note for every Chaos Mesh partition in the manifests: a NetworkChaos, a Schedule of type NetworkChaos,
 * a Workflow's NetworkChaos and Schedule templates, and those of a Schedule of type Workflow.
 */
export function networkChaosNotes(manifests: readonly ManifestObject[]): string[] {
  const out: string[] = [];
  for (const obj of manifests) {
    const id = describeRef(refOf(obj));
    if (isKindOf(obj, CHAOS_MESH_GROUP, 'NetworkChaos')) {
      const note = partitionNote(id, obj.spec, 'once applied,');
      if (note !== undefined) out.push(note);
    } else if (isKindOf(obj, CHAOS_MESH_GROUP, 'Schedule') && isPlainObject(obj.spec)) {
      const note = scheduleNote(id, obj.spec);
      if (note !== undefined) out.push(note);
      if (obj.spec.type === 'Workflow') out.push(...workflowNotes(id, obj.spec.workflow, `on the schedule '${String(obj.spec.schedule)}', `));
    } else if (isKindOf(obj, CHAOS_MESH_GROUP, 'Workflow')) {
      out.push(...workflowNotes(id, obj.spec));
    }
  }
  return out;
}
