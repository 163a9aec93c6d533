/**
 * The NetworkChaos specs in manifests (internal to the lint): a chaos-mesh.org NetworkChaos's `spec`,
 * or a Schedule's `spec.networkChaos` when its `type` is NetworkChaos, with the JSON path prefix.
 */
import { LintDocument, isObject } from './document';
import { CHAOS_MESH_GROUP, isKindOf } from '../util/vocabulary';

/** One NetworkChaos spec and where it is. */
export interface NetworkChaosSpecAt {
  readonly doc: LintDocument;
  readonly spec: Record<string, any>;
  /** `spec` or `spec.networkChaos`. */
  readonly path: string;
  /** The spec belongs to a Schedule (each run is a NetworkChaos made from it). */
  readonly scheduled: boolean;
}

/** Every NetworkChaos spec of the documents, in document order. */
export function networkChaosSpecs(documents: readonly LintDocument[]): NetworkChaosSpecAt[] {
  const out: NetworkChaosSpecAt[] = [];
  for (const doc of documents) {
    const obj = doc.obj;
    if (isKindOf(obj, CHAOS_MESH_GROUP, 'NetworkChaos') && isObject(obj.spec)) {
      out.push({ doc, spec: obj.spec, path: 'spec', scheduled: false });
    } else if (isKindOf(obj, CHAOS_MESH_GROUP, 'Schedule') && isObject(obj.spec) && obj.spec.type === 'NetworkChaos' && isObject(obj.spec.networkChaos)) {
      out.push({ doc, spec: obj.spec.networkChaos, path: 'spec.networkChaos', scheduled: true });
    }
  }
  return out;
}
