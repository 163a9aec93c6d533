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

/** `pods in shop, payments with app=backend and tier In (a, b)`, from a Chaos Mesh selector. */
function selection(selector: unknown): string {
  if (!isPlainObject(selector)) return 'pods in the experiment\'s namespace';
  const namespaces = Array.isArray(selector.namespaces) ? selector.namespaces.filter((n): n is string => typeof n === 'string') : [];
  const tests = [
    ...Object.entries(stringMap(selector.labelSelectors)).map(([k, v]) => `${k}=${v}`),
    ...(Array.isArray(selector.expressionSelectors) ? selector.expressionSelectors.filter(isPlainObject)
      .map((e) => `${e.key} ${e.operator}${Array.isArray(e.values) ? ` (${e.values.join(', ')})` : ''}`) : []),
  ];
  // Chaos Mesh's webhook reads a selector without namespaces as the experiment's own namespace.
  const where = namespaces.length > 0 ? `in ${namespaces.join(', ')}` : 'in the experiment\'s namespace';
  return `pods ${where}${tests.length > 0 ? ` with ${tests.join(' and ')}` : ''}`;
}

/** The note of one partition spec, or undefined for other actions. */
function partitionNote(id: string, spec: unknown, when: string): string | undefined {
  if (!isPlainObject(spec) || spec.action !== 'partition') return undefined;
  const direction = typeof spec.direction === 'string' ? spec.direction : 'to';
  const peers = [
    ...(isPlainObject(spec.target) ? [selection(spec.target.selector)] : []),
    ...(Array.isArray(spec.externalTargets) ? spec.externalTargets.filter((t): t is string => typeof t === 'string') : []),
  ];
  const between = peers.length > 0 ? `between ${selection(spec.selector)} and ${peers.join(', ')}` : `of ${selection(spec.selector)} with every peer`;
  const duration = typeof spec.duration === 'string' ? `for ${spec.duration}` : 'until it is deleted';
  return printable(`${id} partitions the traffic ${between} (direction ${direction}, ${when} ${duration}): while it is active those packets `
    + 'are dropped whatever the policies allow; the verdicts here are the policies\' alone');
}

/** A note for every Chaos Mesh partition (NetworkChaos, or a Schedule of type NetworkChaos) in the manifests. */
export function networkChaosNotes(manifests: readonly ManifestObject[]): string[] {
  const out: string[] = [];
  for (const obj of manifests) {
    const id = describeRef(refOf(obj));
    let note: string | undefined;
    if (isKindOf(obj, CHAOS_MESH_GROUP, 'NetworkChaos')) {
      note = partitionNote(id, obj.spec, 'once applied,');
    } else if (isKindOf(obj, CHAOS_MESH_GROUP, 'Schedule') && isPlainObject(obj.spec) && obj.spec.type === 'NetworkChaos') {
      note = partitionNote(id, obj.spec.networkChaos, `on the schedule '${String(obj.spec.schedule)}', each run`);
    }
    if (note !== undefined) out.push(note);
  }
  return out;
}
