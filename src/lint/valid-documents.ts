/**
 * The documents the analyzer accepts (internal): several rules read only the objects the API server
 * and the CNI would accept, so the check runs once per lint run's document list, not once per rule;
 * so does the inventory of their workloads and namespaces, which those rules read alike (callers do
 * not change it).
 */
import { isObject, LintDocument } from './document';
import { buildInventory, Inventory } from '../analysis/inventory';
import { ManifestObject } from '../analysis/model';
import { validateManifest } from '../analysis/validation';

const cache = new WeakMap<readonly LintDocument[], readonly LintDocument[]>();
const inventories = new WeakMap<readonly LintDocument[], Inventory>();

/** The documents whose object {@link validateManifest} accepts, in document order (computed once per list). */
export function validDocuments(documents: readonly LintDocument[]): readonly LintDocument[] {
  let valid = cache.get(documents);
  if (valid === undefined) {
    valid = documents.filter((d) => isObject(d.obj) && validateManifest(d.obj) === undefined);
    cache.set(documents, valid);
  }
  return valid;
}

/** The inventory ({@link buildInventory}) of the {@link validDocuments}' objects (computed once per list; not to be changed). */
export function validInventory(documents: readonly LintDocument[]): Inventory {
  let inventory = inventories.get(documents);
  if (inventory === undefined) {
    inventory = buildInventory(validDocuments(documents).map((d) => d.obj as ManifestObject));
    inventories.set(documents, inventory);
  }
  return inventory;
}
